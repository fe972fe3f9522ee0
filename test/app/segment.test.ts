// The workflow's segment (app/segment.ts) on the fakes, driven as the state machine drives it
// (world.ts Machine): each segment sends what the stored state says is due (events first, then
// mail), applies what woke it if that still applies, carries the request through the automatic
// steps in as few writes as it can (a refund call ends a write), and marks what went out. Every
// mail and event of a request's story goes out once; SES or EventBridge being down holds nothing
// back and leaves the rest for later; a refund is made once under its key. The order's own notices
// (its parcel after a cancellation) go out with the latest request's execution.
import { describe, expect, it } from "vitest";
import { changeOrder } from "../../functions/app/change-order.ts";
import type { StoredOrder } from "../../functions/app/ports.ts";
import { reconcile, resumeForOrderNotices } from "../../functions/app/reconcile.ts";
import { retryRefundEvent } from "../../functions/app/refunds.ts";
import { RefundCallFailedError, runSegment } from "../../functions/app/segment.ts";
import { sendDueNotices } from "../../functions/app/send-notices.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { attentionSince, dueEvents, dueMail, withMarks } from "../../functions/domain/notices.ts";
import { eventIdOf, type TimelineEvent } from "../../functions/domain/published-events.ts";
import {
  BUYER,
  Machine,
  mailSent,
  OPERATOR,
  ORDER,
  postCancellation,
  publishedEvents,
  recordOf,
  requested,
  SELLER,
  stored,
  type World,
  worldWithOrder,
} from "./world.ts";

const BUYER_MAIL = "buyer@example.com";
const SELLER_MAIL = "seller@example.com";
const OPS_MAIL = "ops@example.com";

const approve = (requestId: string): DomainEvent => ({
  type: "SELLER_DECIDE",
  actor: SELLER,
  requestId,
  decision: "APPROVE",
});

/** Counts the table's writes while `run` runs. */
const writesOf = async (world: World, run: () => Promise<unknown>): Promise<number> => {
  const before = world.table.writes;
  await run();
  return world.table.writes - before;
};

/** A request whose execution started and waits for the seller; the clock an hour later. */
const started = async (order = {}) => {
  const world = await worldWithOrder(order);
  const requestId = await requested(world);
  const machine = new Machine(world);
  await machine.start(requestId);
  world.clock.advance(3600);
  return { world, requestId, machine };
};

/** The seller approves through the API, which wakes the execution: its next segment runs. */
const approvedBySeller = async (world: World, machine: Machine, requestId: string) => {
  await changeOrder(world.changeDeps(), ORDER, approve(requestId));
  expect(world.workflow.woken.at(-1)?.status).toBe("AWAITING_MARKETPLACE");
  return machine.segment(requestId);
};

const requestIn = async (world: World, requestId: string) => {
  const request = (await recordOf(world)).requests[requestId];
  if (!request) throw new Error(`no request ${requestId}`);
  return request;
};

const eventsOf = (requestId: string, types: string[], from = 0) =>
  types.map((type, index) => `${type}@${eventIdOf(requestId, from + index)}`);

/** What an event says of the request: its status, and its refund's status and key. */
const statusAndRefund = (event: TimelineEvent) =>
  [
    event.detailType,
    event.detail.status,
    event.detail.refund?.status ?? null,
    event.detail.refund?.refundId ?? null,
  ].join(" ");

/** The happy path's timeline, entry by entry. */
const STORY_TYPES = [
  "REQUESTED",
  "SELLER_NOTIFIED",
  "SELLER_APPROVED",
  "MARKETPLACE_APPROVED",
  "REFUND_INSTRUCTED",
  "REFUND_SUCCEEDED",
  "COMPLETED",
];

/** The happy path's events as each change left the request. */
const STORY_EVENTS = (requestId: string) => [
  "REQUESTED REQUESTED  ",
  "SELLER_NOTIFIED AWAITING_SELLER  ",
  "SELLER_APPROVED AWAITING_MARKETPLACE  ",
  "MARKETPLACE_APPROVED REFUND_PENDING PENDING ",
  `REFUND_INSTRUCTED REFUND_PENDING PENDING rf-${requestId}`,
  `REFUND_SUCCEEDED REFUND_PENDING SUCCEEDED rf-${requestId}`,
  `COMPLETED COMPLETED SUCCEEDED rf-${requestId}`,
];

