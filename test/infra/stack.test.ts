// The synthesized CDK app against SPEC and the team's infrastructure rules: routes and their
// authorizers, least-privilege grants, table, sign-in, functions, workflow, logs, alarms, cdk-nag.
// Bundling and aws-cdk-lib's CloudFormation schema check are skipped: each synth takes ~1 s.
import { readFileSync } from "node:fs";
import { App, Stack, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as sns from "aws-cdk-lib/aws-sns";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { createTableInput } from "../../functions/adapters/dynamodb/table.ts";
import { enteredMetric } from "../../functions/domain/change-metrics.ts";
import { DEFAULT_POLICY, mergePolicy } from "../../functions/domain/policy.ts";
import { EVENT_SOURCE } from "../../functions/domain/published-events.ts";
import { REQUEST_STATUSES } from "../../functions/domain/types.ts";
import { RUNBOOK_ANCHORS } from "../../infra/alarms.ts";
import { createApp, DEFAULT_ENV, newApp } from "../../infra/create-app.ts";
import { WIDGETS } from "../../infra/dashboard.ts";
import { ENTRY_METADATA } from "../../infra/lambda-defaults.ts";
import { acknowledge, addNagChecks } from "../../infra/nag.ts";
import {
  NEW_REQUEST_FILTER,
  START_INPUT_TEMPLATE,
  START_STATES,
} from "../../infra/request-starts.ts";
import { EVENT_ARCHIVE_DAYS } from "../../infra/stack.ts";
import { aslDefinition, aslErrors } from "../support/asl.ts";

const SKIP_BUNDLING = { "aws:cdk:bundling-stacks": [] };
// Synth errors carry the validation report (not just its file name) when the app is in-memory.
const IN_MEMORY = { "@aws-cdk/core:appMode": "inmemory" };

/**
 * What a route's function may do. No route may send mail, publish events or start executions: a
 * change is one write, and the workflow sends what it causes (the tests below check all three).
 * The one exception: a completed request whose refund needs the workflow again (the provider
 * reversed it, an operator retried it) gets an execution from the change that says so, when none
 * waits, since its first execution has ended.
 */
interface Grants {
  /** The order item: `get` reads it, `change` reads and updates it, `import` reads and puts it. */
  table: "none" | "get" | "change" | "import";
  /** The one index a list queries. */
  query?: "BuyerOrders" | "SellerQueue" | "OperatorQueue" | "RefundInquiries" | "SellerParcels";
  /** Wakes the execution waiting on a request the change moved (SendTaskSuccess). */
  wakes?: boolean;
  /** Reads the refunds ledger (GetItem) to ask whether a refund was made. */
  refunds?: boolean;
  /** Starts (and asks about) an execution for a completed request's refund. */
  resumes?: boolean;
  /**
   * The seller counters' items (`SELLERMETRICS#…` keys only): `read` queries them, `add` updates
   * them (the import's transaction; changes update the table anyway).
   */
  counters?: "read" | "add";
}
const GET: Grants = { table: "get" };

/** `public`: no authorizer; `jwt`: any valid token (roles are the handler's to check); else a scope. */
type Auth = "public" | "jwt" | "orders/write" | "carrier/events";

/** SPEC's routes, literally (a route that drifts from SPEC fails), and what each may touch. */
const SPEC_ROUTES: { key: string; auth: Auth; grants: Grants }[] = [
  { key: "GET /policy", auth: "public", grants: { table: "none" } },
  // SPEC "For integrators": GET /openapi.json and GET /docs are no routes but files of the
  // console's build, served from its bucket (test/infra/edge.test.ts, test/e2e/docs.test.ts).
  // A new order counts in its seller's orders in the same transaction as its put.
  { key: "POST /orders", auth: "orders/write", grants: { table: "import", counters: "add" } },
  { key: "GET /orders", auth: "jwt", grants: { table: "none", query: "BuyerOrders" } },
  { key: "GET /orders/{orderId}", auth: "jwt", grants: GET },
  { key: "POST /orders/{orderId}/shipment", auth: "jwt", grants: { table: "change" } },
  {
    key: "POST /orders/{orderId}/delivery",
    auth: "carrier/events",
    // Asks the provider (reads the refunds ledger) before deciding between a return and a refund;
    // delivered after the cancellation, starts the latest request's execution for the return.
    grants: { table: "change", wakes: true, refunds: true, resumes: true },
  },
  // The parcel's moves change no request's status: one read, one write, nothing woken.
  {
    key: "POST /orders/{orderId}/tracking-events",
    auth: "carrier/events",
    // Starts the latest request's execution for the parcel's events and mail.
    grants: { table: "change", resumes: true },
  },
  {
    key: "POST /orders/{orderId}/cancellation-requests",
    auth: "jwt",
    // One read, one write: the table's stream starts the workflow, which sends the receipts.
    grants: { table: "change" },
  },
  // Works out what a request would refund from the order alone: it stores nothing.
  {
    key: "POST /orders/{orderId}/cancellation-requests/preview",
    auth: "jwt",
    grants: GET,
  },
  { key: "GET /orders/{orderId}/cancellation-requests/{requestId}", auth: "jwt", grants: GET },
  {
    key: "POST /orders/{orderId}/cancellation-requests/{requestId}/withdrawal",
    auth: "jwt",
    grants: { table: "change", wakes: true },
  },
  {
    key: "POST /orders/{orderId}/cancellation-requests/{requestId}/seller-decision",
    auth: "jwt",
    grants: { table: "change", wakes: true },
  },
  {
    key: "POST /orders/{orderId}/cancellation-requests/{requestId}/marketplace-decision",
    auth: "jwt",
    grants: { table: "change", wakes: true },
  },
  {
    key: "POST /orders/{orderId}/cancellation-requests/{requestId}/refund-retry",
    auth: "jwt",
    // Asks the provider first: a refund found made after all is recorded.
    grants: { table: "change", wakes: true, refunds: true, resumes: true },
  },
  {
    key: "GET /seller/cancellation-requests",
    auth: "jwt",
    grants: { table: "none", query: "SellerQueue" },
  },
  {
    key: "GET /operator/cancellation-requests",
    auth: "jwt",
    grants: { table: "none", query: "OperatorQueue" },
  },
  // Stripe's signed events (no token: the signature is checked by the handler); it asks the
  // provider about the refund, records the change and wakes the waiting execution.
  {
    key: "POST /webhooks/stripe",
    auth: "public",
    grants: { table: "change", wakes: true, refunds: true, resumes: true },
  },
  // The refund promise: an inquiry and its close change a completed request (no status moves,
  // nothing is woken: the reconciler has its execution mail operators); the open ones are listed
  // from their own sparse index.
  {
    key: "POST /orders/{orderId}/cancellation-requests/{requestId}/refund-inquiry",
    auth: "jwt",
    grants: { table: "change" },
  },
  {
    key: "POST /orders/{orderId}/cancellation-requests/{requestId}/refund-inquiry/close",
    auth: "jwt",
    grants: { table: "change" },
  },
  {
    key: "GET /operator/refund-inquiries",
    auth: "jwt",
    grants: { table: "none", query: "RefundInquiries" },
  },
  // The seller's decision link (no token: the link is the credential): its page reads the link's
  // item and its order; its form decides as the seller's route does (the order's conditional
  // write, the wake-up), then updates the link's item (used).
  { key: "GET /decide/{id}", auth: "public", grants: GET },
  { key: "POST /decide/{id}", auth: "public", grants: { table: "change", wakes: true } },
  // The parcel after a cancellation: the seller's parcels still out, from their own sparse index.
  { key: "GET /seller/parcels", auth: "jwt", grants: { table: "none", query: "SellerParcels" } },
  // The audit trail: worked out from the order item alone.
  { key: "GET /orders/{orderId}/audit", auth: "jwt", grants: GET },
  // Seller performance: the seller's counter items of the window, one Query, nothing else.
  { key: "GET /seller/metrics", auth: "jwt", grants: { table: "none", counters: "read" } },
  {
    key: "GET /operator/sellers/{sellerId}/metrics",
    auth: "jwt",
    grants: { table: "none", counters: "read" },
  },
];

const TABLE_ACTIONS = {
  none: [],
  get: ["dynamodb:GetItem"],
  change: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
  import: ["dynamodb:GetItem", "dynamodb:PutItem"],
};
const INDEXES = [
  "BuyerOrders",
  "SellerQueue",
  "OperatorQueue",
  "PendingWork",
  "RefundInquiries",
  "SellerParcels",
  "AuditHeads",
];
/** Actions that take no resource ARN, so "*" is the only resource they can have. */
const NO_RESOURCE_LEVEL_ACTIONS = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
]);

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DeletionPolicy?: string;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** Logical id a `{ Ref }` or `{ Fn::GetAtt: [id, ...] }` points at. */
const target = (value: unknown): string => {
  const node = value as { Ref?: string; "Fn::GetAtt"?: [string, string] };
  const id = node.Ref ?? node["Fn::GetAtt"]?.[0];
  if (!id) throw new Error(`not a reference: ${JSON.stringify(value)}`);
  return id;
};

