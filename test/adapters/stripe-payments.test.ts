// The Stripe adapter driven through the official `stripe` package over HTTP against the Stripe
// stand-in (local/stripe/): refunds made once under their key, found again by metadata, Stripe's
// asynchronous statuses, and its errors sorted into transient, declined, bugs and refusals with
// nothing of the secret key in them. No SDK mocks.
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import {
  PaymentProviderRefusedError,
  PaymentProviderUnavailableError,
  RefundKeyReusedError,
} from "../../functions/adapters/stripe-errors.ts";
import { idempotencyKeyOf, StripePayments } from "../../functions/adapters/stripe-payments.ts";
import { RefundDeclinedError } from "../../functions/app/errors.ts";
import type { RefundInstruction, RefundKey, RefundReceipt } from "../../functions/app/ports.ts";
import { FaultInjector } from "../../local/faults.ts";
import { LocalStripe, type LocalStripeOptions } from "../../local/stripe/server.ts";

const FAST = { referenceMs: 20, refundFailMs: 40, pendingMs: 80 };

const running: LocalStripe[] = [];

afterEach(async () => {
  for (const local of running.splice(0)) await local.stop();
});

/** Waits until `check` returns a value (not undefined), or fails after `ms`. */
const eventually = async <T>(check: () => Promise<T | undefined>, ms = 3000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
};

/**
 * The stand-in, an SDK client of the test's own (to pay orders and read what Stripe holds), and
 * the adapter, which takes each refund's PaymentIntent from the instruction or key it is given.
 */
const setup = async (options: LocalStripeOptions = {}) => {
  const faults = new FaultInjector();
  const local = await LocalStripe.start({ faults, timings: FAST, ...options });
  running.push(local);
  const stripe = new Stripe(local.secretKey, {
    host: "127.0.0.1",
    port: local.port,
    protocol: "http",
    maxNetworkRetries: 0,
  });
  const payments = new StripePayments({
    secretKey: local.secretKey,
    host: "127.0.0.1",
    port: local.port,
    protocol: "http",
    // The SDK's own retries off, so a fault reaches the adapter as it would after them.
    maxNetworkRetries: 0,
  });
  /** An order paid with `method`; its PaymentIntent id. */
  const pay = async ({ amount = 5000, currency = "jpy", method = "pm_card_visa" } = {}) => {
    const intent = await stripe.paymentIntents.create({
      amount,
      currency,
      payment_method: method,
      confirm: true,
    });
    return intent.id;
  };
  const refundsOf = async (intent: string) =>
    (await stripe.refunds.list({ payment_intent: intent })).data;
  return { local, stripe, faults, payments, pay, refundsOf };
};

/** A card refund of a Stripe order paid with `paymentReference` (r-1's first refund). */
const instruction = (
  paymentReference: string | null,
  overrides: Partial<RefundInstruction> = {},
): RefundInstruction => ({
  refundId: "r-1:1",
  orderId: "o-1",
  requestId: "r-1",
  amount: 3000,
  currency: "JPY",
  method: "CARD",
  provider: "stripe",
  paymentReference,
  ...overrides,
});

/** The key the provider is asked about later (webhook, reconciler, retry). */
const key = (paymentReference: string | null, refundId = "r-1:1"): RefundKey => ({
  refundId,
  orderId: "o-1",
  method: "CARD",
  provider: "stripe",
  paymentReference,
});

/** A receipt without the acquirer reference, which Stripe adds a moment after the refund. */
const withoutReference = ({ reference: _, ...rest }: RefundReceipt) => rest;

