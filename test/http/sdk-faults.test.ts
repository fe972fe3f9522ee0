// Faults past the SDK's own retries. A port that fails (the fakes' outages) answers 503 UNAVAILABLE
// with Retry-After and leaves nothing half-written: every change is one conditional write, so the
// same call can simply be repeated. A wake that fails leaves the change standing (200): the
// reconciler wakes the execution later. The real adapters' error mapping is checked over clients
// mocked with aws-sdk-client-mock: what DynamoDB, the ledger and Step Functions answer becomes the
// same problems (throttles → 503, lost races → 409, stale tokens → nothing to wake, bad cursors → 400).
import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach, describe, expect, it } from "vitest";
import { encodeCursor } from "../../functions/adapters/dynamodb/cursors.ts";
import { createDocumentClient } from "../../functions/adapters/dynamodb/document-client.ts";
import {
  buyerPartition,
  newOrderItem,
  orderKey,
} from "../../functions/adapters/dynamodb/order-item.ts";
import { DynamoOrderLists } from "../../functions/adapters/dynamodb/order-lists.ts";
import { DynamoOrders } from "../../functions/adapters/dynamodb/orders.ts";
import { BUYER_ORDERS } from "../../functions/adapters/dynamodb/table.ts";
import { LedgerPayments } from "../../functions/adapters/ledger-payments.ts";
import {
  DynamoDBClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  sfnSdk,
  TransactWriteCommand,
  UpdateCommand,
} from "../../functions/adapters/sdk.ts";
import { StepFunctionsSignals } from "../../functions/adapters/step-functions.ts";
import { PaymentProviderUnavailableError } from "../../functions/adapters/stripe-errors.ts";
import type { Payments } from "../../functions/app/ports.ts";
import type { CancellationRequest, Order } from "../../functions/domain/types.ts";
import {
  captureLogs,
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  invokeRoute,
  type RouteId,
  type TestApp,
} from "../support/http-app.ts";
import { buyer, type EventOptions, operator, seller, system } from "../support/http-events.ts";
import {
  awaitingOperator,
  importBody,
  refundFailed,
  requestOn,
  seedOrder,
  uid,
} from "../support/http-fixtures.ts";
import { at, cancellationRequest, orderRecord } from "../support/records.ts";

const region = "ap-northeast-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const meta = { $metadata: { httpStatusCode: 400 } };
const CARRIER = system("carrier/events", "carrier-yamato");

let app: TestApp;
beforeEach(() => {
  app = createTestApp();
});

const seed = (overrides?: Partial<Order>, requests?: (orderId: string) => CancellationRequest[]) =>
  seedOrder(app.world.table, overrides, requests);

/** An order with one request in the given state, its wait stored: its ids and the wait's token. */
const waitingOn = async (request: (orderId: string) => CancellationRequest) => {
  const record = await seed({}, (orderId) => [request(orderId)]);
  const [{ requestId }] = Object.values(record.requests) as [CancellationRequest];
  const { orderId } = record.order;
  const token = `token-${requestId}`;
  app.wait(orderId, requestId, token);
  return { orderId, requestId, token };
};

/** A 503 the caller may repeat: Retry-After, and nothing about the cause in the detail. */
const expectUnavailable = (response: Awaited<ReturnType<TestApp["invoke"]>>) => {
  const problem = expectProblem(response, 503, "UNAVAILABLE");
  expect(response.headers["retry-after"]).toBe("2");
  expect(problem.detail).toBe(
    "a service the API depends on is unavailable; nothing was changed, try again shortly",
  );
};

/** Nothing but reads reached the table's item, nothing was woken, sent or paid. */
const expectNothingDone = (orderId: string, before: ReturnType<TestApp["item"]>) => {
  expect(app.item(orderId)).toEqual(before);
  expect(app.world.workflow.woken).toEqual([]);
  expect(app.world.mailer.sent).toEqual([]);
  expect(app.world.publisher.published).toEqual([]);
  expect(app.world.payments.made.size).toBe(0);
};

