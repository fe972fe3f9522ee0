// The document's paths: one operation per route of the route table (functions/http/routes.ts), with
// its summary, who may call it, its parameters, body, success responses (with examples) and its
// problem responses.
import { CARRIER_CODES } from "../../functions/domain/carriers.ts";
import type { ProblemCode } from "../../functions/domain/codes.ts";
import { idempotencyKeySchema } from "../../functions/domain/schemas.ts";
import type * as z from "../../functions/domain/zod.ts";
import {
  metricsQuery,
  orderParams,
  pageQuery,
  parcelsQuery,
  queueQuery,
  requestParams,
  sellerParams,
} from "../../functions/http/inputs.ts";
import { ROUTES, type Route } from "../../functions/http/routes.ts";
import { inlineSchema, type Json, ref } from "./components.ts";
import { EXAMPLES, RESPONSE_EXAMPLES } from "./examples.ts";
import { pageOperationOf } from "./pages.ts";
import { problemsOf } from "./problems.ts";

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
  /** Its path names no resource that may be missing (no 404), though it has parameters. */
  noTarget?: boolean;
}

const requestResult = (status: number, description: string): Success[] => [
  { status, description, schema: "CancellationRequest", example: "CancellationRequest" },
];

/** Why a cancellation request (and so its preview) may be refused: 409s of both routes. */
const CANNOT_CANCEL: ProblemCode[] = [
  "NOT_SHIPPED",
  "RETURN_REQUIRED",
  "WINDOW_CLOSED",
  "ACTIVE_REQUEST_EXISTS",
  "INVALID_STATE",
  "NOTHING_TO_CANCEL",
  "PARTIAL_NOT_SUPPORTED",
];

/** What both carrier routes say of the caller's client. */
const CARRIER_BOUND =
  "A carrier client reports only on the parcels of its own carrier (`shipment.carrier`): " +
  "another carrier's order is 404, as one that does not exist.";

/** What both metrics routes answer (SPEC "Seller performance"). */
const METRICS_DESCRIPTION =
  "`from` and `to` are days (`YYYY-MM-DD`) in Asia/Tokyo, both included, at most 90 days; by " +
  "default the 30 days up to today (without `from`: the 30 days up to `to`). A `from` after `to` " +
  "or a longer window is 400. `orders` counts the orders placed in the window; `cancellations` " +
  "the requests that ended in it; `response` the seller's decisions and missed deadlines in it. " +
  "`sellerCancellationRate` is COMPLETED requests with fault SELLER ÷ `orders`: a buyer's change " +
  "of mind never counts against the seller. The median and p90 are estimated from a histogram " +
  "of response times (the bucket holding the rank, interpolated linearly: see the API guide). " +
  "Counted as the changes are written, so a change shows at once.";

