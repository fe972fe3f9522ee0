// Data for the handler suites: import bodies, and stored orders in the state a test starts from.
import { randomUUID } from "node:crypto";
import type { Orders } from "../../functions/app/ports.ts";
import {
  type CancellationRequest,
  isTerminal,
  type Order,
  type OrderRecord,
} from "../../functions/domain/types.ts";
import { at, cancellationRequest, orderRecord } from "./records.ts";

export const uid = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A valid `POST /orders` body (SPEC's example, with a fresh id). */
export const importBody = (overrides: Record<string, unknown> = {}) => ({
  orderId: uid("o"),
  buyerId: "buyer-1",
  buyerEmail: "buyer@example.com",
  locale: "ja",
  sellerId: "seller-1",
  sellerEmail: "seller@example.com",
  currency: "JPY",
  lines: [{ lineId: "l1", sku: "SKU-1", title: "湯呑み", quantity: 1, unitPrice: 4980 }],
  shippingFee: 500,
  payment: { method: "CARD", paidAmount: 5480 },
  placedAt: "2026-11-20T10:00:00Z",
  ...overrides,
});

/**
 * Stores an order (shipped at at(0) unless overridden) with the given requests, keeping
 * `activeCancellationRequestId` as the service does; returns the stored record.
 */
export const seedOrder = async (
  orders: Orders,
  overrides: Partial<Order> = {},
  requests: (orderId: string) => CancellationRequest[] = () => [],
): Promise<OrderRecord> => {
  const orderId = overrides.orderId ?? uid("o");
  const list = requests(orderId);
  const active = list.find((request) => !isTerminal(request.status));
  const record = orderRecord(
    { activeCancellationRequestId: active?.requestId ?? null, ...overrides, orderId },
    list,
  );
  await orders.create(record);
  return record;
};

/** One request on `orderId`, awaiting the seller unless overridden (created at at(1)). */
export const requestOn = (
  orderId: string,
  overrides: Partial<CancellationRequest> = {},
): CancellationRequest =>
  cancellationRequest({ requestId: uid("r"), orderId, createdAt: at(1), ...overrides });

/** A request the seller approved, now waiting for an operator's review. */
export const awaitingOperator = (
  orderId: string,
  overrides: Partial<CancellationRequest> = {},
): CancellationRequest =>
  requestOn(orderId, {
    status: "AWAITING_MARKETPLACE",
    marketplaceReview: "OPERATOR",
    marketplaceDeadline: at(80),
    updatedAt: at(2),
    ...overrides,
  });

/** Why the refund of `refundFailed` failed: the note of its REFUND_FAILED entry. */
export const REFUND_ERROR = "ProviderUnavailable";

/** A request whose refund failed and waits for an operator to retry it. */
export const refundFailed = (orderId: string): CancellationRequest => {
  const request = requestOn(orderId, {
    status: "REFUND_FAILED",
    marketplaceReview: "OPERATOR",
    marketplaceDeadline: at(80),
    refundRetryDeadline: at(90),
    updatedAt: at(3),
    refund: {
      amount: 5480,
      currency: "JPY",
      method: "CARD",
      status: "FAILED",
      refundId: null,
      expectedBy: { earliest: "2026-11-25", latest: "2026-12-04" },
      instructedAt: at(3),
      succeededAt: null,
      attempts: 1,
    },
  });
  if (request.refund) request.refund.refundId = `rf-${request.requestId}`;
  request.timeline.push(
    { at: at(2), type: "SELLER_APPROVED", actor: "seller-1" },
    { at: at(2), type: "MARKETPLACE_APPROVED", actor: "operator-1" },
    { at: at(3), type: "REFUND_INSTRUCTED", actor: "system" },
    { at: at(3), type: "REFUND_FAILED", actor: "system", note: REFUND_ERROR },
  );
  return request;
};
