// The seller's decision links, deployed (SPEC "Decision links in the seller's mail"): `/decide/*`
// reaches the API through the CloudFront distribution (behind its WAF), both routes without the
// JWT authorizer; the workflow's step (the one function that mails sellers) knows the
// distribution's address and may put link items and no other; the orders table's TTL deletes
// links a while after they expired. Bundling is skipped; one synth.
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { ENV } from "../../functions/adapters/config.ts";
import { TIME_TO_LIVE_ATTRIBUTE } from "../../functions/adapters/dynamodb/table.ts";
import { createApp, DEFAULT_ENV } from "../../infra/create-app.ts";
import { ENTRY_METADATA } from "../../infra/lambda-defaults.ts";

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}
interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const { stack } = createApp({
  context: { "aws:cdk:bundling-stacks": [] },
  env: DEFAULT_ENV,
  nag: false,
  cfnValidation: false,
});
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

const [ordersId] =
  ofType("AWS::DynamoDB::GlobalTable").find(([, table]) =>
    JSON.stringify(table.Properties.KeySchema).includes('"pk"'),
  ) ?? [];
const [distributionId] = ofType("AWS::CloudFront::Distribution")[0] ?? [];

const functionOf = (entry: string): [string, Resource] => {
  const found = ofType("AWS::Lambda::Function").find(
    ([, fn]) => fn.Metadata?.[ENTRY_METADATA] === entry,
  );
  if (!found) throw new Error(`no function for ${entry}`);
  return found;
};

const statementsOf = (functionId: string): Statement[] => {
  const role = resources[functionId]?.Properties.Role as { "Fn::GetAtt": [string] } | undefined;
  const roleId = role?.["Fn::GetAtt"][0];
  return ofType("AWS::IAM::Policy")
    .filter(([, policy]) =>
      list(policy.Properties.Roles as unknown).some(
        (role) => (role as { Ref?: string }).Ref === roleId,
      ),
    )
    .flatMap(
      ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
};

const onOrdersTable = (statement: Statement) =>
  JSON.stringify(statement.Resource) === JSON.stringify({ "Fn::GetAtt": [ordersId, "Arn"] });

describe("decision links, deployed", () => {
  it("the orders table deletes links by its TTL attribute, which only links carry", () => {
    expect(resources[ordersId ?? ""]?.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: TIME_TO_LIVE_ATTRIBUTE,
      Enabled: true,
    });
  });

  it("both routes take no token (the link is the credential) and reach a function of their own", () => {
    const routes = ofType("AWS::ApiGatewayV2::Route").filter(([, route]) =>
      String(route.Properties.RouteKey).endsWith(" /decide/{id}"),
    );
    expect(routes.map(([, route]) => route.Properties.RouteKey).sort()).toEqual([
      "GET /decide/{id}",
      "POST /decide/{id}",
    ]);
    for (const [, route] of routes) {
      expect(route.Properties.AuthorizationType).toBe("NONE");
      expect(route.Properties).not.toHaveProperty("AuthorizerId");
    }
  });

  it("/decide/* goes to the API through the distribution, whose web ACL guards it", () => {
    const config = resources[distributionId ?? ""]?.Properties.DistributionConfig as {
      CacheBehaviors: { PathPattern: string; TargetOriginId: string }[];
      Origins: { Id: string; CustomOriginConfig?: unknown }[];
      WebACLId?: unknown;
    };
    const apiOrigin = config.Origins.find((origin) => origin.CustomOriginConfig !== undefined);
    const behavior = config.CacheBehaviors.find((b) => b.PathPattern === "/decide/*");
    expect(behavior?.TargetOriginId).toBe(apiOrigin?.Id);
    expect(config.WebACLId).toBeDefined();
  });

  it("the workflow's step, which mails sellers, is given the distribution's https address; no other function", () => {
    const [stepId, step] = functionOf("functions/workflow/step.ts");
    const variables = (step.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(variables[ENV.publicOrigin]).toEqual({
      "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distributionId, "DomainName"] }]],
    });
    const others = ofType("AWS::Lambda::Function").filter(
      ([id, fn]) =>
        id !== stepId &&
        ENV.publicOrigin in
          ((fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
            ?.Variables ?? {}),
    );
    expect(others.map(([id]) => id)).toEqual([]);
  });

  it("the step may put link items on the orders table and nothing else there", () => {
    const [stepId] = functionOf("functions/workflow/step.ts");
    const puts = statementsOf(stepId).filter(
      (statement) =>
        list(statement.Action).includes("dynamodb:PutItem") && onOrdersTable(statement),
    );
    expect(puts).toEqual([
      {
        Action: "dynamodb:PutItem",
        Effect: "Allow",
        Resource: { "Fn::GetAtt": [ordersId, "Arn"] },
        Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["LINK#*"] } },
      },
    ]);
  });

  it("the page reads (the link, the order); the form reads and updates them and wakes the execution", () => {
    const actionsOf = (entry: string) =>
      statementsOf(functionOf(entry)[0])
        .filter(
          (statement) =>
            onOrdersTable(statement) || list(statement.Action).some((a) => a.startsWith("states:")),
        )
        .flatMap((statement) => list(statement.Action))
        .sort();
    expect(actionsOf("functions/http/decision-link-page.ts")).toEqual(["dynamodb:GetItem"]);
    expect(actionsOf("functions/http/decide-by-link.ts")).toEqual([
      "dynamodb:GetItem",
      "dynamodb:UpdateItem",
      "states:SendTaskSuccess",
    ]);
  });
});
