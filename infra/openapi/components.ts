// The document's components: the zod schemas of requests and responses as JSON Schema (zod's own
// output, one registry per side so each named schema is a $ref), the problem document, and the two
// security schemes.
import { PROBLEM_CODE_LIST } from "../../functions/domain/codes.ts";
import { policySchema } from "../../functions/domain/policy.ts";
import { auditExportSchema, sellerMetricsSchema } from "../../functions/domain/report-schemas.ts";
import {
  cancellationPreviewInputSchema,
  cancellationRequestInputSchema,
  closeRefundInquiryInputSchema,
  decisionSchema,
  deliverySchema,
  emptyBodySchema,
  orderImportSchema,
  refundInquiryInputSchema,
  shipmentSchema,
  trackingEventSchema,
} from "../../functions/domain/schemas.ts";
import {
  cancellationPreviewSchema,
  pageSchema,
  parcelSummarySchema,
  publicOrderSchema,
  publicRequestSchema,
  refundInquirySummarySchema,
  refundSchema,
  requestSummarySchema,
  timelineEntrySchema,
} from "../../functions/domain/view-schemas.ts";
import * as z from "../../functions/domain/zod.ts";

export type Json = Record<string, unknown>;
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** RFC 9457 problem details as functions/http/problems.ts builds them. */
export const problemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.enum(PROBLEM_CODE_LIST),
  errors: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
});

/** `POST .../refund-retry` body (the same schema as functions/http/retry-refund.ts, kept here so
 * that the writer does not load a handler and its AWS clients; a test compares the two). */
export const refundRetryBodySchema = z.strictObject({
  method: z.optional(z.enum(["GIFT_CARD"])),
});

/** `format` says what zod's long ISO patterns say: keep the document readable. */
const override = (ctx: { jsonSchema: Json }) => {
  const { format } = ctx.jsonSchema;
  if (format === "date-time" || format === "date") delete ctx.jsonSchema.pattern;
};

const stripped = (schema: Json): Json => {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
};

const componentSchemas = (
  entries: Record<string, z.ZodMiniType>,
  io: "input" | "output",
): Record<string, Json> => {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(entries)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
    override,
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, stripped(s)]));
};

export const inlineSchema = (schema: z.ZodMiniType, io: "input" | "output"): Json =>
  stripped(
    z.toJSONSchema(schema, {
      io,
      target: "draft-2020-12",
      unrepresentable: "any",
      override,
    }) as Json,
  );

/** What Stripe posts: an event, whose `data.object` is the refund for the events the route reads. */
const stripeEventSchema = z.looseObject({
  id: z.string(),
  type: z
    .string()
    .check(
      z.describe(
        "charge.refund.updated, refund.updated and refund.failed are read alike; others are " +
          "answered 200 and change nothing.",
      ),
    ),
  data: z.looseObject({ object: z.looseObject({}) }),
});

const webhookReceiptSchema = z.strictObject({ received: z.boolean() });

/** The document's `components`. */
export const componentsOf = (): Json => ({
  schemas: {
    ...componentSchemas(
      {
        OrderImport: orderImportSchema,
        ShipmentInput: shipmentSchema,
        DeliveryInput: deliverySchema,
        TrackingEventInput: trackingEventSchema,
        CancellationRequestInput: cancellationRequestInputSchema,
        CancellationPreviewInput: cancellationPreviewInputSchema,
        Decision: decisionSchema,
        RefundRetryInput: refundRetryBodySchema,
        RefundInquiryInput: refundInquiryInputSchema,
        CloseRefundInquiryInput: closeRefundInquiryInputSchema,
        EmptyBody: emptyBodySchema,
        StripeEvent: stripeEventSchema,
      },
      "input",
    ),
    ...componentSchemas(
      {
        TimelineEntry: timelineEntrySchema,
        Refund: refundSchema,
        Order: publicOrderSchema,
        CancellationRequest: publicRequestSchema,
        CancellationPreview: cancellationPreviewSchema,
        OrderPage: pageSchema(publicOrderSchema),
        CancellationRequestSummary: requestSummarySchema,
        CancellationRequestSummaryPage: pageSchema(requestSummarySchema),
        RefundInquirySummary: refundInquirySummarySchema,
        RefundInquiryPage: pageSchema(refundInquirySummarySchema),
        ParcelSummary: parcelSummarySchema,
        ParcelSummaryPage: pageSchema(parcelSummarySchema),
        AuditExport: auditExportSchema,
        SellerMetrics: sellerMetricsSchema,
        Policy: policySchema,
        Problem: problemSchema,
        WebhookReceipt: webhookReceiptSchema,
      },
      "output",
    ),
  },
  securitySchemes: {
    userToken: {
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
      description:
        "A Cognito access token of a signed-in user. The role is the token's " +
        "`cognito:groups` (buyer: `buyers`, seller: `sellers`, operator: `operators`); the " +
        "roles a route needs are listed in its security requirement.",
    },
    machineClient: {
      type: "oauth2",
      description:
        "A Cognito access token of a machine client (client-credentials grant), sent as " +
        "`Authorization: Bearer <token>`. The token endpoint is the stack output " +
        "`TokenEndpoint` (`https://<domain>.auth.<region>.amazoncognito.com/oauth2/token`).",
      flows: {
        clientCredentials: {
          tokenUrl:
            "https://shipped-cancellation.auth.ap-northeast-1.amazoncognito.com/oauth2/token",
          scopes: {
            "orders/write": "Import orders (the marketplace's order system)",
            "carrier/events":
              "Post deliveries and tracking events (a carrier's feed, for its own parcels)",
          },
        },
      },
    },
  },
});
