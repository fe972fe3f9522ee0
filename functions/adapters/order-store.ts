// The order store: one DynamoDB item per order (the order, its requests and a version), so every
// transition is one conditional UpdateItem; lists are Queries on sparse GSIs, never Scans.
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { currentDeadline, latestRequest } from "../domain/requests.ts";
import type { CancellationRequest, Order, OrderRecord, RequestStatus } from "../domain/types.ts";
import {
  BUYER_ORDERS,
  type IndexDefinition,
  OPERATOR_QUEUE,
  ORDERS_TABLE,
  SELLER_QUEUE,
} from "./table.ts";

export const ORDER_PK_PREFIX = "ORDER#";
export const ORDER_SK = "ORDER";
/** Longest cursor accepted: real ones stay well below it (ids are at most 128 characters). */
export const MAX_CURSOR_LENGTH = 1024;
/** Largest page the store serves; the HTTP layer allows at most 100. */
export const MAX_PAGE_LIMIT = 1000;

export interface StoredOrder {
  record: OrderRecord;
  /** The item's `version`: a save must present it, and it goes up by one with each save. */
  version: number;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface OrderPage {
  items: OrderRecord[];
  /** Opaque; null when there are no more items. */
  nextCursor: string | null;
}

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
type QueueKeyName = KeyNameOf<typeof SELLER_QUEUE> | KeyNameOf<typeof OPERATOR_QUEUE>;

/** GSI key attributes of an order item; queue keys are absent when the order is not queued. */
export type IndexKeys = Record<KeyNameOf<typeof BUYER_ORDERS>, string> &
  Partial<Record<QueueKeyName, string>>;

const INDEX_KEY_NAMES = ORDERS_TABLE.globalSecondaryIndexes.flatMap((index) => [
  index.partitionKey.name,
  index.sortKey.name,
]);

/** Where a request sits in a queue: the deadline of its current wait, else its last change. */
export const queueTime = (request: CancellationRequest): string =>
  currentDeadline(request) ?? request.updatedAt;

export const buyerPartition = (buyerId: string): string => `BUYER#${buyerId}`;
export const sellerQueuePartition = (sellerId: string, status: RequestStatus): string =>
  `SELLER#${sellerId}#${status}`;
export const operatorQueuePartition = (status: RequestStatus): string => `OPS#${status}`;

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

/**
 * A rendered email waiting to be sent. It is written in the same conditional write as the change
 * that caused it and removed once sent, so a crash between the two delays the mail, never loses it.
 */
export interface OutboxMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** An outbox entry: ids sort in the order the mail was written. */
export interface OutboxEntry {
  id: string;
  mail: OutboxMail;
}

/** The attributes a read needs: never `taskTokens`, which only getTaskToken returns. */
interface RecordItem {
  order: Order;
  requests?: Record<string, CancellationRequest>;
  version: number;
}

const toRecord = (item: RecordItem): OrderRecord => ({
  order: item.order,
  requests: item.requests ?? {},
});

const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === "ConditionalCheckFailedException";

type ExclusiveStartKey = Record<string, string>;

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
  const keyValue = z.string().min(1).max(400);
  const schema = z.strictObject({
    i: z.literal(index.indexName),
    k: z.strictObject({
      pk: keyValue.startsWith(ORDER_PK_PREFIX),
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
        ProjectionExpression: "#order, #requests, #version",
        ExpressionAttributeNames: {
          "#order": "order",
          "#requests": "requests",
          "#version": "version",
        },
      }),
    );
    const item = result.Item as RecordItem | undefined;
    return item === undefined ? undefined : { record: toRecord(item), version: item.version };
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
            order: record.order,
            requests: record.requests,
            // Created here so `SET taskTokens.<id>` and `SET outbox.<id>` always have a map to write into.
            taskTokens: {},
            outbox: {},
            ...indexKeys(record),
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
   * UpdateItem, so a lost race leaves nothing half-written. `taskTokens` is never touched, so a
   * token the workflow stores meanwhile survives. `mail` joins the outbox in the same write.
   */
  async save(
    stored: StoredOrder,
    next: OrderRecord,
    mail: readonly OutboxEntry[] = [],
  ): Promise<StoredOrder> {
    const orderId = stored.record.order.orderId;
    if (next.order.orderId !== orderId) {
      throw new Error(`cannot save order ${next.order.orderId} over order ${orderId}`);
    }
    const version = stored.version + 1;
    const names: Record<string, string> = {
      "#order": "order",
      "#requests": "requests",
      "#version": "version",
    };
    const values: Record<string, unknown> = {
      ":order": next.order,
      ":requests": next.requests,
      ":next": version,
      ":expected": stored.version,
    };
    const set = ["#order = :order", "#requests = :requests", "#version = :next"];
    mail.forEach((entry, index) => {
      names["#outbox"] = "outbox";
      names[`#mail${index}`] = entry.id;
      values[`:mail${index}`] = entry.mail;
      set.push(`#outbox.#mail${index} = :mail${index}`);
    });
    const remove: string[] = [];
    const keys: Partial<Record<string, string>> = indexKeys(next);
    for (const name of INDEX_KEY_NAMES) {
      names[`#${name}`] = name;
      const value = keys[name];
      if (value === undefined) {
        remove.push(`#${name}`);
      } else {
        set.push(`#${name} = :${name}`);
        values[`:${name}`] = value;
      }
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(orderId),
          UpdateExpression: `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`,
          ConditionExpression: "#version = :expected",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError();
      throw error;
    }
    return { record: next, version };
  }

  /** Mail written by earlier changes and not yet sent, oldest first. */
  async pendingMail(orderId: string): Promise<OutboxEntry[]> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: orderKey(orderId),
        ConsistentRead: true,
        ProjectionExpression: "#outbox",
        ExpressionAttributeNames: { "#outbox": "outbox" },
      }),
    );
    const outbox = (result.Item?.outbox ?? {}) as Record<string, OutboxMail>;
    return Object.entries(outbox)
      .map(([id, entry]) => ({ id, mail: entry }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Removes one sent mail from the outbox (removing one already gone is fine). */
  async removeMail(orderId: string, id: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: orderKey(orderId),
        UpdateExpression: "REMOVE #outbox.#id",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeNames: { "#outbox": "outbox", "#id": id },
      }),
    );
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

  /** A buyer's orders, newest `placedAt` first. */
  listBuyerOrders(buyerId: string, page: PageRequest): Promise<OrderPage> {
    return this.query(BUYER_ORDERS, buyerPartition(buyerId), false, page);
  }

  /** A seller's orders whose latest request is in `status`, soonest deadline first. */
  listSellerQueue(sellerId: string, status: RequestStatus, page: PageRequest): Promise<OrderPage> {
    return this.query(SELLER_QUEUE, sellerQueuePartition(sellerId, status), true, page);
  }

  /** Orders whose latest request is in `status` and needs (or had) an operator, soonest first. */
  listOperatorQueue(status: RequestStatus, page: PageRequest): Promise<OrderPage> {
    return this.query(OPERATOR_QUEUE, operatorQueuePartition(status), true, page);
  }

  private async query(
    index: IndexDefinition,
    partition: string,
    forward: boolean,
    page: PageRequest,
  ): Promise<OrderPage> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE_LIMIT) {
      throw new RangeError(`page limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
    }
    const start =
      page.cursor === undefined ? undefined : decodeCursor(page.cursor, index, partition);
    // One item more than asked tells whether another page exists, so the last page's nextCursor
    // is null instead of pointing at an empty page.
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: "#ipk = :partition",
        ProjectionExpression: "#pk, #sk, #ipk, #isk, #order, #requests, #version",
        ExpressionAttributeNames: {
          "#pk": "pk",
          "#sk": "sk",
          "#ipk": index.partitionKey.name,
          "#isk": index.sortKey.name,
          "#order": "order",
          "#requests": "requests",
          "#version": "version",
        },
        ExpressionAttributeValues: { ":partition": partition },
        ScanIndexForward: forward,
        Limit: page.limit + 1,
        ExclusiveStartKey: start,
      }),
    );
    const items = (result.Items ?? []) as (RecordItem & Record<string, unknown>)[];
    if (items.length > page.limit) {
      const shown = items.slice(0, page.limit);
      const last = shown[shown.length - 1] as Record<string, unknown>;
      return { items: shown.map(toRecord), nextCursor: encodeCursor(index, pageKey(index, last)) };
    }
    // Fewer items than asked for can still leave more behind (a Query reads at most 1 MB).
    const next = result.LastEvaluatedKey;
    return {
      items: items.map(toRecord),
      nextCursor: next === undefined ? null : encodeCursor(index, pageKey(index, next)),
    };
  }
}
