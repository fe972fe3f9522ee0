// The OpenAPI 3.1 document, generated from the route table (routes.ts) and the zod schemas: request
// schemas (domain/schemas.ts, inputs.ts), response schemas (domain/view-schemas.ts, policy.ts) and
// the problem responses (problems.ts), through zod's own JSON Schema output. `npm run openapi`
// writes it to docs/openapi.json; a test fails when the committed file differs from this.
// Build-time only: the console's build copies the committed file, served as GET /openapi.json
// (console/api-reference.ts).
import { PROBLEM_CODE_LIST } from "../domain/codes.ts";
import { DEFAULT_POLICY, policySchema } from "../domain/policy.ts";
import {
  CANCELLATION_REASONS,
  cancellationRequestInputSchema,
  decisionSchema,
  deliverySchema,
  emptyBodySchema,
  idempotencyKeySchema,
  orderImportSchema,
  shipmentSchema,
} from "../domain/schemas.ts";
import { REQUEST_STATUSES } from "../domain/types.ts";
import {
  pageSchema,
  publicOrderSchema,
  publicRequestSchema,
  refundSchema,
  timelineEntrySchema,
} from "../domain/view-schemas.ts";
import { type CancellationRequestSummary, COMMENT_PREVIEW_LENGTH } from "../domain/views.ts";
import * as z from "../domain/zod.ts";
import { orderParams, pageQuery, queueQuery, requestParams } from "./inputs.ts";
import { PROBLEM_CONTENT_TYPE, type ProblemCode, problemType } from "./problems.ts";
import { ROUTES, type Route } from "./routes.ts";

type Json = Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** RFC 9457 problem details as problems.ts builds them. */
export const problemSchema = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.enum(PROBLEM_CODE_LIST),
  errors: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
});

/**
 * A queue's entry (views.ts `CancellationRequestSummary`): what the seller's and the operators'
 * lists answer for each request, without its timeline. Its place is beside the other views'
 * schemas (domain/view-schemas.ts); kept here until it moves, with the same compile-time check.
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
          `The buyer's comment; one longer than ${COMMENT_PREVIEW_LENGTH} characters is cut to ` +
            `its first ${COMMENT_PREVIEW_LENGTH - 1} and "…" (the request itself has all of it).`,
        ),
      ),
  ),
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

// Compile-time agreement of the summary schema and the view's type (each assignable to the other).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(_: T) => undefined;
agree<Same<z.output<typeof requestSummarySchema>, CancellationRequestSummary>>(true);

/** `POST .../refund-retry` body (the same schema as retry-refund.ts, kept here so that this
 * build-time module does not load a handler and its AWS clients; a test compares the two). */
export const refundRetryBodySchema = z.strictObject({
  method: z.optional(z.enum(["GIFT_CARD"])),
});

// --- Examples: the seed's story (order o-1001, ¥5,480 by card, refunded in full). -------------

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
    payment: { method: "CARD", paidAmount: 5480 },
    placedAt: "2026-11-20T10:00:00.000Z",
  },
  shipment: { carrier: "yamato", trackingNumber: "4470-1234-5678" },
  delivery: { deliveredAt: "2026-11-23T09:00:00.000Z" },
  cancellationRequest: { reason: "NO_LONGER_NEEDED", comment: "家族が同じものを買っていました" },
  sellerApprove: { decision: "APPROVE" },
  reject: { decision: "REJECT", reason: "既に配達直前のため" },
  refundRetry: { method: "GIFT_CARD" },
} as const;

const shippedOrder = {
  ...EXAMPLES.orderImport,
  status: "SHIPPED",
  shipment: { ...EXAMPLES.shipment, shippedAt: "2026-11-21T08:00:00.000Z" },
  deliveredAt: null,
  activeCancellationRequestId: null,
  latestCancellationRequestId: null,
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
  },
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

const RESPONSE_EXAMPLES = {
  Order: shippedOrder,
  CancellationRequest: completedRequest,
  Requested: requestedRequest,
  SellerQueue: { items: [awaitingSellerSummary], nextCursor: null },
  OperatorQueue: { items: [refundFailedSummary], nextCursor: null },
  Policy: DEFAULT_POLICY,
};

// --- Components ---------------------------------------------------------------------------

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

const inlineSchema = (schema: z.ZodMiniType, io: "input" | "output"): Json =>
  stripped(
    z.toJSONSchema(schema, {
      io,
      target: "draft-2020-12",
      unrepresentable: "any",
      override,
    }) as Json,
  );

