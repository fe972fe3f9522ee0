// POST /decide/{id}: the link's form → its seller's decision (SELLER_DECIDE under the API's rules
// and deadline, one conditional write, the entry noted MAIL_LINK) → the waiting workflow woken →
// the link marked used → the page saying what happened. Anything short of the decision changes
// nothing: an unknown link (404), one that no longer decides (410), a rejection without its
// reason or a body that is no form (400, the form again), a dependency's failure (503).
import { basics, decisionLinks, orders, signals } from "../adapters/production.ts";
import { type DecideDeps, decideWithLink } from "../app/decide-with-link.ts";
import { LINK_INPUTS, pageResult, unavailablePage } from "./decision-link-http.ts";
import { linkFacts } from "./decision-page.ts";
import { httpHandler } from "./middleware.ts";
import { decideByLinkRoute } from "./routes.ts";

const FORM = "application/x-www-form-urlencoded";

/** The form's fields; an empty body has none; a body of another type is no form (undefined). */
const formOf = (body: string, contentType: string | undefined): { reason?: string } | undefined => {
  if (body === "") return {};
  if (contentType?.split(";")[0]?.trim().toLowerCase() !== FORM) return undefined;
  const reason = new URLSearchParams(body).get("reason");
  return reason === null ? {} : { reason };
};

export const createHandler = httpHandler(
  decideByLinkRoute,
  { ...LINK_INPUTS, form: true },
  async ({ params, rawBody, event }, deps: DecideDeps) => {
    const form = formOf(rawBody, event.headers?.["content-type"]);
    try {
      const outcome = await decideWithLink(deps, params.id, form);
      if (outcome.kind === "UNKNOWN") return pageResult({ kind: "NOT_FOUND" });
      const { link, stored, request } = outcome.found;
      const facts = linkFacts(link.decision, stored.record, request);
      switch (outcome.kind) {
        case "GONE":
          return pageResult({ kind: "GONE", facts, why: outcome.why });
        case "REASON_MISSING":
          return pageResult({
            kind: "ASK",
            facts,
            problem: "REASON_MISSING",
            reason: outcome.reason,
          });
        case "UNREADABLE":
          return pageResult({ kind: "ASK", facts, problem: "UNREADABLE" });
        case "DECIDED":
          return pageResult({
            kind: "DONE",
            facts,
            ...(outcome.reason ? { reason: outcome.reason } : {}),
          });
      }
    } catch (error) {
      return unavailablePage(deps.log, error);
    }
  },
);

export const handler = createHandler(() => ({
  ...basics,
  links: decisionLinks(),
  orders: orders(),
  signals: signals(),
}));
