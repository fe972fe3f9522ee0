// Property tests of `transition`: random event sequences from every role, at random increasing
// times, under random policies and orders (scenarios.ts), checked against the domain's invariants
// at every step. Money: a refund that succeeded changes only when the provider reverses it (or
// its bank reference arrives), no refund key succeeds twice and at most one key of a request stands
// paid, the order's refundedAmount is what its completed requests' standing refunds add up to, a
// return refunds nothing, and nobody concludes that money did not move while a refund call's lease
// runs; the provider's answers (refund made or not, declines, pending) and its later word
// (webhooks and checks, sent twice, late, out of order, about old keys) are random, and a word
// applied twice changes nothing the second time. What each stored change implies (the mail of its
// new timeline entries, its events, the wake-up of a waiting execution) is checked against SPEC at
// every step too, and so is the workflow's plan: it runs exactly while a request is open or owes a
// refund, and never plans a step the transition would refuse.
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError, type DomainEvent } from "../../functions/domain/events.ts";
import { dueEvents, dueMail } from "../../functions/domain/notices.ts";
import { cancelledUnits, parcelOf } from "../../functions/domain/parcel.ts";
import type { Policy } from "../../functions/domain/policy.ts";
import { eventIdOf } from "../../functions/domain/published-events.ts";
import { addSeconds, latestRequest } from "../../functions/domain/requests.ts";
import { transition } from "../../functions/domain/transition.ts";
import {
  type CancellationRequest,
  isTerminal,
  type MarketplaceReview,
  type Order,
  type OrderRecord,
  type OrderStatus,
  type Refund,
  type RefundMethod,
  type RefundStatus,
  type RequestStatus,
  type TimelineType,
} from "../../functions/domain/types.ts";
import {
  type NextStep,
  needsWorkflow,
  planNextStep,
  WAIT_STEPS,
} from "../../functions/domain/workflow-plan.ts";
import { impliedBy } from "./flow.ts";
import {
  HOUR,
  LEASE_SECONDS,
  leaseRuns,
  MAX_DELIVERY_SKEW_SECONDS,
  type Scenario,
  type Sim,
  type SimStep,
  SYSTEM,
  scenarioArb,
  simulate,
  specRefundMethod,
  specSettlementCheckAt,
} from "./scenarios.ts";

const ERROR_CODES = new Set([
  "NOT_FOUND",
  "NOT_SHIPPED",
  "RETURN_REQUIRED",
  "WINDOW_CLOSED",
  "ACTIVE_REQUEST_EXISTS",
  "INVALID_STATE",
  "VALIDATION_FAILED",
  "REFUND_IN_FLIGHT",
  "NOTHING_TO_CANCEL",
  "PARTIAL_NOT_SUPPORTED",
]);

/** Every status change a request may make (SPEC's lifecycle). */
const REQUEST_EDGES: Record<RequestStatus, readonly RequestStatus[]> = {
  REQUESTED: ["AWAITING_SELLER", "WITHDRAWN", "RETURN_REQUIRED"],
  AWAITING_SELLER: ["AWAITING_MARKETPLACE", "REJECTED", "WITHDRAWN", "RETURN_REQUIRED"],
  AWAITING_MARKETPLACE: ["REFUND_PENDING", "REJECTED", "WITHDRAWN", "RETURN_REQUIRED"],
  REFUND_PENDING: ["REFUND_FAILED", "COMPLETED", "RETURN_REQUIRED"],
  // A retry; or a delivery, after asking the provider: refund made → COMPLETED, else a return.
  REFUND_FAILED: ["REFUND_PENDING", "COMPLETED", "RETURN_REQUIRED"],
  COMPLETED: [],
  REJECTED: [],
  WITHDRAWN: [],
  RETURN_REQUIRED: [],
};
const ORDER_EDGES: Record<OrderStatus, readonly OrderStatus[]> = {
  PLACED: ["SHIPPED"],
  SHIPPED: ["DELIVERED", "CANCELLED"],
  DELIVERED: ["CANCELLED"],
  CANCELLED: [],
};
/**
 * Every status change a refund may make: a refund found unneeded is final, and a success only
 * fails when the provider reverses it (checked in `checkChange`).
 */
const REFUND_EDGES: Record<RefundStatus, readonly RefundStatus[]> = {
  PENDING: ["SUCCEEDED", "FAILED", "NOT_REQUIRED"],
  FAILED: ["PENDING", "SUCCEEDED", "NOT_REQUIRED"],
  SUCCEEDED: ["FAILED"],
  NOT_REQUIRED: [],
};

// ---- the invariants -----------------------------------------------------------------------------

/** SPEC: what was paid for the items and for shipping (a discount lowers the items only). */
const specPaid = (order: Order) => {
  const paid = order.payment.method === "CASH_ON_DELIVERY" ? 0 : order.payment.paidAmount;
  const items = Math.max(0, paid - order.shippingFee);
  return { items, shipping: paid - items };
};

const completedOf = (record: OrderRecord) =>
  requestsOf(record).filter((request) => request.status === "COMPLETED");

/**
 * SPEC's amounts of a new request on `record` for `named` lines (absent: every unit left): each
 * line floor(value × itemsPaid ÷ order value); the request that cancels the last unit takes what
 * earlier requests left of the items (its last line the difference) and of shipping; otherwise
 * shipping per partialShippingRefund.
 */
const specTerms = (
  record: OrderRecord,
  named: readonly { lineId: string; quantity: number }[] | undefined,
  policy: Policy,
) => {
  const { order } = record;
  const left = (line: Order["lines"][number]) => line.quantity - line.cancelledQuantity;
  const wanted = (line: Order["lines"][number]) =>
    named ? (named.find((n) => n.lineId === line.lineId)?.quantity ?? 0) : left(line);
  const chosen = order.lines.filter((line) => wanted(line) > 0);
  const orderValue = order.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  const paid = specPaid(order);
  const share = (value: number, of: number) =>
    orderValue === 0 ? 0 : Math.floor((value * of) / orderValue);
  const lines = chosen.map((line) => ({
    lineId: line.lineId,
    quantity: wanted(line),
    amount: share(line.unitPrice * wanted(line), paid.items),
  }));
  const last = order.lines.every((line) => wanted(line) === left(line));
  const earlierItems = completedOf(record).reduce((sum, r) => sum + r.itemsAmount, 0);
  const earlierShipping = completedOf(record).reduce((sum, r) => sum + r.shippingAmount, 0);
  const lastLine = lines.at(-1);
  if (last && lastLine) {
    lastLine.amount =
      paid.items - earlierItems - lines.slice(0, -1).reduce((s, l) => s + l.amount, 0);
  }
  const value = chosen.reduce((sum, line) => sum + line.unitPrice * wanted(line), 0);
  let shippingAmount = 0;
  if (policy.refundShippingFee && policy.partialShippingRefund !== "NONE") {
    if (last) shippingAmount = paid.shipping - earlierShipping;
    else if (policy.partialShippingRefund === "PRORATED") {
      shippingAmount = Math.min(paid.shipping - earlierShipping, share(value, paid.shipping));
    }
  }
  const itemsAmount = lines.reduce((sum, line) => sum + line.amount, 0);
  return { lines, itemsAmount, shippingAmount };
};

/**
 * SPEC's reviewer: an escalated timeout, or the order's refunds with this one's above the
 * threshold (or a delivered order), need an operator.
 */
const specReview = (
  record: OrderRecord,
  request: CancellationRequest,
  event: DomainEvent,
): MarketplaceReview => {
  const { policy } = request;
  if (event.type === "SELLER_TIMEOUT" && policy.onSellerTimeout === "ESCALATE") return "OPERATOR";
  const max = policy.autoApproveMaxAmount[record.order.currency];
  const earlier = completedOf(record).reduce((sum, r) => sum + r.itemsAmount + r.shippingAmount, 0);
  const amount = earlier + request.itemsAmount + request.shippingAmount;
  const small = max !== undefined && record.order.status !== "DELIVERED" && amount <= max;
  return small ? "POLICY" : "OPERATOR";
};

/**
 * Lifecycle steps that happen at most once per request (refund failures and retries repeat, and a
 * refund succeeds once more after each reversal).
 */
const ONCE_PER_REQUEST = new Set<TimelineType>([
  "REQUESTED",
  "SELLER_NOTIFIED",
  "SELLER_REMINDED",
  "SELLER_APPROVED",
  "SELLER_REJECTED",
  "SELLER_TIMED_OUT",
  "MARKETPLACE_APPROVED",
  "MARKETPLACE_REJECTED",
  "REFUND_INSTRUCTED",
  "COMPLETED",
  "WITHDRAWN",
  "RETURN_REQUIRED",
]);

class InvariantError extends Error {}

const check = (condition: unknown, message: string): void => {
  if (!condition) throw new InvariantError(message);
};

const requestsOf = (record: OrderRecord): CancellationRequest[] => Object.values(record.requests);

