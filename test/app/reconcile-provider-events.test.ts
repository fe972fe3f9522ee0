// The reconciler reads the provider's own record of what happened to refunds (Stripe's events),
// whether or not their webhooks arrived: a card refund reversed while every webhook about it was
// lost is still heard of, the completed request gets its execution back, and nothing is written
// for events that say nothing new.
import { describe, expect, it } from "vitest";
import { changeOrder } from "../../functions/app/change-order.ts";
import { reconcile } from "../../functions/app/reconcile.ts";
import {
  Machine,
  ORDER,
  recordOf,
  requested,
  SELLER,
  stored,
  type World,
  worldWithOrder,
} from "./world.ts";

const PAYMENT = { method: "CARD", provider: "stripe", reference: "pi_3QEvents" } as const;

const sweep = (world: World) => reconcile(world.reconcileDeps(), 60);

/** A Stripe order's cancellation carried to completion by its execution, which then ended. */
const completed = async () => {
  const world = await worldWithOrder({ payment: PAYMENT });
  const requestId = await requested(world);
  const machine = new Machine(world);
  await machine.start(requestId);
  await changeOrder(world.changeDeps(), ORDER, {
    type: "SELLER_DECIDE",
    actor: SELLER,
    requestId,
    decision: "APPROVE",
  });
  await machine.segment(requestId);
  expect((await recordOf(world)).requests[requestId]?.status).toBe("COMPLETED");
  world.workflow.executions.set(requestId, {
    input: { orderId: ORDER, requestId, correlationId: requestId },
    running: false,
  });
  return { world, requestId };
};

describe("reconcile: the provider's events", () => {
  it("hears of a reversal whose webhooks were all lost, and gives the request an execution", async () => {
    const { world, requestId } = await completed();
    world.payments.settle(`rf-${requestId}`, {
      status: "failed",
      failureReason: "expired_or_canceled_card",
    });
    const report = await sweep(world);
    expect(report.heard).toEqual([requestId]);
    const request = (await recordOf(world)).requests[requestId];
    expect(request?.status).toBe("COMPLETED");
    expect(request?.refund).toMatchObject({ status: "FAILED", reversed: true });
    expect(request?.timeline.at(-1)).toMatchObject({ type: "REFUND_REVERSED", actor: "system" });
    expect((await recordOf(world)).order.refundedAmount).toBe(0);
    // The request's first execution ended: a new one waits for an operator's retry.
    expect((await stored(world)).executions[requestId]?.name).toBe(`${requestId}-2`);
    expect(world.workflow.executions.get(`${requestId}-2`)?.running).toBe(true);
  });

  it("writes nothing for events that say nothing new", async () => {
    const { world, requestId } = await completed();
    // An event about the refund's reference, which the request already has or does not need.
    world.payments.settle(`rf-${requestId}`, { status: "succeeded" });
    const before = (await stored(world)).version;
    const report = await sweep(world);
    expect(report.heard).toEqual([]);
    expect((await stored(world)).version).toBe(before);
  });

  it("leaves the sweep standing when the provider cannot be asked", async () => {
    const { world, requestId } = await completed();
    world.payments.settle(`rf-${requestId}`, { status: "failed" });
    world.payments.outage.next = 1;
    const report = await sweep(world);
    expect(report.errors).toBe(1);
    expect(report.heard).toEqual([]);
    // The next sweep hears of it.
    expect((await sweep(world)).heard).toEqual([requestId]);
  });
});
