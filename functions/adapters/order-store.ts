// The order store: one DynamoDB item per order (the order, its requests and a version), so every
// transition is one conditional UpdateItem; lists are Queries on sparse GSIs, never Scans, and each
// GSI holds only what its list returns (summary attributes written in that same UpdateItem).
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { type RequestFacts, requestFacts } from "../domain/eligibility.ts";
import type { WaitCancelError, WaitOutcome } from "../domain/events.ts";
import type { TimelineEvent } from "../domain/published-events.ts";
import { currentDeadline, isOpen, latestRequest } from "../domain/requests.ts";
import type { CancellationRequest, Order, OrderRecord, RequestStatus } from "../domain/types.ts";
import { type PublicCancellationRequest, toPublicRequest } from "../domain/views.ts";
import * as z from "../domain/zod.ts";
import { packMailBody, unpackMailBody } from "./mail-body.ts";
import { packEvents, unpackEvents } from "./packed-events.ts";
import { packView, unpackView } from "./packed-view.ts";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "./sdk.ts";
import {
  BUYER_ORDERS,
  type IndexDefinition,
  LIST_ATTRIBUTES,
  OPERATOR_QUEUE,
  ORDERS_TABLE,
  PENDING_WORK,
  PROJECTED_ATTRIBUTES,
  SELLER_QUEUE,
  WORK_SHARDS,
} from "./table.ts";

export const ORDER_PK_PREFIX = "ORDER#";
export const ORDER_SK = "ORDER";
export const OUTBOX_SK_PREFIX = "OUTBOX#";
/** Longest cursor accepted: real ones stay well below it (ids are at most 128 characters). */
export const MAX_CURSOR_LENGTH = 1024;
/** Largest page the store serves; the HTTP layer allows at most 100. */
export const MAX_PAGE_LIMIT = 1000;

export interface StoredOrder {
  record: OrderRecord;
  /** The item's `version`: a save must present it, and it goes up by one with each save. */
  version: number;
  /** The workflow execution currently carrying each request (absent: the first, named by it). */
  executions?: Record<string, ExecutionRef>;
  /**
   * Domain events of changes that had nothing else to deliver (a buyer's request only starts its
   * workflow), held on the order item until the next change with mail or a signal carries them.
   */
  heldEvents?: TimelineEvent[];
}

/** Which execution carries a request: `attempt` 1 is named by the request id, then `<id>-<n>`. */
export interface ExecutionRef {
  name: string;
  attempt: number;
  startedAt: string;
  /** Set by the workflow's catch-all when the execution gave up. */
  failedAt?: string;
  error?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque; null when there are no more items. */
  nextCursor: string | null;
}

/** An entry of the buyer's list: the order, and what its requests tell about the buyer's options. */
export interface OrderSummary extends RequestFacts {
  order: Order;
}

/** A page of the buyer's list (BuyerOrders index). */
export type OrderPage = Page<OrderSummary>;
/** A page of a seller or operator queue: each order's latest request's public view, as stored. */
export type RequestPage = Page<PublicCancellationRequest>;

/** `create` found the order already stored; the caller re-reads it and compares. */
export class OrderExistsError extends Error {
  constructor() {
    super("order already exists");
    this.name = "OrderExistsError";
  }
}

/** The stored version (or the request's status) was not the expected one: someone else won. */
export class ConflictError extends Error {
  constructor(message = "the order changed concurrently") {
    super(message);
    this.name = "ConflictError";
  }
}

/** A list cursor that is malformed or belongs to another query (maps to 400 VALIDATION_FAILED). */
export class InvalidCursorError extends Error {
  constructor(message = "invalid cursor") {
    super(message);
    this.name = "InvalidCursorError";
  }
}

/** Marshalling the store relies on: optional fields left undefined are simply not written. */
export const createDocumentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

export const orderKey = (orderId: string): { pk: string; sk: string } => ({
  pk: `${ORDER_PK_PREFIX}${orderId}`,
  sk: ORDER_SK,
});

type KeyNameOf<I extends IndexDefinition> = I["partitionKey"]["name"] | I["sortKey"]["name"];
type QueueKeyName =
  | KeyNameOf<typeof SELLER_QUEUE>
  | KeyNameOf<typeof OPERATOR_QUEUE>
  | KeyNameOf<typeof PENDING_WORK>;

/** GSI key attributes of an order item; queue keys are absent when the order is not queued. */
export type IndexKeys = Record<KeyNameOf<typeof BUYER_ORDERS>, string> &
  Partial<Record<QueueKeyName, string>>;

