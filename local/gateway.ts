// The local HTTP API: matches requests against the synthesized routes, authorizes them the way
// the deployed JWT authorizer does (401 without a valid token, 403 without the route's scopes),
// turns them into payload-2.0 events and calls the unchanged handler modules.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { jsonContentTypePattern } from "@middy/util";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from "aws-lambda";
import {
  HttpProblem,
  jsonContentTypeRequired,
  PROBLEM_CONTENT_TYPE,
  type ProblemCode,
  toProblem,
} from "../functions/http/problems.ts";
import type { LocalTokens, VerifiedToken } from "./jwt.ts";
import type { LocalRoute } from "./template.ts";

export type HttpHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<unknown>;

export interface LocalEndpoint {
  method: string;
  path: string;
  handle: (request: {
    body: string;
    headers: Record<string, string>;
  }) => Promise<{ status: number; body: unknown }>;
}

interface CompiledRoute extends LocalRoute {
  pattern: RegExp;
  parameterNames: string[];
  handler: HttpHandler;
}

/** Requests larger than API Gateway's own payload limit are refused before any handler runs. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

const compile = (route: LocalRoute, handler: HttpHandler): CompiledRoute => {
  const parameterNames: string[] = [];
  const source = route.path
    .split("/")
    .map((segment) => {
      const name = /^\{(\w+)\}$/.exec(segment)?.[1];
      if (!name) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      parameterNames.push(name);
      return "([^/]+)";
    })
    .join("/");
  return { ...route, handler, parameterNames, pattern: new RegExp(`^${source}$`) };
};

/** The same problem documents the handlers answer with (functions/http/problems.ts). */
const problem = (response: ServerResponse, code: ProblemCode, detail: string) => {
  const body = toProblem(new HttpProblem(code, detail));
  response
    .writeHead(body?.status ?? 500, { "content-type": PROBLEM_CONTENT_TYPE })
    .end(JSON.stringify(body));
};

/** API Gateway hands JWT claims to the handler as strings, arrays as `[a b]`. */
const flattenClaims = (claims: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(claims).map(([name, value]) => [
      name,
      Array.isArray(value) ? `[${value.join(" ")}]` : String(value),
    ]),
  );

const readBody = async (request: IncomingMessage): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
};

const headersOf = (request: IncomingMessage): Record<string, string> =>
  Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name.toLowerCase(),
      Array.isArray(value) ? value.join(",") : String(value ?? ""),
    ]),
  );

/** The Lambda context a handler receives: enough for middy and the Powertools logger. */
export const lambdaContext = (functionName: string): Context => {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:ap-northeast-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

export interface GatewayOptions {
  routes: { route: LocalRoute; handler: HttpHandler }[];
  tokens: LocalTokens;
  /** Local-only routes (`/_local/...`), served before the API's own. */
  extraEndpoints: LocalEndpoint[];
  /** Answers what no route matched (the console's files) before the 404; false leaves it be. */
  fallback?: (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;
  log?: (line: string) => void;
}

export const createGateway = (options: GatewayOptions): Server => {
  const routes = options.routes.map(({ route, handler }) => compile(route, handler));

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = request.method ?? "GET";
    const body = await readBody(request);
    if (body === undefined) {
      problem(response, "PAYLOAD_TOO_LARGE", "the request body is too large");
      return;
    }
    const headers = headersOf(request);

    const extra = options.extraEndpoints.find(
      (endpoint) => endpoint.method === method && endpoint.path === url.pathname,
    );
    if (extra) {
      // As on the API's own routes: a body is JSON and says so. A page's form or text/plain
      // fetch (sent without a preflight) is refused before anything parses it.
      if (body.length > 0 && !jsonContentTypePattern.test(headers["content-type"] ?? "")) {
        const refused = toProblem(jsonContentTypeRequired());
        response
          .writeHead(refused?.status ?? 400, { "content-type": PROBLEM_CONTENT_TYPE })
          .end(JSON.stringify(refused));
        return;
      }
      const result = await extra.handle({ body: body.toString("utf8"), headers });
      const isProblem = result.status >= 400;
      response
        .writeHead(result.status, {
          "content-type": isProblem ? "application/problem+json" : "application/json",
        })
        .end(JSON.stringify(result.body));
      return;
    }

    let matched: { route: CompiledRoute; values: string[] } | undefined;
    for (const route of routes) {
      if (route.method !== method) continue;
      const values = route.pattern.exec(url.pathname)?.slice(1);
      if (values) {
        matched = { route, values };
        break;
      }
    }
    if (!matched && (await options.fallback?.(request, response, url))) return;
    if (!matched) {
      problem(response, "NOT_FOUND", `no route for ${method} ${url.pathname}`);
      return;
    }
    const { route, values } = matched;

    // The authorizer: a valid bearer token, then the route's scopes (any one of them suffices).
    let token: VerifiedToken | undefined;
    if (route.authorization === "JWT") {
      const bearer = /^Bearer (.+)$/i.exec(headers.authorization ?? "")?.[1];
      token = bearer ? await options.tokens.verify(bearer) : undefined;
      if (!token) {
        problem(response, "UNAUTHORIZED", "a valid bearer token is required");
        return;
      }
      if (route.scopes.length > 0 && !route.scopes.some((scope) => token?.scopes.includes(scope))) {
        problem(response, "FORBIDDEN", `this route needs scope ${route.scopes.join(" or ")}`);
        return;
      }
    }

    const now = new Date();
    const query = [...url.searchParams.keys()];
    const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
      version: "2.0",
      routeKey: `${route.method} ${route.path}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(query.length
        ? {
            queryStringParameters: Object.fromEntries(
              query.map((name) => [name, url.searchParams.getAll(name).join(",")]),
            ),
          }
        : {}),
      ...(route.parameterNames.length
        ? {
            pathParameters: Object.fromEntries(
              route.parameterNames.map((name, index) => [
                name,
                decodeURIComponent(values[index] ?? ""),
              ]),
            ),
          }
        : {}),
      requestContext: {
        accountId: "000000000000",
        apiId: "local",
        domainName: "127.0.0.1",
        domainPrefix: "127",
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${request.httpVersion}`,
          sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
          userAgent: headers["user-agent"] ?? "",
        },
        requestId: randomUUID(),
        routeKey: `${route.method} ${route.path}`,
        stage: "$default",
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
        authorizer: {
          principalId: "",
          integrationLatency: 0,
          jwt: {
            claims: token ? flattenClaims(token.claims) : {},
            scopes: token ? token.scopes : [],
          },
        },
      },
      ...(body.length ? { body: body.toString("utf8") } : {}),
      isBase64Encoded: false,
    };

    try {
      const result = (await route.handler(event, lambdaContext(route.functionLogicalId))) as {
        statusCode?: number;
        headers?: Record<string, string>;
        body?: string;
        isBase64Encoded?: boolean;
      };
      const responseBody = result.body ?? "";
      response
        .writeHead(result.statusCode ?? 200, result.headers ?? {})
        .end(result.isBase64Encoded ? Buffer.from(responseBody, "base64") : responseBody);
    } catch (error) {
      // What API Gateway answers when a function fails: the handler let an error escape.
      options.log?.(
        `${route.method} ${route.path} failed: ${(error as Error).stack ?? String(error)}`,
      );
      problem(response, "INTERNAL_ERROR", "the function failed");
    }
  };

  return createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      options.log?.(`gateway error: ${String(error)}`);
      if (!response.headersSent) problem(response, "INTERNAL_ERROR", "local gateway error");
    });
  });
};
