// End to end over HTTP: partial cancellations under `partialShippingRefund: "PRORATED"` from a
// POLICY_FILE: each request refunds shipping by its share of the items' undiscounted value, the
// last one what is left. Every answer is checked against docs/openapi.json.
import { expect, it } from "vitest";
import {
  amountsOf,
  cancelledUnits,
  ODD_SHIPPING_ORDER,
  shopUnderPolicy,
} from "../support/line-orders.ts";

const env = shopUnderPolicy({
  version: "e2e-shipping-prorated",
  partialShippingRefund: "PRORATED",
});

it("publishes the policy from POLICY_FILE", async () => {
  const policy = await env.api.get("/policy");
  expect(policy.body).toMatchObject({
    version: "e2e-shipping-prorated",
    partialShippingRefund: "PRORATED",
    refundShippingFee: true,
  });
});

it("refunds shipping by each request's undiscounted value, the last taking what is left", async () => {
  // ¥3,900 paid for items worth ¥5,000, ¥333 for shipping.
  const party = await env.shop.anOrder(ODD_SHIPPING_ORDER);
  const cup = env.shop.bodyFor([{ lineId: "l2", quantity: 1 }]);
  // Items floor(1,000 × 3,900 ÷ 5,000) = 780; shipping floor(333 × 1,000 ÷ 5,000) = 66.
  const firstPreview = await env.shop.preview(party, cup);
  expect(firstPreview.body).toMatchObject({
    lines: [{ lineId: "l2", quantity: 1, amount: 780 }],
    itemsAmount: 780,
    shippingAmount: 66,
    amount: 846,
  });
  const first = await env.shop.cancel(party, cup);
  expect(amountsOf(first.asked)).toEqual(amountsOf(firstPreview.body));
  expect(first.done.refund).toMatchObject({ status: "SUCCEEDED", amount: 846 });

  // Items floor(3,000 × 3,900 ÷ 5,000) = 2,340; shipping floor(333 × 3,000 ÷ 5,000) = 199.
  const second = await env.shop.cancel(party, env.shop.bodyFor([{ lineId: "l1", quantity: 1 }]));
  expect(second.done).toMatchObject({
    lines: [{ lineId: "l1", quantity: 1, amount: 2340 }],
    itemsAmount: 2340,
    shippingAmount: 199,
    refund: { amount: 2539 },
  });
  expect(await env.shop.order(party)).toMatchObject({
    status: "SHIPPED",
    refundedAmount: 846 + 2539,
    cancellationOption: { kind: "CANCEL", reason: "IN_TRANSIT" },
  });

  // The last cup: 3,900 − 780 − 2,340 = 780 for items, 333 − 66 − 199 = 68 for shipping.
  const last = await env.shop.cancel(party, env.shop.bodyFor());
  expect(last.done).toMatchObject({
    lines: [{ lineId: "l2", quantity: 1, amount: 780 }],
    itemsAmount: 780,
    shippingAmount: 68,
    refund: { amount: 848 },
  });
  const cancelled = await env.shop.order(party);
  expect(cancelledUnits(cancelled)).toEqual([
    ["l1", 1],
    ["l2", 2],
  ]);
  // 846 + 2,539 + 848: exactly what was paid.
  expect(cancelled).toMatchObject({ status: "CANCELLED", refundedAmount: 4233 });
}, 90_000);
