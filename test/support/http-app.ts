// Runs route handlers the way Lambda does (payload-2.0 event + context) over test deps: a real
// OrderStore, and the real Step Functions and SES adapters on clients mocked by aws-sdk-client-mock.
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Logger } from "@aws-lambda-powertools/logger";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SESClient } from "@aws-sdk/client-ses";
import { SFNClient } from "@aws-sdk/client-sfn";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "vitest";
import { EventBridgePublisher } from "../../functions/adapters/event-publisher.ts";
import { SesMailer } from "../../functions/adapters/mailer.ts";
import { OrderStore, orderKey } from "../../functions/adapters/order-store.ts";
import type {
  PaymentGateway,
  RefundInstruction,
  RefundReceipt,
} from "../../functions/adapters/payment-gateway.ts";
import { WorkflowClient } from "../../functions/adapters/workflow-client.ts";
import type { AppDeps } from "../../functions/app/apply-event.ts";
import { ServiceLogger } from "../../functions/app/powertools.ts";
import {
  type GetDeps,
  type HttpApiResult,
  type HttpHandler,
  routeById,
} from "../../functions/http/middleware.ts";
import { PROBLEM_CONTENT_TYPE, type ProblemCode } from "../../functions/http/problems.ts";
import type { TestTable } from "./dynamodb.ts";
import { type EventOptions, httpEvent, lambdaContext } from "./http-events.ts";
import { at } from "./records.ts";

export const STATE_MACHINE_ARN =
  "arn:aws:states:ap-northeast-1:123456789012:stateMachine:shipped-cancellation";
export const OPERATOR_EMAILS = ["ops@example.com"];

const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export interface RouteModule {
  createHandler: (getDeps: GetDeps) => HttpHandler;
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

export const toTestResponse = (result: HttpApiResult): TestResponse => {
  const raw = result.body ?? "";
  return {
    status: result.statusCode ?? 0,
    headers: Object.fromEntries(
      Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
    ),
    body: raw === "" ? {} : JSON.parse(raw),
    raw,
  };
};

/** Invokes a route's handler, built by its module's `createHandler(getDeps)`, with one event. */
export const invokeRoute = async (
  routeId: string,
  getDeps: GetDeps,
  options: EventOptions = {},
): Promise<TestResponse> => {
  const { createHandler } = await routeModule(routeId);
  const result = await createHandler(getDeps)(httpEvent(routeId, options), lambdaContext());
  return toTestResponse(result);
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

/** A payment provider in memory: refunds made by key, for the routes that must ask about one. */
export class MemoryGateway implements PaymentGateway {
  readonly made = new Map<string, RefundInstruction>();

  async refund(instruction: RefundInstruction): Promise<RefundReceipt> {
    const replayed = this.made.has(instruction.refundId);
    if (!replayed) this.made.set(instruction.refundId, instruction);
    return { refundId: instruction.refundId, providerReference: "memory", replayed };
  }

  async lookup(refundId: string): Promise<RefundReceipt | undefined> {
    return this.made.has(refundId)
      ? { refundId, providerReference: "memory", replayed: true }
      : undefined;
  }
}

export interface TestApp {
  deps: AppDeps;
  gateway: MemoryGateway;
  getDeps: GetDeps;
  store: OrderStore;
  sfn: AwsClientStub<SFNClient>;
  ses: AwsClientStub<SESClient>;
  /** EventBridge, accepting every event unless a test says otherwise. */
  eventBridge: AwsClientStub<EventBridgeClient>;
  logger: Logger;
  /** The handlers' clock; set `clock.now` to move it. */
  clock: { now: string };
  invoke: (routeId: string, options?: EventOptions) => Promise<TestResponse>;
  /** The whole stored item (version and task tokens included), to prove nothing changed. */
  rawItem: (orderId: string) => Promise<Record<string, unknown> | undefined>;
}

/** Deps over `table`, with Step Functions and SES answering success unless a test says otherwise. */
export const createTestApp = (table: TestTable): TestApp => {
  const store = new OrderStore({ client: table.client, tableName: table.tableName });
  const sfnClient = new SFNClient({ region: "ap-northeast-1", credentials });
  const sesClient = new SESClient({ region: "ap-northeast-1", credentials });
  const sfn = mockClient(sfnClient);
  const ses = mockClient(sesClient);
  const eventBridgeClient = new EventBridgeClient({ region: "ap-northeast-1", credentials });
  const eventBridge = mockClient(eventBridgeClient);
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
  // The service's logger: it hands the API request's correlation id to a workflow start.
  const logger = new ServiceLogger({ serviceName: "http-test", logLevel: "SILENT" });
  const clock = { now: at(24) };
  const gateway = new MemoryGateway();
  const deps: AppDeps = {
    store,
    gateway,
    mailer: new SesMailer({ client: sesClient, from: "no-reply@example.com" }),
    workflow: new WorkflowClient({ client: sfnClient, stateMachineArn: STATE_MACHINE_ARN }),
    events: new EventBridgePublisher({ client: eventBridgeClient, busName: "test-events" }),
    operatorEmails: OPERATOR_EMAILS,
    logger,
    now: () => clock.now,
    correlationId: () => logger.correlationId(),
  };
  const getDeps = () => deps;
  return {
    deps,
    gateway,
    getDeps,
    store,
    sfn,
    ses,
    eventBridge,
    logger,
    clock,
    invoke: (routeId, options) => invokeRoute(routeId, getDeps, options),
    rawItem: async (orderId) =>
      (
        await table.client.send(
          new GetCommand({
            TableName: table.tableName,
            Key: orderKey(orderId),
            ConsistentRead: true,
          }),
        )
      ).Item,
  };
};
