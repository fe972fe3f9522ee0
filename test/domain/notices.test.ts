// What a request's stored state says must go out, and the marks of what did (notices.ts): the mail
// each timeline entry implies, the mail and events still due, the marks merged onto a record, the
// order's attention time; and the queues' summary of a request (views.ts `toRequestSummary`),
// whose index entry must stay under 1 KB. Examples first, then properties over every record that
// random event sequences reach (scenarios.ts), with random marks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { indexKeys, orderKey } from "../../functions/adapters/dynamodb/order-item.ts";
import { OPERATOR_QUEUE, SELLER_QUEUE } from "../../functions/adapters/dynamodb/table.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import {
  attentionSince,
  dueEvents,
  dueMail,
  dueOrderEvents,
  dueOrderMail,
  entryMail,
  MAIL_MAX_TRIES,
  type MailNotice,
  type NoticeMark,
  noticesDueSince,
  orderEntryMail,
  orderNoticesDueSince,
  sendableSince,
  withMarks,
} from "../../functions/domain/notices.ts";
import { eventIdOf } from "../../functions/domain/published-events.ts";
import { addSeconds, latestRequest } from "../../functions/domain/requests.ts";
import { CANCELLATION_REASONS } from "../../functions/domain/schemas.ts";
import { transition } from "../../functions/domain/transition.ts";
import {
  type CancellationReason,
  type CancellationRequest,
  isTerminal,
  type OrderRecord,
  type TimelineEntry,
  type TimelineType,
} from "../../functions/domain/types.ts";
import {
  COMMENT_PREVIEW_BYTES,
  COMMENT_PREVIEW_LENGTH,
  toRequestSummary,
} from "../../functions/domain/views.ts";
import { makeOrder, makeRequest } from "../support/factories.ts";
import {
  approvedFlow,
  at,
  complete,
  DAY,
  deliver,
  Flow,
  HOUR,
  instructRefund,
  markReturnOverdue,
  OPERATOR,
  policyApprove,
  policyWith,
  REQ,
  refundFailed,
  refundSucceeded,
  requestCancellation,
  retryRefund,
  SELLER,
  sellerApprove,
  sellerReject,
  ship,
  track,
  workflowStarted,
} from "./flow.ts";
import { type Scenario, scenarioArb, simulate } from "./scenarios.ts";

const requestOf = (record: OrderRecord, requestId = REQ): CancellationRequest => {
  const request = record.requests[requestId];
  if (!request) throw new Error(`no request ${requestId}`);
  return request;
};

const sent = (key: string, at: string, requestId = REQ): NoticeMark => ({
  kind: "MAIL_SENT",
  requestId,
  key,
  at,
});
const failed = (key: string, tries: number, at: string, requestId = REQ): NoticeMark => ({
  kind: "MAIL_FAILED",
  requestId,
  key,
  error: "ServiceUnavailable",
  tries,
  at,
});
const published = (through: number, requestId = REQ): NoticeMark => ({
  kind: "PUBLISHED",
  requestId,
  through,
});

/** A request that was rejected by the seller: five mails to send, three events. */
const rejected = (): Flow => {
  const flow = Flow.shipped().requested();
  flow.apply(sellerReject("no"), at(HOUR));
  return flow;
};

// ---- examples -----------------------------------------------------------------------------------

/** What a request says, without what senders keep: its notices and its entries' event snapshots. */
const said = (request: CancellationRequest) => {
  const { notices: _notices, timeline, ...rest } = request;
  return { ...rest, timeline: timeline.map(({ event: _event, ...entry }) => entry) };
};

describe("entryMail", () => {
  const high = () => {
    const flow = Flow.shipped({ payment: { paidAmount: 40_000 } }).requested();
    flow.apply(sellerApprove(), at(HOUR));
    return flow;
  };
  const kinds: [TimelineType, () => Flow, MailNotice[]][] = [
    ["REQUESTED", () => Flow.shipped().requested(), []],
    [
      "SELLER_NOTIFIED",
      () => Flow.shipped().requested(),
      [
        { template: "BUYER_REQUEST_RECEIVED", to: "BUYER" },
        { template: "SELLER_NEW_REQUEST", to: "SELLER" },
      ],
    ],
    ["SELLER_APPROVED", approvedFlow, []],
    ["SELLER_APPROVED", high, [{ template: "OPERATOR_ESCALATION", to: "OPERATORS" }]],
    ["MARKETPLACE_APPROVED", approvedFlow, [{ template: "BUYER_APPROVED", to: "BUYER" }]],
    [
      "SELLER_REJECTED",
      rejected,
      [
        { template: "BUYER_REJECTED", to: "BUYER" },
        { template: "SELLER_OUTCOME", to: "SELLER" },
      ],
    ],
  ];

  it.each(kinds)("%s implies its mail", (type, make, mail) => {
    const request = requestOf(make().record);
    const entry = request.timeline.find((e) => e.type === type);
    if (!entry) throw new Error(`no ${type} entry`);
    expect(entryMail(request, entry)).toEqual(mail);
  });

  it("refund steps: the seller's instruction, the buyer's refund, the operators' failure", () => {
    const flow = approvedFlow();
    flow.apply(instructRefund(), at(2 * HOUR));
    flow.apply(refundFailed("card expired"), at(3 * HOUR));
    flow.apply(retryRefund(OPERATOR), at(DAY));
    flow.apply(refundSucceeded(), at(DAY + 1));
    flow.apply(complete(), at(DAY + 2));
    const request = flow.request();
    expect(
      request.timeline.map((entry) => [
        entry.type,
        entryMail(request, entry).map((m) => m.template),
      ]),
    ).toEqual([
      ["REQUESTED", []],
      ["SELLER_NOTIFIED", ["BUYER_REQUEST_RECEIVED", "SELLER_NEW_REQUEST"]],
      ["SELLER_APPROVED", []],
      ["MARKETPLACE_APPROVED", ["BUYER_APPROVED"]],
      ["REFUND_INSTRUCTED", ["SELLER_REFUND_INSTRUCTION"]],
      ["REFUND_FAILED", ["OPERATOR_REFUND_FAILED"]],
      ["REFUND_RETRIED", []],
      ["REFUND_SUCCEEDED", ["BUYER_REFUND_COMPLETED"]],
      ["COMPLETED", ["SELLER_OUTCOME"]],
    ]);
  });

  it("a reversed card refund: the buyer and operators are told, its retry's success tells the buyer again", () => {
    const flow = reversedFlow();
    flow.apply(retryRefund(OPERATOR, REQ, { method: "GIFT_CARD" }), at(DAY + HOUR));
    flow.apply(refundSucceeded(), at(DAY + HOUR + 1));
    const request = flow.request();
    expect(request.status).toBe("COMPLETED");
    expect(
      request.timeline
        .slice(5)
        .map((entry) => [
          entry.type,
          entryMail(request, entry).map((m) => `${m.template}:${m.to}`),
        ]),
    ).toEqual([
      ["REFUND_SUCCEEDED", ["BUYER_REFUND_COMPLETED:BUYER"]],
      ["COMPLETED", ["SELLER_OUTCOME:SELLER"]],
      ["REFUND_REVERSED", ["BUYER_REFUND_REVERSED:BUYER", "OPERATOR_REFUND_REVERSED:OPERATORS"]],
      ["REFUND_RETRIED", []],
      ["REFUND_SUCCEEDED", ["BUYER_REFUND_COMPLETED:BUYER"]],
    ]);
  });
});

