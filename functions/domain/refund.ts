// Refunds: where the money goes, how much, and by when the buyer can expect it.
// All date arithmetic is on calendar dates in UTC milliseconds, never local-time Date objects, so
// results do not depend on the machine's TZ.
import holidayJp from "@holiday-jp/holiday_jp";
import type { Policy } from "./policy.ts";
import type { Currency, ExpectedBy, Order, PaymentMethod, Refund, RefundMethod } from "./types.ts";

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

/** The amount to refund: what was paid, less the shipping fee unless the policy refunds it. */
export const refundAmount = (order: Order, policy: Policy): number => {
  const { method, paidAmount } = order.payment;
  // Cash on delivery was never collected: the buyer refuses the parcel instead.
  if (method === "CASH_ON_DELIVERY") return 0;
  const amount = policy.refundShippingFee ? paidAmount : paidAmount - order.shippingFee;
  return Math.min(paidAmount, Math.max(0, amount));
};

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
  // isHoliday formats a Date with local-time getters (TZ-dependent); a string is matched exactly.
  return currency !== "JPY" || !holidayJp.isHoliday(formatDate(ms));
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

/** When the refund should arrive, counted from the approval day; null when none is made. */
export const expectedBy = (order: Order, policy: Policy, approvedAt: string): ExpectedBy | null => {
  const { method } = order.payment;
  const timeline = policy.refundTimelines[method];
  // Cash on delivery needs no refund even if a policy gives it a timeline.
  if (timeline === null || method === "CASH_ON_DELIVERY") return null;
  const approvedOn = localDate(approvedAt, order.currency);
  return {
    earliest: addBusinessDays(approvedOn, timeline.minBusinessDays, order.currency),
    latest: addBusinessDays(approvedOn, timeline.maxBusinessDays, order.currency),
  };
};

/** The refund created when the marketplace approves a cancellation; instructed later. */
export const newRefund = (order: Order, policy: Policy, approvedAt: string): Refund => ({
  amount: refundAmount(order, policy),
  currency: order.currency,
  method: refundMethodFor(order.payment.method),
  status: order.payment.method === "CASH_ON_DELIVERY" ? "NOT_REQUIRED" : "PENDING",
  refundId: null,
  expectedBy: expectedBy(order, policy, approvedAt),
  instructedAt: null,
  succeededAt: null,
  attempts: 0,
});
