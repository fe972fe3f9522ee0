// No public path around the edge, and limits of its own for each route: CloudFront sends the API a
// secret header every API function requires, no output names the API's own address, each route
// has its own throttle and its function reserved concurrency (by who calls it), the workflow's
// step and the reconciler have capacity no flood can take, the reservations fit in a default
// account, and the runbook's "Edge and rate limits" states the numbers the template has.
// Bundling is skipped; one synth (Tokyo) for the file.
import { readFileSync } from "node:fs";
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { EDGE_ORIGIN_HEADER, EDGE_ORIGIN_SECRET_ENV } from "../../functions/http/edge-origin.ts";
import { ROUTES } from "../../functions/http/routes.ts";
import { ROUTE_LIMITS, routeLimits } from "../../infra/api.ts";
import { createApp, DEFAULT_ENV } from "../../infra/create-app.ts";
import { apiPathPatterns } from "../../infra/edge.ts";
import { EDGE_RATE_LIMITS } from "../../infra/edge-firewall.ts";
import { ACCOUNT_CONCURRENCY, ENTRY_METADATA } from "../../infra/lambda-defaults.ts";
import { WORKFLOW_STEP_CONCURRENCY } from "../../infra/workflow.ts";

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string[];
}

const { stack } = createApp({
  context: { "aws:cdk:bundling-stacks": [] },
  env: DEFAULT_ENV,
  nag: false,
  cfnValidation: false,
});
const json = Template.fromStack(stack).toJSON() as {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
};
const resources = json.Resources;
const ofType = (type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);
const only = (type: string): [string, Resource] => {
  const found = ofType(type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as [string, Resource];
};

const functionsOf = (entry: string) =>
  ofType("AWS::Lambda::Function").filter(([, fn]) => fn.Metadata?.[ENTRY_METADATA] === entry);
const functionOf = (entry: string): Resource => {
  const [found, ...more] = functionsOf(entry);
  if (!found || more.length > 0) throw new Error(`expected one function for ${entry}`);
  return found[1];
};
const variablesOf = (fn: Resource) =>
  (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

const [secretId, secret] = only("AWS::SecretsManager::Secret");
/** How CloudFormation is asked for the secret's value at deploy (never the value itself). */
const secretReference = {
  "Fn::Join": ["", ["{{resolve:secretsmanager:", { Ref: secretId }, ":SecretString:::}}"]],
};

const runbook = readFileSync(new URL("../../docs/runbook.md", import.meta.url), "utf8");
const section = runbook.slice(runbook.indexOf("## Edge and rate limits"));
const grouped = (n: number) => n.toLocaleString("en-US");

describe("no public path around the edge", () => {
  it("a secret generated at deploy, sent by CloudFront to the API in its origin header", () => {
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      PasswordLength: 48,
      ExcludePunctuation: true,
    });
    const [, distribution] = only("AWS::CloudFront::Distribution");
    const origins = (
      distribution.Properties.DistributionConfig as {
        Origins: { CustomOriginConfig?: unknown; OriginCustomHeaders?: unknown }[];
      }
    ).Origins;
    const api = origins.filter((origin) => origin.CustomOriginConfig !== undefined);
    expect(api).toHaveLength(1);
    expect(api[0]?.OriginCustomHeaders).toEqual([
      { HeaderName: EDGE_ORIGIN_HEADER, HeaderValue: secretReference },
    ]);
    // The bucket's origin gets no secret (origin access control signs its requests).
    for (const origin of origins.filter((o) => o.CustomOriginConfig === undefined)) {
      expect(origin.OriginCustomHeaders).toBeUndefined();
    }
  });

  it("every API function requires the same value; no other function holds it", () => {
    for (const route of ROUTES) {
      expect(variablesOf(functionOf(route.entry))[EDGE_ORIGIN_SECRET_ENV], route.id).toEqual(
        secretReference,
      );
    }
    const routeEntries = new Set(ROUTES.map((route) => route.entry));
    for (const [id, fn] of ofType("AWS::Lambda::Function")) {
      if (routeEntries.has(String(fn.Metadata?.[ENTRY_METADATA]))) continue;
      const variables = (fn.Properties.Environment as { Variables?: object } | undefined)
        ?.Variables;
      expect(Object.keys(variables ?? {}), id).not.toContain(EDGE_ORIGIN_SECRET_ENV);
    }
  });

  it("no output names the API's own address", () => {
    expect(Object.keys(json.Outputs)).not.toContain("ApiUrl");
    expect(JSON.stringify(json.Outputs)).not.toContain("ApiEndpoint");
  });

  it("the API reference's page, script and document are files at the edge: no path of theirs reaches a function", () => {
    const patterns = apiPathPatterns().map(
      (pattern) => new RegExp(`^${pattern.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`),
    );
    for (const path of [
      "/docs",
      "/docs/",
      "/docs/index.html",
      "/docs/reference.js",
      "/openapi.json",
      "/assets/index-0a1b2c3d.js",
    ]) {
      expect(
        patterns.some((pattern) => pattern.test(path)),
        path,
      ).toBe(false);
    }
  });
});

