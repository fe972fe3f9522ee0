// Cost per cancellation: one path at a time, alone in local mode, so every AWS call belongs to it.
// Counted from the buyer's request to the end of the workflow (the order's import and shipment
// are the marketplace's set-up, not part of a cancellation):
// - state transitions and the workflow's Lambda invocations from the execution history
//   (GetExecutionHistory, counted by event type, never by state name);
// - DynamoDB read and write units as DynamoDB reported them for every call of the handlers and of
//   the workflow's own DynamoDB integrations (ReturnConsumedCapacity, see aws-calls.ts);
// - emails from the SES stand-in's store, domain events from the EventBridge stand-in's; API
//   requests as the bench made them;
// - Lambda GB-seconds: the template's memory × the billed (rounded up) milliseconds of each
//   invocation: an API call's round trip, a workflow Lambda's time in the history;
// - what starting the execution costs, now that the POST does not start it: the pipe's requests
//   (each record of the request that passed its filter and was handed to the starter) and the
//   Express starter's executions (requests, and GB-seconds: each execution's duration in local
//   mode's history of the Express machine, rounded up to 100 ms, at the memory AWS bills for it).
// Then the same path's lower bound (BENCHMARKS.md), priced the same way.
import { readFile } from "node:fs/promises";
import { type AttributeValue, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { GetExecutionHistoryCommand, type HistoryEvent, SFNClient } from "@aws-sdk/client-sfn";
import { orderKey } from "../functions/adapters/dynamodb/order-item.ts";
import { placeholderValues, stateMachineDefinition, stateMachines } from "../infra/definition.ts";
import { ENTRY_METADATA } from "../infra/lambda-defaults.ts";
import type { LocalClient } from "../local/client.ts";
import { LOCAL_TABLE_NAME, type LocalInfo, type LocalMode } from "../local/start.ts";
import type { AwsCall, AwsCallRecorder } from "./aws-calls.ts";
import {
  executionArnOf,
  type People,
  requestCancellation,
  requestView,
  sellerDecides,
  shippedOrder,
  untilStopped,
  untilWaiting,
} from "./flows.ts";

export interface Units {
  stateTransitions: number;
  lambdaInvocations: number;
  /** Memory (GB) × billed seconds, summed over the invocations. */
  lambdaGbSeconds: number;
  dynamodbWriteUnits: number;
  dynamodbReadUnits: number;
  emails: number;
  /** Domain events published to EventBridge (each under 64 KB: one billed event). */
  events: number;
  apiRequests: number;
  /** Records the pipe handed to its target after filtering (each under 64 KB: one request). */
  pipeRequests: number;
  /** Executions of the Express starter. */
  expressRequests: number;
  /** Billed memory (GB) × billed seconds, summed over the starter's executions. */
  expressGbSeconds: number;
}

export interface Priced extends Units {
  usd: number;
  usdByService: Record<
    | "stepFunctions"
    | "stepFunctionsExpress"
    | "lambda"
    | "dynamodb"
    | "ses"
    | "eventBridge"
    | "pipes"
    | "apiGateway",
    number
  >;
}

export interface PathCost extends Priced {
  /** The request's status at the end (COMPLETED, REJECTED). */
  status: string;
  /** The part of the write units spent on index copies. */
  dynamodbIndexWriteUnits: number;
  /** DynamoDB calls by action, handlers and workflow integrations together. */
  dynamodbCalls: Record<string, number>;
  /** Waits for a person the execution made (`.waitForTaskToken` tasks scheduled). */
  waits: number;
  /** Billed milliseconds per Lambda invocation, in order: API calls, then workflow tasks. */
  billedMs: number[];
  /** Write units by where DynamoDB spent them: `table` and each index by name. */
  dynamodbWriteUnitsBy: Record<string, number>;
  /** The starter's executions that carried this request: how long each ran, what AWS bills. */
  starter: {
    durationMs: number[];
    billedMs: number[];
    /** Per execution: 50 MB + definition + input × Map iterations, in 64 MB chunks (AWS). */
    billedMemoryMb: number[];
    definitionBytes: number;
  };
}

export interface LowerBound extends Priced {
  /** The measured facts the bound is computed from. */
  basis: {
    /** The request's timeline entries (SPEC: every change), one write each. */
    statusChanges: number;
    /** The order item's size at the end, as DynamoDB sizes it. */
    itemBytes: number;
    writeUnitsPerChange: number;
    waits: number;
    /** A segment before each wait and one after the last. */
    segments: number;
    /** The measured path's mean billed ms per invocation, applied to the bound's invocations. */
    billedMsPerInvocation: number;
  };
}

export interface CostResults {
  happyPath: PathCost;
  sellerRejectPath: PathCost;
  lowerBound: { happyPath: LowerBound; sellerRejectPath: LowerBound };
  /** The happy path's lower bound, USD. */
  lowerBoundUsd: number;
  /** Happy path USD over its lower bound. */
  ratio: number;
  /** Memory of the project's functions in the template, MB. */
  lambdaMemoryMb: number;
  prices: Prices;
}

interface Price {
  usd: number;
  per: number;
  unit: string;
  source: string;
  date: string;
}
interface Prices {
  region: string;
  prices: Record<
    | "stepFunctionsTransition"
    | "lambdaRequest"
    | "lambdaGbSecond"
    | "dynamodbWriteUnit"
    | "dynamodbReadUnit"
    | "sesEmail"
    | "eventBridgeEvent"
    | "httpApiRequest"
    | "pipeRequest"
    | "expressRequest"
    | "expressGbSecond",
    Price
  >;
}

export const loadPrices = async (): Promise<Prices> =>
  JSON.parse(await readFile(new URL("prices.json", import.meta.url), "utf8")) as Prices;

export const priced = (units: Units, { prices }: Prices): Priced => {
  const each = (price: Price) => price.usd / price.per;
  const usdByService = {
    stepFunctions: units.stateTransitions * each(prices.stepFunctionsTransition),
    stepFunctionsExpress:
      units.expressRequests * each(prices.expressRequest) +
      units.expressGbSeconds * each(prices.expressGbSecond),
    lambda:
      units.lambdaInvocations * each(prices.lambdaRequest) +
      units.lambdaGbSeconds * each(prices.lambdaGbSecond),
    dynamodb:
      units.dynamodbWriteUnits * each(prices.dynamodbWriteUnit) +
      units.dynamodbReadUnits * each(prices.dynamodbReadUnit),
    ses: units.emails * each(prices.sesEmail),
    eventBridge: units.events * each(prices.eventBridgeEvent),
    pipes: units.pipeRequests * each(prices.pipeRequest),
    apiGateway: units.apiRequests * each(prices.httpApiRequest),
  };
  const usd = Object.values(usdByService).reduce((sum, part) => sum + part, 0);
  return { ...units, usd, usdByService };
};

/** DynamoDB's size of a value (AWS: "Item sizes and formats"). */
const valueBytes = (value: AttributeValue): number => {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) {
    const digits = value.N.replace(/^-/, "")
      .replace(".", "")
      .replace(/^0+|0+$/g, "");
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + valueBytes({ N: n }), 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + b.length, 0);
  // A list or map: 3 bytes, plus 1 byte per element (and a map entry's name).
  if (value.L) return 3 + value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 0);
  if (value.M) return 3 + itemBytes(value.M, 1);
  return 0;
};

