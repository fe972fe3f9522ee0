// The workflow's one segment: carry a request through every automatic transition (start, seller
// reminder, policy approval, refund instruction, the refund itself, completion) until it must wait
// for someone or is done. The automatic transitions between two refund calls are decided in memory
// and saved in one conditional write with all their mail (each keeps its own timeline entry), and
// the state machine's bookkeeping between them is gone: one Lambda and two state transitions per
// segment, and a write per run of steps, instead of each per step.
import type { DomainEvent } from "../domain/events.ts";
import type { OrderRecord } from "../domain/types.ts";
import {
  type NextStep,
  planNextStep,
  WAIT_STEPS,
  type WaitStep,
  type WorkflowPlan,
} from "../domain/workflow-plan.ts";
import { type AppDeps, applyIfStill, type EventSource, type FollowUp } from "./apply-event.ts";
import { makeRefund } from "./refunds.ts";

/** Where a segment stops: a wait for someone (with its seconds to the deadline) or the end. */
export interface SegmentEnd {
  next: WaitStep | "DONE";
  waitSeconds: number;
}

/** More rounds than any request has (one per refund call, plus one): a bug, not a workflow. */
const MAX_ROUNDS = 6;

/** The event each automatic step applies (the refund itself is the provider's call). */
const AUTOMATIC_EVENTS: Partial<Record<NextStep, (requestId: string) => DomainEvent>> = {
  START: (requestId) => ({ type: "WORKFLOW_STARTED", requestId }),
  REMIND_SELLER: (requestId) => ({ type: "REMIND_SELLER", requestId }),
  POLICY_APPROVAL: (requestId) => ({ type: "POLICY_APPROVE", requestId }),
  INSTRUCT_REFUND: (requestId) => ({ type: "INSTRUCT_REFUND", requestId }),
  COMPLETE: (requestId) => ({ type: "COMPLETE", requestId }),
};

/**
 * The automatic step the record calls for next, decided in memory so that a run of them is one
 * write. Before a refund call it is the call's lease, saved with the steps before it (the call is
 * made after that write); once this segment has taken the lease, the run ends there.
 */
export const automaticSteps = (requestId: string): FollowUp => {
  let leaseTakenAt: string | undefined;
  return (record: OrderRecord, now: string) => {
    const { next } = planNextStep(record, requestId, now);
    if (next !== "REFUND") return AUTOMATIC_EVENTS[next]?.(requestId);
    if (record.requests[requestId]?.refund?.callStartedAt === leaseTakenAt) return undefined;
    leaseTakenAt = now;
    return { type: "START_REFUND_CALL", requestId };
  };
};

const isEnd = (plan: WorkflowPlan): plan is SegmentEnd =>
  plan.next === "DONE" || (WAIT_STEPS as readonly NextStep[]).includes(plan.next);

/**
 * Applies `event` if it still applies (someone may have got there first: a decision beat the timer,
 * the buyer withdrew, the parcel arrived; the record then says what comes next), with every
 * automatic step after it in the same write, up to a refund call; makes the call; and so on until
 * the request must wait or is done. Answers which.
 */
export const advanceRequest = async (
  deps: AppDeps,
  orderId: string,
  requestId: string,
  event?: EventSource,
): Promise<SegmentEnd> => {
  const follow = automaticSteps(requestId);
  // Undefined when the event no longer applies: the record then says what comes next.
  let stored = event ? await applyIfStill(deps, orderId, event, undefined, follow) : undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Whatever is automatic now (after a replay, a refusal or a refund; no write when nothing is).
    stored = await applyIfStill(deps, orderId, undefined, stored, follow);
    if (!stored) return { next: "DONE", waitSeconds: 1 };
    const plan = planNextStep(stored.record, requestId, deps.now());
    if (isEnd(plan)) return plan;
    // Only a refund call ends a run of automatic steps (its lease was saved with them).
    if (plan.next !== "REFUND") throw new Error(`automatic step ${plan.next} did not apply`);
    stored = await makeRefund(deps, stored, requestId, follow);
  }
  throw new Error(`request ${requestId} took more than ${MAX_ROUNDS} rounds of automatic steps`);
};
