// The AuditHeads index: the orders by the UTC hour of the write that last extended their audit
// chain, each hour in AUDIT_HEAD_SHARDS partitions; a window is read hour by hour, every shard of
// an hour at once, each partition paged.
import type { AuditHeads, SealedHead } from "../../app/ports.ts";
import type { AuditHead } from "../../domain/types.ts";
import { type DynamoDBDocumentClient, QueryCommand } from "../sdk.ts";
import { auditHeadsPartition, ORDER_PK_PREFIX } from "./order-item.ts";
import { AUDIT_HEAD_SHARDS, AUDIT_HEADS } from "./table.ts";

const HOUR_MS = 3_600_000;

/** The UTC hours (`YYYY-MM-DDTHH`) from `after`'s through `upTo`'s. */
export const hoursBetween = (after: string, upTo: string): string[] => {
  const hours: string[] = [];
  const last = Math.floor(Date.parse(upTo) / HOUR_MS);
  for (let hour = Math.floor(Date.parse(after) / HOUR_MS); hour <= last; hour++) {
    hours.push(new Date(hour * HOUR_MS).toISOString().slice(0, 13));
  }
  return hours;
};

export class DynamoAuditHeads implements AuditHeads {
  /** Queries sent so far (each page is one). */
  queries = 0;

  constructor(
    private readonly options: {
      client: DynamoDBDocumentClient;
      tableName: string;
      /** Items per page (tests); DynamoDB's own 1 MB pages otherwise. */
      pageSize?: number;
    },
  ) {}

  async changedBetween(after: string, upTo: string): Promise<SealedHead[]> {
    const heads: SealedHead[] = [];
    for (const hour of hoursBetween(after, upTo)) {
      const shards = Array.from({ length: AUDIT_HEAD_SHARDS }, (_, shard) =>
        this.partition(auditHeadsPartition(hour, shard), after, upTo),
      );
      for (const found of await Promise.all(shards)) heads.push(...found);
    }
    return heads;
  }

  /** One partition's orders whose chain last grew in (`after`, `upTo`], every page. */
  private async partition(pk: string, after: string, upTo: string): Promise<SealedHead[]> {
    const heads: SealedHead[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: AUDIT_HEADS.indexName,
          KeyConditionExpression: "#pk = :pk",
          // Not `after` itself: a write at exactly that time was in the window before.
          FilterExpression: "#audit.#writtenAt > :after AND #audit.#writtenAt <= :upTo",
          ExpressionAttributeNames: {
            "#pk": AUDIT_HEADS.partitionKey.name,
            "#audit": "audit",
            "#writtenAt": "writtenAt",
          },
          ExpressionAttributeValues: { ":pk": pk, ":after": after, ":upTo": upTo },
          ExclusiveStartKey: start,
          Limit: this.options.pageSize,
        }),
      );
      this.queries++;
      for (const item of result.Items ?? []) {
        const audit = item.audit as AuditHead | undefined;
        const orderId = String(item.pk).slice(ORDER_PK_PREFIX.length);
        if (audit !== undefined) heads.push({ orderId, seq: audit.seq, head: audit.head });
      }
      start = result.LastEvaluatedKey;
    } while (start !== undefined);
    return heads;
  }
}