/** A card refund made through Stripe, completed, then failed by the card issuer a day later. */
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
      answer: {
        providerReference: "re_1",
        status: "failed",
        failureReason: "expired_or_canceled_card",
      },
      asked: false,
    },
    at(DAY),
  );
  return flow;
};

describe("dueMail of a reversed refund", () => {
  it("each mail goes once: the first refund's mail keeps its key, the reversal's and the retry's have their own", () => {
    let record = reversedFlow().record;
    const keys = () => dueMail(requestOf(record)).map((m) => m.key);
    expect(keys()).toEqual([
      "1.BUYER_REQUEST_RECEIVED",
      "1.SELLER_NEW_REQUEST",
      "3.BUYER_APPROVED",
      "4.SELLER_REFUND_INSTRUCTION",
      "5.BUYER_REFUND_COMPLETED",
      "6.SELLER_OUTCOME",
      "7.BUYER_REFUND_REVERSED",
      "7.OPERATOR_REFUND_REVERSED",
    ]);
    // Sent once, none of them is due again, whatever happens to the refund next.
    record = withMarks(
      record,
      keys().map((key) => sent(key, at(DAY + 1))),
    );
    expect(keys()).toEqual([]);
    const flow = new Flow(record);
    flow.apply(retryRefund(OPERATOR, REQ, { method: "GIFT_CARD" }), at(DAY + HOUR));
    expect(dueMail(flow.request()).map((m) => m.key)).toEqual([]);
    flow.apply(refundSucceeded(), at(DAY + HOUR + 1));
    expect(dueMail(flow.request()).map((m) => [m.key, m.to])).toEqual([
      ["9.BUYER_REFUND_COMPLETED", "BUYER"],
    ]);
  });
});

describe("dueMail", () => {
  it("lists every mail of the timeline, keyed by entry position and template, in order", () => {
    const request = rejected().request();
    expect(dueMail(request)).toEqual([
      {
        requestId: REQ,
        key: "1.BUYER_REQUEST_RECEIVED",
        template: "BUYER_REQUEST_RECEIVED",
        to: "BUYER",
        since: at(1),
        tries: 0,
      },
      {
        requestId: REQ,
        key: "1.SELLER_NEW_REQUEST",
        template: "SELLER_NEW_REQUEST",
        to: "SELLER",
        since: at(1),
        tries: 0,
      },
      {
        requestId: REQ,
        key: "2.BUYER_REJECTED",
        template: "BUYER_REJECTED",
        to: "BUYER",
        since: at(HOUR),
        tries: 0,
      },
      {
        requestId: REQ,
        key: "2.SELLER_OUTCOME",
        template: "SELLER_OUTCOME",
        to: "SELLER",
        since: at(HOUR),
        tries: 0,
      },
    ]);
  });

  it("leaves out mail marked sent, keeps failed mail with its tries", () => {
    const record = withMarks(rejected().record, [
      sent("1.BUYER_REQUEST_RECEIVED", at(2)),
      failed("1.SELLER_NEW_REQUEST", 2, at(3)),
    ]);
    const due = dueMail(requestOf(record));
    expect(due.map((m) => [m.key, m.tries])).toEqual([
      ["1.SELLER_NEW_REQUEST", 2],
      ["2.BUYER_REJECTED", 0],
      ["2.SELLER_OUTCOME", 0],
    ]);
  });

  it("gives a mail up after MAIL_MAX_TRIES failures and then lists operators' alert", () => {
    expect(MAIL_MAX_TRIES).toBe(5);
    let record = rejected().record;
    for (let tries = 1; tries < MAIL_MAX_TRIES; tries++) {
      record = withMarks(record, [failed("2.BUYER_REJECTED", tries, at(DAY + tries))]);
      expect(dueMail(requestOf(record)).find((m) => m.key === "2.BUYER_REJECTED")?.tries).toBe(
        tries,
      );
    }
    record = withMarks(record, [failed("2.BUYER_REJECTED", MAIL_MAX_TRIES, at(2 * DAY))]);
    expect(requestOf(record).notices?.mail["2.BUYER_REJECTED"]).toEqual({
      tries: MAIL_MAX_TRIES,
      error: "ServiceUnavailable",
      gaveUpAt: at(2 * DAY),
    });
    const due = dueMail(requestOf(record));
    expect(due.map((m) => m.key)).toEqual([
      "1.BUYER_REQUEST_RECEIVED",
      "1.SELLER_NEW_REQUEST",
      "2.BUYER_REJECTED.alert",
      "2.SELLER_OUTCOME",
    ]);
    expect(due[2]).toEqual({
      requestId: REQ,
      key: "2.BUYER_REJECTED.alert",
      template: "OPERATOR_MAIL_FAILED",
      to: "OPERATORS",
      since: at(2 * DAY),
      tries: 0,
    });
    // Sent, the alert is done; the mail it was about stays given up.
    record = withMarks(record, [sent("2.BUYER_REJECTED.alert", at(3 * DAY))]);
    expect(dueMail(requestOf(record)).map((m) => m.key)).not.toContain("2.BUYER_REJECTED.alert");
    expect(dueMail(requestOf(record)).map((m) => m.key)).not.toContain("2.BUYER_REJECTED");
  });

  it("alerts nobody about operators' own mail, nor about an alert", () => {
    const flow = approvedFlow();
    flow.apply(instructRefund(), at(2 * HOUR));
    flow.apply(refundFailed("x"), at(3 * HOUR));
    const key = "5.OPERATOR_REFUND_FAILED";
    expect(dueMail(flow.request()).map((m) => m.key)).toContain(key);
    const gaveUp = withMarks(flow.record, [failed(key, MAIL_MAX_TRIES, at(DAY))]);
    expect(dueMail(requestOf(gaveUp)).map((m) => m.key)).not.toContain(key);
    expect(dueMail(requestOf(gaveUp)).some((m) => m.key.startsWith(key))).toBe(false);

    const buyer = withMarks(rejected().record, [
      failed("2.BUYER_REJECTED", MAIL_MAX_TRIES, at(DAY)),
      failed("2.BUYER_REJECTED.alert", MAIL_MAX_TRIES, at(2 * DAY)),
    ]);
    expect(dueMail(requestOf(buyer)).some((m) => m.key.startsWith("2.BUYER_REJECTED"))).toBe(false);
  });
});

