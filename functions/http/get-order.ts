// GET /orders/{orderId}: its buyer, its seller or an operator → the order; anyone else → 404.
import { orders } from "../adapters/production.ts";
import { type Clock, type Orders, systemClock } from "../app/ports.ts";
import { canRead, loadOrder, publicOrder } from "./access.ts";
import { orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { getOrderRoute } from "./routes.ts";

export const createHandler = httpHandler(
  getOrderRoute,
  { params: orderParams },
  async ({ caller, params }, deps: { orders: Orders; clock: Clock }) => {
    const stored = await loadOrder(deps.orders, params.orderId, (order) => canRead(caller, order));
    return { status: 200, body: publicOrder(stored.record, deps.clock.now()) };
  },
);

export const handler = createHandler(() => ({ orders: orders(), clock: systemClock }));
