// The HTTP API, built from the one route table: one Lambda function per route, a JWT authorizer
// on every route but the public ones, and for each function only the access its route needs.
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { ORDERS_TABLE } from "../functions/adapters/dynamodb/table.ts";
import { ROUTES } from "../functions/http/routes.ts";
import { createFunction } from "./lambda-defaults.ts";
import { acknowledge } from "./nag.ts";

/**
 * What a route's handler does besides answering: each grant follows from one of these. No route
 * sends mail, publishes events or starts executions: a change is one write, and the workflow
 * sends what it causes (docs/design.md).
 */
export interface RoutePermissions {
  /** `read`: GetItem/Query; `change`: GetItem/UpdateItem; `import`: GetItem/PutItem; `none`. */
  table: "none" | "read" | "change" | "import";
  /** Wakes the execution waiting on a request the change moved (SendTaskSuccess). */
  wakes?: boolean;
  /** Asks the payment provider about a refund (reads the ledger; only the workflow writes it). */
  refunds?: "lookup";
}

const READ: RoutePermissions = { table: "read" };

/** Keyed by route id; a route without an entry fails the synth. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, RoutePermissions>> = {
  // The policy comes from POLICY_JSON: no data access at all.
  GetPolicy: { table: "none" },
  ImportOrder: { table: "import" },
  ListOrders: READ,
  GetOrder: READ,
  // Shipping changes an order that has no request yet: nothing waits on it.
  RecordShipment: { table: "change" },
  // Delivery asks the provider whether a pending refund went through before deciding.
  RecordDelivery: { table: "change", wakes: true, refunds: "lookup" },
  // The request is one write; the table's stream starts its workflow, which sends the receipts.
  RequestCancellation: { table: "change" },
  // The preview works the request out from the order and stores nothing.
  PreviewCancellation: READ,
  GetCancellationRequest: READ,
  WithdrawCancellationRequest: { table: "change", wakes: true },
  SellerDecision: { table: "change", wakes: true },
  MarketplaceDecision: { table: "change", wakes: true },
  // Retrying asks the provider first (a refund found made is recorded), then moves
  // REFUND_FAILED back to REFUND_PENDING and wakes the workflow.
  RetryRefund: { table: "change", wakes: true, refunds: "lookup" },
  ListSellerCancellationRequests: READ,
  ListOperatorCancellationRequests: READ,
};

/** Only the actions the order adapters issue (functions/adapters/dynamodb): no Scan, no batch. */
export const TABLE_ACTIONS = {
  read: ["dynamodb:GetItem", "dynamodb:Query"],
  change: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
  import: ["dynamodb:GetItem", "dynamodb:PutItem"],
} as const;

export interface ApiProps {
  table: dynamodb.ITableV2;
  /** The payment provider's ledger: looked up by the routes that must ask about a refund. */
  refundsTable: dynamodb.ITableV2;
  stateMachine: sfn.IStateMachine;
  /** Environment of every handler (table, policy). */
  environment: Record<string, string>;
  jwtIssuer: string;
  jwtAudience: string[];
  throttle: { rateLimit: number; burstLimit: number };
  /** The web console's origin: CORS for it alone. Undefined: no CORS (no browser may call). */
  consoleOrigin?: string | undefined;
}

export class Api extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;
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

    this.accessLogs = new logs.LogGroup(this, "AccessLogs", {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigw.HttpStage(this, "DefaultStage", {
      httpApi: this.httpApi,
      stageName: "$default",
      autoDeploy: true,
      throttle: props.throttle,
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

    const functions = new Map<string, lambda.IFunction>();
    for (const route of ROUTES) {
      const permissions = ROUTE_PERMISSIONS[route.id];
      if (!permissions) throw new Error(`route ${route.id} has no entry in ROUTE_PERMISSIONS`);
      const fn = createFunction(this, route.id, {
        entry: route.entry,
        environment: props.environment,
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
      if (route.access.kind === "public") {
        acknowledge(
          httpRoute,
          "AwsSolutions-APIG4",
          `${route.method} ${route.path} is public by the product contract (SPEC: anyone may read it).`,
        );
      }
      functions.set(route.id, fn);
    }
    this.functions = functions;
  }

  private grant(fn: lambda.IFunction, permissions: RoutePermissions, props: ApiProps): void {
    if (permissions.table !== "none") {
      const { tableArn } = props.table;
      // Lists query their index by name (no `index/*` wildcard); changes touch the item only.
      const indexArns =
        permissions.table === "read"
          ? ORDERS_TABLE.globalSecondaryIndexes.map(
              (index) => `${tableArn}/index/${index.indexName}`,
            )
          : [];
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...TABLE_ACTIONS[permissions.table]],
          resources: [tableArn, ...indexArns],
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

/** Stage throttling (requests per second, burst) applied to every route. */
export const DEFAULT_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;
