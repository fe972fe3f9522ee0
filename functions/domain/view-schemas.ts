// Zod schemas of what clients see (views.ts): the response side of the API contract, for the
// OpenAPI document (infra/openapi/) and the tests that check a rendered view parses.
// Handlers never import this module: they build views with views.ts and need no response schemas.
// The compile-time checks at the bottom keep these schemas and the views' types the same.

import { CARRIER_CODES } from "./carriers.ts";
import { OUT_PARCEL_STATUSES, type ParcelSummary } from "./parcel-views.ts";
import type { CancellationPreview } from "./request-terms.ts";
import {
  CANCELLATION_REASONS,
  CURRENCIES,
  LOCALES,
  PAYMENT_METHODS,
  PAYMENT_PROVIDERS,
} from "./schemas.ts";
import type { CancellationOptionReason, OrderStatus, TimelineType } from "./types.ts";
import {
  FAULTS,
  INITIATORS,
  PARCEL_STATUSES,
  PARCEL_TIMELINE_TYPES,
  REQUEST_STATUSES,
  RETURN_STATUSES,
} from "./types.ts";
import {
  type CancellationRequestSummary,
  COMMENT_PREVIEW_BYTES,
  COMMENT_PREVIEW_LENGTH,
  type PublicCancellationRequest,
  type PublicOrder,
  type RefundInquirySummary,
  SUMMARY_LINES,
  TITLE_PREVIEW_LENGTH,
} from "./views.ts";
import * as z from "./zod.ts";

export const ORDER_STATUSES = [
  "PLACED",
  "SHIPPED",
  "DELIVERED",
  "CANCELLED",
] as const satisfies readonly OrderStatus[];

export const CANCELLATION_OPTION_REASONS = [
  "IN_TRANSIT",
  "NOT_SHIPPED",
  "WINDOW_CLOSED",
  "RETURN_REQUIRED",
  "ACTIVE_REQUEST_EXISTS",
  "ALREADY_CANCELLED",
  "REQUEST_LIMIT_REACHED",
] as const satisfies readonly CancellationOptionReason[];

export const TIMELINE_TYPES = [
  "ORDER_IMPORTED",
  "SHIPPED",
  "DELIVERED",
  "CANCELLED",
  "REQUESTED",
  "SELLER_NOTIFIED",
  "SELLER_REMINDED",
  "SELLER_APPROVED",
  "SELLER_REJECTED",
  "SELLER_TIMED_OUT",
  "MARKETPLACE_APPROVED",
  "MARKETPLACE_REJECTED",
  "REFUND_INSTRUCTED",
  "REFUND_SUCCEEDED",
  "REFUND_FAILED",
  "REFUND_RETRIED",
  "REFUND_REVERSED",
  "REFUND_LATE",
  "REFUND_INQUIRY_OPENED",
  "REFUND_INQUIRY_CLOSED",
  "COMPLETED",
  "WITHDRAWN",
  "RETURN_REQUIRED",
  ...PARCEL_TIMELINE_TYPES,
] as const satisfies readonly TimelineType[];

export const instant = () => z.iso.datetime();
export const date = () => z.iso.date();

export const timelineEntrySchema = z.strictObject({
  at: instant(),
  type: z.enum(TIMELINE_TYPES),
  actor: z.string(),
  note: z.optional(z.string()),
});

/** A shipment as clients see it (views.ts `PublicShipment`). */
export const publicShipmentSchema = z.strictObject({
  carrier: z
    .string()
    .check(
      z.describe(
        `The carrier as the seller recorded it: a code (${CARRIER_CODES.join(", ")}) or, ` +
          "for another carrier, its name.",
      ),
    ),
  carrierName: z
    .strictObject({ ja: z.string(), en: z.string() })
    .check(
      z.describe(
        "The carrier's name to show, in each language (ヤマト運輸 / Yamato Transport for " +
          "`yamato`); a carrier that is not a known code is named as given.",
      ),
    ),
  trackingNumber: z.string(),
  shippedAt: instant(),
});

/** The return of cancelled units the buyer took anyway (types.ts `OrderReturn`). */
export const orderReturnSchema = z
  .strictObject({
    status: z.enum(RETURN_STATUSES),
    lines: z.array(z.strictObject({ lineId: z.string(), quantity: z.int() })),
    dueBy: instant().check(z.describe("The buyer sends the units back by then.")),
    openedAt: instant(),
    closedAt: z.nullable(instant().check(z.describe("When the parcel was back (RECEIVED)."))),
  })
  .check(
    z.describe(
      "Cancelled units the buyer took delivery of anyway: REQUESTED until the parcel is " +
        "back with the seller (RECEIVED); OVERDUE once `dueBy` passed without it.",
    ),
  );

