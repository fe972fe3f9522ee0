// What a cancellation request covers and refunds: its lines and units, and the amounts for items
// and shipping, from the order, what completed requests already refunded and the policy. Pure and
// in integers of the currency's minor unit, every share rounded down; the request that cancels the
// last unit takes what is left, so one order's refunds add up to exactly what was refundable.
import { DomainError } from "./events.ts";
import type { Policy } from "./policy.ts";
import type { Order, OrderLine, OrderRecord } from "./types.ts";

/** Units of one line, as a request body names them. */
export interface LineQuantity {
  lineId: string;
  quantity: number;
}

/** A line a request covers: its units and what is refunded for them. */
export interface RequestLine extends LineQuantity {
  amount: number;
}

export interface CancellationAmounts {
  lines: RequestLine[];
  itemsAmount: number;
  shippingAmount: number;
}

/** What earlier requests refunded for items and for shipping. */
export interface RefundedSoFar {
  items: number;
  shipping: number;
}

/** What a request refunds in all: its items and its shipping. */
export const amountOf = (amounts: Pick<CancellationAmounts, "itemsAmount" | "shippingAmount">) =>
  amounts.itemsAmount + amounts.shippingAmount;

/** Units of a line not yet cancelled. */
export const unitsLeft = (line: OrderLine): number => line.quantity - line.cancelledQuantity;

/** Whether every unit of the order is cancelled. */
export const nothingLeft = (order: Order): boolean =>
  order.lines.every((line) => unitsLeft(line) === 0);

/**
 * What was paid for the items and for shipping: a discount (the gap between the lines plus the
 * fee and `paidAmount`) lowers the items, never shipping. Cash on delivery was never paid.
 */
export const paidSplit = (order: Order): { itemsPaid: number; shippingPaid: number } => {
  const paid = order.payment.method === "CASH_ON_DELIVERY" ? 0 : order.payment.paidAmount;
  const itemsPaid = Math.max(0, paid - order.shippingFee);
  return { itemsPaid, shippingPaid: paid - itemsPaid };
};

/** The allocations of the order's completed requests (each counted once it completed). */
export const refundedSoFar = (record: OrderRecord): RefundedSoFar => {
  const sum = { items: 0, shipping: 0 };
  for (const request of Object.values(record.requests)) {
    if (request.status !== "COMPLETED") continue;
    sum.items += request.itemsAmount;
    sum.shipping += request.shippingAmount;
  }
  return sum;
};

const invalid = (message: string, field: string): never => {
  throw new DomainError("VALIDATION_FAILED", message, { field });
};

/**
 * The units a request covers, in the order's line order: the named ones, checked against what is
 * left of each line, or without `lines` every unit left. Refuses as SPEC says.
 */
export const selectLines = (order: Order, requested?: readonly LineQuantity[]): LineQuantity[] => {
  if (nothingLeft(order)) {
    throw new DomainError("NOTHING_TO_CANCEL", "every unit of the order is already cancelled");
  }
  if (requested === undefined) {
    return order.lines
      .filter((line) => unitsLeft(line) > 0)
      .map((line) => ({ lineId: line.lineId, quantity: unitsLeft(line) }));
  }
  // The buyer refuses a cash-on-delivery parcel as a whole: there is nothing to pay back per line.
  if (order.payment.method === "CASH_ON_DELIVERY") {
    throw new DomainError(
      "PARTIAL_NOT_SUPPORTED",
      "a cash-on-delivery order is cancelled as a whole (the buyer refuses the parcel)",
    );
  }
  if (requested.length === 0) invalid("must name at least one line", "body.lines");
  const wanted = new Map<string, number>();
  requested.forEach(({ lineId, quantity }, index) => {
    const line = order.lines.find((candidate) => candidate.lineId === lineId);
    if (!line) invalid(`the order has no line ${lineId}`, `body.lines.${index}.lineId`);
    if (wanted.has(lineId)) invalid("names a line twice", `body.lines.${index}.lineId`);
    const left = unitsLeft(line as OrderLine);
    if (quantity < 1 || quantity > left) {
      invalid(`must be 1 to ${left} (the units of this line left)`, `body.lines.${index}.quantity`);
    }
    wanted.set(lineId, quantity);
  });
  return order.lines.flatMap((line) => {
    const quantity = wanted.get(line.lineId);
    return quantity === undefined ? [] : [{ lineId: line.lineId, quantity }];
  });
};

/** floor(a × b ÷ c) without losing precision (a × b may pass 2^53); 0 when c is 0. */
const share = (a: number, b: number, c: number): number =>
  c === 0 ? 0 : Number((BigInt(a) * BigInt(b)) / BigInt(c));

/**
 * The amounts of a request for `selection` (from selectLines) under `policy`: each line its share
 * of what was paid for the items, by undiscounted value; shipping as `partialShippingRefund` says.
 * The request that cancels the last unit takes what earlier requests left of both.
 */
export const cancellationAmounts = (
  order: Order,
  selection: readonly LineQuantity[],
  earlier: RefundedSoFar,
  policy: Policy,
): CancellationAmounts => {
  const { itemsPaid, shippingPaid } = paidSplit(order);
  const priceOf = new Map(order.lines.map((line) => [line.lineId, line.unitPrice]));
  const undiscountedValue = ({ lineId, quantity }: LineQuantity) =>
    (priceOf.get(lineId) ?? 0) * quantity;
  const orderValue = order.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  const selected = new Map(selection.map((line) => [line.lineId, line.quantity]));
  const isLast = order.lines.every((line) => unitsLeft(line) === (selected.get(line.lineId) ?? 0));

  const lines = selection.map((line) => ({
    ...line,
    amount: share(undiscountedValue(line), itemsPaid, orderValue),
  }));
  if (isLast && lines.length > 0) {
    // The last line takes the difference, so the order's item refunds add up to itemsPaid.
    const others = lines.slice(0, -1).reduce((sum, line) => sum + line.amount, 0);
    const last = lines[lines.length - 1] as RequestLine;
    last.amount = Math.max(0, itemsPaid - earlier.items - others);
  }
  const itemsAmount = lines.reduce((sum, line) => sum + line.amount, 0);

  const shippingLeft = Math.max(0, shippingPaid - earlier.shipping);
  const requestValue = selection.reduce((sum, line) => sum + undiscountedValue(line), 0);
  let shippingAmount = 0;
  if (policy.refundShippingFee && policy.partialShippingRefund !== "NONE") {
    if (isLast) shippingAmount = shippingLeft;
    else if (policy.partialShippingRefund === "PRORATED") {
      shippingAmount = Math.min(shippingLeft, share(shippingPaid, requestValue, orderValue));
    }
  }
  return { lines, itemsAmount, shippingAmount };
};
