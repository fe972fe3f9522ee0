// GET /orders/{id}/cancellation-requests/{requestId}: parties and operators → the public request.
import { orders } from "../adapters/production.ts";
import type { Orders } from "../app/ports.ts";
import { toPublicRequest } from "../domain/views.ts";
import { canRead, loadOrder, requestOf } from "./access.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { getCancellationRequestRoute } from "./routes.ts";

export const createHandler = httpHandler(
  getCancellationRequestRoute,
  { params: requestParams },
  async ({ caller, params }, deps: { orders: Orders }) => {
    const stored = await loadOrder(deps.orders, params.orderId, (order) => canRead(caller, order));
    return { status: 200, body: toPublicRequest(requestOf(stored.record, params.requestId)) };
  },
);

export const handler = createHandler(() => ({ orders: orders() }));
