// End to end over HTTP: local mode (the synthesized routes, handlers and state machine on
// DynamoDB Local, the SES stand-in and aws-local-stepfunctions) driven as clients would drive it.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../../functions/http/routes.ts";
import { type Caller, type LocalClient, orderBody } from "../../local/client.ts";
import { type LocalMode, startLocal } from "../../local/start.ts";
import { ContractClient } from "../support/contract.ts";
import { importOrder } from "../support/line-orders.ts";

let local: LocalMode;
let api: LocalClient;
let operator: Caller;
let system: Caller;
let carrier: Caller;

beforeAll(async () => {
  local = await startLocal({ port: 0 });
  // Every answer is checked against docs/openapi.json.
  api = new ContractClient(local.url);
  [operator, system, carrier] = await Promise.all([api.operator(), api.system(), api.carrier()]);
}, 90_000);

afterAll(async () => {
  await local?.stop();
});

type Json = Record<string, unknown>;
interface Party {
  orderId: string;
  buyer: Caller;
  seller: Caller;
}

/** Imports an order for a fresh buyer and seller and, unless told otherwise, ships it. */
const anOrder = (overrides: Json = {}, ship = true): Promise<Party> =>
  importOrder(api, system, overrides, ship);

const requestsPath = (party: Party) => `/orders/${party.orderId}/cancellation-requests`;

const ask = (
  party: Party,
  body: Json = { reason: "NO_LONGER_NEEDED" },
  key = `key-${randomUUID()}`,
) => api.post(requestsPath(party), party.buyer, body, { "idempotency-key": key });

/** Waits until the request reaches `status` (as its buyer sees it). */
const reach = (party: Party, requestId: string, status: string) =>
  api.until(async () => {
    const response = await api.get(`${requestsPath(party)}/${requestId}`, party.buyer);
    return response.body.status === status ? response.body : undefined;
  }, `request ${requestId} to reach ${status}`);

const decide = (party: Party, requestId: string, route: string, caller: Caller, body: Json = {}) =>
  api.post(`${requestsPath(party)}/${requestId}/${route}`, caller, body);

const mailTo = async (address: string) =>
  (await api.emails()).filter((mail) => mail.to.includes(address));

const timelineTypes = (request: Json) =>
  (request.timeline as { type: string }[]).map((entry) => entry.type);

describe("local mode serves the synthesized app", () => {
  it("serves exactly the routes of the CDK app's route table", () => {
    const served = local.routes.map((route) => `${route.method} ${route.path}`).sort();
    const declared = ROUTES.map((route) => `${route.method} ${route.path}`).sort();
    expect(served).toEqual(declared);
    for (const route of ROUTES) {
      const local_ = local.routes.find((r) => r.method === route.method && r.path === route.path);
      expect(local_?.authorization).toBe(route.access.kind === "public" ? "NONE" : "JWT");
      expect(local_?.scopes).toEqual(route.access.kind === "scope" ? [route.access.scope] : []);
    }
  });

  it("mints tokens only for a valid body, and the gateway rejects a token signed by another key", async () => {
    const bad = await api.post("/_local/tokens", undefined, { sub: "x", groups: ["admins"] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("VALIDATION_FAILED");
    expect(bad.contentType).toContain("application/problem+json");
    // Signed by another key: the signature check fails.
    const foreign =
      "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4IiwiY2xpZW50X2lkIjoibG9jYWwtY2xpZW50In0.c2lnbmF0dXJl";
    const response = await api.send("GET", "/orders", {
      headers: { authorization: `Bearer ${foreign}` },
    });
    expect(response.status).toBe(401);
  });

  it("runs the template's scheduled sweep of stalled requests every five minutes, then the hourly audit seal", () => {
    // In this order: `POST /_local/sweep` runs them one after the other, the seal last.
    expect(
      local.schedules.map(({ functionLogicalId, everyMs }) => [
        functionLogicalId.replace(/[0-9A-F]{8}$/, ""),
        everyMs,
      ]),
    ).toEqual([
      ["Reconciler", 5 * 60_000],
      ["AuditSealsSealer", 60 * 60_000],
    ]);
  });

  it("publishes the policy to anyone", async () => {
    const response = await api.get("/policy");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ version: "2026-11-01", cancellationWindowDays: 14 });
  });
});

