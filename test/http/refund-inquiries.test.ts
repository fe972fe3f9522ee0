// The refund inquiry routes over the in-memory ports: after a completed request's promised date its
// buyer says the money has not arrived (202), operators list the open inquiries with the refund's
// provider, ids and reference, and close one with a note (200). Each change is one write that
// wakes nothing and sends nothing: the operators' mail is left due on the request.
import { beforeEach, describe, expect, it } from "vitest";
import { dueMail } from "../../functions/domain/notices.ts";
import type { CancellationRequest, Refund } from "../../functions/domain/types.ts";
import {
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  type TestApp,
} from "../support/http-app.ts";
import { buyer, operator, seller } from "../support/http-events.ts";
import { requestOn, seedOrder } from "../support/http-fixtures.ts";
import { at } from "../support/records.ts";

let app: TestApp;
beforeEach(() => {
  app = createTestApp();
});

/** The end of a JPY refund promised by 2026-11-25: 2026-11-25 24:00 in Tokyo. */
const PROMISE_ENDS = "2026-11-25T15:00:00.000Z";
const AFTER = "2026-11-26T01:00:00.000Z";

const stripeRefund = (overrides: Partial<Refund> = {}): Refund => ({
  amount: 5480,
  currency: "JPY",
  method: "CARD",
  status: "SUCCEEDED",
  refundId: "rf-x",
  expectedBy: { earliest: "2026-11-20", latest: "2026-11-25" },
  instructedAt: at(3),
  succeededAt: at(3),
  attempts: 1,
  provider: "stripe",
  providerStatus: "succeeded",
  providerRefundId: "re_1QInquiry",
  reference: "7424915112309",
  ...overrides,
});

/** An order with one completed request whose refund is as given; the ids. */
const completedOrder = async (
  refund: Partial<Refund> = {},
  request: Partial<CancellationRequest> = {},
) => {
  const record = await seedOrder(app.world.table, { status: "CANCELLED" }, (orderId) => [
    requestOn(orderId, {
      status: "COMPLETED",
      marketplaceReview: "POLICY",
      updatedAt: at(3),
      refund: stripeRefund(refund),
      ...request,
    }),
  ]);
  const [stored] = Object.values(record.requests) as [CancellationRequest];
  return { orderId: record.order.orderId, requestId: stored.requestId };
};

const inquire = (orderId: string, requestId: string, body?: unknown, caller = buyer("buyer-1")) =>
  app.invoke("OpenRefundInquiry", {
    caller,
    params: { orderId, requestId },
    ...(body === undefined ? {} : { body }),
  });

const close = (orderId: string, requestId: string, body: unknown, caller = operator("op-7")) =>
  app.invoke("CloseRefundInquiry", { caller, params: { orderId, requestId }, body });

const list = (query: Record<string, string> = {}, caller = operator("op-7")) =>
  app.invoke("ListRefundInquiries", { caller, query });

/** A refused change: the item as before, no write tried. */
const expectUnchanged = (orderId: string, before: ReturnType<TestApp["item"]>) => {
  expect(app.item(orderId)).toEqual(before);
  expect(app.callNames("table").filter((call) => call !== "table.get")).toEqual([]);
};

