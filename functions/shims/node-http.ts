// Stands in for `node:http` in the Lambda bundles (an esbuild alias, infra/lambda-defaults.ts).
// middy imports `STATUS_CODES` from it as an ES module, and on Node.js 22 the ES module view of
// `http` reads every export, among them the lazy `WebSocket`, `CloseEvent` and `MessageEvent` that
// load Node's bundled undici: some 20 ms of every cold start, for a table of status texts. The
// CommonJS module, which the AWS SDK uses too, loads nothing more. A bundled import of any other
// name from `node:http` fails the build ("No matching export"), so this cannot break silently.
export const { STATUS_CODES } = process.getBuiltinModule("node:http");
