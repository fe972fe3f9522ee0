// AWS SDK faults, injected with aws-sdk-client-mock: a lost race or an unreachable service never
// leaves partial state; only genuine infrastructure failures answer 5xx, and a half-done start
// is resumed by replaying the same Idempotency-Key. Commands sent are asserted exactly.
import { Logger } from "@aws-lambda-powertools/logger";
import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import { MessageRejected, SESClient, SendEmailCommand } from "@aws-sdk/client-ses";
import {
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  ServiceQuotaExceededException,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from "@aws-sdk/client-sfn";
import { GetCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SesMailer } from "../../functions/adapters/mailer.ts";
import {
  createDocumentClient,
  OrderStore,
  orderKey,
} from "../../functions/adapters/order-store.ts";
import { WorkflowClient } from "../../functions/adapters/workflow-client.ts";
import type { AppDeps } from "../../functions/app/apply-event.ts";
import { useTestTable } from "../support/dynamodb.ts";
import {
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  invokeRoute,
  STATE_MACHINE_ARN,
  type TestApp,
} from "../support/http-app.ts";
import { buyer, seller } from "../support/http-events.ts";
import { requestOn, seedOrder, uid } from "../support/http-fixtures.ts";
import { RecordingPublisher } from "../support/recording-publisher.ts";
import { at, cancellationRequest, orderRecord } from "../support/records.ts";

const region = "ap-northeast-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const meta = { $metadata: {} };

describe("with DynamoDB itself mocked", () => {
  const TABLE = "orders-mocked";
  const record = orderRecord({ orderId: "o-race" }, [
    cancellationRequest({ requestId: "r-race", orderId: "o-race" }),
  ]);
  record.order.activeCancellationRequestId = "r-race";

  const setup = () => {
    const documentClient = createDocumentClient(new DynamoDBClient({ region, credentials }));
    const sfnClient = new SFNClient({ region, credentials });
    const sesClient = new SESClient({ region, credentials });
    const logger = new Logger({ serviceName: "http-test", logLevel: "SILENT" });
    const deps: AppDeps = {
      store: new OrderStore({ client: documentClient, tableName: TABLE }),
      mailer: new SesMailer({ client: sesClient, from: "no-reply@example.com" }),
      workflow: new WorkflowClient({ client: sfnClient, stateMachineArn: STATE_MACHINE_ARN }),
      events: new RecordingPublisher(),
      operatorEmails: [],
      logger,
      now: () => at(24),
    };
    return {
      deps,
      logger,
      ddb: mockClient(documentClient),
      sfn: mockClient(sfnClient),
      ses: mockClient(sesClient),
    };
  };

  it("answers 409 INVALID_STATE when every conditional write loses its race, sending nothing else", async () => {
    const { deps, ddb, sfn, ses } = setup();
    ddb.on(GetCommand).resolves({ Item: { ...orderKey("o-race"), version: 7, ...record } });
    // The decision's signal is an outbox entry: the change goes out as a transaction.
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: "Transaction cancelled",
        CancellationReasons: [{ Code: "ConditionalCheckFailed" }, { Code: "None" }],
        ...meta,
      }),
    );
    const response = await invokeRoute("SellerDecision", () => deps, {
      caller: seller(),
      params: { orderId: "o-race", requestId: "r-race" },
      body: { decision: "APPROVE" },
    });
    expectProblem(response, 409, "INVALID_STATE");
    // applyEvent re-reads and re-decides on each lost race, three times in all, each guarded.
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 3);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 3);
    const [write] = ddb.commandCalls(TransactWriteCommand);
    expect(write?.args[0].input.TransactItems?.[0]?.Update).toMatchObject({
      TableName: TABLE,
      Key: orderKey("o-race"),
      ConditionExpression: "#version = :expected",
      ExpressionAttributeValues: expect.objectContaining({ ":expected": 7, ":next": 8 }),
    });
    // The decision's signal, carrying its event (the change sends no mail).
    expect(write?.args[0].input.TransactItems?.[1]?.Put).toMatchObject({
      TableName: TABLE,
      Item: { kind: "SIGNAL", requestId: "r-race", signal: { outcome: "SELLER_APPROVED" } },
      ConditionExpression: "attribute_not_exists(pk)",
    });
    expect(write?.args[0].input.TransactItems?.[1]?.Put?.Item?.events).toBeInstanceOf(Uint8Array);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(ses).not.toHaveReceivedAnyCommand();
  });

  it("answers 503 UNAVAILABLE with Retry-After when DynamoDB stays throttled, writing nothing", async () => {
    const { deps, ddb, sfn, logger } = setup();
    const logged = vi.spyOn(logger, "warn");
    const outage = new ProvisionedThroughputExceededException({
      message: "Rate exceeded",
      ...meta,
    });
    ddb.on(GetCommand).rejects(outage);
    const response = await invokeRoute("WithdrawCancellationRequest", () => deps, {
      caller: buyer(),
      params: { orderId: "o-race", requestId: "r-race" },
    });
    const problem = expectProblem(response, 503, "UNAVAILABLE");
    expect(response.headers["retry-after"]).toBe("2");
    expect(problem.detail).not.toContain("Rate exceeded");
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(logged).toHaveBeenCalledWith("dependency unavailable", {
      routeId: "WithdrawCancellationRequest",
      error: "ProvisionedThroughputExceededException",
    });
  });

  it("sends no command at all for bad input", async () => {
    const { deps, ddb, sfn, ses } = setup();
    const response = await invokeRoute("RequestCancellation", () => deps, {
      caller: buyer(),
      params: { orderId: "o-race" },
      body: { reason: "OTHER" },
      headers: { "idempotency-key": "key-0000001" },
    });
    expectValidation(response, "body.comment");
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(ses).not.toHaveReceivedAnyCommand();
  });
});

