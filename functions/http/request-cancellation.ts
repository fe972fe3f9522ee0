// POST /orders/{id}/cancellation-requests: its buyer → replay by key, or the request in one
// conditional write → 202 (REQUESTED; the table's stream starts its workflow).
import { currentPolicy } from "../adapters/config.ts";
import { basics, orders } from "../adapters/production.ts";
import type { ChangeDeps } from "../app/change-order.ts";
import { requestCancellation } from "../app/request-cancellation.ts";
import { cancellationRequestInputSchema } from "../domain/schemas.ts";
import { toPublicRequest } from "../domain/views.ts";
import { isBuyerOf, requestPath } from "./access.ts";
import { canonicalJson, sha256Hex } from "./canonical.ts";
import { idempotencyHeaders, orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { HttpProblem } from "./problems.ts";
import { requestCancellationRoute } from "./routes.ts";

export const createHandler = httpHandler(
  requestCancellationRoute,
  { params: orderParams, headers: idempotencyHeaders, body: cancellationRequestInputSchema },
  async ({ caller, params, headers, body }, deps: Omit<ChangeDeps, "signals">) => {
    const outcome = await requestCancellation(deps, {
      orderId: params.orderId,
      actor: caller.sub,
      reason: body.reason,
      comment: body.comment ?? null,
      ...(body.lines && { lines: body.lines }),
      idempotencyKey: headers["idempotency-key"],
      requestHash: sha256Hex(canonicalJson(body)),
      policy: currentPolicy(),
      visible: (order) => isBuyerOf(caller, order),
    });
    if (outcome.kind === "KEY_MISMATCH") {
      throw new HttpProblem(
        "IDEMPOTENCY_KEY_MISMATCH",
        "this Idempotency-Key was already used for a request with another body",
      );
    }
    const { request } = outcome;
    return {
      status: 202,
      body: toPublicRequest(request),
      headers: { location: requestPath(request.orderId, request.requestId) },
    };
  },
);

export const handler = createHandler(() => ({ ...basics, orders: orders() }));
