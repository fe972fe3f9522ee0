// POST .../{requestId}/refund-retry: operator → ask the provider → RETRY_REFUND, same method or
// gift balance → wake the workflow (or, for a completed request whose refund was reversed and no
// execution waits, start one) → 202.
import { metrics } from "../adapters/powertools.ts";
import {
  basics,
  executionRecords,
  executions,
  orders,
  payments,
  signals,
} from "../adapters/production.ts";
import { type ChangeDeps, changeOrder } from "../app/change-order.ts";
import type { ExecutionRecords, Metrics, Payments, WorkflowExecutions } from "../app/ports.ts";
import { resumeCompletedRefund } from "../app/reconcile.ts";
import { retryRefundEvent } from "../app/refunds.ts";
import { toPublicRequest } from "../domain/views.ts";
import * as z from "../domain/zod.ts";
import { requestOf } from "./access.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { retryRefundRoute } from "./routes.ts";

/** `{}` retries the refund's method; `{ "method": "GIFT_CARD" }` refunds as gift balance. */
export const refundRetrySchema = z.strictObject({ method: z.optional(z.enum(["GIFT_CARD"])) });

export type RetryDeps = ChangeDeps & {
  payments: Payments;
  executions: WorkflowExecutions;
  executionRecords: ExecutionRecords;
  metrics: Metrics;
};

export const createHandler = httpHandler(
  retryRefundRoute,
  { params: requestParams, body: refundRetrySchema },
  async ({ caller, params, body }, deps: RetryDeps) => {
    const { orderId, requestId } = params;
    const event = retryRefundEvent(deps.payments, caller.sub, requestId, body.method);
    const changed = await changeOrder(deps, orderId, event);
    await resumeCompletedRefund(deps, changed.stored, requestId);
    return { status: 202, body: toPublicRequest(requestOf(changed.stored.record, requestId)) };
  },
);

export const handler = createHandler(() => ({
  ...basics,
  orders: orders(),
  signals: signals(),
  payments: payments(),
  executions: executions(),
  executionRecords: executionRecords(),
  metrics,
}));
