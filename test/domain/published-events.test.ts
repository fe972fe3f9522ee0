// The domain events (published-events.ts): one per timeline entry of a request, ids stable (the
// entry's position), the status and refund as the request stands when they are published, the
// request's lines and amounts on each, and each one valid against the JSON Schema. What is still due (notices.ts `dueEvents`) starts where
// the request's published count ends. The order's own parcel entries are published with the latest
// request's id, status, lines and refund, the parcel and the return (orderEvents).
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule, { type FormatsPlugin } from "ajv-formats";
import { describe, expect, it } from "vitest";
import { EVENT_SCHEMA_FILE, renderEventSchema } from "../../functions/domain/event-schemas.ts";
import { dueEvents, withMarks } from "../../functions/domain/notices.ts";
import {
  EVENT_SOURCE,
  eventIdOf,
  eventRefundOf,
  orderEventIdOf,
  orderEvents,
  requestEvents,
  type TimelineEvent,
} from "../../functions/domain/published-events.ts";
import { type CancellationRequest, PARCEL_TIMELINE_TYPES } from "../../functions/domain/types.ts";
import {
  approvedFlow,
  at,
  BUYER,
  complete,
  DAY,
  deliver,
  Flow,
  HOUR,
  instructRefund,
  markReturnOverdue,
  policyApprove,
  policyWith,
  REQ,
  refundSucceeded,
  requestCancellation,
  SELLER,
  sellerApprove,
  sellerReject,
  track,
  workflowStarted,
} from "./flow.ts";

const addFormats =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

/**
 * A two-line order with a ¥600 coupon (lines ¥3,000 + ¥2,000, shipping ¥500, paid ¥4,900) and a
 * request for one of the two mugs, under a policy that prorates shipping: items
 * floor(1500 × 4400 ÷ 5000) = ¥1,320, shipping floor(500 × 1500 ÷ 5000) = ¥150.
 */
const partialFlow = (): Flow => {
  const flow = Flow.shipped({
    lines: [
      { lineId: "l1", sku: "MUG", title: "Mug", quantity: 2, unitPrice: 1500 },
      { lineId: "l2", sku: "PLT", title: "Plate", quantity: 1, unitPrice: 2000 },
    ],
    shippingFee: 500,
    payment: { paidAmount: 4900 },
  });
  const policy = policyWith({ partialShippingRefund: "PRORATED" });
  flow.apply(requestCancellation({ policy, lines: [{ lineId: "l1", quantity: 1 }] }), at(0));
  flow.apply(workflowStarted(), at(1));
  return flow;
};

/** A Stripe card refund, completed, that the card issuer failed a day later. */
const reversedFlow = (): Flow => {
  const flow = approvedFlow({ payment: { provider: "stripe", reference: "pi_1" } });
  flow.apply(instructRefund(), at(2 * HOUR));
  flow.apply(refundSucceeded(), at(2 * HOUR + 1));
  flow.apply(complete(), at(2 * HOUR + 2));
  flow.apply(
    {
      type: "PROVIDER_REFUND_UPDATE",
      actor: "system",
      requestId: REQ,
      refundId: flow.request().refund?.refundId ?? "",
      answer: { providerReference: "re_1", status: "failed", failureReason: "lost_or_stolen_card" },
      asked: false,
    },
    at(DAY),
  );
  return flow;
};

/** The request with its first `published` entries marked published. */
const publishedThrough = (
  request: CancellationRequest,
  published: number,
): CancellationRequest => ({
  ...request,
  notices: { mail: {}, published },
});

