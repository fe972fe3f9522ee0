// GET /docs: the API reference, rendered by swagger-ui from GET /openapi.json (the committed
// docs/openapi.json, copied into the build). Everything comes from this origin: swagger-ui from
// npm (swagger-ui-dist) bundled here, its stylesheet and the console's Japanese web font (the
// document's title and examples are partly Japanese). No inline script: the
// page's CSP allows 'self' only.
import "@fontsource/noto-sans-jp/400.css";
import "@fontsource/noto-sans-jp/700.css";
import "swagger-ui-dist/swagger-ui.css";
import "./reference.css";
import SwaggerUIBundle from "swagger-ui-dist/swagger-ui-es-bundle.js";

/** Where the document is served, next to this page. */
export const OPENAPI_PATH = "/openapi.json";

SwaggerUIBundle({
  url: OPENAPI_PATH,
  dom_id: "#reference",
  // The default sends the document to validator.swagger.io for a badge: no third party.
  validatorUrl: null,
  // `?url=` and `?configUrl=` could point the page at another document: off.
  queryConfigEnabled: false,
  deepLinking: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
});