/** An item's size: each attribute's name and value (`overhead` per entry inside a map). */
export const itemBytes = (item: Record<string, AttributeValue>, overhead = 0): number =>
  Object.entries(item).reduce(
    (sum, [name, value]) => sum + overhead + Buffer.byteLength(name) + valueBytes(value),
    0,
  );

const billed = (ms: number) => Math.max(1, Math.ceil(ms));

/** Lambda invocations the workflow made and how long each ran (to the next history event). */
const workflowLambdas = (events: HistoryEvent[]): number[] =>
  events.flatMap((event, index) => {
    const lambda =
      event.type === "LambdaFunctionScheduled" ||
      (event.type === "TaskScheduled" &&
        event.taskScheduledEventDetails?.resourceType === "lambda");
    if (!lambda) return [];
    const next = events[index + 1]?.timestamp ?? event.timestamp;
    return [(next?.getTime() ?? 0) - (event.timestamp?.getTime() ?? 0)];
  });

export interface CostContext {
  local: LocalMode;
  api: LocalClient;
  info: LocalInfo;
  people: People;
  recorder: AwsCallRecorder;
  prices: Prices;
}

const history = async (sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> => {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
};

const countBy = (calls: AwsCall[]) =>
  calls.reduce<Record<string, number>>((counts, call) => {
    counts[call.operation] = (counts[call.operation] ?? 0) + 1;
    return counts;
  }, {});

/** Memory of the project's functions in the synthesized template, MB (the largest, if several). */
const lambdaMemoryMb = (local: LocalMode): number => {
  const sizes = Object.values(local.template.Resources)
    .filter((resource) => typeof resource.Metadata?.[ENTRY_METADATA] === "string")
    .map((resource) => Number(resource.Properties?.MemorySize ?? 128));
  return Math.max(...sizes);
};

/** Express billing (AWS Step Functions pricing page): memory in 64 MB chunks of 50 MB plus the
 * definition plus the execution's data per Map iteration; duration rounded up to 100 ms. */
const EXPRESS_BASE_MB = 50;
const EXPRESS_CHUNK_MB = 64;
const EXPRESS_DURATION_STEP_MS = 100;

/** The Express state machine of the template (the starter): local mode's and its definition. */
const expressStarter = (local: LocalMode) => {
  const machines = [...local.stateMachines.values()].filter((m) => m.type === "EXPRESS");
  const ids = stateMachines(local.template).filter((m) => m.type === "EXPRESS");
  const [machine] = machines;
  const [id] = ids;
  if (!machine || !id || machines.length > 1 || ids.length > 1) {
    throw new Error(`expected one Express state machine, found ${machines.length}`);
  }
  const values = placeholderValues(local.template, {
    account: "000000000000",
    region: "us-east-1",
  });
  const definition = stateMachineDefinition(local.template, values, id.logicalId);
  return { machine, definitionBytes: Buffer.byteLength(JSON.stringify(definition)) };
};

/** The starter's executions that carried `requestId`, and what AWS would bill for them. */
const starterUsage = (local: LocalMode, requestId: string) => {
  const { machine, definitionBytes } = expressStarter(local);
  const executions = machine.listExecutions().filter((execution) => {
    const items = JSON.parse(execution.input) as { requestId?: string }[];
    return Array.isArray(items) && items.some((item) => item.requestId === requestId);
  });
  const durationMs = executions.map(
    (execution) => (execution.stopDate ?? new Date()).getTime() - execution.startDate.getTime(),
  );
  const billedMs = durationMs.map(
    (ms) => Math.max(1, Math.ceil(ms / EXPRESS_DURATION_STEP_MS)) * EXPRESS_DURATION_STEP_MS,
  );
  const billedMemoryMb = executions.map((execution) => {
    // "Execution data size × number of Parallel or Map steps" (the pricing page's formula).
    const iterations = (JSON.parse(execution.input) as unknown[]).length;
    const dataBytes = Buffer.byteLength(execution.input) * Math.max(1, iterations);
    const used = EXPRESS_BASE_MB + (definitionBytes + dataBytes) / 1e6;
    return Math.ceil(used / EXPRESS_CHUNK_MB) * EXPRESS_CHUNK_MB;
  });
  // Each record of this request the pipe handed over (one per execution that carried it).
  const pipeRequests = executions.length;
  const gbSeconds = billedMs.reduce(
    (total, ms, index) => total + ((billedMemoryMb[index] ?? 0) / 1024) * (ms / 1000),
    0,
  );
  return {
    pipeRequests,
    expressRequests: executions.length,
    expressGbSeconds: gbSeconds,
    starter: { durationMs, billedMs, billedMemoryMb, definitionBytes },
  };
};

const measurePath = async (
  context: CostContext,
  clients: { sfn: SFNClient; dynamoDb: DynamoDBClient },
  decision: "APPROVE" | "REJECT",
  memoryMb: number,
): Promise<{ cost: PathCost; bound: LowerBound }> => {
  const { local, api, people, recorder } = context;
  const orderId = await shippedOrder(api, people);
  const emailsBefore = (await api.emails()).length;
  const eventsBefore = (await api.events()).length;
  recorder.take();

  // The two calls people make; everything the workflow does follows from them.
  const request = await requestCancellation(api, people.buyer, orderId);
  const executionArn = executionArnOf(local, request.requestId);
  await untilWaiting(local, executionArn);
  const decisionMs = await sellerDecides(api, people.seller, orderId, request.requestId, decision);
  await untilStopped(local, executionArn);
  const calls = recorder.take();
  const apiMs = [request.ms, decisionMs];

  const emails = (await api.emails()).length - emailsBefore;
  const events = await history(clients.sfn, executionArn);
  const start = starterUsage(local, request.requestId);
  const view = await requestView(api, people.buyer, orderId, request.requestId);
  // The last change's events go out with its mail, just after the execution may have ended.
  const publishedEvents = await api.until(async () => {
    const published = (await api.events()).length - eventsBefore;
    return published >= view.timeline.length ? published : undefined;
  }, "every timeline change published");
  const key = orderKey(orderId);
  const item = await clients.dynamoDb.send(
    new GetItemCommand({
      TableName: LOCAL_TABLE_NAME,
      Key: { pk: { S: key.pk }, sk: { S: key.sk } },
      ConsistentRead: true,
    }),
  );
  recorder.take(); // the reads above are the bench's, not the path's

  const dynamo = calls.filter((call) => call.service === "dynamodb");
  const sum = (pick: (call: AwsCall) => number) =>
    dynamo.reduce((total, call) => total + pick(call), 0);
  const billedMs = [...apiMs, ...workflowLambdas(events)].map(billed);
  const gbSeconds = (ms: number) => (memoryMb / 1024) * (ms / 1000);
  const waits = events.filter(
    (event) =>
      event.type === "TaskScheduled" &&
      event.taskScheduledEventDetails?.resource?.endsWith(".waitForTaskToken"),
  ).length;
  const units: Units = {
    stateTransitions: events.filter((event) => event.type?.endsWith("StateEntered")).length,
    lambdaInvocations: billedMs.length,
    lambdaGbSeconds: gbSeconds(billedMs.reduce((total, ms) => total + ms, 0)),
    dynamodbWriteUnits: sum((call) => call.writeUnits),
    dynamodbReadUnits: sum((call) => call.readUnits),
    emails,
    events: publishedEvents,
    apiRequests: apiMs.length,
    pipeRequests: start.pipeRequests,
    expressRequests: start.expressRequests,
    expressGbSeconds: start.expressGbSeconds,
  };
  const dynamodbWriteUnitsBy: Record<string, number> = {};
  for (const call of dynamo) {
    for (const [where, writeUnits] of Object.entries(call.writeUnitsBy)) {
      dynamodbWriteUnitsBy[where] = (dynamodbWriteUnitsBy[where] ?? 0) + writeUnits;
    }
  }
  const cost: PathCost = {
    ...priced(units, context.prices),
    status: view.status,
    dynamodbIndexWriteUnits: sum((call) => call.indexWriteUnits),
    dynamodbWriteUnitsBy,
    dynamodbCalls: countBy(dynamo),
    waits,
    billedMs,
    starter: start.starter,
  };

  // The lower bound: the people's calls, a Lambda per call and per segment, the execution's start
  // and end plus a transition per wait and per segment, one write per change, the same emails,
  // one event per timeline change. Nothing for starting the execution: a POST that called
  // StartExecution itself would pay no more than its own few milliseconds (StartExecution is not
  // billed; the execution's transitions are counted already), so the pipe and the starter are
  // the design's cost of taking the start off the request path, counted in the path only.
  const bytes = itemBytes(item.Item ?? {});
  const writeUnitsPerChange = Math.ceil(bytes / 1024);
  const segments = waits + 1;
  const billedMsPerInvocation = billedMs.reduce((total, ms) => total + ms, 0) / billedMs.length;
  const lambdaInvocations = units.apiRequests + segments;
  const bound: LowerBound = {
    ...priced(
      {
        stateTransitions: 2 + waits + segments,
        lambdaInvocations,
        lambdaGbSeconds: gbSeconds(lambdaInvocations * billedMsPerInvocation),
        dynamodbWriteUnits: view.timeline.length * writeUnitsPerChange,
        dynamodbReadUnits: 0,
        emails,
        // Every timeline change is published once: the events a consumer must get.
        events: view.timeline.length,
        apiRequests: units.apiRequests,
        pipeRequests: 0,
        expressRequests: 0,
        expressGbSeconds: 0,
      },
      context.prices,
    ),
    basis: {
      statusChanges: view.timeline.length,
      itemBytes: bytes,
      writeUnitsPerChange,
      waits,
      segments,
      billedMsPerInvocation,
    },
  };
  return { cost, bound };
};

/** Runs the happy path and the seller's rejection, one after the other, and prices both. */
export const measureCost = async (context: CostContext): Promise<CostResults> => {
  const { info } = context;
  const credentials = { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey };
  // The bench's own clients: not instrumented, so what they do is not counted.
  const sfn = new SFNClient({
    endpoint: info.stepFunctionsEndpoint,
    region: info.region,
    credentials,
  });
  const dynamoDb = new DynamoDBClient({
    endpoint: info.dynamodbEndpoint,
    region: info.region,
    credentials,
  });
  try {
    const memoryMb = lambdaMemoryMb(context.local);
    const clients = { sfn, dynamoDb };
    const happy = await measurePath(context, clients, "APPROVE", memoryMb);
    const reject = await measurePath(context, clients, "REJECT", memoryMb);
    return {
      happyPath: happy.cost,
      sellerRejectPath: reject.cost,
      lowerBound: { happyPath: happy.bound, sellerRejectPath: reject.bound },
      lowerBoundUsd: happy.bound.usd,
      ratio: happy.cost.usd / happy.bound.usd,
      lambdaMemoryMb: memoryMb,
      prices: context.prices,
    };
  } finally {
    sfn.destroy();
    dynamoDb.destroy();
  }
};
