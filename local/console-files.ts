// Local mode serves the console next to the API: GET / (the page), its built assets and
// /console-config.json, read from console/dist on each request (no build at start;
// `npm start` builds it first through its prestart script). Only paths no API route answers reach
// here, so the console never shadows a route.
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as path from "node:path";
import { HttpProblem, PROBLEM_CONTENT_TYPE, toProblem } from "../functions/http/problems.ts";
import { PROJECT_ROOT } from "../infra/lambda-defaults.ts";

export const CONSOLE_DIST = path.join(PROJECT_ROOT, "console/dist");

/** The page may load scripts, styles, fonts and data only from its own origin. */
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

/**
 * Answers a console request (true), or leaves it to the caller (false): `GET /` and
 * `/index.html`, `/console-config.json` and `/assets/<name>`, for GET and HEAD.
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

    if (pathname === "/" || pathname === "/index.html") {
      const page = await readOrUndefined(path.join(distDir, "index.html"));
      if (!page) {
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
          "cache-control": "no-cache",
        },
        page,
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
