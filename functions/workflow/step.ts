// Workflow task: apply the step's event to the request (if it still applies), then tell the state
// machine what comes next. Flow: load → decide → save with its outbox → deliver → plan the next
// step from the record.
import { z } from "zod";
import { type AppDeps, applyEvent, type EventSource } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { retryRefundEvent } from "../app/refunds.ts";
import { DomainError } from "../domain/events.ts";
import { SYSTEM } from "../domain/transition.ts";
import type { OrderRecord } from "../domain/types.ts";
import { planNextStep, type WorkflowPlan } from "../domain/workflow-plan.ts";

/** The events the workflow itself raises; STATUS only reads; RECORD_FAILURE is the catch-all. */
export const STEP_ACTIONS = [
  "START",
  "STATUS",
  "REMIND_SELLER",
  "SELLER_TIMEOUT",
  "POLICY_APPROVE",
  "MARKETPLACE_TIMEOUT",
  "INSTRUCT_REFUND",
  "REFUND_FAILED",
  "RETRY_REFUND",
  "COMPLETE",
  "RECORD_FAILURE",
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export const stepInputSchema = z.object({
  orderId: z.string().min(1),
  requestId: z.string().min(1),
  action: z.enum(STEP_ACTIONS),
  /** A caught error (Catch with ResultPath `$.error`), for REFUND_FAILED and RECORD_FAILURE. */
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
  /** The execution's name, for RECORD_FAILURE. */
  execution: z.string().optional(),
});
export type StepInput = z.infer<typeof stepInputSchema>;

export interface StepOutput extends WorkflowPlan {
  orderId: string;
  requestId: string;
}

/** The provider's permanent refusal, as the refund task names it. */
const DECLINED = "RefundDeclined";

const eventFor = (deps: AppDeps, input: StepInput): EventSource | undefined => {
  const { requestId } = input;
  switch (input.action) {
    case "START":
      return { type: "WORKFLOW_STARTED", requestId };
    case "STATUS":
    case "RECORD_FAILURE":
      return undefined;
    case "REMIND_SELLER":
      return { type: "REMIND_SELLER", requestId };
    case "SELLER_TIMEOUT":
      return { type: "SELLER_TIMEOUT", requestId };
    case "POLICY_APPROVE":
      return { type: "POLICY_APPROVE", requestId };
    case "MARKETPLACE_TIMEOUT":
      return { type: "MARKETPLACE_TIMEOUT", requestId };
    case "INSTRUCT_REFUND":
      return { type: "INSTRUCT_REFUND", requestId };
    case "REFUND_FAILED": {
      // Only the error's name: a provider's message may carry details that do not belong in a record.
      const error = input.error?.Error ?? "RefundFailed";
      return { type: "REFUND_FAILED", requestId, error, declined: error === DECLINED };
    }
    case "RETRY_REFUND":
      // Nobody acted in time: a declined refund goes to the policy's fallback method, any other
      // failure is tried again as it was.
      return (record, now) => {
        const request = Object.hasOwn(record.requests, requestId)
          ? record.requests[requestId]
          : undefined;
        const method = request?.refund?.declined ? request.policy.refundFallbackMethod : undefined;
        return retryRefundEvent(deps, SYSTEM, requestId, method)(record, now);
      };
    case "COMPLETE":
      return { type: "COMPLETE", requestId };
  }
};

/** The catch-all: the execution gives up; the reconciler resumes the request from its status. */
const recordFailure = async (deps: AppDeps, input: StepInput): Promise<void> => {
  const error = input.error?.Error ?? "WorkflowFailed";
  deps.count?.("WorkflowFailed");
  deps.logger.error("workflow execution gave up; the reconciler will resume it", {
    execution: input.execution,
    error,
  });
  await deps.store.recordExecutionFailure(
    input.orderId,
    input.requestId,
    input.execution ?? input.requestId,
    error,
    deps.now(),
  );
};

export const createHandler =
  (getDeps: () => AppDeps) =>
  async (rawInput: unknown): Promise<StepOutput> => {
    const deps = getDeps();
    const input = stepInputSchema.parse(rawInput);
    deps.logger.resetKeys();
    deps.logger.appendKeys({ orderId: input.orderId, requestId: input.requestId });
    if (input.action === "RECORD_FAILURE") await recordFailure(deps, input);
    const event = eventFor(deps, input);
    let record: OrderRecord | undefined;
    if (event) {
      try {
        record = (await applyEvent(deps, input.orderId, event)).stored.record;
        if (input.action === "REFUND_FAILED") {
          deps.count?.("RefundFailed");
          if (input.error?.Error === DECLINED) deps.count?.("RefundDeclined");
        }
      } catch (error) {
        // Someone got there first (a decision beat the timer, the buyer withdrew, the parcel
        // arrived): not a failure, the plan below follows whatever the record now says.
        if (!(error instanceof DomainError) || error.code === "REFUND_IN_FLIGHT") throw error;
        deps.logger.info("step no longer applies", { action: input.action, code: error.code });
      }
    }
    // The record just saved, or (nothing applied) the one the store holds now.
    record ??= (await deps.store.get(input.orderId))?.record;
    const plan: WorkflowPlan = record
      ? planNextStep(record, input.requestId, deps.now())
      : { next: "DONE", waitSeconds: 1 };
    return { orderId: input.orderId, requestId: input.requestId, ...plan };
  };

export const handler = createHandler(defaultDeps);