export const publicOrderSchema = z.strictObject({
  orderId: z.string(),
  buyerId: z.string(),
  buyerEmail: z.string(),
  locale: z.enum(LOCALES),
  sellerId: z.string(),
  sellerEmail: z.string(),
  currency: z.enum(CURRENCIES),
  lines: z.array(
    z.strictObject({
      lineId: z.string(),
      sku: z.string(),
      title: z.string(),
      quantity: z.int(),
      unitPrice: z.int(),
      cancelledQuantity: z
        .int()
        .check(z.describe("Units of the line that completed cancellation requests cancelled.")),
    }),
  ),
  shippingFee: z.int(),
  payment: z.strictObject({
    method: z.enum(PAYMENT_METHODS),
    paidAmount: z.int(),
    provider: z
      .enum(PAYMENT_PROVIDERS)
      .check(z.describe("Who holds the money: `ledger` (the default) or `stripe`.")),
    reference: z
      .nullable(z.string())
      .check(z.describe("The payment at the provider (Stripe: its PaymentIntent `pi_…`).")),
  }),
  placedAt: instant(),
  shipBy: z
    .nullable(instant())
    .check(
      z.describe(
        "When the seller promised to ship by (optional on import): a buyer who cancels because " +
          "the delivery is too slow is counted as the seller's fault when the order shipped after it.",
      ),
    ),
  status: z.enum(ORDER_STATUSES),
  shipment: z.nullable(publicShipmentSchema),
  parcel: z.nullable(
    z
      .strictObject({
        status: z.enum(PARCEL_STATUSES),
        updatedAt: instant().check(
          z.describe("When the carrier reported the parcel's status (the shipment's time first)."),
        ),
      })
      .check(
        z.describe(
          "Where the parcel is, once shipped. It only moves forward: IN_TRANSIT → DELIVERED, " +
            "REFUSED, RETURNING or RETURNED; REFUSED or DELIVERED → RETURNING or RETURNED; " +
            "RETURNING → RETURNED.",
        ),
      ),
  ),
  return: z.nullable(orderReturnSchema),
  deliveredAt: z.nullable(instant()),
  activeCancellationRequestId: z.nullable(z.string()),
  latestCancellationRequestId: z.nullable(z.string()),
  refundedAmount: z.int().check(z.describe("What completed cancellation requests refunded.")),
  cancellationOption: z.strictObject({
    kind: z.enum(["CANCEL", "RETURN", "NONE"]),
    reason: z.enum(CANCELLATION_OPTION_REASONS),
  }),
  importedAt: instant(),
  updatedAt: instant(),
  timeline: z.array(timelineEntrySchema),
});

export const refundSchema = z.strictObject({
  amount: z.int(),
  currency: z.enum(CURRENCIES),
  method: z.enum(["CARD", "GIFT_CARD", "POINTS", "CASH_ON_DELIVERY"]),
  status: z.enum(["PENDING", "SUCCEEDED", "FAILED", "NOT_REQUIRED"]),
  refundId: z.nullable(z.string()),
  expectedBy: z.nullable(z.strictObject({ earliest: date(), latest: date() })),
  instructedAt: z.nullable(instant()),
  succeededAt: z.nullable(instant()),
  attempts: z.int(),
  provider: z
    .enum(PAYMENT_PROVIDERS)
    .check(z.describe("Who makes the refund: the marketplace's ledger, or its Stripe account.")),
  providerStatus: z
    .nullable(z.enum(["pending", "requires_action", "succeeded", "failed", "canceled"]))
    .check(
      z.describe(
        "The provider's last word on the refund; `pending` while it is on its way (the request " +
          "waits in REFUND_PENDING until the provider settles it).",
      ),
    ),
  reference: z
    .nullable(z.string())
    .check(
      z.describe(
        "The reference the buyer's bank can trace the refund with (for card refunds the " +
          "acquirer reference number), once the provider has it.",
      ),
    ),
  failureReason: z
    .nullable(z.string())
    .check(
      z.describe("Why the provider failed or reversed the refund, e.g. expired_or_canceled_card."),
    ),
  reversed: z
    .boolean()
    .check(
      z.describe(
        "The provider failed the refund after it had succeeded: the money went back to the " +
          "marketplace, and an operator (or the policy's fallback) refunds it again.",
      ),
    ),
  late: z
    .boolean()
    .check(
      z.describe(
        "The refund had not succeeded by the end of `expectedBy.latest` in the order's time zone " +
          "(Asia/Tokyo for JPY, UTC otherwise): the buyer got an apology and operators are " +
          "chasing it. Stays true once set, unless a retry makes a new promise (a new " +
          "`expectedBy`).",
      ),
    ),
});

