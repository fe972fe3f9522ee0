// The reconciler (app/reconcile.ts) on the fakes: from the stored items it starts what never
// started, resumes what died (claimed first, so twice never), wakes what a lost signal or a failed
// send left waiting (after a grace), gives a finished request that still owes notices an execution
// to send them (it sends nothing itself), forgets waits whose execution moved on, and drains the
// pipe's dead letters once a sweep covered them.
import { describe, expect, it, vi } from "vitest";
import { changeOrder } from "../../functions/app/change-order.ts";
import { reconcile } from "../../functions/app/reconcile.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { attentionSince, dueMail } from "../../functions/domain/notices.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import { makeOrder, makeRecord } from "../support/factories.ts";
import { awsError, fakeWorld } from "../support/fakes.ts";
import {
  BUYER,
  Machine,
  mailSent,
  ORDER,
  recordOf,
  requested,
  SELLER,
  stored,
  type World,
  worldWithOrder,
} from "./world.ts";

const GRACE = 60;

const approve = (requestId: string): DomainEvent => ({
  type: "SELLER_DECIDE",
  actor: SELLER,
  requestId,
  decision: "APPROVE",
});

/** A request whose execution started and waits for the seller. */
const waitingForSeller = async () => {
  const world = await worldWithOrder();
  const requestId = await requested(world);
  const machine = new Machine(world);
  await machine.start(requestId);
  const token = await machine.waitToken(requestId);
  if (!token) throw new Error("no wait");
  world.clock.advance(3600);
  return { world, requestId, machine, token };
};

const sweep = (world: World) => reconcile(world.reconcileDeps(), GRACE);

describe("reconcile: executions", () => {
  it("starts an open request whose execution never started, under the request's own name", async () => {
    const world = await worldWithOrder();
    // The POST wrote the request; the stream's pipe never started its execution.
    const requestId = await requested(world);
    const report = await sweep(world);
    expect(report.resumed).toEqual([{ requestId, execution: requestId }]);
    expect([...world.workflow.executions]).toEqual([
      [
        requestId,
        { input: { orderId: ORDER, requestId, correlationId: requestId }, running: true },
      ],
    ]);
    expect(report.open).toBe(1);
    // Once it runs, the next sweep leaves it alone.
    expect((await sweep(world)).resumed).toEqual([]);
    expect(world.workflow.executions.size).toBe(1);
  });

  it("resumes a request whose execution died as <id>-2, once, even with two sweeps at a time", async () => {
    const { world, requestId } = await waitingForSeller();
    // The execution gave up (its catch-all), the request still waits for the seller.
    const first = world.workflow.executions.get(requestId);
    if (!first) throw new Error("no execution");
    first.running = false;
    const [a, b] = await Promise.all([sweep(world), sweep(world)]);
    expect([...a.resumed, ...b.resumed]).toEqual([{ requestId, execution: `${requestId}-2` }]);
    expect([...world.workflow.executions.keys()]).toEqual([requestId, `${requestId}-2`]);
    expect((await stored(world)).executions[requestId]).toMatchObject({
      name: `${requestId}-2`,
      attempt: 2,
    });
    expect(world.metrics.counts.get("WorkflowResumed")).toBe(1);
    // The resumed execution runs: a later sweep starts nothing more.
    expect((await sweep(world)).resumed).toEqual([]);
    expect(world.workflow.executions.size).toBe(2);
    // Should it die too, the next one is <id>-3.
    const second = world.workflow.executions.get(`${requestId}-2`);
    if (second) second.running = false;
    expect((await sweep(world)).resumed).toEqual([{ requestId, execution: `${requestId}-3` }]);
  });

  it("leaves finished requests' executions alone", async () => {
    const { world, requestId, machine } = await waitingForSeller();
    await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    await machine.segment(requestId);
    expect((await recordOf(world)).requests[requestId]?.status).toBe("COMPLETED");
    const report = await sweep(world);
    expect(report).toMatchObject({ checked: 0, resumed: [], woken: [] });
  });
});

