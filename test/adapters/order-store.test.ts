// The order store against both DynamoDB Local and dynalite: versioned saves, task tokens, GSI lists;
// and on DynamoDB Local what each write costs, index by index.
import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConflictError,
  InvalidCursorError,
  indexKeys,
  listAttributes,
  OrderExistsError,
  OrderStore,
  type OrderSummary,
  type OutboxEntry,
  orderKey,
  type Page,
  type PageRequest,
  type PendingWork,
  workShard,
} from "../../functions/adapters/order-store.ts";
import { unpackView } from "../../functions/adapters/packed-view.ts";
import {
  BUYER_ORDERS_INDEX,
  OPERATOR_QUEUE_INDEX,
  ORDERS_TABLE,
  PENDING_WORK_INDEX,
  PROJECTED_ATTRIBUTES,
  SELLER_QUEUE_INDEX,
} from "../../functions/adapters/table.ts";
import { renderEmail } from "../../functions/domain/emails.ts";
import type { DomainEvent, EmailTemplate } from "../../functions/domain/events.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import { latestRequest } from "../../functions/domain/requests.ts";
import type { CancellationRequest, OrderRecord } from "../../functions/domain/types.ts";
import {
  type PublicCancellationRequest,
  publicOrderOf,
  toPublicOrder,
  toPublicRequest,
} from "../../functions/domain/views.ts";
import {
  complete,
  Flow,
  HOUR,
  instructRefund,
  policyApprove,
  REQ,
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
import { at, cancellationRequest, orderRecord, withRequest } from "../support/records.ts";

const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

const storeOn = (table: { readonly current: TestTable }): OrderStore =>
  new OrderStore({ client: table.current.client, tableName: table.current.tableName });

type ListEntry = OrderSummary | PublicCancellationRequest;
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

const awaitingSeller = (orderId: string, deadlineHours: number, createdHours = 1) =>
  cancellationRequest({
    requestId: `${orderId}-r1`,
    orderId,
    createdAt: at(createdHours),
    sellerDeadline: at(deadlineHours),
  });

const awaitingMarketplace = (
  request: CancellationRequest,
  review: "POLICY" | "OPERATOR",
  deadlineHours: number,
): CancellationRequest => ({
  ...request,
  status: "AWAITING_MARKETPLACE",
  marketplaceReview: review,
  marketplaceDeadline: at(deadlineHours),
  updatedAt: at(2),
});

describe("indexKeys", () => {
  it("gives an order without requests only the buyer keys", () => {
    const record = orderRecord({ orderId: "o-1", buyerId: "b-1", placedAt: at(0) });
    expect(indexKeys(record)).toEqual({ buyerPk: "BUYER#b-1", buyerSk: `${at(0)}#o-1` });
  });

  it("queues an order under its latest request's status and current deadline", () => {
    const old = cancellationRequest({
      requestId: "r-old",
      orderId: "o-1",
      status: "REJECTED",
      createdAt: at(1),
      updatedAt: at(3),
    });
    const latest = awaitingSeller("o-1", 50, 5);
    const keys = indexKeys(orderRecord({ orderId: "o-1", sellerId: "s-1" }, [latest, old]));
    expect(keys).toMatchObject({
      sellerQueuePk: "SELLER#s-1#AWAITING_SELLER",
      sellerQueueSk: `${at(50)}#o-1`,
      operatorQueuePk: "OPS#AWAITING_SELLER",
      operatorQueueSk: `${at(50)}#o-1`,
    });
  });

  it("breaks a createdAt tie by the greater requestId", () => {
    const a = cancellationRequest({ requestId: "r-a", orderId: "o-1", status: "WITHDRAWN" });
    const b = cancellationRequest({ requestId: "r-b", orderId: "o-1", status: "REJECTED" });
    expect(indexKeys(orderRecord({ orderId: "o-1" }, [b, a])).sellerQueuePk).toBe(
      "SELLER#seller-1#REJECTED",
    );
  });

  it("sorts each status by the deadline of its wait, or by the last change", () => {
    const base = awaitingSeller("o-1", 50);
    const cases: [CancellationRequest, string][] = [
      [{ ...base, status: "REQUESTED" }, at(50)],
      [awaitingMarketplace(base, "OPERATOR", 70), at(70)],
      [{ ...base, status: "REFUND_FAILED", refundRetryDeadline: at(90), updatedAt: at(9) }, at(90)],
      [{ ...base, status: "REFUND_PENDING", updatedAt: at(8) }, at(8)],
      [{ ...base, status: "COMPLETED", updatedAt: at(7) }, at(7)],
    ];
    for (const [request, time] of cases) {
      expect(indexKeys(orderRecord({ orderId: "o-1" }, [request])).sellerQueueSk).toBe(
        `${time}#o-1`,
      );
    }
  });

  it("keeps an order in PendingWork while its latest request is open, keyed by creation", () => {
    const open = awaitingSeller("o-1", 50, 5);
    const keys = indexKeys(orderRecord({ orderId: "o-1" }, [open]));
    expect(keys.workShard).toBe(workShard("o-1"));
    expect(keys.workShard).toMatch(/^WORK#[0-7]$/);
    expect(keys.workSince).toBe(`${open.createdAt}#ORDER`);
    const done = indexKeys(orderRecord({ orderId: "o-1" }, [{ ...open, status: "COMPLETED" }]));
    expect(done.workShard).toBeUndefined();
    expect(done.workSince).toBeUndefined();
  });

  it("spreads orders over every PendingWork shard", () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => workShard(`o-${i}`)));
    expect(shards.size).toBe(8);
  });

  it("keeps a policy-decided marketplace review out of the operator queue only", () => {
    const base = awaitingSeller("o-1", 50);
    const policy = indexKeys(
      orderRecord({ orderId: "o-1" }, [awaitingMarketplace(base, "POLICY", 70)]),
    );
    expect(policy.sellerQueuePk).toBe("SELLER#seller-1#AWAITING_MARKETPLACE");
    expect(policy.operatorQueuePk).toBeUndefined();
    expect(policy.operatorQueueSk).toBeUndefined();
    const operator = indexKeys(
      orderRecord({ orderId: "o-1" }, [awaitingMarketplace(base, "OPERATOR", 70)]),
    );
    expect(operator.operatorQueuePk).toBe("OPS#AWAITING_MARKETPLACE");
  });
});

