// GET /openapi.json and GET /docs in local mode: files of the console's build (no route of the
// API), as the distribution serves them in AWS. The committed document; a page whose scripts,
// stylesheets and fonts all come from this origin; and swagger-ui rendering every operation of the
// document in headless Chromium under the page's CSP, in the project's Japanese web font.
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../../functions/http/routes.ts";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";
import { OPENAPI_FILE } from "../../infra/openapi/document.ts";
import { CONSOLE_CSP } from "../../local/console-files.ts";
import { type LocalMode, startLocal } from "../../local/start.ts";
import { ensureConsoleBuilt, launchChromium, PageGuard } from "../support/browser.ts";

let local: LocalMode;
let browser: Browser;

beforeAll(async () => {
  [local, browser] = await Promise.all([
    ensureConsoleBuilt().then(() => startLocal({ port: 0 })),
    launchChromium(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await local?.stop();
});

type OpenApi = { paths: Record<string, Record<string, { operationId: string }>> };
const committed = async (): Promise<OpenApi> =>
  JSON.parse(await readFile(path.join(PROJECT_ROOT, OPENAPI_FILE), "utf8"));

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".woff2": "font/woff2",
};
const IMMUTABLE = "public, max-age=31536000, immutable";
const FIVE_MINUTES = "public, max-age=300";

/** An asset the page names: served from this origin with its type, kept for good. */
const fetchAsset = async (file: string): Promise<string> => {
  const response = await fetch(`${local.url}${file}`);
  expect(response.status, file).toBe(200);
  expect(response.headers.get("content-type"), file).toBe(CONTENT_TYPES[path.extname(file)]);
  expect(response.headers.get("cache-control"), file).toBe(IMMUTABLE);
  return response.text();
};

describe("GET /openapi.json", () => {
  it("is the committed document, as JSON, without a token, kept five minutes", async () => {
    const response = await fetch(`${local.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe(FIVE_MINUTES);
    expect(await response.json()).toEqual(await committed());
  });

  it("describes every route of the table, and no page or file of its own", async () => {
    const document = await committed();
    const operations = Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((operation) => operation.operationId),
    );
    expect(operations.sort()).toEqual(ROUTES.map((route) => route.id).sort());
    expect(Object.keys(document.paths)).not.toContain("/openapi.json");
    expect(Object.keys(document.paths).filter((route) => route.startsWith("/docs"))).toEqual([]);
    // Nor local mode's own routes: they are not the API's.
    expect(Object.keys(document.paths).filter((route) => route.startsWith("/_local"))).toEqual([]);
  });

  it("says how to get a token: locally POST /_local/tokens, deployed Cognito", async () => {
    const { info } = (await committed()) as OpenApi & { info: { description: string } };
    expect(info.description).toMatch(/\*\*Locally\*\*[^\n]*`POST \/_local\/tokens`/);
    expect(info.description).toMatch(/\*\*Deployed\*\*[^\n]*Amazon Cognito user pool/);
    // The body it shows is one local mode takes.
    const body = /`(\{ "sub": "buyer-1"[^`]*\})`/.exec(info.description)?.[1] ?? "";
    const response = await fetch(`${local.url}/_local/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(200);
    const { accessToken } = (await response.json()) as { accessToken: string };
    const orders = await fetch(`${local.url}/orders`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(orders.status).toBe(200);
  });
});

describe("GET /docs", () => {
  it("is an HTML page with the console's CSP, no inline script, only this origin's files", async () => {
    for (const docs of ["/docs", "/docs/"]) {
      const response = await fetch(`${local.url}${docs}`);
      expect(response.status, docs).toBe(200);
      expect(response.headers.get("content-type"), docs).toBe("text/html; charset=utf-8");
      expect(response.headers.get("content-security-policy"), docs).toBe(CONSOLE_CSP);
      expect(response.headers.get("cache-control"), docs).toBe(FIVE_MINUTES);
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("connect-src 'self'");
    const html = await (await fetch(`${local.url}/docs`)).text();
    expect(html).toContain("発送済みキャンセル");
    expect(html).not.toMatch(/https?:\/\//);
    // Every <script> loads a file; none carries code of its own.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [tag, attributes, body] of scripts) {
      expect(attributes, tag).toMatch(/\ssrc="\/assets\/[^"]+\.js"/);
      expect(body?.trim(), tag).toBe("");
    }
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    // Every address the page names is a path on this origin (the icon is the empty data: URL).
    const addresses = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
    for (const address of addresses) expect(address).toMatch(/^(\/[^/]|data:,$)/);
    const assets = addresses.filter((address) => address?.startsWith("/assets/")) as string[];
    expect(assets.some((asset) => asset.endsWith(".js"))).toBe(true);
    expect(assets.some((asset) => asset.endsWith(".css"))).toBe(true);
    for (const asset of assets) await fetchAsset(asset);
  });

  it("ships the Japanese web font: its stylesheets' @font-face rules load woff2 files from here", async () => {
    const html = await (await fetch(`${local.url}/docs`)).text();
    const stylesheets = [...html.matchAll(/<link rel="stylesheet"[^>]* href="([^"]+)"/g)].map(
      (match) => match[1] as string,
    );
    const css = (await Promise.all(stylesheets.map(fetchAsset))).join("\n");
    const faces = [...css.matchAll(/@font-face\s*{[^}]*}/g)].map((match) => match[0]);
    const japanese = faces.filter((face) => /font-family:\s*["']?Noto Sans JP/.test(face));
    expect(japanese.length).toBeGreaterThan(0);
    const fonts = japanese.flatMap((face) =>
      [...face.matchAll(/url\(["']?([^)"']+)["']?\)/g)].map((match) => match[1] as string),
    );
    expect(fonts.every((font) => /^\/assets\/[^/]+\.woff2$/.test(font))).toBe(true);
    await fetchAsset(fonts[0] as string);
    // swagger-ui's own font families fall back to it for Japanese text.
    expect(css).toMatch(/font-family:sans-serif,\s*"?Noto Sans JP/);
    expect(css).toMatch(/font-family:monospace,\s*"?Noto Sans JP/);
  });

  it("renders every operation in Chromium: nothing from another origin, no CSP violation", async () => {
    const context = await browser.newContext({ locale: "ja-JP" });
    try {
      const guard = new PageGuard(new URL(local.url).origin, context);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${local.url}/docs`);
      await page.locator(".opblock").first().waitFor();
      const document = await committed();
      const operations = Object.values(document.paths).flatMap((item) => Object.keys(item));
      expect(await page.locator(".opblock").count()).toBe(operations.length);
      expect(await page.locator(".info .title").textContent()).toContain("発送済みキャンセル");
      // Before trying an operation, the reader learns where a token comes from, here and deployed.
      const description = (await page.locator(".info .description").textContent()) ?? "";
      expect(description).toContain("Getting a token");
      expect(description).toContain("POST /_local/tokens");
      expect(description).toContain('"groups": ["buyers"]');
      expect(description).toContain("Cognito");
      expect(description).toContain("TokenEndpoint");
      await page.evaluate("document.fonts.ready");
      const loaded = Number(
        await page.evaluate(
          `[...document.fonts].filter((face) => face.family.includes("Noto Sans JP") && face.status === "loaded").length`,
        ),
      );
      expect(loaded).toBeGreaterThan(0);
      // CSP violations, failed loads and script errors are console errors or page errors.
      expect(guard.problems()).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
