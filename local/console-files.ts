// Local mode serves the console next to the API: GET / (the page), its built assets and
// /console-config.json, and the API reference built with it (console/api-reference.ts): GET /docs
// and GET /openapi.json. All are read from console/dist on each request (no build at start;
// `npm start` builds it first through its prestart script). Only paths no API route answers reach
// here, so these files never shadow a route.
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as path from "node:path";
import {
  API_REFERENCE_CACHE_CONTROL,
  DOCS_PAGE_FILE,
  DOCS_PATH,
  OPENAPI_BUILD_FILE,
  OPENAPI_PATH,
} from "../console/api-reference.ts";
import { HttpProblem, PROBLEM_CONTENT_TYPE, toProblem } from "../functions/http/problems.ts";
import { PROJECT_ROOT } from "../infra/lambda-defaults.ts";

export const CONSOLE_DIST = path.join(PROJECT_ROOT, "console/dist");

/** The pages (the console, the API reference) may load scripts, styles, fonts and data only from
 * their own origin. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** Vite names built assets by their content's hash: a name never changes meaning. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** An asset's name: one path segment, no way out of the assets folder. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const send = (
  response: ServerResponse,
  method: string,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string,
) => {
  response.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
  response.end(method === "HEAD" ? undefined : body);
};

const notBuilt = (response: ServerResponse, method: string) => {
  const body = toProblem(
    new HttpProblem(
      "UNAVAILABLE",
      "the console is not built: run `npm run console:build` (npm start builds it before starting)",
    ),
  );
  send(
    response,
    method,
    503,
    { "content-type": PROBLEM_CONTENT_TYPE, "cache-control": "no-store" },
    JSON.stringify(body),
  );
};

const readOrUndefined = async (file: string): Promise<Buffer | undefined> => {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
};

/** The built pages: the file each answers from, and how long it may be kept. */
const PAGES: Record<string, { file: string; cacheControl: string }> = {
  "/": { file: "index.html", cacheControl: "no-cache" },
  "/index.html": { file: "index.html", cacheControl: "no-cache" },
  // The API reference, as the distribution answers it (a CloudFront function adds index.html).
  [DOCS_PATH]: { file: DOCS_PAGE_FILE, cacheControl: API_REFERENCE_CACHE_CONTROL },
  [`${DOCS_PATH}/`]: { file: DOCS_PAGE_FILE, cacheControl: API_REFERENCE_CACHE_CONTROL },
  [`/${DOCS_PAGE_FILE}`]: { file: DOCS_PAGE_FILE, cacheControl: API_REFERENCE_CACHE_CONTROL },
};

/**
 * Answers a console request (true), or leaves it to the caller (false): `GET /` and
 * `/index.html`, `/console-config.json`, `/assets/<name>`, and the API reference's `/docs`
 * (`/docs/`, `/docs/index.html`) and `/openapi.json`, for GET and HEAD.
 */
export const createConsoleFiles =
  (distDir: string = CONSOLE_DIST) =>
  async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> => {
    const method = request.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") return false;
    const { pathname } = url;

    if (pathname === "/console-config.json") {
      send(
        response,
        method,
        200,
        { "content-type": "application/json", "cache-control": "no-store" },
        JSON.stringify({ mode: "local" }),
      );
      return true;
    }

    const page = PAGES[pathname];
    if (page) {
      const html = await readOrUndefined(path.join(distDir, page.file));
      if (!html) {
        notBuilt(response, method);
        return true;
      }
      send(
        response,
        method,
        200,
        {
          ...SECURITY_HEADERS,
          "content-type": CONTENT_TYPES[".html"] ?? "",
          "cache-control": page.cacheControl,
        },
        html,
      );
      return true;
    }

    if (pathname === OPENAPI_PATH) {
      const document = await readOrUndefined(path.join(distDir, OPENAPI_BUILD_FILE));
      if (!document) {
        notBuilt(response, method);
        return true;
      }
      send(
        response,
        method,
        200,
        {
          "content-type": CONTENT_TYPES[".json"] ?? "",
          "cache-control": API_REFERENCE_CACHE_CONTROL,
          "x-content-type-options": "nosniff",
        },
        document,
      );
      return true;
    }

    const asset = /^\/assets\/([^/]+)$/.exec(pathname)?.[1];
    if (asset === undefined || !ASSET_NAME.test(asset)) return false;
    const file = await readOrUndefined(path.join(distDir, "assets", asset));
    if (!file) return false;
    send(
      response,
      method,
      200,
      {
        "content-type": CONTENT_TYPES[path.extname(asset)] ?? "application/octet-stream",
        "cache-control": IMMUTABLE,
        "x-content-type-options": "nosniff",
      },
      file,
    );
    return true;
  };
