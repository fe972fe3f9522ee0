// Who may see which order: its buyer, its seller, any operator; everyone else is told it does not
// exist. Shared by the handlers that read an order before (or instead of) a domain transition.
import { currentPolicy } from "../adapters/config.ts";
import type { OrderSummary, Orders, StoredOrder } from "../app/ports.ts";
import { DomainError } from "../domain/events.ts";
import type { CancellationRequest, Order, OrderRecord } from "../domain/types.ts";
import { type PublicOrder, publicOrderOf, toPublicOrder } from "../domain/views.ts";
import type { Caller } from "./caller.ts";

export const isBuyerOf = (caller: Caller, order: Order): boolean =>
  caller.roles.has("buyer") && caller.sub === order.buyerId;

export const isSellerOf = (caller: Caller, order: Order): boolean =>
  caller.roles.has("seller") && caller.sub === order.sellerId;

/** Parties and operators may read an order and its requests. */
export const canRead = (caller: Caller, order: Order): boolean =>
  caller.roles.has("operator") || isBuyerOf(caller, order) || isSellerOf(caller, order);

/** The order if `visible` to the caller; a missing order and a stranger's get the same 404. */
export const loadOrder = async (
  orders: Orders,
  orderId: string,
  visible: (order: Order) => boolean,
): Promise<StoredOrder> => {
  const stored = await orders.get(orderId);
  if (!stored || !visible(stored.record.order)) throw new DomainError("NOT_FOUND", "no such order");
  return stored;
};

/** One of the order's own requests (a request id of another order is not found here). */
export const requestOf = (record: OrderRecord, requestId: string): CancellationRequest => {
  const request = Object.hasOwn(record.requests, requestId)
    ? record.requests[requestId]
    : undefined;
  if (!request) throw new DomainError("NOT_FOUND", "no such cancellation request");
  return request;
};

/** The order as clients see it, with what the buyer can do `now` under the policy in force. */
export const publicOrder = (record: OrderRecord, now: string): PublicOrder =>
  toPublicOrder(record, now, currentPolicy());

/** The same view of a buyer-list entry (the order and the facts about its requests). */
export const publicOrderSummary = (summary: OrderSummary, now: string): PublicOrder =>
  publicOrderOf(summary.order, summary, now, currentPolicy());

export const requestPath = (orderId: string, requestId: string): string =>
  `/orders/${encodeURIComponent(orderId)}/cancellation-requests/${encodeURIComponent(requestId)}`;
