// RFC 9457 problem details: every error the API answers, and the one mapping from thrown errors.
// The codes and their statuses are the domain's list (domain/codes.ts PROBLEM_CODES).
import { ConflictError, InvalidCursorError } from "../app/errors.ts";
import { PROBLEM_CODES, type ProblemCode } from "../domain/codes.ts";
import { DomainError } from "../domain/events.ts";

export type { ProblemCode };

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  errors?: FieldError[];
  /** For 503: seconds after which the same call may be repeated (sent as `Retry-After`). */
  retryAfter?: number;
}

/** What a client waits before repeating a call that an AWS fault stopped. */
export const DEFAULT_RETRY_AFTER_SECONDS = 2;

/**
 * An AWS service fault that outlasted the SDK's own retries: throttling, a 5xx, a timeout or a
 * network error. The SDK marks service errors with `$metadata`/`$fault`; network and timeout
 * errors carry their well-known names.
 */
export const isAwsFault = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false;
  const fault = (error as { $fault?: string }).$fault;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (fault === "server" || (status !== undefined && status >= 500)) return true;
  return [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "LimitExceededException",
    "TransactionConflictException",
    "TimeoutError",
    "RequestTimeout",
    "RequestTimeoutException",
    "NetworkingError",
    "ECONNRESET",
    "ECONNREFUSED",
    "EPIPE",
    "ETIMEDOUT",
  ].includes(error.name);
};

const TITLE: Record<ProblemCode, string> = {
  VALIDATION_FAILED: "The request is not valid",
  UNAUTHORIZED: "Authentication is required",
  FORBIDDEN: "This route is not open to the caller's role",
  NOT_FOUND: "No such resource",
  NOT_SHIPPED: "The order has not been shipped",
  RETURN_REQUIRED: "The order was delivered: start a return instead",
  WINDOW_CLOSED: "The cancellation window has closed",
  ACTIVE_REQUEST_EXISTS: "The order already has a cancellation request in progress",
  INVALID_STATE: "The resource is not in a state that allows this",
  ORDER_CONFLICT: "An order with this id exists with other content",
  IDEMPOTENCY_KEY_MISMATCH: "The Idempotency-Key was used with another body",
  NOTHING_TO_CANCEL: "Every unit of the order is already cancelled",
  PARTIAL_NOT_SUPPORTED: "This order can only be cancelled as a whole",
  PAYLOAD_TOO_LARGE: "The body is too large",
  UNAVAILABLE: "A service is unavailable: nothing was changed, try again",
  INTERNAL_ERROR: "Internal server error",
};

/**
 * Problem types are tag URIs (RFC 4151): stable identifiers that promise no documentation page.
 * Clients branch on `code`; `type` carries the same meaning in RFC 9457's own terms.
 */
export const problemType = (code: ProblemCode): string =>
  `tag:shipped-cancellation,2026:problems/${code.toLowerCase().replaceAll("_", "-")}`;

/** An error the HTTP layer answers as-is (thrown by middlewares and handlers). */
export class HttpProblem extends Error {
  readonly status: number;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
    this.name = "HttpProblem";
    this.status = PROBLEM_CODES[code];
  }
}

export const validationFailed = (detail: string, errors?: FieldError[]): HttpProblem =>
  new HttpProblem("VALIDATION_FAILED", detail, errors);

/** A body sent without `content-type: application/json` (the API's routes and local mode's). */
export const jsonContentTypeRequired = (): HttpProblem =>
  validationFailed("a body must be JSON with content-type application/json", [
    { path: "headers.content-type", message: "must be application/json" },
  ]);

const problem = (
  code: ProblemCode,
  detail: string,
  errors?: FieldError[],
  retryAfter?: number,
): Problem => ({
  type: problemType(code),
  title: TITLE[code],
  status: PROBLEM_CODES[code],
  detail,
  code,
  ...(errors === undefined ? {} : { errors }),
  ...(retryAfter === undefined ? {} : { retryAfter }),
});

/** The caller's side of an error, or undefined for failures that are ours (answered as 500). */
export const toProblem = (error: unknown): Problem | undefined => {
  if (error instanceof HttpProblem) return problem(error.code, error.detail, error.errors);
  if (error instanceof DomainError) {
    if (error.code === "REFUND_IN_FLIGHT") {
      return problem("UNAVAILABLE", error.message, undefined, error.details.retryAfterSeconds);
    }
    const { field } = error.details;
    const errors = field ? [{ path: field, message: error.message }] : undefined;
    return problem(error.code, error.message, errors);
  }
  if (error instanceof InvalidCursorError) {
    return problem("VALIDATION_FAILED", "the cursor is not valid for this list", [
      { path: "query.cursor", message: "is not a cursor this list issued" },
    ]);
  }
  // applyEvent re-decides a lost race on fresh data; only a persistent race gets here.
  if (error instanceof ConflictError) {
    return problem("INVALID_STATE", "the resource changed concurrently; read it again and retry");
  }
  // Nothing was half-written (every change is one conditional write): the call may be repeated.
  if (isAwsFault(error) || (error as { retryable?: unknown } | null)?.retryable === true) {
    return problem(
      "UNAVAILABLE",
      "a service the API depends on is unavailable; nothing was changed, try again shortly",
      undefined,
      DEFAULT_RETRY_AFTER_SECONDS,
    );
  }
  return undefined;
};

/** What a failure of ours tells the caller: nothing about the cause. */
export const internalError = (): Problem =>
  problem("INTERNAL_ERROR", "an unexpected error occurred; try again later");
