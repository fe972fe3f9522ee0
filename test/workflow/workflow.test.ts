// The synthesized state machine, run by aws-local-stepfunctions on DynamoDB Local with the real
// workflow handlers: each lifecycle path asserted on the final record, the mail and events the
// workflow sent, and the execution's history.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { logger } from "../../functions/adapters/powertools.ts";
import { changeOrder } from "../../functions/app/change-order.ts";
import type { Payments, RefundInstruction, RefundKey } from "../../functions/app/ports.ts";
import { deliveryEvent } from "../../functions/app/refunds.ts";
import { requestCancellation as requestUseCase } from "../../functions/app/request-cancellation.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { DEFAULT_POLICY, mergePolicy, type Policy } from "../../functions/domain/policy.ts";
import type { OrderRecord, RequestStatus } from "../../functions/domain/types.ts";
import { STATES } from "../../infra/workflow.ts";
import type { Execution } from "../../local/step-functions.ts";
import { makeOrder } from "../support/factories.ts";
import {
  createWorkflowHarness,
  createWorkflowTables,
  dropWorkflowTables,
  eventually,
  synthesizeWorkflow,
  type WorkflowHarness,
  type WorkflowTables,
} from "../support/workflow-harness.ts";

const template = synthesizeWorkflow();
let table: WorkflowTables;

beforeAll(async () => {
  table = await createWorkflowTables("workflow");
});
afterAll(async () => {
  await dropWorkflowTables(table);
});

/**
 * A fresh shipped order, then a buyer's request under `policy` (the cancellation POST's use case),
 * started as the table's stream starts it unless `start` is false: returns the ids.
 */
const requestCancellation = async (
  harness: WorkflowHarness,
  options: { policy?: Policy; order?: Parameters<typeof makeOrder>[0]; start?: boolean } = {},
) => {
  const orderId = `o-${randomUUID()}`;
  const shippedAt = new Date(Date.now() - 3_600_000).toISOString();
  const order = makeOrder({
    orderId,
    status: "SHIPPED",
    shipment: { carrier: "yamato", trackingNumber: "1234", shippedAt },
    timeline: [],
    ...options.order,
  });
  const record: OrderRecord = { order, requests: {} };
  await harness.orders.create(record);
  const outcome = await requestUseCase(harness.changeDeps, {
    orderId,
    actor: order.buyerId,
    reason: "NO_LONGER_NEEDED",
    comment: null,
    idempotencyKey: `key-${orderId}`,
    requestHash: "hash",
    policy: options.policy ?? DEFAULT_POLICY,
    visible: () => true,
  });
  if (outcome.kind !== "ACCEPTED") throw new Error("the request was not accepted");
  const { requestId } = outcome.request;
  const ids = { orderId, requestId, buyerId: order.buyerId, sellerId: order.sellerId };
  if (options.start !== false) harness.startFromStream(ids);
  return ids;
};

const stored = async (harness: WorkflowHarness, orderId: string) => {
  const found = await harness.orders.get(orderId);
  if (!found) throw new Error(`order ${orderId} vanished`);
  return found;
};

const read = async (harness: WorkflowHarness, orderId: string) =>
  (await stored(harness, orderId)).record;

/** Waits until the request is in `status` and an execution waits on it in that status. */
const reach = async (
  harness: WorkflowHarness,
  ids: { orderId: string; requestId: string },
  status: RequestStatus,
) =>
  eventually(async () => {
    const order = await stored(harness, ids.orderId);
    if (order.record.requests[ids.requestId]?.status !== status) return undefined;
    return order.waits[ids.requestId]?.status === status ? order.record : undefined;
  });

const finish = async (harness: WorkflowHarness, requestId: string) => {
  const execution = harness.execution(requestId);
  await execution.done;
  return execution;
};

/** Why an execution failed, for assertion messages. */
const failure = (execution: Execution) =>
  `${execution.error}: ${execution.cause} after ${JSON.stringify(execution.history.slice(-4))}`;

/** A change as the API makes it: one write, then the waiting execution is woken. */
const decide = (harness: WorkflowHarness, orderId: string, event: DomainEvent) =>
  changeOrder(harness.changeDeps, orderId, event);

/** Waits for the seller's wait to begin, then approves as the seller (as the decision API does). */
const sellerApproves = async (
  harness: WorkflowHarness,
  ids: { orderId: string; requestId: string; sellerId: string },
) => {
  await reach(harness, ids, "AWAITING_SELLER");
  await decide(harness, ids.orderId, {
    type: "SELLER_DECIDE",
    actor: ids.sellerId,
    requestId: ids.requestId,
    decision: "APPROVE",
  });
};

