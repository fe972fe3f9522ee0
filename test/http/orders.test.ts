// Order routes over the in-memory ports: policy, import, buyer history, order detail, shipment,
// delivery. Every refusal is checked to leave the stored item exactly as it was; reads never write;
// a change is one write that wakes only an execution that waits, and sends nothing itself.
import { beforeEach, describe, expect, it } from "vitest";
import { dueMail } from "../../functions/domain/notices.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import type { CancellationRequest, Order } from "../../functions/domain/types.ts";
import {
  captureLogs,
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  type TestApp,
} from "../support/http-app.ts";
import { buyer, operator, seller, system } from "../support/http-events.ts";
import { importBody, refundFailed, requestOn, seedOrder, uid } from "../support/http-fixtures.ts";
import { at } from "../support/records.ts";

let app: TestApp;
beforeEach(() => {
  app = createTestApp();
});

const seed = (overrides?: Partial<Order>, requests?: (orderId: string) => CancellationRequest[]) =>
  seedOrder(app.world.table, overrides, requests);

/** A refused change: the item exactly as before, no write tried, nothing woken or sent. */
const expectUnchanged = (orderId: string, before: ReturnType<TestApp["item"]>) => {
  expect(app.item(orderId)).toEqual(before);
  expect(app.callNames("table").filter((call) => call !== "table.get")).toEqual([]);
  expect(app.callNames("workflow")).toEqual([]);
  expectNothingSent();
};

const expectNothingSent = () => {
  expect(app.world.mailer.sent).toEqual([]);
  expect(app.world.publisher.published).toEqual([]);
  expect(app.callNames("mailer")).toEqual([]);
  expect(app.callNames("publisher")).toEqual([]);
};

const IMPORTER = system("orders/write", "order-importer");
const CARRIER = system("carrier/events", "carrier-yamato");

describe("GET /policy", () => {
  it("answers the policy in force to anyone, token or not", async () => {
    for (const caller of [null, buyer()]) {
      const response = await app.invoke("GetPolicy", { caller });
      expectJson(response, 200);
      expect(response.body).toEqual(DEFAULT_POLICY);
    }
    expect(app.calls).toEqual([]);
  });
});

