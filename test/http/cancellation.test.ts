// Cancellation request routes on DynamoDB Local (Step Functions and SES on aws-sdk-client-mock):
// request with Idempotency-Key, read, withdraw, seller and marketplace decisions, refund retry.
import { SendEmailCommand } from "@aws-sdk/client-ses";
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import type { CancellationRequest } from "../../functions/domain/types.ts";
import { canonicalJson, sha256Hex } from "../../functions/http/canonical.ts";
import { useTestTable } from "../support/dynamodb.ts";
import {
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  STATE_MACHINE_ARN,
  type TestApp,
} from "../support/http-app.ts";
import { buyer, operator, seller, system } from "../support/http-events.ts";
import {
  awaitingOperator,
  refundFailed,
  requestOn,
  seedOrder,
  uid,
} from "../support/http-fixtures.ts";
import { at } from "../support/records.ts";

const table = useTestTable("dynamodb-local", "http-requests");
let app: TestApp;
beforeEach(() => {
  app = createTestApp(table.current);
});

const SERVER_ONLY_FIELDS = ["idempotencyKey", "requestHash", "policy", "taskTokens"];

const expectPublicRequest = (body: Record<string, unknown>) => {
  for (const field of SERVER_ONLY_FIELDS) expect(body).not.toHaveProperty(field);
};

/** An order with one request in the given state; its id and the request's. */
const orderWith = async (request: (orderId: string) => CancellationRequest) => {
  const record = await seedOrder(app.store, {}, (orderId) => [request(orderId)]);
  const [stored] = Object.values(record.requests) as [CancellationRequest];
  return { orderId: record.order.orderId, requestId: stored.requestId, request: stored };
};

