// Runs route handlers the way Lambda does (payload-2.0 event + context) over the in-memory fakes of
// the ports (fakes.ts): no DynamoDB, no Java, no network. Each route gets only its own ports, as
// its module's `handler` does, every call the handlers make to a fake is recorded, and every answer
// is checked against the committed OpenAPI document (docs/openapi.json).
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect } from "vitest";
import { NO_WAKE_UP } from "../../functions/app/change-order.ts";
import type { StoredOrder } from "../../functions/app/ports.ts";
import type { RequestStatus } from "../../functions/domain/types.ts";
import type * as CloseRefundInquiry from "../../functions/http/close-refund-inquiry.ts";
import type * as DecideByLink from "../../functions/http/decide-by-link.ts";
import type * as DecisionLinkPage from "../../functions/http/decision-link-page.ts";
import type * as GetAudit from "../../functions/http/get-audit.ts";
import type * as GetCancellationRequest from "../../functions/http/get-cancellation-request.ts";
import type * as GetOperatorSellerMetrics from "../../functions/http/get-operator-seller-metrics.ts";
import type * as GetOrder from "../../functions/http/get-order.ts";
import type * as GetPolicy from "../../functions/http/get-policy.ts";
import type * as GetSellerMetrics from "../../functions/http/get-seller-metrics.ts";
import type * as ImportOrder from "../../functions/http/import-order.ts";
import type * as ListOperatorCancellationRequests from "../../functions/http/list-operator-requests.ts";
import type * as ListOrders from "../../functions/http/list-orders.ts";
import type * as ListRefundInquiries from "../../functions/http/list-refund-inquiries.ts";
import type * as ListSellerParcels from "../../functions/http/list-seller-parcels.ts";
import type * as ListSellerCancellationRequests from "../../functions/http/list-seller-requests.ts";
import type * as MarketplaceDecision from "../../functions/http/marketplace-decision.ts";
import {
  type GetDeps,
  type HttpApiResult,
  type HttpHandler,
  routeById,
} from "../../functions/http/middleware.ts";
import type * as OpenRefundInquiry from "../../functions/http/open-refund-inquiry.ts";
import type * as PreviewCancellation from "../../functions/http/preview-cancellation.ts";
import { PROBLEM_CONTENT_TYPE, type ProblemCode } from "../../functions/http/problems.ts";
import type * as RecordDelivery from "../../functions/http/record-delivery.ts";
import type * as RecordShipment from "../../functions/http/record-shipment.ts";
import type * as RecordTrackingEvent from "../../functions/http/record-tracking-event.ts";
import type * as RequestCancellation from "../../functions/http/request-cancellation.ts";
import type * as RetryRefund from "../../functions/http/retry-refund.ts";
import type * as SellerDecision from "../../functions/http/seller-decision.ts";
import type * as StripeWebhook from "../../functions/http/stripe-webhook.ts";
import type * as WithdrawCancellationRequest from "../../functions/http/withdraw-cancellation-request.ts";
import { checkAgainstDocument } from "./contract.ts";
import { fakeWorld } from "./fakes.ts";
import { type EventOptions, httpEvent, lambdaContext } from "./http-events.ts";
import { at } from "./records.ts";

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

export interface RouteModule {
  // biome-ignore lint/suspicious/noExplicitAny: each route module takes its own deps
  createHandler: (getDeps: GetDeps<any>) => HttpHandler;
  handler: HttpHandler;
}

/** The handler module a route's `entry` names, loaded like the Lambda runtime would. */
export const routeModule = (routeId: string): Promise<RouteModule> =>
  import(/* @vite-ignore */ pathToFileURL(resolve(ROOT, routeById(routeId).entry)).href);

export interface TestResponse {
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body. */
  body: Record<string, unknown> & { items?: Record<string, unknown>[] };
  /** The body as sent, for "never contains" checks. */
  raw: string;
}

/** A JSON answer (the API's, its problems); the decision link's pages are HTML. */
const isJson = (contentType: string): boolean => /json/i.test(contentType);

export const toTestResponse = (result: HttpApiResult): TestResponse => {
  const raw = result.body ?? "";
  const contentType = String(result.headers?.["content-type"] ?? "");
  return {
    status: result.statusCode ?? 0,
    headers: Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
    ),
    // A page's body is its `raw` text.
    body: raw === "" || !isJson(contentType) ? {} : JSON.parse(raw),
    raw,
  };
};