describe("POST /orders", () => {
  it("imports an order at PLACED → 201 with the order and its Location", async () => {
    app.world.clock.set(at(1));
    const body = importBody();
    const response = await app.invoke("ImportOrder", { caller: IMPORTER, body });
    expectJson(response, 201);
    expect(response.headers.location).toBe(`/orders/${body.orderId}`);
    expect(response.body).toEqual({
      ...body,
      // Nothing cancelled or refunded yet.
      lines: body.lines.map((line) => ({ ...line, cancelledQuantity: 0 })),
      // The provider is named even where the import left the default.
      payment: { ...body.payment, provider: "ledger", reference: null },
      refundedAmount: 0,
      placedAt: "2026-11-20T10:00:00.000Z",
      // Imported without a ship-by date.
      shipBy: null,
      status: "PLACED",
      shipment: null,
      // Not shipped: no parcel yet, and nothing to return.
      parcel: null,
      return: null,
      deliveredAt: null,
      activeCancellationRequestId: null,
      latestCancellationRequestId: null,
      importedAt: at(1),
      updatedAt: at(1),
      timeline: [{ at: at(1), type: "ORDER_IMPORTED", actor: "order-importer" }],
      cancellationOption: { kind: "NONE", reason: "NOT_SHIPPED" },
    });
    const stored = app.item(body.orderId);
    expect(stored?.version).toBe(1);
    expect(stored?.record.requests).toEqual({});
    // One write (a conditional create); nothing else.
    expect(app.callNames()).toEqual(["table.create"]);
    expectNothingSent();
  });

  it("answers an identical import again with 200 and the current order, whatever the field order", async () => {
    const body = importBody();
    await app.invoke("ImportOrder", { caller: IMPORTER, body });
    const before = app.item(body.orderId);
    app.calls.length = 0;
    // Same content: keys reordered, and placedAt as the same instant in +09:00.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await app.invoke("ImportOrder", {
      caller: IMPORTER,
      body: { ...reordered, placedAt: "2026-11-20T19:00:00+09:00" },
    });
    expectJson(again, 200);
    expect(again.body.orderId).toBe(body.orderId);
    expect(again.body.status).toBe("PLACED");
    expect(app.item(body.orderId)).toEqual(before);
    // The create is refused by its condition, and the stored order is read to compare.
    expect(app.callNames()).toEqual(["table.create", "table.get"]);
  });

  it("answers the same orderId with other content → 409 ORDER_CONFLICT, stored order kept", async () => {
    const body = importBody();
    await app.invoke("ImportOrder", { caller: IMPORTER, body });
    const before = app.item(body.orderId);
    const response = await app.invoke("ImportOrder", {
      caller: IMPORTER,
      body: { ...body, sellerEmail: "another-seller@example.com" },
    });
    expectProblem(response, 409, "ORDER_CONFLICT");
    expect(app.item(body.orderId)).toEqual(before);
    expect(app.world.table.writes).toBe(1);
  });

  it.each([
    ["an unknown field", { giftWrap: true }, "body.giftWrap"],
    ["a wrong type", { shippingFee: "500" }, "body.shippingFee"],
    ["a bad email", { buyerEmail: "buyer@example.com\r\nBcc: x@y.z" }, "body.buyerEmail"],
    [
      "a paid amount above the total",
      { payment: { method: "CARD", paidAmount: 9999 } },
      "body.payment.paidAmount",
    ],
    ["a bad locale", { locale: "fr" }, "body.locale"],
  ])("refuses %s → 400, nothing stored", async (_name, change, path) => {
    const body = importBody(change);
    const response = await app.invoke("ImportOrder", { caller: IMPORTER, body });
    expectValidation(response, path);
    expect(app.item(body.orderId as string)).toBeUndefined();
    expect(app.calls).toEqual([]);
  });

  it("refuses a missing field → 400, nothing stored", async () => {
    const { currency: _currency, ...body } = importBody();
    const response = await app.invoke("ImportOrder", { caller: IMPORTER, body });
    expectValidation(response, "body.currency");
    expect(app.item(body.orderId)).toBeUndefined();
  });

  it("refuses callers without orders/write → 403, nothing stored", async () => {
    for (const caller of [buyer(), operator(), CARRIER]) {
      const body = importBody();
      expectProblem(await app.invoke("ImportOrder", { caller, body }), 403, "FORBIDDEN");
      expect(app.item(body.orderId)).toBeUndefined();
    }
  });
});

