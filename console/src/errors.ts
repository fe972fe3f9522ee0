// A failed call in words: the SPEC error code's sentence in the console's language, the fields a
// validation problem names, and when to try again after a 503.
import { isProblemCode } from "../../functions/domain/codes.ts";
import type { Failure } from "./api.ts";
import type { Messages } from "./messages/types.ts";

export interface FailureText {
  /** One sentence saying what went wrong and what to do. */
  message: string;
  /** For validation problems: each field and what is wrong with it. */
  details: string[];
}

export const describeFailure = (
  failure: Failure,
  messages: Messages,
  /** Field labels by the API's error path (e.g. `comment` → "Comment"). */
  fieldLabels: Record<string, string> = {},
): FailureText => {
  const words = messages.errors;
  if (failure.kind === "network") return { message: words.network, details: [] };
  const { problem, status, retryAfterSeconds } = failure;
  const sentence = isProblemCode(problem.code) ? words[problem.code] : words.unknown(status);
  const message =
    status === 503
      ? `${sentence} ${retryAfterSeconds === undefined ? words.retrySoon : words.retryIn(retryAfterSeconds)}`
      : sentence;
  const details = (problem.errors ?? []).map((error) =>
    words.fieldError(fieldLabels[error.path] ?? error.path, error.message),
  );
  return { message, details };
};
