// Line-level cancellation over the in-memory ports: `lines` on the cancellation POST (the body's
// checks before any port, the order's checks once it is read) and the refund preview, which reads
// the order once and writes nothing. End to end in local mode: test/e2e/lines*.test.ts.
import { beforeEach, describe, expect, it } from "vitest";
import type { CancellationRequest, Order } from "../../functions/domain/types.ts";
import { canonicalJson, sha256Hex } from "../../functions/http/canonical.ts";
import {
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  type TestApp,
} from "../support/http-app.ts";
import { buyer, operator, seller } from "../support/http-events.ts";
import { requestOn, seedOrder, uid } from "../support/http-fixtures.ts";
import { at } from "../support/records.ts";

let app: TestApp;
beforeEach(() => {
  app = createTestApp();
});

/** SPEC's worked example: 3,000 × 1 and 1,000 × 2, ¥500 shipping, paid ¥4,500 (a ¥500 coupon). */
const COUPON: Partial<Order> = {
  lines: [
    {
      lineId: "l1",
      sku: "POT-1",
      title: "土鍋",
      quantity: 1,
      unitPrice: 3000,
      cancelledQuantity: 0,
    },
    {
      lineId: "l2",
      sku: "CUP-1",
      title: "湯呑み",
      quantity: 2,
      unitPrice: 1000,
      cancelledQuantity: 0,
    },
  ],
  shippingFee: 500,
  payment: { method: "CARD", paidAmount: 4500 },
};

const seed = (overrides?: Partial<Order>, requests?: (orderId: string) => CancellationRequest[]) =>
  seedOrder(app.world.table, { ...COUPON, ...overrides }, requests);

const post = (orderId: string, body: unknown, key = uid("idem"), caller = buyer()) =>
  app.invoke("RequestCancellation", {
    caller,
    params: { orderId },
    body,
    headers: { "Idempotency-Key": key },
  });

const preview = (orderId: string, body: unknown, caller = buyer()) =>
  app.invoke("PreviewCancellation", { caller, params: { orderId }, body });

/** Nothing was written, woken or sent, and the item is as it was. */
const expectNothingChanged = (orderId: string, before: ReturnType<TestApp["item"]>) => {
  expect(app.item(orderId)).toEqual(before);
  expect(app.callNames().filter((call) => call !== "table.get")).toEqual([]);
};

/** The order after one cup was cancelled by a completed request (¥800 refunded). */
const oneCupCancelled = (orderId: string): CancellationRequest =>
  requestOn(orderId, {
    status: "COMPLETED",
    updatedAt: at(5),
    lines: [{ lineId: "l2", quantity: 1, amount: 800 }],
    itemsAmount: 800,
    shippingAmount: 0,
    marketplaceReview: "POLICY",
    refund: {
      amount: 800,
      currency: "JPY",
      method: "CARD",
      status: "SUCCEEDED",
      refundId: `rf-${orderId}`,
      expectedBy: { earliest: "2026-11-25", latest: "2026-12-04" },
      instructedAt: at(4),
      succeededAt: at(4),
      attempts: 1,
    },
  });

const partlyCancelled = () =>
  seed(
    {
      lines: COUPON.lines?.map((line) => ({
        ...line,
        cancelledQuantity: line.lineId === "l2" ? 1 : 0,
      })),
      refundedAmount: 800,
    },
    (orderId) => [oneCupCancelled(orderId)],
  );

