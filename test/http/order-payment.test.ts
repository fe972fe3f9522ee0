// POST /orders with the payment's provider (SPEC "Payment providers"): a Stripe order names its
// PaymentIntent (`pi_…`), which later refunds are made against; an order that names no provider
// is the ledger's. The order keeps both and answers them, on import and on GET; replays compare
// them like any other field.
import { beforeEach, describe, expect, it } from "vitest";
import {
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  type TestApp,
} from "../support/http-app.ts";
import { buyer, system } from "../support/http-events.ts";
import { importBody } from "../support/http-fixtures.ts";

let app: TestApp;
beforeEach(() => {
  app = createTestApp();
});

const IMPORTER = system("orders/write", "order-importer");
const INTENT = "pi_3QExample5480";

const stripeBody = (payment: Record<string, unknown> = {}) =>
  importBody({
    payment: {
      method: "CARD",
      paidAmount: 5480,
      provider: "stripe",
      reference: INTENT,
      ...payment,
    },
  });

const importOrder = (body: Record<string, unknown>) =>
  app.invoke("ImportOrder", { caller: IMPORTER, body });

const getOrder = (orderId: string) =>
  app.invoke("GetOrder", { caller: buyer("buyer-1"), params: { orderId } });

describe("POST /orders: the payment's provider", () => {
  it("a Stripe order with its PaymentIntent → 201; stored, and answered on import and by GET", async () => {
    const body = stripeBody();
    const created = await importOrder(body);
    expectJson(created, 201);
    const payment = { method: "CARD", paidAmount: 5480, provider: "stripe", reference: INTENT };
    expect(created.body.payment).toEqual(payment);
    expect(app.item(body.orderId)?.record.order.payment).toEqual(payment);
    const read = await getOrder(body.orderId);
    expectJson(read, 200);
    expect(read.body.payment).toEqual(payment);
  });

  it("an order that names no provider is the ledger's: answered as ledger, with no reference", async () => {
    const body = importBody();
    const created = await importOrder(body);
    expectJson(created, 201);
    expect(created.body.payment).toEqual({
      method: "CARD",
      paidAmount: 5480,
      provider: "ledger",
      reference: null,
    });
    // Stored as imported: no provider is the ledger (refunds read it so, domain/refund.ts).
    expect(app.item(body.orderId)?.record.order.payment).toEqual({
      method: "CARD",
      paidAmount: 5480,
    });
    expect((await getOrder(body.orderId)).body.payment).toEqual(created.body.payment);
  });

  it("a ledger order may carry the order system's own payment reference, kept as given", async () => {
    const body = importBody({
      payment: {
        method: "GIFT_CARD",
        paidAmount: 5480,
        provider: "ledger",
        reference: "PAY-2026-0042",
      },
    });
    const created = await importOrder(body);
    expectJson(created, 201);
    expect(created.body.payment).toEqual({
      method: "GIFT_CARD",
      paidAmount: 5480,
      provider: "ledger",
      reference: "PAY-2026-0042",
    });
  });

  it.each([
    ["no reference", { reference: undefined }],
    ["an empty reference", { reference: "" }],
    ["a charge instead of a PaymentIntent", { reference: "ch_3QExample5480" }],
    ["only the prefix", { reference: "pi_" }],
    ["surrounding spaces", { reference: ` ${INTENT}` }],
  ])(
    "a Stripe order with %s → 400 VALIDATION_FAILED at payment.reference, nothing stored",
    async (_name, change) => {
      const body = stripeBody(change);
      const response = await importOrder(body);
      expectValidation(response, "body.payment.reference");
      expect(app.item(body.orderId)).toBeUndefined();
      expect(app.calls).toEqual([]);
    },
  );

  it.each([
    ["another provider", { provider: "paypal" }, "body.payment.provider"],
    ["a reference that is not a string", { reference: 42 }, "body.payment.reference"],
    [
      "a reference longer than 255",
      { reference: `pi_${"a".repeat(253)}` },
      "body.payment.reference",
    ],
  ])("refuses %s → 400, nothing stored", async (_name, change, path) => {
    const body = stripeBody(change);
    const response = await importOrder(body);
    expectValidation(response, path);
    expect(app.item(body.orderId)).toBeUndefined();
    expect(app.calls).toEqual([]);
  });

  it("an identical Stripe import again → 200 with the stored order, nothing written", async () => {
    const body = stripeBody();
    await importOrder(body);
    const before = app.item(body.orderId);
    app.calls.length = 0;
    const again = await importOrder({ ...body, payment: { ...body.payment } });
    expectJson(again, 200);
    expect(again.body.payment).toEqual(body.payment);
    expect(app.item(body.orderId)).toEqual(before);
    expect(app.callNames()).toEqual(["table.create", "table.get"]);
  });

  it.each([
    ["another PaymentIntent", { reference: "pi_3QExampleOther" }],
    ["another provider", { provider: "ledger" }],
  ])(
    "the same orderId with %s → 409 ORDER_CONFLICT, the stored order kept",
    async (_name, change) => {
      const body = stripeBody();
      await importOrder(body);
      const before = app.item(body.orderId);
      const response = await importOrder({ ...body, payment: { ...body.payment, ...change } });
      expectProblem(response, 409, "ORDER_CONFLICT");
      expect(app.item(body.orderId)).toEqual(before);
    },
  );
});