describe("requestEvents", () => {
  it("makes one event per entry from a position on, with its position as id", () => {
    const flow = Flow.shipped().requested();
    const known = flow.request().timeline.length;
    flow.apply(sellerApprove(), at(HOUR));
    const { lines, itemsAmount, shippingAmount } = flow.request();
    const events = requestEvents(flow.request(), known);
    expect(events).toEqual([
      {
        detailType: "SELLER_APPROVED",
        detail: {
          eventId: eventIdOf(REQ, 2),
          orderId: flow.order.orderId,
          requestId: REQ,
          status: "AWAITING_MARKETPLACE",
          // The buyer asked; the request is still open, so nobody's fault is known yet.
          initiator: "BUYER",
          fault: null,
          at: at(HOUR),
          actor: SELLER,
          lines,
          itemsAmount,
          shippingAmount,
        },
      },
    ]);
    // The same change's event is what is due once the entries before it went out.
    expect(dueEvents(publishedThrough(flow.request(), known))).toEqual(events);
  });

  it("starts a new request's ids at 0 and leaves the order's own timeline out", () => {
    const flow = Flow.shipped();
    flow.apply(requestCancellation({}), at(1));
    const events = requestEvents(flow.request());
    expect(events.map((event) => [event.detailType, event.detail.eventId])).toEqual([
      ["REQUESTED", eventIdOf(REQ, 0)],
    ]);
    expect(events[0]?.detail).toMatchObject({ status: "REQUESTED", actor: BUYER });
    expect(events[0]?.detail).not.toHaveProperty("refund");
    // Nothing published yet: everything is due.
    expect(dueEvents(flow.request())).toEqual(events);
  });

  it("carries the request as each entry's change left it, without the service's bookkeeping", () => {
    const flow = approvedFlow();
    const approved = flow.request().timeline.length - 1;
    flow.apply(instructRefund(), at(HOUR + 2));
    const known = flow.request().timeline.length;
    flow.apply(refundSucceeded(), at(HOUR + 3));
    flow.apply(complete(), at(HOUR + 3));
    const { refund } = flow.request();
    const refundAs = (status: string, refundId: string | null | undefined) => ({
      amount: refund?.amount,
      currency: refund?.currency,
      method: refund?.method,
      status,
      refundId,
      expectedBy: refund?.expectedBy,
    });
    // Approved: the refund is pending and not yet claimed; instructed: claimed under its key.
    const [approval, instruction] = requestEvents(flow.request(), approved);
    expect(approval?.detail).toMatchObject({ status: "REFUND_PENDING" });
    expect(approval?.detail.refund).toEqual(refundAs("PENDING", null));
    expect(instruction?.detail.refund).toEqual(refundAs("PENDING", refund?.refundId));
    // The refund made, then the cancellation completed: each entry its own change's status.
    const events = requestEvents(flow.request(), known);
    expect(events.map((event) => [event.detailType, event.detail.status])).toEqual([
      ["REFUND_SUCCEEDED", "REFUND_PENDING"],
      ["COMPLETED", "COMPLETED"],
    ]);
    for (const event of events) {
      expect(event.detail.refund).toEqual(refundAs("SUCCEEDED", refund?.refundId));
      expect(event.detail.refund).not.toHaveProperty("callStartedAt");
    }
  });

  it("lists a whole-order request's every line, with the request's amounts", () => {
    const flow = Flow.shipped({
      lines: [
        { lineId: "l1", sku: "MUG", title: "Mug", quantity: 2, unitPrice: 1500 },
        { lineId: "l2", sku: "PLT", title: "Plate", quantity: 1, unitPrice: 2000 },
      ],
      shippingFee: 500,
      payment: { paidAmount: 5500 },
    });
    flow.apply(requestCancellation({}), at(0));
    const [requested] = requestEvents(flow.request());
    expect(requested?.detail).toMatchObject({
      lines: [
        { lineId: "l1", quantity: 2, amount: 3000 },
        { lineId: "l2", quantity: 1, amount: 2000 },
      ],
      itemsAmount: 5000,
      shippingAmount: 500,
    });
  });

  it("carries a partial request's lines and amounts on every event, its refund their sum", () => {
    const flow = partialFlow();
    flow.apply(sellerApprove(), at(HOUR));
    flow.apply(policyApprove(), at(HOUR + 1));
    flow.apply(instructRefund(), at(HOUR + 2));
    const request = flow.request();
    const events = requestEvents(request);
    expect(events.map((event) => event.detailType)).toEqual([
      "REQUESTED",
      "SELLER_NOTIFIED",
      "SELLER_APPROVED",
      "MARKETPLACE_APPROVED",
      "REFUND_INSTRUCTED",
    ]);
    for (const { detail } of events) {
      expect(detail.lines).toEqual([{ lineId: "l1", quantity: 1, amount: 1320 }]);
      expect(detail.itemsAmount).toBe(1320);
      expect(detail.shippingAmount).toBe(150);
      // A copy: a consumer of the event cannot reach into the stored request.
      expect(detail.lines).not.toBe(request.lines);
      expect(detail.lines[0]).not.toBe(request.lines[0]);
    }
    for (const { detail } of events.slice(3)) expect(detail.refund?.amount).toBe(1470);
  });

  it("reports a published entry (its snapshot dropped) as the request now stands", () => {
    const flow = approvedFlow();
    const through = flow.request().timeline.length;
    const marked = withMarks(flow.record, [{ kind: "PUBLISHED", requestId: REQ, through }]);
    const request = marked.requests[REQ] as CancellationRequest;
    expect(request.timeline.every((entry) => entry.event === undefined)).toBe(true);
    const [last] = requestEvents(request, request.timeline.length - 1);
    expect(last?.detail.status).toBe(request.status);
    expect(last?.detail.refund).toMatchObject({ status: request.refund?.status });
  });

  it("publishes a reversal after COMPLETED: the request still COMPLETED, its refund FAILED", () => {
    const flow = reversedFlow();
    const events = dueEvents(publishedThrough(flow.request(), 7));
    expect(events.map((event) => [event.detailType, event.detail.eventId])).toEqual([
      ["REFUND_REVERSED", eventIdOf(REQ, 7)],
    ]);
    expect(events[0]?.detail).toMatchObject({
      status: "COMPLETED",
      at: at(DAY),
      actor: "system",
      refund: { status: "FAILED", method: "CARD", amount: 5480 },
    });
  });

  it("gives the same entry the same id when it is worked out again, from wherever", () => {
    const flow = Flow.shipped().requested();
    flow.apply(sellerApprove(), at(HOUR));
    const request = flow.request();
    const ids = (from: number) => requestEvents(request, from).map((e) => e.detail.eventId);
    expect(ids(0)).toEqual([eventIdOf(REQ, 0), eventIdOf(REQ, 1), eventIdOf(REQ, 2)]);
    expect(ids(1)).toEqual(ids(0).slice(1));
    expect(ids(0)).toEqual(ids(0));
    expect(requestEvents(request, request.timeline.length)).toEqual([]);
    expect(dueEvents(publishedThrough(request, request.timeline.length))).toEqual([]);
  });
});

