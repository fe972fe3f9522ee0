// Local mode serves the console from its built files: the page with its CSP, hashed assets with
// their types and a long cache, /console-config.json, and the API reference built with it (the
// /docs page and /openapi.json, kept five minutes); API routes answer as before, and a missing
// build is a clear 503 problem. Runs the gateway on a temporary dist folder (no build needed).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_REFERENCE_CACHE_CONTROL,
  DOCS_PAGE_FILE,
  OPENAPI_BUILD_FILE,
} from "../../console/api-reference.ts";
import { ROUTES } from "../../functions/http/routes.ts";
import { CONSOLE_CSP, createConsoleFiles } from "../../local/console-files.ts";
import { createGateway } from "../../local/gateway.ts";
import { guardHost } from "../../local/host-guard.ts";
import { LocalTokens } from "../../local/jwt.ts";
import type { LocalRoute } from "../../local/template.ts";
import { requestWithHost } from "../support/host-request.ts";

const PAGE = '<!doctype html><script type="module" src="/assets/index-AbC123.js"></script>';
const SCRIPT = "console.log('console');";
const FONT = Buffer.from([0x77, 0x4f, 0x46, 0x32, 0, 1, 2, 3]);
const DOCS_PAGE =
  '<!doctype html><title>API reference</title><script type="module" src="/assets/docs-XyZ789.js"></script>';
const DOCUMENT = '{"openapi":"3.1.1","paths":{}}\n';

const publicRoute = (path: string, functionLogicalId: string): LocalRoute => ({
  method: "GET",
  path,
  authorization: "NONE",
  scopes: [],
  functionLogicalId,
});

const start = async (distDir: string) => {
  const handler = async (event: { rawPath: string }) => ({
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ servedBy: "api", path: event.rawPath }),
  });
  const server = guardHost(
    createGateway({
      routes: [
        { route: publicRoute("/policy", "GetPolicy"), handler },
        { route: publicRoute("/orders/{orderId}", "GetOrder"), handler },
      ],
      tokens: await LocalTokens.create(),
      extraEndpoints: [],
      fallback: createConsoleFiles(distDir),
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, port, base: `http://127.0.0.1:${port}` };
};

let folder: string;
let built: { server: Server; port: number; base: string };
let missing: { server: Server; base: string };

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "console-dist-"));
  const dist = path.join(folder, "dist");
  await mkdir(path.join(dist, "assets"), { recursive: true });
  await writeFile(path.join(dist, "index.html"), PAGE);
  await writeFile(path.join(dist, "assets", "index-AbC123.js"), SCRIPT);
  await writeFile(path.join(dist, "assets", "noto-sans-jp-0-400-normal-XyZ.woff2"), FONT);
  await mkdir(path.join(dist, path.dirname(DOCS_PAGE_FILE)), { recursive: true });
  await writeFile(path.join(dist, DOCS_PAGE_FILE), DOCS_PAGE);
  await writeFile(path.join(dist, OPENAPI_BUILD_FILE), DOCUMENT);
  built = await start(dist);
  missing = await start(path.join(folder, "not-built"));
});

afterAll(async () => {
  for (const running of [built, missing]) {
    await new Promise((resolve) => running?.server.close(resolve));
  }
  await rm(folder, { recursive: true, force: true });
});

describe("the console in local mode", () => {
  it("serves the page at GET / with a same-origin-only Content-Security-Policy", async () => {
    const response = await fetch(`${built.base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).toContain("font-src 'self'");
    expect(CONSOLE_CSP).not.toContain("unsafe-inline");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await response.text()).toBe(PAGE);
  });

  it("serves hashed assets with their content type and a year-long immutable cache", async () => {
    const script = await fetch(`${built.base}/assets/index-AbC123.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await script.text()).toBe(SCRIPT);
    const font = await fetch(`${built.base}/assets/noto-sans-jp-0-400-normal-XyZ.woff2`);
    expect(font.headers.get("content-type")).toBe("font/woff2");
    expect(Buffer.from(await font.arrayBuffer())).toEqual(FONT);
  });

  it("answers /console-config.json with the local sign-in mode", async () => {
    const response = await fetch(`${built.base}/console-config.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ mode: "local" });
  });

  it("serves the API reference's page at /docs, with the console's CSP, for five minutes", async () => {
    for (const docs of ["/docs", "/docs/", "/docs/index.html"]) {
      const response = await fetch(`${built.base}${docs}`);
      expect(response.status, docs).toBe(200);
      expect(response.headers.get("content-type"), docs).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control"), docs).toBe("public, max-age=300");
      expect(response.headers.get("content-security-policy"), docs).toBe(CONSOLE_CSP);
      expect(response.headers.get("x-content-type-options"), docs).toBe("nosniff");
      expect(await response.text(), docs).toBe(DOCS_PAGE);
    }
    expect(API_REFERENCE_CACHE_CONTROL).toBe("public, max-age=300");
    const head = await fetch(`${built.base}/docs`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("serves /openapi.json from the build, as JSON, for five minutes", async () => {
    const response = await fetch(`${built.base}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await response.text()).toBe(DOCUMENT);
  });

  it("leaves API routes to the API, and unknown paths to its 404 problem", async () => {
    const api = await fetch(`${built.base}/orders/o-1`);
    expect(await api.json()).toEqual({ servedBy: "api", path: "/orders/o-1" });
    for (const unknown of [
      "/assets/nope.js",
      "/assets/..%2Findex.html",
      "/src/main.tsx",
      "/docs/reference.ts",
      "/docs/..%2Findex.html",
      "/docs.json",
    ]) {
      const response = await fetch(`${built.base}${unknown}`);
      expect(response.status, unknown).toBe(404);
      expect(response.headers.get("content-type"), unknown).toBe("application/problem+json");
    }
    const post = await fetch(`${built.base}/`, { method: "POST" });
    expect(post.status).toBe(404);
  });

  it("uses no path of the route table (it could never shadow a route)", () => {
    for (const route of ROUTES) {
      expect(route.path).not.toBe("/");
      expect(route.path).not.toBe("/index.html");
      expect(route.path).not.toBe("/console-config.json");
      expect(route.path.startsWith("/assets/")).toBe(false);
      expect(route.path).not.toBe("/openapi.json");
      expect(route.path).not.toMatch(/^\/docs(\/|$)/);
    }
  });

  it("stays behind the Host check", async () => {
    const rebound = await requestWithHost(built.port, `rebound.example:${built.port}`);
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain("<!doctype html>");
  });

  it("says how to build it when the build is missing", async () => {
    for (const page of ["/", "/docs", "/openapi.json"]) {
      const response = await fetch(`${missing.base}${page}`);
      expect(response.status, page).toBe(503);
      expect(response.headers.get("content-type"), page).toBe("application/problem+json");
      const problem = (await response.json()) as { code: string; detail: string };
      expect(problem.code, page).toBe("UNAVAILABLE");
      expect(problem.detail, page).toContain("npm run console:build");
    }
    const policy = await fetch(`${missing.base}/policy`);
    expect(await policy.json()).toEqual({ servedBy: "api", path: "/policy" });
  });
});
