// Business metrics of a change, read from the timeline entries it added: one count per status a
// request entered, the time from request to refund, and the seller's response time. Pure; the
// workflow publishes them (one EMF line) with the domain events of those entries, so a change
// is measured where its effects are sent, never on the API's path.
import type { CancellationRequest, OrderRecord, RequestStatus, TimelineType } from "./types.ts";

export type MeasurementUnit = "Count" | "Seconds";

export interface Measurement {
  name: string;
  unit: MeasurementUnit;
  value: number;
}

/** The status a request enters with each timeline entry; entries not listed change no status. */
export const STATUS_ENTERED: Partial<Record<TimelineType, RequestStatus>> = {
  REQUESTED: "REQUESTED",
  SELLER_NOTIFIED: "AWAITING_SELLER",
  SELLER_APPROVED: "AWAITING_MARKETPLACE",
  SELLER_TIMED_OUT: "AWAITING_MARKETPLACE",
  MARKETPLACE_APPROVED: "REFUND_PENDING",
  REFUND_RETRIED: "REFUND_PENDING",
  REFUND_FAILED: "REFUND_FAILED",
  SELLER_REJECTED: "REJECTED",
  MARKETPLACE_REJECTED: "REJECTED",
  COMPLETED: "COMPLETED",
  WITHDRAWN: "WITHDRAWN",
  RETURN_REQUIRED: "RETURN_REQUIRED",
};

/** `Entered_COMPLETED`: requests that entered a status (one metric per status, one EMF line). */
export const enteredMetric = (status: RequestStatus): string => `Entered_${status}`;
/** From the buyer's request to the provider's confirmed refund. */
export const TIME_TO_REFUND_METRIC = "TimeToRefund";
/** From the buyer's request to the seller's approval or rejection (timeouts are not answers). */
export const SELLER_RESPONSE_TIME_METRIC = "SellerResponseTime";

const secondsBetween = (from: string, to: string): number =>
  Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/** What the request's timeline entries from position `from` on measure, in order. */
export const entryMeasurements = (request: CancellationRequest, from = 0): Measurement[] => {
  const measurements: Measurement[] = [];
  for (const entry of request.timeline.slice(from)) {
    const status = STATUS_ENTERED[entry.type];
    if (status) measurements.push({ name: enteredMetric(status), unit: "Count", value: 1 });
    if (entry.type === "REFUND_SUCCEEDED") {
      const value = secondsBetween(request.createdAt, entry.at);
      measurements.push({ name: TIME_TO_REFUND_METRIC, unit: "Seconds", value });
    }
    if (entry.type === "SELLER_APPROVED" || entry.type === "SELLER_REJECTED") {
      const value = secondsBetween(request.createdAt, entry.at);
      measurements.push({ name: SELLER_RESPONSE_TIME_METRIC, unit: "Seconds", value });
    }
  }
  return measurements;
};

/** What the change from `before` to `after` measures, in the order it happened. */
export const changeMeasurements = (before: OrderRecord, after: OrderRecord): Measurement[] =>
  Object.entries(after.requests).flatMap(([requestId, request]) =>
    entryMeasurements(
      request,
      Object.hasOwn(before.requests, requestId)
        ? (before.requests[requestId]?.timeline.length ?? 0)
        : 0,
    ),
  );
