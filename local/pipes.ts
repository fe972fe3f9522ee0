// Local EventBridge Pipes: each `AWS::Pipes::Pipe` of the template whose source is a DynamoDB
// table's stream, run as the deployed pipe runs it. It reads DynamoDB Local's stream of the table
// (DescribeStream, GetShardIterator, GetRecords with the official DynamoDB Streams client; shards
// that appear later too, each after its parent), keeps the records its FilterCriteria match (the
// EventBridge pattern features the template uses; anything else is refused at start-up), renders
// each with its InputTemplate, hands them to its target in batches of up to BatchSize (a state
// machine, synchronously: a failed execution fails the batch), retries a failed batch with
// backoff up to MaximumRetryAttempts, then sends a dead letter naming the batch's shard and
// sequence numbers to its DeadLetterConfig queue and moves on. A shard's records go out in order:
// a batch in retry holds the ones behind it.
// Faults (target `pipes`): `unavailable` on a poll (`GetRecords`): the pipe reads and delivers
// nothing while it fires, the records wait in the stream; `throttle` on a delivery
// (`StartSyncExecution`): that attempt fails before the target runs; `timeout`: the target runs,
// the attempt fails all the same (its answer lost) and is retried.
import { randomUUID } from "node:crypto";
import { DescribeTableCommand, type DescribeTableCommandOutput } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import { resolveIntrinsics } from "../infra/definition.ts";
import type { FaultInjector } from "./faults.ts";
import type { Template } from "./template.ts";

// ---------------------------------------------------------------------------------------------
// Event patterns

/** A compiled event pattern: does this event match? */
export type EventMatcher = (event: unknown) => boolean;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Compiles an EventBridge event pattern with the features local mode supports: nested objects,
 * arrays of literal values (strings, numbers, booleans, null; an event array matches when any of
 * its items does) and `{ "exists": true | false }` (on leaf values). Anything else (prefix,
 * suffix, anything-but, numeric, wildcard, equals-ignore-case, cidr, $or) throws: it is not
 * supported locally, and a pipe that silently matched differently would lie.
 */
export const compilePattern = (pattern: unknown, path = "pattern"): EventMatcher => {
  if (!isObject(pattern)) throw new Error(`${path}: an event pattern is a JSON object`);
  const fields = Object.entries(pattern).map(([key, rule]): [string, EventMatcher] => {
    const where = `${path}.${key}`;
    if (key === "$or") throw new Error(`${where}: $or is not supported locally`);
    if (Array.isArray(rule)) return [key, compileValues(rule, where)];
    if (isObject(rule)) {
      const nested = compilePattern(rule, where);
      return [key, (value) => isObject(value) && nested(value)];
    }
    throw new Error(`${where}: expected an array of values or a nested pattern`);
  });
  return (event) =>
    isObject(event) &&
    fields.every(([key, matches]) => matches(Object.hasOwn(event, key) ? event[key] : undefined));
};

/** A value EventBridge compares: a string, number, boolean or null (not an object or array). */
const isLeaf = (value: unknown) =>
  value === null || (value !== undefined && typeof value !== "object");

/** The matchers of a field: any of them matching the field's value (or any item of it) is a match. */
const compileValues = (rules: unknown[], where: string): EventMatcher => {
  if (rules.length === 0) throw new Error(`${where}: an empty array matches nothing`);
  const existence: boolean[] = [];
  const literals: unknown[] = [];
  for (const rule of rules) {
    if (isObject(rule)) {
      const keys = Object.keys(rule);
      if (keys.length !== 1 || keys[0] !== "exists" || typeof rule.exists !== "boolean") {
        throw new Error(
          `${where}: ${JSON.stringify(rule)} is not supported locally (only literal values and exists)`,
        );
      }
      existence.push(rule.exists);
    } else if (Array.isArray(rule)) {
      throw new Error(`${where}: nested arrays are not patterns`);
    } else {
      literals.push(rule);
    }
  }
  const literal = (value: unknown) => isLeaf(value) && literals.some((l) => l === value);
  return (value) => {
    // `exists` is about a leaf field (or an array of leaves): present, or absent.
    const present = Array.isArray(value)
      ? value.length > 0 && value.every(isLeaf)
      : value !== undefined && isLeaf(value);
    if (existence.includes(present)) return true;
    return Array.isArray(value) ? value.some(literal) : literal(value);
  };
};

