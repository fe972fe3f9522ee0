// Property tests of `transition`: random event sequences from every role, at random increasing
// times, under random policies and orders, checked against the domain's invariants at every step.
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DomainError,
  type DomainEvent,
  type DomainEventType,
} from "../../functions/domain/events.ts";
import { DEFAULT_POLICY, type Policy, policySchema } from "../../functions/domain/policy.ts";
import { activeRequest, addSeconds } from "../../functions/domain/requests.ts";
import { PAYMENT_METHODS } from "../../functions/domain/schemas.ts";
import { transition } from "../../functions/domain/transition.ts";
import {
  type CancellationRequest,
  isTerminal,
  type MarketplaceReview,
  type Order,
  type OrderRecord,
  type OrderStatus,
  type RequestStatus,
  type TimelineType,
} from "../../functions/domain/types.ts";
import { makeOrder, makeRecord } from "../support/factories.ts";

const BUYER = "buyer-1";
const SELLER = "seller-1";
const OPERATOR = "op-7";
const STRANGER = "mallory";
const SYSTEM = "system";
const ACTORS = [BUYER, SELLER, OPERATOR, STRANGER, SYSTEM] as const;
/** Ids of no request: a plain unknown one, and one that names a member of Object.prototype. */
const UNKNOWN_REQUESTS = ["req-unknown", "toString"];

const HOUR = 3600;
const DAY = 86_400;

const EVENT_TYPES: readonly DomainEventType[] = [
  "REQUEST_CANCELLATION",
  "WORKFLOW_STARTED",
  "REMIND_SELLER",
  "SELLER_DECIDE",
  "SELLER_TIMEOUT",
  "POLICY_APPROVE",
  "OPERATOR_DECIDE",
  "MARKETPLACE_TIMEOUT",
  "INSTRUCT_REFUND",
  "REFUND_SUCCEEDED",
  "REFUND_FAILED",
  "RETRY_REFUND",
  "COMPLETE",
  "WITHDRAW",
  "SHIP",
  "DELIVER",
];

const ERROR_CODES = new Set([
  "NOT_FOUND",
  "NOT_SHIPPED",
  "RETURN_REQUIRED",
  "WINDOW_CLOSED",
  "ACTIVE_REQUEST_EXISTS",
  "INVALID_STATE",
]);

/** Every status change a request may make (SPEC's lifecycle). */
const REQUEST_EDGES: Record<RequestStatus, readonly RequestStatus[]> = {
  REQUESTED: ["AWAITING_SELLER", "WITHDRAWN", "RETURN_REQUIRED"],
  AWAITING_SELLER: ["AWAITING_MARKETPLACE", "REJECTED", "WITHDRAWN", "RETURN_REQUIRED"],
  AWAITING_MARKETPLACE: ["REFUND_PENDING", "REJECTED", "WITHDRAWN", "RETURN_REQUIRED"],
  REFUND_PENDING: ["REFUND_FAILED", "COMPLETED", "RETURN_REQUIRED"],
  REFUND_FAILED: ["REFUND_PENDING"],
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

// ---- generators ---------------------------------------------------------------------------------

/** A valid policy varying everything that changes the flow; `version` is set per scenario. */
const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    cancellationWindowDays: fc.integer({ min: 1, max: 21 }),
    sellerResponseSeconds: fc.integer({ min: HOUR, max: 3 * DAY }),
    reminderQuarters: fc.integer({ min: 0, max: 3 }),
    onSellerTimeout: fc.constantFrom("ESCALATE" as const, "APPROVE" as const),
    marketplaceReviewSeconds: fc.integer({ min: HOUR, max: 4 * DAY }),
    onMarketplaceTimeout: fc.constantFrom("APPROVE" as const, "REJECT" as const),
    jpyMax: fc.option(fc.integer({ min: 20_000, max: 40_000 }), { nil: undefined, freq: 6 }),
    usdMax: fc.option(fc.integer({ min: 200, max: 400 }), { nil: undefined, freq: 6 }),
    refundShippingFee: fc.boolean(),
    refundRetryWaitSeconds: fc.integer({ min: HOUR, max: 3 * DAY }),
    maxRequestsPerOrder: fc.integer({ min: 1, max: 4 }),
  })
  .map((p) => {
    const autoApproveMaxAmount: Policy["autoApproveMaxAmount"] = {};
    if (p.jpyMax !== undefined) autoApproveMaxAmount.JPY = p.jpyMax;
    if (p.usdMax !== undefined) autoApproveMaxAmount.USD = p.usdMax;
    return policySchema.parse({
      ...DEFAULT_POLICY,
      version: "unset",
      cancellationWindowDays: p.cancellationWindowDays,
      sellerResponseSeconds: p.sellerResponseSeconds,
      sellerReminderSeconds: Math.floor((p.sellerResponseSeconds * p.reminderQuarters) / 4),
      onSellerTimeout: p.onSellerTimeout,
      marketplaceReviewSeconds: p.marketplaceReviewSeconds,
      onMarketplaceTimeout: p.onMarketplaceTimeout,
      autoApproveMaxAmount,
      refundShippingFee: p.refundShippingFee,
      refundRetryWaitSeconds: p.refundRetryWaitSeconds,
      maxRequestsPerOrder: p.maxRequestsPerOrder,
    });
  });

