// End to end over HTTP: SPEC "Seller performance" in local mode. A seller's figures move with the
// very writes that change their orders, read at once after each: the import, the seller's answer,
// a slow delivery shipped after shipBy completing as the seller's fault, a buyer's change of mind
// completing without counting against them, a deadline let pass. The operator reads the same
// figures. Every answer is checked against docs/openapi.json.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SellerMetrics } from "../../functions/domain/seller-metrics.ts";
import { type Caller, type LocalClient, orderBody } from "../../local/client.ts";
import { type LocalMode, startLocal } from "../../local/start.ts";
import { ContractClient } from "../support/contract.ts";

let local: LocalMode;
let api: LocalClient;
let system: Caller;
let operator: Caller;
let folder: string;

beforeAll(async () => {
  // The seller has 20 seconds to answer: one deadline is let pass within the test.
  folder = await mkdtemp(path.join(tmpdir(), "policy-"));
  const policyFile = path.join(folder, "policy.json");
  await writeFile(
    policyFile,
    JSON.stringify({
      version: "e2e-seller-metrics",
      sellerResponseSeconds: 20,
      sellerReminderSeconds: 10,
    }),
  );
  local = await startLocal({ port: 0, policyFile });
  api = new ContractClient(local.url);
  [system, operator] = await Promise.all([api.system(), api.operator()]);
}, 90_000);

afterAll(async () => {
  await local?.stop();
  await rm(folder, { recursive: true, force: true });
});

const HOUR_MS = 3_600_000;

describe("seller performance", () => {
  it("counts each change as it is written: orders, answers, a seller-caused and a buyer's cancellation, a missed deadline", async () => {
    const seller = await api.seller();
    const buyer = await api.buyer();
    const figures = async () => {
      const response = await api.get<SellerMetrics>("/seller/metrics", seller);
      expect(response.status).toBe(200);
      return response.body;
    };
    const empty = await figures();
    expect(empty).toMatchObject({ orders: 0, sellerCancellationRate: 0 });
    expect(empty.days).toHaveLength(30);

    /** An order of the seller, shipped now; `shipBy` an hour after it was placed (a day ago). */
    const shippedOrder = async (late: boolean) => {
      const placedAt = new Date(Date.now() - 24 * HOUR_MS).toISOString();
      const body = orderBody(
        { buyerId: buyer.sub, sellerId: seller.sub },
        {
          placedAt,
          ...(late ? { shipBy: new Date(Date.parse(placedAt) + HOUR_MS).toISOString() } : {}),
        },
      );
      expect((await api.post("/orders", system, body)).status).toBe(201);
      const shipment = { carrier: "yamato", trackingNumber: `4470-${body.orderId.slice(-6)}` };
      expect((await api.post(`/orders/${body.orderId}/shipment`, seller, shipment)).status).toBe(
        200,
      );
      return body.orderId;
    };
    const late = await shippedOrder(true);
    const inTime = await shippedOrder(false);
    const ignored = await shippedOrder(false);
    // The imports show at once, on the day they were placed.
    expect((await figures()).orders).toBe(3);

    const ask = async (orderId: string, reason: string) => {
      const asked = await api.post(
        `/orders/${orderId}/cancellation-requests`,
        buyer,
        { reason },
        { "idempotency-key": `${orderId}-1` },
      );
      expect(asked.status).toBe(202);
      const path = `/orders/${orderId}/cancellation-requests/${String(asked.body.requestId)}`;
      await reach(path, "AWAITING_SELLER");
      return path;
    };
    const reach = (path: string, status: string) =>
      api.until(async () => {
        const request = await api.get(path, buyer);
        return request.body.status === status ? request.body : undefined;
      }, `${path} to reach ${status}`);

    // The seller approves the slow delivery they shipped late: the answer counts at once.
    const slow = await ask(late, "DELIVERY_TOO_SLOW");
    expect(
      (await api.post(`${slow}/seller-decision`, seller, { decision: "APPROVE" })).status,
    ).toBe(200);
    const answered = await figures();
    expect(answered.response).toMatchObject({ answered: 1, withinDeadline: 1, timedOut: 0 });
    expect(answered.response.medianSeconds).toEqual(expect.any(Number));
    // The policy approves and refunds; the request completes as the seller's fault.
    const completed = await reach(slow, "COMPLETED");
    expect(completed).toMatchObject({ initiator: "BUYER", fault: "SELLER" });
    const afterSlow = await figures();
    expect(afterSlow.cancellations).toMatchObject({
      total: 1,
      byReason: { DELIVERY_TOO_SLOW: 1 },
      byOutcome: { COMPLETED: 1 },
      byFault: { SELLER: 1 },
    });
    expect(afterSlow.sellerCancellationRate).toBeCloseTo(1 / 3, 4);

    // A buyer's change of mind, approved and refunded: never against the seller.
    const mind = await ask(inTime, "FOUND_BETTER_PRICE");
    await api.post(`${mind}/seller-decision`, seller, { decision: "APPROVE" });
    expect(await reach(mind, "COMPLETED")).toMatchObject({ fault: "NONE" });
    const afterMind = await figures();
    expect(afterMind.cancellations).toMatchObject({ total: 2, byFault: { SELLER: 1, NONE: 1 } });
    expect(afterMind.sellerCancellationRate).toBeCloseTo(1 / 3, 4);
    expect(afterMind.response.answered).toBe(2);

    // A request the seller lets pass (20 seconds under this policy): a missed deadline, no fault.
    const missed = await ask(ignored, "NO_LONGER_NEEDED");
    await api.until(
      async () => ((await figures()).response.timedOut === 1 ? true : undefined),
      "the missed deadline to count",
      60_000,
    );
    expect((await api.get(missed, buyer)).body).toMatchObject({ fault: null });
    const last = await figures();
    expect(last.response).toMatchObject({ answered: 2, withinDeadline: 2, timedOut: 1 });
    expect(last.orders).toBe(3);
    // Today's bar holds the cancellations; the imports are on the day before (a day ago).
    const today = last.days.at(-1);
    expect(today).toMatchObject({ cancellations: 2, sellerCancellations: 1 });
    expect(last.days.reduce((sum, day) => sum + day.orders, 0)).toBe(3);

    // The operator reads the same figures of that seller.
    const read = await api.get<SellerMetrics>(`/operator/sellers/${seller.sub}/metrics`, operator);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(last);
    // And the seller cannot read another's, nor a window over 90 days.
    expect((await api.get(`/operator/sellers/${seller.sub}/metrics`, seller)).status).toBe(403);
    const long = await api.get("/seller/metrics?from=2026-01-01&to=2026-12-31", seller);
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ code: "VALIDATION_FAILED" });
  }, 150_000);
});
