// Example tests of `transition`: one per lifecycle path, asserting statuses, timelines (types in
// order, with actors), what each stored change implies (flow.ts `impliedBy`: a new request's
// start, mail by template and recipient, the wake-up of a waiting execution) and deadlines.
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { DEFAULT_POLICY, type Policy } from "../../functions/domain/policy.ts";
import { addSeconds } from "../../functions/domain/requests.ts";
import {
  MARKETPLACE_TIMEOUT_REJECTION,
  POLICY,
  SYSTEM,
  transition,
} from "../../functions/domain/transition.ts";
import { toPublicOrder } from "../../functions/domain/views.ts";
import { makeOrder, makeRecord, type OrderOverrides } from "../support/factories.ts";
import {
  approvedFlow,
  at,
  BUYER,
  CARRIER,
  complete,
  DAY,
  deliver,
  email,
  Flow,
  HOUR,
  instructRefund,
  marketplaceTimeout,
  OPERATOR,
  operatorApprove,
  operatorReject,
  policyApprove,
  policyWith,
  REQ,
  refundFailed,
  refundSucceeded,
  remindSeller,
  requestCancellation,
  retryRefund,
  SELLER,
  STRANGER,
  sellerApprove,
  sellerReject,
  sellerTimeout,
  ship,
  shown,
  shownTimeline,
  start,
  startRefundCall,
  T0,
  timelineOf,
  wake,
  withdraw,
  workflowStarted,
} from "./flow.ts";

// ---- the happy path -----------------------------------------------------------------------------

describe("happy path: small card payment, seller approves, policy approves, refund succeeds", () => {
  it("completes the request, cancels the order and refunds the paid amount incl. shipping", () => {
    const flow = Flow.shipped();

    // A new request: the table's stream starts its execution; it implies no mail yet.
    expect(flow.apply(requestCancellation(), T0)).toEqual([start()]);
    let request = flow.request();
    expect(request).toMatchObject({
      status: "REQUESTED",
      createdAt: T0,
      sellerDeadline: at(2 * DAY),
      marketplaceDeadline: null,
      policyVersion: "2026-11-01",
      refund: null,
      rejection: null,
    });
    expect(flow.order.activeCancellationRequestId).toBe(REQ);

    expect(flow.apply(workflowStarted(), at(1))).toEqual([
      email("BUYER_REQUEST_RECEIVED", "BUYER"),
      email("SELLER_NEW_REQUEST", "SELLER"),
    ]);
    expect(flow.request().status).toBe("AWAITING_SELLER");

    expect(flow.apply(sellerApprove(), at(HOUR))).toEqual([wake()]);
    request = flow.request();
    expect(request.status).toBe("AWAITING_MARKETPLACE");
    expect(request.marketplaceReview).toBe("POLICY");
    expect(request.marketplaceDeadline).toBe(at(HOUR + 3 * DAY));

    expect(flow.apply(policyApprove(), at(HOUR + 1))).toEqual([email("BUYER_APPROVED", "BUYER")]);
    expect(flow.request().status).toBe("REFUND_PENDING");
    expect(flow.request().refund).toEqual({
      amount: 5480,
      currency: "JPY",
      method: "CARD",
      provider: "ledger",
      status: "PENDING",
      refundId: null,
      // Approved on Saturday 2026-11-21 (Tokyo); Monday 11-23 is a public holiday.
      expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
      instructedAt: null,
      succeededAt: null,
      attempts: 0,
      callStartedAt: null,
      declined: false,
    });

    expect(flow.apply(instructRefund(), at(HOUR + 2))).toEqual([
      email("SELLER_REFUND_INSTRUCTION", "SELLER"),
    ]);
    expect(flow.request().refund).toMatchObject({
      refundId: `rf-${REQ}`,
      instructedAt: at(HOUR + 2),
      status: "PENDING",
    });
    // The refund function takes the call's lease before calling the provider: no entry, no mail.
    expect(flow.apply(startRefundCall(), at(HOUR + 3))).toEqual([]);
    expect(flow.request().refund?.callStartedAt).toBe(at(HOUR + 3));

    expect(flow.apply(refundSucceeded(), at(DAY))).toEqual([
      email("BUYER_REFUND_COMPLETED", "BUYER"),
    ]);
    expect(flow.request().refund).toMatchObject({
      status: "SUCCEEDED",
      succeededAt: at(DAY),
      attempts: 1,
    });
    expect(flow.request().status).toBe("REFUND_PENDING");

    expect(flow.apply(complete(), at(DAY + 1))).toEqual([email("SELLER_OUTCOME", "SELLER")]);
    request = flow.request();
    expect(request.status).toBe("COMPLETED");
    expect(request.refund).toMatchObject({
      status: "SUCCEEDED",
      refundId: `rf-${REQ}`,
      amount: 5480,
    });
    expect(request.updatedAt).toBe(at(DAY + 1));
    expect(flow.order.status).toBe("CANCELLED");
    expect(flow.order.activeCancellationRequestId).toBeNull();
    expect(timelineOf(flow.order)).toEqual([["CANCELLED", SYSTEM]]);
    expect(timelineOf(request)).toEqual([
      ["REQUESTED", BUYER],
      ["SELLER_NOTIFIED", SYSTEM],
      ["SELLER_APPROVED", SELLER],
      ["MARKETPLACE_APPROVED", POLICY],
      ["REFUND_INSTRUCTED", SYSTEM],
      ["REFUND_SUCCEEDED", SYSTEM],
      ["COMPLETED", SYSTEM],
    ]);
    expect(request.timeline.map((entry) => entry.at)).toEqual([
      T0,
      at(1),
      at(HOUR),
      at(HOUR + 1),
      at(HOUR + 2),
      at(DAY),
      at(DAY + 1),
    ]);
    // Terminal: a replay of any step is refused and changes nothing.
    for (const event of [
      complete(),
      refundSucceeded(),
      refundFailed("late"),
      instructRefund(),
      startRefundCall(),
      policyApprove(),
      withdraw(),
      retryRefund(SYSTEM),
    ]) {
      expect(flow.refuse(event, at(DAY + 2)).code, event.type).toBe("INVALID_STATE");
    }
    // A cancelled order has nothing left to cancel.
    expect(flow.refuse(requestCancellation({ requestId: "req-2" }), at(DAY + 2)).code).toBe(
      "NOTHING_TO_CANCEL",
    );
  });

  it("refunds the item price only when the policy does not refund the shipping fee", () => {
    const flow = approvedFlow({}, policyWith({ refundShippingFee: false }));
    expect(flow.request().refund?.amount).toBe(4980);
    flow.apply(instructRefund(), at(2 * HOUR));
    flow.apply(refundSucceeded(), at(DAY));
    flow.apply(complete(), at(DAY));
    expect(flow.request().refund).toMatchObject({ amount: 4980, status: "SUCCEEDED" });
  });

  it("refunds convenience-store payments as gift balance, at once", () => {
    const flow = approvedFlow({ payment: { method: "CONVENIENCE_STORE" } });
    expect(flow.request().refund).toMatchObject({
      amount: 5480,
      method: "GIFT_CARD",
      status: "PENDING",
      expectedBy: { earliest: "2026-11-21", latest: "2026-11-21" },
    });
  });
});

