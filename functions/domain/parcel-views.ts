// The seller's parcels list (SPEC "The parcel after a cancellation", GET /seller/parcels): an
// order whose cancelled units are in a parcel not yet back with the seller, summarized as the
// queues summarize a request (views.ts `toRequestSummary`): a few lines named by their cut titles,
// so that its index entry stays under 1 KB for a usual order.
import { parcelOf } from "./parcel.ts";
import { latestRequest } from "./requests.ts";
import type { Currency, OrderRecord, OrderReturn, ParcelStatus } from "./types.ts";
import { type PublicShipment, SUMMARY_LINES, titlePreview, toPublicShipment } from "./views.ts";

/** The statuses of a parcel not yet back with the seller: those the list has. */
export const OUT_PARCEL_STATUSES = [
  "IN_TRANSIT",
  "REFUSED",
  "RETURNING",
  "DELIVERED",
] as const satisfies readonly ParcelStatus[];
export type OutParcelStatus = (typeof OUT_PARCEL_STATUSES)[number];

/** A cancelled line of the parcel: its title (cut as the queues cut it) and cancelled units. */
export interface ParcelLine {
  lineId: string;
  title: string;
  quantity: number;
}

/** The order's return without its lines: they are the cancelled units, which `lines` names. */
export type ParcelReturn = Omit<OrderReturn, "lines">;

/** An entry of the seller's parcels list. */
export interface ParcelSummary {
  orderId: string;
  /** The order's currency: its zone is the one its times are shown in (Asia/Tokyo for JPY). */
  currency: Currency;
  parcel: { status: OutParcelStatus; updatedAt: string };
  /** The return the buyer owes, once they took the cancelled units anyway; null if none. */
  return: ParcelReturn | null;
  shipment: PublicShipment;
  /** The first SUMMARY_LINES lines with cancelled units, in the order's order. */
  lines: ParcelLine[];
  /** How many more lines have cancelled units. */
  moreLines: number;
  latestCancellationRequestId: string | null;
}

/**
 * The order's entry in its seller's parcels list, or undefined when it has none: listed while the
 * order has cancelled units (completed requests cancelled them) and its parcel is shipped and not
 * yet RETURNED. From the record alone: the index keys and the projected summary come from it.
 */
export const parcelSummaryOf = (record: OrderRecord): ParcelSummary | undefined => {
  const { order } = record;
  const parcel = parcelOf(order);
  const cancelled = order.lines.filter((line) => line.cancelledQuantity > 0);
  if (!parcel || parcel.status === "RETURNED" || !order.shipment || cancelled.length === 0) {
    return undefined;
  }
  const owed = order.return;
  return {
    orderId: order.orderId,
    currency: order.currency,
    parcel: { status: parcel.status, updatedAt: parcel.updatedAt },
    return: owed
      ? { status: owed.status, dueBy: owed.dueBy, openedAt: owed.openedAt, closedAt: owed.closedAt }
      : null,
    shipment: toPublicShipment(order.shipment),
    lines: cancelled.slice(0, SUMMARY_LINES).map((line) => ({
      lineId: line.lineId,
      title: titlePreview(line.title),
      quantity: line.cancelledQuantity,
    })),
    moreLines: Math.max(0, cancelled.length - SUMMARY_LINES),
    latestCancellationRequestId:
      order.latestCancellationRequestId ?? latestRequest(record)?.requestId ?? null,
  };
};

/** A summary with its fields in their order (one read back from DynamoDB has none). */
export const orderedParcelSummary = (summary: ParcelSummary): ParcelSummary => ({
  orderId: summary.orderId,
  currency: summary.currency,
  parcel: { status: summary.parcel.status, updatedAt: summary.parcel.updatedAt },
  return: summary.return && {
    status: summary.return.status,
    dueBy: summary.return.dueBy,
    openedAt: summary.return.openedAt,
    closedAt: summary.return.closedAt,
  },
  shipment: {
    carrier: summary.shipment.carrier,
    carrierName: { ja: summary.shipment.carrierName.ja, en: summary.shipment.carrierName.en },
    trackingNumber: summary.shipment.trackingNumber,
    shippedAt: summary.shipment.shippedAt,
  },
  lines: summary.lines.map(({ lineId, title, quantity }) => ({ lineId, title, quantity })),
  moreLines: summary.moreLines,
  latestCancellationRequestId: summary.latestCancellationRequestId,
});
