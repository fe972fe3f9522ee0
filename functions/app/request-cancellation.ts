// The buyer's cancellation request as one use case: one read of the order, then either the replay
// of an earlier request with the same Idempotency-Key or a new request and its workflow's start.
import { randomUUID } from "node:crypto";
import type { StoredOrder } from "../adapters/order-store.ts";
import { DomainError } from "../domain/events.ts";
import type { Policy } from "../domain/policy.ts";
import type {
  CancellationReason,
  CancellationRequest,
  Order,
  OrderRecord,
} from "../domain/types.ts";
import { type AppDeps, applyEvent, correlationOf } from "./apply-event.ts";

export interface CancellationInput {
  orderId: string;
  actor: string;
  reason: CancellationReason;
  comment: string | null;
  idempotencyKey: string;
  requestHash: string;
  policy: Policy;
  /** Who may see the order: anyone else is told it does not exist. */
  visible: (order: Order) => boolean;
}

export type CancellationOutcome =
  | { kind: "ACCEPTED"; request: CancellationRequest }
  | { kind: "KEY_MISMATCH" };

const byKey = (record: OrderRecord, key: string): CancellationRequest | undefined =>
  Object.values(record.requests).find((request) => request.idempotencyKey === key);

/** The first answer again; a request still REQUESTED had its start fail, so start it now. */
const replay = async (
  deps: AppDeps,
  stored: StoredOrder,
  request: CancellationRequest,
  requestHash: string,
): Promise<CancellationOutcome> => {
  if (request.requestHash !== requestHash) return { kind: "KEY_MISMATCH" };
  if (request.status === "REQUESTED") {
    // Under the name on record: the reconciler may have started it under a new one already.
    const name = stored.executions?.[request.requestId]?.name;
    // The same running execution answers ExecutionAlreadyExists to this call's own correlation id.
    const { orderId, requestId } = request;
    await deps.workflow.start({ orderId, requestId, ...correlationOf(deps, requestId) }, name);
  }
  return { kind: "ACCEPTED", request };
};

export const requestCancellation = async (
  deps: AppDeps,
  input: CancellationInput,
): Promise<CancellationOutcome> => {
  const stored = await deps.store.get(input.orderId);
  // The party check comes before the key lookup, so keys never reveal a stranger's order.
  if (!stored || !input.visible(stored.record.order)) {
    throw new DomainError("NOT_FOUND", "no such order");
  }
  const earlier = byKey(stored.record, input.idempotencyKey);
  if (earlier) return replay(deps, stored, earlier, input.requestHash);
  // A UUID is also a valid Step Functions execution name.
  const requestId = randomUUID();
  try {
    const applied = await applyEvent(
      deps,
      input.orderId,
      {
        type: "REQUEST_CANCELLATION",
        actor: input.actor,
        requestId,
        reason: input.reason,
        comment: input.comment,
        idempotencyKey: input.idempotencyKey,
        requestHash: input.requestHash,
        policy: input.policy,
      },
      stored,
    );
    const request = applied.stored.record.requests[requestId];
    if (!request) throw new Error("the saved order lacks the new request");
    return { kind: "ACCEPTED", request };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // A concurrent POST with the same key won the race (or this one's answer was lost and the
    // SDK's retry lost to it): answer as its replay.
    const fresh = await deps.store.get(input.orderId);
    const winner = fresh && byKey(fresh.record, input.idempotencyKey);
    if (fresh && winner) return replay(deps, fresh, winner, input.requestHash);
    throw error;
  }
};