/** The message synth fails with (or "" when it succeeds). */
const synthError = (app: App): string => {
  try {
    app.synth();
    return "";
  } catch (error) {
    return (error as Error).message;
  }
};

const synthesize = (context: Record<string, unknown> = {}) => {
  const { app, stack } = createApp({
    context: { ...SKIP_BUNDLING, ...context },
    // Fixed, so that CDK_DEFAULT_* in a developer's shell cannot change the template.
    env: DEFAULT_ENV,
    nag: false,
    cfnValidation: false,
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const ofType = (type: string) =>
    Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const onlyId = (type: string) => {
    const ids = ofType(type).map(([id]) => id);
    if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
    return ids[0] as string;
  };
  return { app, stack, template, resources, ofType, onlyId };
};

// Synthesized once for the whole file; the variants below only where a setting changes the output.
const main = synthesize();
const { template, resources, ofType, onlyId } = main;
const tableIdStarting = (prefix: string) => {
  const ids = ofType("AWS::DynamoDB::GlobalTable")
    .map(([id]) => id)
    .filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one table ${prefix}*, found ${ids.length}`);
  return ids[0] as string;
};
const tableId = tableIdStarting("Orders");
const refundsTableId = tableIdStarting("Refunds");
/** The cancellation workflow (Standard) and the stream's starter (Express). */
const stateMachineOfType = (type: "STANDARD" | "EXPRESS") => {
  const ids = ofType("AWS::StepFunctions::StateMachine")
    .filter(([, machine]) => (machine.Properties.StateMachineType ?? "STANDARD") === type)
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type} state machine, found ${ids.length}`);
  return ids[0] as string;
};
const stateMachineId = stateMachineOfType("STANDARD");
const starterId = stateMachineOfType("EXPRESS");
const eventBusId = onlyId("AWS::Events::EventBus");

const routeByKey = new Map(
  ofType("AWS::ApiGatewayV2::Route").map(([id, route]) => [
    String(route.Properties.RouteKey),
    { id, route },
  ]),
);

const environmentOf = (functionId: string): Record<string, unknown> => {
  const environment = resources[functionId]?.Properties.Environment as
    | { Variables: Record<string, unknown> }
    | undefined;
  if (!environment) throw new Error(`${functionId} has no environment`);
  return environment.Variables;
};

/** The Lambda function behind a route: Route → Integration → function. */
const functionOfRoute = (key: string): string => {
  const entry = routeByKey.get(key);
  if (!entry) throw new Error(`no route ${key}`);
  const [, parts] = (entry.route.Properties.Target as { "Fn::Join": [string, unknown[]] })[
    "Fn::Join"
  ];
  const integration = resources[target(parts[1])];
  return target(integration?.Properties.IntegrationUri);
};

/** Every statement of every identity policy attached to a function's role. */
/** Logical ids of the functions whose handler module is one of `entries`. */
const functionsOfEntries = (...entries: string[]): string[] =>
  ofType("AWS::Lambda::Function")
    .filter(([, fn]) => entries.includes(String(fn.Metadata?.[ENTRY_METADATA])))
    .map(([id]) => id);

const statementsOfFunction = (functionId: string): Statement[] => {
  const roleId = target(resources[functionId]?.Properties.Role);
  return ofType("AWS::IAM::Policy")
    .filter(([, policy]) => list(policy.Properties.Roles).some((role) => target(role) === roleId))
    .flatMap(
      ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
};

const allStatements = (): Statement[] => [
  ...ofType("AWS::IAM::Policy").flatMap(
    ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  ),
  ...ofType("AWS::IAM::ManagedPolicy").flatMap(
    ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  ),
  ...ofType("AWS::IAM::Role").flatMap(([, role]) =>
    ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    ),
  ),
];

describe("HTTP API routes", () => {
  it("has exactly SPEC's routes", () => {
    expect(sorted(routeByKey.keys())).toEqual(sorted(SPEC_ROUTES.map((route) => route.key)));
  });

  for (const { key, auth } of SPEC_ROUTES) {
    it(`${key}: ${auth === "public" ? "no authorizer" : `JWT authorizer, scope ${auth === "jwt" ? "none" : auth}`}`, () => {
      const route = routeByKey.get(key)?.route.Properties;
      if (auth === "public") {
        expect(route?.AuthorizationType).toBe("NONE");
        expect(route?.AuthorizerId).toBeUndefined();
        return;
      }
      expect(route?.AuthorizationType).toBe("JWT");
      expect(target(route?.AuthorizerId)).toBe(onlyId("AWS::ApiGatewayV2::Authorizer"));
      if (auth === "jwt") expect(route?.AuthorizationScopes).toBeUndefined();
      else expect(route?.AuthorizationScopes).toEqual([auth]);
    });
  }

  it("the JWT authorizer trusts the user pool's issuer and all its app clients", () => {
    const authorizer = resources[onlyId("AWS::ApiGatewayV2::Authorizer")]?.Properties;
    expect(authorizer?.AuthorizerType).toBe("JWT");
    expect(authorizer?.IdentitySource).toEqual(["$request.header.Authorization"]);
    const jwt = authorizer?.JwtConfiguration as { Issuer: unknown; Audience: unknown[] };
    expect(jwt.Issuer).toEqual({
      "Fn::Join": [
        "",
        [
          "https://cognito-idp.ap-northeast-1.amazonaws.com/",
          { Ref: onlyId("AWS::Cognito::UserPool") },
        ],
      ],
    });
    const clients = ofType("AWS::Cognito::UserPoolClient").map(([id]) => id);
    // People (SRP), the console (hosted login), the order system, one per carrier (three).
    expect(clients).toHaveLength(6);
    expect(sorted(jwt.Audience.map(target))).toEqual(sorted(clients));
  });

  it("serves each route with a function of its own, running the route table's handler", () => {
    const functionIds = SPEC_ROUTES.map((route) => functionOfRoute(route.key));
    expect(new Set(functionIds).size).toBe(SPEC_ROUTES.length);
    for (const functionId of functionIds) {
      expect(resources[functionId]?.Type).toBe("AWS::Lambda::Function");
      expect(resources[functionId]?.Metadata?.[ENTRY_METADATA]).toMatch(
        /^functions\/http\/.+\.ts$/,
      );
    }
  });

  it("the default stage logs every request as JSON and throttles", () => {
    const [[, stage]] = ofType("AWS::ApiGatewayV2::Stage") as [[string, CfnResource]];
    expect(stage.Properties.StageName).toBe("$default");
    expect(stage.Properties.AutoDeploy).toBe(true);
    const settings = stage.Properties.AccessLogSettings as {
      DestinationArn: unknown;
      Format: string;
    };
    expect(resources[target(settings.DestinationArn)]?.Type).toBe("AWS::Logs::LogGroup");
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      routeKey: "$context.routeKey",
      status: "$context.status",
      ip: "$context.identity.sourceIp",
    });
    const throttle = stage.Properties.DefaultRouteSettings as Record<string, number>;
    expect(throttle.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(throttle.ThrottlingBurstLimit).toBeGreaterThanOrEqual(throttle.ThrottlingRateLimit ?? 0);
  });
});

