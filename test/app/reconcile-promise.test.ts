// The reconciler keeps the refund promise: every refund that can be late is on its index, and the
// sweep after the end of `expectedBy.latest` (the order's zone) marks it late once, counts
// RefundLate, and hands the apology and the alert to the request's execution at once.
import { describe, expect, it } from "vitest";
import { changeOrder } from "../../functions/app/change-order.ts";
import { reconcile } from "../../functions/app/reconcile.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { attentionSince } from "../../functions/domain/notices.ts";
import { promiseEndsAt } from "../../functions/domain/refund.ts";
import {
  BUYER,
  Machine,
  mailSent,
  ORDER,
  recordOf,
  requested,
  SELLER,
  type World,
  worldWithOrder,
} from "./world.ts";

const GRACE = 60;
const sweep = (world: World) => reconcile(world.reconcileDeps(), GRACE);

const approve = (requestId: string): DomainEvent => ({
  type: "SELLER_DECIDE",
  actor: SELLER,
  requestId,
  decision: "APPROVE",
});

/** A request approved by its seller and the policy, carried by its execution up to the refund. */
const refunding = async (pending: boolean) => {
  const world = await worldWithOrder();
  world.payments.answerPending = pending;
  const requestId = await requested(world);
  const machine = new Machine(world);
  await machine.start(requestId);
  await changeOrder(world.changeDeps(), ORDER, approve(requestId));
  await machine.segment(requestId);
  const refund = (await recordOf(world)).requests[requestId]?.refund;
  if (!refund?.expectedBy) throw new Error("no promised refund");
  const end = promiseEndsAt(refund.expectedBy, refund.currency);
  return { world, requestId, machine, end };
};

const refundOf = async (world: World, requestId: string) =>
  (await recordOf(world)).requests[requestId]?.refund;

describe("reconcile: late refunds", () => {
  it("marks a refund still pending at the provider once its date is over, once, and wakes its execution at once", async () => {
    const { world, requestId, machine, end } = await refunding(true);
    const record = await recordOf(world);
    expect(record.requests[requestId]?.status).toBe("REFUND_PENDING");
    const token = await machine.waitToken(requestId);
    expect(token).toBeDefined();
    // A millisecond before the end of the promised day, in Tokyo, it is not late.
    world.clock.set(new Date(Date.parse(end) - 1).toISOString());
    expect((await sweep(world)).late).toEqual([]);
    expect((await refundOf(world, requestId))?.late).toBeUndefined();

    world.clock.set(end);
    const report = await sweep(world);
    expect(report.late).toEqual([requestId]);
    const request = (await recordOf(world)).requests[requestId];
    expect(request?.refund?.late).toBe(true);
    expect(request?.timeline.at(-1)).toMatchObject({
      type: "REFUND_LATE",
      actor: "system",
      at: end,
    });
    expect(world.metrics.counts.get("RefundLate")).toBe(1);
    // Nobody else will send what the mark caused: the waiting execution is woken without grace.
    expect(report.woken).toEqual([requestId]);
    expect(world.workflow.woken).toContainEqual({ token, status: "REFUND_PENDING" });

    // Its segment publishes the entry's event; a later sweep marks nothing again.
    await machine.segment(requestId);
    expect(world.publisher.published.map((event) => event.detailType)).toContain("REFUND_LATE");
    const sent = await mailSent(world);
    expect(sent.filter((mail) => mail.includes("_REFUND_LATE"))).toEqual([
      "BUYER_REFUND_LATE buyer@example.com",
      "OPERATOR_REFUND_LATE ops@example.com",
    ]);
    world.clock.advance(86_400);
    expect((await sweep(world)).late).toEqual([]);
    expect(world.metrics.counts.get("RefundLate")).toBe(1);
    const late = (await recordOf(world)).requests[requestId]?.timeline.filter(
      (entry) => entry.type === "REFUND_LATE",
    );
    expect(late).toHaveLength(1);
  });

  it("marks a completed request's refund that the provider reversed, which stays on the index", async () => {
    const { world, requestId, machine, end } = await refunding(false);
    expect((await recordOf(world)).requests[requestId]?.status).toBe("COMPLETED");
    // The card refund fails days later; Stripe's word arrives (as the webhook writes it).
    world.clock.advance(2 * 86_400);
    await changeOrder(world.changeDeps(), ORDER, {
      type: "PROVIDER_REFUND_UPDATE",
      actor: "stripe",
      requestId,
      refundId: `rf-${requestId}`,
      answer: {
        providerReference: `fake-rf-${requestId}`,
        status: "failed",
        failureReason: "expired_or_canceled_card",
      },
      asked: false,
    });
    await machine.segment(requestId);
    expect(attentionSince(await recordOf(world))).toBeDefined();
    world.clock.set(end);
    const report = await sweep(world);
    expect(report.late).toEqual([requestId]);
    expect(await refundOf(world, requestId)).toMatchObject({
      status: "FAILED",
      reversed: true,
      late: true,
    });
  });

  it("never marks a refund that succeeded: the order leaves the index once its notices are sent", async () => {
    const { world, requestId, end } = await refunding(false);
    expect(await refundOf(world, requestId)).toMatchObject({ status: "SUCCEEDED" });
    expect(attentionSince(await recordOf(world))).toBeUndefined();
    world.clock.set(new Date(Date.parse(end) + 30 * 86_400_000).toISOString());
    const report = await sweep(world);
    expect(report).toMatchObject({ checked: 0, late: [] });
    expect(world.metrics.counts.get("RefundLate")).toBeUndefined();
  });

  it("marks a refund late once with two sweeps at a time, counting it once", async () => {
    const { world, requestId, end } = await refunding(true);
    world.clock.set(end);
    const [a, b] = await Promise.all([sweep(world), sweep(world)]);
    expect([...a.late, ...b.late]).toEqual([requestId]);
    expect(world.metrics.counts.get("RefundLate")).toBe(1);
  });

  it("an inquiry's case reaches operators: after the grace the finished request gets an execution that mails them", async () => {
    const { world, requestId, machine, end } = await refunding(false);
    world.clock.set(end);
    await changeOrder(world.changeDeps(), ORDER, {
      type: "OPEN_REFUND_INQUIRY",
      actor: BUYER,
      requestId,
      comment: "not on my statement",
    });
    // Within the grace nothing is started: the change was just written.
    expect((await sweep(world)).resumed).toEqual([]);
    world.clock.advance(GRACE + 1);
    expect((await sweep(world)).resumed).toEqual([{ requestId, execution: `${requestId}-2` }]);
    await machine.segment(requestId);
    const sent = await mailSent(world);
    expect(sent.filter((mail) => mail.includes("INQUIRY"))).toEqual([
      "OPERATOR_REFUND_INQUIRY ops@example.com",
    ]);
    // Sent and published: the order leaves the reconciler's index.
    expect(attentionSince(await recordOf(world))).toBeUndefined();
  });
});