describe("POST .../refund-inquiry", () => {
  it("opens the inquiry after the promised date → 202 with the request, in one write, waking and sending nothing", async () => {
    const { orderId, requestId } = await completedOrder();
    app.world.clock.set(PROMISE_ENDS);
    const response = await inquire(orderId, requestId, { comment: "カードの明細に載っていません" });
    expectJson(response, 202);
    expect(response.body).toMatchObject({
      requestId,
      status: "COMPLETED",
      refundInquiry: {
        openedAt: PROMISE_ENDS,
        comment: "カードの明細に載っていません",
        closedAt: null,
        closedBy: null,
        note: null,
      },
    });
    expect((response.body.timeline as unknown[]).at(-1)).toEqual({
      at: PROMISE_ENDS,
      type: "REFUND_INQUIRY_OPENED",
      actor: "buyer-1",
      note: "カードの明細に載っていません",
    });
    expect(app.callNames()).toEqual(["table.get", "table.save"]);
    expect(app.world.mailer.sent).toEqual([]);
    // Operators' case is due on the request, for its execution to send.
    const request = app.item(orderId)?.record.requests[requestId];
    expect(request && dueMail(request).map((mail) => mail.template)).toEqual([
      "OPERATOR_REFUND_INQUIRY",
    ]);
  });

  it("takes no body at all, and a blank comment as none", async () => {
    const first = await completedOrder();
    app.world.clock.set(AFTER);
    const bare = await inquire(first.orderId, first.requestId);
    expectJson(bare, 202);
    expect(bare.body).toMatchObject({ refundInquiry: { comment: null } });
    const second = await completedOrder();
    const blank = await inquire(second.orderId, second.requestId, { comment: "   " });
    expectJson(blank, 202);
    expect(blank.body).toMatchObject({ refundInquiry: { comment: null } });
  });

  it("answers 409 INVALID_STATE before the end of the promised date in the order's zone", async () => {
    const { orderId, requestId } = await completedOrder();
    // 23:59:59.999 on 2026-11-25 in Tokyo.
    app.world.clock.set(new Date(Date.parse(PROMISE_ENDS) - 1).toISOString());
    const before = app.item(orderId);
    expectProblem(await inquire(orderId, requestId, {}), 409, "INVALID_STATE");
    expectUnchanged(orderId, before);
  });

  it("answers 409 INVALID_STATE before completion, and for a request that refunds nothing", async () => {
    const pending = await completedOrder({ status: "PENDING" }, { status: "REFUND_PENDING" });
    const nothing = await completedOrder({
      status: "NOT_REQUIRED",
      method: "CASH_ON_DELIVERY",
      expectedBy: null,
      provider: "ledger",
    });
    app.world.clock.set(AFTER);
    expectProblem(await inquire(pending.orderId, pending.requestId, {}), 409, "INVALID_STATE");
    expectProblem(await inquire(nothing.orderId, nothing.requestId, {}), 409, "INVALID_STATE");
  });

  it("answers a repeat with the same comment as the first time (no write); another → 409", async () => {
    const { orderId, requestId } = await completedOrder();
    app.world.clock.set(AFTER);
    expectJson(await inquire(orderId, requestId, { comment: "まだです" }), 202);
    const after = app.item(orderId);
    app.calls.length = 0;
    const again = await inquire(orderId, requestId, { comment: "まだです" });
    expectJson(again, 202);
    expect(again.body).toMatchObject({ refundInquiry: { comment: "まだです", closedAt: null } });
    expectUnchanged(orderId, after);
    expectProblem(await inquire(orderId, requestId, { comment: "other" }), 409, "INVALID_STATE");
    expectUnchanged(orderId, after);
  });

  it("is the order's buyer's: another buyer gets 404, a seller or operator 403", async () => {
    const { orderId, requestId } = await completedOrder();
    app.world.clock.set(AFTER);
    const before = app.item(orderId);
    expectProblem(await inquire(orderId, requestId, {}, buyer("buyer-2")), 404, "NOT_FOUND");
    expectProblem(await inquire(orderId, requestId, {}, seller("seller-1")), 403, "FORBIDDEN");
    expectProblem(await inquire(orderId, requestId, {}, operator("op-7")), 403, "FORBIDDEN");
    expectProblem(await inquire(orderId, "r-none", {}), 404, "NOT_FOUND");
    expect(app.item(orderId)).toEqual(before);
  });

  it("refuses unknown fields and an overlong comment → 400, nothing stored", async () => {
    const { orderId, requestId } = await completedOrder();
    app.world.clock.set(AFTER);
    const before = app.item(orderId);
    expectValidation(await inquire(orderId, requestId, { reason: "x" }), "body.reason");
    expectValidation(
      await inquire(orderId, requestId, { comment: "あ".repeat(1001) }),
      "body.comment",
    );
    expectUnchanged(orderId, before);
  });
});