describe("CORS", () => {
  it("none by default: no browser origin may call the API", () => {
    const [[, api]] = ofType("AWS::ApiGatewayV2::Api") as [[string, CfnResource]];
    expect(api.Properties.CorsConfiguration).toBeUndefined();
  });

  it("consoleOrigin: that origin alone, with the API's methods and request headers", () => {
    const withConsole = synthesize({ consoleOrigin: "https://console.example.jp" });
    withConsole.template.hasResourceProperties("AWS::ApiGatewayV2::Api", {
      CorsConfiguration: {
        AllowOrigins: ["https://console.example.jp"],
        AllowMethods: ["GET", "POST", "OPTIONS"],
        AllowHeaders: ["authorization", "content-type", "idempotency-key"],
        ExposeHeaders: ["retry-after"],
        AllowCredentials: false,
        MaxAge: 3600,
      },
    });
  });
});

describe("least privilege", () => {
  const identityArn = { Ref: onlyId("AWS::SES::EmailIdentity") };
  const configurationSet = { Ref: onlyId("AWS::SES::ConfigurationSet") };

  const describeGrants = ({ table, query, wakes, refunds, resumes, counters }: Grants) =>
    [
      `table ${table}`,
      query ? `queries ${query} alone` : "",
      wakes ? "wakes the workflow" : "never calls the workflow",
      refunds ? "asks the ledger" : "",
      resumes ? "starts an execution for a completed request's refund" : "",
      counters ? `${counters === "read" ? "reads" : "adds to"} the seller counters alone` : "",
    ]
      .filter(Boolean)
      .join(", ");

  for (const { key, grants } of SPEC_ROUTES) {
    it(`${key}: ${describeGrants(grants)}`, () => {
      const functionId = functionOfRoute(key);
      const statements = statementsOfFunction(functionId);
      const actions = statements.flatMap((statement) => list(statement.Action));
      const expected = [
        // Every function: its own log group and X-Ray.
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        ...TABLE_ACTIONS[grants.table],
        ...(grants.query ? ["dynamodb:Query"] : []),
        ...(grants.wakes ? ["states:SendTaskSuccess"] : []),
        ...(grants.refunds ? ["dynamodb:GetItem"] : []),
        ...(grants.resumes ? ["states:StartExecution", "states:DescribeExecution"] : []),
        ...(grants.counters === "read" ? ["dynamodb:Query"] : []),
        ...(grants.counters === "add" ? ["dynamodb:UpdateItem"] : []),
      ];
      expect(sorted(actions)).toEqual(sorted(expected));
      expect(statements.every((statement) => statement.Effect === "Allow")).toBe(true);

      for (const statement of statements) {
        const service = list(statement.Action)[0]?.split(":")[0];
        const resourcesOf = JSON.stringify(list(statement.Resource));
        if (service === "dynamodb" && resourcesOf.includes(refundsTableId)) {
          // The ledger: read one refund by key, never write it.
          expect(list(statement.Action)).toEqual(["dynamodb:GetItem"]);
          expect(statement.Resource).toEqual({ "Fn::GetAtt": [refundsTableId, "Arn"] });
          continue;
        }
        if (service === "dynamodb" && statement.Condition !== undefined) {
          // The seller counters: their items alone, by the partition key's prefix.
          expect(list(statement.Action)).toEqual([
            grants.counters === "read" ? "dynamodb:Query" : "dynamodb:UpdateItem",
          ]);
          expect(statement.Resource).toEqual({ "Fn::GetAtt": [tableId, "Arn"] });
          expect(statement.Condition).toEqual({
            "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["SELLERMETRICS#*"] },
          });
          continue;
        }
        if (service === "dynamodb" && list(statement.Action).includes("dynamodb:Query")) {
          // A list: Query on its own index by name, nothing else (no `index/*`, no item read).
          expect(list(statement.Action)).toEqual(["dynamodb:Query"]);
          expect(resourcesOf).not.toContain("*");
          for (const index of INDEXES) {
            if (index === grants.query) expect(resourcesOf).toContain(`/index/${index}`);
            else expect(resourcesOf).not.toContain(`/index/${index}`);
          }
          expect(list(statement.Resource)).toHaveLength(1);
          continue;
        }
        if (service === "dynamodb") {
          // The order item only: no index.
          expect(statement.Resource).toEqual({ "Fn::GetAtt": [tableId, "Arn"] });
        }
        if (service === "states" && list(statement.Action).includes("states:DescribeExecution")) {
          // Whether an execution of this machine runs: its executions only.
          expect(list(statement.Action)).toEqual(["states:DescribeExecution"]);
          expect(resourcesOf).toContain(":execution:");
          expect(resourcesOf).toContain(stateMachineId);
          continue;
        }
        if (service === "states") expect(statement.Resource).toEqual({ Ref: stateMachineId });
        if (service === "ses") {
          expect(resourcesOf).toContain(JSON.stringify(identityArn));
          expect(resourcesOf).toContain(JSON.stringify(configurationSet));
          expect(resourcesOf).toContain(":identity/");
          expect(resourcesOf).toContain(":configuration-set/");
        }
        if (service === "logs") {
          expect(resources[target(statement.Resource)]?.Type).toBe("AWS::Logs::LogGroup");
        }
        if (service === "events") {
          expect(statement.Resource).toEqual({ "Fn::GetAtt": [eventBusId, "Arn"] });
        }
      }
    });
  }

  it("only the workflow's step may send mail, through the identity and configuration set only", () => {
    const workflowFunctions = functionsOfEntries("functions/workflow/step.ts");
    expect(workflowFunctions).toHaveLength(1);
    const senders = ofType("AWS::Lambda::Function").filter(([id]) =>
      statementsOfFunction(id).some((statement) =>
        list(statement.Action).some((action) => action.startsWith("ses:")),
      ),
    );
    expect(senders.map(([id]) => id)).toEqual(workflowFunctions);
    for (const functionId of workflowFunctions) {
      const ses = statementsOfFunction(functionId).filter((statement) =>
        list(statement.Action).some((action) => action.startsWith("ses:")),
      );
      // SendEmail only (the mailer sends no raw MIME), from the service's own address only.
      expect(ses.map((statement) => list(statement.Action))).toEqual([["ses:SendEmail"]]);
      const resourcesOf = JSON.stringify(ses[0]?.Resource);
      expect(resourcesOf).toContain(JSON.stringify(identityArn));
      expect(resourcesOf).toContain(JSON.stringify(configurationSet));
      expect((ses[0] as Statement & { Condition?: unknown }).Condition).toEqual({
        StringEquals: { "ses:FromAddress": "no-reply@example.com" },
      });
    }
  });

  it("no API function may send mail, publish events or start executions (but for a completed request's refund)", () => {
    for (const { key, grants } of SPEC_ROUTES) {
      // The retry and Stripe's webhook start an execution for a completed request whose refund
      // needs the workflow again, when none waits (its first one has ended).
      const forbidden = ["ses:", "events:PutEvents", "sqs:"];
      if (!grants.resumes) forbidden.push("states:StartExecution");
      const actions = statementsOfFunction(functionOfRoute(key)).flatMap((statement) =>
        list(statement.Action),
      );
      for (const prefix of forbidden) {
        expect(
          actions.filter((action) => action.startsWith(prefix)),
          `${key} ${prefix}`,
        ).toEqual([]);
      }
    }
  });

  it("a reconciler every five minutes: PendingWork queries, starts, wake-ups, dead letters; no mail, no events", () => {
    const [reconciler, ...others] = functionsOfEntries("functions/workflow/reconcile.ts");
    expect(others).toEqual([]);
    const statements = statementsOfFunction(reconciler as string).filter(
      (statement) =>
        !list(statement.Action).some((action) => NO_RESOURCE_LEVEL_ACTIONS.has(action)),
    );
    const byAction = Object.fromEntries(
      statements.flatMap((statement) =>
        list(statement.Action).map((action) => [action, JSON.stringify(statement.Resource)]),
      ),
    );
    expect(Object.keys(byAction).sort()).toEqual([
      "dynamodb:GetItem",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "sqs:DeleteMessage",
      "sqs:ReceiveMessage",
      "states:DescribeExecution",
      "states:ListExecutions",
      "states:SendTaskSuccess",
      "states:StartExecution",
    ]);
    // Candidates come from the PendingWork index only: no Scan, no other index.
    expect(byAction["dynamodb:Query"]).toContain("/index/PendingWork");
    expect(byAction["dynamodb:Query"]).not.toContain("OperatorQueue");
    expect(byAction["dynamodb:GetItem"]).not.toContain(refundsTableId);
    expect(byAction["states:StartExecution"]).toContain(stateMachineId);
    expect(byAction["states:ListExecutions"]).toContain(stateMachineId);
    // Only this state machine's executions (`execution:<name>:*`).
    expect(byAction["states:DescribeExecution"]).toContain(":execution:");
    expect(byAction["states:DescribeExecution"]).toContain(`${stateMachineId}`);
    expect(byAction["sqs:ReceiveMessage"]).toContain(onlyId("AWS::SQS::Queue"));
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(5 minutes)",
      Targets: [{ Arn: { "Fn::GetAtt": [reconciler, "Arn"] } }],
    });
  });

  it("only the workflow's segment (which makes refunds) can write the refunds ledger", () => {
    const writers = ofType("AWS::Lambda::Function")
      .map(([id]) => id)
      .filter((functionId) =>
        statementsOfFunction(functionId).some(
          (statement) =>
            JSON.stringify(statement.Resource).includes(refundsTableId) &&
            list(statement.Action).some((action) => action !== "dynamodb:GetItem"),
        ),
      );
    expect(writers).toEqual(functionsOfEntries("functions/workflow/step.ts"));
  });

  it("no IAM statement grants a wildcard action (`*` or `service:*`)", () => {
    const actions = allStatements().flatMap((statement) => list(statement.Action));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((action) => action.includes("*"))).toEqual([]);
  });

  it('only actions without resource-level permissions (X-Ray, log delivery) use Resource "*"', () => {
    const starred = allStatements()
      .filter((statement) => list(statement.Resource).includes("*"))
      .flatMap((statement) => list(statement.Action));
    expect(starred.filter((action) => !NO_RESOURCE_LEVEL_ACTIONS.has(action))).toEqual([]);
  });

  it("no role carries an AWS managed policy", () => {
    const managed = ofType("AWS::IAM::Role").filter(
      ([, role]) => role.Properties.ManagedPolicyArns !== undefined,
    );
    expect(managed.map(([id]) => id)).toEqual([]);
  });
});

