// POST /orders/{id}/delivery: carrier → DELIVER → the order (a repeat of it also answers 200).
import { applyEvent } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { DomainError } from "../domain/events.ts";
import { deliverySchema } from "../domain/schemas.ts";
import { publicOrder } from "./access.ts";
import { orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";

export const createHandler = httpHandler(
  "RecordDelivery",
  { params: orderParams, body: deliverySchema },
  async ({ caller, params, body }, deps) => {
    try {
      const applied = await applyEvent(deps, params.orderId, {
        type: "DELIVER",
        actor: caller.sub,
        deliveredAt: body.deliveredAt,
      });
      return { status: 200, body: publicOrder(applied.stored.record, deps) };
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== "INVALID_STATE") throw error;
      // Carriers retry: the delivery already recorded, with this very time, is a success.
      const stored = await deps.store.get(params.orderId);
      const order = stored?.record.order;
      if (!stored || order?.status !== "DELIVERED" || order.deliveredAt !== body.deliveredAt) {
        throw error;
      }
      return { status: 200, body: publicOrder(stored.record, deps) };
    }
  },
);

export const handler = createHandler(defaultDeps);
