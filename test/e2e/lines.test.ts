// End to end over HTTP: SPEC "Line-level cancellation and the refund preview" in local mode under
// the default policy (shipping refunded WHEN_ALL_CANCELLED, auto-approval up to ¥30,000). Every
// answer is checked against docs/openapi.json.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller, LocalClient } from "../../local/client.ts";
import { type LocalMode, startLocal } from "../../local/start.ts";
import { ContractClient } from "../support/contract.ts";
import {
  amountsOf,
  COUPON_ORDER,
  cancelledUnits,
  type Json,
  lineOrders,
  type Units,
} from "../support/line-orders.ts";

let local: LocalMode;
let api: LocalClient;
let operator: Caller;
let shop: ReturnType<typeof lineOrders>;

beforeAll(async () => {
  local = await startLocal({ port: 0 });
  api = new ContractClient(local.url);
  const [system, carrier] = await Promise.all([api.system(), api.carrier()]);
  operator = await api.operator();
  shop = lineOrders(api, system, carrier);
}, 90_000);

afterAll(async () => {
  await local?.stop();
});

/** Two completions and their waits: more than a single test's default. */
const SLOW = 90_000;

describe("lines on the request and the preview", () => {
  it("refuses unknown lines, a line twice, and quantities not left → 400 on the path; stores nothing", async () => {
    const party = await shop.anOrder();
    const cases: [string, Units[], string][] = [
      ["unknown line", [{ lineId: "l9", quantity: 1 }], "body.lines.0.lineId"],
      [
        "a line twice",
        [
          { lineId: "l2", quantity: 1 },
          { lineId: "l2", quantity: 1 },
        ],
        "body.lines.1.lineId",
      ],
      [
        "quantity 0",
        [
          { lineId: "l1", quantity: 1 },
          { lineId: "l2", quantity: 0 },
        ],
        "body.lines.1.quantity",
      ],
      ["more than the line has", [{ lineId: "l2", quantity: 3 }], "body.lines.0.quantity"],
      ["an empty list", [], "body.lines"],
    ];
    for (const [, lines, path] of cases) {
      await shop.bothRefuse(party, shop.bodyFor(lines), 400, "VALIDATION_FAILED", [path]);
    }
    const after = await shop.order(party);
    expect(after).toMatchObject({
      status: "SHIPPED",
      latestCancellationRequestId: null,
      refundedAmount: 0,
      cancellationOption: { kind: "CANCEL", reason: "IN_TRANSIT" },
    });
  });

  it(
    "the worked example with a coupon: one unit, then the rest, refunding exactly what was paid",
    async () => {
      const party = await shop.anOrder();
      const before = await shop.order(party);
      expect(cancelledUnits(before)).toEqual([
        ["l1", 0],
        ["l2", 0],
      ]);
      expect(before.refundedAmount).toBe(0);

      // One cup of two: floor(1,000 × 4,000 ÷ 5,000) = 800; shipping waits for the last unit.
      const oneCup = [{ lineId: "l2", quantity: 1 }];
      const previewed = await shop.preview(party, { lines: oneCup });
      expect(previewed.status).toBe(200);
      expect(previewed.body).toMatchObject({
        lines: [{ lineId: "l2", quantity: 1, amount: 800 }],
        itemsAmount: 800,
        shippingAmount: 0,
        amount: 800,
        currency: "JPY",
        method: "CARD",
        approval: "POLICY",
      });
      expect(previewed.body.expectedBy).toEqual({
        earliest: expect.any(String),
        latest: expect.any(String),
      });
      // The preview stored nothing.
      expect(await shop.order(party)).toEqual(before);

      const first = await shop.ask(party, shop.bodyFor(oneCup));
      expect(first.status).toBe(202);
      const firstId = String(first.body.requestId);
      // The request made right after refunds exactly what the preview said.
      expect(amountsOf(first.body)).toEqual(amountsOf(previewed.body));
      // Nothing counts as cancelled until the request completes.
      const pending = await shop.order(party);
      expect(cancelledUnits(pending)).toEqual([
        ["l1", 0],
        ["l2", 0],
      ]);
      expect(pending).toMatchObject({
        status: "SHIPPED",
        refundedAmount: 0,
        activeCancellationRequestId: firstId,
        cancellationOption: { kind: "NONE", reason: "ACTIVE_REQUEST_EXISTS" },
      });
      await shop.bothRefuse(
        party,
        shop.bodyFor([{ lineId: "l1", quantity: 1 }]),
        409,
        "ACTIVE_REQUEST_EXISTS",
      );

      // The seller's queue names the line by its title.
      await shop.reach(party, firstId, "AWAITING_SELLER");
      const queue = await api.get("/seller/cancellation-requests", party.seller);
      expect(queue.body.items).toMatchObject([
        {
          requestId: firstId,
          lines: [{ lineId: "l2", title: "湯呑み", quantity: 1, amount: 800 }],
        },
      ]);
      await shop.decide(party, firstId, "seller-decision", party.seller, { decision: "APPROVE" });
      const firstDone = await shop.reach(party, firstId, "COMPLETED");
      expect(firstDone).toMatchObject({
        lines: [{ lineId: "l2", quantity: 1, amount: 800 }],
        itemsAmount: 800,
        shippingAmount: 0,
        marketplaceReview: "POLICY",
        refund: { status: "SUCCEEDED", amount: 800, method: "CARD", currency: "JPY" },
      });

      // One unit cancelled: the order stays shipped, and the buyer may ask for what is left.
      const partly = await shop.order(party);
      expect(cancelledUnits(partly)).toEqual([
        ["l1", 0],
        ["l2", 1],
      ]);
      expect(partly).toMatchObject({
        status: "SHIPPED",
        refundedAmount: 800,
        activeCancellationRequestId: null,
        latestCancellationRequestId: firstId,
        cancellationOption: { kind: "CANCEL", reason: "IN_TRANSIT" },
      });
      // One cup is left, not two.
      await shop.bothRefuse(
        party,
        shop.bodyFor([{ lineId: "l2", quantity: 2 }]),
        400,
        "VALIDATION_FAILED",
        ["body.lines.0.quantity"],
      );

      // The rest (no `lines`): floor(3,000 × 4,000 ÷ 5,000) = 2,400; the last cup takes what is left
      // of the ¥4,000 (4,000 − 800 − 2,400 = 800); the last unit brings the shipping.
      const rest = await shop.preview(party, { reason: "NO_LONGER_NEEDED" });
      expect(rest.status).toBe(200);
      expect(rest.body).toMatchObject({
        lines: [
          { lineId: "l1", quantity: 1, amount: 2400 },
          { lineId: "l2", quantity: 1, amount: 800 },
        ],
        itemsAmount: 3200,
        shippingAmount: 500,
        amount: 3700,
        approval: "POLICY",
      });
      const { asked, done } = await shop.cancel(party, shop.bodyFor());
      expect(amountsOf(asked)).toEqual(amountsOf(rest.body));
      expect(done.refund).toMatchObject({ status: "SUCCEEDED", amount: 3700 });

      const cancelled = await shop.order(party);
      expect(cancelledUnits(cancelled)).toEqual([
        ["l1", 1],
        ["l2", 2],
      ]);
      expect(cancelled).toMatchObject({
        status: "CANCELLED",
        // 800 + 3,700: exactly what was paid.
        refundedAmount: 4500,
        activeCancellationRequestId: null,
        latestCancellationRequestId: asked.requestId,
        cancellationOption: { kind: "NONE", reason: "ALREADY_CANCELLED" },
      });

      // Nothing is left to cancel, with or without lines.
      await shop.bothRefuse(party, shop.bodyFor(), 409, "NOTHING_TO_CANCEL");
      await shop.bothRefuse(
        party,
        shop.bodyFor([{ lineId: "l1", quantity: 1 }]),
        409,
        "NOTHING_TO_CANCEL",
      );
    },
    SLOW,
  );

  it(
    "rounds each share down, the last request's last line taking the remainder",
    async () => {
      // ¥3,999 paid for items worth ¥5,000 (a ¥501 coupon).
      const party = await shop.anOrder({
        ...COUPON_ORDER,
        payment: { method: "CARD", paidAmount: 4499 },
      });
      // floor(1,000 × 3,999 ÷ 5,000) = floor(799.8) = 799.
      const first = await shop.cancel(party, shop.bodyFor([{ lineId: "l2", quantity: 1 }]));
      expect(first.done).toMatchObject({
        lines: [{ lineId: "l2", quantity: 1, amount: 799 }],
        itemsAmount: 799,
        shippingAmount: 0,
        refund: { amount: 799 },
      });
      // Named in full this time: floor(3,000 × 3,999 ÷ 5,000) = 2,399; the cup 3,999 − 799 − 2,399.
      const second = await shop.cancel(
        party,
        shop.bodyFor([
          { lineId: "l2", quantity: 1 },
          { lineId: "l1", quantity: 1 },
        ]),
      );
      // Listed in the order's line order, whatever the body's.
      expect(second.done).toMatchObject({
        lines: [
          { lineId: "l1", quantity: 1, amount: 2399 },
          { lineId: "l2", quantity: 1, amount: 801 },
        ],
        itemsAmount: 3200,
        shippingAmount: 500,
        refund: { amount: 3700 },
      });
      const cancelled = await shop.order(party);
      expect(cancelled).toMatchObject({ status: "CANCELLED", refundedAmount: 4499 });
    },
    SLOW,
  );

  it("a request without lines covers every unit, each line listed", async () => {
    const party = await shop.anOrder();
    const asked = await shop.ask(party, shop.bodyFor());
    expect(asked.status).toBe(202);
    // floor(3,000 × 4,000 ÷ 5,000) = 2,400; the cups take the rest of the ¥4,000; all shipping.
    expect(amountsOf(asked.body)).toEqual({
      lines: [
        { lineId: "l1", quantity: 1, amount: 2400 },
        { lineId: "l2", quantity: 2, amount: 1600 },
      ],
      itemsAmount: 4000,
      shippingAmount: 500,
    });
  });

  it("a withdrawn request cancels nothing: the buyer may ask again for the same units", async () => {
    const party = await shop.anOrder();
    const pot = [{ lineId: "l1", quantity: 1 }];
    const asked = await shop.ask(party, shop.bodyFor(pot));
    expect(asked.status).toBe(202);
    const requestId = String(asked.body.requestId);
    await shop.reach(party, requestId, "AWAITING_SELLER");
    const withdrawn = await shop.decide(party, requestId, "withdrawal", party.buyer);
    expect(withdrawn.body).toMatchObject({ status: "WITHDRAWN", refund: null });
    const order = await shop.order(party);
    expect(cancelledUnits(order)).toEqual([
      ["l1", 0],
      ["l2", 0],
    ]);
    expect(order).toMatchObject({
      status: "SHIPPED",
      refundedAmount: 0,
      cancellationOption: { kind: "CANCEL", reason: "IN_TRANSIT" },
    });
    const again = await shop.ask(party, shop.bodyFor(pot));
    expect(again.status).toBe(202);
    expect(again.body.requestId).not.toBe(requestId);
    expect(amountsOf(again.body)).toEqual({
      lines: [{ lineId: "l1", quantity: 1, amount: 2400 }],
      itemsAmount: 2400,
      shippingAmount: 0,
    });
  });

  it("replays an Idempotency-Key only for the same lines", async () => {
    const party = await shop.anOrder();
    const key = `key-${randomUUID()}`;
    const body = shop.bodyFor([{ lineId: "l2", quantity: 1 }]);
    const first = await shop.ask(party, body, key);
    expect(first.status).toBe(202);
    const replay = await shop.ask(party, body, key);
    expect(replay.status).toBe(202);
    expect(replay.body.requestId).toBe(first.body.requestId);
    expect(amountsOf(replay.body)).toEqual(amountsOf(first.body));
    for (const other of [
      shop.bodyFor([{ lineId: "l2", quantity: 2 }]),
      shop.bodyFor([{ lineId: "l1", quantity: 1 }]),
      shop.bodyFor(),
    ]) {
      const mismatch = await shop.ask(party, other, key);
      expect(mismatch.status).toBe(409);
      expect(mismatch.body.code).toBe("IDEMPOTENCY_KEY_MISMATCH");
    }
    const order = await shop.order(party);
    expect(order.latestCancellationRequestId).toBe(first.body.requestId);
  });
});

