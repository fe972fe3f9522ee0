// The local payment provider: the default ledger adapter (LedgerPayments, wrapped in by
// production.ts `wrapPayments`) behind fault injection, counting what it was asked and what it
// did, for `GET /_local/payments`. Faults act as a real provider's would:
// `throttle`/`unavailable` refuse before anything happens, `timeout` applies the refund and loses
// the answer, `declined` refuses for good (and keeps refusing that key). `operation` is the method.
import { RefundDeclinedError } from "../functions/app/errors.ts";
import type {
  Payments,
  RefundInstruction,
  RefundKey,
  RefundReceipt,
} from "../functions/app/ports.ts";
import type { FaultInjector } from "./faults.ts";

export interface LocalPayment {
  refundId: string;
  orderId: string;
  requestId: string;
  amount: number;
  currency: string;
  method: string;
  status: "SUCCEEDED" | "DECLINED";
  /** Every call under this key, whatever it answered. */
  calls: number;
}

/** A key the provider was asked about; it did something once SUCCEEDED or DECLINED. */
type Tracked = Omit<LocalPayment, "status"> & { status: LocalPayment["status"] | "NOT_MADE" };

const providerError = (name: string, message: string): Error =>
  Object.assign(new Error(message), { name });

export class LocalPaymentProvider implements Payments {
  private readonly payments = new Map<string, Tracked>();

  constructor(
    private readonly ledger: Payments,
    private readonly faults: FaultInjector,
  ) {}

  async refund(instruction: RefundInstruction): Promise<RefundReceipt> {
    const payment: Tracked = this.payments.get(instruction.refundId) ?? {
      refundId: instruction.refundId,
      orderId: instruction.orderId,
      requestId: instruction.requestId,
      amount: instruction.amount,
      currency: instruction.currency,
      method: instruction.method,
      status: "NOT_MADE",
      calls: 0,
    };
    payment.calls += 1;
    this.payments.set(instruction.refundId, payment);
    if (payment.status === "DECLINED") {
      throw new RefundDeclinedError(`refund ${instruction.refundId} was declined`);
    }
    const fault = this.faults.draw("payments", instruction.method);
    // A key already paid is answered from the provider's idempotency record: it can fail to
    // answer, but it cannot decline a refund it has made.
    if (payment.status === "SUCCEEDED" && fault?.error === "declined") {
      return this.ledger.refund(instruction);
    }
    switch (fault?.error) {
      case "throttle":
        throw providerError("PaymentProviderThrottled", "the payment provider is throttling");
      case "unavailable":
        throw providerError("PaymentProviderUnavailable", "the payment provider is unavailable");
      case "declined":
        payment.status = "DECLINED";
        throw new RefundDeclinedError(`refund ${instruction.refundId} was declined`);
      case "timeout": {
        await this.ledger.refund(instruction);
        payment.status = "SUCCEEDED";
        throw providerError("PaymentProviderTimeout", "the payment provider did not answer");
      }
      default: {
        const receipt = await this.ledger.refund(instruction);
        payment.status = "SUCCEEDED";
        return receipt;
      }
    }
  }

  lookup(key: RefundKey): Promise<RefundReceipt | undefined> {
    return this.ledger.lookup(key);
  }

  /** What the provider did (refunded or declined), in the order it was first asked. */
  list(): LocalPayment[] {
    return [...this.payments.values()].flatMap((payment) =>
      payment.status === "NOT_MADE" ? [] : [{ ...payment, status: payment.status }],
    );
  }
}