// --- Operations ---------------------------------------------------------------------------

interface Success {
  status: number;
  description: string;
  schema: string;
  example?: keyof typeof RESPONSE_EXAMPLES;
}

interface Operation {
  summary: string;
  description?: string;
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  idempotencyKey?: boolean;
  body?: { schema: string; example: unknown };
  success: Success[];
  /** 409 codes this route answers besides the common problems. */
  conflicts?: ProblemCode[];
}

const requestResult = (status: number, description: string): Success[] => [
  { status, description, schema: "CancellationRequest", example: "CancellationRequest" },
];

const OPERATIONS: Record<string, Operation> = {
  GetPolicy: {
    summary: "The cancellation policy in force",
    success: [{ status: 200, description: "The policy", schema: "Policy", example: "Policy" }],
  },
  ImportOrder: {
    summary: "Import an order from the marketplace's order system",
    description:
      "Idempotent by `orderId`: the same body again answers 200 with the stored order; another body " +
      "for the same id is 409 `ORDER_CONFLICT`.",
    body: { schema: "OrderImport", example: EXAMPLES.orderImport },
    success: [
      { status: 201, description: "Imported", schema: "Order" },
      { status: 200, description: "Identical replay: the stored order", schema: "Order" },
    ],
    conflicts: ["ORDER_CONFLICT"],
  },
  ListOrders: {
    summary: "The buyer's own orders, newest first",
    query: pageQuery,
    success: [{ status: 200, description: "One page", schema: "OrderPage" }],
  },
  GetOrder: {
    summary: "One order, with what its buyer can do now (`cancellationOption`)",
    params: orderParams,
    success: [{ status: 200, description: "The order", schema: "Order", example: "Order" }],
  },
  RecordShipment: {
    summary: "Record the shipment (the order becomes SHIPPED)",
    params: orderParams,
    body: { schema: "ShipmentInput", example: EXAMPLES.shipment },
    success: [{ status: 200, description: "The order", schema: "Order", example: "Order" }],
    conflicts: ["INVALID_STATE"],
  },
  RecordDelivery: {
    summary: "Record the delivery (a pending request becomes RETURN_REQUIRED)",
    params: orderParams,
    body: { schema: "DeliveryInput", example: EXAMPLES.delivery },
    success: [{ status: 200, description: "The order", schema: "Order" }],
    conflicts: ["NOT_SHIPPED", "INVALID_STATE"],
  },
  RequestCancellation: {
    summary: "Ask to cancel a shipped order",
    description:
      "The same `Idempotency-Key` and body replays the first response; the same key with another " +
      "body is 409 `IDEMPOTENCY_KEY_MISMATCH`.",
    params: orderParams,
    idempotencyKey: true,
    body: { schema: "CancellationRequestInput", example: EXAMPLES.cancellationRequest },
    success: [
      {
        status: 202,
        description:
          "Accepted: the request as stored, `REQUESTED` (its workflow starts right after; a " +
          "replay answers the request as it stands now)",
        schema: "CancellationRequest",
        example: "Requested",
      },
    ],
    conflicts: [
      "NOT_SHIPPED",
      "RETURN_REQUIRED",
      "WINDOW_CLOSED",
      "ACTIVE_REQUEST_EXISTS",
      "INVALID_STATE",
      "IDEMPOTENCY_KEY_MISMATCH",
    ],
  },
  GetCancellationRequest: {
    summary: "One cancellation request, with its refund and timeline",
    params: requestParams,
    success: requestResult(200, "The request"),
  },
  WithdrawCancellationRequest: {
    summary: "Withdraw the request (only before the marketplace approves)",
    params: requestParams,
    body: { schema: "EmptyBody", example: {} },
    success: [{ status: 200, description: "The request", schema: "CancellationRequest" }],
    conflicts: ["INVALID_STATE"],
  },
  SellerDecision: {
    summary: "The seller approves or rejects (a reason is required to reject)",
    params: requestParams,
    body: { schema: "Decision", example: EXAMPLES.sellerApprove },
    success: [{ status: 200, description: "The request", schema: "CancellationRequest" }],
    conflicts: ["INVALID_STATE"],
  },
  MarketplaceDecision: {
    summary: "An operator approves or rejects (only while AWAITING_MARKETPLACE)",
    params: requestParams,
    body: { schema: "Decision", example: EXAMPLES.reject },
    success: [{ status: 200, description: "The request", schema: "CancellationRequest" }],
    conflicts: ["INVALID_STATE"],
  },
  RetryRefund: {
    summary: "Retry a failed refund, or refund as gift balance (only while REFUND_FAILED)",
    params: requestParams,
    body: { schema: "RefundRetryInput", example: EXAMPLES.refundRetry },
    success: [{ status: 202, description: "The request", schema: "CancellationRequest" }],
    conflicts: ["INVALID_STATE"],
  },
  ListSellerCancellationRequests: {
    summary: "The seller's requests, soonest deadline first",
    description:
      "Each order's latest request in `status`, summarized (no timeline, the comment cut short): " +
      "GET the request for all of it.",
    query: queueQuery("AWAITING_SELLER"),
    success: [
      {
        status: 200,
        description: "One page of summaries",
        schema: "CancellationRequestSummaryPage",
        example: "SellerQueue",
      },
    ],
  },
  ListOperatorCancellationRequests: {
    summary: "Requests by status, for operators",
    description:
      "Each order's latest request in `status`, across sellers (one the policy reviews itself is " +
      "not listed while it does), summarized (no timeline, the comment cut short): GET the " +
      "request for all of it.",
    query: queueQuery("AWAITING_MARKETPLACE"),
    success: [
      {
        status: 200,
        description: "One page of summaries",
        schema: "CancellationRequestSummaryPage",
        example: "OperatorQueue",
      },
    ],
  },
};