describe("tables", () => {
  it("are on-demand, point-in-time recoverable, AWS-managed encrypted and protected by default", () => {
    template.resourceCountIs("AWS::DynamoDB::GlobalTable", 2);
    template.allResources("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: Match.objectLike({
        BillingMode: "PAY_PER_REQUEST",
        SSESpecification: { SSEEnabled: true, SSEType: "KMS" },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      }),
    });
  });

  it("orders: each list GSI projects only what its list returns, PendingWork keys only", () => {
    const indexes = resources[tableId]?.Properties.GlobalSecondaryIndexes as {
      IndexName: string;
      Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
      KeySchema: { KeyType: string }[];
    }[];
    expect(indexes.map((index) => index.IndexName)).toEqual(INDEXES);
    const projections = Object.fromEntries(
      indexes.map((index) => [index.IndexName, index.Projection]),
    );
    expect(projections).toEqual({
      BuyerOrders: {
        ProjectionType: "INCLUDE",
        NonKeyAttributes: ["order", "requestCount", "hasActiveRequest"],
      },
      SellerQueue: { ProjectionType: "INCLUDE", NonKeyAttributes: ["queueSummary"] },
      OperatorQueue: { ProjectionType: "INCLUDE", NonKeyAttributes: ["queueSummary"] },
      PendingWork: { ProjectionType: "KEYS_ONLY" },
      RefundInquiries: { ProjectionType: "INCLUDE", NonKeyAttributes: ["openInquiries"] },
      SellerParcels: { ProjectionType: "INCLUDE", NonKeyAttributes: ["parcelSummary"] },
      AuditHeads: { ProjectionType: "INCLUDE", NonKeyAttributes: ["audit"] },
    });
    for (const index of indexes) {
      expect(index.KeySchema.map((key) => key.KeyType)).toEqual(["HASH", "RANGE"]);
    }
  });

  it("orders: a stream of new and old images (the pipe starts each request's workflow from it)", () => {
    expect(resources[tableId]?.Properties.StreamSpecification).toEqual({
      StreamViewType: "NEW_AND_OLD_IMAGES",
    });
    expect(createTableInput("orders").StreamSpecification).toEqual({
      StreamEnabled: true,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    });
  });

  it("orders: local mode and the tests create the same indexes as the stack", () => {
    const indexes = resources[tableId]?.Properties.GlobalSecondaryIndexes as {
      IndexName: string;
      KeySchema: unknown[];
      Projection: unknown;
    }[];
    const local = createTableInput("orders").GlobalSecondaryIndexes ?? [];
    expect(
      local.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })),
    ).toEqual(
      indexes.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })),
    );
  });

  it("refunds: one item per refund key, no index", () => {
    expect(resources[refundsTableId]?.Properties).toMatchObject({
      KeySchema: [{ AttributeName: "refundId", KeyType: "HASH" }],
    });
    expect(resources[refundsTableId]?.Properties.GlobalSecondaryIndexes).toBeUndefined();
  });
});

