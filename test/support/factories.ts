// Test data: valid records with sensible defaults that each test overrides where it matters.
import { cancellationAmounts } from "../../functions/domain/amounts.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import {
  type CancellationRequest,
  isTerminal,
  type Order,
  type OrderRecord,
} from "../../functions/domain/types.ts";

/**
 * Order fields to override; `payment` is merged, so `{ payment: { method } }` keeps the amount.
 * Lines may leave out `cancelledQuantity` (0).
 */
export type OrderOverrides = Partial<Omit<Order, "payment" | "lines">> & {
  payment?: Partial<Order["payment"]>;
  lines?: (Omit<Order["lines"][number], "cancelledQuantity"> & { cancelledQuantity?: number })[];
};

/** A shipped, undelivered JPY order paid by card: ¥4,980 item + ¥500 shipping, buyer locale ja. */
export const makeOrder = (overrides: OrderOverrides = {}): Order => {
  const { payment, lines, ...rest } = overrides;
  return {
    orderId: "o-1001",
    buyerId: "buyer-1",
    buyerEmail: "buyer@example.com",
    locale: "ja",
    sellerId: "seller-1",
    sellerEmail: "seller@example.com",
    currency: "JPY",
    lines: (
      lines ?? [
        { lineId: "l1", sku: "SKU-1", title: "ワイヤレスイヤホン", quantity: 1, unitPrice: 4980 },
      ]
    ).map((line) => ({ cancelledQuantity: 0, ...line })),
    shippingFee: 500,
    refundedAmount: 0,
    placedAt: "2026-11-19T01:00:00.000Z",
    status: "SHIPPED",
    shipment: {
      carrier: "Yamato",
      trackingNumber: "1234-5678-9012",
      shippedAt: "2026-11-20T03:00:00.000Z",
    },
    deliveredAt: null,
    activeCancellationRequestId: null,
    importedAt: "2026-11-19T01:00:05.000Z",
    updatedAt: "2026-11-20T03:00:00.000Z",
    timeline: [],
    ...rest,
    payment: { method: "CARD", paidAmount: 5480, ...payment },
  };
};

const addSeconds = (instant: string, seconds: number): string =>
  new Date(Date.parse(instant) + seconds * 1000).toISOString();

/** What a request for every unit of `order` covers and refunds, as the first request would. */
export const wholeOrderTerms = (order: Order, policy = DEFAULT_POLICY) =>
  cancellationAmounts(
    { ...order, lines: order.lines.map((line) => ({ ...line, cancelledQuantity: 0 })) },
    order.lines.map(({ lineId, quantity }) => ({ lineId, quantity })),
    { items: 0, shipping: 0 },
    policy,
  );

/**
 * A request for the whole order awaiting the seller, made under `overrides.policy` (default
 * DEFAULT_POLICY). `sellerDeadline` follows `createdAt` and the policy unless overridden.
 */
export const makeRequest = (
  order: Order,
  overrides: Partial<CancellationRequest> = {},
): CancellationRequest => {
  const policy = overrides.policy ?? DEFAULT_POLICY;
  const createdAt = overrides.createdAt ?? "2026-11-21T00:00:00.000Z";
  return {
    requestId: "req-1",
    orderId: order.orderId,
    status: "AWAITING_SELLER",
    reason: "NO_LONGER_NEEDED",
    comment: null,
    ...wholeOrderTerms(order, policy),
    createdAt,
    updatedAt: createdAt,
    sellerDeadline: addSeconds(createdAt, policy.sellerResponseSeconds),
    sellerRemindedAt: null,
    marketplaceDeadline: null,
    marketplaceReview: null,
    refundRetryDeadline: null,
    rejection: null,
    refund: null,
    policyVersion: policy.version,
    policy,
    timeline: [{ at: createdAt, type: "REQUESTED", actor: order.buyerId }],
    idempotencyKey: "idem-key-0001",
    requestHash: "0".repeat(64),
    ...overrides,
  };
};

/**
 * An order with its requests (default: one request awaiting the seller). Unless the order names
 * one, `activeCancellationRequestId` is set to the non-terminal request, as the service keeps it.
 */
export const makeRecord = (
  order: Order = makeOrder(),
  requests: CancellationRequest[] = [makeRequest(order)],
): OrderRecord => {
  const sorted = [...requests].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const active = sorted.find((request) => !isTerminal(request.status));
  return {
    order: {
      ...order,
      activeCancellationRequestId: order.activeCancellationRequestId ?? active?.requestId ?? null,
    },
    requests: Object.fromEntries(sorted.map((request) => [request.requestId, request])),
  };
};
