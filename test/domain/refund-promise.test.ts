// The refund promise in the domain: a refund not SUCCEEDED by the end of `expectedBy.latest` in the
// order's zone is late (marked once, with its timeline entry), and after that date the buyer of a
// completed request may say the money has not arrived; operators close the inquiry with a note.
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { dueMail, entryMail } from "../../functions/domain/notices.ts";
import { isPastPromise, isRefundLate, promiseEndsAt } from "../../functions/domain/refund.ts";
import { alreadyApplied } from "../../functions/domain/replays.ts";
import type { ProviderRefund, Refund } from "../../functions/domain/types.ts";
import { toPublicRequest } from "../../functions/domain/views.ts";
import { needsWorkflow } from "../../functions/domain/workflow-plan.ts";
import {
  approvedFlow,
  at,
  BUYER,
  complete,
  DAY,
  type Flow,
  HOUR,
  instructRefund,
  OPERATOR,
  REQ,
  refundFailed,
  refundSucceeded,
  retryRefund,
  STRANGER,
  startRefundCall,
  timelineOf,
} from "./flow.ts";

const STRIPE_ORDER = {
  payment: { method: "CARD", provider: "stripe", reference: "pi_3QPromise" },
} as const;

const markLate = (requestId = REQ): DomainEvent => ({ type: "MARK_REFUND_LATE", requestId });
const openInquiry = (comment: string | null = null, actor = BUYER): DomainEvent => ({
  type: "OPEN_REFUND_INQUIRY",
  actor,
  requestId: REQ,
  comment,
});
const closeInquiry = (note: string, actor = OPERATOR): DomainEvent => ({
  type: "CLOSE_REFUND_INQUIRY",
  actor,
  requestId: REQ,
  note,
});
const providerSays = (status: ProviderRefund["status"], failureReason?: string): DomainEvent => ({
  type: "PROVIDER_REFUND_UPDATE",
  actor: "stripe",
  requestId: REQ,
  refundId: `rf-${REQ}`,
  answer: { providerReference: "re_1", status, ...(failureReason ? { failureReason } : {}) },
  asked: false,
});

/** A refund with only what the promise reads. */
const refund = (overrides: Partial<Refund> = {}): Refund => ({
  amount: 5480,
  currency: "JPY",
  method: "CARD",
  status: "PENDING",
  refundId: "rf-1",
  expectedBy: { earliest: "2026-11-26", latest: "2026-12-04" },
  instructedAt: null,
  succeededAt: null,
  attempts: 1,
  ...overrides,
});

/** The end of the flow's refund promise, as the domain works it out. */
const endOf = (flow: Flow): string => {
  const promised = flow.request().refund;
  if (!promised?.expectedBy) throw new Error("no promise");
  return promiseEndsAt(promised.expectedBy, promised.currency);
};
const justBefore = (instant: string) => new Date(Date.parse(instant) - 1).toISOString();

/** A Stripe refund that answered `pending` and never settled. */
const pendingFlow = () => {
  const flow = approvedFlow(STRIPE_ORDER);
  flow.apply(instructRefund(), at(HOUR + 2));
  flow.apply(startRefundCall(), at(HOUR + 2));
  flow.apply(
    {
      type: "REFUND_AWAITED",
      requestId: REQ,
      answer: { providerReference: "re_1", status: "pending" },
    },
    at(HOUR + 3),
  );
  return flow;
};

/** A completed cancellation of a cash-on-delivery order: no refund was owed. */
const cashFlow = () => {
  const flow = approvedFlow({ payment: { method: "CASH_ON_DELIVERY", paidAmount: 0 } });
  flow.apply(complete(), at(HOUR + 2));
  return flow;
};

/** A completed cancellation whose refund succeeded at once. */
const completedFlow = () => {
  const flow = approvedFlow();
  flow.apply(instructRefund(), at(HOUR + 2));
  flow.apply(startRefundCall(), at(HOUR + 2));
  flow.apply(refundSucceeded(), at(HOUR + 3));
  flow.apply(complete(), at(HOUR + 3));
  return flow;
};

