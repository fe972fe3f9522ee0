// GET /docs/reference.js: anyone → Scalar's standalone API reference bundle (from npm,
// @scalar/api-reference), gzipped. In AWS the file is copied next to this function's bundle (the
// route's `assets` in routes.ts); locally it is read from node_modules. Only this function has it.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { defaultDeps } from "../app/deps.ts";
import { httpHandler } from "./middleware.ts";

import { REFERENCE_SCRIPT, REFERENCE_SCRIPT_SOURCE } from "./routes.ts";

/** Next to the bundle in AWS; in the project (this module unbundled) locally. */
const scriptPath = (): string => {
  const bundled = fileURLToPath(new URL(`./${REFERENCE_SCRIPT}`, import.meta.url));
  if (existsSync(bundled)) return bundled;
  return fileURLToPath(new URL(`../../${REFERENCE_SCRIPT_SOURCE}`, import.meta.url));
};

let gzipped: string | undefined;
/** Read and compressed once per container (4.8 MB of script is about 1.4 MB gzipped). */
const script = (): string => {
  gzipped ??= gzipSync(readFileSync(scriptPath())).toString("base64");
  return gzipped;
};

export const createHandler = httpHandler("GetDocsScript", {}, async () => ({
  status: 200,
  body: script(),
  raw: { contentType: "text/javascript; charset=utf-8", base64: true },
  headers: {
    // The gzipped form stays under Lambda's 6 MB response limit, which the plain script does not;
    // every browser accepts it.
    "content-encoding": "gzip",
    "cache-control": "public, max-age=86400",
    "x-content-type-options": "nosniff",
  },
}));

export const handler = createHandler(defaultDeps);
