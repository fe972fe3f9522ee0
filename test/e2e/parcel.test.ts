// End to end over HTTP: SPEC "The parcel after a cancellation" in local mode, every answer checked
// against docs/openapi.json. A delivery after a completed cancellation is recorded and opens a
// return (the buyer and the seller mailed, published with the latest request's id); the parcel
// back closes it; a partial cancellation delivered leaves a DELIVERED order and a return of the
// cancelled units only; a refusal does not stop a pending request; tracking events move the
// parcel only forward; carrier clients see only their carrier's parcels; the seller's refund
// instruction gives the carrier's steps; the seller's parcels list. The overdue return, which
// needs the clock to move on, is in parcel-overdue.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller, LocalClient } from "../../local/client.ts";
import { type LocalMode, startLocal } from "../../local/start.ts";
import { ContractClient } from "../support/contract.ts";
import { COUPON_ORDER, type Json, lineOrders, type Party } from "../support/line-orders.ts";

let local: LocalMode;
let api: LocalClient;
/** A carrier client bound to no carrier (a local token may report for any), and Yamato's. */
let anyCarrier: Caller;
let yamato: Caller;
/** Orders shipped with yamato (importOrder), delivered by Yamato's client. */
let shop: ReturnType<typeof lineOrders>;

beforeAll(async () => {
  local = await startLocal({ port: 0 });
  api = new ContractClient(local.url);
  let system: Caller;
  [system, anyCarrier, yamato] = await Promise.all([
    api.system(),
    api.carrier(),
    api.carrier("yamato"),
  ]);
  shop = lineOrders(api, system, yamato);
}, 90_000);

afterAll(async () => {
  await local?.stop();
});

const DAY_MS = 86_400_000;

const track = (party: Party, type: string, caller = yamato, at = new Date().toISOString()) =>
  api.post(`/orders/${party.orderId}/tracking-events`, caller, { type, at });

const timelineTypes = (order: Json) =>
  (order.timeline as { type: string }[]).map((entry) => entry.type);

/** The mail to `party`'s `who` about its order whose subject starts with `subject`, once it is out. */
const mailTo = (party: Party, who: "buyer" | "seller", subject: string) =>
  api.until(async () => {
    const address = `${party[who].sub}@example.com`;
    const found = (await api.emails()).filter(
      (mail) =>
        mail.to.includes(address) &&
        mail.subject.startsWith(subject) &&
        mail.subject.includes(party.orderId),
    );
    return found.length > 0 ? found : undefined;
  }, `${who} mail "${subject}" about ${party.orderId}`);

/** The order's published events of `detailType`, once there is one. */
const eventsOf = (party: Party, detailType: string) =>
  api.until(async () => {
    const found = (await api.events()).filter(
      (event) => event.detailType === detailType && event.detail.orderId === party.orderId,
    );
    return found.length > 0 ? found : undefined;
  }, `the ${detailType} event of ${party.orderId}`);

/** The order ids of `GET /seller/parcels` (with `query`), as its seller sees it. */
const sellerParcels = async (party: Party, query = "") => {
  const response = await api.get(`/seller/parcels${query}`, party.seller);
  expect(response.status).toBe(200);
  return response.body.items as Json[];
};

/** A shipped order (one ¥4,980 line) wholly cancelled: the seller and the policy approve. */
const cancelledOrder = async () => {
  const party = await shop.anOrder({ locale: "en" });
  const { done } = await shop.cancel(party, shop.bodyFor());
  return { party, requestId: String(done.requestId) };
};

