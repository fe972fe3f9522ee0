// The one way to build a route handler: middy with header normalization, access check, body size
// limit, JSON parsing, zod validation and a single error middleware answering RFC 9457 problems.
//
//   export const createHandler = httpHandler(getOrderRoute, { params }, async (input, deps) => ...);
//   export const handler = createHandler(() => ({ orders: orders(), ...basics }));
import middy, { type MiddlewareObj } from "@middy/core";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import type {
  APIGatewayEventRequestContextJWTAuthorizer,
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2WithRequestContext,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import { logger } from "../adapters/powertools.ts";
import { errorFields, isOwnError } from "../app/error-fields.ts";
import * as z from "../domain/zod.ts";
import { authorize, type Caller, callerFromAuthorizer } from "./caller.ts";
import { edgeOnly } from "./edge-origin.ts";
import {
  type FieldError,
  HttpProblem,
  internalError,
  jsonContentTypeRequired,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  toProblem,
  validationFailed,
} from "./problems.ts";
import { ROUTES, type Route } from "./routes.ts";

/** Largest body accepted, counted in decoded bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** An HTTP API payload-2.0 event; public routes have no authorizer. */
export type HttpApiEvent = APIGatewayProxyEventV2WithRequestContext<
  APIGatewayEventRequestContextV2 & { authorizer?: APIGatewayEventRequestContextJWTAuthorizer }
>;
export type HttpApiResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = ((event: HttpApiEvent, context: Context) => Promise<HttpApiResult>) & {
  readonly routeId: string;
};

/** A route's dependencies (its ports), built on first use; tests pass fakes. */
export type GetDeps<D> = () => D;

export interface InputSchemas {
  params?: z.ZodMiniType;
  /** Defaults to no parameters at all: an unknown query parameter is a 400. */
  query?: z.ZodMiniType;
  /** Headers to validate (lower-case names); others are left alone. */
  headers?: z.ZodMiniType;
  /** POST routes only; a missing or empty body is validated as `{}`. */
  body?: z.ZodMiniType;
  /**
   * POST routes only: the body exactly as it came (a signed webhook's signature covers its bytes)
   * is handed over as `rawBody`; it must still be JSON, and `body` is not validated.
   */
  rawBody?: true;
  /**
   * POST routes only: the body is an HTML form's (`application/x-www-form-urlencoded`), handed
   * over as `rawBody` for the handler to read; no JSON parsing, and `body` is not validated.
   */
  form?: true;
}

type Output<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

export interface HttpInput<S extends InputSchemas> {
  caller: Caller;
  params: Output<S["params"]>;
  query: S["query"] extends z.ZodMiniType ? z.output<S["query"]> : Record<string, never>;
  headers: Output<S["headers"]>;
  body: Output<S["body"]>;
  /**
   * The body as it came (decoded from base64 where the gateway encoded it), for `rawBody` and
   * `form` routes.
   */
  rawBody: string;
  event: HttpApiEvent;
}

export interface HttpResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** A body that is not JSON (an HTML page, say): sent as it is. */
  raw?: { contentType: string; base64?: boolean };
}

export type RouteHandler<S extends InputSchemas, D> = (
  input: HttpInput<S>,
  deps: D,
) => Promise<HttpResult>;

/** Values the middlewares hand to the handler, keyed by the invocation's own event object. */
interface RouteState {
  caller?: Caller;
  input?: Omit<HttpInput<InputSchemas>, "event" | "rawBody">;
  /** The body as it came, kept before the JSON parser replaces it (`rawBody` routes). */
  rawBody?: string;
}
const states = new WeakMap<HttpApiEvent, RouteState>();
const state = (event: HttpApiEvent): RouteState => {
  let found = states.get(event);
  if (!found) {
    found = {};
    states.set(event, found);
  }
  return found;
};
type RouteMiddleware = MiddlewareObj<HttpApiEvent, HttpApiResult, Error, Context>;

