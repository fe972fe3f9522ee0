// Every AWS call local mode makes, timed and (for DynamoDB) with the capacity it consumed: an SDK
// middleware on the handlers' and the workflow's clients asks DynamoDB for `ReturnConsumedCapacity`
// (DynamoDB Local reports it as AWS does) and records each call. A call made while an HTTP request
// of the local API is being served, or while an in-process handler invocation runs (`within`), is
// tagged with that request (AsyncLocalStorage), so the time a request spends in DynamoDB can be
// set against the request's own latency.
import { AsyncLocalStorage } from "node:async_hooks";
import { subscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import type {
  AbsoluteLocation,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOptions,
  InitializeHandlerOutput,
  MetadataBearer,
} from "@smithy/types";
import type { LocalAwsClients } from "../local/start.ts";

export type AwsService = keyof LocalAwsClients;

export interface AwsCall {
  service: AwsService;
  /** The API action (`GetItem`, `StartExecution`, `SendEmail`). */
  operation: string;
  /** Wall time of the call as the caller sees it, SDK retries included, ms. */
  ms: number;
  /** Capacity units DynamoDB reported (0 elsewhere, and for a call that failed). */
  readUnits: number;
  writeUnits: number;
  /** The part of `writeUnits` spent on global secondary indexes. */
  indexWriteUnits: number;
  /** Write units by where they were spent: `table` (the base table) and each index by name. */
  writeUnitsBy: Record<string, number>;
  failed: boolean;
  /** The HTTP request being served when the call was made, if any. */
  request?: number;
}

/** The DynamoDB actions that take `ReturnConsumedCapacity`, and what they consume. */
const READS = new Set(["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"]);
const WRITES = new Set([
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
]);

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

/** Read and write units of one answer (one entry per table for batches and transactions). */
const unitsOf = (operation: string, consumed: unknown) => {
  const entries = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Capacity[];
  let readUnits = 0;
  let writeUnits = 0;
  let indexWriteUnits = 0;
  const writeUnitsBy: Record<string, number> = {};
  const add = (where: string, units: number) => {
    if (units > 0) writeUnitsBy[where] = (writeUnitsBy[where] ?? 0) + units;
  };
  for (const entry of entries) {
    const total = entry.CapacityUnits ?? 0;
    readUnits += entry.ReadCapacityUnits ?? (READS.has(operation) ? total : 0);
    const written = entry.WriteCapacityUnits ?? (WRITES.has(operation) ? total : 0);
    writeUnits += written;
    if (WRITES.has(operation)) {
      let onIndexes = 0;
      for (const [name, index] of Object.entries(entry.GlobalSecondaryIndexes ?? {})) {
        onIndexes += index.CapacityUnits ?? 0;
        add(name, index.CapacityUnits ?? 0);
      }
      indexWriteUnits += onIndexes;
      add("table", entry.Table?.CapacityUnits ?? written - onIndexes);
    }
  }
  return { readUnits, writeUnits, indexWriteUnits, writeUnitsBy };
};

const PLACEMENT: InitializeHandlerOptions & AbsoluteLocation = {
  step: "initialize",
  // Outermost: the time covers marshalling, signing, the round trip and the SDK's retries.
  priority: "high",
  name: "benchAwsCalls",
  override: true,
};

interface Stack {
  add(
    middleware: (
      next: InitializeHandler<object, MetadataBearer>,
      context: { commandName?: string },
    ) => InitializeHandler<object, MetadataBearer>,
    options: InitializeHandlerOptions & AbsoluteLocation,
  ): void;
}

export class AwsCallRecorder {
  private readonly serving = new AsyncLocalStorage<number>();
  private calls: AwsCall[] = [];
  private nextRequest = 1;

  /** Adds the recording middleware to every client local mode runs. */
  install(clients: LocalAwsClients): void {
    for (const service of Object.keys(clients) as AwsService[]) {
      for (const client of clients[service]) {
        (client.middlewareStack as unknown as Stack).add(
          (next, context) => (args) =>
            this.record(service, String(context.commandName), next, args),
          PLACEMENT,
        );
      }
    }
  }

  /**
   * Tags each HTTP request this process serves that `matches` with a fresh id, from the moment
   * the server receives it (Node's `http.server.request.start` channel runs in the request's own
   * async context, just before the server's `request` event): the calls made while serving it
   * carry that id. Every other request is untagged.
   */
  tagRequests(matches: (request: IncomingMessage) => boolean): void {
    subscribe("http.server.request.start", (message) => {
      const { request } = message as { request: IncomingMessage };
      this.serving.enterWith(matches(request) ? this.nextRequest++ : 0);
    });
  }

  /**
   * Runs `run` as one tagged request of its own (an in-process handler invocation): the calls it
   * makes carry a fresh tag, as an HTTP request's do. Answers its result and the tag.
   */
  async within<T>(run: () => Promise<T>): Promise<{ result: T; request: number }> {
    const request = this.nextRequest++;
    return { result: await this.serving.run(request, run), request };
  }

  /** The calls recorded since the last `take`, and a fresh start. */
  take(): AwsCall[] {
    const calls = this.calls;
    this.calls = [];
    return calls;
  }

  private async record(
    service: AwsService,
    command: string,
    next: InitializeHandler<object, MetadataBearer>,
    args: InitializeHandlerArguments<object>,
  ): Promise<InitializeHandlerOutput<MetadataBearer>> {
    const operation = command.replace(/Command$/, "");
    const request = this.serving.getStore() || undefined;
    const measured = service === "dynamodb" && (READS.has(operation) || WRITES.has(operation));
    const input = measured ? { ...args.input, ReturnConsumedCapacity: "INDEXES" } : args.input;
    const started = performance.now();
    const call = (failed: boolean, consumed?: unknown): AwsCall => ({
      service,
      operation,
      ms: performance.now() - started,
      ...unitsOf(operation, consumed),
      failed,
      ...(request === undefined ? {} : { request }),
    });
    try {
      const result = await next({ ...args, input });
      this.calls.push(
        call(false, (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity),
      );
      return result;
    } catch (error) {
      this.calls.push(call(true));
      throw error;
    }
  }
}

/** The AWS time of each tagged request: its DynamoDB calls, its other calls, and which they were. */
export interface RequestAwsTime {
  /** The request's tag. */
  request: number;
  dynamodbMs: number;
  otherMs: number;
  calls: string[];
  /** Time by action (`GetItem`, `UpdateItem`), summed over the request's calls of it. */
  msByOperation: Record<string, number>;
  writeUnits: number;
  indexWriteUnits: number;
}

export const awsTimeByRequest = (calls: readonly AwsCall[]): RequestAwsTime[] => {
  const byRequest = new Map<number, RequestAwsTime>();
  for (const call of calls) {
    if (call.request === undefined) continue;
    const request = byRequest.get(call.request) ?? {
      request: call.request,
      dynamodbMs: 0,
      otherMs: 0,
      calls: [],
      msByOperation: {},
      writeUnits: 0,
      indexWriteUnits: 0,
    };
    if (call.service === "dynamodb") request.dynamodbMs += call.ms;
    else request.otherMs += call.ms;
    request.calls.push(call.operation);
    request.msByOperation[call.operation] = (request.msByOperation[call.operation] ?? 0) + call.ms;
    request.writeUnits += call.writeUnits;
    request.indexWriteUnits += call.indexWriteUnits;
    byRequest.set(call.request, request);
  }
  return [...byRequest.values()];
};