/** Invariants of one record, whatever led to it. */
const checkRecord = (record: OrderRecord, sim: Sim): void => {
  const { order } = record;
  const open = requestsOf(record).filter((request) => !isTerminal(request.status));
  check(open.length <= 1, `${open.length} open requests`);
  check(
    order.activeCancellationRequestId === (open[0]?.requestId ?? null),
    `activeCancellationRequestId ${order.activeCancellationRequestId} but open: ${open[0]?.requestId}`,
  );
  // Money: the order's refunds never add up to more than was paid.
  const succeeded = requestsOf(record).filter((request) => request.refund?.status === "SUCCEEDED");
  const refunded = succeeded.reduce((sum, request) => sum + (request.refund?.amount ?? 0), 0);
  check(refunded <= order.payment.paidAmount, `refunds ${refunded} exceed what was paid`);
  // Units: each line's cancelled units are those of its completed requests, never more than it
  // has; the order is CANCELLED exactly when every unit is, and shows what was refunded.
  const completed = completedOf(record);
  for (const line of order.lines) {
    const units = completed.reduce(
      (sum, request) => sum + (request.lines.find((l) => l.lineId === line.lineId)?.quantity ?? 0),
      0,
    );
    check(line.cancelledQuantity === units, `${line.lineId}: ${line.cancelledQuantity} ≠ ${units}`);
    check(units <= line.quantity, `${line.lineId}: ${units} of ${line.quantity} units cancelled`);
  }
  const allCancelled = order.lines.every((line) => line.cancelledQuantity === line.quantity);
  check(
    (order.status === "CANCELLED") === allCancelled,
    `order ${order.status}, every unit cancelled: ${allCancelled}`,
  );
  const completedRefunds = completed.reduce(
    (sum, request) => sum + (request.refund?.status === "SUCCEEDED" ? request.refund.amount : 0),
    0,
  );
  check(
    order.refundedAmount === completedRefunds,
    `refundedAmount ${order.refundedAmount}, completed requests' standing refunds ${completedRefunds}`,
  );
  check(
    order.refundedAmount <= order.payment.paidAmount,
    `refundedAmount ${order.refundedAmount} exceeds what was paid`,
  );
  // Once every unit is cancelled, the items' refunds add up to exactly what was paid for them.
  if (allCancelled) {
    const items = completed.reduce((sum, request) => sum + request.itemsAmount, 0);
    check(items === specPaid(order).items, `item refunds ${items} once all is cancelled`);
  }

  for (const entity of [order, ...requestsOf(record)]) {
    for (const [i, entry] of entity.timeline.entries()) {
      check(
        typeof entry.actor === "string" && entry.actor.length > 0,
        "timeline entry lacks actor",
      );
      const previous = entity.timeline[i - 1];
      check(!previous || previous.at <= entry.at, `timeline goes back in time: ${entry.type}`);
    }
  }

  for (const request of requestsOf(record)) {
    const id = request.requestId;
    check(request.orderId === order.orderId, `${id}: wrong orderId`);
    const lineSum = request.lines.reduce((sum, line) => sum + line.amount, 0);
    check(
      request.itemsAmount === lineSum,
      `${id}: itemsAmount ${request.itemsAmount} ≠ ${lineSum}`,
    );
    check(
      request.lines.every((line) => line.amount >= 0 && line.quantity >= 1) &&
        request.shippingAmount >= 0,
      `${id}: a negative amount or an empty line`,
    );
    check(request.policyVersion === request.policy.version, `${id}: policyVersion differs`);
    check(
      request.sellerDeadline ===
        addSeconds(request.createdAt, request.policy.sellerResponseSeconds),
      `${id}: sellerDeadline not createdAt + the request's sellerResponseSeconds`,
    );
    const seen = new Set<TimelineType>();
    for (const { type } of request.timeline) {
      check(!(ONCE_PER_REQUEST.has(type) && seen.has(type)), `${id}: ${type} twice`);
      seen.add(type);
    }
    const count = (type: TimelineType) => request.timeline.filter((e) => e.type === type).length;
    const reversals = count("REFUND_REVERSED");
    check(
      count("REFUND_SUCCEEDED") <= reversals + 1 && reversals <= count("REFUND_SUCCEEDED"),
      `${id}: ${count("REFUND_SUCCEEDED")} successes, ${reversals} reversals`,
    );
    const refund = request.refund;
    if (refund) {
      check(Number.isInteger(refund.amount) && refund.amount >= 0, `${id}: refund amount`);
      check(refund.amount <= order.payment.paidAmount, `${id}: refund exceeds paid amount`);
      const original = specRefundMethod(order.payment.method);
      check(
        refund.method === original || refund.method === "GIFT_CARD" || refund.method === "POINTS",
        `${id}: refund to ${refund.method} for a ${order.payment.method} payment`,
      );
      check(
        refund.refundId === null || REFUND_KEY(id).test(refund.refundId),
        `${id}: refund key ${refund.refundId}`,
      );
    }
    switch (request.status) {
      case "AWAITING_SELLER":
        check(
          request.sellerDeadline && request.sellerDeadline > request.createdAt,
          `${id}: AWAITING_SELLER without a deadline after createdAt`,
        );
        break;
      case "AWAITING_MARKETPLACE":
        check(request.marketplaceDeadline, `${id}: AWAITING_MARKETPLACE without a deadline`);
        check(request.marketplaceReview, `${id}: AWAITING_MARKETPLACE without a reviewer`);
        break;
      case "REFUND_FAILED":
        check(request.refundRetryDeadline, `${id}: REFUND_FAILED without a deadline`);
        check(request.refund?.status === "FAILED", `${id}: REFUND_FAILED, refund not FAILED`);
        break;
      case "REFUND_PENDING":
        check(
          refund && refund.status !== "FAILED",
          `${id}: REFUND_PENDING refund ${refund?.status}`,
        );
        break;
      case "COMPLETED":
        // Refunded, or nothing to refund; or the provider reversed the refund, and it waits for
        // a retry (until its deadline) or is being made again.
        check(
          refund?.status === "SUCCEEDED" ||
            refund?.status === "NOT_REQUIRED" ||
            (reversals > 0 && (refund?.status === "FAILED" || !!refund?.refundId)),
          `${id}: COMPLETED with refund ${refund?.status}, ${reversals} reversals`,
        );
        check(
          (refund?.status === "FAILED") === (request.refundRetryDeadline !== null),
          `${id}: COMPLETED, refund ${refund?.status}, retry deadline ${request.refundRetryDeadline}`,
        );
        break;
      case "REJECTED":
        check(request.rejection, `${id}: REJECTED without a rejection`);
        break;
      case "RETURN_REQUIRED":
        // A return: the buyer keeps the parcel, so nothing is refunded, nor left to refund.
        check(refund?.status !== "SUCCEEDED", `${id}: RETURN_REQUIRED with a SUCCEEDED refund`);
        check(
          !refund || refund.status === "NOT_REQUIRED",
          `${id}: RETURN_REQUIRED with a ${refund?.status} refund`,
        );
        break;
      default:
        break;
    }
    // No refund after delivery unless it was claimed before the delivery was processed (a request
    // that needed no refund moved no money).
    const moneyMoved =
      refund?.status === "SUCCEEDED" ||
      (request.status === "COMPLETED" && refund?.status !== "NOT_REQUIRED");
    if (order.deliveredAt && moneyMoved) {
      check(
        refund?.instructedAt &&
          sim.deliveryProcessedAt &&
          refund.instructedAt <= sim.deliveryProcessedAt,
        `${id}: refunded after delivery (instructed ${refund?.instructedAt}, delivered ${sim.deliveryProcessedAt})`,
      );
    }
  }
};

/** SPEC's refund keys of request `id`: `rf-<id>`, then `rf-<id>-2`, `rf-<id>-3` … */
const REFUND_KEY = (id: string) =>
  new RegExp(`^rf-${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(-([2-9]|[1-9]\\d+))?$`);

/** The key after `current`: a declined key is spent, another method is another refund. */
const specNextRefundId = (id: string, current: string): string => {
  const count = current === `rf-${id}` ? 1 : Number(current.slice(`rf-${id}-`.length));
  return `rf-${id}-${count + 1}`;
};

/** The calendar date of an instant where the money moves: Tokyo for JPY, UTC for USD. */
const specLocalDate = (instant: string, currency: Order["currency"]): string =>
  new Date(Date.parse(instant) + (currency === "JPY" ? 9 * HOUR * 1000 : 0))
    .toISOString()
    .slice(0, 10);

/**
 * SPEC: a delivery first asks the provider about the active request's refund when money may have
 * moved: a claimed refund (it has a key) of a REFUND_PENDING or REFUND_FAILED request that has not
 * succeeded. Returns that request.
 */
const specMoneyInDoubt = (record: OrderRecord): CancellationRequest | undefined => {
  const id = record.order.activeCancellationRequestId;
  const request = id && Object.hasOwn(record.requests, id) ? record.requests[id] : undefined;
  const refund = request?.refund;
  if (!request || !refund?.refundId) return undefined;
  if (request.status !== "REFUND_PENDING" && request.status !== "REFUND_FAILED") return undefined;
  return refund.status === "SUCCEEDED" || refund.status === "NOT_REQUIRED" ? undefined : request;
};

/**
 * What storing `next` in place of `prev` implies (flow.ts `impliedBy`: a new request's start, the
 * mail of the new timeline entries, a wake-up), as sortable labels: `MAIL:<template>:<to>`,
 * `START`, `WAKE`.
 */
const impliedLabels = (prev: OrderRecord, next: OrderRecord, requestId?: string): string[] =>
  impliedBy(prev, next)
    .filter((implied) => requestId === undefined || implied.requestId === requestId)
    .map((implied) =>
      implied.kind === "MAIL" ? `MAIL:${implied.template}:${implied.to}` : implied.kind,
    )
    .sort();

/**
 * SPEC: a claimed refund the provider answered `pending` (or `requires_action`) for, no call of it
 * under way: made, and on its way; its webhook settles it, or the workflow's check.
 */
const specSettling = (refund: Refund | null): boolean =>
  refund?.status === "PENDING" &&
  !!refund.refundId &&
  !refund.callStartedAt &&
  (refund.providerStatus === "pending" || refund.providerStatus === "requires_action");

/**
 * A completed request's refund the workflow waits on: reversed (or its retry failed), until an
 * operator retries it or the deadline's fallback; or its retry settling at the provider.
 */
const specCompletedWait = (request: CancellationRequest): boolean =>
  request.status === "COMPLETED" &&
  (request.refund?.status === "FAILED" || specSettling(request.refund));

/**
 * SPEC's waits (infra/workflow.ts): an execution waits for the seller (and the reminder), for an
 * operator's review, for a failed refund's retry, for a pending refund's settlement, and for a
 * completed request's reversed refund (its retry, or its retry's settlement); nowhere else.
 */
const specWaitedOn = (request: CancellationRequest): boolean =>
  request.status === "AWAITING_SELLER" ||
  request.status === "REFUND_FAILED" ||
  (request.status === "AWAITING_MARKETPLACE" && request.marketplaceReview === "OPERATOR") ||
  (request.status === "REFUND_PENDING" && specSettling(request.refund)) ||
  specCompletedWait(request);

/**
 * Whether a change from `before` to `after` wakes an execution waiting on the request: it left the
 * status the execution waits in or, completed, its refund no longer needs a wait.
 */
const specWoken = (before: CancellationRequest, after: CancellationRequest): boolean =>
  specWaitedOn(before) &&
  (before.status !== after.status || (before.status === "COMPLETED" && !specCompletedWait(after)));

