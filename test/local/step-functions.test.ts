// The Step Functions stand-in answers as AWS does where recovery depends on it: unknown state
// machines and executions, stale and unknown task tokens, listing, redrive, Lambda-service
// faults, and an Express machine starting a Standard one (`states:startExecution`). Driven
// through the real SFN client against the local endpoint.
import { spawnSync } from "node:child_process";
import type { Server } from "node:http";
import { fileURLToPath } from "node:url";
import { DynamoDBClient, type UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { afterEach, describe, expect, it } from "vitest";
import { FaultInjector, installFaults } from "../../local/faults.ts";
import { startSfnEndpoint } from "../../local/sfn-endpoint.ts";
import { LocalStepFunctions } from "../../local/step-functions.ts";

const ARN = "arn:aws:states:ap-northeast-1:000000000000:stateMachine:fidelity";
const OTHER_ARN = "arn:aws:states:ap-northeast-1:000000000000:stateMachine:other";
const executionArn = (name: string) =>
  `arn:aws:states:ap-northeast-1:000000000000:execution:fidelity:${name}`;

/**
 * Work (a Lambda) → Wait (stores its token and the status it waits in, as the workflow's waits
 * do, and waits for a signal) → done; a timed-out wait → Hold.
 */
const DEFINITION = {
  StartAt: "Work",
  States: {
    Work: {
      Type: "Task",
      Resource: "arn:aws:lambda:ap-northeast-1:000000000000:function:Work",
      TimeoutSeconds: 5,
      Retry: [{ ErrorEquals: ["Lambda.TooManyRequestsException"], MaxAttempts: 1 }],
      Next: "Wait",
    },
    Wait: {
      Type: "Task",
      Resource: "arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken",
      Parameters: {
        TableName: "orders",
        Key: { pk: { S: "ORDER#1" }, sk: { S: "ORDER" } },
        UpdateExpression: "SET #waits.#rid = :wait",
        ExpressionAttributeNames: { "#waits": "waits", "#rid": "r-1" },
        ExpressionAttributeValues: {
          ":wait": { M: { token: { "S.$": "$$.Task.Token" }, status: { S: "AWAITING_SELLER" } } },
        },
      },
      TimeoutSecondsPath: "$.waitSeconds",
      Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.error", Next: "Hold" }],
      End: true,
    },
    Hold: {
      Type: "Task",
      Resource: "arn:aws:lambda:ap-northeast-1:000000000000:function:Hold",
      TimeoutSeconds: 5,
      End: true,
    },
  },
};

interface Service {
  local: LocalStepFunctions;
  client: SFNClient;
  /** Tokens the Wait state stored, in order. */
  tokens: string[];
  /** How many times the Work handler ran. */
  calls: { work: number };
  /** Work fails with `Boom` while this is true. */
  failing: { value: boolean };
  /** Hold runs until this is called. */
  release: () => void;
  server: Server;
}

const services: Service[] = [];

const startService = async (
  options: { faults?: FaultInjector; dynamoDb?: DynamoDBClient } = {},
): Promise<Service> => {
  const tokens: string[] = [];
  const calls = { work: 0 };
  const failing = { value: false };
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const recordToken = {
    send: async (command: UpdateItemCommand) => {
      const token = command.input.ExpressionAttributeValues?.[":wait"]?.M?.token?.S;
      if (token) tokens.push(token);
      return {};
    },
  };
  const local = new LocalStepFunctions({
    stateMachineArn: ARN,
    definition: DEFINITION,
    dynamoDb: options.dynamoDb ?? recordToken,
    lambdas: (arn) => {
      if (arn.endsWith(":Work")) {
        return async (input) => {
          calls.work += 1;
          if (failing.value) throw Object.assign(new Error("it broke"), { name: "Boom" });
          return input;
        };
      }
      if (arn.endsWith(":Hold")) return async (input) => held.then(() => input);
      return undefined;
    },
    retryIntervalOverrides: { Work: 0 },
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const { server, endpoint } = await startSfnEndpoint(local);
  const client = new SFNClient({
    region: "ap-northeast-1",
    endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const service = { local, client, tokens, calls, failing, release: () => release(), server };
  services.push(service);
  return service;
};

afterEach(async () => {
  for (const service of services.splice(0)) {
    service.release();
    service.local.abortAll();
    await service.local.settle();
    service.client.destroy();
    service.server.closeAllConnections();
    await new Promise((resolve) => service.server.close(resolve));
  }
});

const start = (service: Service, name: string, input: object = { waitSeconds: 30 }) =>
  service.client.send(
    new StartExecutionCommand({ stateMachineArn: ARN, name, input: JSON.stringify(input) }),
  );

const until = async <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const reachStatus = (service: Service, name: string, status: string) =>
  until<DescribeExecutionCommandOutput>(async () => {
    const described = await service.client.send(
      new DescribeExecutionCommand({ executionArn: executionArn(name) }),
    );
    return described.status === status ? described : undefined;
  }, `${name} to be ${status}`);

const tokenNumber = (service: Service, count: number) =>
  until(async () => service.tokens[count - 1], `token ${count}`);

describe("StartExecution and DescribeExecution", () => {
  it("refuse a state machine that does not exist and names AWS would not accept", async () => {
    const service = await startService();
    await expect(
      service.client.send(new StartExecutionCommand({ stateMachineArn: OTHER_ARN, name: "a" })),
    ).rejects.toMatchObject({ name: "StateMachineDoesNotExist" });
    for (const name of ["has space", "x".repeat(81), "colon:name", "ünï"]) {
      await expect(start(service, name), name).rejects.toMatchObject({ name: "InvalidName" });
    }
    await expect(start(service, `ok_${"x".repeat(77)}`)).resolves.toBeDefined();
    await expect(
      service.client.send(new DescribeExecutionCommand({ executionArn: executionArn("nope") })),
    ).rejects.toMatchObject({ name: "ExecutionDoesNotExist" });
  });

  it("names an unnamed execution itself, as AWS does", async () => {
    const service = await startService();
    const started = await service.client.send(
      new StartExecutionCommand({ stateMachineArn: ARN, input: '{"waitSeconds":30}' }),
    );
    expect(started.executionArn).toMatch(/:execution:fidelity:[0-9a-f-]{36}$/);
  });
});

describe("SendTaskSuccess and SendTaskFailure", () => {
  it("answer InvalidToken for a token that was never issued", async () => {
    const service = await startService();
    await expect(
      service.client.send(new SendTaskSuccessCommand({ taskToken: "made-up", output: "{}" })),
    ).rejects.toMatchObject({ name: "InvalidToken" });
    await expect(
      service.client.send(new SendTaskFailureCommand({ taskToken: "made-up", error: "X" })),
    ).rejects.toMatchObject({ name: "InvalidToken" });
  });

  it("answer TaskTimedOut for a token whose task was already signalled", async () => {
    const service = await startService();
    await start(service, "signalled");
    const token = await tokenNumber(service, 1);
    await service.client.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" }));
    await reachStatus(service, "signalled", "SUCCEEDED");
    await expect(
      service.client.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })),
    ).rejects.toMatchObject({ name: "TaskTimedOut" });
  });

  it("answer TaskTimedOut once the wait timed out, while the execution runs on", async () => {
    const service = await startService();
    await start(service, "timed-out", { waitSeconds: 1 });
    const token = await tokenNumber(service, 1);
    // The Catch sends the timed-out wait to Hold, which keeps the execution RUNNING.
    await until(async () => {
      const history = await service.client.send(
        new GetExecutionHistoryCommand({ executionArn: executionArn("timed-out") }),
      );
      return history.events?.some((event) => event.stateEnteredEventDetails?.name === "Hold")
        ? true
        : undefined;
    }, "Hold to start");
    await reachStatus(service, "timed-out", "RUNNING");
    await expect(
      service.client.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })),
    ).rejects.toMatchObject({ name: "TaskTimedOut" });
  });

  it("a stopped execution leaves nothing of its wait running: the process can exit after stop", async () => {
    // In a process of its own: a wait of an hour is parked, the execution stopped; the process
    // must end by itself (a forgotten wait keeps the interpreter's timeout timer alive an hour).
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("../support/stop-exits.ts", import.meta.url))],
      { encoding: "utf8", timeout: 15_000 },
    );
    expect(child.signal, child.stderr).toBeNull();
    expect(child.stdout.trim()).toBe("stopped");
    expect(child.status).toBe(0);
  });

  it("answer TaskTimedOut for a token of a stopped execution", async () => {
    const service = await startService();
    await start(service, "stopped");
    const token = await tokenNumber(service, 1);
    await service.client.send(new StopExecutionCommand({ executionArn: executionArn("stopped") }));
    await reachStatus(service, "stopped", "ABORTED");
    await expect(
      service.client.send(new SendTaskFailureCommand({ taskToken: token, error: "X" })),
    ).rejects.toMatchObject({ name: "TaskTimedOut" });
  });
});

