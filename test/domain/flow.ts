// Shared by the example tests of `transition`: event builders, a driver that moves an order record
// through events (failing the test on any unexpected acceptance or refusal), and what each change
// implies once stored (`impliedBy`: the mail of its new timeline entries, a new request's start,
// the wake-up of a wait it moved on), with builders for those.
import { expect } from "vitest";
import type { DomainError, DomainEvent } from "../../functions/domain/events.ts";
import {
  dueEvents,
  dueMail,
  type EmailTemplate,
  entryMail,
  orderEntryMail,
  type Recipient,
} from "../../functions/domain/notices.ts";
import { DEFAULT_POLICY, type Policy } from "../../functions/domain/policy.ts";
import { eventIdOf } from "../../functions/domain/published-events.ts";
import { isSettling } from "../../functions/domain/refund.ts";
import { addSeconds, latestRequest } from "../../functions/domain/requests.ts";
import type { TrackingEventType } from "../../functions/domain/schemas.ts";
import { transition } from "../../functions/domain/transition.ts";
import type {
  CancellationRequest,
  OrderRecord,
  RefundMethod,
} from "../../functions/domain/types.ts";
import { needsWakeUp } from "../../functions/domain/workflow-plan.ts";
import { makeOrder, makeRecord, type OrderOverrides } from "../support/factories.ts";

export const BUYER = "buyer-1";
export const SELLER = "seller-1";
export const OPERATOR = "op-1";
export const STRANGER = "someone-else";
export const CARRIER = "system";
export const REQ = "req-1";

export const HOUR = 3600;
export const DAY = 86_400;
/** The request is made a day after shipment (the factory ships at 2026-11-20T03:00Z). */
export const T0 = "2026-11-21T00:00:00.000Z";
export const at = (seconds: number): string => addSeconds(T0, seconds);

export const policyWith = (overrides: Partial<Policy>): Policy => ({
  ...DEFAULT_POLICY,
  ...overrides,
});

// ---- events -------------------------------------------------------------------------------------

export const requestCancellation = (
  overrides: Partial<Extract<DomainEvent, { type: "REQUEST_CANCELLATION" }>> = {},
): DomainEvent => ({
  type: "REQUEST_CANCELLATION",
  actor: BUYER,
  requestId: REQ,
  reason: "NO_LONGER_NEEDED",
  comment: null,
  idempotencyKey: `idem-${overrides.requestId ?? REQ}`,
  requestHash: "a".repeat(64),
  policy: DEFAULT_POLICY,
  ...overrides,
});
export const workflowStarted = (requestId = REQ): DomainEvent => ({
  type: "WORKFLOW_STARTED",
  requestId,
});
export const remindSeller = (requestId = REQ): DomainEvent => ({
  type: "REMIND_SELLER",
  requestId,
});
export const sellerApprove = (actor = SELLER, requestId = REQ): DomainEvent => ({
  type: "SELLER_DECIDE",
  actor,
  requestId,
  decision: "APPROVE",
});
export const sellerReject = (reason: string, actor = SELLER, requestId = REQ): DomainEvent => ({
  type: "SELLER_DECIDE",
  actor,
  requestId,
  decision: "REJECT",
  reason,
});
export const sellerTimeout = (requestId = REQ): DomainEvent => ({
  type: "SELLER_TIMEOUT",
  requestId,
});
export const policyApprove = (requestId = REQ): DomainEvent => ({
  type: "POLICY_APPROVE",
  requestId,
});
export const operatorApprove = (actor = OPERATOR, requestId = REQ): DomainEvent => ({
  type: "OPERATOR_DECIDE",
  actor,
  requestId,
  decision: "APPROVE",
});
export const operatorReject = (reason: string, actor = OPERATOR, requestId = REQ): DomainEvent => ({
  type: "OPERATOR_DECIDE",
  actor,
  requestId,
  decision: "REJECT",
  reason,
});
export const marketplaceTimeout = (requestId = REQ): DomainEvent => ({
  type: "MARKETPLACE_TIMEOUT",
  requestId,
});
export const instructRefund = (requestId = REQ): DomainEvent => ({
  type: "INSTRUCT_REFUND",
  requestId,
});
export const startRefundCall = (requestId = REQ): DomainEvent => ({
  type: "START_REFUND_CALL",
  requestId,
});
export const refundSucceeded = (requestId = REQ): DomainEvent => ({
  type: "REFUND_SUCCEEDED",
  requestId,
});
/** A refund failure: retries ran out (`declined` false) or the provider refused for good. */
export const refundFailed = (error: string, requestId = REQ, declined = false): DomainEvent => ({
  type: "REFUND_FAILED",
  requestId,
  error,
  declined,
});
export const refundDeclined = (error: string, requestId = REQ): DomainEvent =>
  refundFailed(error, requestId, true);
