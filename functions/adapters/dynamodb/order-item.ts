// An order as its DynamoDB item holds it: the keys, the record (order and requests, as plain
// maps readable in the console), and the attributes the indexes read, each derived from the record
// alone and written in the same conditional write as the change: index keys, and the few plain
// attributes each list projects. Beside them, what the workflow writes itself: `waits` (a waiting
// execution's task token and the status it waits in) and `executions` (which execution carries a
// request, when the reconciler resumed it).
import type { ExecutionRef, StoredOrder, Wait } from "../../app/ports.ts";
import { requestFacts } from "../../domain/eligibility.ts";
import { attentionSince } from "../../domain/notices.ts";
import { type OutParcelStatus, parcelSummaryOf } from "../../domain/parcel-views.ts";
import { currentDeadline, latestRequest } from "../../domain/requests.ts";
import type {
  AuditHead,
  CancellationRequest,
  Order,
  OrderRecord,
  RequestNotices,
  RequestStatus,
} from "../../domain/types.ts";
import { openRefundInquiries, toRequestSummary } from "../../domain/views.ts";
import {
  AUDIT_HEAD_SHARDS,
  type AUDIT_HEADS,
  type BUYER_ORDERS,
  type IndexDefinition,
  type OPERATOR_QUEUE,
  OPERATOR_QUEUE_SHARDS,
  ORDERS_TABLE,
  type PENDING_WORK,
  PROJECTED_ATTRIBUTES,
  type REFUND_INQUIRIES,
  type SELLER_PARCELS,
  type SELLER_QUEUE,
  WORK_SHARDS,
} from "./table.ts";

export const ORDER_PK_PREFIX = "ORDER#";
export const ORDER_SK = "ORDER";

export const orderKey = (orderId: string): { pk: string; sk: string } => ({
  pk: `${ORDER_PK_PREFIX}${orderId}`,
  sk: ORDER_SK,
});

type KeyNameOf<I extends IndexDefinition> = I["partitionKey"]["name"] | I["sortKey"]["name"];
type SparseKeyName =
  | KeyNameOf<typeof SELLER_QUEUE>
  | KeyNameOf<typeof OPERATOR_QUEUE>
  | KeyNameOf<typeof PENDING_WORK>
  | KeyNameOf<typeof REFUND_INQUIRIES>
  | KeyNameOf<typeof SELLER_PARCELS>
  | KeyNameOf<typeof AUDIT_HEADS>;

/** GSI key attributes of an order item; sparse keys are absent when the order is not listed. */
export type IndexKeys = Record<KeyNameOf<typeof BUYER_ORDERS>, string> &
  Partial<Record<SparseKeyName, string>>;

export const INDEX_KEY_NAMES: readonly string[] = ORDERS_TABLE.globalSecondaryIndexes.flatMap(
  (index) => [index.partitionKey.name, index.sortKey.name],
);

/** Where a request sits in a queue: the deadline of its current wait, else its last change. */
export const queueTime = (request: CancellationRequest): string =>
  currentDeadline(request) ?? request.updatedAt;