describe("a delivery after a completed cancellation", () => {
  it("is recorded: the order stays CANCELLED, its parcel DELIVERED, a return of the units due in 14 days; both sides are mailed and it is published with the latest request's id", async () => {
    const { party, requestId } = await cancelledOrder();
    const delivered = await shop.deliver(party);
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({
      status: "CANCELLED",
      parcel: { status: "DELIVERED" },
      return: { status: "REQUESTED", lines: [{ lineId: "l1", quantity: 1 }], closedAt: null },
      latestCancellationRequestId: requestId,
    });
    const owed = delivered.body.return as { dueBy: string; openedAt: string };
    expect(Date.parse(owed.dueBy) - Date.parse(owed.openedAt)).toBe(14 * DAY_MS);
    expect(timelineTypes(delivered.body)).toEqual([
      "ORDER_IMPORTED",
      "SHIPPED",
      "CANCELLED",
      "DELIVERED_AFTER_CANCELLATION",
    ]);
    // The request stays as it ended.
    expect(await shop.request(party, requestId)).toMatchObject({ status: "COMPLETED" });

    const [instructions] = await mailTo(party, "buyer", "Please send back the cancelled items");
    expect(instructions?.text).toContain(party.orderId);
    expect(instructions?.text).toContain("ワイヤレスイヤホン");
    expect(instructions?.text).toContain("4470-1234-5678");
    const [kept] = await mailTo(party, "seller", "The buyer took delivery of cancelled items");
    expect(kept?.text).toContain(party.orderId);
    expect(kept?.text).toContain("ワイヤレスイヤホン");

    const position = timelineTypes(delivered.body).indexOf("DELIVERED_AFTER_CANCELLATION");
    const events = await eventsOf(party, "DELIVERED_AFTER_CANCELLATION");
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toMatchObject({
      eventId: `${party.orderId}.order.${position}`,
      orderId: party.orderId,
      requestId,
      status: "COMPLETED",
      parcel: { status: "DELIVERED" },
      return: { status: "REQUESTED", lines: [{ lineId: "l1", quantity: 1 }], dueBy: owed.dueBy },
    });
  });

  it("back with the seller: RETURNED_TO_SENDER closes the return (RECEIVED), the buyer is told and it is published; the seller's parcels list shows the order until then", async () => {
    const { party, requestId } = await cancelledOrder();
    const listed = (items: Json[]) => items.find((item) => item.orderId === party.orderId);
    // Cancelled and still on its way: the seller's list shows it.
    expect(listed(await sellerParcels(party))).toMatchObject({
      parcel: { status: "IN_TRANSIT" },
      return: null,
      lines: [{ lineId: "l1", quantity: 1 }],
      latestCancellationRequestId: requestId,
    });
    await shop.deliver(party);
    expect(listed(await sellerParcels(party))).toMatchObject({
      parcel: { status: "DELIVERED" },
      return: { status: "REQUESTED" },
    });
    expect(listed(await sellerParcels(party, "?status=DELIVERED"))).toBeDefined();
    expect(listed(await sellerParcels(party, "?status=IN_TRANSIT"))).toBeUndefined();

    const back = await track(party, "RETURNED_TO_SENDER");
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({
      status: "CANCELLED",
      parcel: { status: "RETURNED" },
      return: { status: "RECEIVED", closedAt: expect.any(String) },
    });
    expect(timelineTypes(back.body).slice(-2)).toEqual(["RETURNED_TO_SENDER", "RETURN_RECEIVED"]);
    expect(listed(await sellerParcels(party))).toBeUndefined();

    const [received] = await mailTo(party, "buyer", "The items you sent back reached the seller");
    expect(received?.text).toContain(party.orderId);
    const [event] = await eventsOf(party, "RETURN_RECEIVED");
    expect(event?.detail).toMatchObject({
      eventId: `${party.orderId}.order.${timelineTypes(back.body).indexOf("RETURN_RECEIVED")}`,
      requestId,
      parcel: { status: "RETURNED" },
      return: { status: "RECEIVED" },
    });
    expect(await eventsOf(party, "RETURNED_TO_SENDER")).toHaveLength(1);
  });

  it("of a partly cancelled order: the order becomes DELIVERED, the return holds only the cancelled units", async () => {
    const party = await shop.anOrder({ ...COUPON_ORDER, locale: "en" });
    await shop.cancel(party, shop.bodyFor([{ lineId: "l2", quantity: 1 }]));
    const delivered = await shop.deliver(party);
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({
      status: "DELIVERED",
      parcel: { status: "DELIVERED" },
      return: { status: "REQUESTED", lines: [{ lineId: "l2", quantity: 1 }] },
      cancellationOption: { kind: "RETURN" },
    });
    expect(timelineTypes(delivered.body).slice(-2)).toEqual([
      "DELIVERED",
      "DELIVERED_AFTER_CANCELLATION",
    ]);
    const [instructions] = await mailTo(party, "buyer", "Please send back the cancelled items");
    expect(instructions?.text).toContain("湯呑み");
    expect(instructions?.text).toContain("Please keep the rest of the order.");
  });
});

