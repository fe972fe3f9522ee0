// The stream pipe stand-in: the EventBridge pattern features it supports (and refuses the rest),
// its input template, and the pipe itself on DynamoDB Local's stream of an orders table: what it
// delivers and in which batches, its retries and dead letters, its faults, and a clean stop.
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { NEW_REQUEST_FILTER, START_INPUT_TEMPLATE } from "../../infra/request-starts.ts";
import { FaultInjector } from "../../local/faults.ts";
import {
  compileFilters,
  compileInputTemplate,
  compilePattern,
  type DeliveryResult,
  LocalPipe,
  type PipeDefinition,
} from "../../local/pipes.ts";
import { useTestTable } from "../support/dynamodb.ts";

/** A stream record of the orders table as the pipe sees it (DynamoDB JSON). */
const record = (
  eventName: string,
  oldRequest: object | undefined,
  newRequest: object | undefined,
) => ({
  eventName,
  dynamodb: {
    ...(oldRequest
      ? {
          OldImage: {
            order: { M: { orderId: { S: "o-1" }, activeCancellationRequestId: oldRequest } },
          },
        }
      : {}),
    ...(newRequest
      ? {
          NewImage: {
            order: { M: { orderId: { S: "o-1" }, activeCancellationRequestId: newRequest } },
          },
        }
      : {}),
  },
});

describe("event patterns", () => {
  const opensRequest = compilePattern(NEW_REQUEST_FILTER);

  it("the pipe's filter keeps exactly the changes that open a request", () => {
    expect(opensRequest(record("MODIFY", { NULL: true }, { S: "r-1" }))).toBe(true);
    // A new order, a request that stays open, one that closes, a removed order.
    expect(opensRequest(record("INSERT", undefined, { S: "r-1" }))).toBe(false);
    expect(opensRequest(record("MODIFY", { S: "r-1" }, { S: "r-1" }))).toBe(false);
    expect(opensRequest(record("MODIFY", { S: "r-1" }, { NULL: true }))).toBe(false);
    expect(opensRequest(record("MODIFY", { NULL: true }, { NULL: true }))).toBe(false);
    expect(opensRequest(record("REMOVE", { NULL: true }, undefined))).toBe(false);
  });

  it("matches literal values by type (booleans are not strings), any item of an array, and exists", () => {
    const pattern = compilePattern({
      flag: [false],
      tags: ["a", 2],
      detail: { gone: [{ exists: false }], here: [{ exists: true }], nothing: [null] },
    });
    const event = {
      flag: false,
      tags: ["x", 2],
      detail: { here: "yes", nothing: null },
    };
    expect(pattern(event)).toBe(true);
    expect(pattern({ ...event, flag: "false" })).toBe(false);
    expect(pattern({ ...event, tags: ["x", "2"] })).toBe(false);
    expect(pattern({ ...event, detail: { ...event.detail, gone: 1 } })).toBe(false);
    expect(pattern({ ...event, detail: { nothing: null } })).toBe(false);
    // exists looks at leaf values: an object is not one.
    expect(pattern({ ...event, detail: { ...event.detail, here: { deep: 1 } } })).toBe(false);
    expect(pattern({ ...event, detail: "flat" })).toBe(false);
  });

  it("refuses at start-up what it does not support locally", () => {
    for (const rule of [
      { prefix: "r-" },
      { "anything-but": ["x"] },
      { numeric: [">", 1] },
      { suffix: "x" },
      { wildcard: "r-*" },
      { "equals-ignore-case": "x" },
      { exists: "yes" },
    ]) {
      expect(() => compilePattern({ field: [rule] }), JSON.stringify(rule)).toThrow(
        /not supported locally/,
      );
    }
    expect(() => compilePattern({ $or: [{ a: [1] }, { b: [2] }] })).toThrow(/not supported/);
    expect(() => compilePattern({ a: "x" })).toThrow();
    expect(() => compileFilters(["{not json"])).toThrow();
  });

  it("FilterCriteria: any filter matching is enough; none means every record", () => {
    const either = compileFilters([JSON.stringify({ a: [1] }), JSON.stringify({ b: [2] })]);
    expect(either({ a: 1 })).toBe(true);
    expect(either({ b: 2 })).toBe(true);
    expect(either({ a: 2 })).toBe(false);
    expect(compileFilters([])({ anything: true })).toBe(true);
  });
});