describe("sign-in", () => {
  it("the user pool: no self sign-up, strong passwords, MFA (TOTP) optional, Plus threat protection", () => {
    // Optional for shoppers; staff groups need it (test/infra/auth.test.ts).
    template.hasResourceProperties("AWS::Cognito::UserPool", {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: "OPTIONAL",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
      UserPoolTier: "PLUS",
      UserPoolAddOns: { AdvancedSecurityMode: "ENFORCED" },
      DeletionProtection: "ACTIVE",
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
  });

  it("has a group per role", () => {
    const groups = ofType("AWS::Cognito::UserPoolGroup").map(
      ([, group]) => group.Properties.GroupName,
    );
    expect(sorted(groups as string[])).toEqual(["buyers", "operators", "sellers"]);
  });

  it("has the orders/write and carrier/events scopes, each granted to its own system's clients only", () => {
    const servers = ofType("AWS::Cognito::UserPoolResourceServer").map(([id, server]) => ({
      id,
      identifier: server.Properties.Identifier,
      scopes: (server.Properties.Scopes as { ScopeName: string }[]).map((s) => s.ScopeName),
    }));
    expect(servers.map(({ identifier, scopes }) => ({ identifier, scopes }))).toEqual([
      { identifier: "orders", scopes: ["write"] },
      { identifier: "carrier", scopes: ["events"] },
    ]);
    const clients = ofType("AWS::Cognito::UserPoolClient").map(([, client]) => client.Properties);
    const machines = clients.filter((client) => client.GenerateSecret === true);
    // One client per system (the order system; each carrier), each with exactly one scope: no
    // client holds both.
    const [orders, carrier] = servers.map(({ id, scopes }) => [
      { "Fn::Join": ["", [{ Ref: id }, `/${scopes[0]}`]] },
    ]);
    expect(machines.map((client) => client.AllowedOAuthScopes)).toEqual([
      orders,
      carrier,
      carrier,
      carrier,
    ]);
    for (const machine of machines) {
      expect(machine).toMatchObject({
        AllowedOAuthFlows: ["client_credentials"],
        AllowedOAuthFlowsUserPoolClient: true,
        ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      });
    }
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: false,
      AllowedOAuthScopes: Match.absent(),
    });
    template.resourceCountIs("AWS::Cognito::UserPoolDomain", 1);
  });

  it("people sign in with SRP only: no client allows USER_PASSWORD_AUTH or custom auth", () => {
    const flows = ofType("AWS::Cognito::UserPoolClient").map(
      ([, client]) => client.Properties.ExplicitAuthFlows as string[],
    );
    // Every client lists its flows (an absent list would let Cognito allow its defaults).
    for (const list of flows) expect(list).toBeDefined();
    expect(sorted(flows.flat())).toEqual(["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]);
    const people = flows.filter((list) => list.includes("ALLOW_USER_SRP_AUTH"));
    expect(people).toHaveLength(1);
  });

  it("outputs the user client and each system client's id, one per carrier", () => {
    const outputs = Object.keys(template.toJSON().Outputs as Record<string, unknown>);
    expect(outputs).toEqual(
      expect.arrayContaining([
        "UserPoolId",
        "UserClientId",
        "OrderSystemClientId",
        "CarrierClientIdYamato",
        "CarrierClientIdSagawa",
        "CarrierClientIdJapanpost",
      ]),
    );
    // No client bound to no carrier any more.
    expect(outputs).not.toContain("CarrierClientId");
    expect(outputs).not.toContain("SystemClientId");
  });
});

describe("functions", () => {
  it("all run Node.js 22 on arm64 with active tracing, from an asset (bundling skipped here)", () => {
    // The service's own functions; CDK's deploy-time ones (the console's upload, the web ACL
    // ARN's cross-region read) run the runtimes CDK ships them with.
    const functions = ofType("AWS::Lambda::Function").filter(
      ([, fn]) => fn.Metadata?.[ENTRY_METADATA] !== undefined,
    );
    expect(functions.length).toBeGreaterThanOrEqual(SPEC_ROUTES.length);
    expect(ofType("AWS::Lambda::Function").length - functions.length).toBeLessThanOrEqual(2);
    for (const [id, fn] of functions) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        TracingConfig: { Mode: "Active" },
        Code: {
          S3Bucket: expect.stringMatching(/^cdk-.*-assets-/),
          S3Key: expect.stringMatching(/\.zip$/),
        },
      });
    }
  });

  it("API handlers get the table, mail settings and the validated policy", () => {
    for (const { key } of SPEC_ROUTES) {
      const variables = environmentOf(functionOfRoute(key));
      expect(variables).toMatchObject({
        TABLE_NAME: { Ref: tableId },
        MAIL_FROM: "no-reply@example.com",
        SES_CONFIGURATION_SET: { Ref: onlyId("AWS::SES::ConfigurationSet") },
        OPERATOR_EMAILS: "",
        POWERTOOLS_METRICS_NAMESPACE: "ShippedCancellation",
      });
      expect(JSON.parse(variables.POLICY_JSON as string)).toEqual(DEFAULT_POLICY);
    }
  });
});