describe("GET /orders", () => {
  it("lists only the buyer's own orders, newest first, page by page", async () => {
    const buyerId = uid("buyer");
    const placed = [at(-5), at(-1), at(-3), at(-2), at(-4)];
    for (const placedAt of placed) await seed({ buyerId, placedAt });
    await seed({ buyerId: uid("someone-else") });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await app.invoke("ListOrders", {
        caller: buyer(buyerId),
        query: cursor === undefined ? { limit: "2" } : { limit: "2", cursor },
      });
      expectJson(response, 200);
      const items = response.body.items ?? [];
      expect(items.length).toBeLessThanOrEqual(2);
      for (const item of items) {
        expect(item.buyerId).toBe(buyerId);
        expect(item.cancellationOption).toEqual({ kind: "CANCEL", reason: "IN_TRANSIT" });
        seen.push(item.placedAt as string);
      }
      cursor = (response.body.nextCursor as string | null) ?? undefined;
      pages += 1;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual([at(-1), at(-2), at(-3), at(-4), at(-5)]);
    // One list read per page, nothing else.
    expect(app.callNames()).toEqual(Array(3).fill("table.buyerOrders"));
  });

  it("lists each order exactly as GET /orders/{orderId} shows it, whatever its requests", async () => {
    const buyerId = uid("buyer");
    const rejected = (orderId: string) =>
      requestOn(orderId, {
        status: "REJECTED",
        updatedAt: at(2),
        rejection: { by: "SELLER", reason: "already handed over", at: at(2) },
      });
    const records = [
      await seed({ buyerId, placedAt: at(-5) }),
      await seed({ buyerId, placedAt: at(-4) }, (orderId) => [requestOn(orderId)]),
      await seed({ buyerId, placedAt: at(-3), status: "CANCELLED" }, (orderId) => [
        requestOn(orderId, { status: "COMPLETED", updatedAt: at(3) }),
      ]),
      await seed({ buyerId, placedAt: at(-2) }, (orderId) => [rejected(orderId)]),
      await seed({ buyerId, placedAt: at(-1) }, (orderId) =>
        Array.from({ length: DEFAULT_POLICY.maxRequestsPerOrder }, () => rejected(orderId)),
      ),
    ].reverse();
    const list = await app.invoke("ListOrders", {
      caller: buyer(buyerId),
      query: { limit: "10" },
    });
    expectJson(list, 200);
    const shown: string[] = [];
    for (const record of records) {
      const one = await app.invoke("GetOrder", {
        caller: buyer(buyerId),
        params: { orderId: record.order.orderId },
      });
      expectJson(one, 200);
      shown.push(one.raw);
    }
    expect(list.raw).toBe(`{"items":[${shown.join(",")}],"nextCursor":null}`);
    expect((list.body.items ?? []).map((item) => item.cancellationOption)).toEqual([
      { kind: "NONE", reason: "REQUEST_LIMIT_REACHED" },
      { kind: "CANCEL", reason: "IN_TRANSIT" },
      { kind: "NONE", reason: "ALREADY_CANCELLED" },
      { kind: "NONE", reason: "ACTIVE_REQUEST_EXISTS" },
      { kind: "CANCEL", reason: "IN_TRANSIT" },
    ]);
  });

  it("answers a buyer without orders with an empty page", async () => {
    const response = await app.invoke("ListOrders", { caller: buyer(uid("new-buyer")) });
    expectJson(response, 200);
    expect(response.body).toEqual({ items: [], nextCursor: null });
  });

  // Whether a tampered cursor is caught is the list adapter's own check (its tests, and
  // sdk-faults.test.ts through this route); here: the refusal is a 400 on query.cursor.
  it("refuses a garbage cursor, and another buyer's cursor, with 400", async () => {
    const buyerId = uid("buyer");
    for (const placedAt of [at(-2), at(-1)]) await seed({ buyerId, placedAt });
    const first = await app.invoke("ListOrders", { caller: buyer(buyerId), query: { limit: "1" } });
    const cursor = first.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    for (const [caller, bad] of [
      [buyer(buyerId), "not-a-cursor"],
      [buyer(uid("other-buyer")), cursor],
    ] as const) {
      const response = await app.invoke("ListOrders", { caller, query: { cursor: bad } });
      expectValidation(response, "query.cursor");
    }
  });

  it("is for buyers only → 403 for sellers and operators", async () => {
    for (const caller of [seller(), operator()]) {
      expectProblem(await app.invoke("ListOrders", { caller }), 403, "FORBIDDEN");
    }
  });
});

