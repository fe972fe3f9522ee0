// What the workflow does next for a request, decided from the record alone. The state machine is
// driven by this plan after every step, so a signal that was lost or arrived twice, or a race
// between a person and a timer, always settles on what the stored status says.
import { settlementCheckSeconds } from "./policy.ts";
import { isSettling } from "./refund.ts";
import type { CancellationRequest, OrderRecord } from "./types.ts";
import { isTerminal } from "./types.ts";

export const NEXT_STEPS = [
  "START",
  "WAIT_SELLER_REMINDER",
  "REMIND_SELLER",
  "WAIT_SELLER",
  "POLICY_APPROVAL",
  "WAIT_OPERATOR",
  "INSTRUCT_REFUND",
  "REFUND",
  "COMPLETE",
  "WAIT_REFUND_RETRY",
  "WAIT_REFUND_SETTLEMENT",
  "WAIT_COMPLETED_REFUND",
  "DONE",
] as const;
export type NextStep = (typeof NEXT_STEPS)[number];

/** The steps where the workflow waits for someone (or a deadline); the rest are automatic. */
export const WAIT_STEPS = [
  "WAIT_SELLER_REMINDER",
  "WAIT_SELLER",
  "WAIT_OPERATOR",
  "WAIT_REFUND_RETRY",
  "WAIT_REFUND_SETTLEMENT",
  "WAIT_COMPLETED_REFUND",
] as const satisfies readonly NextStep[];
export type WaitStep = (typeof WAIT_STEPS)[number];

export interface WorkflowPlan {
  next: NextStep;
  /** For waits: whole seconds until the wait's deadline (at least 1, as Step Functions needs). */
  waitSeconds: number;
}

const secondsUntil = (deadline: string, now: string): number =>
  Math.max(1, Math.ceil((Date.parse(deadline) - Date.parse(now)) / 1000));

const plan = (next: NextStep, waitSeconds = 1): WorkflowPlan => ({ next, waitSeconds });

/** When a refund the provider holds as pending is next asked about, if no webhook settles it. */
const settlementCheckAt = (request: CancellationRequest): string => {
  const { pendingSince, checkedAt } = request.refund ?? {};
  const since = [pendingSince, checkedAt]
    .filter((at): at is string => !!at)
    .sort()
    .at(-1);
  const seconds = settlementCheckSeconds(request.policy);
  return new Date(Date.parse(since ?? request.updatedAt) + seconds * 1000).toISOString();
};

/**
 * A completed request's refund that still needs the workflow: one the provider reversed (waiting
 * for an operator's retry or the fallback), or its retry (to make, or settling).
 */
const completedRefundPlan = (request: CancellationRequest, now: string): WorkflowPlan => {
  const refund = request.refund;
  if (refund?.status === "FAILED" && request.refundRetryDeadline) {
    return plan("WAIT_COMPLETED_REFUND", secondsUntil(request.refundRetryDeadline, now));
  }
  if (refund?.status !== "PENDING" || !refund.refundId) return plan("DONE");
  return isSettling(refund)
    ? plan("WAIT_COMPLETED_REFUND", secondsUntil(settlementCheckAt(request), now))
    : plan("REFUND");
};

/** Whether the request still needs its workflow: open, or its completed refund is not done. */
export const needsWorkflow = (request: CancellationRequest): boolean =>
  !isTerminal(request.status) ||
  (request.status === "COMPLETED" &&
    completedRefundPlan(request, request.updatedAt).next !== "DONE");

export const planNextStep = (record: OrderRecord, requestId: string, now: string): WorkflowPlan => {
  const request = Object.hasOwn(record.requests, requestId)
    ? record.requests[requestId]
    : undefined;
  if (request?.status === "COMPLETED") return completedRefundPlan(request, now);
  if (!request || isTerminal(request.status)) return plan("DONE");
  switch (request.status) {
    case "REQUESTED":
      return plan("START");
    case "AWAITING_SELLER": {
      const reminderAt =
        Date.parse(request.sellerDeadline) - request.policy.sellerReminderSeconds * 1000;
      const remind = request.policy.sellerReminderSeconds > 0 && !request.sellerRemindedAt;
      if (remind && Date.parse(now) < reminderAt) {
        return plan("WAIT_SELLER_REMINDER", secondsUntil(new Date(reminderAt).toISOString(), now));
      }
      if (remind && Date.parse(now) < Date.parse(request.sellerDeadline))
        return plan("REMIND_SELLER");
      return plan("WAIT_SELLER", secondsUntil(request.sellerDeadline, now));
    }
    case "AWAITING_MARKETPLACE":
      return request.marketplaceReview === "POLICY"
        ? plan("POLICY_APPROVAL")
        : plan("WAIT_OPERATOR", secondsUntil(request.marketplaceDeadline ?? now, now));
    case "REFUND_PENDING": {
      const refund = request.refund;
      if (refund?.status === "SUCCEEDED" || refund?.status === "NOT_REQUIRED")
        return plan("COMPLETE");
      if (!refund?.refundId) return plan("INSTRUCT_REFUND");
      return isSettling(refund)
        ? plan("WAIT_REFUND_SETTLEMENT", secondsUntil(settlementCheckAt(request), now))
        : plan("REFUND");
    }
    case "REFUND_FAILED":
      return plan("WAIT_REFUND_RETRY", secondsUntil(request.refundRetryDeadline ?? now, now));
  }
  return plan("DONE");
};

/**
 * Whether a workflow execution waiting on the request (since its status was `waitingIn`) has
 * something to wake up for: every change that needs the workflow moves the request's status.
 */
export const needsWakeUp = (record: OrderRecord, requestId: string, waitingIn: string): boolean => {
  const request = Object.hasOwn(record.requests, requestId)
    ? record.requests[requestId]
    : undefined;
  if (request === undefined) return false;
  if (request.status !== waitingIn) return true;
  // A completed request waits on its refund alone: woken once that no longer needs a wait (an
  // operator retried it, or the provider settled it).
  return (
    waitingIn === "COMPLETED" &&
    completedRefundPlan(request, request.updatedAt).next !== "WAIT_COMPLETED_REFUND"
  );
};
