// Asking the payment provider before the domain decides: whether money moved under a refund key
// decides between completing a cancellation and turning it into a return, and whether a failed
// refund is retried under its key or a new one. (The segment makes the refunds: segment.ts.)
import { DomainError, type DomainEvent } from "../domain/events.ts";
import { assertNoRefundCallInFlight, refundToAskAbout } from "../domain/refund.ts";
import type { OrderRecord, RefundMethod } from "../domain/types.ts";
import type { EventSource } from "./change-order.ts";
import type { Payments } from "./ports.ts";

const refundWasMade = async (payments: Payments, refundId: string): Promise<boolean> =>
  (await payments.lookup(refundId)) !== undefined;

/** The carrier's delivery, with the provider's answer when money may have moved. */
export const deliveryEvent =
  (payments: Payments, actor: string, deliveredAt: string): EventSource =>
  async (record: OrderRecord, now: string) => {
    // A repeat of the delivery on record asks nothing: the domain answers it as a replay.
    const refundId =
      record.order.deliveredAt === deliveredAt ? undefined : refundToAskAbout(record, now);
    return {
      type: "DELIVER",
      actor,
      deliveredAt,
      ...(refundId === undefined ? {} : { refundMade: await refundWasMade(payments, refundId) }),
    };
  };

/**
 * A failed refund's retry by `actor` (an operator, or the system at the wait's deadline), to
 * `method` or the same one. The provider is asked about the current key first: a refund made
 * after all (a lost answer) is recorded, so a switch to a new key never pays twice.
 */
export const retryRefundEvent =
  (payments: Payments, actor: string, requestId: string, method?: RefundMethod) =>
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
      refundMade = await refundWasMade(payments, refund.refundId);
    }
    return {
      type: "RETRY_REFUND",
      actor,
      requestId,
      refundMade,
      ...(method === undefined ? {} : { method }),
    };
  };