/**
 * The entries a change added to a request, as the API shows them. Each must carry the request as
 * the change left it (its event's snapshot, kept until the event is published): checked here.
 */
const newEntries = (before: { timeline: unknown[] } | undefined, after: CancellationRequest) =>
  after.timeline.slice(before?.timeline.length ?? 0).map((entry) => {
    // The snapshot is checked here; the audit chain by its own properties (audit tests).
    const { event, seq: _seq, hash: _hash, ...shownEntry } = entry;
    const { refund } = after;
    const expected = {
      status: after.status,
      ...(refund && {
        refund: {
          amount: refund.amount,
          currency: refund.currency,
          method: refund.method,
          status: refund.status,
          refundId: refund.refundId,
          expectedBy: refund.expectedBy,
        },
      }),
    };
    check(
      isDeepStrictEqual(event, expected),
      `${after.requestId}: ${entry.type} snapshot ${JSON.stringify(event)}, request ${JSON.stringify(expected)}`,
    );
    return shownEntry;
  });

/** A delivery: the order is DELIVERED, and the active request ends as SPEC says. */
const checkDelivery = (
  prev: OrderRecord,
  next: OrderRecord,
  event: Extract<DomainEvent, { type: "DELIVER" }>,
  now: string,
) => {
  const implied = impliedLabels(prev, next);
  // On its way: a shipped order, or a cancelled one whose parcel the buyer took anyway.
  check(
    parcelOf(prev.order)?.status === "IN_TRANSIT" &&
      (prev.order.status === "SHIPPED" || prev.order.status === "CANCELLED"),
    `delivery of a ${prev.order.status} order, parcel ${parcelOf(prev.order)?.status}`,
  );
  check(parcelOf(next.order)?.status === "DELIVERED", "the parcel is not DELIVERED");
  // Units cancelled and delivered anyway: a return of them is opened, once.
  const owed = cancelledUnits(next.order);
  check(
    owed.length === 0
      ? next.order.return === prev.order.return
      : next.order.return?.status === "REQUESTED" &&
          isDeepStrictEqual(next.order.return.lines, owed),
    `delivered with ${JSON.stringify(owed)} cancelled: return ${JSON.stringify(next.order.return)}`,
  );
  const returnEntry = owed.length > 0 ? ["DELIVERED_AFTER_CANCELLATION"] : [];
  // The buyer is told how to send the units back, the seller that they come.
  const returnMail =
    owed.length > 0
      ? ["MAIL:BUYER_RETURN_INSTRUCTIONS:BUYER", "MAIL:SELLER_PARCEL_KEPT:SELLER"]
      : [];
  const deliveredEntry = prev.order.status === "SHIPPED" ? ["DELIVERED"] : [];
  check(next.order.deliveredAt === event.deliveredAt, "deliveredAt not recorded");
  const shippedAt = prev.order.shipment?.shippedAt;
  check(
    !shippedAt || Date.parse(event.deliveredAt) >= Date.parse(shippedAt),
    "accepted a delivery before the shipment",
  );
  check(
    Date.parse(event.deliveredAt) <= Date.parse(now) + MAX_DELIVERY_SKEW_SECONDS * 1000,
    "accepted a delivery more than 5 minutes in the future",
  );
  const orderEntries = next.order.timeline.slice(prev.order.timeline.length);
  const orderTypes = orderEntries.map((entry) => entry.type);
  const id = prev.order.activeCancellationRequestId;
  const before = id ? prev.requests[id] : undefined;
  const after = id ? next.requests[id] : undefined;
  if (!id || !before || !after) {
    check(
      isDeepStrictEqual(orderTypes, [...deliveredEntry, ...returnEntry]),
      `delivery logged ${orderTypes}`,
    );
    check(
      isDeepStrictEqual(implied, returnMail.sort()),
      `a delivery without an open request implies ${implied}`,
    );
    return;
  }
  const inDoubt = specMoneyInDoubt(prev);
  // The request ends: a wait held on it (there is none while the refund is pending) is woken.
  const woken = specWaitedOn(before) ? ["WAKE"] : [];
  const entries = newEntries(before, after).map((entry) => [entry.type, entry.actor]);
  if (before.refund?.status === "SUCCEEDED") {
    // The money moved already: the workflow completes the request.
    check(isDeepStrictEqual(before, after), `${id}: delivery changed a request refunded already`);
    check(
      isDeepStrictEqual(orderTypes, ["DELIVERED", ...returnEntry]),
      `delivery logged ${orderTypes}`,
    );
    check(
      isDeepStrictEqual(implied, returnMail.sort()),
      `a delivery after the refund implies ${implied}`,
    );
  } else if (inDoubt && event.refundMade) {
    // The provider made the refund before the parcel arrived: the cancellation stands.
    check(!leaseRuns(before, now), `${id}: delivery decided while a refund call may land`);
    check(
      after.status === "COMPLETED" &&
        after.refund?.status === "SUCCEEDED" &&
        after.refund.refundId === before.refund?.refundId &&
        after.refund.succeededAt === now,
      `${id}: refund made, yet ${after.status} with refund ${JSON.stringify(after.refund)}`,
    );
    // The order is cancelled if this request took its last units; else it stays delivered.
    const rest = next.order.lines.some((line) => line.cancelledQuantity < line.quantity);
    check(
      next.order.status === (rest ? "DELIVERED" : "CANCELLED"),
      `refund made, order ${next.order.status}`,
    );
    check(
      isDeepStrictEqual(orderTypes, ["DELIVERED", ...(rest ? [] : ["CANCELLED"]), ...returnEntry]),
      `delivery logged ${orderTypes}`,
    );
    check(
      isDeepStrictEqual(entries, [
        ["REFUND_SUCCEEDED", SYSTEM],
        ["COMPLETED", SYSTEM],
      ]),
      `${id}: delivery with the refund made logged ${entries}`,
    );
    check(
      isDeepStrictEqual(
        implied,
        [
          "MAIL:BUYER_REFUND_COMPLETED:BUYER",
          "MAIL:SELLER_OUTCOME:SELLER",
          ...returnMail,
          ...woken,
        ].sort(),
      ),
      `delivery with the refund made implies ${implied}`,
    );
  } else {
    // Nothing was refunded (or could have been): a return, and no refund is left to make.
    if (inDoubt) {
      check(!leaseRuns(before, now), `${id}: delivery decided while a refund call may land`);
      check(event.refundMade === false, `${id}: a return without asking the provider`);
    }
    check(after.status === "RETURN_REQUIRED", `${id}: delivered, yet ${after.status}`);
    check(
      after.refund === null || after.refund.status === "NOT_REQUIRED",
      `${id}: a return keeps a ${after.refund?.status} refund`,
    );
    check(
      (before.refund?.refundId ?? null) === (after.refund?.refundId ?? null),
      `${id}: a return changed the refund key`,
    );
    check(
      isDeepStrictEqual(orderTypes, ["DELIVERED", ...returnEntry]),
      `delivery logged ${orderTypes}`,
    );
    check(
      isDeepStrictEqual(entries, [["RETURN_REQUIRED", SYSTEM]]),
      `${id}: return logged ${entries}`,
    );
    check(
      isDeepStrictEqual(
        implied,
        [
          "MAIL:BUYER_RETURN_REQUIRED:BUYER",
          "MAIL:SELLER_OUTCOME:SELLER",
          ...returnMail,
          ...woken,
        ].sort(),
      ),
      `return implies ${implied}`,
    );
  }
};

/** A retry of a failed refund: recorded as made, or retried under the same key or a new one. */
const checkRetry = (
  prev: OrderRecord,
  next: OrderRecord,
  event: Extract<DomainEvent, { type: "RETRY_REFUND" }>,
  now: string,
) => {
  const implied = impliedLabels(prev, next);
  const id = event.requestId;
  const before = prev.requests[id] as CancellationRequest;
  const after = next.requests[id] as CancellationRequest;
  const [r0, r1] = [before.refund, after.refund];
  // An open request's failed refund; or a completed one's, after the provider reversed it (and
  // then its retry may fail too): the cancellation stands, completed.
  const completed = before.status === "COMPLETED";
  check(
    before.status === "REFUND_FAILED" || (completed && r0?.status === "FAILED"),
    `${id}: retried while ${before.status} with refund ${r0?.status}`,
  );
  check(
    after.status === (completed ? "COMPLETED" : "REFUND_PENDING"),
    `${id}: ${before.status} retried into ${after.status}`,
  );
  check(after.refundRetryDeadline === null, `${id}: a retried refund keeps its wait's deadline`);
  check(!leaseRuns(before, now), `${id}: retried while a refund call may still land`);
  check(r0?.refundId && r1, `${id}: retried a refund never claimed`);
  if (!r0?.refundId || !r1) return;
  // The retry's wait is woken: an operator's retry wakes it; at its deadline, the system's retry
  // is the waiting execution's own step (its write ends the wait).
  const signal = ["WAKE"];
  const entries = newEntries(before, after);
  if (specFoundPaid(before, event)) {
    // The provider made the refund after all (its answer was lost): recorded, never made again.
    check(
      r1.status === "SUCCEEDED" &&
        r1.refundId === r0.refundId &&
        r1.method === r0.method &&
        r1.succeededAt === now,
      `${id}: a refund made, recorded as ${JSON.stringify(r1)}`,
    );
    check(
      isDeepStrictEqual(
        entries.map((entry) => [entry.type, entry.actor]),
        [
          ["REFUND_RETRIED", event.actor],
          ["REFUND_SUCCEEDED", SYSTEM],
        ],
      ),
      `${id}: a refund made, logged ${entries.map((entry) => entry.type)}`,
    );
    check(
      isDeepStrictEqual(implied, [...signal, "MAIL:BUYER_REFUND_COMPLETED:BUYER"].sort()),
      `${id}: a refund made implies ${implied}`,
    );
    return;
  }
  const method = event.method ?? r0.method;
  const newKey = method !== r0.method || r0.declined === true;
  check(r1.status === "PENDING" && r1.method === method, `${id}: retried as ${JSON.stringify(r1)}`);
  check(r1.declined !== true, `${id}: a retried refund is still marked declined`);
  check(r1.reversed !== true, `${id}: a retried refund is still marked reversed`);
  if (newKey) {
    // A new key is a new refund: the provider's facts of the old one do not carry over.
    const provider =
      method === "CARD" && prev.order.payment.provider === "stripe" ? "stripe" : "ledger";
    check(
      r1.provider === provider &&
        (r1.providerStatus ?? null) === null &&
        (r1.providerRefundId ?? null) === null &&
        (r1.reference ?? null) === null &&
        (r1.failureReason ?? null) === null,
      `${id}: ${method} refund under a new key: ${JSON.stringify(r1)}`,
    );
  }
  check(
    r1.refundId === (newKey ? specNextRefundId(id, r0.refundId) : r0.refundId),
    `${id}: retried ${r0.refundId} (${r0.method}, declined ${r0.declined}) to ${method} under ${r1.refundId}`,
  );
  if (newKey) {
    const timeline = after.policy.refundTimelines[method === "CASH_ON_DELIVERY" ? "CARD" : method];
    const today = specLocalDate(now, prev.order.currency);
    if (timeline?.minBusinessDays === 0 && timeline.maxBusinessDays === 0) {
      check(
        isDeepStrictEqual(r1.expectedBy, { earliest: today, latest: today }),
        `${id}: ${method} refund expected ${JSON.stringify(r1.expectedBy)}, not ${today}`,
      );
    } else {
      check(
        r1.expectedBy &&
          today <= r1.expectedBy.earliest &&
          r1.expectedBy.earliest <= r1.expectedBy.latest,
        `${id}: ${method} refund expected ${JSON.stringify(r1.expectedBy)}`,
      );
    }
  } else {
    check(isDeepStrictEqual(r0.expectedBy, r1.expectedBy), `${id}: same key, new expectedBy`);
  }
  const original = specRefundMethod(prev.order.payment.method);
  check(
    isDeepStrictEqual(entries, [
      {
        at: now,
        type: "REFUND_RETRIED",
        actor: event.actor,
        ...(method === original ? {} : { note: method }),
      },
    ]),
    `${id}: retry logged ${JSON.stringify(entries)}`,
  );
  check(isDeepStrictEqual(implied, signal), `${id}: retry implies ${implied}`);
};

