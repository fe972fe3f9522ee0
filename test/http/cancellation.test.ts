// Cancellation request routes over the in-memory ports: request with Idempotency-Key, read,
// withdraw, seller and marketplace decisions, refund retry. A change is one write of the order; it
// wakes the execution waiting on the request (only when one waits), and sends nothing itself: the
// mail and events it implies are left due on the stored request for the workflow to send.
import { beforeEach, describe, expect, it } from "vitest";
import { dueEvents, dueMail } from "../../functions/domain/notices.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import type { CancellationRequest, Order } from "../../functions/domain/types.ts";
import { canonicalJson, sha256Hex } from "../../functions/http/canonical.ts";
import {
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
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

let app: TestApp;
beforeEach(() => {
  app = createTestApp();
});

const SERVER_ONLY_FIELDS = ["idempotencyKey", "requestHash", "policy", "notices", "waits"];

const expectPublicRequest = (body: Record<string, unknown>) => {
  for (const field of SERVER_ONLY_FIELDS) expect(body).not.toHaveProperty(field);
};

const seed = (overrides?: Partial<Order>, requests?: (orderId: string) => CancellationRequest[]) =>
  seedOrder(app.world.table, overrides, requests);

/** An order with one request in the given state; its id and the request's. */
const orderWith = async (request: (orderId: string) => CancellationRequest) => {
  const record = await seed({}, (orderId) => [request(orderId)]);
  const [stored] = Object.values(record.requests) as [CancellationRequest];
  return { orderId: record.order.orderId, requestId: stored.requestId, request: stored };
};

/** The request as stored now. */
const storedRequest = (orderId: string, requestId: string) =>
  app.item(orderId)?.record.requests[requestId];

/** API handlers never send mail nor publish events: not even a call reaches those ports. */
const expectNothingSent = () => {
  expect(app.world.mailer.sent).toEqual([]);
  expect(app.world.publisher.published).toEqual([]);
  expect(app.callNames("mailer")).toEqual([]);
  expect(app.callNames("publisher")).toEqual([]);
};

/** A refused change: the item exactly as before, no write tried, nothing woken or sent. */
const expectUnchanged = (orderId: string, before: ReturnType<TestApp["item"]>) => {
  expect(app.item(orderId)).toEqual(before);
  expect(app.callNames("table").filter((call) => call !== "table.get")).toEqual([]);
  expect(app.callNames("workflow")).toEqual([]);
  expectNothingSent();
};

/** The change was one write, followed by a wake of the waits listed (and nothing else). */
const expectOneWrite = (woken: string[]) => {
  expect(app.callNames("table")).toEqual(["table.get", "table.save"]);
  expect(app.callNames("workflow")).toEqual(woken.map(() => "workflow.wake"));
  expect(app.world.workflow.woken.map(({ token }) => token)).toEqual(woken);
  expectNothingSent();
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
    const { orderId } = (await seed()).order;
    expectJson(await post(orderId, { reason: "NO_LONGER_NEEDED" }, "1"), 202);
  });

  it("stores the request in one read and one write, starts nothing, and answers 202 REQUESTED", async () => {
    const { orderId } = (await seed()).order;
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
    // One read, one conditional write; the table's stream starts the workflow, not the handler.
    expect(app.callNames()).toEqual(["table.get", "table.save"]);
    expect(app.world.workflow.executions.size).toBe(0);
    expectNothingSent();
    const stored = app.item(orderId);
    expect(stored?.version).toBe(2);
    expect(stored?.record.order.activeCancellationRequestId).toBe(requestId);
    expect(stored?.record.order.latestCancellationRequestId).toBe(requestId);
    expect(stored?.record.requests[requestId]?.status).toBe("REQUESTED");
  });

  it("replays the same key and body with the same answer: one read, no write, nothing started", async () => {
    const { orderId } = (await seed()).order;
    const key = uid("idem");
    const first = await post(orderId, { reason: "NO_LONGER_NEEDED" }, key);
    expectJson(first, 202);
    const item = app.item(orderId);
    app.calls.length = 0;
    // The header in any case, the same body with other spacing and charset.
    const again = await app.invoke("RequestCancellation", {
      caller: buyer(),
      params: { orderId },
      body: '{ "reason" : "NO_LONGER_NEEDED" }',
      headers: { "IDEMPOTENCY-KEY": key, "Content-Type": "application/json; charset=utf-8" },
    });
    expectJson(again, 202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(app.item(orderId)).toEqual(item);
    expect(app.callNames()).toEqual(["table.get"]);
    expect(app.world.workflow.executions.size).toBe(0);
  });

  it("replays with the request as it stands once the workflow has moved it on", async () => {
    // The hash the service stores: sha256 of the parsed body's canonical JSON.
    const requestHash = sha256Hex(canonicalJson({ reason: "NO_LONGER_NEEDED" }));
    const { orderId, request } = await orderWith((id) => requestOn(id, { requestHash }));
    const item = app.item(orderId);
    const response = await post(orderId, { reason: request.reason }, request.idempotencyKey);
    expectJson(response, 202);
    expect(response.body.requestId).toBe(request.requestId);
    expect(response.body.status).toBe("AWAITING_SELLER");
    expectUnchanged(orderId, item);
  });

  it("answers concurrent POSTs with one key with one request, whichever write wins", async () => {
    const { orderId } = (await seed()).order;
    const key = uid("idem");
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => post(orderId, { reason: "NO_LONGER_NEEDED" }, key)),
    );
    for (const response of responses) expectJson(response, 202);
    const ids = new Set(responses.map((response) => response.body.requestId));
    expect(ids.size).toBe(1);
    expect(Object.keys(app.item(orderId)?.record.requests ?? {})).toEqual([...ids]);
    // The race did happen: every POST tried its write, one of them was stored.
    expect(app.callNames("table").filter((call) => call === "table.save")).toHaveLength(4);
    expect(app.item(orderId)?.version).toBe(2);
    expect(app.callNames("workflow")).toEqual([]);
  });

  it("answers the same key with another body → 409 IDEMPOTENCY_KEY_MISMATCH, nothing changed", async () => {
    const { orderId } = (await seed()).order;
    const key = uid("idem");
    expectJson(await post(orderId, { reason: "NO_LONGER_NEEDED" }, key), 202);
    const item = app.item(orderId);
    app.calls.length = 0;
    const response = await post(orderId, { reason: "FOUND_BETTER_PRICE" }, key);
    expectProblem(response, 409, "IDEMPOTENCY_KEY_MISMATCH");
    expectUnchanged(orderId, item);
  });

  it.each([
    ["no Idempotency-Key", null, "headers.idempotency-key"],
    ["an Idempotency-Key of 256 characters", "k".repeat(256), "headers.idempotency-key"],
    ["an Idempotency-Key that is not printable ASCII", "キー", "headers.idempotency-key"],
  ])("refuses %s → 400, no port touched", async (_name, key, path) => {
    const { orderId } = (await seed()).order;
    const item = app.item(orderId);
    expectValidation(await post(orderId, { reason: "NO_LONGER_NEEDED" }, key), path);
    expect(app.item(orderId)).toEqual(item);
    expect(app.calls).toEqual([]);
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
  ])("refuses %s → 400, no port touched", async (_name, body, path) => {
    const { orderId } = (await seed()).order;
    const item = app.item(orderId);
    expectValidation(await post(orderId, body), path);
    expect(app.item(orderId)).toEqual(item);
    expect(app.calls).toEqual([]);
  });

  it("refuses bad JSON → 400, no port touched", async () => {
    const { orderId } = (await seed()).order;
    const item = app.item(orderId);
    const response = await app.invoke("RequestCancellation", {
      caller: buyer(),
      params: { orderId },
      body: "{reason: NO_LONGER_NEEDED}",
      headers: { "content-type": "application/json", "idempotency-key": uid("idem") },
    });
    expectValidation(response);
    expect(app.item(orderId)).toEqual(item);
    expect(app.calls).toEqual([]);
  });

  it("answers another buyer 404, even with a key the order's buyer used", async () => {
    const { orderId, request } = await orderWith((id) => requestOn(id));
    const item = app.item(orderId);
    for (const key of [request.idempotencyKey, uid("idem")]) {
      const response = await post(orderId, { reason: request.reason }, key, buyer("buyer-2"));
      const problem = expectProblem(response, 404, "NOT_FOUND");
      expect(response.raw).not.toContain(request.requestId);
      expect(problem.detail).toBe("no such order");
    }
    expectProblem(
      await post(uid("o-missing"), { reason: "OTHER", comment: "x" }),
      404,
      "NOT_FOUND",
    );
    expectUnchanged(orderId, item);
  });

  it("refuses a second request while one is in progress → 409 ACTIVE_REQUEST_EXISTS", async () => {
    const { orderId } = await orderWith((id) => requestOn(id));
    const item = app.item(orderId);
    expectProblem(
      await post(orderId, { reason: "NO_LONGER_NEEDED" }),
      409,
      "ACTIVE_REQUEST_EXISTS",
    );
    expectUnchanged(orderId, item);
  });

  it("refuses an order not yet shipped → 409 NOT_SHIPPED", async () => {
    const { orderId } = (await seed({ status: "PLACED", shipment: null })).order;
    const item = app.item(orderId);
    expectProblem(await post(orderId, { reason: "NO_LONGER_NEEDED" }), 409, "NOT_SHIPPED");
    expectUnchanged(orderId, item);
  });

  it("refuses a delivered order → 409 RETURN_REQUIRED", async () => {
    const { orderId } = (await seed({ status: "DELIVERED", deliveredAt: at(12) })).order;
    const item = app.item(orderId);
    expectProblem(await post(orderId, { reason: "NO_LONGER_NEEDED" }), 409, "RETURN_REQUIRED");
    expectUnchanged(orderId, item);
  });

  it("refuses once the policy's window after shipment has passed → 409 WINDOW_CLOSED", async () => {
    const { orderId } = (await seed()).order;
    const item = app.item(orderId);
    app.world.clock.set(at(DEFAULT_POLICY.cancellationWindowDays * 24 + 1));
    expectProblem(await post(orderId, { reason: "NO_LONGER_NEEDED" }), 409, "WINDOW_CLOSED");
    expectUnchanged(orderId, item);
  });

  it("accepts a base64-encoded body", async () => {
    const { orderId } = (await seed()).order;
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

  it("is for buyers only → 403 for its seller, no port touched", async () => {
    const { orderId } = (await seed()).order;
    expectProblem(
      await post(orderId, { reason: "NO_LONGER_NEEDED" }, uid("idem"), seller()),
      403,
      "FORBIDDEN",
    );
    expect(app.calls).toEqual([]);
  });
});

