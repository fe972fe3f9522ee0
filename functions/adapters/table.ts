// The orders table, declared once: the CDK stack and local mode / tests both derive from this.
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/** DynamoDB scalar key types; the values equal CDK's `AttributeType` enum values. */
export type KeyType = "S" | "N" | "B";

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** ALL copies whole items (a list page is one Query); KEYS_ONLY copies just the keys. */
  readonly projection: "ALL" | "KEYS_ONLY";
}

export const BUYER_ORDERS_INDEX = "BuyerOrders";
export const SELLER_QUEUE_INDEX = "SellerQueue";
export const OPERATOR_QUEUE_INDEX = "OperatorQueue";
export const PENDING_WORK_INDEX = "PendingWork";

/** Buyer history: `BUYER#<buyerId>`, sorted by `<placedAt>#<orderId>` (read newest first). */
export const BUYER_ORDERS = {
  indexName: BUYER_ORDERS_INDEX,
  partitionKey: { name: "buyerPk", type: "S" },
  sortKey: { name: "buyerSk", type: "S" },
  projection: "ALL",
} as const satisfies IndexDefinition;

/** Sparse: `SELLER#<sellerId>#<status>`, sorted by `<deadline>#<orderId>` (soonest first). */
export const SELLER_QUEUE = {
  indexName: SELLER_QUEUE_INDEX,
  partitionKey: { name: "sellerQueuePk", type: "S" },
  sortKey: { name: "sellerQueueSk", type: "S" },
  projection: "ALL",
} as const satisfies IndexDefinition;

/** Sparse: `OPS#<status>`, sorted by `<deadline>#<orderId>` (soonest first). */
export const OPERATOR_QUEUE = {
  indexName: OPERATOR_QUEUE_INDEX,
  partitionKey: { name: "operatorQueuePk", type: "S" },
  sortKey: { name: "operatorQueueSk", type: "S" },
  projection: "ALL",
} as const satisfies IndexDefinition;

/**
 * Sparse, keys only: what the reconciler must look at. An order item is in it while its latest
 * request is open; an outbox item (mail or a signal not yet delivered) until it is delivered or
 * given up. `WORK#<shard>` spreads the writes; sorted by `<since>#…` so a Query can skip the
 * newest (still being handled by whoever wrote them).
 */
export const PENDING_WORK = {
  indexName: PENDING_WORK_INDEX,
  partitionKey: { name: "workShard", type: "S" },
  sortKey: { name: "workSince", type: "S" },
  projection: "KEYS_ONLY",
} as const satisfies IndexDefinition;

/** Partitions of the PendingWork index; the reconciler queries each. */
export const WORK_SHARDS = 8;

/**
 * One item per order (`ORDER#<orderId>` / `ORDER`), and beside it in the same partition its
 * outbox items (`OUTBOX#<id>`); the list GSIs project ALL attributes so a list page is a single
 * Query. CDK: `new TableV2(this, id, { partitionKey, sortKey,
 * globalSecondaryIndexes })` with each `type` cast to `AttributeType` (same string values).
 */
export const ORDERS_TABLE = {
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
  globalSecondaryIndexes: [BUYER_ORDERS, SELLER_QUEUE, OPERATOR_QUEUE, PENDING_WORK],
} as const satisfies {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  globalSecondaryIndexes: readonly IndexDefinition[];
};

/** `CreateTableCommand` input for local mode and tests (on-demand, like the deployed table). */
export const createTableInput = (tableName: string): CreateTableCommandInput => {
  const { partitionKey, sortKey, globalSecondaryIndexes } = ORDERS_TABLE;
  const keys: KeyAttribute[] = [
    partitionKey,
    sortKey,
    ...globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: "HASH" },
      { AttributeName: sortKey.name, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: globalSecondaryIndexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: "HASH" },
        { AttributeName: index.sortKey.name, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
};

/**
 * The payment provider's ledger (the default adapter's): one item per refund key, in a table of
 * its own so that only the refund function can write it.
 */
export const REFUNDS_TABLE = {
  partitionKey: { name: "refundId", type: "S" },
} as const satisfies { partitionKey: KeyAttribute };

export const createRefundsTableInput = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: REFUNDS_TABLE.partitionKey.name, AttributeType: "S" }],
  KeySchema: [{ AttributeName: REFUNDS_TABLE.partitionKey.name, KeyType: "HASH" }],
});