describe("reconcile: wake-ups", () => {
  it("wakes a wait whose signal was lost, only once the grace has passed", async () => {
    const { world, requestId, token } = await waitingForSeller();
    world.workflow.outage.next = 1;
    await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    expect(world.workflow.woken).toEqual([]);
    // Within the grace the API's own wake-up may still be on its way.
    expect((await sweep(world)).woken).toEqual([]);
    world.clock.advance(GRACE - 1);
    expect((await sweep(world)).woken).toEqual([]);
    world.clock.advance(2);
    const report = await sweep(world);
    expect(report.woken).toEqual([requestId]);
    expect(world.workflow.woken).toEqual([{ token, status: "AWAITING_MARKETPLACE" }]);
    expect(world.metrics.counts.get("WakeUpResent")).toBe(1);
  });

  it("wakes a parked execution whose notices are still due, after the grace", async () => {
    const world = await worldWithOrder();
    const requestId = await requested(world);
    const machine = new Machine(world);
    world.mailer.outage.next = 2;
    await machine.start(requestId);
    const token = await machine.waitToken(requestId);
    expect(Object.values((await recordOf(world)).requests).flatMap(dueMail)).toHaveLength(2);
    // Nothing moved: only the due receipts are a reason to wake it.
    expect((await sweep(world)).woken).toEqual([]);
    world.clock.advance(GRACE + 1);
    expect((await sweep(world)).woken).toEqual([requestId]);
    expect(world.workflow.woken).toEqual([{ token, status: "AWAITING_SELLER" }]);
    // Woken, its segment sends them and parks again; the next sweep has nothing to do.
    await machine.segment(requestId);
    expect(await mailSent(world)).toEqual([
      "BUYER_REQUEST_RECEIVED buyer@example.com",
      "SELLER_NEW_REQUEST seller@example.com",
    ]);
    world.clock.advance(GRACE + 1);
    expect((await sweep(world)).woken).toEqual([]);
  });

  it("forgets a wait whose execution no longer waits (a stale token)", async () => {
    const { world, requestId, token } = await waitingForSeller();
    world.workflow.outage.next = 1;
    await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    // The execution left its wait some other way (its timer fired): the token is stale.
    world.workflow.waiting.delete(token);
    world.clock.advance(GRACE + 1);
    const report = await sweep(world);
    expect(report.woken).toEqual([]);
    expect((await stored(world)).waits).toEqual({});
    expect(world.metrics.counts.get("WakeUpResent")).toBeUndefined();
  });
});

describe("reconcile: what a finished request still owes", () => {
  it("gives a finished request with notices still due an execution to send them, once with two sweeps at a time", async () => {
    const { world, requestId } = await waitingForSeller();
    // The buyer withdraws; the execution was woken and ended, but SES and EventBridge were down.
    world.mailer.outage.next = 2;
    world.publisher.outage.next = 1;
    await changeOrder(world.changeDeps(), ORDER, { type: "WITHDRAW", actor: BUYER, requestId });
    const machine = new Machine(world);
    expect((await machine.segment(requestId)).next).toBe("DONE");
    expect(world.workflow.executions.get(requestId)?.running).toBe(false);
    expect(attentionSince(await recordOf(world))).toBeDefined();
    const mail = world.mailer.sent.length;
    const events = world.publisher.published.length;

    // Within the grace nothing happens.
    expect((await sweep(world)).resumed).toEqual([]);
    world.clock.advance(GRACE + 1);
    // Two sweeps at once (the schedule delivers at least once): one execution, and the sweeps
    // themselves send nothing.
    const [a, b] = await Promise.all([sweep(world), sweep(world)]);
    expect([...a.resumed, ...b.resumed]).toEqual([{ requestId, execution: `${requestId}-2` }]);
    expect(world.mailer.sent).toHaveLength(mail);
    expect(world.publisher.published).toHaveLength(events);

    // The execution's segment sends and marks them, once.
    expect((await machine.segment(requestId)).next).toBe("DONE");
    expect((await mailSent(world)).slice(mail)).toEqual([
      "BUYER_WITHDRAWN buyer@example.com",
      "SELLER_OUTCOME seller@example.com",
    ]);
    expect(world.publisher.published.slice(events).map((e) => e.detailType)).toEqual(["WITHDRAWN"]);
    // Marked: the order leaves the reconciler's index, and the next sweep starts nothing.
    expect(attentionSince(await recordOf(world))).toBeUndefined();
    world.clock.advance(GRACE + 1);
    expect(await sweep(world)).toMatchObject({ checked: 0, resumed: [] });
  });

  it("starts a request that ended before anything started it under its own name, so the pipe's late start is the same execution", async () => {
    const world = await worldWithOrder();
    const requestId = await requested(world);
    // The pipe is down; the buyer withdraws the request while it is still REQUESTED.
    await changeOrder(world.changeDeps(), ORDER, { type: "WITHDRAW", actor: BUYER, requestId });
    world.clock.advance(GRACE + 1);
    const report = await sweep(world);
    expect(report.resumed).toEqual([{ requestId, execution: requestId }]);
    // The pipe comes back and starts the request: the same name and input, the same execution.
    const input = { orderId: ORDER, requestId, correlationId: requestId };
    expect(await world.workflow.start(input, requestId)).toBe(true);
    expect(world.workflow.executions.size).toBe(1);
    // Its one segment sends everything the request owes, once (the receipts go with the start,
    // which no longer applies: only the withdrawal's mail).
    const end = await new Machine(world).segment(requestId, {
      type: "WORKFLOW_STARTED",
      requestId,
    });
    expect(end.next).toBe("DONE");
    expect(await mailSent(world)).toEqual([
      "BUYER_WITHDRAWN buyer@example.com",
      "SELLER_OUTCOME seller@example.com",
    ]);
    expect(world.publisher.published.map((e) => e.detailType)).toEqual(["REQUESTED", "WITHDRAWN"]);
    expect(attentionSince(await recordOf(world))).toBeUndefined();
  });

  it("starts another execution at each sweep while a mail keeps failing, its tries counted", async () => {
    const { world, requestId } = await waitingForSeller();
    world.mailer.outage.next = 4;
    await changeOrder(world.changeDeps(), ORDER, { type: "WITHDRAW", actor: BUYER, requestId });
    const machine = new Machine(world);
    await machine.segment(requestId);
    world.clock.advance(GRACE + 1);
    expect((await sweep(world)).resumed).toEqual([{ requestId, execution: `${requestId}-2` }]);
    await machine.segment(requestId);
    const request = (await recordOf(world)).requests[requestId];
    expect(request?.notices?.mail["2.BUYER_WITHDRAWN"]).toMatchObject({ tries: 2 });
    world.clock.advance(GRACE + 1);
    expect((await sweep(world)).resumed).toEqual([{ requestId, execution: `${requestId}-3` }]);
  });
});

