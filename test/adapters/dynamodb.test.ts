// The DynamoDB adapters against DynamoDB Local and dynalite: the orders repository's versioned
// saves, the workflow's waits and execution records, the lists people read (the seller's parcels
// among them), the reconciler's index; and on DynamoDB Local what each write costs, index by index.
import { randomUUID } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoAttentionIndex } from "../../functions/adapters/dynamodb/attention-index.ts";
import { DynamoExecutionRecords } from "../../functions/adapters/dynamodb/execution-records.ts";
import {
  indexKeys,
  listAttributes,
  orderKey,
} from "../../functions/adapters/dynamodb/order-item.ts";
import { DynamoOrderLists } from "../../functions/adapters/dynamodb/order-lists.ts";
import { DynamoOrders } from "../../functions/adapters/dynamodb/orders.ts";
import {
  AUDIT_HEADS_INDEX,
  BUYER_ORDERS_INDEX,
  OPERATOR_QUEUE_INDEX,
  ORDERS_TABLE,
  PENDING_WORK_INDEX,
  PROJECTED_ATTRIBUTES,
  SELLER_PARCELS_INDEX,
  SELLER_QUEUE_INDEX,
} from "../../functions/adapters/dynamodb/table.ts";
import { ConflictError, InvalidCursorError, OrderExistsError } from "../../functions/app/errors.ts";
import type { Attention, OrderSummary, Page, PageRequest } from "../../functions/app/ports.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { dueMail, type NoticeMark, withMarks } from "../../functions/domain/notices.ts";
import {
  OUT_PARCEL_STATUSES,
  type ParcelSummary,
  parcelSummaryOf,
} from "../../functions/domain/parcel-views.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import { latestRequest } from "../../functions/domain/requests.ts";
import type { TrackingEventType } from "../../functions/domain/schemas.ts";
import { transition } from "../../functions/domain/transition.ts";
import type { CancellationRequest, OrderRecord } from "../../functions/domain/types.ts";
import {
  type CancellationRequestSummary,
  openRefundInquiries,
  publicOrderOf,
  toPublicOrder,
  toRequestSummary,
} from "../../functions/domain/views.ts";
import {
  complete,
  deliver,
  HOUR,
  instructRefund,
  policyApprove,
  refundSucceeded,
  requestCancellation,
  sellerApprove,
  sellerReject,
  startRefundCall,
  at as tick,
  workflowStarted,
} from "../domain/flow.ts";
import { recordWriteUnits, type WriteUnits, type WriteUnitsRecorder } from "../support/capacity.ts";
import { BACKENDS, type TestTable, useTestTable } from "../support/dynamodb.ts";
import { makeOrder } from "../support/factories.ts";
import {
  at,
  awaitingMarketplace,
  awaitingSeller,
  cancellationRequest,
  orderRecord,
  withRequest,
} from "../support/records.ts";
import { storeWait } from "../support/waits.ts";

const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

const adapters = (table: { readonly current: TestTable }) => {
  const options = { client: table.current.client, tableName: table.current.tableName };
  return {
    orders: new DynamoOrders(options),
    lists: new DynamoOrderLists(options),
    attention: new DynamoAttentionIndex(options),
    executions: new DynamoExecutionRecords(options),
  };
};

/** A shipped order (the factory's) under `orderId`, and the events a cancellation goes through. */
const shipped = (orderId: string): OrderRecord => ({
  order: makeOrder({ orderId, timeline: [] }),
  requests: {},
});

/** The record after `event` at `now` (the event must apply). */
const apply = (record: OrderRecord, event: DomainEvent, now: string): OrderRecord => {
  const result = transition(record, event, now);
  if (!result.ok) throw result.error;
  return result.record;
};

const REQ = "req-1";

/** The events of a cancellation of every unit, from the request to its completion (its times). */
const cancellation = (sellerId = "seller-1"): [DomainEvent, string][] => [
  [requestCancellation(), tick(0)],
  [workflowStarted(), tick(1)],
  [sellerApprove(sellerId), tick(HOUR)],
  [policyApprove(), tick(HOUR + 1)],
  [instructRefund(), tick(2 * HOUR)],
  [startRefundCall(), tick(2 * HOUR)],
  [refundSucceeded(), tick(3 * HOUR)],
  [complete(), tick(3 * HOUR + 1)],
];

/** `record` with every unit cancelled by a completed request: its parcel still in transit. */
const cancelled = (record: OrderRecord): OrderRecord =>
  cancellation(record.order.sellerId).reduce(
    (next, [event, now]) => apply(next, event, now),
    record,
  );

/**
 * A whole-order cancellation completed and the parcel delivered anyway (the order's timeline:
 * CANCELLED, DELIVERED_AFTER_CANCELLATION), with every mail and event of its request marked sent:
 * the order's own notices are what is left to send.
 */
const keptAfterCancellation = (orderId: string): OrderRecord => {
  const kept = apply(cancelled(shipped(orderId)), deliver(tick(4 * HOUR)), tick(4 * HOUR));
  return withMarks(
    kept,
    Object.values(kept.requests).flatMap((request): NoticeMark[] => [
      { kind: "PUBLISHED", requestId: request.requestId, through: request.timeline.length },
      ...dueMail(request).map(
        (due): NoticeMark => ({
          kind: "MAIL_SENT",
          requestId: request.requestId,
          key: due.key,
          at: tick(4 * HOUR),
        }),
      ),
    ]),
  );
};

const orderMailSent = (key: string, at: string): NoticeMark => ({
  kind: "MAIL_SENT",
  requestId: REQ,
  key,
  at,
});

/** The carrier's word on the parcel at `now` (the time it reports). */
const track = (event: TrackingEventType, now: string): DomainEvent => ({
  type: "TRACK_PARCEL",
  actor: "carrier-1",
  event,
  at: now,
});

type ListEntry = OrderSummary | CancellationRequestSummary | ParcelSummary;
const orderIdOf = (entry: ListEntry): string =>
  "order" in entry ? entry.order.orderId : entry.orderId;

/** Reads every page with the given limits (cycled), asserting each page respects its limit. */
const readAll = async (
  list: (page: PageRequest) => Promise<Page<ListEntry>>,
  limits: number[],
): Promise<{ ids: string[]; pages: number }> => {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const limit = limits[pages % limits.length] ?? 10;
    const page = await list(cursor === undefined ? { limit } : { limit, cursor });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map(orderIdOf));
    if (page.nextCursor === null) return { ids, pages };
    cursor = page.nextCursor;
    if (pages > 1000) throw new Error("paging does not end");
  }
};

