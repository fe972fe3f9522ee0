// The two lists that the API, its OpenAPI document, the mail and the web console all name: SPEC's
// cancellation reasons and the API's problem codes. Each is written here once; the others derive
// from it (a Record keyed by its type fails to compile when one is missing). Plain constants with
// no imports, so the console's bundle can import them as they are.

/** SPEC's reasons a buyer gives for cancelling, in the order forms offer them. */
export const CANCELLATION_REASONS = [
  "NO_LONGER_NEEDED",
  "ORDERED_BY_MISTAKE",
  "FOUND_BETTER_PRICE",
  "DELIVERY_TOO_SLOW",
  "WRONG_ITEM_ORDERED",
  "OTHER",
] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

/**
 * The API's problem codes (RFC 9457 documents, `code`: SPEC's error codes plus INTERNAL_ERROR for
 * the failures that are ours, not the caller's), each with the HTTP status it is answered with.
 */
export const PROBLEM_CODES = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NOT_SHIPPED: 409,
  RETURN_REQUIRED: 409,
  WINDOW_CLOSED: 409,
  ACTIVE_REQUEST_EXISTS: 409,
  INVALID_STATE: 409,
  ORDER_CONFLICT: 409,
  IDEMPOTENCY_KEY_MISMATCH: 409,
  NOTHING_TO_CANCEL: 409,
  PARTIAL_NOT_SUPPORTED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;
export type ProblemCode = keyof typeof PROBLEM_CODES;

/** The problem codes in PROBLEM_CODES's order. */
export const PROBLEM_CODE_LIST = Object.keys(PROBLEM_CODES) as ProblemCode[];

/** Whether a value (a problem document's `code`, say) is one of the API's problem codes. */
export const isProblemCode = (value: unknown): value is ProblemCode =>
  typeof value === "string" && Object.hasOwn(PROBLEM_CODES, value);
