// Examples: the seed's story (order o-1001, ¥5,480 by card, refunded in full), each checked
// against its own schema when the document is built.
import { type AuditEntry, entryHash, GENESIS_HASH } from "../../functions/domain/audit.ts";
import { DEFAULT_POLICY, policySchema } from "../../functions/domain/policy.ts";
import { auditExportSchema, sellerMetricsSchema } from "../../functions/domain/report-schemas.ts";
import {
  cancellationPreviewInputSchema,
  cancellationRequestInputSchema,
  closeRefundInquiryInputSchema,
  decisionSchema,
  deliverySchema,
  orderImportSchema,
  refundInquiryInputSchema,
  shipmentSchema,
  trackingEventSchema,
} from "../../functions/domain/schemas.ts";
import { sellerMetricsOf } from "../../functions/domain/seller-metrics.ts";
import {
  cancellationPreviewSchema,
  pageSchema,
  parcelSummarySchema,
  publicOrderSchema,
  publicRequestSchema,
  refundInquirySummarySchema,
  requestSummarySchema,
} from "../../functions/domain/view-schemas.ts";
import { refundRetryBodySchema } from "./components.ts";

const ORDER_ID = "o-1001";
const REQUEST_ID = "r-01JD8Y3Q2M4T6V8X0Z2B4D6F8H";

export const EXAMPLES = {
  orderImport: {
    orderId: ORDER_ID,
    buyerId: "buyer-1",
    buyerEmail: "buyer@example.com",
    locale: "ja",
    sellerId: "seller-1",
    sellerEmail: "seller@example.com",
    currency: "JPY",
    lines: [
      { lineId: "l1", sku: "SKU-1", title: "ワイヤレスイヤホン", quantity: 1, unitPrice: 4980 },
    ],
    shippingFee: 500,
    payment: {
      method: "CARD",
      paidAmount: 5480,
      provider: "stripe",
      reference: "pi_3QExample5480",
    },
    placedAt: "2026-11-20T10:00:00.000Z",
    shipBy: "2026-11-22T15:00:00.000Z",
  },
  shipment: { carrier: "yamato", trackingNumber: "4470-1234-5678" },
  delivery: { deliveredAt: "2026-11-23T09:00:00.000Z" },
  trackingEvent: { type: "RETURNED_TO_SENDER", at: "2026-11-25T15:30:00.000Z" },
  cancellationRequest: { reason: "NO_LONGER_NEEDED", comment: "家族が同じものを買っていました" },
  cancellationPreview: { reason: "NO_LONGER_NEEDED", lines: [{ lineId: "l1", quantity: 1 }] },
  sellerApprove: { decision: "APPROVE" },
  reject: { decision: "REJECT", reason: "既に配達直前のため" },
  refundRetry: { method: "GIFT_CARD" },
  refundInquiry: { comment: "カードの明細に返金がまだ載っていません" },
  closeRefundInquiry: {
    note: "Stripe shows the refund succeeded on 12/01; gave the buyer the reference 7424915112309 for the card issuer",
  },
} as const;

const shippedOrder = {
  ...EXAMPLES.orderImport,
  lines: EXAMPLES.orderImport.lines.map((line) => ({ ...line, cancelledQuantity: 0 })),
  status: "SHIPPED",
  shipment: {
    carrier: EXAMPLES.shipment.carrier,
    carrierName: { ja: "ヤマト運輸", en: "Yamato Transport" },
    trackingNumber: EXAMPLES.shipment.trackingNumber,
    shippedAt: "2026-11-21T08:00:00.000Z",
  },
  parcel: { status: "IN_TRANSIT", updatedAt: "2026-11-21T08:00:00.000Z" },
  return: null,
  deliveredAt: null,
  activeCancellationRequestId: null,
  latestCancellationRequestId: null,
  refundedAmount: 0,
  cancellationOption: { kind: "CANCEL", reason: "IN_TRANSIT" },
  importedAt: "2026-11-20T10:00:01.000Z",
  updatedAt: "2026-11-21T08:00:00.000Z",
  timeline: [
    { at: "2026-11-20T10:00:01.000Z", type: "ORDER_IMPORTED", actor: "order-system" },
    { at: "2026-11-21T08:00:00.000Z", type: "SHIPPED", actor: "seller-1" },
  ],
};