const parametersOf = (schema: z.ZodMiniType | undefined, where: "path" | "query"): Json[] => {
  if (!schema) return [];
  const json = inlineSchema(schema, "input") as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || (json.required ?? []).includes(name),
    schema: property,
  }));
};

const problemResponse = (description: string, status: number, codes: readonly ProblemCode[]) => {
  const [first] = codes;
  return {
    description,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: {
          ...ref("Problem"),
          properties: { status: { const: status }, code: { enum: [...codes] } },
        },
        ...(first
          ? {
              example: {
                type: problemType(first),
                title: description,
                status,
                detail: description,
                code: first,
              },
            }
          : {}),
      },
    },
  };
};

const problemsOf = (route: Route, operation: Operation): Record<string, unknown> => {
  const guarded = route.access.kind !== "public";
  const takesBody = route.method === "POST";
  const hasTarget = operation.params !== undefined;
  return {
    "400": problemResponse("The request is not valid", 400, ["VALIDATION_FAILED"]),
    ...(guarded
      ? {
          "401": {
            ...problemResponse("No or bad token", 401, ["UNAUTHORIZED"]),
            headers: { "WWW-Authenticate": { schema: { type: "string" } } },
          },
          "403": problemResponse("Wrong role or scope for this route", 403, ["FORBIDDEN"]),
        }
      : {}),
    ...(hasTarget
      ? { "404": problemResponse("No such resource, or not the caller's", 404, ["NOT_FOUND"]) }
      : {}),
    ...(operation.conflicts?.length
      ? { "409": problemResponse("Conflict with the current state", 409, operation.conflicts) }
      : {}),
    ...(takesBody
      ? { "413": problemResponse("The body is over 64 KiB", 413, ["PAYLOAD_TOO_LARGE"]) }
      : {}),
    "500": problemResponse("Internal server error", 500, ["INTERNAL_ERROR"]),
    ...(guarded
      ? {
          "503": {
            ...problemResponse(
              "A dependency is unavailable; nothing was changed, repeat the call",
              503,
              ["UNAVAILABLE"],
            ),
            headers: { "Retry-After": { schema: { type: "integer" } } },
          },
        }
      : {}),
  };
};

const securityOf = (route: Route): Json[] => {
  switch (route.access.kind) {
    case "public":
      return [];
    case "scope":
      return [{ machineClient: [route.access.scope] }];
    case "roles":
      return [{ userToken: [...route.access.roles] }];
  }
};

const whoMay = (route: Route): string => {
  switch (route.access.kind) {
    case "public":
      return "Anyone (no token).";
    case "scope":
      return `Machine clients with scope \`${route.access.scope}\`.`;
    case "roles":
      return `Roles: ${route.access.roles.join(", ")}.`;
  }
};

