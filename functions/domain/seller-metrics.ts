// A seller's performance over a window of days (SPEC "Seller performance"), summed from the
// counters of its days (seller-counters.ts): what GET /seller/metrics and the operator's
// GET /operator/sellers/{sellerId}/metrics answer. Pure: the window, then the sums.
import { CANCELLATION_REASONS } from "./codes.ts";
import {
  type BucketName,
  type CounterName,
  type Counters,
  ENDED_STATUSES,
  type EndedStatus,
  RESPONSE_BUCKETS,
  tokyoDay,
} from "./seller-counters.ts";
import { type CancellationReason, FAULTS, type Fault } from "./types.ts";

/** The longest window (days, both ends included) and the default one (up to today). */
export const MAX_METRICS_DAYS = 90;
export const DEFAULT_METRICS_DAYS = 30;

/** One day's counters of a seller (its shards summed by the store). */
export interface DayCounters {
  /** `YYYY-MM-DD` in Asia/Tokyo. */
  day: string;
  counts: Counters;
}

/** One day's figures, for the console's chart. */
export interface DayFigures {
  date: string;
  orders: number;
  /** Cancellation requests that ended that day, and those that completed by the seller's fault. */
  cancellations: number;
  sellerCancellations: number;
  answered: number;
  timedOut: number;
}

export interface SellerMetrics {
  from: string;
  to: string;
  orders: number;
  cancellations: {
    total: number;
    byReason: Record<CancellationReason, number>;
    byOutcome: Record<EndedStatus, number>;
    byFault: Record<Fault, number>;
  };
  sellerCancellationRate: number;
  response: {
    answered: number;
    withinDeadline: number;
    timedOut: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
  };
  days: DayFigures[];
}

export interface MetricsWindow {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

/** A `YYYY-MM-DD` date `days` later (earlier when negative). */
export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Days from `from` to `to`, both included. */
const daysIn = ({ from, to }: MetricsWindow): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;

/** A refusal of the window asked for: which query field, and why. */
export interface WindowProblem {
  path: "from" | "to";
  message: string;
}

/**
 * The window a query asks for: `to` defaults to today (Asia/Tokyo) and `from` to the 30 days up
 * to `to`. Refused: `from` after `to`, or more than 90 days. (The dates' format is the schema's.)
 */
export const metricsWindow = (
  query: { from?: string | undefined; to?: string | undefined },
  now: string,
): MetricsWindow | WindowProblem => {
  const to = query.to ?? tokyoDay(now);
  const from = query.from ?? addDays(to, 1 - DEFAULT_METRICS_DAYS);
  if (from > to) return { path: "from", message: "must not be after to" };
  if (daysIn({ from, to }) > MAX_METRICS_DAYS) {
    return { path: "from", message: `must leave a window of at most ${MAX_METRICS_DAYS} days` };
  }
  return { from, to };
};

const keyed = <K extends string>(
  keys: readonly K[],
  value: (key: K) => number,
): Record<K, number> =>
  Object.fromEntries(keys.map((key) => [key, value(key)])) as Record<K, number>;

/**
 * The `q` quantile (0 < q < 1) of the response times, estimated from the histogram: the bucket
 * holding rank q × n, interpolated linearly between its bounds (as Prometheus's
 * histogram_quantile does), so off by at most that bucket's width; in the open bucket past the
 * last bound, that bound. Null without answers.
 */
export const quantileOf = (counts: Counters, q: number): number | null => {
  const buckets: { upper: number; name: BucketName }[] = [
    ...RESPONSE_BUCKETS.map((upper) => ({ upper, name: `bucket_${upper}` as const })),
    { upper: Number.POSITIVE_INFINITY, name: "bucket_inf" },
  ];
  const total = buckets.reduce((sum, { name }) => sum + (counts[name] ?? 0), 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  let lower = 0;
  for (const { upper, name } of buckets) {
    const count = counts[name] ?? 0;
    if (count > 0 && below + count >= rank) {
      if (upper === Number.POSITIVE_INFINITY) return lower;
      return Math.round(lower + ((upper - lower) * (rank - below)) / count);
    }
    below += count;
    lower = upper;
  }
  return lower;
};

/** The seller's figures over `window`, from the counters of its days (any order, any subset). */
export const sellerMetricsOf = (window: MetricsWindow, days: DayCounters[]): SellerMetrics => {
  const inWindow = days.filter(({ day }) => day >= window.from && day <= window.to);
  const total: Counters = {};
  const byDay = new Map<string, Counters>();
  for (const { day, counts } of inWindow) {
    const dayTotal = byDay.get(day) ?? {};
    for (const [name, value] of Object.entries(counts) as [CounterName, number][]) {
      total[name] = (total[name] ?? 0) + value;
      dayTotal[name] = (dayTotal[name] ?? 0) + value;
    }
    byDay.set(day, dayTotal);
  }
  const count = (counts: Counters, name: CounterName): number => counts[name] ?? 0;
  const orders = count(total, "orders");
  const rate = orders === 0 ? 0 : Math.min(1, count(total, "completedSellerFault") / orders);
  return {
    from: window.from,
    to: window.to,
    orders,
    cancellations: {
      total: count(total, "ended"),
      byReason: keyed(CANCELLATION_REASONS, (reason) => count(total, `reason_${reason}`)),
      byOutcome: keyed(ENDED_STATUSES, (status) => count(total, `status_${status}`)),
      byFault: keyed(FAULTS, (fault) => count(total, `fault_${fault}`)),
    },
    sellerCancellationRate: Math.round(rate * 10_000) / 10_000,
    response: {
      answered: count(total, "answered"),
      withinDeadline: count(total, "withinDeadline"),
      timedOut: count(total, "timedOut"),
      medianSeconds: quantileOf(total, 0.5),
      p90Seconds: quantileOf(total, 0.9),
    },
    days: Array.from({ length: daysIn(window) }, (_, i) => {
      const date = addDays(window.from, i);
      const counts = byDay.get(date) ?? {};
      return {
        date,
        orders: count(counts, "orders"),
        cancellations: count(counts, "ended"),
        sellerCancellations: count(counts, "completedSellerFault"),
        answered: count(counts, "answered"),
        timedOut: count(counts, "timedOut"),
      };
    }),
  };
};
