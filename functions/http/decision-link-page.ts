// GET /decide/{id}: the link's holder → the link, then its order (reads only) → the confirmation
// page with its form, or the page saying why the link no longer decides. Opening it any number of
// times changes nothing (mail scanners open every link).
import { basics, decisionLinks, orders } from "../adapters/production.ts";
import { type OpenDeps, openDecisionLink } from "../app/decision-links.ts";
import type { Log } from "../app/ports.ts";
import { LINK_INPUTS, pageResult, unavailablePage } from "./decision-link-http.ts";
import { linkFacts } from "./decision-page.ts";
import { httpHandler } from "./middleware.ts";
import { decisionLinkPageRoute } from "./routes.ts";

export type PageDeps = OpenDeps & { log: Log };

export const createHandler = httpHandler(
  decisionLinkPageRoute,
  LINK_INPUTS,
  async ({ params }, deps: PageDeps) => {
    try {
      const found = await openDecisionLink(deps, params.id);
      if (found.state === "UNKNOWN") return pageResult({ kind: "NOT_FOUND" });
      const facts = linkFacts(found.link.decision, found.stored.record, found.request);
      if (found.state !== "USABLE") return pageResult({ kind: "GONE", facts, why: found.state });
      return pageResult({ kind: "ASK", facts });
    } catch (error) {
      return unavailablePage(deps.log, error);
    }
  },
);

export const handler = createHandler(() => ({
  ...basics,
  links: decisionLinks(),
  orders: orders(),
}));