/**
 * Invokes a route's handler, built by its module's `createHandler(getDeps)`, with one event, and
 * checks the answer against docs/openapi.json: a status the route does not document or a body
 * that does not match its schema fails the test.
 */
export const invokeRoute = async (
  routeId: string,
  getDeps: GetDeps<unknown>,
  options: EventOptions = {},
): Promise<TestResponse> => {
  const { createHandler } = await routeModule(routeId);
  const event = httpEvent(routeId, options);
  const response = toTestResponse(await createHandler(getDeps)(event, lambdaContext()));
  const contentType = response.headers["content-type"] ?? "";
  checkAgainstDocument(routeById(routeId).method, event.rawPath, {
    status: response.status,
    contentType,
    body: isJson(contentType) ? response.body : response.raw,
  });
  return response;
};

/** Asserts an RFC 9457 problem with SPEC's fields, and returns its body for further checks. */
export const expectProblem = (response: TestResponse, status: number, code: ProblemCode) => {
  expect(response.body).toMatchObject({ status, code });
  expect(response.status).toBe(status);
  expect(response.headers["content-type"]).toBe(PROBLEM_CONTENT_TYPE);
  for (const field of ["type", "title", "detail"]) {
    expect(typeof response.body[field], field).toBe("string");
    expect((response.body[field] as string).length, field).toBeGreaterThan(0);
  }
  return response.body as {
    type: string;
    title: string;
    status: number;
    detail: string;
    code: ProblemCode;
    errors?: { path: string; message: string }[];
  };
};

/** A 400 VALIDATION_FAILED whose `errors` name each of `paths`. */
export const expectValidation = (response: TestResponse, ...paths: string[]) => {
  const problem = expectProblem(response, 400, "VALIDATION_FAILED");
  const named = (problem.errors ?? []).map((error) => error.path);
  for (const path of paths) expect(named).toContain(path);
  for (const error of problem.errors ?? []) expect(typeof error.message).toBe("string");
  return problem;
};

export const expectJson = (response: TestResponse, status: number) => {
  expect(response.status, response.raw).toBe(status);
  expect(response.headers["content-type"]).toBe("application/json");
};

// ---- the ports of each route, from the fakes ------------------------------------------------

/** What a route module's `createHandler` takes its deps as. */
type DepsOf<M extends { createHandler: (getDeps: never) => unknown }> = ReturnType<
  Parameters<M["createHandler"]>[0]
>;

/** Every route's deps type, by route id: a handler that changes its ports fails to compile here. */
interface RouteDeps {
  GetPolicy: DepsOf<typeof GetPolicy>;
  ImportOrder: DepsOf<typeof ImportOrder>;
  ListOrders: DepsOf<typeof ListOrders>;
  GetOrder: DepsOf<typeof GetOrder>;
  RecordShipment: DepsOf<typeof RecordShipment>;
  RecordDelivery: DepsOf<typeof RecordDelivery>;
  RecordTrackingEvent: DepsOf<typeof RecordTrackingEvent>;
  RequestCancellation: DepsOf<typeof RequestCancellation>;
  PreviewCancellation: DepsOf<typeof PreviewCancellation>;
  GetCancellationRequest: DepsOf<typeof GetCancellationRequest>;
  WithdrawCancellationRequest: DepsOf<typeof WithdrawCancellationRequest>;
  SellerDecision: DepsOf<typeof SellerDecision>;
  MarketplaceDecision: DepsOf<typeof MarketplaceDecision>;
  RetryRefund: DepsOf<typeof RetryRefund>;
  ListSellerCancellationRequests: DepsOf<typeof ListSellerCancellationRequests>;
  ListOperatorCancellationRequests: DepsOf<typeof ListOperatorCancellationRequests>;
  StripeWebhook: DepsOf<typeof StripeWebhook>;
  OpenRefundInquiry: DepsOf<typeof OpenRefundInquiry>;
  CloseRefundInquiry: DepsOf<typeof CloseRefundInquiry>;
  ListRefundInquiries: DepsOf<typeof ListRefundInquiries>;
  ListSellerParcels: DepsOf<typeof ListSellerParcels>;
  GetAudit: DepsOf<typeof GetAudit>;
  GetSellerMetrics: DepsOf<typeof GetSellerMetrics>;
  GetOperatorSellerMetrics: DepsOf<typeof GetOperatorSellerMetrics>;
  DecisionLinkPage: DepsOf<typeof DecisionLinkPage>;
  DecideByLink: DepsOf<typeof DecideByLink>;
}
export type RouteId = keyof RouteDeps;