describe("GetExecutionHistory", () => {
  it("records each call of a Task's resource as AWS does: Lambda, then the token-storing wait", async () => {
    const service = await startService();
    await start(service, "history");
    const token = await tokenNumber(service, 1);
    await until(
      async () => service.local.isWaiting(executionArn("history")) || undefined,
      "the wait to begin",
    );
    await service.client.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" }));
    await reachStatus(service, "history", "SUCCEEDED");
    expect(service.local.isWaiting(executionArn("history"))).toBe(false);
    const { events = [] } = await service.client.send(
      new GetExecutionHistoryCommand({ executionArn: executionArn("history") }),
    );
    expect(events.map((event) => event.type)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered",
      "LambdaFunctionScheduled",
      "TaskStateExited",
      "TaskStateEntered",
      "TaskScheduled",
      "TaskStateExited",
      "ExecutionSucceeded",
    ]);
    expect(events[2]?.lambdaFunctionScheduledEventDetails?.resource).toBe(
      DEFINITION.States.Work.Resource,
    );
    expect(events[5]?.taskScheduledEventDetails).toMatchObject({
      resourceType: "aws-sdk:dynamodb",
      resource: "updateItem.waitForTaskToken",
      region: "ap-northeast-1",
    });
  });
});

describe("ListExecutions", () => {
  it("pages newest first, filters by status, and knows only its state machine", async () => {
    const service = await startService();
    const names = ["e1", "e2", "e3", "e4", "e5"];
    for (const name of names) await start(service, name);
    await service.client.send(new StopExecutionCommand({ executionArn: executionArn("e2") }));
    await reachStatus(service, "e2", "ABORTED");

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await service.client.send(
        new ListExecutionsCommand({ stateMachineArn: ARN, maxResults: 2, nextToken }),
      );
      expect(page.executions?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.executions ?? []).map((execution) => String(execution.name)));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    expect(seen).toEqual([...names].reverse());
    expect(pages).toBe(3);

    const running = await service.client.send(
      new ListExecutionsCommand({ stateMachineArn: ARN, statusFilter: "RUNNING" }),
    );
    expect(running.executions?.map((execution) => execution.name)).toEqual([
      "e5",
      "e4",
      "e3",
      "e1",
    ]);
    expect(running.nextToken).toBeUndefined();
    const aborted = await service.client.send(
      new ListExecutionsCommand({ stateMachineArn: ARN, statusFilter: "ABORTED" }),
    );
    expect(aborted.executions?.map((execution) => execution.status)).toEqual(["ABORTED"]);

    await expect(
      service.client.send(new ListExecutionsCommand({ stateMachineArn: OTHER_ARN })),
    ).rejects.toMatchObject({ name: "StateMachineDoesNotExist" });
    await expect(
      service.client.send(new ListExecutionsCommand({ stateMachineArn: ARN, nextToken: "junk" })),
    ).rejects.toMatchObject({ name: "InvalidToken" });
  });
});