describe("GET /operator/refund-inquiries", () => {
  it("lists the open inquiries, the longest waiting first, with the provider, ids and reference", async () => {
    const first = await completedOrder();
    const second = await completedOrder({
      provider: "ledger",
      method: "GIFT_CARD",
      providerRefundId: "ledger-1",
      reference: null,
      late: true,
    });
    const untouched = await completedOrder();
    app.world.clock.set(AFTER);
    await inquire(second.orderId, second.requestId, { comment: "not yet" });
    app.world.clock.advance(60);
    await inquire(first.orderId, first.requestId, {});
    const response = await list();
    expectJson(response, 200);
    expect(response.body).toEqual({
      items: [
        {
          orderId: second.orderId,
          requestId: second.requestId,
          openedAt: AFTER,
          comment: "not yet",
          provider: "ledger",
          method: "GIFT_CARD",
          status: "SUCCEEDED",
          refundId: "rf-x",
          providerRefundId: "ledger-1",
          reference: null,
          amount: 5480,
          currency: "JPY",
          expectedBy: { earliest: "2026-11-20", latest: "2026-11-25" },
          late: true,
        },
        expect.objectContaining({
          orderId: first.orderId,
          requestId: first.requestId,
          provider: "stripe",
          providerRefundId: "re_1QInquiry",
          reference: "7424915112309",
          comment: null,
          late: false,
        }),
      ],
      nextCursor: null,
    });
    expect(JSON.stringify(response.body)).not.toContain(untouched.orderId);
  });

  it("pages with ?limit= and the cursor, and drops an inquiry once closed", async () => {
    const a = await completedOrder();
    const b = await completedOrder();
    app.world.clock.set(AFTER);
    await inquire(a.orderId, a.requestId, {});
    app.world.clock.advance(1);
    await inquire(b.orderId, b.requestId, {});
    const page1 = await list({ limit: "1" });
    expect(page1.body.items?.map((item) => item.orderId)).toEqual([a.orderId]);
    expect(typeof page1.body.nextCursor).toBe("string");
    const page2 = await list({ limit: "1", cursor: page1.body.nextCursor as string });
    expect(page2.body.items?.map((item) => item.orderId)).toEqual([b.orderId]);
    await close(a.orderId, a.requestId, { note: "traced" });
    expect((await list()).body.items?.map((item) => item.orderId)).toEqual([b.orderId]);
  });

  it("is for operators: a buyer or seller gets 403", async () => {
    expectProblem(await list({}, buyer("buyer-1")), 403, "FORBIDDEN");
    expectProblem(await list({}, seller("seller-1")), 403, "FORBIDDEN");
    expectValidation(await list({ limit: "0" }), "query.limit");
  });
});

describe("POST .../refund-inquiry/close", () => {
  it("closes the open inquiry with the operator's note, which joins the timeline → 200", async () => {
    const { orderId, requestId } = await completedOrder();
    app.world.clock.set(AFTER);
    await inquire(orderId, requestId, { comment: "まだです" });
    app.world.clock.advance(3600);
    app.calls.length = 0;
    const note = "Stripe shows it succeeded; gave the buyer the reference for the card issuer";
    const response = await close(orderId, requestId, { note });
    expectJson(response, 200);
    const closedAt = app.world.clock.now();
    expect(response.body).toMatchObject({
      status: "COMPLETED",
      refundInquiry: { comment: "まだです", closedAt, closedBy: "op-7", note },
    });
    expect((response.body.timeline as unknown[]).at(-1)).toEqual({
      at: closedAt,
      type: "REFUND_INQUIRY_CLOSED",
      actor: "op-7",
      note,
    });
    expect(app.callNames()).toEqual(["table.get", "table.save"]);
    expect(app.world.mailer.sent).toEqual([]);
    // The same close again (its answer lost) answers the same, without a write.
    app.calls.length = 0;
    const again = await close(orderId, requestId, { note });
    expectJson(again, 200);
    expect(app.callNames("table")).toEqual(["table.get"]);
  });

  it("answers 409 INVALID_STATE when no inquiry is open, or it was closed with another note", async () => {
    const { orderId, requestId } = await completedOrder();
    app.world.clock.set(AFTER);
    expectProblem(await close(orderId, requestId, { note: "nothing" }), 409, "INVALID_STATE");
    await inquire(orderId, requestId, {});
    expectJson(await close(orderId, requestId, { note: "done" }), 200);
    const after = app.item(orderId);
    expectProblem(await close(orderId, requestId, { note: "again" }), 409, "INVALID_STATE");
    expect(app.item(orderId)).toEqual(after);
  });

  it("needs a note, and an operator", async () => {
    const { orderId, requestId } = await completedOrder();
    app.world.clock.set(AFTER);
    await inquire(orderId, requestId, {});
    const before = app.item(orderId);
    expectValidation(await close(orderId, requestId, {}), "body.note");
    expectValidation(await close(orderId, requestId, { note: "  " }), "body.note");
    expectProblem(
      await close(orderId, requestId, { note: "x" }, buyer("buyer-1")),
      403,
      "FORBIDDEN",
    );
    expectProblem(
      await close(orderId, requestId, { note: "x" }, seller("seller-1")),
      403,
      "FORBIDDEN",
    );
    expect(app.item(orderId)).toEqual(before);
  });
});
