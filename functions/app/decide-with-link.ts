// A seller's decision through a link of the seller's mail (SPEC "Decision links in the seller's
// mail"): the link's form decides as the seller would through the API, once, and the link is
// marked used; anything else changes nothing.
import { MAIL_LINK_NOTE } from "../domain/decision-links.ts";
import { DomainError, type DomainEvent } from "../domain/events.ts";
import { decisionSchema } from "../domain/schemas.ts";
import { type ChangeDeps, changeOrder } from "./change-order.ts";
import { type FoundLink, openDecisionLink } from "./decision-links.ts";
import type { DecisionLinks } from "./ports.ts";

export type DecideDeps = ChangeDeps & { links: Pick<DecisionLinks, "find" | "markUsed"> };

/** What a link's form did: nothing (unknown, no longer deciding, no reason given), or decided. */
export type LinkOutcome =
  | { kind: "UNKNOWN" }
  | { kind: "GONE"; why: "USED" | "EXPIRED" | "CLOSED"; found: FoundLink }
  | { kind: "REASON_MISSING"; found: FoundLink; reason: string }
  /** The body was no form (`application/x-www-form-urlencoded`). */
  | { kind: "UNREADABLE"; found: FoundLink }
  | { kind: "DECIDED"; found: FoundLink; reason?: string };

/**
 * The link's decision, as its seller would make it through the API (SELLER_DECIDE: the same
 * rules, deadline and one conditional write, its timeline entry noted MAIL_LINK), then the link
 * marked used. `form`: its fields (`reason`, required to reject, as the API requires it), or
 * undefined when the body was no form.
 */
export const decideWithLink = async (
  deps: DecideDeps,
  id: string,
  form: { reason?: string } | undefined,
): Promise<LinkOutcome> => {
  const found = await openDecisionLink(deps, id);
  if (found.state === "UNKNOWN") return { kind: "UNKNOWN" };
  if (found.state !== "USABLE") return { kind: "GONE", why: found.state, found };
  if (!form) return { kind: "UNREADABLE", found };
  const { link } = found;
  // A browser sends a textarea's line breaks as CRLF; the API's text takes LF.
  const reason = (form.reason ?? "").replaceAll("\r\n", "\n");
  const input =
    link.decision === "REJECT" ? { decision: "REJECT", reason } : { decision: "APPROVE" };
  if (!decisionSchema.safeParse(input).success) return { kind: "REASON_MISSING", found, reason };
  const base = { type: "SELLER_DECIDE", actor: link.sellerId, requestId: link.requestId } as const;
  const event: DomainEvent =
    link.decision === "REJECT"
      ? { ...base, decision: "REJECT", reason, via: MAIL_LINK_NOTE }
      : { ...base, decision: "APPROVE", via: MAIL_LINK_NOTE };
  let replayed: boolean;
  try {
    ({ replayed } = await changeOrder(deps, link.orderId, event, found.stored));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // Decided, withdrawn or timed out meanwhile, or its deadline passed since the page was read.
    if (error.code === "INVALID_STATE") {
      const expired = Date.parse(deps.clock.now()) >= Date.parse(link.expiresAt);
      return { kind: "GONE", why: expired ? "EXPIRED" : "CLOSED", found };
    }
    if (error.code === "NOT_FOUND") return { kind: "UNKNOWN" };
    throw error;
  }
  // The same decision was already on record (this link's other send, or the console's): this
  // form decided nothing.
  if (replayed) return { kind: "GONE", why: "CLOSED", found };
  try {
    await deps.links.markUsed(link.hash, deps.clock.now());
  } catch (error) {
    // The decision stands; the link is dead anyway, its request no longer awaiting the seller.
    deps.log.warn("decision link not marked used", { error: (error as Error).name });
  }
  return { kind: "DECIDED", found, ...(link.decision === "REJECT" ? { reason } : {}) };
};
