// Zod schemas (`zod/mini`, see zod.ts) for everything that crosses the API: the single source of
// the request types. All object schemas are strict, so unknown fields are rejected rather than
// silently dropped. Each is built on its first use (`z.lazy`): every function imports this module,
// building a zod schema costs time at a cold start, and a function uses the schemas of its route.
import { CANCELLATION_REASONS } from "./codes.ts";
import * as z from "./zod.ts";

export { CANCELLATION_REASONS };

export const LOCALES = ["ja", "en"] as const;
export const CURRENCIES = ["JPY", "USD"] as const;
export const PAYMENT_METHODS = [
  "CARD",
  "GIFT_CARD",
  "POINTS",
  "CONVENIENCE_STORE",
  "CASH_ON_DELIVERY",
] as const;
export const DECISIONS = ["APPROVE", "REJECT"] as const;
/** Who holds an order's money: the marketplace's own ledger (the default), or its Stripe account. */
export const PAYMENT_PROVIDERS = ["ledger", "stripe"] as const;
/** A Stripe PaymentIntent id, as Stripe writes them. */
export const PAYMENT_INTENT_ID = /^pi_[A-Za-z0-9]{1,250}$/;

/** Upper bound on any amount: keeps sums of lines and fees inside Number.MAX_SAFE_INTEGER. */
export const MAX_AMOUNT = 1_000_000_000_000;
export const MAX_COMMENT_LENGTH = 1000;
export const MAX_LINES = 100;

/** An id chosen by a caller: short, printable, safe in a URL path and a DynamoDB key. */
export const idSchema = /* @__PURE__ */ z.lazy(() =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(128),
      z.regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, "must be letters, digits and . _ : @ - only"),
    ),
);

/**
 * Valid Unicode: no half of a surrogate pair alone (JSON's "\ud800" escapes can carry one). Text
 * ends up in notes of the audit trail, whose canonical JSON must be valid UTF-8 (RFC 8785).
 */
const wellFormed = () => z.regex(/^\P{Cs}*$/u, "must be valid Unicode text");

/** A user's free text: bounded, and never a control character other than newline and tab. */
const textSchema = (max: number) =>
  z.string().check(
    z.maxLength(max),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject them
    z.regex(/^[^\u0000-\u0008\u000b-\u001f\u007f]*$/, "must not contain control characters"),
    wellFormed(),
  );

/** One line of text, as used in titles and names. */
const lineTextSchema = (max: number) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(max),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject them
    z.regex(/^[^\u0000-\u001f\u007f]*$/, "must be a single line without control characters"),
    wellFormed(),
  );

/** An email address: no CR/LF or other control characters, so it can never inject a mail header. */
export const emailSchema = /* @__PURE__ */ z.lazy(() =>
  z
    .string()
    .check(
      z.maxLength(254),
      z.regex(
        /^[^\s@<>(),;:"\\[\]]+@[^\s@<>(),;:"\\[\]]+\.[^\s@<>(),;:"\\[\]]+$/,
        "must be an email",
      ),
    ),
);

export const amountSchema = /* @__PURE__ */ z.lazy(() =>
  z.int().check(z.nonnegative(), z.maximum(MAX_AMOUNT)),
);

/** ISO 8601 instant, normalised to UTC with milliseconds (`2026-11-20T10:00:00.000Z`). */
export const instantSchema = /* @__PURE__ */ z.lazy(() =>
  z.pipe(
    z.iso.datetime({ offset: true }),
    z.transform((value: string) => new Date(value).toISOString()),
  ),
);

export const orderLineSchema = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({
    lineId: idSchema,
    sku: lineTextSchema(64),
    title: lineTextSchema(200),
    quantity: z.int().check(z.minimum(1), z.maximum(10_000)),
    unitPrice: amountSchema,
  }),
);

export const paymentSchema = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({
    method: z.enum(PAYMENT_METHODS),
    paidAmount: amountSchema,
    provider: z.optional(z.enum(PAYMENT_PROVIDERS)),
    /** The payment at the provider (Stripe: its PaymentIntent): what a refund is made against. */
    reference: z.optional(lineTextSchema(255)),
  }),
);

/** `POST /orders` body: an order imported from the marketplace's order system. */
export const orderImportSchema = /* @__PURE__ */ z.lazy(() =>
  z
    .strictObject({
      orderId: idSchema,
      buyerId: idSchema,
      buyerEmail: emailSchema,
      locale: z.enum(LOCALES),
      sellerId: idSchema,
      sellerEmail: emailSchema,
      currency: z.enum(CURRENCIES),
      lines: z.array(orderLineSchema).check(z.minLength(1), z.maxLength(MAX_LINES)),
      shippingFee: amountSchema,
      payment: paymentSchema,
      placedAt: instantSchema,
      /** When the seller promised to ship by: a slow delivery after it is the seller's fault. */
      shipBy: z.optional(instantSchema),
    })
    .check(
      z.superRefine((order, ctx) => {
        const lineIds = new Set(order.lines.map((line) => line.lineId));
        if (lineIds.size !== order.lines.length) {
          ctx.addIssue({ code: "custom", path: ["lines"], message: "lineId must be unique" });
        }
        const total =
          order.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0) +
          order.shippingFee;
        if (!Number.isSafeInteger(total)) {
          ctx.addIssue({ code: "custom", path: ["lines"], message: "order total is too large" });
        }
        const { provider, reference } = order.payment;
        if (provider === "stripe" && !PAYMENT_INTENT_ID.test(reference ?? "")) {
          ctx.addIssue({
            code: "custom",
            path: ["payment", "reference"],
            message: "a Stripe payment needs its PaymentIntent id (pi_…)",
          });
        }
        if (order.shipBy !== undefined && Date.parse(order.shipBy) < Date.parse(order.placedAt)) {
          ctx.addIssue({
            code: "custom",
            path: ["shipBy"],
            message: "must not be before placedAt",
          });
        }
        if (order.payment.paidAmount > total) {
          ctx.addIssue({
            code: "custom",
            path: ["payment", "paidAmount"],
            message: "must not exceed the sum of the lines and the shipping fee",
          });
        }
      }),
    ),
);
export type OrderImport = z.infer<typeof orderImportSchema>;

