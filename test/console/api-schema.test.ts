// The console's client types are generated from the OpenAPI document: the committed file is what
// openapi-typescript renders from the document the code describes (run `npm run openapi`).
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { API_SCHEMA_FILE, renderApiSchema } from "../../console/generate-api-schema.ts";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";
import { renderOpenApi } from "../../infra/openapi/document.ts";

describe("the console's API types", () => {
  it("are committed as generated (run `npm run openapi` after changing routes or schemas)", async () => {
    const committed = await readFile(path.join(PROJECT_ROOT, API_SCHEMA_FILE), "utf8");
    expect(committed).toBe(await renderApiSchema(renderOpenApi()));
  });

  it("type every route of the document", async () => {
    const rendered = await renderApiSchema(renderOpenApi());
    const document = JSON.parse(renderOpenApi()) as { paths: Record<string, unknown> };
    for (const route of Object.keys(document.paths)) {
      expect(rendered, route).toContain(`"${route}": {`);
    }
  });
});
