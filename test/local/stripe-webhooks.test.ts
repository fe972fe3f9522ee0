// The Stripe stand-in's events and webhooks, driven through the official `stripe` package: a
// receiver checks every delivery with the SDK's `webhooks.constructEvent`; refunds of
// `pm_card_refundFail` turn failed after succeeding, refunds of `pm_card_visa` get their
// reference, a `pending` fault makes refunds wait and settle, and an endpoint that does not
// answer 2xx gets the event again, a bounded number of times. Webhook faults lose a delivery,
// lose its answer (sent again) or hold it back (sent late); every fault draw names its
// PaymentIntent.
import { createServer, type Server } from "node:http";
import Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { type DrawContext, FaultInjector } from "../../local/faults.ts";
import { LocalStripe, type LocalStripeOptions } from "../../local/stripe/server.ts";
import { signatureHeader } from "../../local/stripe/webhooks.ts";

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Fast settlements and redeliveries (defaults are a second or more). */
const FAST = {
  referenceMs: 20,
  refundFailMs: 40,
  pendingMs: 80,
  webhooks: { attempts: 3, retryMs: 20, maxRetryMs: 40, timeoutMs: 1000, lateMs: 100 },
};

interface Received {
  event: Stripe.Event;
  signature: string;
  status: number;
}

/**
 * A webhook endpoint as the service's will be: the raw body checked with the SDK against the
 * signing secret (5-minute tolerance) before anything else; `answer` picks the status.
 */
