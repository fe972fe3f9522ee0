// The seller counters on DynamoDB Local and dynalite (its transactions served beside it:
// local/dynalite-transactions.ts): written in the very transaction of the change that causes them
// (the order's conditional write and an ADD per counter item), never by a write that failed;
// items readable as they are (SELLERMETRICS#<sellerId> / <day>#<shard>, flat numbers); read back
// for a window with one Query, shards summed; exact under concurrent changes of many orders of one
// seller on one day (conflicts are lost races, decided again); and the waits a change's caller
// must wake, answered as a plain save's ALL_NEW would.
import { randomUUID } from "node:crypto";
import { GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { orderKey, shardOf } from "../../functions/adapters/dynamodb/order-item.ts";
import { DynamoOrders } from "../../functions/adapters/dynamodb/orders.ts";
import {
  COUNTER_SHARDS,
  counterPartition,
  DynamoSellerCounters,
} from "../../functions/adapters/dynamodb/seller-counters.ts";
import { changeOrder, NO_WAKE_UP } from "../../functions/app/change-order.ts";
import { ConflictError, OrderExistsError } from "../../functions/app/errors.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { transition } from "../../functions/domain/transition.ts";
import type { OrderRecord } from "../../functions/domain/types.ts";
import {
  HOUR,
  requestCancellation,
  sellerApprove,
  sellerReject,
  at as tick,
  withdraw,
  workflowStarted,
} from "../domain/flow.ts";
import { BACKENDS, useTestTable } from "../support/dynamodb.ts";
import { makeOrder } from "../support/factories.ts";
import { FakeClock, FakeLog } from "../support/fakes.ts";
import { storeWait } from "../support/waits.ts";

const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const REQ = "req-1";

/** A shipped order of `sellerId`, placed 2026-11-19T01:00Z (10:00 in Tokyo that day). */
const shipped = (orderId: string, sellerId: string): OrderRecord => ({
  order: makeOrder({ orderId, sellerId, timeline: [] }),
  requests: {},
});

const apply = (record: OrderRecord, event: DomainEvent, now: string): OrderRecord => {
  const result = transition(record, event, now);
  if (!result.ok) throw result.error;
  return result.record;
};

/** The request made at tick(0) and the seller notified a second later (2026-11-21 in Tokyo). */
const awaitingSeller = (record: OrderRecord): OrderRecord =>
  apply(apply(record, requestCancellation(), tick(0)), workflowStarted(), tick(1));

describe.each(BACKENDS)("seller counters on %s", (backend) => {
  const table = useTestTable(backend, "counters");
  const adapters = () => {
    const options = { client: table.current.client, tableName: table.current.tableName };
    return { orders: new DynamoOrders(options), counters: new DynamoSellerCounters(options) };
  };
  /** Every counter item of the seller, as stored. */
  const itemsOf = async (sellerId: string) =>
    (
      await table.current.client.send(
        new QueryCommand({
          TableName: table.current.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": counterPartition(sellerId) },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];

  it("an import adds the order to its seller's day, on the shard of its id, as a plain item", async () => {
    const { orders, counters } = adapters();
    const sellerId = uid("seller");
    const orderId = uid("o");
    await orders.create(shipped(orderId, sellerId));
    expect(await itemsOf(sellerId)).toEqual([
      {
        pk: `SELLERMETRICS#${sellerId}`,
        sk: `2026-11-19#${shardOf(orderId, COUNTER_SHARDS)}`,
        orders: 1,
      },
    ]);
    await expect(counters.days(sellerId, "2026-11-19", "2026-11-19")).resolves.toEqual([
      { day: "2026-11-19", counts: { orders: 1 } },
    ]);
    // Imported again: refused, and counted once.
    await expect(orders.create(shipped(orderId, sellerId))).rejects.toBeInstanceOf(
      OrderExistsError,
    );
    expect((await itemsOf(sellerId))[0]?.orders).toBe(1);
  });

  it("a change that counts adds to the counters with its own write; others write none", async () => {
    const { orders, counters } = adapters();
    const sellerId = uid("seller");
    const orderId = uid("o");
    let stored = await orders.create(shipped(orderId, sellerId));
    // The request and the seller's notice count nothing.
    stored = await orders.save(stored, awaitingSeller(stored.record));
    expect(await itemsOf(sellerId)).toHaveLength(1);
    // The seller answers an hour later (in time, within the hour's bucket).
    stored = await orders.save(stored, apply(stored.record, sellerApprove(sellerId), tick(HOUR)));
    expect(stored.version).toBe(3);
    await expect(orders.get(orderId)).resolves.toMatchObject({
      version: 3,
      record: { requests: { [REQ]: { status: "AWAITING_MARKETPLACE" } } },
    });
    // The buyer withdraws: a change of mind, nobody's fault.
    await orders.save(stored, apply(stored.record, withdraw(), tick(2 * HOUR)));
    await expect(counters.days(sellerId, "2026-11-19", "2026-11-21")).resolves.toEqual(
      expect.arrayContaining([
        { day: "2026-11-19", counts: { orders: 1 } },
        {
          day: "2026-11-21",
          counts: {
            answered: 1,
            withinDeadline: 1,
            bucket_3600: 1,
            ended: 1,
            reason_NO_LONGER_NEEDED: 1,
            status_WITHDRAWN: 1,
            fault_NONE: 1,
          },
        },
      ]),
    );
  });

  it("a change refused by the order's condition writes no counter", async () => {
    const { orders } = adapters();
    const sellerId = uid("seller");
    const orderId = uid("o");
    let stored = await orders.create(shipped(orderId, sellerId));
    stored = await orders.save(stored, awaitingSeller(stored.record));
    const before = await itemsOf(sellerId);
    // Someone else wrote first: the order is at a later version than this writer read.
    await table.current.client.send(
      new UpdateCommand({
        TableName: table.current.tableName,
        Key: orderKey(orderId),
        UpdateExpression: "SET #version = #version + :one",
        ExpressionAttributeNames: { "#version": "version" },
        ExpressionAttributeValues: { ":one": 1 },
      }),
    );
    const answer = apply(stored.record, sellerReject("already handed over", sellerId), tick(HOUR));
    await expect(orders.save(stored, answer)).rejects.toBeInstanceOf(ConflictError);
    expect(await itemsOf(sellerId)).toEqual(before);
    await expect(orders.get(orderId)).resolves.toMatchObject({
      record: { requests: { [REQ]: { status: "AWAITING_SELLER" } } },
    });
  });

  it("of ten writers of one change from the same version, one wins and counts once", async () => {
    const { orders, counters } = adapters();
    const sellerId = uid("seller");
    const orderId = uid("o");
    let stored = await orders.create(shipped(orderId, sellerId));
    stored = await orders.save(stored, awaitingSeller(stored.record));
    const answer = apply(stored.record, sellerApprove(sellerId), tick(HOUR));
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => orders.save(stored, answer)),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") expect(result.reason).toBeInstanceOf(ConflictError);
    }
    const [day] = await counters.days(sellerId, "2026-11-21", "2026-11-21");
    expect(day?.counts).toEqual({ answered: 1, withinDeadline: 1, bucket_3600: 1 });
  });

  it("stays exact while many orders of one seller change at once (conflicts decided again)", async () => {
    const { orders, counters } = adapters();
    const sellerId = uid("seller");
    const ids = Array.from({ length: 12 }, () => uid("o"));
    await Promise.all(ids.map((id) => orders.create(shipped(id, sellerId))));
    for (const id of ids) {
      const stored = await orders.get(id);
      if (!stored) throw new Error(`no order ${id}`);
      await orders.save(stored, awaitingSeller(stored.record));
    }
    const deps = {
      orders,
      signals: NO_WAKE_UP,
      clock: new FakeClock(tick(HOUR)),
      log: new FakeLog(),
    };
    // Every seller answers in the same instant: the day's counter items are contended.
    await Promise.all(ids.map((id) => changeOrder(deps, id, sellerApprove(sellerId))));
    const days = await counters.days(sellerId, "2026-11-19", "2026-11-21");
    const total = (name: string) =>
      days.reduce((sum, { counts }) => sum + ((counts as Record<string, number>)[name] ?? 0), 0);
    expect(total("orders")).toBe(12);
    expect(total("answered")).toBe(12);
    expect(total("withinDeadline")).toBe(12);
    // Spread over the day's shards by order id, and summed on reading.
    const shards = new Set((await itemsOf(sellerId)).map((item) => String(item.sk)));
    expect(shards.size).toBeGreaterThan(2);
    expect([...shards].every((sk) => /^2026-11-(19|21)#[0-3]$/.test(sk))).toBe(true);
  });

  it("reads a window of days, both ends included, and nothing of another seller", async () => {
    const { orders, counters } = adapters();
    const sellerId = uid("seller");
    const other = uid("seller");
    const placed = (orderId: string, seller: string, placedAt: string): OrderRecord => ({
      order: makeOrder({ orderId, sellerId: seller, placedAt, timeline: [] }),
      requests: {},
    });
    // Tokyo days 2026-11-10, -11 (twice), -12 (15:00Z is the next day in Tokyo) and -13.
    for (const placedAt of [
      "2026-11-10T03:00:00.000Z",
      "2026-11-11T03:00:00.000Z",
      "2026-11-11T10:00:00.000Z",
      "2026-11-11T15:00:00.000Z",
      "2026-11-13T03:00:00.000Z",
    ]) {
      await orders.create(placed(uid("o"), sellerId, placedAt));
    }
    await orders.create(placed(uid("o"), other, "2026-11-11T03:00:00.000Z"));
    const days = await counters.days(sellerId, "2026-11-11", "2026-11-12");
    expect(days.sort((a, b) => (a.day < b.day ? -1 : 1))).toEqual([
      { day: "2026-11-11", counts: { orders: 2 } },
      { day: "2026-11-12", counts: { orders: 1 } },
    ]);
    await expect(counters.days(sellerId, "2026-11-14", "2026-12-31")).resolves.toEqual([]);
  });

  it("answers the waits as the write left them: one stored since the read, less the one it ends", async () => {
    const { orders } = adapters();
    const sellerId = uid("seller");
    const orderId = uid("o");
    let stored = await orders.create(shipped(orderId, sellerId));
    stored = await orders.save(stored, awaitingSeller(stored.record));
    // The seller's page read the order; then the workflow's wait stored its token.
    const read = await orders.get(orderId);
    if (!read) throw new Error("no order");
    await storeWait(table.current, orderId, REQ, "token-1", "AWAITING_SELLER");
    const answered = await orders.save(
      read,
      apply(read.record, sellerApprove(sellerId), tick(HOUR)),
    );
    // The caller wakes it (change-order.ts): the answer names it, as ALL_NEW would.
    expect(answered.waits).toEqual({ [REQ]: { token: "token-1", status: "AWAITING_SELLER" } });
    expect(answered.version).toBe(read.version + 1);
    // The workflow's own step ends the wait in its write.
    const withdrawn = await orders.save(
      answered,
      apply(answered.record, withdraw(), tick(2 * HOUR)),
      { endWait: REQ },
    );
    expect(withdrawn.waits).toEqual({});
    const item = await table.current.client.send(
      new GetCommand({ TableName: table.current.tableName, Key: orderKey(orderId) }),
    );
    expect(item.Item?.waits).toEqual({});
  });
});
