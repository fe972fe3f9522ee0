// POST .../{requestId}/withdrawal: its buyer → WITHDRAW → wake the workflow → the request.
import { basics, orders, signals } from "../adapters/production.ts";
import { type ChangeDeps, changeOrder } from "../app/change-order.ts";
import { emptyBodySchema } from "../domain/schemas.ts";
import { toPublicRequest } from "../domain/views.ts";
import { requestOf } from "./access.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { withdrawCancellationRequestRoute } from "./routes.ts";

export const createHandler = httpHandler(
  withdrawCancellationRequestRoute,
  { params: requestParams, body: emptyBodySchema },
  async ({ caller, params }, deps: ChangeDeps) => {
    // The domain's first check is that the actor is the order's buyer (NOT_FOUND otherwise).
    const changed = await changeOrder(deps, params.orderId, {
      type: "WITHDRAW",
      actor: caller.sub,
      requestId: params.requestId,
    });
    return {
      status: 200,
      body: toPublicRequest(requestOf(changed.stored.record, params.requestId)),
    };
  },
);

export const handler = createHandler(() => ({ ...basics, orders: orders(), signals: signals() }));