describe("the carrier's tracking events", () => {
  it("DELIVERY_REFUSED while a request is pending: the request goes on to COMPLETED, the parcel stays REFUSED", async () => {
    const party = await shop.anOrder({ locale: "en" });
    const asked = await shop.ask(party, shop.bodyFor());
    const requestId = String(asked.body.requestId);
    await shop.reach(party, requestId, "AWAITING_SELLER");
    const refused = await track(party, "DELIVERY_REFUSED");
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      status: "SHIPPED",
      parcel: { status: "REFUSED" },
      activeCancellationRequestId: requestId,
      return: null,
    });
    expect(await shop.request(party, requestId)).toMatchObject({ status: "AWAITING_SELLER" });
    const approved = await shop.decide(party, requestId, "seller-decision", party.seller, {
      decision: "APPROVE",
    });
    expect(approved.status).toBe(200);
    await shop.reach(party, requestId, "COMPLETED");
    expect(await shop.order(party)).toMatchObject({
      status: "CANCELLED",
      parcel: { status: "REFUSED" },
      return: null,
    });
  });

  it("move the parcel only forward: an older event after a newer one, or a repeat, answers 200 and changes nothing", async () => {
    const party = await shop.anOrder({ locale: "en" });
    const earlier = new Date().toISOString();
    const later = new Date(Date.parse(earlier) + 1000).toISOString();
    const returned = await track(party, "RETURNED_TO_SENDER", yamato, later);
    expect(returned.status).toBe(200);
    expect(returned.body.parcel).toEqual({ status: "RETURNED", updatedAt: later });
    const before = await shop.order(party);
    const late = await track(party, "RETURNING_TO_SENDER", yamato, earlier);
    expect(late.status).toBe(200);
    expect(late.body).toEqual(before);
    const again = await track(party, "RETURNED_TO_SENDER", yamato, later);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(before);
    expect(await shop.order(party)).toEqual(before);
    expect(timelineTypes(before)).toEqual(["ORDER_IMPORTED", "SHIPPED", "RETURNED_TO_SENDER"]);
  });
});

describe("carrier clients", () => {
  it("Yamato's client gets 404 for a Sagawa order on both routes; Sagawa's, and a local token bound to none, may report", async () => {
    const party = await shop.anOrder({ locale: "en" }, false);
    const shipped = await api.post(`/orders/${party.orderId}/shipment`, party.seller, {
      carrier: "sagawa",
      trackingNumber: "3600-1234-9012",
    });
    expect(shipped.status).toBe(200);
    const before = await shop.order(party);
    const tracked = await track(party, "DELIVERY_REFUSED", yamato);
    expect([tracked.status, tracked.body.code]).toEqual([404, "NOT_FOUND"]);
    const delivered = await api.post(`/orders/${party.orderId}/delivery`, yamato, {
      deliveredAt: new Date().toISOString(),
    });
    expect([delivered.status, delivered.body.code]).toEqual([404, "NOT_FOUND"]);
    expect(await shop.order(party)).toEqual(before);

    const unbound = await api.post(`/orders/${party.orderId}/delivery`, anyCarrier, {
      deliveredAt: new Date().toISOString(),
    });
    expect(unbound.status).toBe(200);
    expect(unbound.body.parcel).toMatchObject({ status: "DELIVERED" });
    const sagawa = await api.carrier("sagawa");
    const returning = await track(party, "RETURNING_TO_SENDER", sagawa);
    expect(returning.status).toBe(200);
    expect(returning.body.parcel).toMatchObject({ status: "RETURNING" });
  });
});

describe("the seller's refund instruction", () => {
  it.each([
    ["en", "Cancellation approved: refund instruction", "Yamato Transport", "return-to-sender"],
    ["ja", "【発送済みキャンセル】キャンセル承認と返金のご案内", "ヤマト運輸", "転送・返送の依頼"],
  ])(
    "for a Yamato parcel on its way gives Yamato's steps to have it returned (%s)",
    async (locale, subject, carrier, request) => {
      const party = await shop.anOrder({ locale });
      await shop.cancel(party, shop.bodyFor());
      const mail = await api.until(async () => {
        const found = (await api.emails()).find(
          (item) =>
            item.to.includes(`${party.seller.sub}@example.com`) &&
            item.subject.startsWith(subject) &&
            item.subject.includes(party.orderId),
        );
        return found;
      }, `the refund instruction of ${party.orderId}`);
      expect(mail.text).toContain(carrier);
      expect(mail.text).toContain("4470-1234-5678");
      expect(mail.text).toContain(request);
      // Numbered steps, one a line.
      expect(mail.text).toMatch(/^1\. /m);
      expect(mail.text).toMatch(/^2\. /m);
    },
  );
});
