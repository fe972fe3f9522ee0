// The stack's edge: one CloudFront distribution for the console and the API reference (private
// bucket, origin access control, security headers, caching) and the API (every path of the route
// table), the WAF web ACL in each of its three placements, and the console's Cognito client.
// Bundling is skipped; three synths (Tokyo with the companion firewall stack, us-east-1, an
// existing web ACL) for the file.
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { ROUTES, type Route } from "../../functions/http/routes.ts";
import { RUNBOOK_ANCHORS } from "../../infra/alarms.ts";
import { createApp, DEFAULT_ENV } from "../../infra/create-app.ts";
import {
  apiPathPatterns,
  CONSOLE_CONFIG_FILE,
  DOCS_INDEX_FUNCTION,
  DOCS_PATH_PATTERNS,
} from "../../infra/edge.ts";
import {
  EDGE_RATE_LIMITS,
  systemRequests,
  webAclArnParameterName,
} from "../../infra/edge-firewall.ts";

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
};

const EXISTING_ACL =
  "arn:aws:wafv2:us-east-1:123456789012:global/webacl/shared-edge/a1b2c3d4-5678-90ab-cdef-0123456789ab";

const synthesize = (region: string, context: Record<string, unknown> = {}) => {
  const { stack, firewallStack } = createApp({
    context: { "aws:cdk:bundling-stacks": [], ...context },
    env: { ...DEFAULT_ENV, region },
    nag: false,
    cfnValidation: false,
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) =>
    Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const only = (type: string) => {
    const found = ofType(type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0] as [string, Resource];
  };
  return {
    template,
    ofType,
    only,
    firewall: firewallStack ? Template.fromStack(firewallStack) : undefined,
  };
};

// Tokyo (the default): the firewall lives in a companion stack in us-east-1.
const tokyo = synthesize(DEFAULT_ENV.region);
const virginia = synthesize("us-east-1");
const existing = synthesize(DEFAULT_ENV.region, { edgeWebAclArn: EXISTING_ACL });

const [distributionId, distribution] = tokyo.only("AWS::CloudFront::Distribution");
const config = distribution.Properties.DistributionConfig as {
  DefaultCacheBehavior: Record<string, unknown>;
  CacheBehaviors: Record<string, unknown>[];
  Origins: {
    Id: string;
    DomainName: unknown;
    S3OriginConfig?: unknown;
    OriginAccessControlId?: unknown;
    CustomOriginConfig?: Record<string, unknown>;
  }[];
  [key: string]: unknown;
};
const ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const apiOrigin = config.Origins.find((origin) => origin.CustomOriginConfig !== undefined);
const bucketOrigin = config.Origins.find((origin) => origin.S3OriginConfig !== undefined);
const apiBehaviors = config.CacheBehaviors.filter((b) => b.TargetOriginId === apiOrigin?.Id);
const bucketBehaviors = config.CacheBehaviors.filter((b) => b.TargetOriginId === bucketOrigin?.Id);
/** CloudFront's pattern match (`*` spans slashes). */
const matches = (pattern: string, routePath: string) =>
  new RegExp(`^${pattern.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`).test(routePath);

describe("the distribution", () => {
  it("is HTTPS only, HTTP/2 and 3, with index.html at the root and no custom error responses", () => {
    expect(config).toMatchObject({
      Enabled: true,
      HttpVersion: "http2and3",
      DefaultRootObject: "index.html",
      DefaultCacheBehavior: { ViewerProtocolPolicy: "redirect-to-https" },
    });
    expect(config.CustomErrorResponses).toBeUndefined();
    for (const behavior of apiBehaviors) expect(behavior.ViewerProtocolPolicy).toBe("https-only");
    for (const behavior of bucketBehaviors)
      expect(behavior.ViewerProtocolPolicy).toBe("redirect-to-https");
    expect(apiBehaviors.length + bucketBehaviors.length).toBe(config.CacheBehaviors.length);
    expect(config.Logging).toMatchObject({ Prefix: "cloudfront/" });
  });

  it("reads the console bucket through origin access control, and only it may", () => {
    const [oacId] = tokyo.only("AWS::CloudFront::OriginAccessControl");
    const s3Origin = config.Origins.find((origin) => origin.S3OriginConfig !== undefined);
    expect(s3Origin?.OriginAccessControlId).toEqual({ "Fn::GetAtt": [oacId, "Id"] });
    const [bucketId] = tokyo
      .ofType("AWS::S3::Bucket")
      .filter(([id]) => id.includes("ConsoleBucket"))
      .flat() as [string];
    tokyo.template.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
        ],
      },
    });
    const policies = tokyo
      .ofType("AWS::S3::BucketPolicy")
      .filter(([, policy]) => JSON.stringify(policy.Properties.Bucket).includes(bucketId));
    expect(policies).toHaveLength(1);
    const [[, policy]] = policies as [[string, Resource]];
    const { Statement: statements } = policy.Properties.PolicyDocument as {
      Statement: Record<string, unknown>[];
    };
    const allows = statements.filter((statement) => statement.Effect === "Allow");
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Condition: {
          StringEquals: {
            "AWS:SourceArn": {
              "Fn::Join": ["", expect.arrayContaining([{ Ref: distributionId }])],
            },
          },
        },
      }),
    ]);
    // SSL only.
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );
  });

  it("sends every path of the route table to the HTTP API, uncached, with the caller's headers", () => {
    expect(JSON.stringify(apiOrigin?.DomainName)).toContain(".execute-api.ap-northeast-1.");
    expect(apiOrigin?.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: "https-only",
      OriginSSLProtocols: ["TLSv1.2"],
    });
    const patterns = apiBehaviors.map((behavior) => behavior.PathPattern);
    expect(patterns.sort()).toEqual(apiPathPatterns());
    for (const behavior of apiBehaviors) {
      expect(behavior).toMatchObject({
        TargetOriginId: apiOrigin?.Id,
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST,
        AllowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
      });
    }
    // Every route's path matches one of the patterns.
    for (const route of ROUTES) {
      const sample = route.path.replace(/\{[^}]+\}/g, "x-1");
      expect(
        patterns.some((pattern) => matches(String(pattern), sample)),
        route.path,
      ).toBe(true);
    }
    // …and the console's own files and the API reference's match none.
    for (const file of [
      "/index.html",
      "/assets/index-abc123.js",
      `/${CONSOLE_CONFIG_FILE}`,
      "/docs",
      "/docs/index.html",
      "/openapi.json",
    ]) {
      expect(
        patterns.some((pattern) => matches(String(pattern), file)),
        file,
      ).toBe(false);
    }
  });

  it("derives the patterns from the routes: a route added later is covered", () => {
    const added: Route = {
      id: "GetReports",
      method: "GET",
      path: "/reports/{reportId}",
      access: { kind: "public" },
      entry: "functions/http/get-reports.ts",
    };
    expect(apiPathPatterns([...ROUTES, added])).toContain("/reports/*");
    expect(apiPathPatterns([...ROUTES, { ...added, path: "/reports" }])).toContain("/reports");
    expect(() => apiPathPatterns([{ ...added, path: "/{tenant}/x" }])).toThrow(/first segment/);
    // The bucket's API reference stays the bucket's: a route there fails the synth.
    for (const taken of ["/docs", "/docs/{page}", "/openapi.json"]) {
      expect(() => apiPathPatterns([{ ...added, path: taken }]), taken).toThrow(/API reference/);
    }
  });

  it("serves the API reference from the bucket, cached as its files say, /docs as docs/index.html", () => {
    // /docs and /docs/*: the bucket, through a function that names the page's file.
    expect(bucketBehaviors.map((behavior) => behavior.PathPattern).sort()).toEqual(
      [...DOCS_PATH_PATTERNS].sort(),
    );
    const defaults = config.DefaultCacheBehavior;
    expect(defaults.TargetOriginId).toBe(bucketOrigin?.Id);
    for (const behavior of bucketBehaviors) {
      expect(behavior).toMatchObject({
        CachePolicyId: defaults.CachePolicyId,
        ResponseHeadersPolicyId: defaults.ResponseHeadersPolicyId,
        AllowedMethods: ["GET", "HEAD"],
        Compress: true,
      });
      expect(behavior.FunctionAssociations).toEqual([
        { EventType: "viewer-request", FunctionARN: expect.anything() },
      ]);
    }
    // The cache policy keeps what the files' Cache-Control says: five minutes for the page and
    // the document, a year for the hashed assets, nothing for no-cache.
    const cachePolicyId = (defaults.CachePolicyId as { Ref: string }).Ref;
    const cachePolicy = tokyo.template.toJSON().Resources[cachePolicyId].Properties
      .CachePolicyConfig as Record<string, unknown>;
    expect(cachePolicy).toMatchObject({ MinTTL: 0, MaxTTL: 31536000 });
    const [functionId, fn] = tokyo.only("AWS::CloudFront::Function");
    expect(JSON.stringify(bucketBehaviors[0]?.FunctionAssociations)).toContain(functionId);
    expect(fn.Properties).toMatchObject({
      AutoPublish: true,
      FunctionCode: DOCS_INDEX_FUNCTION,
      FunctionConfig: { Runtime: "cloudfront-js-2.0" },
    });
    // The function, run as CloudFront runs it.
    const rewrite = (uri: string) =>
      runInNewContext(
        `${DOCS_INDEX_FUNCTION}\nhandler({ request: { uri: ${JSON.stringify(uri)} } }).uri`,
      );
    expect(rewrite("/docs")).toBe("/docs/index.html");
    expect(rewrite("/docs/")).toBe("/docs/index.html");
    expect(rewrite("/docs/index.html")).toBe("/docs/index.html");
    expect(rewrite("/docs/other.html")).toBe("/docs/other.html");
    // /openapi.json: no behavior of its own, so the default one, the bucket's.
    expect(config.CacheBehaviors.some((b) => matches(String(b.PathPattern), "/openapi.json"))).toBe(
      false,
    );
  });

  it("gives the console's responses security headers and a same-origin CSP naming the Cognito domain", () => {
    const behavior = config.DefaultCacheBehavior;
    const policyId = (behavior.ResponseHeadersPolicyId as { Ref: string }).Ref;
    const headers = tokyo.template.toJSON().Resources[policyId].Properties
      .ResponseHeadersPolicyConfig.SecurityHeadersConfig as Record<string, Record<string, unknown>>;
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63072000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: "DENY", Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: "no-referrer", Override: true });
    const csp = JSON.stringify(headers.ContentSecurityPolicy?.ContentSecurityPolicy);
    for (const directive of [
      "default-src 'self'",
      "font-src 'self'",
      "img-src 'self' data:",
      "style-src 'self'",
      "script-src 'self'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    // connect-src: the page's origin, the Cognito domain's token and revoke endpoints, and
    // Cognito's user API (staff enrol TOTP there), nothing else.
    expect(csp).toMatch(
      /connect-src 'self' https:\/\/",\{"Ref":"AuthUserPoolDomain[^"]*"\},"\.auth\.ap-northeast-1\.amazoncognito\.com https:\/\/cognito-idp\.ap-northeast-1\.amazonaws\.com; /,
    );
    expect(csp).not.toContain("unsafe");
  });

  it("uploads the build and a console-config.json for the hosted login, then invalidates the entry files", () => {
    const deployments = tokyo.ofType("Custom::CDKBucketDeployment");
    expect(deployments).toHaveLength(3);
    const deployment = (id: string) =>
      deployments.find(([logicalId]) => logicalId.includes(id))?.[1].Properties as Record<
        string,
        unknown
      >;
    const entry = deployment("DeployConsoleEntry");
    expect(entry.DistributionPaths).toEqual(
      expect.arrayContaining(["/index.html", `/${CONSOLE_CONFIG_FILE}`]),
    );
    expect(entry.SystemMetadata).toEqual({ "cache-control": "no-cache" });
    expect(entry.Exclude).toEqual(["assets/*", "docs/index.html", "openapi.json"]);
    const hashed = deployment("DeployConsoleAssets");
    expect(hashed).toMatchObject({
      Prune: false,
      Include: ["assets/*"],
      SystemMetadata: { "cache-control": "public, max-age=31536000, immutable" },
    });
    expect(hashed.DistributionId).toBeUndefined();
    // The API reference's page and document: five minutes, and invalidated on each deploy.
    const reference = deployment("DeployApiReference");
    expect(reference).toMatchObject({
      Exclude: ["*"],
      Include: ["docs/index.html", "openapi.json"],
      SystemMetadata: { "cache-control": "public, max-age=300" },
      DistributionPaths: ["/docs*", "/openapi.json"],
      DistributionId: { Ref: distributionId },
    });
    // The config's values are deploy-time references, written as markers the function replaces.
    const markers = JSON.stringify((entry.SourceMarkers as unknown[])[1]);
    const [clientId] = tokyo
      .ofType("AWS::Cognito::UserPoolClient")
      .filter(([id]) => id.includes("ConsoleClient"))
      .flat() as [string];
    expect(markers).toContain(JSON.stringify({ Ref: clientId }));
    expect(markers).toContain(`"Fn::GetAtt":["${distributionId}","DomainName"]`);
    const [domainId] = tokyo.only("AWS::Cognito::UserPoolDomain");
    expect(markers).toContain(JSON.stringify({ Ref: domainId }));
  });

  it("outputs the console's URL, the one public address, and not the API's own", () => {
    const outputs = tokyo.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ConsoleUrl?.Value).toEqual({
      "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distributionId, "DomainName"] }, "/"]],
    });
    // The execute-api address answers CloudFront only (test/infra/limits.test.ts).
    expect(outputs.ApiUrl).toBeUndefined();
    expect(JSON.stringify(outputs)).not.toContain("execute-api");
  });
});

