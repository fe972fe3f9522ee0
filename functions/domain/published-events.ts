// The domain events integrators receive (SPEC "For integrators"): one per entry in a request's
// timeline, with the request's status and refund as they stand when it is published (right after
// the change that made it, unless an earlier publish failed: docs/events.md).
import type { CancellationRequest, Refund, RequestStatus, TimelineType } from "./types.ts";

/** EventBridge `source` of every event the service publishes. */
export const EVENT_SOURCE = "shipped-cancellation";

/** The refund as an event shows it: what a consumer needs, none of the service's bookkeeping. */
export type EventRefund = Pick<
  Refund,
  "amount" | "currency" | "method" | "status" | "refundId" | "expectedBy"
>;

export interface TimelineEventDetail {
  /** Stable per timeline entry: a redelivery carries the same id, so consumers drop duplicates. */
  eventId: string;
  orderId: string;
  requestId: string;
  /** The request's status once the change that made this entry was saved. */
  status: RequestStatus;
  at: string;
  actor: string;
  refund?: EventRefund;
}

/** One event: EventBridge's `detail-type` is the timeline entry's type. */
export interface TimelineEvent {
  detailType: TimelineType;
  detail: TimelineEventDetail;
}

/** The id of a request's n-th timeline entry (0-based): the same entry always gets the same id. */
export const eventIdOf = (requestId: string, index: number): string => `${requestId}.${index}`;

/** The events of the request's timeline entries from position `from` on, in timeline order. */
export const requestEvents = (request: CancellationRequest, from = 0): TimelineEvent[] => {
  const { refund } = request;
  return request.timeline.slice(from).map((entry, offset) => ({
    detailType: entry.type,
    detail: {
      eventId: eventIdOf(request.requestId, from + offset),
      orderId: request.orderId,
      requestId: request.requestId,
      status: request.status,
      at: entry.at,
      actor: entry.actor,
      ...(refund && {
        refund: {
          amount: refund.amount,
          currency: refund.currency,
          method: refund.method,
          status: refund.status,
          refundId: refund.refundId,
          expectedBy: refund.expectedBy,
        },
      }),
    },
  }));
};
