// Only the edge may call the API: with the origin secret in the environment (as CloudFormation
// resolves it in AWS), every route refuses a request without CloudFront's header, or with another
// value, with 403 before authorization, parsing or any port; with the header it runs as usual.
// Without the variable, or with the reference unresolved (local mode), there is nothing to check.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  checkEdgeOrigin,
  EDGE_ORIGIN_HEADER,
  EDGE_ORIGIN_SECRET_ENV,
  expectedEdgeSecret,
} from "../../functions/http/edge-origin.ts";
import type { GetDeps } from "../../functions/http/middleware.ts";
import { HttpProblem } from "../../functions/http/problems.ts";
import { ROUTES, type Route } from "../../functions/http/routes.ts";
import { expectProblem, routeModule, toTestResponse } from "../support/http-app.ts";
import {
  buyer,
  type EventOptions,
  httpEvent,
  lambdaContext,
  operator,
  seller,
  system,
  type TestCaller,
} from "../support/http-events.ts";

const SECRET = "Qw3rTy7uIoP9aSdFgHjKlZxCvBnM1234567890abcdefghij";
const UNRESOLVED =
  "{{resolve:secretsmanager:arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:ApiOriginSecret-abc:SecretString:::}}";

/** Deps that fail the test if anything reaches them. */
const untouchable = () =>
  vi.fn<GetDeps<never>>(() => {
    throw new Error("deps must not be used for this request");
  });

/** A caller the route lets in, so that only the origin check can refuse. */
const allowedCaller = (route: Route): TestCaller | null => {
  const { access } = route;
  if (access.kind === "public") return null;
  if (access.kind === "scope") return system(access.scope);
  const role = access.roles[0];
  return role === "buyer" ? buyer() : role === "seller" ? seller() : operator();
};

const paramsFor = (route: Route): Record<string, string> =>
  Object.fromEntries(
    [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [
      name as string,
      name === "orderId" ? "o-1" : "r-1",
    ]),
  );

const call = async (route: Route, getDeps: GetDeps<unknown>, options: EventOptions = {}) => {
  const { createHandler } = await routeModule(route.id);
  const event = httpEvent(route.id, {
    caller: allowedCaller(route),
    params: paramsFor(route),
    ...(route.method === "POST" ? { body: {} } : {}),
    ...options,
  });
  return toTestResponse(await createHandler(getDeps)(event, lambdaContext()));
};

const getPolicy = ROUTES.find((route) => route.id === "GetPolicy") as Route;

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("deployed (the secret resolved)", () => {
  for (const route of ROUTES) {
    it(`${route.method} ${route.path}: 403 without the header, before anything else`, async () => {
      vi.stubEnv(EDGE_ORIGIN_SECRET_ENV, SECRET);
      const deps = untouchable();
      const response = await call(route, deps);
      const problem = expectProblem(response, 403, "FORBIDDEN");
      expect(problem.detail).toContain("ConsoleUrl");
      expect(deps).not.toHaveBeenCalled();
      // The answer never echoes the value.
      expect(response.raw).not.toContain(SECRET);
    });
  }

  it("403 without a token too: the origin is checked before the caller", async () => {
    vi.stubEnv(EDGE_ORIGIN_SECRET_ENV, SECRET);
    const getOrder = ROUTES.find((route) => route.id === "GetOrder") as Route;
    expectProblem(await call(getOrder, untouchable(), { caller: null }), 403, "FORBIDDEN");
  });

  it("403 with another value: a prefix, a longer one, another case, an empty one", async () => {
    vi.stubEnv(EDGE_ORIGIN_SECRET_ENV, SECRET);
    for (const value of [
      SECRET.slice(0, -1),
      `${SECRET}x`,
      SECRET.toLowerCase(),
      "",
      `${SECRET.slice(0, -1)}!`,
    ]) {
      const response = await call(getPolicy, untouchable(), {
        headers: { [EDGE_ORIGIN_HEADER]: value },
      });
      expectProblem(response, 403, "FORBIDDEN");
    }
  });

  it("with CloudFront's header (any case of its name) the route runs as usual", async () => {
    vi.stubEnv(EDGE_ORIGIN_SECRET_ENV, SECRET);
    for (const name of [EDGE_ORIGIN_HEADER, "X-Origin-Verify"]) {
      const response = await call(getPolicy, () => ({}), { headers: { [name]: SECRET } });
      expect(response.status).toBe(200);
    }
    // A route that needs a caller still checks it after the origin: 401 without a token.
    const getOrder = ROUTES.find((route) => route.id === "GetOrder") as Route;
    const response = await call(getOrder, untouchable(), {
      caller: null,
      headers: { [EDGE_ORIGIN_HEADER]: SECRET },
    });
    expectProblem(response, 401, "UNAUTHORIZED");
  });
});

describe("nothing to check", () => {
  it("no variable (tests, a handler outside the stack)", async () => {
    vi.stubEnv(EDGE_ORIGIN_SECRET_ENV, undefined);
    expect(expectedEdgeSecret()).toBeUndefined();
    expect((await call(getPolicy, () => ({}))).status).toBe(200);
  });

  it("the reference unresolved: the template read outside AWS (local mode)", async () => {
    vi.stubEnv(EDGE_ORIGIN_SECRET_ENV, UNRESOLVED);
    expect(expectedEdgeSecret()).toBeUndefined();
    expect((await call(getPolicy, () => ({}))).status).toBe(200);
  });

  it("a resolved value is what requests must carry", () => {
    expect(expectedEdgeSecret({ [EDGE_ORIGIN_SECRET_ENV]: SECRET })).toBe(SECRET);
    expect(() => checkEdgeOrigin({}, SECRET)).toThrow(HttpProblem);
    expect(() => checkEdgeOrigin(undefined, SECRET)).toThrow(HttpProblem);
    expect(() => checkEdgeOrigin({ [EDGE_ORIGIN_HEADER]: SECRET }, SECRET)).not.toThrow();
    expect(() => checkEdgeOrigin({}, undefined)).not.toThrow();
  });
});