describe("the console's Cognito client", () => {
  const clients = tokyo.ofType("AWS::Cognito::UserPoolClient");
  const [clientId, client] = clients.find(([id]) => id.includes("ConsoleClient")) as [
    string,
    Resource,
  ];
  const consoleUrl = {
    "Fn::Join": ["", ["https://", { "Fn::GetAtt": [distributionId, "DomainName"] }, "/"]],
  };

  it("is a public client with the authorization code grant only (PKCE), back to the console", () => {
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ["code"],
      AllowedOAuthFlowsUserPoolClient: true,
      // openid every day; the user API's scope only to enrol an authenticator (auth.test.ts).
      AllowedOAuthScopes: ["openid", "aws.cognito.signin.user.admin"],
      SupportedIdentityProviders: ["COGNITO"],
      ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      PreventUserExistenceErrors: "ENABLED",
      CallbackURLs: [consoleUrl],
      LogoutURLs: [consoleUrl],
      AccessTokenValidity: 60,
      RefreshTokenValidity: 60,
    });
  });

  it("is trusted by the API's JWT authorizer", () => {
    const [, authorizer] = tokyo.only("AWS::ApiGatewayV2::Authorizer");
    const audience = (authorizer.Properties.JwtConfiguration as { Audience: unknown[] }).Audience;
    expect(audience).toContainEqual({ Ref: clientId });
  });
});

