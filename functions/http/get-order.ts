// GET /orders/{orderId}: its buyer, its seller or an operator → the order; anyone else → 404.
import { defaultDeps } from "../app/deps.ts";
import { canRead, loadOrder, publicOrder } from "./access.ts";
import { orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";

export const createHandler = httpHandler(
  "GetOrder",
  { params: orderParams },
  async ({ caller, params }, deps) => {
    const stored = await loadOrder(deps, params.orderId, (order) => canRead(caller, order));
    return { status: 200, body: publicOrder(stored.record, deps) };
  },
);

export const handler = createHandler(defaultDeps);
