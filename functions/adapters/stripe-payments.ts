// The payment port on Stripe: refunds of an order's PaymentIntent through the official `stripe`
// package, made once under an idempotency key derived from the refund's own key, and found again
// by their metadata once Stripe has forgotten the key (after 24 hours). Every answer carries
// Stripe's status: a refund can be `pending`, and one that `succeeded` can fail days later (the
// webhook route and the reconciler ask again with `lookup`).
import Stripe from "stripe";
import { RefundDeclinedError } from "../app/errors.ts";
import type {
  Payments,
  RefundInstruction,
  RefundKey,
  RefundReceipt,
  RefundRef,
} from "../app/ports.ts";
import type { ProviderRefundStatus } from "../domain/types.ts";
import {
  RefundKeyReusedError,
  StripeRefundDeclinedError,
  stripeCallError,
} from "./stripe-errors.ts";

/** How to reach Stripe: the real API, or the stand-in of local mode (host, port, `http`). */
export interface StripeClientOptions {
  secretKey: string;
  host?: string;
  port?: number;
  protocol?: "http" | "https";
  /** The SDK's own retries of a call (same idempotency key); its default when absent. */
  maxNetworkRetries?: number;
  timeoutMs?: number;
}

const STATUSES: readonly string[] = [
  "pending",
  "requires_action",
  "succeeded",
  "failed",
  "canceled",
] satisfies ProviderRefundStatus[];

/** A refund as the port reports it: Stripe's status, failure reason and the card's reference. */
const receiptOf = (refundId: string, refund: Stripe.Refund, replayed: boolean): RefundReceipt => {
  const reference = refund.destination_details?.card?.reference;
  // A status this code does not know yet is treated as still on its way, never as paid.
  const status = (
    STATUSES.includes(refund.status ?? "") ? refund.status : "pending"
  ) as ProviderRefundStatus;
  return {
    refundId,
    providerReference: refund.id,
    status,
    replayed,
    ...(refund.failure_reason ? { failureReason: refund.failure_reason } : {}),
    ...(reference ? { reference } : {}),
  };
};

/** Stripe's events about refunds: the webhook route and the reconciler read these alike. */
export const REFUND_EVENT_TYPES: readonly string[] = [
  "charge.refund.updated",
  "refund.updated",
  "refund.failed",
  "refund.created",
];

/** The service's keys of the refund an event's object is, from its metadata; else undefined. */
export const refundRefOf = (object: unknown): RefundRef | undefined => {
  const { object: kind, metadata } = (object ?? {}) as {
    object?: unknown;
    metadata?: Record<string, unknown>;
  };
  if (kind !== "refund" || !metadata) return undefined;
  const { orderId, requestId, refundId } = metadata;
  return typeof orderId === "string" &&
    typeof requestId === "string" &&
    typeof refundId === "string"
    ? { orderId, requestId, refundId }
    : undefined;
};

/** The PaymentIntent of a refund's order: Stripe refunds are made against it. */
const paymentIntentOf = (key: RefundKey): string => {
  if (!key.paymentReference) {
    throw new RefundDeclinedError(`refund ${key.refundId}: the order names no PaymentIntent`);
  }
  return key.paymentReference;
};

/** The Idempotency-Key of a refund: the refund's own key, so every attempt sends the same one. */
export const idempotencyKeyOf = (refundId: string): string => `refund:${refundId}`;

/** Stripe's currencies are lower case; both of ours (JPY zero-decimal, USD in cents) are as is. */
const stripeCurrency = (currency: string): string => currency.toLowerCase();

const clientOf = (stripe: Stripe | StripeClientOptions): Stripe => {
  if (stripe instanceof Stripe) return stripe;
  const { secretKey, host, port, protocol, maxNetworkRetries, timeoutMs } = stripe;
  return new Stripe(secretKey, {
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(protocol === undefined ? {} : { protocol }),
    ...(maxNetworkRetries === undefined ? {} : { maxNetworkRetries }),
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
    // No telemetry header about earlier calls: nothing leaves but the call itself.
    telemetry: false,
  });
};

