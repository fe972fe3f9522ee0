// `npm run openapi`: writes docs/openapi.json from the route table and the zod schemas
// (functions/http/openapi.ts), then the console's client types generated from it
// (functions/console/src/api-schema.ts). Tests fail when either committed file differs.
import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { API_SCHEMA_FILE, renderApiSchema } from "../functions/console/generate-api-schema.ts";
import { OPENAPI_FILE, renderOpenApi } from "../functions/http/openapi.ts";
import { PROJECT_ROOT } from "./lambda-defaults.ts";

const document = renderOpenApi();
const file = path.join(PROJECT_ROOT, OPENAPI_FILE);
await mkdir(path.dirname(file), { recursive: true });
await writeFile(file, document);
console.log(`wrote ${OPENAPI_FILE}`);
await writeFile(path.join(PROJECT_ROOT, API_SCHEMA_FILE), await renderApiSchema(document));
console.log(`wrote ${API_SCHEMA_FILE}`);
