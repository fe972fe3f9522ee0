// The amounts of line-level cancellation (amounts.ts, request-terms.ts): SPEC's worked rules on
// examples, and properties over any order and any sequence of partial requests driven through the
// transition function: never more than was paid, never negative, exactly what was refundable once
// every unit is cancelled, and a preview that equals the request made right after it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  amountOf,
  cancellationAmounts,
  type LineQuantity,
  paidSplit,
  refundedSoFar,
  selectLines,
} from "../../functions/domain/amounts.ts";
import { DomainError } from "../../functions/domain/events.ts";
import { DEFAULT_POLICY, type Policy } from "../../functions/domain/policy.ts";
import { previewCancellation } from "../../functions/domain/request-terms.ts";
import { transition } from "../../functions/domain/transition.ts";
import type { Order, OrderRecord, PaymentMethod } from "../../functions/domain/types.ts";
import { makeOrder, makeRecord } from "../support/factories.ts";
import {
  at,
  BUYER,
  complete,
  instructRefund,
  operatorApprove,
  policyApprove,
  refundSucceeded,
  requestCancellation,
  sellerApprove,
  startRefundCall,
  workflowStarted,
} from "./flow.ts";

/** SPEC's coupon example: 3000×1 and 1000×2, shipping 500, paid 4500 (a 1,000 coupon). */
const couponOrder = (method: PaymentMethod = "CARD"): Order =>
  makeOrder({
    lines: [
      { lineId: "l1", sku: "MUG", title: "Mug", quantity: 1, unitPrice: 3000 },
      { lineId: "l2", sku: "CUP", title: "Cup", quantity: 2, unitPrice: 1000 },
    ],
    shippingFee: 500,
    payment: { method, paidAmount: 4500 },
  });

const NONE_SO_FAR = { items: 0, shipping: 0 };
const policyWith = (overrides: Partial<Policy>): Policy => ({ ...DEFAULT_POLICY, ...overrides });

/** The refusal `run` throws, as its code and field. */
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, field: error.details.field };
    throw error;
  }
  throw new Error("not refused");
};

describe("paidSplit", () => {
  it("takes a discount off the items, never off shipping", () => {
    expect(paidSplit(couponOrder())).toEqual({ itemsPaid: 4000, shippingPaid: 500 });
  });

  it("gives shipping what was paid when the discount eats into it", () => {
    const order = makeOrder({ shippingFee: 500, payment: { paidAmount: 300 } });
    expect(paidSplit(order)).toEqual({ itemsPaid: 0, shippingPaid: 300 });
  });

  it("is nothing for cash on delivery, which was never paid", () => {
    expect(paidSplit(couponOrder("CASH_ON_DELIVERY"))).toEqual({ itemsPaid: 0, shippingPaid: 0 });
  });
});

describe("selectLines", () => {
  it("without lines, takes every unit left, in the order's line order", () => {
    const order = couponOrder();
    order.lines[1] = { ...(order.lines[1] as Order["lines"][number]), cancelledQuantity: 1 };
    expect(selectLines(order)).toEqual([
      { lineId: "l1", quantity: 1 },
      { lineId: "l2", quantity: 1 },
    ]);
  });

  it("puts named lines in the order's line order", () => {
    expect(
      selectLines(couponOrder(), [
        { lineId: "l2", quantity: 2 },
        { lineId: "l1", quantity: 1 },
      ]),
    ).toEqual([
      { lineId: "l1", quantity: 1 },
      { lineId: "l2", quantity: 2 },
    ]);
  });

  it.each<[string, LineQuantity[], string]>([
    ["an unknown line", [{ lineId: "l9", quantity: 1 }], "body.lines.0.lineId"],
    [
      "a line named twice",
      [
        { lineId: "l2", quantity: 1 },
        { lineId: "l2", quantity: 1 },
      ],
      "body.lines.1.lineId",
    ],
    ["more than is left", [{ lineId: "l2", quantity: 3 }], "body.lines.0.quantity"],
    ["zero units", [{ lineId: "l1", quantity: 0 }], "body.lines.0.quantity"],
    ["no line at all", [], "body.lines"],
  ])("refuses %s: 400 on its path", (_, lines, field) => {
    expect(refusal(() => selectLines(couponOrder(), lines))).toEqual({
      code: "VALIDATION_FAILED",
      field,
    });
  });

  it("refuses a line whose units are all cancelled already", () => {
    const order = couponOrder();
    order.lines[0] = { ...(order.lines[0] as Order["lines"][number]), cancelledQuantity: 1 };
    expect(refusal(() => selectLines(order, [{ lineId: "l1", quantity: 1 }]))).toEqual({
      code: "VALIDATION_FAILED",
      field: "body.lines.0.quantity",
    });
  });

  it("has nothing to cancel once every unit is cancelled: NOTHING_TO_CANCEL", () => {
    const order = couponOrder();
    order.lines = order.lines.map((line) => ({ ...line, cancelledQuantity: line.quantity }));
    expect(refusal(() => selectLines(order))).toEqual({ code: "NOTHING_TO_CANCEL" });
  });

  it("cancels a cash-on-delivery order only as a whole: PARTIAL_NOT_SUPPORTED", () => {
    const order = couponOrder("CASH_ON_DELIVERY");
    expect(refusal(() => selectLines(order, [{ lineId: "l1", quantity: 1 }]))).toEqual({
      code: "PARTIAL_NOT_SUPPORTED",
    });
    expect(selectLines(order)).toHaveLength(2);
  });
});

