// The audit chain through the real orders repository, on DynamoDB Local and dynalite: an order
// imported, then changed step by step to a completed cancellation, keeps a chain that verifies at
// every version, written with the item's `audit` attribute in the same conditional write; a lost
// race writes neither; a write that adds no entry leaves the head alone; and an order stored
// before the chain was kept is chained by its next save as its export showed it.
import { randomUUID } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { orderKey, toStoredOrder } from "../../functions/adapters/dynamodb/order-item.ts";
import { DynamoOrders } from "../../functions/adapters/dynamodb/orders.ts";
import { ConflictError } from "../../functions/app/errors.ts";
import type { StoredOrder } from "../../functions/app/ports.ts";
import { chainUnchained, exportAudit, verifyAudit } from "../../functions/domain/audit.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { withMarks } from "../../functions/domain/notices.ts";
import { transition } from "../../functions/domain/transition.ts";
import type { OrderRecord } from "../../functions/domain/types.ts";
import {
  complete,
  HOUR,
  instructRefund,
  policyApprove,
  refundSucceeded,
  requestCancellation,
  sellerApprove,
  startRefundCall,
  at as tick,
  workflowStarted,
} from "../domain/flow.ts";
import { BACKENDS, useTestTable } from "../support/dynamodb.ts";
import { orderRecord } from "../support/records.ts";

const apply = (record: OrderRecord, event: DomainEvent, now: string): OrderRecord => {
  const result = transition(record, event, now);
  if (!result.ok) throw result.error;
  return result.record;
};

/** A cancellation of the whole order, from the request to its completion. */
const CANCELLATION: [DomainEvent, string][] = [
  [requestCancellation(), tick(0)],
  [workflowStarted(), tick(1)],
  [sellerApprove(), tick(HOUR)],
  [policyApprove(), tick(HOUR + 1)],
  [instructRefund(), tick(2 * HOUR)],
  [startRefundCall(), tick(2 * HOUR)],
  [refundSucceeded(), tick(3 * HOUR)],
  [complete(), tick(3 * HOUR + 1)],
];

describe.each(BACKENDS)("the audit chain through the orders repository on %s", (backend) => {
  const table = useTestTable(backend, "audit");
  const orders = () =>
    new DynamoOrders({ client: table.current.client, tableName: table.current.tableName });

  /** The item as stored, and its record. */
  const item = async (orderId: string) => {
    const { Item } = await table.current.client.send(
      new GetCommand({
        TableName: table.current.tableName,
        Key: orderKey(orderId),
        ConsistentRead: true,
      }),
    );
    if (!Item) throw new Error(`no item ${orderId}`);
    return { raw: Item, stored: toStoredOrder(Item) };
  };

  /** The stored chain verifies, every entry has seq and hash, and `audit` is its end. */
  const expectChained = async (orderId: string) => {
    const { raw, stored } = await item(orderId);
    const { record } = stored;
    const entries = [
      ...record.order.timeline,
      ...Object.values(record.requests).flatMap((request) => request.timeline),
    ];
    for (const entry of entries) {
      expect(Number.isInteger(entry.seq)).toBe(true);
      expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    const trail = exportAudit(record);
    expect(verifyAudit(trail.entries)).toEqual({ ok: true, head: trail.head });
    expect(raw.audit).toMatchObject({ seq: entries.length - 1, head: trail.head });
    return { stored, trail };
  };

  it("keeps a chain that verifies at every version, its head written with each change", async () => {
    const orderId = `o-${randomUUID()}`;
    // As import-order.ts builds it: the ORDER_IMPORTED entry chained before the item is put.
    const imported = orderRecord({ orderId });
    chainUnchained(imported, imported.order.importedAt);
    let stored: StoredOrder = await orders().create(imported);
    let seen = (await expectChained(orderId)).trail;
    expect(seen.entries.map(({ type }) => type)).toEqual(["ORDER_IMPORTED"]);

    let head = (await item(orderId)).raw.audit;
    for (const [event, now] of CANCELLATION) {
      const next = apply(stored.record, event, now);
      const added = exportAudit(next).entries.length - seen.entries.length;
      stored = await orders().save(stored, next);
      const { trail } = await expectChained(orderId);
      // Only added to: what was there is unchanged, the head moved with the new entries (a
      // change that writes none, the refund call's lease, leaves it).
      expect(trail.entries.slice(0, seen.entries.length)).toEqual(seen.entries);
      expect(trail.entries.length).toBe(seen.entries.length + added);
      const { audit } = (await item(orderId)).raw;
      expect(audit).toEqual(
        added > 0 ? { seq: trail.entries.length - 1, head: trail.head, writtenAt: now } : head,
      );
      head = audit;
      seen = trail;
    }
    expect(seen.entries.length).toBeGreaterThan(CANCELLATION.length);
    // The completion's one write: the request's entry, then the order's, in writing order.
    expect(seen.entries.slice(-2).map(({ type, requestId }) => [type, requestId])).toEqual([
      ["COMPLETED", "req-1"],
      ["CANCELLED", undefined],
    ]);
  });

  it("writes no entry and no head when the version moved on; a write without entries leaves the head", async () => {
    const orderId = `o-${randomUUID()}`;
    const imported = orderRecord({ orderId });
    chainUnchained(imported, imported.order.importedAt);
    const created = await orders().create(imported);
    const requested = await orders().save(
      created,
      apply(created.record, requestCancellation(), tick(0)),
    );
    const before = await item(orderId);
    // A writer that read the first version loses: nothing of its change is stored.
    await expect(
      orders().save(created, apply(created.record, requestCancellation(), tick(5))),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await item(orderId)).raw).toEqual(before.raw);
    // The request's mail marked sent: no timeline entry, the head as it was.
    const marked = withMarks(requested.record, [
      { kind: "MAIL_SENT", requestId: "req-1", key: "BUYER_REQUESTED", at: tick(1) },
    ]);
    await orders().save(requested, marked);
    const after = await item(orderId);
    expect(after.stored.version).toBe(before.stored.version + 1);
    expect(after.raw.audit).toEqual(before.raw.audit);
    await expectChained(orderId);
  });

  it("chains an order stored before the chain was kept at its next save, as its export showed it", async () => {
    const orderId = `o-${randomUUID()}`;
    // Stored as the service stored orders before: no seq, no hash, no audit attribute.
    const legacy = apply(orderRecord({ orderId }), requestCancellation(), tick(0));
    for (const entry of [
      ...legacy.order.timeline,
      ...Object.values(legacy.requests).flatMap((request) => request.timeline),
    ]) {
      delete entry.seq;
      delete entry.hash;
    }
    delete legacy.audit;
    const created = await orders().create(legacy);
    expect((await item(orderId)).raw.audit).toBeUndefined();
    const shown = exportAudit((await item(orderId)).stored.record);

    await orders().save(created, apply(created.record, workflowStarted(), tick(1)));
    const { trail } = await expectChained(orderId);
    expect(trail.entries.slice(0, shown.entries.length)).toEqual(shown.entries);
    expect(trail.entries.slice(shown.entries.length).map(({ type }) => type)).toEqual([
      "SELLER_NOTIFIED",
    ]);
  });
});
