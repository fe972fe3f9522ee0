// The one route table: method, path, who may call it, and the handler module that serves it.
// The CDK stack builds the HTTP API from it, handlers check access with it, and local mode reads
// the routes back from the synthesized template. The API reference (GET /docs) and the OpenAPI
// document (GET /openapi.json) are no routes: static files built with the console
// (console/api-reference.ts), served beside it.

/** Who may call a route. Roles are Cognito groups, checked by the handler (403 otherwise); scopes
 * are OAuth scopes of machine clients, checked by the API's JWT authorizer and the handler. */
export type Access =
  | { kind: "public" }
  | { kind: "roles"; roles: readonly Role[] }
  | { kind: "scope"; scope: Scope };

export type Role = "buyer" | "seller" | "operator";
export type Scope = "orders/write" | "carrier/events";

/** Cognito group of each role. */
export const ROLE_GROUPS: Record<Role, string> = {
  buyer: "buyers",
  seller: "sellers",
  operator: "operators",
};

/** Resource servers and their scopes (`<identifier>/<scope>`). */
export const RESOURCE_SERVERS = [
  { identifier: "orders", scopes: ["write"] },
  { identifier: "carrier", scopes: ["events"] },
] as const;

export interface Route {
  /** Stable id: names the Lambda function and the API route construct. */
  id: string;
  method: "GET" | "POST";
  path: string;
  access: Access;
  /** Handler module, relative to the project root; it exports `handler`. */
  entry: string;
}

const REQUEST = "/orders/{orderId}/cancellation-requests/{requestId}";

// Each route on its own, so a handler's bundle holds its own route and not the table.
export const getPolicyRoute: Route = {
  id: "GetPolicy",
  method: "GET",
  path: "/policy",
  access: { kind: "public" },
  entry: "functions/http/get-policy.ts",
};

export const importOrderRoute: Route = {
  id: "ImportOrder",
  method: "POST",
  path: "/orders",
  access: { kind: "scope", scope: "orders/write" },
  entry: "functions/http/import-order.ts",
};

export const listOrdersRoute: Route = {
  id: "ListOrders",
  method: "GET",
  path: "/orders",
  access: { kind: "roles", roles: ["buyer"] },
  entry: "functions/http/list-orders.ts",
};

export const getOrderRoute: Route = {
  id: "GetOrder",
  method: "GET",
  path: "/orders/{orderId}",
  access: { kind: "roles", roles: ["buyer", "seller", "operator"] },
  entry: "functions/http/get-order.ts",
};

export const recordShipmentRoute: Route = {
  id: "RecordShipment",
  method: "POST",
  path: "/orders/{orderId}/shipment",
  access: { kind: "roles", roles: ["seller"] },
  entry: "functions/http/record-shipment.ts",
};

export const recordDeliveryRoute: Route = {
  id: "RecordDelivery",
  method: "POST",
  path: "/orders/{orderId}/delivery",
  access: { kind: "scope", scope: "carrier/events" },
  entry: "functions/http/record-delivery.ts",
};

/** The carrier's word on the parcel besides delivery (SPEC "The parcel after a cancellation"). */
export const recordTrackingEventRoute: Route = {
  id: "RecordTrackingEvent",
  method: "POST",
  path: "/orders/{orderId}/tracking-events",
  access: { kind: "scope", scope: "carrier/events" },
  entry: "functions/http/record-tracking-event.ts",
};

export const requestCancellationRoute: Route = {
  id: "RequestCancellation",
  method: "POST",
  path: "/orders/{orderId}/cancellation-requests",
  access: { kind: "roles", roles: ["buyer"] },
  entry: "functions/http/request-cancellation.ts",
};

export const previewCancellationRoute: Route = {
  id: "PreviewCancellation",
  method: "POST",
  path: "/orders/{orderId}/cancellation-requests/preview",
  access: { kind: "roles", roles: ["buyer"] },
  entry: "functions/http/preview-cancellation.ts",
};

export const getCancellationRequestRoute: Route = {
  id: "GetCancellationRequest",
  method: "GET",
  path: REQUEST,
  access: { kind: "roles", roles: ["buyer", "seller", "operator"] },
  entry: "functions/http/get-cancellation-request.ts",
};

export const withdrawCancellationRequestRoute: Route = {
  id: "WithdrawCancellationRequest",
  method: "POST",
  path: `${REQUEST}/withdrawal`,
  access: { kind: "roles", roles: ["buyer"] },
  entry: "functions/http/withdraw-cancellation-request.ts",
};

export const sellerDecisionRoute: Route = {
  id: "SellerDecision",
  method: "POST",
  path: `${REQUEST}/seller-decision`,
  access: { kind: "roles", roles: ["seller"] },
  entry: "functions/http/seller-decision.ts",
};

export const marketplaceDecisionRoute: Route = {
  id: "MarketplaceDecision",
  method: "POST",
  path: `${REQUEST}/marketplace-decision`,
  access: { kind: "roles", roles: ["operator"] },
  entry: "functions/http/marketplace-decision.ts",
};