describe("the end of a promise, in the order's time zone", () => {
  it("is the next day's midnight in Tokyo for JPY: 15:00 UTC on `latest`", () => {
    expect(promiseEndsAt({ earliest: "2026-11-26", latest: "2026-12-04" }, "JPY")).toBe(
      "2026-12-04T15:00:00.000Z",
    );
    expect(promiseEndsAt({ earliest: "2026-12-24", latest: "2026-12-31" }, "JPY")).toBe(
      "2026-12-31T15:00:00.000Z",
    );
  });

  it("is the next day's midnight UTC for USD", () => {
    expect(promiseEndsAt({ earliest: "2026-11-26", latest: "2026-12-04" }, "USD")).toBe(
      "2026-12-05T00:00:00.000Z",
    );
    expect(promiseEndsAt({ earliest: "2026-12-24", latest: "2026-12-31" }, "USD")).toBe(
      "2027-01-01T00:00:00.000Z",
    );
  });

  it("makes a pending JPY refund late at 15:00 UTC of `latest`, not a millisecond before", () => {
    expect(isRefundLate(refund(), "2026-12-04T14:59:59.999Z")).toBe(false);
    expect(isRefundLate(refund(), "2026-12-04T15:00:00.000Z")).toBe(true);
    // A Tokyo clock reads 2026-12-04 23:59 and 2026-12-05 00:00 at those instants.
    expect(isRefundLate(refund(), "2026-12-04T23:59:00+09:00")).toBe(false);
    expect(isRefundLate(refund(), "2026-12-05T00:00:00+09:00")).toBe(true);
  });

  it("makes a USD refund late only at UTC midnight after `latest`", () => {
    const usd = refund({ currency: "USD" });
    expect(isRefundLate(usd, "2026-12-04T23:59:59.999Z")).toBe(false);
    expect(isRefundLate(usd, "2026-12-05T00:00:00.000Z")).toBe(true);
  });

  it("never makes late a refund that succeeded, needs none, promised nothing, or is marked already", () => {
    const after = "2026-12-10T00:00:00.000Z";
    expect(isRefundLate(refund({ status: "FAILED" }), after)).toBe(true);
    expect(isRefundLate(refund({ status: "SUCCEEDED" }), after)).toBe(false);
    expect(isRefundLate(refund({ status: "NOT_REQUIRED", expectedBy: null }), after)).toBe(false);
    expect(isRefundLate(refund({ expectedBy: null }), after)).toBe(false);
    expect(isRefundLate(refund({ late: true }), after)).toBe(false);
    expect(isRefundLate(null, after)).toBe(false);
    // The promise is over for an inquiry whatever the refund's status.
    expect(isPastPromise(refund({ status: "SUCCEEDED" }), after)).toBe(true);
    expect(isPastPromise(refund({ status: "SUCCEEDED" }), "2026-12-04T14:00:00.000Z")).toBe(false);
  });
});

