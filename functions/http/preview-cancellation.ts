// POST /orders/{id}/cancellation-requests/preview: its buyer → what that request would cover and
// refund, worked out as the request itself would be (request-terms.ts) → 200; stores nothing.
import { currentPolicy } from "../adapters/config.ts";
import { orders } from "../adapters/production.ts";
import { type Clock, type Orders, systemClock } from "../app/ports.ts";
import { previewCancellation } from "../domain/request-terms.ts";
import { cancellationPreviewInputSchema } from "../domain/schemas.ts";
import { isBuyerOf, loadOrder } from "./access.ts";
import { orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { previewCancellationRoute } from "./routes.ts";

export const createHandler = httpHandler(
  previewCancellationRoute,
  { params: orderParams, body: cancellationPreviewInputSchema },
  async ({ caller, params, body }, deps: { orders: Orders; clock: Clock }) => {
    const stored = await loadOrder(deps.orders, params.orderId, (order) =>
      isBuyerOf(caller, order),
    );
    const now = deps.clock.now();
    const preview = previewCancellation(
      stored.record,
      caller.sub,
      body.lines,
      currentPolicy(),
      now,
    );
    return { status: 200, body: preview };
  },
);

export const handler = createHandler(() => ({ orders: orders(), clock: systemClock }));