describe("cancellationAmounts on SPEC's coupon example", () => {
  const order = couponOrder();

  it("a unit of the cup: its share of what was paid for items, rounded down, no shipping yet", () => {
    const amounts = cancellationAmounts(
      order,
      [{ lineId: "l2", quantity: 1 }],
      NONE_SO_FAR,
      DEFAULT_POLICY,
    );
    // floor(1000 × 1 × 4000 ÷ 5000) = 800; WHEN_ALL_CANCELLED keeps shipping for the last unit.
    expect(amounts).toEqual({
      lines: [{ lineId: "l2", quantity: 1, amount: 800 }],
      itemsAmount: 800,
      shippingAmount: 0,
    });
  });

  it("the rest: the items' remainder (the last line takes the difference) and the shipping", () => {
    const rest = { ...order, lines: order.lines.map((line) => ({ ...line })) };
    (rest.lines[1] as Order["lines"][number]).cancelledQuantity = 1;
    const amounts = cancellationAmounts(
      rest,
      selectLines(rest),
      { items: 800, shipping: 0 },
      DEFAULT_POLICY,
    );
    expect(amounts).toEqual({
      lines: [
        { lineId: "l1", quantity: 1, amount: 2400 },
        { lineId: "l2", quantity: 1, amount: 800 },
      ],
      itemsAmount: 3200,
      shippingAmount: 500,
    });
    expect(800 + amountOf(amounts)).toBe(4500);
  });

  it("PRORATED: shipping by undiscounted item value, the last request taking what is left", () => {
    const prorated = policyWith({ partialShippingRefund: "PRORATED" });
    const first = cancellationAmounts(
      order,
      [{ lineId: "l1", quantity: 1 }],
      NONE_SO_FAR,
      prorated,
    );
    // floor(500 × 3000 ÷ 5000) = 300.
    expect(first.shippingAmount).toBe(300);
    const rest = { ...order, lines: order.lines.map((line) => ({ ...line })) };
    (rest.lines[0] as Order["lines"][number]).cancelledQuantity = 1;
    const last = cancellationAmounts(
      rest,
      selectLines(rest),
      { items: first.itemsAmount, shipping: 300 },
      prorated,
    );
    expect(last.shippingAmount).toBe(200);
  });

  it("NONE, or no shipping refund at all: shipping is never refunded", () => {
    for (const policy of [
      policyWith({ partialShippingRefund: "NONE" }),
      policyWith({ refundShippingFee: false }),
    ]) {
      expect(cancellationAmounts(order, selectLines(order), NONE_SO_FAR, policy)).toMatchObject({
        itemsAmount: 4000,
        shippingAmount: 0,
      });
    }
  });

  it("a whole-order request lists every line and refunds what was paid", () => {
    const amounts = cancellationAmounts(order, selectLines(order), NONE_SO_FAR, DEFAULT_POLICY);
    expect(amounts.lines.map((line) => line.lineId)).toEqual(["l1", "l2"]);
    expect(amountOf(amounts)).toBe(4500);
  });

  it("keeps exact integers where the products pass 2^53", () => {
    const big = makeOrder({
      lines: [
        { lineId: "a", sku: "A", title: "A", quantity: 3, unitPrice: 999_999_999_989 },
        { lineId: "b", sku: "B", title: "B", quantity: 1, unitPrice: 7 },
      ],
      shippingFee: 0,
      payment: { paidAmount: 2_999_999_999_974 },
    });
    const { lines } = cancellationAmounts(
      big,
      [{ lineId: "a", quantity: 1 }],
      NONE_SO_FAR,
      DEFAULT_POLICY,
    );
    const expected = (999_999_999_989n * 2_999_999_999_974n) / 2_999_999_999_974n;
    expect(lines[0]?.amount).toBe(Number(expected));
  });
});

