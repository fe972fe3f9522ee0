// The chaos model's own reading of SPEC's "Line-level cancellation and the refund preview": which
// units a request may cover, what the cancellation POST (or its preview) answers a body, and what
// each line, the items and shipping refund. Worked out here again, from the rules, rather than by
// functions/domain/amounts.ts, whose answers the harness checks against it. Pure.
import { isDeepStrictEqual } from "node:util";
import type {
  CancellationRequest,
  Currency,
  Order,
  PaymentMethod,
  RefundMethod,
} from "../../functions/domain/types.ts";
import { isTerminal } from "../../functions/domain/types.ts";

/** What the model needs of the service's policy (CHAOS_POLICY states it: the defaults' values). */
export interface LinePolicy {
  autoApproveMaxAmount: Partial<Record<Currency, number>>;
  refundShippingFee: boolean;
  partialShippingRefund: "WHEN_ALL_CANCELLED" | "PRORATED" | "NONE";
  maxRequestsPerOrder: number;
}

/** Units of one line, as a body names them (quantity as sent: the model sends bad ones too). */
export interface LineQuantity {
  lineId: string;
  quantity: number;
}

export interface Terms {
  lines: { lineId: string; quantity: number; amount: number }[];
  itemsAmount: number;
  shippingAmount: number;
}

/** An order as one request found it: what the requests completed before it cancelled and refunded. */
export interface OrderFacts {
  order: Order;
  /** Units left per line id: the line's quantity minus what completed requests cancelled. */
  left: Map<string, number>;
  /** What completed requests refunded for items and for shipping. */
  refunded: { items: number; shipping: number };
  /** A request not yet terminal. */
  active: boolean;
  requests: number;
}

/** The order with `requests` (those made so far, or those before one request) as its requests. */
export const factsOf = (order: Order, requests: readonly CancellationRequest[]): OrderFacts => {
  const left = new Map(order.lines.map((line) => [line.lineId, line.quantity]));
  const refunded = { items: 0, shipping: 0 };
  for (const request of requests) {
    if (request.status !== "COMPLETED") continue;
    for (const { lineId, quantity } of request.lines) {
      left.set(lineId, (left.get(lineId) ?? 0) - quantity);
    }
    refunded.items += request.itemsAmount;
    refunded.shipping += request.shippingAmount;
  }
  return {
    order,
    left,
    refunded,
    active: requests.some((request) => !isTerminal(request.status)),
    requests: requests.length,
  };
};

/** SPEC: a discount lowers the items, never shipping; cash on delivery was never paid. */
export const paidSplit = (order: Order): { itemsPaid: number; shippingPaid: number } => {
  const paid = order.payment.method === "CASH_ON_DELIVERY" ? 0 : order.payment.paidAmount;
  const itemsPaid = Math.max(0, paid - order.shippingFee);
  return { itemsPaid, shippingPaid: paid - itemsPaid };
};

/** floor(a × b ÷ c), exactly. */
const floorShare = (a: number, b: number, c: number): number =>
  c === 0 ? 0 : Number((BigInt(a) * BigInt(b)) / BigInt(c));

/** SPEC: the original method; convenience-store payments become gift balance. */
export const REFUND_METHOD: Readonly<Record<PaymentMethod, RefundMethod>> = {
  CARD: "CARD",
  GIFT_CARD: "GIFT_CARD",
  POINTS: "POINTS",
  CONVENIENCE_STORE: "GIFT_CARD",
  CASH_ON_DELIVERY: "CASH_ON_DELIVERY",
};

/** The request body's checks (schemas.ts): at least one entry, quantities whole, 1 to 10,000. */
const bodyErrors = (lines: unknown): string[] => {
  if (lines === undefined) return [];
  if (!Array.isArray(lines) || lines.length === 0) return ["body.lines"];
  return lines.flatMap((line: { quantity?: unknown }, index) => {
    const { quantity } = line;
    return Number.isInteger(quantity) && (quantity as number) >= 1 && (quantity as number) <= 10_000
      ? []
      : [`body.lines.${index}.quantity`];
  });
};

/**
 * The units `lines` selects (without it, every unit left), by line id; or every entry SPEC
 * refuses (a line the order lacks or named twice: its `lineId`; more than is left: its
 * `quantity`), any of which the 400 may name.
 */
