// The handler pipeline on every route, over the in-memory ports: route modules, authentication and
// access (401/403), body limits and parsing, input validation, the problem responses, and the
// service logger's lines (the API request's correlation id, the order and request they are about).
import { describe, expect, it, vi } from "vitest";
import { logger } from "../../functions/adapters/powertools.ts";
import { OrderExistsError } from "../../functions/app/errors.ts";
import { MAX_CURSOR_LENGTH } from "../../functions/app/ports.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import { authorize, callerFromAuthorizer, claimList } from "../../functions/http/caller.ts";
import { type GetDeps, MAX_BODY_BYTES } from "../../functions/http/middleware.ts";
import { ROLE_GROUPS, ROUTES, type Route } from "../../functions/http/routes.ts";
import {
  captureLogs,
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  invokeRoute,
  routeModule,
  toTestResponse,
} from "../support/http-app.ts";
import {
  buyer,
  type EventOptions,
  httpEvent,
  lambdaContext,
  system,
  type TestCaller,
} from "../support/http-events.ts";

/** Deps that fail the test if anything reaches them: bad requests must be refused before. */
const untouchable = () => {
  const getDeps = vi.fn<GetDeps<never>>(() => {
    throw new Error("deps must not be used for this request");
  });
  return getDeps;
};

/** The deps of GetOrder with an order repository whose reads fail with `error`. */
const failingReads = (error: Error) => () => ({
  orders: {
    get: async () => {
      throw error;
    },
    create: async () => {
      throw error;
    },
    save: async () => {
      throw error;
    },
  },
  clock: { now: () => "2026-11-21T10:00:00.000Z" },
});

const paramsFor = (route: Route): Record<string, string> => {
  const params: Record<string, string> = {};
  for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) {
    params[name as string] = name === "orderId" ? "o-1" : "r-1";
  }
  return params;
};

/** A caller the route lets in. */
const allowedCaller = (route: Route): TestCaller | null => {
  switch (route.access.kind) {
    case "public":
      return null;
    case "roles":
      return { sub: "user-1", groups: [ROLE_GROUPS[route.access.roles[0] ?? "buyer"]] };
    case "scope":
      return system(route.access.scope);
  }
};

/** A caller with a token the route does not accept: every other role and scope. */
const wrongCaller = (route: Route): TestCaller => {
  if (route.access.kind === "scope") {
    const other = route.access.scope === "orders/write" ? "carrier/events" : "orders/write";
    return { sub: "user-1", groups: Object.values(ROLE_GROUPS), scopes: [other] };
  }
  const allowed = route.access.kind === "roles" ? route.access.roles : [];
  const groups = Object.entries(ROLE_GROUPS)
    .filter(([role]) => !allowed.includes(role as never))
    .map(([, group]) => group);
  return {
    sub: "user-1",
    groups: [...groups, "others"],
    scopes: ["orders/write", "carrier/events"],
  };
};

const protectedRoutes = ROUTES.filter((route) => route.access.kind !== "public");
const postRoutes = ROUTES.filter((route) => route.method === "POST");
/**
 * The decision link's routes answer HTML pages, take a form instead of JSON and ignore a query
 * string (a mail client may append one): decision-links.test.ts tests them for those.
 */
const PAGE_ROUTES = ["DecisionLinkPage", "DecideByLink"];
const jsonPostRoutes = postRoutes.filter((route) => !PAGE_ROUTES.includes(route.id));
const apiRoutes = ROUTES.filter((route) => !PAGE_ROUTES.includes(route.id));

const call = (route: Route, getDeps: GetDeps<unknown>, options: EventOptions = {}) =>
  invokeRoute(route.id, getDeps, { params: paramsFor(route), ...options });

