// What clients see: records without server-side fields, orders with what the buyer can do now.
// Fields are listed one by one, in SPEC's order: DynamoDB does not keep the order of map keys, and
// a field added to a record is only published once it is added here.
import { type CarrierName, carrierNameOf } from "./carriers.ts";
import { cancellationOptionOf, type RequestFacts, requestFacts } from "./eligibility.ts";
import { parcelOf } from "./parcel.ts";
import type { Policy } from "./policy.ts";
import type {
  CancellationOption,
  CancellationRequest,
  Fault,
  Initiator,
  Order,
  OrderRecord,
  OrderReturn,
  Parcel,
  PaymentProvider,
  ProviderRefundStatus,
  Refund,
  RefundInquiry,
  Shipment,
  TimelineEntry,
} from "./types.ts";

/** A shipment as clients see it: the carrier as recorded (a code), and its name in each language. */
export interface PublicShipment {
  carrier: Shipment["carrier"];
  carrierName: CarrierName;
  trackingNumber: Shipment["trackingNumber"];
  shippedAt: Shipment["shippedAt"];
}

/** The order as clients see it: the latest request always named (null before the first). */
export type PublicOrder = Omit<
  Order,
  "latestCancellationRequestId" | "shipment" | "payment" | "parcel" | "return" | "shipBy"
> & {
  /** When the seller promised to ship by (an optional import field), or null. */
  shipBy: string | null;
  /** The payment, with its provider named even where the import left the default. */
  payment: Pick<Order["payment"], "method" | "paidAmount"> & {
    provider: PaymentProvider;
    reference: string | null;
  };
  shipment: PublicShipment | null;
  /** Where the parcel is, once shipped. */
  parcel: Parcel | null;
  /** The return of cancelled units the buyer took anyway, if one was opened. */
  return: OrderReturn | null;
  latestCancellationRequestId: string | null;
  cancellationOption: CancellationOption;
};
export type PublicCancellationRequest = Omit<
  CancellationRequest,
  | "idempotencyKey"
  | "requestHash"
  | "policy"
  | "notices"
  | "refund"
  | "refundInquiry"
  | "initiator"
  | "fault"
> & {
  initiator: Initiator;
  fault: Fault | null;
  refund: PublicRefund | null;
  refundInquiry: RefundInquiry | null;
};

/** A refund as people see it: the money, and what its provider said of it. */
export type PublicRefund = Pick<
  Refund,
  | "amount"
  | "currency"
  | "method"
  | "status"
  | "refundId"
  | "expectedBy"
  | "instructedAt"
  | "succeededAt"
  | "attempts"
> & {
  provider: PaymentProvider;
  providerStatus: ProviderRefundStatus | null;
  reference: string | null;
  failureReason: string | null;
  reversed: boolean;
  late: boolean;
};

/** How much of the buyer's comment a queue shows (the request itself has all of it). */
export const COMMENT_PREVIEW_LENGTH = 80;
/**
 * …and at most this many UTF-8 bytes (DynamoDB counts bytes): 80 Japanese characters (3 bytes
 * each) fit, 60 emoji (4 bytes each) do.
 */
export const COMMENT_PREVIEW_BYTES = 240;

/**
 * A request as the seller's and operators' queues list it: what a person needs to pick it out
 * and decide, without its timeline (the request itself has that). Small, so that a queue index
 * entry of a usual order stays under 1 KB (one write unit), and the largest under 1.5 KB.
 */
export interface CancellationRequestSummary {
  requestId: string;
  orderId: string;
  status: CancellationRequest["status"];
  reason: CancellationRequest["reason"];
  /**
   * The comment as it is, or, when it is longer than COMMENT_PREVIEW_LENGTH characters or
   * COMMENT_PREVIEW_BYTES bytes, its beginning cut to fit both, ending in "…".
   */
  comment: string | null;
  /**
   * The first SUMMARY_LINES lines the request covers, each named by its title (cut like the
   * comment, shorter), and how many more it covers.
   */
  lines: SummaryLine[];
  moreLines: number;
  /** What the request refunds (refund.amount is their sum), in the order's currency. */
  itemsAmount: number;
  shippingAmount: number;
  currency: Order["currency"];
  createdAt: string;
  updatedAt: string;
  sellerDeadline: string;
  marketplaceDeadline: string | null;
  marketplaceReview: CancellationRequest["marketplaceReview"];
  refundRetryDeadline: string | null;
  refund: {
    amount: number;
    currency: Refund["currency"];
    method: Refund["method"];
    status: Refund["status"];
    attempts: number;
    /** Why the last attempt failed (the note of its REFUND_FAILED entry), if it did. */
    lastError: string | null;
  } | null;
}