/** The carrier's client, as the routes name the caller. */
const CARRIER_CLIENT = "carrier-client";

/** A whole-order cancellation completed, the parcel delivered anyway, then back with the seller. */
const returnedFlow = (): Flow => {
  const flow = approvedFlow({}, policyWith({ returnAfterCancellationDays: 3 }));
  flow.apply(instructRefund(), at(2 * HOUR));
  flow.apply(refundSucceeded(), at(2 * HOUR + 1));
  flow.apply(complete(), at(2 * HOUR + 2));
  flow.apply(deliver(at(DAY), CARRIER_CLIENT), at(DAY));
  flow.apply(track("RETURNED_TO_SENDER", at(2 * DAY), CARRIER_CLIENT), at(2 * DAY + 60));
  return flow;
};

describe("orderEvents", () => {
  it("publishes the order's parcel entries with <orderId>.order.<position>, the latest request's status, lines and refund, the parcel and the return", () => {
    const flow = returnedFlow();
    const request = flow.request();
    const { orderId } = flow.order;
    const events = orderEvents(flow.record);
    // CANCELLED (position 0) is not a parcel entry.
    expect(events.map((event) => [event.detailType, event.detail.eventId])).toEqual([
      ["DELIVERED_AFTER_CANCELLATION", orderEventIdOf(orderId, 1)],
      ["RETURNED_TO_SENDER", orderEventIdOf(orderId, 2)],
      ["RETURN_RECEIVED", orderEventIdOf(orderId, 3)],
    ]);
    expect(orderEventIdOf(orderId, 1)).toBe(`${orderId}.order.1`);
    const [delivered, back, received] = events;
    expect(delivered?.detail).toEqual({
      eventId: `${orderId}.order.1`,
      orderId,
      requestId: REQ,
      status: "COMPLETED",
      // The request ended: whose fault it was is known (the flow's reason is a change of mind).
      initiator: "BUYER",
      fault: "NONE",
      at: at(DAY),
      actor: CARRIER_CLIENT,
      lines: request.lines.map(({ lineId, quantity, amount }) => ({ lineId, quantity, amount })),
      itemsAmount: request.itemsAmount,
      shippingAmount: request.shippingAmount,
      refund: request.refund && eventRefundOf(request.refund),
      // As they stand when published: here the parcel is back and the return closed.
      parcel: { status: "RETURNED", updatedAt: at(2 * DAY) },
      return: flow.order.return,
    });
    expect(delivered?.detail.return).toMatchObject({ status: "RECEIVED" });
    expect(back?.detail).toMatchObject({ at: at(2 * DAY + 60), actor: CARRIER_CLIENT });
    expect(received?.detail).toMatchObject({ at: at(2 * DAY + 60), actor: "system" });
    // Copies: a consumer cannot reach into the stored order.
    expect(delivered?.detail.return).not.toBe(flow.order.return);
    expect(delivered?.detail.parcel).not.toBe(flow.order.parcel);
    // From a position on.
    expect(orderEvents(flow.record, 3).map((event) => event.detailType)).toEqual([
      "RETURN_RECEIVED",
    ]);
  });

  it("never publishes what the parcel did before the order's first request", () => {
    const flow = Flow.shipped();
    flow.apply(track("DELIVERY_REFUSED", at(0), CARRIER_CLIENT), at(0));
    expect(orderEvents(flow.record)).toEqual([]);
    flow.requested(undefined, REQ, at(HOUR));
    // The refusal came before any cancellation: still nothing; later entries are published.
    expect(orderEvents(flow.record)).toEqual([]);
    flow.apply(track("RETURNED_TO_SENDER", at(2 * HOUR), CARRIER_CLIENT), at(2 * HOUR));
    expect(orderEvents(flow.record).map((event) => event.detailType)).toEqual([
      "RETURNED_TO_SENDER",
    ]);
  });

  it("names the latest request, even one that refunded nothing; the return null when there is none", () => {
    const flow = Flow.shipped().requested();
    flow.apply(track("DELIVERY_REFUSED", at(HOUR), CARRIER_CLIENT), at(HOUR));
    const [refused] = orderEvents(flow.record);
    expect(refused?.detailType).toBe("DELIVERY_REFUSED");
    expect(refused?.detail).toMatchObject({
      requestId: REQ,
      status: "AWAITING_SELLER",
      parcel: { status: "REFUSED", updatedAt: at(HOUR) },
      return: null,
    });
    expect(refused?.detail).not.toHaveProperty("refund");
    flow.apply(sellerReject("already handed over"), at(2 * HOUR));
    expect(orderEvents(flow.record)[0]?.detail).toMatchObject({ status: "REJECTED" });

    // A later request is the latest: its id and status.
    const two = Flow.shipped({
      lines: [
        { lineId: "l1", sku: "MUG", title: "Mug", quantity: 2, unitPrice: 1500 },
        { lineId: "l2", sku: "PLT", title: "Plate", quantity: 1, unitPrice: 2000 },
      ],
      payment: { paidAmount: 5500 },
    });
    two.apply(requestCancellation({ lines: [{ lineId: "l1", quantity: 1 }] }), at(0));
    two.apply(workflowStarted(), at(1));
    two.apply(sellerReject("no"), at(HOUR));
    two.apply(
      requestCancellation({ requestId: "req-2", lines: [{ lineId: "l2", quantity: 1 }] }),
      at(2 * HOUR),
    );
    two.apply(workflowStarted("req-2"), at(2 * HOUR + 1));
    two.apply(track("DELIVERY_REFUSED", at(3 * HOUR), CARRIER_CLIENT), at(3 * HOUR));
    expect(orderEvents(two.record)[0]?.detail).toMatchObject({
      requestId: "req-2",
      status: "AWAITING_SELLER",
      lines: [{ lineId: "l2", quantity: 1 }],
    });
  });

  it("publishes nothing for an order without requests", () => {
    const flow = Flow.shipped();
    flow.apply(track("DELIVERY_REFUSED", at(HOUR), CARRIER_CLIENT), at(HOUR));
    expect(flow.order.timeline).toHaveLength(1);
    expect(orderEvents(flow.record)).toEqual([]);
  });
});

