// Plain OrderRecord builders for the store's tests: valid-looking data, no domain rules applied.
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import type {
  CancellationRequest,
  MarketplaceReview,
  Order,
  OrderRecord,
  RequestStatus,
} from "../../functions/domain/types.ts";

const BASE = Date.parse("2026-11-20T10:00:00.000Z");
const HOUR = 3_600_000;

/** An instant `hours` after 2026-11-20T10:00Z, in the domain's normalised ISO form. */
export const at = (hours: number): string => new Date(BASE + hours * HOUR).toISOString();

export const orderRecord = (
  overrides: Partial<Order> & { orderId: string },
  requests: CancellationRequest[] = [],
): OrderRecord => {
  const placedAt = overrides.placedAt ?? at(0);
  const order: Order = {
    buyerId: "buyer-1",
    buyerEmail: "buyer@example.com",
    locale: "ja",
    sellerId: "seller-1",
    sellerEmail: "seller@example.com",
    currency: "JPY",
    lines: [{ lineId: "l1", sku: "SKU-1", title: "湯呑み", quantity: 1, unitPrice: 4980 }],
    shippingFee: 500,
    payment: { method: "CARD", paidAmount: 5480 },
    placedAt,
    status: "SHIPPED",
    shipment: { carrier: "yamato", trackingNumber: "1234-5678", shippedAt: placedAt },
    deliveredAt: null,
    activeCancellationRequestId: null,
    importedAt: placedAt,
    updatedAt: placedAt,
    timeline: [{ at: placedAt, type: "ORDER_IMPORTED", actor: "system" }],
    ...overrides,
  };
  return {
    order,
    requests: Object.fromEntries(requests.map((request) => [request.requestId, request])),
  };
};

export const cancellationRequest = (
  overrides: Partial<CancellationRequest> & {
    requestId: string;
    orderId: string;
    status?: RequestStatus;
    marketplaceReview?: MarketplaceReview | null;
  },
): CancellationRequest => {
  const createdAt = overrides.createdAt ?? at(1);
  return {
    status: "AWAITING_SELLER",
    reason: "NO_LONGER_NEEDED",
    comment: null,
    createdAt,
    updatedAt: createdAt,
    sellerDeadline: new Date(
      Date.parse(createdAt) + DEFAULT_POLICY.sellerResponseSeconds * 1000,
    ).toISOString(),
    sellerRemindedAt: null,
    marketplaceDeadline: null,
    marketplaceReview: null,
    refundRetryDeadline: null,
    rejection: null,
    refund: null,
    policyVersion: DEFAULT_POLICY.version,
    policy: DEFAULT_POLICY,
    timeline: [{ at: createdAt, type: "REQUESTED", actor: "buyer-1" }],
    idempotencyKey: `key-${overrides.requestId}`,
    requestHash: "0".repeat(64),
    ...overrides,
  };
};

/** The record with `request` added or replaced, as a transition would leave it. */
export const withRequest = (record: OrderRecord, request: CancellationRequest): OrderRecord => ({
  order: { ...record.order, updatedAt: request.updatedAt },
  requests: { ...record.requests, [request.requestId]: request },
});
