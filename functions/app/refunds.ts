// Asking the payment provider before the domain decides: whether money moved under a refund key
// decides between completing a cancellation and turning it into a return, and whether a failed
// refund is retried under its key or a new one. (The segment makes the refunds: segment.ts.)
import { DomainError, type DomainEvent } from "../domain/events.ts";
import { handedTo } from "../domain/parcel.ts";
import { assertNoRefundCallInFlight, refundToAskAbout } from "../domain/refund.ts";
import type { OrderRecord, RefundMethod } from "../domain/types.ts";
import type { EventSource } from "./change-order.ts";
import type { Payments, RefundKey } from "./ports.ts";

/** The key to ask the provider about a refund of `requestId` made under `refundId`. */
export const refundKeyOf = (
  record: OrderRecord,
  requestId: string,
  refundId: string,
): RefundKey => {
  const { order } = record;
  const refund = record.requests[requestId]?.refund;
  return {
    refundId,
    orderId: order.orderId,
    method: refund?.method ?? "CARD",
    provider: refund?.provider ?? "ledger",
    paymentReference: order.payment.reference ?? null,
  };
};

/** Whether money moved under the key: made, and not failed (a pending refund cannot be undone). */
const refundWasMade = async (
  payments: Payments,
  record: OrderRecord,
  requestId: string,
  refundId: string,
): Promise<boolean> => {
  const receipt = await payments.lookup(refundKeyOf(record, requestId, refundId));
  return receipt !== undefined && receipt.status !== "failed" && receipt.status !== "canceled";
};

/**
 * What the provider says now of the request's refund under `refundId` (its current key when not
 * named), as a webhook (`asked` false) or the workflow or the reconciler asking (`asked` true)
 * learned it: the provider's current word, since webhooks arrive late, twice or out of order.
 */
export const providerRefundEvent =
  (
    payments: Payments,
    actor: string,
    requestId: string,
    options: { asked: boolean; refundId?: string },
  ) =>
  async (record: OrderRecord): Promise<DomainEvent> => {
    const current = record.requests[requestId]?.refund?.refundId;
    const refundId = options.refundId ?? current;
    // A key the request no longer uses (an older attempt's) has nothing left to decide.
    if (!refundId || refundId !== current) {
      throw new DomainError("NOT_FOUND", "no such refund on the request");
    }
    const receipt = await payments.lookup(refundKeyOf(record, requestId, refundId));
    if (!receipt) throw new DomainError("NOT_FOUND", "the provider has no such refund");
    const { providerReference, status, failureReason, reference } = receipt;
    return {
      type: "PROVIDER_REFUND_UPDATE",
      actor,
      requestId,
      refundId,
      answer: {
        providerReference,
        status,
        ...(failureReason ? { failureReason } : {}),
        ...(reference ? { reference } : {}),
      },
      asked: options.asked,
    };
  };

/**
 * The carrier's delivery, with the provider's answer when money may have moved. `carrier`: the
 * one the caller's client is bound to (absent: any).
 */
export const deliveryEvent =
  (payments: Payments, actor: string, deliveredAt: string, carrier?: string): EventSource =>
  async (record: OrderRecord, now: string) => {
    // A repeat of the delivery on record asks nothing: the domain answers it as a replay; nor
    // does another carrier's parcel, which the domain answers as no such order.
    const ask = record.order.deliveredAt !== deliveredAt && handedTo(record.order, carrier);
    const refundId = ask ? refundToAskAbout(record, now) : undefined;
    return {
      type: "DELIVER",
      actor,
      deliveredAt,
      ...(carrier === undefined ? {} : { carrier }),
      ...(refundId === undefined
        ? {}
        : {
            refundMade: await refundWasMade(
              payments,
              record,
              record.order.activeCancellationRequestId ?? "",
              refundId,
            ),
          }),
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
    // So is a completed request's failed retry (its answers may have been lost); a reversed key
    // is known unpaid.
    const failedRetry =
      request.status === "COMPLETED" && refund?.status === "FAILED" && !refund.reversed;
    if ((request.status === "REFUND_FAILED" || failedRetry) && refund?.refundId) {
      assertNoRefundCallInFlight(request, now);
      refundMade = await refundWasMade(payments, record, requestId, refund.refundId);
    }
    return {
      type: "RETRY_REFUND",
      actor,
      requestId,
      refundMade,
      ...(method === undefined ? {} : { method }),
    };
  };