describe("domain events", () => {
  it("one bus, with an archive of the service's events kept 30 days for replays", () => {
    template.hasResourceProperties("AWS::Events::Archive", {
      SourceArn: { "Fn::GetAtt": [eventBusId, "Arn"] },
      EventPattern: { source: [EVENT_SOURCE] },
      RetentionDays: EVENT_ARCHIVE_DAYS,
    });
    template.hasOutput("EventBusName", { Value: { Ref: eventBusId } });
  });

  it("only the workflow's step publishes, to the bus alone", () => {
    const publishers = ofType("AWS::Lambda::Function").filter(([id]) =>
      statementsOfFunction(id).some((statement) =>
        list(statement.Action).includes("events:PutEvents"),
      ),
    );
    const workflowStep = functionsOfEntries("functions/workflow/step.ts");
    expect(sorted(publishers.map(([id]) => id))).toEqual(sorted(workflowStep));
    for (const [, fn] of publishers) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(variables.EVENT_BUS_NAME).toEqual({ Ref: eventBusId });
    }
  });
});

describe("mail", () => {
  it("verifies the sender address and sends through a TLS-only configuration set", () => {
    template.hasResourceProperties("AWS::SES::EmailIdentity", {
      EmailIdentity: "no-reply@example.com",
      ConfigurationSetAttributes: {
        ConfigurationSetName: { Ref: onlyId("AWS::SES::ConfigurationSet") },
      },
    });
    template.hasResourceProperties("AWS::SES::ConfigurationSet", {
      DeliveryOptions: { TlsPolicy: "REQUIRE" },
    });
  });
});

