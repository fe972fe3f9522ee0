// Local mode's audit seals (SPEC "Audit trail", "Local mode"): `POST /_local/sweep` seals the
// heads of the orders changed since the last seal, after the reconciler, and `GET /_local/seals`
// lists the digests oldest first. Its own instance: nothing else changes orders between sweeps.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditDigest } from "../../functions/app/ports.ts";
import { LocalClient, orderBody } from "../../local/client.ts";
import { type LocalMode, startLocal } from "../../local/start.ts";

let local: LocalMode;
let api: LocalClient;

beforeAll(async () => {
  local = await startLocal({ port: 0 });
  api = new LocalClient(local.url);
}, 90_000);

afterAll(async () => {
  await local?.stop();
});

const seals = async (): Promise<AuditDigest[]> => {
  const response = await api.get<{ items: AuditDigest[] }>("/_local/seals");
  expect(response.status).toBe(200);
  return response.body.items;
};

const sweep = async (): Promise<unknown[]> => {
  const response = await api.send<{ results: unknown[] }>("POST", "/_local/sweep");
  expect(response.status).toBe(200);
  return response.body.results;
};

describe("POST /_local/sweep and GET /_local/seals", () => {
  it("a change then a sweep lists a digest with the order's head; a sweep with no change since, an empty digest after it", async () => {
    expect(await seals()).toEqual([]);
    const [system, buyer, seller, operator] = await Promise.all([
      api.system(),
      api.buyer(),
      api.seller(),
      api.operator(),
    ]);
    const body = orderBody({ buyerId: buyer.sub, sellerId: seller.sub });
    const orderId = String(body.orderId);
    expect((await api.post("/orders", system, body)).status).toBe(201);
    const shipped = await api.post(`/orders/${orderId}/shipment`, seller, {
      carrier: "yamato",
      trackingNumber: "4470-1234-5678",
    });
    expect(shipped.status).toBe(200);
    const audit = await api.get<{ entries: { seq: number }[]; head: string }>(
      `/orders/${orderId}/audit`,
      operator,
    );
    expect(audit.status).toBe(200);
    const last = audit.body.entries.at(-1);

    // The reconciler's report, then the seal's, in the template's order.
    const results = await sweep();
    expect(results).toHaveLength(local.schedules.length);
    expect(results.at(-1)).toMatchObject({
      sealed: [{ heads: 1, stored: true, cursorMoved: true }],
    });
    const [first, ...more] = await seals();
    expect(more).toEqual([]);
    expect(first?.heads).toEqual([{ orderId, seq: last?.seq, head: audit.body.head }]);
    expect(Date.parse(first?.to ?? "")).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(first?.sealedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(first?.to ?? ""));

    await sweep();
    const digests = await seals();
    expect(digests).toHaveLength(2);
    expect(digests[0]).toEqual(first);
    expect(digests[1]).toMatchObject({ from: first?.to, heads: [] });
    expect((digests[1]?.to ?? "") > (first?.to ?? "")).toBe(true);
  });
});
