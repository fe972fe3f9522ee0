// The local payment provider: the ledger behind provider faults, as a real provider behaves
// (a lost answer was applied; a decline is final for its key; a paid key is never declined).
import { describe, expect, it } from "vitest";
import { RefundDeclinedError } from "../../functions/app/errors.ts";
import type {
  Payments,
  RefundInstruction,
  RefundKey,
  RefundReceipt,
} from "../../functions/app/ports.ts";
import { FaultInjector } from "../../local/faults.ts";
import { LocalPaymentProvider } from "../../local/payments.ts";

/** The ledger's contract in memory: one refund per key, replayed on a repeat. */
class MemoryLedger implements Payments {
  readonly made = new Map<string, RefundInstruction>();
  async refund(instruction: RefundInstruction): Promise<RefundReceipt> {
    const replayed = this.made.has(instruction.refundId);
    if (!replayed) this.made.set(instruction.refundId, instruction);
    return {
      refundId: instruction.refundId,
      providerReference: "memory",
      status: "succeeded",
      replayed,
    };
  }
  async lookup({ refundId }: RefundKey): Promise<RefundReceipt | undefined> {
    return this.made.has(refundId)
      ? { refundId, providerReference: "memory", status: "succeeded", replayed: true }
      : undefined;
  }
}

const instruction = (
  refundId: string,
  method: RefundInstruction["method"] = "CARD",
): RefundInstruction => ({
  refundId,
  orderId: "o-1",
  requestId: "r-1",
  amount: 5480,
  currency: "JPY",
  method,
  provider: "ledger",
  paymentReference: null,
});

/** The key a later lookup names. */
const key = (refundId: string): RefundKey => ({
  refundId,
  orderId: "o-1",
  method: "CARD",
  provider: "ledger",
  paymentReference: null,
});

const setup = () => {
  const ledger = new MemoryLedger();
  const faults = new FaultInjector();
  return { ledger, faults, provider: new LocalPaymentProvider(ledger, faults) };
};

describe("LocalPaymentProvider", () => {
  it("refunds through the ledger and lists what it did, with every call counted", async () => {
    const { ledger, provider } = setup();
    await provider.refund(instruction("rf-1"));
    await expect(provider.refund(instruction("rf-1"))).resolves.toMatchObject({ replayed: true });
    expect(ledger.made.size).toBe(1);
    expect(provider.list()).toEqual([
      {
        refundId: "rf-1",
        orderId: "o-1",
        requestId: "r-1",
        amount: 5480,
        currency: "JPY",
        method: "CARD",
        status: "SUCCEEDED",
        calls: 2,
      },
    ]);
  });

  it("throttle and unavailable refuse before anything happens; nothing is listed as done", async () => {
    const { ledger, faults, provider } = setup();
    faults.add({ target: "payments", error: "throttle", count: 1 });
    faults.add({ target: "payments", error: "unavailable", count: 1 });
    await expect(provider.refund(instruction("rf-2"))).rejects.toMatchObject({
      name: "PaymentProviderThrottled",
    });
    await expect(provider.refund(instruction("rf-2"))).rejects.toMatchObject({
      name: "PaymentProviderUnavailable",
    });
    expect(ledger.made.size).toBe(0);
    expect(provider.list()).toEqual([]);
    await expect(provider.lookup(key("rf-2"))).resolves.toBeUndefined();
  });

  it("timeout applies the refund and loses the answer: the lookup finds it", async () => {
    const { faults, provider } = setup();
    faults.add({ target: "payments", error: "timeout", count: 1 });
    await expect(provider.refund(instruction("rf-3"))).rejects.toMatchObject({
      name: "PaymentProviderTimeout",
    });
    await expect(provider.lookup(key("rf-3"))).resolves.toMatchObject({ refundId: "rf-3" });
    expect(provider.list()[0]).toMatchObject({ status: "SUCCEEDED", calls: 1 });
  });

  it("a decline is final for its key, and only for the method it names", async () => {
    const { ledger, faults, provider } = setup();
    faults.add({ target: "payments", operation: "CARD", error: "declined", count: 1 });
    await expect(provider.refund(instruction("rf-4"))).rejects.toBeInstanceOf(RefundDeclinedError);
    await expect(provider.refund(instruction("rf-4"))).rejects.toBeInstanceOf(RefundDeclinedError);
    await provider.refund(instruction("rf-4-2", "GIFT_CARD"));
    expect([...ledger.made.keys()]).toEqual(["rf-4-2"]);
    expect(provider.list().map((p) => [p.refundId, p.status, p.calls])).toEqual([
      ["rf-4", "DECLINED", 2],
      ["rf-4-2", "SUCCEEDED", 1],
    ]);
  });

  it("never declines a key it has already paid: the repeat is answered as that refund", async () => {
    const { ledger, faults, provider } = setup();
    faults.add({ target: "payments", error: "timeout", count: 1 });
    faults.add({ target: "payments", error: "declined" });
    await expect(provider.refund(instruction("rf-5"))).rejects.toMatchObject({
      name: "PaymentProviderTimeout",
    });
    await expect(provider.refund(instruction("rf-5"))).resolves.toMatchObject({ replayed: true });
    expect(ledger.made.size).toBe(1);
    expect(provider.list()[0]).toMatchObject({ status: "SUCCEEDED", calls: 2 });
  });
});
