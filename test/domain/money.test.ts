// Example tests of SPEC's "Money and recovery" rules in `transition`: a delivery asks the provider
// before it turns a request into a return, a refund call's lease holds off such conclusions, a
// declined or redirected refund gets a new key while a transient failure keeps its key, and a
// refund found made is recorded instead of being made again. Also `alreadyApplied`, which answers
// a retried write whose first answer was lost.
import { describe, expect, it } from "vitest";
import { DomainError, type DomainEvent } from "../../functions/domain/events.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import {
  firstRefundId,
  nextRefundId,
  REFUND_CALL_LEASE_SECONDS,
  refundToAskAbout,
} from "../../functions/domain/refund.ts";
import { alreadyApplied } from "../../functions/domain/replays.ts";
import { addSeconds } from "../../functions/domain/requests.ts";
import { SYSTEM, transition } from "../../functions/domain/transition.ts";
import type { OrderRecord } from "../../functions/domain/types.ts";
import { toPublicOrder } from "../../functions/domain/views.ts";
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
  OPERATOR,
  operatorApprove,
  operatorReject,
  policyApprove,
  REQ,
  refundDeclined,
  refundFailed,
  refundSucceeded,
  requestCancellation,
  retryRefund,
  SELLER,
  STRANGER,
  sellerApprove,
  sellerReject,
  ship,
  shown,
  shownTimeline,
  startRefundCall,
  T0,
  timelineOf,
  wake,
  withdraw,
  workflowStarted,
} from "./flow.ts";

const KEY = `rf-${REQ}`;
/** When the refund function takes its call's lease in `claimed()`. */
const CALL = at(2 * HOUR + 10);
/** The first instant the lease no longer holds. */
const LEASE_ENDS = addSeconds(CALL, REFUND_CALL_LEASE_SECONDS);

/** REFUND_PENDING, refund claimed under its key, and a provider call begun at CALL. */
const claimed = (): Flow => {
  const flow = approvedFlow();
  flow.apply(instructRefund(), at(2 * HOUR));
  expect(flow.apply(startRefundCall(), CALL)).toEqual([]);
  return flow;
};

/** REFUND_FAILED after the call of `claimed()`: transient (retries ran out) or declined. */
const failed = (declined = false): Flow => {
  const flow = claimed();
  const event = declined ? refundDeclined("card closed") : refundFailed("provider timeout");
  expect(flow.apply(event, LEASE_ENDS)).toEqual([email("OPERATOR_REFUND_FAILED", "OPERATORS")]);
  expect(flow.request()).toMatchObject({
    status: "REFUND_FAILED",
    refund: { status: "FAILED", refundId: KEY, declined, attempts: 1 },
  });
  return flow;
};

/** A record whose active request's refund call started at `startedAt` (the lease then runs). */
const withLease = (record: OrderRecord, startedAt: string): OrderRecord => {
  const copy = structuredClone(record);
  const refund = copy.requests[REQ]?.refund;
  if (!refund) throw new Error("no refund to lease");
  refund.callStartedAt = startedAt;
  return copy;
};

/** The card refund's expected dates when approved on Saturday 2026-11-21 (Tokyo). */
const CARD_EXPECTED = { earliest: "2026-11-26", latest: "2026-12-07" };

// ---- delivery while the refund is pending -------------------------------------------------------

