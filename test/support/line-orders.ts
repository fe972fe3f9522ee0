// The end-to-end suites of line-level cancellation (test/e2e/lines*.test.ts): orders with several
// lines in local mode, requests and previews for some of their units, and the waits between.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { type ApiResponse, type Caller, type LocalClient, orderBody } from "../../local/client.ts";
import { startLocal } from "../../local/start.ts";
import { ContractClient } from "./contract.ts";

export type Json = Record<string, unknown>;

export interface Party {
  orderId: string;
  buyer: Caller;
  seller: Caller;
}

/** A `lines` entry of a request body. */
export interface Units {
  lineId: string;
  quantity: number;
}

/**
 * SPEC's worked example: 3,000 × 1 and 1,000 × 2 with ¥500 shipping, paid ¥4,500 with a ¥1,000
 * coupon: ¥4,000 paid for items worth ¥5,000, ¥500 for shipping.
 */
export const COUPON_ORDER = {
  lines: [
    { lineId: "l1", sku: "POT-1", title: "土鍋", quantity: 1, unitPrice: 3000 },
    { lineId: "l2", sku: "CUP-1", title: "湯呑み", quantity: 2, unitPrice: 1000 },
  ],
  shippingFee: 500,
  payment: { method: "CARD", paidAmount: 4500 },
};

/**
 * 3,000 × 1 and 1,000 × 2 (worth ¥5,000) with ¥333 shipping, paid ¥4,233 with a ¥100 coupon:
 * ¥3,900 for the items, ¥333 for shipping (shares that do not divide evenly).
 */
export const ODD_SHIPPING_ORDER = {
  ...COUPON_ORDER,
  shippingFee: 333,
  payment: { method: "CARD", paidAmount: 4233 },
};

/**
 * This test file's local mode under `overrides` and its orders (`lineOrders`): started before its
 * tests, stopped after them. Read `api` and `shop` inside tests, once they are set.
 */
export const shopUnderPolicy = (overrides: Json) => {
  let running: Awaited<ReturnType<typeof startLocalWithPolicy>> | undefined;
  const state = {} as { api: LocalClient; shop: ReturnType<typeof lineOrders> };
  beforeAll(async () => {
    running = await startLocalWithPolicy(overrides);
    state.api = new ContractClient(running.local.url);
    const [system, carrier] = await Promise.all([state.api.system(), state.api.carrier()]);
    state.shop = lineOrders(state.api, system, carrier);
  }, 90_000);
  afterAll(async () => {
    await running?.stop();
  });
  return state;
};

/**
 * Local mode under the default policy with `overrides` (a POLICY_FILE in a folder of its own).
 * One per test file: the handlers read the policy from the process's environment.
 */