/** Any query parameter is unknown to a route that declares none. */
const NO_QUERY = z.strictObject({});

export const routeById = (routeId: string): Route => {
  const route = ROUTES.find((candidate) => candidate.id === routeId);
  if (!route) throw new Error(`no route ${routeId} in routes.ts`);
  return route;
};

const jsonResponse = (
  status: number,
  body: unknown,
  contentType: string,
  headers: Record<string, string> = {},
): HttpApiResult => ({
  statusCode: status,
  // Answers are per caller (or a policy that may change): no shared caches.
  headers: { "content-type": contentType, "cache-control": "no-store", ...headers },
  body: JSON.stringify(body),
});

export const problemResponse = ({ retryAfter, ...problem }: Problem): HttpApiResult =>
  jsonResponse(problem.status, problem, PROBLEM_CONTENT_TYPE, {
    ...(problem.status === 401 ? { "www-authenticate": "Bearer" } : {}),
    ...(retryAfter === undefined ? {} : { "retry-after": String(retryAfter) }),
  });

/** The HTTP layer's own errors, with the service's others: their messages are ours to log. */
const isServiceError = (error: Error): boolean => error instanceof HttpProblem || isOwnError(error);

/**
 * Every line of the invocation, the error middleware's included, names the API request that
 * caused it and what it is about; set before anything can fail, and reset from the last one.
 */
const logContext = (): RouteMiddleware => ({
  before: (request) => {
    const { event, context } = request;
    logger.addContext(context);
    logger.resetKeys();
    logger.setCorrelationId(event.requestContext?.requestId);
    const { orderId, requestId } = (event.pathParameters ?? {}) as Record<string, string>;
    logger.appendKeys({ ...(orderId ? { orderId } : {}), ...(requestId ? { requestId } : {}) });
  },
});

/** The one error middleware: caller errors become their problem, anything else a logged 500. */
const problemResponses = (routeId: string): RouteMiddleware => ({
  onError: (request) => {
    const known = toProblem(request.error);
    if (known) {
      if (known.status === 503) {
        // Ours to watch, not the caller's fault: the name only (messages may quote data).
        logger.warn("dependency unavailable", { routeId, error: request.error?.name });
      }
      request.response = problemResponse(known);
      return;
    }
    // Never the event (it holds the Authorization header, bodies and email addresses), nor the
    // message of an error the service did not raise: AWS SDK messages may quote values.
    logger.error("unhandled error", {
      routeId,
      apiRequestId: request.event.requestContext?.requestId,
      error: errorFields(request.error, isServiceError),
    });
    request.response = problemResponse(internalError());
  },
});

const authorizeRoute = (route: Route): RouteMiddleware => ({
  before: (request) => {
    const caller = callerFromAuthorizer(request.event.requestContext?.authorizer);
    state(request.event).caller = authorize(route.access, caller);
  },
});

/** Measured on the decoded bytes before anything parses them. */
const bodySizeLimit = (maxBytes: number): RouteMiddleware => ({
  before: (request) => {
    const { body, isBase64Encoded } = request.event;
    if (typeof body !== "string") return;
    const bytes = Buffer.byteLength(body, isBase64Encoded ? "base64" : "utf8");
    if (bytes > maxBytes) {
      throw new HttpProblem(
        "PAYLOAD_TOO_LARGE",
        `the body is ${bytes} bytes; at most ${maxBytes} are accepted`,
      );
    }
  },
});

/**
 * middy's JSON parser for bodies that are there (an empty body stands for `{}`, so POST routes
 * without fields accept it); its 415/422 become 400 VALIDATION_FAILED as SPEC says.
 */
const jsonBody = (): RouteMiddleware => {
  const parser = httpJsonBodyParser<HttpApiEvent>();
  return {
    before: (request) => {
      const { body } = request.event;
      if (body === undefined || body === null || body === "") {
        request.event.body = undefined;
        return;
      }
      try {
        parser.before?.(request);
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 415) throw jsonContentTypeRequired();
        if (status === 422) throw validationFailed("the body is not valid JSON");
        throw error;
      }
    },
  };
};

