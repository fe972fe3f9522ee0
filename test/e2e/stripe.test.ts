// End to end with Stripe: local mode with its Stripe stand-in, driven as a marketplace would. The
// buyer pays through the official `stripe` SDK (a PaymentIntent confirmed with Stripe's test
// payment methods), the order is imported with it, and the service refunds through the SDK; the
// stand-in's signed webhooks tell it what happens to the refund afterwards.
import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller, LocalClient } from "../../local/client.ts";
import { type LocalMode, startLocal } from "../../local/start.ts";
import { ContractClient } from "../support/contract.ts";
import { importOrder } from "../support/line-orders.ts";

let local: LocalMode;
let api: LocalClient;
let stripe: Stripe;
let operator: Caller;
let system: Caller;

beforeAll(async () => {
  local = await startLocal({ port: 0 });
  api = new ContractClient(local.url);
  [operator, system] = await Promise.all([api.operator(), api.system()]);
  const info = await api.get<{ stripe: { apiBase: string; secretKey: string } }>("/_local/info");
  const base = new URL(info.body.stripe.apiBase);
  stripe = new Stripe(info.body.stripe.secretKey, {
    host: base.hostname,
    port: Number(base.port),
    protocol: "http",
  });
}, 90_000);

afterAll(async () => {
  await local?.stop();
});

type Json = Record<string, unknown>;

/** The buyer pays ¥5,480 with `paymentMethod`; the order is imported with its PaymentIntent. */
const paidOrder = async (paymentMethod: "pm_card_visa" | "pm_card_refundFail") => {
  const intent = await stripe.paymentIntents.create({
    amount: 5480,
    currency: "jpy",
    payment_method: paymentMethod,
    confirm: true,
  });
  expect(intent.status).toBe("succeeded");
  const party = await importOrder(api, system, {
    payment: { method: "CARD", paidAmount: 5480, provider: "stripe", reference: intent.id },
  });
  return { ...party, paymentIntent: intent.id };
};

type Party = Awaited<ReturnType<typeof paidOrder>>;

const requestPath = (party: Party, requestId: string) =>
  `/orders/${party.orderId}/cancellation-requests/${requestId}`;

/** The buyer asks to cancel and the seller approves; the policy approves ¥5,480 by itself. */
const cancel = async (party: Party): Promise<string> => {
  const asked = await api.post(
    `/orders/${party.orderId}/cancellation-requests`,
    party.buyer,
    { reason: "NO_LONGER_NEEDED" },
    { "idempotency-key": `key-${randomUUID()}` },
  );
  expect(asked.status).toBe(202);
  const requestId = String(asked.body.requestId);
  await api.until(async () => {
    const approved = await api.post(
      `${requestPath(party, requestId)}/seller-decision`,
      party.seller,
      {
        decision: "APPROVE",
      },
    );
    return approved.status === 200 ? approved : undefined;
  }, "the seller's approval");
  return requestId;
};

/** Waits until the buyer sees the request satisfy `done`. */
const until = (party: Party, requestId: string, done: (request: Json) => boolean, what: string) =>
  api.until(async () => {
    const response = await api.get(requestPath(party, requestId), party.buyer);
    return done(response.body) ? response.body : undefined;
  }, what);

const refundOf = (request: Json) => request.refund as Json;
const timelineTypes = (request: Json) =>
  (request.timeline as { type: string }[]).map((entry) => entry.type);

/** Stripe's own list of the PaymentIntent's refunds. */
const stripeRefunds = async (party: Party) =>
  (await stripe.refunds.list({ payment_intent: party.paymentIntent })).data;

describe("a Stripe order's cancellation", () => {
  it("is refunded once through the SDK, with the card's reference for the buyer", async () => {
    const party = await paidOrder("pm_card_visa");
    const requestId = await cancel(party);
    const done = await until(party, requestId, (r) => r.status === "COMPLETED", "completion");
    expect(refundOf(done)).toMatchObject({
      status: "SUCCEEDED",
      provider: "stripe",
      providerStatus: "succeeded",
      reversed: false,
    });
    // The card's acquirer reference number comes a moment later, by webhook, as on Stripe.
    const traced = await until(party, requestId, (r) => !!refundOf(r)?.reference, "the reference");
    const refunds = await stripeRefunds(party);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({
      amount: 5480,
      currency: "jpy",
      status: "succeeded",
      metadata: { orderId: party.orderId, requestId },
    });
    expect(refundOf(traced).reference).toBe(refunds[0]?.destination_details?.card?.reference);
  });

  it("is reversed when the card refund fails later, and an operator refunds it as gift balance", async () => {
    const party = await paidOrder("pm_card_refundFail");
    const requestId = await cancel(party);
    const reversed = await until(
      party,
      requestId,
      (r) => refundOf(r)?.reversed === true,
      "the reversal by webhook",
    );
    expect(reversed.status).toBe("COMPLETED");
    expect(refundOf(reversed)).toMatchObject({
      status: "FAILED",
      failureReason: "expired_or_canceled_card",
    });
    expect(timelineTypes(reversed).slice(-3)).toEqual([
      "REFUND_SUCCEEDED",
      "COMPLETED",
      "REFUND_REVERSED",
    ]);
    const order = await api.get(`/orders/${party.orderId}`, party.buyer);
    expect(order.body.refundedAmount).toBe(0);

    const retried = await api.post(`${requestPath(party, requestId)}/refund-retry`, operator, {
      method: "GIFT_CARD",
    });
    expect(retried.status).toBe(202);
    const refunded = await until(
      party,
      requestId,
      (r) => refundOf(r)?.status === "SUCCEEDED",
      "the gift balance refund",
    );
    expect(refundOf(refunded)).toMatchObject({ method: "GIFT_CARD", provider: "ledger" });
    expect((await api.get(`/orders/${party.orderId}`, party.buyer)).body.refundedAmount).toBe(5480);
    // Stripe made one refund, and it failed: nothing was paid twice to the card.
    expect((await stripeRefunds(party)).map((refund) => refund.status)).toEqual(["failed"]);
  });

  it("waits while Stripe holds the refund as pending, and completes by webhook", async () => {
    const party = await paidOrder("pm_card_visa");
    const fault = await api.post("/_local/faults", undefined, {
      target: "stripe",
      error: "pending",
      count: 1,
    });
    expect(fault.status).toBe(201);
    const requestId = await cancel(party);
    const pending = await until(
      party,
      requestId,
      (r) => refundOf(r)?.providerStatus === "pending",
      "the pending answer",
    );
    expect(pending.status).toBe("REFUND_PENDING");
    expect(refundOf(pending).status).toBe("PENDING");
    const done = await until(party, requestId, (r) => r.status === "COMPLETED", "settlement");
    expect(refundOf(done)).toMatchObject({ status: "SUCCEEDED", providerStatus: "succeeded" });
    expect(await stripeRefunds(party)).toHaveLength(1);
  });
});

describe("POST /webhooks/stripe", () => {
  it("refuses forged and stale signatures with 400", async () => {
    const payload = JSON.stringify({
      id: "evt_forged",
      type: "refund.updated",
      data: { object: {} },
    });
    const forged = Stripe.webhooks.generateTestHeaderString({ payload, secret: "whsec_guess" });
    const stale = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: String(
        (await api.get<{ stripe: { webhookSecret: string } }>("/_local/info")).body.stripe
          .webhookSecret,
      ),
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    for (const signature of [forged, stale]) {
      const response = await api.send("POST", "/webhooks/stripe", {
        rawBody: payload,
        headers: { "content-type": "application/json", "stripe-signature": signature },
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe("VALIDATION_FAILED");
    }
  });
});