const INDEX_KEY_NAMES = ORDERS_TABLE.globalSecondaryIndexes.flatMap((index) => [
  index.partitionKey.name,
  index.sortKey.name,
]);

/**
 * The attributes the list indexes project (names in table.ts's LIST_ATTRIBUTES), derived from the
 * record alone like the index keys: `queueView` exactly when the order has a request, hence
 * exactly when it is in a queue.
 */
export interface ListAttributes extends RequestFacts {
  order: Order;
  queueView?: PublicCancellationRequest;
}

export const listAttributes = (record: OrderRecord): ListAttributes => {
  const latest = latestRequest(record);
  return {
    order: record.order,
    ...requestFacts(record),
    ...(latest === undefined ? {} : { queueView: toPublicRequest(latest) }),
  };
};

/** Every attribute some index reads (its keys, or what it projects), by name. */
const INDEXED_ATTRIBUTE_NAMES: readonly string[] = [...INDEX_KEY_NAMES, ...PROJECTED_ATTRIBUTES];

const indexedAttributes = (record: OrderRecord): Partial<Record<string, unknown>> => ({
  ...indexKeys(record),
  ...listAttributes(record),
});

/** An indexed attribute as the item stores it: the queue view packed small (packed-view.ts). */
const storedAttribute = (name: string, value: unknown): unknown =>
  name === LIST_ATTRIBUTES.queueView ? packView(value as PublicCancellationRequest) : value;

/** The indexed attributes as the item stores them. */
const storedIndexedAttributes = (record: OrderRecord): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(indexedAttributes(record)).map(([name, value]) => [
      name,
      storedAttribute(name, value),
    ]),
  );

/** Equal as DynamoDB stores them: map keys in any order, undefined members absent. */
const sameStoredValue = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, member: unknown) =>
    member !== null && typeof member === "object" && !Array.isArray(member)
      ? Object.fromEntries(Object.entries(member).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : member,
  );

/** Where a request sits in a queue: the deadline of its current wait, else its last change. */
export const queueTime = (request: CancellationRequest): string =>
  currentDeadline(request) ?? request.updatedAt;

export const buyerPartition = (buyerId: string): string => `BUYER#${buyerId}`;
export const sellerQueuePartition = (sellerId: string, status: RequestStatus): string =>
  `SELLER#${sellerId}#${status}`;
export const operatorQueuePartition = (status: RequestStatus): string => `OPS#${status}`;

/** FNV-1a over the id: a stable, even spread of orders over the PendingWork partitions. */
export const workShard = (orderId: string): string => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++) {
    hash = Math.imul(hash ^ orderId.charCodeAt(i), 0x01000193) >>> 0;
  }
  return `WORK#${hash % WORK_SHARDS}`;
};

/** Derives every GSI key of an order item from the record alone (used by create and save). */
export const indexKeys = (record: OrderRecord): IndexKeys => {
  const { order } = record;
  const keys: IndexKeys = {
    buyerPk: buyerPartition(order.buyerId),
    buyerSk: `${order.placedAt}#${order.orderId}`,
  };
  const latest = latestRequest(record);
  if (latest === undefined) return keys;
  const sortKey = `${queueTime(latest)}#${order.orderId}`;
  keys.sellerQueuePk = sellerQueuePartition(order.sellerId, latest.status);
  keys.sellerQueueSk = sortKey;
  // While the policy itself decides a small refund, there is nothing for an operator to do.
  const policyDecides =
    latest.status === "AWAITING_MARKETPLACE" && latest.marketplaceReview === "POLICY";
  if (!policyDecides) {
    keys.operatorQueuePk = operatorQueuePartition(latest.status);
    keys.operatorQueueSk = sortKey;
  }
  // Open requests are the reconciler's to watch until they end.
  if (isOpen(latest)) {
    keys.workShard = workShard(order.orderId);
    keys.workSince = `${latest.createdAt}#${ORDER_SK}`;
  }
  return keys;
};

/** The expressions that store a workflow task token; the state machine's DynamoDB task reuses them. */
export const TASK_TOKEN_UPDATE_EXPRESSION = "SET #taskTokens.#rid = :token";
export const TASK_TOKEN_CONDITION_EXPRESSION = "#requests.#rid.#status = :expectedStatus";

export const taskTokenNames = (requestId: string): Record<string, string> => ({
  "#taskTokens": "taskTokens",
  "#requests": "requests",
  "#status": "status",
  "#rid": requestId,
});