describe("input templates", () => {
  it("renders the starter's input from a stream record, strings quoted as in the template", () => {
    const render = compileInputTemplate(START_INPUT_TEMPLATE);
    const event = record("MODIFY", { NULL: true }, { S: 'r-"1"' });
    expect(JSON.parse(render(event))).toEqual({ orderId: "o-1", requestId: 'r-"1"' });
  });

  it("puts a value's JSON outside quotes, its text inside them, and nothing for a missing path", () => {
    const render = compileInputTemplate(
      '{"n": <$.n>, "all": <$.list>, "text": "n=<$.n>", "none": "<$.x.y>", "first": "<$.list[0]>"}',
    );
    expect(JSON.parse(render({ n: 3, list: ["a", "b"] }))).toEqual({
      n: 3,
      all: ["a", "b"],
      text: "n=3",
      none: "",
      first: "a",
    });
    expect(() => compileInputTemplate('{"e": <aws.pipes.event.json>}')).toThrow(
      /not supported locally/,
    );
  });
});

describe("LocalPipe following a stream's shards", () => {
  /** A stream whose parent shard closes and hands over to a child, scripted. */
  const scriptedStream = () => {
    const recordOf = (sequence: number, requestId: string) => ({
      eventName: "MODIFY",
      dynamodb: {
        SequenceNumber: String(sequence),
        OldImage: {
          order: { M: { orderId: { S: "o" }, activeCancellationRequestId: { NULL: true } } },
        },
        NewImage: {
          order: { M: { orderId: { S: "o" }, activeCancellationRequestId: { S: requestId } } },
        },
      },
    });
    const shards: { ShardId: string; ParentShardId?: string; SequenceNumberRange: object }[] = [
      { ShardId: "shardId-parent", SequenceNumberRange: { StartingSequenceNumber: "1" } },
    ];
    /** Records each shard holds, and whether it is closed (read to its end: no next iterator). */
    const content: Record<string, { records: ReturnType<typeof recordOf>[]; closed: boolean }> = {
      "shardId-parent": { records: [], closed: false },
    };
    const iterators: { shardId: string; type: string }[] = [];
    const send = async (command: {
      constructor: { name: string };
      input: Record<string, string>;
    }) => {
      switch (command.constructor.name) {
        case "DescribeStreamCommand":
          return { StreamDescription: { Shards: shards } };
        case "GetShardIteratorCommand": {
          iterators.push({
            shardId: command.input.ShardId ?? "",
            type: command.input.ShardIteratorType ?? "",
          });
          // LATEST on the open parent: past what it held at start.
          const from =
            command.input.ShardIteratorType === "LATEST"
              ? (content[command.input.ShardId ?? ""]?.records.length ?? 0)
              : 0;
          return { ShardIterator: `${command.input.ShardId}@${from}` };
        }
        case "GetRecordsCommand": {
          const [shardId = "", at = "0"] = command.input.ShardIterator?.split("@") ?? [];
          const shard = content[shardId] ?? { records: [], closed: true };
          const records = shard.records.slice(Number(at));
          const next = Number(at) + records.length;
          return {
            Records: records,
            ...(shard.closed && records.length === 0
              ? {}
              : { NextShardIterator: `${shardId}@${next}` }),
          };
        }
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    };
    return { recordOf, shards, content, iterators, send };
  };

  it("reads a new shard from its start once its parent is read to its end, in order", async () => {
    const stream = scriptedStream();
    stream.content["shardId-parent"]?.records.push(stream.recordOf(1, "r-before-start"));
    const delivered: string[] = [];
    const pipe = new LocalPipe({
      definition: {
        logicalId: "Pipe",
        pipeArn: "arn:aws:pipes:ap-northeast-1:000000000000:pipe/Pipe",
        tableLogicalId: "Orders",
        startingPosition: "LATEST",
        batchSize: 10,
        maximumRetryAttempts: 0,
        filters: [JSON.stringify(NEW_REQUEST_FILTER)],
        inputTemplate: START_INPUT_TEMPLATE,
        targetArn: "arn:aws:states:ap-northeast-1:000000000000:stateMachine:Starter",
      },
      tableName: "orders",
      dynamoDb: {
        send: async () => ({
          Table: {
            LatestStreamArn: "arn:aws:dynamodb:ap-northeast-1:000000000000:table/orders/stream/1",
          },
          $metadata: {},
        }),
      },
      streams: stream as never,
      deliver: async (input) => {
        delivered.push(
          ...(JSON.parse(input) as { requestId: string }[]).map((item) => item.requestId),
        );
        return { ok: true };
      },
      timings: { pollIntervalMs: 5 },
    });
    await pipe.start();
    try {
      // The child appears (and gets a record) while the parent still has one to give.
      stream.shards.push({
        ShardId: "shardId-child",
        ParentShardId: "shardId-parent",
        SequenceNumberRange: { StartingSequenceNumber: "3" },
      });
      stream.content["shardId-child"] = { records: [stream.recordOf(3, "r-child")], closed: false };
      stream.content["shardId-parent"]?.records.push(stream.recordOf(2, "r-parent"));
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The parent is open: its child waits.
      expect(delivered).toEqual(["r-parent"]);
      (stream.content["shardId-parent"] as { closed: boolean }).closed = true;
      const deadline = Date.now() + 5000;
      while (delivered.length < 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(delivered).toEqual(["r-parent", "r-child"]);
      expect(stream.iterators).toEqual([
        { shardId: "shardId-parent", type: "LATEST" },
        { shardId: "shardId-child", type: "TRIM_HORIZON" },
      ]);
    } finally {
      await pipe.stop();
    }
  });
});

describe("LocalPipe on DynamoDB Local's stream", () => {
  const table = useTestTable("dynamodb-local", "pipes");
  const pipes: LocalPipe[] = [];
  const clients: DynamoDBStreamsClient[] = [];

  afterEach(async () => {
    await Promise.all(pipes.splice(0).map((pipe) => pipe.stop()));
    for (const client of clients.splice(0)) client.destroy();
  });

  const definition = (overrides: Partial<PipeDefinition> = {}): PipeDefinition => ({
    logicalId: "Pipe",
    pipeArn: "arn:aws:pipes:ap-northeast-1:000000000000:pipe/Pipe",
    tableLogicalId: "Orders",
    startingPosition: "LATEST",
    batchSize: 10,
    maximumRetryAttempts: 2,
    filters: [JSON.stringify(NEW_REQUEST_FILTER)],
    inputTemplate: START_INPUT_TEMPLATE,
    targetArn: "arn:aws:states:ap-northeast-1:000000000000:stateMachine:Starter",
    ...overrides,
  });

  interface Started {
    pipe: LocalPipe;
    /** Each delivery's input (the batch), in order, with when it was tried. */
    deliveries: { batch: { orderId: string; requestId: string }[]; at: number }[];
    deadLetters: Record<string, unknown>[];
  }

  const startPipe = async (
    options: {
      overrides?: Partial<PipeDefinition>;
      answer?: (batch: { requestId: string }[]) => DeliveryResult;
      faults?: FaultInjector;
      retryBaseMs?: number;
    } = {},
  ): Promise<Started> => {
    const { client, tableName } = table.current;
    const endpoint = await client.config.endpoint?.();
    const streams = new DynamoDBStreamsClient({
      region: "ap-northeast-1",
      endpoint: `${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    clients.push(streams);
    const deliveries: Started["deliveries"] = [];
    const deadLetters: Record<string, unknown>[] = [];
    const pipe = new LocalPipe({
      definition: definition(options.overrides),
      tableName,
      dynamoDb: client,
      streams,
      deliver: async (input) => {
        const batch = JSON.parse(input) as { orderId: string; requestId: string }[];
        deliveries.push({ batch, at: Date.now() });
        return options.answer?.(batch) ?? { ok: true };
      },
      deadLetter: async (body) => void deadLetters.push(JSON.parse(body)),
      ...(options.faults ? { faults: options.faults } : {}),
      timings: { pollIntervalMs: 20, retryBaseMs: options.retryBaseMs ?? 20, retryMaxMs: 40 },
    });
    await pipe.start();
    pipes.push(pipe);
    return { pipe, deliveries, deadLetters };
  };

  const newOrder = async (orderId: string) => {
    const { client, tableName } = table.current;
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `ORDER#${orderId}`,
          sk: "ORDER",
          order: { orderId, activeCancellationRequestId: null },
        },
      }),
    );
  };

  const setRequest = async (orderId: string, requestId: string | null) => {
    const { client, tableName } = table.current;
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `ORDER#${orderId}`, sk: "ORDER" },
        UpdateExpression: "SET #order.#active = :id",
        ExpressionAttributeNames: { "#order": "order", "#active": "activeCancellationRequestId" },
        ExpressionAttributeValues: { ":id": requestId },
      }),
    );
  };

  const until = async <T>(probe: () => T | undefined, what: string): Promise<T> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  const delivered = (started: Started) =>
    started.deliveries.flatMap((delivery) => delivery.batch.map((item) => item.requestId));

  it("delivers the changes that open a request, rendered, in order and in batches of BatchSize", async () => {
    const started = await startPipe({ overrides: { batchSize: 2 } });
    const run = `${Date.now()}`;
    const ids = [1, 2, 3, 4, 5].map((n) => `${run}-${n}`);
    for (const id of ids) await newOrder(`o-${id}`);
    // Filtered out: a request that stays open, and one that closes.
    await setRequest(`o-${ids[0]}`, `r-${ids[0]}`);
    await setRequest(`o-${ids[0]}`, `r-${ids[0]}-other`);
    await setRequest(`o-${ids[0]}`, null);
    for (const id of ids.slice(1)) await setRequest(`o-${id}`, `r-${id}`);
    await until(() => (delivered(started).length >= 5 ? true : undefined), "five starts");
    expect(delivered(started)).toEqual(ids.map((id) => `r-${id}`));
    expect(started.deliveries[0]?.batch[0]).toEqual({
      orderId: `o-${ids[0]}`,
      requestId: `r-${ids[0]}`,
    });
    for (const delivery of started.deliveries) expect(delivery.batch.length).toBeLessThanOrEqual(2);
    expect(started.deadLetters).toEqual([]);
  });

  it("retries a failed batch with backoff, then sends one dead letter naming its shard and sequence numbers, and moves on", async () => {
    const started = await startPipe({
      overrides: { batchSize: 1, maximumRetryAttempts: 2 },
      answer: (batch) =>
        batch[0]?.requestId.endsWith("bad") ? { ok: false, error: "FAILED" } : { ok: true },
    });
    const run = `${Date.now()}`;
    await newOrder(`o-${run}-a`);
    await newOrder(`o-${run}-b`);
    await setRequest(`o-${run}-a`, `r-${run}-bad`);
    await setRequest(`o-${run}-b`, `r-${run}-good`);
    await until(
      () => (delivered(started).includes(`r-${run}-good`) ? true : undefined),
      "the next record",
    );
    // The first try and MaximumRetryAttempts (2) retries, 20 ms then 40 ms apart; then the next.
    expect(delivered(started)).toEqual([
      `r-${run}-bad`,
      `r-${run}-bad`,
      `r-${run}-bad`,
      `r-${run}-good`,
    ]);
    const [first, second, third] = started.deliveries.map((delivery) => delivery.at);
    expect(Number(second) - Number(first)).toBeGreaterThanOrEqual(15);
    expect(Number(third) - Number(second)).toBeGreaterThanOrEqual(35);
    expect(started.deadLetters).toHaveLength(1);
    const { StreamArn, LatestStreamArn } = (
      await table.current.client.send(
        new DescribeTableCommand({ TableName: table.current.tableName }),
      )
    ).Table as { StreamArn?: string; LatestStreamArn?: string };
    expect(started.deadLetters[0]).toEqual({
      requestContext: {
        requestId: expect.any(String),
        pipeArn: "arn:aws:pipes:ap-northeast-1:000000000000:pipe/Pipe",
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: 3,
      },
      version: "1.0",
      timestamp: expect.any(String),
      DDBStreamBatchInfo: {
        shardId: expect.stringMatching(/^shardId-/),
        startSequenceNumber: expect.stringMatching(/^\d+$/),
        endSequenceNumber: expect.stringMatching(/^\d+$/),
        approximateArrivalOfFirstRecord: expect.any(String),
        approximateArrivalOfLastRecord: expect.any(String),
        batchSize: 1,
        streamArn: StreamArn ?? LatestStreamArn,
      },
    });
    expect(started.pipe.counts).toMatchObject({ deadLetters: 1, failedAttempts: 3, delivered: 1 });
  });

  it("unavailable: nothing is read or delivered while it fires; the records wait in the stream", async () => {
    const faults = new FaultInjector();
    const started = await startPipe({ faults });
    faults.add({ target: "pipes", error: "unavailable" });
    // A poll that began before the fault was added may still read: write once one was refused.
    await until(() => ((faults.list()[0]?.fired ?? 0) >= 1 ? true : undefined), "one poll down");
    const run = `${Date.now()}`;
    await newOrder(`o-${run}`);
    await setRequest(`o-${run}`, `r-${run}`);
    await until(() => ((faults.list()[0]?.fired ?? 0) >= 5 ? true : undefined), "five polls down");
    expect(started.deliveries).toEqual([]);
    faults.clear();
    await until(() => (delivered(started).length > 0 ? true : undefined), "the start");
    expect(delivered(started)).toEqual([`r-${run}`]);
  });

  it("throttle fails an attempt before the target runs; timeout after: both are retried", async () => {
    const faults = new FaultInjector();
    const started = await startPipe({ faults });
    faults.add({ target: "pipes", operation: "StartSyncExecution", error: "throttle", count: 1 });
    const run = `${Date.now()}`;
    await newOrder(`o-${run}-t`);
    await setRequest(`o-${run}-t`, `r-${run}-t`);
    await until(() => (started.pipe.counts.delivered === 1 ? true : undefined), "throttled start");
    expect(delivered(started)).toEqual([`r-${run}-t`]);
    expect(started.pipe.counts.failedAttempts).toBe(1);

    faults.add({ target: "pipes", error: "timeout", count: 1 });
    await newOrder(`o-${run}-l`);
    await setRequest(`o-${run}-l`, `r-${run}-l`);
    await until(() => (started.pipe.counts.delivered === 2 ? true : undefined), "lost answer");
    // The target ran twice with the same records: the second try after the lost answer.
    expect(delivered(started)).toEqual([`r-${run}-t`, `r-${run}-l`, `r-${run}-l`]);
    expect(started.pipe.counts.failedAttempts).toBe(2);
    expect(started.deadLetters).toEqual([]);
  });

  it("stop ends its polling and a retry's wait at once", async () => {
    const started = await startPipe({
      answer: () => ({ ok: false, error: "FAILED" }),
      retryBaseMs: 60_000,
    });
    const run = `${Date.now()}`;
    await newOrder(`o-${run}`);
    await setRequest(`o-${run}`, `r-${run}`);
    await until(() => (started.deliveries.length > 0 ? true : undefined), "the first try");
    const stopping = Date.now();
    pipes.splice(0);
    await started.pipe.stop();
    expect(Date.now() - stopping).toBeLessThan(1000);
    expect(started.deadLetters).toEqual([]);
  });
});
