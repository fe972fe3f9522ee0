// The orders repository on DynamoDB: one item per order, so every change is one conditional
// UpdateItem on its version, with the index keys and list attributes it changes (and only those)
// in the same write.
import type { UpdateCommandInput } from "@aws-sdk/lib-dynamodb";
import { ConflictError, OrderExistsError } from "../../app/errors.ts";
import type { Orders, StoredOrder } from "../../app/ports.ts";
import type { OrderRecord } from "../../domain/types.ts";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "../sdk.ts";
import {
  INDEXED_ATTRIBUTE_NAMES,
  indexedAttributes,
  newOrderItem,
  ORDER_ITEM_ATTRIBUTES,
  orderKey,
  sameStoredValue,
  toStoredOrder,
} from "./order-item.ts";

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === "ConditionalCheckFailedException";

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

  async create(record: OrderRecord): Promise<StoredOrder> {
    try {
      await this.options.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: newOrderItem(record),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new OrderExistsError();
      throw error;
    }
    return { record, version: 1, waits: {}, executions: {} };
  }

  /**
   * One conditional UpdateItem: the requests, the version, and the indexed attributes that `next`
   * changes (the item at `stored.version` holds those derived from `stored.record`, so what is left
   * alone is exactly what is unchanged, and a change no list shows writes no index). `waits` and
   * `executions` are the workflow's and are never touched, but for `endWait`. The item comes back
   * as the write left it (ALL_NEW costs no capacity).
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
    const update: UpdateCommandInput = {
      TableName: this.options.tableName,
      Key: orderKey(orderId),
      UpdateExpression: `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`,
      ConditionExpression: "#version = :expected",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: "ALL_NEW",
    };
    try {
      const result = await this.options.client.send(new UpdateCommand(update));
      const saved = toStoredOrder(result.Attributes ?? {});
      // The record as this writer knows it (DynamoDB keeps no map order); the rest as stored.
      return { ...saved, record: next };
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError();
      throw error;
    }
  }
}