/** UpdateItem parameters storing `token` only while the request is still in `expectedStatus`. */
export const taskTokenUpdate = (input: {
  tableName: string;
  orderId: string;
  requestId: string;
  token: string;
  expectedStatus: RequestStatus;
}): UpdateCommandInput => ({
  TableName: input.tableName,
  Key: orderKey(input.orderId),
  UpdateExpression: TASK_TOKEN_UPDATE_EXPRESSION,
  ConditionExpression: TASK_TOKEN_CONDITION_EXPRESSION,
  ExpressionAttributeNames: taskTokenNames(input.requestId),
  ExpressionAttributeValues: { ":token": input.token, ":expectedStatus": input.expectedStatus },
});

/** A rendered email, ready for SES. Recipients come from the order record only. */
export interface OutboxMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** The signal that ends a request's current wait (SendTaskSuccess or SendTaskFailure). */
export type OutboxSignal = { outcome: WaitOutcome } | { error: WaitCancelError };

/**
 * An effect of a saved change that must still reach the outside world: a mail to send, a wait
 * to end, or the change's domain events to publish. Each is its own item beside the order
 * (`OUTBOX#<id>`), written in the same transaction as the change, claimed before it is delivered
 * and deleted once it is; ids sort in write order. A change's events ride on its first mail or
 * signal (published just before it); an EVENTS entry holds events whose mail or signal went out
 * while they could not.
 */
export type OutboxEntry = { id: string; requestId: string; events?: TimelineEvent[] } & (
  | { kind: "MAIL"; mail: OutboxMail }
  | { kind: "SIGNAL"; signal: OutboxSignal }
  | { kind: "EVENTS" }
);

/** An outbox entry as stored, with its delivery bookkeeping. */
export type StoredOutboxEntry = OutboxEntry & {
  orderId: string;
  createdAt: string;
  /** Delivery attempts so far, this one included once claimed. */
  attempts: number;
  /** Set once delivery was given up (the entry then leaves the PendingWork index). */
  failedAt?: string;
};

const outboxKey = (orderId: string, id: string) => ({
  pk: `${ORDER_PK_PREFIX}${orderId}`,
  sk: `${OUTBOX_SK_PREFIX}${id}`,
});

/**
 * A mail as its item stores it: recipients and subject as they are (operators and tests read
 * them), text and HTML packed into one binary `body` (mail-body.ts), so the item stays under 1 KB.
 */
interface StoredMail {
  to: string[];
  subject: string;
  body: Uint8Array;
}

/**
 * The attributes of an outbox entry's item as the store writes them. The entry's id and order id
 * are its key's (`sk` and `pk`), not written twice: every byte counts towards the 1 KB unit.
 */
/** A claim its writer takes on new outbox entries (it delivers them right after the write). */
export interface OutboxClaim {
  owner: string;
  until: string;
}

const outboxItem = (
  orderId: string,
  entry: OutboxEntry,
  createdAt: string,
  claim?: OutboxClaim,
) => {
  const { id, events, ...rest } = entry;
  return {
    ...outboxKey(orderId, id),
    ...(events?.length
      ? { events: packEvents(events, { requestId: entry.requestId, at: createdAt }) }
      : {}),
    ...(rest.kind === "MAIL"
      ? {
          ...rest,
          mail: {
            to: rest.mail.to,
            subject: rest.mail.subject,
            body: packMailBody(rest.mail),
          } satisfies StoredMail,
        }
      : rest),
    // No createdAt: workSince and the id begin with it (toOutboxEntry reads it back), and a mail
    // item stays under the 1 KB a write unit buys.
    // Claimed in the write that creates it, as claimOutbox would (its first attempt), for free.
    ...(claim ? { claimedBy: claim.owner, claimUntil: claim.until, attempts: 1 } : { attempts: 0 }),
    workShard: workShard(orderId),
    workSince: `${createdAt}#${OUTBOX_SK_PREFIX}${id}`,
  };
};

/** The mail of an item: unpacked, or as it is if written before mail was packed. */
const toOutboxMail = (mail: StoredMail | OutboxMail): OutboxMail => {
  if (!("body" in mail)) return mail;
  const { body, ...plain } = mail;
  return { ...plain, ...unpackMailBody(body) };
};