describe("refund", () => {
  it("refunds once, JPY as is, with the refund's keys as metadata; the same refundId replays it", async () => {
    const { payments, pay, refundsOf, local } = await setup();
    const intent = await pay();
    const receipt = await payments.refund(instruction(intent));
    // Stripe's card refunds answer succeeded; the acquirer reference comes later.
    expect(receipt).toEqual({
      refundId: "r-1:1",
      providerReference: expect.stringMatching(/^re_/),
      status: "succeeded",
      replayed: false,
    });
    const again = await payments.refund(instruction(intent));
    expect(withoutReference(again)).toEqual({ ...receipt, replayed: true });
    const made = await refundsOf(intent);
    expect(made).toHaveLength(1);
    // ¥3,000 is 3000 in Stripe's zero-decimal yen; nothing of the buyer in the metadata.
    expect(made[0]).toMatchObject({
      id: receipt.providerReference,
      amount: 3000,
      currency: "jpy",
      payment_intent: intent,
      metadata: { orderId: "o-1", requestId: "r-1", refundId: "r-1:1" },
    });
    expect(Object.keys(made[0]?.metadata ?? {}).sort()).toEqual([
      "orderId",
      "refundId",
      "requestId",
    ]);
    // Under the key derived from the refund's own.
    const created = local.events().find((event) => event.type === "refund.created");
    expect(created?.request?.idempotency_key).toBe(idempotencyKeyOf("r-1:1"));
  });

  it("USD amounts are already cents: 12.50 goes as 1250", async () => {
    const { payments, pay, refundsOf } = await setup();
    const intent = await pay({ amount: 2000, currency: "usd" });
    await payments.refund(instruction(intent, { orderId: "o-us", amount: 1250, currency: "USD" }));
    expect((await refundsOf(intent)).map((refund) => [refund.amount, refund.currency])).toEqual([
      [1250, "usd"],
    ]);
  });

  it("a retry after Stripe forgot the key (24 hours) finds the refund by its metadata: no second refund", async () => {
    let now = Date.parse("2026-11-02T00:00:00Z");
    const { payments, pay, refundsOf } = await setup({ now: () => now });
    const intent = await pay();
    const first = await payments.refund(instruction(intent));
    now += 25 * 60 * 60 * 1000;
    const later = await payments.refund(instruction(intent));
    expect(withoutReference(later)).toEqual({ ...first, replayed: true });
    expect(await refundsOf(intent)).toHaveLength(1);
  });

  it("refuses a currency other than the PaymentIntent's (yen taken for cents) and makes nothing", async () => {
    const { payments, pay, refundsOf } = await setup();
    const intent = await pay();
    const error = await rejection(payments.refund(instruction(intent, { currency: "USD" })));
    expect(error).toBeInstanceOf(RefundDeclinedError);
    expect(await refundsOf(intent)).toEqual([]);
  });

  it("refunds only to the card: a gift-balance refund is declined and nothing is sent", async () => {
    const { payments, pay, refundsOf } = await setup();
    const intent = await pay();
    const error = await rejection(payments.refund(instruction(intent, { method: "GIFT_CARD" })));
    expect(error).toBeInstanceOf(RefundDeclinedError);
    expect(await refundsOf(intent)).toEqual([]);
  });

  it("an order that names no PaymentIntent is declined and nothing is refunded", async () => {
    const { payments, local } = await setup();
    const error = await rejection(payments.refund(instruction(null)));
    expect(error).toBeInstanceOf(RefundDeclinedError);
    expect(local.events().filter((event) => event.type.startsWith("refund."))).toEqual([]);
  });
});