/** Every route that reads or changes an order, called as its caller would, on `orderId`. */
const routeCalls = (
  orderId: string,
  requestId: string,
): [RouteId, EventOptions & { failedCall: string }][] => [
  ["GetOrder", { caller: buyer(), params: { orderId }, failedCall: "table.get" }],
  [
    "GetCancellationRequest",
    { caller: seller(), params: { orderId, requestId }, failedCall: "table.get" },
  ],
  ["ListOrders", { caller: buyer(), failedCall: "table.buyerOrders" }],
  ["ListSellerCancellationRequests", { caller: seller(), failedCall: "table.sellerQueue" }],
  ["ListOperatorCancellationRequests", { caller: operator(), failedCall: "table.operatorQueue" }],
  [
    "ImportOrder",
    { caller: system("orders/write"), body: importBody({ orderId }), failedCall: "table.create" },
  ],
  [
    "RecordShipment",
    {
      caller: seller(),
      params: { orderId },
      body: { carrier: "Yamato", trackingNumber: "1" },
      failedCall: "table.get",
    },
  ],
  [
    "RecordDelivery",
    {
      caller: CARRIER,
      params: { orderId },
      body: { deliveredAt: at(20) },
      failedCall: "table.get",
    },
  ],
  [
    "RequestCancellation",
    {
      caller: buyer(),
      params: { orderId },
      body: { reason: "NO_LONGER_NEEDED" },
      headers: { "idempotency-key": "key-outage-1" },
      failedCall: "table.get",
    },
  ],
  [
    "PreviewCancellation",
    { caller: buyer(), params: { orderId }, body: {}, failedCall: "table.get" },
  ],
  [
    "WithdrawCancellationRequest",
    { caller: buyer(), params: { orderId, requestId }, failedCall: "table.get" },
  ],
  [
    "SellerDecision",
    {
      caller: seller(),
      params: { orderId, requestId },
      body: { decision: "APPROVE" },
      failedCall: "table.get",
    },
  ],
  [
    "MarketplaceDecision",
    {
      caller: operator(),
      params: { orderId, requestId },
      body: { decision: "APPROVE" },
      failedCall: "table.get",
    },
  ],
  [
    "RetryRefund",
    { caller: operator(), params: { orderId, requestId }, body: {}, failedCall: "table.get" },
  ],
];

describe("an outage of the orders table (the fake's outage)", () => {
  it.each(routeCalls("o-outage", "r-outage").map(([routeId]) => [routeId] as const))(
    "%s: 503 UNAVAILABLE with Retry-After, nothing changed, logged by name",
    async (routeId) => {
      const { orderId, requestId } = await waitingOn((id) => requestOn(id));
      const [, { failedCall, ...options }] = routeCalls(orderId, requestId).find(
        ([id]) => id === routeId,
      ) as [RouteId, EventOptions & { failedCall: string }];
      const before = app.item(orderId);
      app.world.table.outage.next = 1;
      const logs = captureLogs();
      const response = await app.invoke(routeId, options).finally(logs.stop);
      expectUnavailable(response);
      expect(app.callNames()).toEqual([failedCall]);
      expectNothingDone(orderId, before);
      expect(logs.lines).toMatchObject([
        {
          level: "WARN",
          message: "dependency unavailable",
          routeId,
          error: "ProvisionedThroughputExceededException",
        },
      ]);
    },
  );

  it("fails the cancellation POST's write after its read: nothing stored, the repeat then succeeds", async () => {
    const { orderId } = (await seed()).order;
    const before = app.item(orderId);
    const post = () =>
      app.invoke("RequestCancellation", {
        caller: buyer(),
        params: { orderId },
        body: { reason: "NO_LONGER_NEEDED" },
        headers: { "idempotency-key": "key-write-fails" },
      });
    app.afterCall("table.get", () => {
      app.world.table.outage.next = 1;
    });
    const logs = captureLogs();
    const failed = await post().finally(logs.stop);
    expectUnavailable(failed);
    expect(app.callNames()).toEqual(["table.get", "table.save"]);
    expectNothingDone(orderId, before);

    // The client repeats the call with the same key: one request, stored by one write.
    app.calls.length = 0;
    const repeated = await post();
    expectJson(repeated, 202);
    expect(repeated.body.status).toBe("REQUESTED");
    expect(app.callNames()).toEqual(["table.get", "table.save"]);
    expect(Object.keys(app.item(orderId)?.record.requests ?? {})).toEqual([
      repeated.body.requestId,
    ]);
    expect(app.world.workflow.executions.size).toBe(0);
  });

  it("fails a decision's write after its read: 503, nothing changed, the wait not woken", async () => {
    const { orderId, requestId } = await waitingOn((id) => requestOn(id));
    const before = app.item(orderId);
    app.afterCall("table.get", () => {
      app.world.table.outage.next = 1;
    });
    const logs = captureLogs();
    const response = await app
      .invoke("SellerDecision", {
        caller: seller(),
        params: { orderId, requestId },
        body: { decision: "REJECT", reason: "out of stock" },
      })
      .finally(logs.stop);
    expectUnavailable(response);
    expect(app.callNames()).toEqual(["table.get", "table.save"]);
    expectNothingDone(orderId, before);
    expect(app.world.workflow.waiting.size).toBe(1);
  });
});

