// Stripe's errors, sorted deliberately for the refund segment: a transient failure is thrown so the
// workflow retries the call under the same key; a permanent refusal is a RefundDeclinedError (the
// refund fails for good); a key reused with other parameters or a refused secret key is a bug or a
// misconfiguration with a name of its own. Every error thrown here carries only what the adapter
// wrote: Stripe's name for the failure, its code, HTTP status and request id. Never Stripe's message
// (it can quote a key's end, amounts or ids), the SDK's error as `cause` (its `raw` holds the answer)
// or the request's parameters.
import Stripe from "stripe";
import { RefundDeclinedError } from "../app/errors.ts";

/** What an adapter error tells about the failed Stripe call. */
export interface StripeFailure {
  /** The SDK's class for it (`StripeRateLimitError`, …). */
  readonly stripeType: string;
  /** Stripe's error code (`rate_limit`, `amount_too_large`, …), when it gave one. */
  readonly code?: string;
  readonly statusCode?: number;
  /** Stripe's `req_…` id, for Stripe's support. */
  readonly stripeRequestId?: string;
}

const describe = (operation: string, failure: StripeFailure): string =>
  [
    `Stripe ${operation}: ${failure.stripeType}`,
    failure.statusCode === undefined ? "" : ` ${failure.statusCode}`,
    failure.code === undefined ? "" : ` ${failure.code}`,
    failure.stripeRequestId === undefined ? "" : ` (${failure.stripeRequestId})`,
  ].join("");

/** An error about a failed Stripe call, holding only what the adapter wrote of it. */
abstract class StripeCallError extends Error implements StripeFailure {
  readonly stripeType: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly stripeRequestId?: string;
  constructor(operation: string, failure: StripeFailure) {
    super(describe(operation, failure));
    Object.assign(this, failure);
    this.stripeType = failure.stripeType;
  }
}

/** Stripe was throttled, down or unreachable, or the key is busy: the same call may succeed later. */
export class PaymentProviderUnavailableError extends StripeCallError {
  override readonly name = "PaymentProviderUnavailable";
  readonly retryable = true;
}

/** Stripe refused the refund for good (already refunded, too large, no such PaymentIntent, …). */
export class StripeRefundDeclinedError extends RefundDeclinedError implements StripeFailure {
  readonly stripeType: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly stripeRequestId?: string;
  constructor(operation: string, failure: StripeFailure) {
    super(describe(operation, failure));
    Object.assign(this, failure);
    this.stripeType = failure.stripeType;
  }
}

/**
 * The refund's key was used before with other parameters (another amount, PaymentIntent or
 * metadata): a bug in whoever derived the key, never retried into a second refund.
 */
export class RefundKeyReusedError extends StripeCallError {
  override readonly name = "RefundKeyReused";
}

/**
 * Anything else Stripe refused: the secret key (401/403), a parameter the adapter should not have
 * sent, a code not sorted above. Not a decline (the refund may still be owed), not worth retrying
 * as is: an operator looks.
 */
export class PaymentProviderRefusedError extends StripeCallError {
  override readonly name = "PaymentProviderRefused";
}

/** Refusals of a refund that no retry under the same key changes. */
const DECLINED_CODES = new Set([
  "charge_already_refunded",
  "amount_too_large",
  "payment_intent_unexpected_state",
  "charge_disputed",
]);

const isDeclined = (error: Stripe.errors.StripeError): boolean => {
  const code = error.code ?? "";
  if (DECLINED_CODES.has(code) || code.startsWith("parameter_invalid_")) return true;
  // The PaymentIntent (or its charge) does not exist: no refund can ever be made on it.
  return (
    code === "resource_missing" && (error.param === "payment_intent" || error.param === "charge")
  );
};

const failureOf = (error: Stripe.errors.StripeError): StripeFailure => ({
  stripeType: error.type,
  ...(error.code ? { code: error.code } : {}),
  ...(typeof error.statusCode === "number" ? { statusCode: error.statusCode } : {}),
  ...(error.requestId ? { stripeRequestId: error.requestId } : {}),
});

/**
 * The adapter's error for what a Stripe call threw. Errors that are not Stripe's (a bug of ours,
 * the PaymentIntent lookup failing) pass through as they are.
 */
export const stripeCallError = (operation: string, error: unknown): unknown => {
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  const failure = failureOf(error);
  if (
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeConnectionError ||
    // Another request is still running under the same key (409): it will finish.
    error.code === "idempotency_key_in_use" ||
    error.code === "lock_timeout" ||
    (typeof error.statusCode === "number" && (error.statusCode >= 500 || error.statusCode === 409))
  ) {
    return new PaymentProviderUnavailableError(operation, failure);
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    return new RefundKeyReusedError(operation, failure);
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError && isDeclined(error)) {
    return new StripeRefundDeclinedError(operation, failure);
  }
  return new PaymentProviderRefusedError(operation, failure);
};