describe("workflow", () => {
  it("is a Standard state machine, logged without execution data, traced", () => {
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineType: "STANDARD",
      LoggingConfiguration: Match.objectLike({ IncludeExecutionData: false, Level: "ALL" }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it("its definition, references resolved, is valid ASL", () => {
    const definition = aslDefinition(template.toJSON(), stateMachineId);
    expect(Object.keys(definition.States as object).length).toBeGreaterThan(0);
    expect(aslErrors(definition)).toEqual([]);
    // The check has teeth: a start state that does not exist is caught.
    expect(aslErrors({ ...definition, StartAt: "NoSuchState" })).not.toEqual([]);
  });
});

describe("request starts", () => {
  const pipeId = onlyId("AWS::Pipes::Pipe");
  const queueId = onlyId("AWS::SQS::Queue");
  const pipe = () => resources[pipeId]?.Properties as Record<string, unknown>;

  it("a pipe reads the orders table's stream, keeps only the changes that open a request", () => {
    expect(pipe().Source).toEqual({ "Fn::GetAtt": [tableId, "StreamArn"] });
    const source = pipe().SourceParameters as {
      DynamoDBStreamParameters: Record<string, unknown>;
      FilterCriteria: { Filters: { Pattern: string }[] };
    };
    expect(source.DynamoDBStreamParameters).toMatchObject({
      StartingPosition: "LATEST",
      DeadLetterConfig: { Arn: { "Fn::GetAtt": [queueId, "Arn"] } },
    });
    expect(source.DynamoDBStreamParameters.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(source.FilterCriteria.Filters.map((filter) => JSON.parse(filter.Pattern))).toEqual([
      NEW_REQUEST_FILTER,
    ]);
  });

  it("hands each new request to the Express starter, which starts the workflow named by the request id", () => {
    expect(pipe().Target).toEqual({ Ref: starterId });
    expect(pipe().TargetParameters).toEqual({
      StepFunctionStateMachineParameters: { InvocationType: "REQUEST_RESPONSE" },
      InputTemplate: START_INPUT_TEMPLATE,
    });
    const starter = aslDefinition(template.toJSON(), starterId) as {
      StartAt: string;
      States: Record<string, Record<string, unknown>>;
    };
    expect(aslErrors(starter)).toEqual([]);
    expect(starter.StartAt).toBe(START_STATES.each);
    const map = starter.States[START_STATES.each] as {
      ItemProcessor: { States: Record<string, Record<string, unknown>> };
    };
    const start = map.ItemProcessor.States[START_STATES.start] as {
      Resource: string;
      Parameters: Record<string, unknown>;
      Catch: { ErrorEquals: string[]; Next: string }[];
    };
    expect(start.Resource).toBe("arn:aws:states:::states:startExecution");
    expect(start.Parameters).toMatchObject({
      "Name.$": "$.requestId",
      Input: { "orderId.$": "$.orderId", "requestId.$": "$.requestId" },
    });
    // Already started (a repeated stream record, or the reconciler first): nothing to do.
    expect(start.Catch).toContainEqual(
      expect.objectContaining({
        ErrorEquals: ["StepFunctions.ExecutionAlreadyExistsException"],
        Next: START_STATES.alreadyStarted,
      }),
    );
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineType: "EXPRESS",
      TracingConfiguration: { Enabled: true },
    });
  });

  it("the pipe may read the stream, start the starter and write its dead letters, nothing else", () => {
    const roleId = target(pipe().RoleArn);
    const actions = ofType("AWS::IAM::Policy")
      .filter(([, policy]) => list(policy.Properties.Roles).some((role) => target(role) === roleId))
      .flatMap(
        ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      )
      .flatMap((statement) => list(statement.Action).map((action) => [action, statement.Resource]));
    expect(sorted(actions.map(([action]) => String(action)))).toEqual(
      sorted([
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "states:StartSyncExecution",
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
      ]),
    );
  });

  it("its dead letters are kept 14 days, encrypted, over TLS only, and alarmed", () => {
    expect(resources[queueId]?.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 86_400,
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SQS",
      MetricName: "NumberOfMessagesSent",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [queueId, "QueueName"] } }],
      Threshold: 1,
    });
  });
});

describe("alarms", () => {
  const alarms = () => ofType("AWS::CloudWatch::Alarm").map(([, alarm]) => alarm.Properties);

  it("on failed, timed-out and aborted executions", () => {
    for (const metricName of ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"]) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/States",
        MetricName: metricName,
        Dimensions: [{ Name: "StateMachineArn", Value: { Ref: stateMachineId } }],
        Threshold: 1,
      });
    }
  });

  it("on the workflow's RefundFailed metric, with Powertools' service dimension", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "ShippedCancellation",
      MetricName: "RefundFailed",
      Dimensions: [{ Name: "service", Value: "shipped-cancellation" }],
      Statistic: "Sum",
    });
  });

  it("on the reconciler's RefundLate metric: a refund missed the date promised to the buyer", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "ShippedCancellation",
      MetricName: "RefundLate",
      Dimensions: [{ Name: "service", Value: "shipped-cancellation" }],
      Statistic: "Sum",
      Threshold: 1,
      AlarmDescription: Match.stringLikeRegexp("Runbook: docs/runbook.md#refundlate$"),
    });
  });

  it("on the reconciler's ReturnOverdue metric: cancelled units delivered anyway were not sent back", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "ShippedCancellation",
      MetricName: "ReturnOverdue",
      Dimensions: [{ Name: "service", Value: "shipped-cancellation" }],
      Statistic: "Sum",
      Threshold: 1,
      AlarmDescription: Match.stringLikeRegexp("Runbook: docs/runbook.md#returnoverdue$"),
    });
  });

  it("on the errors of every function", () => {
    const watched = alarms()
      .filter((alarm) => alarm.Namespace === "AWS/Lambda" && alarm.MetricName === "Errors")
      .map((alarm) => target((alarm.Dimensions as { Value: unknown }[])[0]?.Value));
    expect(sorted(watched)).toEqual(sorted(ofType("AWS::Lambda::Function").map(([id]) => id)));
  });

  it("notify nobody when no alarmEmail is set", () => {
    template.resourceCountIs("AWS::SNS::Topic", 0);
    expect(alarms().filter((alarm) => alarm.AlarmActions !== undefined)).toEqual([]);
  });
});

describe("operations", () => {
  const runbook = readFileSync(new URL("../../docs/runbook.md", import.meta.url), "utf8");
  /** GitHub's anchors: lower case, punctuation dropped, spaces to hyphens. */
  const anchors = new Set(
    [...runbook.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) =>
      String(heading)
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    ),
  );

  it("every alarm's description names its runbook entry, inside the repository, and the entry exists", () => {
    const alarms = ofType("AWS::CloudWatch::Alarm");
    expect(alarms.length).toBeGreaterThan(6);
    for (const [id, alarm] of alarms) {
      const description = String(alarm.Properties.AlarmDescription);
      const link = /Runbook: (docs\/runbook\.md)#([a-z0-9-]+)$/.exec(description);
      expect(link, `${id}: ${description}`).not.toBeNull();
      expect(anchors, `${id} points to #${link?.[2]}`).toContain(link?.[2]);
      expect(description).not.toMatch(/https?:/);
    }
    for (const anchor of Object.values(RUNBOOK_ANCHORS)) expect(anchors).toContain(anchor);
  });

  it("the runbook has an entry for each dashboard widget", () => {
    for (const title of Object.values(WIDGETS)) expect(runbook).toContain(`### ${title}`);
  });

  it("a dashboard with the business metrics, failures, and every function's and the workflow's health", () => {
    const [dashboard, ...others] = ofType("AWS::CloudWatch::Dashboard");
    expect(others).toEqual([]);
    const body = JSON.stringify(dashboard?.[1].Properties.DashboardBody);
    for (const title of Object.values(WIDGETS)) expect(body).toContain(title);
    const businessMetrics = [
      ...REQUEST_STATUSES.map(enteredMetric),
      "TimeToRefund",
      "SellerResponseTime",
      "OpenRequests",
      "OpenRequestsOver24h",
      "OldestOpenRequestAge",
      "RefundFailed",
      "RefundDeclined",
      "RefundLate",
      "ReturnOverdue",
      "MailFailed",
      "WorkflowFailed",
    ];
    for (const metric of businessMetrics) {
      expect(body).toContain(
        `\\"ShippedCancellation\\",\\"${metric}\\",\\"service\\",\\"shipped-cancellation\\"`,
      );
    }
    for (const stat of ["p50", "p90"]) expect(body).toContain(`\\"stat\\":\\"${stat}\\"`);
    for (const metric of ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionThrottled"]) {
      expect(body).toContain(`\\"AWS/States\\",\\"${metric}\\"`);
    }
    // Errors and throttles of every function in the stack.
    const functions = ofType("AWS::Lambda::Function").map(([id]) => id);
    expect(functions.length).toBeGreaterThan(2);
    for (const functionId of functions) {
      const ref = JSON.stringify({ Ref: functionId });
      const mentions = body.split(ref).length - 1;
      expect(mentions, functionId).toBeGreaterThanOrEqual(2);
    }
    expect(body).toContain("Errors");
    expect(body).toContain("Throttles");
  });
});