/** Order parameters: amounts (in JPY scale) clustered around the auto-approve threshold. */
const orderArb = fc.record({
  currency: fc.constantFrom("JPY" as const, "USD" as const),
  method: fc.constantFrom(...PAYMENT_METHODS),
  itemAmount: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 100, max: 25_000 }) },
    { weight: 4, arbitrary: fc.integer({ min: 25_000, max: 35_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 35_000, max: 900_000 }) },
  ),
  shippingFee: fc.constantFrom(0, 500, 1200, 3000),
  /** Percent of the total paid some other way (coupons): the refund is capped by what was paid. */
  discountPercent: fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 100 }) },
  ),
  placed: fc.oneof(
    { weight: 9, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});

/** Seconds between events: often none or minutes, sometimes days (past deadlines). */
const gapArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: HOUR }) },
  { weight: 3, arbitrary: fc.integer({ min: HOUR, max: DAY }) },
  { weight: 1, arbitrary: fc.integer({ min: DAY, max: 5 * DAY }) },
);

/**
 * One step, interpreted against the state when it is applied: mostly an event that is legitimate
 * now (picked by `pick` among the possible ones), otherwise noise built from the other fields.
 */
const stepArb = fc.record({
  gap: gapArb,
  noise: fc.integer({ min: 0, max: 99 }),
  pick: fc.nat(),
  type: fc.constantFrom(...EVENT_TYPES),
  actor: fc.nat(ACTORS.length - 1),
  target: fc.nat(),
  decision: fc.boolean(),
  policyIndex: fc.nat(1),
});
type Step = typeof stepArb extends fc.Arbitrary<infer S> ? S : never;