/**
 * SPEC: a retry told by the provider that the current key was paid after all records that refund
 * (never making another): on an open request's failed refund, or a completed one's whose retry
 * failed without the provider saying so. A reversed key was not paid, whatever the answer says.
 */
const specFoundPaid = (
  before: CancellationRequest,
  event: Extract<DomainEvent, { type: "RETRY_REFUND" }>,
): boolean =>
  event.refundMade &&
  (before.status === "REFUND_FAILED" ||
    (before.status === "COMPLETED" && before.refund?.reversed !== true));

/** Events that may change a completed request (its refund's work, after a reversal). */
const COMPLETED_REFUND_EVENTS = new Set<DomainEvent["type"]>([
  "PROVIDER_REFUND_UPDATE",
  "RETRY_REFUND",
  "START_REFUND_CALL",
  "REFUND_SUCCEEDED",
  "REFUND_AWAITED",
  "REFUND_FAILED",
]);

/** Events that record a refund call's outcome, or the provider's word: the call is over. */
const CALL_OUTCOMES = new Set<DomainEvent["type"]>([
  "REFUND_SUCCEEDED",
  "REFUND_AWAITED",
  "REFUND_FAILED",
  "PROVIDER_REFUND_UPDATE",
]);

type ProviderUpdate = Extract<DomainEvent, { type: "PROVIDER_REFUND_UPDATE" }>;
type UpdateKind = "SETTLED" | "FOUND_PAID" | "PAID" | "FAILED" | "REVERSED" | "NOTED";
type UpdateOutcome =
  | { ok: true; kind: UpdateKind }
  | { ok: false; code: "NOT_FOUND" | "INVALID_STATE"; kind?: undefined };

/** The entries each outcome of the provider's word adds to the request's timeline. */
const UPDATE_ENTRIES: Record<UpdateKind, readonly TimelineType[]> = {
  SETTLED: ["REFUND_SUCCEEDED", "COMPLETED"],
  FOUND_PAID: ["REFUND_SUCCEEDED", "COMPLETED"],
  PAID: ["REFUND_SUCCEEDED"],
  FAILED: ["REFUND_FAILED"],
  REVERSED: ["REFUND_REVERSED"],
  NOTED: [],
};

/**
 * SPEC: what the provider's word (webhook or check) on a request's refund does, decided on
 * `record`. About any key but the request's current one: 404. A pending refund (of an open
 * request, or a completed one's retry) is made by `succeeded` (the open request completes) and
 * failed for good by `failed` or `canceled`; a succeeded refund of a completed request is reversed
 * by them; a refund recorded failed without a decline (its answers were lost) is made by
 * `succeeded`. Otherwise only news is noted (a pending refund's new status, a bank reference, or a
 * check's time), and anything that says nothing new is refused, so a word sent twice, late or out
 * of order writes nothing.
 */
const specUpdate = (record: OrderRecord, event: ProviderUpdate): UpdateOutcome => {
  const request = Object.hasOwn(record.requests, event.requestId)
    ? record.requests[event.requestId]
    : undefined;
  const refund = request?.refund;
  if (!request || !refund || refund.refundId !== event.refundId) {
    return { ok: false, code: "NOT_FOUND" };
  }
  const nothingNew = { ok: false, code: "INVALID_STATE" } as const;
  const { status, reference } = event.answer;
  const failure = status === "failed" || status === "canceled";
  const newReference = !!reference && reference !== refund.reference;
  const completed = request.status === "COMPLETED";
  if (refund.status === "PENDING" && (completed || request.status === "REFUND_PENDING")) {
    if (status === "succeeded") return { ok: true, kind: completed ? "PAID" : "SETTLED" };
    if (failure) return { ok: true, kind: "FAILED" };
    const news = refund.providerStatus !== status || newReference;
    return news || event.asked ? { ok: true, kind: "NOTED" } : nothingNew;
  }
  if (refund.status === "SUCCEEDED" && completed) {
    if (failure) return { ok: true, kind: "REVERSED" };
    return newReference ? { ok: true, kind: "NOTED" } : nothingNew;
  }
  if (refund.status === "FAILED" && !refund.declined && status === "succeeded") {
    if (request.status === "REFUND_FAILED") return { ok: true, kind: "FOUND_PAID" };
    if (completed) return { ok: true, kind: "PAID" };
  }
  return nothingNew;
};

/** An accepted word of the provider: the request and its refund as SPEC says (`specUpdate`). */
const checkProviderUpdate = (
  prev: OrderRecord,
  next: OrderRecord,
  event: ProviderUpdate,
  now: string,
) => {
  const outcome = specUpdate(prev, event);
  const id = event.requestId;
  check(outcome.ok, `${id}: accepted the provider's word, SPEC: ${outcome.kind ?? "refused"}`);
  const before = prev.requests[id] as CancellationRequest;
  const after = next.requests[id] as CancellationRequest;
  const [r0, r1] = [before.refund, after.refund];
  if (!outcome.ok || !r0 || !r1) return;
  const { answer } = event;
  const kind = outcome.kind;
  const entries = newEntries(before, after).map((e) => [e.type, e.actor, e.note]);
  const note = answer.failureReason ?? answer.status;
  const expected = UPDATE_ENTRIES[kind].map((type) => [
    type,
    SYSTEM,
    type === "REFUND_FAILED" || type === "REFUND_REVERSED" ? note : undefined,
  ]);
  check(isDeepStrictEqual(entries, expected), `${id}: ${kind} logged ${JSON.stringify(entries)}`);
  check(r1.refundId === r0.refundId, `${id}: the provider's word changed the key`);
  const status: Record<UpdateKind, RequestStatus> = {
    SETTLED: "COMPLETED",
    FOUND_PAID: "COMPLETED",
    PAID: "COMPLETED",
    FAILED: before.status === "COMPLETED" ? "COMPLETED" : "REFUND_FAILED",
    REVERSED: "COMPLETED",
    NOTED: before.status,
  };
  check(after.status === status[kind], `${id}: ${kind} left the request ${after.status}`);
  const reference = answer.reference ?? r0.reference ?? null;
  switch (kind) {
    case "SETTLED":
    case "FOUND_PAID":
    case "PAID":
      check(
        r1.status === "SUCCEEDED" &&
          r1.succeededAt === now &&
          r1.providerStatus === "succeeded" &&
          r1.providerRefundId === answer.providerReference &&
          (r1.reference ?? null) === reference &&
          after.refundRetryDeadline === null,
        `${id}: made by the provider's word, recorded as ${JSON.stringify(r1)}`,
      );
      break;
    case "FAILED":
    case "REVERSED":
      // Failed for good (the key is spent): an operator's retry or, at the deadline, the fallback.
      check(
        r1.status === "FAILED" &&
          r1.declined === true &&
          (r1.reversed === true) === (kind === "REVERSED") &&
          !r1.callStartedAt &&
          r1.providerStatus === answer.status &&
          (r1.failureReason ?? null) === (answer.failureReason ?? r0.failureReason ?? null) &&
          after.refundRetryDeadline === addSeconds(now, after.policy.refundRetryWaitSeconds),
        `${id}: ${kind} by ${JSON.stringify(answer)}, recorded as ${JSON.stringify(r1)}, retry by ${after.refundRetryDeadline}`,
      );
      if (kind === "REVERSED") {
        check(
          next.order.refundedAmount === prev.order.refundedAmount - r0.amount,
          `${id}: reversed, refundedAmount ${prev.order.refundedAmount} → ${next.order.refundedAmount}`,
        );
      }
      break;
    case "NOTED": {
      // News only: a pending refund's word, a check's time, or the bank's reference.
      const expectedRefund: Refund =
        r0.status === "SUCCEEDED"
          ? { ...r0, reference }
          : {
              ...r0,
              providerStatus: answer.status,
              providerRefundId: answer.providerReference,
              ...(answer.reference ? { reference: answer.reference } : {}),
              ...(answer.failureReason ? { failureReason: answer.failureReason } : {}),
              pendingSince: r0.pendingSince ?? now,
              ...(event.asked ? { checkedAt: now } : {}),
            };
      check(
        isDeepStrictEqual(r1, expectedRefund),
        `${id}: noted ${JSON.stringify(answer)} as ${JSON.stringify(r1)}`,
      );
      break;
    }
  }
};

