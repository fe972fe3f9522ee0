// The Stripe account the stand-in keeps: PaymentIntents paid with Stripe's test payment methods,
// their refunds and the events they raise, shaped as the SDK's own types (`Stripe.Refund`, …).
// Refunds behave as Stripe's test cards make them: `pm_card_visa` refunds succeed and later get
// the acquirer reference number; `pm_card_refundFail` refunds succeed, then fail a moment later
// (money back on the balance, `charge.refund.updated`); a refund made `pending` (the `pending`
// fault) succeeds a few seconds later.
import { randomBytes, randomInt } from "node:crypto";
import Stripe from "stripe";
import { invalidParameter, missingParameter, resourceMissing, stateRefusal } from "./errors.ts";
import type { FormObject } from "./form.ts";
import {
  listLimit,
  onlyParams,
  optionalBoolean,
  optionalMetadata,
  optionalPositiveInteger,
  optionalString,
  requiredCurrency,
} from "./params.ts";

/** Stripe's test PaymentMethods the stand-in accepts, and the card each stands for. */
export const TEST_PAYMENT_METHODS = {
  pm_card_visa: "visa",
  pm_card_refundFail: "refundFail",
} as const;
type TestCard = (typeof TEST_PAYMENT_METHODS)[keyof typeof TEST_PAYMENT_METHODS];

export interface AccountTimings {
  /** A succeeded card refund gets its acquirer reference number after this. */
  referenceMs: number;
  /** A `pm_card_refundFail` refund fails this long after it succeeded. */
  refundFailMs: number;
  /** A refund made `pending` by a fault succeeds after this. */
  pendingMs: number;
}

export const DEFAULT_ACCOUNT_TIMINGS: AccountTimings = {
  referenceMs: 1000,
  refundFailMs: 2000,
  pendingMs: 5000,
};

/** The events the stand-in raises, by type, as the SDK types them. */
interface EventTypes {
  "payment_intent.created": Stripe.PaymentIntentCreatedEvent;
  "payment_intent.succeeded": Stripe.PaymentIntentSucceededEvent;
  "refund.created": Stripe.RefundCreatedEvent;
  "refund.updated": Stripe.RefundUpdatedEvent;
  "refund.failed": Stripe.RefundFailedEvent;
  "charge.refund.updated": Stripe.ChargeRefundUpdatedEvent;
}
export type LocalStripeEvent = EventTypes[keyof EventTypes];

/** The API request behind a change (events name it), or none for Stripe's own later changes. */
export interface RequestInfo {
  id: string | null;
  idempotencyKey: string | null;
}
const NO_REQUEST: RequestInfo = { id: null, idempotencyKey: null };

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** Ids shaped as Stripe's: a prefix and 24 letters and digits. */
export const stripeId = (prefix: string, length = 24): string =>
  `${prefix}_${[...randomBytes(length)].map((byte) => BASE62[byte % 62]).join("")}`;

/** Stripe's smallest charge per currency (in its minor unit); 1 for those not listed. */
const MINIMUM_AMOUNTS: Record<string, number> = { jpy: 50, usd: 50, eur: 50, gbp: 30 };

/** An amount in the currency's minor unit as Stripe's messages write it (¥5,000; $20.00). */
const formatAmount = (amount: number, currency: string): string => {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency });
  return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
};

/** A list object of Stripe's, newest first, paged by `starting_after` / `ending_before`. */
export interface StripeList<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  url: string;
}

const page = <T extends { id: string }>(
  newestFirst: T[],
  params: FormObject,
  url: string,
  kind: string,
): StripeList<T> => {
  const limit = listLimit(params);
  const after = optionalString(params, "starting_after");
  const before = optionalString(params, "ending_before");
  const indexOf = (id: string, param: string) => {
    const index = newestFirst.findIndex((item) => item.id === id);
    if (index < 0) throw resourceMissing(kind, id, param, 400);
    return index;
  };
  if (before !== undefined) {
    const end = indexOf(before, "ending_before");
    const start = Math.max(0, end - limit);
    return { object: "list", data: newestFirst.slice(start, end), has_more: start > 0, url };
  }
  const start = after === undefined ? 0 : indexOf(after, "starting_after") + 1;
  const data = newestFirst.slice(start, start + limit);
  return { object: "list", data, has_more: start + limit < newestFirst.length, url };
};

