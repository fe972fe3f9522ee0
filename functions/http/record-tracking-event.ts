// POST /orders/{id}/tracking-events: carrier (its own parcels only) → TRACK_PARCEL → start the
// latest request's execution for the parcel's notices → the order (an event that would not move
// the parcel forward, a repeat or an older one, also answers 200).
import { metrics } from "../adapters/powertools.ts";
import { basics, executionRecords, executions, orders } from "../adapters/production.ts";
import { type ChangeDeps, changeOrder, NO_WAKE_UP } from "../app/change-order.ts";
import type { ExecutionRecords, Metrics, WorkflowExecutions } from "../app/ports.ts";
import { resumeForOrderNotices } from "../app/reconcile.ts";
import { trackingEventSchema } from "../domain/schemas.ts";
import { publicOrder } from "./access.ts";
import { boundCarrier } from "./caller.ts";
import { orderParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { recordTrackingEventRoute } from "./routes.ts";

export type TrackingDeps = ChangeDeps & {
  executions: WorkflowExecutions;
  executionRecords: ExecutionRecords;
  metrics: Metrics;
};

export const createHandler = httpHandler(
  recordTrackingEventRoute,
  { params: orderParams, body: trackingEventSchema },
  async ({ caller, params, body }, deps: TrackingDeps) => {
    const changed = await changeOrder(deps, params.orderId, {
      type: "TRACK_PARCEL",
      actor: caller.sub,
      event: body.type,
      at: body.at,
      carrier: boundCarrier(caller),
    });
    if (!changed.replayed) await resumeForOrderNotices(deps, changed.stored);
    return { status: 200, body: publicOrder(changed.stored.record, deps.clock.now()) };
  },
);

// The parcel's moves never change a request's status: no waiting execution is woken by them.
export const handler = createHandler(() => ({
  ...basics,
  orders: orders(),
  signals: NO_WAKE_UP,
  executions: executions(),
  executionRecords: executionRecords(),
  metrics,
}));