describe("the web ACL", () => {
  const runbook = readFileSync(new URL("../../docs/runbook.md", import.meta.url), "utf8");

  /**
   * The systems' requests as CloudFormation writes the statement: POST /orders, POST …/delivery,
   * POST …/tracking-events.
   */
  const systemsStatement = {
    OrStatement: {
      Statements: [
        ["POST", "^/orders$"],
        ["POST", "^/orders/[^/]+/delivery$"],
        ["POST", "^/orders/[^/]+/tracking-events$"],
      ].map(([method, regex]) => ({
        AndStatement: {
          Statements: [
            {
              ByteMatchStatement: {
                FieldToMatch: { Method: {} },
                PositionalConstraint: "EXACTLY",
                SearchString: method,
                TextTransformations: [{ Priority: 0, Type: "NONE" }],
              },
            },
            {
              RegexMatchStatement: {
                FieldToMatch: { UriPath: {} },
                RegexString: regex,
                TextTransformations: [{ Priority: 0, Type: "NONE" }],
              },
            },
          ],
        },
      })),
    },
  };

  it("counts the systems' routes, from the route table, apart from people's", () => {
    // The statement the rules share names exactly the routes called with a scope.
    const statement = systemRequests() as {
      orStatement: { statements: { andStatement: { statements: unknown[] } }[] };
    };
    const pairs = statement.orStatement.statements.map(({ andStatement }) => {
      const [method, path] = andStatement.statements as [
        { byteMatchStatement: { searchString: string } },
        { regexMatchStatement: { regexString: string } },
      ];
      return [method.byteMatchStatement.searchString, path.regexMatchStatement.regexString];
    });
    const scoped = ROUTES.filter((route) => route.access.kind === "scope");
    expect(pairs).toHaveLength(scoped.length);
    // Each regex, as WAF reads it, takes its route's paths and no other route's.
    const concrete = (path: string) => path.replace(/\{[^}]+\}/g, "o-1");
    for (const route of ROUTES) {
      const claimed = pairs.filter(
        ([method, regex]) =>
          method === route.method && new RegExp(regex as string).test(concrete(route.path)),
      );
      expect(claimed.length, route.id).toBe(route.access.kind === "scope" ? 1 : 0);
    }
    expect(
      pairs.some(([, regex]) => new RegExp(regex as string).test("/orders/o-1/x/delivery")),
    ).toBe(false);
  });

  const checkFirewall = (template: Template) => {
    template.hasResourceProperties("AWS::WAFv2::WebACL", {
      Scope: "CLOUDFRONT",
      DefaultAction: { Allow: {} },
      VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true },
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: "RateLimitPerIp",
          Statement: {
            RateBasedStatement: {
              AggregateKeyType: "IP",
              Limit: EDGE_RATE_LIMITS.all,
              EvaluationWindowSec: 300,
              // Everything but the systems' routes, which have their own count.
              ScopeDownStatement: { NotStatement: { Statement: systemsStatement } },
            },
          },
          Action: { Block: { CustomResponse: Match.objectLike({ ResponseCode: 429 }) } },
          VisibilityConfig: {
            CloudWatchMetricsEnabled: true,
            SampledRequestsEnabled: true,
            MetricName: "RateLimitPerIp",
          },
        }),
        Match.objectLike({
          Name: "RateLimitWritesPerIp",
          Statement: {
            RateBasedStatement: Match.objectLike({
              Limit: EDGE_RATE_LIMITS.writes,
              ScopeDownStatement: {
                AndStatement: {
                  Statements: [
                    {
                      ByteMatchStatement: Match.objectLike({
                        SearchString: "POST",
                        FieldToMatch: { Method: {} },
                      }),
                    },
                    { NotStatement: { Statement: systemsStatement } },
                  ],
                },
              },
            }),
          },
        }),
        Match.objectLike({
          Name: "RateLimitSystemsPerIp",
          Statement: {
            RateBasedStatement: {
              AggregateKeyType: "IP",
              Limit: EDGE_RATE_LIMITS.systems,
              EvaluationWindowSec: 300,
              ScopeDownStatement: systemsStatement,
            },
          },
          Action: { Block: { CustomResponse: Match.objectLike({ ResponseCode: 429 }) } },
        }),
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: {
              VendorName: "AWS",
              Name: "AWSManagedRulesKnownBadInputsRuleSet",
            },
          },
          OverrideAction: { None: {} },
        }),
        Match.objectLike({
          Statement: {
            ManagedRuleGroupStatement: Match.objectLike({
              VendorName: "AWS",
              Name: "AWSManagedRulesCommonRuleSet",
            }),
          },
          OverrideAction: { None: {} },
        }),
      ]),
    });
    const alarms = Object.values(
      template.findResources("AWS::CloudWatch::Alarm", {
        Properties: { Namespace: "AWS/WAFV2", MetricName: "BlockedRequests" },
      }),
    );
    expect(alarms).toHaveLength(1);
    const description = String(alarms[0]?.Properties.AlarmDescription);
    expect(description).toMatch(
      new RegExp(`Runbook: docs/runbook\\.md#${RUNBOOK_ANCHORS.EdgeBlockedRequests}$`),
    );
    expect(runbook).toContain("### EdgeBlockedRequests");
    expect(runbook).toContain("## Edge and rate limits");
  };

  it("in us-east-1: in the stack itself, attached to the distribution", () => {
    checkFirewall(virginia.template);
    const [aclId] = virginia.only("AWS::WAFv2::WebACL");
    const [, dist] = virginia.only("AWS::CloudFront::Distribution");
    expect(dist.Properties.DistributionConfig).toMatchObject({
      WebACLId: { "Fn::GetAtt": [aclId, "Arn"] },
    });
    expect(virginia.firewall).toBeUndefined();
  });

  it("elsewhere: in a companion stack in us-east-1, its ARN read from SSM there", () => {
    tokyo.template.resourceCountIs("AWS::WAFv2::WebACL", 0);
    const firewall = tokyo.firewall as Template;
    checkFirewall(firewall);
    const parameterName = webAclArnParameterName("ShippedCancellation");
    const [aclId] = Object.keys(firewall.findResources("AWS::WAFv2::WebACL"));
    firewall.hasResourceProperties("AWS::SSM::Parameter", {
      Name: parameterName,
      Value: { "Fn::GetAtt": [aclId, "Arn"] },
    });
    const [readerId, reader] = tokyo.only("Custom::AWS");
    const create = JSON.stringify(reader.Properties.Create);
    expect(create).toContain('\\"action\\":\\"getParameter\\"');
    expect(create).toContain('\\"region\\":\\"us-east-1\\"');
    expect(create).toContain(parameterName);
    expect(config.WebACLId).toEqual({ "Fn::GetAtt": [readerId, "Parameter.Value"] });
  });

  it("with edgeWebAclArn: that web ACL, and none created", () => {
    const [, dist] = existing.only("AWS::CloudFront::Distribution");
    expect(dist.Properties.DistributionConfig).toMatchObject({ WebACLId: EXISTING_ACL });
    existing.template.resourceCountIs("AWS::WAFv2::WebACL", 0);
    existing.template.resourceCountIs("Custom::AWS", 0);
    expect(existing.firewall).toBeUndefined();
  });
});