const completedRequest = {
  requestId: REQUEST_ID,
  orderId: ORDER_ID,
  status: "COMPLETED",
  reason: "NO_LONGER_NEEDED",
  comment: "家族が同じものを買っていました",
  initiator: "BUYER",
  fault: "NONE",
  lines: [{ lineId: "l1", quantity: 1, amount: 4980 }],
  itemsAmount: 4980,
  shippingAmount: 500,
  createdAt: "2026-11-21T12:00:00.000Z",
  updatedAt: "2026-11-21T15:00:05.000Z",
  sellerDeadline: "2026-11-23T12:00:00.000Z",
  sellerRemindedAt: null,
  marketplaceDeadline: null,
  marketplaceReview: "POLICY",
  refundRetryDeadline: null,
  rejection: null,
  refund: {
    amount: 5480,
    currency: "JPY",
    method: "CARD",
    status: "SUCCEEDED",
    refundId: `${ORDER_ID}:${REQUEST_ID}`,
    expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
    instructedAt: "2026-11-21T15:00:01.000Z",
    succeededAt: "2026-11-21T15:00:04.000Z",
    attempts: 1,
    provider: "stripe",
    providerStatus: "succeeded",
    reference: "7424915112309",
    failureReason: null,
    reversed: false,
    late: false,
  },
  refundInquiry: null,
  policyVersion: "2026-11-01",
  timeline: [
    { at: "2026-11-21T12:00:00.000Z", type: "REQUESTED", actor: "buyer-1" },
    { at: "2026-11-21T12:00:01.000Z", type: "SELLER_NOTIFIED", actor: "system" },
    { at: "2026-11-21T15:00:00.000Z", type: "SELLER_APPROVED", actor: "seller-1" },
    { at: "2026-11-21T15:00:00.000Z", type: "MARKETPLACE_APPROVED", actor: "policy" },
    { at: "2026-11-21T15:00:01.000Z", type: "REFUND_INSTRUCTED", actor: "system" },
    { at: "2026-11-21T15:00:04.000Z", type: "REFUND_SUCCEEDED", actor: "system" },
    { at: "2026-11-21T15:00:05.000Z", type: "COMPLETED", actor: "system" },
  ],
};

/** What the POST answers: the request as its one write stored it (the workflow starts after). */
const requestedRequest = {
  ...completedRequest,
  status: "REQUESTED",
  fault: null,
  updatedAt: completedRequest.createdAt,
  marketplaceReview: null,
  refund: null,
  timeline: completedRequest.timeline.slice(0, 1),
};

/** A queue's entry: the request a moment later, once the workflow asked the seller. */
const awaitingSellerSummary = {
  requestId: REQUEST_ID,
  orderId: ORDER_ID,
  status: "AWAITING_SELLER",
  reason: completedRequest.reason,
  comment: completedRequest.comment,
  lines: [{ lineId: "l1", title: "ワイヤレスイヤホン", quantity: 1, amount: 4980 }],
  moreLines: 0,
  itemsAmount: 4980,
  shippingAmount: 500,
  currency: "JPY",
  createdAt: completedRequest.createdAt,
  updatedAt: "2026-11-21T12:00:01.000Z",
  sellerDeadline: completedRequest.sellerDeadline,
  marketplaceDeadline: null,
  marketplaceReview: null,
  refundRetryDeadline: null,
  refund: null,
};

/** An operator's entry: a refund that failed and waits for a retry. */
const refundFailedSummary = {
  ...awaitingSellerSummary,
  status: "REFUND_FAILED",
  updatedAt: "2026-11-21T15:00:04.000Z",
  marketplaceDeadline: "2026-11-24T15:00:00.000Z",
  marketplaceReview: "OPERATOR",
  refundRetryDeadline: "2026-11-22T15:00:04.000Z",
  refund: {
    amount: 5480,
    currency: "JPY",
    method: "CARD",
    status: "FAILED",
    attempts: 1,
    lastError: "ProviderUnavailable",
  },
};

/** An open inquiry: the buyer of the completed request says the refund has not arrived. */
const openInquiry = {
  orderId: ORDER_ID,
  requestId: REQUEST_ID,
  openedAt: "2026-12-08T01:30:00.000Z",
  comment: EXAMPLES.refundInquiry.comment,
  provider: "stripe",
  method: "CARD",
  status: "SUCCEEDED",
  refundId: completedRequest.refund.refundId,
  providerRefundId: "re_3QExample5480",
  reference: completedRequest.refund.reference,
  amount: 5480,
  currency: "JPY",
  expectedBy: completedRequest.refund.expectedBy,
  late: false,
};

/** The seller's parcel: the cancelled earphones were delivered anyway, and are owed back. */
const keptParcel = {
  orderId: ORDER_ID,
  currency: "JPY",
  parcel: { status: "DELIVERED", updatedAt: EXAMPLES.delivery.deliveredAt },
  return: {
    status: "REQUESTED",
    dueBy: "2026-12-07T09:00:05.000Z",
    openedAt: "2026-11-23T09:00:05.000Z",
    closedAt: null,
  },
  shipment: shippedOrder.shipment,
  lines: [{ lineId: "l1", title: "ワイヤレスイヤホン", quantity: 1 }],
  moreLines: 0,
  latestCancellationRequestId: REQUEST_ID,
};

