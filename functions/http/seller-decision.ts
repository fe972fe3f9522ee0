// POST .../{requestId}/seller-decision: its seller → SELLER_DECIDE (ends the wait) → the request.
import { applyEvent } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { decisionSchema } from "../domain/schemas.ts";
import { toPublicRequest } from "../domain/views.ts";
import { requestOf } from "./access.ts";
import { decisionEvent } from "./decisions.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";

export const createHandler = httpHandler(
  "SellerDecision",
  { params: requestParams, body: decisionSchema },
  async ({ caller, params, body }, deps) => {
    // The domain's first check is that the actor is the order's seller (NOT_FOUND otherwise).
    const event = decisionEvent("SELLER_DECIDE", caller.sub, params.requestId, body);
    const applied = await applyEvent(deps, params.orderId, event);
    return {
      status: 200,
      body: toPublicRequest(requestOf(applied.stored.record, params.requestId)),
    };
  },
);

export const handler = createHandler(defaultDeps);
