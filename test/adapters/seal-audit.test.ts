// The hourly seal on DynamoDB Local and dynalite: orders imported and changed in several hours are
// found through the AuditHeads index (no scan), each in the window of its last chain write only;
// the cursor item moves once per digest; two sealers at once write one digest per window.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DynamoAuditHeads, hoursBetween } from "../../functions/adapters/dynamodb/audit-heads.ts";
import { DynamoOrders } from "../../functions/adapters/dynamodb/orders.ts";
import { DynamoSealCursor } from "../../functions/adapters/dynamodb/seal-cursor.ts";
import { AUDIT_HEAD_SHARDS } from "../../functions/adapters/dynamodb/table.ts";
import type { StoredOrder } from "../../functions/app/ports.ts";
import { type SealDeps, sealAuditHeads } from "../../functions/app/seal-audit-heads.ts";
import { chainUnchained } from "../../functions/domain/audit.ts";
import type { OrderRecord } from "../../functions/domain/types.ts";
import { LocalSealStore } from "../../local/seals.ts";
import { BACKENDS, type TestTable, useTestTable } from "../support/dynamodb.ts";
import { makeOrder } from "../support/factories.ts";

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** An order imported at `at`: its first entry chained then (as POST /orders does). */
const imported = (orderId: string, at: string): OrderRecord => {
  const record: OrderRecord = {
    order: makeOrder({
      orderId,
      importedAt: at,
      updatedAt: at,
      timeline: [{ at, type: "ORDER_IMPORTED", actor: "order-system" }],
    }),
    requests: {},
  };
  chainUnchained(record, at);
  return record;
};

/** `stored` with one more order entry, chained at `at`: the chain grows, its head moves. */
const changedAt = (stored: StoredOrder, at: string): OrderRecord => {
  const record = structuredClone(stored.record);
  record.order.timeline.push({ at, type: "DELIVERED", actor: "carrier" });
  chainUnchained(record, at);
  return record;
};

describe("hoursBetween", () => {
  it("names every UTC hour from the window's start to its end, both included", () => {
    expect(hoursBetween("2026-11-21T01:00:00.000Z", "2026-11-21T03:00:00.000Z")).toEqual([
      "2026-11-21T01",
      "2026-11-21T02",
      "2026-11-21T03",
    ]);
    expect(hoursBetween("2026-11-21T23:59:00.000Z", "2026-11-22T00:00:00.000Z")).toEqual([
      "2026-11-21T23",
      "2026-11-22T00",
    ]);
  });
});