describe("POST /orders/{orderId}/cancellation-requests", () => {
  const post = (
    orderId: string,
    body: unknown,
    key: string | null = uid("idem"),
    caller = buyer(),
  ) =>
    app.invoke("RequestCancellation", {
      caller,
      params: { orderId },
      body,
      headers: key === null ? {} : { "Idempotency-Key": key },
    });

  it("accepts a one-character Idempotency-Key, as SPEC allows", async () => {
    const { orderId } = (await seedOrder(app.store)).order;
    expectJson(await post(orderId, { reason: "NO_LONGER_NEEDED" }, "1"), 202);
  });

  it("stores the request, starts its workflow named by the request id, then answers 202", async () => {
    const { orderId } = (await seedOrder(app.store)).order;
    const response = await post(orderId, { reason: "OTHER", comment: "住所を間違えました" });
    expectJson(response, 202);
    const requestId = response.body.requestId as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.location).toBe(`/orders/${orderId}/cancellation-requests/${requestId}`);
    expect(response.body).toMatchObject({
      orderId,
      status: "REQUESTED",
      reason: "OTHER",
      comment: "住所を間違えました",
      createdAt: at(24),
      sellerDeadline: at(24 + 48),
      marketplaceDeadline: null,
      rejection: null,
      refund: null,
      policyVersion: DEFAULT_POLICY.version,
      timeline: [{ at: at(24), type: "REQUESTED", actor: "buyer-1" }],
    });
    expectPublicRequest(response.body);
    expect(app.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const started = app.sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(started).toMatchObject({ stateMachineArn: STATE_MACHINE_ARN, name: requestId });
    // The execution carries the API call's correlation id (its API Gateway request id).
    const input = JSON.parse(String(started?.input));
    expect(input).toEqual({ orderId, requestId, correlationId: expect.any(String) });
    expect(input.correlationId).not.toBe(requestId);
    const stored = await app.store.get(orderId);
    expect(stored?.record.order.activeCancellationRequestId).toBe(requestId);
    expect(stored?.record.requests[requestId]?.status).toBe("REQUESTED");
  });

  it("replays the same key and body with the same request, and resumes the start", async () => {
    const { orderId } = (await seedOrder(app.store)).order;
    const key = uid("idem");
    const first = await post(orderId, { reason: "NO_LONGER_NEEDED" }, key);
    expectJson(first, 202);
    const item = await app.rawItem(orderId);
    // The header in any case, the same body with its fields in another order.
    const again = await app.invoke("RequestCancellation", {
      caller: buyer(),
      params: { orderId },
      body: '{ "reason" : "NO_LONGER_NEEDED" }',
      headers: { "IDEMPOTENCY-KEY": key, "Content-Type": "application/json; charset=utf-8" },
    });
    expectJson(again, 202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(await app.rawItem(orderId)).toEqual(item);
    // Still REQUESTED (the mocked workflow never moved it on): the start is repeated, same name.
    expect(app.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
    expect(app.sfn).toHaveReceivedNthCommandWith(StartExecutionCommand, 2, {
      name: first.body.requestId as string,
    });
  });

  it("replays without starting again once the workflow has moved the request on", async () => {
    // The hash the service stores: sha256 of the parsed body's canonical JSON.
    const requestHash = sha256Hex(canonicalJson({ reason: "NO_LONGER_NEEDED" }));
    const { orderId, request } = await orderWith((id) => requestOn(id, { requestHash }));
    const response = await post(orderId, { reason: request.reason }, request.idempotencyKey);
    expectJson(response, 202);
    expect(response.body.requestId).toBe(request.requestId);
    expect(response.body.status).toBe("AWAITING_SELLER");
    expect(app.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it("answers concurrent POSTs with one key with one request, whichever write wins", async () => {
    const { orderId } = (await seedOrder(app.store)).order;
    const key = uid("idem");
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => post(orderId, { reason: "NO_LONGER_NEEDED" }, key)),
    );
    for (const response of responses) expectJson(response, 202);
    const ids = new Set(responses.map((response) => response.body.requestId));
    expect(ids.size).toBe(1);
    const stored = await app.store.get(orderId);
    expect(Object.keys(stored?.record.requests ?? {})).toEqual([...ids]);
  });

  it("answers the same key with another body → 409 IDEMPOTENCY_KEY_MISMATCH, nothing changed", async () => {
    const { orderId } = (await seedOrder(app.store)).order;
    const key = uid("idem");
    expectJson(await post(orderId, { reason: "NO_LONGER_NEEDED" }, key), 202);
    const item = await app.rawItem(orderId);
    const response = await post(orderId, { reason: "FOUND_BETTER_PRICE" }, key);
    expectProblem(response, 409, "IDEMPOTENCY_KEY_MISMATCH");
    expect(await app.rawItem(orderId)).toEqual(item);
  });

  it.each([
    ["no Idempotency-Key", null, "headers.idempotency-key"],
    ["an Idempotency-Key of 256 characters", "k".repeat(256), "headers.idempotency-key"],
    ["an Idempotency-Key that is not printable ASCII", "キー", "headers.idempotency-key"],
  ])("refuses %s → 400, nothing changed", async (_name, key, path) => {
    const { orderId } = (await seedOrder(app.store)).order;
    const item = await app.rawItem(orderId);
    expectValidation(await post(orderId, { reason: "NO_LONGER_NEEDED" }, key), path);
    expect(await app.rawItem(orderId)).toEqual(item);
    expect(app.sfn).not.toHaveReceivedAnyCommand();
  });

  it.each([
    ["an unknown reason", { reason: "BORED" }, "body.reason"],
    ["OTHER without a comment", { reason: "OTHER" }, "body.comment"],
    ["an unknown field", { reason: "OTHER", comment: "x", refundTo: "elsewhere" }, "body.refundTo"],
    [
      "a comment over 1000 characters",
      { reason: "OTHER", comment: "x".repeat(1001) },
      "body.comment",
    ],
    ["a wrong type", { reason: 3 }, "body.reason"],
  ])("refuses %s → 400, nothing changed", async (_name, body, path) => {
    const { orderId } = (await seedOrder(app.store)).order;
    const item = await app.rawItem(orderId);
    expectValidation(await post(orderId, body), path);
    expect(await app.rawItem(orderId)).toEqual(item);
  });

  it("refuses bad JSON → 400, nothing changed", async () => {
    const { orderId } = (await seedOrder(app.store)).order;
    const item = await app.rawItem(orderId);
    const response = await app.invoke("RequestCancellation", {
      caller: buyer(),
      params: { orderId },
      body: "{reason: NO_LONGER_NEEDED}",
      headers: { "content-type": "application/json", "idempotency-key": uid("idem") },
    });
    expectValidation(response);
    expect(await app.rawItem(orderId)).toEqual(item);
  });

  it("answers another buyer 404, even with a key the order's buyer used", async () => {
    const { orderId, request } = await orderWith((id) => requestOn(id));
    const item = await app.rawItem(orderId);
    for (const key of [request.idempotencyKey, uid("idem")]) {
      const response = await post(orderId, { reason: request.reason }, key, buyer("buyer-2"));
      expectProblem(response, 404, "NOT_FOUND");
    }
    expectProblem(
      await post(uid("o-missing"), { reason: "OTHER", comment: "x" }),
      404,
      "NOT_FOUND",
    );
    expect(await app.rawItem(orderId)).toEqual(item);
    expect(app.sfn).not.toHaveReceivedAnyCommand();
  });

  it("refuses a second request while one is in progress → 409 ACTIVE_REQUEST_EXISTS", async () => {
    const { orderId } = await orderWith((id) => requestOn(id));
    const item = await app.rawItem(orderId);
    expectProblem(
      await post(orderId, { reason: "NO_LONGER_NEEDED" }),
      409,
      "ACTIVE_REQUEST_EXISTS",
    );
    expect(await app.rawItem(orderId)).toEqual(item);
  });

  it("refuses an order not yet shipped → 409 NOT_SHIPPED", async () => {
    const { orderId } = (await seedOrder(app.store, { status: "PLACED", shipment: null })).order;
    const item = await app.rawItem(orderId);
    expectProblem(await post(orderId, { reason: "NO_LONGER_NEEDED" }), 409, "NOT_SHIPPED");
    expect(await app.rawItem(orderId)).toEqual(item);
  });

  it("refuses a delivered order → 409 RETURN_REQUIRED", async () => {
    const { orderId } = (await seedOrder(app.store, { status: "DELIVERED", deliveredAt: at(12) }))
      .order;
    const item = await app.rawItem(orderId);
    expectProblem(await post(orderId, { reason: "NO_LONGER_NEEDED" }), 409, "RETURN_REQUIRED");
    expect(await app.rawItem(orderId)).toEqual(item);
  });

  it("refuses once the policy's window after shipment has passed → 409 WINDOW_CLOSED", async () => {
    const { orderId } = (await seedOrder(app.store)).order;
    const item = await app.rawItem(orderId);
    app.clock.now = at(DEFAULT_POLICY.cancellationWindowDays * 24 + 1);
    expectProblem(await post(orderId, { reason: "NO_LONGER_NEEDED" }), 409, "WINDOW_CLOSED");
    expect(await app.rawItem(orderId)).toEqual(item);
  });

  it("accepts a base64-encoded body", async () => {
    const { orderId } = (await seedOrder(app.store)).order;
    const response = await app.invoke("RequestCancellation", {
      caller: buyer(),
      params: { orderId },
      body: { reason: "DELIVERY_TOO_SLOW" },
      headers: { "idempotency-key": uid("idem") },
      base64: true,
    });
    expectJson(response, 202);
    expect(response.body.reason).toBe("DELIVERY_TOO_SLOW");
  });

  it("is for buyers only → 403 for its seller", async () => {
    const { orderId } = (await seedOrder(app.store)).order;
    expectProblem(
      await post(orderId, { reason: "NO_LONGER_NEEDED" }, uid("idem"), seller()),
      403,
      "FORBIDDEN",
    );
  });
});

describe("GET /orders/{orderId}/cancellation-requests/{requestId}", () => {
  it("shows the request to its buyer, its seller and any operator, without server-side fields", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    await app.store.putTaskToken(orderId, requestId, "secret-task-token", "AWAITING_SELLER");
    for (const caller of [buyer(), seller(), operator()]) {
      const response = await app.invoke("GetCancellationRequest", {
        caller,
        params: { orderId, requestId },
      });
      expectJson(response, 200);
      expect(response.body).toMatchObject({ requestId, orderId, status: "AWAITING_SELLER" });
      expectPublicRequest(response.body);
      expect(response.raw).not.toContain("secret-task-token");
    }
  });

  it("answers 404 to strangers, for unknown ids and for a request of another order", async () => {
    const mine = await orderWith((id) => requestOn(id));
    const other = await orderWith((id) => requestOn(id));
    for (const [caller, params] of [
      [buyer("buyer-2"), { orderId: mine.orderId, requestId: mine.requestId }],
      [seller("seller-2"), { orderId: mine.orderId, requestId: mine.requestId }],
      [buyer(), { orderId: mine.orderId, requestId: uid("r-missing") }],
      [buyer(), { orderId: uid("o-missing"), requestId: mine.requestId }],
      [buyer(), { orderId: mine.orderId, requestId: other.requestId }],
      // Own properties only: an id that names an Object member is not a request.
      [buyer(), { orderId: mine.orderId, requestId: "constructor" }],
    ] as const) {
      const response = await app.invoke("GetCancellationRequest", { caller, params });
      expectProblem(response, 404, "NOT_FOUND");
    }
  });

  it("is for people only → 403 for machine clients", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    const response = await app.invoke("GetCancellationRequest", {
      caller: system("carrier/events"),
      params: { orderId, requestId },
    });
    expectProblem(response, 403, "FORBIDDEN");
  });
});

describe("POST .../withdrawal", () => {
  it("withdraws the buyer's request → 200, and fails the workflow's wait with its token", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    await app.store.putTaskToken(orderId, requestId, "token-seller-wait", "AWAITING_SELLER");
    const response = await app.invoke("WithdrawCancellationRequest", {
      caller: buyer(),
      params: { orderId, requestId },
    });
    expectJson(response, 200);
    expect(response.body).toMatchObject({ requestId, status: "WITHDRAWN" });
    expect((response.body.timeline as unknown[]).at(-1)).toEqual({
      at: at(24),
      type: "WITHDRAWN",
      actor: "buyer-1",
    });
    expectPublicRequest(response.body);
    expect(response.raw).not.toContain("token-seller-wait");
    expect(app.sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskFailureCommand, {
      taskToken: "token-seller-wait",
      error: "RequestWithdrawn",
    });
    expect((await app.store.get(orderId))?.record.order.activeCancellationRequestId).toBeNull();
  });

  it("answers another buyer 404 and the seller 403, request unchanged", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    const item = await app.rawItem(orderId);
    expectProblem(
      await app.invoke("WithdrawCancellationRequest", {
        caller: buyer("buyer-2"),
        params: { orderId, requestId },
      }),
      404,
      "NOT_FOUND",
    );
    expectProblem(
      await app.invoke("WithdrawCancellationRequest", {
        caller: seller(),
        params: { orderId, requestId },
      }),
      403,
      "FORBIDDEN",
    );
    expect(await app.rawItem(orderId)).toEqual(item);
    expect(app.sfn).not.toHaveReceivedAnyCommand();
  });

  it("refuses once the marketplace approved → 409 INVALID_STATE, request unchanged", async () => {
    const { orderId, requestId } = await orderWith((id) =>
      requestOn(id, { status: "REFUND_PENDING", updatedAt: at(3) }),
    );
    const item = await app.rawItem(orderId);
    const response = await app.invoke("WithdrawCancellationRequest", {
      caller: buyer(),
      params: { orderId, requestId },
    });
    expectProblem(response, 409, "INVALID_STATE");
    expect(await app.rawItem(orderId)).toEqual(item);
  });

  it("refuses a body with fields → 400, request unchanged", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    const item = await app.rawItem(orderId);
    const response = await app.invoke("WithdrawCancellationRequest", {
      caller: buyer(),
      params: { orderId, requestId },
      body: { reason: "changed my mind" },
    });
    expectValidation(response, "body.reason");
    expect(await app.rawItem(orderId)).toEqual(item);
  });
});