describe("MARK_REFUND_LATE", () => {
  it("marks a refund still pending at the provider once its date is over, with a system entry", () => {
    const flow = pendingFlow();
    const end = endOf(flow);
    expect(flow.refuse(markLate(), justBefore(end)).code).toBe("INVALID_STATE");
    flow.apply(markLate(), end);
    const request = flow.request();
    expect(request.status).toBe("REFUND_PENDING");
    expect(request.refund).toMatchObject({ status: "PENDING", late: true });
    expect(request.timeline.at(-1)).toMatchObject({
      type: "REFUND_LATE",
      actor: "system",
      at: end,
    });
    // The entry is published as the request's next event, with the request as it stands.
    expect(request.timeline.at(-1)?.event).toMatchObject({ status: "REFUND_PENDING" });
    // Once: a second mark is refused, and is recognised as the first one's replay.
    expect(flow.refuse(markLate(), at(30 * DAY)).code).toBe("INVALID_STATE");
    expect(alreadyApplied(flow.record, markLate())).toBe(true);
  });

  it("marks a failed refund waiting for an operator", () => {
    const flow = approvedFlow();
    flow.apply(instructRefund(), at(HOUR + 2));
    flow.apply(startRefundCall(), at(HOUR + 2));
    flow.apply(refundFailed("PaymentProviderUnavailable"), at(HOUR + 3));
    flow.apply(markLate(), endOf(flow));
    expect(flow.request()).toMatchObject({ status: "REFUND_FAILED", refund: { late: true } });
  });

  it("marks a completed request's refund that the provider reversed, which still needs its workflow", () => {
    const flow = approvedFlow(STRIPE_ORDER);
    flow.apply(instructRefund(), at(HOUR + 2));
    flow.apply(startRefundCall(), at(HOUR + 2));
    flow.apply(
      {
        type: "REFUND_SUCCEEDED",
        requestId: REQ,
        answer: { providerReference: "re_1", status: "succeeded" },
      },
      at(HOUR + 3),
    );
    flow.apply(complete(), at(HOUR + 3));
    flow.apply(providerSays("failed", "expired_or_canceled_card"), at(2 * DAY));
    expect(needsWorkflow(flow.request())).toBe(true);
    flow.apply(markLate(), endOf(flow));
    expect(flow.request()).toMatchObject({
      status: "COMPLETED",
      refund: { status: "FAILED", reversed: true, late: true },
    });
    expect(timelineOf(flow.request()).slice(-2)).toEqual([
      ["REFUND_REVERSED", "system"],
      ["REFUND_LATE", "system"],
    ]);
  });

  it("refuses a refund that succeeded (in time or not) and a request without one", () => {
    const flow = completedFlow();
    expect(flow.refuse(markLate(), at(60 * DAY)).code).toBe("INVALID_STATE");
    const cash = cashFlow();
    expect(cash.request().refund?.status).toBe("NOT_REQUIRED");
    expect(cash.refuse(markLate(), at(60 * DAY)).code).toBe("INVALID_STATE");
    expect(cash.refuse(markLate("req-unknown"), at(60 * DAY)).code).toBe("NOT_FOUND");
  });

  it("stays late when the refund succeeds after its date", () => {
    const flow = pendingFlow();
    const end = endOf(flow);
    flow.apply(markLate(), end);
    flow.apply(providerSays("succeeded"), at(40 * DAY));
    expect(flow.request()).toMatchObject({
      status: "COMPLETED",
      refund: { status: "SUCCEEDED", late: true },
    });
  });

  it("is cleared by a retry that makes a new promise, which can be broken again", () => {
    const flow = approvedFlow();
    flow.apply(instructRefund(), at(HOUR + 2));
    flow.apply(startRefundCall(), at(HOUR + 2));
    flow.apply(
      { type: "REFUND_FAILED", requestId: REQ, error: "card_closed", declined: true },
      at(HOUR + 3),
    );
    flow.apply(markLate(), endOf(flow));
    // A declined key is spent: the retry is a new refund with a new date.
    flow.apply(retryRefund(OPERATOR), at(30 * DAY));
    const retried = flow.request().refund;
    expect(retried).toMatchObject({ status: "PENDING", late: false, refundId: `rf-${REQ}-2` });
    const end = endOf(flow);
    expect(Date.parse(end)).toBeGreaterThan(Date.parse(at(30 * DAY)));
    expect(flow.refuse(markLate(), justBefore(end)).code).toBe("INVALID_STATE");
    flow.apply(markLate(), end);
    expect(flow.request().timeline.filter((entry) => entry.type === "REFUND_LATE")).toHaveLength(2);
  });
});