describe("GET /orders/{orderId}/cancellation-requests/{requestId}", () => {
  it("shows the request to its buyer, its seller and any operator, without server-side fields", async () => {
    const { orderId, requestId } = await orderWith((id) =>
      requestOn(id, { notices: { mail: { "0.SELLER_NEW_REQUEST": at(1) }, published: 1 } }),
    );
    app.wait(orderId, requestId, "secret-task-token");
    const item = app.item(orderId);
    for (const caller of [buyer(), seller(), operator()]) {
      const response = await app.invoke("GetCancellationRequest", {
        caller,
        params: { orderId, requestId },
      });
      expectJson(response, 200);
      expect(response.body).toMatchObject({ requestId, orderId, status: "AWAITING_SELLER" });
      expectPublicRequest(response.body);
      expect(response.raw).not.toContain("secret-task-token");
      expect(response.raw).not.toContain("SELLER_NEW_REQUEST");
    }
    // Reads only: three GETs, three reads, nothing written or woken.
    expect(app.callNames()).toEqual(["table.get", "table.get", "table.get"]);
    expect(app.item(orderId)).toEqual(item);
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
    expect(app.calls).toEqual([]);
  });
});

describe("POST .../withdrawal", () => {
  it("withdraws the buyer's request → 200 in one write, and wakes the seller's wait", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    app.wait(orderId, requestId, "token-seller-wait");
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
    expectOneWrite(["token-seller-wait"]);
    expect(app.world.workflow.woken).toEqual([{ token: "token-seller-wait", status: "WITHDRAWN" }]);
    expect(app.item(orderId)?.record.order.activeCancellationRequestId).toBeNull();
  });

  it("wakes nothing when no execution waits on the request", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    const response = await app.invoke("WithdrawCancellationRequest", {
      caller: buyer(),
      params: { orderId, requestId },
    });
    expectJson(response, 200);
    expectOneWrite([]);
  });

  it("leaves the buyer's and the seller's mail and the event due on the stored request", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    expectJson(
      await app.invoke("WithdrawCancellationRequest", {
        caller: buyer(),
        params: { orderId, requestId },
      }),
      200,
    );
    const request = storedRequest(orderId, requestId) as CancellationRequest;
    const withdrawn = request.timeline.length - 1;
    expect(dueMail(request).filter((mail) => mail.key.startsWith(`${withdrawn}.`))).toMatchObject([
      { template: "BUYER_WITHDRAWN", to: "BUYER", since: at(24) },
      { template: "SELLER_OUTCOME", to: "SELLER", since: at(24) },
    ]);
    expect(dueEvents(request).at(-1)).toMatchObject({
      detailType: "WITHDRAWN",
      detail: { status: "WITHDRAWN" },
    });
    expectNothingSent();
  });

  it("answers another buyer 404 and the seller 403, request unchanged", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    app.wait(orderId, requestId, "token-seller-wait");
    const item = app.item(orderId);
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
    expectUnchanged(orderId, item);
  });

  it("refuses once the marketplace approved → 409 INVALID_STATE, request unchanged", async () => {
    const { orderId, requestId } = await orderWith((id) =>
      requestOn(id, { status: "REFUND_PENDING", updatedAt: at(3) }),
    );
    app.wait(orderId, requestId, "token-refund");
    const item = app.item(orderId);
    const response = await app.invoke("WithdrawCancellationRequest", {
      caller: buyer(),
      params: { orderId, requestId },
    });
    expectProblem(response, 409, "INVALID_STATE");
    expectUnchanged(orderId, item);
  });

  it("refuses a body with fields → 400, no port touched", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    const item = app.item(orderId);
    const response = await app.invoke("WithdrawCancellationRequest", {
      caller: buyer(),
      params: { orderId, requestId },
      body: { reason: "changed my mind" },
    });
    expectValidation(response, "body.reason");
    expect(app.item(orderId)).toEqual(item);
    expect(app.calls).toEqual([]);
  });
});

