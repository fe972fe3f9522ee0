// Local mode's fault injection: which calls a fault hits, and that the SDK sees its errors as the
// real ones (retried by its own strategy, classified as throttling or transient).
import {
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ListTablesCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { SESClient, SESServiceException } from "@aws-sdk/client-ses";
import { SFNClient, SFNServiceException, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { isServerError, isThrottlingError, isTransientError } from "@smithy/core/retry";
import type { SdkError } from "@smithy/types";
import { describe, expect, it } from "vitest";
import {
  FAULT_MIDDLEWARE_NAME,
  FaultInjector,
  faultError,
  faultSpecSchema,
  installFaults,
} from "../../local/faults.ts";
import { useTestTable } from "../support/dynamodb.ts";

/** A random source that answers the given rolls in turn. */
const rolls = (...values: number[]) => {
  let index = 0;
  return () => values[index++ % values.length] ?? 0;
};

/** A client whose "network" answers every request with `{}` and counts the requests that left. */
const fakeDynamoDb = () => {
  const sent = { count: 0 };
  const client = new DynamoDBClient({
    region: "ap-northeast-1",
    endpoint: "http://127.0.0.1:1",
    credentials: { accessKeyId: "fake", secretAccessKey: "fake" },
    requestHandler: {
      handle: async () => {
        sent.count += 1;
        return {
          response: {
            statusCode: 200,
            headers: { "content-type": "application/x-amz-json-1.0" },
            body: new TextEncoder().encode("{}"),
          },
        };
      },
    } as never,
  });
  return { client, sent };
};

describe("FaultInjector", () => {
  it("fires the first live fault for the target and counts it", () => {
    const faults = new FaultInjector();
    const fault = faults.add({ target: "dynamodb", error: "throttle" });
    expect(fault).toEqual({
      faultId: expect.any(String),
      target: "dynamodb",
      error: "throttle",
      rate: 1,
      fired: 0,
    });
    expect(faults.draw("ses", "SendEmail")).toBeUndefined();
    expect(faults.draw("dynamodb", "GetItem")).toMatchObject({ faultId: fault.faultId, fired: 1 });
    expect(faults.draw("dynamodb", "PutItem")).toMatchObject({ fired: 2 });
    expect(faults.list()).toEqual([{ ...fault, fired: 2 }]);
  });

  it("matches a named operation case-insensitively, with or without the SDK's Command suffix", () => {
    const faults = new FaultInjector();
    faults.add({ target: "dynamodb", operation: "UpdateItem", error: "unavailable" });
    faults.add({ target: "stepfunctions", operation: "continueAfterWait", error: "throttle" });
    expect(faults.draw("dynamodb", "UpdateItemCommand")).toBeDefined();
    expect(faults.draw("dynamodb", "updateItem")).toBeDefined();
    expect(faults.draw("dynamodb", "GetItem")).toBeUndefined();
    expect(faults.draw("dynamodb")).toBeUndefined();
    expect(faults.draw("stepfunctions", "ContinueAfterWait")).toBeDefined();
    expect(faults.draw("stepfunctions", "StartRequest")).toBeUndefined();
  });

  it("stops matching after `count` firings, letting later faults match", () => {
    const faults = new FaultInjector();
    const first = faults.add({ target: "ses", error: "throttle", count: 2 });
    const second = faults.add({ target: "ses", error: "unavailable" });
    const drawn = [1, 2, 3, 4].map(() => faults.draw("ses", "SendEmail")?.faultId);
    expect(drawn).toEqual([first.faultId, first.faultId, second.faultId, second.faultId]);
    expect(faults.list().map((fault) => fault.fired)).toEqual([2, 2]);
  });

  it("fires with probability `rate`, counting only the calls it failed", () => {
    const faults = new FaultInjector({ random: rolls(0.1, 0.7, 0.29, 0.3) });
    faults.add({ target: "payments", operation: "CARD", error: "declined", rate: 0.3 });
    const hits = [1, 2, 3, 4].map(() => faults.draw("payments", "CARD") !== undefined);
    expect(hits).toEqual([true, false, true, false]);
    expect(faults.list()[0]?.fired).toBe(2);
  });

  it("rolls each matching fault in turn: a miss on the first leaves the next its chance", () => {
    const faults = new FaultInjector({ random: rolls(0.9, 0.1) });
    faults.add({ target: "payments", error: "throttle", rate: 0.3 });
    const timeout = faults.add({
      target: "payments",
      operation: "CARD",
      error: "timeout",
      count: 1,
    });
    expect(faults.draw("payments", "CARD")?.faultId).toBe(timeout.faultId);
    expect(faults.list().map((fault) => fault.fired)).toEqual([0, 1]);
  });

  it("a rate of 0 never fires; clear removes every fault and says how many", () => {
    const faults = new FaultInjector();
    faults.add({ target: "dynamodb", error: "throttle", rate: 0 });
    faults.add({ target: "ses", error: "throttle" });
    expect(faults.draw("dynamodb", "GetItem")).toBeUndefined();
    expect(faults.clear()).toBe(2);
    expect(faults.list()).toEqual([]);
    expect(faults.draw("ses", "SendEmail")).toBeUndefined();
  });

  it("draws only faults of the kinds a call can suffer, when it names them", () => {
    const faults = new FaultInjector();
    const throttle = faults.add({ target: "pipes", error: "throttle", count: 1 });
    const down = faults.add({ target: "pipes", error: "unavailable", count: 1 });
    // A pipe's poll can only find it down; its delivery can only be throttled or lose its answer.
    expect(faults.draw("pipes", "GetRecords", ["unavailable"])?.faultId).toBe(down.faultId);
    expect(faults.draw("pipes", "GetRecords", ["unavailable"])).toBeUndefined();
    expect(faults.draw("pipes", "StartSyncExecution", ["throttle", "timeout"])?.faultId).toBe(
      throttle.faultId,
    );
    expect(faults.list().map((fault) => fault.fired)).toEqual([1, 1]);
  });

  it("hits a call that only named faults may hit (Stripe's webhooks) only with a fault naming it", () => {
    const faults = new FaultInjector();
    const any = faults.add({ target: "stripe", error: "unavailable" });
    // A stripe fault without an operation hits the API's calls, never a webhook delivery.
    expect(
      faults.draw("stripe", "webhook", ["throttle", "unavailable", "timeout"], { namedOnly: true }),
    ).toBeUndefined();
    expect(faults.draw("stripe", "refunds.create")?.faultId).toBe(any.faultId);
    const lost = faults.add({ target: "stripe", operation: "webhook", error: "unavailable" });
    expect(
      faults.draw("stripe", "webhook", ["throttle", "unavailable", "timeout"], {
        namedOnly: true,
        subject: "pi_1",
      })?.faultId,
    ).toBe(lost.faultId);
    // …and a fault naming `webhook` hits no API call.
    faults.clear();
    faults.add({ target: "stripe", operation: "webhook", error: "timeout" });
    expect(faults.draw("stripe", "refunds.create")).toBeUndefined();
  });

  it("validates specs strictly: declined only for payments, rate in 0..1, count ≥ 1, no extras", () => {
    const invalid = [
      { target: "dynamodb", error: "declined" },
      { target: "dynamodb", error: "throttle", rate: 1.5 },
      { target: "dynamodb", error: "throttle", count: 0 },
      { target: "dynamodb", error: "throttle", count: 1.5 },
      { target: "lambda", error: "throttle" },
      { target: "dynamodb", error: "slow" },
      { target: "dynamodb", error: "throttle", extra: true },
      { target: "dynamodb", error: "throttle", operation: "" },
    ];
    for (const spec of invalid)
      expect(faultSpecSchema.safeParse(spec).success, spec.target).toBe(false);
    expect(() => new FaultInjector().add({ target: "ses", error: "declined" })).toThrow();
    expect(faultSpecSchema.safeParse({ target: "payments", error: "declined" }).success).toBe(true);
    expect(faultSpecSchema.safeParse({ target: "pipes", error: "declined" }).success).toBe(false);
    for (const error of ["unavailable", "throttle", "timeout"]) {
      expect(faultSpecSchema.safeParse({ target: "pipes", error }).success, error).toBe(true);
      const webhook = { target: "stripe", operation: "webhook", error };
      expect(faultSpecSchema.safeParse(webhook).success, error).toBe(true);
    }
    // A webhook is lost, answered unheard or late: a `pending` webhook means nothing.
    expect(
      faultSpecSchema.safeParse({ target: "stripe", operation: "webhook", error: "pending" })
        .success,
    ).toBe(false);
    expect(faultSpecSchema.safeParse({ target: "stripe", error: "pending" }).success).toBe(true);
  });
});

describe("fault errors", () => {
  const targets = ["dynamodb", "stepfunctions", "ses"] as const;

  it("are the services' own errors, named as AWS names them", () => {
    expect(faultError("dynamodb", "throttle", "PutItem")).toBeInstanceOf(
      ProvisionedThroughputExceededException,
    );
    expect(faultError("dynamodb", "unavailable", "PutItem")).toBeInstanceOf(InternalServerError);
    const sfnThrottle = faultError("stepfunctions", "throttle", "StartExecution");
    expect(sfnThrottle).toBeInstanceOf(SFNServiceException);
    expect(sfnThrottle).toMatchObject({
      name: "ThrottlingException",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
    });
    const sesThrottle = faultError("ses", "throttle", "SendEmail");
    expect(sesThrottle).toBeInstanceOf(SESServiceException);
    expect(sesThrottle).toMatchObject({ name: "Throttling", $fault: "client" });
    for (const target of ["stepfunctions", "ses"] as const) {
      expect(faultError(target, "unavailable", "X")).toMatchObject({
        name: "ServiceUnavailable",
        $fault: "server",
        $metadata: { httpStatusCode: 503 },
      });
    }
    for (const target of targets) {
      expect(faultError(target, "timeout", "X").name).toBe("TimeoutError");
    }
  });

  it("are classified by the SDK's retry rules as throttling or transient, never as final", () => {
    for (const target of targets) {
      const throttle = faultError(target, "throttle", "X") as SdkError;
      expect(isThrottlingError(throttle), `${target} throttle`).toBe(true);
      for (const kind of ["unavailable", "timeout"] as const) {
        const error = faultError(target, kind, "X") as SdkError;
        expect(isTransientError(error), `${target} ${kind}`).toBe(true);
        // A 5xx the SDK would not retry is a "server error"; these are transient instead.
        expect(isServerError(error), `${target} ${kind}`).toBe(false);
      }
    }
  });
});

describe("faultMiddleware on SDK clients", () => {
  it("sits inside the SDK's retry loop: a fault for 2 calls costs 2 retries, not the call", async () => {
    const { client, sent } = fakeDynamoDb();
    const faults = new FaultInjector();
    installFaults(faults, { dynamodb: [client] });
    faults.add({ target: "dynamodb", operation: "ListTables", error: "unavailable", count: 2 });
    const output = await client.send(new ListTablesCommand({}));
    expect(output.$metadata.attempts).toBe(3);
    expect(sent.count).toBe(1);
    expect(faults.list()[0]?.fired).toBe(2);
  });

  it("fails the call as the real error once the SDK's attempts are spent", async () => {
    const { client, sent } = fakeDynamoDb();
    const faults = new FaultInjector();
    installFaults(faults, { dynamodb: [client] });
    faults.add({ target: "dynamodb", error: "unavailable" });
    const error = await client.send(new ListTablesCommand({})).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InternalServerError);
    // The client's own attempt budget (this SDK gives DynamoDB 4), every attempt injected.
    const maxAttempts = await client.config.maxAttempts();
    expect(maxAttempts).toBeGreaterThan(1);
    expect((error as InternalServerError).$metadata.attempts).toBe(maxAttempts);
    expect(faults.list()[0]?.fired).toBe(maxAttempts);
    expect(sent.count).toBe(0);
  });

  it("retries a throttle with the SDK's throttling backoff", async () => {
    const { client } = fakeDynamoDb();
    const faults = new FaultInjector();
    installFaults(faults, { dynamodb: [client] });
    faults.add({ target: "dynamodb", error: "throttle", count: 1 });
    const output = await client.send(new ListTablesCommand({}));
    expect(output.$metadata.attempts).toBe(2);
  });

  it("is installed once per client however often it is installed", async () => {
    const { client, sent } = fakeDynamoDb();
    const faults = new FaultInjector();
    installFaults(faults, { dynamodb: [client] });
    installFaults(faults, { dynamodb: [client] });
    expect(
      client.middlewareStack.identify().filter((name) => name.startsWith(FAULT_MIDDLEWARE_NAME)),
    ).toHaveLength(1);
    faults.add({ target: "dynamodb", error: "timeout", count: 2 });
    const output = await client.send(new ListTablesCommand({}));
    // Doubled, the inner copy would spend the second firing inside the first attempt.
    expect(output.$metadata.attempts).toBe(3);
    expect(sent.count).toBe(3);
  });

  it("names the operation after the command, for SFN and SES clients too", async () => {
    const faults = new FaultInjector();
    const sfn = new SFNClient({
      region: "ap-northeast-1",
      endpoint: "http://127.0.0.1:1",
      credentials: { accessKeyId: "fake", secretAccessKey: "fake" },
      maxAttempts: 1,
    });
    const ses = new SESClient({
      region: "ap-northeast-1",
      endpoint: "http://127.0.0.1:1",
      credentials: { accessKeyId: "fake", secretAccessKey: "fake" },
      maxAttempts: 1,
    });
    installFaults(faults, { stepfunctions: [sfn], ses: [ses] });
    faults.add({ target: "stepfunctions", operation: "StartExecution", error: "throttle" });
    const error = await sfn
      .send(new StartExecutionCommand({ stateMachineArn: "arn:aws:states:x", name: "n" }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "ThrottlingException", $fault: "client" });
    expect(faults.list()[0]?.fired).toBe(1);
    expect(ses.middlewareStack.identify().some((name) => name.startsWith("localFaults"))).toBe(
      true,
    );
  });
});

describe("faults against DynamoDB Local", () => {
  const table = useTestTable("dynamodb-local", "faults");

  it("timeout applies the write, then loses the answer: the SDK's retry finds it done", async () => {
    const { client: documentClient, tableName } = table.current;
    const faults = new FaultInjector();
    // The document client shares its client's middleware stack, so this covers both.
    installFaults(faults, { dynamodb: [documentClient] });
    faults.add({ target: "dynamodb", operation: "PutItem", error: "timeout", count: 1 });
    const key = { pk: { S: `FAULT#${Date.now()}` }, sk: { S: "A" } };
    const put = await documentClient
      .send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...key, n: { N: "1" } },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      )
      .catch((caught: unknown) => caught);
    // The retry's conditional write fails: the first attempt's write did happen.
    expect((put as Error).name).toBe("ConditionalCheckFailedException");
    expect(faults.list()[0]?.fired).toBe(1);
    const read = await documentClient.send(new GetItemCommand({ TableName: tableName, Key: key }));
    expect(read.Item?.n).toEqual({ N: "1" });
    faults.clear();
  });

  it("faults reach commands sent through a document client", async () => {
    const { client: documentClient, tableName } = table.current;
    const faults = new FaultInjector();
    installFaults(faults, { dynamodb: [documentClient] });
    faults.add({ target: "dynamodb", operation: "GetItem", error: "throttle", count: 1 });
    const output = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: { pk: "NONE", sk: "NONE" } }),
    );
    expect(output.Item).toBeUndefined();
    expect(output.$metadata.attempts).toBe(2);
    expect(faults.list()[0]?.fired).toBe(1);
  });
});