describe("GET /orders/{orderId}", () => {
  it("shows the order to its buyer, its seller and any operator", async () => {
    const record = await seed();
    const { orderId } = record.order;
    for (const caller of [buyer(), seller(), operator(uid("op"))]) {
      const response = await app.invoke("GetOrder", { caller, params: { orderId } });
      expectJson(response, 200);
      expect(response.body).toEqual({
        ...record.order,
        shipment: {
          ...record.order.shipment,
          carrierName: { ja: "ヤマト運輸", en: "Yamato Transport" },
        },
        payment: { ...record.order.payment, provider: "ledger", reference: null },
        // An order stored before the parcel was kept: in transit since its shipment.
        parcel: { status: "IN_TRANSIT", updatedAt: record.order.shipment?.shippedAt },
        return: null,
        // An order stored before the field was kept shows null.
        latestCancellationRequestId: null,
        shipBy: null,
        cancellationOption: { kind: "CANCEL", reason: "IN_TRANSIT" },
      });
    }
    expect(app.callNames()).toEqual(Array(3).fill("table.get"));
  });

  it("answers 404 to another buyer or seller, and for an unknown order", async () => {
    const { orderId } = (await seed()).order;
    for (const [caller, id] of [
      [buyer("buyer-2"), orderId],
      [seller("seller-2"), orderId],
      // A seller who is this order's buyer is not its seller.
      [seller("buyer-1"), orderId],
      [buyer(), uid("o-missing")],
    ] as const) {
      const response = await app.invoke("GetOrder", { caller, params: { orderId: id } });
      const problem = expectProblem(response, 404, "NOT_FOUND");
      expect(problem.detail).toBe("no such order");
    }
  });
});

describe("POST /orders/{orderId}/shipment", () => {
  const placedOrder = () => seed({ status: "PLACED", shipment: null, placedAt: at(0) });

  it("records the seller's shipment → 200 with the SHIPPED order, its carrier named", async () => {
    const { orderId } = (await placedOrder()).order;
    const response = await app.invoke("RecordShipment", {
      caller: seller(),
      params: { orderId },
      body: {
        carrier: "yamato",
        trackingNumber: "1234-5678",
        shippedAt: "2026-11-21T09:00:00+09:00",
      },
    });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      orderId,
      status: "SHIPPED",
      shipment: {
        carrier: "yamato",
        carrierName: { ja: "ヤマト運輸", en: "Yamato Transport" },
        trackingNumber: "1234-5678",
        shippedAt: at(14),
      },
      cancellationOption: { kind: "CANCEL", reason: "IN_TRANSIT" },
    });
    expect(app.item(orderId)?.record.order.status).toBe("SHIPPED");
    // The code is stored; the name is the view's.
    expect(app.item(orderId)?.record.order.shipment).toEqual({
      carrier: "yamato",
      trackingNumber: "1234-5678",
      shippedAt: at(14),
    });
    // Read first (only the order's seller may learn anything), then one write; nothing to wake.
    expect(app.callNames()).toEqual(["table.get", "table.save"]);
    expectNothingSent();
  });

  it("takes now as shippedAt when it is left out; up to 5 minutes ahead is accepted", async () => {
    const first = (await placedOrder()).order.orderId;
    const response = await app.invoke("RecordShipment", {
      caller: seller(),
      params: { orderId: first },
      body: { carrier: "Yamato", trackingNumber: "1" },
    });
    expectJson(response, 200);
    expect((response.body.shipment as { shippedAt: string }).shippedAt).toBe(app.world.clock.now());
    const second = (await placedOrder()).order.orderId;
    const skewed = new Date(Date.parse(app.world.clock.now()) + 4 * 60_000).toISOString();
    const ahead = await app.invoke("RecordShipment", {
      caller: seller(),
      params: { orderId: second },
      body: { carrier: "Yamato", trackingNumber: "2", shippedAt: skewed },
    });
    expectJson(ahead, 200);
  });

  it.each([
    ["before placedAt", at(-1)],
    ["more than 5 minutes in the future", new Date(Date.parse(at(24)) + 6 * 60_000).toISOString()],
    ["not an instant", "yesterday"],
  ])("refuses a shippedAt %s → 400, order unchanged", async (_name, shippedAt) => {
    const { orderId } = (await placedOrder()).order;
    const before = app.item(orderId);
    const response = await app.invoke("RecordShipment", {
      caller: seller(),
      params: { orderId },
      body: { carrier: "Yamato", trackingNumber: "1", shippedAt },
    });
    expectValidation(response, "body.shippedAt");
    expectUnchanged(orderId, before);
  });

  it("refuses unknown fields and wrong types → 400, order unchanged", async () => {
    const { orderId } = (await placedOrder()).order;
    const before = app.item(orderId);
    for (const [body, path] of [
      [{ carrier: "Yamato", trackingNumber: "1", signedBy: "x" }, "body.signedBy"],
      [{ carrier: 7, trackingNumber: "1" }, "body.carrier"],
    ] as const) {
      const response = await app.invoke("RecordShipment", {
        caller: seller(),
        params: { orderId },
        body,
      });
      expectValidation(response, path);
    }
    expectUnchanged(orderId, before);
  });

  it("answers another seller 404 even when shippedAt is wrong, order unchanged", async () => {
    const { orderId } = (await placedOrder()).order;
    const before = app.item(orderId);
    for (const shippedAt of [undefined, at(-1)]) {
      const response = await app.invoke("RecordShipment", {
        caller: seller("seller-2"),
        params: { orderId },
        body: { carrier: "Yamato", trackingNumber: "1", ...(shippedAt ? { shippedAt } : {}) },
      });
      expectProblem(response, 404, "NOT_FOUND");
    }
    expectUnchanged(orderId, before);
  });

  it("refuses to ship an order twice → 409 INVALID_STATE", async () => {
    const { orderId } = (await seed()).order;
    const before = app.item(orderId);
    const response = await app.invoke("RecordShipment", {
      caller: seller(),
      params: { orderId },
      body: { carrier: "Sagawa", trackingNumber: "9" },
    });
    expectProblem(response, 409, "INVALID_STATE");
    expectUnchanged(orderId, before);
  });

  it("is for sellers only → 403 for its buyer", async () => {
    const { orderId } = (await placedOrder()).order;
    const response = await app.invoke("RecordShipment", {
      caller: buyer(),
      params: { orderId },
      body: { carrier: "Yamato", trackingNumber: "1" },
    });
    expectProblem(response, 403, "FORBIDDEN");
  });
});

