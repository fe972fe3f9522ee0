// POST .../{requestId}/marketplace-decision: operator → OPERATOR_DECIDE → wake the workflow →
// the request.
import { basics, orders, signals } from "../adapters/production.ts";
import { type ChangeDeps, changeOrder } from "../app/change-order.ts";
import { decisionSchema } from "../domain/schemas.ts";
import { toPublicRequest } from "../domain/views.ts";
import { requestOf } from "./access.ts";
import { decisionEvent } from "./decisions.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { marketplaceDecisionRoute } from "./routes.ts";

export const createHandler = httpHandler(
  marketplaceDecisionRoute,
  { params: requestParams, body: decisionSchema },
  async ({ caller, params, body }, deps: ChangeDeps) => {
    const event = decisionEvent("OPERATOR_DECIDE", caller.sub, params.requestId, body);
    const changed = await changeOrder(deps, params.orderId, event);
    return {
      status: 200,
      body: toPublicRequest(requestOf(changed.stored.record, params.requestId)),
    };
  },
);

export const handler = createHandler(() => ({ ...basics, orders: orders(), signals: signals() }));
