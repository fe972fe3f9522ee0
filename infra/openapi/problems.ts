// The problem responses of each operation (RFC 9457, `application/problem+json`): the ones every
// route may answer (400, 500; 401 and 403 when guarded; 503 when guarded or with a body; 404 with
// a target; 413 with a body) and the 409 codes it names.
import type { ProblemCode } from "../../functions/domain/codes.ts";
import { PROBLEM_CONTENT_TYPE, problemType } from "../../functions/http/problems.ts";
import type { Route } from "../../functions/http/routes.ts";
import { ref } from "./components.ts";

/** What an operation's problem responses depend on besides its route. */
export interface ProblemFacts {
  /** It names a resource in its path (an order or a request): it may not be found. */
  hasTarget: boolean;
  /** 409 codes the route answers besides the common problems. */
  conflicts?: readonly ProblemCode[];
}

const problemResponse = (description: string, status: number, codes: readonly ProblemCode[]) => {
  const [first] = codes;
  return {
    description,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: {
          ...ref("Problem"),
          properties: { status: { const: status }, code: { enum: [...codes] } },
        },
        ...(first
          ? {
              example: {
                type: problemType(first),
                title: description,
                status,
                detail: description,
                code: first,
              },
            }
          : {}),
      },
    },
  };
};

export const problemsOf = (route: Route, operation: ProblemFacts): Record<string, unknown> => {
  const guarded = route.access.kind !== "public";
  const takesBody = route.method === "POST";
  const { hasTarget } = operation;
  return {
    "400": problemResponse("The request is not valid", 400, ["VALIDATION_FAILED"]),
    ...(guarded
      ? {
          "401": {
            ...problemResponse("No or bad token", 401, ["UNAUTHORIZED"]),
            headers: { "WWW-Authenticate": { schema: { type: "string" } } },
          },
          "403": problemResponse("Wrong role or scope for this route", 403, ["FORBIDDEN"]),
        }
      : {}),
    ...(hasTarget
      ? { "404": problemResponse("No such resource, or not the caller's", 404, ["NOT_FOUND"]) }
      : {}),
    ...(operation.conflicts?.length
      ? { "409": problemResponse("Conflict with the current state", 409, operation.conflicts) }
      : {}),
    ...(takesBody
      ? { "413": problemResponse("The body is over 64 KiB", 413, ["PAYLOAD_TOO_LARGE"]) }
      : {}),
    "500": problemResponse("Internal server error", 500, ["INTERNAL_ERROR"]),
    // Every route that reads or writes data (the guarded ones, and Stripe's public webhook).
    ...(guarded || takesBody
      ? {
          "503": {
            ...problemResponse(
              "A dependency is unavailable; nothing was changed, repeat the call",
              503,
              ["UNAVAILABLE"],
            ),
            headers: { "Retry-After": { schema: { type: "integer" } } },
          },
        }
      : {}),
  };
};