describe("withMarks", () => {
  it("returns the same record when the marks change nothing", () => {
    const record = withMarks(rejected().record, [
      sent("1.BUYER_REQUEST_RECEIVED", at(2)),
      failed("1.SELLER_NEW_REQUEST", 3, at(3)),
      published(2),
    ]);
    expect(withMarks(record, [])).toBe(record);
    expect(
      withMarks(record, [
        // Already sent; a failure with fewer tries; a count already passed; an unknown request.
        sent("1.BUYER_REQUEST_RECEIVED", at(9)),
        failed("1.BUYER_REQUEST_RECEIVED", 4, at(9)),
        failed("1.SELLER_NEW_REQUEST", 2, at(9)),
        published(1),
        sent("1.BUYER_REQUEST_RECEIVED", at(9), "req-404"),
        sent("1.BUYER_REQUEST_RECEIVED", at(9), "constructor"),
      ]),
    ).toBe(record);
  });

  it("keeps a sent mail sent, adds failures up, and only moves the published count on", () => {
    let record = rejected().record;
    record = withMarks(record, [failed("2.BUYER_REJECTED", 1, at(2)), published(1)]);
    record = withMarks(record, [failed("2.BUYER_REJECTED", 2, at(3)), published(3)]);
    expect(requestOf(record).notices).toEqual({
      mail: { "2.BUYER_REJECTED": { tries: 2, error: "ServiceUnavailable" } },
      published: 3,
    });
    record = withMarks(record, [sent("2.BUYER_REJECTED", at(4)), published(2)]);
    record = withMarks(record, [failed("2.BUYER_REJECTED", 3, at(5))]);
    expect(requestOf(record).notices).toEqual({
      mail: { "2.BUYER_REJECTED": at(4) },
      published: 3,
    });
  });

  it("touches nothing but the marked requests' notices", () => {
    const flow = rejected();
    flow.requested(undefined, "req-2", at(2 * HOUR));
    const record = withMarks(flow.record, [sent("1.SELLER_NEW_REQUEST", at(3 * HOUR), "req-2")]);
    expect(record.order).toBe(flow.record.order);
    expect(record.requests[REQ]).toBe(flow.record.requests[REQ]);
    const { notices, ...rest } = requestOf(record, "req-2");
    expect(rest).toEqual(requestOf(flow.record, "req-2"));
    expect(notices).toEqual({ mail: { "1.SELLER_NEW_REQUEST": at(3 * HOUR) }, published: 0 });
  });
});

describe("dueEvents", () => {
  it("lists the entries from the published count on, as events with their positions' ids", () => {
    const record = rejected().record;
    expect(dueEvents(requestOf(record)).map((e) => e.detail.eventId)).toEqual([
      eventIdOf(REQ, 0),
      eventIdOf(REQ, 1),
      eventIdOf(REQ, 2),
    ]);
    const through2 = withMarks(record, [published(2)]);
    expect(dueEvents(requestOf(through2)).map((e) => [e.detailType, e.detail.eventId])).toEqual([
      ["SELLER_REJECTED", eventIdOf(REQ, 2)],
    ]);
    expect(dueEvents(requestOf(withMarks(record, [published(3)])))).toEqual([]);
  });
});

describe("attentionSince", () => {
  it("is the open request's creation while it is open", () => {
    const flow = Flow.shipped().requested();
    const everything = withMarks(flow.record, [
      published(2),
      sent("1.BUYER_REQUEST_RECEIVED", at(2)),
      sent("1.SELLER_NEW_REQUEST", at(2)),
    ]);
    expect(noticesDueSince(requestOf(everything))).toBeUndefined();
    expect(attentionSince(everything)).toBe(flow.request().createdAt);
  });

  it("is the oldest due notice of a finished request, and undefined once all went out", () => {
    let record = rejected().record;
    expect(attentionSince(record)).toBe(at(0));
    record = withMarks(record, [published(3)]);
    expect(attentionSince(record)).toBe(at(1));
    record = withMarks(record, [
      sent("1.BUYER_REQUEST_RECEIVED", at(2)),
      sent("1.SELLER_NEW_REQUEST", at(2)),
    ]);
    expect(attentionSince(record)).toBe(at(HOUR));
    expect(noticesDueSince(requestOf(record))).toBe(at(HOUR));
    record = withMarks(record, [
      sent("2.BUYER_REJECTED", at(2)),
      failed("2.SELLER_OUTCOME", MAIL_MAX_TRIES, at(DAY)),
    ]);
    // The given-up mail's alert is due since it was given up.
    expect(attentionSince(record)).toBe(at(DAY));
    record = withMarks(record, [sent("2.SELLER_OUTCOME.alert", at(DAY + 1))]);
    expect(attentionSince(record)).toBeUndefined();
  });
});

// ---- the order's own notices (its parcel after a cancellation) ------------------------------------

/** A whole-order cancellation completed, then the parcel delivered anyway a day after T0. */
const keptAfterCancellation = (): Flow => {
  const flow = approvedFlow({}, policyWith({ returnAfterCancellationDays: 3 }));
  flow.apply(instructRefund(), at(2 * HOUR));
  flow.apply(refundSucceeded(), at(2 * HOUR + 1));
  flow.apply(complete(), at(2 * HOUR + 2));
  flow.apply(deliver(at(DAY)), at(DAY));
  // [CANCELLED, DELIVERED_AFTER_CANCELLATION]
  expect(flow.order.timeline.map((entry) => entry.type)).toEqual([
    "CANCELLED",
    "DELIVERED_AFTER_CANCELLATION",
  ]);
  return flow;
};

/**
 * Two requests: req-1 cancelled one mug and completed, req-2 (for the plate) was rejected; then
 * the parcel was delivered. The order's timeline: [DELIVERED, DELIVERED_AFTER_CANCELLATION].
 */
const twoRequestsThenDelivered = (): Flow => {
  const flow = Flow.shipped({
    lines: [
      { lineId: "l1", sku: "MUG", title: "Mug", quantity: 2, unitPrice: 1500 },
      { lineId: "l2", sku: "PLT", title: "Plate", quantity: 1, unitPrice: 2000 },
    ],
    payment: { paidAmount: 5500 },
  });
  flow.apply(requestCancellation({ lines: [{ lineId: "l1", quantity: 1 }] }), at(0));
  flow.apply(workflowStarted(), at(1));
  flow.apply(sellerApprove(), at(HOUR));
  flow.apply(policyApprove(), at(HOUR + 1));
  flow.apply(instructRefund(), at(2 * HOUR));
  flow.apply(refundSucceeded(), at(2 * HOUR + 1));
  flow.apply(complete(), at(2 * HOUR + 2));
  flow.apply(
    requestCancellation({ requestId: "req-2", lines: [{ lineId: "l2", quantity: 1 }] }),
    at(3 * HOUR),
  );
  flow.apply(workflowStarted("req-2"), at(3 * HOUR + 1));
  flow.apply(sellerReject("already packed", SELLER, "req-2"), at(4 * HOUR));
  flow.apply(deliver(at(DAY)), at(DAY));
  expect(flow.order.timeline.map((entry) => entry.type)).toEqual([
    "DELIVERED",
    "DELIVERED_AFTER_CANCELLATION",
  ]);
  return flow;
};