describe.each(BACKENDS)("OrderStore on %s", (backend) => {
  const table = useTestTable(backend);

  describe("versioned writes", () => {
    it("creates and reads back an order", async () => {
      const store = storeOn(table);
      const orderId = uid("o");
      const record = orderRecord({ orderId }, [awaitingSeller(orderId, 48)]);
      await expect(store.create(record)).resolves.toEqual({ record, version: 1 });
      await expect(store.get(orderId)).resolves.toEqual({ record, version: 1 });
      await expect(store.get(uid("missing"))).resolves.toBeUndefined();
    });

    it("refuses to create an order twice and keeps the first", async () => {
      const store = storeOn(table);
      const orderId = uid("o");
      const first = orderRecord({ orderId });
      await store.create(first);
      const second = orderRecord({ orderId, buyerId: "someone-else" });
      await expect(store.create(second)).rejects.toBeInstanceOf(OrderExistsError);
      await expect(store.get(orderId)).resolves.toEqual({ record: first, version: 1 });
    });

    it("saves a transition and bumps the version", async () => {
      const store = storeOn(table);
      const orderId = uid("o");
      const stored = await store.create(orderRecord({ orderId }));
      const next = withRequest(stored.record, awaitingSeller(orderId, 48));
      const saved = await store.save(stored, next);
      expect(saved).toEqual({ record: next, version: 2 });
      await expect(store.get(orderId)).resolves.toEqual(saved);
    });

    it("refuses a stale version and leaves the item untouched", async () => {
      const store = storeOn(table);
      const orderId = uid("o");
      const v1 = await store.create(orderRecord({ orderId }));
      const v2 = await store.save(v1, withRequest(v1.record, awaitingSeller(orderId, 48)));
      const stale = withRequest(v1.record, {
        ...awaitingSeller(orderId, 99),
        status: "WITHDRAWN",
      });
      await expect(store.save(v1, stale)).rejects.toBeInstanceOf(ConflictError);
      await expect(store.get(orderId)).resolves.toEqual(v2);
      const queue = await store.listSellerQueue("seller-1", "WITHDRAWN", { limit: 100 });
      expect(queue.items.map((r) => r.orderId)).not.toContain(orderId);
    });

    it("lets exactly one of ten concurrent transitions from the same version win", async () => {
      const store = storeOn(table);
      const orderId = uid("o");
      const stored = await store.create(orderRecord({ orderId }, [awaitingSeller(orderId, 48)]));
      const request = stored.record.requests[`${orderId}-r1`] as CancellationRequest;
      const candidates = Array.from({ length: 10 }, (_, i) =>
        withRequest(stored.record, {
          ...request,
          status: i % 2 === 0 ? "WITHDRAWN" : "AWAITING_MARKETPLACE",
          updatedAt: at(2 + i),
          timeline: [...request.timeline, { at: at(2 + i), type: "WITHDRAWN", actor: `a-${i}` }],
        }),
      );
      const results = await Promise.allSettled(candidates.map((next) => store.save(stored, next)));
      const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
      expect(won).toHaveLength(1);
      for (const result of results) {
        if (result.status === "rejected") expect(result.reason).toBeInstanceOf(ConflictError);
      }
      const winner = candidates[won[0] as number] as OrderRecord;
      await expect(store.get(orderId)).resolves.toEqual({ record: winner, version: 2 });
    });
  });

  // Outbox entries are written in a transaction with the change: DynamoDB Local only (dynalite
  // has no TransactWriteItems), see the suite below.

  describe("task tokens", () => {
    it("keeps a stored token across later saves and never returns it in records", async () => {
      const store = storeOn(table);
      const orderId = uid("o");
      const requestId = `${orderId}-r1`;
      const token = `token-${randomUUID()}`;
      const stored = await store.create(orderRecord({ orderId }, [awaitingSeller(orderId, 48)]));
      await store.putTaskToken(orderId, requestId, token, "AWAITING_SELLER");
      // Storing a token does not bump the version: the API's next save does not conflict.
      const request = stored.record.requests[requestId] as CancellationRequest;
      const saved = await store.save(
        stored,
        withRequest(stored.record, awaitingMarketplace(request, "OPERATOR", 72)),
      );
      await expect(store.getTaskToken(orderId, requestId)).resolves.toBe(token);

      const read = await store.get(orderId);
      expect(read).toEqual(saved);
      expect(JSON.stringify(read)).not.toContain(token);
      const queue = await store.listSellerQueue("seller-1", "AWAITING_MARKETPLACE", { limit: 100 });
      expect(queue.items.map((r) => r.orderId)).toContain(orderId);
      expect(JSON.stringify(queue)).not.toContain(token);
    });

    it("stores a token only while the request is in the expected status", async () => {
      const store = storeOn(table);
      const orderId = uid("o");
      const requestId = `${orderId}-r1`;
      await store.create(orderRecord({ orderId }, [awaitingSeller(orderId, 48)]));
      await expect(
        store.putTaskToken(orderId, requestId, "t", "AWAITING_MARKETPLACE"),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(
        store.putTaskToken(orderId, "no-such-request", "t", "AWAITING_SELLER"),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(
        store.putTaskToken(uid("missing"), requestId, "t", "AWAITING_SELLER"),
      ).rejects.toBeInstanceOf(ConflictError);
      await expect(store.getTaskToken(orderId, requestId)).resolves.toBeUndefined();
    });

    it("clears a token, and with an expected token only that one", async () => {
      const store = storeOn(table);
      const orderId = uid("o");
      const requestId = `${orderId}-r1`;
      await store.create(orderRecord({ orderId }, [awaitingSeller(orderId, 48)]));
      await store.putTaskToken(orderId, requestId, "first", "AWAITING_SELLER");
      await store.putTaskToken(orderId, requestId, "second", "AWAITING_SELLER");
      await expect(store.clearTaskToken(orderId, requestId, "first")).resolves.toBe(false);
      await expect(store.getTaskToken(orderId, requestId)).resolves.toBe("second");
      await expect(store.clearTaskToken(orderId, requestId, "second")).resolves.toBe(true);
      await expect(store.getTaskToken(orderId, requestId)).resolves.toBeUndefined();
      await store.putTaskToken(orderId, requestId, "third", "AWAITING_SELLER");
      await expect(store.clearTaskToken(orderId, requestId)).resolves.toBe(true);
      await expect(store.clearTaskToken(orderId, requestId)).resolves.toBe(false);
      await expect(store.clearTaskToken(uid("missing"), requestId)).resolves.toBe(false);
    });
  });

  describe("buyer history", () => {
    it("pages through a buyer's orders newest first, each exactly once", async () => {
      const store = storeOn(table);
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
      await Promise.all([...mine, ...theirs].map((record) => store.create(record)));

      const { ids, pages } = await readAll((page) => store.listBuyerOrders(buyerId, page), [7]);
      const expected = [...mine]
        .sort((a, b) =>
          `${b.order.placedAt}#${b.order.orderId}`.localeCompare(
            `${a.order.placedAt}#${a.order.orderId}`,
          ),
        )
        .map((record) => record.order.orderId);
      expect(ids).toEqual(expected);
      expect(pages).toBe(4);

      const first = await store.listBuyerOrders(buyerId, { limit: 7 });
      const newest = mine.find((r) => r.order.orderId === expected[0]) as OrderRecord;
      expect(first.items[0]).toEqual({
        order: newest.order,
        requestCount: 0,
        hasActiveRequest: false,
      });
    });

    it("returns an empty list and no cursor for a buyer without orders", async () => {
      const store = storeOn(table);
      await expect(store.listBuyerOrders(uid("nobody"), { limit: 5 })).resolves.toEqual({
        items: [],
        nextCursor: null,
      });
    });

    it("ends with a null cursor when the last page is exactly full", async () => {
      const store = storeOn(table);
      const buyerId = uid("b");
      await Promise.all(
        [0, 1, 2, 3].map((h) =>
          store.create(orderRecord({ orderId: `${buyerId}-${h}`, buyerId, placedAt: at(h) })),
        ),
      );
      const first = await store.listBuyerOrders(buyerId, { limit: 2 });
      expect(first.nextCursor).not.toBeNull();
      const second = await store.listBuyerOrders(buyerId, {
        limit: 2,
        cursor: first.nextCursor as string,
      });
      expect(second.items).toHaveLength(2);
      expect(second.nextCursor).toBeNull();
    });

    it("rejects tampered, foreign and malformed cursors", async () => {
      const store = storeOn(table);
      const buyerId = uid("b");
      const otherBuyer = uid("b");
      await Promise.all(
        [buyerId, otherBuyer].flatMap((b) =>
          [0, 1, 2].map((h) =>
            store.create(orderRecord({ orderId: `${b}-${h}`, buyerId: b, placedAt: at(h) })),
          ),
        ),
      );
      const mine = await store.listBuyerOrders(buyerId, { limit: 1 });
      const theirs = await store.listBuyerOrders(otherBuyer, { limit: 1 });
      const cursor = mine.nextCursor as string;
      const foreign = theirs.nextCursor as string;
      const json = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
      const encode = (value: unknown) =>
        Buffer.from(JSON.stringify(value), "utf8").toString("base64url");

      const bad = [
        "",
        "!!!not-base64!!!",
        "bm90IGpzb24", // "not json"
        cursor.slice(0, -5),
        `${cursor}A`,
        `${cursor}=`,
        "A".repeat(2000),
        foreign,
        encode({ ...json, extra: 1 }),
        encode({ ...json, i: "SellerQueue" }),
        encode({ ...json, k: { ...json.k, pk: "USER#x" } }),
        encode({ ...json, k: { ...json.k, buyerSk: "" } }),
        encode({ ...json, k: { ...json.k, buyerPk: `BUYER#${otherBuyer}` } }),
        encode([json]),
        encode(null),
      ];
      for (const value of bad) {
        await expect(
          store.listBuyerOrders(buyerId, { limit: 1, cursor: value }),
          `cursor ${JSON.stringify(value.slice(0, 40))}`,
        ).rejects.toBeInstanceOf(InvalidCursorError);
      }
      // A buyer cursor is not a seller-queue or operator-queue cursor either.
      await expect(
        store.listSellerQueue("seller-1", "AWAITING_SELLER", { limit: 1, cursor }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(
        store.listOperatorQueue("AWAITING_SELLER", { limit: 1, cursor }),
      ).rejects.toBeInstanceOf(InvalidCursorError);

      // A genuine cursor works, and keeps working (pages are re-readable).
      const again = await store.listBuyerOrders(buyerId, { limit: 5, cursor });
      expect(again.items).toHaveLength(2);
      await expect(store.listBuyerOrders(buyerId, { limit: 5, cursor })).resolves.toEqual(again);
    });

    it("refuses a page limit outside 1..1000", async () => {
      const store = storeOn(table);
      for (const limit of [0, -1, 1.5, 1001, Number.NaN]) {
        await expect(store.listBuyerOrders("b", { limit })).rejects.toBeInstanceOf(RangeError);
      }
    });

    it("pages any set of orders with any limits, each exactly once (property)", async () => {
      const store = storeOn(table);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 30 }),
          fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }),
          async (placedHours, limits) => {
            const buyerId = uid("pb");
            const records = placedHours.map((h, i) =>
              orderRecord({ orderId: `${buyerId}-${i}`, buyerId, placedAt: at(h) }),
            );
            await Promise.all(records.map((record) => store.create(record)));
            const { ids } = await readAll((page) => store.listBuyerOrders(buyerId, page), limits);
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

  describe("list attributes", () => {
    /** The item as stored, read past the store (which never returns these attributes). */
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

    it("are exactly what the list indexes project", () => {
      const record = orderRecord({ orderId: "o-1" }, [awaitingSeller("o-1", 48)]);
      expect(Object.keys(listAttributes(record)).sort()).toEqual([...PROJECTED_ATTRIBUTES].sort());
    });

    it("stay equal to what the record derives through a whole cancellation, saved step by step", async () => {
      const store = storeOn(table);
      const flow = Flow.shipped({ orderId: uid("o") });
      const orderId = flow.order.orderId;
      let stored = await store.create(flow.record);
      const steps: [string, () => void][] = [
        ["requested", () => flow.requested()],
        ["seller approved", () => flow.apply(sellerApprove(), tick(HOUR))],
        ["policy approved", () => flow.apply(policyApprove(), tick(HOUR + 1))],
        ["refund instructed", () => flow.apply(instructRefund(), tick(2 * HOUR))],
        ["refund call started", () => flow.apply(startRefundCall(), tick(2 * HOUR + 1))],
        ["refund succeeded", () => flow.apply(refundSucceeded(), tick(3 * HOUR))],
        ["completed", () => flow.apply(complete(), tick(3 * HOUR + 1))],
      ];
      for (const [name, apply] of [["created", () => {}] as [string, () => void], ...steps]) {
        if (name !== "created") {
          apply();
          stored = await store.save(stored, flow.record);
        }
        const item = await rawItem(orderId);
        const expected: Record<string, unknown> = {
          ...indexKeys(flow.record),
          ...listAttributes(flow.record),
        };
        for (const attribute of INDEXED) {
          // The queue view is stored packed (packed-view.ts).
          const value =
            attribute === "queueView" && item[attribute] !== undefined
              ? unpackView(item[attribute])
              : item[attribute];
          expect(value, `${attribute} after "${name}"`).toEqual(expected[attribute]);
        }
      }
      // The index copies no server-side field of a request.
      const queueView = unpackView((await rawItem(orderId)).queueView);
      expect(queueView.refund).toMatchObject({ status: "SUCCEEDED" });
      expect(flow.request().refund).toHaveProperty("callStartedAt");
      expect(queueView.refund).not.toHaveProperty("callStartedAt");
      for (const secret of ["idempotencyKey", "requestHash", "policy"]) {
        expect(flow.request()).toHaveProperty(secret);
        expect(queueView).not.toHaveProperty(secret);
      }
    });

    it("list what the records' views show, byte for byte", async () => {
      const store = storeOn(table);
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
      await Promise.all(records.map((record) => store.create(record)));
      const page = await store.listBuyerOrders(buyerId, { limit: 10 });
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
        const queue = await store.listSellerQueue(record.order.sellerId, latest.status, {
          limit: 10,
        });
        expect(queue.items.map((entry) => JSON.stringify(toPublicRequest(entry)))).toEqual([
          JSON.stringify(toPublicRequest(latest)),
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
      const store = storeOn(queues);
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
      await Promise.all(records.map((record) => store.create(record)));
    });

    const idsOf = async (list: (page: PageRequest) => Promise<Page<ListEntry>>) =>
      (await readAll(list, [2])).ids;

    it("lists a seller's queue by status, soonest deadline first", async () => {
      const store = storeOn(queues);
      await expect(
        idsOf((p) => store.listSellerQueue(sellerId, "AWAITING_SELLER", p)),
      ).resolves.toEqual(["q-soon", "q-mid", "q-late"]);
      await expect(
        idsOf((p) => store.listSellerQueue(sellerId, "AWAITING_MARKETPLACE", p)),
      ).resolves.toEqual(["q-operator", "q-policy"]);
      await expect(
        idsOf((p) => store.listSellerQueue(other, "AWAITING_SELLER", p)),
      ).resolves.toEqual(["q-other"]);
      await expect(idsOf((p) => store.listSellerQueue(sellerId, "COMPLETED", p))).resolves.toEqual(
        [],
      );
    });

    it("lists the operator queue by status, without policy-decided reviews", async () => {
      const store = storeOn(queues);
      await expect(idsOf((p) => store.listOperatorQueue("AWAITING_SELLER", p))).resolves.toEqual([
        "q-other",
        "q-soon",
        "q-mid",
        "q-late",
      ]);
      await expect(
        idsOf((p) => store.listOperatorQueue("AWAITING_MARKETPLACE", p)),
      ).resolves.toEqual(["q-other-op", "q-operator"]);
    });

    it("moves an order between queues as its latest request changes", async () => {
      const store = storeOn(queues);
      const stored = (await store.get("q-policy")) ?? expect.fail("q-policy is missing");
      const request = stored.record.requests["q-policy-r1"] as CancellationRequest;
      // The policy hands the review to an operator: the order appears in the operator queue.
      const escalated = await store.save(
        stored,
        withRequest(stored.record, { ...request, marketplaceReview: "OPERATOR" }),
      );
      await expect(
        idsOf((p) => store.listOperatorQueue("AWAITING_MARKETPLACE", p)),
      ).resolves.toEqual(["q-other-op", "q-operator", "q-policy"]);
      // A newer request takes over the order's place in the queues.
      const newer = cancellationRequest({
        requestId: "q-policy-r2",
        orderId: "q-policy",
        createdAt: at(5),
        sellerDeadline: at(20),
      });
      await store.save(escalated, withRequest(escalated.record, newer));
      await expect(
        idsOf((p) => store.listOperatorQueue("AWAITING_MARKETPLACE", p)),
      ).resolves.toEqual(["q-other-op", "q-operator"]);
      await expect(
        idsOf((p) => store.listSellerQueue(sellerId, "AWAITING_SELLER", p)),
      ).resolves.toEqual(["q-policy", "q-soon", "q-mid", "q-late"]);

      // The seller approves a small refund: the policy decides, so the operator keys are removed.
      const mid = (await store.get("q-mid")) ?? expect.fail("q-mid is missing");
      const midRequest = mid.record.requests["q-mid-r1"] as CancellationRequest;
      await store.save(mid, withRequest(mid.record, awaitingMarketplace(midRequest, "POLICY", 65)));
      await expect(idsOf((p) => store.listOperatorQueue("AWAITING_SELLER", p))).resolves.toEqual([
        "q-other",
        "q-policy",
        "q-soon",
        "q-late",
      ]);
      await expect(
        idsOf((p) => store.listOperatorQueue("AWAITING_MARKETPLACE", p)),
      ).resolves.toEqual(["q-other-op", "q-operator"]);
      await expect(
        idsOf((p) => store.listSellerQueue(sellerId, "AWAITING_MARKETPLACE", p)),
      ).resolves.toEqual(["q-mid", "q-operator"]);
    });

    it("binds a queue cursor to its seller and status", async () => {
      const store = storeOn(queues);
      const page = await store.listSellerQueue(sellerId, "AWAITING_SELLER", { limit: 1 });
      const cursor = page.nextCursor as string;
      await expect(
        store.listSellerQueue(sellerId, "AWAITING_MARKETPLACE", { limit: 1, cursor }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(
        store.listSellerQueue(other, "AWAITING_SELLER", { limit: 1, cursor }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
      await expect(
        store.listOperatorQueue("AWAITING_SELLER", { limit: 1, cursor }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });
});

describe("OrderStore outbox and executions on dynamodb-local", () => {
  const table = useTestTable("dynamodb-local");
  const mail = (subject: string) => ({
    to: ["buyer@example.com"],
    subject,
    text: `${subject} text`,
    html: `<p>${subject}</p>`,
  });
  const entry = (id: string, subject: string): OutboxEntry => ({
    id,
    requestId: "r-1",
    kind: "MAIL",
    mail: mail(subject),
  });
  const NOW = "2026-11-20T10:00:00.000Z";

  it("writes entries in the same transaction as the change, as items beside the order", async () => {
    const store = storeOn(table);
    const orderId = uid("o");
    const v1 = await store.create(orderRecord({ orderId }));
    await expect(store.pendingOutbox(orderId)).resolves.toEqual([]);
    const entries = [entry(`${NOW}.01.b`, "second"), entry(`${NOW}.00.a`, "first")];
    const signal: OutboxEntry = {
      id: `${NOW}.02.c`,
      requestId: "r-1",
      kind: "SIGNAL",
      signal: { outcome: "SELLER_APPROVED" },
    };
    await store.save(
      v1,
      withRequest(v1.record, awaitingSeller(orderId, 48)),
      [...entries, signal],
      NOW,
    );
    const pending = await store.pendingOutbox(orderId);
    expect(pending.map((e) => e.id)).toEqual([`${NOW}.00.a`, `${NOW}.01.b`, `${NOW}.02.c`]);
    expect(pending[0]).toMatchObject({ ...entries[1], orderId, createdAt: NOW, attempts: 0 });
    expect(pending[2]).toMatchObject(signal);
    // The order item itself carries no mail.
    const raw = await table.current.client.send(
      new GetCommand({ TableName: table.current.tableName, Key: orderKey(orderId) }),
    );
    expect(raw.Item?.outbox).toBeUndefined();
    await expect(store.get(orderId)).resolves.toMatchObject({ version: 2 });
  });

  it("stores a mail's recipients and subject as they are, its text and HTML packed", async () => {
    const store = storeOn(table);
    const [first, second] = happyPathMails(`o-${randomUUID()}`, randomUUID()) as [
      HappyPathMail,
      HappyPathMail,
    ];
    const { record } = first;
    const { orderId } = record.order;
    const v1 = await store.create(record);
    await store.save(v1, record, [second.entry, first.entry], NOW);
    const raw = await table.current.client.send(
      new GetCommand({
        TableName: table.current.tableName,
        Key: { pk: `ORDER#${orderId}`, sk: `OUTBOX#${first.entry.id}` },
      }),
    );
    const item = raw.Item as Record<string, unknown> & { mail: Record<string, unknown> };
    // What operators and the chaos harness read from a claim's answer stays plain.
    expect(Object.keys(item.mail).sort()).toEqual(["body", "subject", "to"]);
    expect(item.mail.to).toEqual(first.entry.mail.to);
    expect(item.mail.subject).toBe(first.entry.mail.subject);
    expect(item.mail.body).toBeInstanceOf(Uint8Array);
    const plain = Buffer.byteLength(first.entry.mail.text + first.entry.mail.html);
    expect((item.mail.body as Uint8Array).length).toBeLessThan(plain / 5);
    // The id and the order id are the key's, not written again.
    expect(item).not.toHaveProperty("id");
    expect(item).not.toHaveProperty("orderId");

    // Read back whole wherever it is read: pending, claimed, given up.
    const stored = (entry: MailEntry, attempts: number) => ({
      ...entry,
      orderId,
      createdAt: NOW,
      attempts,
    });
    await expect(store.pendingOutbox(orderId)).resolves.toEqual([
      stored(first.entry, 0),
      stored(second.entry, 0),
    ]);
    await expect(store.claimOutbox(orderId, first.entry.id, "alice", NOW, 60)).resolves.toEqual(
      stored(first.entry, 1),
    );
    await store.failOutbox(orderId, first.entry.id, "alice", "MessageRejected", NOW);
    // Out of PendingWork, its creation time is read from its id (which the writer starts with it).
    await expect(store.failedOutbox(orderId)).resolves.toEqual([
      {
        ...stored(first.entry, 1),
        createdAt: first.entry.id.slice(0, 24),
        failedAt: NOW,
        lastError: "MessageRejected",
      },
    ]);
  });

  it("reads and delivers an item written before mail was packed", async () => {
    const store = storeOn(table);
    const orderId = uid("o");
    await store.create(orderRecord({ orderId }));
    const old = entry(`${NOW}.00.a`, "written by the previous release");
    // The item as the store wrote it before: the entry as it is, id and order id included.
    await table.current.client.send(
      new PutCommand({
        TableName: table.current.tableName,
        Item: {
          pk: `ORDER#${orderId}`,
          sk: `OUTBOX#${old.id}`,
          ...old,
          orderId,
          createdAt: NOW,
          attempts: 0,
          workShard: workShard(orderId),
          workSince: `${NOW}#OUTBOX#${old.id}`,
        },
      }),
    );
    const stored = { ...old, orderId, createdAt: NOW };
    await expect(store.pendingOutbox(orderId)).resolves.toEqual([{ ...stored, attempts: 0 }]);
    await expect(store.claimOutbox(orderId, old.id, "alice", NOW, 60)).resolves.toEqual({
      ...stored,
      attempts: 1,
    });
    await store.completeOutbox(orderId, old.id, "alice");
    await expect(store.pendingOutbox(orderId)).resolves.toEqual([]);
  });

  it("writes no entry when the change loses its race", async () => {
    const store = storeOn(table);
    const orderId = uid("o");
    const v1 = await store.create(orderRecord({ orderId }));
    await store.save(v1, withRequest(v1.record, awaitingSeller(orderId, 48)));
    const lost = store.save(v1, withRequest(v1.record, awaitingSeller(orderId, 99)), [
      entry("x", "never"),
    ]);
    await expect(lost).rejects.toBeInstanceOf(ConflictError);
    await expect(store.pendingOutbox(orderId)).resolves.toEqual([]);
  });

  it("lets one claimant at a time hold an entry, counts attempts, deletes it once delivered", async () => {
    const store = storeOn(table);
    const orderId = uid("o");
    const v1 = await store.create(orderRecord({ orderId }));
    await store.save(v1, v1.record, [entry("e1", "one")], NOW);
    const first = await store.claimOutbox(orderId, "e1", "alice", NOW, 60);
    expect(first?.attempts).toBe(1);
    // Bob is kept off while Alice's claim runs; a retried claim of Alice's own succeeds.
    await expect(store.claimOutbox(orderId, "e1", "bob", NOW, 60)).resolves.toBeUndefined();
    await expect(store.claimOutbox(orderId, "e1", "alice", NOW, 60)).resolves.toMatchObject({
      attempts: 2,
    });
    await store.releaseOutbox(orderId, "e1", "alice", "Throttling");
    await expect(store.claimOutbox(orderId, "e1", "bob", NOW, 60)).resolves.toMatchObject({
      attempts: 3,
    });
    // A claim that ran out is taken over.
    const later = new Date(Date.parse(NOW) + 61_000).toISOString();
    await expect(store.claimOutbox(orderId, "e1", "carol", later, 60)).resolves.toBeDefined();
    await store.completeOutbox(orderId, "e1", "bob"); // not Bob's any more: kept
    await expect(store.pendingOutbox(orderId)).resolves.toHaveLength(1);
    await store.completeOutbox(orderId, "e1", "carol");
    await store.completeOutbox(orderId, "e1", "carol"); // already gone is fine
    await expect(store.pendingOutbox(orderId)).resolves.toEqual([]);
    await expect(store.claimOutbox(orderId, "e1", "dave", later, 60)).resolves.toBeUndefined();
  });

  it("keeps a given-up entry for the record, out of the pending work", async () => {
    const store = storeOn(table);
    const orderId = uid("o");
    const v1 = await store.create(orderRecord({ orderId }));
    await store.save(v1, v1.record, [entry("e2", "lost")], NOW);
    await store.claimOutbox(orderId, "e2", "alice", NOW, 60);
    await expect(store.failOutbox(orderId, "e2", "bob", "MessageRejected", NOW)).resolves.toBe(
      false,
    );
    await expect(store.failOutbox(orderId, "e2", "alice", "MessageRejected", NOW)).resolves.toBe(
      true,
    );
    await expect(store.pendingOutbox(orderId)).resolves.toEqual([]);
    await expect(store.failedOutbox(orderId)).resolves.toMatchObject([{ id: "e2", failedAt: NOW }]);
    await expect(store.claimOutbox(orderId, "e2", "alice", NOW, 60)).resolves.toBeUndefined();
  });

  it("finds open orders and undelivered entries through the PendingWork index only", async () => {
    const store = storeOn(table);
    const orderId = uid("o");
    const v1 = await store.create(orderRecord({ orderId }));
    const request = awaitingSeller(orderId, 48);
    await store.save(v1, withRequest(v1.record, request), [entry("e3", "pending")], NOW);
    const shard = workShard(orderId);
    const found = async (before: string) => {
      const items: PendingWork[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await store.pendingWork(shard, before, start);
        items.push(...page.items);
        start = page.next;
      } while (start);
      return items.filter((item) => item.orderId === orderId);
    };
    const expected: PendingWork[] = [
      { kind: "ORDER", orderId, since: request.createdAt },
      { kind: "OUTBOX", orderId, id: "e3", since: NOW },
    ];
    await eventuallyEqual(
      () => found("9999"),
      expected.sort((a, b) => (a.since < b.since ? -1 : 1)),
    );
    // Nothing younger than the cutoff.
    await expect(found(request.createdAt < NOW ? request.createdAt : NOW)).resolves.toHaveLength(0);
  });

  it("claims the next execution of a request only from the one on record", async () => {
    const store = storeOn(table);
    const orderId = uid("o");
    await store.create(orderRecord({ orderId }));
    const second = { name: "r-1-2", attempt: 2, startedAt: NOW };
    await expect(store.claimExecution(orderId, "r-1", undefined, second)).resolves.toBe(true);
    await expect(store.claimExecution(orderId, "r-1", undefined, second)).resolves.toBe(false);
    const third = { name: "r-1-3", attempt: 3, startedAt: NOW };
    await expect(store.claimExecution(orderId, "r-1", second, third)).resolves.toBe(true);
    await expect(store.claimExecution(orderId, "r-1", second, third)).resolves.toBe(false);
    await store.recordExecutionFailure(orderId, "r-1", "r-1-2", "States.Timeout", NOW);
    await store.recordExecutionFailure(orderId, "r-1", "r-1-3", "States.Timeout", NOW);
    await expect(store.get(orderId)).resolves.toMatchObject({
      executions: { "r-1": { ...third, failedAt: NOW, error: "States.Timeout" } },
    });
    await store.recordExecutionFailure(orderId, "r-9", "r-9", "Lambda.ServiceException", NOW);
    expect((await store.get(orderId))?.executions?.["r-9"]).toMatchObject({
      name: "r-9",
      attempt: 1,
      error: "Lambda.ServiceException",
    });
  });
});

describe("OrderStore write units on dynamodb-local", () => {
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

  /** A shipped order of its own, stored, with its request awaiting the seller. */
  const awaitingSellerFlow = async (store: OrderStore) => {
    const flow = Flow.shipped({ orderId: uid("o") });
    let stored = await store.create(flow.record);
    flow.requested();
    stored = await store.save(stored, flow.record);
    units.take();
    return { flow, stored, orderId: flow.order.orderId };
  };

  it("pays a change no list shows with the table's units only", async () => {
    const store = storeOn(table);
    const { flow, orderId, ...start } = await awaitingSellerFlow(store);
    let stored = start.stored;

    // The workflow's bookkeeping: task tokens and executions.
    await store.putTaskToken(orderId, REQ, `token-${randomUUID()}`, "AWAITING_SELLER");
    const token = onlyWrite();
    await store.claimExecution(orderId, REQ, undefined, {
      name: `${REQ}-2`,
      attempt: 2,
      startedAt: MAIL_AT,
    });
    const execution = onlyWrite();
    await store.clearTaskToken(orderId, REQ);
    const cleared = onlyWrite();
    for (const write of [token, execution, cleared]) {
      expect(write.table).toBeGreaterThan(0);
      expect(write.indexes).toEqual({});
    }

    // A saved transition that only the request's detail shows: the refund call's lease.
    flow.apply(sellerApprove(), tick(HOUR));
    flow.apply(policyApprove(), tick(HOUR + 1));
    flow.apply(instructRefund(), tick(2 * HOUR));
    stored = await store.save(stored, flow.record);
    units.take();
    flow.apply(startRefundCall(), tick(2 * HOUR + 1));
    stored = await store.save(stored, flow.record);
    const lease = onlyWrite();
    // Only the requests and the version are written: no index key, no list attribute...
    expect(lease.names).toEqual(["requests", "version"]);
    expect(lease.table).toBeGreaterThan(1); // ...so the item (over 1 KB) is paid for once
    expect(lease.indexes).toEqual({});
    await expect(store.get(orderId)).resolves.toMatchObject({ version: stored.version });

    // Mail: its claim writes no index; its completion only takes the entry out of PendingWork
    // (keys only), never a list index.
    flow.apply(refundSucceeded(), tick(3 * HOUR));
    await store.save(stored, flow.record, [mailEntry("m1")], MAIL_AT);
    units.take();
    await store.claimOutbox(orderId, "m1", "alice", MAIL_AT, 60);
    expect(onlyWrite().indexes).toEqual({});
    await store.completeOutbox(orderId, "m1", "alice");
    expect(onlyWrite().indexes).toEqual({ [PENDING_WORK_INDEX]: 1 });
  });

  it("stores a rendered Japanese mail in under 1 KB: put, claim and delete cost a unit each", async () => {
    const store = storeOn(table);
    // Ids as the service makes them (request ids are UUIDs, imported order ids often are too).
    const mails = happyPathMails(`o-${randomUUID()}`, randomUUID());
    expect(mails.map((mail) => mail.template)).toEqual([
      "BUYER_REQUEST_RECEIVED",
      "SELLER_NEW_REQUEST",
      "BUYER_APPROVED",
      "SELLER_REFUND_INSTRUCTION",
      "BUYER_REFUND_COMPLETED",
      "SELLER_OUTCOME",
    ]);
    const { record } = mails[0] as HappyPathMail;
    let stored = await store.create(record);
    units.take();
    for (const { entry } of mails) {
      // A rendered mail is several KB as text and HTML.
      expect(Buffer.byteLength(entry.mail.html)).toBeGreaterThan(1024);
      // The order's own write, alone and then with the mail in its transaction: the transaction
      // bills each item twice, so what the mail adds is twice its put.
      stored = await store.save(stored, record);
      const alone = onlyWrite();
      expect(alone.operation).toBe("UpdateItem");
      stored = await store.save(stored, record, [entry], MAIL_AT);
      const withMail = onlyWrite();
      expect(withMail.operation).toBe("TransactWriteItems");
      // Stored as text and HTML, the item was 2.5-3.5 KB: 3-4 units (the transaction's put 6-8).
      expect(withMail.table / 2 - alone.table).toBe(1);
      // The claim is billed at the claimed item's size (its claim attributes included).
      await expect(
        store.claimOutbox(record.order.orderId, entry.id, "alice", MAIL_AT, 60),
      ).resolves.toMatchObject({ mail: entry.mail });
      expect(onlyWrite().table).toBe(1);
      await store.completeOutbox(record.order.orderId, entry.id, "alice");
      expect(onlyWrite().table).toBe(1);
    }
  });

  it("writes only the small list entries that a status change changes", async () => {
    const store = storeOn(table);
    const { flow, stored } = await awaitingSellerFlow(store);

    // AWAITING_SELLER → AWAITING_MARKETPLACE decided by the policy: the seller queue entry moves
    // (old entry out, new one in: a unit each), the operator queue entry leaves (a unit); the
    // order itself is unchanged, so the buyer's list is not written. With ALL each would have
    // been a copy of the whole item (3 units here).
    flow.apply(sellerApprove(), tick(HOUR));
    const approved = await store.save(stored, flow.record);
    const approval = onlyWrite();
    // What changed, and nothing else: the latest request's view and its queue keys.
    expect(approval.names).toEqual([
      "operatorQueuePk",
      "operatorQueueSk",
      "queueView",
      "requests",
      "sellerQueuePk",
      "sellerQueueSk",
      "version",
    ]);
    expect(approval.table).toBe(3);
    expect(approval.indexes).toEqual({ [SELLER_QUEUE_INDEX]: 2, [OPERATOR_QUEUE_INDEX]: 1 });

    // COMPLETED: the order is CANCELLED, so its buyer-list entry (the order, under 1 KB) is
    // rewritten in place; the queue entries move (the completed request's view, with its refund
    // and seven timeline entries, is about 1.3 KB as JSON but a few hundred bytes packed: a unit
    // to put, one to delete the old one); the order leaves PendingWork. The item itself is 3 units.
    flow.apply(policyApprove(), tick(HOUR + 1));
    flow.apply(instructRefund(), tick(2 * HOUR));
    flow.apply(refundSucceeded(), tick(3 * HOUR));
    flow.apply(complete(), tick(3 * HOUR + 1));
    await store.save(approved, flow.record);
    const completion = onlyWrite();
    expect(completion.table).toBe(3);
    expect(completion.indexes).toEqual({
      [BUYER_ORDERS_INDEX]: 1,
      [SELLER_QUEUE_INDEX]: 1 + 1,
      [OPERATOR_QUEUE_INDEX]: 1,
      [PENDING_WORK_INDEX]: 1,
    });
  });

  it("a rejection rewrites the buyer's entry (the order is free again) and moves each queue entry, a unit an entry", async () => {
    const store = storeOn(table);
    const { flow, stored } = await awaitingSellerFlow(store);
    flow.apply(sellerReject("already handed over"), tick(HOUR));
    await store.save(stored, flow.record);
    expect(onlyWrite().indexes).toEqual({
      [BUYER_ORDERS_INDEX]: 1,
      [SELLER_QUEUE_INDEX]: 1 + 1,
      [OPERATOR_QUEUE_INDEX]: 1 + 1,
      [PENDING_WORK_INDEX]: 1,
    });
  });
});

/** A mail outbox entry for request REQ. */
const mailEntry = (id: string): OutboxEntry => ({
  id,
  requestId: REQ,
  kind: "MAIL",
  mail: { to: ["buyer@example.com"], subject: id, text: `${id} text`, html: `<p>${id}</p>` },
});
const MAIL_AT = "2026-11-21T05:00:00.000Z";

type MailEntry = Extract<OutboxEntry, { kind: "MAIL" }>;

interface HappyPathMail {
  template: EmailTemplate;
  entry: MailEntry;
  /** The order as stored when the mail was written. */
  record: OrderRecord;
}

/**
 * The mails of a happy-path cancellation of a Japanese order (the factory's default locale), as
 * the service renders them into outbox entries: each in its own step, with an id like its own.
 */
const happyPathMails = (orderId: string, requestId: string): HappyPathMail[] => {
  const flow = Flow.shipped({ orderId });
  const steps: [DomainEvent, string][] = [
    [requestCancellation({ requestId }), tick(0)],
    [workflowStarted(requestId), tick(1)],
    [sellerApprove(undefined, requestId), tick(HOUR)],
    [policyApprove(requestId), tick(HOUR + 1)],
    [instructRefund(requestId), tick(HOUR + 2)],
    [startRefundCall(requestId), tick(HOUR + 3)],
    [refundSucceeded(requestId), tick(2 * HOUR)],
    [complete(requestId), tick(2 * HOUR + 1)],
  ];
  return steps.flatMap(([event, now]) =>
    flow.apply(event, now).flatMap((effect, index): HappyPathMail[] => {
      if (effect.kind !== "EMAIL") return [];
      const { order } = flow.record;
      const to = effect.to === "BUYER" ? order.buyerEmail : order.sellerEmail;
      const mail = renderEmail(effect.template, flow.record, effect.requestId, now);
      const id = `${now}.${String(index).padStart(2, "0")}.${randomUUID().slice(0, 8)}`;
      return [
        {
          template: effect.template,
          entry: { id, requestId, kind: "MAIL", mail: { to: [to], ...mail } },
          record: flow.record,
        },
      ];
    }),
  );
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
