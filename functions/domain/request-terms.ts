// What a new cancellation request would cover and refund, and who would approve it: shared by the
// transition that makes the request and the preview that only shows it, so the two cannot differ.
import {
  amountOf,
  type CancellationAmounts,
  cancellationAmounts,
  type LineQuantity,
  refundedSoFar,
  selectLines,
} from "./amounts.ts";
import { cancellationOption, ineligibilityError } from "./eligibility.ts";
import { DomainError } from "./events.ts";
import type { Policy } from "./policy.ts";
import { expectedBy, refundMethodFor } from "./refund.ts";
import type {
  CancellationRequest,
  ExpectedBy,
  MarketplaceReview,
  OrderRecord,
  RefundMethod,
} from "./types.ts";

/**
 * Would the policy approve a refund of `amount` without an operator? The order's completed
 * refunds count too, so that two half requests are reviewed as one whole would be.
 */
export const isAutoApprovable = (record: OrderRecord, amount: number, policy: Policy): boolean => {
  const max = policy.autoApproveMaxAmount[record.order.currency];
  const earlier = refundedSoFar(record);
  return (
    max !== undefined &&
    record.order.status !== "DELIVERED" &&
    earlier.items + earlier.shipping + amount <= max
  );
};

/** Who reviews the request for the marketplace when its seller approves it. */
export const reviewFor = (record: OrderRecord, request: CancellationRequest): MarketplaceReview =>
  isAutoApprovable(record, amountOf(request), request.policy) ? "POLICY" : "OPERATOR";

/**
 * The lines and amounts of a request the order's buyer (`actor`) makes now for `lines` (absent:
 * every unit left), or the DomainError that refuses it.
 */
export const newRequestTerms = (
  record: OrderRecord,
  actor: string,
  lines: readonly LineQuantity[] | undefined,
  policy: Policy,
  now: string,
): CancellationAmounts => {
  // Parties see only their own orders: anyone else is told the order does not exist.
  if (actor !== record.order.buyerId) throw new DomainError("NOT_FOUND", "no such order");
  const option = cancellationOption(record, now, policy);
  if (option.reason !== "IN_TRANSIT") {
    throw new DomainError(ineligibilityError[option.reason], `cannot cancel: ${option.reason}`);
  }
  const selection = selectLines(record.order, lines);
  return cancellationAmounts(record.order, selection, refundedSoFar(record), policy);
};

/** `POST …/cancellation-requests/preview`'s answer. */
export interface CancellationPreview extends CancellationAmounts {
  amount: number;
  currency: OrderRecord["order"]["currency"];
  method: RefundMethod;
  /** When the refund would arrive were the request approved today; null when none is made. */
  expectedBy: ExpectedBy | null;
  approval: MarketplaceReview;
}

/** What the request would refund, were it made now; stores nothing. */
export const previewCancellation = (
  record: OrderRecord,
  actor: string,
  lines: readonly LineQuantity[] | undefined,
  policy: Policy,
  now: string,
): CancellationPreview => {
  const terms = newRequestTerms(record, actor, lines, policy, now);
  const amount = amountOf(terms);
  const { order } = record;
  return {
    lines: terms.lines,
    itemsAmount: terms.itemsAmount,
    shippingAmount: terms.shippingAmount,
    amount,
    currency: order.currency,
    method: refundMethodFor(order.payment.method),
    expectedBy: expectedBy(order, policy, now),
    approval: isAutoApprovable(record, amount, policy) ? "POLICY" : "OPERATOR",
  };
};
