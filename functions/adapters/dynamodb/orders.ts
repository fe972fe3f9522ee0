// The orders repository on DynamoDB: one item per order, so every change is one conditional
// UpdateItem on its version, with the index keys and list attributes it changes (and only those)
// in the same write. A change that adds to its seller's counters (domain/seller-counters.ts) is
// one transaction instead: the order's conditional write and an ADD on each counter item it
// touches (seller-counters.ts), so the counters are exact: written with the change, or not at all.
import type { PutCommandInput } from "@aws-sdk/lib-dynamodb";
import { ConflictError, OrderExistsError } from "../../app/errors.ts";
import type { Orders, StoredOrder } from "../../app/ports.ts";
import { type CounterIncrement, counterChanges } from "../../domain/seller-counters.ts";
import type { OrderRecord } from "../../domain/types.ts";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "../sdk.ts";
import {
  INDEXED_ATTRIBUTE_NAMES,
  indexedAttributes,
  newOrderItem,
  ORDER_ITEM_ATTRIBUTES,
  orderKey,
  sameStoredValue,
  toStoredOrder,
} from "./order-item.ts";
import { counterUpdates } from "./seller-counters.ts";

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === "ConditionalCheckFailedException";

/** Why a transaction was cancelled, one code per item in order (`None`: not that item). */
const cancellationCodes = (error: unknown): string[] | undefined =>
  error instanceof Error && error.name === "TransactionCanceledException"
    ? ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
        (reason) => reason.Code ?? "None",
      )
    : undefined;

/** The order's own condition failed in a transaction (the order is its first item). */
const isOrderConditionFailure = (error: unknown): boolean =>
  cancellationCodes(error)?.[0] === "ConditionalCheckFailed";

/**
 * Another transaction held an item this write needed at that moment (a transaction cancelled
 * for it, or a plain write refused during one): nothing was written.
 */
const isTransactionConflict = (error: unknown): boolean =>
  (error instanceof Error && error.name === "TransactionConflictException") ||
  (cancellationCodes(error)?.includes("TransactionConflict") ?? false);

/** The order item's conditional update, alone or as a transaction's first item. */
interface OrderUpdate {
  TableName: string;
  Key: Record<string, string>;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/** How often an import is tried while a transaction holds its seller-day's counter item. */
const CREATE_ATTEMPTS = 3;

/** Whether `next` moved some request's status: a wait held on it may need waking. */
const movedAStatus = (before: OrderRecord, next: OrderRecord): boolean =>
  Object.values(next.requests).some(
    (request) => before.requests[request.requestId]?.status !== request.status,
  );

export class DynamoOrders implements Orders {
  constructor(private readonly options: { client: DynamoDBDocumentClient; tableName: string }) {}

