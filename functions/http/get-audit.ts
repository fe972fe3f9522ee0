// GET /orders/{orderId}/audit: its seller or an operator → the order's audit trail (SPEC "Audit
// trail"); a buyer → 403 (the route's roles); another seller, or an unknown order → 404.
import { orders } from "../adapters/production.ts";
import type { Orders } from "../app/ports.ts";
import { exportAudit } from "../domain/audit.ts";
import { isSellerOf, loadOrder } from "./access.ts";
import { orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { getAuditRoute } from "./routes.ts";

export const createHandler = httpHandler(
  getAuditRoute,
  { params: orderParams },
  async ({ caller, params }, deps: { orders: Orders }) => {
    const stored = await loadOrder(
      deps.orders,
      params.orderId,
      (order) => caller.roles.has("operator") || isSellerOf(caller, order),
    );
    return { status: 200, body: exportAudit(stored.record) };
  },
);

export const handler = createHandler(() => ({ orders: orders() }));