describe("lines on POST /orders/{orderId}/cancellation-requests", () => {
  it("stores the request for the units named, with their amounts, in one read and one write", async () => {
    const { orderId } = (await seed()).order;
    const body = { reason: "NO_LONGER_NEEDED", lines: [{ lineId: "l2", quantity: 1 }] };
    const response = await post(orderId, body);
    expectJson(response, 202);
    expect(response.body).toMatchObject({
      status: "REQUESTED",
      lines: [{ lineId: "l2", quantity: 1, amount: 800 }],
      itemsAmount: 800,
      shippingAmount: 0,
      refund: null,
    });
    expect(app.callNames()).toEqual(["table.get", "table.save"]);
    const stored = app.item(orderId)?.record;
    const request = stored?.requests[response.body.requestId as string];
    // The idempotency hash covers the lines too.
    expect(request?.requestHash).toBe(sha256Hex(canonicalJson(body)));
    // Nothing counts as cancelled until the request completes.
    expect(stored?.order.lines.map((line) => line.cancelledQuantity)).toEqual([0, 0]);
    expect(stored?.order.refundedAmount).toBe(0);
  });

  it.each([
    ["an empty list", [], "body.lines"],
    ["a line without quantity", [{ lineId: "l1" }], "body.lines.0.quantity"],
    ["a quantity of 0", [{ lineId: "l1", quantity: 0 }], "body.lines.0.quantity"],
    ["a fractional quantity", [{ lineId: "l1", quantity: 1.5 }], "body.lines.0.quantity"],
    ["a quantity as text", [{ lineId: "l1", quantity: "1" }], "body.lines.0.quantity"],
    ["an unknown field on a line", [{ lineId: "l1", quantity: 1, price: 1 }], "body.lines.0.price"],
    ["a line id that is no id", [{ lineId: "l 1", quantity: 1 }], "body.lines.0.lineId"],
    ["lines that are no list", { lineId: "l1", quantity: 1 }, "body.lines"],
  ])(
    "refuses %s → 400 on its path, no port touched (POST and preview)",
    async (_name, lines, path) => {
      const { orderId } = (await seed()).order;
      const item = app.item(orderId);
      expectValidation(await post(orderId, { reason: "NO_LONGER_NEEDED", lines }), path);
      expectValidation(await preview(orderId, { lines }), path);
      expect(app.item(orderId)).toEqual(item);
      expect(app.calls).toEqual([]);
    },
  );

  it.each([
    ["a line the order does not have", [{ lineId: "l9", quantity: 1 }], "body.lines.0.lineId"],
    [
      "a line twice",
      [
        { lineId: "l1", quantity: 1 },
        { lineId: "l1", quantity: 1 },
      ],
      "body.lines.1.lineId",
    ],
    ["more units than the line has", [{ lineId: "l2", quantity: 3 }], "body.lines.0.quantity"],
  ])(
    "refuses %s → 400 on its path once the order is read, nothing written (POST and preview)",
    async (_name, lines, path) => {
      const { orderId } = (await seed()).order;
      const item = app.item(orderId);
      expectValidation(await post(orderId, { reason: "NO_LONGER_NEEDED", lines }), path);
      expectValidation(await preview(orderId, { lines }), path);
      expectNothingChanged(orderId, item);
    },
  );

  it("counts what completed requests cancelled: only what is left may be asked for", async () => {
    const { orderId } = (await partlyCancelled()).order;
    const item = app.item(orderId);
    const twoCups = { reason: "NO_LONGER_NEEDED", lines: [{ lineId: "l2", quantity: 2 }] };
    expectValidation(await post(orderId, twoCups), "body.lines.0.quantity");
    expectValidation(await preview(orderId, twoCups), "body.lines.0.quantity");
    expectNothingChanged(orderId, item);
    // Without lines: every unit left, the last taking the remainder and the shipping.
    const response = await post(orderId, { reason: "NO_LONGER_NEEDED" });
    expectJson(response, 202);
    expect(response.body).toMatchObject({
      lines: [
        { lineId: "l1", quantity: 1, amount: 2400 },
        { lineId: "l2", quantity: 1, amount: 800 },
      ],
      itemsAmount: 3200,
      shippingAmount: 500,
    });
  });

  it("refuses lines on a cash-on-delivery order → 409 PARTIAL_NOT_SUPPORTED", async () => {
    const { orderId } = (await seed({ payment: { method: "CASH_ON_DELIVERY", paidAmount: 4500 } }))
      .order;
    const item = app.item(orderId);
    const lines = [{ lineId: "l1", quantity: 1 }];
    expectProblem(
      await post(orderId, { reason: "NO_LONGER_NEEDED", lines }),
      409,
      "PARTIAL_NOT_SUPPORTED",
    );
    expectProblem(await preview(orderId, { lines }), 409, "PARTIAL_NOT_SUPPORTED");
    expectNothingChanged(orderId, item);
  });

  it("refuses an order with every unit cancelled → 409 NOTHING_TO_CANCEL", async () => {
    const { orderId } = (
      await seed(
        {
          status: "CANCELLED",
          lines: COUPON.lines?.map((line) => ({ ...line, cancelledQuantity: line.quantity })),
          refundedAmount: 4500,
        },
        (id) => [requestOn(id, { status: "COMPLETED", updatedAt: at(5) })],
      )
    ).order;
    const item = app.item(orderId);
    for (const lines of [undefined, [{ lineId: "l1", quantity: 1 }]]) {
      expectProblem(
        await post(orderId, { reason: "NO_LONGER_NEEDED", ...(lines && { lines }) }),
        409,
        "NOTHING_TO_CANCEL",
      );
      expectProblem(await preview(orderId, lines ? { lines } : {}), 409, "NOTHING_TO_CANCEL");
    }
    expectNothingChanged(orderId, item);
  });

  it("replays a key only with the same lines; other lines → 409 IDEMPOTENCY_KEY_MISMATCH", async () => {
    const { orderId } = (await seed()).order;
    const key = uid("idem");
    const body = { reason: "NO_LONGER_NEEDED", lines: [{ lineId: "l2", quantity: 1 }] };
    const first = await post(orderId, body, key);
    expectJson(first, 202);
    const item = app.item(orderId);
    app.calls.length = 0;
    const again = await post(orderId, body, key);
    expectJson(again, 202);
    expect(again.body).toEqual(first.body);
    for (const lines of [
      [{ lineId: "l2", quantity: 2 }],
      [{ lineId: "l1", quantity: 1 }],
      undefined,
    ]) {
      const other = { reason: "NO_LONGER_NEEDED", ...(lines && { lines }) };
      expectProblem(await post(orderId, other, key), 409, "IDEMPOTENCY_KEY_MISMATCH");
    }
    expectNothingChanged(orderId, item);
  });
});

