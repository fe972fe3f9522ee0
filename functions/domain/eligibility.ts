// What a buyer can do about an order right now: cancel it in transit, return it, or nothing.
import type { DomainErrorCode } from "./events.ts";
import type { Policy } from "./policy.ts";
import { activeRequest, addSeconds } from "./requests.ts";
import type { CancellationOption, CancellationOptionReason, OrderRecord } from "./types.ts";

const DAY_SECONDS = 86_400;

/** The last instant at which a shipped order may still be cancelled under `policy`. */
export const windowClosesAt = (shippedAt: string, policy: Policy): string =>
  addSeconds(shippedAt, policy.cancellationWindowDays * DAY_SECONDS);

export const cancellationOption = (
  record: OrderRecord,
  now: string,
  policy: Policy,
): CancellationOption => {
  const { order } = record;
  if (order.status === "CANCELLED") return { kind: "NONE", reason: "ALREADY_CANCELLED" };
  if (activeRequest(record)) return { kind: "NONE", reason: "ACTIVE_REQUEST_EXISTS" };
  if (order.status === "DELIVERED") return { kind: "RETURN", reason: "RETURN_REQUIRED" };
  if (order.status === "PLACED" || !order.shipment) return { kind: "NONE", reason: "NOT_SHIPPED" };
  if (Date.parse(now) > Date.parse(windowClosesAt(order.shipment.shippedAt, policy))) {
    return { kind: "NONE", reason: "WINDOW_CLOSED" };
  }
  if (Object.keys(record.requests).length >= policy.maxRequestsPerOrder) {
    return { kind: "NONE", reason: "REQUEST_LIMIT_REACHED" };
  }
  return { kind: "CANCEL", reason: "IN_TRANSIT" };
};

/** The SPEC error code that refuses a cancellation request for each reason it is not possible. */
export const ineligibilityError: Record<
  Exclude<CancellationOptionReason, "IN_TRANSIT">,
  DomainErrorCode
> = {
  NOT_SHIPPED: "NOT_SHIPPED",
  WINDOW_CLOSED: "WINDOW_CLOSED",
  RETURN_REQUIRED: "RETURN_REQUIRED",
  ACTIVE_REQUEST_EXISTS: "ACTIVE_REQUEST_EXISTS",
  ALREADY_CANCELLED: "INVALID_STATE",
  REQUEST_LIMIT_REACHED: "INVALID_STATE",
};