/** Every request's mail and events marked sent: only the order's own notices are left. */
const requestsAllSent = (record: OrderRecord, sentAt: string): OrderRecord =>
  withMarks(
    record,
    Object.values(record.requests).flatMap((request): NoticeMark[] => [
      published(request.timeline.length, request.requestId),
      ...dueMail(request).map((due) => sent(due.key, sentAt, request.requestId)),
    ]),
  );

const orderPublished = (through: number): NoticeMark => ({ kind: "ORDER_PUBLISHED", through });

/** The record after `event` (which must apply): for records some of whose notices went out. */
const applied = (record: OrderRecord, event: DomainEvent, now: string): OrderRecord => {
  const result = transition(record, event, now);
  if (!result.ok) throw result.error;
  return result.record;
};

describe("orderEntryMail", () => {
  const entry = (type: TimelineType): TimelineEntry => ({ at: at(0), type, actor: "system" });

  it("mails the buyer how to send the units back and tells the seller, on a delivery after the cancellation", () => {
    expect(orderEntryMail(entry("DELIVERED_AFTER_CANCELLATION"))).toEqual([
      { template: "BUYER_RETURN_INSTRUCTIONS", to: "BUYER" },
      { template: "SELLER_PARCEL_KEPT", to: "SELLER" },
    ]);
  });

  it("tells the buyer the return arrived, and operators that it is overdue", () => {
    expect(orderEntryMail(entry("RETURN_RECEIVED"))).toEqual([
      { template: "BUYER_RETURN_RECEIVED", to: "BUYER" },
    ]);
    expect(orderEntryMail(entry("RETURN_OVERDUE"))).toEqual([
      { template: "OPERATOR_RETURN_OVERDUE", to: "OPERATORS" },
    ]);
  });

  it("mails nothing for the carrier's own steps nor the order's other entries", () => {
    const silent: TimelineType[] = [
      "DELIVERY_REFUSED",
      "RETURNING_TO_SENDER",
      "RETURNED_TO_SENDER",
      "ORDER_IMPORTED",
      "SHIPPED",
      "DELIVERED",
      "CANCELLED",
    ];
    for (const type of silent) expect(orderEntryMail(entry(type)), type).toEqual([]);
  });
});

describe("dueOrderMail", () => {
  it("lists the order entries' mail keyed order.<position>.<template>, with the latest request's id", () => {
    const flow = twoRequestsThenDelivered();
    expect(dueOrderMail(flow.record)).toEqual([
      {
        requestId: "req-2",
        key: "order.1.BUYER_RETURN_INSTRUCTIONS",
        template: "BUYER_RETURN_INSTRUCTIONS",
        to: "BUYER",
        since: at(DAY),
        tries: 0,
      },
      {
        requestId: "req-2",
        key: "order.1.SELLER_PARCEL_KEPT",
        template: "SELLER_PARCEL_KEPT",
        to: "SELLER",
        since: at(DAY),
        tries: 0,
      },
    ]);
    // A request's own mail never has them: they are the order's.
    for (const request of Object.values(flow.record.requests)) {
      expect(dueMail(request).map((due) => due.key)).not.toContainEqual(
        expect.stringMatching(/^order\./),
      );
    }
  });

  it("lists none while the order has no request", () => {
    const { record } = keptAfterCancellation();
    const withoutRequests: OrderRecord = { ...record, requests: {} };
    expect(dueOrderMail(withoutRequests)).toEqual([]);
    expect(dueOrderEvents(withoutRequests)).toEqual([]);
    expect(orderNoticesDueSince(withoutRequests)).toBeUndefined();
  });

  it("marks of order. keys and ORDER_PUBLISHED land on orderNotices, the requests untouched, and make them not due", () => {
    const { record } = keptAfterCancellation();
    expect(record.orderNotices).toBeUndefined();
    const marks: NoticeMark[] = [
      // The request id a sender names does not matter: the key is the order's.
      sent("order.1.BUYER_RETURN_INSTRUCTIONS", at(DAY + 1), "req-unknown"),
      orderPublished(2),
    ];
    const marked = withMarks(record, marks);
    expect(marked.requests).toBe(record.requests);
    expect(marked.order).toBe(record.order);
    expect(marked.orderNotices).toEqual({
      mail: { "order.1.BUYER_RETURN_INSTRUCTIONS": at(DAY + 1) },
      published: 2,
    });
    expect(dueOrderMail(marked).map((due) => due.key)).toEqual(["order.1.SELLER_PARCEL_KEPT"]);
    expect(dueOrderEvents(marked)).toEqual([]);
    // Marks on record change nothing; the published count never goes back.
    expect(withMarks(marked, marks)).toBe(marked);
    expect(withMarks(marked, [orderPublished(1)])).toBe(marked);
    // Sent, the last one is not due either.
    const all = withMarks(marked, [sent("order.1.SELLER_PARCEL_KEPT", at(DAY + 2))]);
    expect(dueOrderMail(all)).toEqual([]);
    expect(orderNoticesDueSince(all)).toBeUndefined();
  });

  it("gives an order mail up after MAIL_MAX_TRIES failures and lists operators' alert, none for operators' own", () => {
    const flow = keptAfterCancellation();
    const key = "order.1.BUYER_RETURN_INSTRUCTIONS";
    const tries = Array.from({ length: MAIL_MAX_TRIES }, (_, index) =>
      failed(key, index + 1, at(DAY + index + 1)),
    );
    let record = withMarks(flow.record, tries);
    const gaveUpAt = at(DAY + MAIL_MAX_TRIES);
    expect(record.orderNotices?.mail[key]).toMatchObject({ tries: MAIL_MAX_TRIES, gaveUpAt });
    // The alert comes right after the mail it is about.
    expect(dueOrderMail(record)).toEqual([
      {
        requestId: REQ,
        key: `${key}.alert`,
        template: "OPERATOR_MAIL_FAILED",
        to: "OPERATORS",
        since: gaveUpAt,
        tries: 0,
      },
      {
        requestId: REQ,
        key: "order.1.SELLER_PARCEL_KEPT",
        template: "SELLER_PARCEL_KEPT",
        to: "SELLER",
        since: at(DAY),
        tries: 0,
      },
    ]);
    record = withMarks(record, [sent(`${key}.alert`, at(DAY + 10))]);
    expect(dueOrderMail(record).map((due) => due.key)).toEqual(["order.1.SELLER_PARCEL_KEPT"]);

    // Operators' own mail given up: nobody is alerted about an alert.
    const dueBy = flow.order.return?.dueBy ?? "";
    const overdue = applied(flow.record, markReturnOverdue(), dueBy);
    const overdueKey = "order.2.OPERATOR_RETURN_OVERDUE";
    expect(dueOrderMail(overdue).map((due) => due.key)).toContain(overdueKey);
    const givenUp = withMarks(
      overdue,
      Array.from({ length: MAIL_MAX_TRIES }, (_, index) =>
        failed(overdueKey, index + 1, addSeconds(dueBy, index + 1)),
      ),
    );
    expect(dueOrderMail(givenUp).map((due) => due.key)).not.toContainEqual(
      expect.stringMatching(/OPERATOR_RETURN_OVERDUE/),
    );
  });
});

