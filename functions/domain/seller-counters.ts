// A seller's performance counters (SPEC "Seller performance"): what one change of an order adds to
// its seller's counters, per calendar day in Asia/Tokyo, as a pure function of the order before
// and after the change. The store adds them in the change's own write, so each change is counted
// exactly once, with the write that makes it; the metrics routes sum them (seller-metrics.ts).
import { CANCELLATION_REASONS } from "./codes.ts";
import { faultOf } from "./requests.ts";
import type {
  CancellationReason,
  CancellationRequest,
  Fault,
  OrderRecord,
  RequestStatus,
  TimelineType,
} from "./types.ts";
import { FAULTS, isTerminal } from "./types.ts";

/** The zone whose calendar days the counters (and the metrics' dates) follow. */
export const METRICS_TIME_ZONE = "Asia/Tokyo";

/** The statuses a request ends in, as the counters name them. */
export const ENDED_STATUSES = [
  "COMPLETED",
  "REJECTED",
  "WITHDRAWN",
  "RETURN_REQUIRED",
] as const satisfies readonly RequestStatus[];
export type EndedStatus = (typeof ENDED_STATUSES)[number];

/**
 * Upper bounds (seconds, inclusive) of the seller response-time histogram's buckets, from a minute
 * to a week, each two to three times the last, so a median or p90 read off it is within a bucket's
 * width of the truth from seconds to days; answers slower than the last fall in `bucket_inf`.
 */
export const RESPONSE_BUCKETS = [
  60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400, 172_800, 259_200, 604_800,
] as const;

export type BucketName = `bucket_${(typeof RESPONSE_BUCKETS)[number]}` | "bucket_inf";

/**
 * The counters of one seller-day, each a flat number named as it is stored:
 * - `orders`: orders placed (counted when imported);
 * - `ended`, `reason_<reason>`, `status_<terminal status>`, `fault_<fault>`: cancellation
 *   requests that ended, in total, by reason, by how they ended and by whose fault;
 * - `completedSellerFault`: requests that COMPLETED with fault SELLER (the cancellation rate's);
 * - `answered`, `withinDeadline`, `bucket_<seconds>`: the seller's decisions, those made before
 *   the deadline, and how long each took from when the request began awaiting the seller;
 * - `timedOut`: deadlines the seller let pass.
 */
export type CounterName =
  | "orders"
  | "ended"
  | `reason_${CancellationReason}`
  | `status_${EndedStatus}`
  | `fault_${Fault}`
  | "completedSellerFault"
  | "answered"
  | "withinDeadline"
  | BucketName
  | "timedOut";

export type Counters = Partial<Record<CounterName, number>>;

/** What a change adds to one seller's counters of one day. */
export interface CounterIncrement {
  sellerId: string;
  /** `YYYY-MM-DD` in Asia/Tokyo. */
  day: string;
  counts: Counters;
}

/** Every counter name, for the store's reads. */
export const COUNTER_NAMES: readonly CounterName[] = [
  "orders",
  "ended",
  ...CANCELLATION_REASONS.map((reason) => `reason_${reason}` as const),
  ...ENDED_STATUSES.map((status) => `status_${status}` as const),
  ...FAULTS.map((fault) => `fault_${fault}` as const),
  "completedSellerFault",
  "answered",
  "withinDeadline",
  ...RESPONSE_BUCKETS.map((bound) => `bucket_${bound}` as const),
  "bucket_inf",
  "timedOut",
];

const dayFormat = /* @__PURE__ */ new Intl.DateTimeFormat("en-CA", {
  timeZone: METRICS_TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The Asia/Tokyo calendar day (`YYYY-MM-DD`) of an ISO instant. */
export const tokyoDay = (instant: string): string => {
  const parts = Object.fromEntries(
    dayFormat.formatToParts(new Date(instant)).map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
};

/** The histogram bucket of an answer that took `seconds`. */
export const bucketOf = (seconds: number): BucketName => {
  const bound = RESPONSE_BUCKETS.find((upper) => seconds <= upper);
  return bound === undefined ? "bucket_inf" : `bucket_${bound}`;
};

/** The entry that ends a request in each terminal status (one per request: terminal is final). */
const ENDING_ENTRIES: ReadonlySet<TimelineType> = new Set([
  "COMPLETED",
  "SELLER_REJECTED",
  "MARKETPLACE_REJECTED",
  "WITHDRAWN",
  "RETURN_REQUIRED",
]);

/** When a request ended: its ending entry (the last change, for a record without one). */
export const endedAt = (request: CancellationRequest): string =>
  request.timeline.find((entry) => ENDING_ENTRIES.has(entry.type))?.at ?? request.updatedAt;

/** Since when the request awaited the seller: the seller was notified (else its creation). */
export const awaitingSellerSince = (request: CancellationRequest): string =>
  request.timeline.find((entry) => entry.type === "SELLER_NOTIFIED")?.at ?? request.createdAt;

const secondsBetween = (from: string, to: string): number =>
  Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));

/**
 * What a change from `before` to `after` (undefined before: the order's import) adds to its
 * seller's counters, merged per day: the order itself on its import (the day it was placed), each
 * request that ended in it (the day it ended), each seller decision and timeout it recorded (the
 * day of the decision). Timelines only grow and a terminal status is final, so every fact is
 * counted by exactly one change of a history; a change that adds none of these adds nothing.
 */
export const counterChanges = (
  before: OrderRecord | undefined,
  after: OrderRecord,
): CounterIncrement[] => {
  const days = new Map<string, Counters>();
  const add = (instant: string, name: CounterName) => {
    const day = tokyoDay(instant);
    const counts = days.get(day) ?? {};
    counts[name] = (counts[name] ?? 0) + 1;
    days.set(day, counts);
  };
  if (before === undefined) add(after.order.placedAt, "orders");
  for (const request of Object.values(after.requests)) {
    const old =
      before && Object.hasOwn(before.requests, request.requestId)
        ? before.requests[request.requestId]
        : undefined;
    if (isTerminal(request.status) && !(old && isTerminal(old.status))) {
      const status = request.status as EndedStatus;
      // Set by the change that ended it; derived the same way for a record stored without it.
      const fault = request.fault ?? faultOf(request.reason, after.order);
      const day = endedAt(request);
      add(day, "ended");
      add(day, `reason_${request.reason}`);
      add(day, `status_${status}`);
      add(day, `fault_${fault}`);
      if (status === "COMPLETED" && fault === "SELLER") add(day, "completedSellerFault");
    }
    for (const entry of request.timeline.slice(old?.timeline.length ?? 0)) {
      if (entry.type === "SELLER_APPROVED" || entry.type === "SELLER_REJECTED") {
        add(entry.at, "answered");
        if (Date.parse(entry.at) < Date.parse(request.sellerDeadline)) {
          add(entry.at, "withinDeadline");
        }
        add(entry.at, bucketOf(secondsBetween(awaitingSellerSince(request), entry.at)));
      } else if (entry.type === "SELLER_TIMED_OUT") {
        add(entry.at, "timedOut");
      }
    }
  }
  const sellerId = after.order.sellerId;
  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([day, counts]) => ({ sellerId, day, counts }));
};
