// Asynchronous refunds in the domain: a refund the provider holds as `pending` waits for its word,
// a refund that succeeded can be reversed days later on the completed request, and the provider's
// word (webhook or asked) changes the record only when it says something new.
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../functions/domain/events.ts";
import type { ProviderRefund } from "../../functions/domain/types.ts";
import { needsWakeUp, needsWorkflow, planNextStep } from "../../functions/domain/workflow-plan.ts";
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
  timelineOf,
} from "./flow.ts";

const STRIPE_ORDER = {
  payment: { method: "CARD", provider: "stripe", reference: "pi_3QAsync" },
} as const;

const answer = (status: ProviderRefund["status"], extra: Partial<ProviderRefund> = {}) => ({
  providerReference: "re_1",
  status,
  ...extra,
});

const awaited = (): DomainEvent => ({
  type: "REFUND_AWAITED",
  requestId: REQ,
  answer: answer("pending"),
});
const succeeded = (extra: Partial<ProviderRefund> = {}): DomainEvent => ({
  type: "REFUND_SUCCEEDED",
  requestId: REQ,
  answer: answer("succeeded", extra),
});
const update = (
  status: ProviderRefund["status"],
  extra: Partial<ProviderRefund> = {},
  options: { asked?: boolean; refundId?: string } = {},
): DomainEvent => ({
  type: "PROVIDER_REFUND_UPDATE",
  actor: "stripe",
  requestId: REQ,
  refundId: options.refundId ?? `rf-${REQ}`,
  answer: answer(status, extra),
  asked: options.asked ?? false,
});

/** A Stripe order whose refund call is under way (from HOUR + 2). */
const callingFlow = () => {
  const flow = approvedFlow(STRIPE_ORDER);
  flow.apply(instructRefund(), at(HOUR + 2));
  flow.apply(startRefundCall(), at(HOUR + 2));
  return flow;
};

/** A Stripe order whose refund call answered `pending` (at HOUR + 3). */
const pendingFlow = () => {
  const flow = callingFlow();
  flow.apply(awaited(), at(HOUR + 3));
  return flow;
};

/** A Stripe order whose cancellation completed with its refund `succeeded` (at HOUR + 3). */
const completedFlow = () => {
  const flow = callingFlow();
  flow.apply(succeeded(), at(HOUR + 3));
  flow.apply({ type: "COMPLETE", requestId: REQ }, at(HOUR + 3));
  return flow;
};

describe("a refund the provider answers `pending`", () => {
  it("waits in REFUND_PENDING with the provider's word, its call over, until the settlement check", () => {
    const flow = pendingFlow();
    const request = flow.request();
    expect(request.status).toBe("REFUND_PENDING");
    expect(request.refund).toMatchObject({
      status: "PENDING",
      provider: "stripe",
      providerStatus: "pending",
      providerRefundId: "re_1",
      callStartedAt: null,
      pendingSince: at(HOUR + 3),
      attempts: 1,
    });
    expect(planNextStep(flow.record, REQ, at(HOUR + 3))).toEqual({
      next: "WAIT_REFUND_SETTLEMENT",
      waitSeconds: 3600,
    });
  });

  it("is never called again while the provider holds it: a new call's lease is refused", () => {
    const flow = pendingFlow();
    expect(flow.refuse(startRefundCall(), at(HOUR + 4)).code).toBe("INVALID_STATE");
  });

  it("completes when the provider says `succeeded`, keeping the bank's reference", () => {
    const flow = pendingFlow();
    flow.apply(update("succeeded", { reference: "7424915112309" }), at(2 * DAY));
    const request = flow.request();
    expect(request.status).toBe("COMPLETED");
    expect(request.refund).toMatchObject({
      status: "SUCCEEDED",
      providerStatus: "succeeded",
      reference: "7424915112309",
      succeededAt: at(2 * DAY),
    });
    expect(flow.order.status).toBe("CANCELLED");
    expect(flow.order.refundedAmount).toBe(5480);
    expect(timelineOf(request).slice(-2)).toEqual([
      ["REFUND_SUCCEEDED", "system"],
      ["COMPLETED", "system"],
    ]);
    // The execution waiting on the settlement has something to wake up for.
    expect(needsWakeUp(flow.record, REQ, "REFUND_PENDING")).toBe(true);
    expect(needsWorkflow(request)).toBe(false);
  });

  it("fails with the provider's reason when it says `failed` or `canceled`: the key is spent", () => {
    for (const status of ["failed", "canceled"] as const) {
      const flow = pendingFlow();
      flow.apply(update(status, { failureReason: "insufficient_funds" }), at(DAY));
      const request = flow.request();
      expect(request.status).toBe("REFUND_FAILED");
      expect(request.refund).toMatchObject({
        status: "FAILED",
        declined: true,
        failureReason: "insufficient_funds",
      });
      expect(request.refundRetryDeadline).toBe(at(DAY + 3 * DAY));
      expect(request.timeline.at(-1)).toMatchObject({
        type: "REFUND_FAILED",
        note: "insufficient_funds",
      });
      expect(planNextStep(flow.record, REQ, at(DAY)).next).toBe("WAIT_REFUND_RETRY");
    }
  });

  it("changes nothing on a webhook that repeats `pending`; a check that asked moves the next one on", () => {
    const flow = pendingFlow();
    expect(flow.refuse(update("pending"), at(HOUR + 10)).code).toBe("INVALID_STATE");
    flow.apply(update("pending", {}, { asked: true }), at(2 * HOUR));
    expect(flow.request().refund?.checkedAt).toBe(at(2 * HOUR));
    expect(planNextStep(flow.record, REQ, at(2 * HOUR))).toEqual({
      next: "WAIT_REFUND_SETTLEMENT",
      waitSeconds: 3600,
    });
  });

  it("refuses a word about a key the request no longer uses", () => {
    const flow = pendingFlow();
    const error = flow.refuse(update("succeeded", {}, { refundId: "rf-other" }), at(DAY));
    expect(error.code).toBe("NOT_FOUND");
  });
});

