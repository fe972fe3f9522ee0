// POST .../{requestId}/marketplace-decision: operator → OPERATOR_DECIDE (ends the wait) → request.
import { applyEvent } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { decisionSchema } from "../domain/schemas.ts";
import { toPublicRequest } from "../domain/views.ts";
import { requestOf } from "./access.ts";
import { decisionEvent } from "./decisions.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";

export const createHandler = httpHandler(
  "MarketplaceDecision",
  { params: requestParams, body: decisionSchema },
  async ({ caller, params, body }, deps) => {
    const event = decisionEvent("OPERATOR_DECIDE", caller.sub, params.requestId, body);
    const applied = await applyEvent(deps, params.orderId, event);
    return {
      status: 200,
      body: toPublicRequest(requestOf(applied.stored.record, params.requestId)),
    };
  },
);

export const handler = createHandler(defaultDeps);
