// `npm run openapi`: writes docs/openapi.json from the route table and the zod schemas
// (functions/http/openapi.ts). A test fails when the committed file differs.
import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { OPENAPI_FILE, renderOpenApi } from "../functions/http/openapi.ts";
import { PROJECT_ROOT } from "./lambda-defaults.ts";

const file = path.join(PROJECT_ROOT, OPENAPI_FILE);
await mkdir(path.dirname(file), { recursive: true });
await writeFile(file, renderOpenApi());
console.log(`wrote ${OPENAPI_FILE}`);