describe("the seed's story", () => {
  it.each(["ja", "en"])(
    "happy path in %s: request → seller approves → policy approves → refund → COMPLETED",
    async (locale) => {
      const party = await anOrder({ locale });
      const order = await api.get(`/orders/${party.orderId}`, party.buyer);
      expect(order.body.cancellationOption).toEqual({ kind: "CANCEL", reason: "IN_TRANSIT" });

      const asked = await ask(party, {
        reason: "FOUND_BETTER_PRICE",
        comment: "<b>cheaper</b> elsewhere",
      });
      expect(asked.status).toBe(202);
      const requestId = String(asked.body.requestId);
      expect(asked.body).not.toHaveProperty("idempotencyKey");
      await reach(party, requestId, "AWAITING_SELLER");

      const queue = await api.get("/seller/cancellation-requests", party.seller);
      expect((queue.body.items as Json[]).map((item) => item.requestId)).toEqual([requestId]);

      const approved = await decide(party, requestId, "seller-decision", party.seller, {
        decision: "APPROVE",
      });
      expect(approved.status).toBe(200);
      const done = await reach(party, requestId, "COMPLETED");
      expect(done.refund).toMatchObject({ status: "SUCCEEDED", amount: 5480, method: "CARD" });
      expect(timelineTypes(done)).toEqual([
        "REQUESTED",
        "SELLER_NOTIFIED",
        "SELLER_APPROVED",
        "MARKETPLACE_APPROVED",
        "REFUND_INSTRUCTED",
        "REFUND_SUCCEEDED",
        "COMPLETED",
      ]);
      const cancelled = await api.get(`/orders/${party.orderId}`, party.buyer);
      expect(cancelled.body).toMatchObject({
        status: "CANCELLED",
        activeCancellationRequestId: null,
        // The finished request stays findable from its order.
        latestCancellationRequestId: requestId,
      });

      // Every timeline change was published, in order, each with its stable id.
      const events = await api.until(async () => {
        const mine = (await api.events()).filter((event) => event.detail.requestId === requestId);
        return mine.length >= 7 ? mine : undefined;
      }, "the request's seven events");
      expect(events.map((event) => event.detailType)).toEqual(timelineTypes(done));
      expect(events.map((event) => event.detail.eventId)).toEqual(
        timelineTypes(done).map((_, index) => `${requestId}.${index}`),
      );
      expect(events.map((event) => event.detail.status)).toEqual([
        "REQUESTED",
        "AWAITING_SELLER",
        "AWAITING_MARKETPLACE",
        "REFUND_PENDING",
        "REFUND_PENDING",
        "REFUND_PENDING",
        "COMPLETED",
      ]);
      expect(events.at(-1)?.detail).toMatchObject({
        orderId: party.orderId,
        actor: "system",
        refund: { status: "SUCCEEDED", amount: 5480, method: "CARD", currency: "JPY" },
      });

      // Mail goes out after the change that causes it (pending mail never blocks the order), so
      // the last mails may arrive just after COMPLETED can be read.
      const { buyerMail, sellerMail } = await api.until(async () => {
        const buyerMail = await mailTo(`${party.buyer.sub}@example.com`);
        const sellerMail = await mailTo(`${party.seller.sub}@example.com`);
        return buyerMail.length >= 3 && sellerMail.length >= 3
          ? { buyerMail, sellerMail }
          : undefined;
      }, "three mails to the buyer and three to the seller");
      expect(buyerMail).toHaveLength(3);
      expect(sellerMail).toHaveLength(3);
      for (const mail of [...buyerMail, ...sellerMail])
        expect(mail.subject).toContain(party.orderId);
      const japanese = /[\u3040-\u30ff]/;
      expect(japanese.test(buyerMail.map((mail) => mail.subject).join(""))).toBe(locale === "ja");
      const newRequest = sellerMail.find((mail) => mail.text.includes("cheaper"));
      expect(newRequest?.html).toContain("&lt;b&gt;cheaper&lt;/b&gt;");
      expect(newRequest?.html).not.toContain("<b>cheaper</b>");
    },
  );

  it("seller rejects: REJECTED with the seller's reason, the order stays shipped", async () => {
    const party = await anOrder();
    const requestId = String((await ask(party)).body.requestId);
    await reach(party, requestId, "AWAITING_SELLER");
    const rejected = await decide(party, requestId, "seller-decision", party.seller, {
      decision: "REJECT",
      reason: "already with the international carrier",
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: "REJECTED",
      rejection: { by: "SELLER", reason: "already with the international carrier" },
    });
    const order = await api.get(`/orders/${party.orderId}`, party.buyer);
    expect(order.body).toMatchObject({ status: "SHIPPED", cancellationOption: { kind: "CANCEL" } });
  });

  const HIGH_VALUE = {
    lines: [{ lineId: "l1", sku: "TV-55", title: "55型テレビ", quantity: 1, unitPrice: 98000 }],
    payment: { method: "CARD", paidAmount: 98500 },
  };

  it.each([
    ["APPROVE", "COMPLETED"],
    ["REJECT", "REJECTED"],
  ])("high value goes to an operator, who decides %s → %s", async (decision, status) => {
    const party = await anOrder(HIGH_VALUE);
    const requestId = String((await ask(party)).body.requestId);
    await reach(party, requestId, "AWAITING_SELLER");
    await decide(party, requestId, "seller-decision", party.seller, { decision: "APPROVE" });
    await reach(party, requestId, "AWAITING_MARKETPLACE");

    const queue = await api.get("/operator/cancellation-requests?limit=100", operator);
    expect((queue.body.items as Json[]).some((item) => item.requestId === requestId)).toBe(true);
    const early = await decide(party, requestId, "marketplace-decision", party.seller, {
      decision,
    });
    expect(early.status).toBe(403);

    const decided = await decide(party, requestId, "marketplace-decision", operator, {
      decision,
      ...(decision === "REJECT" ? { reason: "suspected fraud" } : {}),
    });
    expect(decided.status).toBe(200);
    const final = await reach(party, requestId, status);
    if (status === "REJECTED") expect(final.rejection).toMatchObject({ by: "MARKETPLACE" });
    else expect(final.refund).toMatchObject({ status: "SUCCEEDED", amount: 98500 });
  });

  it("buyer withdraws while the seller decides", async () => {
    const party = await anOrder();
    const requestId = String((await ask(party)).body.requestId);
    await reach(party, requestId, "AWAITING_SELLER");
    const withdrawn = await decide(party, requestId, "withdrawal", party.buyer);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.status).toBe("WITHDRAWN");
    // Sent again (as after a lost answer): the withdrawal on record is that success.
    const again = await decide(party, requestId, "withdrawal", party.buyer);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("WITHDRAWN");
    expect(again.body.timeline).toEqual(withdrawn.body.timeline);
    const next = await ask(party);
    expect(next.status).toBe(202);
  });

  it("delivered before the buyer asks: 409 RETURN_REQUIRED, the option is RETURN", async () => {
    const party = await anOrder();
    const delivered = await api.post(`/orders/${party.orderId}/delivery`, carrier, {
      deliveredAt: new Date().toISOString(),
    });
    expect(delivered.status).toBe(200);
    expect(delivered.body.cancellationOption).toEqual({
      kind: "RETURN",
      reason: "RETURN_REQUIRED",
    });
    const refused = await ask(party);
    expect(refused.status).toBe(409);
    expect(refused.contentType).toContain("application/problem+json");
    expect(refused.body.code).toBe("RETURN_REQUIRED");
  });

  it("delivered while the seller decides: the request becomes RETURN_REQUIRED", async () => {
    const party = await anOrder();
    const requestId = String((await ask(party)).body.requestId);
    await reach(party, requestId, "AWAITING_SELLER");
    await api.post(`/orders/${party.orderId}/delivery`, carrier, {
      deliveredAt: new Date().toISOString(),
    });
    const request = await reach(party, requestId, "RETURN_REQUIRED");
    expect(request.refund).toBeNull();
    const late = await decide(party, requestId, "seller-decision", party.seller, {
      decision: "APPROVE",
    });
    expect(late.status).toBe(409);
    const returnMail = await api.until(async () => {
      const mail = await mailTo(`${party.buyer.sub}@example.com`);
      return mail.some((item) => item.subject.includes(party.orderId)) ? mail : undefined;
    }, "the buyer's mail about the return");
    expect(returnMail.some((mail) => mail.subject.includes(party.orderId))).toBe(true);
  });

  it("cash on delivery: approved without a refund", async () => {
    const party = await anOrder({ payment: { method: "CASH_ON_DELIVERY", paidAmount: 5480 } });
    const requestId = String((await ask(party)).body.requestId);
    await reach(party, requestId, "AWAITING_SELLER");
    await decide(party, requestId, "seller-decision", party.seller, { decision: "APPROVE" });
    const done = await reach(party, requestId, "COMPLETED");
    expect(done.refund).toMatchObject({ status: "NOT_REQUIRED", amount: 0, expectedBy: null });
    expect(timelineTypes(done)).not.toContain("REFUND_INSTRUCTED");
  });

  it("gift card: refunded to the gift card, expected the same day", async () => {
    const party = await anOrder({ payment: { method: "GIFT_CARD", paidAmount: 5480 } });
    const requestId = String((await ask(party)).body.requestId);
    await reach(party, requestId, "AWAITING_SELLER");
    await decide(party, requestId, "seller-decision", party.seller, { decision: "APPROVE" });
    const done = await reach(party, requestId, "COMPLETED");
    const refund = done.refund as {
      method: string;
      expectedBy: { earliest: string; latest: string };
    };
    expect(refund.method).toBe("GIFT_CARD");
    expect(refund.expectedBy.earliest).toBe(refund.expectedBy.latest);
  });

  it("refund inquiry: refused until the promised date is over; operators list none meanwhile", async () => {
    const party = await anOrder();
    const requestId = String((await ask(party)).body.requestId);
    await reach(party, requestId, "AWAITING_SELLER");
    await decide(party, requestId, "seller-decision", party.seller, { decision: "APPROVE" });
    const done = await reach(party, requestId, "COMPLETED");
    expect(done.refund).toMatchObject({ status: "SUCCEEDED", method: "CARD", late: false });
    expect(done.refundInquiry).toBeNull();
    // A card refund is promised within 10 business days: the buyer may not say yet that it has
    // not arrived.
    const early = await decide(party, requestId, "refund-inquiry", party.buyer, {});
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: "INVALID_STATE" });
    const close = await decide(party, requestId, "refund-inquiry/close", operator, { note: "x" });
    expect(close.body).toMatchObject({ code: "INVALID_STATE" });
    const open = await api.get("/operator/refund-inquiries", operator);
    expect(open.status).toBe(200);
    expect((open.body.items as Json[]).map((item) => item.orderId)).not.toContain(party.orderId);
  });
});

