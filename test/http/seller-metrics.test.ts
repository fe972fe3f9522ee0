// Seller performance over the in-memory ports (SPEC "Seller performance"): GET /seller/metrics
// (the seller's own) and GET /operator/sellers/{sellerId}/metrics, the window (default the 30
// days up to today in Tokyo, at most 90, both ends included), figures that move with the very
// write that changes an order (the fake table adds a change's counters with it, as DynamoDB's
// transaction does), a buyer's change of mind kept out of the rate, and the refusals. Reading
// the figures reads the seller's counters only.
import { beforeEach, describe, expect, it } from "vitest";
import type { CancellationRequest, TimelineEntry } from "../../functions/domain/types.ts";
import {
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  type TestApp,
} from "../support/http-app.ts";
import { buyer, operator, seller, system } from "../support/http-events.ts";
import { importBody, requestOn, seedOrder, uid } from "../support/http-fixtures.ts";
import { at } from "../support/records.ts";

let app: TestApp;
beforeEach(() => {
  // at(24) is 2026-11-21T10:00Z: 19:00 on 2026-11-21 in Tokyo.
  app = createTestApp();
});

const IMPORTER = system("orders/write");

const metrics = async (sellerId: string, query: Record<string, string> = {}) => {
  const response = await app.invoke("GetSellerMetrics", { caller: seller(sellerId), query });
  expectJson(response, 200);
  return response.body as Record<string, unknown> & {
    orders: number;
    cancellations: Record<string, unknown> & { total: number };
    sellerCancellationRate: number;
    response: Record<string, unknown>;
    days: { date: string; orders: number }[];
  };
};

/** A request that ended as `status` at `endedAt`, with the timeline that says so. */
const ended = (
  orderId: string,
  reason: CancellationRequest["reason"],
  status: "COMPLETED" | "WITHDRAWN",
  endedAt: string,
): CancellationRequest => {
  const timeline: TimelineEntry[] = [
    { at: at(1), type: "REQUESTED", actor: "buyer-1" },
    { at: endedAt, type: status, actor: status === "COMPLETED" ? "system" : "buyer-1" },
  ];
  return requestOn(orderId, { reason, status, timeline, updatedAt: endedAt, fault: null });
};

