// The AWS SDK v3 as the functions load it: with `require`, not `import`. Its packages are CommonJS
// (the Lambda runtime's copy too), and when an ES module imports a CommonJS package, Node.js first
// scans the package's whole source for its export names: for @aws-sdk/client-dynamodb and
// @aws-sdk/lib-dynamodb that is ~25 ms of every cold start (measured on Node.js 22: importing both
// and creating a client ~95 ms, requiring them ~70 ms). The bundles stay ES modules with
// `@aws-sdk/*` external; `require` resolves the runtime's SDK as `import` would. Type-only imports
// from the packages cost nothing (they are erased) and stay where they are.
import { createRequire } from "node:module";

const requireSdk = createRequire(import.meta.url);

export const { DynamoDBClient } = requireSdk(
  "@aws-sdk/client-dynamodb",
) as typeof import("@aws-sdk/client-dynamodb");
export type DynamoDBClient = import("@aws-sdk/client-dynamodb").DynamoDBClient;

export const {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} = requireSdk("@aws-sdk/lib-dynamodb") as typeof import("@aws-sdk/lib-dynamodb");
export type DynamoDBDocumentClient = import("@aws-sdk/lib-dynamodb").DynamoDBDocumentClient;

/** Step Functions, loaded on first use (aws-clients.ts): most calls never need it. */
export const sfnSdk = () =>
  requireSdk("@aws-sdk/client-sfn") as typeof import("@aws-sdk/client-sfn");

/** SES, loaded on first use (aws-clients.ts): most calls send no mail. */
export const sesSdk = () =>
  requireSdk("@aws-sdk/client-ses") as typeof import("@aws-sdk/client-ses");

/** EventBridge, loaded on first use (aws-clients.ts): only the workflow and reconciler publish. */
export const eventBridgeSdk = () =>
  requireSdk("@aws-sdk/client-eventbridge") as typeof import("@aws-sdk/client-eventbridge");

/** SQS, loaded on first use (aws-clients.ts): only the reconciler reads the pipe's dead letters. */
export const sqsSdk = () =>
  requireSdk("@aws-sdk/client-sqs") as typeof import("@aws-sdk/client-sqs");

/** S3, loaded on first use (aws-clients.ts): only the audit sealer writes its digests there. */
export const s3Sdk = () => requireSdk("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

/** Secrets Manager, loaded on first use (aws-clients.ts): only to read the Stripe account. */
export const secretsManagerSdk = () =>
  requireSdk("@aws-sdk/client-secrets-manager") as typeof import("@aws-sdk/client-secrets-manager");