describe("POST .../seller-decision", () => {
  const decide = (orderId: string, requestId: string, body: unknown, caller = seller()) =>
    app.invoke("SellerDecision", { caller, params: { orderId, requestId }, body });

  it("approves → 200 AWAITING_MARKETPLACE in one write, waking the seller's wait", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    app.wait(orderId, requestId, "token-for-seller");
    const response = await decide(orderId, requestId, { decision: "APPROVE" });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      requestId,
      status: "AWAITING_MARKETPLACE",
      marketplaceDeadline: at(24 + 72),
    });
    expectPublicRequest(response.body);
    expect(response.raw).not.toContain("token-for-seller");
    expectOneWrite(["token-for-seller"]);
    expect(app.world.workflow.woken).toEqual([
      { token: "token-for-seller", status: "AWAITING_MARKETPLACE" },
    ]);
    // The wait is the workflow's to end (its next step's write removes it): the API leaves it.
    expect(app.item(orderId)?.waits[requestId]).toEqual({
      token: "token-for-seller",
      status: "AWAITING_SELLER",
    });
  });

  it("rejects with a reason → 200 REJECTED; the buyer's and seller's mail is due, none sent", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    app.wait(orderId, requestId, "token-for-seller");
    const response = await decide(orderId, requestId, {
      decision: "REJECT",
      reason: "already handed to the carrier",
    });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      status: "REJECTED",
      rejection: { by: "SELLER", reason: "already handed to the carrier", at: at(24) },
    });
    expectOneWrite(["token-for-seller"]);
    const request = storedRequest(orderId, requestId) as CancellationRequest;
    const rejected = request.timeline.length - 1;
    expect(request.timeline[rejected]?.type).toBe("SELLER_REJECTED");
    expect(dueMail(request).filter((mail) => mail.key.startsWith(`${rejected}.`))).toMatchObject([
      { template: "BUYER_REJECTED", to: "BUYER", since: at(24) },
      { template: "SELLER_OUTCOME", to: "SELLER", since: at(24) },
    ]);
    expect(dueEvents(request).at(-1)).toMatchObject({
      detailType: "SELLER_REJECTED",
      detail: { status: "REJECTED" },
    });
  });

  it("answers a decision sent again after its answer was lost as that success, without a write", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    expectJson(await decide(orderId, requestId, { decision: "APPROVE" }), 200);
    const item = app.item(orderId);
    app.calls.length = 0;
    const again = await decide(orderId, requestId, { decision: "APPROVE" });
    expectJson(again, 200);
    expect(again.body.status).toBe("AWAITING_MARKETPLACE");
    expectUnchanged(orderId, item);
  });

  it("refuses a rejection without a reason and unknown fields → 400, no port touched", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    const item = app.item(orderId);
    expectValidation(await decide(orderId, requestId, { decision: "REJECT" }), "body.reason");
    expectValidation(await decide(orderId, requestId, { decision: "MAYBE" }), "body.decision");
    expectValidation(
      await decide(orderId, requestId, { decision: "APPROVE", refund: 0 }),
      "body.refund",
    );
    expect(app.item(orderId)).toEqual(item);
    expect(app.calls).toEqual([]);
  });

  it("answers another seller 404 and the buyer 403, request unchanged", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    app.wait(orderId, requestId, "token-for-seller");
    const item = app.item(orderId);
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
    expectUnchanged(orderId, item);
  });

  it("refuses a request that is not waiting for the seller → 409 INVALID_STATE", async () => {
    const { orderId, requestId } = await orderWith((id) => awaitingOperator(id));
    app.wait(orderId, requestId, "token-review");
    const item = app.item(orderId);
    expectProblem(await decide(orderId, requestId, { decision: "APPROVE" }), 409, "INVALID_STATE");
    expectUnchanged(orderId, item);
  });
});