describe("a refund inquiry", () => {
  it("is refused before the promised date is over, and before the request completed", () => {
    const flow = completedFlow();
    const end = endOf(flow);
    expect(flow.refuse(openInquiry("nothing yet"), justBefore(end)).code).toBe("INVALID_STATE");
    const pending = pendingFlow();
    expect(pending.refuse(openInquiry(), at(60 * DAY)).code).toBe("INVALID_STATE");
  });

  it("is refused for a refund that was never owed (cash on delivery): nothing was promised", () => {
    const cash = cashFlow();
    expect(cash.refuse(openInquiry(), at(60 * DAY)).code).toBe("INVALID_STATE");
  });

  it("is the buyer's alone: anyone else is told the order does not exist", () => {
    const flow = completedFlow();
    expect(flow.refuse(openInquiry(null, STRANGER), endOf(flow)).code).toBe("NOT_FOUND");
    expect(flow.refuse(openInquiry(null, OPERATOR), endOf(flow)).code).toBe("NOT_FOUND");
  });

  it("opens after the date on a completed request, once at a time; a repeat is a replay", () => {
    const flow = completedFlow();
    const end = endOf(flow);
    flow.apply(openInquiry("The card statement shows nothing."), end);
    const request = flow.request();
    expect(request.status).toBe("COMPLETED");
    expect(request.refundInquiry).toEqual({
      openedAt: end,
      comment: "The card statement shows nothing.",
      closedAt: null,
      closedBy: null,
      note: null,
    });
    expect(request.timeline.at(-1)).toMatchObject({
      type: "REFUND_INQUIRY_OPENED",
      actor: BUYER,
      note: "The card statement shows nothing.",
    });
    expect(alreadyApplied(flow.record, openInquiry("The card statement shows nothing."))).toBe(
      true,
    );
    // Another while one is open is refused, and is no replay.
    expect(flow.refuse(openInquiry("again"), at(40 * DAY)).code).toBe("INVALID_STATE");
    expect(alreadyApplied(flow.record, openInquiry("again"))).toBe(false);
  });

  it("is closed by an operator with a note that joins the timeline; a second close is refused", () => {
    const flow = completedFlow();
    flow.apply(openInquiry(), endOf(flow));
    expect(flow.request().timeline.at(-1)).not.toHaveProperty("note");
    flow.apply(closeInquiry("ARN 7424915 given to the buyer."), at(40 * DAY));
    expect(flow.request().refundInquiry).toMatchObject({
      closedAt: at(40 * DAY),
      closedBy: OPERATOR,
      note: "ARN 7424915 given to the buyer.",
    });
    expect(flow.request().timeline.at(-1)).toMatchObject({
      type: "REFUND_INQUIRY_CLOSED",
      actor: OPERATOR,
      note: "ARN 7424915 given to the buyer.",
    });
    expect(flow.refuse(closeInquiry("again"), at(41 * DAY)).code).toBe("INVALID_STATE");
    expect(alreadyApplied(flow.record, closeInquiry("ARN 7424915 given to the buyer."))).toBe(true);
    expect(alreadyApplied(flow.record, closeInquiry("another note"))).toBe(false);
    // The buyer may ask again once it is closed.
    flow.apply(openInquiry("still nothing"), at(50 * DAY));
    expect(flow.request().refundInquiry).toMatchObject({
      comment: "still nothing",
      closedAt: null,
    });
  });

  it("cannot be closed when none is open", () => {
    const flow = completedFlow();
    expect(flow.refuse(closeInquiry("nothing to close"), at(60 * DAY)).code).toBe("INVALID_STATE");
  });
});

describe("the request as clients see it", () => {
  it("shows `late` (false on refunds stored before it was kept) and the latest inquiry", () => {
    const flow = completedFlow();
    const stored = structuredClone(flow.request());
    delete stored.refundInquiry;
    if (stored.refund) delete stored.refund.late;
    const view = toPublicRequest(stored);
    expect(view.refund?.late).toBe(false);
    expect(view.refundInquiry).toBeNull();
    flow.apply(openInquiry("where is it?"), endOf(flow));
    expect(toPublicRequest(flow.request()).refundInquiry).toEqual({
      openedAt: endOf(flow),
      comment: "where is it?",
      closedAt: null,
      closedBy: null,
      note: null,
    });
  });
});

describe("what a broken promise and an inquiry mail", () => {
  const mailOf = (flow: Flow) =>
    flow
      .request()
      .timeline.map((entry) => [
        entry.type,
        entryMail(flow.request(), entry).map((mail) => `${mail.template}:${mail.to}`),
      ]);

  it("a late refund: the buyer's apology and the operators' alert, due until sent", () => {
    const flow = pendingFlow();
    flow.apply(markLate(), endOf(flow));
    expect(mailOf(flow).at(-1)).toEqual([
      "REFUND_LATE",
      ["BUYER_REFUND_LATE:BUYER", "OPERATOR_REFUND_LATE:OPERATORS"],
    ]);
    const position = flow.request().timeline.length - 1;
    expect(
      dueMail(flow.request())
        .slice(-2)
        .map((mail) => mail.key),
    ).toEqual([`${position}.BUYER_REFUND_LATE`, `${position}.OPERATOR_REFUND_LATE`]);
  });

  it("an inquiry: the operators' case when opened, nothing when closed", () => {
    const flow = completedFlow();
    flow.apply(openInquiry("nothing yet"), endOf(flow));
    flow.apply(closeInquiry("traced with the card issuer"), at(40 * DAY));
    expect(mailOf(flow).slice(-2)).toEqual([
      ["REFUND_INQUIRY_OPENED", ["OPERATOR_REFUND_INQUIRY:OPERATORS"]],
      ["REFUND_INQUIRY_CLOSED", []],
    ]);
  });
});
