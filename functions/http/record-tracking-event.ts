// POST /orders/{id}/tracking-events: carrier (its own parcels only) → TRACK_PARCEL → the order (an
// event that would not move the parcel forward, a repeat or an older one, also answers 200).
import { basics, orders } from "../adapters/production.ts";
import { type ChangeDeps, changeOrder, NO_WAKE_UP } from "../app/change-order.ts";
import { trackingEventSchema } from "../domain/schemas.ts";
import { publicOrder } from "./access.ts";
import { boundCarrier } from "./caller.ts";
import { orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { recordTrackingEventRoute } from "./routes.ts";

export const createHandler = httpHandler(
  recordTrackingEventRoute,
  { params: orderParams, body: trackingEventSchema },
  async ({ caller, params, body }, deps: ChangeDeps) => {
    const changed = await changeOrder(deps, params.orderId, {
      type: "TRACK_PARCEL",
      actor: caller.sub,
      event: body.type,
      at: body.at,
      carrier: boundCarrier(caller),
    });
    return { status: 200, body: publicOrder(changed.stored.record, deps.clock.now()) };
  },
);

// The parcel's moves never change a request's status: no execution waits on them.
export const handler = createHandler(() => ({ ...basics, orders: orders(), signals: NO_WAKE_UP }));