/** The buyer's latest refund inquiry on a completed request (views.ts). */
export const refundInquirySchema = z.strictObject({
  openedAt: instant(),
  comment: z.nullable(z.string()).check(z.describe("What the buyer wrote, if anything.")),
  closedAt: z.nullable(instant()).check(z.describe("Null while the inquiry is open.")),
  closedBy: z.nullable(z.string()).check(z.describe("The operator who closed it.")),
  note: z
    .nullable(z.string())
    .check(z.describe("The operator's note on closing (also on the timeline).")),
});

/** A line a cancellation request covers: its units and their refund. */
export const requestLineSchema = z.strictObject({
  lineId: z.string(),
  quantity: z.int(),
  amount: z.int(),
});

export const publicRequestSchema = z.strictObject({
  requestId: z.string(),
  orderId: z.string(),
  status: z.enum(REQUEST_STATUSES),
  reason: z.enum(CANCELLATION_REASONS),
  comment: z.nullable(z.string()),
  initiator: z
    .enum(INITIATORS)
    .check(z.describe("Who asked for the cancellation: the buyer (BUYER).")),
  fault: z
    .nullable(z.enum(FAULTS))
    .check(
      z.describe(
        "Whose fault the cancellation was, once the request ended (null before): NONE for a " +
          "buyer's change of mind (every reason but DELIVERY_TOO_SLOW); for DELIVERY_TOO_SLOW, " +
          "SELLER when the order's shipBy passed before the shipment, else CARRIER.",
      ),
    ),
  lines: z.array(requestLineSchema),
  itemsAmount: z.int(),
  shippingAmount: z.int(),
  createdAt: instant(),
  updatedAt: instant(),
  sellerDeadline: instant(),
  sellerRemindedAt: z.nullable(instant()),
  marketplaceDeadline: z.nullable(instant()),
  marketplaceReview: z.nullable(z.enum(["POLICY", "OPERATOR"])),
  refundRetryDeadline: z.nullable(instant()),
  rejection: z.nullable(
    z.strictObject({
      by: z.enum(["SELLER", "MARKETPLACE"]),
      reason: z.string(),
      at: instant(),
    }),
  ),
  refund: z.nullable(refundSchema),
  refundInquiry: z
    .nullable(refundInquirySchema)
    .check(
      z.describe(
        "The buyer's latest word that the refund has not arrived (POST …/refund-inquiry), open " +
          "until an operator closes it; null if none was made.",
      ),
    ),
  policyVersion: z.string(),
  timeline: z.array(timelineEntrySchema),
});

/**
 * A queue's entry (views.ts `CancellationRequestSummary`): what the seller's and the operators'
 * lists answer for each request, without its timeline.
 */
export const requestSummarySchema = z.strictObject({
  requestId: z.string(),
  orderId: z.string(),
  status: z.enum(REQUEST_STATUSES),
  reason: z.enum(CANCELLATION_REASONS),
  comment: z.nullable(
    z
      .string()
      .check(
        z.describe(
          `The buyer's comment; one longer than ${COMMENT_PREVIEW_LENGTH} characters or ` +
            `${COMMENT_PREVIEW_BYTES} UTF-8 bytes is cut to a beginning that fits both, ending ` +
            `in "…" (the request itself has all of it).`,
        ),
      ),
  ),
  lines: z
    .array(
      z.strictObject({
        lineId: z.string(),
        title: z
          .string()
          .check(
            z.describe(
              `The line's title; one longer than ${TITLE_PREVIEW_LENGTH} characters is cut like the comment.`,
            ),
          ),
        quantity: z.int(),
        amount: z.int(),
      }),
    )
    .check(z.describe(`The request's first ${SUMMARY_LINES} lines (the request itself has all).`)),
  moreLines: z.int().check(z.describe("How many more lines the request covers.")),
  itemsAmount: publicRequestSchema.shape.itemsAmount,
  shippingAmount: publicRequestSchema.shape.shippingAmount,
  currency: z.enum(CURRENCIES),
  createdAt: publicRequestSchema.shape.createdAt,
  updatedAt: publicRequestSchema.shape.updatedAt,
  sellerDeadline: publicRequestSchema.shape.sellerDeadline,
  marketplaceDeadline: publicRequestSchema.shape.marketplaceDeadline,
  marketplaceReview: publicRequestSchema.shape.marketplaceReview,
  refundRetryDeadline: publicRequestSchema.shape.refundRetryDeadline,
  refund: z.nullable(
    z.strictObject({
      amount: refundSchema.shape.amount,
      currency: refundSchema.shape.currency,
      method: refundSchema.shape.method,
      status: refundSchema.shape.status,
      attempts: refundSchema.shape.attempts,
      lastError: z.nullable(
        z
          .string()
          .check(z.describe("Why the last refund attempt failed, while the refund is FAILED.")),
      ),
    }),
  ),
});