describe("dueOrderEvents", () => {
  it("lists only the six parcel entries, with <orderId>.order.<position> ids, from the published count on", () => {
    const flow = twoRequestsThenDelivered();
    flow.apply(track("RETURNING_TO_SENDER", at(2 * DAY)), at(2 * DAY));
    flow.apply(track("RETURNED_TO_SENDER", at(3 * DAY)), at(3 * DAY));
    const orderId = flow.order.orderId;
    const events = (record: OrderRecord) =>
      dueOrderEvents(record).map((event) => [event.detailType, event.detail.eventId]);
    // DELIVERED (position 0) is the order's, not a parcel entry: not published.
    expect(events(flow.record)).toEqual([
      ["DELIVERED_AFTER_CANCELLATION", `${orderId}.order.1`],
      ["RETURNING_TO_SENDER", `${orderId}.order.2`],
      ["RETURNED_TO_SENDER", `${orderId}.order.3`],
      ["RETURN_RECEIVED", `${orderId}.order.4`],
    ]);
    expect(events(withMarks(flow.record, [orderPublished(3)]))).toEqual([
      ["RETURNED_TO_SENDER", `${orderId}.order.3`],
      ["RETURN_RECEIVED", `${orderId}.order.4`],
    ]);
    expect(events(withMarks(flow.record, [orderPublished(5)]))).toEqual([]);
    // The latest request's id on each.
    for (const event of dueOrderEvents(flow.record)) {
      expect(event.detail.requestId).toBe("req-2");
    }
  });

  it("leaves out the order's shipment and cancellation entries", () => {
    const flow = Flow.shipped({ status: "PLACED", shipment: null });
    flow.apply(ship(at(-HOUR)), at(-HOUR));
    flow.requested();
    flow.apply(sellerApprove(), at(HOUR));
    flow.apply(policyApprove(), at(HOUR + 1));
    flow.apply(instructRefund(), at(2 * HOUR));
    flow.apply(refundSucceeded(), at(2 * HOUR + 1));
    flow.apply(complete(), at(2 * HOUR + 2));
    expect(flow.order.timeline.map((entry) => entry.type)).toEqual(["SHIPPED", "CANCELLED"]);
    expect(dueOrderEvents(flow.record)).toEqual([]);
    expect(dueOrderMail(flow.record)).toEqual([]);
    expect(orderNoticesDueSince(flow.record)).toBeUndefined();
  });
});

describe("sendableSince", () => {
  it("counts the order's notices for the latest request only", () => {
    const record = requestsAllSent(twoRequestsThenDelivered().record, at(DAY));
    const [first, latest] = ["req-1", "req-2"].map((id) => requestOf(record, id));
    if (!first || !latest) throw new Error("no requests");
    expect(sendableSince(record, first)).toBeUndefined();
    expect(sendableSince(record, latest)).toBe(at(DAY));
    expect(orderNoticesDueSince(record)).toBe(at(DAY));
  });
});

describe("attentionSince with the order's notices and its return", () => {
  it("is the oldest due order notice, then the open return's dueBy, then nothing once it is overdue and told", () => {
    const flow = keptAfterCancellation();
    let record = requestsAllSent(flow.record, at(DAY));
    const dueBy = flow.order.return?.dueBy ?? "";
    expect(dueBy).toBe(addSeconds(at(DAY), 3 * DAY));
    // The delivery's event and mail are due since its entry.
    expect(attentionSince(record)).toBe(at(DAY));
    record = withMarks(record, [
      orderPublished(2),
      sent("order.1.BUYER_RETURN_INSTRUCTIONS", at(DAY + 1)),
    ]);
    expect(attentionSince(record)).toBe(at(DAY));
    record = withMarks(record, [sent("order.1.SELLER_PARCEL_KEPT", at(DAY + 1))]);
    // Everything sent: the open return, until it falls due.
    expect(attentionSince(record)).toBe(dueBy);
    record = applied(record, markReturnOverdue(), dueBy);
    expect(attentionSince(record)).toBe(dueBy);
    record = withMarks(record, [
      orderPublished(3),
      sent("order.2.OPERATOR_RETURN_OVERDUE", addSeconds(dueBy, 1)),
    ]);
    // OVERDUE: told, and nothing else to wait for.
    expect(attentionSince(record)).toBeUndefined();
  });

  it("counts no RECEIVED return", () => {
    const flow = keptAfterCancellation();
    flow.apply(track("RETURNED_TO_SENDER", at(2 * DAY)), at(2 * DAY));
    flow.record = withMarks(requestsAllSent(flow.record, at(2 * DAY)), [
      orderPublished(4),
      sent("order.1.BUYER_RETURN_INSTRUCTIONS", at(2 * DAY)),
      sent("order.1.SELLER_PARCEL_KEPT", at(2 * DAY)),
      sent("order.3.BUYER_RETURN_RECEIVED", at(2 * DAY)),
    ]);
    expect(flow.order.return?.status).toBe("RECEIVED");
    expect(attentionSince(flow.record)).toBeUndefined();
  });

  it("is the open return's dueBy when that is older than a notice still due", () => {
    const flow = keptAfterCancellation();
    const dueBy = flow.order.return?.dueBy ?? "";
    // The carrier's later word is not yet published; the return fell due before it.
    let record = withMarks(requestsAllSent(flow.record, at(DAY)), [
      orderPublished(2),
      sent("order.1.BUYER_RETURN_INSTRUCTIONS", at(DAY)),
      sent("order.1.SELLER_PARCEL_KEPT", at(DAY)),
    ]);
    const later = addSeconds(dueBy, HOUR);
    record = applied(record, track("RETURNING_TO_SENDER", later), later);
    expect(orderNoticesDueSince(record)).toBe(later);
    expect(attentionSince(record)).toBe(dueBy);
  });
});

