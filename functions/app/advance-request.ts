// The workflow's one segment: carry a request through every automatic transition (start, seller
// reminder, policy approval, refund instruction, the refund itself, completion) until it must wait
// for someone or is done. Each transition is still its own conditional write with its own outbox;
// only the state machine's bookkeeping between them is gone (one Lambda and two transitions per
// segment instead of one Lambda and two transitions per step).
import type { DomainEvent } from "../domain/events.ts";
import type { OrderRecord } from "../domain/types.ts";
import {
  type NextStep,
  planNextStep,
  WAIT_STEPS,
  type WaitStep,
  type WorkflowPlan,
} from "../domain/workflow-plan.ts";
import { type AppDeps, applyIfStill, type EventSource } from "./apply-event.ts";
import { makeRefund } from "./refunds.ts";

/** Where a segment stops: a wait for someone (with its seconds to the deadline) or the end. */
export interface SegmentEnd {
  next: WaitStep | "DONE";
  waitSeconds: number;
}

/** More automatic steps than any request has: a loop that gets here is a bug, not a workflow. */
const MAX_STEPS = 12;

/** The event each automatic step applies (the refund is carried out by makeRefund). */
const AUTOMATIC_EVENTS: Partial<Record<NextStep, (requestId: string) => DomainEvent>> = {
  START: (requestId) => ({ type: "WORKFLOW_STARTED", requestId }),
  REMIND_SELLER: (requestId) => ({ type: "REMIND_SELLER", requestId }),
  POLICY_APPROVAL: (requestId) => ({ type: "POLICY_APPROVE", requestId }),
  INSTRUCT_REFUND: (requestId) => ({ type: "INSTRUCT_REFUND", requestId }),
  COMPLETE: (requestId) => ({ type: "COMPLETE", requestId }),
};

const isEnd = (plan: WorkflowPlan): plan is SegmentEnd =>
  plan.next === "DONE" || (WAIT_STEPS as readonly NextStep[]).includes(plan.next);

/**
 * Applies `event` if it still applies (someone may have got there first: a decision beat the timer,
 * the buyer withdrew, the parcel arrived; the record then says what comes next), then every
 * automatic step the record calls for. Answers where the request must wait, or DONE.
 */
export const advanceRequest = async (
  deps: AppDeps,
  orderId: string,
  requestId: string,
  event?: EventSource,
): Promise<SegmentEnd> => {
  let stored = event ? await applyIfStill(deps, orderId, event) : undefined;
  for (let step = 0; step < MAX_STEPS; step++) {
    stored ??= await deps.store.get(orderId);
    const record: OrderRecord | undefined = stored?.record;
    if (!stored || !record) return { next: "DONE", waitSeconds: 1 };
    const plan = planNextStep(record, requestId, deps.now());
    if (isEnd(plan)) return plan;
    if (plan.next === "REFUND") {
      stored = await makeRefund(deps, stored, requestId);
      continue;
    }
    const automatic = AUTOMATIC_EVENTS[plan.next];
    if (!automatic) throw new Error(`no automatic step for ${plan.next}`);
    // Decided on the record just read or saved: no second read between steps.
    stored = await applyIfStill(deps, orderId, automatic(requestId), stored);
  }
  throw new Error(`request ${requestId} took more than ${MAX_STEPS} automatic steps`);
};
