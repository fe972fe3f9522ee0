// The end-to-end suites' client: every answer of an API route is checked against the committed
// OpenAPI document (docs/openapi.json). A status the route does not document, a content type it
// does not declare, or a body that does not match its schema fails the call, and so the test.
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule, { type FormatsPlugin } from "ajv-formats";
import { type ApiResponse, LocalClient } from "../../local/client.ts";

interface Operation {
  responses?: Record<string, { content?: Record<string, unknown> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

const DOCUMENT_ID = "openapi.json";
const document = JSON.parse(
  readFileSync(new URL("../../docs/openapi.json", import.meta.url), "utf8"),
) as Document;

// A CommonJS default export, as ESM sees it.
const addFormats =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);
// OpenAPI's own keywords (example, discriminator, …) sit beside JSON Schema's: not strict.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(document, DOCUMENT_ID);

/** Each documented path as a pattern, `{name}` matching one segment. */
const routes = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
}));

/** A JSON pointer token, as a URI fragment carries it. */
const pointer = (token: string) =>
  encodeURIComponent(token.replaceAll("~", "~0").replaceAll("/", "~1"));

/** Throws unless `response` is what the document says `method path` answers. */
export const checkAgainstDocument = (
  method: string,
  path: string,
  response: ApiResponse<unknown>,
): void => {
  const bare = path.split("?")[0] ?? path;
  // Local mode's own routes are not part of the service's contract.
  if (bare.startsWith("/_local/")) return;
  const route = routes.find((candidate) => candidate.pattern.test(bare));
  if (!route) {
    // No such route: a 404 problem, the document's Problem.
    if (response.status !== 404) {
      throw new Error(`${method} ${bare} is not in docs/openapi.json, answered ${response.status}`);
    }
    validateOrThrow(
      `${DOCUMENT_ID}#/components/schemas/Problem`,
      `${method} ${bare} 404`,
      response,
    );
    return;
  }
  const verb = method.toLowerCase();
  const status = String(response.status);
  const documented = document.paths[route.template]?.[verb]?.responses?.[status];
  if (!documented) {
    throw new Error(
      `${method} ${route.template} answered ${status}, which docs/openapi.json does not list: ${JSON.stringify(response.body)}`,
    );
  }
  const mediaType = response.contentType.split(";")[0]?.trim() ?? "";
  if (!documented.content) return;
  if (!(mediaType in documented.content)) {
    throw new Error(
      `${method} ${route.template} ${status} answered ${mediaType || "no content type"}`,
    );
  }
  const ref = ["paths", route.template, verb, "responses", status, "content", mediaType, "schema"]
    .map(pointer)
    .join("/");
  validateOrThrow(`${DOCUMENT_ID}#/${ref}`, `${method} ${route.template} ${status}`, response);
};

const validateOrThrow = (schemaRef: string, what: string, response: ApiResponse<unknown>) => {
  const validate = ajv.getSchema(schemaRef);
  if (!validate) throw new Error(`no schema at ${schemaRef}`);
  if (!validate(response.body)) {
    throw new Error(
      `${what} does not match docs/openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(response.body)}`,
    );
  }
};

/** LocalClient, with every answer checked against the document. */
export class ContractClient extends LocalClient {
  override async send<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: Parameters<LocalClient["send"]>[2] = {},
  ): Promise<ApiResponse<T>> {
    const response = await super.send<T>(method, path, options);
    checkAgainstDocument(method, path, response);
    return response;
  }
}