describe("reconcile: the sweep", () => {
  it("drains the pipe's dead letters only after a sweep without errors", async () => {
    const world = await worldWithOrder();
    await requested(world);
    world.deadLetters.messages.push("batch-1", "batch-2");
    // One order cannot be read: the sweep has an error, the dead letters stay.
    const get = vi.spyOn(world.table, "get").mockRejectedValueOnce(awsError("InternalServerError"));
    const failed = await sweep(world);
    expect(failed.errors).toBe(1);
    expect(failed.drained).toBe(0);
    expect(world.deadLetters.messages).toEqual(["batch-1", "batch-2"]);
    get.mockRestore();
    const clean = await sweep(world);
    expect(clean.errors).toBe(0);
    expect(clean.drained).toBe(2);
    expect(world.deadLetters.messages).toEqual([]);
    expect(world.metrics.counts.get("PipeFailuresDrained")).toBe(2);
  });

  it("keeps the dead letters when the index cannot be read", async () => {
    const world = await worldWithOrder();
    world.deadLetters.messages.push("batch-1");
    world.table.outage.next = 1;
    const report = await sweep(world);
    expect(report.errors).toBe(1);
    expect(world.deadLetters.messages).toEqual(["batch-1"]);
  });

  it("goes on past an order that fails", async () => {
    const world = fakeWorld();
    // Two orders whose requests the pipe never started.
    for (const id of ["a", "b"]) {
      await world.table.create(makeRecord(makeOrder({ orderId: `o-${id}` }), []));
      await changeOrder(world.changeDeps(), `o-${id}`, {
        type: "REQUEST_CANCELLATION",
        actor: BUYER,
        requestId: `req-${id}`,
        reason: "NO_LONGER_NEEDED",
        comment: null,
        idempotencyKey: `idem-${id}`,
        requestHash: "h".repeat(64),
        policy: DEFAULT_POLICY,
      });
    }
    // Order o-a cannot be read; o-b's request is started all the same.
    const get = world.table.get.bind(world.table);
    world.table.get = async (orderId) => {
      if (orderId === "o-a") throw awsError("InternalServerError");
      return get(orderId);
    };
    const report = await sweep(world);
    expect(report.checked).toBe(2);
    expect(report.errors).toBe(1);
    expect(report.resumed).toEqual([{ requestId: "req-b", execution: "req-b" }]);
    expect(world.log.lines).toContainEqual({
      level: "error",
      message: "reconciling failed here; the next run tries again",
      extra: [{ orderId: "o-a", error: "InternalServerError" }],
    });
  });
});
