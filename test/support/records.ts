// Plain OrderRecord builders for the store's tests, on the shared factories: valid-looking data on
// a fixed clock (at(hours)), no domain rules applied.
import type {
  CancellationRequest,
  MarketplaceReview,
  OrderRecord,
  RequestStatus,
} from "../../functions/domain/types.ts";
import { makeOrder, makeRequest, type OrderOverrides } from "./factories.ts";

const BASE = Date.parse("2026-11-20T10:00:00.000Z");
const HOUR = 3_600_000;

/** An instant `hours` after 2026-11-20T10:00Z, in the domain's normalised ISO form. */
export const at = (hours: number): string => new Date(BASE + hours * HOUR).toISOString();

/** A shipped order placed (and shipped) at at(0), with `requests` as given. */
export const orderRecord = (
  overrides: OrderOverrides & { orderId: string },
  requests: CancellationRequest[] = [],
): OrderRecord => {
  const placedAt = overrides.placedAt ?? at(0);
  const order = makeOrder({
    lines: [{ lineId: "l1", sku: "SKU-1", title: "湯呑み", quantity: 1, unitPrice: 4980 }],
    placedAt,
    shipment: { carrier: "yamato", trackingNumber: "1234-5678", shippedAt: placedAt },
    importedAt: placedAt,
    updatedAt: placedAt,
    timeline: [{ at: placedAt, type: "ORDER_IMPORTED", actor: "system" }],
    ...overrides,
  });
  return {
    order,
    requests: Object.fromEntries(requests.map((request) => [request.requestId, request])),
  };
};

/** A request on `orderId` awaiting the seller, made at at(1) unless overridden. */
export const cancellationRequest = (
  overrides: Partial<CancellationRequest> & {
    requestId: string;
    orderId: string;
    status?: RequestStatus;
    marketplaceReview?: MarketplaceReview | null;
  },
): CancellationRequest =>
  makeRequest(makeOrder({ orderId: overrides.orderId }), {
    createdAt: at(1),
    idempotencyKey: `key-${overrides.requestId}`,
    ...overrides,
  });

/** The record with `request` added or replaced, as a transition would leave it. */
export const withRequest = (record: OrderRecord, request: CancellationRequest): OrderRecord => ({
  order: { ...record.order, updatedAt: request.updatedAt },
  requests: { ...record.requests, [request.requestId]: request },
});

/** The request of order `orderId` waiting for its seller until `deadlineHours`. */
export const awaitingSeller = (orderId: string, deadlineHours: number, createdHours = 1) =>
  cancellationRequest({
    requestId: `${orderId}-r1`,
    orderId,
    createdAt: at(createdHours),
    sellerDeadline: at(deadlineHours),
  });

/** The request after the seller's approval, under `review` until `deadlineHours`. */
export const awaitingMarketplace = (
  request: CancellationRequest,
  review: "POLICY" | "OPERATOR",
  deadlineHours: number,
): CancellationRequest => ({
  ...request,
  status: "AWAITING_MARKETPLACE",
  marketplaceReview: review,
  marketplaceDeadline: at(deadlineHours),
  updatedAt: at(2),
});
