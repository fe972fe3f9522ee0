// `npm run openapi`: writes docs/openapi.json from the route table and the zod schemas
// (infra/openapi/document.ts), then the console's client types generated from it
// (console/src/api-schema.ts), and the domain events' JSON Schema
// (docs/events/cancellation-event.schema.json). Tests fail when a committed file differs.
import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { API_SCHEMA_FILE, renderApiSchema } from "../console/generate-api-schema.ts";
import { EVENT_SCHEMA_FILE, renderEventSchema } from "../functions/domain/event-schemas.ts";
import { PROJECT_ROOT } from "./lambda-defaults.ts";
import { OPENAPI_FILE, renderOpenApi } from "./openapi/document.ts";

const document = renderOpenApi();
const file = path.join(PROJECT_ROOT, OPENAPI_FILE);
await mkdir(path.dirname(file), { recursive: true });
await writeFile(file, document);
console.log(`wrote ${OPENAPI_FILE}`);
await writeFile(path.join(PROJECT_ROOT, API_SCHEMA_FILE), await renderApiSchema(document));
console.log(`wrote ${API_SCHEMA_FILE}`);
await mkdir(path.join(PROJECT_ROOT, path.dirname(EVENT_SCHEMA_FILE)), { recursive: true });
await writeFile(path.join(PROJECT_ROOT, EVENT_SCHEMA_FILE), renderEventSchema());
console.log(`wrote ${EVENT_SCHEMA_FILE}`);
