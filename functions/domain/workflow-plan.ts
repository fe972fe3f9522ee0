// What the workflow does next for a request, decided from the record alone. The state machine is
// driven by this plan after every step, so a signal that was lost or arrived twice, or a race
// between a person and a timer, always settles on what the stored status says.
import type { OrderRecord } from "./types.ts";
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
  "DONE",
] as const;
export type NextStep = (typeof NEXT_STEPS)[number];

/** The steps where the workflow waits for someone (or a deadline); the rest are automatic. */
export const WAIT_STEPS = [
  "WAIT_SELLER_REMINDER",
  "WAIT_SELLER",
  "WAIT_OPERATOR",
  "WAIT_REFUND_RETRY",
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

export const planNextStep = (record: OrderRecord, requestId: string, now: string): WorkflowPlan => {
  const request = Object.hasOwn(record.requests, requestId)
    ? record.requests[requestId]
    : undefined;
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
      return refund?.refundId ? plan("REFUND") : plan("INSTRUCT_REFUND");
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
  return request !== undefined && request.status !== waitingIn;
};
