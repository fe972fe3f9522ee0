// sendDueNotices (app/send-notices.ts) on the fakes: it sends what the stored state says is due,
// events first, and answers the marks to save; it never throws. Operators' mail with no operator
// addresses configured is marked sent without sending; a mail that keeps failing is given up after
// MAIL_MAX_TRIES tries, counted (MailFailed) and operators are alerted. The order's own notices
// (its parcel after a cancellation) go out with the latest request, only when that request's
// notices are the ones asked for.
import { describe, expect, it } from "vitest";
import { type NoticeDeps, sendDueNotices } from "../../functions/app/send-notices.ts";
import {
  dueMail,
  dueOrderEvents,
  dueOrderMail,
  MAIL_MAX_TRIES,
  type NoticeMark,
  withMarks,
} from "../../functions/domain/notices.ts";
import type { OrderRecord } from "../../functions/domain/types.ts";
import {
  approvedFlow,
  at,
  complete,
  DAY,
  deliver,
  Flow,
  HOUR,
  instructRefund,
  policyApprove,
  REQ,
  refundFailed,
  refundSucceeded,
  requestCancellation,
  SELLER,
  sellerApprove,
  sellerReject,
  track,
  workflowStarted,
} from "../domain/flow.ts";
import { makeOrder, makeRecord } from "../support/factories.ts";
import { fakeWorld } from "../support/fakes.ts";

/** A request rejected by the seller: receipts and outcome mail due, three events. */
const rejectedRecord = (): OrderRecord => {
  const flow = Flow.shipped().requested();
  flow.apply(sellerReject("no"), at(HOUR));
  return flow.record;
};

/** A refund that failed: its operators' mail due (with the rest of the story's). */
const refundFailedRecord = (): OrderRecord => {
  const flow = approvedFlow();
  flow.apply(instructRefund(), at(2 * HOUR));
  flow.apply(refundFailed("ProviderUnavailable"), at(3 * HOUR));
  return flow.record;
};

const depsOf = (world: ReturnType<typeof fakeWorld>, operatorEmails: readonly string[]) => {
  const { orders: _orders, payments: _payments, ...notice } = world.segmentDeps();
  return { ...notice, operatorEmails } satisfies NoticeDeps;
};

