// Use cases that talk to the payment provider: making the claimed refund, and asking before the
// domain decides: whether money moved under a refund key decides between completing a
// cancellation and turning it into a return, and whether a failed refund is retried under its
// key or a new one.
import type { StoredOrder } from "../adapters/order-store.ts";
import { DomainError, type DomainEvent } from "../domain/events.ts";
import { assertNoRefundCallInFlight, refundToAskAbout } from "../domain/refund.ts";
import type { OrderRecord, RefundMethod } from "../domain/types.ts";
import { type AppDeps, applyIfStill, type EventSource, type FollowUp } from "./apply-event.ts";

/**
 * The provider's refund call failed in a way worth retrying (the message is the provider error's
 * name). The workflow retries the segment with backoff under the same key, then records
 * REFUND_FAILED.
 */
export class RefundCallFailedError extends Error {
  override readonly name = "RefundCallFailed";
}

const gatewayOf = (deps: AppDeps) => {
  if (!deps.gateway) throw new Error("this function has no payment gateway");
  return deps.gateway;
};

/**
 * Makes the request's claimed refund under its key, its call's lease already saved in `stored` (so
 * a delivery recorded meanwhile waits for its answer), then records the success with the automatic
 * steps that `follow` it (completion) in one write, or the decline (final: no retry of a declined
 * key). Undefined when the record moved on meanwhile.
 */
export const makeRefund = async (
  deps: AppDeps,
  stored: StoredOrder,
  requestId: string,
  follow?: FollowUp,
): Promise<StoredOrder | undefined> => {
  const { order } = stored.record;
  const refund = stored.record.requests[requestId]?.refund;
  // Only a claimed, still pending refund of a parcel in transit moves money, under a lease.
  if (order.status !== "SHIPPED" || refund?.status !== "PENDING") return undefined;
  if (!refund.refundId || !refund.callStartedAt) return undefined;
  try {
    await gatewayOf(deps).refund({
      refundId: refund.refundId,
      orderId: order.orderId,
      requestId,
      amount: refund.amount,
      currency: refund.currency,
      method: refund.method,
    });
  } catch (error) {
    const name = (error as Error).name;
    // The provider's permanent refusal (RefundDeclinedError): final, no retry of a declined key.
    if (name !== "RefundDeclined") throw new RefundCallFailedError(name, { cause: error });
    deps.count?.("RefundFailed");
    deps.count?.("RefundDeclined");
    const declined = { type: "REFUND_FAILED", requestId, error: name, declined: true } as const;
    return applyIfStill(deps, order.orderId, declined, stored, follow);
  }
  const succeeded = { type: "REFUND_SUCCEEDED", requestId } as const;
  return applyIfStill(deps, order.orderId, succeeded, stored, follow);
};

const refundWasMade = async (deps: AppDeps, refundId: string): Promise<boolean> => {
  return (await gatewayOf(deps).lookup(refundId)) !== undefined;
};

/** The carrier's delivery, with the provider's answer when money may have moved. */
export const deliveryEvent =
  (deps: AppDeps, actor: string, deliveredAt: string): EventSource =>
  async (record: OrderRecord, now: string) => {
    // A repeat of the delivery on record asks nothing: the domain answers it as a replay.
    const refundId =
      record.order.deliveredAt === deliveredAt ? undefined : refundToAskAbout(record, now);
    return {
      type: "DELIVER",
      actor,
      deliveredAt,
      ...(refundId === undefined ? {} : { refundMade: await refundWasMade(deps, refundId) }),
    };
  };

/**
 * A failed refund's retry by `actor` (an operator, or the system at the wait's deadline), to
 * `method` or the same one. The provider is asked about the current key first: a refund made
 * after all (a lost answer) is recorded, so a switch to a new key never pays twice.
 */
export const retryRefundEvent =
  (deps: AppDeps, actor: string, requestId: string, method?: RefundMethod) =>
  async (record: OrderRecord, now: string): Promise<DomainEvent> => {
    const request = Object.hasOwn(record.requests, requestId)
      ? record.requests[requestId]
      : undefined;
    if (!request) throw new DomainError("NOT_FOUND", "no such cancellation request");
    const refund = request.refund;
    let refundMade = false;
    // Even a declined key is asked about: the provider's word on a key is what it did under it.
    if (request.status === "REFUND_FAILED" && refund?.refundId) {
      assertNoRefundCallInFlight(request, now);
      refundMade = await refundWasMade(deps, refund.refundId);
    }
    return {
      type: "RETRY_REFUND",
      actor,
      requestId,
      refundMade,
      ...(method === undefined ? {} : { method }),
    };
  };