describe("RedriveExecution", () => {
  it("restarts a failed execution under the same ARN and counts the redrive", async () => {
    const service = await startService();
    service.failing.value = true;
    await start(service, "redriven");
    const failed = await reachStatus(service, "redriven", "FAILED");
    expect(failed).toMatchObject({ error: "Boom", redriveCount: 0, redriveStatus: "REDRIVABLE" });

    service.failing.value = false;
    const redriven = await service.client.send(
      new RedriveExecutionCommand({ executionArn: executionArn("redriven") }),
    );
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    const running = await reachStatus(service, "redriven", "RUNNING");
    expect(running).toMatchObject({ redriveCount: 1, redriveStatus: "NOT_REDRIVABLE" });
    expect(running.error).toBeUndefined();
    await expect(
      service.client.send(new RedriveExecutionCommand({ executionArn: executionArn("redriven") })),
    ).rejects.toMatchObject({ name: "ExecutionNotRedrivable" });

    // It ran from the start again, with the same input, and can finish this time.
    const token = await tokenNumber(service, 1);
    expect(service.calls.work).toBe(2);
    await service.client.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" }));
    const succeeded = await reachStatus(service, "redriven", "SUCCEEDED");
    expect(succeeded.redriveCount).toBe(1);
    expect(succeeded.input).toBe('{"waitSeconds":30}');
    await expect(
      service.client.send(new RedriveExecutionCommand({ executionArn: executionArn("redriven") })),
    ).rejects.toMatchObject({ name: "ExecutionNotRedrivable" });
    const history = await service.client.send(
      new GetExecutionHistoryCommand({ executionArn: executionArn("redriven") }),
    );
    expect(history.events?.map((event) => event.type)).toContain("ExecutionRedriven");
  });

  it("restarts an aborted execution, and refuses one that does not exist", async () => {
    const service = await startService();
    await start(service, "aborted");
    await tokenNumber(service, 1);
    await service.client.send(new StopExecutionCommand({ executionArn: executionArn("aborted") }));
    await reachStatus(service, "aborted", "ABORTED");
    await service.client.send(
      new RedriveExecutionCommand({ executionArn: executionArn("aborted") }),
    );
    await tokenNumber(service, 2);
    expect((await reachStatus(service, "aborted", "RUNNING")).redriveCount).toBe(1);
    await expect(
      service.client.send(new RedriveExecutionCommand({ executionArn: executionArn("nope") })),
    ).rejects.toMatchObject({ name: "ExecutionDoesNotExist" });
  });
});

