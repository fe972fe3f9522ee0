// POST /webhooks/stripe over the in-memory ports: the signature is checked on the raw body before
// anything else; the refund named in the event is then asked of the provider as it is now, and its
// word goes through the same conditional write as every change. Duplicates, strangers' refunds
// and other events change nothing.
import Stripe from "stripe";
import { beforeEach, describe, expect, it } from "vitest";
import type { CancellationRequest, Refund } from "../../functions/domain/types.ts";
import { createTestApp, expectJson, expectValidation, type TestApp } from "../support/http-app.ts";
import { requestOn, seedOrder } from "../support/http-fixtures.ts";
import { at } from "../support/records.ts";

let app: TestApp;
beforeEach(() => {
  app = createTestApp();
});

const SECRET = "whsec_test_fake";
const PAYMENT = {
  method: "CARD",
  paidAmount: 5480,
  provider: "stripe",
  reference: "pi_3QHook",
} as const;

const refundOf = (requestId: string, overrides: Partial<Refund>): Refund => ({
  amount: 5480,
  currency: "JPY",
  method: "CARD",
  status: "SUCCEEDED",
  refundId: `rf-${requestId}`,
  expectedBy: { earliest: "2026-11-25", latest: "2026-12-04" },
  instructedAt: at(3),
  succeededAt: at(3),
  attempts: 1,
  provider: "stripe",
  providerStatus: "succeeded",
  providerRefundId: "re_1",
  ...overrides,
});

/** A Stripe order with one request, whose refund the provider made (with `pending` answered). */
const seedStripe = async (
  request: (orderId: string) => CancellationRequest,
  pending = false,
): Promise<{ orderId: string; requestId: string }> => {
  const record = await seedOrder(
    app.world.table,
    { payment: PAYMENT, status: "CANCELLED" },
    (id) => [request(id)],
  );
  const [stored] = Object.values(record.requests) as [CancellationRequest];
  const { orderId } = record.order;
  app.world.payments.answerPending = pending;
  await app.world.payments.refund({
    refundId: `rf-${stored.requestId}`,
    orderId,
    requestId: stored.requestId,
    amount: 5480,
    currency: "JPY",
    method: "CARD",
    provider: "stripe",
    paymentReference: PAYMENT.reference,
  });
  return { orderId, requestId: stored.requestId };
};

const completed = (orderId: string) =>
  requestOn(orderId, {
    status: "COMPLETED",
    updatedAt: at(3),
    refund: null,
  }) as CancellationRequest;

const withRefund = (request: CancellationRequest, overrides: Partial<Refund>) => {
  request.refund = refundOf(request.requestId, overrides);
  return request;
};

/** Stripe's event about a refund the service made, signed as Stripe signs it. */
const delivery = (
  keys: { orderId: string; requestId: string },
  options: {
    type?: string;
    status?: string;
    secret?: string;
    timestamp?: number;
    metadata?: object;
  } = {},
) => {
  const payload = JSON.stringify({
    id: "evt_1",
    object: "event",
    type: options.type ?? "charge.refund.updated",
    data: {
      object: {
        id: "re_1",
        object: "refund",
        status: options.status ?? "failed",
        metadata: options.metadata ?? { ...keys, refundId: `rf-${keys.requestId}` },
      },
    },
  });
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? SECRET,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  return {
    body: payload,
    headers: { "content-type": "application/json", "stripe-signature": signature },
  };
};

const post = (request: { body: string; headers: Record<string, string> }) =>
  app.invoke("StripeWebhook", request);
const writes = () => app.callNames("table").filter((call) => call !== "table.get");

