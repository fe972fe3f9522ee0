// POST .../{requestId}/seller-decision: its seller → SELLER_DECIDE → wake the workflow → request.
import { basics, orders, signals } from "../adapters/production.ts";
import { type ChangeDeps, changeOrder } from "../app/change-order.ts";
import { decisionSchema } from "../domain/schemas.ts";
import { toPublicRequest } from "../domain/views.ts";
import { requestOf } from "./access.ts";
import { decisionEvent } from "./decisions.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { sellerDecisionRoute } from "./routes.ts";

export const createHandler = httpHandler(
  sellerDecisionRoute,
  { params: requestParams, body: decisionSchema },
  async ({ caller, params, body }, deps: ChangeDeps) => {
    // The domain's first check is that the actor is the order's seller (NOT_FOUND otherwise).
    const event = decisionEvent("SELLER_DECIDE", caller.sub, params.requestId, body);
    const changed = await changeOrder(deps, params.orderId, event);
    return {
      status: 200,
      body: toPublicRequest(requestOf(changed.stored.record, params.requestId)),
    };
  },
);

export const handler = createHandler(() => ({ ...basics, orders: orders(), signals: signals() }));
