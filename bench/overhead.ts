// The cancellation POST's overhead over a bare read + conditional write, 16 at a time, as issue 21
// sets the target: both sides are handlers invoked in this process, on the same kind of item,
// through the same DynamoDB client and endpoint, at the same concurrency, in alternating blocks,
// so they see the same conditions and only the function's own work differs.
//
// - The pipe is paused first (a `pipes` `unavailable` fault: its polls read nothing), so no
//   workflow starts or runs while the handlers are measured; the fault is cleared afterwards and
//   the requests the POSTs opened start then (they do not matter here).
// - Fresh shipped orders (imported and shipped through the HTTP API, untimed, before the
//   measurement), one per invocation: a POST opens a request on each, so none can be reused.
// - The POST side invokes the route's handler module (functions/http/request-cancellation.ts
//   `handler`, the one local mode runs) with complete API Gateway payload-2.0 events whose
//   authorizer claims make the caller the order's buyer (test/support/http-events.ts; the JWT
//   check is API Gateway's in AWS, not the function's), and a Lambda context.
// - The bare side is the handler below: a GetItem of the order item, then an UpdateItem of its
//   version conditional on the version read, on the handlers' own document client.
// - Each invocation is timed from the call to its answer (202 on both sides; anything else fails
//   the run), and its AWS calls are tagged with it (aws-calls.ts `within`), so each side's
//   DynamoDB time and calls are known too.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Context } from "aws-lambda";
import type { HttpApiEvent, HttpApiResult } from "../functions/http/middleware.ts";
import type { LocalClient } from "../local/client.ts";
import type { LocalMode } from "../local/start.ts";
import { type AwsCallRecorder, awsTimeByRequest } from "./aws-calls.ts";
import { type People, shippedOrder } from "./flows.ts";
import { type Latency, latencyOf, percentile } from "./measure.ts";

export interface OverheadOptions {
  concurrency: number;
  /** Blocks per side, POST and bare alternating (which goes first alternates too). */
  rounds: number;
  /** Invocations per block. */
  perRound: number;
  /** Unmeasured invocations of each side first. */
  warmup: number;
  onProgress?: (line: string) => void;
}

export const OVERHEAD_OPTIONS: OverheadOptions = {
  concurrency: 16,
  rounds: 8,
  perRound: 48,
  warmup: 32,
};

export interface OverheadSide extends Latency {
  /** Per invocation: the sum of its DynamoDB calls' times, p50. */
  dynamodbP50Ms: number;
  /** Per invocation: its time outside its DynamoDB calls (latency − DynamoDB time), p50. */
  outsideDynamoDbP50Ms: number;
  /** Per invocation: the time of each action (`GetItem`, `UpdateItem`), p50. */
  operationP50Ms: Record<string, number>;
  /** Write units per invocation (mean), and the part spent on indexes. */
  writeUnits: number;
  indexWriteUnits: number;
  /** The AWS calls of one invocation, by action (the most common set). */
  calls: string[];
  /** How many invocations made each set of calls. */
  callSets: Record<string, number>;
}

export interface OverheadResults {
  concurrency: number;
  rounds: number;
  perRound: number;
  /** The cancellation POST's handler module. */
  post: OverheadSide;
  /** The bare handler: GetItem + conditional UpdateItem. */
  bare: OverheadSide;
  /** p50 of the POST over p50 of the bare handler. */
  ratio: number;
  /** The same from the p99s (information). */
  p99Ratio: number;
  /** Requests the POSTs opened while the pipe was paused (their workflows start afterwards). */
  requestsOpened: number;
  seconds: number;
}

type Handler = (event: HttpApiEvent, context: Context) => Promise<HttpApiResult>;

const BODY = { reason: "FOUND_BETTER_PRICE", comment: "同じ商品をより安い価格で見つけました" };

/** `count` calls of `make`, `concurrency` at a time; answers their results in order of calls. */
const inParallel = async <T>(
  count: number,
  concurrency: number,
  make: () => Promise<T>,
): Promise<T[]> => {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await make();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
};

interface Sample {
  ms: number;
  /** The invocation's tag in the recorder. */
  request: number;
}

const sideOf = (samples: Sample[], calls: ReturnType<typeof awsTimeByRequest>): OverheadSide => {
  const byRequest = new Map(calls.map((invocation) => [invocation.request, invocation]));
  const callSets: Record<string, number> = {};
  const operations = new Map<string, number[]>();
  for (const invocation of calls) {
    const key = invocation.calls.join(" ");
    callSets[key] = (callSets[key] ?? 0) + 1;
    for (const [operation, ms] of Object.entries(invocation.msByOperation)) {
      operations.set(operation, [...(operations.get(operation) ?? []), ms]);
    }
  }
  const commonest = Object.entries(callSets).sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
  const mean = (pick: (invocation: (typeof calls)[number]) => number) =>
    calls.reduce((sum, invocation) => sum + pick(invocation), 0) / Math.max(1, calls.length);
  return {
    ...latencyOf(samples.map((sample) => sample.ms)),
    dynamodbP50Ms: percentile(
      calls.map((invocation) => invocation.dynamodbMs),
      50,
    ),
    outsideDynamoDbP50Ms: percentile(
      samples.map((sample) => sample.ms - (byRequest.get(sample.request)?.dynamodbMs ?? 0)),
      50,
    ),
    operationP50Ms: Object.fromEntries(
      [...operations.entries()].map(([operation, ms]) => [operation, percentile(ms, 50)]),
    ),
    writeUnits: mean((invocation) => invocation.writeUnits),
    indexWriteUnits: mean((invocation) => invocation.indexWriteUnits),
    calls: commonest.split(" ").filter(Boolean),
    callSets,
  };
};

