// The HTTP API, built from the one route table: one Lambda function per route, a JWT authorizer
// on every route but the public ones, and for each function only the access its route needs.
// Callers reach it through CloudFront alone: the distribution sends a secret header that every
// handler checks (functions/http/edge-origin.ts), and each route has limits of its own.
import { Duration } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { ENV } from "../functions/adapters/config.ts";
import { COUNTER_PK_PREFIX } from "../functions/adapters/dynamodb/seller-counters.ts";
import {
  BUYER_ORDERS_INDEX,
  OPERATOR_QUEUE_INDEX,
  REFUND_INQUIRIES_INDEX,
  SELLER_PARCELS_INDEX,
  SELLER_QUEUE_INDEX,
} from "../functions/adapters/dynamodb/table.ts";
import { CARRIER_CLIENTS_ENV } from "../functions/http/caller.ts";
import { EDGE_ORIGIN_SECRET_ENV } from "../functions/http/edge-origin.ts";
import { type Access, ROUTES, type Route } from "../functions/http/routes.ts";
import { grantDescribeExecutions } from "./executions.ts";
import { createFunction } from "./lambda-defaults.ts";
import { acknowledge } from "./nag.ts";
import { grantStripeSecret } from "./stripe-secret.ts";

/**
 * What a route's handler does besides answering: each grant follows from one of these. No route
 * sends mail, publishes events or starts executions: a change is one write, and the workflow
 * sends what it causes (docs/design.md).
 */
export interface RoutePermissions {
  /** The order item: `get`: GetItem; `change`: GetItem/UpdateItem; `import`: GetItem/PutItem. */
  table: "none" | "get" | "change" | "import";
  /** The one index a list reads (Query on it alone; lists read no item). */
  query?:
    | typeof BUYER_ORDERS_INDEX
    | typeof SELLER_QUEUE_INDEX
    | typeof OPERATOR_QUEUE_INDEX
    | typeof REFUND_INQUIRIES_INDEX
    | typeof SELLER_PARCELS_INDEX;
  /** Wakes the execution waiting on a request the change moved (SendTaskSuccess). */
  wakes?: boolean;
  /** Asks the payment provider about a refund (reads the ledger; only the workflow writes it). */
  refunds?: "lookup";
  /** Calls Stripe: reads the Stripe account's secret, when the deployment has one. */
  stripe?: boolean;
  /**
   * Starts an execution for a completed request whose refund needs the workflow again (a
   * reversal, an operator's retry) when none waits: StartExecution and DescribeExecution.
   */
  resumes?: boolean;
  /**
   * The seller counters (functions/adapters/dynamodb/seller-counters.ts), items keyed
   * `SELLERMETRICS#<sellerId>` and nothing else: `read`, a Query of those partitions (the metrics
   * routes); `add`, UpdateItem of those items, in the transaction of a write not otherwise allowed
   * UpdateItem (the import: its order is a PutItem). Changes have UpdateItem on the table already.
   */
  counters?: "read" | "add";
}

const GET: RoutePermissions = { table: "get" };

