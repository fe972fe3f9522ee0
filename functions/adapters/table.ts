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
}

export const BUYER_ORDERS_INDEX = "BuyerOrders";
export const SELLER_QUEUE_INDEX = "SellerQueue";
export const OPERATOR_QUEUE_INDEX = "OperatorQueue";

/** Buyer history: `BUYER#<buyerId>`, sorted by `<placedAt>#<orderId>` (read newest first). */
export const BUYER_ORDERS = {
  indexName: BUYER_ORDERS_INDEX,
  partitionKey: { name: "buyerPk", type: "S" },
  sortKey: { name: "buyerSk", type: "S" },
} as const satisfies IndexDefinition;

/** Sparse: `SELLER#<sellerId>#<status>`, sorted by `<deadline>#<orderId>` (soonest first). */
export const SELLER_QUEUE = {
  indexName: SELLER_QUEUE_INDEX,
  partitionKey: { name: "sellerQueuePk", type: "S" },
  sortKey: { name: "sellerQueueSk", type: "S" },
} as const satisfies IndexDefinition;

/** Sparse: `OPS#<status>`, sorted by `<deadline>#<orderId>` (soonest first). */
export const OPERATOR_QUEUE = {
  indexName: OPERATOR_QUEUE_INDEX,
  partitionKey: { name: "operatorQueuePk", type: "S" },
  sortKey: { name: "operatorQueueSk", type: "S" },
} as const satisfies IndexDefinition;

/**
 * One item per order (`ORDER#<orderId>` / `ORDER`); every GSI projects ALL attributes so a list
 * page is a single Query. CDK: `new TableV2(this, id, { partitionKey, sortKey,
 * globalSecondaryIndexes })` with each `type` cast to `AttributeType` (same string values).
 */
export const ORDERS_TABLE = {
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
  globalSecondaryIndexes: [BUYER_ORDERS, SELLER_QUEUE, OPERATOR_QUEUE],
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
      Projection: { ProjectionType: "ALL" },
    })),
  };
};