export const selectionOf = (
  facts: OrderFacts,
  lines: readonly LineQuantity[] | undefined,
): Map<string, number> | { paths: string[] } => {
  if (lines === undefined) {
    return new Map([...facts.left].filter(([, left]) => left > 0));
  }
  const paths: string[] = [];
  const selected = new Map<string, number>();
  lines.forEach(({ lineId, quantity }, index) => {
    if (!facts.left.has(lineId) || selected.has(lineId)) paths.push(`body.lines.${index}.lineId`);
    else if (quantity > (facts.left.get(lineId) ?? 0)) {
      paths.push(`body.lines.${index}.quantity`);
    }
    selected.set(lineId, quantity);
  });
  return paths.length > 0 ? { paths } : selected;
};

/**
 * SPEC's amounts for the units `selected`: each line floor(its undiscounted value × itemsPaid ÷
 * the order's), the request that cancels the last unit taking itemsPaid minus what earlier ones
 * refunded for items (its last line, in the order's line order, the difference); shipping by
 * `partialShippingRefund`, the last request taking what is left of shippingPaid.
 */
export const termsOf = (
  facts: OrderFacts,
  selected: ReadonlyMap<string, number>,
  policy: LinePolicy,
): Terms => {
  const { order } = facts;
  const { itemsPaid, shippingPaid } = paidSplit(order);
  const orderValue = order.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  let requestValue = 0;
  const lines = order.lines.flatMap((line) => {
    const quantity = selected.get(line.lineId);
    if (quantity === undefined) return [];
    requestValue += line.unitPrice * quantity;
    return [
      {
        lineId: line.lineId,
        quantity,
        amount: floorShare(line.unitPrice * quantity, itemsPaid, orderValue),
      },
    ];
  });
  const last = order.lines.every(
    (line) => (facts.left.get(line.lineId) ?? 0) === (selected.get(line.lineId) ?? 0),
  );
  const final = lines.at(-1);
  if (last && final) {
    const others = lines.slice(0, -1).reduce((sum, line) => sum + line.amount, 0);
    final.amount = itemsPaid - facts.refunded.items - others;
  }
  let shippingAmount = 0;
  if (policy.refundShippingFee && policy.partialShippingRefund !== "NONE") {
    if (last) shippingAmount = shippingPaid - facts.refunded.shipping;
    else if (policy.partialShippingRefund === "PRORATED") {
      shippingAmount = floorShare(shippingPaid, requestValue, orderValue);
    }
  }
  return {
    lines,
    itemsAmount: lines.reduce((sum, line) => sum + line.amount, 0),
    shippingAmount,
  };
};

/** What every unit cancelled and refunded adds up to: itemsPaid, and shippingPaid if refunded. */
export const refundableTotal = (order: Order, policy: LinePolicy): number => {
  const { itemsPaid, shippingPaid } = paidSplit(order);
  const shipping = policy.refundShippingFee && policy.partialShippingRefund !== "NONE";
  return itemsPaid + (shipping ? shippingPaid : 0);
};

/**
 * SPEC: the policy approves when the order's completed refunds and this one fit its limit (and
 * the order is undelivered, as it is whenever a request is made or approved by its seller:
 * delivery ends an open request as RETURN_REQUIRED).
 */
export const approvalOf = (
  facts: OrderFacts,
  amount: number,
  policy: LinePolicy,
): "POLICY" | "OPERATOR" => {
  const max = policy.autoApproveMaxAmount[facts.order.currency];
  const earlier = facts.refunded.items + facts.refunded.shipping;
  return max !== undefined && earlier + amount <= max ? "POLICY" : "OPERATOR";
};

/** What the cancellation POST (or its preview) must answer. */
export type Expected =
  | { status: "ACCEPTED"; terms: Terms; approval: "POLICY" | "OPERATOR" }
  | { status: 400; paths: string[] }
  | { status: 409; code: string };

/**
 * The answer to `body` on an order in the state `facts`. Checks in this order: the body itself;
 * whether the buyer may cancel at all (everything cancelled, a request under way, delivered, not
 * shipped, the policy's request limit); `lines` on cash on delivery; then the lines against what
 * is left.
 */