describe("toRequestSummary", () => {
  const order = makeOrder();

  it("is the request without its timeline or server-side fields", () => {
    const request = makeRequest(order, { comment: "short" });
    const summary = toRequestSummary(request, order);
    expect(summary).toEqual({
      requestId: request.requestId,
      orderId: request.orderId,
      status: request.status,
      reason: request.reason,
      comment: "short",
      lines: [{ lineId: "l1", title: "ワイヤレスイヤホン", quantity: 1, amount: 4980 }],
      moreLines: 0,
      itemsAmount: 4980,
      shippingAmount: 500,
      currency: "JPY",
      createdAt: request.createdAt,
      updatedAt: request.updatedAt,
      sellerDeadline: request.sellerDeadline,
      marketplaceDeadline: null,
      marketplaceReview: null,
      refundRetryDeadline: null,
      refund: null,
    });
    expect(JSON.stringify(summary)).not.toMatch(/timeline|idem-key|policy/);
  });

  it("names the first three lines by title (cut to 24 characters) and counts the rest", () => {
    const many = makeOrder({
      lines: ["a", "b", "c", "d", "e"].map((id, i) => ({
        lineId: id,
        sku: `S-${id}`,
        title: i === 0 ? "長い商品名".repeat(10) : `item ${id}`,
        quantity: 2,
        unitPrice: 1000,
      })),
      shippingFee: 0,
      payment: { paidAmount: 10_000 },
    });
    const summary = toRequestSummary(makeRequest(many), many);
    expect(summary.lines.map((line) => [line.lineId, line.title, line.quantity])).toEqual([
      ["a", `${"長い商品名".repeat(10).slice(0, 19)}…`, 2],
      ["b", "item b", 2],
      ["c", "item c", 2],
    ]);
    expect(summary.moreLines).toBe(2);
  });

  it("cuts the comment to 80 characters and 240 bytes, ending in … when cut", () => {
    expect(COMMENT_PREVIEW_LENGTH).toBe(80);
    expect(COMMENT_PREVIEW_BYTES).toBe(240);
    const preview = (comment: string | null) =>
      toRequestSummary(makeRequest(order, { comment }), order).comment;
    const bytes = (text: string) => Buffer.byteLength(text, "utf8");
    expect(preview(null)).toBeNull();
    expect(preview("a".repeat(80))).toBe("a".repeat(80));
    expect(preview("a".repeat(81))).toBe(`${"a".repeat(79)}…`);
    // Japanese: 3 bytes a character, so 80 of them are exactly the byte limit.
    expect(preview("あ".repeat(80))).toBe("あ".repeat(80));
    expect(preview("あ".repeat(81))).toBe(`${"あ".repeat(79)}…`);
    // Emoji: 4 bytes each, so the bytes cut first; never half a character.
    const cut = preview("😀".repeat(100)) ?? "";
    expect(cut).toBe(`${"😀".repeat(59)}…`);
    expect(bytes(cut)).toBeLessThanOrEqual(COMMENT_PREVIEW_BYTES);
    expect(preview("😀".repeat(60))).toBe("😀".repeat(60));
    expect(preview("😀".repeat(61))).toBe(`${"😀".repeat(59)}…`);
  });

  it("names the last failure of a failed refund, and none once it is retried", () => {
    const flow = approvedFlow();
    flow.apply(instructRefund(), at(2 * HOUR));
    flow.apply(refundFailed("ProviderUnavailable"), at(3 * HOUR));
    flow.apply(retryRefund(OPERATOR), at(DAY));
    expect(toRequestSummary(flow.request(), flow.record.order).refund?.lastError).toBeNull();
    flow.apply(refundFailed("RefundDeclined"), at(DAY + 1));
    expect(toRequestSummary(flow.request(), flow.record.order).refund).toEqual({
      amount: 5480,
      currency: "JPY",
      method: "CARD",
      status: "FAILED",
      attempts: 2,
      lastError: "RefundDeclined",
    });
  });
});

// ---- properties ---------------------------------------------------------------------------------

/** Every record a scenario reaches (after each accepted step), with the step's time. */
const reachable = (scenario: Scenario): { record: OrderRecord; now: string }[] => {
  const records: { record: OrderRecord; now: string }[] = [];
  simulate(scenario, (_sim, step) => {
    if (step.result.ok) records.push({ record: step.result.record, now: step.now });
  });
  return records;
};

/** The keys of every mail a request's timeline implies, with their recipients. */
const impliedKeys = (request: CancellationRequest): { key: string; to: string }[] =>
  request.timeline.flatMap((entry, index) =>
    entryMail(request, entry).map((mail) => ({ key: `${index}.${mail.template}`, to: mail.to })),
  );

/** A mark to make, picked against whatever record it is applied to. */
const markSeedArb = fc.record({
  kind: fc.constantFrom("MAIL_SENT", "MAIL_FAILED", "PUBLISHED", "ALERT_SENT", "ALERT_FAILED"),
  request: fc.nat(),
  mail: fc.nat(),
  tries: fc.integer({ min: 1, max: MAIL_MAX_TRIES + 2 }),
  through: fc.nat(),
  seconds: fc.nat(3 * DAY),
  error: fc.constantFrom("Throttling", "ServiceUnavailable"),
  /** Now and then a mark of a request the record does not have. */
  stranger: fc.nat(19),
});
type MarkSeed = typeof markSeedArb extends fc.Arbitrary<infer S> ? S : never;

const markFor = (record: OrderRecord, seed: MarkSeed, now: string): NoticeMark | undefined => {
  const requests = Object.values(record.requests);
  const request = requests[seed.request % Math.max(1, requests.length)];
  if (!request) return undefined;
  const requestId = seed.stranger === 0 ? "req-stranger" : request.requestId;
  const at = addSeconds(now, seed.seconds);
  if (seed.kind === "PUBLISHED") {
    return { kind: "PUBLISHED", requestId, through: seed.through % (request.timeline.length + 1) };
  }
  const keys = impliedKeys(request);
  const mail = keys[seed.mail % Math.max(1, keys.length)];
  if (!mail) return undefined;
  const key = seed.kind.startsWith("ALERT") ? `${mail.key}.alert` : mail.key;
  return seed.kind.endsWith("SENT")
    ? { kind: "MAIL_SENT", requestId, key, at }
    : { kind: "MAIL_FAILED", requestId, key, error: seed.error, tries: seed.tries, at };
};

const marksFor = (record: OrderRecord, seeds: readonly MarkSeed[], now: string): NoticeMark[] =>
  seeds.flatMap((seed) => markFor(record, seed, now) ?? []);

const seedsArb = fc.array(markSeedArb, { maxLength: 12 });
const RUNS = { numRuns: 150 };

