// What a decision link of the seller's mail may do (SPEC "Decision links in the seller's mail"):
// whether a request's mail may carry links at all, and whether a stored link still decides. Pure:
// the ids, their hashes and the store are the application's (app/decision-links.ts).
import { amountOf } from "./amounts.ts";
import type { SellerVia } from "./events.ts";
import { decisionLinkMaxOf } from "./policy.ts";
import type { CancellationRequest, OrderRecord } from "./types.ts";

/** What a link's holder is offered: the seller's decision, as the seller-decision route takes it. */
export type LinkDecision = "APPROVE" | "REJECT";
export const LINK_DECISIONS: readonly LinkDecision[] = ["APPROVE", "REJECT"];

/** The timeline entry's `note` of a seller's decision made through a mail link. */
export const MAIL_LINK_NOTE: SellerVia = "MAIL_LINK";

/**
 * Whether the seller's mail about `request` carries Approve and Reject links now: the request
 * awaits the seller, and its refund is at most the policy's `decisionLinkMaxAmount` in the
 * order's currency (a currency the policy does not list: never).
 */
export const mayCarryDecisionLinks = (
  record: OrderRecord,
  request: CancellationRequest,
): boolean => {
  const max = decisionLinkMaxOf(request.policy, record.order.currency);
  return request.status === "AWAITING_SELLER" && max !== undefined && amountOf(request) <= max;
};

/** What a stored link may still do, given the order as it stands. */
export type LinkState =
  /** It decides the request (its form may be shown and sent). */
  | "USABLE"
  /** Used once already. */
  | "USED"
  /** Past its expiry (the seller's deadline when it was minted). */
  | "EXPIRED"
  /** The request no longer awaits the seller: decided, withdrawn, timed out, delivered. */
  | "CLOSED"
  /** Its order or request is not there (nothing a link's holder may learn more of). */
  | "UNKNOWN";

export interface StoredLinkFacts {
  requestId: string;
  sellerId: string;
  expiresAt: string;
  usedAt?: string;
}

export const linkState = (
  link: StoredLinkFacts,
  record: OrderRecord | undefined,
  now: string,
): LinkState => {
  const request =
    record && Object.hasOwn(record.requests, link.requestId)
      ? record.requests[link.requestId]
      : undefined;
  if (!record || !request || record.order.sellerId !== link.sellerId) return "UNKNOWN";
  if (link.usedAt !== undefined) return "USED";
  if (Date.parse(now) >= Date.parse(link.expiresAt)) return "EXPIRED";
  if (request.status !== "AWAITING_SELLER") return "CLOSED";
  return "USABLE";
};
