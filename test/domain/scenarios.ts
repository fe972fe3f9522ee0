// Random event sequences for the property tests of the domain: random increasing times, random
// policies and orders, every role acting; mostly events that make sense at that point (as the
// workflow and the people would send them), some noise (any event, actor or request id) and
// replays of the previous event. The provider's answers (refund made or not, declines) are random;
// card refunds of orders paid through Stripe also answer `pending`, and the provider's word on them
// (its webhook, or the workflow asking) arrives once, twice, late, out of order, about the current
// key or an older one: pending refunds settle or fail, completed ones are reversed and refunded
// again (by an operator, or the policy's fallback at the deadline).
// `simulate` drives a scenario through `transition`, handing each step to a visitor: the
// transition properties check their invariants there, the notices properties their marks.
import fc from "fast-check";
import type { LineQuantity } from "../../functions/domain/amounts.ts";
import {
  DomainError,
  type DomainEvent,
  type DomainEventType,
} from "../../functions/domain/events.ts";
import { DEFAULT_POLICY, type Policy, policySchema } from "../../functions/domain/policy.ts";
import { isSettling, refundToAskAbout } from "../../functions/domain/refund.ts";
import { activeRequest, addSeconds } from "../../functions/domain/requests.ts";
import { PAYMENT_METHODS } from "../../functions/domain/schemas.ts";
import { type TransitionResult, transition } from "../../functions/domain/transition.ts";
import type {
  CancellationRequest,
  OrderRecord,
  PaymentMethod,
  ProviderRefund,
  ProviderRefundStatus,
  RefundMethod,
  RequestStatus,
} from "../../functions/domain/types.ts";
import { makeOrder, makeRecord } from "../support/factories.ts";

export const BUYER = "buyer-1";
export const SELLER = "seller-1";
export const OPERATOR = "op-7";
export const STRANGER = "mallory";
export const SYSTEM = "system";
/** The actor of the provider's webhook. */
const STRIPE = "stripe";
const ACTORS = [BUYER, SELLER, OPERATOR, STRANGER, SYSTEM] as const;
/** Ids of no request: a plain unknown one, and one that names a member of Object.prototype. */
const UNKNOWN_REQUESTS = ["req-unknown", "toString"];

export const HOUR = 3600;
export const DAY = 86_400;

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
  "START_REFUND_CALL",
  "REFUND_SUCCEEDED",
  "REFUND_AWAITED",
  "REFUND_FAILED",
  "PROVIDER_REFUND_UPDATE",
  "RETRY_REFUND",
  "COMPLETE",
  "WITHDRAW",
  "SHIP",
  "DELIVER",
];

/** SPEC's lease of a refund call: until it runs out, nobody may conclude the money did not move. */
export const LEASE_SECONDS = 60;
/** SPEC: a delivery time may be at most 5 minutes ahead of the service's clock. */
export const MAX_DELIVERY_SKEW_SECONDS = 300;
/** Methods a retry may name: an operator's gift balance, or the policy's fallback. */
const RETRY_METHODS: readonly (RefundMethod | undefined)[] = [undefined, "GIFT_CARD", "POINTS"];
/** Why the provider fails a refund (Stripe's words), or no reason given. */
const FAILURE_REASONS = [
  "expired_or_canceled_card",
  "lost_or_stolen_card",
  "insufficient_funds",
  undefined,
] as const;
const PROVIDER_STATUSES: readonly ProviderRefundStatus[] = [
  "pending",
  "requires_action",
  "succeeded",
  "failed",
  "canceled",
];

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
    partialShippingRefund: fc.constantFrom(
      "WHEN_ALL_CANCELLED" as const,
      "PRORATED" as const,
      "NONE" as const,
    ),
    refundRetryWaitSeconds: fc.integer({ min: HOUR, max: 3 * DAY }),
    refundFallbackMethod: fc.constantFrom("GIFT_CARD" as const, "POINTS" as const),
    refundSettlementCheckSeconds: fc.integer({ min: 600, max: DAY }),
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
      partialShippingRefund: p.partialShippingRefund,
      refundRetryWaitSeconds: p.refundRetryWaitSeconds,
      refundFallbackMethod: p.refundFallbackMethod,
      refundSettlementCheckSeconds: p.refundSettlementCheckSeconds,
      maxRequestsPerOrder: p.maxRequestsPerOrder,
    });
  });

