// The domain events integrators receive (SPEC "For integrators"): one per entry in a request's
// timeline, with the request's status and refund as the change that wrote the entry left them
// (kept on the entry until it is published; an entry without it reports the request as it is),
// and what the request covers (its lines and amounts, fixed when it was made).
import type { RequestLine } from "./amounts.ts";
import { parcelOf } from "./parcel.ts";
import type {
  CancellationRequest,
  EventRefund,
  Fault,
  Initiator,
  OrderRecord,
  OrderReturn,
  Parcel,
  ParcelTimelineType,
  RequestStatus,
  TimelineEntry,
  TimelineType,
} from "./types.ts";
import { isTerminal, PARCEL_TIMELINE_TYPES } from "./types.ts";

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
  /** Who asked for the cancellation. */
  initiator: Initiator;
  /** Whose fault the cancellation was, once that status is terminal (null before). */
  fault: Fault | null;
  at: string;
  actor: string;
  /** The lines and units the request cancels (a whole-order request lists every line). */
  lines: RequestLine[];
  /** What the request refunds for the items and for shipping (refund.amount is their sum). */
  itemsAmount: number;
  shippingAmount: number;
  refund?: EventRefund;
  /** On the order's parcel entries: the parcel, and the return of what it held, as they stand. */
  parcel?: Parcel;
  return?: OrderReturn | null;
}

/** One event: EventBridge's `detail-type` is the timeline entry's type. */
export interface TimelineEvent {
  detailType: TimelineType;
  detail: TimelineEventDetail;
}

/** The id of a request's n-th timeline entry (0-based): the same entry always gets the same id. */
export const eventIdOf = (requestId: string, index: number): string => `${requestId}.${index}`;

/** The request an event is about, and what it covers (its lines and amounts, fixed when made). */
const whatItCovers = (request: CancellationRequest) => ({
  orderId: request.orderId,
  requestId: request.requestId,
  lines: request.lines.map(({ lineId, quantity, amount }) => ({ lineId, quantity, amount })),
  itemsAmount: request.itemsAmount,
  shippingAmount: request.shippingAmount,
});

/**
 * Who asked, and whose fault the cancellation was in `status`: set when the request ended, and
 * never changed after, so an entry of a terminal status reports it and an earlier one null.
 */
const causeIn = (request: CancellationRequest, status: RequestStatus) => ({
  initiator: request.initiator ?? "BUYER",
  fault: isTerminal(status) ? (request.fault ?? null) : null,
});

/** The events of the request's timeline entries from position `from` on, in timeline order. */
export const requestEvents = (request: CancellationRequest, from = 0): TimelineEvent[] =>
  request.timeline.slice(from).map((entry, offset) => {
    const status = entry.event?.status ?? request.status;
    const refund = entry.event ? entry.event.refund : request.refund;
    return {
      detailType: entry.type,
      detail: {
        eventId: eventIdOf(request.requestId, from + offset),
        ...whatItCovers(request),
        status,
        ...causeIn(request, status),
        at: entry.at,
        actor: entry.actor,
        ...(refund && { refund: eventRefundOf(refund) }),
      },
    };
  });

/** The id of the order's n-th own timeline entry: stable, and apart from any request's. */
export const orderEventIdOf = (orderId: string, index: number): string =>
  `${orderId}.order.${index}`;

const isParcelEntry = (
  entry: TimelineEntry,
): entry is TimelineEntry & { type: ParcelTimelineType } =>
  (PARCEL_TIMELINE_TYPES as readonly string[]).includes(entry.type);

/**
 * The request an order entry belongs to: the latest one made before it was written (the latest
 * request when the parcel moved). Its execution sends the entry's mail and events, under its id,
 * so a request made later never sends them too. Undefined for entries before the first request.
 */
export const orderEntryOwner = (
  record: OrderRecord,
  entry: TimelineEntry,
): CancellationRequest | undefined => {
  let owner: CancellationRequest | undefined;
  for (const request of Object.values(record.requests)) {
    if (request.createdAt > entry.at) continue;
    if (
      !owner ||
      request.createdAt > owner.createdAt ||
      (request.createdAt === owner.createdAt && request.requestId > owner.requestId)
    ) {
      owner = request;
    }
  }
  return owner;
};

/** An order event and the position of its entry in the order's timeline. */
export interface PlacedOrderEvent {
  position: number;
  event: TimelineEvent;
}

/**
 * The events of the order's own parcel entries from position `from` on, each under the request
 * it belongs to (SPEC: the latest request's id; its status, lines and refund as they stand), with
 * the parcel and the return. None for entries before the order's first request: no cancellation
 * to speak of.
 */
export const placedOrderEvents = (record: OrderRecord, from = 0): PlacedOrderEvent[] => {
  const { order } = record;
  const parcel = parcelOf(order);
  return order.timeline.slice(from).flatMap((entry, offset) => {
    const request = isParcelEntry(entry) ? orderEntryOwner(record, entry) : undefined;
    if (!request) return [];
    const position = from + offset;
    const event: TimelineEvent = {
      detailType: entry.type,
      detail: {
        eventId: orderEventIdOf(order.orderId, position),
        ...whatItCovers(request),
        status: request.status,
        ...causeIn(request, request.status),
        at: entry.at,
        actor: entry.actor,
        ...(request.refund && { refund: eventRefundOf(request.refund) }),
        ...(parcel && { parcel: { ...parcel } }),
        return: order.return ? structuredClone(order.return) : null,
      },
    };
    return [{ position, event }];
  });
};

/** The events of the order's own parcel entries from position `from` on (`placedOrderEvents`). */
export const orderEvents = (record: OrderRecord, from = 0): TimelineEvent[] =>
  placedOrderEvents(record, from).map(({ event }) => event);