describe("the start segment", () => {
  it("publishes REQUESTED first, then records WORKFLOW_STARTED and sends its event and both receipts, in two writes", async () => {
    const world = await worldWithOrder();
    const requestId = await requested(world);
    const machine = new Machine(world);
    const order: string[] = [];
    const publish = world.publisher.publish.bind(world.publisher);
    world.publisher.publish = async (events) => {
      order.push(`publish ${events.map((e) => e.detailType).join()}`);
      return publish(events);
    };
    const save = world.table.save.bind(world.table);
    world.table.save = async (current: StoredOrder, next, options) => {
      order.push(`save ${next.requests[requestId]?.status}`);
      return save(current, next, options);
    };
    const send = world.mailer.send.bind(world.mailer);
    world.mailer.send = async (mail) => {
      order.push(`mail ${mail.to.join()}`);
      return send(mail);
    };

    const end = await machine.start(requestId);

    expect(end.next).toBe("WAIT_SELLER_REMINDER");
    expect(order).toEqual([
      "publish REQUESTED",
      "save AWAITING_SELLER",
      "publish SELLER_NOTIFIED",
      `mail ${BUYER_MAIL}`,
      `mail ${SELLER_MAIL}`,
      "save AWAITING_SELLER",
    ]);
    expect(await mailSent(world)).toEqual([
      `BUYER_REQUEST_RECEIVED ${BUYER_MAIL}`,
      `SELLER_NEW_REQUEST ${SELLER_MAIL}`,
    ]);
    expect(publishedEvents(world)).toEqual(eventsOf(requestId, ["REQUESTED", "SELLER_NOTIFIED"]));
    const request = await requestIn(world, requestId);
    expect(request.status).toBe("AWAITING_SELLER");
    expect(dueMail(request)).toEqual([]);
    expect(dueEvents(request)).toEqual([]);
    // The execution waits for the reminder's time, its token stored with the status it waits in.
    const { waits } = await stored(world);
    expect(waits[requestId]?.status).toBe("AWAITING_SELLER");
  });

  it("starts nothing twice: a second start of the same request changes nothing", async () => {
    const { world, requestId, machine } = await started();
    const writes = await writesOf(world, () =>
      machine.segment(requestId, { type: "WORKFLOW_STARTED", requestId }),
    );
    // The step no longer applies; nothing was due: no write at all.
    expect(writes).toBe(0);
    expect(world.mailer.sent).toHaveLength(2);
    expect(world.log.lines.map((line) => line.message)).toContain("step no longer applies");
  });
});

describe("the happy path after the seller's approval", () => {
  it("sends every mail and event of the story once, refunds once, completes, and removes the wait", async () => {
    const { world, requestId, machine } = await started();
    let end: Awaited<ReturnType<Machine["segment"]>> | undefined;
    const writes = await writesOf(world, async () => {
      end = await approvedBySeller(world, machine, requestId);
    });
    expect(end).toEqual({ next: "DONE", waitSeconds: 1 });

    const request = await requestIn(world, requestId);
    expect(request.status).toBe("COMPLETED");
    expect((await recordOf(world)).order.status).toBe("CANCELLED");
    expect(await mailSent(world)).toEqual([
      `BUYER_REQUEST_RECEIVED ${BUYER_MAIL}`,
      `SELLER_NEW_REQUEST ${SELLER_MAIL}`,
      `BUYER_APPROVED ${BUYER_MAIL}`,
      `SELLER_REFUND_INSTRUCTION ${SELLER_MAIL}`,
      `BUYER_REFUND_COMPLETED ${BUYER_MAIL}`,
      `SELLER_OUTCOME ${SELLER_MAIL}`,
    ]);
    expect(publishedEvents(world)).toEqual(eventsOf(requestId, STORY_TYPES));
    // Each event reports the request as its own change left it, though several changes went
    // out together (the refund's success and the completion are one write).
    expect(world.publisher.published.map(statusAndRefund)).toEqual(STORY_EVENTS(requestId));
    expect([...world.payments.calls]).toEqual([[`rf-${requestId}`, 1]]);
    expect(world.payments.made.get(`rf-${requestId}`)).toMatchObject({ amount: 5480 });
    expect(request.refund).toMatchObject({ status: "SUCCEEDED", attempts: 1 });
    // The API's change, then the segment: marks + approval + instruction + lease, then the
    // refund's outcome + completion, then the last marks.
    expect(writes).toBe(4);
    const item = await stored(world);
    expect(item.waits).toEqual({});
    expect(dueMail(request)).toEqual([]);
    expect(dueEvents(request)).toEqual([]);
    expect(attentionSince(item.record)).toBeUndefined();
    expect(world.workflow.executions.get(requestId)?.running).toBe(false);
  });

  it("goes to an operator's review for a large refund: operators are told, the execution waits", async () => {
    const { world, requestId, machine } = await started({ payment: { paidAmount: 40_000 } });
    const end = await approvedBySeller(world, machine, requestId);
    expect(end.next).toBe("WAIT_OPERATOR");
    expect((await mailSent(world)).at(-1)).toBe(`OPERATOR_ESCALATION ${OPS_MAIL}`);
    expect((await stored(world)).waits[requestId]?.status).toBe("AWAITING_MARKETPLACE");
    // The operator approves: woken, the segment refunds and completes.
    await changeOrder(world.changeDeps(), ORDER, {
      type: "OPERATOR_DECIDE",
      actor: OPERATOR,
      requestId,
      decision: "APPROVE",
    });
    expect((await machine.segment(requestId)).next).toBe("DONE");
    expect((await requestIn(world, requestId)).status).toBe("COMPLETED");
    expect(world.payments.made.size).toBe(1);
  });
});

