// Refunds: where the money goes, how much, and by when the buyer can expect it.
// All date arithmetic is on calendar dates in UTC milliseconds, never local-time Date objects, so
// results do not depend on the machine's TZ.
import { DomainError } from "./events.ts";
import { isJapaneseHoliday } from "./jp-holidays.ts";
import type { Policy } from "./policy.ts";
import type {
  CancellationRequest,
  Currency,
  ExpectedBy,
  Order,
  OrderRecord,
  PaymentMethod,
  PaymentProvider,
  Refund,
  RefundMethod,
} from "./types.ts";

const DAY_MS = 86_400_000;

const REFUND_METHODS: Readonly<Record<PaymentMethod, RefundMethod>> = {
  CARD: "CARD",
  GIFT_CARD: "GIFT_CARD",
  POINTS: "POINTS",
  // Convenience-store payments cannot be paid back at the till: they become gift balance.
  CONVENIENCE_STORE: "GIFT_CARD",
  CASH_ON_DELIVERY: "CASH_ON_DELIVERY",
};

/** The refund goes back to the original payment method (convenience store → gift balance). */
export const refundMethodFor = (method: PaymentMethod): RefundMethod => REFUND_METHODS[method];

/**
 * Who makes a refund to `method`: the order's card refunds go through its provider; gift balance
 * and points are the marketplace's own money, on its ledger.
 */
export const providerFor = (order: Order, method: RefundMethod): PaymentProvider =>
  method === "CARD" && order.payment.provider === "stripe" ? "stripe" : "ledger";

/** Offset from UTC of the zone where each currency's money moves (neither zone has DST). */
const UTC_OFFSET_MS: Readonly<Record<Currency, number>> = {
  JPY: 9 * 3_600_000, // Asia/Tokyo
  USD: 0, // UTC
};

// An instant without a zone would be parsed as machine-local time, so one is required.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