const OPERATIONS: Record<string, Operation> = {
  StripeWebhook: {
    summary: "Stripe's webhook: a refund settled, failed or was reversed",
    description:
      "Authenticated by its `Stripe-Signature` header (the endpoint's signing secret, 5 minutes' " +
      "tolerance), checked on the raw body before anything else: a missing, wrong or stale " +
      "signature is 400 and changes nothing. The service then asks Stripe for the refund's " +
      "current status and acts on it, so events that arrive late, twice or out of order are " +
      "harmless; an event already seen, or about a refund the service does not know, is 200 and " +
      "changes nothing.",
    body: {
      schema: "StripeEvent",
      example: {
        id: "evt_1QExample",
        type: "charge.refund.updated",
        data: { object: { id: "re_1QExample", object: "refund", status: "failed" } },
      },
    },
    success: [{ status: 200, description: "Received", schema: "WebhookReceipt" }],
  },
  GetPolicy: {
    summary: "The cancellation policy in force",
    success: [{ status: 200, description: "The policy", schema: "Policy", example: "Policy" }],
  },
  ImportOrder: {
    summary: "Import an order from the marketplace's order system",
    description:
      "Idempotent by `orderId`: the same body again answers 200 with the stored order; another body " +
      "for the same id is 409 `ORDER_CONFLICT`. `payment.provider` says who holds the money: " +
      "`ledger` (the default) or `stripe`, whose orders name their PaymentIntent in " +
      "`payment.reference` (`pi_…`: card refunds are made against it); a `stripe` payment without " +
      "one is 400 `VALIDATION_FAILED` at `payment.reference`.",
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
    description:
      `\`carrier\` is a carrier code (${CARRIER_CODES.map((code) => `\`${code}\``).join(", ")}), ` +
      "which views name in each language (`shipment.carrierName`: ヤマト運輸 / Yamato Transport); " +
      "any other carrier is kept and named as given.",
    params: orderParams,
    body: { schema: "ShipmentInput", example: EXAMPLES.shipment },
    success: [{ status: 200, description: "The order", schema: "Order", example: "Order" }],
    conflicts: ["INVALID_STATE"],
  },
  RecordDelivery: {
    summary: "Record the delivery (a pending request becomes RETURN_REQUIRED)",
    description: CARRIER_BOUND,
    params: orderParams,
    body: { schema: "DeliveryInput", example: EXAMPLES.delivery },
    success: [{ status: 200, description: "The order", schema: "Order" }],
    conflicts: ["NOT_SHIPPED", "INVALID_STATE"],
  },
  RecordTrackingEvent: {
    summary: "Record the carrier's word on the parcel: refused, on its way back, back",
    description:
      "The parcel only moves forward: `IN_TRANSIT` → `DELIVERED` | `REFUSED` | `RETURNING` | " +
      "`RETURNED`; `REFUSED` or `DELIVERED` → `RETURNING` | `RETURNED`; `RETURNING` → " +
      "`RETURNED`. An event that would move it backwards, or repeats its status, changes nothing " +
      "and answers 200 with the order. `at` may not be before the shipment's `shippedAt` nor " +
      "more than 5 minutes in the future (400 on `body.at`). `RETURNED_TO_SENDER` closes an open " +
      "`return`. " +
      CARRIER_BOUND,
    params: orderParams,
    body: { schema: "TrackingEventInput", example: EXAMPLES.trackingEvent },
    success: [{ status: 200, description: "The order", schema: "Order" }],
    conflicts: ["NOT_SHIPPED"],
  },
  PreviewCancellation: {
    summary: "What a cancellation request would refund, before making it",
    description:
      "The cancellation request's body (`reason` may be left out) without `Idempotency-Key`. " +
      "Stores nothing. Answers the lines and amounts the request would have, or the problem the " +
      "request would be answered with; a request made right after with the same body refunds " +
      "exactly `amount`.",
    params: orderParams,
    body: { schema: "CancellationPreviewInput", example: EXAMPLES.cancellationPreview },
    success: [
      {
        status: 200,
        description: "The refund the request would make",
        schema: "CancellationPreview",
        example: "Preview",
      },
    ],
    conflicts: CANNOT_CANCEL,
  },
  RequestCancellation: {
    summary: "Ask to cancel a shipped order, or some of its lines or units",
    description:
      "Without `lines` the request covers every unit not yet cancelled. Each `lineId` at most " +
      "once, `quantity` 1 to what is left of the line (else 400 on `lines.<i>.quantity`). The " +
      "same `Idempotency-Key` and body (`lines` included) replays the first response; the same " +
      "key with another body is 409 `IDEMPOTENCY_KEY_MISMATCH`.",
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
    conflicts: [...CANNOT_CANCEL, "IDEMPOTENCY_KEY_MISMATCH"],
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
  OpenRefundInquiry: {
    summary: "Say a completed cancellation's refund has not arrived (after its promised date)",
    description:
      "Only on a `COMPLETED` request once the refund's promised date is over: the end of " +
      "`refund.expectedBy.latest` in the order's time zone (Asia/Tokyo for JPY, UTC otherwise); " +
      "before that, before completion, or for a request that refunds nothing, 409 " +
      "`INVALID_STATE`. Operators get the case by mail with the refund's provider, ids and " +
      "reference, and list it at `GET /operator/refund-inquiries`. One inquiry is open at a time " +
      "(another is 409 `INVALID_STATE`); the same inquiry sent again answers 202 as the first did. " +
      "The body may be left out.",
    params: requestParams,
    body: { schema: "RefundInquiryInput", example: EXAMPLES.refundInquiry },
    success: [
      {
        status: 202,
        description: "Accepted: the request with its open `refundInquiry`",
        schema: "CancellationRequest",
      },
    ],
    conflicts: ["INVALID_STATE"],
  },
  CloseRefundInquiry: {
    summary: "Close the open refund inquiry with a note (it joins the timeline)",
    description:
      "409 `INVALID_STATE` when no inquiry is open; the same close sent again answers 200 as the " +
      "first did.",
    params: requestParams,
    body: { schema: "CloseRefundInquiryInput", example: EXAMPLES.closeRefundInquiry },
    success: [{ status: 200, description: "The request", schema: "CancellationRequest" }],
    conflicts: ["INVALID_STATE"],
  },
  ListRefundInquiries: {
    summary: "Open refund inquiries, the longest waiting first, for operators",
    description:
      "Each open inquiry with the refund's provider, its ids (`refundId`, the provider's " +
      "`providerRefundId`) and its `reference`, to look the refund up with the provider. A page " +
      "holds the inquiries of up to `limit` orders (an order with inquiries open on several of " +
      "its requests lists each).",
    query: pageQuery,
    success: [
      {
        status: 200,
        description: "One page of open inquiries",
        schema: "RefundInquiryPage",
        example: "RefundInquiries",
      },
    ],
  },
  ListSellerParcels: {
    summary: "The seller's cancelled units still out with the carrier, the longest out first",
    description:
      "Each of the seller's orders with cancelled units (of completed requests) whose parcel is " +
      "not yet back (`RETURNED`): in transit, refused, on its way back, or delivered anyway (its " +
      "`return` then says what the buyer owes and by when). `status` picks one of these; without " +
      "it, all four. Sorted by the parcel's `updatedAt`, oldest first, then by order id. An entry " +
      "names the first lines with their titles cut short: GET the order for all of it.",
    query: parcelsQuery,
    success: [
      {
        status: 200,
        description: "One page of parcels",
        schema: "ParcelSummaryPage",
        example: "SellerParcels",
      },
    ],
  },
  GetAudit: {
    summary: "The order's audit trail: every timeline entry, hash-chained in writing order",
    description:
      "For the order's seller and operators (another seller gets 404, as for the order). " +
      "`entries` are the order's own timeline entries and its requests' (these carry " +
      "`requestId`), in the order they were written (`seq` 0, 1, 2, …). Each `hash` is the " +
      'lowercase hex SHA-256 of the UTF-8 text `prev + "\\n" + canonical`: `prev` the previous ' +
      "entry's `hash` (64 `0`s for the first), `canonical` the entry without `hash` in RFC 8785 " +
      "canonical JSON (keys sorted, no spaces). `head` is the last entry's `hash`. Check an export " +
      "offline with `npm run audit -- verify <file>`, and against the hourly sealed digest that " +
      "holds the order's head with `--seal <digest.json>`.",
    params: orderParams,
    success: [
      { status: 200, description: "The audit trail", schema: "AuditExport", example: "Audit" },
    ],
  },
  GetSellerMetrics: {
    summary: "The seller's own performance over a window of days",
    description: METRICS_DESCRIPTION,
    query: metricsQuery,
    success: [
      {
        status: 200,
        description: "The seller's figures",
        schema: "SellerMetrics",
        example: "SellerMetrics",
      },
    ],
  },
  GetOperatorSellerMetrics: {
    summary: "A seller's performance over a window of days, for operators",
    description: `${METRICS_DESCRIPTION} A seller id with nothing counted (or none such) has zeros.`,
    params: sellerParams,
    query: metricsQuery,
    noTarget: true,
    success: [
      {
        status: 200,
        description: "The seller's figures",
        schema: "SellerMetrics",
        example: "SellerMetrics",
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

/** Routes whose body may be left out (validated as `{}`). */
const OPTIONAL_BODIES = ["WithdrawCancellationRequest", "RetryRefund", "OpenRefundInquiry"];

const operationOf = (route: Route): Json => {
  const common = {
    operationId: route.id,
    security: securityOf(route),
  };
  const operation = OPERATIONS[route.id];
  if (!operation)
    throw new Error(`route ${route.id} has no entry in infra/openapi/paths.ts OPERATIONS`);
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
  Object.assign(
    responses,
    problemsOf(route, {
      hasTarget: operation.params !== undefined && !operation.noTarget,
      ...(operation.conflicts ? { conflicts: operation.conflicts } : {}),
    }),
  );
  return {
    ...common,
    summary: operation.summary,
    description: [whoMay(route), operation.description].filter(Boolean).join("\n\n"),
    ...(parameters.length ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: !OPTIONAL_BODIES.includes(route.id),
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

/** The document's `paths`: every route of the route table, by path and method. */
export const pathsOf = (): Record<string, Record<string, Json>> => {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of ROUTES) {
    const item = paths[route.path] ?? {};
    item[route.method.toLowerCase()] = pageOperationOf(route) ?? operationOf(route);
    paths[route.path] = item;
  }
  return paths;
};
