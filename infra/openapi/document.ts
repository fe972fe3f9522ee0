// The OpenAPI 3.1 document, generated from the route table (functions/http/routes.ts) and the zod
// schemas: request schemas (functions/domain/schemas.ts, functions/http/inputs.ts), response
// schemas (functions/domain/view-schemas.ts, policy.ts) and the problem responses
// (functions/http/problems.ts), through zod's own JSON Schema output. Split by concern: components
// (components.ts), paths (paths.ts), problem responses (problems.ts), examples (examples.ts).
// `npm run openapi` (infra/write-openapi.ts) writes it to docs/openapi.json; a test fails when the
// committed file differs from this. Build-time only: no function bundles it; the console's build
// copies the committed file, served as GET /openapi.json (console/api-reference.ts).
import { componentsOf, type Json } from "./components.ts";
import { checkExamples } from "./examples.ts";
import { pathsOf } from "./paths.ts";

/** Where `npm run openapi` writes the document, relative to the project root. */
export const OPENAPI_FILE = "docs/openapi.json";

/** The document as committed: two-space JSON with a final newline. */
export const renderOpenApi = (): string => `${JSON.stringify(buildOpenApi(), null, 2)}\n`;

export const buildOpenApi = (): Json => {
  checkExamples();
  return {
    openapi: "3.1.1",
    info: {
      title: "Shipped-order cancellation API (発送済みキャンセル)",
      version: "1.0.0",
      description:
        "Buyers ask to cancel an order that was shipped but not yet delivered; the seller and the " +
        "marketplace decide; the refund goes to the original payment method. Amounts are integers " +
        "in the currency's minor unit (JPY has none: 5480 is ¥5,480); times are ISO 8601 UTC.\n\n" +
        "Errors are RFC 9457 problem documents (`application/problem+json`); clients branch on " +
        "`code`. In AWS the JWT authorizer itself may answer 401/403 before the handler does.\n\n" +
        // What a reader of GET /docs needs before trying an operation (the padlocked ones).
        "**Getting a token.** Every operation but `GET /policy` needs " +
        "`Authorization: Bearer <access token>`; to try people's operations from this page, paste " +
        "a person's token into **Authorize** (`userToken`).\n\n" +
        "- **Deployed**: an access token of the stack's Amazon Cognito user pool. People sign in " +
        "(the web console at the `ConsoleUrl` output, or SRP on the `UserClientId` client; the " +
        "role is the group `buyers`, `sellers` or `operators`); systems use the " +
        "client-credentials grant at the `TokenEndpoint` output (scope `orders/write`, or " +
        "`carrier/events` with the client of one carrier, `CarrierClientIdYamato` and so on, " +
        "which reports on that carrier's parcels only).\n" +
        "- **Locally** (`npm start`, no Cognito): `POST /_local/tokens` with " +
        '`{ "sub": "buyer-1", "groups": ["buyers"] }` (or `sellers`, `operators`), or ' +
        '`{ "sub": "order-system", "scopes": ["orders/write"] }` for a system (a carrier: ' +
        '`{ "sub": "carrier-yamato", "scopes": ["carrier/events"], "carrier": "yamato" }`), answers ' +
        '`{ "accessToken": "…" }`.\n\n' +
        "The API guide (docs/api-guide.md, Authentication) has the details.",
    },
    servers: [{ url: "/", description: "This deployment (or local mode)" }],
    security: [],
    paths: pathsOf(),
    components: componentsOf(),
  };
};
