// The decision link's two routes in the document (SPEC "Decision links in the seller's mail"):
// their answers are HTML pages (text/html), by status, not problem documents; beside them only the
// route middleware's own problems (413 for a body over 64 KiB, 500). The link's id is checked by
// the handler (a malformed one is the 404 page), and a query string is ignored.
import { MAX_COMMENT_LENGTH } from "../../functions/domain/schemas.ts";
import { PAGE_CSP } from "../../functions/http/decision-page.ts";
import type { Route } from "../../functions/http/routes.ts";
import type { Json } from "./components.ts";
import { problemsOf } from "./problems.ts";

const header = (description: string, example: string) => ({
  description,
  schema: { type: "string", example },
});

/** Every page's headers. */
const PAGE_HEADERS = {
  "Cache-Control": header("Never stored", "no-store"),
  "Referrer-Policy": header("No page the link leads to learns it", "no-referrer"),
  "X-Robots-Tag": header("Never indexed", "noindex"),
  "Content-Security-Policy": header(
    "No script; the page's one style element by its hash; the form posts to this origin only",
    PAGE_CSP,
  ),
};

const page = (description: string, extraHeaders: Json = {}): Json => ({
  description,
  headers: { ...PAGE_HEADERS, ...extraHeaders },
  content: { "text/html": { schema: { type: "string" } } },
});

const COMMON_PAGES: Record<string, Json> = {
  "404": page("No such link (unknown, or not a link's id at all), in Japanese and English"),
  "410": page(
    "The link no longer decides: used already, past its expiry (the seller's deadline), or its " +
      "request no longer awaits the seller (decided, withdrawn, timed out). Nothing changed.",
  ),
  "503": page("A dependency is unavailable; nothing was changed, send the same request again", {
    "Retry-After": { schema: { type: "integer" } },
  }),
};

const LINK_ID = {
  name: "id",
  in: "path",
  required: true,
  description: "The link's id from the seller's mail: 22 base64url characters (128 random bits).",
  schema: { type: "string" },
  example: "q3X9vR2mTt8kLw0ZpN4b1A",
};

const PAGE_OPERATIONS: Readonly<Record<string, Json>> = {
  DecisionLinkPage: {
    summary: "A decision link's confirmation page",
    description:
      "The Approve or Reject link of the seller's new-request or reminder mail: no token, the " +
      "link is the credential. The page names the order, its lines and the refund, with one " +
      '`<form method="post">` and its button; the Reject page\'s form also has a required ' +
      '`<textarea name="reason">`. It changes nothing, however often it is opened (mail scanners ' +
      "open every link). In the order's language (`ja` or `en`).",
    responses: { "200": page("The confirmation page with its form"), ...COMMON_PAGES },
  },
  DecideByLink: {
    summary: "A decision link's form: decide, once",
    description:
      "Decides as the order's seller would with `POST …/seller-decision`, under the same rules and " +
      "deadline, in one conditional write; the timeline entry's `note` is `MAIL_LINK`. Then the " +
      "link is used. A rejection without a `reason` (or a body that is no form) is 400 with the " +
      "form again, and nothing changes.",
    requestBody: {
      required: false,
      content: {
        "application/x-www-form-urlencoded": {
          schema: {
            type: "object",
            properties: {
              reason: {
                type: "string",
                maxLength: MAX_COMMENT_LENGTH,
                description:
                  "Why the seller rejects (the Reject link's form only; required there).",
              },
            },
          },
          example: "reason=The+parcel+was+already+handed+to+the+buyer",
        },
      },
    },
    responses: {
      "200": page("What happened: the request approved (on to the marketplace) or rejected"),
      "400": page("The Reject form without its reason, or a body that is no form: the form again"),
      ...COMMON_PAGES,
    },
  },
};

/** The operation of a page route, or undefined for the API's JSON routes. */
export const pageOperationOf = (route: Route): Json | undefined => {
  const operation = PAGE_OPERATIONS[route.id];
  if (!operation) return undefined;
  const { requestBody, responses, ...rest } = operation as Json & { responses: Json };
  const problems = problemsOf(route, { hasTarget: false });
  return {
    operationId: route.id,
    security: [],
    ...rest,
    parameters: [LINK_ID],
    ...(requestBody ? { requestBody } : {}),
    responses: {
      ...responses,
      ...(route.method === "POST" ? { "413": problems["413"] } : {}),
      "500": problems["500"],
    },
  };
};