describe("notices properties over every reachable record", () => {
  it("dueMail lists exactly the timeline's mail minus what is marked sent or given up, then the alerts of given-up mail", () => {
    fc.assert(
      fc.property(scenarioArb, seedsArb, (scenario, seeds) => {
        for (const { record, now } of reachable(scenario)) {
          const marked = withMarks(record, marksFor(record, seeds, now));
          for (const request of Object.values(marked.requests)) {
            const marks = request.notices?.mail ?? {};
            const done = (key: string) => {
              const mark = marks[key];
              return typeof mark === "string" || mark?.gaveUpAt !== undefined;
            };
            const givenUp = (key: string) => {
              const mark = marks[key];
              return typeof mark === "object" && mark.gaveUpAt !== undefined;
            };
            const implied = impliedKeys(request);
            const expected = new Set([
              ...implied.filter(({ key }) => !done(key)).map(({ key }) => key),
              ...implied
                .filter(({ key, to }) => givenUp(key) && to !== "OPERATORS")
                .map(({ key }) => `${key}.alert`)
                .filter((key) => !done(key)),
            ]);
            const due = dueMail(request);
            expect(due.map((m) => m.key).sort()).toEqual([...expected].sort());
            for (const mail of due) {
              const mark = marks[mail.key];
              expect(mail.tries).toBe(typeof mark === "object" ? mark.tries : 0);
              expect(mail.tries).toBeLessThan(MAIL_MAX_TRIES);
              expect(mail.requestId).toBe(request.requestId);
            }
          }
        }
      }),
      RUNS,
    );
  });

  it("marks are idempotent and commutative: the same record comes back for marks on record", () => {
    fc.assert(
      fc.property(scenarioArb, seedsArb, seedsArb, (scenario, seedsA, seedsB) => {
        for (const { record, now } of reachable(scenario)) {
          const a = marksFor(record, seedsA, now);
          const b = marksFor(record, seedsB, now);
          const withA = withMarks(record, a);
          expect(withMarks(record, [])).toBe(record);
          expect(withMarks(withA, a)).toBe(withA);
          const ab = withMarks(withA, b);
          expect(withMarks(withMarks(record, b), a)).toEqual(ab);
          expect(withMarks(record, [...a, ...b])).toEqual(ab);
          expect(withMarks(ab, [...b, ...a])).toBe(ab);
          // Marks never touch the order, nor what a request says; a published entry's event
          // snapshot is dropped, an unpublished one's kept.
          expect(ab.order).toBe(record.order);
          for (const [id, request] of Object.entries(ab.requests)) {
            expect(said(request)).toEqual(said(requestOf(record, id)));
            const published = request.notices?.published ?? 0;
            request.timeline.forEach((entry, index) => {
              if (index < published) expect(entry.event).toBeUndefined();
              else expect(entry.event).toEqual(requestOf(record, id).timeline[index]?.event);
            });
          }
        }
      }),
      RUNS,
    );
  });

  it("transition never touches notices: what was marked stays marked, and a sent mail is never due again", () => {
    fc.assert(
      fc.property(scenarioArb, seedsArb, (scenario, seeds) => {
        let marks: NoticeMark[] = [];
        const sentKeys = new Set<string>();
        simulate(scenario, (_sim, { prev, event, now, result }) => {
          const marked = withMarks(prev, marks);
          const decided = transition(marked, event, now);
          expect(decided.ok).toBe(result.ok);
          if (!decided.ok || !result.ok) {
            if (!decided.ok && !result.ok) expect(decided.error.code).toBe(result.error.code);
            return;
          }
          for (const [id, request] of Object.entries(decided.record.requests)) {
            const before = marked.requests[id];
            expect(request.notices).toEqual(before?.notices);
            expect(said(request)).toEqual(said(requestOf(result.record, id)));
            for (const mail of dueMail(request)) {
              expect(sentKeys.has(`${id}/${mail.key}`), `${id}/${mail.key} due again`).toBe(false);
            }
          }
          expect(decided.record.order).toEqual(result.record.order);
          // The next step's marks, as senders would make them after this change.
          const next = marksFor(result.record, seeds.slice(0, 2), now);
          seeds = seeds.slice(2);
          marks = [...marks, ...next];
          for (const mark of next) {
            if (mark.kind === "MAIL_SENT") sentKeys.add(`${mark.requestId}/${mark.key}`);
          }
        });
      }),
      RUNS,
    );
  });

  it("a mail given up after MAIL_MAX_TRIES failures is never due again; its operators' alert is due exactly once, none for operators' mail", () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), fc.nat(), (scenario, pickRecord, pickMail) => {
        const records = reachable(scenario);
        const picked = records[pickRecord % Math.max(1, records.length)];
        if (!picked) return;
        let { record } = picked;
        const requests = Object.values(record.requests);
        const request = requests[pickMail % requests.length];
        if (!request) return;
        const candidates = dueMail(request);
        const mail = candidates[pickMail % Math.max(1, candidates.length)];
        if (!mail) return;
        const { requestId, key } = mail;
        const dueOf = () => dueMail(requestOf(record, requestId));
        for (let tries = 1; tries <= MAIL_MAX_TRIES; tries++) {
          expect(dueOf().find((m) => m.key === key)?.tries).toBe(tries - 1);
          record = withMarks(record, [
            failed(key, tries, addSeconds(picked.now, tries), requestId),
          ]);
        }
        const alerts = () => dueOf().filter((m) => m.key === `${key}.alert`);
        expect(dueOf().map((m) => m.key)).not.toContain(key);
        if (mail.to === "OPERATORS") {
          expect(alerts()).toEqual([]);
          expect(dueOf().filter((m) => m.key.startsWith(`${key}.`))).toEqual([]);
          return;
        }
        expect(alerts()).toEqual([
          {
            requestId,
            key: `${key}.alert`,
            template: "OPERATOR_MAIL_FAILED",
            to: "OPERATORS",
            since: addSeconds(picked.now, MAIL_MAX_TRIES),
            tries: 0,
          },
        ]);
        // More failures of the mail change nothing; the alert sent, nothing of it is due again.
        record = withMarks(record, [failed(key, MAIL_MAX_TRIES + 1, picked.now, requestId)]);
        expect(alerts()).toHaveLength(1);
        record = withMarks(record, [sent(`${key}.alert`, picked.now, requestId)]);
        expect(dueOf().filter((m) => m.key === key || m.key.startsWith(`${key}.`))).toEqual([]);
      }),
      RUNS,
    );
  });

  it("dueEvents after marking published through n lists exactly the entries from n on", () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), fc.nat(), (scenario, first, second) => {
        for (const { record } of reachable(scenario)) {
          for (const request of Object.values(record.requests)) {
            const length = request.timeline.length;
            const n = first % (length + 1);
            const m = second % (length + 1);
            const after = requestOf(
              withMarks(record, [published(n, request.requestId)]),
              request.requestId,
            );
            const ids = (r: CancellationRequest) => dueEvents(r).map((e) => e.detail.eventId);
            expect(ids(after)).toEqual(
              request.timeline.slice(n).map((_, i) => eventIdOf(request.requestId, n + i)),
            );
            expect(dueEvents(after).map((e) => e.detailType)).toEqual(
              request.timeline.slice(n).map((entry) => entry.type),
            );
            // A count behind the one on record moves nothing back.
            const again = requestOf(
              withMarks(record, [published(n, request.requestId), published(m, request.requestId)]),
              request.requestId,
            );
            expect(ids(again).length).toBe(length - Math.max(n, m));
          }
        }
      }),
      RUNS,
    );
  });

  it("attentionSince is undefined exactly when no request is open or owes a refund and nothing is due, else the oldest of those", () => {
    // SPEC: an open request, or a completed one whose refund the provider reversed (waiting for
    // its retry) or whose retry is still to be made, needs someone.
    const owesWork = (request: CancellationRequest) =>
      !isTerminal(request.status) ||
      (request.status === "COMPLETED" &&
        (request.refund?.status === "FAILED" ||
          (request.refund?.status === "PENDING" && !!request.refund.refundId)));
    fc.assert(
      fc.property(scenarioArb, seedsArb, (scenario, seeds) => {
        for (const { record, now } of reachable(scenario)) {
          const marked = withMarks(record, marksFor(record, seeds, now));
          const times = Object.values(marked.requests).flatMap((request) => [
            ...(owesWork(request) ? [request.createdAt] : []),
            ...dueMail(request).map((mail) => mail.since),
            ...dueEvents(request).map((event) => event.detail.at),
          ]);
          const since = attentionSince(marked);
          expect(since === undefined).toBe(times.length === 0);
          if (since !== undefined) expect(since).toBe(times.sort()[0]);
        }
      }),
      RUNS,
    );
  });
});