/** SPEC "Notifications": the mail each kind of timeline entry of a request sends, to whom. */
const specMail = (request: CancellationRequest, type: TimelineType): string[] => {
  const outcome = (buyer: string) => [`MAIL:${buyer}:BUYER`, "MAIL:SELLER_OUTCOME:SELLER"];
  switch (type) {
    case "SELLER_NOTIFIED":
      return ["MAIL:BUYER_REQUEST_RECEIVED:BUYER", "MAIL:SELLER_NEW_REQUEST:SELLER"];
    case "SELLER_REMINDED":
      return ["MAIL:SELLER_REMINDER:SELLER"];
    case "SELLER_APPROVED":
    case "SELLER_TIMED_OUT":
      // Operators hear of a review when it is theirs.
      return request.marketplaceReview === "OPERATOR" ? ["MAIL:OPERATOR_ESCALATION:OPERATORS"] : [];
    case "MARKETPLACE_APPROVED":
      return ["MAIL:BUYER_APPROVED:BUYER"];
    case "SELLER_REJECTED":
    case "MARKETPLACE_REJECTED":
      return outcome("BUYER_REJECTED");
    case "REFUND_INSTRUCTED":
      return ["MAIL:SELLER_REFUND_INSTRUCTION:SELLER"];
    case "REFUND_SUCCEEDED":
      return ["MAIL:BUYER_REFUND_COMPLETED:BUYER"];
    case "REFUND_FAILED":
      return ["MAIL:OPERATOR_REFUND_FAILED:OPERATORS"];
    case "REFUND_REVERSED":
      // The buyer is told the money comes again; operators get the case.
      return ["MAIL:BUYER_REFUND_REVERSED:BUYER", "MAIL:OPERATOR_REFUND_REVERSED:OPERATORS"];
    case "REFUND_LATE":
      return ["MAIL:BUYER_REFUND_LATE:BUYER", "MAIL:OPERATOR_REFUND_LATE:OPERATORS"];
    case "REFUND_INQUIRY_OPENED":
      return ["MAIL:OPERATOR_REFUND_INQUIRY:OPERATORS"];
    case "COMPLETED":
      return ["MAIL:SELLER_OUTCOME:SELLER"];
    case "WITHDRAWN":
      return outcome("BUYER_WITHDRAWN");
    case "RETURN_REQUIRED":
      return outcome("BUYER_RETURN_REQUIRED");
    default:
      return [];
  }
};

/** SPEC's mail of the order's own parcel entries. */
const specOrderMail = (type: string): string[] => {
  switch (type) {
    case "DELIVERED_AFTER_CANCELLATION":
      return ["MAIL:BUYER_RETURN_INSTRUCTIONS:BUYER", "MAIL:SELLER_PARCEL_KEPT:SELLER"];
    case "RETURN_RECEIVED":
      return ["MAIL:BUYER_RETURN_RECEIVED:BUYER"];
    case "RETURN_OVERDUE":
      return ["MAIL:OPERATOR_RETURN_OVERDUE:OPERATORS"];
    default:
      return [];
  }
};

/**
 * What an accepted step implies once stored, per request: a start exactly for the new request;
 * SPEC's mail for its new entries, and nothing else; the mail due before still due, unchanged
 * (mail an entry implies never changes once it is written); one event per new entry, from where
 * the published ones end, with its position's id and the request's new status; a wake-up exactly
 * when the request left a status an execution waits in.
 */
const checkImplied = (prev: OrderRecord, next: OrderRecord, event: DomainEvent) => {
  for (const after of requestsOf(next)) {
    const id = after.requestId;
    const before = Object.hasOwn(prev.requests, id) ? prev.requests[id] : undefined;
    const known = before?.timeline.length ?? 0;
    const entries = after.timeline.slice(known);
    const mail = entries.flatMap((entry) => specMail(after, entry.type));
    // The order's own new entries: their mail goes with the latest request's id.
    const orderMail =
      latestRequest(next)?.requestId === id
        ? next.order.timeline
            .slice(prev.order.timeline.length)
            .flatMap((entry) => specOrderMail(entry.type))
        : [];
    const created = event.type === "REQUEST_CANCELLATION" && event.requestId === id;
    check(!before === created, `${id}: new without a request event`);
    const woken = before && specWoken(before, after);
    const expected = [
      ...mail,
      ...orderMail,
      ...(created ? ["START"] : []),
      ...(woken ? ["WAKE"] : []),
    ].sort();
    const implied = impliedLabels(prev, next, id);
    check(isDeepStrictEqual(implied, expected), `${id}: ${event.type} implies ${implied}`);

    const dueBefore = before ? dueMail(before) : [];
    const due = dueMail(after);
    check(
      isDeepStrictEqual(due.slice(0, dueBefore.length), dueBefore),
      `${id}: ${event.type} changed the mail of earlier entries`,
    );
    const added = due.slice(dueBefore.length).map((m) => `MAIL:${m.template}:${m.to}`);
    check(isDeepStrictEqual(added, mail), `${id}: ${event.type} made ${added} due`);

    const events = dueEvents({ ...after, notices: { mail: {}, published: known } });
    check(
      isDeepStrictEqual(
        events.map((e) => [e.detailType, e.detail.eventId, e.detail.status, e.detail.at]),
        entries.map((entry, i) => [entry.type, eventIdOf(id, known + i), after.status, entry.at]),
      ),
      `${id}: ${event.type} made events ${events.map((e) => e.detail.eventId)} due`,
    );
  }
};