describe("limits of each route's own", () => {
  const [, stage] = only("AWS::ApiGatewayV2::Stage");
  const routeSettings = stage.Properties.RouteSettings as Record<
    string,
    { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }
  >;

  it("each route has its own throttle, by who calls it (people, the public, the systems)", () => {
    expect(Object.keys(routeSettings).sort()).toEqual(
      ROUTES.map((route) => `${route.method} ${route.path}`).sort(),
    );
    for (const route of ROUTES) {
      const limits = routeLimits(route);
      expect(routeSettings[`${route.method} ${route.path}`], route.id).toEqual({
        ThrottlingRateLimit: limits.rateLimit,
        ThrottlingBurstLimit: limits.burstLimit,
      });
    }
    // The systems' three routes are the scope routes.
    expect(
      ROUTES.filter((route) => routeLimits(route) === ROUTE_LIMITS.scope).map((route) => route.id),
    ).toEqual(["ImportOrder", "RecordDelivery", "RecordTrackingEvent"]);
    // The stage names the routes by key: it is created after them.
    const routeIds = ofType("AWS::ApiGatewayV2::Route").map(([id]) => id);
    expect(routeIds).toHaveLength(ROUTES.length);
    expect(stage.DependsOn ?? []).toEqual(expect.arrayContaining(routeIds));
  });

  it("each API function has the reserved concurrency of its route's kind", () => {
    for (const route of ROUTES) {
      expect(functionOf(route.entry).Properties.ReservedConcurrentExecutions, route.id).toBe(
        routeLimits(route).reservedConcurrency,
      );
    }
  });

  it("the workflow's step and the reconciler have capacity of their own", () => {
    expect(functionOf("functions/workflow/step.ts").Properties.ReservedConcurrentExecutions).toBe(
      WORKFLOW_STEP_CONCURRENCY,
    );
    // One sweep at a time.
    expect(
      functionOf("functions/workflow/reconcile.ts").Properties.ReservedConcurrentExecutions,
    ).toBe(1);
  });

  it("the reservations fit in a default account and leave Lambda's unreserved minimum", () => {
    const reserved = ofType("AWS::Lambda::Function").reduce(
      (sum, [, fn]) => sum + Number(fn.Properties.ReservedConcurrentExecutions ?? 0),
      0,
    );
    expect(reserved).toBe(746);
    expect(reserved).toBeLessThanOrEqual(
      ACCOUNT_CONCURRENCY.limit - ACCOUNT_CONCURRENCY.unreservedMinimum,
    );
    // The runbook states the same sum and what is left.
    expect(section).toContain(`**${reserved}**`);
    expect(section).toContain(`**${ACCOUNT_CONCURRENCY.limit - reserved}**`);
  });
});

describe("the runbook's numbers are the template's", () => {
  it("every route's row: its edge limit per address, its throttle and its concurrency", () => {
    for (const route of ROUTES) {
      const row = section
        .split("\n")
        .find((line) => line.startsWith(`| \`${route.method} ${route.path}\``));
      expect(row, route.id).toBeDefined();
      const cells = (row as string)
        .split("|")
        .slice(2, -1)
        .map((cell) => cell.trim());
      const limits = routeLimits(route);
      const edge =
        route.access.kind === "scope"
          ? grouped(EDGE_RATE_LIMITS.systems)
          : route.method === "POST"
            ? `${grouped(EDGE_RATE_LIMITS.all)} (${grouped(EDGE_RATE_LIMITS.writes)} POSTs)`
            : grouped(EDGE_RATE_LIMITS.all);
      expect(cells.slice(1), route.id).toEqual([
        edge,
        String(limits.rateLimit),
        String(limits.burstLimit),
        String(limits.reservedConcurrency),
      ]);
    }
  });

  it("the edge's per-address limits and the workflow's reservation", () => {
    for (const limit of Object.values(EDGE_RATE_LIMITS)) {
      expect(section).toContain(grouped(limit));
    }
    expect(section).toMatch(new RegExp(`\\| workflow step +\\| ${WORKFLOW_STEP_CONCURRENCY} +\\|`));
  });
});