const parseInstant = (instant: string): number => {
  const ms = INSTANT.test(instant) ? Date.parse(instant) : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO 8601 instant with a zone: ${instant}`);
  return ms;
};

/** Date and time (`YYYY-MM-DD`, `HH:mm`) of an instant in the currency's zone. */
export const localDateTime = (
  instant: string,
  currency: Currency,
): { date: string; time: string } => {
  const iso = new Date(parseInstant(instant) + UTC_OFFSET_MS[currency]).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
};

/** The calendar date of an instant where the money moves: Tokyo for JPY, UTC for USD. */
export const localDate = (instant: string, currency: Currency): string =>
  localDateTime(instant, currency).date;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A `YYYY-MM-DD` calendar date as UTC midnight in milliseconds; rejects e.g. `2026-02-30`. */
const parseDate = (date: string): number => {
  const ms = DATE.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || formatDate(ms) !== date) {
    throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  }
  return ms;
};

const formatDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const isBusinessDay = (ms: number, currency: Currency): boolean => {
  const weekday = new Date(ms).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return currency !== "JPY" || !isJapaneseHoliday(formatDate(ms));
};

/**
 * The date `days` business days after `date` (weekends and, for JPY, Japanese public holidays
 * skipped); 0 days is `date` itself. The holiday data ends in 2050: later years skip weekends only.
 */
export const addBusinessDays = (date: string, days: number, currency: Currency): string => {
  if (!Number.isSafeInteger(days) || days < 0) {
    throw new RangeError(`days must be a non-negative integer: ${days}`);
  }
  let ms = parseDate(date);
  for (let left = days; left > 0; ) {
    ms += DAY_MS;
    if (isBusinessDay(ms, currency)) left -= 1;
  }
  return formatDate(ms);
};

/**
 * When a refund should arrive under the timeline of `method` (a payment method; every refund
 * method is one), counted from `from`'s day; null when no refund is made.
 */
export const expectedByFor = (
  method: PaymentMethod,
  order: Order,
  policy: Policy,
  from: string,
): ExpectedBy | null => {
  const timeline = policy.refundTimelines[method];
  // Cash on delivery needs no refund even if a policy gives it a timeline.
  if (timeline === null || method === "CASH_ON_DELIVERY") return null;
  const day = localDate(from, order.currency);
  return {
    earliest: addBusinessDays(day, timeline.minBusinessDays, order.currency),
    latest: addBusinessDays(day, timeline.maxBusinessDays, order.currency),
  };
};

/** When the refund should arrive, counted from the approval day; null when none is made. */
export const expectedBy = (order: Order, policy: Policy, approvedAt: string): ExpectedBy | null =>
  expectedByFor(order.payment.method, order, policy, approvedAt);

/** The first refund key of a request; later ones (after a decline or a method change) count up. */
export const firstRefundId = (requestId: string): string => `rf-${requestId}`;

/** `rf-<requestId>` → `rf-<requestId>-2` → `rf-<requestId>-3` … */
export const nextRefundId = (requestId: string, current: string): string => {
  const first = firstRefundId(requestId);
  const count = current === first ? 1 : Number(current.slice(first.length + 1));
  return `${first}-${(Number.isSafeInteger(count) ? count : 1) + 1}`;
};

/**
 * How long a provider call may still land after the refund function began it: the function's
 * timeout with a wide margin. Until then nobody may conclude that the refund was not made.
 */
export const REFUND_CALL_LEASE_SECONDS = 60;

/** Refuses (503 with Retry-After) while a provider call for the request may still land. */
export const assertNoRefundCallInFlight = (request: CancellationRequest, now: string): void => {
  const started = request.refund?.callStartedAt;
  if (!started) return;
  const leaseEnds = Date.parse(started) + REFUND_CALL_LEASE_SECONDS * 1000;
  const left = Math.ceil((leaseEnds - Date.parse(now)) / 1000);
  if (left > 0) {
    throw new DomainError("REFUND_IN_FLIGHT", "a refund call may still land; try again shortly", {
      retryAfterSeconds: left,
    });
  }
};

/**
 * The refund key to ask the provider about before anyone concludes that money did not move: the
 * active request's claimed refund whose success is not recorded. Undefined when no money can have
 * moved; REFUND_IN_FLIGHT while a call may still land.
 */
export const refundToAskAbout = (record: OrderRecord, now: string): string | undefined => {
  const id = record.order.activeCancellationRequestId;
  const request = id && Object.hasOwn(record.requests, id) ? record.requests[id] : undefined;
  const refund = request?.refund;
  if (!request || !refund?.refundId) return undefined;
  if (request.status !== "REFUND_PENDING" && request.status !== "REFUND_FAILED") return undefined;
  if (refund.status === "SUCCEEDED" || refund.status === "NOT_REQUIRED") return undefined;
  assertNoRefundCallInFlight(request, now);
  return refund.refundId;
};

/**
 * The refund of `amount` (the request's items and shipping) created when the marketplace approves
 * a cancellation; instructed later. Nothing to pay back (cash on delivery, or units a discount
 * made free) needs no refund: no provider is called for ¥0.
 */
export const newRefund = (
  order: Order,
  policy: Policy,
  approvedAt: string,
  amount: number,
): Refund => {
  const required = order.payment.method !== "CASH_ON_DELIVERY" && amount > 0;
  const method = refundMethodFor(order.payment.method);
  return {
    amount,
    currency: order.currency,
    method,
    provider: providerFor(order, method),
    status: required ? "PENDING" : "NOT_REQUIRED",
    refundId: null,
    expectedBy: required ? expectedBy(order, policy, approvedAt) : null,
    instructedAt: null,
    succeededAt: null,
    attempts: 0,
    callStartedAt: null,
    declined: false,
  };
};

/**
 * The instant a refund's promise runs out: the start of the day after `expectedBy.latest` in the
 * currency's zone (JPY: latest + 1 day at 00:00 Asia/Tokyo, i.e. 15:00 UTC on `latest`).
 */
export const promiseEndsAt = (expectedBy: ExpectedBy, currency: Currency): string =>
  new Date(parseDate(expectedBy.latest) + DAY_MS - UTC_OFFSET_MS[currency]).toISOString();

/** Whether the refund's promised date is over at `now` (false when nothing was promised). */
export const isPastPromise = (refund: Refund | null, now: string): boolean =>
  !!refund?.expectedBy &&
  parseInstant(now) >= Date.parse(promiseEndsAt(refund.expectedBy, refund.currency));

/**
 * Whether the refund is late at `now` and not yet marked so: promised, not succeeded (judged by
 * the provider's `succeeded`, the last thing the service sees), and its promised date is over.
 */
export const isRefundLate = (refund: Refund | null, now: string): boolean =>
  !!refund &&
  !refund.late &&
  (refund.status === "PENDING" || refund.status === "FAILED") &&
  isPastPromise(refund, now);

/** Whether the provider answered the refund as made but not yet settled (its webhook is awaited). */
export const isSettling = (refund: Refund | null): boolean =>
  refund?.status === "PENDING" &&
  !refund.callStartedAt &&
  (refund.providerStatus === "pending" || refund.providerStatus === "requires_action");