describe("lookup", () => {
  it("finds the refund by its metadata, across pages; undefined for another key, no PaymentIntent or an unknown one", async () => {
    const { payments, pay, stripe } = await setup();
    const intent = await pay({ amount: 20000 });
    const receipt = await payments.refund(instruction(intent, { amount: 1000 }));
    // Other refunds of the same PaymentIntent, newer, so the adapter has to page past them.
    for (let index = 0; index < 3; index += 1) {
      await stripe.refunds.create({ payment_intent: intent, amount: 100 });
    }
    const found = await payments.lookup(key(intent));
    expect(found && withoutReference(found)).toEqual({ ...receipt, replayed: true });
    expect(await payments.lookup(key(intent, "r-1:2"))).toBeUndefined();
    expect(await payments.lookup(key(null))).toBeUndefined();
    expect(await payments.lookup(key("pi_nowhere"))).toBeUndefined();
  });

  it("a refund the pending fault hits: answered pending, then looked up pending, then succeeded", async () => {
    const { payments, pay, faults } = await setup();
    const intent = await pay();
    faults.add({ target: "stripe", operation: "refunds.create", error: "pending", count: 1 });
    const receipt = await payments.refund(instruction(intent));
    expect(receipt).toMatchObject({ status: "pending", replayed: false });
    expect(await payments.lookup(key(intent))).toEqual({
      refundId: "r-1:1",
      providerReference: receipt.providerReference,
      status: "pending",
      replayed: true,
    });
    const settled = await eventually(async () => {
      const found = await payments.lookup(key(intent));
      return found?.status === "succeeded" ? found : undefined;
    });
    expect(settled.providerReference).toBe(receipt.providerReference);
  });

  it("a pm_card_refundFail refund answers succeeded and shows failed later, with its reason", async () => {
    const { payments, pay } = await setup();
    const intent = await pay({ method: "pm_card_refundFail" });
    const receipt = await payments.refund(instruction(intent));
    expect(receipt.status).toBe("succeeded");
    const failed = await eventually(async () => {
      const found = await payments.lookup(key(intent));
      return found?.status === "failed" ? found : undefined;
    });
    expect(failed.providerReference).toBe(receipt.providerReference);
    expect(failed.failureReason).toEqual(expect.any(String));
    expect(failed.failureReason).not.toBe("");
  });

  it("a card refund gets its acquirer reference number once Stripe has it", async () => {
    const { payments, pay } = await setup();
    const intent = await pay();
    const receipt = await payments.refund(instruction(intent));
    expect(receipt.reference).toBeUndefined();
    const withReference = await eventually(async () => {
      const found = await payments.lookup(key(intent));
      return found?.reference ? found : undefined;
    });
    expect(withReference).toMatchObject({ status: "succeeded", reference: expect.any(String) });
    expect(withReference.failureReason).toBeUndefined();
    expect(await payments.lookup(key(intent, "r-2:1"))).toBeUndefined();
  });
});

