// GET /openapi.json, /docs and /docs/reference.js in local mode: the committed document, a page
// that names no other origin, and the self-hosted script it loads.
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENAPI_FILE } from "../../functions/http/openapi.ts";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";
import { type LocalMode, startLocal } from "../../local/start.ts";

let local: LocalMode;

beforeAll(async () => {
  local = await startLocal({ port: 0 });
}, 90_000);

afterAll(async () => {
  await local?.stop();
});

describe("API reference", () => {
  it("GET /openapi.json serves the committed document, without a token", async () => {
    const response = await fetch(`${local.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const committed = JSON.parse(await readFile(path.join(PROJECT_ROOT, OPENAPI_FILE), "utf8"));
    expect(await response.json()).toEqual(committed);
  });

  it("GET /docs is an HTML page that loads only this origin's script", async () => {
    const response = await fetch(`${local.url}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(response.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const html = await response.text();
    expect(html).toContain('<script src="/docs/reference.js"></script>');
    expect(html).toContain('data-url="/openapi.json"');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("GET /docs/reference.js serves Scalar's standalone bundle, gzipped", async () => {
    const response = await fetch(`${local.url}/docs/reference.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(response.headers.get("content-encoding")).toBe("gzip");
    // fetch decodes the gzip content-encoding itself.
    const script = await response.text();
    const source = await readFile(
      path.join(PROJECT_ROOT, "node_modules/@scalar/api-reference/dist/browser/standalone.js"),
      "utf8",
    );
    expect(script).toBe(source);
  });
});