export type World = ReturnType<typeof fakeWorld>;
/** The fakes whose calls are recorded: the ports that reach AWS or the payment provider. */
export type PortName = "table" | "workflow" | "mailer" | "publisher" | "payments" | "links";

export interface PortCall {
  /** `table.get`, `workflow.wake`, … */
  call: string;
  args: unknown[];
}

/** What to do once a call (`table.get`, …) has answered, once: e.g. start an outage. */
type AfterCall = Map<string, (() => void)[]>;

/**
 * The fake itself, each method call recorded in `calls` before it runs on the fake, and the hooks
 * waiting for that call run once it answered.
 */
const recorded = <T extends object>(
  fake: T,
  port: PortName,
  calls: PortCall[],
  after: AfterCall,
): T =>
  new Proxy(fake, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function" || typeof property !== "string") return value;
      const call = `${port}.${property}`;
      return (...args: unknown[]) => {
        calls.push({ call, args });
        const result = value.apply(target, args);
        const hooks = after.get(call)?.splice(0) ?? [];
        if (hooks.length === 0) return result;
        return Promise.resolve(result).then((answer) => {
          for (const hook of hooks) hook();
          return answer;
        });
      };
    },
  });

/**
 * Each route's deps over the (recorded) fakes: only the ports its module wires (each literal is
 * checked against the route's deps type, so a port the route does not take fails to compile).
 */
const routeDeps = (
  world: World,
  ports: Record<PortName, object>,
): { [K in RouteId]: () => RouteDeps[K] } => {
  const orders = ports.table as World["table"];
  const lists = orders;
  const signals = ports.workflow as World["workflow"];
  const payments = ports.payments as World["payments"];
  const links = ports.links as World["links"];
  const { clock, log } = world;
  type D = RouteDeps;
  // What a route that starts a finished request's execution again needs (reconcile.ts `resume`).
  const resumes = { executions: signals, executionRecords: orders, metrics: world.metrics };
  return {
    GetPolicy: (): D["GetPolicy"] => ({}),
    ImportOrder: (): D["ImportOrder"] => ({ orders, clock }),
    ListOrders: (): D["ListOrders"] => ({ lists, clock }),
    GetOrder: (): D["GetOrder"] => ({ orders, clock }),
    // The module wires NO_WAKE_UP (nothing waits on an order without a request): so do we.
    RecordShipment: (): D["RecordShipment"] => ({ orders, signals: NO_WAKE_UP, clock, log }),
    RecordDelivery: (): D["RecordDelivery"] => ({
      orders,
      signals,
      payments,
      clock,
      log,
      ...resumes,
    }),
    // The module wires NO_WAKE_UP (the parcel's moves change no request's status): so do we.
    RecordTrackingEvent: (): D["RecordTrackingEvent"] => ({
      orders,
      signals: NO_WAKE_UP,
      clock,
      log,
      ...resumes,
    }),
    RequestCancellation: (): D["RequestCancellation"] => ({ orders, clock, log }),
    PreviewCancellation: (): D["PreviewCancellation"] => ({ orders, clock }),
    GetCancellationRequest: (): D["GetCancellationRequest"] => ({ orders }),
    WithdrawCancellationRequest: (): D["WithdrawCancellationRequest"] => ({
      orders,
      signals,
      clock,
      log,
    }),
    SellerDecision: (): D["SellerDecision"] => ({ orders, signals, clock, log }),
    MarketplaceDecision: (): D["MarketplaceDecision"] => ({ orders, signals, clock, log }),
    RetryRefund: (): D["RetryRefund"] => ({
      orders,
      signals,
      payments,
      clock,
      log,
      ...resumes,
    }),
    StripeWebhook: (): D["StripeWebhook"] => ({
      orders,
      signals,
      payments,
      clock,
      log,
      ...resumes,
      webhookSecret: async () => world.stripeWebhookSecret,
    }),
    ListSellerCancellationRequests: (): D["ListSellerCancellationRequests"] => ({ lists }),
    ListOperatorCancellationRequests: (): D["ListOperatorCancellationRequests"] => ({ lists }),
    // The modules wire NO_WAKE_UP (no request's status moves): so do we.
    OpenRefundInquiry: (): D["OpenRefundInquiry"] => ({
      orders,
      signals: NO_WAKE_UP,
      clock,
      log,
    }),
    CloseRefundInquiry: (): D["CloseRefundInquiry"] => ({
      orders,
      signals: NO_WAKE_UP,
      clock,
      log,
    }),
    ListRefundInquiries: (): D["ListRefundInquiries"] => ({ lists }),
    ListSellerParcels: (): D["ListSellerParcels"] => ({ lists }),
    GetAudit: (): D["GetAudit"] => ({ orders }),
    // The counters live in the orders table: the fake table keeps them with each write.
    GetSellerMetrics: (): D["GetSellerMetrics"] => ({ counters: orders, clock }),
    GetOperatorSellerMetrics: (): D["GetOperatorSellerMetrics"] => ({ counters: orders, clock }),
    // The decision link's routes: the links, the orders (and for the form, the wake-up).
    DecisionLinkPage: (): D["DecisionLinkPage"] => ({ links, orders, clock, log }),
    DecideByLink: (): D["DecideByLink"] => ({ links, orders, signals, clock, log }),
  };
};