const statesEntered = (execution: { history: { type: string; stateName?: string }[] }) =>
  execution.history
    .filter((event) => event.type.endsWith("StateEntered"))
    .map((event) => event.stateName);

const subjects = (harness: WorkflowHarness, to: string) =>
  harness.mailer.sent.filter((mail) => mail.to.includes(to)).map((mail) => mail.subject);

/** Short waits so timeouts happen inside a test: reminder after 1 s, deadlines after 2 s. */
const quickPolicy = (overrides: Record<string, unknown> = {}) =>
  mergePolicy({
    sellerResponseSeconds: 2,
    sellerReminderSeconds: 1,
    marketplaceReviewSeconds: 1,
    refundRetryWaitSeconds: 1,
    ...overrides,
  });

describe("cancellation workflow (synthesized definition, DynamoDB Local)", () => {
  it("happy path: seller approves, policy approves, refund made once, completed", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness);
    await sellerApproves(harness, ids);
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const record = await read(harness, ids.orderId);
    const request = record.requests[ids.requestId];
    expect(request?.status).toBe("COMPLETED");
    expect(record.order.status).toBe("CANCELLED");
    expect(record.order.activeCancellationRequestId).toBeNull();
    expect(request?.refund).toMatchObject({
      status: "SUCCEEDED",
      amount: 5480,
      refundId: `rf-${ids.requestId}`,
      attempts: 1,
    });
    expect(request?.timeline.map((entry) => entry.type)).toEqual([
      "REQUESTED",
      "SELLER_NOTIFIED",
      "SELLER_APPROVED",
      "MARKETPLACE_APPROVED",
      "REFUND_INSTRUCTED",
      "REFUND_SUCCEEDED",
      "COMPLETED",
    ]);
    expect(await harness.ledger.find(`rf-${ids.requestId}`)).toMatchObject({ amount: 5480 });
    // Six transitions: the seller's wait between two segments; the rest is one Lambda step.
    expect(statesEntered(execution)).toEqual([
      STATES.start,
      STATES.route,
      STATES.waitSellerReminder,
      STATES.continueAfterWait,
      STATES.route,
      STATES.done,
    ]);
    expect(subjects(harness, "buyer@example.com")).toHaveLength(3);
    expect(subjects(harness, "seller@example.com")).toHaveLength(3);
    expect(harness.mailer.sent.every((mail) => mail.subject.includes(ids.orderId))).toBe(true);
    // The workflow published every entry of the story once, in order, and marked it all sent.
    expect(
      harness.publisher.published
        .filter((event) => event.detail.requestId === ids.requestId)
        .map((event) => event.detail.eventId),
    ).toEqual(request?.timeline.map((_, index) => `${ids.requestId}.${index}`));
    const done = await stored(harness, ids.orderId);
    expect(done.waits).toEqual({});
    expect(done.record.requests[ids.requestId]?.notices?.published).toBe(7);
    expect(Object.keys(done.record.requests[ids.requestId]?.notices?.mail ?? {})).toHaveLength(6);
  });

  it("mail SES refused is marked with its failed try; the execution ends anyway and a second one, started by the reconciler, sends it once", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness);
    await reach(harness, ids, "AWAITING_SELLER");
    const before = harness.mailer.sent.length;
    harness.mailer.outage.next = 1;

    await decide(harness, ids.orderId, {
      type: "SELLER_DECIDE",
      actor: ids.sellerId,
      requestId: ids.requestId,
      decision: "REJECT",
      reason: "already abroad",
    });
    const execution = await finish(harness, ids.requestId);
    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    expect(harness.mailer.outage.next).toBe(0);
    // The buyer's mail failed once: its failed try is marked on the request, still due.
    const request = (await read(harness, ids.orderId)).requests[ids.requestId];
    expect(request?.notices?.mail["2.BUYER_REJECTED"]).toMatchObject({
      tries: 1,
      error: "ServiceUnavailable",
    });
    expect(typeof request?.notices?.mail["2.SELLER_OUTCOME"]).toBe("string");

    // The reconciler gives the finished request a second execution, which sends the mail.
    const report = await harness.reconcile();
    const second = `${ids.requestId}-2`;
    expect(report.resumed).toContainEqual({ requestId: ids.requestId, execution: second });
    const resent = await finish(harness, second);
    expect(resent.status, failure(resent)).toBe("SUCCEEDED");
    const again = await harness.reconcile();
    expect(again.resumed.filter((entry) => entry.requestId === ids.requestId)).toEqual([]);
    const sentNow = harness.mailer.sent
      .slice(before)
      .filter((mail) => mail.subject.includes(ids.orderId));
    expect(sentNow.map((mail) => mail.to[0]).sort()).toEqual([
      "buyer@example.com",
      "seller@example.com",
    ]);
    expect(sentNow.find((mail) => mail.to[0] === "buyer@example.com")?.text).toContain(
      "already abroad",
    );
  });

  it("seller rejects: the buyer is told why and the order stays shipped", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness);
    await reach(harness, ids, "AWAITING_SELLER");

    await decide(harness, ids.orderId, {
      type: "SELLER_DECIDE",
      actor: ids.sellerId,
      requestId: ids.requestId,
      decision: "REJECT",
      reason: "already handed to the carrier abroad",
    });
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const record = await read(harness, ids.orderId);
    expect(record.requests[ids.requestId]).toMatchObject({
      status: "REJECTED",
      rejection: { by: "SELLER", reason: "already handed to the carrier abroad" },
      refund: null,
    });
    expect(record.order.status).toBe("SHIPPED");
    expect(statesEntered(execution).slice(-3)).toEqual([
      STATES.continueAfterWait,
      STATES.route,
      STATES.done,
    ]);
    const rejection = harness.mailer.sent.find(
      (mail) => mail.to.includes("buyer@example.com") && mail.text.includes("already handed"),
    );
    expect(rejection).toBeDefined();
  });

  it("seller times out with ESCALATE: reminded, escalated, operator approves", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness, {
      policy: quickPolicy({ marketplaceReviewSeconds: 60 }),
    });
    const escalated = await reach(harness, ids, "AWAITING_MARKETPLACE");
    const request = escalated.requests[ids.requestId];
    expect(request?.marketplaceReview).toBe("OPERATOR");
    expect(request?.sellerRemindedAt).not.toBeNull();

    await decide(harness, ids.orderId, {
      type: "OPERATOR_DECIDE",
      actor: "operator-1",
      requestId: ids.requestId,
      decision: "APPROVE",
    });
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const record = await read(harness, ids.orderId);
    expect(
      record.requests[ids.requestId]?.timeline.map((entry) => [entry.type, entry.actor]),
    ).toEqual([
      ["REQUESTED", ids.buyerId],
      ["SELLER_NOTIFIED", "system"],
      ["SELLER_REMINDED", "system"],
      ["SELLER_TIMED_OUT", "policy"],
      ["MARKETPLACE_APPROVED", "operator-1"],
      ["REFUND_INSTRUCTED", "system"],
      ["REFUND_SUCCEEDED", "system"],
      ["COMPLETED", "system"],
    ]);
    const entered = statesEntered(execution);
    expect(entered).toContain(STATES.remindSeller);
    expect(entered).toContain(STATES.sellerTimeout);
    expect(entered).toContain(STATES.waitOperator);
    expect(harness.execution(ids.requestId).history.some((e) => e.type === "TaskTimedOut")).toBe(
      true,
    );
    expect(harness.mailer.sent.filter((mail) => mail.to.includes("ops@example.com"))).toHaveLength(
      1,
    );
  });

  it("seller times out with APPROVE: a small refund is approved by policy", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness, {
      policy: quickPolicy({ onSellerTimeout: "APPROVE", sellerReminderSeconds: 0 }),
    });
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const record = await read(harness, ids.orderId);
    const request = record.requests[ids.requestId];
    expect(request?.status).toBe("COMPLETED");
    expect(request?.timeline.map((entry) => entry.type)).toEqual([
      "REQUESTED",
      "SELLER_NOTIFIED",
      "SELLER_TIMED_OUT",
      "MARKETPLACE_APPROVED",
      "REFUND_INSTRUCTED",
      "REFUND_SUCCEEDED",
      "COMPLETED",
    ]);
    expect(statesEntered(execution)).not.toContain(STATES.waitSellerReminder);
    expect(statesEntered(execution)).toContain(STATES.sellerTimeout);
  });

  const HIGH_VALUE = {
    lines: [{ lineId: "l1", sku: "TV-1", title: "テレビ", quantity: 1, unitPrice: 98000 }],
    payment: { method: "CARD" as const, paidAmount: 98500 },
  };

  it("high value, operator rejects: rejected by the marketplace", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness, { order: HIGH_VALUE });
    await sellerApproves(harness, ids);
    await reach(harness, ids, "AWAITING_MARKETPLACE");
    await decide(harness, ids.orderId, {
      type: "OPERATOR_DECIDE",
      actor: "operator-1",
      requestId: ids.requestId,
      decision: "REJECT",
      reason: "fraud check failed",
    });
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const record = await read(harness, ids.orderId);
    expect(record.requests[ids.requestId]).toMatchObject({
      status: "REJECTED",
      rejection: { by: "MARKETPLACE", reason: "fraud check failed" },
    });
    expect(await harness.ledger.find(`rf-${ids.requestId}`)).toBeUndefined();
  });

  it.each([
    ["APPROVE", "COMPLETED"],
    ["REJECT", "REJECTED"],
  ] as const)(
    "high value, nobody reviews: onMarketplaceTimeout %s → %s",
    async (outcome, status) => {
      const harness = createWorkflowHarness(table, template);
      const ids = await requestCancellation(harness, {
        order: HIGH_VALUE,
        policy: quickPolicy({ onMarketplaceTimeout: outcome, sellerResponseSeconds: 60 }),
      });
      await reach(harness, ids, "AWAITING_SELLER");
      await decide(harness, ids.orderId, {
        type: "SELLER_DECIDE",
        actor: ids.sellerId,
        requestId: ids.requestId,
        decision: "APPROVE",
      });
      const execution = await finish(harness, ids.requestId);

      expect(execution.status, failure(execution)).toBe("SUCCEEDED");
      const request = (await read(harness, ids.orderId)).requests[ids.requestId];
      expect(request?.status).toBe(status);
      expect(statesEntered(execution)).toContain(STATES.marketplaceTimeout);
      const decided = request?.timeline.find((entry) => entry.type.startsWith("MARKETPLACE_"));
      expect(decided?.actor).toBe("policy");
    },
  );

  it("refund fails transiently, is retried with backoff and succeeds once", async () => {
    const { gateway, harness } = withFlakyGateway(2);
    const ids = await requestCancellation(harness, {
      policy: quickPolicy({ onSellerTimeout: "APPROVE" }),
    });
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const request = (await read(harness, ids.orderId)).requests[ids.requestId];
    expect(request?.status).toBe("COMPLETED");
    expect(request?.refund).toMatchObject({ status: "SUCCEEDED", attempts: 1 });
    expect(gateway.calls.map((call) => call.refundId)).toEqual(
      Array(3).fill(`rf-${ids.requestId}`),
    );
    // The segment that made the refund (after the seller's deadline) was retried twice.
    expect(
      execution.history.filter(
        (e) => e.type === "TaskRetried" && e.stateName === STATES.sellerTimeout,
      ),
    ).toHaveLength(2);
  });

  it("refund fails past its retries: REFUND_FAILED, operators alerted, operator retry completes it", async () => {
    const { gateway, harness } = withFlakyGateway(5);
    const ids = await requestCancellation(harness, {
      policy: quickPolicy({ onSellerTimeout: "APPROVE", refundRetryWaitSeconds: 60 }),
    });
    const failed = await reach(harness, ids, "REFUND_FAILED");
    expect(failed.requests[ids.requestId]?.refund?.status).toBe("FAILED");
    expect(harness.mailer.sent.filter((mail) => mail.to.includes("ops@example.com"))).toHaveLength(
      1,
    );

    await decide(harness, ids.orderId, {
      type: "RETRY_REFUND",
      actor: "operator-1",
      requestId: ids.requestId,
      refundMade: false,
    });
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const request = (await read(harness, ids.orderId)).requests[ids.requestId];
    expect(request?.status).toBe("COMPLETED");
    expect(request?.refund).toMatchObject({
      status: "SUCCEEDED",
      attempts: 2,
      refundId: `rf-${ids.requestId}`,
    });
    expect(new Set(gateway.calls.map((call) => call.refundId))).toEqual(
      new Set([`rf-${ids.requestId}`]),
    );
    expect(gateway.calls).toHaveLength(6);
    expect(statesEntered(execution)).toContain(STATES.recordRefundFailure);
    expect(statesEntered(execution)).toContain(STATES.waitRefundRetry);
    expect(await harness.ledger.find(`rf-${ids.requestId}`)).toMatchObject({ amount: 5480 });
  });

  it("a failed refund nobody retries is retried by the system at its deadline", async () => {
    const { harness } = withFlakyGateway(5);
    const ids = await requestCancellation(harness, {
      policy: quickPolicy({ onSellerTimeout: "APPROVE" }),
    });
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const request = (await read(harness, ids.orderId)).requests[ids.requestId];
    expect(request?.status).toBe("COMPLETED");
    expect(request?.timeline.find((entry) => entry.type === "REFUND_RETRIED")?.actor).toBe(
      "system",
    );
    expect(statesEntered(execution)).toContain(STATES.retryRefund);
  });

  it("a declined refund is not retried: it goes straight to REFUND_FAILED", async () => {
    const { gateway, harness } = withFlakyGateway(1, "RefundDeclined");
    const ids = await requestCancellation(harness, {
      policy: quickPolicy({ onSellerTimeout: "APPROVE", refundRetryWaitSeconds: 60 }),
    });
    const failed = await reach(harness, ids, "REFUND_FAILED");
    expect(failed.requests[ids.requestId]?.timeline.at(-1)).toMatchObject({
      type: "REFUND_FAILED",
      note: "RefundDeclined",
    });
    expect(gateway.calls).toHaveLength(1);
    harness.local.stopExecution(harness.execution(ids.requestId).executionArn);
    await harness.execution(ids.requestId).done;
  });

  it("buyer withdraws while the seller decides: the wait is woken and the workflow tells both", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness);
    await reach(harness, ids, "AWAITING_SELLER");

    await decide(harness, ids.orderId, {
      type: "WITHDRAW",
      actor: ids.buyerId,
      requestId: ids.requestId,
    });
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    expect((await read(harness, ids.orderId)).requests[ids.requestId]?.status).toBe("WITHDRAWN");
    // Woken long before the reminder was due, by the withdrawal's SendTaskSuccess.
    expect(harness.execution(ids.requestId).history.some((e) => e.type === "TaskTimedOut")).toBe(
      false,
    );
    expect(harness.mailer.sent.filter((mail) => mail.subject.includes(ids.orderId))).toHaveLength(
      4,
    );
    expect(statesEntered(execution).slice(-3)).toEqual([
      STATES.continueAfterWait,
      STATES.route,
      STATES.done,
    ]);
  });

  it("parcel delivered while waiting for the operator: RETURN_REQUIRED, no refund", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness, { order: HIGH_VALUE });
    await sellerApproves(harness, ids);
    await reach(harness, ids, "AWAITING_MARKETPLACE");

    await decide(harness, ids.orderId, {
      type: "DELIVER",
      actor: "carrier-client",
      deliveredAt: new Date().toISOString(),
    });
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const record = await read(harness, ids.orderId);
    expect(record.order.status).toBe("DELIVERED");
    expect(record.requests[ids.requestId]).toMatchObject({
      status: "RETURN_REQUIRED",
      refund: null,
    });
    // Woken by the delivery, not by the review's deadline; the buyer is told to return it.
    expect(execution.history.some((e) => e.type === "TaskTimedOut")).toBe(false);
    expect(subjects(harness, "buyer@example.com").some((subject) => subject.includes("返品"))).toBe(
      true,
    );
    expect(await harness.ledger.find(`rf-${ids.requestId}`)).toBeUndefined();
  });

  it("cash on delivery: approved without a refund, the buyer is told to refuse the parcel", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness, {
      order: { payment: { method: "CASH_ON_DELIVERY", paidAmount: 0 } },
    });
    await sellerApproves(harness, ids);
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const request = (await read(harness, ids.orderId)).requests[ids.requestId];
    expect(request?.status).toBe("COMPLETED");
    expect(request?.refund).toMatchObject({ status: "NOT_REQUIRED", amount: 0, expectedBy: null });
    expect(request?.timeline.map((entry) => entry.type)).not.toContain("REFUND_INSTRUCTED");
    expect(await harness.ledger.find(`rf-${ids.requestId}`)).toBeUndefined();
  });
});

