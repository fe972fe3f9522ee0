// AWS SDK clients, one per service and container (created once, reused by every call). The SDK
// honours AWS_ENDPOINT_URL_<SERVICE> by itself, so local mode only sets environment variables.
// Each is created on first use: a function that never calls a service never creates its client,
// and (but for DynamoDB, which every function that touches data needs) never loads its SDK.
import { lazyClient } from "./client-source.ts";
import { createDocumentClient } from "./dynamodb/document-client.ts";
import {
  DynamoDBClient,
  eventBridgeSdk,
  s3Sdk,
  secretsManagerSdk,
  sesSdk,
  sfnSdk,
  sqsSdk,
} from "./sdk.ts";

let documentClient: ReturnType<typeof createDocumentClient> | undefined;

/** The DynamoDB document client of this container. */
export const dynamoDb = () => {
  documentClient ??= createDocumentClient(new DynamoDBClient({}));
  return documentClient;
};

export const stepFunctions = lazyClient(async () => new (sfnSdk().SFNClient)({}));

export const ses = lazyClient(async () => new (sesSdk().SESClient)({}));

export const eventBridge = lazyClient(async () => new (eventBridgeSdk().EventBridgeClient)({}));

export const sqs = lazyClient(async () => new (sqsSdk().SQSClient)({}));

export const s3 = lazyClient(async () => new (s3Sdk().S3Client)({}));

export const secretsManager = lazyClient(
  async () => new (secretsManagerSdk().SecretsManagerClient)({}),
);