  async get(orderId: string): Promise<StoredOrder | undefined> {
    const result = await this.options.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: orderKey(orderId),
        ConsistentRead: true,
        ProjectionExpression: ORDER_ITEM_ATTRIBUTES.map((_, i) => `#a${i}`).join(", "),
        ExpressionAttributeNames: Object.fromEntries(
          ORDER_ITEM_ATTRIBUTES.map((name, i) => [`#a${i}`, name]),
        ),
      }),
    );
    return result.Item === undefined ? undefined : toStoredOrder(result.Item);
  }

  /** The new order's conditional put, with its counters (its seller's orders) in a transaction. */
  async create(record: OrderRecord): Promise<StoredOrder> {
    const { client, tableName } = this.options;
    const put: PutCommandInput = {
      TableName: tableName,
      Item: newOrderItem(record),
      ConditionExpression: "attribute_not_exists(pk)",
    };
    const increments = counterChanges(undefined, record);
    const counters = counterUpdates(tableName, record.order.orderId, increments);
    for (let attempt = 1; ; attempt++) {
      try {
        if (counters.length === 0) await client.send(new PutCommand(put));
        else
          await client.send(
            new TransactWriteCommand({ TransactItems: [{ Put: put }, ...counters] }),
          );
        return { record, version: 1, waits: {}, executions: {} };
      } catch (error) {
        if (isConditionFailure(error) || isOrderConditionFailure(error)) {
          throw new OrderExistsError();
        }
        if (!isTransactionConflict(error)) throw error;
        // Nothing was written: once more (the same order imported at once then finds it there).
        if (attempt >= CREATE_ATTEMPTS) throw transactionConflict();
      }
    }
  }

  /**
   * One conditional UpdateItem: the requests, the version, and the indexed attributes that `next`
   * changes (the item at `stored.version` holds those derived from `stored.record`, so what is left
   * alone is exactly what is unchanged, and a change no list shows writes no index). `waits` and
   * `executions` are the workflow's and are never touched, but for `endWait`. The item comes back
   * as the write left it (ALL_NEW costs no capacity). A change that adds to its seller's counters
   * is one transaction with them instead (`saveWithCounters`).
   */
  async save(
    stored: StoredOrder,
    next: OrderRecord,
    options: { endWait?: string } = {},
  ): Promise<StoredOrder> {
    const orderId = stored.record.order.orderId;
    if (next.order.orderId !== orderId) {
      throw new Error(`cannot save order ${next.order.orderId} over order ${orderId}`);
    }
    const names: Record<string, string> = { "#requests": "requests", "#version": "version" };
    const values: Record<string, unknown> = {
      ":requests": next.requests,
      ":next": stored.version + 1,
      ":expected": stored.version,
    };
    const set = ["#requests = :requests", "#version = :next"];
    const remove: string[] = [];
    // The order's own notices: written when they change (marks of its parcel's mail and events).
    if (
      next.orderNotices !== undefined &&
      !sameStoredValue(next.orderNotices, stored.record.orderNotices)
    ) {
      names["#orderNotices"] = "orderNotices";
      set.push("#orderNotices = :orderNotices");
      values[":orderNotices"] = next.orderNotices;
    }
    // The audit chain's head (`audit`, moved by every write that adds timeline entries) is one
    // of the indexed attributes below: the AuditHeads index projects it.
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
        values[`:${name}`] = value;
      }
    }
    if (options.endWait !== undefined) {
      names["#waits"] = "waits";
      names["#endWait"] = options.endWait;
      remove.push("#waits.#endWait");
    }
    const update: OrderUpdate = {
      TableName: this.options.tableName,
      Key: orderKey(orderId),
      UpdateExpression: `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`,
      ConditionExpression: "#version = :expected",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    const increments = counterChanges(stored.record, next);
    if (increments.length > 0)
      return this.saveWithCounters(stored, next, update, increments, options);
    try {
      const result = await this.options.client.send(
        new UpdateCommand({ ...update, ReturnValues: "ALL_NEW" }),
      );
      const saved = toStoredOrder(result.Attributes ?? {});
      // The record as this writer knows it (DynamoDB keeps no map order); the rest as stored.
      return { ...saved, record: next };
    } catch (error) {
      // Refused while a transaction held the item: nothing was written, as for a lost race.
      if (isConditionFailure(error) || isTransactionConflict(error)) throw new ConflictError();
      throw error;
    }
  }

  /**
   * The order's conditional update and the ADD of each counter item, in one TransactWriteItems.
   * A cancelled transaction wrote nothing: for the order's condition, or a conflict with another
   * transaction on one of its items, it is the ConflictError of a lost race (changeOrder and the
   * workflow's segment decide again on a fresh read).
   *
   * Transactions return no item (no ALL_NEW), so the waits and executions are worked out: when
   * the change moved a request's status, they are read once more after the write (a consistent
   * GetItem of those two attributes), because a wait stored between the caller's read and this
   * write must be woken by the caller, as ALL_NEW would have shown it; a wait begun after the
   * write holds the new status and needs nothing. Otherwise (nothing a wait could be woken for)
   * they are the ones `stored` held, less the wait this save ended. The read costs a read unit
   * or two, on the few writes of a request's life that end it, answer it or time it out.
   */
  private async saveWithCounters(
    stored: StoredOrder,
    next: OrderRecord,
    update: OrderUpdate,
    increments: CounterIncrement[],
    options: { endWait?: string },
  ): Promise<StoredOrder> {
    const { client, tableName } = this.options;
    const orderId = next.order.orderId;
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [{ Update: update }, ...counterUpdates(tableName, orderId, increments)],
        }),
      );
    } catch (error) {
      if (isOrderConditionFailure(error) || isTransactionConflict(error)) {
        throw new ConflictError();
      }
      throw error;
    }
    const waits = { ...stored.waits };
    if (options.endWait !== undefined) delete waits[options.endWait];
    const known = { waits, executions: stored.executions };
    return {
      record: next,
      version: stored.version + 1,
      ...(movedAStatus(stored.record, next) ? await this.workflowState(orderId, known) : known),
    };
  }

  /** The item's waits and executions as they are now (`fallback` if they cannot be read). */
  private async workflowState(
    orderId: string,
    fallback: Pick<StoredOrder, "waits" | "executions">,
  ): Promise<Pick<StoredOrder, "waits" | "executions">> {
    try {
      const result = await this.options.client.send(
        new GetCommand({
          TableName: this.options.tableName,
          Key: orderKey(orderId),
          ConsistentRead: true,
          ProjectionExpression: "#waits, #executions",
          ExpressionAttributeNames: { "#waits": "waits", "#executions": "executions" },
        }),
      );
      const { waits, executions } = toStoredOrder({ version: 0, ...result.Item });
      return { waits, executions };
    } catch {
      // The change is written: a wait this read could not tell of is the reconciler's to wake.
      return fallback;
    }
  }
}

/** A conflict that outlasted the tries: nothing was written, the call may be repeated (503). */
const transactionConflict = (): Error =>
  Object.assign(new Error("a transaction kept conflicting with another"), {
    name: "TransactionConflictException",
  });
