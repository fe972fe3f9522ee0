// The reconciler and the return of cancelled units the buyer took anyway (SPEC "The parcel after a
// cancellation"): an open return keeps the order on the reconciler's index until its dueBy; the
// sweep at or after it marks the return OVERDUE once, counts ReturnOverdue, reports the order in
// `overdue`, and gives the latest (finished) request's execution the operators' alert at once. The
// order's own mail goes out with that request's execution, resumed when it is due.
import { describe, expect, it } from "vitest";
import { changeOrder } from "../../functions/app/change-order.ts";
import { reconcile, resumeForOrderNotices } from "../../functions/app/reconcile.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { attentionSince } from "../../functions/domain/notices.ts";
import {
  Machine,
  mailSent,
  ORDER,
  publishedEvents,
  recordOf,
  requested,
  SELLER,
  stored,
  type World,
  worldWithOrder,
} from "./world.ts";

const GRACE = 60;
const DAY = 86_400;
const CARRIER_CLIENT = "carrier-client";
const sweep = (world: World) => reconcile(world.reconcileDeps(), GRACE);

const approve = (requestId: string): DomainEvent => ({
  type: "SELLER_DECIDE",
  actor: SELLER,
  requestId,
  decision: "APPROVE",
});

const track = (event: "RETURNING_TO_SENDER" | "RETURNED_TO_SENDER", at: string): DomainEvent => ({
  type: "TRACK_PARCEL",
  actor: CARRIER_CLIENT,
  event,
  at,
});

/** The whole order cancelled and refunded by its execution, which ended with nothing left to send. */
const completed = async () => {
  const world = await worldWithOrder();
  const requestId = await requested(world);
  const machine = new Machine(world);
  await machine.start(requestId);
  await changeOrder(world.changeDeps(), ORDER, approve(requestId));
  await machine.segment(requestId);
  const record = await recordOf(world);
  expect(record.requests[requestId]?.status).toBe("COMPLETED");
  expect(attentionSince(record)).toBeUndefined();
  expect(world.workflow.executions.get(requestId)?.running).toBe(false);
  return { world, requestId, machine };
};

/**
 * Then the parcel is delivered a day later: the latest request's execution is resumed at once (as
 * the carrier's route does) and sends the return instructions and the seller's notice.
 */
const kept = async () => {
  const { world, requestId, machine } = await completed();
  world.clock.advance(DAY);
  const deliveredAt = world.clock.now();
  const delivered = await changeOrder(world.changeDeps(), ORDER, {
    type: "DELIVER",
    actor: CARRIER_CLIENT,
    deliveredAt,
  });
  await resumeForOrderNotices(world.reconcileDeps(), delivered.stored);
  expect(world.workflow.executions.get(`${requestId}-2`)?.running).toBe(true);
  const mail = world.mailer.sent.length;
  expect((await machine.segment(requestId)).next).toBe("DONE");
  expect((await mailSent(world)).slice(mail)).toEqual([
    "BUYER_RETURN_INSTRUCTIONS buyer@example.com",
    "SELLER_PARCEL_KEPT seller@example.com",
  ]);
  const record = await recordOf(world);
  const dueBy = record.order.return?.dueBy;
  if (!dueBy) throw new Error("no return opened");
  expect(dueBy).toBe(new Date(Date.parse(deliveredAt) + 14 * DAY * 1000).toISOString());
  // Everything sent: the order waits on the index for its return's dueBy.
  expect(attentionSince(record)).toBe(dueBy);
  return { world, requestId, machine, dueBy };
};