describe("with DynamoDB Local and Step Functions / SES mocked", () => {
  const table = useTestTable("dynamodb-local", "http-faults");
  let app: TestApp;
  beforeEach(() => {
    app = createTestApp(table.current);
  });

  it("answers 500 when the workflow cannot start; the replay then starts it and answers 202", async () => {
    const { orderId } = (await seedOrder(app.store)).order;
    const key = uid("idem");
    const body = { reason: "NO_LONGER_NEEDED" };
    const post = () =>
      app.invoke("RequestCancellation", {
        caller: buyer(),
        params: { orderId },
        body,
        headers: { "idempotency-key": key },
      });
    app.sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new ServiceQuotaExceededException({ message: "quota", ...meta }))
      .resolves({ executionArn: "arn:execution", startDate: new Date() });

    const failed = await post();
    const problem = expectProblem(failed, 500, "INTERNAL_ERROR");
    expect(problem.detail).not.toContain("quota");
    // Stored, with nothing but the start missing.
    const stored = await app.store.get(orderId);
    const [request] = Object.values(stored?.record.requests ?? {});
    expect(request?.status).toBe("REQUESTED");
    expect(stored?.record.order.activeCancellationRequestId).toBe(request?.requestId);
    expect(app.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const started = app.sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(started).toMatchObject({ stateMachineArn: STATE_MACHINE_ARN, name: request?.requestId });
    expect(JSON.parse(String(started?.input))).toMatchObject({
      orderId,
      requestId: request?.requestId,
      correlationId: expect.any(String),
    });

    const replayed = await post();
    expectJson(replayed, 202);
    expect(replayed.body.requestId).toBe(request?.requestId);
    expect(app.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 2);
    expect(app.sfn).toHaveReceivedNthCommandWith(StartExecutionCommand, 2, {
      name: request?.requestId,
    });
    // Still one request on the order.
    expect(Object.keys((await app.store.get(orderId))?.record.requests ?? {})).toHaveLength(1);
  });

  it("answers the replay 202 when the first start did begin the execution after all", async () => {
    const { orderId } = (await seedOrder(app.store)).order;
    const key = uid("idem");
    const post = () =>
      app.invoke("RequestCancellation", {
        caller: buyer(),
        params: { orderId },
        body: { reason: "FOUND_BETTER_PRICE" },
        headers: { "idempotency-key": key },
      });
    app.sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new ServiceQuotaExceededException({ message: "timeout", ...meta }))
      .rejects(new ExecutionAlreadyExists({ message: "exists", ...meta }));
    expectProblem(await post(), 500, "INTERNAL_ERROR");
    const replayed = await post();
    expectJson(replayed, 202);
    expect(replayed.body.status).toBe("REQUESTED");
  });

  it("answers 200 when SES fails after a decision: the decision is committed, the wait still ended", async () => {
    const record = await seedOrder(app.store, {}, (orderId) => [requestOn(orderId)]);
    const { orderId } = record.order;
    const requestId = record.order.activeCancellationRequestId as string;
    await app.store.putTaskToken(orderId, requestId, "token-before-ses", "AWAITING_SELLER");
    app.ses
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: "rejected: buyer@example.com", ...meta }));
    const logged = vi.spyOn(app.logger, "warn");
    const response = await app.invoke("SellerDecision", {
      caller: seller(),
      params: { orderId, requestId },
      body: { decision: "REJECT", reason: "out of stock" },
    });
    expectJson(response, 200);
    expect(response.body.status).toBe("REJECTED");
    expect((await app.store.get(orderId))?.record.requests[requestId]?.status).toBe("REJECTED");
    // Both emails were tried and kept for a retry; each failure was logged without addresses.
    expect(app.ses).toHaveReceivedCommandTimes(SendEmailCommand, 2);
    expect(logged).toHaveBeenCalledTimes(2);
    expect(JSON.stringify(logged.mock.calls)).toContain("MessageRejected");
    expect(JSON.stringify(logged.mock.calls)).not.toContain("@example.com");
    const pending = await app.store.pendingOutbox(orderId);
    expect(pending.map((entry) => [entry.kind, entry.attempts])).toEqual([
      ["MAIL", 1],
      ["MAIL", 1],
    ]);
    expect(app.sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, {
      taskToken: "token-before-ses",
      output: JSON.stringify({ outcome: "SELLER_REJECTED" }),
    });
  });

  it("answers 200 when the stored token is stale (TaskTimedOut), and clears it", async () => {
    const record = await seedOrder(app.store, {}, (orderId) => [requestOn(orderId)]);
    const { orderId } = record.order;
    const requestId = record.order.activeCancellationRequestId as string;
    await app.store.putTaskToken(orderId, requestId, "token-stale-0001", "AWAITING_SELLER");
    app.sfn
      .on(SendTaskSuccessCommand)
      .rejects(new TaskTimedOut({ message: "Task Timed Out", ...meta }));
    const response = await app.invoke("SellerDecision", {
      caller: seller(),
      params: { orderId, requestId },
      body: { decision: "APPROVE" },
    });
    expectJson(response, 200);
    expect(response.body.status).toBe("AWAITING_MARKETPLACE");
    expect(response.raw).not.toContain("token-stale-0001");
    expect(app.sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, {
      taskToken: "token-stale-0001",
      output: JSON.stringify({ outcome: "SELLER_APPROVED" }),
    });
    expect(await app.store.getTaskToken(orderId, requestId)).toBeUndefined();
  });

  it("answers 200 when signalling the workflow fails outright, keeping the token for a retry", async () => {
    const record = await seedOrder(app.store, {}, (orderId) => [requestOn(orderId)]);
    const { orderId } = record.order;
    const requestId = record.order.activeCancellationRequestId as string;
    await app.store.putTaskToken(orderId, requestId, "token-kept-0001", "AWAITING_SELLER");
    app.sfn
      .on(SendTaskSuccessCommand)
      .rejects(new ServiceQuotaExceededException({ message: "throttled", ...meta }));
    const response = await app.invoke("SellerDecision", {
      caller: seller(),
      params: { orderId, requestId },
      body: { decision: "APPROVE" },
    });
    expectJson(response, 200);
    expect(response.raw).not.toContain("token-kept-0001");
    expect((await app.store.get(orderId))?.record.requests[requestId]?.status).toBe(
      "AWAITING_MARKETPLACE",
    );
    expect(await app.store.getTaskToken(orderId, requestId)).toBe("token-kept-0001");
  });
});
