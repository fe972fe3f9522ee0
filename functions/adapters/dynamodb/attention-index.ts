// The reconciler's index (PendingWork): the orders that have an open request or something still
// to send, sparse and keys only, in WORK_SHARDS partitions, oldest first.
import type { Attention, AttentionIndex } from "../../app/ports.ts";
import { type DynamoDBDocumentClient, QueryCommand } from "../sdk.ts";
import { ORDER_PK_PREFIX, ORDER_SK, workPartition } from "./order-item.ts";
import { PENDING_WORK, WORK_SHARDS } from "./table.ts";

export class DynamoAttentionIndex implements AttentionIndex {
  readonly shards = WORK_SHARDS;

  constructor(private readonly options: { client: DynamoDBDocumentClient; tableName: string }) {}

  /** One page of a shard, oldest first, up to (not including) `before`. */
  async page(
    shard: number,
    before: string,
    start?: Record<string, unknown>,
  ): Promise<{ items: Attention[]; next?: Record<string, unknown> }> {
    const result = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        IndexName: PENDING_WORK.indexName,
        KeyConditionExpression: "workShard = :shard AND workSince < :before",
        ExpressionAttributeValues: { ":shard": workPartition(shard), ":before": before },
        ExclusiveStartKey: start,
        Limit: 100,
      }),
    );
    const items = (result.Items ?? []).flatMap((item): Attention[] => {
      const pk = String(item.pk);
      if (!pk.startsWith(ORDER_PK_PREFIX) || item.sk !== ORDER_SK) return [];
      const since = String(item.workSince).split("#")[0] ?? "";
      return [{ orderId: pk.slice(ORDER_PK_PREFIX.length), since }];
    });
    return { items, ...(result.LastEvaluatedKey ? { next: result.LastEvaluatedKey } : {}) };
  }
}
