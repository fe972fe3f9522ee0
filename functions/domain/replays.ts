// Whether an event that a caller sends again already took effect. A write whose answer was lost
// (a timeout after DynamoDB applied it) is retried by the SDK or the client; the domain then
// refuses it as a change of state, but the caller's intent is already saved: answer as success.
import type { DomainEvent } from "./events.ts";
import { handedTo, parcelOf, wouldMove } from "./parcel.ts";
import type { CancellationRequest, OrderRecord, TimelineEntry } from "./types.ts";

const requestOf = (record: OrderRecord, requestId: string): CancellationRequest | undefined =>
  Object.hasOwn(record.requests, requestId) ? record.requests[requestId] : undefined;

const loggedBy = (request: CancellationRequest, type: TimelineEntry["type"], actor: string) =>
  request.timeline.some((entry) => entry.type === type && entry.actor === actor);

const lastIndexOf = (timeline: TimelineEntry[], match: (entry: TimelineEntry) => boolean) =>
  timeline.findLastIndex(match);

/** True when `event`, from the same actor with the same content, is already in `record`. */
export const alreadyApplied = (record: OrderRecord, event: DomainEvent): boolean => {
  switch (event.type) {
    case "SELLER_DECIDE":
    case "OPERATOR_DECIDE": {
      const request = requestOf(record, event.requestId);
      if (!request) return false;
      const seller = event.type === "SELLER_DECIDE";
      if (event.decision === "APPROVE") {
        return loggedBy(request, seller ? "SELLER_APPROVED" : "MARKETPLACE_APPROVED", event.actor);
      }
      return (
        loggedBy(request, seller ? "SELLER_REJECTED" : "MARKETPLACE_REJECTED", event.actor) &&
        request.rejection?.reason === event.reason
      );
    }
    case "WITHDRAW": {
      const request = requestOf(record, event.requestId);
      return request?.status === "WITHDRAWN" && loggedBy(request, "WITHDRAWN", event.actor);
    }
    case "RETRY_REFUND": {
      // This operator's retry (to the same method, if one was named) came after the last
      // failure: the retry is the one on record.
      const request = requestOf(record, event.requestId);
      if (!request) return false;
      if (event.method !== undefined && request.refund?.method !== event.method) return false;
      const failed = lastIndexOf(request.timeline, (entry) => entry.type === "REFUND_FAILED");
      const retried = lastIndexOf(
        request.timeline,
        (entry) => entry.type === "REFUND_RETRIED" && entry.actor === event.actor,
      );
      return retried > failed;
    }
    case "MARK_REFUND_LATE":
      return requestOf(record, event.requestId)?.refund?.late === true;
    case "OPEN_REFUND_INQUIRY": {
      // The buyer's inquiry with this comment is the one open.
      const request = requestOf(record, event.requestId);
      const inquiry = request?.refundInquiry;
      return (
        record.order.buyerId === event.actor &&
        !!inquiry &&
        inquiry.closedAt === null &&
        inquiry.comment === event.comment
      );
    }
    case "CLOSE_REFUND_INQUIRY": {
      // This operator closed the latest inquiry with this note.
      const inquiry = requestOf(record, event.requestId)?.refundInquiry;
      return !!inquiry && inquiry.closedBy === event.actor && inquiry.note === event.note;
    }
    case "SHIP": {
      const { shipment, status, sellerId } = record.order;
      return (
        status !== "PLACED" &&
        sellerId === event.actor &&
        shipment?.carrier === event.shipment.carrier &&
        shipment.trackingNumber === event.shipment.trackingNumber
      );
    }
    case "DELIVER":
      // Recorded as DELIVERED, or (a cancelled order) as DELIVERED_AFTER_CANCELLATION; never
      // another carrier's parcel (that order does not exist for this client).
      return (
        handedTo(record.order, event.carrier) &&
        record.order.deliveredAt === event.deliveredAt &&
        record.order.timeline.some(
          (entry) =>
            (entry.type === "DELIVERED" || entry.type === "DELIVERED_AFTER_CANCELLATION") &&
            entry.actor === event.actor,
        )
      );
    case "TRACK_PARCEL":
      // A repeat, or an older event arriving late: the parcel is already there or further on.
      // Never another carrier's parcel: that order does not exist for this client (404).
      return (
        handedTo(record.order, event.carrier) &&
        parcelOf(record.order) !== null &&
        !wouldMove(record.order, event.event)
      );
    case "MARK_RETURN_OVERDUE":
      return record.order.return?.status === "OVERDUE";
    default:
      return false;
  }
};