export const retryRefundRoute: Route = {
  id: "RetryRefund",
  method: "POST",
  path: `${REQUEST}/refund-retry`,
  access: { kind: "roles", roles: ["operator"] },
  entry: "functions/http/retry-refund.ts",
};

export const listSellerCancellationRequestsRoute: Route = {
  id: "ListSellerCancellationRequests",
  method: "GET",
  path: "/seller/cancellation-requests",
  access: { kind: "roles", roles: ["seller"] },
  entry: "functions/http/list-seller-requests.ts",
};

export const listOperatorCancellationRequestsRoute: Route = {
  id: "ListOperatorCancellationRequests",
  method: "GET",
  path: "/operator/cancellation-requests",
  access: { kind: "roles", roles: ["operator"] },
  entry: "functions/http/list-operator-requests.ts",
};

/** The seller's cancelled units still out with the carrier (SPEC "The parcel after a cancellation"). */
export const listSellerParcelsRoute: Route = {
  id: "ListSellerParcels",
  method: "GET",
  path: "/seller/parcels",
  access: { kind: "roles", roles: ["seller"] },
  entry: "functions/http/list-seller-parcels.ts",
};

/** Stripe's signed webhook: no token; the `Stripe-Signature` header is its authentication. */
export const stripeWebhookRoute: Route = {
  id: "StripeWebhook",
  method: "POST",
  path: "/webhooks/stripe",
  access: { kind: "public" },
  entry: "functions/http/stripe-webhook.ts",
};

/** The buyer of a completed request says its refund has not arrived (after its promised date). */
export const openRefundInquiryRoute: Route = {
  id: "OpenRefundInquiry",
  method: "POST",
  path: `${REQUEST}/refund-inquiry`,
  access: { kind: "roles", roles: ["buyer"] },
  entry: "functions/http/open-refund-inquiry.ts",
};

export const closeRefundInquiryRoute: Route = {
  id: "CloseRefundInquiry",
  method: "POST",
  path: `${REQUEST}/refund-inquiry/close`,
  access: { kind: "roles", roles: ["operator"] },
  entry: "functions/http/close-refund-inquiry.ts",
};

export const listRefundInquiriesRoute: Route = {
  id: "ListRefundInquiries",
  method: "GET",
  path: "/operator/refund-inquiries",
  access: { kind: "roles", roles: ["operator"] },
  entry: "functions/http/list-refund-inquiries.ts",
};

/**
 * A decision link of the seller's mail (SPEC "Decision links in the seller's mail"): no token, the
 * link is the credential. GET shows its confirmation page and changes nothing.
 */
export const decisionLinkPageRoute: Route = {
  id: "DecisionLinkPage",
  method: "GET",
  path: "/decide/{id}",
  access: { kind: "public" },
  entry: "functions/http/decision-link-page.ts",
};

/** The decision link's form: decides as its seller would, once. */
export const decideByLinkRoute: Route = {
  id: "DecideByLink",
  method: "POST",
  path: "/decide/{id}",
  access: { kind: "public" },
  entry: "functions/http/decide-by-link.ts",
};

/** An order's audit trail: its hash-chained timeline (SPEC "Audit trail"). */
export const getAuditRoute: Route = {
  id: "GetAudit",
  method: "GET",
  path: "/orders/{orderId}/audit",
  access: { kind: "roles", roles: ["seller", "operator"] },
  entry: "functions/http/get-audit.ts",
};

/** A seller's own performance (SPEC "Seller performance"). */
export const getSellerMetricsRoute: Route = {
  id: "GetSellerMetrics",
  method: "GET",
  path: "/seller/metrics",
  access: { kind: "roles", roles: ["seller"] },
  entry: "functions/http/get-seller-metrics.ts",
};

/** Any seller's performance, for operators. */
export const getOperatorSellerMetricsRoute: Route = {
  id: "GetOperatorSellerMetrics",
  method: "GET",
  path: "/operator/sellers/{sellerId}/metrics",
  access: { kind: "roles", roles: ["operator"] },
  entry: "functions/http/get-operator-seller-metrics.ts",
};

/** Every route, in the order SPEC lists them. */
export const ROUTES: readonly Route[] = [
  getPolicyRoute,
  importOrderRoute,
  listOrdersRoute,
  getOrderRoute,
  recordShipmentRoute,
  recordDeliveryRoute,
  previewCancellationRoute,
  recordTrackingEventRoute,
  listSellerParcelsRoute,
  requestCancellationRoute,
  getCancellationRequestRoute,
  withdrawCancellationRequestRoute,
  sellerDecisionRoute,
  marketplaceDecisionRoute,
  retryRefundRoute,
  listSellerCancellationRequestsRoute,
  listOperatorCancellationRequestsRoute,
  stripeWebhookRoute,
  openRefundInquiryRoute,
  closeRefundInquiryRoute,
  listRefundInquiriesRoute,
  decisionLinkPageRoute,
  decideByLinkRoute,
  getAuditRoute,
  getSellerMetricsRoute,
  getOperatorSellerMetricsRoute,
];