/** An order item as stored (record, version, waits, executions), to prove that nothing changed. */
export type ItemSnapshot = StoredOrder;

export interface TestApp {
  /** The fakes themselves; calls made on them directly (seeding, setting up) are not recorded. */
  world: World;
  /** Every call the handlers made to a port, in order. */
  calls: PortCall[];
  /** The calls made so far, as `port.method` names. */
  callNames: (port?: PortName) => string[];
  /** Runs `hook` once the next `call` (e.g. `table.get`) has answered: to start an outage there. */
  afterCall: (call: string, hook: () => void) => void;
  /** The deps a route is wired with. */
  deps: <K extends RouteId>(routeId: K) => RouteDeps[K];
  invoke: (routeId: RouteId, options?: EventOptions) => Promise<TestResponse>;
  /** The whole stored item (version, waits and executions included), or undefined. */
  item: (orderId: string) => ItemSnapshot | undefined;
  /**
   * What a workflow's wait state does: stores `token` for the request in its current status, and
   * the execution waits on it (FakeWorkflow.waiting).
   */
  wait: (orderId: string, requestId: string, token: string) => RequestStatus;
}

/** Fresh fakes on a clock at at(24), with each route wired to its own ports. */
export const createTestApp = (): TestApp => {
  const world = fakeWorld(at(24));
  const calls: PortCall[] = [];
  const after: AfterCall = new Map();
  const ports: Record<PortName, object> = {
    table: recorded(world.table, "table", calls, after),
    workflow: recorded(world.workflow, "workflow", calls, after),
    mailer: recorded(world.mailer, "mailer", calls, after),
    publisher: recorded(world.publisher, "publisher", calls, after),
    payments: recorded(world.payments, "payments", calls, after),
    links: recorded(world.links, "links", calls, after),
  };
  const deps = routeDeps(world, ports);
  return {
    world,
    calls,
    callNames: (port) =>
      calls
        .map(({ call }) => call)
        .filter((call) => port === undefined || call.startsWith(`${port}.`)),
    afterCall: (call, hook) => {
      after.set(call, [...(after.get(call) ?? []), hook]);
    },
    deps: (routeId) => deps[routeId](),
    invoke: (routeId, options) => invokeRoute(routeId, deps[routeId], options),
    item: (orderId) => {
      const item = world.table.items.get(orderId);
      return item && structuredClone(item);
    },
    wait: (orderId, requestId, token) => {
      const status = world.table.items.get(orderId)?.record.requests[requestId]?.status;
      if (!status || !world.table.storeWait(orderId, requestId, token, status)) {
        throw new Error(`no request ${requestId} on order ${orderId} to wait on`);
      }
      world.workflow.waiting.add(token);
      return status;
    },
  };
};

/** One log line as Powertools' Logger prints it (JSON). */
export type LogLine = Record<string, unknown> & { level: string; message: string };

/**
 * Captures what the service's Logger prints (it writes JSON lines to stdout and stderr through its
 * own console) until `stop()`, which restores the streams and answers the lines printed.
 */
export const captureLogs = () => {
  const lines: LogLine[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split("\n")) {
        if (line.trim() === "") continue;
        try {
          lines.push(JSON.parse(line) as LogLine);
        } catch {
          lines.push({ level: "RAW", message: line });
        }
      }
      return true;
    }) as typeof stream.write;
  }
  return {
    lines,
    stop: (): LogLine[] => {
      streams.forEach((stream, i) => {
        stream.write = originals[i] as typeof stream.write;
      });
      return lines;
    },
  };
};