/** Order parameters: amounts (in JPY scale) clustered around the auto-approve threshold. */
const orderArb = fc.record({
  currency: fc.constantFrom("JPY" as const, "USD" as const),
  // Mostly cards, as in the shop; every method often enough.
  method: fc.oneof(
    { weight: 1, arbitrary: fc.constant("CARD" as const) },
    { weight: 1, arbitrary: fc.constantFrom(...PAYMENT_METHODS) },
  ),
  /** Whether a card payment went through Stripe (its refunds can be pending, and reversed). */
  stripe: fc.oneof(
    { weight: 3, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  itemAmount: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 100, max: 25_000 }) },
    { weight: 4, arbitrary: fc.integer({ min: 25_000, max: 35_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 35_000, max: 900_000 }) },
  ),
  /** How the items' value splits into lines (weights), and each line's units. */
  lines: fc.oneof(
    {
      weight: 1,
      arbitrary: fc.constant<{ weight: number; quantity: number }[]>([{ weight: 1, quantity: 1 }]),
    },
    {
      weight: 2,
      arbitrary: fc.array(
        fc.record({
          weight: fc.integer({ min: 1, max: 5 }),
          quantity: fc.integer({ min: 1, max: 3 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    },
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
  /** The provider's answer (was the refund made under the current key?), where one is asked. */
  refundMade: fc.oneof(
    { weight: 2, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
  /** Seconds a refund call takes: the gap after its lease is taken (the lease lasts 60). */
  callSeconds: fc.integer({ min: 0, max: 90 }),
  /** Whether a refund failure is a permanent decline. */
  declined: fc.boolean(),
  /** Picks the provider's word (status, reason, reference) where one is sent. */
  word: fc.nat(),
  /** Picks an older refund key, or an earlier word of the provider to deliver again late. */
  stale: fc.nat(),
  /** Picks the method a retry names: none, gift balance, the fallback, or (noise) the original. */
  method: fc.nat(),
  /** Which units a request names: every unit left (no `lines`), or a share of each line. */
  partial: fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    {
      weight: 3,
      arbitrary: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }),
    },
  ),
  /** Noise deliveries: seconds from now of deliveredAt (before shipment, or too far ahead). */
  deliveryOffset: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: -20 * DAY, max: -1 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 * MAX_DELIVERY_SKEW_SECONDS }) },
  ),
});
type Step = typeof stepArb extends fc.Arbitrary<infer S> ? S : never;

export const scenarioArb = fc.record({
  policies: fc.tuple(policyArb, policyArb),
  order: orderArb,
  startOffset: fc.integer({ min: 0, max: DAY }),
  steps: fc.array(stepArb, { minLength: 5, maxLength: 40, size: "max" }),
});
export type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

/** Percent of steps that are noise (any event type, actor and request). */
const NOISE_PERCENT = 15;
/** Percent of steps that deliver the previous event again (at-least-once delivery, retries). */
const REPLAY_PERCENT = 8;

// ---- the simulation -----------------------------------------------------------------------------

export interface Sim {
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
  /** Per request, every refund key that ever reached SUCCEEDED during the run. */
  succeededKeys: Map<string, Set<string | null>>;
  /** Per request, every refund key the provider reversed after it had succeeded. */
  reversedKeys: Map<string, Set<string | null>>;
  /** Per request, every refund key it was given, in order (for the provider's word on old ones). */
  keys: Map<string, string[]>;
  /** The provider's words sent so far (webhooks and checks), to be delivered again late. */
  words: Extract<DomainEvent, { type: "PROVIDER_REFUND_UPDATE" }>[];
  /** Notable paths taken during the run (for the coverage test). */
  seen: Set<string>;
  lastEvent: DomainEvent | null;
  log: string[];
}

