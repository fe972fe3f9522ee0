// The payment port over every provider: a refund goes to the provider that holds the order's
// money. Card refunds of a Stripe order are Stripe's; everything else (ledger orders, and gift
// balance or points, which the marketplace keeps itself whatever the order was paid with) is the
// ledger's. Stripe's client is built on its first refund, so ledger-only work never loads it.
import type {
  Payments,
  RefundInstruction,
  RefundKey,
  RefundReceipt,
  RefundRef,
} from "../app/ports.ts";

export interface ProviderPaymentsOptions {
  ledger: Payments;
  /** The Stripe adapter, built on first use; absent where no Stripe account is configured. */
  stripe?: () => Promise<Payments>;
}

/** The provider has no account configured here: retried, then recorded as a failed refund. */
export class PaymentProviderNotConfiguredError extends Error {
  override readonly name = "PaymentProviderNotConfigured";
}

export class ProviderPayments implements Payments {
  constructor(private readonly options: ProviderPaymentsOptions) {}

  async refund(instruction: RefundInstruction): Promise<RefundReceipt> {
    return (await this.providerOf(instruction)).refund(instruction);
  }

  async lookup(key: RefundKey): Promise<RefundReceipt | undefined> {
    return (await this.providerOf(key)).lookup(key);
  }

  /** Stripe's refund events since `since`; none where no Stripe account is configured. */
  async refundsChangedSince(since: string): Promise<RefundRef[]> {
    if (!this.options.stripe) return [];
    let stripe: Payments;
    try {
      stripe = await this.options.stripe();
    } catch (error) {
      if (error instanceof PaymentProviderNotConfiguredError) return [];
      throw error;
    }
    return (await stripe.refundsChangedSince?.(since)) ?? [];
  }

  private async providerOf(key: RefundKey): Promise<Payments> {
    if (key.provider !== "stripe" || key.method !== "CARD") return this.options.ledger;
    if (!this.options.stripe) {
      throw new PaymentProviderNotConfiguredError("no Stripe account is configured");
    }
    return this.options.stripe();
  }
}