export const expectAnswer = (
  facts: OrderFacts,
  body: { lines?: readonly LineQuantity[] },
  policy: LinePolicy,
): Expected => {
  const malformed = bodyErrors(body.lines);
  if (malformed.length > 0) return { status: 400, paths: malformed };
  const { order } = facts;
  const conflict = (code: string): Expected => ({ status: 409, code });
  if (order.status === "CANCELLED") return conflict("NOTHING_TO_CANCEL");
  if (facts.active) return conflict("ACTIVE_REQUEST_EXISTS");
  if (order.status === "DELIVERED") return conflict("RETURN_REQUIRED");
  if (order.status === "PLACED") return conflict("NOT_SHIPPED");
  if (facts.requests >= policy.maxRequestsPerOrder) return conflict("INVALID_STATE");
  if ([...facts.left.values()].every((left) => left <= 0)) return conflict("NOTHING_TO_CANCEL");
  if (body.lines && order.payment.method === "CASH_ON_DELIVERY") {
    return conflict("PARTIAL_NOT_SUPPORTED");
  }
  const selected = selectionOf(facts, body.lines);
  if ("paths" in selected) return { status: 400, paths: selected.paths };
  const terms = termsOf(facts, selected, policy);
  return {
    status: "ACCEPTED",
    terms,
    approval: approvalOf(facts, terms.itemsAmount + terms.shippingAmount, policy),
  };
};

/** A request's (or a preview's) lines and amounts, as Terms. */
export const termsView = (answer: {
  lines?: readonly { lineId: string; quantity: number; amount: number }[];
  itemsAmount?: number;
  shippingAmount?: number;
}): Terms => ({
  lines: (answer.lines ?? []).map(({ lineId, quantity, amount }) => ({ lineId, quantity, amount })),
  itemsAmount: Number(answer.itemsAmount),
  shippingAmount: Number(answer.shippingAmount),
});

export const sameTerms = (a: Terms, b: Terms): boolean => isDeepStrictEqual(a, b);

// ---------------------------------------------------------------------------------------------
// What the buyer asks for

/** Ways to get `lines` wrong: the body's checks (the first five), then the order's (the rest). */
export const BAD_LINES = [
  "zero",
  "negative",
  "fraction",
  "tooMany",
  "empty",
  "over",
  "unknown",
  "twice",
] as const;
export type BadLines = (typeof BAD_LINES)[number];

/**
 * Which units the buyer names, chosen before the order's state is known and resolved against it
 * when the buyer asks: no `lines` (every unit left); per line a share of what is left, in
 * quarters (0: leave the line out; at least one unit of some line is asked), listed in the
 * order's line order or reversed; or such a selection spoilt in one of the BAD_LINES ways.
 */
export type LinePick =
  | { kind: "whole" }
  | { kind: "some"; quarters: readonly number[]; reversed: boolean }
  | { kind: "bad"; how: BadLines; at: number };

export const WHOLE: LinePick = { kind: "whole" };

export const describePick = (pick: LinePick): string => {
  switch (pick.kind) {
    case "whole":
      return "whole";
    case "some":
      return `lines ${pick.quarters.join("")}/4${pick.reversed ? " reversed" : ""}`;
    case "bad":
      return `lines ${pick.how} at ${pick.at}`;
  }
};

/** The `lines` the buyer sends for `pick`, on the order as `facts` has it. */
export const resolvePick = (pick: LinePick, facts: OrderFacts): LineQuantity[] | undefined => {
  if (pick.kind === "whole") return undefined;
  const quarters = pick.kind === "some" ? pick.quarters : [2];
  const lines = facts.order.lines.flatMap((line, index) => {
    const left = facts.left.get(line.lineId) ?? 0;
    const share = quarters[index % quarters.length] ?? 0;
    if (left <= 0 || share <= 0) return [];
    return [{ lineId: line.lineId, quantity: Math.max(1, Math.ceil((left * share) / 4)) }];
  });
  if (lines.length === 0) {
    // Nothing chosen, or nothing left: one unit of the first line with units left (or the first).
    const line =
      facts.order.lines.find((candidate) => (facts.left.get(candidate.lineId) ?? 0) > 0) ??
      facts.order.lines[0];
    lines.push({ lineId: line?.lineId ?? "l1", quantity: 1 });
  }
  if (pick.kind === "some") return pick.reversed ? lines.reverse() : lines;
  const at = pick.at % lines.length;
  const entry = lines[at] as LineQuantity;
  switch (pick.how) {
    case "zero":
      entry.quantity = 0;
      break;
    case "negative":
      entry.quantity = -1;
      break;
    case "fraction":
      entry.quantity = 1.5;
      break;
    case "tooMany":
      entry.quantity = 10_001;
      break;
    case "empty":
      return [];
    case "over":
      entry.quantity = (facts.left.get(entry.lineId) ?? 0) + 1;
      break;
    case "unknown":
      entry.lineId = "l9";
      break;
    case "twice":
      lines.push({ lineId: entry.lineId, quantity: 1 });
      break;
  }
  return lines;
};