export const deepFreeze = <T>(value: T): T => {
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
  const weights = o.lines.reduce((sum, line) => sum + line.weight, 0);
  const lines = o.lines.map((line, i) => ({
    lineId: `l${i + 1}`,
    sku: `SKU-${i + 1}`,
    title: `item ${i + 1}`,
    quantity: line.quantity,
    unitPrice: Math.max(1, Math.round((item * line.weight) / weights / line.quantity)),
  }));
  const fee = Math.round(o.shippingFee / scale);
  const total = lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0) + fee;
  const paid = total - Math.floor((total * o.discountPercent) / 100);
  const order = makeOrder({
    currency: o.currency,
    locale: o.currency === "JPY" ? "ja" : "en",
    lines,
    shippingFee: fee,
    payment: {
      method: o.method,
      paidAmount: paid,
      ...(o.method === "CARD" && o.stripe
        ? { provider: "stripe" as const, reference: "pi_3Simulated" }
        : {}),
    },
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
    succeededKeys: new Map(),
    reversedKeys: new Map(),
    keys: new Map(),
    words: [],
    seen: new Set(),
    lastEvent: null,
    log: [],
  };
};

/**
 * The units a request names: none (every unit left) or, per line, `share` of 3 of what is left
 * (rounded up; lines with a share of 0 are left out). `invalid` names one line too many units.
 */
const requestLines = (sim: Sim, step: Step, invalid = false): LineQuantity[] | undefined => {
  if (step.partial === null) return undefined;
  const lines = sim.record.order.lines.flatMap((line, i) => {
    const left = line.quantity - line.cancelledQuantity;
    const share = step.partial?.[i] ?? 0;
    const quantity = invalid && i === 0 ? left + 1 : Math.ceil((left * share) / 3);
    return quantity > 0 ? [{ lineId: line.lineId, quantity }] : [];
  });
  return lines.length > 0 ? lines : undefined;
};

const requestEvent = (
  sim: Sim,
  step: Step,
  requestId?: string,
  actor = BUYER,
  invalidLines = false,
): DomainEvent => {
  sim.attempts += 1;
  const id = requestId ?? `req-${sim.attempts}`;
  if (!sim.requestIds.includes(id)) sim.requestIds.push(id);
  const lines = requestLines(sim, step, invalidLines);
  return {
    type: "REQUEST_CANCELLATION",
    actor,
    requestId: id,
    reason: "NO_LONGER_NEEDED",
    comment: null,
    ...(lines && { lines }),
    idempotencyKey: `idem-${sim.attempts}`,
    requestHash: "h".repeat(64),
    policy: sim.policies[step.policyIndex] ?? DEFAULT_POLICY,
  };
};

/** SPEC's refund method for a payment method: the original one, convenience store → gift balance. */
export const specRefundMethod = (method: PaymentMethod): RefundMethod =>
  method === "CONVENIENCE_STORE" ? "GIFT_CARD" : method;

/**
 * The carrier's delivery as the app sends it: with the provider's answer (`step.refundMade`) when
 * `refundToAskAbout` names a refund key. While a refund call's lease runs the app would not get
 * that far; the event is sent without an answer, and the domain must refuse it (REFUND_IN_FLIGHT).
 * `spurious` adds an answer nobody asked for, which the domain must ignore.
 */
const deliveryEvent = (
  sim: Sim,
  step: Step,
  deliveredAt: string,
  actor: string,
  spurious = false,
): DomainEvent => {
  let asked = false;
  try {
    asked = refundToAskAbout(sim.record, sim.now) !== undefined;
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== "REFUND_IN_FLIGHT") throw error;
  }
  const answer = asked || spurious ? { refundMade: step.refundMade } : {};
  return { type: "DELIVER", actor, deliveredAt, ...answer };
};