/** An open refund inquiry as `GET /operator/refund-inquiries` lists it (views.ts). */
export const refundInquirySummarySchema = z.strictObject({
  orderId: z.string(),
  requestId: z.string(),
  openedAt: instant(),
  comment: z.nullable(z.string()).check(z.describe("What the buyer wrote, if anything.")),
  provider: refundSchema.shape.provider,
  method: refundSchema.shape.method,
  status: refundSchema.shape.status,
  refundId: z
    .nullable(z.string())
    .check(z.describe("The refund's key at the service (and, for Stripe, in its metadata).")),
  providerRefundId: z
    .nullable(z.string())
    .check(z.describe("The provider's own id of the refund (Stripe `re_…`), to look it up there.")),
  reference: refundSchema.shape.reference,
  amount: z.int(),
  currency: z.enum(CURRENCIES),
  expectedBy: refundSchema.shape.expectedBy,
  late: refundSchema.shape.late,
});

/** An entry of `GET /seller/parcels` (parcel-views.ts `ParcelSummary`). */
export const parcelSummarySchema = z.strictObject({
  orderId: z.string(),
  currency: z
    .enum(CURRENCIES)
    .check(z.describe("The order's currency; its times read in its zone (Asia/Tokyo for JPY).")),
  parcel: z.strictObject({
    status: z
      .enum(OUT_PARCEL_STATUSES)
      .check(z.describe("Where the parcel is: not yet back with the seller (RETURNED).")),
    updatedAt: instant().check(
      z.describe("When the carrier last reported it; the list is sorted by it, oldest first."),
    ),
  }),
  return: z.nullable(
    z
      .strictObject({
        status: orderReturnSchema.shape.status,
        dueBy: orderReturnSchema.shape.dueBy,
        openedAt: orderReturnSchema.shape.openedAt,
        closedAt: orderReturnSchema.shape.closedAt,
      })
      .check(
        z.describe(
          "The return the buyer owes once they took delivery of the cancelled units (null " +
            "before): REQUESTED until the parcel is back, OVERDUE past `dueBy`. The units owed " +
            "are the cancelled units, as `lines` names them (the order's `return.lines`).",
        ),
      ),
  ),
  shipment: publicShipmentSchema,
  lines: z
    .array(
      z.strictObject({
        lineId: z.string(),
        title: z
          .string()
          .check(
            z.describe(
              `The line's title; one longer than ${TITLE_PREVIEW_LENGTH} characters is cut, ending in "…".`,
            ),
          ),
        quantity: z.int().check(z.describe("The line's cancelled units (its cancelledQuantity).")),
      }),
    )
    .check(
      z.describe(
        `The first ${SUMMARY_LINES} lines with cancelled units, in the order's order (the order has all).`,
      ),
    ),
  moreLines: z.int().check(z.describe("How many more lines have cancelled units.")),
  latestCancellationRequestId: z
    .nullable(z.string())
    .check(z.describe("The order's latest cancellation request.")),
});

/** `POST …/cancellation-requests/preview`'s answer (request-terms.ts `CancellationPreview`). */
export const cancellationPreviewSchema = z.strictObject({
  lines: z.array(requestLineSchema),
  itemsAmount: z.int(),
  shippingAmount: z.int(),
  amount: z.int().check(z.describe("What the request would refund: itemsAmount + shippingAmount.")),
  currency: z.enum(CURRENCIES),
  method: refundSchema.shape.method,
  expectedBy: z.nullable(
    z
      .strictObject({ earliest: date(), latest: date() })
      .check(z.describe("When the refund would arrive were the request approved today.")),
  ),
  approval: z
    .enum(["POLICY", "OPERATOR"])
    .check(
      z.describe(
        "Who would approve it for the marketplace once the seller does: the policy (the order's " +
          "refunds, this one included, within autoApproveMaxAmount) or an operator.",
      ),
    ),
});

/** A list page: `{ items, nextCursor }`. */
export const pageSchema = <T extends z.ZodMiniType>(item: T) =>
  z.strictObject({ items: z.array(item), nextCursor: z.nullable(z.string()) });

// Compile-time agreement of the schemas and the views' types (each assignable to the other).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(_: T) => undefined;
agree<Same<z.output<typeof publicOrderSchema>, PublicOrder>>(true);
agree<Same<z.output<typeof publicRequestSchema>, PublicCancellationRequest>>(true);
agree<Same<z.output<typeof requestSummarySchema>, CancellationRequestSummary>>(true);
agree<Same<z.output<typeof cancellationPreviewSchema>, CancellationPreview>>(true);
agree<Same<z.output<typeof refundInquirySummarySchema>, RefundInquirySummary>>(true);
agree<Same<z.output<typeof parcelSummarySchema>, ParcelSummary>>(true);
