// GET /docs: anyone → an HTML API reference rendered from GET /openapi.json by Scalar's standalone
// bundle, served by this service at GET /docs/reference.js. No third-party request: the page's
// Content-Security-Policy allows this origin only, and Scalar's default web fonts are off.
import { defaultDeps } from "../app/deps.ts";
import { httpHandler } from "./middleware.ts";

/** Scalar's configuration (`data-configuration`): nothing that calls a Scalar service. */
const CONFIGURATION = {
  url: "/openapi.json",
  withDefaultFonts: false,
  hideClientButton: true,
  showDeveloperTools: "never",
  agent: { disabled: true },
  telemetry: false,
};

const escapeAttribute = (value: string) =>
  value.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shipped-order cancellation API reference</title>
</head>
<body>
<noscript>The API reference needs JavaScript; the document itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<script id="api-reference" data-url="/openapi.json" data-configuration="${escapeAttribute(JSON.stringify(CONFIGURATION))}"></script>
<script src="/docs/reference.js"></script>
</body>
</html>
`;

/** Only this origin: scripts, styles (Scalar injects its own), fonts, images and fetches. */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join("; ");

export const createHandler = httpHandler("GetDocs", {}, async () => ({
  status: 200,
  body: DOCS_HTML,
  raw: { contentType: "text/html; charset=utf-8" },
  headers: {
    "cache-control": "public, max-age=300",
    "content-security-policy": DOCS_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  },
}));

export const handler = createHandler(defaultDeps);