/**
 * An open refund inquiry as operators list it: the request, what the buyer said, and what they
 * need to look the refund up with its provider.
 */
export interface RefundInquirySummary {
  orderId: string;
  requestId: string;
  openedAt: string;
  comment: string | null;
  provider: PaymentProvider;
  method: Refund["method"];
  status: Refund["status"];
  refundId: string | null;
  providerRefundId: string | null;
  reference: string | null;
  amount: number;
  currency: Refund["currency"];
  expectedBy: Refund["expectedBy"];
  late: boolean;
}

/** The order's open refund inquiries, the longest waiting first (then by request id). */
export const openRefundInquiries = (record: OrderRecord): RefundInquirySummary[] =>
  Object.values(record.requests)
    .flatMap((request) => {
      const { refundInquiry: inquiry, refund } = request;
      if (!inquiry || inquiry.closedAt !== null || !refund) return [];
      return [
        orderedInquiry({
          orderId: request.orderId,
          requestId: request.requestId,
          openedAt: inquiry.openedAt,
          comment: inquiry.comment,
          provider: refund.provider ?? "ledger",
          method: refund.method,
          status: refund.status,
          refundId: refund.refundId,
          providerRefundId: refund.providerRefundId ?? null,
          reference: refund.reference ?? null,
          amount: refund.amount,
          currency: refund.currency,
          expectedBy: refund.expectedBy,
          late: refund.late ?? false,
        }),
      ];
    })
    .sort((a, b) =>
      a.openedAt === b.openedAt
        ? a.requestId < b.requestId
          ? -1
          : 1
        : a.openedAt < b.openedAt
          ? -1
          : 1,
    );

/** An inquiry's summary with its fields in their order (one read back from DynamoDB has none). */
export const orderedInquiry = (summary: RefundInquirySummary): RefundInquirySummary => ({
  orderId: summary.orderId,
  requestId: summary.requestId,
  openedAt: summary.openedAt,
  comment: summary.comment,
  provider: summary.provider,
  method: summary.method,
  status: summary.status,
  refundId: summary.refundId,
  providerRefundId: summary.providerRefundId,
  reference: summary.reference,
  amount: summary.amount,
  currency: summary.currency,
  expectedBy: summary.expectedBy && {
    earliest: summary.expectedBy.earliest,
    latest: summary.expectedBy.latest,
  },
  late: summary.late,
});

/** A line of a queue's summary: the request's units of it and their refund, with its title. */
export interface SummaryLine {
  lineId: string;
  title: string;
  quantity: number;
  amount: number;
}

/** How many of a request's lines a queue shows, and how much of each title. */
export const SUMMARY_LINES = 3;
export const TITLE_PREVIEW_LENGTH = 24;
const TITLE_PREVIEW_BYTES = 60;

const toTimeline = (timeline: TimelineEntry[]): TimelineEntry[] =>
  timeline.map(({ at, type, actor, note }) => ({ at, type, actor, ...(note ? { note } : {}) }));

const toRefund = (refund: Refund | PublicRefund): PublicRefund => ({
  amount: refund.amount,
  currency: refund.currency,
  method: refund.method,
  status: refund.status,
  refundId: refund.refundId,
  expectedBy: refund.expectedBy && {
    earliest: refund.expectedBy.earliest,
    latest: refund.expectedBy.latest,
  },
  instructedAt: refund.instructedAt,
  succeededAt: refund.succeededAt,
  attempts: refund.attempts,
  provider: refund.provider ?? "ledger",
  providerStatus: refund.providerStatus ?? null,
  reference: refund.reference ?? null,
  failureReason: refund.failureReason ?? null,
  reversed: refund.reversed ?? false,
  late: refund.late ?? false,
});