/** The entry an outbox item holds (items written before the above are read as well). */
const toOutboxEntry = (item: Record<string, unknown>): StoredOutboxEntry => {
  const { pk, sk, workShard: _ws, workSince, claimedBy: _c, claimUntil: _u, ...rest } = item;
  const id = String(sk).slice(OUTBOX_SK_PREFIX.length);
  const entry = {
    // From `<createdAt>#OUTBOX#<id>` while pending, else from the id, which begins with it (items
    // written before that had a createdAt of their own, which wins).
    createdAt:
      typeof workSince === "string" ? workSince.slice(0, workSince.indexOf("#")) : id.slice(0, 24),
    ...rest,
    id,
    orderId: String(pk).slice(ORDER_PK_PREFIX.length),
  } as StoredOutboxEntry;
  const events = entry.events as unknown;
  if (events instanceof Uint8Array) {
    const { orderId, requestId, createdAt: at } = entry;
    entry.events = unpackEvents(events, { orderId, requestId, at });
  }
  return entry.kind === "MAIL" ? { ...entry, mail: toOutboxMail(entry.mail) } : entry;
};

/** A key of the PendingWork index: an order to check, or an outbox entry to deliver. */
export type PendingWork =
  | { kind: "ORDER"; orderId: string; since: string }
  | { kind: "OUTBOX"; orderId: string; id: string; since: string };

/** The attributes a read needs: never `taskTokens`, which only getTaskToken returns. */
interface RecordItem {
  order: Order;
  requests?: Record<string, CancellationRequest>;
  version: number;
  executions?: Record<string, ExecutionRef>;
  heldEvents?: Uint8Array;
}

const toRecord = (item: RecordItem): OrderRecord => ({
  order: item.order,
  requests: item.requests ?? {},
});

const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === "ConditionalCheckFailedException";

/** A transaction cancelled because its first action's (the order's) condition failed. */
const isTransactionConflict = (error: unknown): boolean =>
  error instanceof Error &&
  error.name === "TransactionCanceledException" &&
  (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons?.[0]?.Code ===
    "ConditionalCheckFailed";

type ExclusiveStartKey = Record<string, string>;

/** A queue entry: the latest request's public view, packed (or, written before packing, a map). */
const queueEntry = (item: Record<string, unknown>): PublicCancellationRequest | undefined => {
  const stored = item[LIST_ATTRIBUTES.queueView];
  if (stored instanceof Uint8Array) return unpackView(stored);
  return stored as PublicCancellationRequest | undefined;
};

const encodeCursor = (index: IndexDefinition, key: ExclusiveStartKey): string =>
  Buffer.from(JSON.stringify({ i: index.indexName, k: key }), "utf8").toString("base64url");

/** The key of one page's last item, which is where DynamoDB continues from. */
const pageKey = (index: IndexDefinition, item: Record<string, unknown>): ExclusiveStartKey => {
  const key: ExclusiveStartKey = {};
  for (const name of ["pk", "sk", index.partitionKey.name, index.sortKey.name]) {
    const value = item[name];
    if (typeof value !== "string") throw new Error(`order item lacks key attribute ${name}`);
    key[name] = value;
  }
  return key;
};

/** Decodes a cursor, accepting only one made by the same query (same index and partition). */
const decodeCursor = (cursor: string, index: IndexDefinition, partition: string) => {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) throw new InvalidCursorError();
  // Node's decoder skips bad characters, so check the alphabet and that it round-trips.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  const bytes = Buffer.from(cursor, "base64url");
  if (bytes.toString("base64url") !== cursor) throw new InvalidCursorError();
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new InvalidCursorError();
  }
  const keyValue = z.string().check(z.minLength(1), z.maxLength(400));
  const schema = z.strictObject({
    i: z.literal(index.indexName),
    k: z.strictObject({
      pk: keyValue.check(z.startsWith(ORDER_PK_PREFIX)),
      sk: z.literal(ORDER_SK),
      // The partition binds the cursor to its query: another buyer's cursor is refused.
      [index.partitionKey.name]: z.literal(partition),
      [index.sortKey.name]: keyValue,
    }),
  });
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InvalidCursorError();
  return parsed.data.k;
};