describe("POST .../seller-decision", () => {
  const decide = (orderId: string, requestId: string, body: unknown, caller = seller()) =>
    app.invoke("SellerDecision", { caller, params: { orderId, requestId }, body });

  it("approves → 200 AWAITING_MARKETPLACE, ending the seller's wait with the stored token", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    await app.store.putTaskToken(orderId, requestId, "token-for-seller", "AWAITING_SELLER");
    const response = await decide(orderId, requestId, { decision: "APPROVE" });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      requestId,
      status: "AWAITING_MARKETPLACE",
      marketplaceDeadline: at(24 + 72),
    });
    expectPublicRequest(response.body);
    expect(response.raw).not.toContain("token-for-seller");
    expect(app.sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, {
      taskToken: "token-for-seller",
      output: JSON.stringify({ outcome: "SELLER_APPROVED" }),
    });
    expect(await app.store.getTaskToken(orderId, requestId)).toBeUndefined();
  });

  it("rejects with a reason → 200 REJECTED, buyer and seller told by email", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    const response = await decide(orderId, requestId, {
      decision: "REJECT",
      reason: "already handed to the carrier",
    });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      status: "REJECTED",
      rejection: { by: "SELLER", reason: "already handed to the carrier", at: at(24) },
    });
    expect(app.ses).toHaveReceivedCommandTimes(SendEmailCommand, 2);
    expect(app.ses).toHaveReceivedCommandWith(SendEmailCommand, {
      Destination: { ToAddresses: ["buyer@example.com"] },
    });
  });

  it("refuses a rejection without a reason and unknown fields → 400, request unchanged", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    const item = await app.rawItem(orderId);
    expectValidation(await decide(orderId, requestId, { decision: "REJECT" }), "body.reason");
    expectValidation(await decide(orderId, requestId, { decision: "MAYBE" }), "body.decision");
    expectValidation(
      await decide(orderId, requestId, { decision: "APPROVE", refund: 0 }),
      "body.refund",
    );
    expect(await app.rawItem(orderId)).toEqual(item);
  });

  it("answers another seller 404 and the buyer 403, request unchanged", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    const item = await app.rawItem(orderId);
    expectProblem(
      await decide(orderId, requestId, { decision: "APPROVE" }, seller("seller-2")),
      404,
      "NOT_FOUND",
    );
    expectProblem(
      await decide(orderId, requestId, { decision: "APPROVE" }, buyer()),
      403,
      "FORBIDDEN",
    );
    expect(await app.rawItem(orderId)).toEqual(item);
  });

  it("refuses a request that is not waiting for the seller → 409 INVALID_STATE", async () => {
    const { orderId, requestId } = await orderWith((id) => awaitingOperator(id));
    const item = await app.rawItem(orderId);
    expectProblem(await decide(orderId, requestId, { decision: "APPROVE" }), 409, "INVALID_STATE");
    expect(await app.rawItem(orderId)).toEqual(item);
  });
});

