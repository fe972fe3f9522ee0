// The payment port on Stripe (issue 19, item 1): refunds of an order's PaymentIntent through the
// official `stripe` package, made once under an idempotency key derived from the refund's own key,
// and found again by their metadata once Stripe has forgotten the key (after 24 hours).
//
// Not wired yet, on purpose: no handler and not functions/adapters/production.ts import it. The
// port's instruction does not carry the order's PaymentIntent, and this port answers a refund as
// made on Stripe's first answer, while Stripe refunds can be `pending` or fail days after
// `succeeded`. The session that adds `payment.provider`/`reference` on import and asynchronous
// refunds (REFUND_PENDING, webhooks, `refundStatus` below) wires it; wiring it before would ship
// "marked refunded on the first answer, never listened again".
import Stripe from "stripe";
import { RefundDeclinedError } from "../app/errors.ts";
import type { Payments, RefundInstruction, RefundReceipt } from "../app/ports.ts";
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

export interface StripePaymentsOptions {
  /** A client, or what to make one of. */
  stripe: Stripe | StripeClientOptions;
  /** The PaymentIntent (`pi_…`) the order of a refund was paid with. */
  paymentIntentOf: (instruction: RefundInstruction) => string | Promise<string>;
  /**
   * The PaymentIntent a refund key belongs to (the order's), for `lookup`: the port names only
   * the key. Undefined when the key's order is unknown (then no refund was made under it).
   */
  paymentIntentOfRefund: (refundId: string) => string | undefined | Promise<string | undefined>;
}

/** What Stripe says of a refund now (not on the port yet: asynchronous refunds will read it). */
export interface StripeRefundStatus {
  /** `re_…` */
  providerReference: string;
  /** `pending`, `succeeded`, `failed`, `canceled` or `requires_action`. */
  status: string;
  /** Why it failed (`expired_or_canceled_card`, `lost_or_stolen_card`, …), once it did. */
  failureReason?: string;
  /** The acquirer reference number the buyer's bank can trace, once Stripe has it. */
  reference?: string;
}

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

  constructor(private readonly options: StripePaymentsOptions) {
    this.stripe = clientOf(options.stripe);
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
    const paymentIntent = await this.options.paymentIntentOf(instruction);
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
      return { refundId, providerReference: made.id, replayed: true };
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
    return {
      refundId,
      providerReference: refund.id,
      replayed: refund.lastResponse.headers["idempotent-replayed"] === "true",
    };
  }

  async lookup(refundId: string): Promise<RefundReceipt | undefined> {
    const refund = await this.findByKey(refundId);
    return refund ? { refundId, providerReference: refund.id, replayed: true } : undefined;
  }

  /** Stripe's word on the refund made under `refundId`, or undefined when none was made. */
  async refundStatus(refundId: string): Promise<StripeRefundStatus | undefined> {
    const refund = await this.findByKey(refundId);
    if (!refund) return undefined;
    const reference = refund.destination_details?.card?.reference;
    return {
      providerReference: refund.id,
      status: refund.status ?? "pending",
      ...(refund.failure_reason ? { failureReason: refund.failure_reason } : {}),
      ...(reference ? { reference } : {}),
    };
  }

  /** The refund made under `refundId`, wherever the key's order was paid. */
  private async findByKey(refundId: string): Promise<Stripe.Refund | undefined> {
    const paymentIntent = await this.options.paymentIntentOfRefund(refundId);
    if (paymentIntent === undefined) return undefined;
    try {
      return await this.find(paymentIntent, refundId);
    } catch (error) {
      // No such PaymentIntent on this account: nothing was refunded on it.
      if (error instanceof StripeRefundDeclinedError && error.code === "resource_missing") {
        return undefined;
      }
      throw error;
    }
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