describe("cash on delivery", () => {
  const COD = { ...COUPON_ORDER, payment: { method: "CASH_ON_DELIVERY", paidAmount: 4500 } };

  it(
    "refuses lines → 409 PARTIAL_NOT_SUPPORTED; the whole order still cancels, refunding nothing",
    async () => {
      const party = await shop.anOrder(COD);
      await shop.bothRefuse(
        party,
        shop.bodyFor([{ lineId: "l2", quantity: 1 }]),
        409,
        "PARTIAL_NOT_SUPPORTED",
      );
      // Even every unit, named line by line: the parcel is refused as a whole.
      await shop.bothRefuse(
        party,
        shop.bodyFor([
          { lineId: "l1", quantity: 1 },
          { lineId: "l2", quantity: 2 },
        ]),
        409,
        "PARTIAL_NOT_SUPPORTED",
      );
      const whole = [
        { lineId: "l1", quantity: 1, amount: 0 },
        { lineId: "l2", quantity: 2, amount: 0 },
      ];
      const previewed = await shop.preview(party, {});
      expect(previewed.status).toBe(200);
      expect(previewed.body).toEqual({
        lines: whole,
        itemsAmount: 0,
        shippingAmount: 0,
        amount: 0,
        currency: "JPY",
        method: "CASH_ON_DELIVERY",
        expectedBy: null,
        approval: "POLICY",
      });
      const { asked, done } = await shop.cancel(party, shop.bodyFor());
      expect(amountsOf(asked)).toEqual({ lines: whole, itemsAmount: 0, shippingAmount: 0 });
      expect(done.refund).toMatchObject({ status: "NOT_REQUIRED", amount: 0 });
      const order = await shop.order(party);
      expect(cancelledUnits(order)).toEqual([
        ["l1", 1],
        ["l2", 2],
      ]);
      expect(order).toMatchObject({ status: "CANCELLED", refundedAmount: 0 });
    },
    SLOW,
  );
});

