// The seller's decision links on DynamoDB: one item per link in the orders table, keyed by the
// SHA-256 of its id (`LINK#<hash>` / `LINK`; the id itself is never stored), with the table's TTL
// attribute so DynamoDB deletes it once it is long dead. No index key: no list ever shows a link,
// and the stream's pipe (a request opened) matches no link's write.
import type { DecisionLink, DecisionLinks } from "../../app/ports.ts";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "../sdk.ts";
import { isConditionFailure } from "./orders.ts";
import { TIME_TO_LIVE_ATTRIBUTE } from "./table.ts";

export const LINK_PK_PREFIX = "LINK#";
export const LINK_SK = "LINK";

/**
 * How long a link's item outlives its expiry: meanwhile it answers "expired" (410), not
 * "unknown" (404); then DynamoDB's TTL deletes it (within days).
 */
export const LINK_KEPT_SECONDS = 30 * 86_400;

export const linkKey = (hash: string): { pk: string; sk: string } => ({
  pk: `${LINK_PK_PREFIX}${hash}`,
  sk: LINK_SK,
});

/** The link's item: the link, its keys and when DynamoDB may delete it (epoch seconds). */
export const linkItem = (link: DecisionLink): Record<string, unknown> => ({
  ...linkKey(link.hash),
  ...link,
  [TIME_TO_LIVE_ATTRIBUTE]: Math.floor(Date.parse(link.expiresAt) / 1000) + LINK_KEPT_SECONDS,
});

const LINK_FIELDS = [
  "hash",
  "orderId",
  "requestId",
  "sellerId",
  "decision",
  "expiresAt",
  "mintedAt",
  "usedAt",
] as const;

const toLink = (item: Record<string, unknown>): DecisionLink =>
  Object.fromEntries(
    LINK_FIELDS.filter((field) => item[field] !== undefined).map((field) => [field, item[field]]),
  ) as unknown as DecisionLink;

export class DynamoDecisionLinks implements DecisionLinks {
  constructor(private readonly options: { client: DynamoDBDocumentClient; tableName: string }) {}

  async mint(link: DecisionLink): Promise<void> {
    await this.options.client.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: linkItem(link),
        // 128 random bits never repeat; if they did, the older link must not be replaced.
        ConditionExpression: "attribute_not_exists(pk)",
      }),
    );
  }

  async find(hash: string): Promise<DecisionLink | undefined> {
    const result = await this.options.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: linkKey(hash),
        // A link opened the moment its mail arrives, or right after its use, reads it as it is.
        ConsistentRead: true,
      }),
    );
    return result.Item === undefined ? undefined : toLink(result.Item);
  }

  async markUsed(hash: string, at: string): Promise<boolean> {
    try {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: linkKey(hash),
          UpdateExpression: "SET usedAt = :at",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(usedAt)",
          ExpressionAttributeValues: { ":at": at },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
