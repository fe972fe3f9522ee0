// The Stripe stand-in driven through the official `stripe` package over HTTP, as the adapter will
// drive it: PaymentIntents paid with Stripe's test payment methods, refunds with idempotency keys,
// Stripe's refusals and error shapes, the secret key, faults of target `stripe`, and the Host and
// Origin checks every stand-in has.
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { FaultInjector } from "../../local/faults.ts";
import { decodeForm } from "../../local/stripe/form.ts";
import { LocalStripe, type LocalStripeOptions } from "../../local/stripe/server.ts";
import { requestWithHost } from "../support/host-request.ts";

const running: LocalStripe[] = [];

afterEach(async () => {
  for (const stripe of running.splice(0)) await stripe.stop();
});

/** The SDK as the adapter configures it, pointed at the stand-in; no retries unless asked. */
const sdk = (local: LocalStripe, config: Stripe.StripeConfig = {}) =>
  new Stripe(local.secretKey, {
    host: "127.0.0.1",
    port: local.port,
    protocol: "http",
    maxNetworkRetries: 0,
    ...config,
  });

const setup = async (options: LocalStripeOptions = {}) => {
  const local = await LocalStripe.start(options);
  running.push(local);
  return { local, stripe: sdk(local) };
};

/** A PaymentIntent of ¥5,000 paid at once with `paymentMethod`. */
const paid = (stripe: Stripe, paymentMethod = "pm_card_visa", amount = 5000) =>
  stripe.paymentIntents.create({
    amount,
    currency: "jpy",
    payment_method: paymentMethod,
    confirm: true,
    metadata: { orderId: "o-1" },
  });

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error("expected the call to be refused");
};

describe("the form decoder", () => {
  it("reads Stripe's nested keys: objects, indexed arrays and appended ones", () => {
    expect(
      decodeForm(
        "amount=5000&metadata[orderId]=o-1&metadata%5BrequestId%5D=r%201&types[1]=b&types[0]=a&expand[]=x&expand[]=y",
      ),
    ).toEqual({
      amount: "5000",
      metadata: { orderId: "o-1", requestId: "r 1" },
      types: ["a", "b"],
      expand: ["x", "y"],
    });
  });

  it("refuses a key that is both a value and an object", () => {
    expect(() => decodeForm("metadata=a&metadata[b]=c")).toThrow(/metadata\[b\]/);
    expect(() => decodeForm("metadata[b]=c&metadata=a")).toThrow(/metadata/);
  });
});

describe("PaymentIntents", () => {
  it("created and confirmed at once with either test card, in JPY's minor unit (the yen)", async () => {
    const { stripe } = await setup();
    for (const method of ["pm_card_visa", "pm_card_refundFail"]) {
      const intent = await paid(stripe, method);
      expect(intent).toMatchObject({
        id: expect.stringMatching(/^pi_\w{24}$/),
        object: "payment_intent",
        amount: 5000,
        amount_received: 5000,
        currency: "jpy",
        status: "succeeded",
        metadata: { orderId: "o-1" },
        latest_charge: expect.stringMatching(/^ch_/),
        // Stripe makes a PaymentMethod of the test token.
        payment_method: expect.stringMatching(/^pm_\w{24}$/),
        livemode: false,
      });
      expect(await stripe.paymentIntents.retrieve(intent.id)).toEqual(
        expect.objectContaining({ id: intent.id, status: "succeeded" }),
      );
    }
  });

  it("created first, then confirmed with a payment method; confirming twice is refused", async () => {
    const { stripe } = await setup();
    const created = await stripe.paymentIntents.create({ amount: 1200, currency: "JPY" });
    expect(created).toMatchObject({ status: "requires_payment_method", currency: "jpy" });
    const confirmed = await stripe.paymentIntents.confirm(created.id, {
      payment_method: "pm_card_visa",
    });
    expect(confirmed).toMatchObject({ id: created.id, status: "succeeded", amount_received: 1200 });
    const again = await rejection(stripe.paymentIntents.confirm(created.id));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again.code).toBe("payment_intent_unexpected_state");
  });

  it("refuses what Stripe refuses: an unknown PaymentIntent or payment method, a tiny amount, unknown params", async () => {
    const { stripe } = await setup();
    const missing = await rejection(stripe.paymentIntents.retrieve("pi_missing"));
    expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing" });
    const method = await rejection(paid(stripe, "pm_card_nonsense"));
    expect(method).toMatchObject({
      statusCode: 400,
      code: "resource_missing",
      param: "payment_method",
    });
    const small = await rejection(paid(stripe, "pm_card_visa", 49));
    expect(small).toMatchObject({ code: "amount_too_small", param: "amount" });
    const unknown = await rejection(
      stripe.paymentIntents.create({
        amount: 100,
        currency: "jpy",
        surprise: "x",
      } as Stripe.PaymentIntentCreateParams),
    );
    expect(unknown).toMatchObject({ code: "parameter_unknown", param: "surprise" });
  });
});