describe("POST .../marketplace-decision", () => {
  const decide = (orderId: string, requestId: string, body: unknown, caller = operator()) =>
    app.invoke("MarketplaceDecision", { caller, params: { orderId, requestId }, body });

  it("approves → 200 REFUND_PENDING with the refund in one write, waking the review's wait", async () => {
    const { orderId, requestId } = await orderWith((id) => awaitingOperator(id));
    app.wait(orderId, requestId, "token-review");
    const response = await decide(orderId, requestId, { decision: "APPROVE" });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      status: "REFUND_PENDING",
      refund: { amount: 5480, currency: "JPY", method: "CARD", status: "PENDING" },
    });
    expectOneWrite(["token-review"]);
    expect(app.world.workflow.woken).toEqual([{ token: "token-review", status: "REFUND_PENDING" }]);
    // The refund is the workflow's to make.
    expect(app.callNames("payments")).toEqual([]);
    expect(app.world.payments.made.size).toBe(0);
  });

  it("rejects with a reason → 200 REJECTED by the marketplace", async () => {
    const { orderId, requestId } = await orderWith((id) => awaitingOperator(id));
    app.wait(orderId, requestId, "token-review");
    const response = await decide(orderId, requestId, { decision: "REJECT", reason: "fraud" });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      status: "REJECTED",
      rejection: { by: "MARKETPLACE", reason: "fraud" },
    });
    expectOneWrite(["token-review"]);
    expect(app.world.workflow.woken).toEqual([{ token: "token-review", status: "REJECTED" }]);
  });

  it("refuses a request still with the seller → 409 INVALID_STATE, unchanged", async () => {
    const { orderId, requestId } = await orderWith((id) => requestOn(id));
    app.wait(orderId, requestId, "token-for-seller");
    const item = app.item(orderId);
    expectProblem(await decide(orderId, requestId, { decision: "APPROVE" }), 409, "INVALID_STATE");
    expectUnchanged(orderId, item);
  });

  it("answers unknown ids 404, non-operators 403 and an empty reason 400, unchanged", async () => {
    const { orderId, requestId } = await orderWith((id) => awaitingOperator(id));
    const item = app.item(orderId);
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
    expectUnchanged(orderId, item);
  });
});

