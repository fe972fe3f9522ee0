// The workflow's one segment: what the state machine runs each time the request's execution wakes
// (its start, a wait's end, a deadline, a refund that kept failing). It sends what the stored
// state says must go out (the change that woke it), applies the event that woke it if it still
// applies, carries the request through every automatic transition (start, seller reminder,
// policy approval, refund instruction, the refund itself, completion) and sends what each write
// caused, until the request must wait for someone or is done; it answers which. Each write is one
// conditional write of the order item, with the marks of what went out just before it.
import { DomainError, type DomainEvent } from "../domain/events.ts";
import type { NoticeMark } from "../domain/notices.ts";
import { withMarks } from "../domain/notices.ts";
import { type TransitionResult, transition } from "../domain/transition.ts";
import type { OrderRecord } from "../domain/types.ts";
import {
  type NextStep,
  planNextStep,
  WAIT_STEPS,
  type WaitStep,
  type WorkflowPlan,
} from "../domain/workflow-plan.ts";
import type { EventSource } from "./change-order.ts";
import { ConflictError } from "./errors.ts";
import type { ExecutionRecords, Orders, Payments, RefundReceipt, StoredOrder } from "./ports.ts";
import { type NoticeDeps, sendDueNotices } from "./send-notices.ts";

export interface SegmentDeps extends NoticeDeps {
  orders: Orders;
  payments: Payments;
  executionRecords: Pick<ExecutionRecords, "forgetWait">;
}

/** Where a segment stops: a wait for someone (with its seconds to the deadline) or the end. */
export interface SegmentEnd {
  next: WaitStep | "DONE";
  waitSeconds: number;
}

/**
 * The provider's refund call failed in a way worth retrying (the message is the provider error's
 * name). The state machine retries the segment with backoff under the same key, then records
 * REFUND_FAILED.
 */
export class RefundCallFailedError extends Error {
  override readonly name = "RefundCallFailed";
}

/** More rounds than any request has (one per refund call, plus one): a bug, not a workflow. */
const MAX_ROUNDS = 6;
/** More automatic steps in one write than any request has: a bug, not a workflow. */
const MAX_FOLLOW_UPS = 8;
/** How often a lost race is decided again on fresh data. */
const MAX_ATTEMPTS = 5;

/** The event each automatic step applies (the refund itself is the provider's call). */
const AUTOMATIC_EVENTS: Partial<Record<NextStep, (requestId: string) => DomainEvent>> = {
  START: (requestId) => ({ type: "WORKFLOW_STARTED", requestId }),
  REMIND_SELLER: (requestId) => ({ type: "REMIND_SELLER", requestId }),
  POLICY_APPROVAL: (requestId) => ({ type: "POLICY_APPROVE", requestId }),
  INSTRUCT_REFUND: (requestId) => ({ type: "INSTRUCT_REFUND", requestId }),
  COMPLETE: (requestId) => ({ type: "COMPLETE", requestId }),
};

/** The refund call's lease this segment took (a new one before each call it makes). */
interface Lease {
  takenAt?: string;
}

/**
 * The automatic steps that follow `record`, applied one after another in memory (so that a run of
 * them is one write). Before a refund call the run takes the call's lease (saved with the steps
 * before it; the call is made after that write) and ends there; once this segment holds the
 * lease, the run ends before it.
 */
const followUps = (
  record: OrderRecord,
  requestId: string,
  now: string,
  lease: Lease,
): OrderRecord => {
  for (let count = 0; count <= MAX_FOLLOW_UPS; count++) {
    const { next } = planNextStep(record, requestId, now);
    let event: DomainEvent | undefined = AUTOMATIC_EVENTS[next]?.(requestId);
    if (next === "REFUND") {
      const held = record.requests[requestId]?.refund?.callStartedAt;
      if (held && held === lease.takenAt) return record;
      event = { type: "START_REFUND_CALL", requestId };
    }
    if (event === undefined) return record;
    const result = transition(record, event, now);
    // Decided on the record it follows, it applies; if not, what was decided so far is saved.
    if (!result.ok) return record;
    record = result.record;
    if (event.type === "START_REFUND_CALL") {
      lease.takenAt = now;
      return record;
    }
  }
  throw new Error(`request ${requestId}: more than ${MAX_FOLLOW_UPS} automatic steps`);
};

