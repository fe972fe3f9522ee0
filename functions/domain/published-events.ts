// The domain events integrators receive (SPEC "For integrators"): one per entry in a request's
// timeline, with the request's status and refund as the change that wrote the entry left them
// (kept on the entry until it is published; an entry without it reports the request as it is),
// and what the request covers (its lines and amounts, fixed when it was made).
import type { RequestLine } from "./amounts.ts";
import type { CancellationRequest, EventRefund, RequestStatus, TimelineType } from "./types.ts";

export type { EventRefund };

/** EventBridge `source` of every event the service publishes. */
export const EVENT_SOURCE = "shipped-cancellation";

/** A copy of the refund's fields an event shows (the rest is the service's bookkeeping). */
export const eventRefundOf = (refund: EventRefund): EventRefund => ({
  amount: refund.amount,
  currency: refund.currency,
  method: refund.method,
  status: refund.status,
  refundId: refund.refundId,
  expectedBy: refund.expectedBy && { ...refund.expectedBy },
});

export interface TimelineEventDetail {
  /** Stable per timeline entry: a redelivery carries the same id, so consumers drop duplicates. */
  eventId: string;
  orderId: string;
  requestId: string;
  /** The request's status once the change that made this entry was saved. */
  status: RequestStatus;
  at: string;
  actor: string;
  /** The lines and units the request cancels (a whole-order request lists every line). */
  lines: RequestLine[];
  /** What the request refunds for the items and for shipping (refund.amount is their sum). */
  itemsAmount: number;
  shippingAmount: number;
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
export const requestEvents = (request: CancellationRequest, from = 0): TimelineEvent[] =>
  request.timeline.slice(from).map((entry, offset) => {
    const status = entry.event?.status ?? request.status;
    const refund = entry.event ? entry.event.refund : request.refund;
    return {
      detailType: entry.type,
      detail: {
        eventId: eventIdOf(request.requestId, from + offset),
        orderId: request.orderId,
        requestId: request.requestId,
        status,
        at: entry.at,
        actor: entry.actor,
        lines: request.lines.map(({ lineId, quantity, amount }) => ({ lineId, quantity, amount })),
        itemsAmount: request.itemsAmount,
        shippingAmount: request.shippingAmount,
        ...(refund && { refund: eventRefundOf(refund) }),
      },
    };
  });
