// A retry asks the provider about the current key first, so that a refund made after all is
// recorded rather than paid again: on an open request, and on a completed request whose retried
// refund failed without an answer (never about a key the provider reversed, which it did not pay).
import { describe, expect, it } from "vitest";
import { retryRefundEvent } from "../../functions/app/refunds.ts";
import {
  approvedFlow,
  at,
  DAY,
  HOUR,
  instructRefund,
  OPERATOR,
  REQ,
  refundFailed,
  retryRefund,
  startRefundCall,
} from "../domain/flow.ts";
import { FakePayments } from "../support/fakes.ts";

const PI = "pi_3QRetry";

/** A Stripe order's completed cancellation whose card refund Stripe then reversed (at 2 days). */
const reversed = () => {
  const flow = approvedFlow({ payment: { method: "CARD", provider: "stripe", reference: PI } });
  flow.apply(instructRefund(), at(HOUR + 2));
  flow.apply(startRefundCall(), at(HOUR + 2));
  flow.apply({ type: "REFUND_SUCCEEDED", requestId: REQ }, at(HOUR + 3));
  flow.apply({ type: "COMPLETE", requestId: REQ }, at(HOUR + 3));
  flow.apply(
    {
      type: "PROVIDER_REFUND_UPDATE",
      actor: "stripe",
      requestId: REQ,
      refundId: `rf-${REQ}`,
      answer: {
        providerReference: "re_1",
        status: "failed",
        failureReason: "expired_or_canceled_card",
      },
      asked: false,
    },
    at(2 * DAY),
  );
  return flow;
};

const instruction = (refundId: string) => ({
  refundId,
  orderId: "o-1",
  requestId: REQ,
  amount: 5480,
  currency: "JPY" as const,
  method: "CARD" as const,
  provider: "stripe" as const,
  paymentReference: PI,
});

describe("retryRefundEvent on a completed request", () => {
  it("finds the retried refund that Stripe made although its answers were lost", async () => {
    const payments = new FakePayments();
    const flow = reversed();
    flow.apply(retryRefund(OPERATOR), at(3 * DAY));
    flow.apply(startRefundCall(), at(3 * DAY));
    // Stripe made it; the answers were lost, and the retries ran out.
    await payments.refund(instruction(`rf-${REQ}-2`));
    flow.apply(refundFailed("PaymentProviderUnavailable"), at(3 * DAY + 300));
    const event = await retryRefundEvent(
      payments,
      "system",
      REQ,
      "GIFT_CARD",
    )(flow.record, at(6 * DAY + 301));
    expect(event).toMatchObject({ type: "RETRY_REFUND", refundMade: true });
    // Recorded as made: no gift balance on top of the card refund.
    flow.apply(event, at(6 * DAY + 301));
    expect(flow.request().refund).toMatchObject({
      status: "SUCCEEDED",
      method: "CARD",
      refundId: `rf-${REQ}-2`,
    });
    expect(flow.order.refundedAmount).toBe(5480);
  });

  it("does not take a reversed key for paid: the retry moves to a new key", async () => {
    const payments = new FakePayments();
    const flow = reversed();
    await payments.refund(instruction(`rf-${REQ}`));
    payments.settle(`rf-${REQ}`, { status: "failed", failureReason: "expired_or_canceled_card" });
    const event = await retryRefundEvent(
      payments,
      OPERATOR,
      REQ,
      "GIFT_CARD",
    )(flow.record, at(3 * DAY));
    expect(event).toMatchObject({ type: "RETRY_REFUND", refundMade: false, method: "GIFT_CARD" });
    flow.apply(event, at(3 * DAY));
    expect(flow.request().refund).toMatchObject({ status: "PENDING", refundId: `rf-${REQ}-2` });
  });
});