/** FilterCriteria: a record passes when any of its filters matches (no filters: every record). */
export const compileFilters = (patterns: readonly string[]): EventMatcher => {
  const matchers = patterns.map((pattern, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(pattern);
    } catch {
      throw new Error(`filter ${index}: not JSON`);
    }
    return compilePattern(parsed, `filter ${index}`);
  });
  return (event) => matchers.length === 0 || matchers.some((matches) => matches(event));
};

// ---------------------------------------------------------------------------------------------
// Input templates

const PLACEHOLDER = /<([^<>]*)>/g;
const PATH = /^\$(\.[A-Za-z0-9_-]+|\[\d+\])*$/;

const valueAt = (event: unknown, path: string): unknown => {
  let value: unknown = event;
  for (const [, key, index] of path.slice(1).matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+)\]/g)) {
    if (key !== undefined) value = isObject(value) ? value[key] : undefined;
    else value = Array.isArray(value) ? value[Number(index)] : undefined;
  }
  return value;
};

/**
 * Compiles an InputTemplate with `<$.path>` placeholders (JSONPath by dots and indexes). In a
 * JSON string (`"<$.dynamodb.NewImage.id.S>"`) a placeholder is replaced by the value as text,
 * escaped for that string; outside one by the value's JSON. A path with no value gives an empty
 * text or null. Other placeholders (`<aws.pipes.*>`) are not supported locally and throw.
 */
export const compileInputTemplate = (template: string): ((event: unknown) => string) => {
  const parts: ({ text: string } | { path: string; quoted: boolean })[] = [];
  let last = 0;
  let quoted = false;
  const toggleQuotes = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      if (text[i] === "\\") i += 1;
      else if (text[i] === '"') quoted = !quoted;
    }
  };
  for (const match of template.matchAll(PLACEHOLDER)) {
    const path = String(match[1]).trim();
    if (!PATH.test(path)) {
      throw new Error(`input template: <${path}> is not supported locally (only <$.path>)`);
    }
    const before = template.slice(last, match.index);
    toggleQuotes(before);
    parts.push({ text: before }, { path, quoted });
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push({ text: template.slice(last) });
  return (event) =>
    parts
      .map((part) => {
        if ("text" in part) return part.text;
        const value = valueAt(event, part.path);
        if (!part.quoted) return value === undefined ? "null" : JSON.stringify(value);
        const text =
          value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
        return JSON.stringify(text).slice(1, -1);
      })
      .join("");
};

// ---------------------------------------------------------------------------------------------
// Pipes of the template

export interface PipeDefinition {
  logicalId: string;
  pipeArn: string;
  /** The table whose stream is the source. */
  tableLogicalId: string;
  startingPosition: "LATEST" | "TRIM_HORIZON";
  batchSize: number;
  /** -1: retry until the records expire (AWS's default). */
  maximumRetryAttempts: number;
  filters: string[];
  inputTemplate?: string;
  targetArn: string;
  deadLetterArn?: string;
}

const referencedId = (value: unknown): string | undefined => {
  const node = value as { Ref?: string; "Fn::GetAtt"?: [string, string] } | undefined;
  return node?.Ref ?? node?.["Fn::GetAtt"]?.[0];
};

/**
 * The template's pipes, with every reference resolved by `references`. Only what local mode runs
 * is accepted: a DynamoDB stream source and a synchronous (REQUEST_RESPONSE) state machine target,
 * with no enrichment; anything else throws.
 */
