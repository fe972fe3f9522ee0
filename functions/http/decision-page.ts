// The decision link's pages (SPEC "Decision links in the seller's mail"): HTML without script, one
// style element (the CSP allows it by its hash and nothing else), every string through the one
// HTML escaper, in the order's language (both languages where no order can be named), readable
// at phone width. `GET` shows the confirmation with its form; `POST` answers what happened.
import { createHash } from "node:crypto";
import { amountOf } from "../domain/amounts.ts";
import type { LinkDecision } from "../domain/decision-links.ts";
import { MAX_COMMENT_LENGTH } from "../domain/schemas.ts";
import type { CancellationRequest, Locale, OrderRecord } from "../domain/types.ts";
import { escapeHtml } from "../notifications/escape.ts";
import { formatDateTime, formatMoney } from "../notifications/format.ts";
import {
  type FormProblem,
  type GoneReason,
  PAGE_WORDS,
  type PageWords,
} from "./decision-page-words.ts";
import { DEFAULT_RETRY_AFTER_SECONDS } from "./problems.ts";

/** What a page says of the link's request: formatted, not yet escaped. */
export interface LinkFacts {
  locale: Locale;
  decision: LinkDecision;
  orderId: string;
  /** The request's lines, "title × quantity", one a line. */
  items: string;
  /** The refund, formatted; null for cash on delivery (nothing to refund). */
  amount: string | null;
  deadline: string;
}

export type DecisionPage =
  /** The confirmation and its form (200); with a problem, the form again (400). */
  | { kind: "ASK"; facts: LinkFacts; problem?: FormProblem; reason?: string }
  /** The decision made (200). */
  | { kind: "DONE"; facts: LinkFacts; reason?: string }
  /** The link no longer decides (410). */
  | { kind: "GONE"; facts: LinkFacts; why: GoneReason }
  /** No such link (404): no order to name, so both languages. */
  | { kind: "NOT_FOUND" }
  /** A dependency failed past its retries; nothing changed (503). */
  | { kind: "UNAVAILABLE"; locale?: Locale };

export interface RenderedPage {
  status: number;
  headers: Record<string, string>;
  html: string;
}

export const PAGE_CONTENT_TYPE = "text/html; charset=utf-8";

/** The pages' only styles: mobile first, one column, the form's controls full width. */
export const PAGE_STYLE = [
  // Japanese lines break between phrases where the browser can (not inside 日本時間 or 申請).
  "body{margin:0;background:#f6f7f9;color:#1a1a1a;line-height:1.6;word-break:auto-phrase;",
  'font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif}',
  "main{box-sizing:border-box;max-width:36rem;margin:0 auto;padding:1.5rem 1rem}",
  "section+section{margin-top:2rem;padding-top:1.5rem;border-top:1px solid #ccc}",
  "h1{font-size:1.35rem;line-height:1.35;margin:0 0 1rem}",
  "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:1rem 0;",
  "padding:1rem;background:#fff;border:1px solid #ccc;border-radius:8px}",
  "dt{font-weight:600}dd{margin:0;white-space:pre-line;overflow-wrap:anywhere}",
  "label{display:block;font-weight:600;margin:1rem 0 .25rem}",
  "textarea{box-sizing:border-box;width:100%;min-height:6rem;padding:.5rem;font:inherit;",
  "border:1px solid #767676;border-radius:6px}",
  "button{display:block;width:100%;margin-top:1rem;padding:.75rem 1rem;font:inherit;",
  "font-weight:600;color:#fff;background:#1d5fbf;border:0;border-radius:6px;cursor:pointer}",
  "button.reject{background:#b3261e}",
  ".alert{color:#b3261e;font-weight:600}.hint{color:#555;font-size:.9rem}",
  "a{color:#1d5fbf}",
  "@media (max-width:22rem){dl{grid-template-columns:1fr}}",
].join("");

/** The CSP's allowance of that style element: its SHA-256, base64. */
export const PAGE_STYLE_HASH = `sha256-${createHash("sha256").update(PAGE_STYLE).digest("base64")}`;

/** No script, no other resource, the form posts to this origin only, never framed. */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src '${PAGE_STYLE_HASH}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** Every page's headers: never cached, never indexed, no referrer leaves with the link in it. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex",
  "x-content-type-options": "nosniff",
  "content-security-policy": PAGE_CSP,
};