describe("GET /seller/metrics", () => {
  it("counts an imported order at once, on its Tokyo day, in the default window", async () => {
    const sellerId = uid("seller");
    // 2026-11-19T16:00Z is 2026-11-20 01:00 in Tokyo.
    const body = importBody({ sellerId, placedAt: "2026-11-19T16:00:00Z" });
    expectJson(await app.invoke("ImportOrder", { caller: IMPORTER, body }), 201);
    const figures = await metrics(sellerId);
    expect(figures).toMatchObject({ from: "2026-10-23", to: "2026-11-21", orders: 1 });
    expect(figures.days).toHaveLength(30);
    expect(figures.days.find((day) => day.date === "2026-11-20")?.orders).toBe(1);
    expect(figures.days.filter((day) => day.orders > 0)).toHaveLength(1);
    // One window of the seller's counters: nothing else is read.
    app.calls.length = 0;
    await metrics(sellerId, { from: "2026-11-20", to: "2026-11-20" });
    expect(app.callNames()).toEqual(["table.days"]);
    // A window without it has none.
    expect((await metrics(sellerId, { from: "2026-11-19", to: "2026-11-19" })).orders).toBe(0);
  });

  it("shows a seller's answer as soon as it is written: answered, in time, its response time", async () => {
    const sellerId = uid("seller");
    const record = await seedOrder(app.world.table, { sellerId }, (orderId) => [
      requestOn(orderId, { sellerDeadline: at(48) }),
    ]);
    const [request] = Object.values(record.requests);
    const before = await metrics(sellerId);
    expect(before.response).toEqual({
      answered: 0,
      withinDeadline: 0,
      timedOut: 0,
      medianSeconds: null,
      p90Seconds: null,
    });
    const decided = await app.invoke("SellerDecision", {
      caller: seller(sellerId),
      params: { orderId: record.order.orderId, requestId: request?.requestId ?? "" },
      body: { decision: "APPROVE" },
    });
    expectJson(decided, 200);
    // Made at at(1), decided at at(24): 23 hours, in the (12 h, 24 h] bucket.
    const after = await metrics(sellerId);
    expect(after.response).toMatchObject({ answered: 1, withinDeadline: 1, timedOut: 0 });
    expect(after.response.medianSeconds).toBeGreaterThan(43_200);
    expect(after.response.medianSeconds).toBeLessThanOrEqual(86_400);
  });

  it("counts a seller-caused cancellation in the rate, and never a buyer's change of mind", async () => {
    const sellerId = uid("seller");
    // Promised for at(0) but shipped at at(2): a slow delivery is the seller's fault.
    const late = { sellerId, shipBy: at(0), shipment: shippedAt(at(2)) };
    await seedOrder(app.world.table, late, (orderId) => [
      ended(orderId, "DELIVERY_TOO_SLOW", "COMPLETED", at(5)),
    ]);
    await seedOrder(app.world.table, late, (orderId) => [
      ended(orderId, "NO_LONGER_NEEDED", "COMPLETED", at(5)),
    ]);
    await seedOrder(app.world.table, late, (orderId) => [
      ended(orderId, "FOUND_BETTER_PRICE", "WITHDRAWN", at(6)),
    ]);
    await seedOrder(app.world.table, { sellerId });
    const figures = await metrics(sellerId);
    expect(figures.orders).toBe(4);
    expect(figures.cancellations).toEqual({
      total: 3,
      byReason: {
        NO_LONGER_NEEDED: 1,
        ORDERED_BY_MISTAKE: 0,
        FOUND_BETTER_PRICE: 1,
        DELIVERY_TOO_SLOW: 1,
        WRONG_ITEM_ORDERED: 0,
        OTHER: 0,
      },
      byOutcome: { COMPLETED: 2, REJECTED: 0, WITHDRAWN: 1, RETURN_REQUIRED: 0 },
      byFault: { NONE: 2, SELLER: 1, CARRIER: 0 },
    });
    // One of four orders, the slow delivery alone.
    expect(figures.sellerCancellationRate).toBe(0.25);
  });

  it("shows a buyer's withdrawal at once, as nobody's fault", async () => {
    const sellerId = uid("seller");
    const record = await seedOrder(app.world.table, { sellerId }, (orderId) => [
      requestOn(orderId),
    ]);
    const [request] = Object.values(record.requests);
    const withdrawn = await app.invoke("WithdrawCancellationRequest", {
      caller: buyer(),
      params: { orderId: record.order.orderId, requestId: request?.requestId ?? "" },
    });
    expectJson(withdrawn, 200);
    expect(withdrawn.body).toMatchObject({
      status: "WITHDRAWN",
      initiator: "BUYER",
      fault: "NONE",
    });
    const figures = await metrics(sellerId);
    expect(figures.cancellations).toMatchObject({ total: 1, byFault: { NONE: 1 } });
    expect(figures.sellerCancellationRate).toBe(0);
  });

  it("is the caller's own: another seller's orders are not in it", async () => {
    const mine = uid("seller");
    const theirs = uid("seller");
    await seedOrder(app.world.table, { sellerId: theirs });
    expect((await metrics(mine)).orders).toBe(0);
    expect((await metrics(theirs)).orders).toBe(1);
  });

  it("takes a window of one day up to 90 days, both ends included", async () => {
    const sellerId = uid("seller");
    await seedOrder(app.world.table, { sellerId, placedAt: at(0) });
    const one = await metrics(sellerId, { from: "2026-11-20", to: "2026-11-20" });
    expect(one).toMatchObject({ from: "2026-11-20", to: "2026-11-20", orders: 1 });
    expect(one.days).toHaveLength(1);
    const ninety = await metrics(sellerId, { from: "2026-08-23", to: "2026-11-20" });
    expect(ninety.days).toHaveLength(90);
    expect(ninety.orders).toBe(1);
    // Without `from`: the 30 days up to `to`.
    expect(await metrics(sellerId, { to: "2026-11-20" })).toMatchObject({
      from: "2026-10-22",
      to: "2026-11-20",
    });
  });

  it("refuses a bad date, from after to, a window over 90 days and unknown parameters", async () => {
    const ask = (query: Record<string, string>) =>
      app.invoke("GetSellerMetrics", { caller: seller(), query });
    expectValidation(await ask({ from: "2026-13-01" }), "query.from");
    expectValidation(await ask({ to: "20261120" }), "query.to");
    expectValidation(await ask({ from: "2026-11-21", to: "2026-11-20" }), "query.from");
    expectValidation(await ask({ from: "2026-08-22", to: "2026-11-20" }), "query.from");
    expectValidation(await ask({ sellerId: "seller-2" }));
    // Refused before anything is read.
    expect(app.callNames()).toEqual([]);
  });

  it("is for sellers only → 403 for buyers and operators", async () => {
    for (const caller of [buyer(), operator()]) {
      expectProblem(await app.invoke("GetSellerMetrics", { caller }), 403, "FORBIDDEN");
    }
  });
});

describe("GET /operator/sellers/{sellerId}/metrics", () => {
  it("shows any seller's figures to operators, zeros for a seller with none", async () => {
    const sellerId = uid("seller");
    await seedOrder(app.world.table, { sellerId });
    await seedOrder(app.world.table, { sellerId });
    const response = await app.invoke("GetOperatorSellerMetrics", {
      caller: operator(),
      params: { sellerId },
      query: { from: "2026-11-01", to: "2026-11-21" },
    });
    expectJson(response, 200);
    expect(response.body).toMatchObject({ from: "2026-11-01", to: "2026-11-21", orders: 2 });
    const none = await app.invoke("GetOperatorSellerMetrics", {
      caller: operator(),
      params: { sellerId: uid("seller") },
    });
    expectJson(none, 200);
    expect(none.body).toMatchObject({ orders: 0, sellerCancellationRate: 0 });
  });

  it("is for operators only, and validates the seller id and the window", async () => {
    for (const caller of [seller(), buyer()]) {
      const response = await app.invoke("GetOperatorSellerMetrics", {
        caller,
        params: { sellerId: "seller-1" },
      });
      expectProblem(response, 403, "FORBIDDEN");
    }
    const bad = await app.invoke("GetOperatorSellerMetrics", {
      caller: operator(),
      params: { sellerId: "not valid!" },
    });
    expectValidation(bad, "params.sellerId");
    const long = await app.invoke("GetOperatorSellerMetrics", {
      caller: operator(),
      params: { sellerId: "seller-1" },
      query: { from: "2026-01-01", to: "2026-12-31" },
    });
    expectValidation(long, "query.from");
  });
});

const shippedAt = (instant: string) => ({
  carrier: "yamato",
  trackingNumber: "1234-5678",
  shippedAt: instant,
});