describe("delivery during REFUND_PENDING, the refund claimed but not recorded as made", () => {
  it("asks the provider about the claimed key (and nothing before the claim)", () => {
    const flow = approvedFlow();
    expect(refundToAskAbout(flow.record, at(2 * HOUR))).toBeUndefined();
    flow.apply(instructRefund(), at(2 * HOUR));
    expect(refundToAskAbout(flow.record, at(2 * HOUR + 1))).toBe(KEY);
    flow.apply(refundSucceeded(), at(3 * HOUR));
    expect(refundToAskAbout(flow.record, at(3 * HOUR + 1))).toBeUndefined();
  });

  // Nothing waits in REFUND_PENDING: the execution is in its segment, which finds the request
  // decided when it next writes.
  it("refund made: the refund is recorded, the request COMPLETED and the order CANCELLED", () => {
    const flow = claimed();
    const deliveredAt = at(3 * HOUR);
    expect(flow.apply(deliver(deliveredAt, CARRIER, true), at(3 * HOUR + 5))).toEqual([
      email("BUYER_REFUND_COMPLETED", "BUYER"),
      email("SELLER_OUTCOME", "SELLER"),
      // The buyer holds refunded goods: how to send them back, and the seller told.
      email("BUYER_RETURN_INSTRUCTIONS", "BUYER"),
      email("SELLER_PARCEL_KEPT", "SELLER"),
    ]);
    const request = flow.request();
    expect(request.status).toBe("COMPLETED");
    expect(request.refund).toMatchObject({
      status: "SUCCEEDED",
      refundId: KEY,
      amount: 5480,
      method: "CARD",
      succeededAt: at(3 * HOUR + 5),
    });
    expect(timelineOf(request).slice(-3)).toEqual([
      ["REFUND_INSTRUCTED", SYSTEM],
      ["REFUND_SUCCEEDED", SYSTEM],
      ["COMPLETED", SYSTEM],
    ]);
    expect(flow.order).toMatchObject({
      status: "CANCELLED",
      deliveredAt,
      activeCancellationRequestId: null,
    });
    // The parcel the buyer took holds what was just refunded: a return of it is opened.
    expect(shownTimeline(flow.order.timeline)).toEqual([
      { at: at(3 * HOUR + 5), type: "DELIVERED", actor: CARRIER },
      { at: at(3 * HOUR + 5), type: "CANCELLED", actor: SYSTEM },
      { at: at(3 * HOUR + 5), type: "DELIVERED_AFTER_CANCELLATION", actor: CARRIER },
    ]);
    expect(flow.order.return).toMatchObject({ status: "REQUESTED", lines: [{ quantity: 1 }] });
    // The workflow's own steps come too late and change nothing.
    expect(flow.refuse(refundSucceeded(), at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(complete(), at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(startRefundCall(), at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(toPublicOrder(flow.record, at(4 * HOUR), DEFAULT_POLICY).cancellationOption).toEqual({
      kind: "NONE",
      reason: "ALREADY_CANCELLED",
    });
  });

  it("refund not made: RETURN_REQUIRED and nothing is refunded, now or later", () => {
    const flow = claimed();
    expect(flow.apply(deliver(at(3 * HOUR), CARRIER, false), at(3 * HOUR))).toEqual([
      email("BUYER_RETURN_REQUIRED", "BUYER"),
      email("SELLER_OUTCOME", "SELLER"),
    ]);
    const request = flow.request();
    expect(request.status).toBe("RETURN_REQUIRED");
    expect(request.refund).toMatchObject({
      status: "NOT_REQUIRED",
      refundId: KEY,
      succeededAt: null,
    });
    expect(timelineOf(request).at(-1)).toEqual(["RETURN_REQUIRED", SYSTEM]);
    expect(timelineOf(request).map(([type]) => type)).not.toContain("REFUND_SUCCEEDED");
    expect(flow.order).toMatchObject({ status: "DELIVERED", activeCancellationRequestId: null });
    expect(timelineOf(flow.order)).toEqual([["DELIVERED", CARRIER]]);
    // No money may move any more: the refund function can neither call nor record a success.
    expect(flow.refuse(startRefundCall(), at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(refundSucceeded(), at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(refundFailed("late"), at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(complete(), at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(toPublicOrder(flow.record, at(4 * HOUR), DEFAULT_POLICY).cancellationOption).toEqual({
      kind: "RETURN",
      reason: "RETURN_REQUIRED",
    });
  });

  it("while the call's lease runs: REFUND_IN_FLIGHT with the seconds left, nothing changed", () => {
    const flow = claimed();
    for (const [now, left] of [
      [CALL, 60],
      [addSeconds(CALL, 20), 40],
      [addSeconds(CALL, 59.5), 1],
    ] as const) {
      for (const refundMade of [true, false, undefined]) {
        const error = flow.refuse(deliver(now, CARRIER, refundMade), now);
        expect(error.code).toBe("REFUND_IN_FLIGHT");
        expect(error.details.retryAfterSeconds).toBe(left);
      }
      // The app's question to the domain refuses the same way, before asking the provider.
      expect(() => refundToAskAbout(flow.record, now)).toThrow(DomainError);
    }
    // From the lease's end the delivery is decided.
    flow.apply(deliver(LEASE_ENDS, CARRIER, false), LEASE_ENDS);
    expect(flow.request().status).toBe("RETURN_REQUIRED");
  });

  it("without the provider's answer the caller has a bug: a plain Error, not a refusal", () => {
    const flow = claimed();
    expect(() => transition(flow.record, deliver(LEASE_ENDS), LEASE_ENDS)).toThrow(/refundMade/);
    expect(() => transition(flow.record, deliver(LEASE_ENDS), LEASE_ENDS)).not.toThrow(DomainError);
  });

  it("before the claim: RETURN_REQUIRED, nothing to ask, and an answer given anyway is ignored", () => {
    const flow = approvedFlow();
    expect(refundToAskAbout(flow.record, at(2 * HOUR))).toBeUndefined();
    flow.apply(deliver(at(2 * HOUR), CARRIER, true), at(2 * HOUR));
    expect(flow.request()).toMatchObject({
      status: "RETURN_REQUIRED",
      refund: { status: "NOT_REQUIRED", refundId: null, succeededAt: null },
    });
    expect(flow.order.status).toBe("DELIVERED");
  });

  it.each(["REQUESTED", "AWAITING_SELLER", "AWAITING_MARKETPLACE"] as const)(
    "while %s: RETURN_REQUIRED without asking the provider",
    (status) => {
      // Only the seller's wait can hold an execution here (the policy reviews a small refund).
      const waited = status === "AWAITING_SELLER";
      const flow = Flow.shipped();
      flow.apply(requestCancellation(), T0);
      if (status !== "REQUESTED") flow.apply(workflowStarted(), at(1));
      if (status === "AWAITING_MARKETPLACE") flow.apply(sellerApprove(), at(HOUR));
      expect(flow.request().status).toBe(status);
      expect(refundToAskAbout(flow.record, at(2 * HOUR))).toBeUndefined();
      expect(flow.apply(deliver(at(2 * HOUR)), at(2 * HOUR))).toEqual([
        email("BUYER_RETURN_REQUIRED", "BUYER"),
        email("SELLER_OUTCOME", "SELLER"),
        ...(waited ? [wake()] : []),
      ]);
      expect(flow.request()).toMatchObject({ status: "RETURN_REQUIRED", refund: null });
    },
  );

  it("cash on delivery, approved: nothing to ask, the request becomes a return", () => {
    const flow = approvedFlow({ payment: { method: "CASH_ON_DELIVERY" } });
    expect(refundToAskAbout(flow.record, at(2 * HOUR))).toBeUndefined();
    flow.apply(deliver(at(2 * HOUR)), at(2 * HOUR));
    expect(flow.request()).toMatchObject({
      status: "RETURN_REQUIRED",
      refund: { status: "NOT_REQUIRED", amount: 0 },
    });
  });
});

// ---- delivery while the refund waits for an operator --------------------------------------------

describe("delivery during REFUND_FAILED", () => {
  it.each([false, true])("asks about the key (declined: %s)", (declined) => {
    expect(refundToAskAbout(failed(declined).record, at(DAY))).toBe(KEY);
  });

  it("refund made after all: COMPLETED, the order CANCELLED", () => {
    const flow = failed();
    expect(flow.apply(deliver(at(DAY), CARRIER, true), at(DAY))).toEqual([
      email("BUYER_REFUND_COMPLETED", "BUYER"),
      email("SELLER_OUTCOME", "SELLER"),
      email("BUYER_RETURN_INSTRUCTIONS", "BUYER"),
      email("SELLER_PARCEL_KEPT", "SELLER"),
      wake(),
    ]);
    expect(flow.request()).toMatchObject({
      status: "COMPLETED",
      refund: { status: "SUCCEEDED", refundId: KEY, succeededAt: at(DAY) },
      refundRetryDeadline: null,
    });
    expect(timelineOf(flow.request()).slice(-3)).toEqual([
      ["REFUND_FAILED", SYSTEM],
      ["REFUND_SUCCEEDED", SYSTEM],
      ["COMPLETED", SYSTEM],
    ]);
    expect(timelineOf(flow.order)).toEqual([
      ["DELIVERED", CARRIER],
      ["CANCELLED", SYSTEM],
      ["DELIVERED_AFTER_CANCELLATION", CARRIER],
    ]);
    expect(flow.order.return?.status).toBe("REQUESTED");
    expect(flow.order.activeCancellationRequestId).toBeNull();
    expect(flow.refuse(retryRefund(OPERATOR), at(DAY + 1)).code).toBe("INVALID_STATE");
  });

  it.each([false, true])(
    "refund not made (declined: %s): RETURN_REQUIRED, never retried",
    (declined) => {
      const flow = failed(declined);
      expect(flow.apply(deliver(at(DAY), CARRIER, false), at(DAY))).toEqual([
        email("BUYER_RETURN_REQUIRED", "BUYER"),
        email("SELLER_OUTCOME", "SELLER"),
        wake(),
      ]);
      expect(flow.request()).toMatchObject({
        status: "RETURN_REQUIRED",
        refund: { status: "NOT_REQUIRED", refundId: KEY, succeededAt: null },
        // Nobody waits for a retry of it any more.
        refundRetryDeadline: null,
      });
      expect(flow.order.status).toBe("DELIVERED");
      // Neither the operator nor the wait's deadline can refund a returned parcel now.
      expect(flow.refuse(retryRefund(OPERATOR), at(DAY + 1)).code).toBe("INVALID_STATE");
      expect(flow.refuse(retryRefund(SYSTEM, REQ, { method: "GIFT_CARD" }), at(4 * DAY)).code).toBe(
        "INVALID_STATE",
      );
    },
  );

  it("while a call's lease runs: REFUND_IN_FLIGHT", () => {
    const flow = failed();
    const record = withLease(flow.record, at(DAY));
    const result = transition(record, deliver(at(DAY + 15), CARRIER, false), at(DAY + 15));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("REFUND_IN_FLIGHT");
    expect(result.error.details.retryAfterSeconds).toBe(45);
  });
});

// ---- deliveredAt --------------------------------------------------------------------------------

describe("deliveredAt validation", () => {
  const SHIPPED_AT = "2026-11-20T03:00:00.000Z";

  it("may not be before the shipment: VALIDATION_FAILED on body.deliveredAt", () => {
    const flow = Flow.shipped().requested();
    const error = flow.refuse(deliver(addSeconds(SHIPPED_AT, -0.001)), at(HOUR));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details).toEqual({ field: "body.deliveredAt" });
    flow.apply(deliver(SHIPPED_AT), at(HOUR));
    expect(flow.order.deliveredAt).toBe(SHIPPED_AT);
  });

  it("may be at most 5 minutes ahead of the clock", () => {
    const flow = Flow.shipped().requested();
    const now = at(HOUR);
    const error = flow.refuse(deliver(addSeconds(now, 300.001)), now);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details).toEqual({ field: "body.deliveredAt" });
    expect(flow.refuse(deliver(addSeconds(now, DAY)), now).code).toBe("VALIDATION_FAILED");
    flow.apply(deliver(addSeconds(now, 300)), now);
    expect(flow.order.deliveredAt).toBe(addSeconds(now, 300));
  });

  it("is checked before anything else about the order's refund", () => {
    const flow = claimed();
    // Bad input is a 400 even while a refund call may land (which would be a 503).
    expect(flow.refuse(deliver(addSeconds(CALL, 3600)), CALL).code).toBe("VALIDATION_FAILED");
    expect(flow.refuse(deliver(addSeconds(SHIPPED_AT, -1)), CALL).code).toBe("VALIDATION_FAILED");
  });

  it("of an order never shipped: NOT_SHIPPED whatever the time", () => {
    const flow = Flow.shipped({ status: "PLACED", shipment: null });
    expect(flow.refuse(deliver(addSeconds(T0, DAY)), T0).code).toBe("NOT_SHIPPED");
  });
});

// ---- failures and retries -----------------------------------------------------------------------

describe("a transient failure, then a retry", () => {
  it("keeps the key, the method and the expected dates", () => {
    const flow = failed();
    expect(flow.request().refund).toMatchObject({
      method: "CARD",
      expectedBy: CARD_EXPECTED,
    });
    expect(flow.apply(retryRefund(OPERATOR), at(3 * DAY))).toEqual([wake()]);
    expect(flow.request()).toMatchObject({
      status: "REFUND_PENDING",
      refundRetryDeadline: null,
      refund: {
        status: "PENDING",
        refundId: KEY,
        method: "CARD",
        expectedBy: CARD_EXPECTED,
        declined: false,
        instructedAt: at(2 * HOUR),
      },
    });
    expect(shown(flow.request().timeline.at(-1))).toEqual({
      at: at(3 * DAY),
      type: "REFUND_RETRIED",
      actor: OPERATOR,
    });
  });

  it("naming the same method keeps the key too", () => {
    const flow = failed();
    flow.apply(retryRefund(OPERATOR, REQ, { method: "CARD" }), at(DAY));
    expect(flow.request().refund).toMatchObject({ refundId: KEY, method: "CARD" });
    expect(flow.request().timeline.at(-1)).not.toHaveProperty("note");
  });
});

describe("a decline, then retries", () => {
  it("every retry after a decline uses a new key; the fallback goes to gift balance", () => {
    const flow = failed(true);
    const declinedAt = LEASE_ENDS;
    expect(flow.request().refundRetryDeadline).toBe(addSeconds(declinedAt, 3 * DAY));

    // The operator retries the card (Tuesday 11-24 in Tokyo): a new key, new expected dates.
    expect(flow.apply(retryRefund(OPERATOR), at(3 * DAY))).toEqual([wake()]);
    expect(flow.request().refund).toMatchObject({
      status: "PENDING",
      refundId: `${KEY}-2`,
      method: "CARD",
      declined: false,
      expectedBy: { earliest: "2026-11-27", latest: "2026-12-08" },
      instructedAt: at(2 * HOUR),
      attempts: 1,
    });
    expect(timelineOf(flow.request()).at(-1)).toEqual(["REFUND_RETRIED", OPERATOR]);

    // Declined again; nobody acts, and at the wait's deadline the policy's fallback applies.
    flow.apply(startRefundCall(), at(3 * DAY + 10));
    flow.apply(refundDeclined("account closed"), at(3 * DAY + 20));
    expect(flow.request().refund).toMatchObject({
      status: "FAILED",
      refundId: `${KEY}-2`,
      declined: true,
      attempts: 2,
    });
    const deadline = flow.request().refundRetryDeadline ?? "";
    expect(deadline).toBe(at(6 * DAY + 20));
    // At the wait's deadline: the waiting execution applies it, ending its own wait.
    expect(flow.apply(retryRefund(SYSTEM, REQ, { method: "GIFT_CARD" }), deadline)).toEqual([
      wake(),
    ]);
    expect(flow.request().refund).toMatchObject({
      status: "PENDING",
      refundId: `${KEY}-3`,
      method: "GIFT_CARD",
      declined: false,
      // Gift balance is credited the same day (Friday 11-27 in Tokyo).
      expectedBy: { earliest: "2026-11-27", latest: "2026-11-27" },
    });
    expect(shown(flow.request().timeline.at(-1))).toEqual({
      at: deadline,
      type: "REFUND_RETRIED",
      actor: SYSTEM,
      note: "GIFT_CARD",
    });

    flow.apply(startRefundCall(), addSeconds(deadline, 1));
    expect(flow.apply(refundSucceeded(), addSeconds(deadline, 2))).toEqual([
      email("BUYER_REFUND_COMPLETED", "BUYER"),
    ]);
    flow.apply(complete(), addSeconds(deadline, 3));
    expect(flow.request()).toMatchObject({
      status: "COMPLETED",
      refund: { status: "SUCCEEDED", refundId: `${KEY}-3`, method: "GIFT_CARD", attempts: 3 },
    });
    expect(timelineOf(flow.request()).slice(4)).toEqual([
      ["REFUND_INSTRUCTED", SYSTEM],
      ["REFUND_FAILED", SYSTEM],
      ["REFUND_RETRIED", OPERATOR],
      ["REFUND_FAILED", SYSTEM],
      ["REFUND_RETRIED", SYSTEM],
      ["REFUND_SUCCEEDED", SYSTEM],
      ["COMPLETED", SYSTEM],
    ]);
    expect(flow.order.status).toBe("CANCELLED");
  });

  it("an operator's gift-balance retry after a decline takes one new key, not two", () => {
    const flow = failed(true);
    flow.apply(retryRefund(OPERATOR, REQ, { method: "GIFT_CARD" }), at(DAY));
    expect(flow.request().refund).toMatchObject({ refundId: `${KEY}-2`, method: "GIFT_CARD" });
  });
});

describe("a retry to gift balance (another method)", () => {
  it("uses a new key, the new method and its expected dates, noted on the timeline", () => {
    const flow = failed();
    // Sunday 2026-11-22 09:00 in Tokyo.
    expect(flow.apply(retryRefund(OPERATOR, REQ, { method: "GIFT_CARD" }), at(DAY))).toEqual([
      wake(),
    ]);
    expect(flow.request().refund).toMatchObject({
      status: "PENDING",
      refundId: `${KEY}-2`,
      method: "GIFT_CARD",
      expectedBy: { earliest: "2026-11-22", latest: "2026-11-22" },
      amount: 5480,
    });
    expect(shown(flow.request().timeline.at(-1))).toEqual({
      at: at(DAY),
      type: "REFUND_RETRIED",
      actor: OPERATOR,
      note: "GIFT_CARD",
    });
  });

  it("is no change of method for a convenience-store payment (already gift balance)", () => {
    const flow = approvedFlow({ payment: { method: "CONVENIENCE_STORE" } });
    flow.apply(instructRefund(), at(2 * HOUR));
    flow.apply(refundFailed("provider timeout"), at(3 * HOUR));
    flow.apply(retryRefund(OPERATOR, REQ, { method: "GIFT_CARD" }), at(DAY));
    expect(flow.request().refund).toMatchObject({ refundId: KEY, method: "GIFT_CARD" });
    expect(shown(flow.request().timeline.at(-1))).toEqual({
      at: at(DAY),
      type: "REFUND_RETRIED",
      actor: OPERATOR,
    });
  });
});

describe("a retry to a method that is not the marketplace's own balance", () => {
  it.each(["CARD", "CASH_ON_DELIVERY"] as const)("is refused for %s, nothing changed", (method) => {
    const flow = approvedFlow({ payment: { method: "CONVENIENCE_STORE" } });
    flow.apply(instructRefund(), at(2 * HOUR));
    flow.apply(refundFailed("provider timeout"), at(3 * HOUR));
    const refused = flow.refuse(retryRefund(OPERATOR, REQ, { method }), at(DAY));
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect(flow.request()).toMatchObject({
      status: "REFUND_FAILED",
      refund: { method: "GIFT_CARD" },
    });
  });

  it("is allowed to points, the other balance the marketplace keeps", () => {
    const flow = failed();
    flow.apply(retryRefund(OPERATOR, REQ, { method: "POINTS" }), at(DAY));
    expect(flow.request().refund).toMatchObject({ method: "POINTS", refundId: `${KEY}-2` });
  });
});

describe("a retry that finds the refund made", () => {
  it("records the success under the old key instead of refunding again", () => {
    const flow = failed();
    expect(flow.apply(retryRefund(OPERATOR, REQ, { refundMade: true }), at(DAY))).toEqual([
      email("BUYER_REFUND_COMPLETED", "BUYER"),
      wake(),
    ]);
    const request = flow.request();
    expect(request).toMatchObject({
      status: "REFUND_PENDING",
      refundRetryDeadline: null,
      refund: {
        status: "SUCCEEDED",
        refundId: KEY,
        method: "CARD",
        succeededAt: at(DAY),
        declined: false,
      },
    });
    // The operator's retry is on record (so a repeat of it is a replay), then the refund it found.
    expect(request.timeline.slice(-2).map(shown)).toEqual([
      { at: at(DAY), type: "REFUND_RETRIED", actor: OPERATOR },
      { at: at(DAY), type: "REFUND_SUCCEEDED", actor: SYSTEM },
    ]);
    expect(alreadyApplied(flow.record, retryRefund(OPERATOR, REQ, { refundMade: false }))).toBe(
      true,
    );
    // Nothing more to call the provider for; the workflow completes the cancellation.
    expect(flow.refuse(startRefundCall(), at(DAY + 1)).code).toBe("INVALID_STATE");
    expect(flow.refuse(refundSucceeded(), at(DAY + 1)).code).toBe("INVALID_STATE");
    flow.apply(complete(), at(DAY + 2));
    expect(flow.request().status).toBe("COMPLETED");
    expect(flow.order.status).toBe("CANCELLED");
  });

  it("keeps the method the money went to, whatever method the retry named", () => {
    const flow = failed();
    flow.apply(retryRefund(OPERATOR, REQ, { refundMade: true, method: "GIFT_CARD" }), at(DAY));
    expect(flow.request().refund).toMatchObject({
      status: "SUCCEEDED",
      refundId: KEY,
      method: "CARD",
      expectedBy: CARD_EXPECTED,
    });
  });

  it("by the system at the wait's deadline: recorded the same way", () => {
    const flow = failed();
    const deadline = flow.request().refundRetryDeadline ?? "";
    expect(flow.apply(retryRefund(SYSTEM, REQ, { refundMade: true }), deadline)).toEqual([
      email("BUYER_REFUND_COMPLETED", "BUYER"),
      wake(),
    ]);
    expect(flow.request().refund?.status).toBe("SUCCEEDED");
  });
});

describe("a retry while a refund call may still land", () => {
  it("is refused with REFUND_IN_FLIGHT until the lease ends", () => {
    const flow = failed();
    const started = at(DAY);
    const record = withLease(flow.record, started);
    for (const actor of [OPERATOR, SYSTEM]) {
      for (const refundMade of [false, true]) {
        const result = transition(
          record,
          retryRefund(actor, REQ, { refundMade }),
          addSeconds(started, 50),
        );
        expect(result.ok).toBe(false);
        if (result.ok) continue;
        expect(result.error.code).toBe("REFUND_IN_FLIGHT");
        expect(result.error.details.retryAfterSeconds).toBe(10);
      }
    }
    const later = transition(
      record,
      retryRefund(OPERATOR),
      addSeconds(started, REFUND_CALL_LEASE_SECONDS),
    );
    expect(later.ok).toBe(true);
  });
});

// ---- the call's lease ---------------------------------------------------------------------------

describe("START_REFUND_CALL", () => {
  it("takes the lease: callStartedAt only, no timeline entry, nothing to send or wake", () => {
    const flow = approvedFlow();
    flow.apply(instructRefund(), at(2 * HOUR));
    const before = structuredClone(flow.record);
    expect(flow.apply(startRefundCall(), CALL)).toEqual([]);
    const expected = structuredClone(before);
    const refund = expected.requests[REQ]?.refund;
    if (refund) refund.callStartedAt = CALL;
    expect(flow.record).toEqual(expected);
    // A later invocation of the refund function takes it anew.
    flow.apply(startRefundCall(), at(5 * HOUR));
    expect(flow.request().refund?.callStartedAt).toBe(at(5 * HOUR));
    expect(flow.request().timeline).toEqual(before.requests[REQ]?.timeline);
  });

  it("needs a claimed refund still pending, while REFUND_PENDING", () => {
    const flow = Flow.shipped().requested();
    expect(flow.refuse(startRefundCall(), at(HOUR)).code).toBe("INVALID_STATE");
    flow.apply(sellerApprove(), at(HOUR));
    expect(flow.refuse(startRefundCall(), at(HOUR)).code).toBe("INVALID_STATE");
    flow.apply(policyApprove(), at(HOUR + 1));
    // Approved, not claimed: no key to call the provider with.
    expect(flow.refuse(startRefundCall(), at(HOUR + 2)).code).toBe("INVALID_STATE");
    flow.apply(instructRefund(), at(2 * HOUR));
    flow.apply(startRefundCall(), at(2 * HOUR + 1));
    flow.apply(refundFailed("provider timeout"), at(3 * HOUR));
    expect(flow.refuse(startRefundCall(), at(3 * HOUR + 1)).code).toBe("INVALID_STATE");
    flow.apply(retryRefund(OPERATOR), at(4 * HOUR));
    flow.apply(startRefundCall(), at(4 * HOUR + 1));
    flow.apply(refundSucceeded(), at(4 * HOUR + 2));
    expect(flow.refuse(startRefundCall(), at(4 * HOUR + 3)).code).toBe("INVALID_STATE");
    expect(flow.refuse(startRefundCall("req-unknown"), at(4 * HOUR + 3)).code).toBe("NOT_FOUND");
  });

  it("needs the order still in transit", () => {
    const flow = approvedFlow();
    flow.apply(instructRefund(), at(2 * HOUR));
    // A record where the order was delivered while its request still waits for the refund.
    const record = structuredClone(flow.record);
    record.order.status = "DELIVERED";
    record.order.deliveredAt = at(2 * HOUR);
    const result = transition(record, startRefundCall(), at(3 * HOUR));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe("INVALID_STATE");
  });
});

// ---- refund keys --------------------------------------------------------------------------------

describe("refund keys", () => {
  it("start at rf-<requestId> and count up from 2", () => {
    expect(firstRefundId("req-1")).toBe("rf-req-1");
    expect(nextRefundId("req-1", "rf-req-1")).toBe("rf-req-1-2");
    expect(nextRefundId("req-1", "rf-req-1-2")).toBe("rf-req-1-3");
    expect(nextRefundId("req-1", "rf-req-1-9")).toBe("rf-req-1-10");
    expect(nextRefundId("req-1", "rf-req-1-10")).toBe("rf-req-1-11");
  });

  it("count the request's keys, whatever digits its id ends with", () => {
    expect(nextRefundId("req-2", firstRefundId("req-2"))).toBe("rf-req-2-2");
    expect(nextRefundId("req-2", "rf-req-2-2")).toBe("rf-req-2-3");
    expect(nextRefundId("a", "rf-a")).toBe("rf-a-2");
  });

  it("never repeat along a chain", () => {
    const keys = [firstRefundId("r")];
    for (let i = 0; i < 20; i++) keys.push(nextRefundId("r", keys.at(-1) ?? ""));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.at(-1)).toBe("rf-r-21");
  });
});

// ---- replays ------------------------------------------------------------------------------------

describe("alreadyApplied: a retried write that took effect is answered as success", () => {
  /** True, and the replay is indeed refused by `transition` (it would not apply twice). */
  const applied = (record: OrderRecord, event: DomainEvent, now: string) => {
    expect(alreadyApplied(record, event)).toBe(true);
    expect(transition(record, event, now).ok).toBe(false);
  };

  it("SELLER_DECIDE APPROVE: the same seller's approval", () => {
    const flow = Flow.shipped().requested();
    expect(alreadyApplied(flow.record, sellerApprove())).toBe(false);
    flow.apply(sellerApprove(), at(HOUR));
    applied(flow.record, sellerApprove(), at(HOUR + 1));
    expect(alreadyApplied(flow.record, sellerApprove(STRANGER))).toBe(false);
    expect(alreadyApplied(flow.record, sellerApprove(BUYER))).toBe(false);
    expect(alreadyApplied(flow.record, sellerReject("no"))).toBe(false);
    expect(alreadyApplied(flow.record, sellerApprove(SELLER, "req-unknown"))).toBe(false);
    expect(alreadyApplied(flow.record, sellerApprove(SELLER, "constructor"))).toBe(false);
  });

  it("SELLER_DECIDE REJECT: the same seller's rejection with the same reason", () => {
    const flow = Flow.shipped().requested();
    expect(alreadyApplied(flow.record, sellerReject("sold out"))).toBe(false);
    flow.apply(sellerReject("sold out"), at(HOUR));
    applied(flow.record, sellerReject("sold out"), at(HOUR + 1));
    expect(alreadyApplied(flow.record, sellerReject("another reason"))).toBe(false);
    expect(alreadyApplied(flow.record, sellerReject("sold out", STRANGER))).toBe(false);
    expect(alreadyApplied(flow.record, sellerApprove())).toBe(false);
  });

  const escalated = (): Flow => {
    const flow = Flow.shipped({ payment: { paidAmount: 45_000 } }).requested();
    flow.apply(sellerApprove(), at(HOUR));
    expect(flow.request().marketplaceReview).toBe("OPERATOR");
    return flow;
  };

  it("OPERATOR_DECIDE APPROVE: the same operator's approval", () => {
    const flow = escalated();
    expect(alreadyApplied(flow.record, operatorApprove())).toBe(false);
    flow.apply(operatorApprove(), at(2 * HOUR));
    applied(flow.record, operatorApprove(), at(2 * HOUR + 1));
    expect(alreadyApplied(flow.record, operatorApprove("op-2"))).toBe(false);
    expect(alreadyApplied(flow.record, operatorApprove(STRANGER))).toBe(false);
    expect(alreadyApplied(flow.record, operatorReject("fraud"))).toBe(false);
  });

  it("OPERATOR_DECIDE: an approval by the policy is no operator's", () => {
    const flow = approvedFlow();
    expect(flow.request().timeline.at(-1)?.type).toBe("MARKETPLACE_APPROVED");
    expect(alreadyApplied(flow.record, operatorApprove())).toBe(false);
  });

  it("OPERATOR_DECIDE REJECT: the same operator's rejection with the same reason", () => {
    const flow = escalated();
    flow.apply(operatorReject("fraud"), at(2 * HOUR));
    applied(flow.record, operatorReject("fraud"), at(2 * HOUR + 1));
    expect(alreadyApplied(flow.record, operatorReject("other"))).toBe(false);
    expect(alreadyApplied(flow.record, operatorReject("fraud", "op-2"))).toBe(false);
    expect(alreadyApplied(flow.record, operatorApprove())).toBe(false);
  });

  it("WITHDRAW: the buyer's withdrawal", () => {
    const flow = Flow.shipped().requested();
    expect(alreadyApplied(flow.record, withdraw())).toBe(false);
    flow.apply(withdraw(), at(HOUR));
    applied(flow.record, withdraw(), at(HOUR + 1));
    expect(alreadyApplied(flow.record, withdraw(STRANGER))).toBe(false);
    expect(alreadyApplied(flow.record, withdraw(SELLER))).toBe(false);
    expect(alreadyApplied(flow.record, withdraw(BUYER, "req-unknown"))).toBe(false);
  });

  it("WITHDRAW: a request that ended otherwise was not withdrawn", () => {
    const flow = Flow.shipped().requested();
    flow.apply(sellerReject("no"), at(HOUR));
    expect(alreadyApplied(flow.record, withdraw())).toBe(false);
  });

  it("RETRY_REFUND: the same actor's retry since the last failure", () => {
    // No failure, no retry: nothing to answer for.
    expect(alreadyApplied(claimed().record, retryRefund(OPERATOR))).toBe(false);
    const flow = failed();
    expect(alreadyApplied(flow.record, retryRefund(OPERATOR))).toBe(false);
    flow.apply(retryRefund(OPERATOR), at(DAY));
    applied(flow.record, retryRefund(OPERATOR), at(DAY + 1));
    expect(alreadyApplied(flow.record, retryRefund("op-2"))).toBe(false);
    expect(alreadyApplied(flow.record, retryRefund(STRANGER))).toBe(false);
    expect(alreadyApplied(flow.record, retryRefund(SYSTEM))).toBe(false);
    expect(alreadyApplied(flow.record, retryRefund(OPERATOR, "req-unknown"))).toBe(false);
    // A new failure needs a new retry: the earlier one no longer answers for it.
    flow.apply(startRefundCall(), at(DAY + 2));
    flow.apply(refundFailed("provider timeout"), at(DAY + 3));
    expect(alreadyApplied(flow.record, retryRefund(OPERATOR))).toBe(false);
    expect(transition(flow.record, retryRefund(OPERATOR), at(DAY + 4)).ok).toBe(true);
  });

  it("RETRY_REFUND: a retry to a method is the same retry only while the refund goes there", () => {
    const flow = failed();
    flow.apply(retryRefund(OPERATOR, REQ, { method: "GIFT_CARD" }), at(DAY));
    applied(flow.record, retryRefund(OPERATOR, REQ, { method: "GIFT_CARD" }), at(DAY + 1));
    // `{}` asks for the refund as it stands: the gift-balance retry on record answers it.
    expect(alreadyApplied(flow.record, retryRefund(OPERATOR))).toBe(true);
    const other = failed();
    other.apply(retryRefund(OPERATOR), at(DAY));
    expect(alreadyApplied(other.record, retryRefund(OPERATOR, REQ, { method: "GIFT_CARD" }))).toBe(
      false,
    );
  });

  it("RETRY_REFUND: a retry that found the refund made is answered again as that success", () => {
    const flow = failed();
    flow.apply(retryRefund(OPERATOR, REQ, { refundMade: true }), at(DAY));
    // Sent again, the use case now asks nothing (the request is no longer REFUND_FAILED).
    applied(flow.record, retryRefund(OPERATOR, REQ, { refundMade: false }), at(DAY + 1));
  });

  it("RETRY_REFUND: the system's retry at the wait's deadline", () => {
    const flow = failed();
    const deadline = flow.request().refundRetryDeadline ?? "";
    flow.apply(retryRefund(SYSTEM), deadline);
    applied(flow.record, retryRefund(SYSTEM), addSeconds(deadline, 1));
    expect(alreadyApplied(flow.record, retryRefund(OPERATOR))).toBe(false);
  });

  it("SHIP: the seller's same shipment", () => {
    const flow = Flow.shipped({ status: "PLACED", shipment: null });
    expect(alreadyApplied(flow.record, ship(T0))).toBe(false);
    flow.apply(ship(T0), T0);
    applied(flow.record, ship(T0), at(1));
    // The time may be the server's own on each attempt: the carrier and number identify it.
    applied(flow.record, ship(at(1)), at(1));
    expect(alreadyApplied(flow.record, ship(T0, STRANGER))).toBe(false);
    expect(alreadyApplied(flow.record, ship(T0, BUYER))).toBe(false);
    const other: DomainEvent = {
      type: "SHIP",
      actor: SELLER,
      shipment: { carrier: "Sagawa", trackingNumber: "1111-2222", shippedAt: T0 },
    };
    expect(alreadyApplied(flow.record, other)).toBe(false);
  });

  it("DELIVER: the same delivery", () => {
    const flow = Flow.shipped().requested();
    expect(alreadyApplied(flow.record, deliver(at(HOUR)))).toBe(false);
    flow.apply(deliver(at(HOUR)), at(HOUR));
    applied(flow.record, deliver(at(HOUR)), at(HOUR + 1));
    expect(alreadyApplied(flow.record, deliver(at(HOUR - 1)))).toBe(false);
    expect(transition(flow.record, deliver(at(HOUR - 1)), at(HOUR + 1)).ok).toBe(false);
    // Another sender of the same time did not send this delivery: no replay for it.
    expect(alreadyApplied(flow.record, deliver(at(HOUR), STRANGER))).toBe(false);
  });

  it("DELIVER: the same delivery that completed a cancellation", () => {
    const flow = claimed();
    flow.apply(deliver(at(3 * HOUR), CARRIER, true), at(3 * HOUR));
    expect(flow.order.status).toBe("CANCELLED");
    applied(flow.record, deliver(at(3 * HOUR)), at(3 * HOUR + 1));
  });

  it("never for events that are not a person's or carrier's write", () => {
    const flow = claimed();
    flow.apply(refundSucceeded(), at(3 * HOUR));
    flow.apply(complete(), at(3 * HOUR));
    for (const event of [
      requestCancellation(),
      workflowStarted(),
      policyApprove(),
      instructRefund(),
      startRefundCall(),
      refundSucceeded(),
      complete(),
    ]) {
      expect(alreadyApplied(flow.record, event), event.type).toBe(false);
    }
  });
});