describe("a wake that fails", () => {
  it("leaves the change standing and answers 200; the reconciler wakes it later", async () => {
    const { orderId, requestId, token } = await waitingOn((id) => requestOn(id));
    const version = app.item(orderId)?.version as number;
    app.world.workflow.outage.next = 1;
    const response = await app.invoke("SellerDecision", {
      caller: seller(),
      params: { orderId, requestId },
      body: { decision: "REJECT", reason: "out of stock" },
    });
    expectJson(response, 200);
    expect(response.body.status).toBe("REJECTED");
    expect(response.raw).not.toContain(token);
    expect(app.callNames()).toEqual(["table.get", "table.save", "workflow.wake"]);
    const stored = app.item(orderId);
    expect(stored?.version).toBe(version + 1);
    expect(stored?.record.requests[requestId]?.status).toBe("REJECTED");
    // The wait is still on record and still waiting: what the reconciler needs to wake it.
    expect(stored?.waits[requestId]).toEqual({ token, status: "AWAITING_SELLER" });
    expect(app.world.workflow.waiting.has(token)).toBe(true);
    expect(app.world.log.lines).toContainEqual({
      level: "warn",
      message: "workflow not woken; the reconciler will",
      extra: [{ requestId, error: "ThrottlingException" }],
    });
    // Still nothing sent by the API: the workflow sends the rejection's mail once woken.
    expect(app.world.mailer.sent).toEqual([]);
    expect(app.world.publisher.published).toEqual([]);
  });

  it("answers 200 when the wait is already over (a stale token), logging nothing", async () => {
    const { orderId, requestId, token } = await waitingOn((id) => requestOn(id));
    // The execution stopped waiting (timed out): its token is no longer one that waits.
    app.world.workflow.waiting.delete(token);
    const response = await app.invoke("SellerDecision", {
      caller: seller(),
      params: { orderId, requestId },
      body: { decision: "APPROVE" },
    });
    expectJson(response, 200);
    expect(response.body.status).toBe("AWAITING_MARKETPLACE");
    expect(app.callNames()).toEqual(["table.get", "table.save", "workflow.wake"]);
    expect(app.world.workflow.woken).toEqual([]);
    expect(app.world.log.lines).toEqual([]);
  });
});