const scenarioArb = fc.record({
  policies: fc.tuple(policyArb, policyArb),
  order: orderArb,
  startOffset: fc.integer({ min: 0, max: DAY }),
  steps: fc.array(stepArb, { minLength: 5, maxLength: 40, size: "max" }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

/** Percent of steps that are noise (any event type, actor and request). */
const NOISE_PERCENT = 15;
/** Percent of steps that deliver the previous event again (at-least-once delivery, retries). */
const REPLAY_PERCENT = 8;

// ---- the simulation -----------------------------------------------------------------------------

interface Sim {
  record: OrderRecord;
  now: string;
  policies: readonly [Policy, Policy];
  /** Request ids used so far (created or attempted), for events to target. */
  requestIds: string[];
  attempts: number;
  /** When the DELIVER event was applied (its processing time), if it was. */
  deliveryProcessedAt: string | null;
  /** Every status any request reached during the run. */
  reached: Set<RequestStatus>;
  lastEvent: DomainEvent | null;
  log: string[];
}

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
};

const startRecord = (scenario: Scenario): OrderRecord => {
  const o = scenario.order;
  const scale = o.currency === "USD" ? 100 : 1;
  const item = Math.max(1, Math.round(o.itemAmount / scale));
  const fee = Math.round(o.shippingFee / scale);
  const total = item + fee;
  const paid = total - Math.floor((total * o.discountPercent) / 100);
  const order = makeOrder({
    currency: o.currency,
    locale: o.currency === "JPY" ? "ja" : "en",
    lines: [{ lineId: "l1", sku: "SKU-1", title: "item", quantity: 1, unitPrice: item }],
    shippingFee: fee,
    payment: { method: o.method, paidAmount: paid },
    ...(o.placed ? { status: "PLACED" as const, shipment: null } : {}),
  });
  return deepFreeze(makeRecord(order, []));
};

const newSim = (scenario: Scenario): Sim => {
  const record = startRecord(scenario);
  const [a, b] = scenario.policies;
  const shippedAt = record.order.shipment?.shippedAt ?? record.order.placedAt;
  return {
    record,
    now: addSeconds(shippedAt, scenario.startOffset),
    policies: [
      { ...a, version: "policy-a" },
      { ...b, version: "policy-b" },
    ],
    requestIds: [],
    attempts: 0,
    deliveryProcessedAt: null,
    reached: new Set(),
    lastEvent: null,
    log: [],
  };
};

const requestEvent = (sim: Sim, step: Step, requestId?: string, actor = BUYER): DomainEvent => {
  sim.attempts += 1;
  const id = requestId ?? `req-${sim.attempts}`;
  if (!sim.requestIds.includes(id)) sim.requestIds.push(id);
  return {
    type: "REQUEST_CANCELLATION",
    actor,
    requestId: id,
    reason: "NO_LONGER_NEEDED",
    comment: null,
    idempotencyKey: `idem-${sim.attempts}`,
    requestHash: "h".repeat(64),
    policy: sim.policies[step.policyIndex] ?? DEFAULT_POLICY,
  };
};

type Option = [weight: number, make: () => DomainEvent];

/** Events that make sense now, weighted: what the workflow and the people would do. */
const legitimateOptions = (sim: Sim, step: Step): Option[] => {
  const { order } = sim.record;
  const now = Date.parse(sim.now);
  const options: Option[] = [];
  if (order.status === "PLACED") {
    options.push([
      15,
      () => ({
        type: "SHIP",
        actor: SELLER,
        shipment: { carrier: "Yamato", trackingNumber: "1", shippedAt: sim.now },
      }),
    ]);
  }
  if (order.status === "SHIPPED") {
    options.push([2, () => ({ type: "DELIVER", actor: SYSTEM, deliveredAt: sim.now })]);
  }
  const request = activeRequest(sim.record);
  if (!request) {
    if (order.status === "SHIPPED") options.push([30, () => requestEvent(sim, step)]);
    return options;
  }
  const requestId = request.requestId;
  const withdraw: Option = [1, () => ({ type: "WITHDRAW", actor: BUYER, requestId })];
  switch (request.status) {
    case "REQUESTED":
      options.push([30, () => ({ type: "WORKFLOW_STARTED", requestId })], withdraw);
      break;
    case "AWAITING_SELLER":
      if (now < Date.parse(request.sellerDeadline)) {
        options.push(
          [18, () => ({ type: "SELLER_DECIDE", actor: SELLER, requestId, decision: "APPROVE" })],
          [
            9,
            () => ({
              type: "SELLER_DECIDE",
              actor: SELLER,
              requestId,
              decision: "REJECT",
              reason: "already shipped",
            }),
          ],
        );
      } else {
        // The timer fires; a seller may still click a moment too late.
        options.push(
          [30, () => ({ type: "SELLER_TIMEOUT", requestId })],
          [4, () => ({ type: "SELLER_DECIDE", actor: SELLER, requestId, decision: "APPROVE" })],
        );
      }
      if (!request.sellerRemindedAt) {
        options.push([6, () => ({ type: "REMIND_SELLER", requestId })]);
      }
      options.push(withdraw);
      break;
    case "AWAITING_MARKETPLACE":
      if (request.marketplaceReview === "POLICY") {
        options.push([30, () => ({ type: "POLICY_APPROVE", requestId })]);
      } else if (now < Date.parse(request.marketplaceDeadline ?? "")) {
        options.push(
          [
            15,
            () => ({ type: "OPERATOR_DECIDE", actor: OPERATOR, requestId, decision: "APPROVE" }),
          ],
          [
            9,
            () => ({
              type: "OPERATOR_DECIDE",
              actor: OPERATOR,
              requestId,
              decision: "REJECT",
              reason: "suspicious",
            }),
          ],
        );
      } else {
        options.push(
          [30, () => ({ type: "MARKETPLACE_TIMEOUT", requestId })],
          [4, () => ({ type: "OPERATOR_DECIDE", actor: OPERATOR, requestId, decision: "APPROVE" })],
        );
      }
      options.push(withdraw);
      break;
    case "REFUND_PENDING": {
      const refund = request.refund;
      if (refund?.status === "SUCCEEDED" || refund?.status === "NOT_REQUIRED") {
        options.push([30, () => ({ type: "COMPLETE", requestId })]);
      } else if (!refund?.refundId) {
        options.push([30, () => ({ type: "INSTRUCT_REFUND", requestId })]);
      } else {
        options.push(
          [15, () => ({ type: "REFUND_SUCCEEDED", requestId })],
          [15, () => ({ type: "REFUND_FAILED", requestId, error: "declined" })],
        );
      }
      break;
    }
    case "REFUND_FAILED":
      options.push(
        [9, () => ({ type: "RETRY_REFUND", actor: OPERATOR, requestId })],
        [6, () => ({ type: "RETRY_REFUND", actor: SYSTEM, requestId })],
      );
      break;
    default:
      break;
  }
  return options;
};

/** Any event at all: any type, any actor, any known request id or an unknown one. */
const noiseEvent = (sim: Sim, step: Step): DomainEvent => {
  const actor = ACTORS[step.actor] ?? STRANGER;
  const pool = [...sim.requestIds, ...UNKNOWN_REQUESTS];
  const requestId = pool[step.target % pool.length] ?? "req-unknown";
  switch (step.type) {
    case "REQUEST_CANCELLATION": {
      // Half the time a fresh id, otherwise an id already in use; the actor may be anyone.
      const used = sim.requestIds[step.target % Math.max(1, sim.requestIds.length)];
      return requestEvent(sim, step, step.decision ? undefined : used, actor);
    }
    case "SELLER_DECIDE":
    case "OPERATOR_DECIDE":
      return step.decision
        ? { type: step.type, actor, requestId, decision: "APPROVE" }
        : { type: step.type, actor, requestId, decision: "REJECT", reason: "noise" };
    case "RETRY_REFUND":
    case "WITHDRAW":
      return { type: step.type, actor, requestId };
    case "REFUND_FAILED":
      return { type: step.type, requestId, error: "noise" };
    case "SHIP":
      return {
        type: "SHIP",
        actor,
        shipment: { carrier: "Noise", trackingNumber: "0", shippedAt: sim.now },
      };
    case "DELIVER":
      return { type: "DELIVER", actor, deliveredAt: sim.now };
    default:
      return { type: step.type, requestId } as DomainEvent;
  }
};

const chooseEvent = (sim: Sim, step: Step): DomainEvent => {
  if (sim.lastEvent && step.noise >= 100 - REPLAY_PERCENT) return sim.lastEvent;
  if (step.noise >= NOISE_PERCENT) {
    const options = legitimateOptions(sim, step);
    const total = options.reduce((sum, [weight]) => sum + weight, 0);
    let pick = total > 0 ? step.pick % total : -1;
    for (const [weight, make] of options) {
      if (pick < weight) return make();
      pick -= weight;
    }
  }
  return noiseEvent(sim, step);
};

// ---- the invariants -----------------------------------------------------------------------------

/** SPEC's refund amount: what was paid (less shipping unless refunded); cash on delivery: none. */
const specRefundAmount = (order: Order, policy: Policy): number => {
  const { method, paidAmount } = order.payment;
  if (method === "CASH_ON_DELIVERY") return 0;
  const amount = policy.refundShippingFee ? paidAmount : paidAmount - order.shippingFee;
  return Math.min(paidAmount, Math.max(0, amount));
};

/** SPEC's reviewer: an escalated timeout or a refund above the threshold needs an operator. */
const specReview = (order: Order, policy: Policy, event: DomainEvent): MarketplaceReview => {
  if (event.type === "SELLER_TIMEOUT" && policy.onSellerTimeout === "ESCALATE") return "OPERATOR";
  const max = policy.autoApproveMaxAmount[order.currency];
  const small =
    max !== undefined && order.status !== "DELIVERED" && specRefundAmount(order, policy) <= max;
  return small ? "POLICY" : "OPERATOR";
};

/** Lifecycle steps that happen at most once per request (refund failures and retries repeat). */
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
  "REFUND_SUCCEEDED",
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
  const succeeded = requestsOf(record).filter((request) => request.refund?.status === "SUCCEEDED");
  check(succeeded.length <= 1, "more than one refund succeeded for the order");
  const completed = requestsOf(record).filter((request) => request.status === "COMPLETED");
  check(completed.length <= 1, "more than one request completed");
  check(
    (order.status === "CANCELLED") === (completed.length === 1),
    `order ${order.status} with ${completed.length} completed requests`,
  );

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
    const refund = request.refund;
    if (refund) {
      check(Number.isInteger(refund.amount) && refund.amount >= 0, `${id}: refund amount`);
      check(refund.amount <= order.payment.paidAmount, `${id}: refund exceeds paid amount`);
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
        check(
          refund?.status === "SUCCEEDED" || refund?.status === "NOT_REQUIRED",
          `${id}: COMPLETED with refund ${refund?.status}`,
        );
        break;
      case "REJECTED":
        check(request.rejection, `${id}: REJECTED without a rejection`);
        break;
      default:
        break;
    }
    // No refund after delivery unless it was claimed before the delivery was processed.
    if (order.deliveredAt && (request.status === "COMPLETED" || refund?.status === "SUCCEEDED")) {
      check(
        refund?.instructedAt &&
          sim.deliveryProcessedAt &&
          refund.instructedAt <= sim.deliveryProcessedAt,
        `${id}: refunded after delivery (instructed ${refund?.instructedAt}, delivered ${sim.deliveryProcessedAt})`,
      );
    }
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
    if (event.type === "SHIP" || event.type === "DELIVER") {
      expectedGain = id === prevActive && statusChanged ? 1 : 0;
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
    if (isTerminal(before.status)) {
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
        r1.amount === specRefundAmount(order, after.policy) &&
          r1.currency === order.currency &&
          r1.method === (method === "CONVENIENCE_STORE" ? "GIFT_CARD" : method) &&
          (r1.status === "NOT_REQUIRED") === (method === "CASH_ON_DELIVERY") &&
          r1.refundId === null,
        `${id}: new refund ${JSON.stringify(r1)} for ${JSON.stringify(order.payment)}`,
      );
    }
    if (statusChanged && after.status === "AWAITING_MARKETPLACE") {
      const expected = specReview(prev.order, after.policy, event);
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
    }
    if (event.type === "MARKETPLACE_TIMEOUT" && id === event.requestId) {
      const outcome =
        after.policy.onMarketplaceTimeout === "APPROVE" ? "REFUND_PENDING" : "REJECTED";
      check(after.status === outcome, `${id}: marketplace timeout → ${after.status}`);
    }
    if (r0) {
      check(r1, `${id}: refund removed`);
      check(r0.amount === r1?.amount, `${id}: refund amount changed`);
      if (r0.refundId) check(r0.refundId === r1?.refundId, `${id}: refundId changed`);
      if (r0.instructedAt) check(r0.instructedAt === r1?.instructedAt, `${id}: re-instructed`);
      if (r0.status === "SUCCEEDED")
        check(r1?.status === "SUCCEEDED", `${id}: succeeded refund changed`);
    }
  }

  if (event.type === "SHIP" || event.type === "DELIVER") {
    check(orderGain === 1 && orderChanged, `${event.type}: order gained ${orderGain} entries`);
  } else {
    check(orderGain === (orderChanged ? 1 : 0), `${event.type}: order gained ${orderGain} entries`);
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

/** Runs a scenario, checking every step; returns the simulation's final state. */
const run = (scenario: Scenario): Sim => {
  const sim = newSim(scenario);
  for (const [index, step] of scenario.steps.entries()) {
    sim.now = addSeconds(sim.now, step.gap);
    const event = chooseEvent(sim, step);
    sim.lastEvent = event;
    const prev = sim.record;
    const result = transition(prev, event, sim.now);
    const summary = `#${index} ${sim.now} ${JSON.stringify({ ...event, policy: undefined })}`;
    sim.log.push(`${summary} → ${result.ok ? "ok" : result.error.code}`);
    try {
      // Parties only, and unknown requests: 404, never revealing more.
      const party = partyOf(prev, event);
      const unknown =
        "requestId" in event &&
        event.type !== "REQUEST_CANCELLATION" &&
        !Object.hasOwn(prev.requests, event.requestId);
      if ((party && "actor" in event && event.actor !== party) || unknown) {
        check(!result.ok && result.error.code === "NOT_FOUND", "a stranger or unknown id: not 404");
      }
      if (!result.ok) {
        check(result.error instanceof DomainError, "refusal is not a DomainError");
        check(ERROR_CODES.has(result.error.code), `unknown error code ${result.error.code}`);
        check(!("record" in result) && !("effects" in result), "a refusal carries a record");
        continue;
      }
      const next = deepFreeze(result.record);
      if (event.type === "DELIVER") sim.deliveryProcessedAt = sim.now;
      checkChange(prev, next, event, sim.now);
      checkRecord(next, sim);
      for (const effect of result.effects) {
        check(next.requests[effect.requestId], `effect for unknown request ${effect.requestId}`);
      }
      sim.record = next;
      for (const request of requestsOf(next)) sim.reached.add(request.status);
    } catch (error) {
      if (error instanceof InvariantError) {
        error.message += `\nafter:\n${sim.log.join("\n")}`;
      }
      throw error;
    }
  }
  return sim;
};

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
    const runs = fc.sample(scenarioArb, 400).map(run);
    const share = (reached: (sim: Sim) => boolean) => runs.filter(reached).length / runs.length;
    const statusShare = (status: RequestStatus) => share((sim) => sim.reached.has(status));
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
  });
});