describe("refunds", () => {
  it("refund once under an idempotency key; the same key and params replay it (same id)", async () => {
    const { stripe } = await setup();
    const intent = await paid(stripe);
    const params = {
      payment_intent: intent.id,
      amount: 3000,
      metadata: { orderId: "o-1", requestId: "r-1" },
    };
    const first = await stripe.refunds.create(params, { idempotencyKey: "r-1:1" });
    expect(first).toMatchObject({
      id: expect.stringMatching(/^re_\w{24}$/),
      object: "refund",
      amount: 3000,
      currency: "jpy",
      status: "succeeded",
      payment_intent: intent.id,
      charge: intent.latest_charge,
      metadata: { orderId: "o-1", requestId: "r-1" },
      created: expect.any(Number),
      destination_details: { type: "card", card: { type: "refund", reference_status: "pending" } },
    });
    const replay = await stripe.refunds.create(params, { idempotencyKey: "r-1:1" });
    expect(replay.id).toBe(first.id);
    expect(replay.lastResponse.headers["idempotent-replayed"]).toBe("true");
    const listed = await stripe.refunds.list({ payment_intent: intent.id });
    expect(listed.data.map((refund) => refund.id)).toEqual([first.id]);
  });

  it("the same key with other params: StripeIdempotencyError, and nothing refunded", async () => {
    const { stripe } = await setup();
    const intent = await paid(stripe);
    await stripe.refunds.create(
      { payment_intent: intent.id, amount: 1000 },
      { idempotencyKey: "k" },
    );
    const reused = await rejection(
      stripe.refunds.create({ payment_intent: intent.id, amount: 2000 }, { idempotencyKey: "k" }),
    );
    expect(reused).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(reused).toMatchObject({ statusCode: 400, type: "StripeIdempotencyError" });
    // On another endpoint too.
    const elsewhere = await rejection(
      stripe.paymentIntents.create({ amount: 1000, currency: "jpy" }, { idempotencyKey: "k" }),
    );
    expect(elsewhere).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    const listed = await stripe.refunds.list({ payment_intent: intent.id });
    expect(listed.data.map((refund) => refund.amount)).toEqual([1000]);
  });

  it("forgets a key after 24 hours on its clock: the key then makes a new refund", async () => {
    let now = Date.parse("2026-11-02T00:00:00Z");
    const { stripe } = await setup({ now: () => now });
    const intent = await paid(stripe);
    const first = await stripe.refunds.create(
      { payment_intent: intent.id, amount: 1000 },
      { idempotencyKey: "k" },
    );
    now += 24 * 60 * 60 * 1000 - 1000;
    const kept = await stripe.refunds.create(
      { payment_intent: intent.id, amount: 1000 },
      { idempotencyKey: "k" },
    );
    expect(kept.id).toBe(first.id);
    now += 2000;
    const fresh = await stripe.refunds.create(
      { payment_intent: intent.id, amount: 1000 },
      { idempotencyKey: "k" },
    );
    expect(fresh.id).not.toBe(first.id);
    expect(fresh.created).toBe(Math.floor(now / 1000));
  });

  it("amount defaults to what is left; lists by PaymentIntent, newest first, paged", async () => {
    const { stripe } = await setup();
    const intent = await paid(stripe);
    const other = await paid(stripe);
    const part = await stripe.refunds.create({ payment_intent: intent.id, amount: 1200 });
    const rest = await stripe.refunds.create({ payment_intent: intent.id });
    expect(rest.amount).toBe(3800);
    await stripe.refunds.create({ payment_intent: other.id, amount: 100 });
    const listed = await stripe.refunds.list({ payment_intent: intent.id });
    expect(listed).toMatchObject({ object: "list", has_more: false, url: "/v1/refunds" });
    expect(listed.data.map((refund) => refund.id)).toEqual([rest.id, part.id]);
    const first = await stripe.refunds.list({ payment_intent: intent.id, limit: 1 });
    expect(first.data.map((refund) => refund.id)).toEqual([rest.id]);
    expect(first.has_more).toBe(true);
    // The SDK's auto-pagination walks the pages with starting_after.
    const all = await stripe.refunds
      .list({ payment_intent: intent.id, limit: 1 })
      .autoPagingToArray({
        limit: 10,
      });
    expect(all.map((refund) => refund.id)).toEqual([rest.id, part.id]);
    expect((await stripe.refunds.retrieve(part.id)).amount).toBe(1200);
  });

  it("refuses as Stripe does: amount_too_large, charge_already_refunded, resource_missing, amount 0", async () => {
    const { stripe } = await setup();
    const intent = await paid(stripe);
    await stripe.refunds.create({ payment_intent: intent.id, amount: 4000 });
    const tooLarge = await rejection(
      stripe.refunds.create({ payment_intent: intent.id, amount: 1001 }),
    );
    expect(tooLarge).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooLarge).toMatchObject({ statusCode: 400, code: "amount_too_large", param: "amount" });
    expect(tooLarge.message).toContain("¥1,001");
    await stripe.refunds.create({ payment_intent: intent.id, amount: 1000 });
    const already = await rejection(stripe.refunds.create({ payment_intent: intent.id }));
    expect(already).toMatchObject({ statusCode: 400, code: "charge_already_refunded" });
    const missing = await rejection(stripe.refunds.create({ payment_intent: "pi_nowhere" }));
    expect(missing).toMatchObject({
      statusCode: 400,
      code: "resource_missing",
      param: "payment_intent",
    });
    expect(missing.message).toContain("No such payment_intent: 'pi_nowhere'");
    const zero = await rejection(stripe.refunds.create({ payment_intent: intent.id, amount: 0 }));
    expect(zero).toMatchObject({ code: "parameter_invalid_integer", param: "amount" });
    const unknownRefund = await rejection(stripe.refunds.retrieve("re_nowhere"));
    expect(unknownRefund).toMatchObject({ statusCode: 404, code: "resource_missing" });
    // A refund of a PaymentIntent that was never paid.
    const unpaid = await stripe.paymentIntents.create({ amount: 1000, currency: "jpy" });
    const notPaid = await rejection(stripe.refunds.create({ payment_intent: unpaid.id }));
    expect(notPaid.code).toBe("payment_intent_unexpected_state");
  });

  it("a refusal under a key is kept and replayed; a refused parameter is not", async () => {
    const { stripe } = await setup();
    const intent = await paid(stripe);
    const params = { payment_intent: intent.id, amount: 6000 };
    const first = await rejection(stripe.refunds.create(params, { idempotencyKey: "big" }));
    const again = await rejection(stripe.refunds.create(params, { idempotencyKey: "big" }));
    expect([first.code, again.code]).toEqual(["amount_too_large", "amount_too_large"]);
    expect(again.headers?.["idempotent-replayed"]).toBe("true");
    // Parameters are checked before the endpoint runs: the key stays free for a good request.
    await rejection(
      stripe.refunds.create({ payment_intent: intent.id, amount: 0 }, { idempotencyKey: "zero" }),
    );
    const made = await stripe.refunds.create(
      { payment_intent: intent.id, amount: 10 },
      { idempotencyKey: "zero" },
    );
    expect(made.status).toBe("succeeded");
  });
});