describe.each(BACKENDS)("the audit seal on %s", (backend) => {
  const table = useTestTable(backend, "seals");

  const parts = (current: TestTable) => {
    const options = { client: current.client, tableName: current.tableName };
    return {
      orders: new DynamoOrders(options),
      heads: new DynamoAuditHeads(options),
      cursor: new DynamoSealCursor(options),
    };
  };

  const sealerAt = (now: string, seals: LocalSealStore): SealDeps => {
    const { heads, cursor } = parts(table.current);
    return { clock: { now: () => now }, log, heads, cursor, seals };
  };

  it("seals each window's changed orders, each order in the window of its last chain write, and moves the cursor once per digest", async () => {
    const { orders, cursor } = parts(table.current);
    const run = randomUUID().slice(0, 8);
    const id = (name: string) => `${name}-${run}`;
    // The first seal of this table starts at the cursor, set here as a previous seal left it.
    expect(await cursor.move(undefined, "2026-11-21T01:00:00.000Z")).toBe(true);

    const times: Record<string, string> = {
      early: "2026-11-21T00:30:00.000Z",
      edge: "2026-11-21T01:00:00.000Z",
      a: "2026-11-21T01:00:00.001Z",
      b: "2026-11-21T02:59:59.999Z",
      c: "2026-11-21T04:10:00.000Z",
      d: "2026-11-21T05:00:00.000Z",
      late: "2026-11-21T05:00:00.001Z",
    };
    const stored: Record<string, StoredOrder> = {};
    for (const [name, at] of Object.entries(times)) {
      stored[name] = await orders.create(imported(id(name), at));
    }
    const headOf = (record: OrderRecord, name: string) => ({
      orderId: id(name),
      seq: record.audit?.seq,
      head: record.audit?.head,
    });

    const seals = new LocalSealStore();
    const first = await sealAuditHeads(sealerAt("2026-11-21T05:20:00.000Z", seals));
    expect(first.sealed).toEqual([
      {
        from: "2026-11-21T01:00:00.000Z",
        to: "2026-11-21T05:00:00.000Z",
        heads: 4,
        stored: true,
        cursorMoved: true,
      },
    ]);
    // Orders changed at the window's start were the previous seal's; after its end, the next's.
    expect((await seals.list())[0]?.heads).toEqual(
      ["a", "b", "c", "d"].map((name) => headOf((stored[name] as StoredOrder).record, name)),
    );
    await expect(cursor.read()).resolves.toBe("2026-11-21T05:00:00.000Z");

    // Order a grows again at 05:30: it leaves its 01:00 hour for the 05:00 one.
    const a = changedAt(stored.a as StoredOrder, "2026-11-21T05:30:00.000Z");
    await orders.save(stored.a as StoredOrder, a);
    const second = await sealAuditHeads(sealerAt("2026-11-21T06:15:00.000Z", seals));
    expect(second.sealed).toEqual([expect.objectContaining({ heads: 2, cursorMoved: true })]);
    const digests = await seals.list();
    expect(digests.map(({ from, to }) => [from, to])).toEqual([
      ["2026-11-21T01:00:00.000Z", "2026-11-21T05:00:00.000Z"],
      ["2026-11-21T05:00:00.000Z", "2026-11-21T06:00:00.000Z"],
    ]);
    expect(digests[1]?.heads).toEqual([
      headOf(a, "a"),
      headOf((stored.late as StoredOrder).record, "late"),
    ]);
    expect(a.audit?.seq).toBe(1);

    // Nothing more in that hour: a run again writes nothing and leaves the cursor.
    expect((await sealAuditHeads(sealerAt("2026-11-21T06:50:00.000Z", seals))).sealed).toEqual([]);
    expect(await seals.list()).toHaveLength(2);
    await expect(cursor.read()).resolves.toBe("2026-11-21T06:00:00.000Z");
  });

  it("finds every order of a busy hour across its shards and pages, once each", async () => {
    const { orders } = parts(table.current);
    const hour = "2026-11-21T10";
    const ids = Array.from({ length: 60 }, (_, i) => `bulk-${String(i).padStart(3, "0")}`);
    await Promise.all(
      ids.map((orderId, i) =>
        orders.create(imported(orderId, `${hour}:${String(i % 60).padStart(2, "0")}:00.000Z`)),
      ),
    );
    // Pages of 3 items: every shard of the hour is read over several pages.
    const heads = new DynamoAuditHeads({
      client: table.current.client,
      tableName: table.current.tableName,
      pageSize: 3,
    });
    const found = await heads.changedBetween(
      "2026-11-21T10:00:00.000Z",
      "2026-11-21T11:00:00.000Z",
    );
    // The first order's write is at the window's start: not in it.
    expect(found.map((head) => head.orderId).sort()).toEqual(ids.slice(1));
    expect(heads.queries).toBeGreaterThan(2 * AUDIT_HEAD_SHARDS);
  });

  it("two sealers at once write one digest per window, and the cursor moves once", async () => {
    // The cursor is where the first test left it (06:00): the two catch up a day and two hours,
    // a day at most per digest.
    const seals = new LocalSealStore();
    const { cursor } = parts(table.current);
    const now = "2026-11-22T08:30:00.000Z";
    const [one, two] = await Promise.all([
      sealAuditHeads(sealerAt(now, seals)),
      sealAuditHeads(sealerAt(now, seals)),
    ]);
    const windows = [...one.sealed, ...two.sealed];
    const digests = await seals.list();
    expect(digests.map(({ from, to }) => [from, to])).toEqual([
      ["2026-11-21T06:00:00.000Z", "2026-11-22T06:00:00.000Z"],
      ["2026-11-22T06:00:00.000Z", "2026-11-22T08:00:00.000Z"],
    ]);
    // The busy hour's 60 orders are in the first.
    expect(digests[0]?.heads.filter((head) => head.orderId.startsWith("bulk-"))).toHaveLength(60);
    // Every window sealed once: each `to` has one digest, and the cursor moved once to each.
    const tos = digests.map((digest) => digest.to);
    expect(new Set(tos).size).toBe(tos.length);
    const moves = windows.filter((window) => window.cursorMoved).map((window) => window.to);
    expect(moves.sort()).toEqual(tos);
    await expect(cursor.read()).resolves.toBe("2026-11-22T08:00:00.000Z");
    // Consecutive: each digest starts where the one before ended.
    for (let i = 1; i < digests.length; i++) {
      expect(digests[i]?.from).toBe(digests[i - 1]?.to);
    }
  });
});