/** The event decided on `record`; a source that refuses (nothing to ask about) is a refusal too. */
const decide = async (
  record: OrderRecord,
  event: EventSource,
  now: string,
): Promise<TransitionResult> => {
  try {
    const decided = typeof event === "function" ? await event(record, now) : event;
    return transition(record, decided, now);
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, error };
    throw error;
  }
};

/**
 * One write: the marks of what just went out, the event that woke the workflow (if it still
 * applies: someone may have got there first), and the automatic steps after it (unless `lease` is
 * null: the marks alone). Nothing is written when nothing changes. A lost race is decided again on
 * the fresh record.
 */
const writeStep = async (
  deps: SegmentDeps,
  stored: StoredOrder,
  requestId: string,
  event: EventSource | undefined,
  marks: readonly NoticeMark[],
  lease: Lease | null,
): Promise<StoredOrder> => {
  for (let attempt = 1; ; attempt++) {
    const now = deps.clock.now();
    let record = withMarks(stored.record, marks);
    if (event !== undefined) {
      let result: TransitionResult;
      try {
        result = await decide(record, event, now);
        // A refund call that may still land is not "someone got there first": retry later.
        if (!result.ok && result.error.code === "REFUND_IN_FLIGHT") throw result.error;
      } catch (error) {
        // The step fails and is retried; what went out before it is marked all the same.
        await saveMarksAlone(deps, stored, marks);
        throw error;
      }
      if (result.ok) record = result.record;
      else deps.log.info("step no longer applies", { code: result.error.code });
    }
    if (lease) record = followUps(record, requestId, now, lease);
    if (record === stored.record) return stored;
    try {
      return await deps.orders.save(stored, record, { endWait: requestId });
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      const fresh = await deps.orders.get(stored.record.order.orderId);
      if (!fresh) throw new DomainError("NOT_FOUND", "the order is gone");
      stored = fresh;
    }
  }
};

/**
 * Best effort: the marks of what a failing step sent, saved alone so that its retry does not send
 * them again (a lost race or a fault here leaves them to be sent again, as before).
 */
const saveMarksAlone = async (
  deps: SegmentDeps,
  stored: StoredOrder,
  marks: readonly NoticeMark[],
): Promise<void> => {
  const marked = withMarks(stored.record, marks);
  if (marked === stored.record) return;
  try {
    await deps.orders.save(stored, marked);
  } catch (error) {
    deps.log.warn("marks not saved; what they mark may go out again", {
      error: (error as Error).name,
    });
  }
};

/**
 * Makes the request's claimed refund under its key, its call's lease already saved (so a delivery
 * recorded meanwhile waits for the answer). Answers the outcome as the event to record: the
 * success, or the decline (final: no retry of a declined key). Undefined when no refund call is
 * due after all.
 */
const makeRefund = async (
  deps: SegmentDeps,
  record: OrderRecord,
  requestId: string,
): Promise<DomainEvent | undefined> => {
  const { order } = record;
  const request = record.requests[requestId];
  const refund = request?.refund;
  // Only a claimed, still pending refund moves money, under a lease, and, until the cancellation
  // completed, only while the parcel is on its way.
  if (refund?.status !== "PENDING" || !refund.refundId || !refund.callStartedAt) return undefined;
  if (request?.status !== "COMPLETED" && order.status !== "SHIPPED") return undefined;
  let receipt: RefundReceipt;
  try {
    receipt = await deps.payments.refund({
      refundId: refund.refundId,
      orderId: order.orderId,
      requestId,
      amount: refund.amount,
      currency: refund.currency,
      method: refund.method,
      provider: refund.provider ?? "ledger",
      paymentReference: order.payment.reference ?? null,
    });
  } catch (error) {
    const name = (error as Error).name;
    // Refused in a way no retry as is changes (credentials, a key reused with other terms): an
    // operator looks at once; the key is not spent, since nothing was made under it.
    if (ASK_AN_OPERATOR.has(name)) {
      deps.metrics.count("RefundFailed");
      return { type: "REFUND_FAILED", requestId, error: name, declined: false };
    }
    // The provider's permanent refusal: final, no retry of a declined key.
    if (name !== "RefundDeclined") throw new RefundCallFailedError(name, { cause: error });
    deps.metrics.count("RefundFailed");
    deps.metrics.count("RefundDeclined");
    return { type: "REFUND_FAILED", requestId, error: name, declined: true };
  }
  const { providerReference, status, failureReason, reference } = receipt;
  const answer = { providerReference, status, failureReason, reference };
  switch (status) {
    case "succeeded":
      return { type: "REFUND_SUCCEEDED", requestId, answer };
    case "pending":
    case "requires_action":
      return { type: "REFUND_AWAITED", requestId, answer };
    default:
      // Made and failed at once: the key is spent.
      deps.metrics.count("RefundFailed");
      return {
        type: "REFUND_FAILED",
        requestId,
        error: failureReason ?? status,
        declined: true,
        answer,
      };
  }
};