const copy = <T>(value: T): T => structuredClone(value);

interface IntentRecord {
  intent: Stripe.PaymentIntent;
  card?: TestCard;
}

interface RefundRecord {
  refund: Stripe.Refund;
  card: TestCard;
}

export class StripeAccount {
  private readonly intents = new Map<string, IntentRecord>();
  /** Charge id → PaymentIntent id (a refund may name either). */
  private readonly charges = new Map<string, string>();
  /** In creation order. */
  private readonly refunds: RefundRecord[] = [];
  private readonly events: LocalStripeEvent[] = [];
  /** Changes still to come (settlements, failures, references), with the PaymentIntent of each. */
  private readonly timers = new Map<NodeJS.Timeout, string>();

  constructor(
    private readonly options: {
      now: () => number;
      timings: AccountTimings;
      /** Told of each event as it is raised (the webhook endpoint's delivery). */
      onEvent: (event: LocalStripeEvent) => void;
      /** How many webhook endpoints will be sent each event (`pending_webhooks`). */
      webhookEndpoints: () => number;
    },
  ) {}

  private seconds(): number {
    return Math.floor(this.options.now() / 1000);
  }

  // ---- PaymentIntents ------------------------------------------------------------------------

  createPaymentIntent(params: FormObject, request: RequestInfo): Stripe.PaymentIntent {
    onlyParams(params, [
      "amount",
      "currency",
      "confirm",
      "payment_method",
      "payment_method_types",
      "automatic_payment_methods",
      "metadata",
      "description",
      "receipt_email",
      "return_url",
      "off_session",
      "capture_method",
      "expand",
    ]);
    const amount = optionalPositiveInteger(params, "amount");
    if (amount === undefined) throw missingParameter("amount");
    const currency = requiredCurrency(params);
    const minimum = MINIMUM_AMOUNTS[currency] ?? 1;
    if (amount < minimum) {
      throw invalidParameter(
        "amount",
        `Amount must be at least ${formatAmount(minimum, currency)} ${currency}`,
        "amount_too_small",
      );
    }
    const captureMethod = optionalString(params, "capture_method") ?? "automatic";
    if (captureMethod !== "automatic") {
      throw invalidParameter(
        "capture_method",
        `capture_method ${captureMethod} is not served by the local stand-in (only automatic)`,
      );
    }
    const confirm = optionalBoolean(params, "confirm") ?? false;
    const paymentMethod = optionalString(params, "payment_method");
    const card = paymentMethod === undefined ? undefined : testCard(paymentMethod);
    const id = stripeId("pi");
    const intent: Stripe.PaymentIntent = {
      id,
      object: "payment_intent",
      allowed_payment_method_types: null,
      amount,
      amount_capturable: 0,
      amount_received: 0,
      application: null,
      application_fee_amount: null,
      automatic_payment_methods: { enabled: true },
      canceled_at: null,
      cancellation_reason: null,
      capture_method: "automatic",
      client_secret: `${id}_secret_${stripeId("x").slice(2)}`,
      confirmation_method: "automatic",
      created: this.seconds(),
      currency,
      customer: null,
      customer_account: null,
      description: optionalString(params, "description") ?? null,
      excluded_payment_method_types: null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      managed_payments: null,
      metadata: optionalMetadata(params),
      next_action: null,
      on_behalf_of: null,
      payment_method: card === undefined ? null : stripeId("pm"),
      payment_method_configuration_details: null,
      payment_method_options: null,
      payment_method_types: ["card"],
      payment_record: null,
      processing: null,
      receipt_email: optionalString(params, "receipt_email") ?? null,
      review: null,
      setup_future_usage: null,
      shipping: null,
      source: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: card === undefined ? "requires_payment_method" : "requires_confirmation",
      transfer_group: null,
    };
    const record: IntentRecord = { intent, ...(card === undefined ? {} : { card }) };
    this.intents.set(id, record);
    this.raise("payment_intent.created", intent, request);
    if (confirm) this.confirm(record, request);
    return copy(intent);
  }

