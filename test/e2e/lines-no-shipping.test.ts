// End to end over HTTP: partial cancellations under `partialShippingRefund: "NONE"` from a
// POLICY_FILE: no request refunds shipping, so the refunds add up to what was paid for the items.
// Every answer is checked against docs/openapi.json.
import { expect, it } from "vitest";
import { amountsOf, ODD_SHIPPING_ORDER, shopUnderPolicy } from "../support/line-orders.ts";

const env = shopUnderPolicy({
  version: "e2e-shipping-none",
  partialShippingRefund: "NONE",
});

it("publishes the policy from POLICY_FILE", async () => {
  const policy = await env.api.get("/policy");
  expect(policy.body).toMatchObject({
    version: "e2e-shipping-none",
    partialShippingRefund: "NONE",
    refundShippingFee: true,
  });
});

it("refunds no shipping, not even with the last unit", async () => {
  // ¥3,900 paid for items worth ¥5,000, ¥333 for shipping.
  const party = await env.shop.anOrder(ODD_SHIPPING_ORDER);
  const first = await env.shop.cancel(party, env.shop.bodyFor([{ lineId: "l2", quantity: 1 }]));
  expect(first.done).toMatchObject({
    lines: [{ lineId: "l2", quantity: 1, amount: 780 }],
    itemsAmount: 780,
    shippingAmount: 0,
    refund: { amount: 780 },
  });
  // floor(3,000 × 3,900 ÷ 5,000) = 2,340; the last cup 3,900 − 780 − 2,340 = 780.
  const restPreview = await env.shop.preview(party, {});
  expect(restPreview.body).toMatchObject({
    lines: [
      { lineId: "l1", quantity: 1, amount: 2340 },
      { lineId: "l2", quantity: 1, amount: 780 },
    ],
    itemsAmount: 3120,
    shippingAmount: 0,
    amount: 3120,
  });
  const rest = await env.shop.cancel(party, env.shop.bodyFor());
  expect(amountsOf(rest.asked)).toEqual(amountsOf(restPreview.body));
  expect(rest.done.refund).toMatchObject({ status: "SUCCEEDED", amount: 3120 });
  // 780 + 3,120 = 3,900: the items paid, no shipping.
  expect(await env.shop.order(party)).toMatchObject({ status: "CANCELLED", refundedAmount: 3900 });
}, 90_000);