describe("POST .../refund-retry", () => {
  const retry = (
    orderId: string,
    requestId: string,
    body: unknown = {},
    caller = operator("op-7"),
  ) => app.invoke("RetryRefund", { caller, params: { orderId, requestId }, body });

  it("retries a failed refund → 202 REFUND_PENDING in one write, waking the refund's wait", async () => {
    const { orderId, requestId } = await orderWith((id) => refundFailed(id));
    app.wait(orderId, requestId, "token-refund-wait");
    const response = await retry(orderId, requestId);
    expectJson(response, 202);
    expect(response.body).toMatchObject({
      status: "REFUND_PENDING",
      refund: { status: "PENDING", refundId: `rf-${requestId}` },
    });
    expect((response.body.timeline as unknown[]).at(-1)).toEqual({
      at: at(24),
      type: "REFUND_RETRIED",
      actor: "op-7",
    });
    // The provider is asked whether the failed key was paid after all; the workflow pays.
    expect(app.callNames()).toEqual([
      "table.get",
      "payments.lookup",
      "table.save",
      "workflow.wake",
    ]);
    expect(app.world.workflow.woken).toEqual([
      { token: "token-refund-wait", status: "REFUND_PENDING" },
    ]);
    expect(app.world.payments.made.size).toBe(0);
    expectNothingSent();
  });

  it("refunds as gift balance on request, under a new key → 202", async () => {
    const { orderId, requestId } = await orderWith((id) => refundFailed(id));
    const response = await retry(orderId, requestId, { method: "GIFT_CARD" });
    expectJson(response, 202);
    expect(response.body).toMatchObject({
      status: "REFUND_PENDING",
      refund: { status: "PENDING", method: "GIFT_CARD", refundId: `rf-${requestId}-2` },
    });
    expect((response.body.timeline as { note?: string }[]).at(-1)?.note).toBe("GIFT_CARD");
    expect(app.callNames("payments")).toEqual(["payments.lookup"]);
    expect(app.world.payments.made.size).toBe(0);
  });

  it("records a refund the provider made after all instead of making another → 202", async () => {
    const { orderId, requestId } = await orderWith((id) => refundFailed(id));
    app.wait(orderId, requestId, "token-refund-wait");
    await app.world.payments.refund({
      refundId: `rf-${requestId}`,
      orderId,
      requestId,
      amount: 5480,
      currency: "JPY",
      method: "CARD",
      provider: "ledger",
      paymentReference: null,
    });
    const response = await retry(orderId, requestId, { method: "GIFT_CARD" });
    expectJson(response, 202);
    expect(response.body).toMatchObject({
      status: "REFUND_PENDING",
      refund: { status: "SUCCEEDED", method: "CARD", refundId: `rf-${requestId}` },
    });
    expect(app.world.payments.made.size).toBe(1);
    expect(app.callNames("payments")).toEqual(["payments.lookup"]);
    expectOneWrite(["token-refund-wait"]);
    // The buyer's "refund completed" mail is due on the stored request, for the workflow to send.
    const request = storedRequest(orderId, requestId) as CancellationRequest;
    const succeeded = request.timeline.findLastIndex((entry) => entry.type === "REFUND_SUCCEEDED");
    expect(dueMail(request).filter((mail) => mail.key.startsWith(`${succeeded}.`))).toMatchObject([
      { template: "BUYER_REFUND_COMPLETED", to: "BUYER" },
    ]);
  });

  it("answers a retry sent again after its answer was lost as that success → 202, no write", async () => {
    const { orderId, requestId } = await orderWith((id) => refundFailed(id));
    expectJson(await retry(orderId, requestId), 202);
    const before = app.item(orderId);
    app.calls.length = 0;
    const again = await retry(orderId, requestId);
    expectJson(again, 202);
    expect(again.body.status).toBe("REFUND_PENDING");
    expectUnchanged(orderId, before);
  });

  it("refuses another method than gift balance → 400, no port touched", async () => {
    const { orderId, requestId } = await orderWith((id) => refundFailed(id));
    expectValidation(await retry(orderId, requestId, { method: "CARD" }), "body.method");
    expect(app.calls).toEqual([]);
  });

  it("refuses a request whose refund has not failed → 409 INVALID_STATE; sellers 403", async () => {
    const { orderId, requestId } = await orderWith((id) => awaitingOperator(id));
    app.wait(orderId, requestId, "token-review");
    const item = app.item(orderId);
    expectProblem(await retry(orderId, requestId, undefined, operator()), 409, "INVALID_STATE");
    expectProblem(await retry(orderId, requestId, undefined, seller()), 403, "FORBIDDEN");
    expectUnchanged(orderId, item);
  });
});