  confirmPaymentIntent(id: string, params: FormObject, request: RequestInfo) {
    onlyParams(params, ["payment_method", "return_url", "off_session", "expand"]);
    const paymentMethod = optionalString(params, "payment_method");
    const card = paymentMethod === undefined ? undefined : testCard(paymentMethod);
    const record = this.intentRecord(id, "intent", 404);
    if (record.intent.status === "succeeded") {
      throw stateRefusal(
        "payment_intent_unexpected_state",
        "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.",
      );
    }
    if (card !== undefined) {
      record.card = card;
      record.intent.payment_method = stripeId("pm");
    }
    this.confirm(record, request);
    return copy(record.intent);
  }

  retrievePaymentIntent(id: string): Stripe.PaymentIntent {
    return copy(this.intentRecord(id, "intent", 404).intent);
  }

  /** Every test card charge succeeds at once (no 3-D Secure, automatic capture). */
  private confirm(record: IntentRecord, request: RequestInfo): void {
    if (record.card === undefined) {
      throw stateRefusal(
        "payment_intent_unexpected_state",
        "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
        "payment_method",
      );
    }
    const chargeId = stripeId("ch");
    this.charges.set(chargeId, record.intent.id);
    Object.assign(record.intent, {
      status: "succeeded",
      amount_received: record.intent.amount,
      latest_charge: chargeId,
    } satisfies Partial<Stripe.PaymentIntent>);
    this.raise("payment_intent.succeeded", record.intent, request);
  }

  private intentRecord(id: string, param: string, status: 400 | 404): IntentRecord {
    const record = this.intents.get(id);
    if (!record) throw resourceMissing("payment_intent", id, param, status);
    return record;
  }

  // ---- Refunds -------------------------------------------------------------------------------