/** Invariants of one accepted step: what may change from `prev` to `next` for `event`. */
const checkChange = (prev: OrderRecord, next: OrderRecord, event: DomainEvent, now: string) => {
  const prevIds = Object.keys(prev.requests);
  const nextIds = Object.keys(next.requests);
  const created = event.type === "REQUEST_CANCELLATION" ? [event.requestId] : [];
  check(isDeepStrictEqual(nextIds, [...prevIds, ...created]), `requests ${prevIds} → ${nextIds}`);
  if (event.type === "REQUEST_CANCELLATION") {
    check(prev.order.status === "SHIPPED" && !prev.order.deliveredAt, "request after delivery");
    check(
      prev.order.payment.method !== "CASH_ON_DELIVERY" || event.lines === undefined,
      "lines on a cash-on-delivery order",
    );
    const made = next.requests[event.requestId] as CancellationRequest;
    const expected = specTerms(prev, event.lines, event.policy);
    check(
      isDeepStrictEqual(
        { lines: made.lines, itemsAmount: made.itemsAmount, shippingAmount: made.shippingAmount },
        expected,
      ),
      `${event.requestId}: terms ${JSON.stringify(made.lines)} ${made.itemsAmount}+${made.shippingAmount}, SPEC ${JSON.stringify(expected)}`,
    );
  }

  const orderChanged = prev.order.status !== next.order.status;
  if (orderChanged) {
    check(
      ORDER_EDGES[prev.order.status].includes(next.order.status),
      `order ${prev.order.status} → ${next.order.status}`,
    );
  }
  const orderGain = next.order.timeline.length - prev.order.timeline.length;
  const prevActive = prev.order.activeCancellationRequestId;

  for (const id of nextIds) {
    const before = prev.requests[id];
    const after = next.requests[id] as CancellationRequest;
    const gain = after.timeline.length - (before?.timeline.length ?? 0);
    const statusChanged = before?.status !== after.status;
    let expectedGain: number;
    if (
      event.type === "SHIP" ||
      event.type === "START_REFUND_CALL" ||
      event.type === "REFUND_AWAITED" ||
      event.type === "TRACK_PARCEL" ||
      event.type === "MARK_RETURN_OVERDUE"
    ) {
      expectedGain = 0;
    } else if (event.type === "DELIVER") {
      // The active request ends: a return (one entry), or refund made and completed (two).
      if (id !== prevActive || !statusChanged) expectedGain = 0;
      else expectedGain = after.status === "COMPLETED" ? 2 : 1;
    } else if (event.type === "RETRY_REFUND" && before && specFoundPaid(before, event)) {
      // The retry, and the refund the provider turned out to have made.
      expectedGain = id === event.requestId ? 2 : 0;
    } else if (event.type === "PROVIDER_REFUND_UPDATE") {
      const outcome = specUpdate(prev, event);
      expectedGain = id === event.requestId && outcome.ok ? UPDATE_ENTRIES[outcome.kind].length : 0;
    } else {
      expectedGain = id === event.requestId ? 1 : 0;
    }
    check(gain === expectedGain, `${event.type}: ${id} gained ${gain} timeline entries`);
    if (gain > 0) check(after.timeline.at(-1)?.at === now, `${id}: new entry not stamped now`);
    if (!before) continue;
    check(
      isDeepStrictEqual(after.timeline.slice(0, before.timeline.length), before.timeline),
      `${id}: timeline history rewritten`,
    );
    if (before.status === "COMPLETED" && !isDeepStrictEqual(before, after)) {
      // A completed cancellation stands: only its refund's work goes on (the provider's word, a
      // retry after a reversal, and its call), never its status nor anything else about it.
      const own = "requestId" in event && event.requestId === id;
      check(
        own && COMPLETED_REFUND_EVENTS.has(event.type),
        `${id}: ${event.type} changed a completed request`,
      );
      const {
        refund: _r0,
        refundRetryDeadline: _d0,
        updatedAt: _u0,
        timeline: _t0,
        ...rest0
      } = before;
      const {
        refund: _r1,
        refundRetryDeadline: _d1,
        updatedAt: _u1,
        timeline: _t1,
        ...rest1
      } = after;
      check(isDeepStrictEqual(rest0, rest1), `${id}: completed request changed beyond its refund`);
    } else if (isTerminal(before.status) && before.status !== "COMPLETED") {
      check(isDeepStrictEqual(before, after), `${id}: terminal ${before.status} changed`);
    }
    if (statusChanged) {
      check(
        REQUEST_EDGES[before.status].includes(after.status),
        `${id}: ${before.status} → ${after.status}`,
      );
    }
    check(isDeepStrictEqual(before.policy, after.policy), `${id}: policy snapshot changed`);
    check(before.createdAt === after.createdAt, `${id}: createdAt changed`);
    const [r0, r1] = [before.refund, after.refund];
    if (!r0 && r1) {
      const { order } = prev;
      const method = order.payment.method;
      check(
        r1.amount === after.itemsAmount + after.shippingAmount &&
          r1.currency === order.currency &&
          r1.method === specRefundMethod(method) &&
          // Nothing to pay back (never paid, or nothing left after the discount): no refund.
          (r1.status === "NOT_REQUIRED") === (method === "CASH_ON_DELIVERY" || r1.amount === 0) &&
          r1.refundId === null &&
          !r1.callStartedAt &&
          !r1.declined,
        `${id}: new refund ${JSON.stringify(r1)} for ${JSON.stringify(order.payment)}`,
      );
    }
    if (statusChanged && after.status === "AWAITING_MARKETPLACE") {
      const expected = specReview(prev, after, event);
      check(after.marketplaceReview === expected, `${id}: reviewed by ${after.marketplaceReview}`);
      check(
        after.marketplaceDeadline === addSeconds(now, after.policy.marketplaceReviewSeconds),
        `${id}: marketplaceDeadline not now + the request's marketplaceReviewSeconds`,
      );
    }
    if (statusChanged && after.status === "REFUND_FAILED") {
      check(
        after.refundRetryDeadline === addSeconds(now, after.policy.refundRetryWaitSeconds),
        `${id}: refundRetryDeadline not now + the request's refundRetryWaitSeconds`,
      );
      // The provider's failure of a refund it had made spends the key, like a decline.
      const declined = event.type === "REFUND_FAILED" ? event.declined : true;
      check(
        (event.type === "REFUND_FAILED" || event.type === "PROVIDER_REFUND_UPDATE") &&
          after.refund?.declined === declined,
        `${id}: ${event.type} failed the refund, declined ${after.refund?.declined}`,
      );
    }
    if (event.type === "MARKETPLACE_TIMEOUT" && id === event.requestId) {
      const outcome =
        after.policy.onMarketplaceTimeout === "APPROVE" ? "REFUND_PENDING" : "REJECTED";
      check(after.status === outcome, `${id}: marketplace timeout → ${after.status}`);
    }
    if (r0) {
      check(r1, `${id}: refund removed`);
      if (!r1) continue;
      check(r0.amount === r1.amount && r0.currency === r1.currency, `${id}: refund amount changed`);
      if (r0.status !== r1.status) {
        check(
          REFUND_EDGES[r0.status].includes(r1.status),
          `${id}: refund ${r0.status} → ${r1.status}`,
        );
      }
      // Money: a refund that succeeded stays so, unless the provider reverses it; only its bank
      // reference may still arrive.
      if (r0.status === "SUCCEEDED") {
        const reversal =
          event.type === "PROVIDER_REFUND_UPDATE" && specUpdate(prev, event).kind === "REVERSED";
        const referenced = { ...r0, reference: r1.reference };
        check(
          isDeepStrictEqual(r0, r1) ||
            reversal ||
            (event.type === "PROVIDER_REFUND_UPDATE" &&
              r1.reference === event.answer.reference &&
              isDeepStrictEqual(referenced, r1)),
          `${id}: ${event.type} changed a succeeded refund to ${JSON.stringify(r1)}`,
        );
      }
      if (r0.instructedAt) check(r0.instructedAt === r1.instructedAt, `${id}: re-instructed`);
      // The key: claimed once (by INSTRUCT_REFUND), then changed only by a retry (see checkRetry).
      const own = "requestId" in event && event.requestId === id;
      if (r0.refundId === null) {
        const claimed = own && event.type === "INSTRUCT_REFUND";
        check(
          r1.refundId === (claimed ? `rf-${id}` : null),
          `${id}: ${event.type} set the refund key ${r1.refundId}`,
        );
      } else if (!(own && event.type === "RETRY_REFUND")) {
        check(r0.refundId === r1.refundId, `${id}: ${event.type} changed the refund key`);
      }
      if (!(own && event.type === "RETRY_REFUND")) {
        check(r0.method === r1.method, `${id}: ${event.type} changed the refund method`);
        check(
          isDeepStrictEqual(r0.expectedBy, r1.expectedBy),
          `${id}: ${event.type} changed expectedBy`,
        );
      }
      // The lease: taken (now) by START_REFUND_CALL; at most released once the call's outcome
      // is recorded; never moved by anything else.
      const lease = [r0.callStartedAt ?? null, r1.callStartedAt ?? null];
      if (own && event.type === "START_REFUND_CALL") {
        check(lease[1] === now, `${id}: lease taken at ${lease[1]}, not now`);
      } else if (own && CALL_OUTCOMES.has(event.type)) {
        check(lease[1] === lease[0] || lease[1] === null, `${id}: ${event.type} moved the lease`);
      } else {
        check(lease[1] === lease[0], `${id}: ${event.type} moved the lease ${lease}`);
      }
    }
  }

  if (event.type === "SHIP") {
    check(orderGain === 1 && orderChanged, `${event.type}: order gained ${orderGain} entries`);
  } else if (event.type === "DELIVER") {
    checkDelivery(prev, next, event, now);
  } else {
    // Completed after the buyer took the parcel: its return opens too.
    const opened = !prev.order.return && next.order.return ? 1 : 0;
    check(
      orderGain === (orderChanged ? 1 : 0) + opened,
      `${event.type}: order gained ${orderGain} entries`,
    );
  }
  if (event.type === "RETRY_REFUND") checkRetry(prev, next, event, now);
  if (event.type === "PROVIDER_REFUND_UPDATE") checkProviderUpdate(prev, next, event, now);
  if (event.type === "REFUND_AWAITED") {
    // The call answered `pending`: made, on its way; its call is over and the settlement awaited.
    const before = prev.requests[event.requestId];
    const r0 = before?.refund;
    check(
      (before?.status === "REFUND_PENDING" || before?.status === "COMPLETED") &&
        r0?.refundId &&
        r0.status === "PENDING",
      `awaited a ${before?.status} request's ${r0?.status} refund`,
    );
    const expected = structuredClone(prev);
    const refund = expected.requests[event.requestId]?.refund;
    if (refund) {
      const { answer } = event;
      Object.assign(refund, {
        attempts: refund.attempts + 1,
        providerStatus: answer.status,
        providerRefundId: answer.providerReference,
        ...(answer.reference ? { reference: answer.reference } : {}),
        ...(answer.failureReason ? { failureReason: answer.failureReason } : {}),
        callStartedAt: null,
        pendingSince: now,
      });
    }
    check(isDeepStrictEqual(next, expected), `REFUND_AWAITED: ${JSON.stringify(refund)}`);
  }
  if (event.type === "START_REFUND_CALL") {
    // The lease only, for a claimed refund still pending: while the parcel is on its way, or,
    // once the cancellation completed (a retry after a reversal), whatever the parcel does.
    const before = prev.requests[event.requestId];
    check(
      (prev.order.status === "SHIPPED" || before?.status === "COMPLETED") &&
        (before?.status === "REFUND_PENDING" || before?.status === "COMPLETED") &&
        before.refund?.refundId &&
        before.refund.status === "PENDING" &&
        // A refund the provider holds as pending is made: its settlement is awaited instead.
        !specSettling(before.refund),
      `lease taken for ${before?.status} refund ${before?.refund?.status}, order ${prev.order.status}`,
    );
    const expected = structuredClone(prev);
    const refund = expected.requests[event.requestId]?.refund;
    if (refund) refund.callStartedAt = now;
    check(isDeepStrictEqual(next, expected), "START_REFUND_CALL changed more than its lease");
    const implied = impliedLabels(prev, next);
    check(implied.length === 0, `START_REFUND_CALL implies ${implied}`);
  }

  if (event.type === "SELLER_DECIDE") {
    const deadline = prev.requests[event.requestId]?.sellerDeadline ?? "";
    check(Date.parse(now) < Date.parse(deadline), "seller decided at or after the deadline");
  }
  if (event.type === "OPERATOR_DECIDE") {
    const deadline = prev.requests[event.requestId]?.marketplaceDeadline ?? "";
    check(Date.parse(now) < Date.parse(deadline), "operator decided at or after the deadline");
  }
};

/** The one user an event must come from, if any: the buyer or the seller of the order. */
const partyOf = (record: OrderRecord, event: DomainEvent): string | null => {
  switch (event.type) {
    case "REQUEST_CANCELLATION":
    case "WITHDRAW":
      return record.order.buyerId;
    case "SELLER_DECIDE":
    case "SHIP":
      return record.order.sellerId;
    default:
      return null;
  }
};

/** Records the money paths an accepted step took, for the coverage test. */
const notePaths = (sim: Sim, prev: OrderRecord, next: OrderRecord, event: DomainEvent) => {
  if (event.type === "DELIVER") {
    const id = prev.order.activeCancellationRequestId;
    const before = id ? prev.requests[id] : undefined;
    const after = id ? next.requests[id] : undefined;
    if (before?.refund?.refundId && before.refund.status !== "SUCCEEDED") {
      sim.seen.add(`delivered:${before.status}:${after?.status}`);
    }
  }
  if (event.type === "RETRY_REFUND") {
    const before = prev.requests[event.requestId];
    const r0 = before?.refund;
    const r1 = next.requests[event.requestId]?.refund;
    if (r1?.status === "SUCCEEDED") sim.seen.add("retryFoundPaid");
    else if (r0?.refundId !== r1?.refundId) {
      sim.seen.add(r0?.declined ? "retryNewKeyAfterDecline" : "retryNewKeyForMethod");
    } else sim.seen.add("retrySameKey");
    if (before?.status === "COMPLETED" && r0?.reversed) {
      sim.seen.add("retriedAfterReversal");
      if (event.actor === SYSTEM) sim.seen.add("fallbackAfterReversal");
      sim.seen.add(r1?.method === r0.method ? "reversalRetriedAsIs" : "reversalRetriedToBalance");
    }
  }
  if (event.type === "REFUND_AWAITED") sim.seen.add("pending");
  if (event.type === "PROVIDER_REFUND_UPDATE") {
    const before = prev.requests[event.requestId];
    const kind = specUpdate(prev, event).kind;
    sim.seen.add(`word:${kind}:${before?.status}:${before?.refund?.status}`);
  }
  for (const after of requestsOf(next)) {
    const before = Object.hasOwn(prev.requests, after.requestId)
      ? prev.requests[after.requestId]
      : undefined;
    // A completed request's refund made again after a reversal.
    if (
      before?.status === "COMPLETED" &&
      before.refund?.status !== "SUCCEEDED" &&
      after.refund?.status === "SUCCEEDED"
    ) {
      sim.seen.add("paidAgain");
    }
  }
};

