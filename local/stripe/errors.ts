// Stripe's v1 error answers: `{ "error": { "type", "code"?, "message", "param"? } }` with the HTTP
// status the SDK turns into its error classes (400/404 StripeInvalidRequestError, or
// StripeIdempotencyError for type `idempotency_error`; 401 StripeAuthenticationError; 429
// StripeRateLimitError; 5xx StripeAPIError).

export type StripeErrorType = "api_error" | "idempotency_error" | "invalid_request_error";

export interface StripeErrorBody {
  error: { type: StripeErrorType; code?: string; message: string; param?: string };
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly details: {
      code?: string;
      param?: string;
      /**
       * Whether an idempotency key keeps this answer. Stripe keeps an answer once the endpoint has
       * started (a refusal on the account's state, a missing object); a request refused before
       * that (its parameters, its key, a rate limit) can be sent again under the same key.
       */
      kept?: boolean;
    } = {},
  ) {
    super(message);
  }

  get kept(): boolean {
    return this.details.kept ?? false;
  }

  toBody(): StripeErrorBody {
    return {
      error: {
        type: this.type,
        ...(this.details.code === undefined ? {} : { code: this.details.code }),
        message: this.message,
        ...(this.details.param === undefined ? {} : { param: this.details.param }),
      },
    };
  }
}

/** A parameter Stripe refuses before the endpoint runs (not kept under an idempotency key). */
export const invalidParameter = (param: string, message: string, code = "parameter_invalid") =>
  new StripeApiError(400, "invalid_request_error", message, { code, param });

export const missingParameter = (param: string) =>
  new StripeApiError(400, "invalid_request_error", `Missing required param: ${param}.`, {
    code: "parameter_missing",
    param,
  });

export const unknownParameter = (param: string) =>
  new StripeApiError(400, "invalid_request_error", `Received unknown parameter: ${param}`, {
    code: "parameter_unknown",
    param,
  });

/**
 * An object that does not exist: 404 for the one the URL names, 400 for one a parameter names
 * (both StripeInvalidRequestError in the SDK).
 */
export const resourceMissing = (kind: string, id: string, param: string, status: 400 | 404) =>
  new StripeApiError(status, "invalid_request_error", `No such ${kind}: '${id}'`, {
    code: "resource_missing",
    param,
    kept: true,
  });

/** A refusal on the account's state (an over-refund, a PaymentIntent in the wrong status). */
export const stateRefusal = (code: string, message: string, param?: string) =>
  new StripeApiError(400, "invalid_request_error", message, {
    code,
    ...(param === undefined ? {} : { param }),
    kept: true,
  });
