// The lists people read, each a Query per partition of an index holding only what the list
// returns: the buyer's orders, a seller's queue, the operators' queue (whose statuses are
// spread over shards: a page merges them by their sort key), the open refund inquiries, and a
// seller's parcels (a partition per parcel status, merged the same way).
import type { OrderLists, OrderSummary, Page, PageRequest } from "../../app/ports.ts";
import {
  type OutParcelStatus,
  orderedParcelSummary,
  type ParcelSummary,
} from "../../domain/parcel-views.ts";
import type { Order, RequestStatus } from "../../domain/types.ts";
import {
  type CancellationRequestSummary,
  orderedInquiry,
  orderedSummary,
  type RefundInquirySummary,
} from "../../domain/views.ts";
import { type DynamoDBDocumentClient, QueryCommand } from "../sdk.ts";
import { decodeCursor, encodeCursor, type Positions, pageKey, type StartKey } from "./cursors.ts";
import {
  buyerPartition,
  INQUIRY_PARTITION,
  operatorQueuePartition,
  sellerParcelsPartition,
  sellerQueuePartition,
} from "./order-item.ts";
import {
  BUYER_ORDERS,
  type IndexDefinition,
  LIST_ATTRIBUTES,
  OPERATOR_QUEUE,
  OPERATOR_QUEUE_SHARDS,
  REFUND_INQUIRIES,
  SELLER_PARCELS,
  SELLER_QUEUE,
} from "./table.ts";

/** Largest page served; the HTTP layer allows at most 100. */
export const MAX_PAGE_LIMIT = 1000;

type Item = Record<string, unknown>;

const summaryOf = (item: Item): CancellationRequestSummary =>
  orderedSummary(item[LIST_ATTRIBUTES.queueSummary] as CancellationRequestSummary);

export class DynamoOrderLists implements OrderLists {
  constructor(private readonly options: { client: DynamoDBDocumentClient; tableName: string }) {}

  buyerOrders(buyerId: string, page: PageRequest): Promise<Page<OrderSummary>> {
    return this.query(BUYER_ORDERS, [buyerPartition(buyerId)], false, page, (item) => ({
      order: item.order as Order,
      requestCount: item.requestCount as number,
      hasActiveRequest: item.hasActiveRequest as boolean,
    }));
  }

  sellerQueue(
    sellerId: string,
    status: RequestStatus,
    page: PageRequest,
  ): Promise<Page<CancellationRequestSummary>> {
    return this.query(
      SELLER_QUEUE,
      [sellerQueuePartition(sellerId, status)],
      true,
      page,
      summaryOf,
    );
  }

  operatorQueue(
    status: RequestStatus,
    page: PageRequest,
  ): Promise<Page<CancellationRequestSummary>> {
    const shards = Array.from({ length: OPERATOR_QUEUE_SHARDS }, (_, shard) =>
      operatorQueuePartition(status, shard),
    );
    return this.query(OPERATOR_QUEUE, shards, true, page, summaryOf);
  }

  async refundInquiries(page: PageRequest): Promise<Page<RefundInquirySummary>> {
    const orders = await this.query(REFUND_INQUIRIES, [INQUIRY_PARTITION], true, page, (item) =>
      (item[LIST_ATTRIBUTES.openInquiries] as RefundInquirySummary[]).map(orderedInquiry),
    );
    return { items: orders.items.flat(), nextCursor: orders.nextCursor };
  }

  sellerParcels(
    sellerId: string,
    statuses: readonly OutParcelStatus[],
    page: PageRequest,
  ): Promise<Page<ParcelSummary>> {
    const partitions = statuses.map((status) => sellerParcelsPartition(sellerId, status));
    return this.query(SELLER_PARCELS, partitions, true, page, (item) =>
      orderedParcelSummary(item[LIST_ATTRIBUTES.parcelSummary] as ParcelSummary),
    );
  }

  /**
   * One page of a list over `partitions` of an index, in sort-key order: each partition read from
   * where the cursor left it (one item more than asked tells whether more follow), merged, and the
   * first `limit` served. The cursor keeps each partition's position.
   */
  private async query<T>(
    index: IndexDefinition,
    partitions: readonly string[],
    forward: boolean,
    page: PageRequest,
    entry: (item: Item) => T,
  ): Promise<Page<T>> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > MAX_PAGE_LIMIT) {
      throw new RangeError(`page limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
    }
    const positions: Positions =
      page.cursor === undefined
        ? Object.fromEntries(partitions.map((partition) => [partition, {}]))
        : decodeCursor(page.cursor, index, partitions);
    const reads = await Promise.all(
      partitions.map(async (partition) => {
        const start = positions[partition];
        if (start === null || start === undefined) return { partition, items: [], more: false };
        const read = await this.read(index, partition, forward, page.limit + 1, start);
        return { partition, ...read };
      }),
    );
    const sortKey = (item: Item) => String(item[index.sortKey.name]);
    const merged = reads
      .flatMap(({ partition, items }) => items.map((item) => ({ partition, item })))
      .sort((a, b) => {
        const order =
          sortKey(a.item) < sortKey(b.item) ? -1 : sortKey(a.item) > sortKey(b.item) ? 1 : 0;
        return forward ? order : -order;
      });
    const shown = merged.slice(0, page.limit);
    // Each partition continues after the last of its items shown, or where it stood if none was.
    const next: Positions = {};
    let more = false;
    for (const { partition, items, more: partitionHasMore } of reads) {
      const lastShown = shown.filter((entry) => entry.partition === partition).at(-1);
      const unshown = items.length - shown.filter((entry) => entry.partition === partition).length;
      if (lastShown && (unshown > 0 || partitionHasMore)) {
        next[partition] = pageKey(index, lastShown.item);
      } else if (lastShown) {
        next[partition] = null;
      } else {
        next[partition] =
          items.length > 0 || partitionHasMore ? (positions[partition] ?? null) : null;
      }
      if (next[partition] !== null) more = true;
    }
    return {
      items: shown.map(({ item }) => entry(item)),
      nextCursor: more ? encodeCursor(index, next) : null,
    };
  }

  /** Up to `limit` items of one partition from `start` ({} for its beginning). */
  private async read(
    index: IndexDefinition,
    partition: string,
    forward: boolean,
    limit: number,
    start: StartKey,
  ): Promise<{ items: Item[]; more: boolean }> {
    const projected = index.projection.type === "INCLUDE" ? index.projection.attributes : [];
    const result = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: "#ipk = :partition",
        ProjectionExpression: [
          "#pk",
          "#sk",
          "#ipk",
          "#isk",
          ...projected.map((_, i) => `#a${i}`),
        ].join(", "),
        ExpressionAttributeNames: {
          "#pk": "pk",
          "#sk": "sk",
          "#ipk": index.partitionKey.name,
          "#isk": index.sortKey.name,
          ...Object.fromEntries(projected.map((name, i) => [`#a${i}`, name])),
        },
        ExpressionAttributeValues: { ":partition": partition },
        ScanIndexForward: forward,
        Limit: limit,
        ExclusiveStartKey: Object.keys(start).length > 0 ? start : undefined,
      }),
    );
    // Fewer items than asked for can still leave more behind (a Query reads at most 1 MB).
    return {
      items: (result.Items ?? []) as Item[],
      more: result.LastEvaluatedKey !== undefined,
    };
  }
}