describe("context settings", () => {
  let dev: ReturnType<typeof synthesize>;
  beforeAll(() => {
    dev = synthesize({
      protectData: "false", // as `-c protectData=false` passes it
      alarmEmail: "oncall@example.com",
      mailDomain: "example.com",
      mailFrom: "orders@example.com",
      operatorEmails: "ops1@example.com, ops2@example.com",
      policy: JSON.stringify({ cancellationWindowDays: 7 }),
    });
  });

  it("protectData=false: the table and user pool can be deleted with the stack", () => {
    dev.template.hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Delete",
      Properties: Match.objectLike({
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })],
      }),
    });
    dev.template.hasResource("AWS::Cognito::UserPool", {
      DeletionPolicy: "Delete",
      Properties: Match.objectLike({ DeletionProtection: "INACTIVE" }),
    });
  });

  it("mailDomain makes the domain the SES identity; mail settings and policy reach the handlers", () => {
    dev.template.hasResourceProperties("AWS::SES::EmailIdentity", { EmailIdentity: "example.com" });
    // A route's function (the sign-in trigger, also a function, has none of these settings).
    const [, fn] = dev
      .ofType("AWS::Lambda::Function")
      .find(([, candidate]) =>
        String(candidate.Metadata?.[ENTRY_METADATA]).startsWith("functions/http/"),
      ) as [string, CfnResource];
    const variables = (fn.Properties.Environment as { Variables: Record<string, string> })
      .Variables;
    expect(variables.MAIL_FROM).toBe("orders@example.com");
    expect(variables.OPERATOR_EMAILS).toBe("ops1@example.com,ops2@example.com");
    expect(JSON.parse(variables.POLICY_JSON ?? "")).toEqual(
      mergePolicy({ cancellationWindowDays: 7 }),
    );
  });

  it("alarmEmail: an SSL-only topic with an email subscription that every alarm notifies", () => {
    const topicId = dev.onlyId("AWS::SNS::Topic");
    dev.template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "oncall@example.com",
      TopicArn: { Ref: topicId },
    });
    dev.template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Deny",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          }),
        ]),
      },
    });
    const alarms = dev.ofType("AWS::CloudWatch::Alarm");
    expect(alarms.length).toBeGreaterThan(0);
    for (const [, alarm] of alarms)
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });
});

describe("cdk-nag (AwsSolutions)", () => {
  it("finds nothing unacknowledged: no errors, no warnings", () => {
    const report = new AwsSolutionsChecks().validateScope(main.app);
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`,
      ),
    );
    expect(findings).toEqual([]);
  });

  it("with the Stripe secret's context too: its grants need no acknowledgement", () => {
    const { app } = synthesize({
      stripeSecretArn:
        "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:shipped-cancellation/stripe-AbC123",
    });
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it("every acknowledgement is on a resource, not a stack or the app, and gives a reason", () => {
    const acknowledgements = main.app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === "aws:cdk:acknowledged-rules")
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            construct,
            id,
            reason,
          })),
        ),
    );
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { construct, id, reason } of acknowledgements) {
      // One rule or one finding, in the form cdk-nag matches (see acknowledge()).
      expect(id).toMatch(/^Annotation::AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(construct instanceof Stack || construct instanceof App, id).toBe(false);
      expect(reason.length, id).toBeGreaterThan(40);
    }
  });

  it("createApp runs the pack on synth: an unacknowledged error fails it", () => {
    const { app, stack } = createApp({
      context: { ...SKIP_BUNDLING, ...IN_MEMORY },
      cfnValidation: false,
    });
    new sns.Topic(stack, "PlainTopic");
    expect(synthError(app)).toContain("AwsSolutions-SNS3");
  });

  it("an unacknowledged warning fails it too, even beside an acknowledgement CDK forgives with", () => {
    const app = newApp({ context: IN_MEMORY, cfnValidation: false });
    addNagChecks(app);
    const stack = new Stack(app, "Tiny");
    // DDB3 (no point-in-time recovery) is a warning-level rule.
    new dynamodb.Table(stack, "Table", {
      partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
    });
    // The form the synth report suggests: cdk-nag ignores it, CDK matches it and then, unless
    // the app is strict, lets the report's remaining warnings pass.
    Validations.of(new sns.Topic(stack, "Topic")).acknowledge({
      id: "AwsSolutions::AwsSolutions-SNS3",
      reason: "A test topic that is never deployed; it only has to carry an acknowledgement.",
    });
    const message = synthError(app);
    expect(message).toContain("AwsSolutions-DDB3");
    expect(message.match(/AwsSolutions-\w+/g)?.filter((id) => id !== "AwsSolutions-DDB3")).toEqual(
      [],
    );
  });

  it("acknowledge() takes only the form cdk-nag recognizes", () => {
    const stack = new Stack(new App(), "Tiny");
    expect(() => acknowledge(stack, "AwsSolutions::AwsSolutions-SNS3", "a reason")).toThrow(
      /AwsSolutions-RULE\[finding\]/,
    );
    expect(() => acknowledge(stack, "AwsSolutions-IAM5[Resource::*]", "a reason")).not.toThrow();
  });
});
