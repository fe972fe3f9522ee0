// The orders table, declared once: the CDK stack and local mode / tests both derive from this.
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/** DynamoDB scalar key types; the values equal CDK's `AttributeType` enum values. */
export type KeyType = "S" | "N" | "B";

export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

/**
 * What an index copies besides the keys (the table's and its own). DynamoDB writes to an index
 * only when an item enters or leaves it, or when its index key or a projected attribute changes:
 * so an index projects only what its Query returns, and every other change of the item costs
 * the table's write units only.
 */
export type Projection =
  | { readonly type: "KEYS_ONLY" }
  | { readonly type: "INCLUDE"; readonly attributes: readonly string[] };

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly projection: Projection;
}

export const BUYER_ORDERS_INDEX = "BuyerOrders";
export const SELLER_QUEUE_INDEX = "SellerQueue";
export const OPERATOR_QUEUE_INDEX = "OperatorQueue";
export const PENDING_WORK_INDEX = "PendingWork";
export const REFUND_INQUIRIES_INDEX = "RefundInquiries";
export const SELLER_PARCELS_INDEX = "SellerParcels";
export const AUDIT_HEADS_INDEX = "AuditHeads";

/**
 * The attributes the list indexes project, written on the order item in the same conditional
 * write as the change they summarize (see `indexedAttributes` in order-item.ts):
 * - `order`: the order itself (every field of it is in the buyer's list);
 * - `requestCount`, `hasActiveRequest`: the two facts about its requests that the buyer's list
 *   needs to work out `cancellationOption` (which also depends on the time of the read);
 * - `queueSummary`: the order's latest request as the seller and operator queues list it (a
 *   summary without its timeline: views.ts `toRequestSummary`), a plain map of well under 1 KB
 *   for a usual order (at most three lines named, the longest texts cut short);
 * - `openInquiries`: the order's open refund inquiries as operators list them (views.ts
 *   `openRefundInquiries`), present only while one is open;
 * - `parcelSummary`: the order's entry in its seller's parcels list (parcel-views.ts
 *   `parcelSummaryOf`), present only while the order has cancelled units in a parcel not yet
 *   back with the seller; well under 1 KB for a usual order (at most three lines named);
 * - `audit`: where the order's audit chain ends (`{ seq, head, writtenAt }`, audit.ts), present
 *   once an entry is chained: what the hourly seal reads.
 */
export const LIST_ATTRIBUTES = {
  order: "order",
  requestCount: "requestCount",
  hasActiveRequest: "hasActiveRequest",
  queueSummary: "queueSummary",
  openInquiries: "openInquiries",
  parcelSummary: "parcelSummary",
  audit: "audit",
} as const;

/** Buyer history: `BUYER#<buyerId>`, sorted by `<placedAt>#<orderId>` (read newest first). */
export const BUYER_ORDERS = {
  indexName: BUYER_ORDERS_INDEX,
  partitionKey: { name: "buyerPk", type: "S" },
  sortKey: { name: "buyerSk", type: "S" },
  projection: {
    type: "INCLUDE",
    attributes: [
      LIST_ATTRIBUTES.order,
      LIST_ATTRIBUTES.requestCount,
      LIST_ATTRIBUTES.hasActiveRequest,
    ],
  },
} as const satisfies IndexDefinition;

/** Sparse: `SELLER#<sellerId>#<status>`, sorted by `<deadline>#<orderId>` (soonest first). */
export const SELLER_QUEUE = {
  indexName: SELLER_QUEUE_INDEX,
  partitionKey: { name: "sellerQueuePk", type: "S" },
  sortKey: { name: "sellerQueueSk", type: "S" },
  projection: { type: "INCLUDE", attributes: [LIST_ATTRIBUTES.queueSummary] },
} as const satisfies IndexDefinition;

/**
 * Sparse: `OPS#<status>#<shard>`, sorted by `<deadline>#<orderId>` (soonest first). Every order
 * passes through it, and terminal statuses keep their orders: so each status is spread over
 * OPERATOR_QUEUE_SHARDS partitions (by order id), and a list page merges them (order-lists.ts).
 */
export const OPERATOR_QUEUE = {
  indexName: OPERATOR_QUEUE_INDEX,
  partitionKey: { name: "operatorQueuePk", type: "S" },
  sortKey: { name: "operatorQueueSk", type: "S" },
  projection: { type: "INCLUDE", attributes: [LIST_ATTRIBUTES.queueSummary] },
} as const satisfies IndexDefinition;

/** Partitions of each status of the operator queue (docs/design.md, "Capacity"). */
export const OPERATOR_QUEUE_SHARDS = 8;

/**
 * Sparse, keys only: the orders the reconciler must look at, while one of their requests is open
 * or has mail or events still to send (notices.ts `attentionSince`). `WORK#<shard>` spreads the
 * writes; sorted by `<since>#<orderId>`, oldest first.
 */