/** GSIs are eventually consistent: polls until `probe` answers `expected`. */
const eventuallyEqual = async <T>(probe: () => Promise<T>, expected: T) => {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await probe();
    try {
      expect(value).toEqual(expected);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
};

describe.each(BACKENDS)("DynamoDB adapters on %s", (backend) => {
  const table = useTestTable(backend);

  describe("the orders repository", () => {
    it("creates and reads back an order, with no waits or executions yet", async () => {
      const { orders } = adapters(table);
      const orderId = uid("o");
      const record = orderRecord({ orderId }, [awaitingSeller(orderId, 48)]);
      const expected = { record, version: 1, waits: {}, executions: {} };
      await expect(orders.create(record)).resolves.toEqual(expected);
      await expect(orders.get(orderId)).resolves.toEqual(expected);
      await expect(orders.get(uid("missing"))).resolves.toBeUndefined();
    });

    it("refuses to create an order twice and keeps the first", async () => {
      const { orders } = adapters(table);
      const orderId = uid("o");
      const first = orderRecord({ orderId });
      await orders.create(first);
      const second = orderRecord({ orderId, buyerId: "someone-else" });
      await expect(orders.create(second)).rejects.toBeInstanceOf(OrderExistsError);
      await expect(orders.get(orderId)).resolves.toMatchObject({ record: first, version: 1 });
    });

    it("saves a change, bumps the version and answers the order as the write left it", async () => {
      const { orders } = adapters(table);
      const orderId = uid("o");
      const stored = await orders.create(orderRecord({ orderId }));
      const next = withRequest(stored.record, awaitingSeller(orderId, 48));
      const saved = await orders.save(stored, next);
      expect(saved).toEqual({ record: next, version: 2, waits: {}, executions: {} });
      await expect(orders.get(orderId)).resolves.toEqual(saved);
    });

    it("refuses a stale version and leaves the item untouched", async () => {
      const { orders, lists } = adapters(table);
      const orderId = uid("o");
      const v1 = await orders.create(orderRecord({ orderId }));
      const v2 = await orders.save(v1, withRequest(v1.record, awaitingSeller(orderId, 48)));
      const stale = withRequest(v1.record, {
        ...awaitingSeller(orderId, 99),
        status: "WITHDRAWN",
      });
      await expect(orders.save(v1, stale)).rejects.toBeInstanceOf(ConflictError);
      await expect(orders.get(orderId)).resolves.toEqual(v2);
      const queue = await lists.sellerQueue("seller-1", "WITHDRAWN", { limit: 100 });
      expect(queue.items.map((r) => r.orderId)).not.toContain(orderId);
    });

    it("lets exactly one of ten concurrent changes from the same version win", async () => {
      const { orders } = adapters(table);
      const orderId = uid("o");
      const stored = await orders.create(orderRecord({ orderId }, [awaitingSeller(orderId, 48)]));
      const request = stored.record.requests[`${orderId}-r1`] as CancellationRequest;
      const candidates = Array.from({ length: 10 }, (_, i) =>
        withRequest(stored.record, {
          ...request,
          status: i % 2 === 0 ? "WITHDRAWN" : "AWAITING_MARKETPLACE",
          updatedAt: at(2 + i),
          timeline: [...request.timeline, { at: at(2 + i), type: "WITHDRAWN", actor: `a-${i}` }],
        }),
      );
      const results = await Promise.allSettled(candidates.map((next) => orders.save(stored, next)));
      const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
      expect(won).toHaveLength(1);
      for (const result of results) {
        if (result.status === "rejected") expect(result.reason).toBeInstanceOf(ConflictError);
      }
      const winner = candidates[won[0] as number] as OrderRecord;
      await expect(orders.get(orderId)).resolves.toMatchObject({ record: winner, version: 2 });
    });
  });

  describe("the order's own notices", () => {
    it("are written when they change and read back with the order, absent until then", async () => {
      const { orders } = adapters(table);
      const orderId = uid("o");
      const kept = keptAfterCancellation(orderId);
      expect(kept.order.timeline.map((entry) => entry.type)).toEqual([
        "CANCELLED",
        "DELIVERED_AFTER_CANCELLATION",
      ]);
      const stored = await orders.create(kept);
      const first = await orders.get(orderId);
      expect(first?.record).toEqual(kept);
      expect(first?.record).not.toHaveProperty("orderNotices");
      const marked = withMarks(kept, [
        { kind: "ORDER_PUBLISHED", through: 2 },
        orderMailSent("order.1.BUYER_RETURN_INSTRUCTIONS", tick(4 * HOUR + 1)),
      ]);
      // Only the order's notices change.
      expect(marked.requests).toBe(kept.requests);
      expect(marked.order).toBe(kept.order);
      const saved = await orders.save(stored, marked);
      expect(saved).toMatchObject({ record: marked, version: 2 });
      const read = await orders.get(orderId);
      expect(read?.record.orderNotices).toEqual({
        mail: { "order.1.BUYER_RETURN_INSTRUCTIONS": tick(4 * HOUR + 1) },
        published: 2,
      });
      expect(read).toEqual({ record: marked, version: 2, waits: {}, executions: {} });

      // More marks add up; a save of another change keeps them.
      const more = withMarks(marked, [orderMailSent("order.1.SELLER_PARCEL_KEPT", tick(5 * HOUR))]);
      const again = await orders.save(saved, more);
      const later = apply(more, track("RETURNING_TO_SENDER", tick(6 * HOUR)), tick(6 * HOUR));
      await orders.save(again, later);
      const last = await orders.get(orderId);
      expect(last?.record.orderNotices).toEqual({
        mail: {
          "order.1.BUYER_RETURN_INSTRUCTIONS": tick(4 * HOUR + 1),
          "order.1.SELLER_PARCEL_KEPT": tick(5 * HOUR),
        },
        published: 2,
      });
      expect(last?.record).toEqual(later);
    });
  });

  describe("waits and executions", () => {
    it("stores a wait only while the request is in its status, as the wait states do", async () => {
      const { orders } = adapters(table);
      const orderId = uid("o");
      const requestId = `${orderId}-r1`;
      await orders.create(orderRecord({ orderId }, [awaitingSeller(orderId, 48)]));
      await expect(
        storeWait(table.current, orderId, requestId, "t", "AWAITING_MARKETPLACE"),
      ).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
      await expect(
        storeWait(table.current, orderId, "no-such-request", "t", "AWAITING_SELLER"),
      ).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
      await storeWait(table.current, orderId, requestId, "t-1", "AWAITING_SELLER");
      await expect(orders.get(orderId)).resolves.toMatchObject({
        version: 1,
        waits: { [requestId]: { token: "t-1", status: "AWAITING_SELLER" } },
      });
    });

    it("keeps a wait across the API's save (no conflict) and answers it with the saved order", async () => {
      const { orders } = adapters(table);
      const orderId = uid("o");
      const requestId = `${orderId}-r1`;
      const stored = await orders.create(orderRecord({ orderId }, [awaitingSeller(orderId, 48)]));
      // The wait begins after the API read the order: its save still wins (a wait is no version).
      await storeWait(table.current, orderId, requestId, "t-1", "AWAITING_SELLER");
      const request = stored.record.requests[requestId] as CancellationRequest;
      const saved = await orders.save(
        stored,
        withRequest(stored.record, awaitingMarketplace(request, "OPERATOR", 72)),
      );
      expect(saved.waits).toEqual({ [requestId]: { token: "t-1", status: "AWAITING_SELLER" } });
      // The workflow's own step ends the wait in its write.
      const ended = await orders.save(saved, saved.record, { endWait: requestId });
      expect(ended.waits).toEqual({});
      await expect(orders.get(orderId)).resolves.toMatchObject({ waits: {}, version: 3 });
    });

    it("forgets a wait only while it holds the same token", async () => {
      const { orders, executions } = adapters(table);
      const orderId = uid("o");
      const requestId = `${orderId}-r1`;
      await orders.create(orderRecord({ orderId }, [awaitingSeller(orderId, 48)]));
      await storeWait(table.current, orderId, requestId, "second", "AWAITING_SELLER");
      await executions.forgetWait(orderId, requestId, "first");
      await expect(orders.get(orderId)).resolves.toMatchObject({
        waits: { [requestId]: { token: "second" } },
      });
      await executions.forgetWait(orderId, requestId, "second");
      await expect(orders.get(orderId)).resolves.toMatchObject({ waits: {} });
      await executions.forgetWait(uid("missing"), requestId, "second");
    });

    it("claims the next execution of a request only from the one on record", async () => {
      const { orders, executions } = adapters(table);
      const orderId = uid("o");
      const requestId = `${orderId}-r1`;
      await orders.create(orderRecord({ orderId }, [awaitingSeller(orderId, 48)]));
      const second = { name: `${requestId}-2`, attempt: 2, startedAt: at(3) };
      const third = { name: `${requestId}-3`, attempt: 3, startedAt: at(4) };
      await expect(executions.claim(orderId, requestId, undefined, second)).resolves.toBe(true);
      // A second reconciler that read the same (absent) record loses.
      await expect(executions.claim(orderId, requestId, undefined, third)).resolves.toBe(false);
      await expect(executions.claim(orderId, requestId, second, third)).resolves.toBe(true);
      await expect(executions.claim(orderId, requestId, second, third)).resolves.toBe(false);
      await expect(orders.get(orderId)).resolves.toMatchObject({
        version: 1,
        executions: { [requestId]: third },
      });
    });

    it("records an execution's failure on its entry, or creates the first one's", async () => {
      const { orders, executions } = adapters(table);
      const orderId = uid("o");
      const requestId = `${orderId}-r1`;
      await orders.create(orderRecord({ orderId }, [awaitingSeller(orderId, 48)]));
      await executions.recordFailure(orderId, requestId, requestId, "States.Timeout", at(5));
      await expect(orders.get(orderId)).resolves.toMatchObject({
        executions: {
          [requestId]: {
            name: requestId,
            attempt: 1,
            startedAt: at(5),
            failedAt: at(5),
            error: "States.Timeout",
          },
        },
      });
      // The failure of an execution that no longer carries the request changes nothing.
      await executions.recordFailure(orderId, requestId, `${requestId}-7`, "Other", at(6));
      await expect(orders.get(orderId)).resolves.toMatchObject({
        executions: { [requestId]: { error: "States.Timeout" } },
      });
    });
  });

  describe("buyer history", () => {
    it("pages through a buyer's orders newest first, each exactly once", async () => {
      const { orders, lists } = adapters(table);
      const buyerId = uid("b");
      const otherBuyer = uid("b");
      // Shuffled creation order and two equal placedAt values (ties sort by orderId).
      const hours = Array.from({ length: 25 }, (_, i) => (i * 7) % 25);
      hours[3] = hours[4] as number;
      const mine = hours.map((h, i) =>
        orderRecord({
          orderId: `${buyerId}-o${String(i).padStart(2, "0")}`,
          buyerId,
          placedAt: at(h),
        }),
      );
      const theirs = Array.from({ length: 5 }, (_, i) =>
        orderRecord({ orderId: `${otherBuyer}-o${i}`, buyerId: otherBuyer, placedAt: at(i) }),
      );
      await Promise.all([...mine, ...theirs].map((record) => orders.create(record)));

      const { ids, pages } = await readAll((page) => lists.buyerOrders(buyerId, page), [7]);
      const expected = [...mine]
        .sort((a, b) =>
          `${b.order.placedAt}#${b.order.orderId}`.localeCompare(
            `${a.order.placedAt}#${a.order.orderId}`,
          ),
        )
        .map((record) => record.order.orderId);
      expect(ids).toEqual(expected);
      expect(pages).toBe(4);

      const first = await lists.buyerOrders(buyerId, { limit: 7 });
      const newest = mine.find((r) => r.order.orderId === expected[0]) as OrderRecord;
      expect(first.items[0]).toEqual({
        order: newest.order,
        requestCount: 0,
        hasActiveRequest: false,
      });
    });

    it("returns an empty list and no cursor for a buyer without orders", async () => {
      const { lists } = adapters(table);
      await expect(lists.buyerOrders(uid("nobody"), { limit: 5 })).resolves.toEqual({
        items: [],
        nextCursor: null,
      });
    });

    it("ends with a null cursor when the last page is exactly full", async () => {
      const { orders, lists } = adapters(table);
      const buyerId = uid("b");
      await Promise.all(
        [0, 1, 2, 3].map((h) =>
          orders.create(orderRecord({ orderId: `${buyerId}-${h}`, buyerId, placedAt: at(h) })),
        ),
      );
      const first = await lists.buyerOrders(buyerId, { limit: 2 });
      expect(first.nextCursor).not.toBeNull();
      const second = await lists.buyerOrders(buyerId, {
        limit: 2,
        cursor: first.nextCursor as string,
      });
      expect(second.items).toHaveLength(2);
      expect(second.nextCursor).toBeNull();
    });

    it("rejects tampered, foreign and malformed cursors", async () => {
      const { orders, lists } = adapters(table);
      const buyerId = uid("b");
      const otherBuyer = uid("b");
      await Promise.all(
        [buyerId, otherBuyer].flatMap((b) =>
          [0, 1, 2].map((h) =>
            orders.create(orderRecord({ orderId: `${b}-${h}`, buyerId: b, placedAt: at(h) })),
          ),
        ),
      );
      const mine = await lists.buyerOrders(buyerId, { limit: 1 });
      const theirs = await lists.buyerOrders(otherBuyer, { limit: 1 });
      const cursor = mine.nextCursor as string;
      const foreign = theirs.nextCursor as string;
      const json = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
      const partition = `BUYER#${buyerId}`;
      const key = json.p[partition];
      const encode = (value: unknown) =>
        Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

      const bad = [
        "",
        "!!!not-base64!!!",
        "bm90IGpzb24", // "not json"
        cursor.slice(0, -5),
        `${cursor}A`,
        `${cursor}=`,
        "A".repeat(3000),
        foreign,
        encode({ ...json, extra: 1 }),
        encode({ ...json, i: "SellerQueue" }),
        encode({ ...json, p: { [partition]: { ...key, pk: "USER#x" } } }),
        encode({ ...json, p: { [partition]: { ...key, buyerSk: "" } } }),
        encode({ ...json, p: { [partition]: { ...key, buyerPk: `BUYER#${otherBuyer}` } } }),
        encode({ ...json, p: { [`BUYER#${otherBuyer}`]: key } }),
        encode({ ...json, p: { ...json.p, "BUYER#someone": null } }),
        encode([json]),
        encode(null),
      ];
      for (const value of bad) {
        await expect(
          lists.buyerOrders(buyerId, { limit: 1, cursor: value }),
          `cursor ${JSON.stringify(value.slice(0, 40))}`,
        ).rejects.toBeInstanceOf(InvalidCursorError);
      }
      // A buyer cursor is not a seller-queue or operator-queue cursor either.
      await expect(
        lists.sellerQueue("seller-1", "AWAITING_SELLER", { limit: 1, cursor }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(
        lists.operatorQueue("AWAITING_SELLER", { limit: 1, cursor }),
      ).rejects.toBeInstanceOf(InvalidCursorError);

      // A genuine cursor works, and keeps working (pages are re-readable).
      const again = await lists.buyerOrders(buyerId, { limit: 5, cursor });
      expect(again.items).toHaveLength(2);
      await expect(lists.buyerOrders(buyerId, { limit: 5, cursor })).resolves.toEqual(again);
    });

    it("refuses a page limit outside 1..1000", async () => {
      const { lists } = adapters(table);
      for (const limit of [0, -1, 1.5, 1001, Number.NaN]) {
        await expect(lists.buyerOrders("b", { limit })).rejects.toBeInstanceOf(RangeError);
      }
    });

    it("pages any set of orders with any limits, each exactly once (property)", async () => {
      const { orders, lists } = adapters(table);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 30 }),
          fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }),
          async (placedHours, limits) => {
            const buyerId = uid("pb");
            const records = placedHours.map((h, i) =>
              orderRecord({ orderId: `${buyerId}-${i}`, buyerId, placedAt: at(h) }),
            );
            await Promise.all(records.map((record) => orders.create(record)));
            const { ids } = await readAll((page) => lists.buyerOrders(buyerId, page), limits);
            expect(ids).toHaveLength(records.length);
            expect(new Set(ids)).toEqual(new Set(records.map((r) => r.order.orderId)));
            const placed = ids.map(
              (id) => records.find((r) => r.order.orderId === id)?.order.placedAt ?? "",
            );
            expect(placed).toEqual([...placed].sort().reverse());
          },
        ),
        { numRuns: 15 },
      );
    });
  });

  describe("the item's indexed attributes", () => {
    /** The item as stored, read past the adapters. */
    const rawItem = async (orderId: string) =>
      (
        await table.current.client.send(
          new GetCommand({
            TableName: table.current.tableName,
            Key: orderKey(orderId),
            ConsistentRead: true,
          }),
        )
      ).Item ?? expect.fail(`order ${orderId} is not stored`);

    const INDEXED = [
      ...ORDERS_TABLE.globalSecondaryIndexes.flatMap((index) => [
        index.partitionKey.name,
        index.sortKey.name,
      ]),
      ...PROJECTED_ATTRIBUTES,
    ];

    it("stay equal to what the record derives through a whole cancellation, saved step by step", async () => {
      const { orders } = adapters(table);
      const orderId = uid("o");
      let record = shipped(orderId);
      let stored = await orders.create(record);
      const steps: [string, (r: OrderRecord) => OrderRecord][] = [
        ["requested", (r) => apply(r, requestCancellation(), tick(0))],
        ["started", (r) => apply(r, workflowStarted(), tick(1))],
        [
          "notices sent",
          (r) =>
            withMarks(r, [
              { kind: "PUBLISHED", requestId: REQ, through: 2 },
              { kind: "MAIL_SENT", requestId: REQ, key: "1.BUYER_REQUEST_RECEIVED", at: tick(1) },
              { kind: "MAIL_SENT", requestId: REQ, key: "1.SELLER_NEW_REQUEST", at: tick(1) },
            ]),
        ],
        ["seller approved", (r) => apply(r, sellerApprove(), tick(HOUR))],
        ["policy approved", (r) => apply(r, policyApprove(), tick(HOUR + 1))],
        ["refund instructed", (r) => apply(r, instructRefund(), tick(2 * HOUR))],
        ["refund call started", (r) => apply(r, startRefundCall(), tick(2 * HOUR + 1))],
        ["refund succeeded", (r) => apply(r, refundSucceeded(), tick(3 * HOUR))],
        ["completed", (r) => apply(r, complete(), tick(3 * HOUR + 1))],
      ];
      for (const [name, step] of steps) {
        record = step(record);
        stored = await orders.save(stored, record);
        const item = await rawItem(orderId);
        const expected: Record<string, unknown> = {
          ...indexKeys(record),
          ...listAttributes(record),
        };
        for (const attribute of INDEXED) {
          expect(item[attribute], `${attribute} after "${name}"`).toEqual(expected[attribute]);
        }
      }
      // Completed, its mail and events not yet out: still the reconciler's to watch.
      expect((await rawItem(orderId)).workShard).toBeDefined();
      const done = withMarks(record, [
        { kind: "PUBLISHED", requestId: REQ, through: 7 },
        ...["3.BUYER_APPROVED", "4.SELLER_REFUND_INSTRUCTION"].map((key) => ({
          kind: "MAIL_SENT" as const,
          requestId: REQ,
          key,
          at: tick(3 * HOUR + 2),
        })),
        ...["5.BUYER_REFUND_COMPLETED", "6.SELLER_OUTCOME"].map((key) => ({
          kind: "MAIL_SENT" as const,
          requestId: REQ,
          key,
          at: tick(3 * HOUR + 2),
        })),
      ]);
      await orders.save(stored, done);
      const item = await rawItem(orderId);
      expect(item.workShard).toBeUndefined();
      expect(item.workSince).toBeUndefined();
      // The queue summary copies no server-side field of a request.
      const summary = item.queueSummary as Record<string, unknown>;
      expect(summary.refund).toMatchObject({ status: "SUCCEEDED" });
      expect(summary.refund).not.toHaveProperty("callStartedAt");
      for (const secret of ["idempotencyKey", "requestHash", "policy", "notices", "timeline"]) {
        expect(summary).not.toHaveProperty(secret);
      }
    });

    it("list what the records' views show, byte for byte", async () => {
      const { orders, lists } = adapters(table);
      const buyerId = uid("b");
      const now = at(30);
      const make = (hours: number, requests: (orderId: string) => CancellationRequest[]) => {
        const orderId = `${buyerId}-${hours}`;
        const list = requests(orderId);
        const active = list.find((request) => request.status === "AWAITING_SELLER");
        return orderRecord(
          {
            orderId,
            buyerId,
            sellerId: uid("s"),
            placedAt: at(hours),
            activeCancellationRequestId: active?.requestId ?? null,
          },
          list,
        );
      };
      const records = [
        make(0, () => []),
        make(1, (orderId) => [awaitingSeller(orderId, 48)]),
        make(2, (orderId) => [
          cancellationRequest({
            requestId: `${orderId}-r0`,
            orderId,
            status: "REJECTED",
            comment: "前の依頼",
            rejection: { by: "SELLER", reason: "already handed over", at: at(3) },
            updatedAt: at(3),
          }),
          cancellationRequest({
            requestId: `${orderId}-r1`,
            orderId,
            status: "COMPLETED",
            createdAt: at(4),
            updatedAt: at(6),
            comment:
              "ギフト用に購入しましたが、相手の住所が変わっていたため、別の方法で贈ることにしました。".repeat(
                2,
              ),
            refund: {
              amount: 5480,
              currency: "JPY",
              method: "CARD",
              status: "SUCCEEDED",
              refundId: `rf-${orderId}`,
              expectedBy: { earliest: "2026-11-25", latest: "2026-11-30" },
              instructedAt: at(5),
              succeededAt: at(6),
              attempts: 1,
              callStartedAt: at(5),
            },
          }),
        ]),
      ];
      await Promise.all(records.map((record) => orders.create(record)));
      const page = await lists.buyerOrders(buyerId, { limit: 10 });
      expect(
        page.items.map((summary) =>
          JSON.stringify(publicOrderOf(summary.order, summary, now, DEFAULT_POLICY)),
        ),
      ).toEqual(
        [...records]
          .reverse()
          .map((record) => JSON.stringify(toPublicOrder(record, now, DEFAULT_POLICY))),
      );
      for (const record of records.slice(1)) {
        const latest = latestRequest(record) as CancellationRequest;
        const queue = await lists.sellerQueue(record.order.sellerId, latest.status, {
          limit: 10,
        });
        expect(queue.items.map((entry) => JSON.stringify(entry))).toEqual([
          JSON.stringify(toRequestSummary(latest, record.order)),
        ]);
      }
    });
  });

  describe("seller and operator queues", () => {
    // Its own table: the operator queue spans all orders, so other tests' orders would mix in.
    const queues = useTestTable(backend, "queues");
    const sellerId = "seller-q";
    const other = "seller-other";

    beforeAll(async () => {
      const { orders } = adapters(queues);
      const make = (id: string, seller: string, request?: (id: string) => CancellationRequest) =>
        orderRecord({ orderId: id, sellerId: seller }, request ? [request(id)] : []);
      const records = [
        make("q-late", sellerId, (id) => awaitingSeller(id, 90)),
        make("q-soon", sellerId, (id) => awaitingSeller(id, 30)),
        make("q-mid", sellerId, (id) => awaitingSeller(id, 60)),
        make("q-none", sellerId),
        make("q-other", other, (id) => awaitingSeller(id, 10)),
        make("q-policy", sellerId, (id) =>
          awaitingMarketplace(awaitingSeller(id, 40), "POLICY", 80),
        ),
        make("q-operator", sellerId, (id) =>
          awaitingMarketplace(awaitingSeller(id, 40), "OPERATOR", 75),
        ),
        make("q-other-op", other, (id) =>
          awaitingMarketplace(awaitingSeller(id, 40), "OPERATOR", 70),
        ),
      ];
      await Promise.all(records.map((record) => orders.create(record)));
    });

    const idsOf = async (list: (page: PageRequest) => Promise<Page<ListEntry>>, limit = 2) =>
      (await readAll(list, [limit])).ids;

    it("lists a seller's queue by status, soonest deadline first", async () => {
      const { lists } = adapters(queues);
      await expect(
        idsOf((p) => lists.sellerQueue(sellerId, "AWAITING_SELLER", p)),
      ).resolves.toEqual(["q-soon", "q-mid", "q-late"]);
      await expect(
        idsOf((p) => lists.sellerQueue(sellerId, "AWAITING_MARKETPLACE", p)),
      ).resolves.toEqual(["q-operator", "q-policy"]);
      await expect(idsOf((p) => lists.sellerQueue(other, "AWAITING_SELLER", p))).resolves.toEqual([
        "q-other",
      ]);
      await expect(idsOf((p) => lists.sellerQueue(sellerId, "COMPLETED", p))).resolves.toEqual([]);
    });

    it("lists the operator queue by status across its shards, without policy-decided reviews", async () => {
      const { lists } = adapters(queues);
      for (const limit of [1, 2, 3, 100]) {
        await expect(
          idsOf((p) => lists.operatorQueue("AWAITING_SELLER", p), limit),
        ).resolves.toEqual(["q-other", "q-soon", "q-mid", "q-late"]);
      }
      await expect(idsOf((p) => lists.operatorQueue("AWAITING_MARKETPLACE", p))).resolves.toEqual([
        "q-other-op",
        "q-operator",
      ]);
    });

    it("moves an order between queues as its latest request changes", async () => {
      const { orders, lists } = adapters(queues);
      const stored = (await orders.get("q-policy")) ?? expect.fail("q-policy is missing");
      const request = stored.record.requests["q-policy-r1"] as CancellationRequest;
      // The policy hands the review to an operator: the order appears in the operator queue.
      const escalated = await orders.save(
        stored,
        withRequest(stored.record, { ...request, marketplaceReview: "OPERATOR" }),
      );
      await expect(idsOf((p) => lists.operatorQueue("AWAITING_MARKETPLACE", p))).resolves.toEqual([
        "q-other-op",
        "q-operator",
        "q-policy",
      ]);
      // A newer request takes over the order's place in the queues.
      const newer = cancellationRequest({
        requestId: "q-policy-r2",
        orderId: "q-policy",
        createdAt: at(5),
        sellerDeadline: at(20),
      });
      await orders.save(escalated, withRequest(escalated.record, newer));
      await expect(idsOf((p) => lists.operatorQueue("AWAITING_MARKETPLACE", p))).resolves.toEqual([
        "q-other-op",
        "q-operator",
      ]);
      await expect(
        idsOf((p) => lists.sellerQueue(sellerId, "AWAITING_SELLER", p)),
      ).resolves.toEqual(["q-policy", "q-soon", "q-mid", "q-late"]);

      // The seller approves a small refund: the policy decides, so the operator keys are removed.
      const mid = (await orders.get("q-mid")) ?? expect.fail("q-mid is missing");
      const midRequest = mid.record.requests["q-mid-r1"] as CancellationRequest;
      await orders.save(
        mid,
        withRequest(mid.record, awaitingMarketplace(midRequest, "POLICY", 65)),
      );
      await expect(idsOf((p) => lists.operatorQueue("AWAITING_SELLER", p))).resolves.toEqual([
        "q-other",
        "q-policy",
        "q-soon",
        "q-late",
      ]);
      await expect(idsOf((p) => lists.operatorQueue("AWAITING_MARKETPLACE", p))).resolves.toEqual([
        "q-other-op",
        "q-operator",
      ]);
      await expect(
        idsOf((p) => lists.sellerQueue(sellerId, "AWAITING_MARKETPLACE", p)),
      ).resolves.toEqual(["q-mid", "q-operator"]);
    });

    it("binds a queue cursor to its seller, status and shards", async () => {
      const { lists } = adapters(queues);
      const page = await lists.sellerQueue(sellerId, "AWAITING_SELLER", { limit: 1 });
      const cursor = page.nextCursor as string;
      await expect(
        lists.sellerQueue(sellerId, "AWAITING_MARKETPLACE", { limit: 1, cursor }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(
        lists.sellerQueue(other, "AWAITING_SELLER", { limit: 1, cursor }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(
        lists.operatorQueue("AWAITING_SELLER", { limit: 1, cursor }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
      const operators = await lists.operatorQueue("AWAITING_SELLER", { limit: 1 });
      await expect(
        lists.operatorQueue("AWAITING_MARKETPLACE", {
          limit: 1,
          cursor: operators.nextCursor as string,
        }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });

  describe("the operator queue, paged (property)", () => {
    const queue = useTestTable(backend, "ops");

    it("lists any set of orders over its shards with any limits, each once, soonest first", async () => {
      const { orders, lists } = adapters(queue);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 2, max: 40 }), { maxLength: 25 }),
          fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
          async (deadlines, limits) => {
            // A status of its own per run: the queue lists every order in it.
            const run = uid("run");
            const status = "REFUND_FAILED" as const;
            const records = deadlines.map((hours, i) => {
              const orderId = `${run}-${i}`;
              return orderRecord({ orderId }, [
                { ...awaitingSeller(orderId, 50), status, refundRetryDeadline: at(hours) },
              ]);
            });
            await Promise.all(records.map((record) => orders.create(record)));
            const { ids } = await readAll((page) => lists.operatorQueue(status, page), limits);
            const mine = ids.filter((id) => id.startsWith(`${run}-`));
            expect(new Set(mine)).toEqual(new Set(records.map((r) => r.order.orderId)));
            expect(mine).toHaveLength(records.length);
            // Soonest deadline first, ties by order id (across runs too).
            const keys = ids.map((id) => {
              const index = Number(id.split("-").at(-1));
              const deadline = id.startsWith(`${run}-`) ? at(deadlines[index] as number) : "";
              return `${deadline}#${id}`;
            });
            const ownKeys = keys.filter((key) => !key.startsWith("#"));
            expect(ownKeys).toEqual([...ownKeys].sort());
            // Done with this run's orders: out of the status, so the next run lists only its own.
            await Promise.all(
              records.map(async (record) => {
                const stored = await orders.get(record.order.orderId);
                if (!stored) return;
                const request = Object.values(stored.record.requests)[0] as CancellationRequest;
                await orders.save(
                  stored,
                  withRequest(stored.record, { ...request, status: "COMPLETED" }),
                );
              }),
            );
          },
        ),
        { numRuns: 10 },
      );
    });
  });

  describe("the refund inquiries' index", () => {
    // Its own table: the index lists every order with an open inquiry.
    const inquiries = useTestTable(backend, "inquiries");

    /** A completed request of `orderId` whose refund succeeded, with an inquiry opened at `hours`. */
    const inquired = (
      orderId: string,
      requestId: string,
      hours: number,
      closed = false,
    ): CancellationRequest =>
      cancellationRequest({
        requestId,
        orderId,
        status: "COMPLETED",
        createdAt: at(hours - 10),
        refund: {
          amount: 5480,
          currency: "JPY",
          method: "CARD",
          status: "SUCCEEDED",
          refundId: `rf-${requestId}`,
          expectedBy: { earliest: "2026-11-25", latest: "2026-12-04" },
          instructedAt: at(1),
          succeededAt: at(1),
          attempts: 1,
          provider: "stripe",
          providerRefundId: `re_${requestId}`,
          reference: "7424915112309",
        },
        refundInquiry: {
          openedAt: at(hours),
          comment: `about ${requestId}`,
          closedAt: closed ? at(hours + 1) : null,
          closedBy: closed ? "op-1" : null,
          note: closed ? "traced" : null,
        },
      });

    /** Every page at `limit` orders a page: the inquiries' order ids and request ids, in order. */
    const listed = async (limit: number): Promise<string[]> => {
      const { lists } = adapters(inquiries);
      const ids: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = await lists.refundInquiries(
          cursor === undefined ? { limit } : { limit, cursor },
        );
        ids.push(...page.items.map((item) => `${item.orderId}/${item.requestId}`));
        if (page.nextCursor === null) return ids;
        cursor = page.nextCursor;
      }
      throw new Error("paging does not end");
    };

    it("lists the open inquiries the longest waiting first, at any limit, and drops closed ones", async () => {
      const { orders, lists } = adapters(inquiries);
      const twoOpen = orderRecord({ orderId: "i-two" }, [
        inquired("i-two", "i-two-r1", 20),
        inquired("i-two", "i-two-r2", 40),
      ]);
      await Promise.all([
        orders.create(orderRecord({ orderId: "i-one" }, [inquired("i-one", "i-one-r1", 30)])),
        orders.create(twoOpen),
        orders.create(
          orderRecord({ orderId: "i-closed" }, [inquired("i-closed", "i-c-r1", 10, true)]),
        ),
        orders.create(orderRecord({ orderId: "i-none" })),
      ]);
      const expected = ["i-two/i-two-r1", "i-two/i-two-r2", "i-one/i-one-r1"];
      for (const limit of [1, 2, 100]) await eventuallyEqual(() => listed(limit), expected);
      // Each entry as the request's own view of it, field for field.
      const page = await lists.refundInquiries({ limit: 10 });
      expect(page.items.slice(0, 2).map((item) => JSON.stringify(item))).toEqual(
        openRefundInquiries(twoOpen).map((item) => JSON.stringify(item)),
      );
      // Closing the older of i-two's inquiries moves the order behind i-one; closing the other
      // takes it out of the index.
      let stored = (await orders.get("i-two")) ?? expect.fail("i-two is missing");
      const close = (record: OrderRecord, requestId: string) =>
        apply(
          record,
          { type: "CLOSE_REFUND_INQUIRY", actor: "op-1", requestId, note: "ok" },
          at(50),
        );
      stored = await orders.save(stored, close(stored.record, "i-two-r1"));
      await eventuallyEqual(() => listed(1), ["i-one/i-one-r1", "i-two/i-two-r2"]);
      await orders.save(stored, close(stored.record, "i-two-r2"));
      await eventuallyEqual(() => listed(2), ["i-one/i-one-r1"]);
    });

    it("binds its cursor to the list", async () => {
      const { lists } = adapters(inquiries);
      const foreign = Buffer.from(
        JSON.stringify({ i: "OperatorQueue", p: { "INQUIRY#OPEN": {} } }),
      ).toString("base64url");
      await expect(lists.refundInquiries({ limit: 1, cursor: foreign })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });
  });

  describe("the seller parcels' index", () => {
    // Its own table: each seller's parcels are a few partitions of their own, kept apart here.
    const parcels = useTestTable(backend, "parcels");
    const sellerId = "seller-p";

    /** A shipped order of `seller` whose units were all cancelled, then `events` at their times. */
    const store = async (
      orderId: string,
      events: [DomainEvent, string][] = [],
      seller = sellerId,
    ): Promise<OrderRecord> => {
      const record = events.reduce(
        (next, [event, now]) => apply(next, event, now),
        cancelled({ order: makeOrder({ orderId, sellerId: seller, timeline: [] }), requests: {} }),
      );
      await adapters(parcels).orders.create(record);
      return record;
    };

    const idsOf = async (
      statuses: readonly (typeof OUT_PARCEL_STATUSES)[number][],
      limit: number,
      seller = sellerId,
    ) =>
      (
        await readAll(
          (page) => adapters(parcels).lists.sellerParcels(seller, statuses, page),
          [limit],
        )
      ).ids;

    it("lists a seller's cancelled units not yet back, by status, the longest out first", async () => {
      const records = [
        // In transit since the shipment (2026-11-20T03:00Z), before any tracking event.
        await store("p-transit"),
        await store("p-refused", [[track("DELIVERY_REFUSED", tick(5 * HOUR)), tick(5 * HOUR)]]),
        await store("p-returning", [
          [track("RETURNING_TO_SENDER", tick(4 * HOUR)), tick(4 * HOUR)],
        ]),
        // Delivered anyway: a return is opened.
        await store("p-delivered", [[deliver(tick(6 * HOUR)), tick(6 * HOUR)]]),
      ];
      // Out: back with the seller, nothing cancelled, another seller's.
      await store("p-back", [[track("RETURNED_TO_SENDER", tick(4 * HOUR)), tick(4 * HOUR)]]);
      await adapters(parcels).orders.create(shipped("p-none"));
      await store("p-other", [], "seller-other");

      const expected = ["p-transit", "p-returning", "p-refused", "p-delivered"];
      for (const limit of [1, 2, 3, 100]) {
        await eventuallyEqual(() => idsOf(OUT_PARCEL_STATUSES, limit), expected);
      }
      await expect(idsOf(["REFUSED"], 1)).resolves.toEqual(["p-refused"]);
      await expect(idsOf(["DELIVERED", "IN_TRANSIT"], 1)).resolves.toEqual([
        "p-transit",
        "p-delivered",
      ]);
      await expect(idsOf(OUT_PARCEL_STATUSES, 10, "seller-other")).resolves.toEqual(["p-other"]);

      // Each entry as the record's own summary, field for field.
      const page = await adapters(parcels).lists.sellerParcels(sellerId, OUT_PARCEL_STATUSES, {
        limit: 10,
      });
      expect(page.items.map((item) => JSON.stringify(item))).toEqual(
        [0, 2, 1, 3].map((i) => JSON.stringify(parcelSummaryOf(records[i] as OrderRecord))),
      );
      expect(page.items[3]?.return).toMatchObject({ status: "REQUESTED" });
    });

    it("moves an order between status partitions as its parcel moves, and drops it once back", async () => {
      const { orders } = adapters(parcels);
      const seller = "seller-moves";
      const record = await store("p-moves", [], seller);
      let stored = (await orders.get("p-moves")) ?? expect.fail("p-moves is missing");
      const statusesOf = async () =>
        Object.fromEntries(
          await Promise.all(
            OUT_PARCEL_STATUSES.map(async (status) => [status, await idsOf([status], 10, seller)]),
          ),
        );
      const only = (status: string) =>
        Object.fromEntries(OUT_PARCEL_STATUSES.map((s) => [s, s === status ? ["p-moves"] : []]));
      await eventuallyEqual(statusesOf, only("IN_TRANSIT"));
      let next = apply(record, track("DELIVERY_REFUSED", tick(4 * HOUR)), tick(4 * HOUR));
      stored = await orders.save(stored, next);
      await eventuallyEqual(statusesOf, only("REFUSED"));
      next = apply(next, track("RETURNING_TO_SENDER", tick(5 * HOUR)), tick(5 * HOUR));
      stored = await orders.save(stored, next);
      await eventuallyEqual(statusesOf, only("RETURNING"));
      next = apply(next, track("RETURNED_TO_SENDER", tick(6 * HOUR)), tick(6 * HOUR));
      await orders.save(stored, next);
      await eventuallyEqual(statusesOf, only("none"));
    });

    it("binds its cursor to the seller and the statuses asked", async () => {
      const { lists } = adapters(parcels);
      const seller = "seller-cursor";
      await store("p-c1", [], seller);
      await store("p-c2", [[track("DELIVERY_REFUSED", tick(4 * HOUR)), tick(4 * HOUR)]], seller);
      await store("p-c3", [[track("DELIVERY_REFUSED", tick(5 * HOUR)), tick(5 * HOUR)]], seller);
      const all = await lists.sellerParcels(seller, OUT_PARCEL_STATUSES, { limit: 1 });
      const refused = await lists.sellerParcels(seller, ["REFUSED"], { limit: 1 });
      const allCursor = all.nextCursor ?? expect.fail("a next page of all statuses");
      const refusedCursor = refused.nextCursor ?? expect.fail("a next page of REFUSED");
      for (const [statuses, cursor, other] of [
        [OUT_PARCEL_STATUSES, allCursor, "seller-p"],
        [["REFUSED"], refusedCursor, "seller-p"],
        [["REFUSED"], allCursor, seller],
        [OUT_PARCEL_STATUSES, refusedCursor, seller],
        [["IN_TRANSIT"], refusedCursor, seller],
      ] as const) {
        await expect(
          lists.sellerParcels(other, statuses, { limit: 1, cursor }),
        ).rejects.toBeInstanceOf(InvalidCursorError);
      }
      const queue = Buffer.from(
        JSON.stringify({ i: "SellerQueue", p: { [`PARCEL#${seller}#REFUSED`]: {} } }),
      ).toString("base64url");
      await expect(
        lists.sellerParcels(seller, ["REFUSED"], { limit: 1, cursor: queue }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
      // The cursor's own query goes on where it stopped.
      const rest = await lists.sellerParcels(seller, ["REFUSED"], {
        limit: 5,
        cursor: refusedCursor,
      });
      expect(rest.items.map((item) => item.orderId)).toEqual(["p-c3"]);
    });
  });

  describe("the reconciler's index", () => {
    const index = useTestTable(backend, "attention");

    /** Every order the index lists, shard by shard, oldest first within each. */
    const listed = async (): Promise<Attention[]> => {
      const { attention } = adapters(index);
      const all: Attention[] = [];
      for (let shard = 0; shard < attention.shards; shard++) {
        let start: Record<string, unknown> | undefined;
        do {
          const page = await attention.page(shard, "~", start);
          all.push(...page.items);
          start = page.next;
        } while (start);
      }
      return all;
    };

    it("lists orders with an open request or notices due, and nothing else", async () => {
      const { orders } = adapters(index);
      const open = awaitingSeller("w-open", 50, 2);
      const finished: CancellationRequest = {
        ...awaitingSeller("w-finished", 50, 3),
        status: "WITHDRAWN",
        updatedAt: at(4),
        timeline: [
          { at: at(3), type: "REQUESTED", actor: "buyer-1" },
          { at: at(4), type: "WITHDRAWN", actor: "buyer-1" },
        ],
      };
      const settled: CancellationRequest = {
        ...finished,
        requestId: "w-settled-r1",
        orderId: "w-settled",
        notices: {
          mail: { "1.BUYER_WITHDRAWN": at(4), "1.SELLER_OUTCOME": at(4) },
          published: 2,
        },
      };
      await Promise.all([
        orders.create(orderRecord({ orderId: "w-open" }, [open])),
        orders.create(orderRecord({ orderId: "w-finished" }, [finished])),
        orders.create(orderRecord({ orderId: "w-settled" }, [settled])),
        orders.create(orderRecord({ orderId: "w-none" })),
      ]);
      await eventuallyEqual(
        async () => (await listed()).sort((a, b) => a.orderId.localeCompare(b.orderId)),
        [
          { orderId: "w-finished", since: at(3) },
          { orderId: "w-open", since: at(2) },
        ],
      );
      // Its notices sent, the finished order leaves the index.
      const stored = (await orders.get("w-finished")) ?? expect.fail("w-finished is missing");
      await orders.save(
        stored,
        withMarks(stored.record, [
          { kind: "PUBLISHED", requestId: finished.requestId, through: 2 },
          { kind: "MAIL_SENT", requestId: finished.requestId, key: "1.BUYER_WITHDRAWN", at: at(5) },
          { kind: "MAIL_SENT", requestId: finished.requestId, key: "1.SELLER_OUTCOME", at: at(5) },
        ]),
      );
      await eventuallyEqual(async () => (await listed()).map((item) => item.orderId), ["w-open"]);
      // Only what is due before `before`.
      const { attention } = adapters(index);
      const pages = await Promise.all(
        Array.from({ length: attention.shards }, (_, shard) => attention.page(shard, at(1))),
      );
      expect(pages.flatMap((page) => page.items)).toEqual([]);
    });
  });
});

describe("write units on dynamodb-local", () => {
  // Its own table: the recorder sees every write of this table's client.
  const table = useTestTable("dynamodb-local", "units");
  let units: WriteUnitsRecorder;
  beforeAll(() => {
    units = recordWriteUnits(table.current.client, table.current.tableName);
  });
  afterAll(() => units.stop());

  /** The one write the last call made. */
  const onlyWrite = (): WriteUnits => {
    const writes = units.take();
    expect(writes).toHaveLength(1);
    return writes[0] as WriteUnits;
  };

  /** A shipped order of its own, stored, with its request awaiting the seller and its receipts sent. */
  const awaitingSellerOrder = async () => {
    const { orders } = adapters(table);
    const orderId = uid("o");
    let record = shipped(orderId);
    let stored = await orders.create(record);
    record = apply(record, requestCancellation(), tick(0));
    record = apply(record, workflowStarted(), tick(1));
    record = withMarks(record, [
      { kind: "PUBLISHED", requestId: REQ, through: 2 },
      { kind: "MAIL_SENT", requestId: REQ, key: "1.BUYER_REQUEST_RECEIVED", at: tick(1) },
      { kind: "MAIL_SENT", requestId: REQ, key: "1.SELLER_NEW_REQUEST", at: tick(1) },
    ]);
    stored = await orders.save(stored, record);
    units.take();
    return { orders, stored, orderId };
  };

  it("pays a change no list shows with the table's units only", async () => {
    const { orders, executions } = adapters(table);
    const { stored, orderId } = await awaitingSellerOrder();

    // The workflow's bookkeeping: a wait, an execution's claim, a wait forgotten.
    await storeWait(table.current, orderId, REQ, `token-${randomUUID()}`, "AWAITING_SELLER");
    const wait = onlyWrite();
    await executions.claim(orderId, REQ, undefined, {
      name: `${REQ}-2`,
      attempt: 2,
      startedAt: tick(5),
    });
    const claim = onlyWrite();
    for (const write of [wait, claim]) {
      expect(write.table).toBeGreaterThan(0);
      expect(write.indexes).toEqual({});
    }

    // Marks of mail sent: only the requests and the version are written, no index.
    let record = apply(stored.record, sellerApprove(), tick(HOUR));
    let saved = await orders.save(stored, record);
    units.take();
    record = withMarks(record, [{ kind: "PUBLISHED", requestId: REQ, through: 3 }]);
    saved = await orders.save(saved, record);
    const marks = onlyWrite();
    expect(marks.names).toEqual(["requests", "version"]);
    expect(marks.indexes).toEqual({});

    // The refund call's lease: only the request's detail shows it.
    record = apply(record, policyApprove(), tick(HOUR + 1));
    record = apply(record, instructRefund(), tick(HOUR + 1));
    saved = await orders.save(saved, record);
    units.take();
    record = apply(record, startRefundCall(), tick(HOUR + 2));
    saved = await orders.save(saved, record);
    const lease = onlyWrite();
    expect(lease.names).toEqual(["requests", "version"]);
    expect(lease.indexes).toEqual({});
    await expect(orders.get(orderId)).resolves.toMatchObject({ version: saved.version });
  });

  it("writes only the small list entries that a status change changes, a unit an entry", async () => {
    const { orders, stored } = await awaitingSellerOrder();

    // AWAITING_SELLER → AWAITING_MARKETPLACE decided by the policy: the seller queue entry moves
    // (old entry out, new one in: a unit each), the operator queue entry leaves (a unit); the
    // order itself is unchanged, so the buyer's list is not written.
    let record = apply(stored.record, sellerApprove(), tick(HOUR));
    const approved = await orders.save(stored, record);
    const approval = onlyWrite();
    // The decision's timeline entry moves the audit chain's head (audit.ts), and with it the
    // order's AuditHeads entry (an hour later: into the next hour's partition, out and in again;
    // its sort key, the order id, stays). It is a seller's answer:
    // it adds to the seller's counters (answered, in time, its bucket) in one transaction with
    // the order, and DynamoDB counts a transaction's writes twice, an index's as well.
    expect(approval.operation).toBe("TransactWriteItems");
    expect(approval.names).toEqual([
      "answered",
      "audit",
      "auditHeadsPk",
      "bucket_3600",
      "operatorQueuePk",
      "operatorQueueSk",
      "queueSummary",
      "requests",
      "sellerQueuePk",
      "sellerQueueSk",
      "version",
      "withinDeadline",
    ]);
    expect(approval.indexes).toEqual({
      [SELLER_QUEUE_INDEX]: 2 * 2,
      [OPERATOR_QUEUE_INDEX]: 2 * 1,
      [AUDIT_HEADS_INDEX]: 2 * (1 + 1),
    });

    // COMPLETED: the order is CANCELLED, so its buyer-list entry is rewritten in place; the queue
    // entries move (the summary with its refund is under 1 KB: a unit to put, one to delete);
    // the order stays in PendingWork while its mail and events are due (its sort key moves); its
    // cancelled units, still on their way, enter the seller's parcels (a unit). The request ends:
    // a transaction with the seller's counters, each write counted twice.
    record = apply(record, policyApprove(), tick(HOUR + 1));
    record = apply(record, instructRefund(), tick(2 * HOUR));
    record = apply(record, startRefundCall(), tick(2 * HOUR));
    record = apply(record, refundSucceeded(), tick(3 * HOUR));
    record = apply(record, complete(), tick(3 * HOUR + 1));
    await orders.save(approved, record);
    const completion = onlyWrite();
    expect(completion.indexes).toEqual({
      [BUYER_ORDERS_INDEX]: 2 * 1,
      [SELLER_QUEUE_INDEX]: 2 * (1 + 1),
      [OPERATOR_QUEUE_INDEX]: 2 * 1,
      [PENDING_WORK_INDEX]: 2 * (1 + 1),
      [SELLER_PARCELS_INDEX]: 2 * 1,
      [AUDIT_HEADS_INDEX]: 2 * (1 + 1),
    });
  });

  it("moves the order's AuditHeads entry only when its hour changes; within the hour, one unit in place", async () => {
    const { orders, stored } = await awaitingSellerOrder();
    // A minute after the request's last entries, in the same UTC hour: the entry's keys stay (the
    // hour's partition, the order id), and only its projected head is rewritten.
    await orders.save(stored, apply(stored.record, sellerApprove(), tick(60)));
    const approval = onlyWrite();
    expect(approval.names).toContain("audit");
    expect(approval.names).not.toContain("auditHeadsPk");
    expect(approval.names).not.toContain("auditHeadsSk");
    // The answer is counted, so the write is a transaction: each write twice.
    expect(approval.indexes[AUDIT_HEADS_INDEX]).toBe(2 * 1);
  });

  it("writes the seller's parcels only as the parcel or the cancelled units change, a unit an entry", async () => {
    const { orders, stored } = await awaitingSellerOrder();
    // Completed: the cancelled units enter the index (a unit, twice: the request ended, so the
    // write is a transaction with the seller's counters).
    let record = cancellation()
      .slice(2)
      .reduce((next, [event, now]) => apply(next, event, now), stored.record);
    let saved = await orders.save(stored, record);
    expect(onlyWrite().indexes[SELLER_PARCELS_INDEX]).toBe(2 * 1);

    // The completion's events published: a change of the requests alone, not of the parcel.
    record = withMarks(record, [{ kind: "PUBLISHED", requestId: REQ, through: 3 }]);
    saved = await orders.save(saved, record);
    expect(onlyWrite().indexes).not.toHaveProperty(SELLER_PARCELS_INDEX);

    // Refused: the entry moves from IN_TRANSIT to REFUSED (out and in: a unit each); no queue is
    // written, as no request changed.
    record = apply(record, track("DELIVERY_REFUSED", tick(4 * HOUR)), tick(4 * HOUR));
    saved = await orders.save(saved, record);
    const refusal = onlyWrite();
    expect(refusal.indexes[SELLER_PARCELS_INDEX]).toBe(1 + 1);
    expect(refusal.indexes).not.toHaveProperty(SELLER_QUEUE_INDEX);
    expect(refusal.indexes).not.toHaveProperty(OPERATOR_QUEUE_INDEX);

    // Back with the seller: the entry leaves (a unit).
    record = apply(record, track("RETURNED_TO_SENDER", tick(5 * HOUR)), tick(5 * HOUR));
    await orders.save(saved, record);
    expect(onlyWrite().indexes[SELLER_PARCELS_INDEX]).toBe(1);
  });

  it("keeps an entry of three long titles and a return within one unit", async () => {
    const { orders } = adapters(table);
    const titles = [
      "有田焼の湯呑み二客組木箱入りの贈答用です",
      "ワイヤレスイヤホン（ノイズキャンセリング）",
      "ステンレス製真空断熱ボトル 500ml 保冷保温",
    ];
    const order = makeOrder({
      orderId: uid("o-long"),
      timeline: [],
      lines: titles.map((title, i) => ({
        lineId: `l${i + 1}`,
        sku: `SKU-${i + 1}`,
        title,
        quantity: 1,
        unitPrice: 1660,
      })),
    });
    const record = cancelled({ order, requests: {} });
    const stored = await orders.create(record);
    units.take();
    // Delivered anyway: the return opens, and the entry moves to DELIVERED (a unit out, one in).
    await orders.save(stored, apply(record, deliver(tick(4 * HOUR)), tick(4 * HOUR)));
    expect(onlyWrite().indexes[SELLER_PARCELS_INDEX]).toBe(1 + 1);
  });

  it("writes the order's own notices alone when only they change, and no index while its attention stays", async () => {
    const { orders } = adapters(table);
    const orderId = uid("o");
    const kept = keptAfterCancellation(orderId);
    let stored = await orders.create(kept);
    units.take();

    // The delivery's event and the buyer's mail went out; the seller's is still due since the
    // entry: the order's time on the reconciler's index is the same, so no index is written.
    let record = withMarks(kept, [
      { kind: "ORDER_PUBLISHED", through: 2 },
      orderMailSent("order.1.BUYER_RETURN_INSTRUCTIONS", tick(4 * HOUR + 1)),
    ]);
    stored = await orders.save(stored, record);
    const marks = onlyWrite();
    expect(marks.names).toEqual(["orderNotices", "requests", "version"]);
    expect(marks.indexes).toEqual({});

    // The last one out: the order waits on the index for its return's dueBy instead (its sort key
    // moves: out and in).
    record = withMarks(record, [orderMailSent("order.1.SELLER_PARCEL_KEPT", tick(4 * HOUR + 2))]);
    stored = await orders.save(stored, record);
    const last = onlyWrite();
    expect(last.names).toEqual(["orderNotices", "requests", "version", "workSince"]);
    expect(last.indexes).toEqual({ [PENDING_WORK_INDEX]: 1 + 1 });

    // A save whose order notices are as stored does not write them.
    await orders.save(stored, record);
    expect(onlyWrite().names).toEqual(["requests", "version"]);
  });

  it("a rejection rewrites the buyer's entry (the order is free again) and moves each queue entry", async () => {
    const { orders, stored } = await awaitingSellerOrder();
    await orders.save(
      stored,
      apply(stored.record, sellerReject("already handed over"), tick(HOUR)),
    );
    // An answer that ends the request: a transaction with the seller's counters, each write
    // counted twice.
    expect(onlyWrite().indexes).toEqual({
      [BUYER_ORDERS_INDEX]: 2 * 1,
      [SELLER_QUEUE_INDEX]: 2 * (1 + 1),
      [OPERATOR_QUEUE_INDEX]: 2 * (1 + 1),
      // Still watched (its mail is due), under a later sort key: out and in again.
      [PENDING_WORK_INDEX]: 2 * (1 + 1),
      // The rejection's entry moves the audit chain's head.
      [AUDIT_HEADS_INDEX]: 2 * (1 + 1),
    });
  });
});