describe("sendDueNotices", () => {
  it("publishes the events, then sends the mail, and answers a mark for each", async () => {
    const world = fakeWorld(at(2 * HOUR));
    const order: string[] = [];
    world.publisher.publish = async (events) => {
      order.push(`events ${events.length}`);
    };
    world.mailer.send = async (mail) => {
      order.push(`mail ${mail.to.join()}`);
    };
    const marks = await sendDueNotices(depsOf(world, ["ops@example.com"]), rejectedRecord());
    expect(order).toEqual([
      "events 3",
      "mail buyer@example.com",
      "mail seller@example.com",
      "mail buyer@example.com",
      "mail seller@example.com",
    ]);
    expect(marks).toEqual([
      { kind: "PUBLISHED", requestId: "req-1", through: 3 },
      { kind: "MAIL_SENT", requestId: "req-1", key: "1.BUYER_REQUEST_RECEIVED", at: at(2 * HOUR) },
      { kind: "MAIL_SENT", requestId: "req-1", key: "1.SELLER_NEW_REQUEST", at: at(2 * HOUR) },
      { kind: "MAIL_SENT", requestId: "req-1", key: "2.BUYER_REJECTED", at: at(2 * HOUR) },
      { kind: "MAIL_SENT", requestId: "req-1", key: "2.SELLER_OUTCOME", at: at(2 * HOUR) },
    ]);
    // Sent and marked, nothing is due any more.
    const after = withMarks(rejectedRecord(), marks);
    expect(Object.values(after.requests).flatMap(dueMail)).toEqual([]);
    expect(await sendDueNotices(depsOf(world, []), after)).toEqual([]);
  });

  it("marks operators' mail sent without sending when no operator address is configured", async () => {
    const world = fakeWorld(at(4 * HOUR));
    const marks = await sendDueNotices(depsOf(world, []), refundFailedRecord());
    const key = "5.OPERATOR_REFUND_FAILED";
    expect(marks).toContainEqual({ kind: "MAIL_SENT", requestId: "req-1", key, at: at(4 * HOUR) });
    expect(world.mailer.sent.map((mail) => mail.to)).not.toContainEqual([]);
    expect(world.mailer.sent.flatMap((mail) => mail.to)).not.toContain("ops@example.com");
    // With an address, the same mail goes to it.
    const withOps = fakeWorld(at(4 * HOUR));
    await sendDueNotices(
      depsOf(withOps, ["ops@example.com", "ops2@example.com"]),
      refundFailedRecord(),
    );
    expect(withOps.mailer.sent.map((mail) => mail.to)).toContainEqual([
      "ops@example.com",
      "ops2@example.com",
    ]);
  });

  it("gives a mail up on its MAIL_MAX_TRIES-th failure, counts MailFailed, and alerts operators next", async () => {
    const world = fakeWorld(at(DAY));
    const deps = depsOf(world, ["ops@example.com"]);
    let record = rejectedRecord();
    // Everything else went out; the buyer's rejection mail failed four times already.
    const earlier: NoticeMark[] = [
      { kind: "PUBLISHED", requestId: "req-1", through: 3 },
      { kind: "MAIL_SENT", requestId: "req-1", key: "1.BUYER_REQUEST_RECEIVED", at: at(1) },
      { kind: "MAIL_SENT", requestId: "req-1", key: "1.SELLER_NEW_REQUEST", at: at(1) },
      { kind: "MAIL_SENT", requestId: "req-1", key: "2.SELLER_OUTCOME", at: at(HOUR) },
      ...[1, 2, 3, 4].map(
        (tries): NoticeMark => ({
          kind: "MAIL_FAILED",
          requestId: "req-1",
          key: "2.BUYER_REJECTED",
          error: "ServiceUnavailable",
          tries,
          at: at(HOUR + tries),
        }),
      ),
    ];
    record = withMarks(record, earlier);
    world.mailer.outage.next = 1;
    const marks = await sendDueNotices(deps, record);
    expect(marks).toEqual([
      {
        kind: "MAIL_FAILED",
        requestId: "req-1",
        key: "2.BUYER_REJECTED",
        error: "ServiceUnavailable",
        tries: MAIL_MAX_TRIES,
        at: at(DAY),
      },
    ]);
    expect(world.metrics.counts.get("MailFailed")).toBe(1);
    expect(world.log.lines.find((line) => line.level === "error")).toMatchObject({
      message: "mail given up after repeated failures; operators are told",
      extra: [{ requestId: "req-1", mail: "2.BUYER_REJECTED", tries: MAIL_MAX_TRIES }],
    });

    // Saved, the mail is given up and the operators' alert is what is due.
    record = withMarks(record, marks);
    world.clock.advance(60);
    const next = await sendDueNotices(deps, record);
    expect(next).toEqual([
      {
        kind: "MAIL_SENT",
        requestId: "req-1",
        key: "2.BUYER_REJECTED.alert",
        at: world.clock.now(),
      },
    ]);
    const [alert] = world.mailer.sent;
    expect(alert?.to).toEqual(["ops@example.com"]);
    expect(alert?.subject).toContain("o-1001");
    expect(alert?.text).toContain("req-1");
    // A mail given up is not tried again, and the alert went out once.
    expect(await sendDueNotices(deps, withMarks(record, next))).toEqual([]);
    expect(world.mailer.sent).toHaveLength(1);
  });

  it("never throws: a failed publish leaves the events due, a failed mail is a failed try", async () => {
    const world = fakeWorld(at(2 * HOUR));
    world.publisher.outage.next = 1;
    world.mailer.outage.next = 1;
    const tried = new Set<string>();
    const marks = await sendDueNotices(depsOf(world, []), rejectedRecord(), { tried });
    expect(marks.map((mark) => mark.kind)).toEqual([
      "MAIL_FAILED",
      "MAIL_SENT",
      "MAIL_SENT",
      "MAIL_SENT",
    ]);
    expect(world.metrics.counts.get("EventsNotPublished")).toBe(1);
    // What failed is not tried again by the same caller.
    expect(await sendDueNotices(depsOf(world, []), rejectedRecord(), { tried })).toEqual([]);
  });

  it("sends nothing for an order without requests", async () => {
    const world = fakeWorld();
    expect(await sendDueNotices(depsOf(world, []), makeRecord(makeOrder(), []))).toEqual([]);
  });
});

/** Every request's mail and events marked sent: what is left is the order's own. */
const requestsSent = (record: OrderRecord, sentAt: string): OrderRecord =>
  withMarks(
    record,
    Object.values(record.requests).flatMap((request): NoticeMark[] => [
      { kind: "PUBLISHED", requestId: request.requestId, through: request.timeline.length },
      ...dueMail(request).map(
        (due): NoticeMark => ({
          kind: "MAIL_SENT",
          requestId: request.requestId,
          key: due.key,
          at: sentAt,
        }),
      ),
    ]),
  );

/** One mug of two mugs and a plate cancelled and refunded (req-1 COMPLETED at 2h + 2 s). */
const partlyCancelled = (): Flow => {
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
  return flow;
};

/**
 * One mug of two cancelled by req-1 (completed), the plate's request req-2 rejected, then the
 * parcel delivered a day after T0: the order's timeline is DELIVERED, DELIVERED_AFTER_CANCELLATION,
 * and its return instructions and the seller's notice are due with req-2, the latest request.
 */
const keptWithTwoRequests = (): OrderRecord => {
  const flow = partlyCancelled();
  flow.apply(
    requestCancellation({ requestId: "req-2", lines: [{ lineId: "l2", quantity: 1 }] }),
    at(3 * HOUR),
  );
  flow.apply(workflowStarted("req-2"), at(3 * HOUR + 1));
  flow.apply(sellerReject("already packed", SELLER, "req-2"), at(4 * HOUR));
  flow.apply(deliver(at(DAY)), at(DAY));
  return requestsSent(flow.record, at(DAY));
};