describe("the events' JSON Schema", () => {
  const schema = JSON.parse(readFileSync(EVENT_SCHEMA_FILE, "utf8")) as object;

  it("is the committed file, as npm run openapi writes it", () => {
    expect(readFileSync(EVENT_SCHEMA_FILE, "utf8")).toBe(renderEventSchema());
  });

  it("accepts the events a whole story publishes, in EventBridge's envelope, and refuses others", () => {
    const ajv = new Ajv2020({ allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const flow = Flow.shipped();
    flow.requested();
    flow.apply(sellerApprove(), at(HOUR));
    const events = requestEvents(flow.request());
    expect(events.length).toBeGreaterThan(2);
    const envelope = (event: (typeof events)[number]) => ({
      version: "0",
      id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
      source: EVENT_SOURCE,
      "detail-type": event.detailType,
      account: "123456789012",
      time: event.detail.at,
      region: "ap-northeast-1",
      resources: [],
      detail: event.detail,
    });
    for (const event of events) expect(validate(envelope(event)), ajv.errorsText()).toBe(true);
    const partial = partialFlow();
    partial.apply(sellerApprove(), at(HOUR));
    partial.apply(policyApprove(), at(HOUR + 1));
    for (const event of requestEvents(partial.request())) {
      expect(validate(envelope(event)), ajv.errorsText()).toBe(true);
    }
    const reversal = requestEvents(reversedFlow().request()).at(-1);
    expect(reversal?.detailType).toBe("REFUND_REVERSED");
    if (reversal) expect(validate(envelope(reversal)), ajv.errorsText()).toBe(true);
    const [first] = events;
    if (!first) throw new Error("no event");
    expect(validate({ ...envelope(first), source: "elsewhere" })).toBe(false);
    const { eventId: _eventId, ...withoutId } = first.detail;
    expect(validate({ ...envelope(first), detail: withoutId })).toBe(false);
    const { lines: _lines, ...withoutLines } = first.detail;
    expect(validate({ ...envelope(first), detail: withoutLines })).toBe(false);
    const badLine = { lineId: "l1", quantity: "1", amount: 1320 };
    expect(validate({ ...envelope(first), detail: { ...first.detail, lines: [badLine] } })).toBe(
      false,
    );
    expect(validate({ ...envelope(first), detail: { ...first.detail, status: "SHIPPED" } })).toBe(
      false,
    );
    // Forward compatible: a replay's `replay-name`, a field added later.
    expect(validate({ ...envelope(first), "replay-name": "order-system-2026-12-02" })).toBe(true);
    expect(validate({ ...envelope(first), detail: { ...first.detail, note: "later" } })).toBe(true);
  });

  it("accepts the order's parcel events, and refuses a parcel or return it does not know", () => {
    const ajv = new Ajv2020({ allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const envelope = (event: TimelineEvent) => ({
      version: "0",
      id: "0b7a2a5e-6c1f-4f0e-9a55-2f1f6a0f3c11",
      source: EVENT_SOURCE,
      "detail-type": event.detailType,
      account: "123456789012",
      time: event.detail.at,
      region: "ap-northeast-1",
      resources: [],
      detail: event.detail,
    });
    const returned = returnedFlow();
    const overdue = returnedFlowUntilOverdue();
    const refused = Flow.shipped().requested();
    refused.apply(track("DELIVERY_REFUSED", at(HOUR), CARRIER_CLIENT), at(HOUR));
    refused.apply(track("RETURNING_TO_SENDER", at(2 * HOUR), CARRIER_CLIENT), at(2 * HOUR));
    const events = [returned, overdue, refused].flatMap((flow) => orderEvents(flow.record));
    // Each of the six parcel entries is published, and each event is valid.
    expect(new Set(events.map((event) => event.detailType))).toEqual(
      new Set(PARCEL_TIMELINE_TYPES),
    );
    for (const event of events) {
      expect(validate(envelope(event)), `${event.detailType}: ${ajv.errorsText()}`).toBe(true);
    }
    const [first] = events;
    if (!first) throw new Error("no event");
    const detail = first.detail;
    expect(
      validate(
        envelope({
          ...first,
          detail: { ...detail, parcel: { status: "LOST", updatedAt: detail.at } },
        } as never),
      ),
    ).toBe(false);
    expect(
      validate(
        envelope({
          ...first,
          detail: { ...detail, return: { ...detail.return, status: "CLOSED" } },
        } as never),
      ),
    ).toBe(false);
    expect(validate({ ...envelope(first), "detail-type": "SHIPPED" })).toBe(false);
  });
});

/** The parcel delivered after the cancellation and not back by its due date. */
const returnedFlowUntilOverdue = (): Flow => {
  const flow = approvedFlow({}, policyWith({ returnAfterCancellationDays: 3 }));
  flow.apply(instructRefund(), at(2 * HOUR));
  flow.apply(refundSucceeded(), at(2 * HOUR + 1));
  flow.apply(complete(), at(2 * HOUR + 2));
  flow.apply(deliver(at(DAY), CARRIER_CLIENT), at(DAY));
  flow.apply(markReturnOverdue(), flow.order.return?.dueBy ?? "");
  return flow;
};
