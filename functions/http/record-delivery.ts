// POST /orders/{id}/delivery: carrier → ask the provider if money may have moved → DELIVER →
// the order (a repeat of the same delivery also answers 200).
import { applyEvent } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { deliveryEvent } from "../app/refunds.ts";
import { deliverySchema } from "../domain/schemas.ts";
import { publicOrder } from "./access.ts";
import { orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";

export const createHandler = httpHandler(
  "RecordDelivery",
  { params: orderParams, body: deliverySchema },
  async ({ caller, params, body }, deps) => {
    const applied = await applyEvent(
      deps,
      params.orderId,
      deliveryEvent(deps, caller.sub, body.deliveredAt),
    );
    return { status: 200, body: publicOrder(applied.stored.record, deps) };
  },
);

export const handler = createHandler(defaultDeps);