type Option = [weight: number, make: () => DomainEvent];
type Word = Extract<DomainEvent, { type: "PROVIDER_REFUND_UPDATE" }>;

/**
 * What the provider says of the refund under `refundId`: its own id and the bank's reference are
 * the key's; a failure gives one of Stripe's reasons, or none.
 */
const providerAnswer = (
  refundId: string,
  status: ProviderRefundStatus,
  step: Step,
  withReference = Math.floor(step.word / 5) % 2 === 0,
): ProviderRefund => {
  const reason = FAILURE_REASONS[step.word % FAILURE_REASONS.length];
  const failed = status === "failed" || status === "canceled";
  return {
    providerReference: `re_${refundId}`,
    status,
    ...(failed && reason ? { failureReason: reason } : {}),
    ...(withReference ? { reference: `ARN-${refundId}` } : {}),
  };
};

/** The provider's word on a refund: its webhook, or (`asked`) the workflow's or reconciler's check. */
const providerWord = (
  sim: Sim,
  requestId: string,
  refundId: string,
  answer: ProviderRefund,
  asked: boolean,
): Word => {
  const word: Word = {
    type: "PROVIDER_REFUND_UPDATE",
    actor: asked ? SYSTEM : STRIPE,
    requestId,
    refundId,
    answer,
    asked,
  };
  sim.words.push(word);
  return word;
};

/**
 * The refund function's outcomes for a claimed refund that is not settling: it takes the call's
 * lease, then records the provider's answer (made, made and on its way for Stripe, failed).
 */
const refundCallOptions = (sim: Sim, step: Step, request: CancellationRequest): Option[] => {
  const { requestId, refund } = request;
  const key = refund?.refundId;
  if (!refund || !key) return [];
  const stripe = refund.provider === "stripe";
  const leased = leaseRuns(request, sim.now);
  // Mostly with the provider's answer, as the app sends it; sometimes without, as before it had one.
  const answered = step.word % 4 !== 0;
  const made: ProviderRefund = stripe
    ? providerAnswer(key, "succeeded", step)
    : { providerReference: `ledger-${key}`, status: "succeeded" };
  const failedAtOnce = providerAnswer(key, "failed", step, false);
  const options: Option[] = [
    [leased ? 2 : 20, () => ({ type: "START_REFUND_CALL", requestId })],
    [
      leased ? 10 : 3,
      () => ({ type: "REFUND_SUCCEEDED", requestId, ...(answered ? { answer: made } : {}) }),
    ],
    [
      leased ? 14 : 3,
      () =>
        step.declined && stripe && answered
          ? {
              // Made and failed at once: the key is spent.
              type: "REFUND_FAILED",
              requestId,
              error: failedAtOnce.failureReason ?? "failed",
              declined: true,
              answer: failedAtOnce,
            }
          : {
              type: "REFUND_FAILED",
              requestId,
              error: step.declined ? "card closed" : "provider timeout",
              declined: step.declined,
            },
    ],
  ];
  if (stripe) {
    const status = step.word % 5 === 0 ? "requires_action" : "pending";
    options.push([
      leased ? 12 : 1,
      () => ({ type: "REFUND_AWAITED", requestId, answer: providerAnswer(key, status, step) }),
    ]);
  }
  return options;
};

/**
 * SPEC's settlement check: a refund the provider holds as pending is asked about
 * `refundSettlementCheckSeconds` after it answered `pending` or was last asked about, whichever is
 * later (the request's last change for one stored without either).
 */
export const specSettlementCheckAt = (request: CancellationRequest): string => {
  const { pendingSince, checkedAt } = request.refund ?? {};
  const since = [pendingSince, checkedAt]
    .filter((at) => !!at)
    .sort()
    .at(-1);
  return addSeconds(since ?? request.updatedAt, request.policy.refundSettlementCheckSeconds);
};

/**
 * The provider's word on a refund it holds as pending: it settles (`succeeded`, `failed` with a
 * reason, `canceled`), says `pending` again, asks for action, or the bank's reference arrives;
 * the workflow asks when its check is due (the reconciler, now and then, before).
 */