/** The story's audit trail: the order's entries, then its request's, as they were written. */
const auditTrail = (() => {
  let head = GENESIS_HASH;
  const entries = [
    ...shippedOrder.timeline,
    ...completedRequest.timeline.map((entry) => ({ ...entry, requestId: REQUEST_ID })),
  ].map((fields, seq) => {
    const entry = { seq, ...fields } as Omit<AuditEntry, "hash">;
    head = entryHash(head, entry);
    return { ...entry, hash: head };
  });
  return { orderId: ORDER_ID, entries, head };
})();

/**
 * A seller's week: 40 orders; three cancellations ended (the story's change of mind, a slow
 * delivery shipped late, one withdrawn), one counted against the seller; eleven answers.
 */
const sellerWeek = sellerMetricsOf({ from: "2026-11-20", to: "2026-11-26" }, [
  { day: "2026-11-20", counts: { orders: 6, answered: 2, withinDeadline: 2, bucket_3600: 2 } },
  {
    day: "2026-11-21",
    counts: {
      orders: 7,
      ended: 1,
      reason_NO_LONGER_NEEDED: 1,
      status_COMPLETED: 1,
      fault_NONE: 1,
      answered: 3,
      withinDeadline: 3,
      bucket_900: 1,
      bucket_14400: 2,
    },
  },
  { day: "2026-11-22", counts: { orders: 5, timedOut: 1 } },
  {
    day: "2026-11-23",
    counts: {
      orders: 6,
      ended: 2,
      reason_DELIVERY_TOO_SLOW: 1,
      reason_FOUND_BETTER_PRICE: 1,
      status_COMPLETED: 1,
      status_WITHDRAWN: 1,
      fault_SELLER: 1,
      fault_NONE: 1,
      completedSellerFault: 1,
      answered: 2,
      withinDeadline: 2,
      bucket_7200: 1,
      bucket_28800: 1,
    },
  },
  { day: "2026-11-24", counts: { orders: 8, answered: 2, withinDeadline: 2, bucket_300: 2 } },
  { day: "2026-11-25", counts: { orders: 4, answered: 2, withinDeadline: 2, bucket_43200: 2 } },
  { day: "2026-11-26", counts: { orders: 4 } },
]);

export const RESPONSE_EXAMPLES = {
  Order: shippedOrder,
  CancellationRequest: completedRequest,
  Requested: requestedRequest,
  SellerQueue: { items: [awaitingSellerSummary], nextCursor: null },
  OperatorQueue: { items: [refundFailedSummary], nextCursor: null },
  RefundInquiries: { items: [openInquiry], nextCursor: null },
  SellerParcels: { items: [keptParcel], nextCursor: null },
  SellerMetrics: sellerWeek,
  Audit: auditTrail,
  Policy: DEFAULT_POLICY,
  Preview: {
    lines: completedRequest.lines,
    itemsAmount: 4980,
    shippingAmount: 500,
    amount: 5480,
    currency: "JPY",
    method: "CARD",
    expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
    approval: "POLICY",
  },
};

/** Example payloads, checked against their own schemas when the document is built. */
export const checkExamples = () => {
  orderImportSchema.parse(EXAMPLES.orderImport);
  shipmentSchema.parse(EXAMPLES.shipment);
  deliverySchema.parse(EXAMPLES.delivery);
  trackingEventSchema.parse(EXAMPLES.trackingEvent);
  cancellationRequestInputSchema.parse(EXAMPLES.cancellationRequest);
  cancellationPreviewInputSchema.parse(EXAMPLES.cancellationPreview);
  cancellationPreviewSchema.parse(RESPONSE_EXAMPLES.Preview);
  decisionSchema.parse(EXAMPLES.sellerApprove);
  decisionSchema.parse(EXAMPLES.reject);
  refundRetryBodySchema.parse(EXAMPLES.refundRetry);
  refundInquiryInputSchema.parse(EXAMPLES.refundInquiry);
  closeRefundInquiryInputSchema.parse(EXAMPLES.closeRefundInquiry);
  pageSchema(refundInquirySummarySchema).parse(RESPONSE_EXAMPLES.RefundInquiries);
  pageSchema(parcelSummarySchema).parse(RESPONSE_EXAMPLES.SellerParcels);
  sellerMetricsSchema.parse(RESPONSE_EXAMPLES.SellerMetrics);
  auditExportSchema.parse(RESPONSE_EXAMPLES.Audit);
  publicOrderSchema.parse(shippedOrder);
  publicRequestSchema.parse(completedRequest);
  publicRequestSchema.parse(requestedRequest);
  pageSchema(requestSummarySchema).parse(RESPONSE_EXAMPLES.SellerQueue);
  pageSchema(requestSummarySchema).parse(RESPONSE_EXAMPLES.OperatorQueue);
  policySchema.parse(DEFAULT_POLICY);
};