describe("the real adapters over mocked AWS clients", () => {
  const documentClient = () => createDocumentClient(new DynamoDBClient({ region, credentials }));
  const throttled = () =>
    new ProvisionedThroughputExceededException({ message: "Rate exceeded", ...meta });
  const conditionFailed = () =>
    Object.assign(new Error("The conditional request failed"), {
      name: "ConditionalCheckFailedException",
      $fault: "client",
      ...meta,
    });
  /** DynamoDB's answer to a cancelled transaction: a reason per item, in order. */
  const cancelled = (codes: string[]) =>
    new TransactionCanceledException({
      message: `Transaction cancelled [${codes.join(", ")}]`,
      CancellationReasons: codes.map((Code) => ({ Code })),
      ...meta,
    });
  const TABLE = "orders-mocked";
  const record = orderRecord({ orderId: "o-race", activeCancellationRequestId: "r-race" }, [
    cancellationRequest({ requestId: "r-race", orderId: "o-race" }),
  ]);
  const storedItem = { ...newOrderItem(record), order: record.order, version: 7 };

  /** A route's deps with the orders repository on DynamoDB (its client mocked), the rest fakes. */
  const onDynamo = <K extends RouteId>(routeId: K) => {
    const client = documentClient();
    const orders = new DynamoOrders({ client, tableName: TABLE });
    const ddb = mockClient(client);
    const getDeps = () => Object.assign({}, app.deps(routeId), { orders });
    return { ddb, getDeps };
  };

  it("a DynamoDB throttle on the read: 503 with Retry-After, no write sent, nothing woken", async () => {
    const { ddb, getDeps } = onDynamo("WithdrawCancellationRequest");
    ddb.on(GetCommand).rejects(throttled());
    const logs = captureLogs();
    const response = await invokeRoute("WithdrawCancellationRequest", getDeps, {
      caller: buyer(),
      params: { orderId: "o-race", requestId: "r-race" },
    }).finally(logs.stop);
    expectUnavailable(response);
    expect(response.raw).not.toContain("Rate exceeded");
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(app.calls).toEqual([]);
    expect(logs.lines).toMatchObject([
      {
        message: "dependency unavailable",
        routeId: "WithdrawCancellationRequest",
        error: "ProvisionedThroughputExceededException",
      },
    ]);
  });

  it("a DynamoDB throttle on the one write: 503, that write only, nothing woken", async () => {
    const { ddb, getDeps } = onDynamo("SellerDecision");
    ddb.on(GetCommand).resolves({ Item: structuredClone(storedItem) });
    // A seller's answer counts for the seller: its one write is a transaction with the counters.
    ddb.on(TransactWriteCommand).rejects(throttled());
    const logs = captureLogs();
    const response = await invokeRoute("SellerDecision", getDeps, {
      caller: seller(),
      params: { orderId: "o-race", requestId: "r-race" },
      body: { decision: "APPROVE" },
    }).finally(logs.stop);
    expectUnavailable(response);
    // Not a lost race: decided once, written once (the SDK did its own retries).
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
    expect(app.callNames("workflow")).toEqual([]);
  });

  it("every conditional write losing its race: 409 INVALID_STATE after three tries, nothing woken", async () => {
    // The transaction cancelled for the order's condition, or for another transaction holding
    // one of its items (a busy seller-day's counter item): both a lost race.
    for (const codes of [
      ["ConditionalCheckFailed", "None"],
      ["None", "TransactionConflict"],
    ]) {
      const { ddb, getDeps } = onDynamo("SellerDecision");
      ddb.on(GetCommand).resolves({ Item: structuredClone(storedItem) });
      ddb.on(TransactWriteCommand).rejects(cancelled(codes));
      const response = await invokeRoute("SellerDecision", getDeps, {
        caller: seller(),
        params: { orderId: "o-race", requestId: "r-race" },
        body: { decision: "APPROVE" },
      });
      expectProblem(response, 409, "INVALID_STATE");
      // Re-read and re-decided on each lost race, three times in all, each write guarded.
      expect(ddb).toHaveReceivedCommandTimes(GetCommand, 3);
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 3);
      const [first] = ddb.commandCalls(TransactWriteCommand);
      expect(first?.args[0].input.TransactItems?.[0]?.Update).toMatchObject({
        TableName: TABLE,
        Key: orderKey("o-race"),
        ConditionExpression: "#version = :expected",
        ExpressionAttributeValues: expect.objectContaining({ ":expected": 7, ":next": 8 }),
      });
      expect(app.callNames("workflow")).toEqual([]);
    }
  });

  it("a change that counts nothing writes one UpdateItem, and loses its race the same way", async () => {
    // An operator's approval: nothing the seller's figures count (no answer, no end).
    const reviewed = orderRecord({ orderId: "o-race", activeCancellationRequestId: "r-race" }, [
      awaitingOperator("o-race", { requestId: "r-race" }),
    ]);
    const { ddb, getDeps } = onDynamo("MarketplaceDecision");
    ddb.on(GetCommand).resolves({ Item: { ...newOrderItem(reviewed), version: 7 } });
    ddb.on(UpdateCommand).rejects(conditionFailed());
    const response = await invokeRoute("MarketplaceDecision", getDeps, {
      caller: operator(),
      params: { orderId: "o-race", requestId: "r-race" },
      body: { decision: "APPROVE" },
    });
    expectProblem(response, 409, "INVALID_STATE");
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 3);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ConditionExpression: "#version = :expected",
      ExpressionAttributeValues: expect.objectContaining({ ":expected": 7, ":next": 8 }),
    });
  });

  it("the cancellation POST on DynamoDB: one GetItem and one conditional UpdateItem, no Step Functions", async () => {
    const fresh = orderRecord({ orderId: "o-post" });
    const { ddb, getDeps } = onDynamo("RequestCancellation");
    ddb.on(GetCommand).resolves({ Item: { ...newOrderItem(fresh), order: fresh.order } });
    ddb.on(UpdateCommand).resolves({ Attributes: { ...newOrderItem(fresh), version: 2 } });
    app.world.clock.set(at(2));
    const response = await invokeRoute("RequestCancellation", getDeps, {
      caller: buyer(),
      params: { orderId: "o-post" },
      body: { reason: "NO_LONGER_NEEDED" },
      headers: { "idempotency-key": "key-post-1" },
    });
    expectJson(response, 202);
    expect(response.body.status).toBe("REQUESTED");
    expect(ddb.calls().map((call) => call.args[0].constructor.name)).toEqual([
      "GetCommand",
      "UpdateCommand",
    ]);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ConditionExpression: "#version = :expected",
      ExpressionAttributeValues: expect.objectContaining({ ":expected": 1, ":next": 2 }),
    });
    expect(app.calls).toEqual([]);
  });

  it("a stale token at Step Functions (TaskTimedOut): 200, nothing left to wake", async () => {
    const { orderId, requestId, token } = await waitingOn((id) => requestOn(id));
    const { SFNClient, SendTaskSuccessCommand, TaskTimedOut } = sfnSdk();
    const client = new SFNClient({ region, credentials });
    const sfn = mockClient(client);
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(new TaskTimedOut({ message: "Task Timed Out", ...meta }));
    const response = await invokeRoute(
      "SellerDecision",
      () => ({ ...app.deps("SellerDecision"), signals: new StepFunctionsSignals(client) }),
      { caller: seller(), params: { orderId, requestId }, body: { decision: "APPROVE" } },
    );
    expectJson(response, 200);
    expect(response.body.status).toBe("AWAITING_MARKETPLACE");
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, {
      taskToken: token,
      output: JSON.stringify({ status: "AWAITING_MARKETPLACE" }),
    });
    // A stale token is no failure: nothing for the reconciler to retry.
    expect(app.world.log.lines).toEqual([]);
  });

  it("Step Functions throttled past its retries: 200, the change stands, the wait kept", async () => {
    const { orderId, requestId, token } = await waitingOn((id) => awaitingOperator(id));
    const { SFNClient, SendTaskSuccessCommand } = sfnSdk();
    const client = new SFNClient({ region, credentials });
    const sfn = mockClient(client);
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", ...meta }));
    const response = await invokeRoute(
      "MarketplaceDecision",
      () => ({ ...app.deps("MarketplaceDecision"), signals: new StepFunctionsSignals(client) }),
      { caller: operator(), params: { orderId, requestId }, body: { decision: "APPROVE" } },
    );
    expectJson(response, 200);
    expect(response.body.status).toBe("REFUND_PENDING");
    expect(sfn).toHaveReceivedCommandExactlyOnceWith(SendTaskSuccessCommand, {
      taskToken: token,
      output: JSON.stringify({ status: "REFUND_PENDING" }),
    });
    expect(app.item(orderId)?.record.requests[requestId]?.status).toBe("REFUND_PENDING");
    expect(app.item(orderId)?.waits[requestId]?.token).toBe(token);
    expect(app.world.log.lines).toEqual([
      {
        level: "warn",
        message: "workflow not woken; the reconciler will",
        extra: [{ requestId, error: "ThrottlingException" }],
      },
    ]);
  });

  it("the ledger throttled while a delivery asks about a refund: 503, nothing written", async () => {
    const record = await seed({}, (orderId) => [refundFailed(orderId)]);
    const { orderId } = record.order;
    const before = app.item(orderId);
    const client = documentClient();
    const ledger = mockClient(client);
    ledger.on(GetCommand).rejects(throttled());
    const payments = new LedgerPayments({ client, tableName: "refunds-mocked" });
    const logs = captureLogs();
    const response = await invokeRoute(
      "RecordDelivery",
      () => ({ ...app.deps("RecordDelivery"), payments }),
      { caller: CARRIER, params: { orderId }, body: { deliveredAt: at(20) } },
    ).finally(logs.stop);
    expectUnavailable(response);
    expect(ledger).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(ledger).not.toHaveReceivedCommand(PutCommand);
    expect(app.callNames()).toEqual(["table.get"]);
    expectNothingDone(orderId, before);
  });

  it("Stripe unreachable while a delivery asks about a refund: 503, nothing written", async () => {
    const record = await seed({}, (orderId) => [refundFailed(orderId)]);
    const { orderId } = record.order;
    const before = app.item(orderId);
    // What the Stripe adapter throws once the SDK's retries of a lost connection run out.
    const unreachable = new PaymentProviderUnavailableError("refunds.list", {
      stripeType: "StripeConnectionError",
    });
    const payments: Payments = {
      refund: () => Promise.reject(unreachable),
      lookup: () => Promise.reject(unreachable),
    };
    const logs = captureLogs();
    const response = await invokeRoute(
      "RecordDelivery",
      () => ({ ...app.deps("RecordDelivery"), payments }),
      { caller: CARRIER, params: { orderId }, body: { deliveredAt: at(20) } },
    ).finally(logs.stop);
    expectUnavailable(response);
    expect(app.callNames()).toEqual(["table.get"]);
    expectNothingDone(orderId, before);
  });

  describe("list cursors (the DynamoDB adapter's own format, checked through the route)", () => {
    const buyerId = "buyer-cursor";
    const lists = () => {
      const client = documentClient();
      const ddb = mockClient(client);
      const getDeps = () => ({
        ...app.deps("ListOrders"),
        lists: new DynamoOrderLists({ client, tableName: TABLE }),
      });
      return { ddb, getDeps };
    };
    const cursor = encodeCursor(BUYER_ORDERS, {
      [buyerPartition(buyerId)]: {
        ...orderKey("o-1"),
        buyerPk: buyerPartition(buyerId),
        buyerSk: `${at(0)}#o-1`,
      },
    });

    it("refuses a tampered cursor and another buyer's with 400, before any Query", async () => {
      const { ddb, getDeps } = lists();
      for (const [sub, bad] of [
        [buyerId, `${cursor}x`],
        [buyerId, cursor.slice(0, -2)],
        [buyerId, Buffer.from('{"i":"BuyerOrders","p":{}}').toString("base64url")],
        [uid("other-buyer"), cursor],
      ] as const) {
        const response = await invokeRoute("ListOrders", getDeps, {
          caller: buyer(sub),
          query: { cursor: bad },
        });
        expectValidation(response, "query.cursor");
      }
      expect(ddb).not.toHaveReceivedCommand(QueryCommand);
    });

    it("continues from a cursor it issued, and answers a throttled Query with 503", async () => {
      const { ddb, getDeps } = lists();
      ddb.on(QueryCommand).resolvesOnce({ Items: [] }).rejects(throttled());
      expectJson(
        await invokeRoute("ListOrders", getDeps, { caller: buyer(buyerId), query: { cursor } }),
        200,
      );
      expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
        ExclusiveStartKey: {
          ...orderKey("o-1"),
          buyerPk: buyerPartition(buyerId),
          buyerSk: `${at(0)}#o-1`,
        },
      });
      const logs = captureLogs();
      const throttledPage = await invokeRoute("ListOrders", getDeps, {
        caller: buyer(buyerId),
      }).finally(logs.stop);
      expectUnavailable(throttledPage);
    });
  });

  it("sends no command at all for bad input", async () => {
    const { ddb, getDeps } = onDynamo("RequestCancellation");
    const response = await invokeRoute("RequestCancellation", getDeps, {
      caller: buyer(),
      params: { orderId: "o-race" },
      body: { reason: "OTHER" },
      headers: { "idempotency-key": "key-0000001" },
    });
    expectValidation(response, "body.comment");
    expect(ddb).not.toHaveReceivedAnyCommand();
    expect(app.calls).toEqual([]);
  });
});
