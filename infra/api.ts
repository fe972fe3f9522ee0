// The HTTP API, built from the one route table: one Lambda function per route, a JWT authorizer
// on every route but the public ones, and for each function only the access its route needs.
import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import type * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { ORDERS_TABLE } from "../functions/adapters/table.ts";
import { ROUTES } from "../functions/http/routes.ts";
import { createFunction } from "./lambda-defaults.ts";
import type { Mail } from "./mail.ts";
import { acknowledge } from "./nag.ts";

/** What a route's handler does besides answering: each grant follows from one of these. */
export interface RoutePermissions {
  /** `read`: GetItem/Query; `write`: also PutItem/UpdateItem; `none`: never touches the table. */
  table: "none" | "read" | "write";
  /** `start`: StartExecution; `signal`: SendTaskSuccess/SendTaskFailure (ends or cancels a wait). */
  workflow: "none" | "start" | "signal";
  /** Sends notifications through SES. */
  email: boolean;
  /** Publishes the domain events of the changes it makes (a request's timeline entries). */
  events?: boolean;
  /** Asks the payment provider about a refund (reads the ledger; only the refund task writes it). */
  refunds?: "lookup";
}

const READ: RoutePermissions = { table: "read", workflow: "none", email: false };

/** Keyed by route id; a route without an entry fails the synth. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, RoutePermissions>> = {
  // The policy comes from POLICY_JSON: no data access at all.
  GetPolicy: { table: "none", workflow: "none", email: false },
  // The API's own documents (the committed OpenAPI file and the reference page): no data access.
  GetOpenApi: { table: "none", workflow: "none", email: false },
  GetDocs: { table: "none", workflow: "none", email: false },
  GetDocsScript: { table: "none", workflow: "none", email: false },
  ImportOrder: { table: "write", workflow: "none", email: false },
  ListOrders: READ,
  GetOrder: READ,
  // Shipping changes the order only: nobody is emailed and no workflow exists yet.
  RecordShipment: { table: "write", workflow: "none", email: false },
  // Delivery asks the provider whether a pending refund went through before deciding.
  RecordDelivery: {
    table: "write",
    workflow: "signal",
    email: true,
    events: true,
    refunds: "lookup",
  },
  // The request itself emails nobody: the workflow's first step sends the receipts (domain:
  // REQUEST_CANCELLATION only starts the workflow; WORKFLOW_STARTED emails buyer and seller).
  RequestCancellation: { table: "write", workflow: "start", email: false, events: true },
  GetCancellationRequest: READ,
  WithdrawCancellationRequest: { table: "write", workflow: "signal", email: true, events: true },
  SellerDecision: { table: "write", workflow: "signal", email: true, events: true },
  MarketplaceDecision: { table: "write", workflow: "signal", email: true, events: true },
  // Retrying asks the provider first (a refund found made is recorded and mailed to the buyer),
  // then moves REFUND_FAILED back to REFUND_PENDING and wakes the workflow.
  RetryRefund: {
    table: "write",
    workflow: "signal",
    email: true,
    events: true,
    refunds: "lookup",
  },
  ListSellerCancellationRequests: READ,
  ListOperatorCancellationRequests: READ,
};

/**
 * Only the actions the order store issues (order-store.ts): no Scan, no batch. A write's
 * transaction is authorized action by action (UpdateItem, PutItem); DeleteItem removes only
 * delivered outbox items.
 */
export const TABLE_ACTIONS = {
  read: ["dynamodb:GetItem", "dynamodb:Query"],
  write: [
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
  ],
} as const;

const WORKFLOW_ACTIONS = {
  start: ["states:StartExecution"],
  signal: ["states:SendTaskSuccess", "states:SendTaskFailure"],
} as const;

export interface ApiProps {
  table: dynamodb.ITableV2;
  /** The payment provider's ledger: looked up by the routes that must ask about a refund. */
  refundsTable: dynamodb.ITableV2;
  stateMachine: sfn.IStateMachine;
  mail: Mail;
  /** The bus the domain events go to. */
  eventBus: events.IEventBus;
  /** Environment of every handler (table, workflow, mail settings, policy). */
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
        ...(route.assets ? { assets: route.assets } : {}),
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
      // The indexes by name: no `index/*` wildcard.
      const indexArns = ORDERS_TABLE.globalSecondaryIndexes.map(
        (index) => `${tableArn}/index/${index.indexName}`,
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...TABLE_ACTIONS[permissions.table]],
          resources: [tableArn, ...indexArns],
        }),
      );
    }
    if (permissions.workflow !== "none") {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...WORKFLOW_ACTIONS[permissions.workflow]],
          resources: [props.stateMachine.stateMachineArn],
        }),
      );
    }
    if (permissions.email) props.mail.grantSend(fn);
    if (permissions.events) props.eventBus.grantPutEventsTo(fn);
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