describe("SES down during a segment", () => {
  it("still completes the request; the mail is marked with a failed try and sent later", async () => {
    const { world, requestId, machine } = await started();
    world.mailer.outage.next = 1000;
    expect((await approvedBySeller(world, machine, requestId)).next).toBe("DONE");
    const request = await requestIn(world, requestId);
    expect(request.status).toBe("COMPLETED");
    // Every mail of the segment was tried once, and each is marked with its failed try.
    expect(world.mailer.sent).toHaveLength(2);
    expect(dueMail(request).map((mail) => [mail.template, mail.tries])).toEqual([
      ["BUYER_APPROVED", 1],
      ["SELLER_REFUND_INSTRUCTION", 1],
      ["BUYER_REFUND_COMPLETED", 1],
      ["SELLER_OUTCOME", 1],
    ]);
    expect(request.notices?.mail["3.BUYER_APPROVED"]).toEqual({
      tries: 1,
      error: "ServiceUnavailable",
    });
    // The events went out all the same.
    expect(dueEvents(request)).toEqual([]);

    // SES is back; the execution ended: the reconciler gives the request another to send them.
    world.mailer.outage.next = 0;
    world.clock.advance(120);
    const report = await reconcile(world.reconcileDeps());
    expect(report.resumed).toEqual([{ requestId, execution: `${requestId}-2` }]);
    expect((await new Machine(world).segment(requestId)).next).toBe("DONE");
    expect((await mailSent(world)).slice(2)).toEqual([
      `BUYER_APPROVED ${BUYER_MAIL}`,
      `SELLER_REFUND_INSTRUCTION ${SELLER_MAIL}`,
      `BUYER_REFUND_COMPLETED ${BUYER_MAIL}`,
      `SELLER_OUTCOME ${SELLER_MAIL}`,
    ]);
    expect(dueMail(await requestIn(world, requestId))).toEqual([]);
    expect(attentionSince(await recordOf(world))).toBeUndefined();
  });

  it("leaves the receipts to the next segment when SES fails at the start", async () => {
    const world = await worldWithOrder();
    const requestId = await requested(world);
    const machine = new Machine(world);
    world.mailer.outage.next = 2;
    expect((await machine.start(requestId)).next).toBe("WAIT_SELLER_REMINDER");
    expect(world.mailer.sent).toEqual([]);
    expect(dueMail(await requestIn(world, requestId)).map((m) => m.tries)).toEqual([1, 1]);
    // The seller's approval wakes the execution; its segment sends the receipts first.
    world.clock.advance(3600);
    await approvedBySeller(world, machine, requestId);
    expect((await mailSent(world)).slice(0, 2)).toEqual([
      `BUYER_REQUEST_RECEIVED ${BUYER_MAIL}`,
      `SELLER_NEW_REQUEST ${SELLER_MAIL}`,
    ]);
    expect(world.mailer.sent).toHaveLength(6);
  });
});

