// The API reference's static files, built with the console and served next to it (no Lambda):
// GET /docs is docs/index.html (source console/docs/), its script, stylesheet and fonts are
// content-hashed files under /assets/ like the console's, and GET /openapi.json is the committed
// docs/openapi.json, copied into the build. Local mode (local/console-files.ts) and the
// CloudFront distribution (infra/edge.ts) serve the same files with the same caching.
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import type { Plugin } from "vite";

/** The page's path, and its file in the build. */
export const DOCS_PATH = "/docs";
export const DOCS_PAGE_FILE = "docs/index.html";
/** The OpenAPI document's path and its file in the build (the same name). */
export const OPENAPI_PATH = "/openapi.json";
export const OPENAPI_BUILD_FILE = "openapi.json";
/** Where `npm run openapi` writes the document, relative to the project root (OPENAPI_FILE of
 * infra/openapi/document.ts, which a test compares: the build does not load the route table). */
export const OPENAPI_SOURCE_FILE = "docs/openapi.json";
/** The page and the document keep their names from one deploy to the next: five minutes, in
 * browsers and at the edge. Their hashed assets are cached for a year like the console's. */
export const API_REFERENCE_CACHE_CONTROL = "public, max-age=300";
/** The page's files in the build: the entries the distribution serves with that cache. */
export const API_REFERENCE_FILES = [DOCS_PAGE_FILE, OPENAPI_BUILD_FILE] as const;

/** The console's Japanese web font, as Fontsource names it. */
const JAPANESE_FONT = '"Noto Sans JP"';
const CSS_WIDE_KEYWORDS = /^\s*(inherit|initial|unset|revert|revert-layer)\s*$/i;

/**
 * swagger-ui's stylesheet with the Japanese web font after every font family it lists: Latin text
 * keeps swagger-ui's fonts, and Japanese (the document's title, examples) falls through to the
 * font the page ships, on machines without any CJK font too.
 */
export const withJapaneseFont = (css: string): string =>
  css.replace(
    /font-family:([^;}!]+)(!important)?/g,
    (declaration, families: string, important = "") =>
      CSS_WIDE_KEYWORDS.test(families) || families.includes(JAPANESE_FONT)
        ? declaration
        : `font-family:${families.trimEnd()},${JAPANESE_FONT}${important}`,
  );

/** The Vite plugin: the font in swagger-ui's stylesheet, and openapi.json in the build. */
export const apiReference = (projectRoot: string): Plugin => {
  const document = path.join(projectRoot, OPENAPI_SOURCE_FILE);
  return {
    name: "api-reference",
    enforce: "pre",
    transform(code, id) {
      if (!/[\\/]swagger-ui-dist[\\/]swagger-ui\.css$/.test(id)) return undefined;
      return { code: withJapaneseFont(code), map: null };
    },
    async generateBundle() {
      this.addWatchFile(document);
      this.emitFile({
        type: "asset",
        fileName: OPENAPI_BUILD_FILE,
        source: await readFile(document),
      });
    },
  };
};