const settlingOptions = (sim: Sim, step: Step, request: CancellationRequest): Option[] => {
  const { requestId, refund } = request;
  const key = refund?.refundId;
  if (!refund || !key) return [];
  const asked = step.stale % 4 === 0;
  const say =
    (status: ProviderRefundStatus, viaCheck = asked) =>
    () =>
      providerWord(sim, requestId, key, providerAnswer(key, status, step), viaCheck);
  const checkDue = Date.parse(sim.now) >= Date.parse(specSettlementCheckAt(request));
  const checked: ProviderRefundStatus[] = ["pending", "pending", "succeeded", "failed"];
  return [
    [5, say("succeeded")],
    [3, say("failed")],
    [1, say("canceled")],
    [2, say("pending")],
    [1, say("requires_action")],
    [checkDue ? 10 : 1, say(checked[step.word % checked.length] ?? "pending", true)],
  ];
};

/**
 * A completed request's refund: the provider reverses a card refund that had succeeded (or its
 * word repeats, or the bank's reference arrives late); a reversed refund is retried by an
 * operator (as is, or to gift balance or points) or, at the deadline, by the policy's fallback;
 * the retry is made like any refund. One completed request a step, picked by `target`.
 */
const completedOptions = (sim: Sim, step: Step): Option[] => {
  const candidates = Object.values(sim.record.requests).filter(
    (request) =>
      request.status === "COMPLETED" &&
      request.refund &&
      (request.refund.status === "FAILED" ||
        request.refund.status === "PENDING" ||
        (request.refund.status === "SUCCEEDED" && request.refund.provider === "stripe")),
  );
  const request = candidates[step.target % Math.max(1, candidates.length)];
  const refund = request?.refund;
  const key = refund?.refundId;
  if (!request || !refund || !key) return [];
  const { requestId } = request;
  switch (refund.status) {
    case "SUCCEEDED": {
      const say = (status: ProviderRefundStatus, withReference?: boolean) => () =>
        providerWord(
          sim,
          requestId,
          key,
          providerAnswer(key, status, step, withReference),
          step.stale % 4 === 0,
        );
      return [
        [3, say("failed", false)],
        [1, say("canceled", false)],
        [1, say("succeeded", true)],
        [1, say("succeeded")],
      ];
    }
    case "FAILED": {
      // The provider's answer about the key: a declined (or reversed) one was not paid.
      const refundMade = refund.declined ? false : step.refundMade;
      const retry = (actor: string, method: RefundMethod | undefined): DomainEvent => ({
        type: "RETRY_REFUND",
        actor,
        requestId,
        refundMade,
        ...(method === undefined ? {} : { method }),
      });
      const due = Date.parse(sim.now) >= Date.parse(request.refundRetryDeadline ?? sim.now);
      const options: Option[] = [
        [6, () => retry(OPERATOR, RETRY_METHODS[step.method % RETRY_METHODS.length])],
        [due ? 12 : 0, () => retry(SYSTEM, request.policy.refundFallbackMethod)],
      ];
      // A retry recorded failed because its answers were lost: the provider's word on it.
      if (!refund.declined && refund.provider === "stripe") {
        const status = step.word % 3 === 0 ? "failed" : "succeeded";
        options.push([
          6,
          () => providerWord(sim, requestId, key, providerAnswer(key, status, step), false),
        ]);
      }
      return options;
    }
    case "PENDING":
      return isSettling(refund)
        ? settlingOptions(sim, step, request)
        : refundCallOptions(sim, step, request);
    default:
      return [];
  }
};

/**
 * The provider's word delivered late (an earlier one again, out of order), or about a request's
 * older refund key (one a retry replaced).
 */
