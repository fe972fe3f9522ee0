// The buyer's cancellation request as one use case: one read of the order, then either the replay
// of an earlier request with the same Idempotency-Key or a new request in one conditional write.
// Nothing else: the table's stream starts the request's workflow (docs/design.md).
import { randomUUID } from "node:crypto";
import type { LineQuantity } from "../domain/amounts.ts";
import { DomainError } from "../domain/events.ts";
import type { Policy } from "../domain/policy.ts";
import type {
  CancellationReason,
  CancellationRequest,
  Order,
  OrderRecord,
} from "../domain/types.ts";
import { type ChangeDeps, changeOrder, NO_WAKE_UP } from "./change-order.ts";

export interface CancellationInput {
  orderId: string;
  actor: string;
  reason: CancellationReason;
  comment: string | null;
  /** The units to cancel; absent: every unit not yet cancelled. */
  lines?: LineQuantity[];
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

/** The first answer again, or a mismatch when the key came with another body. */
const replay = (request: CancellationRequest, requestHash: string): CancellationOutcome =>
  request.requestHash === requestHash ? { kind: "ACCEPTED", request } : { kind: "KEY_MISMATCH" };

export const requestCancellation = async (
  deps: Pick<ChangeDeps, "orders" | "clock" | "log">,
  input: CancellationInput,
): Promise<CancellationOutcome> => {
  const stored = await deps.orders.get(input.orderId);
  // The party check comes before the key lookup, so keys never reveal a stranger's order.
  if (!stored || !input.visible(stored.record.order)) {
    throw new DomainError("NOT_FOUND", "no such order");
  }
  const earlier = byKey(stored.record, input.idempotencyKey);
  if (earlier) return replay(earlier, input.requestHash);
  // A UUID is also a valid Step Functions execution name.
  const requestId = randomUUID();
  try {
    // No execution waits on an order without an open request: there is nobody to wake.
    const changed = await changeOrder(
      { ...deps, signals: NO_WAKE_UP },
      input.orderId,
      {
        type: "REQUEST_CANCELLATION",
        actor: input.actor,
        requestId,
        reason: input.reason,
        comment: input.comment,
        ...(input.lines && { lines: input.lines }),
        idempotencyKey: input.idempotencyKey,
        requestHash: input.requestHash,
        policy: input.policy,
      },
      stored,
    );
    const request = changed.stored.record.requests[requestId];
    if (!request) throw new Error("the saved order lacks the new request");
    return { kind: "ACCEPTED", request };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // A concurrent POST with the same key won the race (or this one's answer was lost and the
    // SDK's retry lost to it): answer as its replay.
    const fresh = await deps.orders.get(input.orderId);
    const winner = fresh && byKey(fresh.record, input.idempotencyKey);
    if (winner) return replay(winner, input.requestHash);
    throw error;
  }
};
