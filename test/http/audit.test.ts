// GET /orders/{orderId}/audit over the in-memory ports: the order's seller and operators get its
// hash-chained timeline (SPEC "Audit trail"), a buyer 403, another seller 404; reading it writes
// nothing, and an order stored before the chain was kept shows the chain its next write stores.
import { beforeEach, describe, expect, it } from "vitest";
import { type AuditExport, verifyAudit } from "../../functions/domain/audit.ts";
import { createTestApp, expectJson, expectProblem, type TestApp } from "../support/http-app.ts";
import { buyer, operator, seller, system } from "../support/http-events.ts";
import { importBody, requestOn, seedOrder, uid } from "../support/http-fixtures.ts";

let app: TestApp;
beforeEach(() => {
  app = createTestApp();
});

const audit = async (orderId: string, caller = seller()) =>
  app.invoke("GetAudit", { caller, params: { orderId } });

/** An order imported, shipped and asked to be cancelled, through the routes. */
const orderWithRequest = async (): Promise<{ orderId: string; requestId: string }> => {
  const body = importBody();
  const orderId = body.orderId;
  const importer = system("orders/write", "order-importer");
  expectJson(await app.invoke("ImportOrder", { caller: importer, body }), 201);
  expectJson(
    await app.invoke("RecordShipment", {
      caller: seller(),
      params: { orderId },
      body: { carrier: "yamato", trackingNumber: "4470-1234-5678" },
    }),
    200,
  );
  const requested = await app.invoke("RequestCancellation", {
    caller: buyer(),
    params: { orderId },
    body: { reason: "NO_LONGER_NEEDED" },
    headers: { "Idempotency-Key": uid("idem") },
  });
  expectJson(requested, 202);
  return { orderId, requestId: requested.body.requestId as string };
};

describe("GET /orders/{orderId}/audit", () => {
  it("answers its seller and any operator with every entry, chained in writing order, reading only the order", async () => {
    const { orderId, requestId } = await orderWithRequest();
    const stored = app.item(orderId)?.record;
    app.calls.length = 0;
    for (const caller of [seller(), operator(uid("op"))]) {
      const response = await audit(orderId, caller);
      expectJson(response, 200);
      const trail = response.body as unknown as AuditExport;
      expect(trail.orderId).toBe(orderId);
      expect(trail.entries.map(({ seq, type, requestId: of }) => [seq, type, of])).toEqual([
        [0, "ORDER_IMPORTED", undefined],
        [1, "SHIPPED", undefined],
        [2, "REQUESTED", requestId],
      ]);
      expect(trail.entries.map(({ at, actor }) => [at, actor])).toEqual([
        ...(stored?.order.timeline ?? []).map(({ at, actor }) => [at, actor]),
        ...(stored?.requests[requestId]?.timeline ?? []).map(({ at, actor }) => [at, actor]),
      ]);
      // Exactly SPEC's fields: no note where the entry has none.
      expect(Object.keys(trail.entries[2] ?? {})).toEqual([
        "seq",
        "at",
        "type",
        "actor",
        "requestId",
        "hash",
      ]);
      expect(verifyAudit(trail.entries)).toEqual({ ok: true, head: trail.head });
      expect(trail.head).toBe(stored?.audit?.head);
      expect(trail.head).toBe(trail.entries.at(-1)?.hash);
    }
    expect(app.callNames()).toEqual(["table.get", "table.get"]);
  });

  it("is refused to buyers (403), even the order's own, and hidden from another seller (404)", async () => {
    const { orderId } = await orderWithRequest();
    const before = app.item(orderId);
    expectProblem(await audit(orderId, buyer()), 403, "FORBIDDEN");
    for (const [caller, id] of [
      [seller("seller-2"), orderId],
      // A seller who is this order's buyer is not its seller.
      [seller("buyer-1"), orderId],
      [operator(), uid("o-missing")],
    ] as const) {
      const problem = expectProblem(await audit(id, caller), 404, "NOT_FOUND");
      expect(problem.detail).toBe("no such order");
    }
    expect(app.item(orderId)).toEqual(before);
  });

  it("shows an order stored before the chain was kept as its next write chains it, and stores nothing", async () => {
    const record = await seedOrder(app.world.table, {}, (id) => [requestOn(id)]);
    const { orderId } = record.order;
    const requestId = Object.keys(record.requests)[0] as string;
    const before = app.item(orderId);
    expect(before?.record.audit).toBeUndefined();
    const shown = (await audit(orderId)).body as unknown as AuditExport;
    expect(verifyAudit(shown.entries)).toEqual({ ok: true, head: shown.head });
    expect(shown.entries.map(({ seq, type }) => [seq, type])).toEqual([
      ...record.order.timeline.map(({ type }, seq) => [seq, type]),
      [record.order.timeline.length, "REQUESTED"],
    ]);
    expect(app.item(orderId)).toEqual(before);

    // The seller approves: the stored chain starts with exactly the entries shown, then the new one.
    const decided = await app.invoke("SellerDecision", {
      caller: seller(),
      params: { orderId, requestId },
      body: { decision: "APPROVE" },
    });
    expectJson(decided, 200);
    const after = (await audit(orderId)).body as unknown as AuditExport;
    expect(after.entries.slice(0, shown.entries.length)).toEqual(shown.entries);
    expect(after.entries.slice(shown.entries.length).map(({ type }) => type)).toEqual([
      "SELLER_APPROVED",
    ]);
    expect(verifyAudit(after.entries)).toEqual({ ok: true, head: after.head });
    expect(app.item(orderId)?.record.audit?.head).toBe(after.head);
  });
});
