// Sign-in in the template (infra/auth.ts): a stolen access token cannot take the account (people's
// clients read and write only what the product needs, a changed email waits for its code, refresh
// tokens rotate or die with the access token, the console's everyday tokens lack the user API's
// scope) and MFA is for staff, not shoppers (optional in the pool, the pre-token-generation trigger
// with its one grant, sellers by context). Bundling is skipped; cdk-nag runs on the tree.
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import {
  ENROLMENT_SCOPES,
  MFA_GROUPS_ENV,
  USER_ADMIN_SCOPE,
} from "../../functions/auth/staff-mfa.ts";
import { CARRIER_CLIENTS_ENV } from "../../functions/http/caller.ts";
import { CONSOLE_SCOPES } from "../../infra/auth.ts";
import { DEFAULT_CARRIERS } from "../../infra/config.ts";
import { createApp, DEFAULT_ENV } from "../../infra/create-app.ts";
import { ENTRY_METADATA } from "../../infra/lambda-defaults.ts";

interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

const TRIGGER_ENTRY = "functions/auth/pre-token-generation.ts";

const synthesize = (context: Record<string, unknown> = {}) => {
  const { app, stack } = createApp({
    context: { "aws:cdk:bundling-stacks": [], ...context },
    env: DEFAULT_ENV,
    nag: false,
    cfnValidation: false,
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, CfnResource>;
  const ofType = (type: string) =>
    Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const only = (type: string, idPart = ""): [string, CfnResource] => {
    const found = ofType(type).filter(([id]) => id.includes(idPart));
    if (found.length !== 1)
      throw new Error(`expected one ${type} ${idPart}, found ${found.length}`);
    return found[0] as [string, CfnResource];
  };
  return { app, stack, resources, ofType, only };
};

const main = synthesize();
const { resources, ofType, only } = main;
const [poolId, pool] = only("AWS::Cognito::UserPool");
const [, userClient] = only("AWS::Cognito::UserPoolClient", "UserClient");
const [, consoleClient] = only("AWS::Cognito::UserPoolClient", "ConsoleClient");

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Logical id a `{ Ref }` or `{ Fn::GetAtt: [id, ...] }` points at. */
const target = (value: unknown): string | undefined => {
  const node = value as { Ref?: string; "Fn::GetAtt"?: [string, string] } | undefined;
  return node?.Ref ?? node?.["Fn::GetAtt"]?.[0];
};

const triggerIdOf = (found: Record<string, CfnResource>) => {
  const ids = Object.entries(found)
    .filter(([, resource]) => resource.Metadata?.[ENTRY_METADATA] === TRIGGER_ENTRY)
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};
const triggerId = triggerIdOf(resources);

/** Every statement of every identity policy, with the roles it is attached to. */
const policies = () =>
  ofType("AWS::IAM::Policy").map(([id, policy]) => ({
    id,
    roles: list(policy.Properties.Roles as unknown[]).map(target),
    statements: (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  }));

/** The logical ids a resource refers to or depends on (Ref, Fn::GetAtt, DependsOn). */
const dependenciesOf = (resource: CfnResource): Set<string> => {
  const found = new Set<string>(list(resource.DependsOn ?? []));
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (typeof record.Ref === "string") found.add(record.Ref);
    const getAtt = record["Fn::GetAtt"];
    if (Array.isArray(getAtt) && typeof getAtt[0] === "string") found.add(getAtt[0]);
    Object.values(record).forEach(walk);
  };
  walk(resource.Properties);
  return found;
};

describe("MFA for staff, not shoppers", () => {
  it("the pool: MFA optional, authenticator apps (TOTP) only, no remembered devices", () => {
    expect(pool.Properties).toMatchObject({
      MfaConfiguration: "OPTIONAL",
      EnabledMfas: ["SOFTWARE_TOKEN_MFA"],
    });
    // A remembered device would let a sign-in skip the code, and the trigger trusts that an
    // enrolled user is always asked for one.
    expect(pool.Properties.DeviceConfiguration).toBeUndefined();
  });

  it("the pre-token-generation trigger (version 2: access tokens too) runs its own small handler", () => {
    expect(pool.Properties.LambdaConfig).toEqual({
      PreTokenGenerationConfig: {
        LambdaArn: { "Fn::GetAtt": [triggerId, "Arn"] },
        LambdaVersion: "V2_0",
      },
    });
    const trigger = resources[triggerId] as CfnResource;
    expect(trigger.Properties).toMatchObject({
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      // Cognito gives a trigger 5 s.
      Timeout: 5,
    });
    expect(
      (trigger.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    ).toMatchObject({ [MFA_GROUPS_ENV]: "operators,sellers" });
    const [, permission] = ofType("AWS::Lambda::Permission").find(
      ([, candidate]) => target(candidate.Properties.FunctionName) === triggerId,
    ) as [string, CfnResource];
    expect(permission.Properties).toMatchObject({
      Principal: "cognito-idp.amazonaws.com",
      SourceArn: { "Fn::GetAtt": [poolId, "Arn"] },
    });
  });

  it("the trigger may read one user of this pool (AdminGetUser) and nothing else of Cognito; no one else may", () => {
    const roleId = target((resources[triggerId] as CfnResource).Properties.Role);
    const cognitoGrants = policies().flatMap(({ id, roles, statements }) =>
      statements
        .filter((statement) =>
          list(statement.Action).some((action) => action.startsWith("cognito-idp:")),
        )
        .map((statement) => ({ id, roles, statement })),
    );
    expect(cognitoGrants).toHaveLength(1);
    const [grant] = cognitoGrants;
    expect(grant?.roles).toEqual([roleId]);
    expect(grant?.statement).toEqual({
      Effect: "Allow",
      Action: "cognito-idp:AdminGetUser",
      Resource: { "Fn::GetAtt": [poolId, "Arn"] },
    });
    // Besides it: its own log group and X-Ray, as every function.
    const others = policies()
      .filter(({ roles }) => roles.includes(roleId))
      .flatMap(({ statements }) => statements.flatMap((statement) => list(statement.Action)))
      .filter((action) => action !== "cognito-idp:AdminGetUser");
    expect(
      others.every((action) => /^(logs|xray):/.test(action)),
      others.join(),
    ).toBe(true);
  });

  it("has no dependency cycle: the pool waits for the trigger, which does not wait for its grant", () => {
    // Template.fromStack (above) refuses a template with a cycle; this names the one to avoid.
    const grant = policies().find(({ statements }) =>
      statements.some((statement) => statement.Action === "cognito-idp:AdminGetUser"),
    );
    expect(grant).toBeDefined();
    expect(dependenciesOf(pool).has(triggerId)).toBe(true);
    expect(dependenciesOf(resources[triggerId] as CfnResource).has(grant?.id ?? "")).toBe(false);
  });

  it("sellers count as staff unless the context says sellerMfa=false", () => {
    const operatorsOnly = synthesize({ sellerMfa: false });
    const variables = (operatorsOnly.resources[triggerIdOf(operatorsOnly.resources)] as CfnResource)
      .Properties.Environment as { Variables: Record<string, unknown> };
    expect(variables.Variables[MFA_GROUPS_ENV]).toBe("operators");
  });

  it("cdk-nag: optional MFA (COG2) is acknowledged on the user pool alone, with its reason", () => {
    const acknowledged = main.app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === "aws:cdk:acknowledged-rules")
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
        .filter(([id]) => id.includes("AwsSolutions-COG"))
        .map(([id, reason]) => ({ path: construct.node.path, id, reason })),
    );
    expect(acknowledged).toEqual([
      {
        path: "ShippedCancellation/Auth/UserPool",
        id: "Annotation::AwsSolutions-COG2",
        reason: expect.stringContaining("pre-token-generation trigger"),
      },
    ]);
    const report = new AwsSolutionsChecks().validateScope(main.app);
    const cognitoFindings = report.violations.filter((violation) =>
      violation.ruleName.includes("COG"),
    );
    expect(cognitoFindings).toEqual([]);
  });
});

describe("a stolen access token cannot take the account", () => {
  it("a changed email is not used until its code is entered; new addresses are verified by code", () => {
    expect(pool.Properties).toMatchObject({
      AutoVerifiedAttributes: ["email"],
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ["email"] },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: "verified_email", Priority: 1 }] },
    });
  });

  it("people's clients read the address and write only locale: never the email", () => {
    for (const client of [userClient, consoleClient]) {
      expect(client.Properties).toMatchObject({
        ReadAttributes: ["email", "email_verified"],
        WriteAttributes: ["locale"],
      });
    }
  });

  it("the SRP client rotates refresh tokens (so no REFRESH_TOKEN_AUTH) and can revoke them", () => {
    expect(userClient.Properties).toMatchObject({
      ExplicitAuthFlows: ["ALLOW_USER_SRP_AUTH"],
      RefreshTokenRotation: { Feature: "ENABLED", RetryGracePeriodSeconds: 10 },
      EnableTokenRevocation: true,
    });
  });

  it("the console's refresh token lives one hour, as its access token, and can be revoked", () => {
    expect(consoleClient.Properties).toMatchObject({
      ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      AccessTokenValidity: 60,
      RefreshTokenValidity: 60,
      TokenValidityUnits: { AccessToken: "minutes", RefreshToken: "minutes" },
      EnableTokenRevocation: true,
    });
    expect(consoleClient.Properties.RefreshTokenRotation).toBeUndefined();
  });

  it("the console's everyday tokens lack the user API's scope, which it may ask for only to enrol", () => {
    expect(CONSOLE_SCOPES).toEqual(["openid"]);
    expect(ENROLMENT_SCOPES).toEqual(["openid", USER_ADMIN_SCOPE]);
    expect(consoleClient.Properties.AllowedOAuthScopes).toEqual(["openid", USER_ADMIN_SCOPE]);
  });

  it("the machine clients stay client-credentials only, without the user API's scope", () => {
    const machines = ofType("AWS::Cognito::UserPoolClient").filter(
      ([, client]) => client.Properties.GenerateSecret === true,
    );
    // The order system's and one per carrier (three by default).
    expect(machines).toHaveLength(4);
    for (const [, machine] of machines) {
      expect(machine.Properties.AllowedOAuthFlows).toEqual(["client_credentials"]);
      expect(JSON.stringify(machine.Properties.AllowedOAuthScopes)).not.toContain(USER_ADMIN_SCOPE);
    }
  });
});

