// POST /orders/{id}/delivery: carrier (its own parcels only) → ask the provider if money may have
// moved → DELIVER → wake the workflow (or, delivered after the cancellation, start the latest
// request's execution for the return's mail) → the order (a repeat also answers 200).

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
import { resumeForOrderNotices } from "../app/reconcile.ts";
import { deliveryEvent } from "../app/refunds.ts";
import { deliverySchema } from "../domain/schemas.ts";
import { publicOrder } from "./access.ts";
import { boundCarrier } from "./caller.ts";
import { orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { recordDeliveryRoute } from "./routes.ts";

export type DeliveryDeps = ChangeDeps & {
  payments: Payments;
  executions: WorkflowExecutions;
  executionRecords: ExecutionRecords;
  metrics: Metrics;
};

export const createHandler = httpHandler(
  recordDeliveryRoute,
  { params: orderParams, body: deliverySchema },
  async ({ caller, params, body }, deps: DeliveryDeps) => {
    const carrier = boundCarrier(caller);
    const event = deliveryEvent(deps.payments, caller.sub, body.deliveredAt, carrier);
    const changed = await changeOrder(deps, params.orderId, event);
    if (!changed.replayed) await resumeForOrderNotices(deps, changed.stored);
    return { status: 200, body: publicOrder(changed.stored.record, deps.clock.now()) };
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