describe("POST /orders/{orderId}/delivery", () => {
  it("records the delivery → 200 with the DELIVERED order in one write, actor = the carrier client", async () => {
    const { orderId } = (await seed()).order;
    const response = await app.invoke("RecordDelivery", {
      caller: CARRIER,
      params: { orderId },
      body: { deliveredAt: at(20) },
    });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      status: "DELIVERED",
      deliveredAt: at(20),
      cancellationOption: { kind: "RETURN", reason: "RETURN_REQUIRED" },
    });
    expect((response.body.timeline as unknown[]).at(-1)).toEqual({
      at: at(24),
      type: "DELIVERED",
      actor: "carrier-yamato",
    });
    // No request: nothing to ask the provider about, nobody waiting.
    expect(app.callNames()).toEqual(["table.get", "table.save"]);
    expectNothingSent();
  });

  it("turns a pending request into RETURN_REQUIRED in one write and wakes the seller's wait", async () => {
    const record = await seed({}, (orderId) => [requestOn(orderId)]);
    const { orderId } = record.order;
    const requestId = record.order.activeCancellationRequestId as string;
    app.wait(orderId, requestId, "token-wait-seller");
    const response = await app.invoke("RecordDelivery", {
      caller: CARRIER,
      params: { orderId },
      body: { deliveredAt: at(20) },
    });
    expectJson(response, 200);
    expect(response.body.activeCancellationRequestId).toBeNull();
    expect(response.raw).not.toContain("token-wait-seller");
    const stored = app.item(orderId);
    expect(stored?.record.requests[requestId]?.status).toBe("RETURN_REQUIRED");
    expect(app.callNames()).toEqual(["table.get", "table.save", "workflow.wake"]);
    expect(app.world.workflow.woken).toEqual([
      { token: "token-wait-seller", status: "RETURN_REQUIRED" },
    ]);
    expectNothingSent();
    // The buyer's and the seller's mail about the return is due, for the workflow to send.
    const request = stored?.record.requests[requestId] as CancellationRequest;
    const entry = request.timeline.length - 1;
    expect(request.timeline[entry]?.type).toBe("RETURN_REQUIRED");
    expect(dueMail(request).filter((mail) => mail.key.startsWith(`${entry}.`))).toMatchObject([
      { template: "BUYER_RETURN_REQUIRED", to: "BUYER" },
      { template: "SELLER_OUTCOME", to: "SELLER" },
    ]);
  });

  it("answers the same delivery sent again with 200 and the order, unchanged", async () => {
    const { orderId } = (await seed()).order;
    const body = { deliveredAt: "2026-11-21T05:00:00+09:00" };
    expectJson(
      await app.invoke("RecordDelivery", { caller: CARRIER, params: { orderId }, body }),
      200,
    );
    const before = app.item(orderId);
    app.calls.length = 0;
    const again = await app.invoke("RecordDelivery", {
      caller: CARRIER,
      params: { orderId },
      body,
    });
    expectJson(again, 200);
    expect(again.body).toMatchObject({ status: "DELIVERED", deliveredAt: at(10) });
    expectUnchanged(orderId, before);
  });

  it("refuses another delivery time for a delivered order → 409 INVALID_STATE", async () => {
    const { orderId } = (await seed()).order;
    await app.invoke("RecordDelivery", {
      caller: CARRIER,
      params: { orderId },
      body: { deliveredAt: at(10) },
    });
    const before = app.item(orderId);
    app.calls.length = 0;
    const response = await app.invoke("RecordDelivery", {
      caller: CARRIER,
      params: { orderId },
      body: { deliveredAt: at(11) },
    });
    expectProblem(response, 409, "INVALID_STATE");
    expectUnchanged(orderId, before);
  });

  it("refuses a delivery before the shipment or in the future → 400 on body.deliveredAt", async () => {
    const record = await seed();
    const { orderId } = record.order;
    const shippedAt = record.order.shipment?.shippedAt as string;
    const before = app.item(orderId);
    const tooEarly = new Date(Date.parse(shippedAt) - 1000).toISOString();
    const tooLate = new Date(Date.parse(at(24)) + 6 * 60_000).toISOString();
    for (const deliveredAt of [tooEarly, tooLate]) {
      expectValidation(
        await app.invoke("RecordDelivery", {
          caller: CARRIER,
          params: { orderId },
          body: { deliveredAt },
        }),
        "body.deliveredAt",
      );
    }
    // Four minutes ahead is clock skew, not an error.
    const skewed = new Date(Date.parse(at(24)) + 4 * 60_000).toISOString();
    expectUnchanged(orderId, before);
    expectJson(
      await app.invoke("RecordDelivery", {
        caller: CARRIER,
        params: { orderId },
        body: { deliveredAt: skewed },
      }),
      200,
    );
  });

  it("asks the provider first when a refund was claimed: made → the cancellation completes", async () => {
    const record = await seed({}, (orderId) => [refundFailed(orderId)]);
    const { orderId } = record.order;
    const requestId = record.order.activeCancellationRequestId as string;
    await app.world.payments.refund({
      refundId: `rf-${requestId}`,
      orderId,
      requestId,
      amount: 5480,
      currency: "JPY",
      method: "CARD",
      provider: "ledger",
      paymentReference: null,
    });
    const response = await app.invoke("RecordDelivery", {
      caller: CARRIER,
      params: { orderId },
      body: { deliveredAt: at(20) },
    });
    expectJson(response, 200);
    expect(response.body).toMatchObject({ status: "CANCELLED", deliveredAt: at(20) });
    const request = app.item(orderId)?.record.requests[requestId];
    expect(request).toMatchObject({ status: "COMPLETED", refund: { status: "SUCCEEDED" } });
    // The buyer holds what was refunded: a return opens, and the request's execution (its first
    // ended) is started again to send the return's mail and events.
    expect(response.body.return).toMatchObject({ status: "REQUESTED" });
    expect(app.callNames()).toEqual([
      "table.get",
      "payments.lookup",
      "table.save",
      "workflow.start",
    ]);
    expect(app.world.payments.made.size).toBe(1);
    expectNothingSent();
  });

  it("asks the provider first when a refund was claimed: not made → a return, nothing refunded", async () => {
    const record = await seed({}, (orderId) => [refundFailed(orderId)]);
    const { orderId } = record.order;
    const requestId = record.order.activeCancellationRequestId as string;
    const response = await app.invoke("RecordDelivery", {
      caller: CARRIER,
      params: { orderId },
      body: { deliveredAt: at(20) },
    });
    expectJson(response, 200);
    expect(response.body.status).toBe("DELIVERED");
    const request = app.item(orderId)?.record.requests[requestId];
    expect(request).toMatchObject({
      status: "RETURN_REQUIRED",
      refund: { status: "NOT_REQUIRED" },
    });
    expect(app.callNames()).toEqual(["table.get", "payments.lookup", "table.save"]);
    expect(app.world.payments.made.size).toBe(0);
  });

  it("answers 503 with Retry-After while a refund call may still land, changing nothing", async () => {
    const record = await seed({}, (orderId) => {
      const request = refundFailed(orderId);
      return [
        {
          ...request,
          status: "REFUND_PENDING",
          refund: request.refund && { ...request.refund, status: "PENDING", callStartedAt: at(24) },
        },
      ];
    });
    const { orderId } = record.order;
    const before = app.item(orderId);
    const logs = captureLogs();
    const response = await app
      .invoke("RecordDelivery", {
        caller: CARRIER,
        params: { orderId },
        body: { deliveredAt: at(20) },
      })
      .finally(logs.stop);
    expectProblem(response, 503, "UNAVAILABLE");
    expect(response.headers["retry-after"]).toBe("60");
    expectUnchanged(orderId, before);
    // Nobody was asked: the provider's answer could change while the call may still land.
    expect(app.callNames("payments")).toEqual([]);
    expect(logs.lines).toMatchObject([
      { level: "WARN", message: "dependency unavailable", routeId: "RecordDelivery", orderId },
    ]);
  });

  it("refuses an order not yet shipped → 409 NOT_SHIPPED", async () => {
    const { orderId } = (await seed({ status: "PLACED", shipment: null })).order;
    const before = app.item(orderId);
    const response = await app.invoke("RecordDelivery", {
      caller: CARRIER,
      params: { orderId },
      body: { deliveredAt: at(10) },
    });
    expectProblem(response, 409, "NOT_SHIPPED");
    expectUnchanged(orderId, before);
  });

  it("answers 404 for an unknown order and 400 for a bad body", async () => {
    const missing = await app.invoke("RecordDelivery", {
      caller: CARRIER,
      params: { orderId: uid("o-missing") },
      body: { deliveredAt: at(10) },
    });
    expectProblem(missing, 404, "NOT_FOUND");
    const { orderId } = (await seed()).order;
    const before = app.item(orderId);
    for (const [body, path] of [
      [{}, "body.deliveredAt"],
      [{ deliveredAt: 1700000000 }, "body.deliveredAt"],
      [{ deliveredAt: at(10), signature: "x" }, "body.signature"],
    ] as const) {
      expectValidation(
        await app.invoke("RecordDelivery", { caller: CARRIER, params: { orderId }, body }),
        path,
      );
    }
    expectUnchanged(orderId, before);
  });

  it("is for the carrier scope only → 403 for people and the importer", async () => {
    const { orderId } = (await seed()).order;
    for (const caller of [buyer(), seller(), operator(), IMPORTER]) {
      const response = await app.invoke("RecordDelivery", {
        caller,
        params: { orderId },
        body: { deliveredAt: at(10) },
      });
      expectProblem(response, 403, "FORBIDDEN");
    }
  });
});