/** The request as its link's pages show it, in the order's language. */
export const linkFacts = (
  decision: LinkDecision,
  record: OrderRecord,
  request: CancellationRequest,
): LinkFacts => {
  const { order } = record;
  const words = PAGE_WORDS[order.locale];
  const items = request.lines.map(({ lineId, quantity }) => {
    const title = order.lines.find((line) => line.lineId === lineId)?.title ?? lineId;
    return `${title} × ${quantity}`;
  });
  return {
    locale: order.locale,
    decision,
    orderId: order.orderId,
    items: items.join("\n"),
    amount:
      order.payment.method === "CASH_ON_DELIVERY"
        ? words.cashOnDelivery
        : formatMoney(amountOf(request), order.currency),
    deadline: formatDateTime(request.sellerDeadline, order.currency, order.locale),
  };
};

const e = escapeHtml;

const factsList = (words: PageWords, facts: LinkFacts, reason?: string): string => {
  const rows: [string, string | null][] = [
    [words.labels.orderId, facts.orderId],
    [words.labels.items, facts.items],
    [words.labels.amount, facts.amount],
    [words.labels.deadline, facts.deadline],
    [words.labels.reason, reason ?? null],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== null);
  return `<dl>${shown.map(([label, value]) => `<dt>${e(label)}</dt><dd>${e(value)}</dd>`).join("")}</dl>`;
};

const consoleLink = (words: PageWords): string =>
  `<p class="hint">${e(words.consoleHint)} <a href="/">${e(words.console)}</a></p>`;

/** The confirmation's form: the decision is the link's; a rejection needs its reason. */
const form = (words: PageWords, facts: LinkFacts, reason: string | undefined): string => {
  const reject = facts.decision === "REJECT";
  const field = reject
    ? `<label for="reason">${e(words.reasonLabel)}</label>` +
      `<textarea id="reason" name="reason" required maxlength="${MAX_COMMENT_LENGTH}" aria-describedby="reason-hint">` +
      `${e(reason ?? "")}</textarea><p id="reason-hint" class="hint">${e(words.reasonHint)}</p>`
    : "";
  const button = `<button type="submit"${reject ? ' class="reject"' : ""}>${e(words.button[facts.decision])}</button>`;
  return `<form method="post">${field}${button}</form>`;
};

/** A page's content in one language, and its status. */
const section = (
  page: DecisionPage,
  locale: Locale,
): { status: number; title: string; body: string } => {
  const words = PAGE_WORDS[locale];
  switch (page.kind) {
    case "ASK": {
      const { facts, problem } = page;
      const alert = problem
        ? `<p class="alert" role="alert">${e(words.formProblems[problem])}</p>`
        : "";
      return {
        status: problem ? 400 : 200,
        title: words.ask[facts.decision],
        body:
          `${alert}<p>${e(words.askIntro)}</p>${factsList(words, facts)}` +
          `${form(words, facts, page.reason)}${consoleLink(words)}`,
      };
    }
    case "DONE":
      return {
        status: 200,
        title: words.done[page.facts.decision],
        body:
          `<p>${e(words.doneNext[page.facts.decision])}</p>` +
          `${factsList(words, page.facts, page.reason)}${consoleLink(words)}`,
      };
    case "GONE":
      return {
        status: 410,
        title: words.gone,
        body: `<p>${e(words.goneReasons[page.why])}</p>${factsList(words, page.facts)}${consoleLink(words)}`,
      };
    case "NOT_FOUND":
      return { status: 404, title: words.notFound, body: `<p>${e(words.notFoundText)}</p>` };
    case "UNAVAILABLE":
      return { status: 503, title: words.unavailable, body: `<p>${e(words.unavailableText)}</p>` };
  }
};

/** The languages a page is written in: the order's, or both where it names no order. */
const localesOf = (page: DecisionPage): Locale[] => {
  if (page.kind === "NOT_FOUND") return ["ja", "en"];
  if (page.kind === "UNAVAILABLE") return page.locale ? [page.locale] : ["ja", "en"];
  return [page.facts.locale];
};

export const renderPage = (page: DecisionPage): RenderedPage => {
  const [first = "ja", ...others] = localesOf(page);
  const main = section(page, first);
  const sections = [main, ...others.map((locale) => section(page, locale))];
  const title = sections.map((part) => part.title).join(" / ");
  const html = [
    "<!DOCTYPE html>",
    `<html lang="${first}"><head><meta charset="utf-8">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${e(title)}</title><style>${PAGE_STYLE}</style></head>`,
    "<body><main>",
    ...sections.map(
      (part, index) =>
        `<section${index === 0 ? "" : ` lang="${others[index - 1]}"`}><h1>${e(part.title)}</h1>${part.body}</section>`,
    ),
    "</main></body></html>",
  ].join("\n");
  return {
    status: main.status,
    headers: {
      ...PAGE_HEADERS,
      ...(main.status === 503 ? { "retry-after": String(DEFAULT_RETRY_AFTER_SECONDS) } : {}),
    },
    html,
  };
};