/** Provider refusals that retrying the call as it is cannot change (stripe-errors.ts). */
const ASK_AN_OPERATOR: ReadonlySet<string> = new Set(["PaymentProviderRefused", "RefundKeyReused"]);

/**
 * The execution is about to end, and only it sends its request's notices: a change made while
 * this segment ran (a carrier's delivery right after the cancellation completed, whose route found
 * the execution still running) may owe some. One read, and what it owes goes out now; the
 * reconciler covers the moments between this read and the execution's end.
 */
const sendWhatCameMeanwhile = async (
  deps: SegmentDeps,
  orderId: string,
  requestId: string,
  tried: Set<string>,
): Promise<StoredOrder | undefined> => {
  const fresh = await deps.orders.get(orderId);
  if (!fresh) return undefined;
  const marks = await sendDueNotices(deps, fresh.record, { requestIds: [requestId], tried });
  return marks.length > 0 ? await writeStep(deps, fresh, requestId, undefined, marks, null) : fresh;
};

const isEnd = (plan: WorkflowPlan): plan is SegmentEnd =>
  plan.next === "DONE" || (WAIT_STEPS as readonly NextStep[]).includes(plan.next);

/**
 * Runs the segment for the request: what was due goes out, `wake` applies if it still does, the
 * automatic steps follow, refunds are made, and what each write caused goes out right after it.
 * Answers where the request now waits, or DONE.
 */
export const runSegment = async (
  deps: SegmentDeps,
  orderId: string,
  requestId: string,
  wake?: EventSource,
): Promise<SegmentEnd> => {
  let stored = await deps.orders.get(orderId);
  if (!stored) return { next: "DONE", waitSeconds: 1 };
  // Each mail is tried once per segment: a failing one waits for the next segment or the
  // reconciler, never holds the request back.
  const tried = new Set<string>();
  // Only this request's notices: another request's are its own execution's, or the reconciler's.
  const requestIds = [requestId];
  const lease: Lease = {};
  let event = wake;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const marks = await sendDueNotices(deps, stored.record, { requestIds, tried });
    stored = await writeStep(deps, stored, requestId, event, marks, lease);
    event = undefined;
    const plan = planNextStep(stored.record, requestId, deps.clock.now());
    if (plan.next === "REFUND") {
      // Only a refund call ends a run of automatic steps (its lease was saved with them).
      event = await makeRefund(deps, stored.record, requestId);
      if (event) continue;
    }
    if (!isEnd(plan)) throw new Error(`automatic step ${plan.next} did not apply`);
    // What the last write caused goes out now; its marks are the segment's last write.
    const last = await sendDueNotices(deps, stored.record, { requestIds, tried });
    if (last.length > 0) stored = await writeStep(deps, stored, requestId, undefined, last, null);
    if (plan.next === "DONE") {
      stored = (await sendWhatCameMeanwhile(deps, orderId, requestId, tried)) ?? stored;
    }
    // A write ends the wait that woke this segment; one that wrote nothing forgets it here, so
    // that no stale token stays on the item once the execution ends.
    const wait = stored.waits[requestId];
    if (plan.next === "DONE" && wait) {
      await deps.executionRecords.forgetWait(orderId, requestId, wait.token);
    }
    return plan;
  }
  throw new Error(`request ${requestId} took more than ${MAX_ROUNDS} rounds of automatic steps`);
};
