// Realistic order records for the benchmarks, built by the domain itself (every record below is
// one the service could have stored): a shipped three-line JPY order whose buyer already made and
// withdrew one request, then asks again.
import type { DomainEvent } from "../functions/domain/events.ts";
import { DEFAULT_POLICY } from "../functions/domain/policy.ts";
import { transition } from "../functions/domain/transition.ts";
import type { OrderRecord } from "../functions/domain/types.ts";

export const BUYER = "buyer-7f3a9c21";
export const SELLER = "seller-2b81e0d4";
const CARRIER = "carrier-events";

const PLACED_AT = "2026-11-18T05:12:00.000Z";
const SHIPPED_AT = "2026-11-19T02:30:00.000Z";
const FIRST_ASKED_AT = "2026-11-19T09:00:00.000Z";
const WITHDRAWN_AT = "2026-11-19T09:40:00.000Z";
/** The buyer asks again; the seller decides three hours later, or the parcel arrives. */
export const ASKED_AT = "2026-11-20T11:15:00.000Z";
export const DECIDED_AT = "2026-11-20T14:20:00.000Z";

const EARLIER_REQUEST_ID = "0b6c3f4e-51d2-4a55-9a0e-5f7c8d2e1a10";
export const REQUEST_ID = "7d9e2a41-8c3b-4f6e-b1a2-3c4d5e6f7a8b";

/** A shipped, undelivered order imported with three lines, paid by card (¥12,980 + ¥600). */
export const shippedOrder = (orderId = "o-20261118-000123"): OrderRecord => ({
  order: {
    orderId,
    buyerId: BUYER,
    buyerEmail: `${BUYER}@example.com`,
    locale: "ja",
    sellerId: SELLER,
    sellerEmail: `${SELLER}@example.com`,
    currency: "JPY",
    lines: [
      {
        lineId: "l1",
        sku: "EAR-BT-200",
        title: "ワイヤレスイヤホン",
        quantity: 1,
        unitPrice: 8980,
        cancelledQuantity: 0,
      },
      {
        lineId: "l2",
        sku: "CASE-BT-200",
        title: "充電ケース",
        quantity: 1,
        unitPrice: 2500,
        cancelledQuantity: 0,
      },
      {
        lineId: "l3",
        sku: "TIP-S-3",
        title: "イヤーピース（Sサイズ）",
        quantity: 3,
        unitPrice: 500,
        cancelledQuantity: 0,
      },
    ],
    shippingFee: 600,
    payment: { method: "CARD", paidAmount: 13580 },
    refundedAmount: 0,
    placedAt: PLACED_AT,
    status: "SHIPPED",
    shipment: { carrier: "yamato", trackingNumber: "4470-1234-5678", shippedAt: SHIPPED_AT },
    deliveredAt: null,
    activeCancellationRequestId: null,
    importedAt: PLACED_AT,
    updatedAt: SHIPPED_AT,
    timeline: [
      { at: PLACED_AT, type: "ORDER_IMPORTED", actor: "order-system" },
      { at: SHIPPED_AT, type: "SHIPPED", actor: SELLER },
    ],
  },
  requests: {},
});

/** Applies events in order; a refusal here is a broken fixture. */
export const applyAll = (
  record: OrderRecord,
  steps: readonly (readonly [DomainEvent, string])[],
): OrderRecord =>
  steps.reduce((current, [event, now]) => {
    const result = transition(current, event, now);
    if (!result.ok) throw new Error(`fixture: ${event.type} refused: ${result.error.message}`);
    return result.record;
  }, record);

export const requestCancellation = (requestId: string, idempotencyKey: string): DomainEvent => ({
  type: "REQUEST_CANCELLATION",
  actor: BUYER,
  requestId,
  reason: "FOUND_BETTER_PRICE",
  comment: "同じ商品をより安い価格で見つけたため、キャンセルをお願いします。",
  idempotencyKey,
  requestHash: "9f2c4e6a8b0d1f3e5a7c9e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f",
  policy: DEFAULT_POLICY,
});

export const sellerApproves: DomainEvent = {
  type: "SELLER_DECIDE",
  actor: SELLER,
  requestId: REQUEST_ID,
  decision: "APPROVE",
};

export const delivered: DomainEvent = {
  type: "DELIVER",
  actor: CARRIER,
  deliveredAt: DECIDED_AT,
};

/** Shipped, with one withdrawn request in its history: the buyer may ask again. */
export const readyToAsk = (orderId?: string): OrderRecord =>
  applyAll(shippedOrder(orderId), [
    [requestCancellation(EARLIER_REQUEST_ID, "idem-2026-11-19-0001"), FIRST_ASKED_AT],
    [{ type: "WORKFLOW_STARTED", requestId: EARLIER_REQUEST_ID }, FIRST_ASKED_AT],
    [{ type: "WITHDRAW", actor: BUYER, requestId: EARLIER_REQUEST_ID }, WITHDRAWN_AT],
  ]);

export const askAgain = requestCancellation(REQUEST_ID, "idem-2026-11-20-0002");

/** The second request, waiting for the seller (the workflow has started and mailed both). */
export const awaitingSeller = (orderId?: string): OrderRecord =>
  applyAll(readyToAsk(orderId), [
    [askAgain, ASKED_AT],
    [{ type: "WORKFLOW_STARTED", requestId: REQUEST_ID }, ASKED_AT],
  ]);

/** The seller approved and the policy approved the small refund: the refund is pending. */
export const refundPending = (orderId?: string): OrderRecord =>
  applyAll(awaitingSeller(orderId), [
    [sellerApproves, DECIDED_AT],
    [{ type: "POLICY_APPROVE", requestId: REQUEST_ID }, DECIDED_AT],
  ]);