describe("the API contract", () => {
  it("pages a buyer's history newest first, every order once", async () => {
    const buyer = await api.buyer();
    const seller = await api.seller();
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const body = orderBody(
        { buyerId: buyer.sub, sellerId: seller.sub },
        { placedAt: new Date(Date.UTC(2026, 10, 1 + i)).toISOString() },
      );
      expect((await api.post("/orders", system, body)).status).toBe(201);
      placed.unshift(String(body.orderId));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = await api.get(`/orders?limit=2${query}`, buyer);
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as Json[]).map((item) => String(item.orderId)));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(placed);
    const stranger = await api.buyer();
    expect((await api.get("/orders", stranger)).body.items).toEqual([]);
  });

  it("lists a seller's queue by deadline and pages it", async () => {
    const seller = await api.seller();
    const requestIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const buyer = await api.buyer();
      const body = orderBody({ buyerId: buyer.sub, sellerId: seller.sub });
      await api.post("/orders", system, body);
      const party = { orderId: String(body.orderId), buyer, seller };
      await api.post(`/orders/${party.orderId}/shipment`, seller, {
        carrier: "sagawa",
        trackingNumber: `T-${i}`,
      });
      const requestId = String((await ask(party)).body.requestId);
      await reach(party, requestId, "AWAITING_SELLER");
      requestIds.push(requestId);
    }
    const first = await api.get("/seller/cancellation-requests?limit=2", seller);
    const second = await api.get(
      `/seller/cancellation-requests?limit=2&cursor=${encodeURIComponent(String(first.body.nextCursor))}`,
      seller,
    );
    const items = [...(first.body.items as Json[]), ...(second.body.items as Json[])];
    expect(items.map((item) => item.requestId)).toEqual(requestIds);
    const deadlines = items.map((item) => String(item.sellerDeadline));
    expect([...deadlines].sort()).toEqual(deadlines);
    expect(second.body.nextCursor).toBeNull();
  });

  it("answers 401, 403 and 404 as SPEC says", async () => {
    const party = await anOrder();
    const stranger = await api.buyer();
    const strangeSeller = await api.seller();
    const path = `/orders/${party.orderId}`;
    const cells: [
      string,
      Promise<{ status: number; body: Json; contentType: string }>,
      number,
      string,
    ][] = [
      ["no token", api.get(path), 401, "UNAUTHORIZED"],
      [
        "forged token",
        api.send("GET", path, {
          headers: { authorization: `Bearer ${party.buyer.token.slice(0, -4)}AAAA` },
        }),
        401,
        "UNAUTHORIZED",
      ],
      [
        "buyer on the seller queue",
        api.get("/seller/cancellation-requests", party.buyer),
        403,
        "FORBIDDEN",
      ],
      [
        "person on a system route",
        api.post("/orders", party.seller, orderBody({ buyerId: "b", sellerId: "s" })),
        403,
        "FORBIDDEN",
      ],
      [
        "wrong scope",
        api.post(`${path}/delivery`, system, { deliveredAt: new Date().toISOString() }),
        403,
        "FORBIDDEN",
      ],
      ["another buyer", api.get(path, stranger), 404, "NOT_FOUND"],
      ["another seller", api.get(path, strangeSeller), 404, "NOT_FOUND"],
      [
        "another seller ships",
        api.post(`${path}/shipment`, strangeSeller, { carrier: "x", trackingNumber: "y" }),
        404,
        "NOT_FOUND",
      ],
      ["unknown order", api.get(`/orders/o-${randomUUID()}`, operator), 404, "NOT_FOUND"],
      ["unknown route", api.get("/nowhere", operator), 404, "NOT_FOUND"],
    ];
    for (const [name, pending, status, code] of cells) {
      const response = await pending;
      expect([name, response.status, response.body.code]).toEqual([name, status, code]);
      expect(response.contentType).toContain("application/problem+json");
    }
    expect((await api.get(path, operator)).status).toBe(200);
    expect((await api.get(path, party.seller)).status).toBe(200);
  });

  it("replays an Idempotency-Key and refuses it with another body", async () => {
    const party = await anOrder();
    const key = `key-${randomUUID()}`;
    const first = await ask(party, { reason: "ORDERED_BY_MISTAKE" }, key);
    const replay = await ask(party, { reason: "ORDERED_BY_MISTAKE" }, key);
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.body.requestId).toBe(first.body.requestId);
    const mismatch = await ask(party, { reason: "OTHER", comment: "changed my mind" }, key);
    expect(mismatch.status).toBe(409);
    expect(mismatch.body.code).toBe("IDEMPOTENCY_KEY_MISMATCH");
    const another = await ask(party, { reason: "ORDERED_BY_MISTAKE" });
    expect(another.status).toBe(409);
    expect(another.body.code).toBe("ACTIVE_REQUEST_EXISTS");
  });

  it("refuses malformed input with 400 problems and changes nothing", async () => {
    const party = await anOrder({}, false);
    const before = await api.get(`/orders/${party.orderId}`, party.buyer);
    const bad: [string, Promise<{ status: number; body: Json; contentType: string }>][] = [
      [
        "bad JSON",
        api.send("POST", `/orders/${party.orderId}/shipment`, {
          caller: party.seller,
          rawBody: "{not json",
          headers: { "content-type": "application/json" },
        }),
      ],
      [
        "unknown field",
        api.post(`/orders/${party.orderId}/shipment`, party.seller, {
          carrier: "x",
          trackingNumber: "y",
          extra: 1,
        }),
      ],
      [
        "wrong type",
        api.post(`/orders/${party.orderId}/shipment`, party.seller, {
          carrier: 7,
          trackingNumber: "y",
        }),
      ],
      [
        "missing Idempotency-Key",
        api.post(requestsPath(party), party.buyer, { reason: "NO_LONGER_NEEDED" }),
      ],
      ["bad limit", api.get("/orders?limit=101", party.buyer)],
      ["bad cursor", api.get("/orders?cursor=garbage", party.buyer)],
    ];
    for (const [name, pending] of bad) {
      const response = await pending;
      expect([name, response.status, response.body.code]).toEqual([name, 400, "VALIDATION_FAILED"]);
      expect(response.contentType).toContain("application/problem+json");
    }
    const tooLarge = await api.post(`/orders/${party.orderId}/shipment`, party.seller, {
      carrier: "x".repeat(70_000),
      trackingNumber: "y",
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.code).toBe("PAYLOAD_TOO_LARGE");
    const after = await api.get(`/orders/${party.orderId}`, party.buyer);
    expect(after.body).toEqual(before.body);
    const notShipped = await ask(party);
    expect(notShipped.body.code).toBe("NOT_SHIPPED");
  });
});