describe("POST /webhooks/stripe: the signature", () => {
  it("refuses a missing, wrong or stale signature with 400 before asking anything", async () => {
    const keys = await seedStripe((id) => withRefund(completed(id), {}));
    app.world.payments.settle(`rf-${keys.requestId}`, { status: "failed" });
    const before = app.item(keys.orderId);
    const signed = delivery(keys);
    const cases = [
      { ...signed, headers: { "content-type": "application/json" } },
      delivery(keys, { secret: "whsec_someone_else" }),
      delivery(keys, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      // The signature of another body.
      { ...signed, body: signed.body.replace("failed", "succeeded") },
    ];
    for (const request of cases) {
      expectValidation(await post(request), "headers.stripe-signature");
    }
    expect(app.item(keys.orderId)).toEqual(before);
    expect(app.callNames("payments")).toEqual([]);
    expect(app.callNames("table")).toEqual([]);
  });

  it("refuses every event where no Stripe account is configured", async () => {
    app.world.stripeWebhookSecret = undefined;
    const keys = await seedStripe((id) => withRefund(completed(id), {}));
    expectValidation(await post(delivery(keys)), "headers.stripe-signature");
  });
});

describe("POST /webhooks/stripe: the refund's current status", () => {
  it("reverses a completed request's refund the card could not take, and starts its workflow", async () => {
    const keys = await seedStripe((id) => withRefund(completed(id), {}));
    // The request's first execution ran it to completion and ended.
    const input = { ...keys, correlationId: keys.requestId };
    app.world.workflow.executions.set(keys.requestId, { input, running: false });
    app.world.payments.settle(`rf-${keys.requestId}`, {
      status: "failed",
      failureReason: "expired_or_canceled_card",
    });
    const response = await post(delivery(keys));
    expectJson(response, 200);
    expect(response.body).toEqual({ received: true });
    const request = app.item(keys.orderId)?.record.requests[keys.requestId];
    expect(request?.status).toBe("COMPLETED");
    expect(request?.refund).toMatchObject({ status: "FAILED", reversed: true });
    expect(request?.timeline.at(-1)).toMatchObject({ type: "REFUND_REVERSED" });
    // Its first execution has ended: a new one waits for an operator's retry.
    expect(app.world.workflow.executions.get(`${keys.requestId}-2`)?.running).toBe(true);
    expect(app.item(keys.orderId)?.executions[keys.requestId]?.name).toBe(`${keys.requestId}-2`);

    // Stripe sends it again, or another event about the same refund: nothing changes.
    const after = app.item(keys.orderId);
    for (const type of ["charge.refund.updated", "refund.failed", "refund.updated"]) {
      expectJson(await post(delivery(keys, { type })), 200);
    }
    expect(app.item(keys.orderId)?.version).toBe(after?.version);
  });

  it("acts on what Stripe says now, not on what the event says", async () => {
    const keys = await seedStripe((id) => withRefund(completed(id), {}));
    // An old `failed` event arrives, but the refund stands.
    expectJson(await post(delivery(keys, { status: "failed" })), 200);
    expect(app.item(keys.orderId)?.record.requests[keys.requestId]?.refund?.status).toBe(
      "SUCCEEDED",
    );
    expect(writes()).toEqual([]);
  });

  it("completes a pending refund Stripe settled, waking the execution waiting on it", async () => {
    const keys = await seedStripe(
      (id) =>
        withRefund(requestOn(id, { status: "REFUND_PENDING", updatedAt: at(3) }), {
          status: "PENDING",
          succeededAt: null,
          providerStatus: "pending",
          pendingSince: at(3),
          callStartedAt: null,
        }),
      true,
    );
    app.wait(keys.orderId, keys.requestId, "token-settlement");
    app.world.payments.settle(`rf-${keys.requestId}`, { status: "succeeded", reference: "ARN-42" });
    expectJson(await post(delivery(keys, { status: "succeeded" })), 200);
    const stored = app.item(keys.orderId);
    expect(stored?.record.requests[keys.requestId]).toMatchObject({
      status: "COMPLETED",
      refund: { status: "SUCCEEDED", reference: "ARN-42" },
    });
    expect(app.world.workflow.woken.map(({ token }) => token)).toEqual(["token-settlement"]);
  });

  it("answers 200 and changes nothing for refunds and events it does not know", async () => {
    const keys = await seedStripe((id) => withRefund(completed(id), {}));
    app.world.payments.settle(`rf-${keys.requestId}`, { status: "failed" });
    const cases = [
      delivery(keys, { metadata: {} }),
      delivery(keys, { type: "payment_intent.succeeded" }),
      delivery({ orderId: "o-nowhere", requestId: keys.requestId }),
      delivery(keys, { metadata: { ...keys, refundId: "rf-an-older-key" } }),
    ];
    for (const request of cases) expectJson(await post(request), 200);
    expect(writes()).toEqual([]);
    expect(app.item(keys.orderId)?.record.requests[keys.requestId]?.refund?.status).toBe(
      "SUCCEEDED",
    );
  });
});
