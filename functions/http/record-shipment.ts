// POST /orders/{id}/shipment: its seller → load → check shippedAt → SHIP → the order.
import { basics, orders } from "../adapters/production.ts";
import { type ChangeDeps, changeOrder, NO_WAKE_UP } from "../app/change-order.ts";
import { shipmentSchema } from "../domain/schemas.ts";
import { isSellerOf, loadOrder, publicOrder } from "./access.ts";
import { orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { validationFailed } from "./problems.ts";
import { recordShipmentRoute } from "./routes.ts";

/** How far a seller's clock may run ahead of ours. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

export const createHandler = httpHandler(
  recordShipmentRoute,
  { params: orderParams, body: shipmentSchema },
  async ({ caller, params, body }, deps: ChangeDeps) => {
    // Loaded first so that a stranger learns nothing, not even that placedAt disagrees.
    const stored = await loadOrder(deps.orders, params.orderId, (order) =>
      isSellerOf(caller, order),
    );
    const now = deps.clock.now();
    const shippedAt = body.shippedAt ?? now;
    if (Date.parse(shippedAt) < Date.parse(stored.record.order.placedAt)) {
      throw validationFailed("shippedAt is before the order was placed", [
        { path: "body.shippedAt", message: "must not be before the order's placedAt" },
      ]);
    }
    if (Date.parse(shippedAt) > Date.parse(now) + MAX_CLOCK_SKEW_MS) {
      throw validationFailed("shippedAt is in the future", [
        { path: "body.shippedAt", message: "must not be more than 5 minutes in the future" },
      ]);
    }
    const shipment = { carrier: body.carrier, trackingNumber: body.trackingNumber, shippedAt };
    const changed = await changeOrder(
      deps,
      params.orderId,
      { type: "SHIP", actor: caller.sub, shipment },
      stored,
    );
    return { status: 200, body: publicOrder(changed.stored.record, now) };
  },
);

// A shipped order has no request yet: nothing can be waiting on it.
export const handler = createHandler(() => ({ ...basics, orders: orders(), signals: NO_WAKE_UP }));