const toRefundInquiry = (inquiry: RefundInquiry): RefundInquiry => ({
  openedAt: inquiry.openedAt,
  comment: inquiry.comment,
  closedAt: inquiry.closedAt,
  closedBy: inquiry.closedBy,
  note: inquiry.note,
});

export const toPublicShipment = ({
  carrier,
  trackingNumber,
  shippedAt,
}: Shipment): PublicShipment => {
  const name = carrierNameOf(carrier);
  return { carrier, carrierName: { ja: name.ja, en: name.en }, trackingNumber, shippedAt };
};

const toPublicParcel = (order: Order): Parcel | null => {
  const parcel = parcelOf(order);
  return parcel && { status: parcel.status, updatedAt: parcel.updatedAt };
};

const toPublicReturn = (owed: OrderReturn): OrderReturn => ({
  status: owed.status,
  lines: owed.lines.map(({ lineId, quantity }) => ({ lineId, quantity })),
  dueBy: owed.dueBy,
  openedAt: owed.openedAt,
  closedAt: owed.closedAt,
});

export const toPublicOrder = (record: OrderRecord, now: string, policy: Policy): PublicOrder =>
  publicOrderOf(record.order, requestFacts(record), now, policy);

/** The same view from the order and the facts about its requests (what the buyer list holds). */
export const publicOrderOf = (
  order: Order,
  facts: RequestFacts,
  now: string,
  policy: Policy,
): PublicOrder => ({
  orderId: order.orderId,
  buyerId: order.buyerId,
  buyerEmail: order.buyerEmail,
  locale: order.locale,
  sellerId: order.sellerId,
  sellerEmail: order.sellerEmail,
  currency: order.currency,
  lines: order.lines.map(({ lineId, sku, title, quantity, unitPrice, cancelledQuantity }) => ({
    lineId,
    sku,
    title,
    quantity,
    unitPrice,
    cancelledQuantity,
  })),
  shippingFee: order.shippingFee,
  payment: {
    method: order.payment.method,
    paidAmount: order.payment.paidAmount,
    provider: order.payment.provider ?? "ledger",
    reference: order.payment.reference ?? null,
  },
  placedAt: order.placedAt,
  shipBy: order.shipBy ?? null,
  status: order.status,
  shipment: order.shipment && toPublicShipment(order.shipment),
  parcel: toPublicParcel(order),
  return: order.return ? toPublicReturn(order.return) : null,
  deliveredAt: order.deliveredAt,
  activeCancellationRequestId: order.activeCancellationRequestId,
  latestCancellationRequestId: order.latestCancellationRequestId ?? null,
  refundedAmount: order.refundedAmount,
  cancellationOption: cancellationOptionOf(order, facts, now, policy),
  importedAt: order.importedAt,
  updatedAt: order.updatedAt,
  timeline: toTimeline(order.timeline),
});

/** Also re-applies SPEC's field order to a view read back from DynamoDB (a queue's entry). */
export const toPublicRequest = (
  request: CancellationRequest | PublicCancellationRequest,
): PublicCancellationRequest => ({
  requestId: request.requestId,
  orderId: request.orderId,
  status: request.status,
  reason: request.reason,
  comment: request.comment,
  initiator: request.initiator ?? "BUYER",
  fault: request.fault ?? null,
  lines: request.lines.map(({ lineId, quantity, amount }) => ({ lineId, quantity, amount })),
  itemsAmount: request.itemsAmount,
  shippingAmount: request.shippingAmount,
  createdAt: request.createdAt,
  updatedAt: request.updatedAt,
  sellerDeadline: request.sellerDeadline,
  sellerRemindedAt: request.sellerRemindedAt,
  marketplaceDeadline: request.marketplaceDeadline,
  marketplaceReview: request.marketplaceReview,
  refundRetryDeadline: request.refundRetryDeadline,
  rejection: request.rejection && {
    by: request.rejection.by,
    reason: request.rejection.reason,
    at: request.rejection.at,
  },
  refund: request.refund && toRefund(request.refund),
  refundInquiry: request.refundInquiry ? toRefundInquiry(request.refundInquiry) : null,
  policyVersion: request.policyVersion,
  timeline: toTimeline(request.timeline),
});

