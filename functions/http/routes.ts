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

const http = (name: string) => `functions/http/${name}.ts`;
const REQUEST = "/orders/{orderId}/cancellation-requests/{requestId}";

export const ROUTES: readonly Route[] = [
  {
    id: "GetPolicy",
    method: "GET",
    path: "/policy",
    access: { kind: "public" },
    entry: http("get-policy"),
  },
  {
    id: "ImportOrder",
    method: "POST",
    path: "/orders",
    access: { kind: "scope", scope: "orders/write" },
    entry: http("import-order"),
  },
  {
    id: "ListOrders",
    method: "GET",
    path: "/orders",
    access: { kind: "roles", roles: ["buyer"] },
    entry: http("list-orders"),
  },
  {
    id: "GetOrder",
    method: "GET",
    path: "/orders/{orderId}",
    access: { kind: "roles", roles: ["buyer", "seller", "operator"] },
    entry: http("get-order"),
  },
  {
    id: "RecordShipment",
    method: "POST",
    path: "/orders/{orderId}/shipment",
    access: { kind: "roles", roles: ["seller"] },
    entry: http("record-shipment"),
  },
  {
    id: "RecordDelivery",
    method: "POST",
    path: "/orders/{orderId}/delivery",
    access: { kind: "scope", scope: "carrier/events" },
    entry: http("record-delivery"),
  },
  {
    id: "RequestCancellation",
    method: "POST",
    path: "/orders/{orderId}/cancellation-requests",
    access: { kind: "roles", roles: ["buyer"] },
    entry: http("request-cancellation"),
  },
  {
    id: "GetCancellationRequest",
    method: "GET",
    path: REQUEST,
    access: { kind: "roles", roles: ["buyer", "seller", "operator"] },
    entry: http("get-cancellation-request"),
  },
  {
    id: "WithdrawCancellationRequest",
    method: "POST",
    path: `${REQUEST}/withdrawal`,
    access: { kind: "roles", roles: ["buyer"] },
    entry: http("withdraw-cancellation-request"),
  },
  {
    id: "SellerDecision",
    method: "POST",
    path: `${REQUEST}/seller-decision`,
    access: { kind: "roles", roles: ["seller"] },
    entry: http("seller-decision"),
  },
  {
    id: "MarketplaceDecision",
    method: "POST",
    path: `${REQUEST}/marketplace-decision`,
    access: { kind: "roles", roles: ["operator"] },
    entry: http("marketplace-decision"),
  },
  {
    id: "RetryRefund",
    method: "POST",
    path: `${REQUEST}/refund-retry`,
    access: { kind: "roles", roles: ["operator"] },
    entry: http("retry-refund"),
  },
  {
    id: "ListSellerCancellationRequests",
    method: "GET",
    path: "/seller/cancellation-requests",
    access: { kind: "roles", roles: ["seller"] },
    entry: http("list-seller-requests"),
  },
  {
    id: "ListOperatorCancellationRequests",
    method: "GET",
    path: "/operator/cancellation-requests",
    access: { kind: "roles", roles: ["operator"] },
    entry: http("list-operator-requests"),
  },
];