/** `POST /orders/{orderId}/shipment` body. */
export const shipmentSchema = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({
    carrier: lineTextSchema(64),
    trackingNumber: lineTextSchema(64),
    shippedAt: z.optional(instantSchema),
  }),
);
export type ShipmentInput = z.infer<typeof shipmentSchema>;

/** `POST /orders/{orderId}/delivery` body. */
export const deliverySchema = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({ deliveredAt: instantSchema }),
);
export type DeliveryInput = z.infer<typeof deliverySchema>;

/** What a carrier reports of a parcel besides its delivery (SPEC "The parcel after a cancellation"). */
export const TRACKING_EVENT_TYPES = [
  "DELIVERY_REFUSED",
  "RETURNING_TO_SENDER",
  "RETURNED_TO_SENDER",
] as const;
export type TrackingEventType = (typeof TRACKING_EVENT_TYPES)[number];

/** `POST /orders/{orderId}/tracking-events` body (`at` under the rules of `deliveredAt`). */
export const trackingEventSchema = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({ type: z.enum(TRACKING_EVENT_TYPES), at: instantSchema }),
);
export type TrackingEventInput = z.infer<typeof trackingEventSchema>;

/** Units of one line to cancel (checked against what is left of it by the domain, amounts.ts). */
export const lineQuantitySchema = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({
    lineId: idSchema,
    quantity: z.int().check(z.minimum(1), z.maximum(10_000)),
  }),
);

const linesSchema = () =>
  z.optional(z.array(lineQuantitySchema).check(z.minLength(1), z.maxLength(MAX_LINES)));

const commentForOther = () =>
  z.superRefine((input: { reason?: string; comment?: string }, ctx: z.core.$RefinementCtx) => {
    if (input.reason === "OTHER" && !input.comment?.trim()) {
      ctx.addIssue({ code: "custom", path: ["comment"], message: "is required for OTHER" });
    }
  });

/** `POST /orders/{orderId}/cancellation-requests` body; without `lines`, every unit left. */
export const cancellationRequestInputSchema = /* @__PURE__ */ z.lazy(() =>
  z
    .strictObject({
      reason: z.enum(CANCELLATION_REASONS),
      comment: z.optional(textSchema(MAX_COMMENT_LENGTH)),
      lines: linesSchema(),
    })
    .check(commentForOther()),
);
export type CancellationRequestInput = z.infer<typeof cancellationRequestInputSchema>;

/**
 * `POST …/cancellation-requests/preview` body: the request's body; `reason` may be left out while
 * the buyer has not chosen one yet (it does not change the amounts).
 */
export const cancellationPreviewInputSchema = /* @__PURE__ */ z.lazy(() =>
  z
    .strictObject({
      reason: z.optional(z.enum(CANCELLATION_REASONS)),
      comment: z.optional(textSchema(MAX_COMMENT_LENGTH)),
      lines: linesSchema(),
    })
    .check(commentForOther()),
);
export type CancellationPreviewInput = z.infer<typeof cancellationPreviewInputSchema>;

/** Seller and marketplace decision bodies: a reason is required to reject. */
export const decisionSchema = /* @__PURE__ */ z.lazy(() =>
  z
    .strictObject({
      decision: z.enum(DECISIONS),
      reason: z.optional(textSchema(MAX_COMMENT_LENGTH)),
    })
    .check(
      z.superRefine((input, ctx) => {
        if (input.decision === "REJECT" && !input.reason?.trim()) {
          ctx.addIssue({ code: "custom", path: ["reason"], message: "is required to reject" });
        }
      }),
    ),
);
export type DecisionInput = z.infer<typeof decisionSchema>;

/** `POST …/refund-inquiry` body: the buyer may say more about the refund that did not arrive. */
export const refundInquiryInputSchema = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({ comment: z.optional(textSchema(MAX_COMMENT_LENGTH)) }),
);
export type RefundInquiryInput = z.infer<typeof refundInquiryInputSchema>;

/** `POST …/refund-inquiry/close` body: what the operator found or did, for the timeline. */
export const closeRefundInquiryInputSchema = /* @__PURE__ */ z.lazy(() =>
  z.strictObject({ note: textSchema(MAX_COMMENT_LENGTH) }).check(
    z.superRefine((input, ctx) => {
      if (!input.note.trim()) {
        ctx.addIssue({ code: "custom", path: ["note"], message: "is required" });
      }
    }),
  ),
);
export type CloseRefundInquiryInput = z.infer<typeof closeRefundInquiryInputSchema>;

/** `POST .../withdrawal` and `POST .../refund-retry` take no fields; an empty body is fine. */
export const emptyBodySchema = z.strictObject({});

/** The `Idempotency-Key` header of the cancellation request POST: 1 to 255 printable ASCII. */
export const idempotencyKeySchema = /* @__PURE__ */ z.lazy(() =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(255),
      z.regex(/^[\x20-\x7e]+$/, "must be printable ASCII characters"),
    ),
);

/** `?limit=` of list routes. */
export const limitSchema = /* @__PURE__ */ z.lazy(() =>
  z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 20),
);