export const PENDING_WORK = {
  indexName: PENDING_WORK_INDEX,
  partitionKey: { name: "workShard", type: "S" },
  sortKey: { name: "workSince", type: "S" },
  projection: { type: "KEYS_ONLY" },
} as const satisfies IndexDefinition;

/** Partitions of the PendingWork index; the reconciler queries each. */
export const WORK_SHARDS = 8;

/**
 * Sparse: the orders with an open refund inquiry, in one partition (`INQUIRY#OPEN`: a broken
 * promise is rare, and each order enters and leaves once per inquiry), sorted by
 * `<oldest openedAt>#<orderId>`, the longest waiting first.
 */
export const REFUND_INQUIRIES = {
  indexName: REFUND_INQUIRIES_INDEX,
  partitionKey: { name: "inquiryPk", type: "S" },
  sortKey: { name: "inquirySk", type: "S" },
  projection: { type: "INCLUDE", attributes: [LIST_ATTRIBUTES.openInquiries] },
} as const satisfies IndexDefinition;

/**
 * Sparse: `PARCEL#<sellerId>#<status>`, the orders with cancelled units whose parcel is not yet
 * back with the seller (IN_TRANSIT, REFUSED, RETURNING or DELIVERED), sorted by
 * `<parcel.updatedAt>#<orderId>`, the longest out first. An order enters it when a cancellation
 * completes on a shipped order, moves when the carrier reports its parcel, is rewritten when its
 * cancelled units, its return or its latest request change, and leaves once the parcel is
 * RETURNED: other changes of the order write nothing here.
 */
export const SELLER_PARCELS = {
  indexName: SELLER_PARCELS_INDEX,
  partitionKey: { name: "sellerParcelsPk", type: "S" },
  sortKey: { name: "sellerParcelsSk", type: "S" },
  projection: { type: "INCLUDE", attributes: [LIST_ATTRIBUTES.parcelSummary] },
} as const satisfies IndexDefinition;

/**
 * Sparse: the orders by the hour of the write that last extended their audit chain, so the
 * hourly seal reads the orders changed in a window without a scan. `AUDIT#<YYYY-MM-DDTHH>#<shard>`
 * (the UTC hour of `audit.writtenAt`; every chain write of the marketplace goes to the newest
 * hour, so it is spread over AUDIT_HEAD_SHARDS partitions by order id), sorted by order id. An
 * order is only in the partition of its last chain write: a write that adds timeline entries
 * moves the entry when the hour changed and otherwise rewrites its projected `audit` in place
 * (one index write unit); no other write touches it. The sealer filters an hour's entries by
 * `audit.writtenAt`.
 */
export const AUDIT_HEADS = {
  indexName: AUDIT_HEADS_INDEX,
  partitionKey: { name: "auditHeadsPk", type: "S" },
  sortKey: { name: "auditHeadsSk", type: "S" },
  projection: { type: "INCLUDE", attributes: [LIST_ATTRIBUTES.audit] },
} as const satisfies IndexDefinition;

/** Partitions of each hour of the AuditHeads index; the sealer queries each. */
export const AUDIT_HEAD_SHARDS = 8;

/**
 * One item per order (`ORDER#<orderId>` / `ORDER`); each list GSI projects the few attributes its
 * list returns, so a list page is a single Query per partition and a change no list shows costs
 * no index write. The table's stream (new and old images) lets the pipe start each new request's
 * workflow. CDK: `new TableV2(this, id, { partitionKey, sortKey, globalSecondaryIndexes })` with
 * each `type` cast to `AttributeType` (same string values), see `cdkProjection` in infra/stack.ts.
 */
export const ORDERS_TABLE = {
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
  globalSecondaryIndexes: [
    BUYER_ORDERS,
    SELLER_QUEUE,
    OPERATOR_QUEUE,
    PENDING_WORK,
    REFUND_INQUIRIES,
    SELLER_PARCELS,
    AUDIT_HEADS,
  ],
} as const satisfies {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  globalSecondaryIndexes: readonly IndexDefinition[];
};

/**
 * The orders table's TTL attribute (epoch seconds): only decision links have it
 * (decision-links.ts), so DynamoDB deletes each link a while after it expired; no order item has it.
 */
export const TIME_TO_LIVE_ATTRIBUTE = "purgeAt";

/** Every non-key attribute some index projects: what the store must keep exact on the item. */
export const PROJECTED_ATTRIBUTES: readonly string[] = [
  ...new Set(
    ORDERS_TABLE.globalSecondaryIndexes.flatMap((index: IndexDefinition) =>
      index.projection.type === "INCLUDE" ? index.projection.attributes : [],
    ),
  ),
];

const projectionInput = (projection: Projection) =>
  projection.type === "INCLUDE"
    ? { ProjectionType: "INCLUDE" as const, NonKeyAttributes: [...projection.attributes] }
    : { ProjectionType: "KEYS_ONLY" as const };

/** `CreateTableCommand` input for local mode and tests (on-demand with a stream, as deployed). */
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
    StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
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
      Projection: projectionInput(index.projection),
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