  /**
   * `waits` is asked once the refund is made: true leaves it `pending` (a fault), as a bank
   * transfer or a low balance would.
   */
  createRefund(params: FormObject, request: RequestInfo, waits: () => boolean): Stripe.Refund {
    onlyParams(params, ["payment_intent", "charge", "amount", "metadata", "reason", "expand"]);
    const amount = optionalPositiveInteger(params, "amount");
    const metadata = optionalMetadata(params);
    const reason = optionalString(params, "reason");
    if (
      reason !== undefined &&
      !["duplicate", "fraudulent", "requested_by_customer"].includes(reason)
    ) {
      throw invalidParameter("reason", `Invalid reason: ${reason}`);
    }
    const paymentIntentId = optionalString(params, "payment_intent");
    const chargeParam = optionalString(params, "charge");
    if (paymentIntentId === undefined && chargeParam === undefined) {
      throw invalidParameter(
        "payment_intent",
        "One of the following params should be provided for this request: payment_intent or charge.",
        "parameter_missing",
      );
    }
    // From here the endpoint runs: what it answers is kept under an idempotency key.
    const record =
      paymentIntentId !== undefined
        ? this.intentRecord(paymentIntentId, "payment_intent", 400)
        : this.intentRecord(
            this.charges.get(chargeParam ?? "") ??
              throwMissing("charge", chargeParam ?? "", "charge"),
            "charge",
            400,
          );
    const { intent } = record;
    if (intent.status !== "succeeded" || record.card === undefined || !intent.latest_charge) {
      throw stateRefusal(
        "payment_intent_unexpected_state",
        `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
        "payment_intent",
      );
    }
    const chargeId = String(intent.latest_charge);
    const outstanding = this.refunds.filter(
      (other) =>
        other.refund.payment_intent === intent.id &&
        other.refund.status !== "failed" &&
        other.refund.status !== "canceled",
    );
    const refunded = outstanding.reduce((sum, other) => sum + other.refund.amount, 0);
    const left = intent.amount_received - refunded;
    if (left <= 0) {
      throw stateRefusal(
        "charge_already_refunded",
        `Charge ${chargeId} has already been refunded.`,
      );
    }
    const refundAmount = amount ?? left;
    if (refundAmount > left) {
      throw stateRefusal(
        "amount_too_large",
        `Refund amount (${formatAmount(refundAmount, intent.currency)}) is greater than unrefunded amount on charge (${formatAmount(left, intent.currency)})`,
        "amount",
      );
    }
    const pending = waits();
    const refund: Stripe.Refund = {
      id: stripeId("re"),
      object: "refund",
      amount: refundAmount,
      application: null,
      balance_transaction: stripeId("txn"),
      charge: chargeId,
      created: this.seconds(),
      currency: intent.currency,
      customer: null,
      customer_account: null,
      destination_details: {
        type: "card",
        card: { type: pending ? "pending" : "refund", reference_status: "pending" },
      },
      metadata,
      payment_intent: intent.id,
      payment_method: intent.payment_method,
      ...(pending ? { pending_reason: "processing" } : {}),
      reason: (reason as Stripe.Refund.Reason | undefined) ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: pending ? "pending" : "succeeded",
      transfer_reversal: null,
    };
    const created: RefundRecord = { refund, card: record.card };
    this.refunds.push(created);
    this.raise("refund.created", refund, request);
    if (pending) {
      this.later(this.options.timings.pendingMs, intent.id, () => {
        this.update(created, (current) => {
          current.status = "succeeded";
          delete current.pending_reason;
          current.destination_details = {
            type: "card",
            card: { type: "refund", reference_status: "pending" },
          };
        });
        this.afterSuccess(created);
      });
    } else {
      this.afterSuccess(created);
    }
    return copy(refund);
  }

  retrieveRefund(id: string): Stripe.Refund {
    const record = this.refunds.find((candidate) => candidate.refund.id === id);
    if (!record) throw resourceMissing("refund", id, "id", 404);
    return copy(record.refund);
  }

  listRefunds(params: FormObject): StripeList<Stripe.Refund> {
    onlyParams(params, [
      "payment_intent",
      "charge",
      "limit",
      "starting_after",
      "ending_before",
      "expand",
    ]);
    const paymentIntentId = optionalString(params, "payment_intent");
    const chargeId = optionalString(params, "charge");
    if (paymentIntentId !== undefined) this.intentRecord(paymentIntentId, "payment_intent", 400);
    if (chargeId !== undefined && !this.charges.has(chargeId)) {
      throwMissing("charge", chargeId, "charge");
    }
    const matching = this.refunds
      .map(({ refund }) => refund)
      .filter(
        (refund) =>
          (paymentIntentId === undefined || refund.payment_intent === paymentIntentId) &&
          (chargeId === undefined || refund.charge === chargeId),
      )
      .reverse();
    return copy(page(matching, params, "/v1/refunds", "refund"));
  }

  /** What happens to a card refund after it succeeded: its reference, or (refundFail) failure. */
  private afterSuccess(record: RefundRecord): void {
    const { timings } = this.options;
    if (record.card === "refundFail") {
      this.later(timings.refundFailMs, String(record.refund.payment_intent), () => {
        this.update(record, (refund) => {
          refund.status = "failed";
          refund.failure_reason = "expired_or_canceled_card";
          refund.failure_balance_transaction = stripeId("txn");
          refund.destination_details = {
            type: "card",
            card: { type: "refund", reference_status: "unavailable" },
          };
        });
        this.raise("refund.failed", record.refund, NO_REQUEST);
      });
      return;
    }
    this.later(timings.referenceMs, String(record.refund.payment_intent), () => {
      this.update(record, (refund) => {
        refund.destination_details = {
          type: "card",
          card: {
            type: "refund",
            reference:
              String(randomInt(10 ** 11, 10 ** 12)) + String(randomInt(10 ** 10, 10 ** 11)),
            reference_status: "available",
            reference_type: "acquirer_reference_number",
          },
        };
      });
    });
  }

  /** Changes a refund and raises `refund.updated` and `charge.refund.updated`, as Stripe does. */
  private update(record: RefundRecord, change: (refund: Stripe.Refund) => void): void {
    const before = copy(record.refund);
    change(record.refund);
    const previous: Record<string, unknown> = {};
    const keys = new Set([...Object.keys(before), ...Object.keys(record.refund)]);
    for (const key of keys) {
      const was = (before as unknown as Record<string, unknown>)[key];
      const now = (record.refund as unknown as Record<string, unknown>)[key];
      if (JSON.stringify(was) !== JSON.stringify(now)) previous[key] = was ?? null;
    }
    this.raise("refund.updated", record.refund, NO_REQUEST, previous);
    this.raise("charge.refund.updated", record.refund, NO_REQUEST, previous);
  }

  // ---- Events --------------------------------------------------------------------------------

  private raise<T extends keyof EventTypes>(
    type: T,
    object: EventTypes[T]["data"]["object"],
    request: RequestInfo,
    previous?: Record<string, unknown>,
  ): void {
    const event = {
      id: stripeId("evt"),
      object: "event",
      api_version: Stripe.API_VERSION,
      created: this.seconds(),
      data: {
        object: copy(object),
        ...(previous === undefined ? {} : { previous_attributes: copy(previous) }),
      },
      livemode: false,
      pending_webhooks: this.options.webhookEndpoints(),
      request: { id: request.id, idempotency_key: request.idempotencyKey },
      type,
    } as EventTypes[T];
    this.events.push(event);
    this.options.onEvent(event);
  }

  retrieveEvent(id: string): LocalStripeEvent {
    const event = this.events.find((candidate) => candidate.id === id);
    if (!event) throw resourceMissing("event", id, "id", 404);
    return copy(event);
  }

  /** `type` may end in `*` (`refund.*`), as Stripe's filter allows. */
  listEvents(params: FormObject): StripeList<LocalStripeEvent> {
    onlyParams(params, ["type", "limit", "starting_after", "ending_before"]);
    const type = optionalString(params, "type");
    const matches = (candidate: string) =>
      type === undefined ||
      (type.endsWith("*") ? candidate.startsWith(type.slice(0, -1)) : candidate === type);
    const newestFirst = this.events.filter((event) => matches(event.type)).reverse();
    return copy(page(newestFirst, params, "/v1/events", "event"));
  }

  /** Every event raised, oldest first. */
  allEvents(): LocalStripeEvent[] {
    return copy(this.events);
  }

  private later(ms: number, paymentIntent: string, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.timers.set(timer, paymentIntent);
  }

  /** How many changes are still to come to the refunds of `paymentIntent` (or of any). */
  changesToCome(paymentIntent?: string): number {
    return [...this.timers.values()].filter(
      (subject) => paymentIntent === undefined || subject === paymentIntent,
    ).length;
  }

  /** The PaymentIntent a refund or a charge belongs to, when the account has it. */
  paymentIntentOf(kind: "refund" | "charge", id: string): string | undefined {
    if (kind === "charge") return this.charges.get(id);
    const record = this.refunds.find((candidate) => candidate.refund.id === id);
    return record ? String(record.refund.payment_intent) : undefined;
  }

  /** Stops the changes still to come (references, failures, settlements). */
  stop(): void {
    for (const timer of this.timers.keys()) clearTimeout(timer);
    this.timers.clear();
  }
}

const testCard = (paymentMethod: string): TestCard => {
  const card = (TEST_PAYMENT_METHODS as Record<string, TestCard>)[paymentMethod];
  if (card === undefined) {
    throw resourceMissing("PaymentMethod", paymentMethod, "payment_method", 400);
  }
  return card;
};

const throwMissing = (kind: string, id: string, param: string): never => {
  throw resourceMissing(kind, id, param, 400);
};