export const pipesFromTemplate = (
  template: Template,
  references: Readonly<Record<string, string>>,
): PipeDefinition[] =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === "AWS::Pipes::Pipe")
    .map(([logicalId, resource]) => {
      const properties = resource.Properties ?? {};
      const where = `pipe ${logicalId}`;
      const tableLogicalId = referencedId(properties.Source);
      const sourceType = tableLogicalId ? template.Resources[tableLogicalId]?.Type : undefined;
      if (
        !tableLogicalId ||
        (sourceType !== "AWS::DynamoDB::Table" && sourceType !== "AWS::DynamoDB::GlobalTable")
      ) {
        throw new Error(`${where}: only a DynamoDB table's stream runs locally as a source`);
      }
      if (properties.Enrichment !== undefined) {
        throw new Error(`${where}: enrichment is not supported locally`);
      }
      const source = (properties.SourceParameters ?? {}) as {
        DynamoDBStreamParameters?: Record<string, unknown>;
        FilterCriteria?: { Filters?: { Pattern?: string }[] };
      };
      const stream = source.DynamoDBStreamParameters ?? {};
      const target = (properties.TargetParameters ?? {}) as {
        InputTemplate?: string;
        StepFunctionStateMachineParameters?: { InvocationType?: string };
      };
      if (target.StepFunctionStateMachineParameters?.InvocationType !== "REQUEST_RESPONSE") {
        throw new Error(`${where}: only a state machine target, REQUEST_RESPONSE, runs locally`);
      }
      const deadLetter = (stream.DeadLetterConfig as { Arn?: unknown } | undefined)?.Arn;
      return {
        logicalId,
        pipeArn: String(references[`${logicalId}.Arn`] ?? logicalId),
        tableLogicalId,
        startingPosition: stream.StartingPosition === "TRIM_HORIZON" ? "TRIM_HORIZON" : "LATEST",
        batchSize: Number(stream.BatchSize ?? 100),
        maximumRetryAttempts: Number(stream.MaximumRetryAttempts ?? -1),
        filters: (source.FilterCriteria?.Filters ?? []).map((filter) => String(filter.Pattern)),
        ...(target.InputTemplate === undefined ? {} : { inputTemplate: target.InputTemplate }),
        targetArn: String(resolveIntrinsics(properties.Target, references)),
        ...(deadLetter === undefined
          ? {}
          : { deadLetterArn: String(resolveIntrinsics(deadLetter, references)) }),
      };
    });

// ---------------------------------------------------------------------------------------------
// The running pipe

/** What a delivery answered: a failed one is retried, then dead-lettered. */
export type DeliveryResult = { ok: true } | { ok: false; error: string };

export interface PipeTimings {
  /** Between polls of the stream (AWS polls each shard about 4 times a second). */
  pollIntervalMs: number;
  /** The first retry's wait; each next one doubles, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_PIPE_TIMINGS: PipeTimings = {
  pollIntervalMs: 250,
  retryBaseMs: 1000,
  retryMaxMs: 60_000,
};

export interface LocalPipeOptions {
  definition: PipeDefinition;
  /** The local table the source names. */
  tableName: string;
  /** A client of the table's DynamoDB endpoint (DescribeTable finds the stream). */
  dynamoDb: { send(command: DescribeTableCommand): Promise<DescribeTableCommandOutput> };
  /** A DynamoDB Streams client of the same endpoint. */
  streams: Pick<DynamoDBStreamsClient, "send">;
  /** Runs the target with one batch's input (the rendered records as a JSON array). */
  deliver: (input: string) => Promise<DeliveryResult>;
  /** Sends a dead letter (the queue of DeadLetterConfig); without one, a failed batch is dropped. */
  deadLetter?: (body: string) => Promise<void>;
  faults?: FaultInjector;
  timings?: Partial<PipeTimings>;
  region?: string;
  log?: (line: string) => void;
}

interface ShardState {
  shardId: string;
  parentShardId?: string;
  /** Where the next GetRecords reads; undefined once the shard is closed and read to its end. */
  iterator?: string;
  done: boolean;
  /** The last record read, to resume after an expired iterator. */
  lastSequenceNumber?: string;
  /** Records read and matched, not yet delivered (in order). */
  pending: { record: StreamRecord; input: unknown }[];
}

/** Stream records as the pipe sees them: DynamoDB JSON, dates in epoch seconds, binary in base64. */
const toEvent = (record: StreamRecord, streamArn: string, region: string): unknown =>
  JSON.parse(
    JSON.stringify(
      {
        ...record,
        eventSourceARN: streamArn,
        awsRegion: record.awsRegion ?? region,
      },
      (_key, value: unknown) => {
        if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
        return value;
      },
    ),
    (key, value: unknown) =>
      key === "ApproximateCreationDateTime" && typeof value === "string"
        ? Math.floor(Date.parse(value) / 1000)
        : value,
  );

const isExpired = (error: unknown) =>
  ["ExpiredIteratorException", "TrimmedDataAccessException"].includes((error as Error).name);