const receiver = async (
  secret: () => string,
  answer: (event: Stripe.Event, attempt: number) => number = () => 200,
) => {
  const verifier = new Stripe("sk_test_unused");
  const received: Received[] = [];
  const refused: string[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const signature = String(request.headers["stripe-signature"] ?? "");
      let event: Stripe.Event;
      try {
        event = verifier.webhooks.constructEvent(Buffer.concat(chunks), signature, secret(), 300);
      } catch (error) {
        refused.push((error as Error).message);
        response.writeHead(400).end();
        return;
      }
      const attempt = (attempts.get(event.id) ?? 0) + 1;
      attempts.set(event.id, attempt);
      const status = answer(event, attempt);
      received.push({ event, signature, status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/webhooks/stripe`, received, refused };
};

const start = async (options: LocalStripeOptions = {}) => {
  const local = await LocalStripe.start({ timings: FAST, ...options });
  cleanups.push(() => local.stop());
  const stripe = new Stripe(local.secretKey, {
    host: "127.0.0.1",
    port: local.port,
    protocol: "http",
    maxNetworkRetries: 0,
  });
  return { local, stripe };
};

/** Waits until `check` returns a value (not undefined), or fails after `ms`. */
const eventually = async <T>(check: () => T | undefined, ms = 3000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const pay = (stripe: Stripe, paymentMethod: string) =>
  stripe.paymentIntents.create({
    amount: 8000,
    currency: "jpy",
    payment_method: paymentMethod,
    confirm: true,
    metadata: { orderId: "o-9" },
  });

const refundOf = (event: Stripe.Event) => event.data.object as Stripe.Refund;

describe("webhooks", () => {
  it("each event POSTed with a Stripe-Signature the SDK's constructEvent accepts", async () => {
    let secret = "";
    const endpoint = await receiver(() => secret);
    const { local, stripe } = await start({ webhookUrl: endpoint.url });
    secret = local.webhookSecret;
    const intent = await pay(stripe, "pm_card_visa");
    const refund = await stripe.refunds.create(
      { payment_intent: intent.id, metadata: { orderId: "o-9", requestId: "r-9" } },
      { idempotencyKey: "r-9:1" },
    );
    // Created and succeeded; the refund created; its reference a moment later (two events).
    const types = await eventually(() =>
      endpoint.received.length >= 5 ? endpoint.received.map(({ event }) => event.type) : undefined,
    );
    expect(types.sort()).toEqual([
      "charge.refund.updated",
      "payment_intent.created",
      "payment_intent.succeeded",
      "refund.created",
      "refund.updated",
    ]);
    expect(endpoint.refused).toEqual([]);
    const succeeded = endpoint.received.find(
      ({ event }) => event.type === "payment_intent.succeeded",
    )?.event;
    expect(succeeded).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      object: "event",
      livemode: false,
      pending_webhooks: 1,
      data: { object: { id: intent.id, status: "succeeded" } },
    });
    const created = endpoint.received.find(({ event }) => event.type === "refund.created")?.event;
    expect(created?.request).toEqual({
      id: expect.stringMatching(/^req_/),
      idempotency_key: "r-9:1",
    });
    // The reference arrives later, as an update naming what it was before.
    const updated = endpoint.received.find(
      ({ event }) => event.type === "charge.refund.updated",
    )?.event;
    expect(updated).toMatchObject({
      request: { id: null, idempotency_key: null },
      data: {
        object: {
          id: refund.id,
          status: "succeeded",
          metadata: { orderId: "o-9", requestId: "r-9" },
          destination_details: {
            card: {
              reference: expect.stringMatching(/^\d{23}$/),
              reference_status: "available",
              reference_type: "acquirer_reference_number",
            },
          },
        },
        previous_attributes: {
          destination_details: { card: { reference_status: "pending" } },
        },
      },
    });
    // The same events, as the API lists them.
    const listed = await stripe.events.list({ type: "refund.*", limit: 100 });
    expect(listed.data.map((event) => event.type).sort()).toEqual([
      "refund.created",
      "refund.updated",
    ]);
    // Each delivered once (the receiver counts before it answers: wait for the answers to land).
    const deliveries = await eventually(() =>
      local.deliveries().every((delivery) => delivery.state === "delivered")
        ? local.deliveries()
        : undefined,
    );
    expect(deliveries.map((delivery) => delivery.attempts.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it("a signature with another secret, or too old, is refused by constructEvent", async () => {
    const verifier = new Stripe("sk_test_unused");
    const payload = JSON.stringify({ id: "evt_1", object: "event" }, null, 2);
    const now = Math.floor(Date.now() / 1000);
    expect(
      verifier.webhooks.constructEvent(payload, signatureHeader(payload, "whsec_a", now), "whsec_a")
        .id,
    ).toBe("evt_1");
    expect(() =>
      verifier.webhooks.constructEvent(
        payload,
        signatureHeader(payload, "whsec_b", now),
        "whsec_a",
      ),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() =>
      verifier.webhooks.constructEvent(
        payload,
        signatureHeader(payload, "whsec_a", now - 301),
        "whsec_a",
        300,
      ),
    ).toThrow(/tolerance/);
  });

  it("redelivered while the endpoint answers 500, until it answers 200; each attempt signed anew", async () => {
    let secret = "";
    // The stand-in's clock moves a minute after the first attempt: the next carries its own time.
    let clock = Date.now();
    const endpoint = await receiver(
      () => secret,
      (_event, attempt) => {
        if (attempt > 1) return 200;
        clock += 60_000;
        return 500;
      },
    );
    const { local, stripe } = await start({ webhookUrl: endpoint.url, now: () => clock });
    secret = local.webhookSecret;
    const intent = await stripe.paymentIntents.create({ amount: 300, currency: "jpy" });
    const deliveries = await eventually(() => {
      const [delivery] = local.deliveries();
      return delivery?.state === "delivered" ? local.deliveries() : undefined;
    });
    expect(deliveries).toEqual([
      expect.objectContaining({
        type: "payment_intent.created",
        state: "delivered",
        attempts: [
          expect.objectContaining({ status: 500 }),
          expect.objectContaining({ status: 200 }),
        ],
      }),
    ]);
    const seen = endpoint.received.filter(
      ({ event }) => (event.data.object as Stripe.PaymentIntent).id === intent.id,
    );
    expect(seen.map(({ status }) => status)).toEqual([500, 200]);
    expect(new Set(seen.map(({ event }) => event.id)).size).toBe(1);
    const times = seen.map(({ signature }) => Number(/t=(\d+)/.exec(signature)?.[1]));
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBe(60);
    expect(endpoint.refused).toEqual([]);
  });

  it("given up after its attempts when the endpoint never answers 2xx, with one log line", async () => {
    const lines: string[] = [];
    let secret = "";
    const endpoint = await receiver(
      () => secret,
      () => 404,
    );
    const { local, stripe } = await start({
      webhookUrl: endpoint.url,
      log: (line) => lines.push(line),
    });
    secret = local.webhookSecret;
    await stripe.paymentIntents.create({ amount: 300, currency: "jpy" });
    const [delivery] = await eventually(() =>
      local.deliveries()[0]?.state === "failed" ? local.deliveries() : undefined,
    );
    expect(delivery?.attempts.map((attempt) => attempt.status)).toEqual([404, 404, 404]);
    expect(endpoint.received).toHaveLength(3);
    expect(lines).toEqual([
      expect.stringMatching(/payment_intent\.created evt_\w+ not delivered .* 3 attempts/),
    ]);
  });

  it("without an endpoint, events are only kept (the API lists them, the stand-in shows them)", async () => {
    const { local, stripe } = await start();
    const intent = await pay(stripe, "pm_card_visa");
    expect(local.events().map((event) => event.type)).toEqual([
      "payment_intent.created",
      "payment_intent.succeeded",
    ]);
    expect(local.events()[1]).toMatchObject({
      pending_webhooks: 0,
      data: { object: { id: intent.id } },
    });
    expect(local.deliveries()).toEqual([]);
    const retrieved = await stripe.events.retrieve(String(local.events()[0]?.id));
    expect(retrieved.type).toBe("payment_intent.created");
  });
});

describe("refunds that change after their answer", () => {
  it("pm_card_refundFail: answers succeeded, then turns failed (expired_or_canceled_card) with charge.refund.updated", async () => {
    let secret = "";
    const endpoint = await receiver(() => secret);
    const { local, stripe } = await start({ webhookUrl: endpoint.url });
    secret = local.webhookSecret;
    const intent = await pay(stripe, "pm_card_refundFail");
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 8000 });
    expect(refund.status).toBe("succeeded");
    const failed = await eventually(
      () =>
        endpoint.received.find(
          ({ event }) =>
            event.type === "charge.refund.updated" && refundOf(event).status === "failed",
        )?.event,
    );
    expect(failed.data).toMatchObject({
      object: { id: refund.id, status: "failed", failure_reason: "expired_or_canceled_card" },
      previous_attributes: { status: "succeeded" },
    });
    await eventually(() => endpoint.received.find(({ event }) => event.type === "refund.failed"));
    const now = await stripe.refunds.retrieve(refund.id);
    expect(now).toMatchObject({
      status: "failed",
      failure_reason: "expired_or_canceled_card",
      failure_balance_transaction: expect.stringMatching(/^txn_/),
    });
    // The money is back on the balance: the charge can be refunded again.
    const again = await stripe.refunds.create({ payment_intent: intent.id });
    expect(again.amount).toBe(8000);
  });

  it("a pending fault: new refunds answer pending, then settle succeeded by webhook", async () => {
    let secret = "";
    const endpoint = await receiver(() => secret);
    const faults = new FaultInjector();
    const { local, stripe } = await start({ webhookUrl: endpoint.url, faults });
    secret = local.webhookSecret;
    const intent = await pay(stripe, "pm_card_visa");
    faults.add({ target: "stripe", error: "pending", count: 1 });
    // A refused refund does not use the fault up.
    await expect(
      stripe.refunds.create({ payment_intent: intent.id, amount: 9000 }),
    ).rejects.toThrow(/greater than unrefunded/);
    const refund = await stripe.refunds.create(
      { payment_intent: intent.id, amount: 2000 },
      { idempotencyKey: "p:1" },
    );
    expect(refund).toMatchObject({ status: "pending", pending_reason: "processing" });
    // Its replay is the first answer, and draws no fault.
    const replay = await stripe.refunds.create(
      { payment_intent: intent.id, amount: 2000 },
      { idempotencyKey: "p:1" },
    );
    expect(replay).toMatchObject({ id: refund.id, status: "pending" });
    expect(faults.list()[0]?.fired).toBe(1);
    // Pending refunds count against what is left.
    await expect(
      stripe.refunds.create({ payment_intent: intent.id, amount: 6001 }),
    ).rejects.toThrow(/greater than unrefunded/);
    const settled = await eventually(
      () =>
        endpoint.received.find(
          ({ event }) => event.type === "refund.updated" && refundOf(event).status === "succeeded",
        )?.event,
    );
    expect(settled.data).toMatchObject({
      object: { id: refund.id, status: "succeeded" },
      previous_attributes: { status: "pending", pending_reason: "processing" },
    });
    expect((await stripe.refunds.retrieve(refund.id)).status).toBe("succeeded");
    // The next refund, with the fault spent, succeeds at once.
    const next = await stripe.refunds.create({ payment_intent: intent.id, amount: 1000 });
    expect(next.status).toBe("succeeded");
  });
});

describe("webhook faults (operation `webhook`)", () => {
  const typesOf = (received: Received[]) => received.map(({ event }) => event.type);

  it("unavailable loses a delivery: never sent, nor sent again; the next ones go", async () => {
    let secret = "";
    const endpoint = await receiver(() => secret);
    const faults = new FaultInjector();
    const { local, stripe } = await start({ webhookUrl: endpoint.url, faults });
    secret = local.webhookSecret;
    faults.add({ target: "stripe", operation: "webhook", error: "unavailable", count: 1 });
    const intent = await stripe.paymentIntents.create({ amount: 300, currency: "jpy" });
    await eventually(() =>
      local.deliveries().every((delivery) => delivery.state !== "pending") ? true : undefined,
    );
    expect(local.deliveries()).toEqual([
      expect.objectContaining({
        type: "payment_intent.created",
        subject: intent.id,
        state: "lost",
        attempts: [expect.objectContaining({ error: "lost (injected by local mode)" })],
      }),
    ]);
    await stripe.paymentIntents.confirm(intent.id, { payment_method: "pm_card_visa" });
    await eventually(() => (endpoint.received.length === 1 ? true : undefined));
    expect(typesOf(endpoint.received)).toEqual(["payment_intent.succeeded"]);
    expect(local.deliveries().map((delivery) => delivery.state)).toEqual(["lost", "delivered"]);
  });

  it("timeout loses the endpoint's answer: the event is sent again", async () => {
    let secret = "";
    const endpoint = await receiver(() => secret);
    const faults = new FaultInjector();
    const { local, stripe } = await start({ webhookUrl: endpoint.url, faults });
    secret = local.webhookSecret;
    faults.add({ target: "stripe", operation: "webhook", error: "timeout", count: 1 });
    await stripe.paymentIntents.create({ amount: 300, currency: "jpy" });
    const [delivery] = await eventually(() =>
      local.deliveries()[0]?.state === "delivered" ? local.deliveries() : undefined,
    );
    expect(delivery?.attempts).toEqual([
      expect.objectContaining({ status: 200, error: "answer lost (injected by local mode)" }),
      { at: expect.any(String), status: 200 },
    ]);
    // The endpoint took it twice: the same event, each signed.
    expect(endpoint.received.map(({ event, status }) => [event.id, status])).toEqual([
      [delivery?.eventId, 200],
      [delivery?.eventId, 200],
    ]);
  });

  it("throttle holds a delivery back: it arrives late, after newer events", async () => {
    let secret = "";
    const endpoint = await receiver(() => secret);
    const faults = new FaultInjector();
    const { local, stripe } = await start({
      webhookUrl: endpoint.url,
      faults,
      timings: { ...FAST, webhooks: { ...FAST.webhooks, lateMs: 150 } },
    });
    secret = local.webhookSecret;
    faults.add({ target: "stripe", operation: "webhook", error: "throttle", count: 1 });
    const intent = await pay(stripe, "pm_card_visa");
    expect(local.inProgress(intent.id).deliveries).toBeGreaterThan(0);
    await eventually(() => (endpoint.received.length === 2 ? true : undefined));
    expect(typesOf(endpoint.received)).toEqual([
      "payment_intent.succeeded",
      "payment_intent.created",
    ]);
    // The stand-in records an attempt once the endpoint's answer is back, just after it arrived.
    await eventually(() =>
      local.deliveries().every(({ attempts }) => attempts.length > 0) ? true : undefined,
    );
    expect(
      local.deliveries().map(({ type, held, attempts }) => [type, held, attempts.length]),
    ).toEqual([
      ["payment_intent.created", 1, 1],
      ["payment_intent.succeeded", 0, 1],
    ]);
    expect(local.inProgress(intent.id)).toEqual({ changes: 0, deliveries: 0 });
  });

  it("every draw names the PaymentIntent it is about; inProgress counts what is still to come", async () => {
    let secret = "";
    const endpoint = await receiver(() => secret);
    const draws: [string, string | undefined][] = [];
    const faults = {
      draw: (_target: string, operation: string, _errors: unknown, context: DrawContext) => {
        draws.push([operation, context.subject]);
        return undefined;
      },
    };
    const { local, stripe } = await start({ webhookUrl: endpoint.url, faults });
    secret = local.webhookSecret;
    const intent = await pay(stripe, "pm_card_refundFail");
    const refund = await stripe.refunds.create(
      { payment_intent: intent.id, amount: 1000 },
      { idempotencyKey: "s:1" },
    );
    // Its failure is still to come, and the refund's events are on their way.
    expect(local.inProgress(intent.id).changes).toBe(1);
    expect(local.inProgress("pi_other")).toEqual({ changes: 0, deliveries: 0 });
    await stripe.refunds.retrieve(refund.id);
    await stripe.refunds.list({ charge: String(intent.latest_charge) });
    await eventually(() => (endpoint.received.length === 6 ? true : undefined));
    await eventually(() => (local.inProgress(intent.id).deliveries === 0 ? true : undefined));
    expect(local.inProgress(intent.id)).toEqual({ changes: 0, deliveries: 0 });
    const calls = draws.filter(([operation]) => operation !== "webhook");
    expect(calls).toEqual([
      // Creating the PaymentIntent names none yet.
      ["paymentIntents.create", undefined],
      // refunds.create draws twice: its faults, and `pending` once the refund is made.
      ["refunds.create", intent.id],
      ["refunds.create", intent.id],
      ["refunds.retrieve", intent.id],
      ["refunds.list", intent.id],
    ]);
    const webhooks = draws.filter(([operation]) => operation === "webhook");
    expect(webhooks).toHaveLength(endpoint.received.length);
    expect(new Set(webhooks.map(([, subject]) => subject))).toEqual(new Set([intent.id]));
  });
});