describe("the secret key", () => {
  it("a wrong or missing key: 401 with Stripe's error shape, which the SDK raises as StripeAuthenticationError", async () => {
    const { local } = await setup();
    const wrong = new Stripe("sk_test_not_the_right_one_9876", {
      host: "127.0.0.1",
      port: local.port,
      protocol: "http",
    });
    const refused = await rejection(wrong.refunds.list());
    expect(refused).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(refused.statusCode).toBe(401);
    // The key is not echoed, only its end.
    expect(refused.message).toContain("sk_test_****9876");
    expect(refused.message).not.toContain("not_the_right_one");
    const anonymous = await requestWithHost(local.port, `127.0.0.1:${local.port}`, {
      path: "/v1/refunds",
    });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({
      error: { type: "invalid_request_error", message: expect.stringContaining("API key") },
    });
  });
});

describe("faults of target stripe", () => {
  const withFaults = async () => {
    const faults = new FaultInjector();
    const { local, stripe } = await setup({ faults });
    return { faults, local, stripe };
  };

  it("throttle: 429 rate_limit (StripeRateLimitError) and nothing refunded", async () => {
    const { faults, stripe } = await withFaults();
    const intent = await paid(stripe);
    faults.add({ target: "stripe", operation: "refunds.create", error: "throttle", count: 1 });
    const throttled = await rejection(stripe.refunds.create({ payment_intent: intent.id }));
    expect(throttled).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(throttled).toMatchObject({ statusCode: 429, code: "rate_limit" });
    expect((await stripe.refunds.list({ payment_intent: intent.id })).data).toEqual([]);
  });

  it("unavailable: 500 (StripeAPIError), not kept under the key: the retry makes the refund", async () => {
    const { faults, stripe } = await withFaults();
    const intent = await paid(stripe);
    faults.add({ target: "stripe", operation: "refunds.create", error: "unavailable", count: 1 });
    const params = { payment_intent: intent.id, amount: 500 };
    const failed = await rejection(stripe.refunds.create(params, { idempotencyKey: "r-2:1" }));
    expect(failed).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(failed.statusCode).toBe(500);
    const made = await stripe.refunds.create(params, { idempotencyKey: "r-2:1" });
    expect(made.status).toBe("succeeded");
    expect((await stripe.refunds.list({ payment_intent: intent.id })).data).toHaveLength(1);
  });

  it("timeout: the refund is made and the answer lost; the SDK's retry under the key replays it", async () => {
    const { faults, stripe } = await withFaults();
    const intent = await paid(stripe);
    faults.add({ target: "stripe", operation: "refunds.create", error: "timeout", count: 1 });
    // The SDK retries a reset connection once, with the same Idempotency-Key.
    const refund = await stripe.refunds.create(
      { payment_intent: intent.id, amount: 700 },
      { idempotencyKey: "r-3:1" },
    );
    expect(refund.lastResponse.headers["idempotent-replayed"]).toBe("true");
    const listed = await stripe.refunds.list({ payment_intent: intent.id });
    expect(listed.data.map((made) => made.id)).toEqual([refund.id]);
    expect(faults.list()[0]?.fired).toBe(1);
  });

  it("pending is only for stripe, and declined only for payments", () => {
    const faults = new FaultInjector();
    expect(faults.add({ target: "stripe", error: "pending" }).error).toBe("pending");
    expect(() => faults.add({ target: "payments", error: "pending" })).toThrow(/pending/);
    expect(() => faults.add({ target: "stripe", error: "declined" })).toThrow(/declined/);
  });
});

describe("the Host and Origin checks", () => {
  it("refuse a foreign Host and a foreign Origin before the key is even read", async () => {
    const { local } = await setup();
    const own = `127.0.0.1:${local.port}`;
    const authorization = { authorization: `Bearer ${local.secretKey}` };
    const rebound = await requestWithHost(local.port, `rebound.example:${local.port}`, {
      path: "/v1/refunds",
      headers: authorization,
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ code: "FORBIDDEN" });
    const page = await requestWithHost(local.port, own, {
      method: "POST",
      path: "/v1/payment_intents",
      body: "amount=5000&currency=jpy",
      headers: {
        ...authorization,
        origin: "http://attacker.example",
        "content-type": "application/x-www-form-urlencoded",
      },
    });
    expect(page.status).toBe(403);
    expect(local.events()).toEqual([]);
    // Its own address, no Origin: Stripe's answer.
    const answered = await requestWithHost(local.port, `localhost:${local.port}`, {
      path: "/v1/refunds",
      headers: authorization,
    });
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.body)).toMatchObject({ object: "list", data: [] });
  });
});