// ---- properties over sequences of requests ------------------------------------------------------

const orderArb = fc
  .record({
    lines: fc.array(
      fc.record({ quantity: fc.integer({ min: 1, max: 4 }), unitPrice: fc.nat(50_000) }),
      { minLength: 1, maxLength: 4 },
    ),
    shippingFee: fc.constantFrom(0, 500, 1200),
    discount: fc.oneof(fc.constant(0), fc.nat(60_000)),
    method: fc.constantFrom<PaymentMethod>("CARD", "GIFT_CARD", "POINTS", "CONVENIENCE_STORE"),
  })
  .map(({ lines, shippingFee, discount, method }) => {
    const total = lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0) + shippingFee;
    return makeOrder({
      lines: lines.map((line, i) => ({ lineId: `l${i}`, sku: `S${i}`, title: `t${i}`, ...line })),
      shippingFee,
      payment: { method, paidAmount: Math.max(0, total - discount) },
    });
  });

const policyArb = fc
  .record({
    refundShippingFee: fc.boolean(),
    partialShippingRefund: fc.constantFrom(
      "WHEN_ALL_CANCELLED",
      "PRORATED",
      "NONE",
    ) as fc.Arbitrary<Policy["partialShippingRefund"]>,
  })
  .map((overrides) => policyWith({ ...overrides, maxRequestsPerOrder: 50 }));

/** A request's choice: per line, a share of what is left (0 leaves the line out); or all. */
const choiceArb = fc.record({
  whole: fc.boolean(),
  shares: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
});
type Choice = typeof choiceArb extends fc.Arbitrary<infer C> ? C : never;

const linesFor = (order: Order, choice: Choice): LineQuantity[] | undefined => {
  if (choice.whole) return undefined;
  const lines = order.lines.flatMap((line, i) => {
    const left = line.quantity - line.cancelledQuantity;
    const quantity = Math.round(left * (choice.shares[i] ?? 0));
    return quantity > 0 ? [{ lineId: line.lineId, quantity }] : [];
  });
  return lines.length > 0 ? lines : undefined;
};

const mustApply = (record: OrderRecord, event: Parameters<typeof transition>[1], now: string) => {
  const result = transition(record, event, now);
  if (!result.ok) throw new Error(`${event.type} refused: ${result.error.code}`);
  return result.record;
};

/** Makes a request for `lines` and carries it through to COMPLETED, as the workflow would. */
const cancelAndComplete = (
  record: OrderRecord,
  n: number,
  lines: LineQuantity[] | undefined,
  policy: Policy,
): OrderRecord => {
  const requestId = `req-${n}`;
  const t = (step: number) => at(n * 100 + step);
  let next = mustApply(
    record,
    requestCancellation({ requestId, policy, ...(lines && { lines }) }),
    t(0),
  );
  next = mustApply(next, workflowStarted(requestId), t(1));
  next = mustApply(next, sellerApprove(undefined, requestId), t(2));
  const review = next.requests[requestId]?.marketplaceReview;
  next = mustApply(
    next,
    review === "POLICY" ? policyApprove(requestId) : operatorApprove(undefined, requestId),
    t(3),
  );
  // Nothing to pay back (a discount made these units free): no refund call, straight to done.
  if (next.requests[requestId]?.refund?.status === "PENDING") {
    next = mustApply(next, instructRefund(requestId), t(4));
    next = mustApply(next, startRefundCall(requestId), t(5));
    next = mustApply(next, refundSucceeded(requestId), t(6));
  }
  return mustApply(next, complete(requestId), t(7));
};

