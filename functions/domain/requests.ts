// Small read-only questions about an order record's requests, shared by the domain and the store.
import type {
  CancellationReason,
  CancellationRequest,
  Fault,
  Order,
  OrderRecord,
} from "./types.ts";
import { isTerminal } from "./types.ts";

/** The order's request that is still in progress, if any (at most one exists). */
export const activeRequest = (record: OrderRecord): CancellationRequest | undefined => {
  const id = record.order.activeCancellationRequestId;
  return id ? record.requests[id] : undefined;
};

/** The most recent request (by creation time, then id), or undefined when there is none. */
export const latestRequest = (record: OrderRecord): CancellationRequest | undefined => {
  let latest: CancellationRequest | undefined;
  for (const request of Object.values(record.requests)) {
    if (
      !latest ||
      request.createdAt > latest.createdAt ||
      (request.createdAt === latest.createdAt && request.requestId > latest.requestId)
    ) {
      latest = request;
    }
  }
  return latest;
};

/**
 * The deadline of the wait the request is in: the seller's, the marketplace's, or a failed
 * refund's wait for an operator. Null when nobody is being waited for.
 */
export const currentDeadline = (request: CancellationRequest): string | null => {
  switch (request.status) {
    case "REQUESTED":
    case "AWAITING_SELLER":
      return request.sellerDeadline;
    case "AWAITING_MARKETPLACE":
      return request.marketplaceDeadline;
    case "REFUND_FAILED":
      return request.refundRetryDeadline;
    default:
      return null;
  }
};

/** Requests waiting on a person: each must carry a deadline. */
export const isWaiting = (request: CancellationRequest): boolean =>
  request.status === "AWAITING_SELLER" ||
  request.status === "AWAITING_MARKETPLACE" ||
  request.status === "REFUND_FAILED";

export const isOpen = (request: CancellationRequest): boolean => !isTerminal(request.status);

/**
 * What each reason says of who caused the cancellation: the buyer's change of mind, or a delivery
 * too slow (the seller's fault when they shipped after `shipBy`, else the carrier's).
 */
const REASON_CAUSE: Record<CancellationReason, "CHANGE_OF_MIND" | "SLOW_DELIVERY"> = {
  NO_LONGER_NEEDED: "CHANGE_OF_MIND",
  ORDERED_BY_MISTAKE: "CHANGE_OF_MIND",
  FOUND_BETTER_PRICE: "CHANGE_OF_MIND",
  DELIVERY_TOO_SLOW: "SLOW_DELIVERY",
  WRONG_ITEM_ORDERED: "CHANGE_OF_MIND",
  OTHER: "CHANGE_OF_MIND",
};

/**
 * Whose fault a cancellation is (SPEC "Seller performance"): `NONE` for a buyer's change of mind;
 * for DELIVERY_TOO_SLOW, `SELLER` when the order's `shipBy` passed before `shipment.shippedAt`,
 * else `CARRIER`. Set once, when the request ends (draft.ts `close`).
 */
export const faultOf = (
  reason: CancellationReason,
  order: Pick<Order, "shipBy" | "shipment">,
): Fault => {
  if (REASON_CAUSE[reason] === "CHANGE_OF_MIND") return "NONE";
  const { shipBy, shipment } = order;
  const late =
    shipBy !== undefined && shipment && Date.parse(shipBy) < Date.parse(shipment.shippedAt);
  return late ? "SELLER" : "CARRIER";
};

/** Seconds after an ISO instant, as an ISO instant. */
export const addSeconds = (instant: string, seconds: number): string =>
  new Date(Date.parse(instant) + seconds * 1000).toISOString();
