// POST /webhooks/stripe: Stripe → the signature checked on the raw body before anything else → the
// refund it is about, asked of Stripe as it is now → PROVIDER_REFUND_UPDATE (one conditional write)
// → a completed request whose refund needs the workflow again gets an execution → 200.
import Stripe from "stripe";
import { metrics } from "../adapters/powertools.ts";
import {
  basics,
  executionRecords,
  executions,
  orders,
  payments,
  signals,
} from "../adapters/production.ts";
import { stripeAccount } from "../adapters/stripe-account.ts";
import { REFUND_EVENT_TYPES, refundRefOf } from "../adapters/stripe-payments.ts";
import { type ChangeDeps, changeOrder } from "../app/change-order.ts";
import type { ExecutionRecords, Metrics, Payments, WorkflowExecutions } from "../app/ports.ts";
import { resumeCompletedRefund } from "../app/reconcile.ts";
import { providerRefundEvent } from "../app/refunds.ts";
import { DomainError } from "../domain/events.ts";
import * as z from "../domain/zod.ts";
import { httpHandler } from "./middleware.ts";
import { validationFailed } from "./problems.ts";
import { stripeWebhookRoute } from "./routes.ts";

/** How old a signature may be (Stripe's own default): a replayed old event is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type WebhookDeps = ChangeDeps & {
  payments: Payments;
  /** The endpoint's signing secret; undefined where no Stripe account is configured. */
  webhookSecret: () => Promise<string | undefined>;
  executions: WorkflowExecutions;
  executionRecords: ExecutionRecords;
  metrics: Metrics;
};

const headersSchema = z.object({ "stripe-signature": z.optional(z.string()) });

const badSignature = () =>
  validationFailed("the webhook's signature is missing, wrong or too old", [
    { path: "headers.stripe-signature", message: "is not a valid signature of this body" },
  ]);

/** The event, once its signature proves it is Stripe's and recent; 400 otherwise. */
const verified = (rawBody: string, signature: string | undefined, secret: string | undefined) => {
  if (!signature || !secret) throw badSignature();
  try {
    return Stripe.webhooks.constructEvent(rawBody, signature, secret, SIGNATURE_TOLERANCE_SECONDS);
  } catch {
    throw badSignature();
  }
};

const received = { status: 200, body: { received: true } };

export const createHandler = httpHandler(
  stripeWebhookRoute,
  { rawBody: true, headers: headersSchema },
  async ({ rawBody, headers }, deps: WebhookDeps) => {
    const event = verified(rawBody, headers["stripe-signature"], await deps.webhookSecret());
    const keys = REFUND_EVENT_TYPES.includes(event.type)
      ? refundRefOf(event.data.object)
      : undefined;
    if (!keys) return received;
    const { orderId, requestId, refundId } = keys;
    const source = providerRefundEvent(deps.payments, "stripe", requestId, {
      asked: false,
      refundId,
    });
    let changed: Awaited<ReturnType<typeof changeOrder>>;
    try {
      changed = await changeOrder(deps, orderId, source);
    } catch (error) {
      // Seen already, out of order, or about a refund (or order) this service does not know.
      if (error instanceof DomainError && error.code !== "REFUND_IN_FLIGHT") return received;
      throw error;
    }
    // A completed request's refund reversed by the provider waits for an operator in an
    // execution of its own: its earlier one has ended.
    await resumeCompletedRefund(deps, changed.stored, requestId);
    return received;
  },
);

export const handler = createHandler(() => ({
  ...basics,
  orders: orders(),
  signals: signals(),
  payments: payments(),
  executions: executions(),
  executionRecords: executionRecords(),
  metrics,
  webhookSecret: async () => (await stripeAccount())?.webhookSecret,
}));