describe("POST .../marketplace-decision", () => {
  const decide = (orderId: string, requestId: string, body: unknown, caller = operator()) =>
    app.invoke("MarketplaceDecision", { caller, params: { orderId, requestId }, body });

  it("approves → 200 REFUND_PENDING with the refund, ending the review's wait", async () => {
    const { orderId, requestId } = await orderWith((id) => awaitingOperator(id));
    await app.store.putTaskToken(orderId, requestId, "token-review", "AWAITING_MARKETPLACE");
    const response = await decide(orderId, requestId, { decision: "APPROVE" });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      status: "REFUND_PENDING",
      refund: { amount: 5480, currency: "JPY", method: "CARD", status: "PENDING" },
    });
    expect(app.sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, {
      taskToken: "token-review",
      output: JSON.stringify({ outcome: "OPERATOR_APPROVED" }),
    });
  });

  it("rejects with a reason → 200 REJECTED by the marketplace", async () => {
    const { orderId, requestId } = await orderWith((id) => awaitingOperator(id));
    const response = await decide(orderId, requestId, { decision: "REJECT", reason: "fraud" });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      status: "REJECTED",
      rejection: { by: "MARKETPLACE", reason: "fraud" },
    });
  });

  it("refuses a request still with the seller → 409 INVALID_STATE, unchanged", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    const item = await app.rawItem(orderId);
    expectProblem(await decide(orderId, requestId, { decision: "APPROVE" }), 409, "INVALID_STATE");
    expect(await app.rawItem(orderId)).toEqual(item);
  });

  it("answers unknown ids 404 and non-operators 403", async () => {
    const { orderId, requestId } = await orderWith((id) => awaitingOperator(id));
    const item = await app.rawItem(orderId);
    expectProblem(
      await decide(orderId, uid("r-missing"), { decision: "APPROVE" }),
      404,
      "NOT_FOUND",
    );
    expectProblem(
      await decide(uid("o-missing"), requestId, { decision: "APPROVE" }),
      404,
      "NOT_FOUND",
    );
    for (const caller of [seller(), buyer()]) {
      expectProblem(
        await decide(orderId, requestId, { decision: "APPROVE" }, caller),
        403,
        "FORBIDDEN",
      );
    }
    expectValidation(
      await decide(orderId, requestId, { decision: "REJECT", reason: "" }),
      "body.reason",
    );
    expect(await app.rawItem(orderId)).toEqual(item);
  });
});