export class OrderStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async get(orderId: string): Promise<StoredOrder | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: orderKey(orderId),
        ConsistentRead: true,
        ProjectionExpression: "#order, #requests, #version, #executions, #heldEvents",
        ExpressionAttributeNames: {
          "#order": "order",
          "#requests": "requests",
          "#version": "version",
          "#executions": "executions",
          "#heldEvents": "heldEvents",
        },
      }),
    );
    const item = result.Item as RecordItem | undefined;
    if (item === undefined) return undefined;
    const { executions, heldEvents } = item;
    return {
      record: toRecord(item),
      version: item.version,
      ...(executions && Object.keys(executions).length > 0 ? { executions } : {}),
      ...(heldEvents ? { heldEvents: unpackEvents(heldEvents, { orderId }) } : {}),
    };
  }

  /** Stores a new order at version 1; throws OrderExistsError if the id is taken. */
  async create(record: OrderRecord): Promise<StoredOrder> {
    const version = 1;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...orderKey(record.order.orderId),
            version,
            requests: record.requests,
            // Created here so `SET taskTokens.<id>` and `SET executions.<id>` have a map to write into.
            taskTokens: {},
            executions: {},
            // The index keys and the list attributes, the order among them.
            ...storedIndexedAttributes(record),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new OrderExistsError();
      throw error;
    }
    return { record, version };
  }

  /**
   * Replaces the order and its requests if the item is still at `stored.version`: one conditional
   * UpdateItem, so a lost race leaves nothing half-written. `taskTokens` and `executions` are never
   * touched, so what the workflow stores meanwhile survives. `outbox` entries are written with the
   * change in one transaction: the change and its effects are saved together or not at all.
   * `stored.record` must be the record as read (or saved) at `stored.version`: the index keys and
   * list attributes are written only where `next` changes them.
   */
  async save(
    stored: StoredOrder,
    next: OrderRecord,
    outbox: readonly OutboxEntry[] = [],
    now: string = new Date().toISOString(),
    /** Written claimed by the caller, who delivers them next (see OutboxClaim). */
    claim?: OutboxClaim,
    /** Events to hold on the item (StoredOrder.heldEvents); [] clears them, undefined keeps them. */
    held?: readonly TimelineEvent[],
  ): Promise<StoredOrder> {
    const orderId = stored.record.order.orderId;
    if (next.order.orderId !== orderId) {
      throw new Error(`cannot save order ${next.order.orderId} over order ${orderId}`);
    }
    const version = stored.version + 1;
    const names: Record<string, string> = { "#requests": "requests", "#version": "version" };
    const values: Record<string, unknown> = {
      ":requests": next.requests,
      ":next": version,
      ":expected": stored.version,
    };
    const set = ["#requests = :requests", "#version = :next"];
    const remove: string[] = [];
    // DynamoDB writes (and bills) an index only when the item's key or a projected attribute in it
    // changes. The item at `stored.version` holds the values derived from `stored.record` (every
    // write derives them from its record), so what is left alone here is exactly what is unchanged:
    // a change no list shows leaves every list index alone.
    const before = indexedAttributes(stored.record);
    const after = indexedAttributes(next);
    for (const name of INDEXED_ATTRIBUTE_NAMES) {
      const value = after[name];
      if (value === undefined) {
        if (before[name] === undefined) continue;
        names[`#${name}`] = name;
        remove.push(`#${name}`);
      } else if (before[name] === undefined || !sameStoredValue(before[name], value)) {
        names[`#${name}`] = name;
        set.push(`#${name} = :${name}`);
        values[`:${name}`] = storedAttribute(name, value);
      }
    }
    if (held?.length) {
      names["#heldEvents"] = "heldEvents";
      set.push("#heldEvents = :heldEvents");
      values[":heldEvents"] = packEvents(held);
    } else if (held && stored.heldEvents?.length) {
      names["#heldEvents"] = "heldEvents";
      remove.push("#heldEvents");
    }
    const update = {
      TableName: this.tableName,
      Key: orderKey(orderId),
      UpdateExpression: `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`,
      ConditionExpression: "#version = :expected",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    try {
      await this.updateWithOutbox(orderId, update, outbox, now, claim);
    } catch (error) {
      if (isConditionFailure(error) || isTransactionConflict(error)) throw new ConflictError();
      throw error;
    }
    const heldEvents = held ?? stored.heldEvents ?? [];
    return {
      record: next,
      version,
      ...(stored.executions ? { executions: stored.executions } : {}),
      ...(heldEvents.length > 0 ? { heldEvents: [...heldEvents] } : {}),
    };
  }

  /**
   * One conditional update, and the outbox entries it brings (new items) in the same transaction:
   * all or nothing. The SDK reuses a transaction's ClientRequestToken on its retries, so a retried
   * transaction whose first try was applied succeeds instead of failing its condition.
   */
  private async updateWithOutbox(
    orderId: string,
    update: UpdateCommandInput & { UpdateExpression: string },
    entries: readonly OutboxEntry[],
    now: string,
    claim?: OutboxClaim,
  ): Promise<void> {
    if (entries.length === 0) {
      await this.client.send(new UpdateCommand(update));
      return;
    }
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: update },
          ...entries.map((entry) => ({
            Put: {
              TableName: this.tableName,
              Item: outboxItem(orderId, entry, now, claim),
              ConditionExpression: "attribute_not_exists(pk)",
            },
          })),
        ],
      }),
    );
  }

  /** The order's outbox entries not yet delivered nor given up, oldest first. */
  async pendingOutbox(orderId: string): Promise<StoredOutboxEntry[]> {
    const entries: StoredOutboxEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          FilterExpression: "attribute_exists(workShard)",
          ExpressionAttributeValues: {
            ":pk": `${ORDER_PK_PREFIX}${orderId}`,
            ":prefix": OUTBOX_SK_PREFIX,
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      entries.push(...(result.Items ?? []).map(toOutboxEntry));
      start = result.LastEvaluatedKey;
    } while (start);
    return entries;
  }

  /** Outbox entries that were given up on, oldest first (for operators and tests). */
  async failedOutbox(orderId: string): Promise<StoredOutboxEntry[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        FilterExpression: "attribute_exists(failedAt)",
        ExpressionAttributeValues: {
          ":pk": `${ORDER_PK_PREFIX}${orderId}`,
          ":prefix": OUTBOX_SK_PREFIX,
        },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map(toOutboxEntry);
  }

  /**
   * Claims an outbox entry for `owner` until `leaseSeconds` from `now`, counting the attempt.
   * Undefined when it is delivered, given up, or claimed by someone else whose lease still runs:
   * so two flushes never deliver the same entry at once.
   */
  async claimOutbox(
    orderId: string,
    id: string,
    owner: string,
    now: string,
    leaseSeconds: number,
  ): Promise<StoredOutboxEntry | undefined> {
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(orderId, id),
          UpdateExpression: "SET claimedBy = :owner, claimUntil = :until ADD attempts :one",
          ConditionExpression:
            "attribute_exists(workShard) AND (attribute_not_exists(claimUntil) OR claimUntil < :now OR claimedBy = :owner)",
          ExpressionAttributeValues: {
            ":owner": owner,
            ":until": new Date(Date.parse(now) + leaseSeconds * 1000).toISOString(),
            ":now": now,
            ":one": 1,
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return result.Attributes ? toOutboxEntry(result.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Deletes a delivered entry (only while `owner` holds it; already gone is fine). */
  async completeOutbox(orderId: string, id: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: outboxKey(orderId, id),
          ConditionExpression: "claimedBy = :owner",
          ExpressionAttributeValues: { ":owner": owner },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Gives a claim back after a failed delivery, so the next flush may try again at once. */
  async releaseOutbox(orderId: string, id: string, owner: string, error: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(orderId, id),
          UpdateExpression: "SET lastError = :error REMOVE claimUntil, claimedBy",
          ConditionExpression: "claimedBy = :owner",
          ExpressionAttributeValues: { ":owner": owner, ":error": error },
        }),
      );
    } catch (caught) {
      if (!isConditionFailure(caught)) throw caught;
    }
  }

  /**
   * Keeps only the events of an entry whose own mail or signal went out while its events could
   * not be published: it becomes an EVENTS entry, released for a later try of those alone.
   */
  async keepOutboxEvents(orderId: string, id: string, owner: string, error: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: outboxKey(orderId, id),
          UpdateExpression:
            "SET #kind = :events, lastError = :error REMOVE #mail, #signal, claimUntil, claimedBy",
          ConditionExpression: "claimedBy = :owner",
          // Names, not words: DynamoDB reserves a long list of words (SIGNAL among them).
          ExpressionAttributeNames: { "#kind": "kind", "#mail": "mail", "#signal": "signal" },
          ExpressionAttributeValues: { ":owner": owner, ":error": error, ":events": "EVENTS" },
        }),
      );
    } catch (caught) {
      if (!isConditionFailure(caught)) throw caught;
    }
  }

  /** Gives up on an entry: kept for the record, out of the PendingWork index. */
  async failOutbox(
    orderId: string,
    id: string,
    owner: string,
    error: string,
    now: string,
    /** Written in the same transaction: a given-up entry is never left without its alert. */
    alert?: OutboxEntry,
  ): Promise<boolean> {
    const update = {
      TableName: this.tableName,
      Key: outboxKey(orderId, id),
      UpdateExpression:
        "SET failedAt = :now, lastError = :error REMOVE claimUntil, claimedBy, workShard, workSince",
      ConditionExpression: "claimedBy = :owner",
      ExpressionAttributeValues: { ":owner": owner, ":error": error, ":now": now },
    };
    try {
      await this.updateWithOutbox(orderId, update, alert ? [alert] : [], now);
      return true;
    } catch (caught) {
      if (isConditionFailure(caught) || isTransactionConflict(caught)) return false;
      throw caught;
    }
  }

  /**
   * Records that `next` now carries a request, if the one on record is still `expected` (absent
   * means the first execution, named by the request id): two reconcilers never both resume it.
   */
  async claimExecution(
    orderId: string,
    requestId: string,
    expected: ExecutionRef | undefined,
    next: ExecutionRef,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(orderId),
          UpdateExpression: "SET #executions.#rid = :next",
          ConditionExpression: expected
            ? "#executions.#rid.#name = :expectedName"
            : "attribute_exists(pk) AND attribute_not_exists(#executions.#rid)",
          ExpressionAttributeNames: {
            "#executions": "executions",
            "#rid": requestId,
            ...(expected ? { "#name": "name" } : {}),
          },
          ExpressionAttributeValues: {
            ":next": next,
            ...(expected ? { ":expectedName": expected.name } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The workflow's catch-all: marks execution `name` of a request as having given up. */
  async recordExecutionFailure(
    orderId: string,
    requestId: string,
    name: string,
    error: string,
    now: string,
  ): Promise<void> {
    const names = { "#executions": "executions", "#rid": requestId };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(orderId),
          UpdateExpression:
            "SET #executions.#rid.#failedAt = :now, #executions.#rid.#error = :error",
          ConditionExpression: "#executions.#rid.#name = :name",
          ExpressionAttributeNames: {
            ...names,
            "#name": "name",
            "#failedAt": "failedAt",
            "#error": "error",
          },
          ExpressionAttributeValues: { ":now": now, ":error": error, ":name": name },
        }),
      );
      return;
    } catch (caught) {
      if (!isConditionFailure(caught)) throw caught;
    }
    // The first execution has no entry yet (it is named by the request id): record it so.
    if (name !== requestId) return;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(orderId),
          UpdateExpression: "SET #executions.#rid = :first",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(#executions.#rid)",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ":first": { name, attempt: 1, startedAt: now, failedAt: now, error },
          },
        }),
      );
    } catch (caught) {
      // Another execution carries the request by now: this one's failure no longer matters.
      if (!isConditionFailure(caught)) throw caught;
    }
  }

  /**
   * One page of a PendingWork partition, oldest first, up to (not including) `before`: keys only,
   * each still to be read and checked by the caller.
   */
  async pendingWork(
    shard: string,
    before: string,
    startKey?: Record<string, unknown>,
  ): Promise<{ items: PendingWork[]; next?: Record<string, unknown> }> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: PENDING_WORK.indexName,
        KeyConditionExpression: "workShard = :shard AND workSince < :before",
        ExpressionAttributeValues: { ":shard": shard, ":before": before },
        ExclusiveStartKey: startKey,
        Limit: 100,
      }),
    );
    const items = (result.Items ?? []).flatMap((item): PendingWork[] => {
      const pk = String(item.pk);
      const sk = String(item.sk);
      const since = String(item.workSince).split("#")[0] ?? "";
      if (!pk.startsWith(ORDER_PK_PREFIX)) return [];
      const orderId = pk.slice(ORDER_PK_PREFIX.length);
      if (sk === ORDER_SK) return [{ kind: "ORDER", orderId, since }];
      if (sk.startsWith(OUTBOX_SK_PREFIX)) {
        return [{ kind: "OUTBOX", orderId, id: sk.slice(OUTBOX_SK_PREFIX.length), since }];
      }
      return [];
    });
    return { items, ...(result.LastEvaluatedKey ? { next: result.LastEvaluatedKey } : {}) };
  }

  /** Stores the workflow's task token while the request is in `expectedStatus` (else ConflictError). */
  async putTaskToken(
    orderId: string,
    requestId: string,
    token: string,
    expectedStatus: RequestStatus,
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand(
          taskTokenUpdate({ tableName: this.tableName, orderId, requestId, token, expectedStatus }),
        ),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError(`request is not ${expectedStatus}`);
      }
      throw error;
    }
  }

  async getTaskToken(orderId: string, requestId: string): Promise<string | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: orderKey(orderId),
        ConsistentRead: true,
        ProjectionExpression: "#taskTokens.#rid",
        ExpressionAttributeNames: { "#taskTokens": "taskTokens", "#rid": requestId },
      }),
    );
    const tokens = (result.Item as { taskTokens?: Record<string, unknown> } | undefined)
      ?.taskTokens;
    const token = tokens?.[requestId];
    return typeof token === "string" ? token : undefined;
  }

  /**
   * Removes a request's task token; with `expectedToken`, only if it is still that token, so
   * clearing after SendTaskSuccess cannot erase the token of the workflow's next wait.
   * Returns whether a token was removed.
   */
  async clearTaskToken(
    orderId: string,
    requestId: string,
    expectedToken?: string,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(orderId),
          UpdateExpression: "REMOVE #taskTokens.#rid",
          ConditionExpression:
            expectedToken === undefined
              ? "attribute_exists(#taskTokens.#rid)"
              : "#taskTokens.#rid = :token",
          ExpressionAttributeNames: { "#taskTokens": "taskTokens", "#rid": requestId },
          ...(expectedToken === undefined
            ? {}
            : { ExpressionAttributeValues: { ":token": expectedToken } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** A buyer's orders, newest `placedAt` first, as the BuyerOrders index holds them. */
  listBuyerOrders(buyerId: string, page: PageRequest): Promise<OrderPage> {
    return this.query(BUYER_ORDERS, buyerPartition(buyerId), false, page, (item) => ({
      order: item.order as Order,
      requestCount: item.requestCount as number,
      hasActiveRequest: item.hasActiveRequest as boolean,
    }));
  }

  /** A seller's orders whose latest request is in `status`, soonest deadline first. */
  listSellerQueue(
    sellerId: string,
    status: RequestStatus,
    page: PageRequest,
  ): Promise<RequestPage> {
    return this.query(SELLER_QUEUE, sellerQueuePartition(sellerId, status), true, page, queueEntry);
  }

  /** Orders whose latest request is in `status` and needs (or had) an operator, soonest first. */
  listOperatorQueue(status: RequestStatus, page: PageRequest): Promise<RequestPage> {
    return this.query(OPERATOR_QUEUE, operatorQueuePartition(status), true, page, queueEntry);
  }

  /** One page of `partition` of a list index: the keys and what the index projects, no more. */
  private async query<T>(
    index: IndexDefinition,
    partition: string,
    forward: boolean,
    page: PageRequest,
    entry: (item: Record<string, unknown>) => T | undefined,
  ): Promise<Page<T>> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE_LIMIT) {
      throw new RangeError(`page limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
    }
    const start =
      page.cursor === undefined ? undefined : decodeCursor(page.cursor, index, partition);
    const projected = index.projection.type === "INCLUDE" ? index.projection.attributes : [];
    // One item more than asked tells whether another page exists, so the last page's nextCursor
    // is null instead of pointing at an empty page.
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: "#ipk = :partition",
        ProjectionExpression: [
          "#pk",
          "#sk",
          "#ipk",
          "#isk",
          ...projected.map((_, i) => `#a${i}`),
        ].join(", "),
        ExpressionAttributeNames: {
          "#pk": "pk",
          "#sk": "sk",
          "#ipk": index.partitionKey.name,
          "#isk": index.sortKey.name,
          ...Object.fromEntries(projected.map((name, i) => [`#a${i}`, name])),
        },
        ExpressionAttributeValues: { ":partition": partition },
        ScanIndexForward: forward,
        Limit: page.limit + 1,
        ExclusiveStartKey: start,
      }),
    );
    const items = (result.Items ?? []) as Record<string, unknown>[];
    const entries = (shown: Record<string, unknown>[]) =>
      shown.flatMap((item) => {
        const value = entry(item);
        return value === undefined ? [] : [value];
      });
    if (items.length > page.limit) {
      const shown = items.slice(0, page.limit);
      const last = shown[shown.length - 1] as Record<string, unknown>;
      return { items: entries(shown), nextCursor: encodeCursor(index, pageKey(index, last)) };
    }
    // Fewer items than asked for can still leave more behind (a Query reads at most 1 MB).
    const next = result.LastEvaluatedKey;
    return {
      items: entries(items),
      nextCursor: next === undefined ? null : encodeCursor(index, pageKey(index, next)),
    };
  }
}
