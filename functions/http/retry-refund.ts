// POST .../{requestId}/refund-retry: operator → ask the provider → RETRY_REFUND, same method or
// gift balance → wake the workflow → 202.
import { basics, orders, payments, signals } from "../adapters/production.ts";
import { type ChangeDeps, changeOrder } from "../app/change-order.ts";
import type { Payments } from "../app/ports.ts";
import { retryRefundEvent } from "../app/refunds.ts";
import { toPublicRequest } from "../domain/views.ts";
import * as z from "../domain/zod.ts";
import { requestOf } from "./access.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { retryRefundRoute } from "./routes.ts";

/** `{}` retries the refund's method; `{ "method": "GIFT_CARD" }` refunds as gift balance. */
export const refundRetrySchema = z.strictObject({ method: z.optional(z.enum(["GIFT_CARD"])) });

export const createHandler = httpHandler(
  retryRefundRoute,
  { params: requestParams, body: refundRetrySchema },
  async ({ caller, params, body }, deps: ChangeDeps & { payments: Payments }) => {
    const { orderId, requestId } = params;
    const event = retryRefundEvent(deps.payments, caller.sub, requestId, body.method);
    const changed = await changeOrder(deps, orderId, event);
    return { status: 202, body: toPublicRequest(requestOf(changed.stored.record, requestId)) };
  },
);

export const handler = createHandler(() => ({
  ...basics,
  orders: orders(),
  signals: signals(),
  payments: payments(),
}));