describe("faults on the workflow's tasks", () => {
  it("a Lambda throttle fails the task without running the function; Retry recovers it", async () => {
    const faults = new FaultInjector();
    const service = await startService({ faults });
    faults.add({ target: "stepfunctions", operation: "Work", error: "throttle", count: 1 });
    await start(service, "throttled");
    await tokenNumber(service, 1);
    expect(service.calls.work).toBe(1);
    const history = await service.client.send(
      new GetExecutionHistoryCommand({ executionArn: executionArn("throttled") }),
    );
    expect(
      history.events?.find((event) => event.type === "TaskFailed")?.taskFailedEventDetails?.error,
    ).toBe("Lambda.TooManyRequestsException");
  });

  it("unavailable fails the task with Lambda.ServiceException, the function never called", async () => {
    const faults = new FaultInjector();
    const service = await startService({ faults });
    faults.add({ target: "stepfunctions", operation: "work", error: "unavailable" });
    await start(service, "unavailable");
    const failed = await reachStatus(service, "unavailable", "FAILED");
    expect(failed.error).toBe("Lambda.ServiceException");
    expect(service.calls.work).toBe(0);
  });

  it("timeout runs the function, then fails the task with Lambda.SdkClientException", async () => {
    const faults = new FaultInjector();
    const service = await startService({ faults });
    faults.add({ target: "stepfunctions", operation: "Work", error: "timeout" });
    await start(service, "lost-answer");
    const failed = await reachStatus(service, "lost-answer", "FAILED");
    expect(failed.error).toBe("Lambda.SdkClientException");
    expect(service.calls.work).toBe(1);
  });

  it("DynamoDB faults on the integration's client surface as DynamoDb.* task errors", async () => {
    const expected = {
      throttle: "DynamoDb.ProvisionedThroughputExceededException",
      unavailable: "DynamoDb.InternalServerErrorException",
      timeout: "DynamoDb.SdkClientException",
    } as const;
    for (const [kind, name] of Object.entries(expected)) {
      const faults = new FaultInjector();
      const dynamoDb = new DynamoDBClient({
        region: "ap-northeast-1",
        endpoint: "http://127.0.0.1:1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        maxAttempts: 1,
        requestHandler: {
          handle: async () => ({
            response: { statusCode: 200, headers: {}, body: new TextEncoder().encode("{}") },
          }),
        } as never,
      });
      installFaults(faults, { dynamodb: [dynamoDb] });
      faults.add({
        target: "dynamodb",
        operation: "UpdateItem",
        error: kind as keyof typeof expected,
      });
      const service = await startService({ dynamoDb });
      await start(service, `ddb-${kind}`);
      const failed = await reachStatus(service, `ddb-${kind}`, "FAILED");
      expect(failed.error, kind).toBe(name);
      dynamoDb.destroy();
    }
  });
});