describe("the preview", () => {
  it("is its buyer's alone: 401 without a token, 403 for the seller or an operator, 404 for another buyer", async () => {
    const party = await shop.anOrder();
    const before = await shop.order(party);
    const body = { lines: [{ lineId: "l2", quantity: 1 }] };
    const [stranger, otherSeller] = await Promise.all([api.buyer(), api.seller()]);
    const path = `/orders/${party.orderId}/cancellation-requests/preview`;
    const cells: [
      string,
      Promise<{ status: number; body: Json; contentType: string }>,
      number,
      string,
    ][] = [
      ["no token", api.post(path, undefined, body), 401, "UNAUTHORIZED"],
      ["its seller", shop.preview(party, body, party.seller), 403, "FORBIDDEN"],
      ["an operator", shop.preview(party, body, operator), 403, "FORBIDDEN"],
      ["another seller", shop.preview(party, body, otherSeller), 403, "FORBIDDEN"],
      ["another buyer", shop.preview(party, body, stranger), 404, "NOT_FOUND"],
      [
        "an unknown order",
        api.post(`/orders/o-${randomUUID()}/cancellation-requests/preview`, party.buyer, body),
        404,
        "NOT_FOUND",
      ],
    ];
    for (const [name, pending, status, code] of cells) {
      const response = await pending;
      expect([name, response.status, response.body.code]).toEqual([name, status, code]);
      expect(response.contentType).toContain("application/problem+json");
    }
    expect(await shop.order(party)).toEqual(before);
  });

  it("answers what the POST would: 409 NOT_SHIPPED before shipment, 400 on an unknown field", async () => {
    const placed = await shop.anOrder(COUPON_ORDER, false);
    await shop.bothRefuse(placed, shop.bodyFor(), 409, "NOT_SHIPPED");
    await shop.bothRefuse(
      placed,
      { ...shop.bodyFor(), lines: [{ lineId: "l1", quantity: 1, price: 1 }] },
      400,
      "VALIDATION_FAILED",
    );
  });
});