describe("EventBridge down during a segment", () => {
  it("keeps the events unpublished and publishes them later, in timeline order, once each", async () => {
    const { world, requestId, machine } = await started();
    world.publisher.outage.next = 1000;
    expect((await approvedBySeller(world, machine, requestId)).next).toBe("DONE");
    const request = await requestIn(world, requestId);
    expect(request.status).toBe("COMPLETED");
    expect(request.notices?.published).toBe(2);
    expect(dueEvents(request).map((e) => e.detailType)).toEqual([
      "SELLER_APPROVED",
      "MARKETPLACE_APPROVED",
      "REFUND_INSTRUCTED",
      "REFUND_SUCCEEDED",
      "COMPLETED",
    ]);
    // The mail went out all the same.
    expect(world.mailer.sent).toHaveLength(6);
    expect(world.metrics.counts.get("EventsNotPublished")).toBeGreaterThan(0);

    // EventBridge is back; the execution ended: the reconciler gives the request another.
    world.publisher.outage.next = 0;
    world.clock.advance(120);
    const report = await reconcile(world.reconcileDeps());
    expect(report.resumed).toEqual([{ requestId, execution: `${requestId}-2` }]);
    await machine.segment(requestId);
    expect(publishedEvents(world)).toEqual(eventsOf(requestId, STORY_TYPES));
    // Published late, each event still reports the request as its own change left it; once
    // published, the entries no longer keep what their events said.
    expect(world.publisher.published.map(statusAndRefund)).toEqual(STORY_EVENTS(requestId));
    const request2 = await requestIn(world, requestId);
    expect(dueEvents(request2)).toEqual([]);
    expect(request2.timeline.filter((entry) => entry.event !== undefined)).toEqual([]);
  });
});

describe("the refund call", () => {
  it("throws RefundCallFailed on a transient failure; the retried segment calls once more under the same key", async () => {
    const { world, requestId, machine } = await started();
    world.payments.outage.next = 1;
    const failed = approvedBySeller(world, machine, requestId);
    await expect(failed).rejects.toBeInstanceOf(RefundCallFailedError);
    await expect(failed).rejects.toThrow("ProviderUnavailable");
    const key = `rf-${requestId}`;
    const leased = await requestIn(world, requestId);
    expect(leased.status).toBe("REFUND_PENDING");
    expect(leased.refund).toMatchObject({ refundId: key, status: "PENDING" });
    expect(leased.refund?.callStartedAt).toBe(world.clock.now());
    expect(world.payments.calls.get(key)).toBe(1);

    // The state machine retries the segment (same input) after its backoff.
    world.clock.advance(2);
    expect((await machine.segment(requestId)).next).toBe("DONE");
    expect(world.payments.calls.get(key)).toBe(2);
    expect([...world.payments.made.keys()]).toEqual([key]);
    const request = await requestIn(world, requestId);
    expect(request.status).toBe("COMPLETED");
    expect(request.refund).toMatchObject({ refundId: key, status: "SUCCEEDED", attempts: 1 });
    // Everything went out once, the failed segment's sends included.
    expect((await mailSent(world)).filter((m) => m.startsWith("BUYER_APPROVED"))).toHaveLength(1);
    expect(new Set(publishedEvents(world)).size).toBe(world.publisher.published.length);
    expect(dueMail(request)).toEqual([]);
  });

  it("records a refusal that no retry changes at once, the key unspent, for an operator", async () => {
    for (const refusal of ["PaymentProviderRefused", "RefundKeyReused"]) {
      const { world, requestId, machine } = await started();
      const key = `rf-${requestId}`;
      world.payments.refused.set(key, refusal);
      const end = await approvedBySeller(world, machine, requestId);
      expect(end.next).toBe("WAIT_REFUND_RETRY");
      const request = await requestIn(world, requestId);
      expect(request.status).toBe("REFUND_FAILED");
      expect(request.refund).toMatchObject({ status: "FAILED", declined: false, refundId: key });
      expect(request.timeline.at(-1)).toMatchObject({ type: "REFUND_FAILED", note: refusal });
      // One call: the segment did not throw it back for the state machine's retries.
      expect(world.payments.calls.get(key)).toBe(1);
    }
  });

  it("records a declined refund as REFUND_FAILED, tells operators, and waits for a retry", async () => {
    const { world, requestId, machine } = await started();
    const key = `rf-${requestId}`;
    world.payments.declined.add(key);
    const end = await approvedBySeller(world, machine, requestId);
    expect(end.next).toBe("WAIT_REFUND_RETRY");
    const request = await requestIn(world, requestId);
    expect(request.status).toBe("REFUND_FAILED");
    expect(request.refund).toMatchObject({ status: "FAILED", declined: true, attempts: 1 });
    expect(request.timeline.at(-1)).toMatchObject({
      type: "REFUND_FAILED",
      note: "RefundDeclined",
    });
    expect(world.payments.calls.get(key)).toBe(1);
    expect(world.payments.made.size).toBe(0);
    expect((await mailSent(world)).at(-1)).toBe(`OPERATOR_REFUND_FAILED ${OPS_MAIL}`);
    expect(world.metrics.counts.get("RefundDeclined")).toBe(1);
    expect(world.metrics.counts.get("RefundFailed")).toBe(1);
    expect((await stored(world)).waits[requestId]?.status).toBe("REFUND_FAILED");
  });
});

