// The service's one public address: a CloudFront distribution (HTTPS only, behind the WAF web ACL)
// that serves the web console and the API reference (/docs, /openapi.json) from a private S3
// bucket and sends the API's paths, derived from the route table, to the HTTP API, so the console
// calls its API on its own origin (no CORS). It sends the API a secret header the API's handlers
// require (functions/http/edge-origin.ts): no request reaches them around the WAF.
import { execFileSync } from "node:child_process";
import { cpSync } from "node:fs";
import * as path from "node:path";
import {
  AssetHashType,
  type CfnElement,
  DefaultStackSynthesizer,
  DockerImage,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
} from "aws-cdk-lib";
import type * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import type * as cognito from "aws-cdk-lib/aws-cognito";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3assets from "aws-cdk-lib/aws-s3-assets";
import * as s3deploy from "aws-cdk-lib/aws-s3-deployment";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import {
  API_REFERENCE_CACHE_CONTROL,
  API_REFERENCE_FILES,
  DOCS_PAGE_FILE,
  DOCS_PATH,
  OPENAPI_PATH,
} from "../console/api-reference.ts";
import { EDGE_ORIGIN_HEADER } from "../functions/http/edge-origin.ts";
import { ROUTES, type Route } from "../functions/http/routes.ts";
import { CONSOLE_SCOPES } from "./auth.ts";
import { PROJECT_ROOT } from "./lambda-defaults.ts";
import { acknowledge } from "./nag.ts";

/** The console's sources, and where `npm run console:build` (Vite) writes the build. */
export const CONSOLE_DIR = path.join(PROJECT_ROOT, "console");
const CONSOLE_BUILD_DIR = path.join(CONSOLE_DIR, "dist");
/** Vite's folder of content-hashed files: the only ones browsers may keep for good. */
const HASHED_ASSETS = "assets/*";
/** What the console reads at start (shared decision: `/console-config.json`). */
export const CONSOLE_CONFIG_FILE = "console-config.json";
/** The API reference's page: its own behaviors, which add the page's file name to `/docs`. */
export const DOCS_PATH_PATTERNS = [DOCS_PATH, `${DOCS_PATH}/*`] as const;
/** Paths the bucket answers that the API must never claim (the default behavior serves the
 * document; the page has the behaviors above). */
const STATIC_PATHS = [DOCS_PATH, OPENAPI_PATH];

/**
 * The viewer-request function of the `/docs` behaviors: `/docs` and `/docs/` are the page's
 * `docs/index.html` (the bucket, read through its REST endpoint, has no index documents).
 */
export const DOCS_INDEX_FUNCTION = `function handler(event) {
  var request = event.request;
  if (request.uri === "${DOCS_PATH}" || request.uri === "${DOCS_PATH}/") {
    request.uri = "/${DOCS_PAGE_FILE}";
  }
  return request;
}`;

/**
 * CloudFront path patterns covering every route of the table: `/seg` for a route that is one
 * segment, `/seg/*` for the ones below it. Unknown paths stay the bucket's (403 from S3).
 */
export const apiPathPatterns = (routes: readonly Route[] = ROUTES): string[] => {
  const patterns = routes.map((route) => {
    const [first, ...rest] = route.path.split("/").filter(Boolean);
    if (!first || first.includes("{")) throw new Error(`route ${route.id}: no fixed first segment`);
    if (STATIC_PATHS.includes(`/${first}`))
      throw new Error(
        `route ${route.id}: /${first} is the API reference's, served from the bucket`,
      );
    return rest.length === 0 ? `/${first}` : `/${first}/*`;
  });
  return [...new Set(patterns)].sort();
};

/** The console page's policy: its own files, and the token endpoint on the Cognito domain. */
export const consoleContentSecurityPolicy = (authDomain: string, userApiUrl: string): string =>
  [
    "default-src 'self'",
    // The hosted login's token and revoke endpoints; Cognito's user API for staff TOTP enrolment.
    `connect-src 'self' ${authDomain} ${userApiUrl}`,
    "font-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");

export interface EdgeDistributionProps {
  httpApi: apigw.IHttpApi;
  /** The Cognito domain of the hosted login and its token endpoint. */
  authDomain: cognito.UserPoolDomain;
  /** The console's app client (authorization code with PKCE). */
  consoleClient: cognito.IUserPoolClient;
  /** Cognito's user API (`https://cognito-idp.<region>.amazonaws.com`): staff enrol TOTP there. */
  userApiUrl: string;
  /** WAF web ACL (scope CLOUDFRONT) in front of everything. */
  webAclArn: string;
  /** The value sent to the API in `x-origin-verify` (Api.originSecret). */
  originSecret: secretsmanager.ISecret;
}

