// POST /orders/{id}/delivery: carrier (its own parcels only) → ask the provider if money may have
// moved → DELIVER → wake the workflow → the order (a repeat of the same delivery also answers 200).
import { basics, orders, payments, signals } from "../adapters/production.ts";
import { type ChangeDeps, changeOrder } from "../app/change-order.ts";
import type { Payments } from "../app/ports.ts";
import { deliveryEvent } from "../app/refunds.ts";
import { deliverySchema } from "../domain/schemas.ts";
import { publicOrder } from "./access.ts";
import { boundCarrier } from "./caller.ts";
import { orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { recordDeliveryRoute } from "./routes.ts";

export const createHandler = httpHandler(
  recordDeliveryRoute,
  { params: orderParams, body: deliverySchema },
  async ({ caller, params, body }, deps: ChangeDeps & { payments: Payments }) => {
    const carrier = boundCarrier(caller);
    const event = deliveryEvent(deps.payments, caller.sub, body.deliveredAt, carrier);
    const changed = await changeOrder(deps, params.orderId, event);
    return { status: 200, body: publicOrder(changed.stored.record, deps.clock.now()) };
  },
);

export const handler = createHandler(() => ({
  ...basics,
  orders: orders(),
  signals: signals(),
  payments: payments(),
}));