/**
 * Money, over the whole run: a refund key reaches SUCCEEDED at most once (a reversed key is never
 * made again), and at most one key of a request stands paid (succeeded, not reversed) at any time:
 * the one its record holds as SUCCEEDED.
 */
const checkMoney = (sim: Sim, prev: OrderRecord, next: OrderRecord): void => {
  for (const after of requestsOf(next)) {
    const id = after.requestId;
    const r0 = Object.hasOwn(prev.requests, id) ? prev.requests[id]?.refund : undefined;
    const r1 = after.refund;
    const succeeded = sim.succeededKeys.get(id) ?? new Set<string | null>();
    const reversed = sim.reversedKeys.get(id) ?? new Set<string | null>();
    sim.succeededKeys.set(id, succeeded);
    sim.reversedKeys.set(id, reversed);
    if (
      r1?.status === "SUCCEEDED" &&
      !(r0?.status === "SUCCEEDED" && r0.refundId === r1.refundId)
    ) {
      check(!succeeded.has(r1.refundId), `${id}: refund ${r1.refundId} succeeded a second time`);
      succeeded.add(r1.refundId);
    }
    if (r0?.status === "SUCCEEDED" && r1?.status !== "SUCCEEDED") reversed.add(r0.refundId);
    const standing = [...succeeded].filter((key) => !reversed.has(key));
    check(standing.length <= 1, `${id}: refunds ${standing.join(", ")} all stand paid`);
    check(
      (r1?.status === "SUCCEEDED") === (standing.length === 1) &&
        (r1?.status !== "SUCCEEDED" || standing[0] === r1.refundId),
      `${id}: refund ${r1?.refundId} ${r1?.status}, standing paid: ${standing.join(", ")}`,
    );
  }
};

/** SPEC: a request needs its workflow while open, or completed with a refund still owed. */
const specNeedsWorkflow = (request: CancellationRequest): boolean => {
  const refund = request.refund;
  const owed =
    request.status === "COMPLETED" &&
    (refund?.status === "FAILED" || (refund?.status === "PENDING" && !!refund.refundId));
  return !isTerminal(request.status) || owed;
};

/**
 * SPEC's waits: the state each waits in, its deadline, and what the workflow does at the deadline
 * (the timeout's step). Undefined when the request is not in that wait's state.
 */
const specWait = (
  request: CancellationRequest,
  next: NextStep,
): { deadline: string | null; onTimeout: DomainEvent } | undefined => {
  const { requestId, policy, refund } = request;
  const retry = (method: RefundMethod | undefined): DomainEvent => ({
    type: "RETRY_REFUND",
    actor: SYSTEM,
    requestId,
    refundMade: false,
    ...(method === undefined ? {} : { method }),
  });
  const ask: DomainEvent = {
    type: "PROVIDER_REFUND_UPDATE",
    actor: SYSTEM,
    requestId,
    refundId: refund?.refundId ?? "",
    answer: { providerReference: refund?.providerRefundId ?? "re_unknown", status: "pending" },
    asked: true,
  };
  const settlement = { deadline: specSettlementCheckAt(request), onTimeout: ask };
  switch (next) {
    case "WAIT_SELLER_REMINDER":
      return request.status === "AWAITING_SELLER" &&
        policy.sellerReminderSeconds > 0 &&
        !request.sellerRemindedAt
        ? {
            deadline: addSeconds(request.sellerDeadline, -policy.sellerReminderSeconds),
            onTimeout: { type: "REMIND_SELLER", requestId },
          }
        : undefined;
    case "WAIT_SELLER":
      return request.status === "AWAITING_SELLER"
        ? { deadline: request.sellerDeadline, onTimeout: { type: "SELLER_TIMEOUT", requestId } }
        : undefined;
    case "WAIT_OPERATOR":
      return request.status === "AWAITING_MARKETPLACE" && request.marketplaceReview === "OPERATOR"
        ? {
            deadline: request.marketplaceDeadline,
            onTimeout: { type: "MARKETPLACE_TIMEOUT", requestId },
          }
        : undefined;
    case "WAIT_REFUND_RETRY":
      // A declined refund goes to the policy's fallback; any other failure is tried again.
      return request.status === "REFUND_FAILED"
        ? {
            deadline: request.refundRetryDeadline,
            onTimeout: retry(refund?.declined ? policy.refundFallbackMethod : undefined),
          }
        : undefined;
    case "WAIT_REFUND_SETTLEMENT":
      return request.status === "REFUND_PENDING" && specSettling(refund) ? settlement : undefined;
    case "WAIT_COMPLETED_REFUND":
      if (request.status !== "COMPLETED") return undefined;
      if (refund?.status === "FAILED") {
        return {
          deadline: request.refundRetryDeadline,
          onTimeout: retry(policy.refundFallbackMethod),
        };
      }
      return specSettling(refund) ? settlement : undefined;
    default:
      return undefined;
  }
};

/** The event of each automatic step of the workflow. */
const AUTOMATIC_STEPS: Partial<Record<NextStep, (requestId: string) => DomainEvent>> = {
  START: (requestId) => ({ type: "WORKFLOW_STARTED", requestId }),
  REMIND_SELLER: (requestId) => ({ type: "REMIND_SELLER", requestId }),
  POLICY_APPROVAL: (requestId) => ({ type: "POLICY_APPROVE", requestId }),
  INSTRUCT_REFUND: (requestId) => ({ type: "INSTRUCT_REFUND", requestId }),
  REFUND: (requestId) => ({ type: "START_REFUND_CALL", requestId }),
  COMPLETE: (requestId) => ({ type: "COMPLETE", requestId }),
};

/**
 * The workflow's plan for a request of `record` at `now`: it runs exactly while SPEC says the
 * request needs it; an automatic step is one the transition accepts now; a wait is one SPEC has
 * (an execution there can be woken), lasts until its deadline (at least a second) and no longer,
 * and what it does at the deadline is accepted then.
 */
const checkPlan = (record: OrderRecord, request: CancellationRequest, now: string): void => {
  const id = request.requestId;
  const needed = specNeedsWorkflow(request);
  const state = `${request.status}, refund ${JSON.stringify(request.refund)}`;
  check(needsWorkflow(request) === needed, `${id}: needsWorkflow ${!needed} while ${state}`);
  const plan = planNextStep(record, id, now);
  check((plan.next === "DONE") === !needed, `${id}: planned ${plan.next} while ${state}`);
  if (plan.next === "DONE") return;
  let step: DomainEvent | undefined;
  let at = now;
  if ((WAIT_STEPS as readonly NextStep[]).includes(plan.next)) {
    const wait = specWait(request, plan.next);
    check(wait?.deadline && specWaitedOn(request), `${id}: waits (${plan.next}) while ${state}`);
    if (!wait?.deadline) return;
    const seconds = Math.max(1, Math.ceil((Date.parse(wait.deadline) - Date.parse(now)) / 1000));
    check(
      plan.waitSeconds === seconds,
      `${id}: ${plan.next} for ${plan.waitSeconds} s, its deadline ${wait.deadline} is ${seconds} s away`,
    );
    step = wait.onTimeout;
    at = addSeconds(now, plan.waitSeconds);
  } else {
    step = AUTOMATIC_STEPS[plan.next]?.(id);
    check(step, `${id}: planned ${plan.next}, no such step`);
  }
  if (!step) return;
  const result = transition(record, step, at);
  check(
    result.ok,
    `${id}: planned ${plan.next} at ${now}, yet ${step.type} at ${at} is refused: ${result.ok ? "" : result.error.message} (${state})`,
  );
};

/** Checks one step of a simulation (refused or accepted). */
const checkStep = (sim: Sim, { prev, event, now, result }: SimStep): void => {
  // Parties only, and unknown requests: 404, never revealing more.
  const party = partyOf(prev, event);
  const unknown =
    "requestId" in event &&
    event.type !== "REQUEST_CANCELLATION" &&
    !Object.hasOwn(prev.requests, event.requestId);
  if ((party && "actor" in event && event.actor !== party) || unknown) {
    check(!result.ok && result.error.code === "NOT_FOUND", "a stranger or unknown id: not 404");
  }
  if (event.type === "PROVIDER_REFUND_UPDATE") {
    // The provider's word is decided as SPEC says: refused exactly when it says nothing new, 404
    // about a key other than the request's current one.
    const outcome = specUpdate(prev, event);
    check(
      outcome.ok ? result.ok : !result.ok && result.error.code === outcome.code,
      `${event.requestId}: the provider's word ${result.ok ? "accepted" : `refused ${result.error.code}`}, SPEC: ${outcome.kind ?? outcome.code}`,
    );
    const keys = sim.keys.get(event.requestId) ?? [];
    if (!result.ok && keys.slice(0, -1).includes(event.refundId)) sim.seen.add("oldKeyRefused");
  }
  if (!result.ok) {
    check(result.error instanceof DomainError, "refusal is not a DomainError");
    check(ERROR_CODES.has(result.error.code), `unknown error code ${result.error.code}`);
    check(!("record" in result), "a refusal carries a record");
    if (result.error.code === "REFUND_IN_FLIGHT") {
      const seconds = result.error.details.retryAfterSeconds ?? 0;
      check(seconds >= 1 && seconds <= LEASE_SECONDS, `retry after ${seconds} s`);
    }
    sim.seen.add(`${event.type}:${result.error.code}`);
    return;
  }
  const next = result.record;
  check(Object.keys(result).sort().join() === "ok,record", "a change carries more than its record");
  checkChange(prev, next, event, now);
  checkImplied(prev, next, event);
  checkRecord(next, sim);
  checkMoney(sim, prev, next);
  // The plan of the request the step moved (a delivery's: the active one).
  const moved = new Set([
    "requestId" in event ? event.requestId : null,
    event.type === "DELIVER" ? prev.order.activeCancellationRequestId : null,
  ]);
  for (const id of moved) {
    const request = id && Object.hasOwn(next.requests, id) ? next.requests[id] : undefined;
    if (request) checkPlan(next, request, now);
  }
  if (event.type === "PROVIDER_REFUND_UPDATE") {
    // The same word again (a webhook sent twice) changes nothing: refused, or, asked again at
    // the same instant, the very same record.
    const again = transition(next, event, now);
    check(
      again.ok
        ? event.asked && isDeepStrictEqual(again.record, next)
        : again.error.code === "INVALID_STATE",
      `${event.requestId}: the same word twice: ${again.ok ? "accepted" : again.error.code}`,
    );
    if (!again.ok) sim.seen.add("sameWordRefused");
  }
  notePaths(sim, prev, next, event);
};