export const measureOverhead = async (
  local: LocalMode,
  api: LocalClient,
  people: People,
  recorder: AwsCallRecorder,
  options: OverheadOptions = OVERHEAD_OPTIONS,
): Promise<OverheadResults> => {
  const progress = options.onProgress ?? (() => {});
  // Imported now, after local mode has set the functions' environment: these are the very
  // modules (and the document client) local mode runs.
  const { handler: postHandler } = (await import(
    "../functions/http/request-cancellation.ts"
  )) as unknown as { handler: Handler };
  const { httpEvent, lambdaContext } = await import("../test/support/http-events.ts");
  const { requestCancellationRoute } = await import("../functions/http/routes.ts");
  const { dynamoDb } = await import("../functions/adapters/aws-clients.ts");
  const { tableName } = await import("../functions/adapters/config.ts");
  const { orderKey } = await import("../functions/adapters/dynamodb/order-item.ts");
  const { GetCommand, UpdateCommand } = await import("@aws-sdk/lib-dynamodb");
  const client = dynamoDb();
  if (!local.awsClients.dynamodb.includes(client)) {
    throw new Error("the handlers' DynamoDB client is not the one local mode runs");
  }
  const table = tableName();

  /** A bare read + conditional write of the order item the event names. */
  const bareHandler: Handler = async (event) => {
    const key = orderKey(String(event.pathParameters?.orderId));
    const read = await client.send(
      new GetCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );
    const version = Number(read.Item?.version);
    await client.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: "SET #version = :next",
        ConditionExpression: "#version = :expected",
        ExpressionAttributeNames: { "#version": "version" },
        ExpressionAttributeValues: { ":next": version + 1, ":expected": version },
      }),
    );
    return { statusCode: 202 };
  };

  const invocation = (orderId: string) => ({
    event: httpEvent(requestCancellationRoute.id, {
      params: { orderId },
      headers: { "idempotency-key": `key-${randomUUID()}` },
      body: BODY,
      caller: { sub: people.buyer.sub, groups: ["buyers"] },
    }),
    context: lambdaContext(requestCancellationRoute.id),
  });

  /** One block: every invocation, `concurrency` at a time; each one's milliseconds and tag. */
  const block = async (run: Handler, orderIds: string[]): Promise<Sample[]> => {
    const prepared = orderIds.map(invocation);
    return inParallel(prepared.length, options.concurrency, async () => {
      const next = prepared.shift();
      if (!next) throw new Error("no invocation left");
      const started = performance.now();
      const { result, request } = await recorder.within(() => run(next.event, next.context));
      const ms = performance.now() - started;
      if (result.statusCode !== 202) {
        throw new Error(`expected 202, got ${result.statusCode}: ${String(result.body)}`);
      }
      return { ms, request };
    });
  };

  const started = performance.now();
  // Paused before anything else: while it fires the pipe's polls read nothing (local/pipes.ts).
  local.faults.add({ target: "pipes", operation: "GetRecords", error: "unavailable" });
  try {
    const perSide = options.warmup + options.rounds * options.perRound;
    progress(`overhead: pipe paused; ${perSide * 2} shipped orders`);
    const orders = await inParallel(perSide * 2, options.concurrency, () =>
      shippedOrder(api, people),
    );
    const take = (count: number) => orders.splice(0, count);

    await block(postHandler, take(options.warmup));
    await block(bareHandler, take(options.warmup));
    recorder.take();

    const samples = { post: [] as Sample[], bare: [] as Sample[] };
    const calls = {
      post: [] as ReturnType<typeof awsTimeByRequest>,
      bare: [] as ReturnType<typeof awsTimeByRequest>,
    };
    const measure = async (side: "post" | "bare") => {
      samples[side].push(
        ...(await block(side === "post" ? postHandler : bareHandler, take(options.perRound))),
      );
      calls[side].push(...awsTimeByRequest(recorder.take()));
    };
    for (let round = 0; round < options.rounds; round++) {
      const [first, second] =
        round % 2 === 0 ? (["post", "bare"] as const) : (["bare", "post"] as const);
      await measure(first);
      await measure(second);
    }
    progress(
      `overhead: ${options.rounds} rounds of ${options.perRound} invocations a side, ${options.concurrency} at a time`,
    );
    const post = sideOf(samples.post, calls.post);
    const bare = sideOf(samples.bare, calls.bare);
    return {
      concurrency: options.concurrency,
      rounds: options.rounds,
      perRound: options.perRound,
      post,
      bare,
      ratio: post.p50Ms / bare.p50Ms,
      p99Ratio: post.p99Ms / bare.p99Ms,
      requestsOpened: options.warmup + samples.post.length,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    // The pipe runs again: the requests opened above start now, or not; the run does not wait.
    local.faults.clear();
  }
};
