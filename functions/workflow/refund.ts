// Workflow task: make the claimed refund through the payment gateway under its idempotency key,
// then record the success. Flow: load → take the call's lease (START_REFUND_CALL) → refund →
// REFUND_SUCCEEDED → plan. Gateway errors propagate: the state machine retries with backoff and,
// when retries run out or the provider declines for good, records REFUND_FAILED.
import type { PaymentGateway } from "../adapters/payment-gateway.ts";
import { type AppDeps, applyEvent } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { DomainError } from "../domain/events.ts";
import type { OrderRecord } from "../domain/types.ts";
import { planNextStep } from "../domain/workflow-plan.ts";
import { type StepOutput, stepInputSchema } from "./step.ts";

const refundInputSchema = stepInputSchema.pick({ orderId: true, requestId: true });

/** Applies a workflow event; a refusal means the record moved on, which the plan will follow. */
const applyIfStill = async (
  deps: AppDeps,
  orderId: string,
  event: Parameters<typeof applyEvent>[2],
): Promise<OrderRecord | undefined> => {
  try {
    return (await applyEvent(deps, orderId, event)).stored.record;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return undefined;
  }
};

export const createHandler =
  (getDeps: () => AppDeps & { gateway: PaymentGateway }) =>
  async (rawInput: unknown): Promise<StepOutput> => {
    const deps = getDeps();
    const { orderId, requestId } = refundInputSchema.parse(rawInput);
    deps.logger.resetKeys();
    deps.logger.appendKeys({ orderId, requestId });
    // The lease is saved before the call: a delivery recorded meanwhile must wait for its answer.
    let record = await applyIfStill(deps, orderId, { type: "START_REFUND_CALL", requestId });
    const refund = record?.requests[requestId]?.refund;
    // Only a claimed, still pending refund of a parcel in transit moves money.
    if (refund?.refundId && refund.status === "PENDING") {
      await deps.gateway.refund({
        refundId: refund.refundId,
        orderId,
        requestId,
        amount: refund.amount,
        currency: refund.currency,
        method: refund.method,
      });
      record = await applyIfStill(deps, orderId, { type: "REFUND_SUCCEEDED", requestId });
    }
    record ??= (await deps.store.get(orderId))?.record;
    const plan = record
      ? planNextStep(record, requestId, deps.now())
      : { next: "DONE" as const, waitSeconds: 1 };
    return { orderId, requestId, ...plan };
  };

export const handler = createHandler(defaultDeps);