/** zod issues as `{ path, message }`, with where they came from (`body.reason`, `query.limit`). */
const fieldErrors = (where: string, error: z.core.$ZodError): FieldError[] =>
  error.issues.flatMap((issue) => {
    const path = [where, ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: `${path}.${key}`, message: "is not a known field" }));
    }
    return [{ path, message: issue.message }];
  });

const validateInput = (schemas: InputSchemas): RouteMiddleware => ({
  before: (request) => {
    const { event } = request;
    const parts: [string, z.ZodMiniType | undefined, unknown][] = [
      ["params", schemas.params, event.pathParameters ?? {}],
      ["query", schemas.query ?? NO_QUERY, event.queryStringParameters ?? {}],
      ["headers", schemas.headers, event.headers ?? {}],
      // The JSON parser replaced the string with its value; absent means empty.
      [
        "body",
        schemas.rawBody || schemas.form ? undefined : schemas.body,
        (event.body as unknown) ?? {},
      ],
    ];
    const errors: FieldError[] = [];
    const values: Record<string, unknown> = {};
    for (const [where, schema, value] of parts) {
      if (!schema) continue;
      const result = schema.safeParse(value);
      if (result.success) values[where] = result.data;
      else errors.push(...fieldErrors(where, result.error));
    }
    if (errors.length > 0) throw validationFailed("the request is not valid", errors);
    state(request.event).input = {
      caller: state(request.event).caller as Caller,
      params: values.params as undefined,
      query: values.query as Record<string, never>,
      headers: values.headers as undefined,
      body: values.body as undefined,
    };
  },
});

/** Keeps the body's bytes as they came (a signature covers them), before anything parses them. */
const keepRawBody = (): RouteMiddleware => ({
  before: ({ event }) => {
    const { body, isBase64Encoded } = event;
    if (typeof body !== "string") return;
    state(event).rawBody = isBase64Encoded ? Buffer.from(body, "base64").toString() : body;
  },
});

/**
 * Builds a route's handler factory: `createHandler(getDeps)`. Deps are resolved per invocation
 * after the request passed every check, so bad requests never need (or touch) them.
 */
export const httpHandler = <S extends InputSchemas, D>(
  route: Route,
  schemas: S,
  handle: RouteHandler<S, D>,
) => {
  const routeId = route.id;
  // Only POST routes take a body; any other route's body is never read.
  const takesBody = route.method === "POST";
  const checks = takesBody ? schemas : { ...schemas, body: undefined };
  return (getDeps: GetDeps<D>): HttpHandler => {
    const base = async (event: HttpApiEvent): Promise<HttpApiResult> => {
      const { input } = state(event);
      if (!input) throw new Error("the validation middleware did not run");
      const deps = getDeps();
      const rawBody = state(event).rawBody ?? "";
      const result = await handle({ ...input, rawBody, event } as HttpInput<S>, deps);
      if (result.raw) {
        return {
          statusCode: result.status,
          headers: { "content-type": result.raw.contentType, ...result.headers },
          body: String(result.body),
          ...(result.raw.base64 ? { isBase64Encoded: true } : {}),
        };
      }
      return jsonResponse(result.status, result.body, "application/json", result.headers);
    };
    const handler = middy<HttpApiEvent, HttpApiResult, Error, Context>(base)
      .use(logContext())
      .use(problemResponses(routeId))
      .use(httpHeaderNormalizer())
      .use(edgeOnly())
      .use(authorizeRoute(route))
      .use(bodySizeLimit(MAX_BODY_BYTES))
      .use(takesBody && (schemas.rawBody || schemas.form) ? [keepRawBody()] : [])
      .use(takesBody && !schemas.form ? [jsonBody()] : [])
      .use(validateInput(checks));
    return Object.assign(handler, { routeId });
  };
};
