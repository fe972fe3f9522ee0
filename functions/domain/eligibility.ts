// What a buyer can do about an order right now: cancel it in transit, return it, or nothing.
import type { DomainErrorCode } from "./events.ts";
import type { Policy } from "./policy.ts";
import { activeRequest, addSeconds } from "./requests.ts";
import type { CancellationOption, CancellationOptionReason, Order, OrderRecord } from "./types.ts";

const DAY_SECONDS = 86_400;

/** The last instant at which a shipped order may still be cancelled under `policy`. */
export const windowClosesAt = (shippedAt: string, policy: Policy): string =>
  addSeconds(shippedAt, policy.cancellationWindowDays * DAY_SECONDS);

/** All an order's requests tell about what its buyer can do (the buyer's list index stores it). */
export interface RequestFacts {
  requestCount: number;
  hasActiveRequest: boolean;
}

export const requestFacts = (record: OrderRecord): RequestFacts => ({
  requestCount: Object.keys(record.requests).length,
  hasActiveRequest: activeRequest(record) !== undefined,
});

/** What the buyer can do about `order`, knowing only `facts` about its requests. */
export const cancellationOptionOf = (
  order: Order,
  facts: RequestFacts,
  now: string,
  policy: Policy,
): CancellationOption => {
  if (order.status === "CANCELLED") return { kind: "NONE", reason: "ALREADY_CANCELLED" };
  if (facts.hasActiveRequest) return { kind: "NONE", reason: "ACTIVE_REQUEST_EXISTS" };
  if (order.status === "DELIVERED") return { kind: "RETURN", reason: "RETURN_REQUIRED" };
  if (order.status === "PLACED" || !order.shipment) return { kind: "NONE", reason: "NOT_SHIPPED" };
  if (Date.parse(now) > Date.parse(windowClosesAt(order.shipment.shippedAt, policy))) {
    return { kind: "NONE", reason: "WINDOW_CLOSED" };
  }
  if (facts.requestCount >= policy.maxRequestsPerOrder) {
    return { kind: "NONE", reason: "REQUEST_LIMIT_REACHED" };
  }
  return { kind: "CANCEL", reason: "IN_TRANSIT" };
};

export const cancellationOption = (
  record: OrderRecord,
  now: string,
  policy: Policy,
): CancellationOption => cancellationOptionOf(record.order, requestFacts(record), now, policy);

/** The SPEC error code that refuses a cancellation request for each reason it is not possible. */
export const ineligibilityError: Record<
  Exclude<CancellationOptionReason, "IN_TRANSIT">,
  DomainErrorCode
> = {
  NOT_SHIPPED: "NOT_SHIPPED",
  WINDOW_CLOSED: "WINDOW_CLOSED",
  RETURN_REQUIRED: "RETURN_REQUIRED",
  ACTIVE_REQUEST_EXISTS: "ACTIVE_REQUEST_EXISTS",
  ALREADY_CANCELLED: "NOTHING_TO_CANCEL",
  REQUEST_LIMIT_REACHED: "INVALID_STATE",
};