const operationOf = (route: Route): Json => {
  const common = {
    operationId: route.id,
    security: securityOf(route),
  };
  const operation = OPERATIONS[route.id];
  if (!operation) throw new Error(`route ${route.id} has no entry in openapi.ts OPERATIONS`);
  const parameters = [
    ...parametersOf(operation.params, "path"),
    ...parametersOf(operation.query, "query"),
    ...(operation.idempotencyKey
      ? [
          {
            name: "Idempotency-Key",
            in: "header",
            required: true,
            description: "Replays the first response for the same body; scoped to the order.",
            schema: inlineSchema(idempotencyKeySchema, "input"),
            example: "9f1c2d3e-checkout-1",
          },
        ]
      : []),
  ];
  const responses: Record<string, unknown> = {};
  for (const success of operation.success) {
    const example = success.example ? RESPONSE_EXAMPLES[success.example] : undefined;
    responses[String(success.status)] = {
      description: success.description,
      content: {
        "application/json": {
          schema: ref(success.schema),
          ...(example ? { example } : {}),
        },
      },
    };
  }
  Object.assign(responses, problemsOf(route, operation));
  return {
    ...common,
    summary: operation.summary,
    description: [whoMay(route), operation.description].filter(Boolean).join("\n\n"),
    ...(parameters.length ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: route.id !== "WithdrawCancellationRequest" && route.id !== "RetryRefund",
            content: {
              "application/json": {
                schema: ref(operation.body.schema),
                example: operation.body.example,
              },
            },
          },
        }
      : {}),
    responses,
  };
};

/** Example payloads, checked against their own schemas when the document is built. */
const checkExamples = () => {
  orderImportSchema.parse(EXAMPLES.orderImport);
  shipmentSchema.parse(EXAMPLES.shipment);
  deliverySchema.parse(EXAMPLES.delivery);
  cancellationRequestInputSchema.parse(EXAMPLES.cancellationRequest);
  decisionSchema.parse(EXAMPLES.sellerApprove);
  decisionSchema.parse(EXAMPLES.reject);
  refundRetryBodySchema.parse(EXAMPLES.refundRetry);
  publicOrderSchema.parse(shippedOrder);
  publicRequestSchema.parse(completedRequest);
  publicRequestSchema.parse(requestedRequest);
  pageSchema(requestSummarySchema).parse(RESPONSE_EXAMPLES.SellerQueue);
  pageSchema(requestSummarySchema).parse(RESPONSE_EXAMPLES.OperatorQueue);
  policySchema.parse(DEFAULT_POLICY);
};

/** Where `npm run openapi` writes the document, relative to the project root. */
export const OPENAPI_FILE = "docs/openapi.json";

/** The document as committed: two-space JSON with a final newline. */
export const renderOpenApi = (): string => `${JSON.stringify(buildOpenApi(), null, 2)}\n`;

export const buildOpenApi = (): Json => {
  checkExamples();
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of ROUTES) {
    const item = paths[route.path] ?? {};
    item[route.method.toLowerCase()] = operationOf(route);
    paths[route.path] = item;
  }
  return {
    openapi: "3.1.1",
    info: {
      title: "Shipped-order cancellation API (発送済みキャンセル)",
      version: "1.0.0",
      description:
        "Buyers ask to cancel an order that was shipped but not yet delivered; the seller and the " +
        "marketplace decide; the refund goes to the original payment method. Amounts are integers " +
        "in the currency's minor unit (JPY has none: 5480 is ¥5,480); times are ISO 8601 UTC.\n\n" +
        "Errors are RFC 9457 problem documents (`application/problem+json`); clients branch on " +
        "`code`. In AWS the JWT authorizer itself may answer 401/403 before the handler does.",
    },
    servers: [{ url: "/", description: "This deployment (or local mode)" }],
    security: [],
    paths,
    components: {
      schemas: {
        ...componentSchemas(
          {
            OrderImport: orderImportSchema,
            ShipmentInput: shipmentSchema,
            DeliveryInput: deliverySchema,
            CancellationRequestInput: cancellationRequestInputSchema,
            Decision: decisionSchema,
            RefundRetryInput: refundRetryBodySchema,
            EmptyBody: emptyBodySchema,
          },
          "input",
        ),
        ...componentSchemas(
          {
            TimelineEntry: timelineEntrySchema,
            Refund: refundSchema,
            Order: publicOrderSchema,
            CancellationRequest: publicRequestSchema,
            OrderPage: pageSchema(publicOrderSchema),
            CancellationRequestSummary: requestSummarySchema,
            CancellationRequestSummaryPage: pageSchema(requestSummarySchema),
            Policy: policySchema,
            Problem: problemSchema,
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
                "carrier/events": "Post delivery events (the carrier feed)",
              },
            },
          },
        },
      },
    },
  };
};
