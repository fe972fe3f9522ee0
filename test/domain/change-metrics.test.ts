// The business metrics of a change (change-metrics.ts), which the workflow publishes with the
// events of its entries: one count per status a request entered, the time to refund and the
// seller's response time, read from the timeline entries the change added.
import { describe, expect, it } from "vitest";
import {
  changeMeasurements,
  enteredMetric,
  entryMeasurements,
  type Measurement,
  SELLER_RESPONSE_TIME_METRIC,
  TIME_TO_REFUND_METRIC,
} from "../../functions/domain/change-metrics.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import type { OrderRecord } from "../../functions/domain/types.ts";
import {
  at,
  complete,
  Flow,
  HOUR,
  instructRefund,
  OPERATOR,
  policyApprove,
  refundFailed,
  refundSucceeded,
  requestCancellation,
  retryRefund,
  sellerApprove,
  sellerReject,
  startRefundCall,
  withdraw,
  workflowStarted,
} from "./flow.ts";

const count = (status: Parameters<typeof enteredMetric>[0]): Measurement => ({
  name: enteredMetric(status),
  unit: "Count",
  value: 1,
});
const seconds = (name: string, value: number): Measurement => ({ name, unit: "Seconds", value });

/** Applies the events as one change (as a segment saves its follow-ups) and measures it. */
const measure = (flow: Flow, events: [DomainEvent, string][]): Measurement[] => {
  const before: OrderRecord = flow.record;
  for (const [event, now] of events) flow.apply(event, now);
  return changeMeasurements(before, flow.record);
};

describe("change metrics", () => {
  it("count each status entered, in order, with the seller's response and the time to refund", () => {
    const flow = Flow.shipped();
    expect(measure(flow, [[requestCancellation(), at(0)]])).toEqual([count("REQUESTED")]);
    expect(measure(flow, [[workflowStarted(), at(1)]])).toEqual([count("AWAITING_SELLER")]);
    // The seller approves after an hour; the policy approves in the same change.
    expect(
      measure(flow, [
        [sellerApprove(), at(HOUR)],
        [policyApprove(), at(HOUR)],
      ]),
    ).toEqual([
      count("AWAITING_MARKETPLACE"),
      seconds(SELLER_RESPONSE_TIME_METRIC, HOUR),
      count("REFUND_PENDING"),
    ]);
    // Instructing and calling change no status; the refund lands 90 s later and completes.
    expect(
      measure(flow, [
        [instructRefund(), at(HOUR + 30)],
        [startRefundCall(), at(HOUR + 30)],
      ]),
    ).toEqual([]);
    expect(
      measure(flow, [
        [refundSucceeded(), at(HOUR + 90)],
        [complete(), at(HOUR + 90)],
      ]),
    ).toEqual([seconds(TIME_TO_REFUND_METRIC, HOUR + 90), count("COMPLETED")]);
  });

  it("count rejections, refund failures, retries and withdrawals", () => {
    const rejected = Flow.shipped().requested();
    expect(measure(rejected, [[sellerReject("out of stock"), at(600)]])).toEqual([
      count("REJECTED"),
      seconds(SELLER_RESPONSE_TIME_METRIC, 600),
    ]);

    const failing = Flow.shipped().requested();
    measure(failing, [
      [sellerApprove(), at(HOUR)],
      [policyApprove(), at(HOUR)],
      [instructRefund(), at(HOUR)],
      [startRefundCall(), at(HOUR)],
    ]);
    expect(measure(failing, [[refundFailed("ProviderDown"), at(2 * HOUR)]])).toEqual([
      count("REFUND_FAILED"),
    ]);
    expect(measure(failing, [[retryRefund(OPERATOR), at(3 * HOUR)]])).toEqual([
      count("REFUND_PENDING"),
    ]);

    const withdrawn = Flow.shipped().requested();
    expect(measure(withdrawn, [[withdraw(), at(60)]])).toEqual([count("WITHDRAWN")]);
  });

  it("measure a request's entries from a position on, as the workflow does when it publishes them", () => {
    const flow = Flow.shipped().requested();
    flow.apply(sellerReject("out of stock"), at(600));
    const request = flow.request();
    expect(entryMeasurements(request)).toEqual([
      count("REQUESTED"),
      count("AWAITING_SELLER"),
      count("REJECTED"),
      seconds(SELLER_RESPONSE_TIME_METRIC, 600),
    ]);
    expect(entryMeasurements(request, 2)).toEqual([
      count("REJECTED"),
      seconds(SELLER_RESPONSE_TIME_METRIC, 600),
    ]);
    expect(entryMeasurements(request, request.timeline.length)).toEqual([]);
  });

  it("measure nothing for a change that touches no request", () => {
    const flow = Flow.shipped().requested();
    expect(changeMeasurements(flow.record, flow.record)).toEqual([]);
  });
});