describe("expireWaits", () => {
  const waitFailure = async (service: Service, name: string) => {
    const history = await service.client.send(
      new GetExecutionHistoryCommand({ executionArn: executionArn(name) }),
    );
    const failed = history.events?.find((event) => event.type === "TaskTimedOut");
    return failed && { type: failed.type, ...failed.taskFailedEventDetails };
  };

  it("times out the parked waits now, as their own timeout does: the Catch on States.Timeout runs", async () => {
    const service = await startService();
    await start(service, "natural", { waitSeconds: 1 });
    await start(service, "expired", { waitSeconds: 3600 });
    const [, token] = [await tokenNumber(service, 1), await tokenNumber(service, 2)];
    // The natural one times out by itself within a second; the other would wait an hour.
    await until(async () => waitFailure(service, "natural"), "the natural timeout");
    expect(service.local.expireWaits()).toBe(1);
    const natural = await waitFailure(service, "natural");
    const expired = await until(async () => waitFailure(service, "expired"), "expired wait");
    expect(expired).toEqual(natural);
    expect(expired).toMatchObject({ error: "States.Timeout", cause: "States.Timeout" });

    // Both went on to Hold through the same Catch, with the same caught error.
    service.release();
    const outputs = await Promise.all(
      ["natural", "expired"].map(async (name) =>
        JSON.parse(String((await reachStatus(service, name, "SUCCEEDED")).output)),
      ),
    );
    expect(outputs[1].error).toEqual({ Error: "States.Timeout", Cause: "States.Timeout" });
    expect(outputs[1].error).toEqual(outputs[0].error);
    // The ended wait's token is stale, as after any timeout; nothing is left to expire.
    await expect(
      service.client.send(new SendTaskSuccessCommand({ taskToken: token, output: "{}" })),
    ).rejects.toMatchObject({ name: "TaskTimedOut" });
    expect(service.local.expireWaits()).toBe(0);
  });

  it("ends only the waits of the executions the filter accepts", async () => {
    const service = await startService();
    await start(service, "req-a");
    await start(service, "req-b");
    await start(service, "req-a-2");
    await tokenNumber(service, 3);
    expect(service.local.expireWaits((name) => name.startsWith("req-a"))).toBe(2);
    await until(async () => waitFailure(service, "req-a-2"), "req-a-2 to time out");
    await until(async () => waitFailure(service, "req-a"), "req-a to time out");
    expect(await waitFailure(service, "req-b")).toBeUndefined();
    await reachStatus(service, "req-b", "RUNNING");
    // req-b still waits for its signal: of the three tokens, only its own is still live.
    const answers = await Promise.allSettled(
      service.tokens.map((taskToken) =>
        service.client.send(new SendTaskSuccessCommand({ taskToken, output: "{}" })),
      ),
    );
    expect(answers.filter((answer) => answer.status === "fulfilled")).toHaveLength(1);
    await reachStatus(service, "req-b", "SUCCEEDED");
  });
});

