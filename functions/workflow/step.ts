// Workflow task: send what the request's state says must go out, apply the step's event (if it
// still applies), carry the request through every automatic transition until it must wait or is
// done, sending what each write caused, and tell the state machine which.
// Flow: load → send → decide → save (with the marks) → … → the wait or the end.

import type { Context } from "aws-lambda";
import { logger } from "../adapters/powertools.ts";
import { executionRecords, noticeDeps, orders, payments } from "../adapters/production.ts";
import type { EventSource } from "../app/change-order.ts";
import { errorFields, isOwnError, withheld } from "../app/error-fields.ts";
import type { ExecutionRecords, Log, Metrics, Payments } from "../app/ports.ts";
import { providerRefundEvent, retryRefundEvent } from "../app/refunds.ts";
import {
  RefundCallFailedError,
  runSegment,
  type SegmentDeps,
  type SegmentEnd,
} from "../app/segment.ts";
import { DomainError } from "../domain/events.ts";
import { SYSTEM } from "../domain/transition.ts";
import * as z from "../domain/zod.ts";

/**
 * What woke the workflow: its start, a wait that ended (CONTINUE: a signal, or the status moved on
 * before the wait began), a wait's deadline, a refund that failed past its retries, or the
 * catch-all (RECORD_FAILURE, which only records).
 */
export const STEP_ACTIONS = [
  "START",
  "CONTINUE",
  "REMIND_SELLER",
  "SELLER_TIMEOUT",
  "MARKETPLACE_TIMEOUT",
  "REFUND_FAILED",
  "RETRY_REFUND",
  "REFUND_DEADLINE",
  "RECORD_FAILURE",
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export const stepInputSchema = z.object({
  orderId: z.string().check(z.minLength(1)),
  requestId: z.string().check(z.minLength(1)),
  action: z.enum(STEP_ACTIONS),
  /** A caught error (Catch with ResultPath `$.error`), for REFUND_FAILED and RECORD_FAILURE. */
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
  /** The execution's name, for RECORD_FAILURE. */
  execution: z.optional(z.string()),
  /** From the execution input: the API call's correlation id (or the request id, if resumed). */
  correlationId: z.optional(z.string()),
});
export type StepInput = z.infer<typeof stepInputSchema>;

export interface StepOutput extends SegmentEnd {
  orderId: string;
  requestId: string;
}

/**
 * The name of the error that ended a refund's retries. A failed provider call arrives as
 * RefundCallFailed with the provider error's name as its message (only the name: a provider's
 * message may carry details that do not belong in a record).
 */
const refundErrorName = (error: StepInput["error"]): string => {
  if (error?.Error !== "RefundCallFailed") return error?.Error ?? "RefundFailed";
  try {
    const cause = JSON.parse(error.Cause ?? "") as { errorMessage?: unknown };
    return typeof cause.errorMessage === "string" ? cause.errorMessage : error.Error;
  } catch {
    return error.Error;
  }
};

const eventFor = (payments: Payments, input: StepInput): EventSource | undefined => {
  const { requestId } = input;
  switch (input.action) {
    case "START":
      return { type: "WORKFLOW_STARTED", requestId };
    case "CONTINUE":
    case "RECORD_FAILURE":
      return undefined;
    case "REMIND_SELLER":
      return { type: "REMIND_SELLER", requestId };
    case "SELLER_TIMEOUT":
      return { type: "SELLER_TIMEOUT", requestId };
    case "MARKETPLACE_TIMEOUT":
      return { type: "MARKETPLACE_TIMEOUT", requestId };
    case "REFUND_FAILED":
      return {
        type: "REFUND_FAILED",
        requestId,
        error: refundErrorName(input.error),
        declined: false,
      };
    case "RETRY_REFUND":
      // Nobody acted in time: a declined refund goes to the policy's fallback method, any other
      // failure is tried again as it was.
      return (record, now) => {
        const request = Object.hasOwn(record.requests, requestId)
          ? record.requests[requestId]
          : undefined;
        const method = request?.refund?.declined ? request.policy.refundFallbackMethod : undefined;
        return retryRefundEvent(payments, SYSTEM, requestId, method)(record, now);
      };
    case "REFUND_DEADLINE":
      // A pending refund no webhook settled is asked about; a reversed one whose wait for an
      // operator is over goes to the policy's fallback method.
      return (record, now) => {
        const request = Object.hasOwn(record.requests, requestId)
          ? record.requests[requestId]
          : undefined;
        if (request?.refund?.status !== "FAILED") {
          return providerRefundEvent(payments, SYSTEM, requestId, { asked: true })(record);
        }
        const due = Date.parse(now) >= Date.parse(request.refundRetryDeadline ?? now);
        if (!due) throw new DomainError("INVALID_STATE", "the wait for an operator is not over");
        return retryRefundEvent(
          payments,
          SYSTEM,
          requestId,
          request.policy.refundFallbackMethod,
        )(record, now);
      };
  }
};

export type StepDeps = SegmentDeps & { executionRecords: ExecutionRecords };

/** The catch-all: the execution gives up; the reconciler resumes the request from its status. */
const recordFailure = async (
  deps: {
    executionRecords: ExecutionRecords;
    log: Log;
    metrics: Metrics;
    clock: StepDeps["clock"];
  },
  input: StepInput,
): Promise<void> => {
  const error = input.error?.Error ?? "WorkflowFailed";
  deps.metrics.count("WorkflowFailed");
  deps.log.error("workflow execution gave up; the reconciler will resume it", {
    execution: input.execution,
    error,
  });
  await deps.executionRecords.recordFailure(
    input.orderId,
    input.requestId,
    input.execution ?? input.requestId,
    error,
    deps.clock.now(),
  );
};

/** The step's own errors (a refund call's carries the provider error's name), with the service's. */
const isStepError = (error: Error): boolean =>
  error instanceof RefundCallFailedError || isOwnError(error);

const step = async (getDeps: () => StepDeps, rawInput: unknown): Promise<StepOutput> => {
  const deps = getDeps();
  const input = stepInputSchema.parse(rawInput);
  const { orderId, requestId } = input;
  logger.setCorrelationId(input.correlationId ?? requestId);
  logger.appendKeys({ orderId, requestId });
  if (input.action === "RECORD_FAILURE") {
    await recordFailure(deps, input);
    return { orderId, requestId, next: "DONE", waitSeconds: 1 };
  }
  // Its retries ran out (a decline is recorded by the segment itself).
  if (input.action === "REFUND_FAILED") deps.metrics.count("RefundFailed");
  const end = await runSegment(deps, orderId, requestId, eventFor(deps.payments, input));
  return { orderId, requestId, ...end };
};

export const createHandler =
  (getDeps: () => StepDeps) =>
  async (rawInput: unknown, context?: Context): Promise<StepOutput> => {
    // Nothing of an earlier invocation, even when this one fails before it knows its request.
    logger.resetKeys();
    if (context) logger.addContext(context);
    try {
      return await step(getDeps, rawInput);
    } catch (error) {
      // The state's Retry and Catch match the error's name, which it keeps. Logged here by name,
      // code and ids; the runtime's own line and the execution's history get no foreign message.
      logger.error("workflow step failed; its state retries or catches it", {
        error: errorFields(error, isStepError),
      });
      throw withheld(error, isStepError);
    }
  };

export const handler = createHandler(() => ({
  ...noticeDeps(),
  orders: orders(),
  payments: payments(),
  executionRecords: executionRecords(),
}));