/** A retry; by default the provider says no refund was made under the current key. */
export const retryRefund = (
  actor: string,
  requestId = REQ,
  options: { refundMade?: boolean; method?: RefundMethod } = {},
): DomainEvent => ({
  type: "RETRY_REFUND",
  actor,
  requestId,
  refundMade: options.refundMade ?? false,
  ...(options.method === undefined ? {} : { method: options.method }),
});
export const complete = (requestId = REQ): DomainEvent => ({ type: "COMPLETE", requestId });
export const withdraw = (actor = BUYER, requestId = REQ): DomainEvent => ({
  type: "WITHDRAW",
  actor,
  requestId,
});
export const ship = (shippedAt: string, actor = SELLER): DomainEvent => ({
  type: "SHIP",
  actor,
  shipment: { carrier: "Sagawa", trackingNumber: "9999-0000", shippedAt },
});
/** A delivery; `refundMade` is the provider's answer, passed only when given. */
export const deliver = (
  deliveredAt: string,
  actor = CARRIER,
  refundMade?: boolean,
): DomainEvent => ({
  type: "DELIVER",
  actor,
  deliveredAt,
  ...(refundMade === undefined ? {} : { refundMade }),
});
/** A carrier's word on the parcel (`carrier`: the carrier its client is bound to, if any). */
export const track = (
  type: TrackingEventType,
  reportedAt: string,
  actor = CARRIER,
  carrier?: string,
): DomainEvent => ({
  type: "TRACK_PARCEL",
  actor,
  event: type,
  at: reportedAt,
  ...(carrier === undefined ? {} : { carrier }),
});
/** The reconciler's mark of a return not back by its `dueBy`. */
export const markReturnOverdue = (): DomainEvent => ({ type: "MARK_RETURN_OVERDUE" });

// ---- a little driver ----------------------------------------------------------------------------

/** An order record moved through events; fails the test on any unexpected acceptance/refusal. */
export class Flow {
  constructor(public record: OrderRecord) {}

  static shipped(order: OrderOverrides = {}): Flow {
    return new Flow(makeRecord(makeOrder(order), []));
  }

  /** Applies an event that must be accepted; returns what the stored change implies. */
  apply(event: DomainEvent, now: string): Implied[] {
    const before = structuredClone(this.record);
    const result = transition(this.record, event, now);
    expect(this.record, `${event.type} mutated its input`).toEqual(before);
    if (!result.ok) {
      throw new Error(`${event.type} was refused: ${result.error.code} ${result.error.message}`);
    }
    checkNotices(before, result.record);
    this.record = result.record;
    return impliedBy(before, result.record);
  }

  /** Applies an event that must be refused; checks nothing changed and returns the error. */
  refuse(event: DomainEvent, now: string): DomainError {
    const before = structuredClone(this.record);
    const result = transition(this.record, event, now);
    expect(this.record).toEqual(before);
    if (result.ok) throw new Error(`${event.type} was accepted`);
    expect(result).not.toHaveProperty("record");
    expect(result.error.name).toBe("DomainError");
    return result.error;
  }

  get order() {
    return this.record.order;
  }

  request(requestId = REQ): CancellationRequest {
    const request = this.record.requests[requestId];
    if (!request) throw new Error(`no request ${requestId}`);
    return request;
  }

  /** Request made at T0 and the workflow started a second later: AWAITING_SELLER. */
  requested(policy: Policy = DEFAULT_POLICY, requestId = REQ, base = T0): this {
    this.apply(requestCancellation({ requestId, policy }), base);
    this.apply(workflowStarted(requestId), addSeconds(base, 1));
    return this;
  }
}

export const timelineOf = (entity: { timeline: { type: string; actor: string }[] }) =>
  entity.timeline.map((entry) => [entry.type, entry.actor]);

// ---- what a stored change implies -----------------------------------------------------------------

/**
 * What a change implies once it is stored, derived from the record alone:
 * - START: a new request, whose execution the table's stream starts (infra/request-starts.ts);
 * - MAIL: a mail its new timeline entries imply (notices.ts `entryMail`), in timeline order;
 * - WAKE: the request left a status an execution waits in, so a wait held there must be woken
 *   (workflow-plan.ts `needsWakeUp`). For a deadline's own step (a timeout, the system's retry)
 *   the waiting execution is the one applying it, and its write removes the wait instead.
 */
export type Implied =
  | { kind: "START"; requestId: string }
  | { kind: "MAIL"; template: EmailTemplate; to: Recipient; requestId: string }
  | { kind: "WAKE"; requestId: string };

export const start = (requestId = REQ): Implied => ({ kind: "START", requestId });
export const email = (template: EmailTemplate, to: Recipient, requestId = REQ): Implied => ({
  kind: "MAIL",
  template,
  to,
  requestId,
});
export const wake = (requestId = REQ): Implied => ({ kind: "WAKE", requestId });