describe("reconcile: a return of cancelled units", () => {
  it("marks it OVERDUE at its dueBy, once, counted and reported, and resumes the latest request's execution at once for the alert", async () => {
    const { world, requestId, machine, dueBy } = await kept();
    // A millisecond before: nothing to look at.
    world.clock.set(new Date(Date.parse(dueBy) - 1).toISOString());
    expect(await sweep(world)).toMatchObject({ checked: 0, overdue: [], resumed: [] });
    expect((await recordOf(world)).order.return?.status).toBe("REQUESTED");

    world.clock.set(dueBy);
    const report = await sweep(world);
    expect(report.overdue).toEqual([ORDER]);
    expect(world.metrics.counts.get("ReturnOverdue")).toBe(1);
    expect(world.log.lines).toContainEqual(
      expect.objectContaining({ level: "warn", message: "a return of cancelled units is overdue" }),
    );
    const record = await recordOf(world);
    expect(record.order.return).toMatchObject({ status: "OVERDUE", dueBy });
    expect(record.order.timeline.at(-1)).toEqual({
      at: dueBy,
      type: "RETURN_OVERDUE",
      actor: "system",
      seq: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // No grace: nobody else will send the alert.
    expect(report.resumed).toEqual([{ requestId, execution: `${requestId}-3` }]);

    const mail = world.mailer.sent.length;
    await machine.segment(requestId);
    expect((await mailSent(world)).slice(mail)).toEqual([
      "OPERATOR_RETURN_OVERDUE ops@example.com",
    ]);
    expect(publishedEvents(world)).toContain(`RETURN_OVERDUE@${ORDER}.order.2`);
    expect(attentionSince(await recordOf(world))).toBeUndefined();

    // The next sweeps mark nothing again.
    world.clock.advance(DAY);
    expect(await sweep(world)).toMatchObject({ checked: 0, overdue: [], resumed: [] });
    expect(world.metrics.counts.get("ReturnOverdue")).toBe(1);
    const entries = (await recordOf(world)).order.timeline.filter(
      (entry) => entry.type === "RETURN_OVERDUE",
    );
    expect(entries).toHaveLength(1);
  });

  it("resumes at once even though the mark is written after the sweep began (a clock that moves)", async () => {
    const { world, requestId, dueBy } = await kept();
    world.clock.set(dueBy);
    // Each reading of the clock is a millisecond later, as in a real sweep.
    const read = world.clock.now.bind(world.clock);
    world.clock.now = () => {
      const instant = read();
      world.clock.advance(0.001);
      return instant;
    };
    const report = await sweep(world);
    expect(report.overdue).toEqual([ORDER]);
    expect(report.resumed).toEqual([{ requestId, execution: `${requestId}-3` }]);
  });

  it("marks it once with two sweeps at a time, counting it once", async () => {
    const { world, dueBy } = await kept();
    world.clock.set(new Date(Date.parse(dueBy) + 3_600_000).toISOString());
    const [a, b] = await Promise.all([sweep(world), sweep(world)]);
    expect([...a.overdue, ...b.overdue]).toEqual([ORDER]);
    expect(world.metrics.counts.get("ReturnOverdue")).toBe(1);
  });

  it("never marks a return that came back before its dueBy; the buyer is told it arrived", async () => {
    const { world, requestId, machine, dueBy } = await kept();
    world.clock.advance(2 * DAY);
    await changeOrder(world.changeDeps(), ORDER, track("RETURNED_TO_SENDER", world.clock.now()));
    expect((await recordOf(world)).order.return?.status).toBe("RECEIVED");
    // Without the route's resume, the sweep after the grace gives the execution its mail.
    expect((await sweep(world)).resumed).toEqual([]);
    world.clock.advance(GRACE + 1);
    expect((await sweep(world)).resumed).toEqual([{ requestId, execution: `${requestId}-3` }]);
    const mail = world.mailer.sent.length;
    await machine.segment(requestId);
    expect((await mailSent(world)).slice(mail)).toEqual([
      "BUYER_RETURN_RECEIVED buyer@example.com",
    ]);
    world.clock.set(new Date(Date.parse(dueBy) + DAY * 1000).toISOString());
    expect(await sweep(world)).toMatchObject({ checked: 0, overdue: [] });
    expect(world.metrics.counts.get("ReturnOverdue")).toBeUndefined();
  });

  it("resumes nothing for the order's notices while none is due, or while an execution waits on the latest request", async () => {
    const { world, requestId } = await completed();
    await resumeForOrderNotices(world.reconcileDeps(), await stored(world));
    expect(world.workflow.executions.size).toBe(1);
    // A carrier's word with no mail of its own still has its event to publish.
    await changeOrder(world.changeDeps(), ORDER, track("RETURNING_TO_SENDER", world.clock.now()));
    const due = await stored(world);
    const waiting = {
      ...due,
      waits: { [requestId]: { token: "token-x", status: "COMPLETED" as const } },
    };
    await resumeForOrderNotices(world.reconcileDeps(), waiting);
    expect(world.workflow.executions.size).toBe(1);
    await resumeForOrderNotices(world.reconcileDeps(), due);
    expect([...world.workflow.executions.keys()]).toEqual([requestId, `${requestId}-2`]);
  });
});