describe("after a decline", () => {
  it("an operator's retry to gift balance wakes the execution, which refunds once under a new key", async () => {
    const { world, requestId, machine } = await started();
    world.payments.declined.add(`rf-${requestId}`);
    expect((await approvedBySeller(world, machine, requestId)).next).toBe("WAIT_REFUND_RETRY");
    world.clock.advance(3600);
    await changeOrder(
      world.changeDeps(),
      ORDER,
      retryRefundEvent(world.payments, OPERATOR, requestId, "GIFT_CARD"),
    );
    expect(world.workflow.woken.at(-1)?.status).toBe("REFUND_PENDING");
    expect((await machine.segment(requestId)).next).toBe("DONE");
    const request = await requestIn(world, requestId);
    expect(request.status).toBe("COMPLETED");
    expect(request.refund).toMatchObject({
      refundId: `rf-${requestId}-2`,
      method: "GIFT_CARD",
      status: "SUCCEEDED",
      attempts: 2,
    });
    expect([...world.payments.calls]).toEqual([
      [`rf-${requestId}`, 1],
      [`rf-${requestId}-2`, 1],
    ]);
    expect([...world.payments.made.keys()]).toEqual([`rf-${requestId}-2`]);
    expect((await mailSent(world)).filter((m) => m.startsWith("BUYER_REFUND_COMPLETED"))).toEqual([
      `BUYER_REFUND_COMPLETED ${BUYER_MAIL}`,
    ]);
  });

  it("at the wait's deadline the system retries to the policy's fallback by itself", async () => {
    const { world, requestId, machine } = await started();
    world.payments.declined.add(`rf-${requestId}`);
    const wait = await approvedBySeller(world, machine, requestId);
    expect(wait.next).toBe("WAIT_REFUND_RETRY");
    // The wait's timer fires: the state machine runs the segment with the system's retry.
    world.clock.advance(wait.waitSeconds);
    const end = await machine.segment(requestId, async (record, now) => {
      const method = record.requests[requestId]?.policy.refundFallbackMethod;
      return retryRefundEvent(world.payments, "system", requestId, method)(record, now);
    });
    expect(end.next).toBe("DONE");
    const request = await requestIn(world, requestId);
    expect(request.refund).toMatchObject({ refundId: `rf-${requestId}-2`, status: "SUCCEEDED" });
    expect(request.timeline.find((e) => e.type === "REFUND_RETRIED")?.actor).toBe("system");
    expect(world.payments.made.size).toBe(1);
    expect((await stored(world)).waits).toEqual({});
  });
});