/**
 * Whether an execution may be waiting on the request (infra/workflow.ts's wait states): for the
 * seller (and the reminder), for an operator's review, for a failed refund's retry, for a refund
 * the provider holds as pending, and for a completed request's reversed refund (or its retry,
 * settling).
 */
export const mayBeWaitedOn = (request: CancellationRequest): boolean =>
  request.status === "AWAITING_SELLER" ||
  request.status === "REFUND_FAILED" ||
  (request.status === "AWAITING_MARKETPLACE" && request.marketplaceReview === "OPERATOR") ||
  (request.status === "REFUND_PENDING" && isSettling(request.refund)) ||
  (request.status === "COMPLETED" &&
    (request.refund?.status === "FAILED" || isSettling(request.refund)));

/** What storing `after` in place of `before` implies: starts, then mail, then wake-ups. */
export const impliedBy = (before: OrderRecord, after: OrderRecord): Implied[] => {
  const starts: Implied[] = [];
  const mail: Implied[] = [];
  const wakes: Implied[] = [];
  for (const request of Object.values(after.requests)) {
    const { requestId } = request;
    const old = Object.hasOwn(before.requests, requestId) ? before.requests[requestId] : undefined;
    if (!old) starts.push(start(requestId));
    for (const entry of request.timeline.slice(old?.timeline.length ?? 0)) {
      for (const notice of entryMail(request, entry)) {
        mail.push(email(notice.template, notice.to, requestId));
      }
    }
    if (old && mayBeWaitedOn(old) && needsWakeUp(after, requestId, old.status)) {
      wakes.push(wake(requestId));
    }
  }
  // The order's own entries: their mail goes out with the latest request's id.
  const latest = latestRequest(after)?.requestId;
  for (const entry of after.order.timeline.slice(before.order.timeline.length)) {
    for (const notice of orderEntryMail(entry)) {
      if (latest) mail.push(email(notice.template, notice.to, latest));
    }
  }
  return [...starts, ...mail, ...wakes];
};

/**
 * What `dueMail` and `dueEvents` say of a change on records nobody sent anything of yet: the mail
 * due before is still due, unchanged, and the change's own entries add theirs; the events due are
 * one per timeline entry, and the change's new ones, published from where the old ones ended,
 * carry their positions as ids and the request's new status.
 */
const checkNotices = (before: OrderRecord, after: OrderRecord): void => {
  for (const request of Object.values(after.requests)) {
    const old = Object.hasOwn(before.requests, request.requestId)
      ? before.requests[request.requestId]
      : undefined;
    const known = old?.timeline.length ?? 0;
    const due = dueMail(request);
    const dueBefore = old ? dueMail(old) : [];
    expect(due.slice(0, dueBefore.length), "mail due before the change").toEqual(dueBefore);
    const added = request.timeline
      .slice(known)
      .flatMap((entry) => entryMail(request, entry).map((notice) => notice.template));
    expect(due.slice(dueBefore.length).map((mail) => mail.template)).toEqual(added);
    expect(dueEvents(request).map((event) => event.detail.eventId)).toEqual(
      request.timeline.map((_, index) => eventIdOf(request.requestId, index)),
    );
    const fresh = dueEvents({ ...request, notices: { mail: {}, published: known } });
    expect(fresh.map((event) => [event.detailType, event.detail.status])).toEqual(
      request.timeline.slice(known).map((entry) => [entry.type, request.status]),
    );
  }
};

/** A request approved by the seller and the policy: REFUND_PENDING, refund not yet instructed. */
export const approvedFlow = (order: OrderOverrides = {}, policy: Policy = DEFAULT_POLICY): Flow => {
  const flow = Flow.shipped(order).requested(policy);
  flow.apply(sellerApprove(), at(HOUR));
  flow.apply(policyApprove(), at(HOUR + 1));
  return flow;
};

/**
 * A timeline entry as the API shows it: without the event snapshot the service keeps on a new
 * entry until its event is published, nor its place in the audit chain (audit.ts).
 */
export const shown = <T extends { event?: unknown; seq?: unknown; hash?: unknown }>(
  entry: T | undefined,
): Omit<T, "event" | "seq" | "hash"> | undefined => {
  if (entry === undefined) return undefined;
  const { event: _snapshot, seq: _seq, hash: _hash, ...rest } = entry;
  return rest;
};

/** A timeline as the API shows it (`shown` of each entry). */
export const shownTimeline = <T extends { event?: unknown; seq?: unknown; hash?: unknown }>(
  timeline: readonly T[],
): Omit<T, "event" | "seq" | "hash">[] =>
  timeline.map((entry) => shown(entry) as Omit<T, "event" | "seq" | "hash">);