// ---- the seller ---------------------------------------------------------------------------------

describe("seller", () => {
  it("rejects with a reason: REJECTED by SELLER, both sides told, the order freed", () => {
    const flow = Flow.shipped().requested();
    expect(flow.apply(sellerReject("already handed to the carrier"), at(HOUR))).toEqual([
      email("BUYER_REJECTED", "BUYER"),
      email("SELLER_OUTCOME", "SELLER"),
      wake(),
    ]);
    const request = flow.request();
    expect(request.status).toBe("REJECTED");
    expect(request.rejection).toEqual({
      by: "SELLER",
      reason: "already handed to the carrier",
      at: at(HOUR),
    });
    expect(request.refund).toBeNull();
    expect(timelineOf(request)).toEqual([
      ["REQUESTED", BUYER],
      ["SELLER_NOTIFIED", SYSTEM],
      ["SELLER_REJECTED", SELLER],
    ]);
    expect(flow.order.status).toBe("SHIPPED");
    expect(flow.order.timeline).toEqual([]);
    expect(flow.order.activeCancellationRequestId).toBeNull();
    // Terminal: nothing moves it any more.
    expect(flow.refuse(sellerApprove(), at(2 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(withdraw(), at(2 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(sellerTimeout(), at(3 * DAY)).code).toBe("INVALID_STATE");
  });

  it("is reminded once only", () => {
    const flow = Flow.shipped().requested();
    expect(flow.apply(remindSeller(), at(36 * HOUR))).toEqual([email("SELLER_REMINDER", "SELLER")]);
    expect(flow.request().sellerRemindedAt).toBe(at(36 * HOUR));
    expect(flow.request().status).toBe("AWAITING_SELLER");
    expect(flow.refuse(remindSeller(), at(37 * HOUR)).code).toBe("INVALID_STATE");
    expect(timelineOf(flow.request())).toEqual([
      ["REQUESTED", BUYER],
      ["SELLER_NOTIFIED", SYSTEM],
      ["SELLER_REMINDED", SYSTEM],
    ]);
    // The reminder is only for a seller still being waited for.
    flow.apply(sellerApprove(), at(38 * HOUR));
    expect(flow.refuse(remindSeller("req-1"), at(39 * HOUR)).code).toBe("INVALID_STATE");
  });

  it("may decide until the deadline, not at or after it", () => {
    const flow = Flow.shipped().requested();
    const deadline = flow.request().sellerDeadline;
    expect(deadline).toBe(at(2 * DAY));
    expect(flow.refuse(sellerApprove(), deadline).code).toBe("INVALID_STATE");
    expect(flow.refuse(sellerReject("too late"), addSeconds(deadline, 60)).code).toBe(
      "INVALID_STATE",
    );
    flow.apply(sellerApprove(), addSeconds(deadline, -0.001));
    expect(flow.request().status).toBe("AWAITING_MARKETPLACE");
  });

  it("cannot decide before the workflow has started waiting for it", () => {
    const flow = Flow.shipped();
    flow.apply(requestCancellation(), T0);
    expect(flow.refuse(sellerApprove(), at(1)).code).toBe("INVALID_STATE");
    expect(flow.refuse(remindSeller(), at(1)).code).toBe("INVALID_STATE");
    expect(flow.refuse(sellerTimeout(), at(1)).code).toBe("INVALID_STATE");
    flow.apply(workflowStarted(), at(2));
    expect(flow.refuse(workflowStarted(), at(3)).code).toBe("INVALID_STATE");
  });
});

describe("seller timeout", () => {
  // A timeout moves the status like a decision would; the execution waiting for the seller is the
  // one applying it, and its write ends that wait.
  it("ESCALATE: goes to an operator's review, operators are told", () => {
    const flow = Flow.shipped().requested(policyWith({ onSellerTimeout: "ESCALATE" }));
    expect(flow.apply(sellerTimeout(), at(2 * DAY))).toEqual([
      email("OPERATOR_ESCALATION", "OPERATORS"),
      wake(),
    ]);
    const request = flow.request();
    expect(request.status).toBe("AWAITING_MARKETPLACE");
    expect(request.marketplaceReview).toBe("OPERATOR");
    expect(request.marketplaceDeadline).toBe(at(5 * DAY));
    expect(shown(request.timeline.at(-1))).toEqual({
      at: at(2 * DAY),
      type: "SELLER_TIMED_OUT",
      actor: POLICY,
      note: "ESCALATE",
    });
    // Small as it is, the policy does not approve an escalated request.
    expect(flow.refuse(policyApprove(), at(2 * DAY + 1)).code).toBe("INVALID_STATE");
    flow.apply(operatorApprove(), at(3 * DAY));
    expect(flow.request().status).toBe("REFUND_PENDING");
  });

  it("APPROVE with a small amount: the policy approves", () => {
    const flow = Flow.shipped().requested(policyWith({ onSellerTimeout: "APPROVE" }));
    expect(flow.apply(sellerTimeout(), at(2 * DAY))).toEqual([wake()]);
    expect(flow.request()).toMatchObject({
      status: "AWAITING_MARKETPLACE",
      marketplaceReview: "POLICY",
      marketplaceDeadline: at(5 * DAY),
    });
    expect(flow.refuse(operatorApprove(), at(2 * DAY + 1)).code).toBe("INVALID_STATE");
    expect(flow.refuse(marketplaceTimeout(), at(5 * DAY)).code).toBe("INVALID_STATE");
    // Nothing waits while the policy decides.
    expect(flow.apply(policyApprove(), at(2 * DAY + 1))).toEqual([
      email("BUYER_APPROVED", "BUYER"),
    ]);
    expect(timelineOf(flow.request())).toEqual([
      ["REQUESTED", BUYER],
      ["SELLER_NOTIFIED", SYSTEM],
      ["SELLER_TIMED_OUT", POLICY],
      ["MARKETPLACE_APPROVED", POLICY],
    ]);
  });

  it("APPROVE with a high amount still needs an operator", () => {
    const flow = Flow.shipped({ payment: { paidAmount: 45_000 } }).requested(
      policyWith({ onSellerTimeout: "APPROVE" }),
    );
    expect(flow.apply(sellerTimeout(), at(2 * DAY))).toEqual([
      email("OPERATOR_ESCALATION", "OPERATORS"),
      wake(),
    ]);
    expect(flow.request().marketplaceReview).toBe("OPERATOR");
  });
});

// ---- the marketplace's review -------------------------------------------------------------------

describe("high value: an operator reviews", () => {
  const HIGH: OrderOverrides = {
    lines: [{ lineId: "l1", sku: "SKU-9", title: "カメラ", quantity: 1, unitPrice: 39_500 }],
    payment: { paidAmount: 40_000 },
  };
  const escalated = (policy: Policy = DEFAULT_POLICY): Flow => {
    const flow = Flow.shipped(HIGH).requested(policy);
    expect(flow.apply(sellerApprove(), at(HOUR))).toEqual([
      email("OPERATOR_ESCALATION", "OPERATORS"),
      wake(),
    ]);
    expect(flow.request()).toMatchObject({
      status: "AWAITING_MARKETPLACE",
      marketplaceReview: "OPERATOR",
      marketplaceDeadline: at(HOUR + 3 * DAY),
    });
    return flow;
  };

  it("is not approved by the policy", () => {
    const flow = escalated();
    expect(flow.refuse(policyApprove(), at(HOUR + 1)).code).toBe("INVALID_STATE");
  });

  it("operator approves", () => {
    const flow = escalated();
    expect(flow.apply(operatorApprove(), at(DAY))).toEqual([
      email("BUYER_APPROVED", "BUYER"),
      wake(),
    ]);
    expect(flow.request().status).toBe("REFUND_PENDING");
    expect(flow.request().refund).toMatchObject({ amount: 40_000, status: "PENDING" });
    flow.apply(instructRefund(), at(DAY + 1));
    flow.apply(refundSucceeded(), at(2 * DAY));
    flow.apply(complete(), at(2 * DAY));
    expect(timelineOf(flow.request())).toEqual([
      ["REQUESTED", BUYER],
      ["SELLER_NOTIFIED", SYSTEM],
      ["SELLER_APPROVED", SELLER],
      ["MARKETPLACE_APPROVED", OPERATOR],
      ["REFUND_INSTRUCTED", SYSTEM],
      ["REFUND_SUCCEEDED", SYSTEM],
      ["COMPLETED", SYSTEM],
    ]);
    expect(flow.order.status).toBe("CANCELLED");
  });

  it("operator rejects: REJECTED by MARKETPLACE", () => {
    const flow = escalated();
    expect(flow.apply(operatorReject("fraud suspected"), at(DAY))).toEqual([
      email("BUYER_REJECTED", "BUYER"),
      email("SELLER_OUTCOME", "SELLER"),
      wake(),
    ]);
    expect(flow.request()).toMatchObject({
      status: "REJECTED",
      rejection: { by: "MARKETPLACE", reason: "fraud suspected", at: at(DAY) },
      refund: null,
    });
    expect(timelineOf(flow.request()).at(-1)).toEqual(["MARKETPLACE_REJECTED", OPERATOR]);
    expect(flow.order.activeCancellationRequestId).toBeNull();
    expect(flow.order.status).toBe("SHIPPED");
  });

  it("operator decides only before the review deadline, after which the timeout applies", () => {
    const flow = escalated();
    const deadline = flow.request().marketplaceDeadline ?? "";
    expect(flow.refuse(operatorApprove(), deadline).code).toBe("INVALID_STATE");
    expect(flow.refuse(operatorReject("late"), addSeconds(deadline, 1)).code).toBe("INVALID_STATE");
    flow.apply(marketplaceTimeout(), deadline);
    expect(flow.request().status).toBe("REFUND_PENDING");
  });

  it("marketplace timeout with onMarketplaceTimeout APPROVE approves by policy", () => {
    const flow = escalated(policyWith({ onMarketplaceTimeout: "APPROVE" }));
    expect(flow.apply(marketplaceTimeout(), at(HOUR + 3 * DAY))).toEqual([
      email("BUYER_APPROVED", "BUYER"),
      wake(),
    ]);
    expect(flow.request().status).toBe("REFUND_PENDING");
    expect(flow.request().refund?.amount).toBe(40_000);
    expect(shown(flow.request().timeline.at(-1))).toEqual({
      at: at(HOUR + 3 * DAY),
      type: "MARKETPLACE_APPROVED",
      actor: POLICY,
      note: "MARKETPLACE_TIMEOUT",
    });
  });

  it("marketplace timeout with onMarketplaceTimeout REJECT rejects by policy", () => {
    const flow = escalated(policyWith({ onMarketplaceTimeout: "REJECT" }));
    expect(flow.apply(marketplaceTimeout(), at(HOUR + 3 * DAY))).toEqual([
      email("BUYER_REJECTED", "BUYER"),
      email("SELLER_OUTCOME", "SELLER"),
      wake(),
    ]);
    expect(flow.request()).toMatchObject({
      status: "REJECTED",
      rejection: { by: "MARKETPLACE", reason: MARKETPLACE_TIMEOUT_REJECTION },
    });
    expect(timelineOf(flow.request()).at(-1)).toEqual(["MARKETPLACE_REJECTED", POLICY]);
    expect(flow.order.activeCancellationRequestId).toBeNull();
  });

  it.each([
    { currency: "JPY", paidAmount: 30_000, review: "POLICY" },
    { currency: "JPY", paidAmount: 30_001, review: "OPERATOR" },
    { currency: "USD", paidAmount: 30_000, review: "POLICY" },
    { currency: "USD", paidAmount: 30_001, review: "OPERATOR" },
  ] as const)("the threshold is inclusive: $currency $paidAmount → $review", (c) => {
    const flow = Flow.shipped({
      currency: c.currency,
      shippingFee: 0,
      lines: [{ lineId: "l1", sku: "S", title: "t", quantity: 1, unitPrice: c.paidAmount }],
      payment: { paidAmount: c.paidAmount },
    }).requested();
    flow.apply(sellerApprove(), at(HOUR));
    expect(flow.request().marketplaceReview).toBe(c.review);
  });

  it("a currency without a threshold always goes to an operator", () => {
    const flow = Flow.shipped({ currency: "USD", payment: { paidAmount: 1 } }).requested(
      policyWith({ autoApproveMaxAmount: { JPY: 30_000 } }),
    );
    flow.apply(sellerApprove(), at(HOUR));
    expect(flow.request().marketplaceReview).toBe("OPERATOR");
  });

  it("compares the refund, not the payment, with the threshold", () => {
    // ¥30,400 paid, ¥500 of it shipping: ¥29,900 refunded without the fee, under the threshold.
    const order: OrderOverrides = {
      lines: [{ lineId: "l1", sku: "S", title: "t", quantity: 1, unitPrice: 29_900 }],
      payment: { paidAmount: 30_400 },
    };
    const withFee = Flow.shipped(order).requested();
    withFee.apply(sellerApprove(), at(HOUR));
    expect(withFee.request().marketplaceReview).toBe("OPERATOR");
    const withoutFee = Flow.shipped(order).requested(policyWith({ refundShippingFee: false }));
    withoutFee.apply(sellerApprove(), at(HOUR));
    expect(withoutFee.request().marketplaceReview).toBe("POLICY");
  });
});

// ---- refunds ------------------------------------------------------------------------------------

describe("refund failure and retry", () => {
  const failed = (): Flow => {
    const flow = approvedFlow();
    flow.apply(instructRefund(), at(2 * HOUR));
    expect(flow.apply(refundFailed("card expired"), at(3 * HOUR))).toEqual([
      email("OPERATOR_REFUND_FAILED", "OPERATORS"),
    ]);
    const request = flow.request();
    expect(request.status).toBe("REFUND_FAILED");
    expect(request.refund).toMatchObject({ status: "FAILED", refundId: `rf-${REQ}`, attempts: 1 });
    expect(request.refundRetryDeadline).toBe(at(3 * HOUR + 3 * DAY));
    expect(shown(request.timeline.at(-1))).toEqual({
      at: at(3 * HOUR),
      type: "REFUND_FAILED",
      actor: SYSTEM,
      note: "card expired",
    });
    expect(flow.order.activeCancellationRequestId).toBe(REQ);
    return flow;
  };

  it("an operator retries under the same refundId, then it succeeds and completes", () => {
    const flow = failed();
    expect(flow.refuse(complete(), at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(refundSucceeded(), at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.apply(retryRefund(OPERATOR), at(DAY))).toEqual([wake()]);
    let request = flow.request();
    expect(request.status).toBe("REFUND_PENDING");
    expect(request.refundRetryDeadline).toBeNull();
    expect(request.refund).toMatchObject({ status: "PENDING", refundId: `rf-${REQ}` });
    // Already claimed: it is not instructed again, it is retried under its key.
    expect(flow.refuse(instructRefund(), at(DAY + 1)).code).toBe("INVALID_STATE");
    expect(flow.apply(refundSucceeded(), at(DAY + 2))).toEqual([
      email("BUYER_REFUND_COMPLETED", "BUYER"),
    ]);
    flow.apply(complete(), at(DAY + 3));
    request = flow.request();
    expect(request.status).toBe("COMPLETED");
    expect(request.refund).toMatchObject({
      status: "SUCCEEDED",
      refundId: `rf-${REQ}`,
      attempts: 2,
      instructedAt: at(2 * HOUR),
    });
    expect(timelineOf(request)).toEqual([
      ["REQUESTED", BUYER],
      ["SELLER_NOTIFIED", SYSTEM],
      ["SELLER_APPROVED", SELLER],
      ["MARKETPLACE_APPROVED", POLICY],
      ["REFUND_INSTRUCTED", SYSTEM],
      ["REFUND_FAILED", SYSTEM],
      ["REFUND_RETRIED", OPERATOR],
      ["REFUND_SUCCEEDED", SYSTEM],
      ["COMPLETED", SYSTEM],
    ]);
    expect(flow.order.status).toBe("CANCELLED");
  });

  it("the system retries at the wait's deadline: the same change, no mail", () => {
    const flow = failed();
    // The waiting execution is the one applying it (its write ends the wait).
    expect(flow.apply(retryRefund(SYSTEM), at(3 * HOUR + 3 * DAY))).toEqual([wake()]);
    expect(flow.request().status).toBe("REFUND_PENDING");
    expect(flow.request().refund?.refundId).toBe(`rf-${REQ}`);
    expect(timelineOf(flow.request()).at(-1)).toEqual(["REFUND_RETRIED", SYSTEM]);
    flow.apply(refundSucceeded(), at(4 * DAY));
    flow.apply(complete(), at(4 * DAY));
    expect(flow.request().status).toBe("COMPLETED");
  });

  it("is retried only while REFUND_FAILED, and no refund can fail twice at once", () => {
    const flow = approvedFlow();
    expect(flow.refuse(retryRefund(OPERATOR), at(2 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(refundFailed("x"), at(2 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(complete(), at(2 * HOUR)).code).toBe("INVALID_STATE");
    flow.apply(instructRefund(), at(2 * HOUR));
    expect(flow.refuse(instructRefund(), at(2 * HOUR)).code).toBe("INVALID_STATE");
    flow.apply(refundSucceeded(), at(3 * HOUR));
    expect(flow.refuse(refundFailed("late failure"), at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(refundSucceeded(), at(4 * HOUR)).code).toBe("INVALID_STATE");
  });
});

// ---- withdrawal ---------------------------------------------------------------------------------

describe("withdrawal", () => {
  const HIGH: OrderOverrides = { payment: { paidAmount: 40_000 } };
  /** How to get there, and whether an execution may be waiting there (to be woken). */
  const toStatus: Record<
    string,
    { order?: OrderOverrides; go: (flow: Flow) => void; waited: boolean }
  > = {
    REQUESTED: { go: (flow) => flow.apply(requestCancellation(), T0), waited: false },
    AWAITING_SELLER: { go: (flow) => flow.requested(), waited: true },
    // The policy decides at once: nothing waits.
    "AWAITING_MARKETPLACE (policy)": {
      go: (flow) => {
        flow.requested();
        flow.apply(sellerApprove(), at(HOUR));
      },
      waited: false,
    },
    "AWAITING_MARKETPLACE (operator)": {
      order: HIGH,
      go: (flow) => {
        flow.requested();
        flow.apply(sellerApprove(), at(HOUR));
      },
      waited: true,
    },
  };

  it.each(Object.keys(toStatus))("is possible while %s", (name) => {
    const path = toStatus[name];
    if (!path) throw new Error(name);
    const flow = Flow.shipped(path.order);
    path.go(flow);
    expect(flow.request().status).toBe(name.split(" ")[0]);
    const entries = flow.request().timeline.length;
    expect(flow.apply(withdraw(), at(2 * HOUR))).toEqual([
      email("BUYER_WITHDRAWN", "BUYER"),
      email("SELLER_OUTCOME", "SELLER"),
      ...(path.waited ? [wake()] : []),
    ]);
    const request = flow.request();
    expect(request.status).toBe("WITHDRAWN");
    expect(request.timeline).toHaveLength(entries + 1);
    expect(shown(request.timeline.at(-1))).toEqual({
      at: at(2 * HOUR),
      type: "WITHDRAWN",
      actor: BUYER,
    });
    expect(flow.order.activeCancellationRequestId).toBeNull();
    expect(flow.order.status).toBe("SHIPPED");
    expect(flow.refuse(withdraw(), at(3 * HOUR)).code).toBe("INVALID_STATE");
  });

  it("is refused once the marketplace has approved (REFUND_PENDING, REFUND_FAILED)", () => {
    const flow = approvedFlow();
    expect(flow.refuse(withdraw(), at(2 * HOUR)).code).toBe("INVALID_STATE");
    flow.apply(instructRefund(), at(2 * HOUR));
    expect(flow.refuse(withdraw(), at(3 * HOUR)).code).toBe("INVALID_STATE");
    flow.apply(refundFailed("declined"), at(3 * HOUR));
    expect(flow.refuse(withdraw(), at(4 * HOUR)).code).toBe("INVALID_STATE");
  });

  it("is only for the order's buyer", () => {
    const flow = Flow.shipped().requested();
    expect(flow.refuse(withdraw(STRANGER), at(HOUR)).code).toBe("NOT_FOUND");
    expect(flow.refuse(withdraw(SELLER), at(HOUR)).code).toBe("NOT_FOUND");
  });
});

// ---- delivery -----------------------------------------------------------------------------------

describe("delivery", () => {
  it("while AWAITING_SELLER: the request becomes RETURN_REQUIRED", () => {
    const flow = Flow.shipped().requested();
    const deliveredAt = at(5 * HOUR);
    expect(flow.apply(deliver(deliveredAt), at(6 * HOUR))).toEqual([
      email("BUYER_RETURN_REQUIRED", "BUYER"),
      email("SELLER_OUTCOME", "SELLER"),
      wake(),
    ]);
    expect(flow.order).toMatchObject({
      status: "DELIVERED",
      deliveredAt,
      activeCancellationRequestId: null,
    });
    expect(shownTimeline(flow.order.timeline)).toEqual([
      { at: at(6 * HOUR), type: "DELIVERED", actor: CARRIER },
    ]);
    expect(flow.request().status).toBe("RETURN_REQUIRED");
    expect(timelineOf(flow.request())).toEqual([
      ["REQUESTED", BUYER],
      ["SELLER_NOTIFIED", SYSTEM],
      ["RETURN_REQUIRED", SYSTEM],
    ]);
    expect(flow.refuse(sellerApprove(), at(7 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(deliver(deliveredAt), at(7 * HOUR)).code).toBe("INVALID_STATE");
    expect(toPublicOrder(flow.record, at(7 * HOUR), DEFAULT_POLICY).cancellationOption).toEqual({
      kind: "RETURN",
      reason: "RETURN_REQUIRED",
    });
  });

  it("after approval but before the refund is instructed: RETURN_REQUIRED, no refund", () => {
    const flow = approvedFlow();
    flow.apply(deliver(at(2 * HOUR)), at(2 * HOUR));
    expect(flow.request().status).toBe("RETURN_REQUIRED");
    expect(flow.refuse(instructRefund(), at(3 * HOUR)).code).toBe("INVALID_STATE");
  });

  it("after the refund succeeded, before COMPLETE: the request is unaffected and completes", () => {
    const flow = approvedFlow();
    flow.apply(instructRefund(), at(2 * HOUR));
    flow.apply(refundSucceeded(), at(2 * HOUR + 30));
    const before = structuredClone(flow.request());
    // No money can still be in doubt: the provider is not asked.
    expect(flow.apply(deliver(at(3 * HOUR)), at(3 * HOUR))).toEqual([]);
    expect(flow.request()).toEqual(before);
    expect(flow.order.status).toBe("DELIVERED");
    expect(flow.order.activeCancellationRequestId).toBe(REQ);
    flow.apply(complete(), at(DAY));
    expect(flow.request().status).toBe("COMPLETED");
    expect(flow.order.status).toBe("CANCELLED");
    expect(flow.order.deliveredAt).toBe(at(3 * HOUR));
    // Completed after the buyer took the parcel: its units are owed back.
    expect(timelineOf(flow.order)).toEqual([
      ["DELIVERED", CARRIER],
      ["CANCELLED", SYSTEM],
      ["DELIVERED_AFTER_CANCELLATION", SYSTEM],
    ]);
    expect(flow.order.return).toMatchObject({ status: "REQUESTED", openedAt: at(DAY) });
  });

  it("before any request: cancellation is refused with RETURN_REQUIRED", () => {
    const flow = Flow.shipped();
    flow.apply(deliver(at(-HOUR)), at(-HOUR));
    expect(flow.refuse(requestCancellation(), T0).code).toBe("RETURN_REQUIRED");
    expect(toPublicOrder(flow.record, T0, DEFAULT_POLICY).cancellationOption).toEqual({
      kind: "RETURN",
      reason: "RETURN_REQUIRED",
    });
  });

  it("of an order not shipped yet is refused with NOT_SHIPPED", () => {
    const flow = Flow.shipped({ status: "PLACED", shipment: null });
    expect(flow.refuse(deliver(T0), T0).code).toBe("NOT_SHIPPED");
  });
});

// ---- shipment -----------------------------------------------------------------------------------

describe("shipment", () => {
  it("by the order's seller moves a PLACED order to SHIPPED, once", () => {
    const flow = Flow.shipped({ status: "PLACED", shipment: null });
    expect(flow.refuse(ship(T0, STRANGER), T0).code).toBe("NOT_FOUND");
    expect(flow.refuse(ship(T0, BUYER), T0).code).toBe("NOT_FOUND");
    expect(flow.apply(ship(T0), T0)).toEqual([]);
    expect(flow.order.status).toBe("SHIPPED");
    expect(flow.order.shipment?.shippedAt).toBe(T0);
    expect(timelineOf(flow.order)).toEqual([["SHIPPED", SELLER]]);
    expect(flow.refuse(ship(at(1)), at(1)).code).toBe("INVALID_STATE");
    // Now it can be cancelled in transit.
    flow.apply(requestCancellation(), at(HOUR));
  });
});

// ---- cash on delivery ---------------------------------------------------------------------------

describe("cash on delivery", () => {
  it("needs no refund: approved, then completed straight away", () => {
    const flow = Flow.shipped({ payment: { method: "CASH_ON_DELIVERY" } }).requested();
    flow.apply(sellerApprove(), at(HOUR));
    expect(flow.request().marketplaceReview).toBe("POLICY");
    flow.apply(policyApprove(), at(HOUR + 1));
    expect(flow.request().refund).toEqual({
      amount: 0,
      currency: "JPY",
      method: "CASH_ON_DELIVERY",
      provider: "ledger",
      status: "NOT_REQUIRED",
      refundId: null,
      expectedBy: null,
      instructedAt: null,
      succeededAt: null,
      attempts: 0,
      callStartedAt: null,
      declined: false,
    });
    expect(flow.refuse(instructRefund(), at(HOUR + 2)).code).toBe("INVALID_STATE");
    expect(flow.refuse(startRefundCall(), at(HOUR + 2)).code).toBe("INVALID_STATE");
    expect(flow.refuse(refundSucceeded(), at(HOUR + 2)).code).toBe("INVALID_STATE");
    expect(flow.apply(complete(), at(HOUR + 2))).toEqual([email("SELLER_OUTCOME", "SELLER")]);
    expect(flow.request().status).toBe("COMPLETED");
    expect(flow.order.status).toBe("CANCELLED");
    expect(flow.order.activeCancellationRequestId).toBeNull();
    expect(timelineOf(flow.request())).toEqual([
      ["REQUESTED", BUYER],
      ["SELLER_NOTIFIED", SYSTEM],
      ["SELLER_APPROVED", SELLER],
      ["MARKETPLACE_APPROVED", POLICY],
      ["COMPLETED", SYSTEM],
    ]);
  });
});

// ---- eligibility --------------------------------------------------------------------------------

describe("eligibility of a new request", () => {
  it("an order not shipped yet: NOT_SHIPPED", () => {
    const flow = Flow.shipped({ status: "PLACED", shipment: null });
    expect(flow.refuse(requestCancellation(), T0).code).toBe("NOT_SHIPPED");
  });

  it("past cancellationWindowDays after shippedAt: WINDOW_CLOSED", () => {
    const flow = Flow.shipped();
    const shippedAt = flow.order.shipment?.shippedAt ?? "";
    const closes = addSeconds(shippedAt, 14 * DAY);
    expect(flow.refuse(requestCancellation(), addSeconds(closes, 0.001)).code).toBe(
      "WINDOW_CLOSED",
    );
    const short = policyWith({ cancellationWindowDays: 1 });
    expect(
      flow.refuse(requestCancellation({ policy: short }), addSeconds(shippedAt, DAY + 1)).code,
    ).toBe("WINDOW_CLOSED");
    flow.apply(requestCancellation(), closes);
    expect(flow.request().status).toBe("REQUESTED");
  });

  it("while another request is in progress: ACTIVE_REQUEST_EXISTS", () => {
    const flow = Flow.shipped().requested();
    const error = flow.refuse(
      requestCancellation({ requestId: "req-2", idempotencyKey: "idem-other" }),
      at(HOUR),
    );
    expect(error.code).toBe("ACTIVE_REQUEST_EXISTS");
  });

  it("after a rejected request: allowed, and the new one becomes the active one", () => {
    const flow = Flow.shipped().requested();
    flow.apply(sellerReject("no"), at(HOUR));
    flow.requested(DEFAULT_POLICY, "req-2", at(2 * HOUR));
    expect(flow.order.activeCancellationRequestId).toBe("req-2");
    expect(flow.request("req-2").status).toBe("AWAITING_SELLER");
    expect(flow.request(REQ).status).toBe("REJECTED");
    expect(Object.keys(flow.record.requests)).toEqual([REQ, "req-2"]);
  });

  it("once maxRequestsPerOrder requests exist: INVALID_STATE", () => {
    const policy = policyWith({ maxRequestsPerOrder: 2 });
    const flow = Flow.shipped();
    flow.requested(policy, "req-1", T0);
    flow.apply(withdraw(BUYER, "req-1"), at(HOUR));
    flow.requested(policy, "req-2", at(2 * HOUR));
    flow.apply(withdraw(BUYER, "req-2"), at(3 * HOUR));
    const error = flow.refuse(requestCancellation({ requestId: "req-3", policy }), at(4 * HOUR));
    expect(error.code).toBe("INVALID_STATE");
  });

  it("a reused request id or Idempotency-Key is refused", () => {
    const flow = Flow.shipped().requested();
    flow.apply(withdraw(), at(HOUR));
    expect(flow.refuse(requestCancellation(), at(2 * HOUR)).code).toBe("INVALID_STATE");
    expect(
      flow.refuse(
        requestCancellation({ requestId: "req-2", idempotencyKey: `idem-${REQ}` }),
        at(2 * HOUR),
      ).code,
    ).toBe("INVALID_STATE");
  });
});

// ---- parties ------------------------------------------------------------------------------------

describe("parties", () => {
  it("a buyer who is not the order's is told the order does not exist", () => {
    const flow = Flow.shipped();
    expect(flow.refuse(requestCancellation({ actor: STRANGER }), T0).code).toBe("NOT_FOUND");
    expect(flow.refuse(requestCancellation({ actor: SELLER }), T0).code).toBe("NOT_FOUND");
  });

  it("a seller who is not the order's is told the order does not exist", () => {
    const flow = Flow.shipped().requested();
    expect(flow.refuse(sellerApprove(STRANGER), at(HOUR)).code).toBe("NOT_FOUND");
    expect(flow.refuse(sellerReject("no", BUYER), at(HOUR)).code).toBe("NOT_FOUND");
  });

  const requestEvents = (requestId: string): DomainEvent[] => [
    workflowStarted(requestId),
    remindSeller(requestId),
    sellerApprove(SELLER, requestId),
    sellerTimeout(requestId),
    policyApprove(requestId),
    operatorApprove(OPERATOR, requestId),
    marketplaceTimeout(requestId),
    instructRefund(requestId),
    startRefundCall(requestId),
    refundSucceeded(requestId),
    refundFailed("x", requestId),
    retryRefund(OPERATOR, requestId),
    complete(requestId),
    withdraw(BUYER, requestId),
  ];

  it.each(["req-unknown", "constructor", "toString", "__proto__", "hasOwnProperty"])(
    "an unknown request id (%s) is NOT_FOUND for every request event",
    (requestId) => {
      const flow = Flow.shipped().requested();
      for (const event of requestEvents(requestId)) {
        expect(flow.refuse(event, at(HOUR)).code, event.type).toBe("NOT_FOUND");
      }
    },
  );
});

// ---- the policy snapshot ------------------------------------------------------------------------

describe("policy snapshot", () => {
  const A = policyWith({
    version: "2026-11-01",
    onSellerTimeout: "ESCALATE",
    sellerResponseSeconds: 2 * DAY,
    marketplaceReviewSeconds: 3 * DAY,
    refundRetryWaitSeconds: 3 * DAY,
    autoApproveMaxAmount: { JPY: 30_000, USD: 300 },
  });
  const B = policyWith({
    version: "2027-01-01",
    onSellerTimeout: "APPROVE",
    sellerResponseSeconds: 4 * HOUR,
    sellerReminderSeconds: HOUR,
    marketplaceReviewSeconds: HOUR,
    refundRetryWaitSeconds: HOUR,
    autoApproveMaxAmount: { JPY: 1000, USD: 10 },
  });

  it("a request keeps the policy it was made under, whatever later requests use", () => {
    const flow = Flow.shipped().requested(A);
    // A later REQUEST event under B is refused and changes nothing about req-1.
    flow.refuse(requestCancellation({ requestId: "req-x", policy: B }), at(HOUR));
    let request = flow.request();
    expect(request.policyVersion).toBe("2026-11-01");
    expect(request.sellerDeadline).toBe(at(2 * DAY));
    // A's ESCALATE applies, not B's APPROVE; A's review window, not B's.
    flow.apply(sellerTimeout(), at(2 * DAY));
    request = flow.request();
    expect(request.marketplaceReview).toBe("OPERATOR");
    expect(request.marketplaceDeadline).toBe(at(5 * DAY));
    flow.apply(operatorReject("no"), at(3 * DAY));

    // The next request is made under B: its own version, deadlines and outcomes.
    flow.requested(B, "req-2", at(3 * DAY + HOUR));
    const second = flow.request("req-2");
    expect(second.policyVersion).toBe("2027-01-01");
    expect(second.policy).toEqual(B);
    expect(second.sellerDeadline).toBe(at(3 * DAY + 5 * HOUR));
    flow.apply(sellerTimeout("req-2"), at(3 * DAY + 5 * HOUR));
    // B approves on timeout, but ¥5,480 is above B's threshold: an operator reviews within B's hour.
    expect(flow.request("req-2")).toMatchObject({
      status: "AWAITING_MARKETPLACE",
      marketplaceReview: "OPERATOR",
      marketplaceDeadline: at(3 * DAY + 6 * HOUR),
    });
    expect(flow.request(REQ).policyVersion).toBe("2026-11-01");
    expect(flow.request(REQ).policy).toEqual(A);
  });

  it("a small request under A is auto-approved by A's threshold, and retried on A's clock", () => {
    const flow = Flow.shipped().requested(A);
    flow.refuse(requestCancellation({ requestId: "req-x", policy: B }), at(HOUR));
    flow.apply(sellerApprove(), at(HOUR));
    expect(flow.request().marketplaceReview).toBe("POLICY");
    flow.apply(policyApprove(), at(HOUR + 1));
    flow.apply(instructRefund(), at(HOUR + 2));
    flow.apply(refundFailed("x"), at(2 * HOUR));
    expect(flow.request().refundRetryDeadline).toBe(at(2 * HOUR + 3 * DAY));
  });
});

// ---- purity -------------------------------------------------------------------------------------

describe("purity", () => {
  it("never mutates its input record, accepted or refused", () => {
    // Every transition of these flows is checked by Flow.apply/refuse (deep-equal before/after);
    // here, additionally, a deeply frozen record makes any write throw.
    const deepFreeze = <T>(value: T): T => {
      if (value && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const child of Object.values(value)) deepFreeze(child);
      }
      return value;
    };
    const events: [DomainEvent, string][] = [
      [requestCancellation(), T0],
      [workflowStarted(), at(1)],
      [remindSeller(), at(2)],
      [sellerApprove(), at(HOUR)],
      [policyApprove(), at(HOUR + 1)],
      [instructRefund(), at(HOUR + 2)],
      [startRefundCall(), at(HOUR + 3)],
      [refundFailed("x"), at(HOUR + 4)],
      [retryRefund(OPERATOR), at(2 * HOUR)],
      [startRefundCall(), at(2 * HOUR + 1)],
      [refundSucceeded(), at(2 * HOUR + 2)],
      [deliver(at(2 * HOUR + 3)), at(2 * HOUR + 3)],
      [complete(), at(2 * HOUR + 4)],
    ];
    let record = makeRecord(makeOrder(), []);
    for (const [event, now] of events) {
      const frozen = deepFreeze(structuredClone(record));
      const copy = structuredClone(frozen);
      const refused = transition(frozen, withdraw(STRANGER), now);
      expect(refused.ok).toBe(false);
      const result = transition(frozen, event, now);
      expect(frozen).toEqual(copy);
      if (!result.ok) throw new Error(`${event.type}: ${result.error.code}`);
      record = result.record;
    }
    expect(record.order.status).toBe("CANCELLED");
  });
});
