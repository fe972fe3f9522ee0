// The carrier's tracking events (POST /orders/{orderId}/tracking-events) over the in-memory ports,
// and carrier clients bound to their carrier on both carrier routes (tracking events and delivery):
// locally by the token's `carrier` claim, deployed by the client id mapping in CARRIER_CLIENTS.
// Every refusal and every event that would not move the parcel leaves the stored item as it was.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../functions/domain/types.ts";
import { CARRIER_CLIENTS_ENV } from "../../functions/http/caller.ts";
import {
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  type TestApp,
} from "../support/http-app.ts";
import { buyer, operator, seller, system, type TestCaller } from "../support/http-events.ts";
import { refundFailed, requestOn, seedOrder } from "../support/http-fixtures.ts";
import { at } from "../support/records.ts";

let app: TestApp;
beforeEach(() => {
  app = createTestApp();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** An order shipped at at(0) with `yamato` (the fixtures' carrier); the clock is at at(24). */
const seed = async (overrides?: Partial<Order>) =>
  (await seedOrder(app.world.table, overrides)).order.orderId;

/** A carrier client's token: unbound (a local token naming no carrier), or naming one. */
const carrier = (sub: string, claims: TestCaller["claims"] = {}): TestCaller => ({
  ...system("carrier/events", sub),
  claims,
});
const UNBOUND = carrier("carrier-feed");
const YAMATO = carrier("carrier-yamato", { carrier: "yamato" });
const SAGAWA = carrier("carrier-sagawa", { carrier: "sagawa" });

const track = (orderId: string, body: unknown, caller: TestCaller | null = YAMATO) =>
  app.invoke("RecordTrackingEvent", { caller, params: { orderId }, body });

/** Nothing written, woken or sent since the snapshot: the item exactly as it was. */
const expectUnchanged = (orderId: string, before: ReturnType<TestApp["item"]>) => {
  expect(app.item(orderId)).toEqual(before);
  expect(app.callNames().filter((call) => call !== "table.get")).toEqual([]);
  expect(app.world.mailer.sent).toEqual([]);
  expect(app.world.publisher.published).toEqual([]);
};

describe("POST /orders/{orderId}/tracking-events", () => {
  it("moves the parcel forward → 200 with the order, one write, the carrier client as actor", async () => {
    const orderId = await seed();
    const response = await track(orderId, { type: "DELIVERY_REFUSED", at: at(20) });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      orderId,
      status: "SHIPPED",
      parcel: { status: "REFUSED", updatedAt: at(20) },
      return: null,
    });
    expect((response.body.timeline as unknown[]).at(-1)).toEqual({
      at: at(24),
      type: "DELIVERY_REFUSED",
      actor: "carrier-yamato",
    });
    // No request's status moves: nothing is woken, nothing sent by the route itself.
    expect(app.callNames()).toEqual(["table.get", "table.save"]);
    expect(app.item(orderId)?.record.order.parcel).toEqual({
      status: "REFUSED",
      updatedAt: at(20),
    });
    expect(app.world.mailer.sent).toEqual([]);
    expect(app.world.publisher.published).toEqual([]);

    const back = await track(orderId, { type: "RETURNING_TO_SENDER", at: at(21) });
    expectJson(back, 200);
    expect(back.body.parcel).toEqual({ status: "RETURNING", updatedAt: at(21) });
    const home = await track(orderId, { type: "RETURNED_TO_SENDER", at: at(23) });
    expectJson(home, 200);
    expect(home.body.parcel).toEqual({ status: "RETURNED", updatedAt: at(23) });
    expect((home.body.timeline as { type: string }[]).map((entry) => entry.type).slice(-3)).toEqual(
      ["DELIVERY_REFUSED", "RETURNING_TO_SENDER", "RETURNED_TO_SENDER"],
    );
  });

  it("closes an open return when the parcel is back with the seller", async () => {
    const orderId = await seed({
      parcel: { status: "DELIVERED", updatedAt: at(10) },
      deliveredAt: at(10),
      return: {
        status: "REQUESTED",
        lines: [{ lineId: "l1", quantity: 1 }],
        dueBy: at(400),
        openedAt: at(12),
        closedAt: null,
      },
    });
    const response = await track(orderId, { type: "RETURNED_TO_SENDER", at: at(22) });
    expectJson(response, 200);
    expect(response.body).toMatchObject({
      parcel: { status: "RETURNED", updatedAt: at(22) },
      return: { status: "RECEIVED", closedAt: at(24) },
    });
    expect(
      (response.body.timeline as { type: string }[]).map((entry) => entry.type).slice(-2),
    ).toEqual(["RETURNED_TO_SENDER", "RETURN_RECEIVED"]);
  });

  it("starts the latest (ended) request's execution to send the parcel's notices", async () => {
    const record = await seedOrder(app.world.table, {}, (id) => [
      requestOn(id, { status: "COMPLETED", updatedAt: at(3) }),
    ]);
    const { orderId } = record.order;
    app.calls.length = 0;
    expectJson(await track(orderId, { type: "RETURNING_TO_SENDER", at: at(20) }), 200);
    expect(app.callNames()).toEqual(["table.get", "table.save", "workflow.start"]);
    // A repeat changes nothing and starts nothing.
    app.calls.length = 0;
    expectJson(await track(orderId, { type: "RETURNING_TO_SENDER", at: at(21) }), 200);
    expect(app.callNames()).toEqual(["table.get"]);
  });

  it("answers a repeat of the parcel's status with 200 and the order, nothing written", async () => {
    const orderId = await seed();
    const body = { type: "DELIVERY_REFUSED", at: at(20) };
    expectJson(await track(orderId, body), 200);
    const before = app.item(orderId);
    app.calls.length = 0;
    // The same event again, and the same status reported at another time.
    for (const again of [body, { ...body, at: at(22) }]) {
      const response = await track(orderId, again);
      expectJson(response, 200);
      expect(response.body.parcel).toEqual({ status: "REFUSED", updatedAt: at(20) });
    }
    expectUnchanged(orderId, before);
  });

  it("answers an event that would move the parcel backwards with 200 and the order as it is", async () => {
    const orderId = await seed();
    expectJson(await track(orderId, { type: "RETURNED_TO_SENDER", at: at(20) }), 200);
    const before = app.item(orderId);
    app.calls.length = 0;
    // Older events arriving late: the parcel is already further on.
    for (const type of ["DELIVERY_REFUSED", "RETURNING_TO_SENDER"]) {
      const response = await track(orderId, { type, at: at(15) });
      expectJson(response, 200);
      expect(response.body.parcel).toEqual({ status: "RETURNED", updatedAt: at(20) });
    }
    expectUnchanged(orderId, before);
  });

  it("refuses a bad body → 400, nothing touched", async () => {
    const orderId = await seed();
    const before = app.item(orderId);
    const cases: [unknown, string][] = [
      [{ type: "DELIVERED", at: at(20) }, "body.type"],
      [{ at: at(20) }, "body.type"],
      [{ type: "DELIVERY_REFUSED" }, "body.at"],
      [{ type: "DELIVERY_REFUSED", at: "yesterday" }, "body.at"],
      [{ type: "DELIVERY_REFUSED", at: at(20), note: "left at the door" }, "body.note"],
    ];
    for (const [body, path] of cases) expectValidation(await track(orderId, body), path);
    expect(app.calls).toEqual([]);
    expect(app.item(orderId)).toEqual(before);
  });

  it("refuses `at` before the shipment or in the future → 400 on body.at", async () => {
    const orderId = await seed();
    const before = app.item(orderId);
    const tooEarly = new Date(Date.parse(at(0)) - 1000).toISOString();
    const tooLate = new Date(Date.parse(at(24)) + 6 * 60_000).toISOString();
    for (const when of [tooEarly, tooLate]) {
      expectValidation(await track(orderId, { type: "DELIVERY_REFUSED", at: when }), "body.at");
    }
    expectUnchanged(orderId, before);
    // Four minutes ahead is clock skew, not an error.
    const skewed = new Date(Date.parse(at(24)) + 4 * 60_000).toISOString();
    expectJson(await track(orderId, { type: "DELIVERY_REFUSED", at: skewed }), 200);
  });

  it("refuses a bad `at` even on an event that would not move the parcel → 400, not a replay", async () => {
    const orderId = await seed();
    expectJson(await track(orderId, { type: "DELIVERY_REFUSED", at: at(20) }), 200);
    const before = app.item(orderId);
    app.calls.length = 0;
    const tooLate = new Date(Date.parse(at(24)) + 6 * 60_000).toISOString();
    expectValidation(await track(orderId, { type: "DELIVERY_REFUSED", at: tooLate }), "body.at");
    expectUnchanged(orderId, before);
  });

  it("refuses an order not shipped yet → 409 NOT_SHIPPED (an unbound client), nothing written", async () => {
    const orderId = await seed({ status: "PLACED", shipment: null });
    const before = app.item(orderId);
    const response = await track(orderId, { type: "DELIVERY_REFUSED", at: at(20) }, UNBOUND);
    expectProblem(response, 409, "NOT_SHIPPED");
    expectUnchanged(orderId, before);
  });

  it("answers 404 for an order that does not exist", async () => {
    const response = await track("o-missing", { type: "DELIVERY_REFUSED", at: at(20) });
    expectProblem(response, 404, "NOT_FOUND");
  });

  it("is for the carrier scope only → 401 without a token, 403 for people and the importer", async () => {
    const orderId = await seed();
    const before = app.item(orderId);
    const body = { type: "DELIVERY_REFUSED", at: at(20) };
    expectProblem(await track(orderId, body, null), 401, "UNAUTHORIZED");
    for (const caller of [buyer(), seller(), operator(), system("orders/write", "importer")]) {
      expectProblem(await track(orderId, body, caller), 403, "FORBIDDEN");
    }
    expect(app.calls).toEqual([]);
    expect(app.item(orderId)).toEqual(before);
  });
});

describe("carrier clients bound to their carrier (both carrier routes)", () => {
  const deliver = (orderId: string, caller: TestCaller, deliveredAt = at(20)) =>
    app.invoke("RecordDelivery", { caller, params: { orderId }, body: { deliveredAt } });

  it("another carrier's order → 404 on tracking-events, as if it did not exist", async () => {
    const orderId = await seed();
    const before = app.item(orderId);
    const response = await track(orderId, { type: "DELIVERY_REFUSED", at: at(20) }, SAGAWA);
    expectProblem(response, 404, "NOT_FOUND");
    expectUnchanged(orderId, before);
  });

  it("another carrier's order → 404 even for an event that would not move its parcel", async () => {
    const orderId = await seed({ parcel: { status: "RETURNED", updatedAt: at(20) } });
    const before = app.item(orderId);
    const response = await track(orderId, { type: "RETURNED_TO_SENDER", at: at(20) }, SAGAWA);
    expectProblem(response, 404, "NOT_FOUND");
    expect(response.raw).not.toContain("buyer@example.com");
    expectUnchanged(orderId, before);
    // Its own carrier's client is answered as a replay.
    expectJson(await track(orderId, { type: "RETURNED_TO_SENDER", at: at(20) }, YAMATO), 200);
  });

  it("another carrier's order → 404 on delivery, without asking the payment provider", async () => {
    const record = await seedOrder(app.world.table, {}, (id) => [refundFailed(id)]);
    const { orderId } = record.order;
    const before = app.item(orderId);
    const response = await deliver(orderId, SAGAWA);
    expectProblem(response, 404, "NOT_FOUND");
    expectUnchanged(orderId, before);
    expect(app.callNames("payments")).toEqual([]);
  });

  it("a repeat of a delivery on record is no replay for another carrier's client → 404", async () => {
    const orderId = await seed();
    expectJson(await deliver(orderId, YAMATO), 200);
    const before = app.item(orderId);
    app.calls.length = 0;
    // The same subject (locally anyone can mint it), bound to another carrier.
    const posing = carrier("carrier-yamato", { carrier: "sagawa" });
    expectProblem(await deliver(orderId, posing), 404, "NOT_FOUND");
    expectUnchanged(orderId, before);
  });

  it("knows the carrier as the seller typed it: Yamato and ' yamato ' are the code yamato", async () => {
    for (const typed of ["Yamato", " yamato "]) {
      const orderId = await seed({
        shipment: { carrier: typed, trackingNumber: "7", shippedAt: at(0) },
      });
      const refused = { type: "RETURNED_TO_SENDER", at: at(22) };
      expectProblem(await track(orderId, refused, SAGAWA), 404, "NOT_FOUND");
      expectJson(await track(orderId, { type: "RETURNING_TO_SENDER", at: at(21) }, YAMATO), 200);
      // Its own parcel, no longer on its way: the delivery is refused as such, not hidden.
      expectProblem(await deliver(orderId, YAMATO), 409, "INVALID_STATE");
    }
  });

  it("its own carrier's order, and any order for a local token naming no carrier → 200", async () => {
    const first = await seed();
    expectJson(await deliver(first, YAMATO), 200);
    const second = await seed({
      shipment: { carrier: "sagawa", trackingNumber: "9", shippedAt: at(0) },
    });
    expectJson(await deliver(second, UNBOUND), 200);
    expectJson(await track(second, { type: "RETURNING_TO_SENDER", at: at(21) }, UNBOUND), 200);
    expectJson(await track(second, { type: "RETURNED_TO_SENDER", at: at(22) }, SAGAWA), 200);
  });

  describe("deployed: the client id mapping binds, not a claim", () => {
    const MAPPING = { "client-yamato": "yamato", "client-sagawa": "sagawa" };
    const client = (clientId: string, claims: TestCaller["claims"] = {}) =>
      carrier(clientId, { client_id: clientId, ...claims });

    beforeEach(() => {
      vi.stubEnv(CARRIER_CLIENTS_ENV, JSON.stringify(MAPPING));
    });

    it("a mapped client reports on its carrier's parcels → 200, another's → 404", async () => {
      const orderId = await seed();
      const body = { type: "DELIVERY_REFUSED", at: at(20) };
      expectProblem(await track(orderId, body, client("client-sagawa")), 404, "NOT_FOUND");
      expectProblem(await deliver(orderId, client("client-sagawa")), 404, "NOT_FOUND");
      const response = await track(orderId, body, client("client-yamato"));
      expectJson(response, 200);
      expect(response.body.parcel).toMatchObject({ status: "REFUSED" });
    });

    it("ignores a `carrier` claim: the mapping alone names the client's carrier", async () => {
      const orderId = await seed();
      const claimsYamato = client("client-sagawa", { carrier: "yamato" });
      expectProblem(
        await track(orderId, { type: "DELIVERY_REFUSED", at: at(20) }, claimsYamato),
        404,
        "NOT_FOUND",
      );
    });

    it("a carrier-scoped client the mapping does not name → 403 on both routes, nothing touched", async () => {
      const orderId = await seed();
      const before = app.item(orderId);
      for (const caller of [
        client("client-unknown"),
        client("client-unknown", { carrier: "yamato" }),
      ]) {
        const tracked = await track(orderId, { type: "DELIVERY_REFUSED", at: at(20) }, caller);
        expect(expectProblem(tracked, 403, "FORBIDDEN").detail).toContain("bound to no carrier");
        expectProblem(await deliver(orderId, caller), 403, "FORBIDDEN");
      }
      expect(app.calls).toEqual([]);
      expect(app.item(orderId)).toEqual(before);
    });
  });
});