describe("amounts over any sequence of partial requests", () => {
  it("never exceed what was paid, are never negative, and add up exactly once all is cancelled", () => {
    fc.assert(
      fc.property(
        orderArb,
        policyArb,
        fc.array(choiceArb, { maxLength: 12 }),
        (order, policy, choices) => {
          let record = makeRecord(order, []);
          const { itemsPaid, shippingPaid } = paidSplit(order);
          for (const [n, choice] of [...choices, { whole: true, shares: [] }].entries()) {
            if (record.order.status === "CANCELLED") break;
            record = cancelAndComplete(record, n, linesFor(record.order, choice), policy);
            const requests = Object.values(record.requests);
            const refunded = requests.reduce((sum, r) => sum + (r.refund?.amount ?? 0), 0);
            expect(refunded).toBeLessThanOrEqual(order.payment.paidAmount);
            expect(record.order.refundedAmount).toBe(refunded);
            for (const request of requests) {
              expect(request.shippingAmount).toBeGreaterThanOrEqual(0);
              for (const line of request.lines) expect(line.amount).toBeGreaterThanOrEqual(0);
              const items = request.lines.reduce((sum, line) => sum + line.amount, 0);
              expect(request.itemsAmount).toBe(items);
              expect(request.refund?.amount).toBe(items + request.shippingAmount);
            }
            for (const line of record.order.lines) {
              expect(line.cancelledQuantity).toBeLessThanOrEqual(line.quantity);
            }
          }
          // The closing whole request cancelled what was left.
          expect(record.order.status).toBe("CANCELLED");
          const sum = refundedSoFar(record);
          expect(sum.items).toBe(itemsPaid);
          const shippingRefunded =
            policy.refundShippingFee && policy.partialShippingRefund !== "NONE";
          expect(sum.shipping).toBe(shippingRefunded ? shippingPaid : 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a preview equals the request made right after it", () => {
    fc.assert(
      fc.property(
        orderArb,
        policyArb,
        fc.array(choiceArb, { maxLength: 6 }),
        choiceArb,
        (order, policy, before, choice) => {
          let record = makeRecord(order, []);
          for (const [n, earlier] of before.entries()) {
            const lines = linesFor(record.order, earlier);
            // Keep something to preview: a request that would cancel everything is skipped.
            if (!lines) continue;
            const leftAfter = record.order.lines.some(
              (line) =>
                line.quantity - line.cancelledQuantity >
                (lines.find((l) => l.lineId === line.lineId)?.quantity ?? 0),
            );
            if (leftAfter) record = cancelAndComplete(record, n, lines, policy);
          }
          const lines = linesFor(record.order, choice);
          const now = at(10_000);
          const preview = previewCancellation(record, BUYER, lines, policy, now);
          const made = mustApply(
            record,
            requestCancellation({ requestId: "req-next", policy, ...(lines && { lines }) }),
            now,
          ).requests["req-next"];
          expect(
            made && {
              lines: made.lines,
              itemsAmount: made.itemsAmount,
              shippingAmount: made.shippingAmount,
            },
          ).toEqual({
            lines: preview.lines,
            itemsAmount: preview.itemsAmount,
            shippingAmount: preview.shippingAmount,
          });
          expect(preview.amount).toBe(amountOf(preview));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("previewCancellation", () => {
  const record = makeRecord(couponOrder(), []);

  it("answers the amounts, the method and when the refund would arrive", () => {
    const preview = previewCancellation(
      record,
      BUYER,
      [{ lineId: "l2", quantity: 1 }],
      DEFAULT_POLICY,
      "2026-11-21T00:00:00.000Z",
    );
    expect(preview).toEqual({
      lines: [{ lineId: "l2", quantity: 1, amount: 800 }],
      itemsAmount: 800,
      shippingAmount: 0,
      amount: 800,
      currency: "JPY",
      method: "CARD",
      expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
      approval: "POLICY",
    });
  });

  it("counts earlier refunds against the auto-approval limit", () => {
    const small = policyWith({ autoApproveMaxAmount: { JPY: 4000 } });
    const half = cancelAndComplete(record, 1, [{ lineId: "l1", quantity: 1 }], small);
    expect(half.requests["req-1"]?.marketplaceReview).toBe("POLICY");
    // 2400 refunded already; the rest (2100) alone is within 4000, both together are not.
    const preview = previewCancellation(half, BUYER, undefined, small, at(10_000));
    expect(preview.amount).toBe(2100);
    expect(preview.approval).toBe("OPERATOR");
  });

  it("refuses what the request would refuse, and strangers are told the order does not exist", () => {
    expect(
      refusal(() => previewCancellation(record, "mallory", undefined, DEFAULT_POLICY, at(0))),
    ).toEqual({ code: "NOT_FOUND" });
    const cod = makeRecord(couponOrder("CASH_ON_DELIVERY"), []);
    expect(
      refusal(() =>
        previewCancellation(cod, BUYER, [{ lineId: "l1", quantity: 1 }], DEFAULT_POLICY, at(0)),
      ),
    ).toEqual({ code: "PARTIAL_NOT_SUPPORTED" });
  });
});