const ELLIPSIS = "…";
const utf8Bytes = (text: string): number => new TextEncoder().encode(text).length;

/** The text as it is when it fits `length` characters and `bytes` bytes, else its cut beginning. */
const preview = (
  text: string,
  length = COMMENT_PREVIEW_LENGTH,
  maxBytes = COMMENT_PREVIEW_BYTES,
): string => {
  const characters = [...text];
  const fits = (count: number, bytes: number) => count <= length && bytes <= maxBytes;
  if (fits(characters.length, utf8Bytes(text))) return text;
  // Whole characters (never half a surrogate pair) while they and the ellipsis fit.
  let kept = 0;
  let bytes = utf8Bytes(ELLIPSIS);
  for (const character of characters) {
    const size = utf8Bytes(character);
    if (!fits(kept + 2, bytes + size)) break;
    kept += 1;
    bytes += size;
  }
  return `${characters.slice(0, kept).join("")}${ELLIPSIS}`;
};

/** A line's title as the lists show it: cut to TITLE_PREVIEW_LENGTH characters, like a comment. */
export const titlePreview = (title: string): string =>
  preview(title, TITLE_PREVIEW_LENGTH, TITLE_PREVIEW_BYTES);

/** The queue's summary of a request of `order`. */
export const toRequestSummary = (
  request: CancellationRequest,
  order: Pick<Order, "lines" | "currency">,
): CancellationRequestSummary => {
  const { refund } = request;
  const titleOf = (lineId: string) =>
    order.lines.find((line) => line.lineId === lineId)?.title ?? lineId;
  const failure = request.timeline.findLast((entry) => entry.type === "REFUND_FAILED");
  return {
    requestId: request.requestId,
    orderId: request.orderId,
    status: request.status,
    reason: request.reason,
    comment: request.comment === null ? null : preview(request.comment),
    lines: request.lines.slice(0, SUMMARY_LINES).map(({ lineId, quantity, amount }) => ({
      lineId,
      title: titlePreview(titleOf(lineId)),
      quantity,
      amount,
    })),
    moreLines: Math.max(0, request.lines.length - SUMMARY_LINES),
    itemsAmount: request.itemsAmount,
    shippingAmount: request.shippingAmount,
    currency: order.currency,
    createdAt: request.createdAt,
    updatedAt: request.updatedAt,
    sellerDeadline: request.sellerDeadline,
    marketplaceDeadline: request.marketplaceDeadline,
    marketplaceReview: request.marketplaceReview,
    refundRetryDeadline: request.refundRetryDeadline,
    refund: refund && {
      amount: refund.amount,
      currency: refund.currency,
      method: refund.method,
      status: refund.status,
      attempts: refund.attempts,
      lastError: refund.status === "FAILED" ? (failure?.note ?? null) : null,
    },
  };
};

/** A summary with its fields in their order (one read back from DynamoDB has none). */
export const orderedSummary = (
  summary: CancellationRequestSummary,
): CancellationRequestSummary => ({
  requestId: summary.requestId,
  orderId: summary.orderId,
  status: summary.status,
  reason: summary.reason,
  comment: summary.comment,
  lines: summary.lines.map(({ lineId, title, quantity, amount }) => ({
    lineId,
    title,
    quantity,
    amount,
  })),
  moreLines: summary.moreLines,
  itemsAmount: summary.itemsAmount,
  shippingAmount: summary.shippingAmount,
  currency: summary.currency,
  createdAt: summary.createdAt,
  updatedAt: summary.updatedAt,
  sellerDeadline: summary.sellerDeadline,
  marketplaceDeadline: summary.marketplaceDeadline,
  marketplaceReview: summary.marketplaceReview,
  refundRetryDeadline: summary.refundRetryDeadline,
  refund: summary.refund && {
    amount: summary.refund.amount,
    currency: summary.refund.currency,
    method: summary.refund.method,
    status: summary.refund.status,
    attempts: summary.refund.attempts,
    lastError: summary.refund.lastError,
  },
});
