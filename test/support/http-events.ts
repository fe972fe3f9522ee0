// Complete API Gateway HTTP API (payload 2.0) events for a route of routes.ts, as API Gateway
// builds them after its JWT authorizer: lower-case headers, flattened claims, scopes; plus a
// Lambda context stub.
import { randomUUID } from "node:crypto";
import type { APIGatewayEventRequestContextJWTAuthorizer, Context } from "aws-lambda";
import { type HttpApiEvent, routeById } from "../../functions/http/middleware.ts";
import { lambdaContext as localLambdaContext } from "../../local/gateway.ts";

/** Who calls: a user (Cognito groups) or a machine client (scopes); `null` sends no token. */
export interface TestCaller {
  sub: string;
  groups?: string[];
  scopes?: string[];
  /** Extra or overriding claims, e.g. `{ token_use: "id" }` or a real array of groups. */
  claims?: Record<string, string | number | boolean | string[]>;
}

export const buyer = (sub = "buyer-1"): TestCaller => ({ sub, groups: ["buyers"] });
export const seller = (sub = "seller-1"): TestCaller => ({ sub, groups: ["sellers"] });
export const operator = (sub = "operator-1"): TestCaller => ({ sub, groups: ["operators"] });
export const system = (scope: string, sub = "machine-client-1"): TestCaller => ({
  sub,
  scopes: [scope],
});

export interface EventOptions {
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** An object is sent as JSON (with content-type application/json); a string as it is. */
  body?: unknown;
  /** Headers as a client sends them (any case); they are lower-cased like API Gateway does. */
  headers?: Record<string, string>;
  caller?: TestCaller | null;
  /** Sends the body base64-encoded, as API Gateway does for binary media types. */
  base64?: boolean;
}

/** API Gateway flattens array claims into one string: `["a","b"]` arrives as `"[a b]"`. */
export const flattenClaim = (values: readonly string[]): string => `[${values.join(" ")}]`;

const fillPath = (path: string, params: Record<string, string>): string =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(value);
  });

const epochSeconds = (ms: number) => Math.floor(ms / 1000);

/** CLF-style time, as in `requestContext.time` (`26/Nov/2026:10:00:00 +0000`). */
const clfTime = (date: Date): string => {
  const month = date.toLocaleString("en-US", { month: "short", timeZone: "UTC" });
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
};

export const httpEvent = (routeId: string, options: EventOptions = {}): HttpApiEvent => {
  const route = routeById(routeId);
  const params = options.params ?? {};
  const rawPath = fillPath(route.path, params);
  const query = options.query ?? {};
  const rawQueryString = new URLSearchParams(query).toString();
  const now = new Date();
  const headers: Record<string, string> = {
    accept: "application/json",
    host: "abc123.execute-api.ap-northeast-1.amazonaws.com",
    "user-agent": "vitest",
    "x-forwarded-for": "203.0.113.10",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https",
  };
  let body: string | undefined;
  if (typeof options.body === "string") {
    body = options.body;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body, "utf8"));
  const caller = options.caller === undefined ? null : options.caller;
  if (caller) headers.authorization = `Bearer test-token-for-${caller.sub}`;
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  if (options.base64 && body !== undefined) body = Buffer.from(body, "utf8").toString("base64");
  const requestContext = {
    accountId: "123456789012",
    apiId: "abc123",
    domainName: "abc123.execute-api.ap-northeast-1.amazonaws.com",
    domainPrefix: "abc123",
    http: {
      method: route.method,
      path: rawPath,
      protocol: "HTTP/1.1",
      sourceIp: "203.0.113.10",
      userAgent: "vitest",
    },
    requestId: randomUUID(),
    routeKey: `${route.method} ${route.path}`,
    stage: "$default",
    time: clfTime(now),
    timeEpoch: now.getTime(),
  };
  const authorizer: APIGatewayEventRequestContextJWTAuthorizer | undefined = caller
    ? {
        principalId: "",
        integrationLatency: 0,
        jwt: {
          claims: {
            sub: caller.sub,
            iss: "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_TEST",
            client_id: "test-client",
            token_use: "access",
            auth_time: epochSeconds(now.getTime()),
            iat: epochSeconds(now.getTime()),
            exp: epochSeconds(now.getTime()) + 3600,
            jti: randomUUID(),
            username: caller.sub,
            ...(caller.groups ? { "cognito:groups": flattenClaim(caller.groups) } : {}),
            ...(caller.scopes ? { scope: caller.scopes.join(" ") } : {}),
            ...caller.claims,
          },
          scopes: caller.scopes ?? null,
        },
      }
    : undefined;
  const event: HttpApiEvent = {
    version: "2.0",
    routeKey: `${route.method} ${route.path}`,
    rawPath,
    rawQueryString,
    headers,
    // Routes without a token (public ones) carry no authorizer at all.
    requestContext: authorizer ? { ...requestContext, authorizer } : requestContext,
    isBase64Encoded: options.base64 === true,
  };
  if (Object.keys(query).length > 0) event.queryStringParameters = { ...query };
  if (Object.keys(params).length > 0) event.pathParameters = { ...params };
  if (body !== undefined) event.body = body;
  return event;
};

/** The Lambda context a handler receives: local mode's, so tests and `npm start` agree. */
export const lambdaContext = (functionName = "http-handler-test"): Context =>
  localLambdaContext(functionName);