export const startLocalWithPolicy = async (overrides: Json) => {
  const folder = await mkdtemp(path.join(tmpdir(), "policy-"));
  const policyFile = path.join(folder, "policy.json");
  await writeFile(policyFile, JSON.stringify(overrides));
  const local = await startLocal({ port: 0, policyFile });
  return {
    local,
    stop: async () => {
      await local.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
};

/** Imports an order for a fresh buyer and seller and, unless told otherwise, ships it. */
export const importOrder = async (
  api: LocalClient,
  system: Caller,
  overrides: Json,
  ship = true,
): Promise<Party> => {
  const [buyer, seller] = await Promise.all([api.buyer(), api.seller()]);
  const body = orderBody({ buyerId: buyer.sub, sellerId: seller.sub }, overrides);
  const imported = await api.post("/orders", system, body);
  expect(imported.status).toBe(201);
  const orderId = String(body.orderId);
  if (ship) {
    const shipped = await api.post(`/orders/${orderId}/shipment`, seller, {
      carrier: "yamato",
      trackingNumber: "4470-1234-5678",
    });
    expect(shipped.status).toBe(200);
  }
  return { orderId, buyer, seller };
};

export const lineOrders = (api: LocalClient, system: Caller, carrier: Caller) => {
  const requestsPath = (party: Party) => `/orders/${party.orderId}/cancellation-requests`;

  const anOrder = (overrides: Json = COUPON_ORDER, ship = true): Promise<Party> =>
    importOrder(api, system, overrides, ship);

  /** The request body for `lines` (absent: the whole of what is left). */
  const bodyFor = (lines?: Units[]): Json => ({
    reason: "NO_LONGER_NEEDED",
    ...(lines && { lines }),
  });

  /** POST …/cancellation-requests as the buyer, with a fresh Idempotency-Key unless given one. */
  const ask = (party: Party, body: Json, key = `key-${randomUUID()}`) =>
    api.post(requestsPath(party), party.buyer, body, { "idempotency-key": key });

  /** POST …/cancellation-requests/preview, as the buyer unless told otherwise. */
  const preview = (party: Party, body: Json, caller: Caller = party.buyer) =>
    api.post(`${requestsPath(party)}/preview`, caller, body);

  const order = async (party: Party): Promise<Json> => {
    const response = await api.get(`/orders/${party.orderId}`, party.buyer);
    expect(response.status).toBe(200);
    return response.body;
  };

  const request = async (party: Party, requestId: string): Promise<Json> => {
    const response = await api.get(`${requestsPath(party)}/${requestId}`, party.buyer);
    expect(response.status).toBe(200);
    return response.body;
  };

  /** Waits until the request reaches `status` (as its buyer sees it). */
  const reach = (party: Party, requestId: string, status: string) =>
    api.until(
      async () => {
        const current = await request(party, requestId);
        return current.status === status ? current : undefined;
      },
      `request ${requestId} to reach ${status}`,
      30_000,
    );

  const decide = (party: Party, requestId: string, route: string, caller: Caller, body?: Json) =>
    api.post(`${requestsPath(party)}/${requestId}/${route}`, caller, body);

  /** Asks for `body`, has the seller approve, and waits for `status` (COMPLETED by default). */
  const cancel = async (party: Party, body: Json, status = "COMPLETED") => {
    const asked = await ask(party, body);
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const requestId = String(asked.body.requestId);
    await reach(party, requestId, "AWAITING_SELLER");
    const approved = await decide(party, requestId, "seller-decision", party.seller, {
      decision: "APPROVE",
    });
    expect(approved.status).toBe(200);
    const done = await reach(party, requestId, status);
    // What is refunded is the request's items and shipping, once it is.
    const refund = done.refund as { amount: number } | null;
    if (refund) expect(refund.amount).toBe(Number(done.itemsAmount) + Number(done.shippingAmount));
    return { asked: asked.body, done };
  };

  /**
   * The POST and the preview both refuse `body` with `status` and `code` (and, for a 400, the
   * same field paths), and the order is as it was: neither stored anything.
   */
  const bothRefuse = async (
    party: Party,
    body: Json,
    status: number,
    code: string,
    paths?: string[],
  ) => {
    const before = await order(party);
    const answers: [string, ApiResponse][] = [
      ["POST", await ask(party, body)],
      ["preview", await preview(party, body)],
    ];
    for (const [name, answer] of answers) {
      expect([name, answer.status, answer.body.code]).toEqual([name, status, code]);
      expect(answer.contentType).toContain("application/problem+json");
      if (paths) {
        const named = (answer.body.errors as { path: string }[]).map((error) => error.path);
        expect([name, named]).toEqual([name, paths]);
      }
    }
    expect(await order(party)).toEqual(before);
  };

  const deliver = (party: Party) =>
    api.post(`/orders/${party.orderId}/delivery`, carrier, {
      deliveredAt: new Date().toISOString(),
    });

  return {
    anOrder,
    bodyFor,
    ask,
    preview,
    order,
    request,
    reach,
    decide,
    cancel,
    bothRefuse,
    deliver,
  };
};

/** The order's lines as `[lineId, cancelledQuantity]`. */
export const cancelledUnits = (order: Json) =>
  (order.lines as { lineId: string; cancelledQuantity: number }[]).map((line) => [
    line.lineId,
    line.cancelledQuantity,
  ]);

/** What a request (or a preview) covers and refunds, without the rest of it. */
export const amountsOf = (answer: Json) => ({
  lines: answer.lines,
  itemsAmount: answer.itemsAmount,
  shippingAmount: answer.shippingAmount,
});