describe("Stripe's errors", () => {
  it("permanent refusals are RefundDeclinedError: amount_too_large, charge_already_refunded, no such PaymentIntent", async () => {
    const { payments, pay } = await setup();
    const intent = await pay();
    const tooLarge = await rejection(payments.refund(instruction(intent, { amount: 6000 })));
    expect(tooLarge).toBeInstanceOf(RefundDeclinedError);
    expect(tooLarge).toMatchObject({ name: "RefundDeclined", code: "amount_too_large" });
    await payments.refund(instruction(intent, { refundId: "r-1:2", amount: 5000 }));
    const already = await rejection(
      payments.refund(instruction(intent, { refundId: "r-1:3", amount: 10 })),
    );
    expect(already).toMatchObject({ name: "RefundDeclined", code: "charge_already_refunded" });
    const nowhere = await rejection(payments.refund(instruction("pi_nowhere")));
    expect(nowhere).toBeInstanceOf(RefundDeclinedError);
    expect(nowhere).toMatchObject({ code: "resource_missing" });
  });

  it.each([
    ["throttle", 429, "StripeRateLimitError"],
    ["unavailable", 500, "StripeAPIError"],
  ] as const)(
    "a %s fault is transient; once it clears the same call makes exactly one refund",
    async (fault, statusCode, stripeType) => {
      const { payments, pay, faults, refundsOf } = await setup();
      const intent = await pay();
      faults.add({ target: "stripe", operation: "refunds.create", error: fault, count: 1 });
      const error = await rejection(payments.refund(instruction(intent)));
      expect(error).toBeInstanceOf(PaymentProviderUnavailableError);
      expect(error).not.toBeInstanceOf(RefundDeclinedError);
      expect(error).toMatchObject({ retryable: true, statusCode, stripeType });
      const receipt = await payments.refund(instruction(intent));
      expect(receipt.replayed).toBe(false);
      expect((await refundsOf(intent)).map((refund) => refund.id)).toEqual([
        receipt.providerReference,
      ]);
    },
  );

  it("Stripe out of reach is transient (StripeConnectionError)", async () => {
    const { local, pay } = await setup();
    await pay();
    const port = local.port;
    const secretKey = local.secretKey;
    await local.stop();
    running.splice(0);
    const away = new StripePayments({
      secretKey,
      port,
      host: "127.0.0.1",
      protocol: "http",
      maxNetworkRetries: 0,
    });
    const error = await rejection(away.refund(instruction("pi_any")));
    expect(error).toBeInstanceOf(PaymentProviderUnavailableError);
    expect(error).toMatchObject({ stripeType: "StripeConnectionError" });
  });

  it("the refund's key reused with other terms is a bug of its own, never a second refund", async () => {
    const { payments, pay, stripe, refundsOf } = await setup();
    const intent = await pay();
    await payments.refund(instruction(intent, { amount: 1000 }));
    const otherAmount = await rejection(payments.refund(instruction(intent, { amount: 2000 })));
    expect(otherAmount).toBeInstanceOf(RefundKeyReusedError);
    // Stripe's own idempotency_error: the key was used by a call without the refund's metadata.
    await stripe.refunds.create(
      { payment_intent: intent, amount: 100 },
      { idempotencyKey: idempotencyKeyOf("r-2:1") },
    );
    const reused = await rejection(
      payments.refund(instruction(intent, { refundId: "r-2:1", requestId: "r-2", amount: 500 })),
    );
    expect(reused).toBeInstanceOf(RefundKeyReusedError);
    expect(reused).toMatchObject({ name: "RefundKeyReused", stripeType: "StripeIdempotencyError" });
    expect(reused).not.toBeInstanceOf(RefundDeclinedError);
    expect((await refundsOf(intent)).map((refund) => refund.amount)).toEqual([100, 1000]);
  });

  it("a wrong secret key: refused, not declined, and neither the key nor its end is in the error", async () => {
    const { local, pay } = await setup();
    const intent = await pay();
    const wrongKey = "sk_test_wrongKeyOfTheTest_Zq7X";
    const wrong = new StripePayments({
      secretKey: wrongKey,
      port: local.port,
      host: "127.0.0.1",
      protocol: "http",
    });
    const error = await rejection(wrong.refund(instruction(intent)));
    expect(error).toBeInstanceOf(PaymentProviderRefusedError);
    expect(error).toMatchObject({ statusCode: 401, stripeType: "StripeAuthenticationError" });
    // Stripe's own message quotes the key's end (sk_test_****Zq7X): the adapter's does not.
    const everything = [
      error.message,
      String(error),
      error.stack ?? "",
      JSON.stringify(error),
      JSON.stringify(Object.entries(error)),
      String(error.cause ?? ""),
    ].join("\n");
    for (const part of [wrongKey, "Zq7X", local.secretKey]) {
      expect(everything).not.toContain(part);
    }
    const lookedUp = await rejection(wrong.lookup(key(intent)));
    expect(lookedUp).toBeInstanceOf(PaymentProviderRefusedError);
    expect(lookedUp.message).not.toContain("Zq7X");
  });
});

describe("refundsChangedSince: Stripe's events, whether or not their webhooks arrived", () => {
  it("names each refund of the service that Stripe's refund events since then are about, once", async () => {
    const { payments, pay } = await setup();
    const since = new Date(Date.now() - 1000).toISOString();
    const failing = await pay({ method: "pm_card_refundFail" });
    const standing = await pay();
    await payments.refund(instruction(failing, { refundId: "r-1:1" }));
    await payments.refund(instruction(standing, { refundId: "r-2:1", requestId: "r-2" }));
    // The failing refund's failure is an event too (charge.refund.updated and refund.*).
    const failed = await eventually(async () => {
      const receipt = await payments.lookup(instruction(failing));
      return receipt?.status === "failed" ? receipt : undefined;
    });
    expect(failed.failureReason).toBe("expired_or_canceled_card");
    const refs = await payments.refundsChangedSince(since);
    expect(refs).toEqual(
      expect.arrayContaining([
        { orderId: "o-1", requestId: "r-1", refundId: "r-1:1" },
        { orderId: "o-1", requestId: "r-2", refundId: "r-2:1" },
      ]),
    );
    expect(refs).toHaveLength(2);
    // Nothing happened after now.
    expect(await payments.refundsChangedSince(new Date(Date.now() + 2000).toISOString())).toEqual(
      [],
    );
  });
});