export class StripePayments implements Payments {
  private readonly stripe: Stripe;

  constructor(stripe: Stripe | StripeClientOptions) {
    this.stripe = clientOf(stripe);
  }

  async refund(instruction: RefundInstruction): Promise<RefundReceipt> {
    const { refundId, orderId, requestId, amount, currency } = instruction;
    // The domain's amounts are integers in the currency's minor unit (domain/amounts.ts): yen for
    // JPY, which Stripe takes as zero-decimal, and cents for USD: sent as they are.
    if (!Number.isSafeInteger(amount) || amount <= 0) {
      throw new RefundDeclinedError(
        `refund ${refundId}: amount is not a positive minor-unit integer`,
      );
    }
    // Gift balance and points are the marketplace's own money, not the card's: never Stripe's.
    if (instruction.method !== "CARD") {
      throw new RefundDeclinedError(`refund ${refundId}: Stripe refunds only to the card`);
    }
    const paymentIntent = paymentIntentOf(instruction);
    // A key Stripe has forgotten (a retry more than 24 hours later) would pay again: look first.
    const made = await this.find(paymentIntent, refundId);
    if (made) {
      // The same key with other terms is a bug upstream: never answered as this refund's receipt.
      if (made.amount !== amount || made.currency !== stripeCurrency(currency)) {
        throw new RefundKeyReusedError("refunds.list", {
          stripeType: "MetadataMismatch",
          code: "refund_terms_differ",
        });
      }
      return receiptOf(refundId, made, true);
    }
    const intent = await this.call("paymentIntents.retrieve", () =>
      this.stripe.paymentIntents.retrieve(paymentIntent),
    );
    // The amount means yen or cents by the currency: refunding in another one would be wrong money.
    if (intent.currency !== stripeCurrency(currency)) {
      throw new RefundDeclinedError(`refund ${refundId}: the PaymentIntent is in another currency`);
    }
    const refund = await this.call("refunds.create", () =>
      this.stripe.refunds.create(
        { payment_intent: paymentIntent, amount, metadata: { orderId, requestId, refundId } },
        { idempotencyKey: idempotencyKeyOf(refundId) },
      ),
    );
    return receiptOf(
      refundId,
      refund,
      refund.lastResponse.headers["idempotent-replayed"] === "true",
    );
  }

  async lookup(key: RefundKey): Promise<RefundReceipt | undefined> {
    if (!key.paymentReference) return undefined;
    try {
      const refund = await this.find(key.paymentReference, key.refundId);
      return refund ? receiptOf(key.refundId, refund, true) : undefined;
    } catch (error) {
      // No such PaymentIntent on this account: nothing was refunded on it.
      if (error instanceof StripeRefundDeclinedError && error.code === "resource_missing") {
        return undefined;
      }
      throw error;
    }
  }

  async refundsChangedSince(since: string): Promise<RefundRef[]> {
    const after = Math.floor(Date.parse(since) / 1000);
    const refs = new Map<string, RefundRef>();
    // Newest first: each list stops at the first event older than `since`. `charge.refund.*` and
    // `refund.*` tell of the same changes; both are read, as the webhook reads either.
    for (const type of ["charge.refund.updated", "refund.*"]) {
      await this.call("events.list", async () => {
        for await (const event of this.stripe.events.list({ type, limit: 100 })) {
          if (event.created < after) break;
          if (!REFUND_EVENT_TYPES.includes(event.type)) continue;
          const ref = refundRefOf(event.data.object);
          if (ref) refs.set(ref.refundId, ref);
        }
      });
    }
    return [...refs.values()];
  }

  /** The refund of `paymentIntent` made under `refundId` (its metadata), newest first. */
  private async find(paymentIntent: string, refundId: string): Promise<Stripe.Refund | undefined> {
    return this.call("refunds.list", async () => {
      for await (const refund of this.stripe.refunds.list({
        payment_intent: paymentIntent,
        limit: 100,
      })) {
        if (refund.metadata?.refundId === refundId) return refund;
      }
      return undefined;
    });
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw stripeCallError(operation, error);
    }
  }
}