/** Keyed by route id; a route without an entry fails the synth. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, RoutePermissions>> = {
  // The policy comes from POLICY_JSON: no data access at all.
  GetPolicy: { table: "none" },
  // A new order counts in its seller's orders, in the same transaction as its PutItem.
  ImportOrder: { table: "import", counters: "add" },
  ListOrders: { table: "none", query: BUYER_ORDERS_INDEX },
  GetOrder: GET,
  // Shipping changes an order that has no request yet: nothing waits on it.
  RecordShipment: { table: "change" },
  // Delivery asks the provider whether a pending refund went through before deciding.
  RecordDelivery: {
    table: "change",
    wakes: true,
    refunds: "lookup",
    stripe: true,
    resumes: true,
  },
  // The parcel's moves change no request's status: nothing that waits on one is woken.
  RecordTrackingEvent: { table: "change", resumes: true },
  // The request is one write; the table's stream starts its workflow, which sends the receipts.
  RequestCancellation: { table: "change" },
  // The preview works the request out from the order and stores nothing.
  PreviewCancellation: GET,
  GetCancellationRequest: GET,
  WithdrawCancellationRequest: { table: "change", wakes: true },
  SellerDecision: { table: "change", wakes: true },
  MarketplaceDecision: { table: "change", wakes: true },
  // Retrying asks the provider first (a refund found made is recorded), then moves
  // REFUND_FAILED back to REFUND_PENDING and wakes the workflow (or, for a reversed refund of a
  // completed request, starts an execution when none waits).
  RetryRefund: { table: "change", wakes: true, refunds: "lookup", stripe: true, resumes: true },
  ListSellerCancellationRequests: { table: "none", query: SELLER_QUEUE_INDEX },
  ListOperatorCancellationRequests: { table: "none", query: OPERATOR_QUEUE_INDEX },
  // Stripe's signed event: verified with the account's webhook secret, then the refund is asked
  // about and the change written; a waiting execution is woken, or one started for a reversal.
  StripeWebhook: { table: "change", wakes: true, refunds: "lookup", stripe: true, resumes: true },
  // A refund inquiry and its close change a completed request's refund case, never its status:
  // nothing that waits on it is woken; the request's execution mails operators (the reconciler
  // wakes or starts it).
  OpenRefundInquiry: { table: "change" },
  CloseRefundInquiry: { table: "change" },
  ListRefundInquiries: { table: "none", query: REFUND_INQUIRIES_INDEX },
  ListSellerParcels: { table: "none", query: SELLER_PARCELS_INDEX },
  // The decision link's page reads the link's item and its order, nothing else.
  DecisionLinkPage: GET,
  // Its form decides as the seller's route does (the order's conditional write, the wake-up),
  // then marks the link's item used (UpdateItem).
  DecideByLink: { table: "change", wakes: true },
  // The export is worked out from the order item alone.
  GetAudit: GET,
  // The figures are the seller's counter items of the window: one Query, no order is read.
  GetSellerMetrics: { table: "none", counters: "read" },
  GetOperatorSellerMetrics: { table: "none", counters: "read" },
};

/** Why a public route other than the contract's readable ones takes no token (cdk-nag asks). */
const PUBLIC_BECAUSE: Readonly<Record<string, string>> = {
  DecisionLinkPage:
    "GET /decide/{id} is the seller's decision link (SPEC): the link's 128-bit random id is its credential (only its SHA-256 is stored), and the page changes nothing.",
  DecideByLink:
    "POST /decide/{id} is the decision link's form (SPEC): the link's 128-bit random id is its credential, used once, and dead once the request no longer awaits the seller.",
  StripeWebhook:
    "POST /webhooks/stripe is Stripe's, which sends no token: each event is signed (Stripe-Signature) and the handler verifies the signature on the raw body before anything else.",
};

/** Only the actions the order adapters issue (functions/adapters/dynamodb): no Scan, no batch. */
export const TABLE_ACTIONS = {
  get: ["dynamodb:GetItem"],
  change: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
  import: ["dynamodb:GetItem", "dynamodb:PutItem"],
} as const;

/**
 * What a flood meets on one route behind the edge's per-IP limits: API Gateway's throttle of the
 * route (every caller together; over it, 429) and its function's reserved concurrency (its
 * guarantee and its cap: no route can take the capacity of another or of the workflow).
 */
export interface RouteLimits {
  /** Steady requests per second the stage passes to the route. */
  rateLimit: number;
  /** Requests the route may take at once above the steady rate. */
  burstLimit: number;
  /** Concurrent executions reserved for the route's function: ≥ rate × a slow (p99) duration. */
  reservedConcurrency: number;
}

/**
 * Limits by who calls (docs/runbook.md#edge-and-rate-limits has the whole table and the account
 * budget they fit in). People's routes: a click each; the public policy: read once per visit, from
 * memory (milliseconds); the systems' two routes (order import, carrier events): feeds at volume.
 */
export const ROUTE_LIMITS: Readonly<Record<Access["kind"], RouteLimits>> = {
  public: { rateLimit: 20, burstLimit: 40, reservedConcurrency: 5 },
  roles: { rateLimit: 50, burstLimit: 100, reservedConcurrency: 25 },
  scope: { rateLimit: 100, burstLimit: 200, reservedConcurrency: 50 },
};

export const routeLimits = (route: Route): RouteLimits => ROUTE_LIMITS[route.access.kind];

