// The console's typed API client types: openapi-typescript renders the OpenAPI document (the one
// `npm run openapi` writes to docs/openapi.json) as TypeScript. `npm run openapi` writes both; a
// test fails when the committed file differs from what this renders.
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";

/** Where the generated types live, relative to the project root. */
export const API_SCHEMA_FILE = "console/src/api-schema.ts";

/** The TypeScript types (`paths`, `components`, `operations`) of an OpenAPI document's text. */
export const renderApiSchema = async (openApiText: string): Promise<string> => {
  const ast = await openapiTS(openApiText, { silent: true });
  return COMMENT_HEADER + astToString(ast);
};