/** FNV-1a over the id: a stable, even spread of orders over `shards` partitions. */
export const shardOf = (orderId: string, shards: number): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++) {
    hash = Math.imul(hash ^ orderId.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash % shards;
};

export const buyerPartition = (buyerId: string): string => `BUYER#${buyerId}`;
export const sellerQueuePartition = (sellerId: string, status: RequestStatus): string =>
  `SELLER#${sellerId}#${status}`;
export const operatorQueuePartition = (status: RequestStatus, shard: number): string =>
  `OPS#${status}#${shard}`;
export const workPartition = (shard: number): string => `WORK#${shard}`;
/** The one partition of the open refund inquiries. */
export const INQUIRY_PARTITION = "INQUIRY#OPEN";
export const sellerParcelsPartition = (sellerId: string, status: OutParcelStatus): string =>
  `PARCEL#${sellerId}#${status}`;
/** The AuditHeads partition of a UTC hour (`YYYY-MM-DDTHH`) and shard. */
export const auditHeadsPartition = (hour: string, shard: number): string =>
  `AUDIT#${hour}#${shard}`;

/** Every GSI key of an order item, from the record alone. */
export const indexKeys = (record: OrderRecord): IndexKeys => {
  const { order } = record;
  const keys: IndexKeys = {
    buyerPk: buyerPartition(order.buyerId),
    buyerSk: `${order.placedAt}#${order.orderId}`,
  };
  const latest = latestRequest(record);
  if (latest !== undefined) {
    const sortKey = `${queueTime(latest)}#${order.orderId}`;
    keys.sellerQueuePk = sellerQueuePartition(order.sellerId, latest.status);
    keys.sellerQueueSk = sortKey;
    // While the policy itself decides a small refund, there is nothing for an operator to do.
    const policyDecides =
      latest.status === "AWAITING_MARKETPLACE" && latest.marketplaceReview === "POLICY";
    if (!policyDecides) {
      keys.operatorQueuePk = operatorQueuePartition(
        latest.status,
        shardOf(order.orderId, OPERATOR_QUEUE_SHARDS),
      );
      keys.operatorQueueSk = sortKey;
    }
  }
  // Orders with an open request or something still to send are the reconciler's to look at.
  const since = attentionSince(record);
  if (since !== undefined) {
    keys.workShard = workPartition(shardOf(order.orderId, WORK_SHARDS));
    keys.workSince = `${since}#${order.orderId}`;
  }
  // Orders with an open refund inquiry are the operators' to answer, the longest waiting first.
  const oldestInquiry = openRefundInquiries(record)[0];
  if (oldestInquiry !== undefined) {
    keys.inquiryPk = INQUIRY_PARTITION;
    keys.inquirySk = `${oldestInquiry.openedAt}#${order.orderId}`;
  }
  // Orders with cancelled units whose parcel is not yet back: the seller's, the longest out first.
  const parcel = parcelSummaryOf(record)?.parcel;
  if (parcel !== undefined) {
    keys.sellerParcelsPk = sellerParcelsPartition(order.sellerId, parcel.status);
    keys.sellerParcelsSk = `${parcel.updatedAt}#${order.orderId}`;
  }
  // Orders by the hour their audit chain last grew: what the hourly seal reads.
  if (record.audit !== undefined) {
    const { writtenAt } = record.audit;
    keys.auditHeadsPk = auditHeadsPartition(
      writtenAt.slice(0, 13),
      shardOf(order.orderId, AUDIT_HEAD_SHARDS),
    );
    // The order id alone: within the hour the key stays put, so a later chain write only updates
    // the entry's projected head in place (one index write unit, not a delete and a put).
    keys.auditHeadsSk = order.orderId;
  }
  return keys;
};

/**
 * The attributes the list indexes project, from the record alone: `queueSummary` exactly when the
 * order has a request, hence exactly when it is in a queue; `openInquiries` exactly when it is in
 * the refund inquiries' index; `parcelSummary` exactly when it is in its seller's parcels; `audit`
 * exactly when it is in the audit heads.
 */
export const listAttributes = (record: OrderRecord): Record<string, unknown> => {
  const latest = latestRequest(record);
  const inquiries = openRefundInquiries(record);
  const parcelSummary = parcelSummaryOf(record);
  return {
    order: record.order,
    ...requestFacts(record),
    ...(latest === undefined ? {} : { queueSummary: toRequestSummary(latest, record.order) }),
    ...(inquiries.length === 0 ? {} : { openInquiries: inquiries }),
    ...(parcelSummary === undefined ? {} : { parcelSummary }),
    ...(record.audit === undefined ? {} : { audit: record.audit }),
  };
};

/** Every attribute some index reads (its keys, or what it projects), by name. */
export const INDEXED_ATTRIBUTE_NAMES: readonly string[] = [
  ...INDEX_KEY_NAMES,
  ...PROJECTED_ATTRIBUTES,
];

/** What the indexes read of an item holding `record`. */
export const indexedAttributes = (record: OrderRecord): Record<string, unknown> => ({
  ...indexKeys(record),
  ...listAttributes(record),
});

/** Equal as DynamoDB stores them: map keys in any order, undefined members absent. */
export const sameStoredValue = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, member: unknown) =>
    member !== null && typeof member === "object" && !Array.isArray(member)
      ? Object.fromEntries(Object.entries(member).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : member,
  );

/** A new order's item: version 1, no waits or executions yet, and its indexed attributes. */
export const newOrderItem = (record: OrderRecord): Record<string, unknown> => ({
  ...orderKey(record.order.orderId),
  version: 1,
  requests: record.requests,
  // Created here so that `SET waits.<id>` and `SET executions.<id>` have a map to write into.
  waits: {},
  executions: {},
  ...indexedAttributes(record),
});

/** The attributes a read needs of an order item. */
export const ORDER_ITEM_ATTRIBUTES = [
  "order",
  "requests",
  "orderNotices",
  "audit",
  "version",
  "waits",
  "executions",
];

interface OrderItem {
  order: Order;
  requests?: Record<string, CancellationRequest>;
  orderNotices?: RequestNotices;
  audit?: AuditHead;
  version: number;
  waits?: Record<string, Wait>;
  executions?: Record<string, ExecutionRef>;
}

/** The stored order an item holds. */
export const toStoredOrder = (item: Record<string, unknown>): StoredOrder => {
  const { order, requests, orderNotices, audit, version, waits, executions } =
    item as unknown as OrderItem;
  return {
    record: {
      order,
      requests: requests ?? {},
      ...(orderNotices && { orderNotices }),
      ...(audit && { audit }),
    },
    version,
    waits: waits ?? {},
    executions: executions ?? {},
  };
};