/** A route that carrier clients call (scope `carrier/events`): its function binds them. */
const isCarrierRoute = (access: Access): boolean =>
  access.kind === "scope" && access.scope === "carrier/events";

/** API Gateway's route key: `GET /orders/{orderId}`. */
const routeKey = (route: Route) => `${route.method} ${route.path}`;

export interface ApiProps {
  table: dynamodb.ITableV2;
  /** The payment provider's ledger: looked up by the routes that must ask about a refund. */
  refundsTable: dynamodb.ITableV2;
  stateMachine: sfn.StateMachine;
  /** Environment of every handler (table, policy). */
  environment: Record<string, string>;
  jwtIssuer: string;
  jwtAudience: string[];
  /** The web console's origin: CORS for it alone. Undefined: no CORS (no browser may call). */
  consoleOrigin?: string | undefined;
  /** The Stripe account's secret, for the routes that call Stripe; undefined: no Stripe. */
  stripeSecretArn?: string | undefined;
  /**
   * Client id → carrier code of the carrier clients (JSON, Auth.carrierClientMap): the carrier
   * routes' functions bind each token to its client's carrier, and refuse clients not in it.
   */
  carrierClients: string;
}

export class Api extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /**
   * The value CloudFront sends in `x-origin-verify` and every handler expects: generated at the
   * first deploy, read by both through a dynamic reference (never in the template itself).
   */
  readonly originSecret: secretsmanager.Secret;
  /** The handler of each route, by route id. */
  readonly functions: ReadonlyMap<string, lambda.IFunction>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.httpApi = new apigw.HttpApi(this, "HttpApi", {
      description: "Post-shipment cancellation service",
      // The stage is declared below so that it can log and throttle.
      createDefaultStage: false,
      ...(props.consoleOrigin ? { corsPreflight: corsFor(props.consoleOrigin) } : {}),
    });

    // Kept or deleted with the stack as `protectData` says (stack.ts), like every log group.
    this.accessLogs = new logs.LogGroup(this, "AccessLogs", {
      retention: logs.RetentionDays.THREE_MONTHS,
    });
    this.stage = new apigw.HttpStage(this, "DefaultStage", {
      httpApi: this.httpApi,
      stageName: "$default",
      autoDeploy: true,
      // A route without limits of its own (there is none: each gets its own below) gets people's.
      throttle: {
        rateLimit: ROUTE_LIMITS.roles.rateLimit,
        burstLimit: ROUTE_LIMITS.roles.burstLimit,
      },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        // No headers or bodies: tokens and personal data stay out of the access log.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            routeKey: "$context.routeKey",
            status: "$context.status",
            ip: "$context.identity.sourceIp",
            requestTime: "$context.requestTime",
            responseLatency: "$context.responseLatency",
            responseLength: "$context.responseLength",
            integrationError: "$context.integrationErrorMessage",
            authorizerError: "$context.authorizer.error",
            userAgent: "$context.identity.userAgent",
          }),
        ),
      },
    });

    const authorizer = new HttpJwtAuthorizer("JwtAuthorizer", props.jwtIssuer, {
      jwtAudience: props.jwtAudience,
    });
    const noAuthorizer = new apigw.HttpNoneAuthorizer();

    this.originSecret = new secretsmanager.Secret(this, "OriginSecret", {
      description:
        "Sent by CloudFront in x-origin-verify to the HTTP API, whose handlers refuse requests without it",
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    acknowledge(
      this.originSecret,
      "AwsSolutions-SMG4",
      "CloudFront's origin header and the functions' environment take the value at deploy: a scheduled rotation would leave both on the old one. It is replaced by a deploy instead (docs/runbook.md#edge-and-rate-limits).",
    );
    const environment = {
      ...props.environment,
      [EDGE_ORIGIN_SECRET_ENV]: this.originSecret.secretValue.unsafeUnwrap(),
    };

    const functions = new Map<string, lambda.IFunction>();
    const routes: apigw.HttpRoute[] = [];
    const routeSettings: Record<
      string,
      { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
    > = {};
    for (const route of ROUTES) {
      const permissions = ROUTE_PERMISSIONS[route.id];
      if (!permissions) throw new Error(`route ${route.id} has no entry in ROUTE_PERMISSIONS`);
      const limits = routeLimits(route);
      const fn = createFunction(this, route.id, {
        entry: route.entry,
        environment: {
          ...environment,
          ...(permissions.resumes
            ? { [ENV.stateMachineArn]: props.stateMachine.stateMachineArn }
            : {}),
          // Only the carrier routes' callers are carrier clients.
          ...(isCarrierRoute(route.access) ? { [CARRIER_CLIENTS_ENV]: props.carrierClients } : {}),
        },
        reservedConcurrency: limits.reservedConcurrency,
      });
      this.grant(fn, permissions, props);
      const httpRoute = new apigw.HttpRoute(this, `${route.id}Route`, {
        httpApi: this.httpApi,
        routeKey: apigw.HttpRouteKey.with(route.path, apigw.HttpMethod[route.method]),
        integration: new HttpLambdaIntegration(`${route.id}Integration`, fn),
        authorizer: route.access.kind === "public" ? noAuthorizer : authorizer,
        // The authorizer rejects a machine token without the scope before the handler runs.
        ...(route.access.kind === "scope" ? { authorizationScopes: [route.access.scope] } : {}),
      });
      routes.push(httpRoute);
      routeSettings[routeKey(route)] = {
        ThrottlingRateLimit: limits.rateLimit,
        ThrottlingBurstLimit: limits.burstLimit,
      };
      if (route.access.kind === "public") {
        acknowledge(
          httpRoute,
          "AwsSolutions-APIG4",
          PUBLIC_BECAUSE[route.id] ??
            `${route.method} ${route.path} is public by the product contract (SPEC: anyone may read it).`,
        );
      }
      functions.set(route.id, fn);
    }
    this.functions = functions;
    // Each route's own throttle; the stage names routes by key, so it must come after them.
    (this.stage.node.defaultChild as apigw.CfnStage).routeSettings = routeSettings;
    for (const route of routes) this.stage.node.addDependency(route);
  }

  private grant(fn: lambda.Function, permissions: RoutePermissions, props: ApiProps): void {
    const { tableArn } = props.table;
    if (permissions.table !== "none") {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...TABLE_ACTIONS[permissions.table]],
          resources: [tableArn],
        }),
      );
    }
    if (permissions.query) {
      // The list's own index by name: no `index/*`, no other list's index, no Scan.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ["dynamodb:Query"],
          resources: [`${tableArn}/index/${permissions.query}`],
        }),
      );
    }
    if (permissions.counters) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [permissions.counters === "read" ? "dynamodb:Query" : "dynamodb:UpdateItem"],
          resources: [tableArn],
          conditions: {
            "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${COUNTER_PK_PREFIX}*`] },
          },
        }),
      );
    }
    if (permissions.wakes) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ["states:SendTaskSuccess"],
          resources: [props.stateMachine.stateMachineArn],
        }),
      );
    }
    if (permissions.refunds === "lookup") {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ["dynamodb:GetItem"],
          resources: [props.refundsTable.tableArn],
        }),
      );
    }
    if (permissions.stripe) grantStripeSecret(fn, props.stripeSecretArn);
    if (permissions.resumes) {
      const machine = props.stateMachine;
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ["states:StartExecution"],
          resources: [machine.stateMachineArn],
        }),
      );
      // Whether the request's execution still runs: this machine's executions only.
      grantDescribeExecutions(fn, machine);
    }
  }
}

/** Request headers a browser may send: the bearer token, JSON bodies, the cancellation's key. */
export const CORS_ALLOW_HEADERS = ["authorization", "content-type", "idempotency-key"] as const;

/**
 * CORS for the one console origin: its preflights are answered by API Gateway (no authorizer,
 * no function runs), and its responses may be read, `Retry-After` included. Tokens travel in
 * `Authorization`, never cookies: no credentials mode.
 */
export const corsFor = (origin: string): apigw.CorsPreflightOptions => ({
  allowOrigins: [origin],
  allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST, apigw.CorsHttpMethod.OPTIONS],
  allowHeaders: [...CORS_ALLOW_HEADERS],
  exposeHeaders: ["retry-after"],
  allowCredentials: false,
  maxAge: Duration.hours(1),
});