/** Runs a scenario, checking every step; returns the simulation's final state. */
const run = (scenario: Scenario): Sim => simulate(scenario, checkStep);

// ---- the tests ----------------------------------------------------------------------------------

describe("transition properties over random event sequences", () => {
  it("keeps every invariant after every step", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        run(scenario);
      }),
      { numRuns: 1000 },
    );
  });

  it("reaches every outcome often enough for the properties to matter", () => {
    // A fixed sample: this checks the generators' reach, so it must not depend on the run's luck
    // (the rarest paths come up about 1 in 100 runs).
    const runs = fc.sample(scenarioArb, { numRuns: 1000, seed: 20261201 }).map(run);
    const share = (reached: (sim: Sim) => boolean) => runs.filter(reached).length / runs.length;
    const statusShare = (status: RequestStatus) => share((sim) => sim.reached.has(status));
    const seenShare = (path: string) => share((sim) => sim.seen.has(path));
    const entryShare = (type: string) =>
      share((sim) =>
        requestsOf(sim.record).some((request) => request.timeline.some((e) => e.type === type)),
      );
    const stats = {
      COMPLETED: statusShare("COMPLETED"),
      REJECTED: statusShare("REJECTED"),
      RETURN_REQUIRED: statusShare("RETURN_REQUIRED"),
      REFUND_FAILED: statusShare("REFUND_FAILED"),
      WITHDRAWN: statusShare("WITHDRAWN"),
      SELLER_TIMED_OUT: entryShare("SELLER_TIMED_OUT"),
      REFUND_RETRIED: entryShare("REFUND_RETRIED"),
      operatorReview: share((sim) =>
        requestsOf(sim.record).some((request) => request.marketplaceReview === "OPERATOR"),
      ),
      policyReview: share((sim) =>
        requestsOf(sim.record).some((request) => request.marketplaceReview === "POLICY"),
      ),
      // Refusals are exercised too, and delivery with a refund already in flight.
      refused: share((sim) => sim.log.some((line) => !line.endsWith("→ ok"))),
      deliveredInFlight: share(
        (sim) =>
          sim.deliveryProcessedAt !== null &&
          requestsOf(sim.record).some(
            (request) =>
              request.refund?.instructedAt &&
              request.refund.instructedAt <= (sim.deliveryProcessedAt ?? ""),
          ),
      ),
      twoRequests: share((sim) => Object.keys(sim.record.requests).length >= 2),
      // Line-level cancellation: some units cancelled while others stay, and then the rest.
      partlyCancelled: share(
        (sim) =>
          sim.log.some((line) => line.includes('"lines"') && line.endsWith("→ ok")) &&
          completedOf(sim.record).length > 0,
      ),
      twoCompleted: share((sim) => completedOf(sim.record).length >= 2),
      nothingToCancel: seenShare("REQUEST_CANCELLATION:NOTHING_TO_CANCEL"),
      partialRefused: seenShare("REQUEST_CANCELLATION:PARTIAL_NOT_SUPPORTED"),
      // The money paths: delivery after asking the provider, retries under the same or a new key.
      deliveredPendingPaid: seenShare("delivered:REFUND_PENDING:COMPLETED"),
      deliveredPendingUnpaid: seenShare("delivered:REFUND_PENDING:RETURN_REQUIRED"),
      deliveredFailedPaid: seenShare("delivered:REFUND_FAILED:COMPLETED"),
      deliveredFailedUnpaid: seenShare("delivered:REFUND_FAILED:RETURN_REQUIRED"),
      retryFoundPaid: seenShare("retryFoundPaid"),
      retryNewKeyAfterDecline: seenShare("retryNewKeyAfterDecline"),
      retryNewKeyForMethod: seenShare("retryNewKeyForMethod"),
      retrySameKey: seenShare("retrySameKey"),
      deliveryInFlight: seenShare("DELIVER:REFUND_IN_FLIGHT"),
      deliveryInvalid: seenShare("DELIVER:VALIDATION_FAILED"),
      // Asynchronous refunds: a call answered `pending`, and the provider's word settling it
      // (made, or failed for good), noting news, or refused (the same word again, a late one, an
      // older key's); a completed request's refund reversed, retried (as is or to a balance, by
      // an operator or the deadline's fallback) and made again, or its retry found made.
      pending: seenShare("pending"),
      settled: seenShare("word:SETTLED:REFUND_PENDING:PENDING"),
      settledFailed: seenShare("word:FAILED:REFUND_PENDING:PENDING"),
      noted: seenShare("word:NOTED:REFUND_PENDING:PENDING"),
      lateReference: seenShare("word:NOTED:COMPLETED:SUCCEEDED"),
      foundPaidByWord: seenShare("word:FOUND_PAID:REFUND_FAILED:FAILED"),
      sameWordRefused: seenShare("sameWordRefused"),
      wordRefused: seenShare("PROVIDER_REFUND_UPDATE:INVALID_STATE"),
      oldKeyRefused: seenShare("oldKeyRefused"),
      reversed: seenShare("word:REVERSED:COMPLETED:SUCCEEDED"),
      retriedAfterReversal: seenShare("retriedAfterReversal"),
      reversalRetriedAsIs: seenShare("reversalRetriedAsIs"),
      reversalRetriedToBalance: seenShare("reversalRetriedToBalance"),
      fallbackAfterReversal: seenShare("fallbackAfterReversal"),
      paidAgain: seenShare("paidAgain"),
      retryFoundPaidAfterReversal: seenShare("word:PAID:COMPLETED:FAILED"),
    };
    const shares = JSON.stringify(stats);
    expect(stats.COMPLETED, shares).toBeGreaterThan(0.2);
    expect(stats.REJECTED, shares).toBeGreaterThan(0.12);
    expect(stats.RETURN_REQUIRED, shares).toBeGreaterThan(0.12);
    expect(stats.REFUND_FAILED, shares).toBeGreaterThan(0.08);
    expect(stats.WITHDRAWN, shares).toBeGreaterThan(0.02);
    expect(stats.SELLER_TIMED_OUT, shares).toBeGreaterThan(0.15);
    expect(stats.REFUND_RETRIED, shares).toBeGreaterThan(0.06);
    expect(stats.operatorReview, shares).toBeGreaterThan(0.15);
    expect(stats.policyReview, shares).toBeGreaterThan(0.12);
    expect(stats.refused, shares).toBeGreaterThan(0.8);
    expect(stats.deliveredInFlight, shares).toBeGreaterThan(0.02);
    expect(stats.twoRequests, shares).toBeGreaterThan(0.08);
    expect(stats.partlyCancelled, shares).toBeGreaterThan(0.05);
    // Rare in 40 random steps (a request takes about eight to complete): about 0.5 % of runs,
    // 2 in this sample; amounts.test.ts drives long sequences of completed requests on purpose.
    expect(stats.twoCompleted, shares).toBeGreaterThan(0.001);
    expect(stats.nothingToCancel, shares).toBeGreaterThan(0.01);
    expect(stats.partialRefused, shares).toBeGreaterThan(0.01);
    expect(stats.deliveredPendingPaid, shares).toBeGreaterThan(0.007);
    expect(stats.deliveredPendingUnpaid, shares).toBeGreaterThan(0.02);
    expect(stats.deliveredFailedPaid, shares).toBeGreaterThan(0.006);
    expect(stats.deliveredFailedUnpaid, shares).toBeGreaterThan(0.012);
    expect(stats.retryFoundPaid, shares).toBeGreaterThan(0.008);
    expect(stats.retryNewKeyAfterDecline, shares).toBeGreaterThan(0.03);
    expect(stats.retryNewKeyForMethod, shares).toBeGreaterThan(0.005);
    expect(stats.retrySameKey, shares).toBeGreaterThan(0.012);
    expect(stats.deliveryInFlight, shares).toBeGreaterThan(0.02);
    expect(stats.deliveryInvalid, shares).toBeGreaterThan(0.008);
    expect(stats.pending, shares).toBeGreaterThan(0.03);
    expect(stats.settled, shares).toBeGreaterThan(0.008);
    expect(stats.settledFailed, shares).toBeGreaterThan(0.006);
    expect(stats.noted, shares).toBeGreaterThan(0.003);
    expect(stats.lateReference, shares).toBeGreaterThan(0.01);
    expect(stats.foundPaidByWord, shares).toBeGreaterThan(0.001);
    expect(stats.sameWordRefused, shares).toBeGreaterThan(0.05);
    expect(stats.wordRefused, shares).toBeGreaterThan(0.03);
    expect(stats.oldKeyRefused, shares).toBeGreaterThan(0.05);
    expect(stats.reversed, shares).toBeGreaterThan(0.05);
    expect(stats.retriedAfterReversal, shares).toBeGreaterThan(0.04);
    expect(stats.reversalRetriedAsIs, shares).toBeGreaterThan(0.01);
    expect(stats.reversalRetriedToBalance, shares).toBeGreaterThan(0.03);
    expect(stats.fallbackAfterReversal, shares).toBeGreaterThan(0.006);
    expect(stats.paidAgain, shares).toBeGreaterThan(0.03);
    expect(stats.retryFoundPaidAfterReversal, shares).toBeGreaterThan(0.001);
  });
});