const lateOptions = (sim: Sim, step: Step): Option[] => {
  const options: Option[] = [];
  const earlier = sim.words[step.stale % Math.max(1, sim.words.length)];
  if (earlier) options.push([1, () => earlier]);
  const retried = [...sim.keys.entries()].filter(([, keys]) => keys.length >= 2);
  const entry = retried[step.target % Math.max(1, retried.length)];
  if (entry) {
    const [requestId, keys] = entry;
    const old = keys[step.stale % (keys.length - 1)] ?? keys[0] ?? "";
    const status = PROVIDER_STATUSES[step.word % PROVIDER_STATUSES.length] ?? "succeeded";
    options.push([
      1,
      () => providerWord(sim, requestId, old, providerAnswer(old, status, step), false),
    ]);
  }
  return options;
};

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
    options.push([2, () => deliveryEvent(sim, step, sim.now, SYSTEM)]);
  }
  options.push(...completedOptions(sim, step), ...lateOptions(sim, step));
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
        options.push(
          [30, () => ({ type: "INSTRUCT_REFUND", requestId })],
          // The parcel arrives before the claim: no money can have moved, so an answer about a
          // refund (which a caller need not give) must change nothing.
          [3, () => deliveryEvent(sim, step, sim.now, SYSTEM, step.decision)],
        );
      } else if (isSettling(refund)) {
        // Made and on its way at the provider: its word settles it; the parcel may arrive first.
        options.push(...settlingOptions(sim, step, request));
        if (order.status === "SHIPPED") {
          options.push([3, () => deliveryEvent(sim, step, sim.now, SYSTEM)]);
        }
      } else {
        // The refund function takes the call's lease, then records the provider's answer; while
        // the call runs, the carrier's delivery may race it.
        options.push(...refundCallOptions(sim, step, request));
        if (leaseRuns(request, sim.now) && order.status === "SHIPPED") {
          options.push([4, () => deliveryEvent(sim, step, sim.now, SYSTEM)]);
        }
      }
      break;
    }
    case "REFUND_FAILED": {
      // The app asks the provider about a key that was not declined (a declined one was not paid).
      const declined = request.refund?.declined === true;
      const refundMade = declined ? false : step.refundMade;
      // An operator retries as is or to gift balance; the system falls back after a decline.
      const operatorMethod: RefundMethod | undefined =
        step.method % 3 === 0 ? undefined : "GIFT_CARD";
      const systemMethod = declined ? request.policy.refundFallbackMethod : undefined;
      const retry = (actor: string, method: RefundMethod | undefined): DomainEvent => ({
        type: "RETRY_REFUND",
        actor,
        requestId,
        refundMade,
        ...(method === undefined ? {} : { method }),
      });
      options.push(
        [10, () => retry(OPERATOR, operatorMethod)],
        [5, () => retry(SYSTEM, systemMethod)],
        // The parcel may arrive while the refund waits for an operator.
        [3, () => deliveryEvent(sim, step, sim.now, SYSTEM)],
      );
      // A Stripe refund recorded failed because its answers were lost: the provider's word on it.
      const key = request.refund?.refundId;
      if (key && request.refund?.provider === "stripe" && !declined) {
        const status = step.word % 3 === 0 ? "failed" : "succeeded";
        options.push([
          8,
          () => providerWord(sim, requestId, key, providerAnswer(key, status, step), false),
        ]);
      }
      break;
    }
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
      return requestEvent(sim, step, step.decision ? undefined : used, actor, step.declined);
    }
    case "SELLER_DECIDE":
    case "OPERATOR_DECIDE":
      return step.decision
        ? { type: step.type, actor, requestId, decision: "APPROVE" }
        : { type: step.type, actor, requestId, decision: "REJECT", reason: "noise" };
    case "RETRY_REFUND": {
      const methods = [...RETRY_METHODS, specRefundMethod(sim.record.order.payment.method)];
      const method = methods[step.method % methods.length];
      return {
        type: "RETRY_REFUND",
        actor,
        requestId,
        refundMade: step.refundMade,
        ...(method === undefined ? {} : { method }),
      };
    }
    case "WITHDRAW":
      return { type: step.type, actor, requestId };
    case "REFUND_FAILED":
      return { type: step.type, requestId, error: "noise", declined: step.declined };
    case "REFUND_AWAITED":
      return {
        type: step.type,
        requestId,
        answer: providerAnswer(`rf-${requestId}`, "pending", step),
      };
    case "PROVIDER_REFUND_UPDATE": {
      // Any word about any key: the request's current or an older one, or one it never had.
      const keys = [...(sim.keys.get(requestId) ?? []), `rf-${requestId}`, "rf-unknown"];
      const key = keys[step.stale % keys.length] ?? "rf-unknown";
      const status = PROVIDER_STATUSES[step.word % PROVIDER_STATUSES.length] ?? "pending";
      return {
        type: step.type,
        actor,
        requestId,
        refundId: key,
        answer: providerAnswer(key, status, step),
        asked: step.decision,
      };
    }
    case "SHIP":
      return {
        type: "SHIP",
        actor,
        shipment: { carrier: "Noise", trackingNumber: "0", shippedAt: sim.now },
      };
    case "DELIVER":
      return deliveryEvent(
        sim,
        step,
        addSeconds(sim.now, step.deliveryOffset),
        actor,
        step.decision,
      );
    default:
      return { type: step.type, requestId } as DomainEvent;
  }
};