describe("recovery and the money rules (synthesized definition, DynamoDB Local)", () => {
  const DECLINED = "RefundDeclined";

  it("a declined refund nobody acts on goes to the fallback method under a new key; the buyer is told", async () => {
    const { gateway, harness } = withFlakyGateway(1, DECLINED);
    const ids = await requestCancellation(harness, {
      policy: quickPolicy({ onSellerTimeout: "APPROVE" }),
    });
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const request = (await read(harness, ids.orderId)).requests[ids.requestId];
    expect(request?.status).toBe("COMPLETED");
    expect(request?.refund).toMatchObject({
      status: "SUCCEEDED",
      method: "GIFT_CARD",
      refundId: `rf-${ids.requestId}-2`,
    });
    expect(gateway.calls.map((call) => [call.refundId, call.method])).toEqual([
      [`rf-${ids.requestId}`, "CARD"],
      [`rf-${ids.requestId}-2`, "GIFT_CARD"],
    ]);
    expect(await harness.ledger.find(`rf-${ids.requestId}`)).toBeUndefined();
    expect(await harness.ledger.find(`rf-${ids.requestId}-2`)).toMatchObject({
      method: "GIFT_CARD",
      amount: 5480,
    });
    const timeline = request?.timeline.map((entry) => `${entry.type}:${entry.actor}`);
    expect(timeline).toContain("REFUND_RETRIED:system");
    const completed = harness.mailer.sent.find(
      (mail) => mail.to.includes("buyer@example.com") && mail.text.includes("ギフトカード残高"),
    );
    expect(completed?.text).toContain("返金できなかったため");
  });

  it("parcel delivered while the refund had failed and nothing was paid: RETURN_REQUIRED, never refunded", async () => {
    const { gateway, harness } = withFlakyGateway(1, DECLINED);
    const ids = await requestCancellation(harness, {
      policy: quickPolicy({ onSellerTimeout: "APPROVE", refundRetryWaitSeconds: 600 }),
    });
    await reach(harness, ids, "REFUND_FAILED");
    const delivered = await changeOrder(
      harness.changeDeps,
      ids.orderId,
      deliveryEvent(harness.stepDeps.payments, "carrier", new Date().toISOString()),
    );
    const execution = await finish(harness, ids.requestId);

    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const record = delivered.stored.record;
    expect(record.order.status).toBe("DELIVERED");
    expect(record.requests[ids.requestId]).toMatchObject({
      status: "RETURN_REQUIRED",
      refund: { status: "NOT_REQUIRED" },
    });
    expect(gateway.calls).toHaveLength(1);
    expect(await harness.ledger.find(`rf-${ids.requestId}`)).toBeUndefined();
    // The wait for an operator ended with the delivery, not at its deadline ten minutes on.
    expect(statesEntered(execution).at(-1)).toBe(STATES.done);
  });

  it("parcel delivered after a refund whose answer was lost: the provider says it was made, so it completes", async () => {
    const { gateway, harness } = withFlakyGateway(9, "GatewayTimeout", true);
    const ids = await requestCancellation(harness, {
      policy: quickPolicy({ onSellerTimeout: "APPROVE", refundRetryWaitSeconds: 600 }),
    });
    await reach(harness, ids, "REFUND_FAILED");
    const delivered = await changeOrder(
      harness.changeDeps,
      ids.orderId,
      deliveryEvent(harness.stepDeps.payments, "carrier", new Date().toISOString()),
    );
    await finish(harness, ids.requestId);

    const record = delivered.stored.record;
    expect(record.order.status).toBe("CANCELLED");
    expect(record.order.deliveredAt).not.toBeNull();
    expect(record.requests[ids.requestId]).toMatchObject({
      status: "COMPLETED",
      refund: { status: "SUCCEEDED", refundId: `rf-${ids.requestId}` },
    });
    // Every attempt used the one key: the provider paid once.
    expect(new Set(gateway.calls.map((call) => call.refundId))).toEqual(
      new Set([`rf-${ids.requestId}`]),
    );
    expect(await harness.ledger.find(`rf-${ids.requestId}`)).toMatchObject({ amount: 5480 });
  });

  it("an execution that died is resumed once by the reconciler, under a new name, and finishes", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness);
    await reach(harness, ids, "AWAITING_SELLER");
    const first = harness.execution(ids.requestId);
    harness.local.stopExecution(first.executionArn);
    await first.done;
    expect(first.status).toBe("ABORTED");
    // The seller's decision is saved; its signal finds no live wait.
    await decide(harness, ids.orderId, {
      type: "SELLER_DECIDE",
      actor: ids.sellerId,
      requestId: ids.requestId,
      decision: "APPROVE",
    });

    const reports = await Promise.all([harness.reconcile(), harness.reconcile()]);
    // Other tests' requests share the table: only this one's resumptions count here.
    const resumed = reports
      .flatMap((report) => report.resumed)
      .filter((entry) => entry.requestId === ids.requestId);
    expect(resumed, JSON.stringify(resumed)).toEqual([
      { requestId: ids.requestId, execution: `${ids.requestId}-2` },
    ]);
    const second = harness.execution(`${ids.requestId}-2`);
    await second.done;
    expect(second.status, failure(second)).toBe("SUCCEEDED");
    const after = await stored(harness, ids.orderId);
    expect(after.record.requests[ids.requestId]?.status).toBe("COMPLETED");
    expect(after.executions[ids.requestId]).toMatchObject({
      name: `${ids.requestId}-2`,
      attempt: 2,
    });
    const again = await harness.reconcile();
    expect(again.resumed.filter((entry) => entry.requestId === ids.requestId)).toEqual([]);
  });

  it("a step that keeps failing is caught: the failure is recorded, then the request is resumed", async () => {
    const harness = createWorkflowHarness(table, template);
    // The Lambda service refuses the seller-notification step on every attempt.
    harness.faults.add({ target: "stepfunctions", operation: STATES.start, error: "unavailable" });
    const ids = await requestCancellation(harness);
    const first = await finish(harness, ids.requestId);

    expect(first.status).toBe("FAILED");
    expect(first.error).toBe("WorkflowFailed");
    const entered = statesEntered(first);
    expect(entered.slice(-2)).toEqual([STATES.recordFailure, STATES.failed]);
    expect(
      first.history.filter((e) => e.type === "TaskRetried" && e.stateName === STATES.start),
    ).toHaveLength(6);
    const failed = await stored(harness, ids.orderId);
    expect(failed.executions[ids.requestId]).toMatchObject({
      name: ids.requestId,
      attempt: 1,
      error: "Lambda.ServiceException",
    });
    expect(failed.record.requests[ids.requestId]?.status).toBe("REQUESTED");

    harness.faults.clear();
    const report = await harness.reconcile();
    expect(report.resumed).toContainEqual({
      requestId: ids.requestId,
      execution: `${ids.requestId}-2`,
    });
    await sellerApproves(harness, ids);
    const second = await finish(harness, `${ids.requestId}-2`);
    expect(second.status, failure(second)).toBe("SUCCEEDED");
    expect((await read(harness, ids.orderId)).requests[ids.requestId]?.status).toBe("COMPLETED");
  });

  it("the reconciler does not fail on an AWS fault: it reports it and the next run finishes the job", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness);
    await reach(harness, ids, "AWAITING_SELLER");
    const first = harness.execution(ids.requestId);
    harness.local.stopExecution(first.executionArn);
    await first.done;
    const outage = Object.assign(new Error("throttled"), { name: "ThrottlingException" });
    const listing = vi
      .spyOn(harness.reconcileDeps.executions, "runningNames")
      .mockRejectedValueOnce(outage);

    const during = await harness.reconcile();
    expect(during.errors).toBeGreaterThan(0);
    listing.mockRestore();
    const after = await harness.reconcile();
    // Other tests' orders share the table: whichever item met the failed listing, the next one
    // lists again, so this request is resumed by one of the two runs, and only once.
    const resumed = [...during.resumed, ...after.resumed].filter(
      (entry) => entry.requestId === ids.requestId,
    );
    expect(resumed).toEqual([{ requestId: ids.requestId, execution: `${ids.requestId}-2` }]);
  });

  it("on its schedule the reconciler leaves fresh mail to its sender; a sweep gives it an execution", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness, {
      policy: quickPolicy({ sellerResponseSeconds: 600 }),
    });
    await reach(harness, ids, "AWAITING_SELLER");
    harness.mailer.outage.next = 1;
    await decide(harness, ids.orderId, {
      type: "SELLER_DECIDE",
      actor: ids.sellerId,
      requestId: ids.requestId,
      decision: "REJECT",
      reason: "already abroad",
    });
    await finish(harness, ids.requestId);
    const resumed = { requestId: ids.requestId, execution: `${ids.requestId}-2` };

    const scheduled = await harness.reconcileOnSchedule();
    expect(scheduled.resumed).not.toContainEqual(resumed);
    const swept = await harness.reconcile();
    expect(swept.resumed).toContainEqual(resumed);
    await finish(harness, resumed.execution);
    const request = (await read(harness, ids.orderId)).requests[ids.requestId];
    expect(typeof request?.notices?.mail["2.BUYER_REJECTED"]).toBe("string");
  });

  it("a wake-up that could not be sent is sent again by the reconciler, long before the deadline", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness);
    await reach(harness, ids, "AWAITING_SELLER");
    harness.signalFailures.count = 1;
    // The change stands: the answer is the approved request.
    const changed = await decide(harness, ids.orderId, {
      type: "SELLER_DECIDE",
      actor: ids.sellerId,
      requestId: ids.requestId,
      decision: "APPROVE",
    });
    expect(changed.stored.record.requests[ids.requestId]?.status).toBe("AWAITING_MARKETPLACE");
    expect(harness.log.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: "workflow not woken; the reconciler will",
      }),
    );
    expect(harness.execution(ids.requestId).status).toBe("RUNNING");

    const report = await harness.reconcile();
    expect(report.woken).toContain(ids.requestId);
    expect(harness.metrics.counts.get("WakeUpResent")).toBe(1);
    const execution = await finish(harness, ids.requestId);
    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    const request = (await read(harness, ids.orderId)).requests[ids.requestId];
    expect(request?.status).toBe("COMPLETED");
  });

  it("a request whose start never came (the pipe failed) is started by the reconciler under its own id", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness, { start: false });
    const report = await harness.reconcile();
    expect(report.resumed).toContainEqual({ requestId: ids.requestId, execution: ids.requestId });
    // The pipe's start arriving late is the same execution (same name, same input).
    harness.startFromStream(ids);
    await sellerApproves(harness, ids);
    const execution = await finish(harness, ids.requestId);
    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
    expect((await read(harness, ids.orderId)).requests[ids.requestId]?.status).toBe("COMPLETED");
  });

  it("the workflow publishes each change's statuses in one line with its events, and each sweep the open requests' gauges", async () => {
    const harness = createWorkflowHarness(table, template);
    const { lines } = harness.metrics;
    const ids = await requestCancellation(harness);
    await reach(harness, ids, "AWAITING_SELLER");
    expect(lines).toEqual([["Entered_REQUESTED"], ["Entered_AWAITING_SELLER"]]);

    const report = await harness.reconcile();
    expect(report.open).toBeGreaterThanOrEqual(1);
    expect(report.oldestOpenSeconds).toBeGreaterThanOrEqual(0);
    expect(lines.at(-1)).toEqual(["OpenRequests", "OpenRequestsOver24h", "OldestOpenRequestAge"]);
    // (The sweep may also have sent what other tests' orders left due: those lines come before.)
    const afterSweep = lines.length;

    await sellerApproves(harness, ids);
    await finish(harness, ids.requestId);
    // The seller's approval (published by the segment it woke), then the segment's own two
    // changes: before the refund call, and after.
    expect(lines.slice(afterSweep)).toEqual([
      ["Entered_AWAITING_MARKETPLACE", "SellerResponseTime"],
      ["Entered_REFUND_PENDING"],
      ["TimeToRefund", "Entered_COMPLETED"],
    ]);
  });

  it("the request id is its execution's correlation id; a first execution not yet listed is not replaced", async () => {
    const harness = createWorkflowHarness(table, template);
    const correlated = vi.spyOn(logger, "setCorrelationId");
    const ids = await requestCancellation(harness);
    await reach(harness, ids, "AWAITING_SELLER");
    const first = harness.execution(ids.requestId);
    expect(JSON.parse(first.input)).toEqual({
      orderId: ids.orderId,
      requestId: ids.requestId,
      correlationId: ids.requestId,
    });
    expect(correlated).toHaveBeenCalledWith(ids.requestId);
    correlated.mockRestore();

    // ListExecutions lags: the reconciler's start (the same name and input) is the running one.
    vi.spyOn(harness.reconcileDeps.executions, "runningNames").mockResolvedValue(new Set());
    const report = await harness.reconcile();
    expect(report.resumed.filter((entry) => entry.requestId === ids.requestId)).toEqual([]);
    expect(() => harness.execution(`${ids.requestId}-2`)).toThrow();
    expect(first.status).toBe("RUNNING");
    await sellerApproves(harness, ids);
    const execution = await finish(harness, ids.requestId);
    expect(execution.status, failure(execution)).toBe("SUCCEEDED");
  });

  it("a decision sent again after its answer was lost is answered as that success", async () => {
    const harness = createWorkflowHarness(table, template);
    const ids = await requestCancellation(harness, {
      policy: quickPolicy({ sellerResponseSeconds: 60 }),
    });
    await reach(harness, ids, "AWAITING_SELLER");
    const decision: DomainEvent = {
      type: "SELLER_DECIDE",
      actor: ids.sellerId,
      requestId: ids.requestId,
      decision: "REJECT",
      reason: "already abroad",
    };
    const first = await decide(harness, ids.orderId, decision);
    const again = await decide(harness, ids.orderId, decision);
    expect(first.replayed).toBe(false);
    expect(again).toMatchObject({ replayed: true });
    expect(again.stored.version).toBe(first.stored.version);
    // Another reason is another decision: refused.
    await expect(
      decide(harness, ids.orderId, { ...decision, reason: "changed my mind" }),
    ).rejects.toMatchObject({ code: "INVALID_STATE" });
    await finish(harness, ids.requestId);
  });
});