describe("route modules", () => {
  it.each(ROUTES.map((route) => [route.id, route] as const))(
    "%s: the entry module exports createHandler and handler for this route",
    async (_id, route) => {
      const module = await routeModule(route.id);
      expect(typeof module.createHandler).toBe("function");
      expect(typeof module.handler).toBe("function");
      expect(module.handler.routeId).toBe(route.id);
      expect(module.createHandler(untouchable()).routeId).toBe(route.id);
    },
  );

  it("wires handler to the default deps lazily: importing needs no environment", async () => {
    // Without TABLE_NAME the default deps cannot be built: that shows only at invocation time.
    vi.stubEnv("TABLE_NAME", "");
    const error = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    try {
      const { handler } = await routeModule("GetOrder");
      const response = toTestResponse(
        await handler(
          httpEvent("GetOrder", { params: { orderId: "o-1" }, caller: buyer() }),
          lambdaContext(),
        ),
      );
      expectProblem(response, 500, "INTERNAL_ERROR");
      expect(error).toHaveBeenCalledTimes(1);
    } finally {
      error.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});

describe("authentication and access", () => {
  it.each(protectedRoutes.map((route) => [route.id, route] as const))(
    "%s: no token → 401 with WWW-Authenticate, nothing touched",
    async (_id, route) => {
      const getDeps = untouchable();
      const response = await call(route, getDeps, { caller: null, body: {} });
      expectProblem(response, 401, "UNAUTHORIZED");
      expect(response.headers["www-authenticate"]).toBe("Bearer");
      expect(getDeps).not.toHaveBeenCalled();
    },
  );

  it.each(protectedRoutes.map((route) => [route.id, route] as const))(
    "%s: a token without the route's role or scope → 403, nothing touched",
    async (_id, route) => {
      const getDeps = untouchable();
      const response = await call(route, getDeps, { caller: wrongCaller(route), body: {} });
      expectProblem(response, 403, "FORBIDDEN");
      expect(getDeps).not.toHaveBeenCalled();
    },
  );

  it("refuses claims without a sub, and ID tokens, with 401", async () => {
    const route = ROUTES.find((candidate) => candidate.id === "ListOrders") as Route;
    const bad: NonNullable<TestCaller["claims"]>[] = [
      { sub: "" },
      { sub: 42 },
      { token_use: "id" },
    ];
    for (const claims of bad) {
      const getDeps = untouchable();
      const response = await call(route, getDeps, { caller: { ...buyer(), claims } });
      expectProblem(response, 401, "UNAUTHORIZED");
      expect(getDeps).not.toHaveBeenCalled();
    }
  });

  it("serves the public policy route without a token", async () => {
    const response = await invokeRoute("GetPolicy", () => ({}));
    expectJson(response, 200);
    expect(response.body).toEqual(DEFAULT_POLICY);
  });

  it("accepts groups flattened by API Gateway, as a real array, or as a JSON-style string", async () => {
    const app = createTestApp();
    for (const groups of ["[sellers buyers]", ["sellers", "buyers"], '["sellers","buyers"]']) {
      const response = await app.invoke("ListOrders", {
        caller: { sub: "buyer-1", claims: { "cognito:groups": groups } },
      });
      expectJson(response, 200);
    }
    expect(app.calls).toEqual(
      Array(3).fill({ call: "table.buyerOrders", args: ["buyer-1", { limit: 20 }] }),
    );
  });

  it("takes scopes from jwt.scopes or from the space-separated scope claim", () => {
    const access = { kind: "scope", scope: "carrier/events" } as const;
    const fromScopes = callerFromAuthorizer({
      jwt: { claims: { sub: "c-1" }, scopes: ["carrier/events"] },
    });
    const fromClaim = callerFromAuthorizer({
      jwt: { claims: { sub: "c-1", scope: "orders/write carrier/events" }, scopes: null },
    });
    expect(authorize(access, fromScopes).sub).toBe("c-1");
    expect(authorize(access, fromClaim).sub).toBe("c-1");
    expect(() =>
      authorize(
        access,
        callerFromAuthorizer({ jwt: { claims: { sub: "c-1" }, scopes: ["orders/write"] } }),
      ),
    ).toThrow(expect.objectContaining({ code: "FORBIDDEN" }));
  });

  it("reads list claims in each shape API Gateway may deliver", () => {
    expect(claimList("[buyers sellers]")).toEqual(["buyers", "sellers"]);
    expect(claimList("[buyers]")).toEqual(["buyers"]);
    expect(claimList("[]")).toEqual([]);
    expect(claimList(["buyers", "sellers"])).toEqual(["buyers", "sellers"]);
    expect(claimList('["buyers", "sellers"]')).toEqual(["buyers", "sellers"]);
    expect(claimList("orders/write carrier/events")).toEqual(["orders/write", "carrier/events"]);
    expect(claimList(undefined)).toEqual([]);
    expect(claimList(7)).toEqual([]);
  });

  it("ignores groups that are not roles", () => {
    const caller = callerFromAuthorizer({
      jwt: { claims: { sub: "u-1", "cognito:groups": "[admins sellers]" }, scopes: null },
    });
    expect([...(caller?.roles ?? [])]).toEqual(["seller"]);
  });
});

describe("bodies", () => {
  it.each(postRoutes.map((route) => [route.id, route] as const))(
    "%s: a body over 64 KiB → 413, before parsing, nothing touched",
    async (_id, route) => {
      const getDeps = untouchable();
      const response = await call(route, getDeps, {
        caller: allowedCaller(route),
        body: `{"x":"${"a".repeat(MAX_BODY_BYTES)}"}`,
        headers: { "content-type": "application/json" },
      });
      expectProblem(response, 413, "PAYLOAD_TOO_LARGE");
      expect(getDeps).not.toHaveBeenCalled();
    },
  );

  it.each(jsonPostRoutes.map((route) => [route.id, route] as const))(
    "%s: malformed JSON → 400, nothing touched",
    async (_id, route) => {
      const getDeps = untouchable();
      const response = await call(route, getDeps, {
        caller: allowedCaller(route),
        body: '{"reason": ',
        headers: { "content-type": "application/json" },
      });
      expectValidation(response);
      expect(getDeps).not.toHaveBeenCalled();
    },
  );

  it.each(jsonPostRoutes.map((route) => [route.id, route] as const))(
    "%s: a body that is not declared JSON → 400, nothing touched",
    async (_id, route) => {
      const getDeps = untouchable();
      const response = await call(route, getDeps, {
        caller: allowedCaller(route),
        body: "{}",
        headers: { "content-type": "text/plain" },
      });
      expectValidation(response, "headers.content-type");
      expect(getDeps).not.toHaveBeenCalled();
    },
  );

  it("counts base64 bodies by their decoded size", async () => {
    const route = ROUTES.find((candidate) => candidate.id === "RecordDelivery") as Route;
    // 60 KiB of JSON is 80 KiB once base64-encoded: under the limit, so it gets parsed.
    const padded = `{"deliveredAt":"not a time"${" ".repeat(60 * 1024)}}`;
    const under = await call(route, untouchable(), {
      caller: allowedCaller(route),
      body: padded,
      headers: { "content-type": "application/json" },
      base64: true,
    });
    expectValidation(under, "body.deliveredAt");
    const over = await call(route, untouchable(), {
      caller: allowedCaller(route),
      body: `{"deliveredAt":"x"${" ".repeat(MAX_BODY_BYTES)}}`,
      headers: { "content-type": "application/json" },
      base64: true,
    });
    expectProblem(over, 413, "PAYLOAD_TOO_LARGE");
  });

  it("refuses __proto__ keys as invalid JSON rather than merging them", async () => {
    const route = ROUTES.find((candidate) => candidate.id === "SellerDecision") as Route;
    const getDeps = untouchable();
    const response = await call(route, getDeps, {
      caller: allowedCaller(route),
      body: '{"decision":"APPROVE","__proto__":{"admin":true}}',
      headers: { "content-type": "application/json" },
    });
    expectValidation(response);
    expect(getDeps).not.toHaveBeenCalled();
  });

  it("validates a missing body as {}: fields are reported as required", async () => {
    const route = ROUTES.find((candidate) => candidate.id === "RecordShipment") as Route;
    const response = await call(route, untouchable(), { caller: allowedCaller(route) });
    expectValidation(response, "body.carrier", "body.trackingNumber");
  });

  it("accepts an empty body on a POST route that takes no fields", async () => {
    const route = ROUTES.find((candidate) => candidate.id === "WithdrawCancellationRequest");
    // It gets past every check and reaches the repository, which knows no such order.
    const app = createTestApp();
    for (const body of [undefined, ""]) {
      const response = await call(route as Route, () => app.deps("WithdrawCancellationRequest"), {
        caller: buyer(),
        ...(body === undefined ? {} : { body }),
      });
      expectProblem(response, 404, "NOT_FOUND");
    }
    expect(app.callNames()).toEqual(["table.get", "table.get"]);
  });

  it("reports unknown fields by name", async () => {
    const route = ROUTES.find((candidate) => candidate.id === "WithdrawCancellationRequest");
    const response = await call(route as Route, untouchable(), {
      caller: buyer(),
      body: { because: "x" },
    });
    expectValidation(response, "body.because");
  });
});

describe("query and path parameters", () => {
  it.each(apiRoutes.map((route) => [route.id, route] as const))(
    "%s: an unknown query parameter → 400, nothing touched",
    async (_id, route) => {
      const getDeps = untouchable();
      const response = await call(route, getDeps, {
        caller: allowedCaller(route),
        query: { debug: "1" },
      });
      expectValidation(response, "query.debug");
      expect(getDeps).not.toHaveBeenCalled();
    },
  );

  it.each([
    ["0", "limit"],
    ["101", "limit"],
    ["abc", "limit"],
    ["2.5", "limit"],
  ])("GET /orders?limit=%s → 400", async (limit, name) => {
    const getDeps = untouchable();
    const response = await invokeRoute("ListOrders", getDeps, {
      caller: buyer(),
      query: { limit },
    });
    expectValidation(response, `query.${name}`);
    expect(getDeps).not.toHaveBeenCalled();
  });

  it("refuses an empty or oversized cursor before the store sees it", async () => {
    for (const cursor of ["", "x".repeat(MAX_CURSOR_LENGTH + 1)]) {
      const response = await invokeRoute("ListOrders", untouchable(), {
        caller: buyer(),
        query: { cursor },
      });
      expectValidation(response, "query.cursor");
    }
  });

  it("refuses a status that is not a request status", async () => {
    const response = await invokeRoute("ListSellerCancellationRequests", untouchable(), {
      caller: { sub: "seller-1", groups: ["sellers"] },
      query: { status: "SHIPPED" },
    });
    expectValidation(response, "query.status");
  });

  it("refuses a malformed order id in the path", async () => {
    const response = await invokeRoute("GetOrder", untouchable(), {
      caller: buyer(),
      params: { orderId: "o 1/../x" },
    });
    expectValidation(response, "params.orderId");
  });
});

describe("errors", () => {
  it("answers an unexpected failure with a generic 500 and logs it without the request", async () => {
    const logged = vi.spyOn(logger, "error").mockImplementation(() => undefined);
    const failure = new Error("connection reset by peer");
    try {
      const response = await invokeRoute("GetOrder", failingReads(failure), {
        caller: buyer(),
        params: { orderId: "o-1" },
      });
      const problem = expectProblem(response, 500, "INTERNAL_ERROR");
      expect(problem.detail).not.toContain("connection reset");
      expect(logged).toHaveBeenCalledTimes(1);
      // Not an error the service raised: its name and where it was thrown, not its message.
      expect(logged).toHaveBeenCalledWith("unhandled error", {
        routeId: "GetOrder",
        apiRequestId: expect.any(String),
        error: { name: "Error", stack: expect.arrayContaining([expect.stringMatching(/^at /)]) },
      });
    } finally {
      logged.mockRestore();
    }
  });

  it("logs an AWS SDK error by name, code, status and ids, never its message", async () => {
    // DynamoDB's messages can quote what a condition compared, an email address among them.
    const failure = Object.assign(
      new Error("The conditional request failed: buyerEmail = taro@example.com was not expected"),
      {
        name: "ConditionalCheckFailedException",
        Code: "ConditionalCheckFailedException",
        $fault: "client",
        $metadata: { httpStatusCode: 400, requestId: "AWSREQ123" },
      },
    );
    const logs = captureLogs();
    const { createHandler } = await routeModule("GetOrder");
    const event = httpEvent("GetOrder", { caller: buyer(), params: { orderId: "o-1" } });
    const response = await createHandler(failingReads(failure))(event, lambdaContext()).finally(
      logs.stop,
    );
    expectProblem(toTestResponse(response), 500, "INTERNAL_ERROR");
    expect(logs.lines).toHaveLength(1);
    const [line] = logs.lines;
    expect(JSON.stringify(line)).not.toContain("taro@example.com");
    expect(JSON.stringify(line)).not.toContain("conditional request failed");
    expect(line).toMatchObject({
      level: "ERROR",
      message: "unhandled error",
      routeId: "GetOrder",
      correlation_id: event.requestContext.requestId,
      apiRequestId: event.requestContext.requestId,
      function_request_id: expect.any(String),
      orderId: "o-1",
      error: {
        name: "ConditionalCheckFailedException",
        code: "ConditionalCheckFailedException",
        httpStatusCode: 400,
        awsRequestId: "AWSREQ123",
        fault: "client",
      },
    });
    expect(line?.error).not.toHaveProperty("message");
  });

  it("logs the message of an error the service raised itself", async () => {
    const logs = captureLogs();
    const { createHandler } = await routeModule("GetOrder");
    const event = httpEvent("GetOrder", { caller: buyer(), params: { orderId: "o-1" } });
    const response = await createHandler(failingReads(new OrderExistsError()))(
      event,
      lambdaContext(),
    ).finally(logs.stop);
    expectProblem(toTestResponse(response), 500, "INTERNAL_ERROR");
    expect(logs.lines).toEqual([
      expect.objectContaining({
        level: "ERROR",
        message: "unhandled error",
        error: expect.objectContaining({
          name: "OrderExistsError",
          message: "order already exists",
        }),
      }),
    ]);
  });

  it("answers a caller's error without logging it", async () => {
    const logs = captureLogs();
    const app = createTestApp();
    const response = await app
      .invoke("GetOrder", { caller: buyer(), params: { orderId: "o-1" } })
      .finally(logs.stop);
    expectProblem(response, 404, "NOT_FOUND");
    expect(logs.lines).toEqual([]);
  });
});

describe("log lines", () => {
  /** Invokes GetOrder on `o-1` with an event of its own, answering its API request id. */
  const getOrder = async (getDeps: GetDeps<unknown>, orderId = "o-1") => {
    const { createHandler } = await routeModule("GetOrder");
    const event = httpEvent("GetOrder", { caller: buyer(), params: { orderId } });
    const response = toTestResponse(await createHandler(getDeps)(event, lambdaContext()));
    return { response, apiRequestId: event.requestContext.requestId };
  };

  it("carry the API request's id as correlation_id, and the order they are about", async () => {
    const app = createTestApp();
    app.world.table.outage.next = 1;
    const logs = captureLogs();
    const { response, apiRequestId } = await getOrder(() => app.deps("GetOrder")).finally(
      logs.stop,
    );
    expectProblem(response, 503, "UNAVAILABLE");
    expect(logs.lines).toEqual([
      expect.objectContaining({
        level: "WARN",
        message: "dependency unavailable",
        service: "shipped-cancellation",
        function_name: "http-handler-test",
        correlation_id: apiRequestId,
        orderId: "o-1",
        routeId: "GetOrder",
        error: "ProvisionedThroughputExceededException",
      }),
    ]);
  });

  it("never carry an earlier invocation's correlation id or order", async () => {
    const app = createTestApp();
    app.world.table.outage.next = 1;
    const logs = captureLogs();
    const first = await getOrder(() => app.deps("GetOrder"), "o-first").finally(logs.stop);
    expectProblem(first.response, 503, "UNAVAILABLE");
    // The next invocation in the same container fails before it reads anything.
    const later = captureLogs();
    const second = await getOrder(() => {
      throw new Error("environment variable TABLE_NAME is not set");
    }, "o-second").finally(later.stop);
    expectProblem(second.response, 500, "INTERNAL_ERROR");
    expect(later.lines).toHaveLength(1);
    const [line] = later.lines;
    expect(line).toMatchObject({ level: "ERROR", message: "unhandled error" });
    expect(line?.correlation_id).not.toBe(first.apiRequestId);
    expect(line).toMatchObject({ correlation_id: second.apiRequestId, orderId: "o-second" });
  });
});