describe("a refund the provider made although its answers were lost", () => {
  it("completes the REFUND_FAILED request once the provider says `succeeded`", () => {
    const flow = callingFlow();
    flow.apply(refundFailed("PaymentProviderUnavailable"), at(HOUR + 3));
    flow.apply(update("succeeded"), at(HOUR + 4));
    expect(flow.request().status).toBe("COMPLETED");
    expect(flow.request().refundRetryDeadline).toBeNull();
    expect(flow.order.refundedAmount).toBe(5480);
  });
});

describe("a card refund reversed after it succeeded", () => {
  const reversedFlow = () => {
    const flow = completedFlow();
    flow.apply(update("failed", { failureReason: "expired_or_canceled_card" }), at(2 * DAY));
    return flow;
  };

  it("keeps the request COMPLETED; the refund fails, the money no longer counts as refunded", () => {
    const flow = reversedFlow();
    const request = flow.request();
    expect(request.status).toBe("COMPLETED");
    expect(request.refund).toMatchObject({
      status: "FAILED",
      reversed: true,
      declined: true,
      failureReason: "expired_or_canceled_card",
      providerStatus: "failed",
      // Its call landed long ago: an operator's retry is not held back as if it were in flight.
      callStartedAt: null,
    });
    expect(request.timeline.at(-1)).toMatchObject({
      type: "REFUND_REVERSED",
      actor: "system",
      note: "expired_or_canceled_card",
    });
    expect(flow.order.status).toBe("CANCELLED");
    expect(flow.order.refundedAmount).toBe(0);
    expect(request.refundRetryDeadline).toBe(at(2 * DAY + 3 * DAY));
    // The completed request needs its workflow again: it waits for an operator until then.
    expect(needsWorkflow(request)).toBe(true);
    expect(planNextStep(flow.record, REQ, at(2 * DAY))).toEqual({
      next: "WAIT_COMPLETED_REFUND",
      waitSeconds: 3 * DAY,
    });
    // The same word again changes nothing.
    expect(
      flow.refuse(update("failed", { failureReason: "expired_or_canceled_card" }), at(3 * DAY))
        .code,
    ).toBe("INVALID_STATE");
  });

  it("is refunded as gift balance by an operator, under a new key, whatever the parcel does", () => {
    const flow = reversedFlow();
    flow.apply(retryRefund(OPERATOR, REQ, { method: "GIFT_CARD" }), at(3 * DAY));
    let request = flow.request();
    expect(request.status).toBe("COMPLETED");
    expect(request.refund).toMatchObject({
      status: "PENDING",
      method: "GIFT_CARD",
      provider: "ledger",
      refundId: `rf-${REQ}-2`,
      reversed: false,
      failureReason: null,
      reference: null,
    });
    expect(needsWakeUp(flow.record, REQ, "COMPLETED")).toBe(true);
    expect(planNextStep(flow.record, REQ, at(3 * DAY)).next).toBe("REFUND");
    // The order is CANCELLED, yet the refund it owes is made.
    flow.apply(startRefundCall(), at(3 * DAY));
    flow.apply(
      {
        type: "REFUND_SUCCEEDED",
        requestId: REQ,
        answer: { providerReference: "ledger-1", status: "succeeded" },
      },
      at(3 * DAY + 1),
    );
    request = flow.request();
    expect(request.refund?.status).toBe("SUCCEEDED");
    expect(flow.order.refundedAmount).toBe(5480);
    expect(needsWorkflow(request)).toBe(false);
    expect(planNextStep(flow.record, REQ, at(3 * DAY + 1)).next).toBe("DONE");
    expect(timelineOf(request).slice(-3)).toEqual([
      ["REFUND_REVERSED", "system"],
      ["REFUND_RETRIED", OPERATOR],
      ["REFUND_SUCCEEDED", "system"],
    ]);
  });

  it("is not retried while its refund stands", () => {
    const flow = completedFlow();
    expect(flow.refuse(retryRefund(OPERATOR), at(DAY)).code).toBe("INVALID_STATE");
  });

  it("keeps a bank reference that arrives after the refund succeeded, once", () => {
    const flow = completedFlow();
    flow.apply(update("succeeded", { reference: "ARN-1" }), at(DAY));
    expect(flow.request().refund?.reference).toBe("ARN-1");
    expect(flow.refuse(update("succeeded", { reference: "ARN-1" }), at(DAY + 1)).code).toBe(
      "INVALID_STATE",
    );
  });

  it("records its retry as made when the provider made it after all: no fallback pays it again", () => {
    // Refunded to the card again under a new key; the call's answers are lost and its retries
    // run out (a failure, not a decline), though Stripe made the refund.
    const retriedFlow = () => {
      const flow = reversedFlow();
      flow.apply(retryRefund(OPERATOR), at(3 * DAY));
      flow.apply(startRefundCall(), at(3 * DAY));
      flow.apply(refundFailed("PaymentProviderUnavailable"), at(3 * DAY + 120));
      return flow;
    };
    const made = { status: "SUCCEEDED", refundId: `rf-${REQ}-2`, method: "CARD" };
    // Stripe's webhook says so.
    const byWebhook = retriedFlow();
    byWebhook.apply(update("succeeded", {}, { refundId: `rf-${REQ}-2` }), at(3 * DAY + 180));
    expect(byWebhook.request()).toMatchObject({
      status: "COMPLETED",
      refund: made,
      refundRetryDeadline: null,
    });
    expect(byWebhook.order.refundedAmount).toBe(5480);
    expect(planNextStep(byWebhook.record, REQ, at(3 * DAY + 180)).next).toBe("DONE");
    // Or a retry to gift balance asks first, and is told the card refund was made.
    const byRetry = retriedFlow();
    byRetry.apply(
      retryRefund(OPERATOR, REQ, { refundMade: true, method: "GIFT_CARD" }),
      at(4 * DAY),
    );
    expect(byRetry.request().refund).toMatchObject(made);
    expect(byRetry.order.refundedAmount).toBe(5480);
    expect(timelineOf(byRetry.request()).slice(-2)).toEqual([
      ["REFUND_RETRIED", OPERATOR],
      ["REFUND_SUCCEEDED", "system"],
    ]);
  });
});

describe("a refund made and failed at once", () => {
  it("keeps the provider's reason", () => {
    const flow = callingFlow();
    flow.apply(
      {
        type: "REFUND_FAILED",
        requestId: REQ,
        error: "lost_or_stolen_card",
        declined: true,
        answer: answer("failed", { failureReason: "lost_or_stolen_card" }),
      },
      at(HOUR + 3),
    );
    expect(flow.request().refund).toMatchObject({
      status: "FAILED",
      failureReason: "lost_or_stolen_card",
      declined: true,
    });
  });
});
