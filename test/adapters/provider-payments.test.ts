// The payment port over both providers: a Stripe order's card refunds go to Stripe, everything
// else (gift balance and points of any order, every ledger order) to the ledger; lookups follow
// the same rule, and a Stripe refund where no account is configured fails by its own name.
import { describe, expect, it } from "vitest";
import {
  PaymentProviderNotConfiguredError,
  ProviderPayments,
} from "../../functions/adapters/provider-payments.ts";
import type {
  Payments,
  RefundInstruction,
  RefundKey,
  RefundReceipt,
} from "../../functions/app/ports.ts";

/** A provider that records what it was asked and answers under its own name. */
class Recording implements Payments {
  readonly calls: string[] = [];
  constructor(private readonly name: string) {}
  async refund(instruction: RefundInstruction): Promise<RefundReceipt> {
    this.calls.push(`refund ${instruction.refundId}`);
    return {
      refundId: instruction.refundId,
      providerReference: `${this.name}-1`,
      status: "succeeded",
      replayed: false,
    };
  }
  async lookup(key: RefundKey): Promise<RefundReceipt | undefined> {
    this.calls.push(`lookup ${key.refundId}`);
    return {
      refundId: key.refundId,
      providerReference: `${this.name}-1`,
      status: "pending",
      replayed: true,
    };
  }
}

const instruction = (overrides: Partial<RefundInstruction> = {}): RefundInstruction => ({
  refundId: "r-1:1",
  orderId: "o-1",
  requestId: "r-1",
  amount: 5480,
  currency: "JPY",
  method: "CARD",
  provider: "stripe",
  paymentReference: "pi_123",
  ...overrides,
});

const keyOf = ({ refundId, orderId, method, provider, paymentReference }: RefundInstruction) => ({
  refundId,
  orderId,
  method,
  provider,
  paymentReference,
});

const setup = ({ withStripe = true } = {}) => {
  const ledger = new Recording("ledger");
  const stripe = new Recording("stripe");
  let stripeBuilt = 0;
  const payments = new ProviderPayments({
    ledger,
    ...(withStripe
      ? {
          stripe: async () => {
            stripeBuilt += 1;
            return stripe;
          },
        }
      : {}),
  });
  return { ledger, stripe, payments, stripeBuilt: () => stripeBuilt };
};

describe("ProviderPayments", () => {
  it("a Stripe order's card refund goes to Stripe, and so does its lookup", async () => {
    const { ledger, stripe, payments } = setup();
    await expect(payments.refund(instruction())).resolves.toMatchObject({
      providerReference: "stripe-1",
    });
    await expect(payments.lookup(keyOf(instruction()))).resolves.toMatchObject({
      providerReference: "stripe-1",
    });
    expect(stripe.calls).toEqual(["refund r-1:1", "lookup r-1:1"]);
    expect(ledger.calls).toEqual([]);
  });

  it.each(["GIFT_CARD", "POINTS"] as const)(
    "a Stripe order's %s refund is the marketplace's own money: the ledger's",
    async (method) => {
      const { ledger, stripe, payments, stripeBuilt } = setup();
      const gift = instruction({ method });
      await expect(payments.refund(gift)).resolves.toMatchObject({
        providerReference: "ledger-1",
      });
      await expect(payments.lookup(keyOf(gift))).resolves.toMatchObject({
        providerReference: "ledger-1",
      });
      expect(ledger.calls).toEqual(["refund r-1:1", "lookup r-1:1"]);
      expect(stripe.calls).toEqual([]);
      expect(stripeBuilt()).toBe(0);
    },
  );

  it("a ledger order's refunds are the ledger's, card included; Stripe is never built", async () => {
    const { ledger, stripe, payments, stripeBuilt } = setup();
    const card = instruction({ provider: "ledger", paymentReference: null });
    await payments.refund(card);
    await payments.lookup(keyOf(card));
    await payments.refund(instruction({ refundId: "r-2:1", provider: "ledger", method: "POINTS" }));
    expect(ledger.calls).toEqual(["refund r-1:1", "lookup r-1:1", "refund r-2:1"]);
    expect(stripe.calls).toEqual([]);
    expect(stripeBuilt()).toBe(0);
  });

  it("no Stripe account configured: a Stripe card refund and its lookup fail as PaymentProviderNotConfigured; the ledger still works", async () => {
    const { ledger, payments } = setup({ withStripe: false });
    const refused = payments.refund(instruction());
    await expect(refused).rejects.toBeInstanceOf(PaymentProviderNotConfiguredError);
    await expect(refused).rejects.toMatchObject({ name: "PaymentProviderNotConfigured" });
    await expect(payments.lookup(keyOf(instruction()))).rejects.toBeInstanceOf(
      PaymentProviderNotConfiguredError,
    );
    expect(ledger.calls).toEqual([]);
    await payments.refund(instruction({ method: "GIFT_CARD" }));
    expect(ledger.calls).toEqual(["refund r-1:1"]);
  });
});
