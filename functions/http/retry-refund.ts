// POST .../{requestId}/refund-retry: operator → ask the provider → RETRY_REFUND, same method or
// gift balance (ends the refund's wait) → 202.
import { applyEvent } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { retryRefundEvent } from "../app/refunds.ts";
import { toPublicRequest } from "../domain/views.ts";
import * as z from "../domain/zod.ts";
import { requestOf } from "./access.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";

/** `{}` retries the refund's method; `{ "method": "GIFT_CARD" }` refunds as gift balance. */
export const refundRetrySchema = z.strictObject({ method: z.optional(z.enum(["GIFT_CARD"])) });

export const createHandler = httpHandler(
  "RetryRefund",
  { params: requestParams, body: refundRetrySchema },
  async ({ caller, params, body }, deps) => {
    const { orderId, requestId } = params;
    const applied = await applyEvent(
      deps,
      orderId,
      retryRefundEvent(deps, caller.sub, requestId, body.method),
    );
    return { status: 202, body: toPublicRequest(requestOf(applied.stored.record, requestId)) };
  },
);

export const handler = createHandler(defaultDeps);
