// POST .../{requestId}/withdrawal: its buyer → WITHDRAW (cancels the wait) → the request.
import { applyEvent } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { emptyBodySchema } from "../domain/schemas.ts";
import { toPublicRequest } from "../domain/views.ts";
import { requestOf } from "./access.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";

export const createHandler = httpHandler(
  "WithdrawCancellationRequest",
  { params: requestParams, body: emptyBodySchema },
  async ({ caller, params }, deps) => {
    // The domain's first check is that the actor is the order's buyer (NOT_FOUND otherwise).
    const applied = await applyEvent(deps, params.orderId, {
      type: "WITHDRAW",
      actor: caller.sub,
      requestId: params.requestId,
    });
    return {
      status: 200,
      body: toPublicRequest(requestOf(applied.stored.record, params.requestId)),
    };
  },
);

export const handler = createHandler(defaultDeps);