describe("an Express starter starting the Standard workflow (states:startExecution)", () => {
  const STARTER_ARN = "arn:aws:states:ap-northeast-1:000000000000:stateMachine:starter";
  /** The shape of infra/request-starts.ts: a Map over the batch, one start per item by its id. */
  const STARTER = {
    StartAt: "Each",
    States: {
      Each: {
        Type: "Map",
        ItemsPath: "$",
        MaxConcurrency: 10,
        End: true,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: "Start",
          States: {
            Start: {
              Type: "Task",
              Resource: "arn:aws:states:::states:startExecution",
              Parameters: {
                StateMachineArn: ARN,
                "Name.$": "$.requestId",
                Input: { "requestId.$": "$.requestId", waitSeconds: 30 },
              },
              TimeoutSeconds: 10,
              Retry: [
                { ErrorEquals: ["StepFunctions.ExecutionAlreadyExistsException"], MaxAttempts: 0 },
                { ErrorEquals: ["States.ALL"], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 },
              ],
              Catch: [
                {
                  ErrorEquals: ["StepFunctions.ExecutionAlreadyExistsException"],
                  Next: "AlreadyStarted",
                },
              ],
              End: true,
            },
            AlreadyStarted: { Type: "Succeed" },
          },
        },
      },
    },
  };

  interface Pair {
    workflow: LocalStepFunctions;
    starter: LocalStepFunctions;
    client: SFNClient;
    tokens: string[];
    server: Server;
  }
  const pairs: Pair[] = [];
  afterEach(async () => {
    for (const pair of pairs.splice(0)) {
      pair.workflow.abortAll();
      pair.starter.abortAll();
      await Promise.all([pair.workflow.settle(), pair.starter.settle()]);
      pair.client.destroy();
      pair.server.closeAllConnections();
      await new Promise((resolve) => pair.server.close(resolve));
    }
  });

  const startPair = async (faults?: FaultInjector): Promise<Pair> => {
    const tokens: string[] = [];
    const machines = new Map<string, LocalStepFunctions>();
    const common = {
      dynamoDb: {
        send: async (command: UpdateItemCommand) => {
          const token = command.input.ExpressionAttributeValues?.[":wait"]?.M?.token?.S;
          if (token) tokens.push(token);
          return {};
        },
      },
      lambdas: () => async (input: unknown) => input,
      stateMachines: (arn: string) => machines.get(arn),
      retryIntervalOverrides: { Work: 0, Start: 0 },
      ...(faults ? { faults } : {}),
    };
    const workflow = new LocalStepFunctions({
      stateMachineArn: ARN,
      definition: DEFINITION,
      ...common,
    });
    const starter = new LocalStepFunctions({
      stateMachineArn: STARTER_ARN,
      type: "EXPRESS",
      definition: STARTER,
      ...common,
    });
    machines.set(ARN, workflow).set(STARTER_ARN, starter);
    const { server, endpoint } = await startSfnEndpoint([workflow, starter]);
    const client = new SFNClient({
      region: "ap-northeast-1",
      endpoint,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
      // The SDK sends StartSyncExecution to the endpoint's `sync-` host, which 127.0.0.1 has not.
      disableHostPrefix: true,
    });
    const pair = { workflow, starter, client, tokens, server };
    pairs.push(pair);
    return pair;
  };

  const startSync = (pair: Pair, requestIds: string[]) =>
    pair.client.send(
      new StartSyncExecutionCommand({
        stateMachineArn: STARTER_ARN,
        input: JSON.stringify(requestIds.map((requestId) => ({ requestId }))),
      }),
    );

  const workflowRuns = (pair: Pair, name: string) =>
    pair.workflow.listExecutions().filter((execution) => execution.name === name);

  it("StartSyncExecution runs the batch to its end, starting each item's execution by its name", async () => {
    const pair = await startPair();
    const answer = await startSync(pair, ["r-1", "r-2"]);
    expect(answer).toMatchObject({ status: "SUCCEEDED", stateMachineArn: STARTER_ARN });
    expect(answer.executionArn).toMatch(/:express:starter:[0-9a-f-]{36}:[0-9a-f-]{36}$/);
    const output = JSON.parse(String(answer.output)) as { ExecutionArn: string }[];
    expect(output.map((item) => item.ExecutionArn)).toEqual([
      executionArn("r-1"),
      executionArn("r-2"),
    ]);
    // The endpoint routes by ARN: the workflow's executions and the starter's, each to its machine.
    const described = await pair.client.send(
      new DescribeExecutionCommand({ executionArn: executionArn("r-1") }),
    );
    expect(described).toMatchObject({ status: "RUNNING", name: "r-1", stateMachineArn: ARN });
    expect(JSON.parse(String(described.input))).toEqual({ requestId: "r-1", waitSeconds: 30 });
    const starterHistory = await pair.client.send(
      new GetExecutionHistoryCommand({ executionArn: answer.executionArn }),
    );
    expect(starterHistory.events?.filter((event) => event.type === "TaskScheduled").length).toBe(2);
    const listed = await pair.client.send(new ListExecutionsCommand({ stateMachineArn: ARN }));
    expect(listed.executions?.map((execution) => execution.name).sort()).toEqual(["r-1", "r-2"]);
    // A token reaches the machine that issued it.
    await until(async () => (pair.tokens.length === 2 ? true : undefined), "both waits");
    for (const taskToken of pair.tokens) {
      await pair.client.send(new SendTaskSuccessCommand({ taskToken, output: "{}" }));
    }
    await until(
      async () => (workflowRuns(pair, "r-2")[0]?.status === "SUCCEEDED" ? true : undefined),
      "r-2 to finish",
    );
  });

  it("a start of a name in use: the same input while it runs is that execution; anything else is StepFunctions.ExecutionAlreadyExistsException", async () => {
    const pair = await startPair();
    await startSync(pair, ["r-1"]);
    // Again while r-1 runs, with the same input: the same execution, answered as a start.
    const again = await startSync(pair, ["r-1"]);
    expect(again.status).toBe("SUCCEEDED");
    expect(JSON.parse(String(again.output))).toEqual([
      expect.objectContaining({ ExecutionArn: executionArn("r-1") }),
    ]);
    expect(workflowRuns(pair, "r-1")).toHaveLength(1);

    // Once it has stopped, the name is taken: the starter's Catch ends the item, no retry.
    await pair.client.send(new StopExecutionCommand({ executionArn: executionArn("r-1") }));
    await until(
      async () => (workflowRuns(pair, "r-1")[0]?.status === "ABORTED" ? true : undefined),
      "r-1 to stop",
    );
    const caught = await startSync(pair, ["r-1"]);
    expect(caught.status).toBe("SUCCEEDED");
    // The Catch (no ResultPath) hands the error on, as on AWS.
    expect(JSON.parse(String(caught.output))).toEqual([
      expect.objectContaining({ Error: "StepFunctions.ExecutionAlreadyExistsException" }),
    ]);
    const history = await pair.client.send(
      new GetExecutionHistoryCommand({ executionArn: caught.executionArn }),
    );
    const types = history.events?.map((event) => event.type) ?? [];
    expect(types).toContain("TaskCaught");
    expect(types).not.toContain("TaskRetried");
    expect(
      history.events?.find((event) => event.type === "TaskFailed")?.taskFailedEventDetails?.error,
    ).toBe("StepFunctions.ExecutionAlreadyExistsException");
    expect(workflowRuns(pair, "r-1")).toHaveLength(1);

    // A Standard machine has no synchronous executions.
    await expect(
      pair.client.send(new StartSyncExecutionCommand({ stateMachineArn: ARN, input: "{}" })),
    ).rejects.toMatchObject({ name: "StateMachineTypeNotSupported" });
  });

  it("faults on stepfunctions named by the state hit the start: throttle is retried, unavailable fails it, timeout starts it once", async () => {
    const faults = new FaultInjector();
    const pair = await startPair(faults);
    faults.add({ target: "stepfunctions", operation: "Start", error: "throttle", count: 1 });
    const throttled = await startSync(pair, ["r-throttled"]);
    expect(throttled.status).toBe("SUCCEEDED");
    expect(workflowRuns(pair, "r-throttled")).toHaveLength(1);
    const throttledHistory = await pair.client.send(
      new GetExecutionHistoryCommand({ executionArn: throttled.executionArn }),
    );
    expect(
      throttledHistory.events?.find((event) => event.type === "TaskFailed")?.taskFailedEventDetails
        ?.error,
    ).toBe("StepFunctions.ThrottlingException");

    faults.clear();
    faults.add({ target: "stepfunctions", operation: "Start", error: "unavailable" });
    const failed = await startSync(pair, ["r-down"]);
    expect(failed).toMatchObject({
      status: "FAILED",
      error: "StepFunctions.ServiceUnavailableException",
    });
    expect(workflowRuns(pair, "r-down")).toHaveLength(0);
    // The first try and its two retries.
    expect(faults.list()[0]?.fired).toBe(3);

    faults.clear();
    faults.add({ target: "stepfunctions", operation: "Start", error: "timeout", count: 1 });
    const lost = await startSync(pair, ["r-lost"]);
    // The lost answer's retry found its own execution running with the same input: a success.
    expect(lost.status).toBe("SUCCEEDED");
    expect(workflowRuns(pair, "r-lost")).toHaveLength(1);
  });
});
