// Workflow task: apply the step's event to the request (if it still applies), then tell the state
// machine what comes next. Flow: flush the outbox → load → decide → save → emails → plan the next
// step from the record.
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { z } from "zod";
import { type AppDeps, applyEvent, flushOutbox } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { DomainError, type DomainEvent } from "../domain/events.ts";
import { SYSTEM } from "../domain/transition.ts";
import type { OrderRecord } from "../domain/types.ts";
import { planNextStep, type WorkflowPlan } from "../domain/workflow-plan.ts";

/** The events the workflow itself raises; STATUS only reads. */
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
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export const stepInputSchema = z.object({
  orderId: z.string().min(1),
  requestId: z.string().min(1),
  action: z.enum(STEP_ACTIONS),
  /** A caught error (Catch with ResultPath `$.error`), for REFUND_FAILED. */
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
export type StepInput = z.infer<typeof stepInputSchema>;

export interface StepOutput extends WorkflowPlan {
  orderId: string;
  requestId: string;
}

const eventFor = (input: StepInput): DomainEvent | undefined => {
  const { requestId } = input;
  switch (input.action) {
    case "START":
      return { type: "WORKFLOW_STARTED", requestId };
    case "STATUS":
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
    case "REFUND_FAILED":
      // Only the error's name: a provider's message may carry details that do not belong in a record.
      return { type: "REFUND_FAILED", requestId, error: input.error?.Error ?? "RefundFailed" };
    case "RETRY_REFUND":
      return { type: "RETRY_REFUND", actor: SYSTEM, requestId };
    case "COMPLETE":
      return { type: "COMPLETE", requestId };
  }
};

const metrics = new Metrics({
  namespace: "ShippedCancellation",
  serviceName: "shipped-cancellation",
});

export const createHandler =
  (getDeps: () => AppDeps) =>
  async (rawInput: unknown): Promise<StepOutput> => {
    const deps = getDeps();
    const input = stepInputSchema.parse(rawInput);
    // Mail an earlier step or API call wrote but could not send goes out now.
    await flushOutbox(deps, input.orderId);
    const event = eventFor(input);
    let record: OrderRecord | undefined;
    if (event) {
      try {
        record = (await applyEvent(deps, input.orderId, event)).stored.record;
        if (event.type === "REFUND_FAILED") {
          metrics.addMetric("RefundFailed", MetricUnit.Count, 1);
          metrics.publishStoredMetrics();
        }
      } catch (error) {
        // Someone got there first (a decision beat the timer, the buyer withdrew, the parcel
        // arrived): not a failure, the plan below follows whatever the record now says.
        if (!(error instanceof DomainError)) throw error;
        deps.logger.info("step no longer applies", {
          action: input.action,
          requestId: input.requestId,
          code: error.code,
        });
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