// ---- the queues' index entries ------------------------------------------------------------------

const utf8 = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * An attribute value's size by DynamoDB's rules: strings their UTF-8 bytes, numbers their digits,
 * null and booleans 1 byte, maps and lists 3 bytes plus 1 per element, plus each element (with its
 * name's bytes, for a map).
 */
const valueSize = (value: unknown): number => {
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "string") return utf8(value);
  if (typeof value === "number") return String(value).length;
  if (Array.isArray(value)) return 3 + value.reduce((sum, item) => sum + 1 + valueSize(item), 0);
  return (
    3 +
    Object.entries(value as Record<string, unknown>).reduce(
      (sum, [name, item]) => sum + 1 + utf8(name) + valueSize(item),
      0,
    )
  );
};

/** An item's size: every attribute's name and value. */
const itemSize = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);

/**
 * What the queues' entries stay under: DynamoDB's 1 KB write unit once, plus room for the
 * request's first three lines (titles cut to 24 characters), so that even the worst entry costs at
 * most two write units per index. Entries of usual orders stay under 1 KB (npm run bench).
 */
const ENTRY_BOUND = 1536;

const ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@-";
const idChar = fc.constantFrom(...ID_CHARS);
/** A caller's id of up to 40 characters (idSchema's alphabet). */
const idArb = fc.oneof(
  fc.string({ unit: idChar, minLength: 1, maxLength: 40 }),
  fc.string({ unit: idChar, minLength: 40, maxLength: 40 }),
);
/** A character of a buyer's comment: ASCII, Japanese (3 bytes in UTF-8), emoji (4 bytes). */
const ascii = fc.constantFrom(..."abc XYZ.,!?0123456789");
const japanese = fc.constantFrom(..."あいうアイウ漢字、。ー");
const emoji = fc.constantFrom("😀", "🎁", "👍", "🙏");
/** A buyer's comment: none, short, longer than the preview; mixed, or all in one script. */
const commentArb = fc.option(
  fc.oneof(
    fc.string({ unit: fc.oneof(ascii, japanese, emoji), maxLength: 120 }),
    ...[ascii, japanese, emoji].map((unit) => fc.string({ unit, minLength: 80, maxLength: 120 })),
  ),
  { freq: 4 },
);
/** A refund failure's name as the workflow records it: an AWS or provider error's name. */
const errorNameArb = fc.oneof(
  fc.constantFrom(
    "RefundDeclined",
    "ProviderUnavailable",
    "States.Timeout",
    "States.TaskFailed",
    "Sandbox.Timedout",
    "Lambda.ClientExecutionTimeoutException",
  ),
  fc.string({ unit: idChar, minLength: 1, maxLength: 40 }),
);

/** The record with realistic ids (the request's a UUID, as the API makes them) and texts. */
const withRealisticIds = (
  record: OrderRecord,
  ids: { orderId: string; buyerId: string; sellerId: string },
  texts: { reason: CancellationReason; comment: string | null; error: string; title: string },
): OrderRecord => {
  const { reason, comment, error, title } = texts;
  const requests = Object.values(record.requests).map((request, index) => {
    const requestId = `${String(index).padStart(8, "0")}-0000-4000-8000-000000000000`;
    return {
      ...request,
      requestId,
      orderId: ids.orderId,
      reason,
      comment,
      timeline: request.timeline.map((entry) =>
        entry.type === "REFUND_FAILED" ? { ...entry, note: error } : entry,
      ),
    };
  });
  return {
    order: {
      ...record.order,
      ...ids,
      lines: record.order.lines.map((line) => ({ ...line, title })),
    },
    requests: Object.fromEntries(requests.map((request) => [request.requestId, request])),
  };
};

/** The longest ids and texts those generators make, tried on every record besides them. */
const LONGEST_IDS = { orderId: "o".repeat(40), buyerId: "b".repeat(40), sellerId: "s".repeat(40) };
const LONGEST_TEXTS = {
  reason: "WRONG_ITEM_ORDERED" as const,
  comment: "😀".repeat(100),
  error: "Lambda.ClientExecutionTimeoutException",
  title: "😀".repeat(200),
};

/** The entries of the record's order in the seller's and the operators' queues (if listed). */
const queueEntries = (record: OrderRecord): { index: string; item: Record<string, unknown> }[] => {
  const latest = latestRequest(record);
  if (!latest) return [];
  const keys: Record<string, string | undefined> = { ...indexKeys(record) };
  return [SELLER_QUEUE, OPERATOR_QUEUE].flatMap((index) => {
    const { partitionKey, sortKey } = index;
    const pk = keys[partitionKey.name];
    const sk = keys[sortKey.name];
    if (pk === undefined || sk === undefined) return [];
    // An index entry: the table's keys, the index's keys, and what the index projects.
    const item = {
      ...orderKey(record.order.orderId),
      [partitionKey.name]: pk,
      [sortKey.name]: sk,
      queueSummary: toRequestSummary(latest, record.order),
    };
    return [{ index: index.indexName, item }];
  });
};

describe("the queues' index entries", () => {
  it("stay under 1.5 KB for every reachable request with ids of up to 40 characters", () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.record({ orderId: idArb, buyerId: idArb, sellerId: idArb }),
        fc.record({
          reason: fc.constantFrom(...CANCELLATION_REASONS),
          comment: commentArb,
          error: errorNameArb,
          title: fc.string({ unit: fc.oneof(ascii, japanese, emoji), minLength: 1, maxLength: 60 }),
        }),
        (scenario, ids, texts) => {
          for (const { record } of reachable(scenario)) {
            for (const realistic of [
              withRealisticIds(record, ids, texts),
              withRealisticIds(record, LONGEST_IDS, LONGEST_TEXTS),
            ]) {
              for (const { index, item } of queueEntries(realistic)) {
                expect(itemSize(item), `${index}: ${JSON.stringify(item)}`).toBeLessThan(
                  ENTRY_BOUND,
                );
              }
            }
          }
        },
      ),
      // The failure names the entry and its size; shrinking the scenario would add nothing.
      { ...RUNS, endOnFailure: true },
    );
  });
});