describe("the order's own notices", () => {
  it("a resumed execution of the completed latest request sends the order's mail and event, and saves their marks in one write", async () => {
    const { world, requestId, machine } = await started();
    await approvedBySeller(world, machine, requestId);
    const before = await requestIn(world, requestId);
    expect(before.status).toBe("COMPLETED");
    // The buyer took the parcel anyway, a day later; the carrier's route resumes the execution.
    world.clock.advance(86_400);
    const delivered = await changeOrder(world.changeDeps(), ORDER, {
      type: "DELIVER",
      actor: "carrier-client",
      deliveredAt: world.clock.now(),
    });
    await resumeForOrderNotices(world.reconcileDeps(), delivered.stored);
    const mail = world.mailer.sent.length;
    const events = world.publisher.published.length;
    const now = world.clock.now();
    let end: Awaited<ReturnType<Machine["segment"]>> | undefined;
    const writes = await writesOf(world, async () => {
      end = await machine.segment(requestId);
    });
    expect(end?.next).toBe("DONE");
    expect((await mailSent(world)).slice(mail)).toEqual([
      `BUYER_RETURN_INSTRUCTIONS ${BUYER_MAIL}`,
      `SELLER_PARCEL_KEPT ${SELLER_MAIL}`,
    ]);
    expect(publishedEvents(world).slice(events)).toEqual([
      `DELIVERED_AFTER_CANCELLATION@${ORDER}.order.1`,
    ]);
    expect(world.publisher.published.at(-1)?.detail).toMatchObject({
      requestId,
      status: "COMPLETED",
      parcel: { status: "DELIVERED", updatedAt: now },
      return: { status: "REQUESTED" },
    });
    // Only the marks: one write, on the order's notices; the request is as it was.
    expect(writes).toBe(1);
    const record = await recordOf(world);
    expect(record.orderNotices).toEqual({
      mail: {
        "order.1.BUYER_RETURN_INSTRUCTIONS": now,
        "order.1.SELLER_PARCEL_KEPT": now,
      },
      published: 2,
    });
    expect(record.requests[requestId]).toEqual(before);
    expect(world.workflow.executions.get(`${requestId}-2`)?.running).toBe(false);

    // Nothing is sent twice: another segment writes and sends nothing.
    const again = await writesOf(world, () => runSegment(world.segmentDeps(), ORDER, requestId));
    expect(again).toBe(0);
    expect(world.mailer.sent).toHaveLength(mail + 2);
    expect(world.publisher.published).toHaveLength(events + 1);
  });
});

describe("an order's earlier request", () => {
  it("keeps its due mail out of a later request's segments: the reconciler gives it an execution", async () => {
    const { world, requestId: first } = await started();
    // The buyer withdraws the first request; its execution ends, but SES is down.
    world.mailer.outage.next = 2;
    await changeOrder(world.changeDeps(), ORDER, {
      type: "WITHDRAW",
      actor: BUYER,
      requestId: first,
    });
    await new Machine(world).segment(first);
    expect(dueMail(await requestIn(world, first))).toHaveLength(2);

    // A second request: its segments send its own notices only.
    world.clock.advance(600);
    const outcome = await postCancellation(world, { idempotencyKey: "idem-2" });
    if (outcome.kind !== "ACCEPTED") throw new Error(outcome.kind);
    const second = outcome.request.requestId;
    const mail = world.mailer.sent.length;
    await new Machine(world).start(second);
    expect(world.mailer.sent.slice(mail).map((m) => m.subject)).toHaveLength(2);
    expect(dueMail(await requestIn(world, first))).toHaveLength(2);
    expect(dueMail(await requestIn(world, second))).toEqual([]);

    // The first request has no execution running: after the grace the reconciler starts one,
    // which sends its mail.
    world.clock.advance(120);
    const report = await reconcile(world.reconcileDeps());
    expect(report.resumed).toEqual([{ requestId: first, execution: `${first}-2` }]);
    await new Machine(world).segment(first);
    expect((await mailSent(world)).slice(-2)).toEqual([
      `BUYER_WITHDRAWN ${BUYER_MAIL}`,
      `SELLER_OUTCOME ${SELLER_MAIL}`,
    ]);
    expect(dueMail(await requestIn(world, first))).toEqual([]);
  });
});

describe("a step that fails after sending", () => {
  it("saves the marks of what it sent before it fails, so its retry does not send them again", async () => {
    const world = await worldWithOrder();
    const requestId = await requested(world);
    await world.workflow.start({ orderId: ORDER, requestId, correlationId: requestId }, requestId);
    // The seller approves while no wait holds the execution: the approval's mail and events are
    // due; the wake-up's own question to the provider then fails (a fault, retried by the state
    // machine).
    await runSegment(world.segmentDeps(), ORDER, requestId, {
      type: "WORKFLOW_STARTED",
      requestId,
    });
    await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    const due = dueEvents(await requestIn(world, requestId)).length;
    expect(due).toBeGreaterThan(0);
    const failing = async (): Promise<DomainEvent> => {
      throw Object.assign(new Error("the provider did not answer"), {
        name: "PaymentProviderUnavailable",
      });
    };
    await expect(runSegment(world.segmentDeps(), ORDER, requestId, failing)).rejects.toThrow(
      "the provider did not answer",
    );
    expect(world.publisher.published.length).toBeGreaterThanOrEqual(due);
    const request = await requestIn(world, requestId);
    expect(dueEvents(request)).toEqual([]);
    expect(dueMail(request)).toEqual([]);
  });
});