describe("POST .../refund-retry", () => {
  it("retries a failed refund → 202 REFUND_PENDING", async () => {
    const { orderId, requestId } = await orderWith((id) => refundFailed(id));
    await app.store.putTaskToken(orderId, requestId, "token-refund-wait", "REFUND_FAILED");
    const response = await app.invoke("RetryRefund", {
      caller: operator("op-7"),
      params: { orderId, requestId },
      body: {},
    });
    expectJson(response, 202);
    expect(response.body).toMatchObject({
      status: "REFUND_PENDING",
      refund: { status: "PENDING" },
    });
    expect((response.body.timeline as unknown[]).at(-1)).toEqual({
      at: at(24),
      type: "REFUND_RETRIED",
      actor: "op-7",
    });
    expect(app.sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, {
      taskToken: "token-refund-wait",
      output: JSON.stringify({ outcome: "REFUND_RETRY" }),
    });
  });

  it("refunds as gift balance on request, under a new key → 202", async () => {
    const { orderId, requestId } = await orderWith((id) => refundFailed(id));
    const response = await app.invoke("RetryRefund", {
      caller: operator("op-7"),
      params: { orderId, requestId },
      body: { method: "GIFT_CARD" },
    });
    expectJson(response, 202);
    expect(response.body).toMatchObject({
      status: "REFUND_PENDING",
      refund: { status: "PENDING", method: "GIFT_CARD", refundId: `rf-${requestId}-2` },
    });
    expect((response.body.timeline as { note?: string }[]).at(-1)?.note).toBe("GIFT_CARD");
  });

  it("records a refund the provider made after all instead of making another → 202", async () => {
    const { orderId, requestId } = await orderWith((id) => refundFailed(id));
    await app.gateway.refund({
      refundId: `rf-${requestId}`,
      orderId,
      requestId,
      amount: 5480,
      currency: "JPY",
      method: "CARD",
    });
    const response = await app.invoke("RetryRefund", {
      caller: operator("op-7"),
      params: { orderId, requestId },
      body: { method: "GIFT_CARD" },
    });
    expectJson(response, 202);
    expect(response.body).toMatchObject({
      status: "REFUND_PENDING",
      refund: { status: "SUCCEEDED", method: "CARD", refundId: `rf-${requestId}` },
    });
    expect(app.gateway.made.size).toBe(1);
    expect(app.ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });

  it("answers a retry sent again after its answer was lost as that success → 202", async () => {
    const { orderId, requestId } = await orderWith((id) => refundFailed(id));
    const retry = () =>
      app.invoke("RetryRefund", {
        caller: operator("op-7"),
        params: { orderId, requestId },
        body: {},
      });
    expectJson(await retry(), 202);
    const before = await app.rawItem(orderId);
    const again = await retry();
    expectJson(again, 202);
    expect(again.body.status).toBe("REFUND_PENDING");
    expect(await app.rawItem(orderId)).toEqual(before);
  });

  it("refuses another method than gift balance → 400", async () => {
    const { orderId, requestId } = await orderWith((id) => refundFailed(id));
    expectValidation(
      await app.invoke("RetryRefund", {
        caller: operator(),
        params: { orderId, requestId },
        body: { method: "CARD" },
      }),
      "body.method",
    );
  });

  it("refuses a request whose refund has not failed → 409 INVALID_STATE; sellers 403", async () => {
    const { orderId, requestId } = await orderWith((id) => awaitingOperator(id));
    const item = await app.rawItem(orderId);
    const params = { orderId, requestId };
    expectProblem(
      await app.invoke("RetryRefund", { caller: operator(), params }),
      409,
      "INVALID_STATE",
    );
    expectProblem(await app.invoke("RetryRefund", { caller: seller(), params }), 403, "FORBIDDEN");
    expect(await app.rawItem(orderId)).toEqual(item);
  });
});
