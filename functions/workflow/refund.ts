// Workflow task: make the claimed refund through the payment gateway under its idempotency key,
// then record the success. Gateway errors propagate: the state machine retries with backoff and,
// when retries run out, records REFUND_FAILED and waits for an operator.

import type { PaymentGateway } from "../adapters/payment-gateway.ts";
import { type AppDeps, applyEvent } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { DomainError } from "../domain/events.ts";
import { planNextStep } from "../domain/workflow-plan.ts";
import { type StepOutput, stepInputSchema } from "./step.ts";

const refundInputSchema = stepInputSchema.pick({ orderId: true, requestId: true });

export const createHandler =
  (getDeps: () => AppDeps & { gateway: PaymentGateway }) =>
  async (rawInput: unknown): Promise<StepOutput> => {
    const deps = getDeps();
    const { orderId, requestId } = refundInputSchema.parse(rawInput);
    const stored = await deps.store.get(orderId);
    let record = stored?.record;
    const request = record?.requests[requestId];
    const refund = request?.refund;
    // Only a claimed, still pending refund moves money; anything else is already settled.
    if (request?.status === "REFUND_PENDING" && refund?.status === "PENDING" && refund.refundId) {
      await deps.gateway.refund({
        refundId: refund.refundId,
        orderId,
        requestId,
        amount: refund.amount,
        currency: refund.currency,
        method: refund.method,
      });
      try {
        record = (await applyEvent(deps, orderId, { type: "REFUND_SUCCEEDED", requestId })).stored
          .record;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        // Recorded meanwhile (a retry of this task): plan from what the store holds now.
        record = (await deps.store.get(orderId))?.record;
      }
    }
    const plan = record
      ? planNextStep(record, requestId, deps.now())
      : { next: "DONE" as const, waitSeconds: 1 };
    return { orderId, requestId, ...plan };
  };

export const handler = createHandler(defaultDeps);