export class EdgeDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  /** `https://<distribution domain>/`: the console, and the sign-in's redirect URI. */
  readonly consoleUrl: string;

  constructor(scope: Construct, id: string, props: EdgeDistributionProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // The distribution's access logs, for incident analysis. CloudFront's standard logs are
    // written with ACLs, so this bucket allows them (its objects stay private).
    this.logBucket = new s3.Bucket(this, "AccessLogs", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      // Versioned: a log deleted or overwritten stays readable as a noncurrent version 90 days.
      versioned: true,
      lifecycleRules: [
        { expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(90) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.logBucket,
      "AwsSolutions-S1",
      "This is the access-log bucket itself: logging its own accesses into itself would loop.",
    );

    this.bucket = new s3.Bucket(this, "ConsoleBucket", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioned: a file the deployment replaced or pruned (or anyone deleted) can be put back
      // for 30 days.
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      // Only a build's files: nothing to keep, but a bucket with objects cannot be deleted anyway.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.bucket,
      "AwsSolutions-S1",
      "Only CloudFront reads this bucket (origin access control), and the distribution's access logs record every one of those requests; only the stack's deployment writes it.",
    );

    const authDomain = props.authDomain.baseUrl();
    const consoleHeaders = new cloudfront.ResponseHeadersPolicy(this, "ConsoleHeaders", {
      comment: "Security headers of the console's pages and files",
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy(authDomain, props.userApiUrl),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: true,
        },
      },
    });
    // The API sets its own content types: only the security headers it lacks.
    const apiHeaders = new cloudfront.ResponseHeadersPolicy(this, "ApiHeaders", {
      comment: "Security headers the API's answers lack (its own headers win)",
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: false },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: false },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: false,
        },
      },
    });

    // The files' own Cache-Control decides (set per file below): min TTL 0 so `no-cache` holds.
    const consoleCache = new cloudfront.CachePolicy(this, "ConsoleCache", {
      comment: "The console's files, as long as their Cache-Control allows",
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.days(1),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    const apiOrigin = new origins.HttpOrigin(
      `${props.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
      {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
        // Replaces any header of that name a viewer sends; resolved by CloudFormation at deploy.
        customHeaders: {
          [EDGE_ORIGIN_HEADER]: props.originSecret.secretValue.unsafeUnwrap(),
        },
      },
    );
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      // A POST over plain HTTP would lose its body on a redirect: refused instead.
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Authorization, Idempotency-Key, the body and the query string reach the API; Host is
      // the execute-api domain's own.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: apiHeaders,
    };

    // The bucket's files (the console, /openapi.json, the hashed assets): cached as their own
    // Cache-Control says, with the console's security headers.
    const bucketBehavior: cloudfront.BehaviorOptions = {
      origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: consoleCache,
      responseHeadersPolicy: consoleHeaders,
      compress: true,
    };
    // The API reference's page is a file of the console's build too; `/docs` names its folder.
    const docsIndex = new cloudfront.Function(this, "DocsIndex", {
      comment: "Serves /docs and /docs/ from docs/index.html",
      code: cloudfront.FunctionCode.fromInline(DOCS_INDEX_FUNCTION),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });
    const docsBehavior: cloudfront.BehaviorOptions = {
      ...bucketBehavior,
      functionAssociations: [
        { function: docsIndex, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
      ],
    };

    this.distribution = new cloudfront.Distribution(this, "Distribution", {
      comment: "Post-shipment cancellation: console, API reference and API",
      defaultRootObject: "index.html",
      defaultBehavior: bucketBehavior,
      additionalBehaviors: {
        ...Object.fromEntries(DOCS_PATH_PATTERNS.map((pattern) => [pattern, docsBehavior])),
        ...Object.fromEntries(apiPathPatterns().map((pattern) => [pattern, apiBehavior])),
      },
      // No errorResponses: they would replace the API's own 404 problem documents (the console
      // routes by URL hash, so it needs no fallback page either).
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Edge locations in Japan and the rest of Asia, where the marketplaces' people are.
      priceClass: cloudfront.PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: "cloudfront/",
      webAclId: props.webAclArn,
    });
    acknowledge(
      this.distribution,
      "AwsSolutions-CFR4",
      "The distribution uses CloudFront's default *.cloudfront.net certificate, whose security policy CloudFront fixes at TLSv1; a custom domain with an ACM certificate would allow TLSv1.2_2021 (docs/deploy.md).",
    );
    acknowledge(
      this.distribution,
      "AwsSolutions-CFR1",
      "Buyers, sellers and operators may be anywhere; the WAF web ACL's rate limits and managed rules guard the edge instead of a country list.",
    );
    this.consoleUrl = `https://${this.distribution.distributionDomainName}/`;

    this.deployConsole(props);
  }

  /**
   * The build goes up in three parts: first the content-hashed files, cached for a year and never
   * pruned (a page loaded before a deploy still finds its files); then the API reference's page
   * and /openapi.json, cached five minutes; then index.html and the other unhashed files with the
   * generated console-config.json, never cached. The last two are invalidated on each deploy.
   */
  private deployConsole(props: EdgeDistributionProps): void {
    const stack = Stack.of(this);
    const build = new s3assets.Asset(this, "ConsoleBuild", consoleBuildOptions);
    // CDK's deployment function gets a role like every function's: its own log group, exact
    // actions, no managed policy; CDK's own (wider) grants are dropped.
    const { role, logGroup } = deployTimeFunctionRole(this, "ConsoleDeployment");
    role.addToPolicy(
      new iam.PolicyStatement({
        // The build's zip and the generated console-config.json are both assets of the stack.
        actions: ["s3:GetObject"],
        resources: [build.bucket.arnForObjects("*")],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ["s3:ListBucket"], resources: [this.bucket.bucketArn] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        resources: [this.bucket.arnForObjects("*")],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
        resources: [this.distribution.distributionArn],
      }),
    );
    const literal = (value: string, pseudo: string) =>
      Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
    const qualifier =
      stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const assetsBucket = `cdk-${qualifier}-assets-${literal(stack.account, "AccountId")}-${literal(stack.region, "Region")}`;
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${assetsBucket}/*]`,
      "The deployment reads the build's zip and the generated config, objects of the CDK assets bucket whose keys are content hashes.",
    );
    const bucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnElement);
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      "The deployment writes and prunes the console's files: every object of the console bucket is one.",
    );
    const deployment = {
      destinationBucket: this.bucket,
      role: role.withoutPolicyUpdates(),
      logGroup,
      memoryLimit: 512,
    };
    const source = s3deploy.Source.bucket(build.bucket, build.s3ObjectKey);
    const hashed = new s3deploy.BucketDeployment(this, "DeployConsoleAssets", {
      ...deployment,
      sources: [source],
      destinationBucket: this.bucket,
      exclude: ["*"],
      include: [HASHED_ASSETS],
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString("public, max-age=31536000, immutable")],
    });
    const reference = new s3deploy.BucketDeployment(this, "DeployApiReference", {
      ...deployment,
      sources: [source],
      exclude: ["*"],
      include: [...API_REFERENCE_FILES],
      cacheControl: [s3deploy.CacheControl.fromString(API_REFERENCE_CACHE_CONTROL)],
      distribution: this.distribution,
      distributionPaths: [`${DOCS_PATH}*`, OPENAPI_PATH],
    });
    reference.node.addDependency(hashed);
    const entry = new s3deploy.BucketDeployment(this, "DeployConsoleEntry", {
      ...deployment,
      sources: [
        source,
        s3deploy.Source.jsonData(CONSOLE_CONFIG_FILE, {
          mode: "cognito",
          authDomain: props.authDomain.baseUrl(),
          clientId: props.consoleClient.userPoolClientId,
          redirectUri: this.consoleUrl,
          scopes: [...CONSOLE_SCOPES],
        }),
      ],
      exclude: [HASHED_ASSETS, ...API_REFERENCE_FILES],
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ["/", "/index.html", `/${CONSOLE_CONFIG_FILE}`],
    });
    entry.node.addDependency(hashed);

    // The deployments share CDK's one handler function (a singleton per settings).
    const handler = stack.node
      .findAll()
      .find((node) => node instanceof lambda.Function && node.role === deployment.role);
    if (!handler) throw new Error("no bucket-deployment function found");
    acknowledge(
      handler,
      "AwsSolutions-L1",
      "CDK pins the bucket-deployment function's Python runtime together with its AWS CLI layer; it moves with aws-cdk-lib upgrades.",
    );
  }
}

/**
 * The console's build as an asset: at synth time (like NodejsFunction's esbuild) the Vite build
 * runs on this machine and its output is the asset. Skipped with the stack's bundling (tests and
 * local mode), then the sources stand in for it; it never falls back to Docker.
 */
const consoleBuildOptions: s3assets.AssetProps = {
  path: CONSOLE_DIR,
  // Hash the build's output: it also holds packages from node_modules (Preact, the font,
  // swagger-ui) and the OpenAPI document from docs/.
  assetHashType: AssetHashType.OUTPUT,
  bundling: {
    image: DockerImage.fromRegistry("unused-local-bundling-only"),
    local: {
      tryBundle(outputDir: string): boolean {
        execFileSync("npm", ["run", "console:build"], {
          cwd: PROJECT_ROOT,
          // The CDK CLI reads the app's stdout: the build's chatter goes to stderr.
          stdio: ["ignore", process.stderr, process.stderr],
        });
        cpSync(CONSOLE_BUILD_DIR, outputDir, { recursive: true });
        return true;
      },
    },
  },
};

/**
 * The role of one of CDK's own deploy-time functions (bucket deployment, custom resource): writes
 * to its own log group and holds the grants its caller adds, no AWS managed policy.
 */
export const deployTimeFunctionRole = (scope: Construct, id: string) => {
  // Kept or deleted with the stack as `protectData` says (stack.ts), like every log group.
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_MONTH,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
  });
  logGroup.grantWrite(role);
  return { role, logGroup };
};