describe("carrier clients bound to their carrier", () => {
  const CARRIER_ROUTES = ["RecordDelivery", "RecordTrackingEvent"];

  /**
   * The carrier clients by carrier code, from their logical ids: construct `CarrierClient-<code>`
   * becomes `AuthUserPoolCarrierClient<code><8 hex digits>`.
   */
  const carrierClientsOf = (found: ReturnType<typeof synthesize>) =>
    new Map(
      found
        .ofType("AWS::Cognito::UserPoolClient")
        .map(([id, client]) => {
          const code = id.match(/^AuthUserPoolCarrierClient([a-z0-9]+)[0-9A-F]{8}$/)?.[1];
          return [code, { id, client }] as const;
        })
        .filter((entry): entry is [string, { id: string; client: CfnResource }] => !!entry[0]),
    );

  /** A function's CARRIER_CLIENTS as deployed: each `Ref` to a client stands for its id. */
  const mappingOf = (found: ReturnType<typeof synthesize>, routeId: string) => {
    const [, fn] = found.only("AWS::Lambda::Function", `Api${routeId}`);
    const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const value = env[CARRIER_CLIENTS_ENV];
    if (value === undefined) return undefined;
    const [, parts] = (value as { "Fn::Join": [string, unknown[]] })["Fn::Join"];
    const json = parts.map((part) => (typeof part === "string" ? part : `<${target(part)}>`));
    return JSON.parse(json.join("")) as Record<string, string>;
  };

  it("one client-credentials client per carrier of the default list, scope carrier/events alone", () => {
    const clients = carrierClientsOf(main);
    expect([...clients.keys()]).toEqual([...DEFAULT_CARRIERS]);
    for (const { client } of clients.values()) {
      expect(client.Properties).toMatchObject({
        GenerateSecret: true,
        AllowedOAuthFlows: ["client_credentials"],
        AllowedOAuthScopes: [
          { "Fn::Join": ["", [{ Ref: expect.stringContaining("Servercarrier") }, "/events"]] },
        ],
        ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      });
    }
  });

  it("the carrier routes' functions map each carrier client's id to its carrier; no other function has the map", () => {
    const expected = Object.fromEntries(
      [...carrierClientsOf(main)].map(([carrier, { id }]) => [`<${id}>`, carrier]),
    );
    for (const routeId of CARRIER_ROUTES) expect(mappingOf(main, routeId)).toEqual(expected);
    for (const [id, fn] of ofType("AWS::Lambda::Function")) {
      if (CARRIER_ROUTES.some((routeId) => id.startsWith(`Api${routeId}`))) continue;
      const env = (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      expect(env?.[CARRIER_CLIENTS_ENV], id).toBeUndefined();
    }
  });

  it("context `carriers` lists the carriers: a client, an output and a mapping entry each", () => {
    const found = synthesize({ carriers: "yamato,seino" });
    const clients = carrierClientsOf(found);
    expect([...clients.keys()]).toEqual(["yamato", "seino"]);
    expect(mappingOf(found, "RecordTrackingEvent")).toEqual(
      Object.fromEntries([...clients].map(([carrier, { id }]) => [`<${id}>`, carrier])),
    );
    const outputs = Template.fromStack(found.stack).toJSON().Outputs as Record<
      string,
      { Value: unknown }
    >;
    expect(outputs.CarrierClientIdSeino?.Value).toEqual({ Ref: clients.get("seino")?.id });
    expect(outputs.CarrierClientIdYamato?.Value).toEqual({ Ref: clients.get("yamato")?.id });
    expect(outputs.CarrierClientIdSagawa).toBeUndefined();
  });

  it("the JWT authorizer takes every carrier client's tokens", () => {
    const [, authorizer] = only("AWS::ApiGatewayV2::Authorizer");
    const audience = (authorizer.Properties.JwtConfiguration as { Audience: unknown[] }).Audience;
    const ids = audience.map(target);
    for (const { id } of carrierClientsOf(main).values()) expect(ids).toContain(id);
  });
});
