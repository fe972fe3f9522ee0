// A seller's performance counters on DynamoDB: items of the orders table beside the orders, keyed
// `SELLERMETRICS#<sellerId>` / `<YYYY-MM-DD>#<shard>`, each counter a flat number named as
// domain/seller-counters.ts names it (readable as it is in the DynamoDB console). A change adds to
// them with ADD in its own transaction (orders.ts, with `counterUpdates`); the metrics routes read
// a window with one Query. Each seller-day is spread over a few items by order id, so a busy
// seller's changes made at once do not all contend for one item inside their transactions.
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import type { SellerCounters } from "../../app/ports.ts";
import {
  COUNTER_NAMES,
  type CounterIncrement,
  type CounterName,
  type Counters,
} from "../../domain/seller-counters.ts";
import type { DayCounters } from "../../domain/seller-metrics.ts";
import { type DynamoDBDocumentClient, QueryCommand } from "../sdk.ts";
import { shardOf } from "./order-item.ts";

/** Items per seller-day: an order's changes always go to the same one (its id picks it). */
export const COUNTER_SHARDS = 4;

export const COUNTER_PK_PREFIX = "SELLERMETRICS#";

export const counterPartition = (sellerId: string): string => `${COUNTER_PK_PREFIX}${sellerId}`;

export const counterKey = (sellerId: string, day: string, shard: number) => ({
  pk: counterPartition(sellerId),
  sk: `${day}#${shard}`,
});

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/**
 * One Update per counter item the increments touch: ADD of each count (an item or a counter that
 * does not exist yet starts at 0), on the shard of the order that changed.
 */
export const counterUpdates = (
  tableName: string,
  orderId: string,
  increments: readonly CounterIncrement[],
): TransactItem[] =>
  increments.map(({ sellerId, day, counts }) => {
    const entries = Object.entries(counts);
    return {
      Update: {
        TableName: tableName,
        Key: counterKey(sellerId, day, shardOf(orderId, COUNTER_SHARDS)),
        UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(", ")}`,
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(
          entries.map(([, value], i) => [`:c${i}`, value]),
        ),
      },
    };
  });

const KNOWN: ReadonlySet<string> = new Set(COUNTER_NAMES);

export class DynamoSellerCounters implements SellerCounters {
  constructor(private readonly options: { client: DynamoDBDocumentClient; tableName: string }) {}

  /** One Query of the seller's partition, from the first shard of `from` to the last of `to`. */
  async days(sellerId: string, from: string, to: string): Promise<DayCounters[]> {
    const byDay = new Map<string, Counters>();
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
          ExpressionAttributeNames: { "#pk": "pk", "#sk": "sk" },
          // `#` sorts before the shard digits, `~` after them.
          ExpressionAttributeValues: {
            ":pk": counterPartition(sellerId),
            ":from": `${from}#`,
            ":to": `${to}#~`,
          },
          // A change shows in the figures as soon as its write is acknowledged.
          ConsistentRead: true,
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      for (const item of result.Items ?? []) {
        const day = String(item.sk).split("#")[0] ?? "";
        const counts = byDay.get(day) ?? {};
        for (const [name, value] of Object.entries(item)) {
          if (!KNOWN.has(name) || typeof value !== "number") continue;
          const counter = name as CounterName;
          counts[counter] = (counts[counter] ?? 0) + value;
        }
        byDay.set(day, counts);
      }
      start = result.LastEvaluatedKey;
    } while (start);
    return [...byDay.entries()].map(([day, counts]) => ({ day, counts }));
  }
}
