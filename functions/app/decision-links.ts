// The seller's decision links (SPEC "Decision links in the seller's mail"): minted when the
// seller's new-request or reminder mail goes out, opened by the link's page and its form. A link's
// id is 128 random bits (base64url), its only credential: the store keeps its SHA-256 alone, so a
// copy of the table decides nothing. Whether a link may be minted or still decides is the
// domain's (domain/decision-links.ts).
import { createHash, randomBytes } from "node:crypto";
import {
  LINK_DECISIONS,
  type LinkDecision,
  type LinkState,
  linkState,
  mayCarryDecisionLinks,
} from "../domain/decision-links.ts";
import type { CancellationRequest, OrderRecord } from "../domain/types.ts";
import type { SellerDecisionWays } from "../notifications/render.ts";
import type { Clock, DecisionLink, DecisionLinks, Orders, StoredOrder } from "./ports.ts";

/** A link's id: 16 random bytes as base64url, 22 characters without padding. */
const LINK_ID = /^[A-Za-z0-9_-]{22}$/;

export const newLinkId = (): string => randomBytes(16).toString("base64url");

/** What the store keeps of an id: its lowercase hex SHA-256. */
export const linkHash = (id: string): string => createHash("sha256").update(id).digest("hex");

/** Whether `id` has a link id's shape (anything else is no link: 404 without a look-up). */
export const isLinkId = (id: string): boolean => LINK_ID.test(id);

/** The link's address under the service's public origin (`https://…`, no trailing slash). */
export const linkUrl = (origin: string, id: string): string => `${origin}/decide/${id}`;

/** What the mail step needs to mint links: the store and the origin its addresses start with. */
export interface LinkMinting {
  links: Pick<DecisionLinks, "mint">;
  /** The console's origin (`https://<distribution domain>`; locally `http://127.0.0.1:<port>`). */
  origin: string;
  clock: Clock;
}

/**
 * Mints a new Approve and Reject link for the request when its mail may carry them (each mail
 * its own pair: a reminder's links are new, and a mail sent twice mints twice; every link dies
 * with the request's wait for the seller anyway); else only the console's address.
 */
export const sellerMailLinks = async (
  deps: LinkMinting,
  record: OrderRecord,
  request: CancellationRequest,
): Promise<SellerDecisionWays> => {
  if (!mayCarryDecisionLinks(record, request))
    return { kind: "CONSOLE", console: `${deps.origin}/` };
  const mintedAt = deps.clock.now();
  const urls: Partial<Record<LinkDecision, string>> = {};
  for (const decision of LINK_DECISIONS) {
    const id = newLinkId();
    await deps.links.mint({
      hash: linkHash(id),
      orderId: record.order.orderId,
      requestId: request.requestId,
      sellerId: record.order.sellerId,
      decision,
      expiresAt: request.sellerDeadline,
      mintedAt,
    });
    urls[decision] = linkUrl(deps.origin, id);
  }
  return { kind: "LINKS", approve: urls.APPROVE ?? "", reject: urls.REJECT ?? "" };
};

export interface OpenDeps {
  links: Pick<DecisionLinks, "find">;
  orders: Pick<Orders, "get">;
  clock: Clock;
}

/** A link found, with what it may still do and the order and request it is about. */
export interface FoundLink {
  state: Exclude<LinkState, "UNKNOWN">;
  link: DecisionLink;
  stored: StoredOrder;
  request: CancellationRequest;
}

/** A link as its page finds it: unknown, or found. */
export type OpenedLink = { state: "UNKNOWN" } | FoundLink;

/** Finds the link of `id` and the order it is about; reads only, never writes. */
export const openDecisionLink = async (deps: OpenDeps, id: string): Promise<OpenedLink> => {
  if (!isLinkId(id)) return { state: "UNKNOWN" };
  const link = await deps.links.find(linkHash(id));
  if (!link) return { state: "UNKNOWN" };
  const stored = await deps.orders.get(link.orderId);
  const state = linkState(link, stored?.record, deps.clock.now());
  const request = stored?.record.requests[link.requestId];
  if (state === "UNKNOWN" || !stored || !request) return { state: "UNKNOWN" };
  return { state, link, stored, request };
};