export class LocalPipe {
  private readonly timings: PipeTimings;
  private readonly matches: EventMatcher;
  private readonly render: (event: unknown) => string;
  private readonly shards = new Map<string, ShardState>();
  private readonly abort = new AbortController();
  private streamArn = "";
  private running: Promise<void> | undefined;
  /** Batches delivered, dead-lettered, and delivery attempts that failed (tests, logs). */
  readonly counts = { delivered: 0, failedAttempts: 0, deadLetters: 0, polls: 0 };

  constructor(private readonly options: LocalPipeOptions) {
    this.timings = { ...DEFAULT_PIPE_TIMINGS, ...options.timings };
    this.matches = compileFilters(options.definition.filters);
    const template = options.definition.inputTemplate;
    this.render = template ? compileInputTemplate(template) : (event) => JSON.stringify(event);
  }

  get definition(): PipeDefinition {
    return this.options.definition;
  }

  /** Finds the stream, places an iterator on each of its shards, and starts polling. */
  async start(): Promise<void> {
    const table = await this.options.dynamoDb.send(
      new DescribeTableCommand({ TableName: this.options.tableName }),
    );
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn || table.Table?.StreamSpecification?.StreamEnabled === false) {
      throw new Error(
        `pipe ${this.definition.logicalId}: table ${this.options.tableName} has no stream ` +
          "(a DATA_DIR from before the stream? start with an empty one)",
      );
    }
    this.streamArn = streamArn;
    await this.discoverShards(this.definition.startingPosition);
    this.running = this.loop();
  }

  /** Stops polling and any retry wait; resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.abort.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.abort.signal.addEventListener("abort", done, { once: true });
    });
  }

  private get stopped() {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.poll();
      } catch (error) {
        if (!this.stopped) {
          this.options.log?.(`pipe ${this.definition.logicalId}: ${String(error)}`);
        }
      }
      await this.sleep(this.timings.pollIntervalMs);
    }
  }

  /**
   * Shards not seen before: at start-up, each open one from `position` (closed ones hold nothing
   * new); later, each from its beginning (TRIM_HORIZON), as a pipe follows a stream's new shards.
   */
  private async discoverShards(position?: "LATEST" | "TRIM_HORIZON") {
    let exclusiveStartShardId: string | undefined;
    do {
      const described = await this.options.streams.send(
        new DescribeStreamCommand({
          StreamArn: this.streamArn,
          ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}),
        }),
        { abortSignal: this.abort.signal },
      );
      const description = described.StreamDescription;
      for (const shard of description?.Shards ?? []) {
        const shardId = shard.ShardId;
        if (!shardId || this.shards.has(shardId)) continue;
        const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
        const state: ShardState = {
          shardId,
          ...(shard.ParentShardId ? { parentShardId: shard.ParentShardId } : {}),
          done: false,
          pending: [],
        };
        if (position !== undefined && closed && position === "LATEST") {
          state.done = true;
        } else {
          state.iterator = await this.iterator(shardId, position ?? "TRIM_HORIZON");
        }
        this.shards.set(shardId, state);
      }
      exclusiveStartShardId = description?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  }

  private async iterator(
    shardId: string,
    type: "LATEST" | "TRIM_HORIZON" | "AFTER_SEQUENCE_NUMBER",
    sequenceNumber?: string,
  ): Promise<string | undefined> {
    const result = await this.options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
      }),
      { abortSignal: this.abort.signal },
    );
    return result.ShardIterator;
  }

  /** A shard is read once its parent (if this pipe follows it) has been read to its end. */
  private readable(shard: ShardState): boolean {
    if (shard.done) return false;
    const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
    return parent === undefined || parent.done;
  }

  /** One round: unless the pipe is down, read each readable shard and deliver what matched. */
  private async poll(): Promise<void> {
    const down = this.options.faults?.draw("pipes", "GetRecords", ["unavailable"]);
    if (down) return;
    this.counts.polls += 1;
    await this.discoverShards();
    for (const shard of this.shards.values()) {
      if (this.stopped) return;
      if (!this.readable(shard)) continue;
      if (shard.pending.length === 0) await this.read(shard);
      while (shard.pending.length > 0 && !this.stopped) {
        const batch = shard.pending.slice(0, this.definition.batchSize);
        await this.deliverWithRetries(shard, batch);
        if (this.stopped) return;
        shard.pending.splice(0, batch.length);
      }
    }
  }

  private async read(shard: ShardState): Promise<void> {
    if (!shard.iterator) {
      shard.done = true;
      return;
    }
    let result: GetRecordsCommandOutput;
    try {
      result = await this.options.streams.send(
        new GetRecordsCommand({ ShardIterator: shard.iterator }),
        { abortSignal: this.abort.signal },
      );
    } catch (error) {
      if (!isExpired(error)) throw error;
      shard.iterator = shard.lastSequenceNumber
        ? await this.iterator(shard.shardId, "AFTER_SEQUENCE_NUMBER", shard.lastSequenceNumber)
        : await this.iterator(shard.shardId, "LATEST");
      return;
    }
    const region = this.options.region ?? this.streamArn.split(":")[3] ?? "";
    for (const record of result.Records ?? []) {
      shard.lastSequenceNumber = record.dynamodb?.SequenceNumber ?? shard.lastSequenceNumber;
      const event = toEvent(record, this.streamArn, region);
      if (!this.matches(event)) continue;
      shard.pending.push({ record, input: JSON.parse(this.render(event)) });
    }
    shard.iterator = result.NextShardIterator;
    if (!shard.iterator) shard.done = true;
  }

  /** Delivers one batch: retried with backoff, then dead-lettered (or dropped without a DLQ). */
  private async deliverWithRetries(
    shard: ShardState,
    batch: { record: StreamRecord; input: unknown }[],
  ): Promise<void> {
    const { maximumRetryAttempts } = this.definition;
    const input = JSON.stringify(batch.map((item) => item.input));
    let lastError = "";
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(input);
      if (result.ok) {
        this.counts.delivered += 1;
        return;
      }
      lastError = result.error;
      this.counts.failedAttempts += 1;
      if (this.stopped) return;
      if (maximumRetryAttempts >= 0 && attempt >= maximumRetryAttempts) break;
      const wait = Math.min(this.timings.retryBaseMs * 2 ** attempt, this.timings.retryMaxMs);
      await this.sleep(wait);
      if (this.stopped) return;
    }
    this.options.log?.(
      `pipe ${this.definition.logicalId}: batch of ${batch.length} failed ${maximumRetryAttempts + 1} times (${lastError}); dead letter`,
    );
    this.counts.deadLetters += 1;
    await this.options.deadLetter?.(this.deadLetterBody(shard, batch, maximumRetryAttempts + 1));
  }

  private async attempt(input: string): Promise<DeliveryResult> {
    const fault = this.options.faults?.draw("pipes", "StartSyncExecution", ["throttle", "timeout"]);
    if (fault?.error === "throttle") {
      return { ok: false, error: "ThrottlingException (injected by local mode)" };
    }
    let result: DeliveryResult;
    // A stop does not wait for the target (a starter in its own retries can take seconds).
    let onAbort: () => void = () => undefined;
    const stopped = new Promise<DeliveryResult>((resolve) => {
      onAbort = () => resolve({ ok: false, error: "the pipe stopped" });
      this.abort.signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      result = await Promise.race([this.options.deliver(input), stopped]);
    } catch (error) {
      result = { ok: false, error: `${(error as Error).name}: ${(error as Error).message}` };
    } finally {
      this.abort.signal.removeEventListener("abort", onAbort);
    }
    if (fault?.error === "timeout") {
      return { ok: false, error: "the target's answer was lost (injected by local mode)" };
    }
    return result;
  }

  /**
   * What the deployed pipe sends to its dead-letter queue for a stream batch: where the batch is in
   * the stream (shard, first and last sequence numbers), not its records (the same shape as a
   * Lambda event source mapping's failure record).
   */
  private deadLetterBody(
    shard: ShardState,
    batch: { record: StreamRecord }[],
    attempts: number,
  ): string {
    const first = batch[0]?.record.dynamodb;
    const last = batch.at(-1)?.record.dynamodb;
    const at = (date: Date | undefined) => (date ? date.toISOString() : undefined);
    return JSON.stringify({
      requestContext: {
        requestId: randomUUID(),
        pipeArn: this.definition.pipeArn,
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: attempts,
      },
      version: "1.0",
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: shard.shardId,
        startSequenceNumber: first?.SequenceNumber,
        endSequenceNumber: last?.SequenceNumber,
        approximateArrivalOfFirstRecord: at(first?.ApproximateCreationDateTime),
        approximateArrivalOfLastRecord: at(last?.ApproximateCreationDateTime),
        batchSize: batch.length,
        streamArn: this.streamArn,
      },
    });
  }
}
