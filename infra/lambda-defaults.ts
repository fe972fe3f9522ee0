// One place for how every Lambda function is built: Node.js 22 on arm64, ESM, minified, traced,
// with its own log group and its own role; the AWS SDK v3 comes from the runtime rather than the bundle.
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Duration } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import type { BuildOptions } from "esbuild";
import { acknowledge } from "./nag.ts";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Metadata key naming a function's handler module, so local mode can run it unbundled. */
export const ENTRY_METADATA = "shipped-cancellation:entry";

/**
 * Modules the bundles take from elsewhere. `node:http` → a shim that reads the CommonJS module:
 * middy imports `STATUS_CODES` from `node:http` as an ES module, and on Node.js 22 that loads
 * Node's bundled undici (the ES module view reads the lazy `http.WebSocket`), ~20 ms of every cold
 * start (functions/shims/node-http.ts).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  "node:http": path.join(PROJECT_ROOT, "functions/shims/node-http.ts"),
};

/**
 * How every function is bundled: ESM for Node.js 22, minified, with source maps; the AWS SDK v3 is
 * left to the runtime. The one source of truth for NodejsFunction and for `bench/cold-start.ts`.
 */
export const BUNDLING = {
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  // Stack traces need only the mappings. With `--enable-source-maps` Node reads the whole map at
  // every cold start: the sources' text would make it several times larger (800 KB vs 160 KB).
  sourcesContent: false,
  target: "node22",
  mainFields: ["module", "main"],
  // ESM bundles that pull in CommonJS packages need a `require` of their own.
  banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
  externalModules: ["@aws-sdk/*"],
  esbuildArgs: {
    "--alias": Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`),
  },
} as const satisfies BundlingOptions;

/**
 * The esbuild options NodejsFunction derives from `BUNDLING` for one entry (it adds `--bundle` and
 * `--platform=node`), so a bundle can be built and measured without synthesizing the stack.
 */
export const esbuildOptions = (entry: string, outfile: string): BuildOptions => ({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  format: BUNDLING.format,
  minify: BUNDLING.minify,
  sourcemap: BUNDLING.sourceMap,
  sourcesContent: BUNDLING.sourcesContent,
  target: BUNDLING.target,
  mainFields: [...BUNDLING.mainFields],
  banner: { js: BUNDLING.banner },
  external: [...BUNDLING.externalModules],
  alias: { ...BUNDLE_ALIASES },
});

export interface FunctionOptions {
  /** Handler module relative to the project root, exporting `handler`. */
  entry: string;
  environment?: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  /** Concurrent executions set aside for this function alone: its guarantee and its cap. */
  reservedConcurrency?: number;
}

/**
 * The account's concurrency as AWS sets it by default (per region), and what Lambda keeps
 * unreserved whatever the functions reserve: the stack's reservations must fit in between
 * (docs/runbook.md#edge-and-rate-limits; a test sums them).
 */
export const ACCOUNT_CONCURRENCY = { limit: 1000, unreservedMinimum: 100 } as const;

export const createFunction = (scope: Construct, id: string, options: FunctionOptions) => {
  // Kept or deleted with the stack as `protectData` says (stack.ts), like every log group.
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_MONTH,
  });
  // Instead of AWSLambdaBasicExecutionRole (logs on every log group): write to its own group only.
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
  });
  logGroup.grantWrite(role);
  const fn = new NodejsFunction(scope, id, {
    role,
    entry: path.join(PROJECT_ROOT, options.entry),
    handler: "handler",
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: options.memorySize ?? 512,
    timeout: options.timeout ?? Duration.seconds(10),
    tracing: lambda.Tracing.ACTIVE,
    logGroup,
    ...(options.reservedConcurrency === undefined
      ? {}
      : { reservedConcurrentExecutions: options.reservedConcurrency }),
    environment: {
      NODE_OPTIONS: "--enable-source-maps",
      POWERTOOLS_SERVICE_NAME: "shipped-cancellation",
      ...options.environment,
    },
    bundling: {
      ...BUNDLING,
      mainFields: [...BUNDLING.mainFields],
      externalModules: [...BUNDLING.externalModules],
    },
  });
  (fn.node.defaultChild as lambda.CfnFunction).addMetadata(ENTRY_METADATA, options.entry);
  // Active tracing adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the role.
  acknowledge(
    role,
    "AwsSolutions-IAM5[Resource::*]",
    "X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; " +
      "the infra test checks that only X-Ray actions use Resource *.",
  );
  acknowledge(
    fn,
    "AwsSolutions-L1",
    "Node.js 22 on purpose: the handlers are developed and tested on the node@22 devDependency, " +
      "so they run in Lambda on the same major version they were tested on.",
  );
  return fn;
};
