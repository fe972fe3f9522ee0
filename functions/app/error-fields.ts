// What a log line says about an error. AWS SDK and runtime messages can quote the data they were
// given (a condition's attribute value, an email address, a slice of a JSON body), so an error's
// message is logged only when the service itself raised it; any other error is logged by its
// name, its code and status, the AWS request id and where it was thrown (stack frames, without
// the first line, which repeats the message).
import { DomainError } from "../domain/events.ts";
import { PolicyError } from "../domain/policy.ts";
import {
  ConflictError,
  InvalidCursorError,
  OrderExistsError,
  RefundDeclinedError,
} from "./errors.ts";

export interface ErrorFields {
  name: string;
  /** Only for the service's own errors. */
  message?: string;
  /** An AWS error's `Code`, a Node system error's `code` (ECONNRESET) or a DomainError's. */
  code?: string;
  httpStatusCode?: number;
  /** The failed AWS call's request id, for AWS support. */
  awsRequestId?: string;
  /** `client` or `server`, as the AWS SDK classifies it. */
  fault?: string;
  stack?: string[];
  cause?: ErrorFields;
}

/** Errors whose messages the service wrote (ports, domain, policy): no data of callers in them. */
export const isOwnError = (error: Error): boolean =>
  error instanceof DomainError ||
  error instanceof PolicyError ||
  error instanceof OrderExistsError ||
  error instanceof ConflictError ||
  error instanceof InvalidCursorError ||
  error instanceof RefundDeclinedError;

const MAX_FRAMES = 12;
const MAX_CAUSES = 3;

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;

/** The `at …` lines of a stack: code locations only. */
const framesOf = (stack: string | undefined): string[] | undefined => {
  const frames = (stack ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("at "))
    .slice(0, MAX_FRAMES);
  return frames.length > 0 ? frames : undefined;
};

/**
 * The fields to log for `error`. `ours` says which errors are the service's own (their message is
 * kept); the HTTP layer and the workflow add the errors only they raise.
 */
export const errorFields = (
  error: unknown,
  ours: (error: Error) => boolean = isOwnError,
  depth = 0,
): ErrorFields => {
  if (!(error instanceof Error)) return { name: typeof error };
  const raw = error as Error & {
    Code?: unknown;
    code?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
  };
  const own = ours(error);
  const code = text(raw.Code) ?? text(raw.code);
  const status = raw.$metadata?.httpStatusCode;
  const awsRequestId = text(raw.$metadata?.requestId);
  const fault = text(raw.$fault);
  const stack = framesOf(error.stack);
  const cause =
    error.cause !== undefined && depth < MAX_CAUSES
      ? errorFields(error.cause, ours, depth + 1)
      : undefined;
  return {
    name: error.name,
    ...(own ? { message: error.message } : {}),
    ...(code ? { code } : {}),
    ...(typeof status === "number" ? { httpStatusCode: status } : {}),
    ...(awsRequestId ? { awsRequestId } : {}),
    ...(fault ? { fault } : {}),
    ...(stack ? { stack } : {}),
    ...(cause ? { cause } : {}),
  };
};

/** The message an error thrown on (to Lambda, to Step Functions) carries when its own is withheld. */
export const WITHHELD_MESSAGE = "message withheld: it may quote data (see the function's log)";

/**
 * `error` as it may leave a function: the Lambda runtime logs a thrown error's message and stack,
 * and Step Functions keeps them in the execution's history. The service's own errors leave as
 * they are; any other leaves under its own name (which Retry and Catch match) with its message
 * withheld and its stack frames kept.
 */
export const withheld = (error: unknown, ours: (error: Error) => boolean = isOwnError): Error => {
  if (!(error instanceof Error)) return new Error(WITHHELD_MESSAGE);
  if (ours(error)) return error;
  const safe = new Error(WITHHELD_MESSAGE);
  safe.name = error.name;
  safe.stack = [`${error.name}: ${WITHHELD_MESSAGE}`, ...(framesOf(error.stack) ?? [])]
    .map((line, index) => (index === 0 ? line : `    ${line}`))
    .join("\n");
  return safe;
};