const chooseEvent = (sim: Sim, step: Step): DomainEvent => {
  if (sim.lastEvent && step.noise >= 100 - REPLAY_PERCENT) {
    const last = sim.lastEvent;
    // The app asks the provider afresh on every attempt of a delivery.
    if (last.type === "DELIVER") {
      return deliveryEvent(sim, step, last.deliveredAt, last.actor, last.refundMade !== undefined);
    }
    return last;
  }
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

/** Whether a provider call under the request's refund may still land at `now`. */
export const leaseRuns = (request: CancellationRequest, now: string): boolean => {
  const started = request.refund?.callStartedAt;
  return !!started && Date.parse(now) < Date.parse(started) + LEASE_SECONDS * 1000;
};

/** One step of a simulation, as `transition` decided it. */
export interface SimStep {
  index: number;
  /** The record the event was decided on. */
  prev: OrderRecord;
  event: DomainEvent;
  now: string;
  /** An accepted step's record is deeply frozen. */
  result: TransitionResult;
}

/**
 * Runs a scenario through `transition`, handing every step to `visit` before the simulation moves
 * on (to the step's record if it was accepted). A visitor's error gets the steps so far appended.
 */
export const simulate = (scenario: Scenario, visit?: (sim: Sim, step: SimStep) => void): Sim => {
  const sim = newSim(scenario);
  for (const [index, step] of scenario.steps.entries()) {
    // A refund call takes seconds: what follows its lease comes within or just after it.
    const started = sim.lastEvent?.type === "START_REFUND_CALL" && sim.log.at(-1)?.endsWith("ok");
    sim.now = addSeconds(sim.now, started ? step.callSeconds : step.gap);
    const event = chooseEvent(sim, step);
    sim.lastEvent = event;
    const prev = sim.record;
    const result = transition(prev, event, sim.now);
    const summary = `#${index} ${sim.now} ${JSON.stringify({ ...event, policy: undefined })}`;
    sim.log.push(`${summary} → ${result.ok ? "ok" : result.error.code}`);
    if (result.ok) {
      deepFreeze(result.record);
      if (event.type === "DELIVER") sim.deliveryProcessedAt = sim.now;
    }
    try {
      visit?.(sim, { index, prev, event, now: sim.now, result });
    } catch (error) {
      if (error instanceof Error) error.message += `\nafter:\n${sim.log.join("\n")}`;
      throw error;
    }
    if (!result.ok) continue;
    sim.record = result.record;
    for (const request of Object.values(sim.record.requests)) {
      sim.reached.add(request.status);
      const key = request.refund?.refundId;
      const keys = sim.keys.get(request.requestId) ?? [];
      if (key && keys.at(-1) !== key) sim.keys.set(request.requestId, [...keys, key]);
    }
  }
  return sim;
};