describe("POST /orders/{orderId}/cancellation-requests/preview", () => {
  it("answers what the request would refund in one read, and writes nothing", async () => {
    const { orderId } = (await seed()).order;
    const item = app.item(orderId);
    const response = await preview(orderId, { lines: [{ lineId: "l2", quantity: 1 }] });
    expectJson(response, 200);
    expect(response.body).toEqual({
      lines: [{ lineId: "l2", quantity: 1, amount: 800 }],
      itemsAmount: 800,
      shippingAmount: 0,
      amount: 800,
      currency: "JPY",
      method: "CARD",
      expectedBy: { earliest: expect.any(String), latest: expect.any(String) },
      approval: "POLICY",
    });
    expect(app.callNames()).toEqual(["table.get"]);
    expect(app.item(orderId)).toEqual(item);
  });

  it("equals the request made right after with the same body", async () => {
    const { orderId } = (await partlyCancelled()).order;
    for (const body of [
      { reason: "NO_LONGER_NEEDED" as const },
      { reason: "OTHER" as const, comment: "x", lines: [{ lineId: "l1", quantity: 1 }] },
    ]) {
      const previewed = await preview(orderId, body);
      expectJson(previewed, 200);
      const made = await post(orderId, body);
      expectJson(made, 202);
      const { lines, itemsAmount, shippingAmount, amount } = previewed.body;
      expect({ lines, itemsAmount, shippingAmount }).toEqual({
        lines: made.body.lines,
        itemsAmount: made.body.itemsAmount,
        shippingAmount: made.body.shippingAmount,
      });
      expect(amount).toBe((itemsAmount as number) + (shippingAmount as number));
      // Withdrawn, so that the next body may be asked for.
      const withdrawn = await app.invoke("WithdrawCancellationRequest", {
        caller: buyer(),
        params: { orderId, requestId: made.body.requestId as string },
      });
      expectJson(withdrawn, 200);
    }
  });

  it("counts the order's completed refunds in its approval", async () => {
    // ¥20,000 already refunded; the rest is ¥20,500: more than the ¥30,000 the policy approves.
    const lines = [
      { lineId: "l1", sku: "A", title: "A", quantity: 1, unitPrice: 20000, cancelledQuantity: 1 },
      { lineId: "l2", sku: "B", title: "B", quantity: 1, unitPrice: 20000, cancelledQuantity: 0 },
    ];
    const { orderId } = (
      await seed(
        { lines, payment: { method: "CARD", paidAmount: 40500 }, refundedAmount: 20000 },
        (id) => [
          requestOn(id, {
            status: "COMPLETED",
            updatedAt: at(5),
            lines: [{ lineId: "l1", quantity: 1, amount: 20000 }],
            itemsAmount: 20000,
            shippingAmount: 0,
          }),
        ],
      )
    ).order;
    const response = await preview(orderId, {});
    expectJson(response, 200);
    expect(response.body).toMatchObject({ amount: 20500, approval: "OPERATOR" });
  });

  it("needs no reason, but checks a comment for OTHER as the request would", async () => {
    const { orderId } = (await seed()).order;
    expectJson(await preview(orderId, {}), 200);
    expectValidation(await preview(orderId, { reason: "OTHER" }), "body.comment");
    expectValidation(await preview(orderId, { reason: "BORED" }), "body.reason");
  });

  it("refuses what the request would: an order with a request in progress → 409", async () => {
    const { orderId } = (await seed({}, (id) => [requestOn(id)])).order;
    expectProblem(await preview(orderId, {}), 409, "ACTIVE_REQUEST_EXISTS");
    const placed = (await seed({ status: "PLACED", shipment: null })).order;
    expectProblem(await preview(placed.orderId, {}), 409, "NOT_SHIPPED");
    const delivered = (await seed({ status: "DELIVERED", deliveredAt: at(12) })).order;
    expectProblem(await preview(delivered.orderId, {}), 409, "RETURN_REQUIRED");
  });

  it("is its buyer's alone: 403 for sellers and operators (no port touched), 404 for another buyer", async () => {
    const { orderId } = (await seed()).order;
    const item = app.item(orderId);
    for (const caller of [seller(), operator()]) {
      expectProblem(await preview(orderId, {}, caller), 403, "FORBIDDEN");
    }
    expect(app.calls).toEqual([]);
    const problem = expectProblem(await preview(orderId, {}, buyer("buyer-2")), 404, "NOT_FOUND");
    expect(problem.detail).toBe("no such order");
    expectProblem(await preview(uid("o-missing"), {}), 404, "NOT_FOUND");
    expectNothingChanged(orderId, item);
  });
});