describe("races and late wake-ups", () => {
  it("continues at once when the request moved on between a segment's end and its wait", async () => {
    const world = await worldWithOrder();
    const requestId = await requested(world);
    await world.workflow.start({ orderId: ORDER, requestId, correlationId: requestId }, requestId);
    const end = await runSegment(world.segmentDeps(), ORDER, requestId, {
      type: "WORKFLOW_STARTED",
      requestId,
    });
    expect(end.next).toBe("WAIT_SELLER_REMINDER");
    // The seller approves before the wait state stored its token: there is nobody to wake.
    await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    expect(world.workflow.woken).toEqual([]);
    // The wait's conditional write fails, and the execution goes on from the stored status.
    const machine = new Machine(world);
    expect(machine.park(requestId, "late-token", "AWAITING_SELLER")).toBe(false);
    expect((await machine.segment(requestId)).next).toBe("DONE");
    expect((await requestIn(world, requestId)).status).toBe("COMPLETED");
    expect(world.mailer.sent).toHaveLength(6);
  });

  it("decides again when an API change lands during the segment: the withdrawal stands", async () => {
    const world = await worldWithOrder();
    const requestId = await requested(world);
    const machine = new Machine(world);
    // The buyer withdraws while the start segment publishes the request's first event.
    const publish = world.publisher.publish.bind(world.publisher);
    let raced = false;
    world.publisher.publish = async (events) => {
      await publish(events);
      if (raced) return;
      raced = true;
      await changeOrder(world.changeDeps(), ORDER, { type: "WITHDRAW", actor: BUYER, requestId });
    };
    expect((await machine.start(requestId)).next).toBe("DONE");
    const request = await requestIn(world, requestId);
    expect(request.status).toBe("WITHDRAWN");
    expect(request.timeline.map((entry) => entry.type)).toEqual(["REQUESTED", "WITHDRAWN"]);
    expect(world.log.lines.map((line) => line.message)).toContain("step no longer applies");
    expect(await mailSent(world)).toEqual([
      `BUYER_WITHDRAWN ${BUYER_MAIL}`,
      `SELLER_OUTCOME ${SELLER_MAIL}`,
    ]);
    expect(publishedEvents(world)).toEqual(eventsOf(requestId, ["REQUESTED", "WITHDRAWN"]));
    expect(dueMail(request)).toEqual([]);
    expect(dueEvents(request)).toEqual([]);
  });

  it("forgets its wait when it ends with nothing left to write", async () => {
    const { world, requestId, machine } = await started();
    // The buyer withdraws; the wake-up is lost, and the withdrawal's mail and events go out
    // (and are marked) before the execution is woken: its segment has nothing to change.
    world.workflow.outage.next = 1;
    await changeOrder(world.changeDeps(), ORDER, { type: "WITHDRAW", actor: BUYER, requestId });
    const token = await machine.waitToken(requestId);
    expect(token).toBeDefined();
    const before = await stored(world);
    const marks = await sendDueNotices(world.segmentDeps(), before.record, {});
    await world.table.save(before, withMarks(before.record, marks));
    expect(dueMail(await requestIn(world, requestId))).toEqual([]);
    const writes = world.table.writes;
    expect((await machine.segment(requestId)).next).toBe("DONE");
    expect(await machine.waitToken(requestId)).toBeUndefined();
    // Only the wait went: the segment saved nothing, the record is as the marks' save left it.
    expect(world.table.writes).toBe(writes);
    expect((await stored(world)).version).toBe(before.version + 1);
  });

  it("ignores a wake event that no longer applies and carries on from the stored status", async () => {
    const { world, requestId, machine } = await started();
    // The seller approved just before the deadline; the approval's wake-up was lost, and the
    // wait's timer fires: the timeout no longer applies.
    world.workflow.outage.next = 1;
    await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    world.clock.advance(2 * 86_400);
    const end = await machine.segment(requestId, { type: "SELLER_TIMEOUT", requestId });
    expect(end.next).toBe("DONE");
    const request = await requestIn(world, requestId);
    expect(request.status).toBe("COMPLETED");
    expect(request.timeline.map((entry) => entry.type)).not.toContain("SELLER_TIMED_OUT");
    expect(world.log.lines).toContainEqual({
      level: "info",
      message: "step no longer applies",
      extra: [{ code: "INVALID_STATE" }],
    });
  });
});