describe("sendDueNotices: the order's own notices", () => {
  it("publishes the order's event and sends its mail with the latest request, once", async () => {
    const world = fakeWorld(at(DAY + 60));
    const record = keptWithTwoRequests();
    const deps = depsOf(world, ["ops@example.com"]);
    const marks = await sendDueNotices(deps, record);
    expect(marks).toEqual([
      { kind: "ORDER_PUBLISHED", through: 2 },
      {
        kind: "MAIL_SENT",
        requestId: "req-2",
        key: "order.1.BUYER_RETURN_INSTRUCTIONS",
        at: at(DAY + 60),
      },
      {
        kind: "MAIL_SENT",
        requestId: "req-2",
        key: "order.1.SELLER_PARCEL_KEPT",
        at: at(DAY + 60),
      },
    ]);
    expect(
      world.publisher.published.map((event) => [
        event.detailType,
        event.detail.eventId,
        event.detail.requestId,
      ]),
    ).toEqual([["DELIVERED_AFTER_CANCELLATION", "o-1001.order.1", "req-2"]]);
    expect(world.mailer.sent.map((mail) => mail.to)).toEqual([
      ["buyer@example.com"],
      ["seller@example.com"],
    ]);
    for (const mail of world.mailer.sent) expect(mail.subject).toContain("o-1001");
    // Saved, the marks are the order's; the requests' notices are as they were.
    const saved = withMarks(record, marks);
    expect(saved.orderNotices).toEqual({
      mail: {
        "order.1.BUYER_RETURN_INSTRUCTIONS": at(DAY + 60),
        "order.1.SELLER_PARCEL_KEPT": at(DAY + 60),
      },
      published: 2,
    });
    expect(saved.requests).toBe(record.requests);
    expect(dueOrderMail(saved)).toEqual([]);
    expect(dueOrderEvents(saved)).toEqual([]);
    // Nothing goes out twice.
    expect(await sendDueNotices(deps, saved)).toEqual([]);
    expect(world.mailer.sent).toHaveLength(2);
    expect(world.publisher.published).toHaveLength(1);
  });

  it("leaves them to the latest request: a segment of an older request does not send them", async () => {
    const world = fakeWorld(at(DAY + 60));
    const record = keptWithTwoRequests();
    const deps = depsOf(world, []);
    expect(await sendDueNotices(deps, record, { requestIds: ["req-1"] })).toEqual([]);
    expect(world.mailer.sent).toEqual([]);
    expect(world.publisher.published).toEqual([]);
    const marks = await sendDueNotices(deps, record, { requestIds: ["req-2"] });
    expect(marks.map((mark) => ("key" in mark ? mark.key : mark.kind))).toEqual([
      "ORDER_PUBLISHED",
      "order.1.BUYER_RETURN_INSTRUCTIONS",
      "order.1.SELLER_PARCEL_KEPT",
    ]);
  });

  it("leaves an entry to the request it belongs to: one made after it never sends it", async () => {
    // A partial cancellation completes, the carrier says the parcel is on its way back; then
    // (before that request's execution marked anything) the buyer asks to cancel the rest.
    const flow = partlyCancelled();
    flow.apply(track("RETURNING_TO_SENDER", at(3 * HOUR)), at(3 * HOUR));
    flow.apply(requestCancellation({ requestId: "req-2" }), at(4 * HOUR));
    const record = requestsSent(flow.record, at(4 * HOUR));
    const world = fakeWorld(at(4 * HOUR + 60));
    const deps = depsOf(world, []);
    // The new request's execution: not its to send.
    expect(await sendDueNotices(deps, record, { requestIds: ["req-2"] })).toEqual([]);
    expect(world.publisher.published).toEqual([]);
    // The request it belongs to sends it, under its own id.
    expect(await sendDueNotices(deps, record, { requestIds: [REQ] })).toEqual([
      { kind: "ORDER_PUBLISHED", through: record.order.timeline.length },
    ]);
    expect(world.publisher.published.map((event) => event.detail.requestId)).toEqual([REQ]);
  });

  it("leaves the order's events due when EventBridge refuses them, and tries them once per caller", async () => {
    const world = fakeWorld(at(DAY + 60));
    world.publisher.outage.next = 1;
    const tried = new Set<string>();
    const record = keptWithTwoRequests();
    const marks = await sendDueNotices(depsOf(world, []), record, { tried });
    expect(marks.map((mark) => mark.kind)).toEqual(["MAIL_SENT", "MAIL_SENT"]);
    expect(world.metrics.counts.get("EventsNotPublished")).toBe(1);
    expect(dueOrderEvents(withMarks(record, marks))).toHaveLength(1);
    expect(await sendDueNotices(depsOf(world, []), withMarks(record, marks), { tried })).toEqual(
      [],
    );
  });
});
