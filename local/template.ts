// Reads what local mode runs from the synthesized CloudFormation template, so there is no second
// list that can drift: the HTTP routes and their authorization, each function's handler module
// and environment, and the state machine's definition.
import { ENTRY_METADATA } from "../infra/lambda-defaults.ts";

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}
export interface Template {
  Resources: Record<string, CfnResource>;
}

export interface LocalFunction {
  logicalId: string;
  /** Handler module relative to the project root. */
  entry: string;
  environment: Record<string, unknown>;
}

export interface LocalRoute {
  method: string;
  /** `/orders/{orderId}` as in the route key. */
  path: string;
  authorization: "NONE" | "JWT";
  scopes: string[];
  functionLogicalId: string;
}

const resourcesOfType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

export const functionsFromTemplate = (template: Template): Map<string, LocalFunction> => {
  const functions = new Map<string, LocalFunction>();
  for (const [logicalId, resource] of resourcesOfType(template, "AWS::Lambda::Function")) {
    const entry = resource.Metadata?.[ENTRY_METADATA];
    // Functions CDK adds for itself (custom resources) have no entry and are not run locally.
    if (typeof entry !== "string") continue;
    const environment = (
      resource.Properties?.Environment as { Variables?: Record<string, unknown> }
    )?.Variables;
    functions.set(logicalId, { logicalId, entry, environment: environment ?? {} });
  }
  return functions;
};

/** `{ "Fn::GetAtt": [id, "Arn"] }` or `{ "Ref": id }` → id. */
const referencedId = (value: unknown): string | undefined => {
  const node = value as { Ref?: string; "Fn::GetAtt"?: [string, string] } | undefined;
  return node?.Ref ?? node?.["Fn::GetAtt"]?.[0];
};

export const routesFromTemplate = (template: Template): LocalRoute[] =>
  resourcesOfType(template, "AWS::ApiGatewayV2::Route").map(([logicalId, resource]) => {
    const properties = resource.Properties ?? {};
    const [method = "", path = ""] = String(properties.RouteKey).split(" ");
    // Target: integrations/<IntegrationId>; the integration's URI is the function's ARN.
    const target = properties.Target as { "Fn::Join": [string, unknown[]] };
    const integrationId = referencedId(target["Fn::Join"][1][1]);
    const integration = integrationId ? template.Resources[integrationId] : undefined;
    const functionLogicalId = referencedId(integration?.Properties?.IntegrationUri);
    if (!functionLogicalId) throw new Error(`route ${logicalId} has no Lambda integration`);
    return {
      method,
      path,
      authorization: properties.AuthorizationType === "JWT" ? "JWT" : "NONE",
      scopes: (properties.AuthorizationScopes as string[] | undefined) ?? [],
      functionLogicalId,
    };
  });

export interface LocalSchedule {
  functionLogicalId: string;
  /** `rate(5 minutes)` as milliseconds. */
  everyMs: number;
}

const RATE_UNITS_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Scheduled rules (`rate(...)`) that invoke a function, as local mode runs them. */
export const schedulesFromTemplate = (template: Template): LocalSchedule[] =>
  resourcesOfType(template, "AWS::Events::Rule").flatMap(([logicalId, resource]) => {
    const expression = String(resource.Properties?.ScheduleExpression ?? "");
    const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
    if (!rate) throw new Error(`rule ${logicalId}: only rate(...) schedules run locally`);
    const everyMs = Number(rate[1]) * (RATE_UNITS_MS[rate[2] ?? ""] ?? 0);
    const targets = (resource.Properties?.Targets ?? []) as { Arn?: unknown }[];
    return targets.flatMap((target) => {
      const functionLogicalId = referencedId(target.Arn);
      return functionLogicalId ? [{ functionLogicalId, everyMs }] : [];
    });
  });