/** A harness whose payment provider fails its first `failures` calls, then uses the ledger. */
const withFlakyGateway = (failures: number, errorName?: string, applyFirst = false) => {
  const gateway = new FlakyGateway(failures, errorName, applyFirst);
  const harness = createWorkflowHarness(table, template, { payments: gateway });
  gateway.inner = harness.ledger;
  return { gateway, harness };
};

/** A provider that fails its first `failures` calls (with `errorName`), then defers to `inner`. */
class FlakyGateway implements Payments {
  readonly calls: RefundInstruction[] = [];
  inner: Payments | undefined;

  /** `applyFirst`: the provider applies the refund, then its answer is lost (a timeout). */
  constructor(
    private failures: number,
    private readonly errorName = "GatewayUnavailable",
    private readonly applyFirst = false,
  ) {}

  async refund(instruction: RefundInstruction) {
    this.calls.push(instruction);
    if (this.failures > 0) {
      this.failures -= 1;
      if (this.applyFirst) await this.inner?.refund(instruction);
      const error = new Error("the payment provider did not answer");
      error.name = this.errorName;
      throw error;
    }
    if (!this.inner) throw new Error("no inner gateway");
    return this.inner.refund(instruction);
  }

  async lookup(key: RefundKey) {
    if (!this.inner) throw new Error("no inner gateway");
    return this.inner.lookup(key);
  }
}
