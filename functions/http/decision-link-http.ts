// What the decision link's two routes share (SPEC "Decision links in the seller's mail"): their
// inputs (the link's id is checked by the application, so a malformed one is the 404 page, not a
// problem document; a query a mail client or scanner appends is ignored), the page as the
// route's answer, and the 503 page of a dependency that failed past its retries.
import { ConflictError } from "../app/errors.ts";
import type { Log } from "../app/ports.ts";
import type { Locale } from "../domain/types.ts";
import * as z from "../domain/zod.ts";
import { type DecisionPage, PAGE_CONTENT_TYPE, renderPage } from "./decision-page.ts";
import type { HttpResult } from "./middleware.ts";
import { toProblem } from "./problems.ts";

export const LINK_INPUTS = {
  params: /* @__PURE__ */ z.lazy(() => z.object({ id: z.string() })),
  query: /* @__PURE__ */ z.lazy(() => z.looseObject({})),
};

export const pageResult = (page: DecisionPage): HttpResult => {
  const { status, headers, html } = renderPage(page);
  return { status, headers, body: html, raw: { contentType: PAGE_CONTENT_TYPE } };
};

/**
 * The 503 page for what the API answers 503 (an AWS fault past the SDK's retries; a race lost
 * over and over): nothing was written, the same request may be sent again. Anything else is
 * rethrown (a 500, logged by the route's error middleware).
 */
export const unavailablePage = (log: Log, error: unknown, locale?: Locale): HttpResult => {
  if (!(error instanceof ConflictError) && toProblem(error)?.status !== 503) throw error;
  log.warn("dependency unavailable", { error: (error as Error).name });
  return pageResult({ kind: "UNAVAILABLE", ...(locale ? { locale } : {}) });
};