describe("approval and delivery, per request", () => {
  // Two ¥20,000 lines: each half is under the ¥30,000 auto-approval limit, the two together not.
  const TWO_HALVES = {
    lines: [
      { lineId: "l1", sku: "TV-1", title: "テレビ台", quantity: 1, unitPrice: 20000 },
      { lineId: "l2", sku: "TV-2", title: "スピーカー", quantity: 1, unitPrice: 20000 },
    ],
    shippingFee: 500,
    payment: { method: "CARD", paidAmount: 40500 },
  };

  it(
    "counts earlier refunds: the second half goes to an operator",
    async () => {
      const party = await shop.anOrder(TWO_HALVES);
      const firstHalf = shop.bodyFor([{ lineId: "l1", quantity: 1 }]);
      const previewed = await shop.preview(party, firstHalf);
      expect(previewed.body).toMatchObject({ amount: 20000, approval: "POLICY" });
      const first = await shop.cancel(party, firstHalf);
      expect(first.done).toMatchObject({
        marketplaceReview: "POLICY",
        refund: { status: "SUCCEEDED", amount: 20000 },
      });

      // ¥20,000 refunded + ¥20,500 now > ¥30,000: reviewed as the whole order would be.
      const second = await shop.preview(party, shop.bodyFor());
      expect(second.body).toMatchObject({
        lines: [{ lineId: "l2", quantity: 1, amount: 20000 }],
        shippingAmount: 500,
        amount: 20500,
        approval: "OPERATOR",
      });
      const { asked } = await shop.cancel(party, shop.bodyFor(), "AWAITING_MARKETPLACE");
      const requestId = String(asked.requestId);
      expect((await shop.request(party, requestId)).marketplaceReview).toBe("OPERATOR");
      const approved = await shop.decide(party, requestId, "marketplace-decision", operator, {
        decision: "APPROVE",
      });
      expect(approved.status).toBe(200);
      const done = await shop.reach(party, requestId, "COMPLETED");
      expect(done.refund).toMatchObject({ status: "SUCCEEDED", amount: 20500 });
      expect(await shop.order(party)).toMatchObject({ status: "CANCELLED", refundedAmount: 40500 });
    },
    SLOW,
  );

  it("delivery while a partial request is pending makes it RETURN_REQUIRED", async () => {
    const party = await shop.anOrder();
    const asked = await shop.ask(party, shop.bodyFor([{ lineId: "l2", quantity: 1 }]));
    expect(asked.status).toBe(202);
    const requestId = String(asked.body.requestId);
    await shop.reach(party, requestId, "AWAITING_SELLER");
    const delivered = await shop.deliver(party);
    expect(delivered.status).toBe(200);
    const returned = await shop.reach(party, requestId, "RETURN_REQUIRED");
    expect(returned.refund).toBeNull();
    const order = await shop.order(party);
    expect(cancelledUnits(order)).toEqual([
      ["l1", 0],
      ["l2", 0],
    ]);
    expect(order).toMatchObject({
      status: "DELIVERED",
      refundedAmount: 0,
      cancellationOption: { kind: "RETURN", reason: "RETURN_REQUIRED" },
    });
    await shop.bothRefuse(
      party,
      shop.bodyFor([{ lineId: "l1", quantity: 1 }]),
      409,
      "RETURN_REQUIRED",
    );
  });
});
