// AWS SDK clients, one per service and container (created once, reused by every call). The SDK
// honours AWS_ENDPOINT_URL_<SERVICE> by itself, so local mode only sets environment variables.
// Every function reads and writes DynamoDB: that client exists from the start. Step Functions,
// SES and EventBridge are needed on some paths only: their SDK is loaded (sdk.ts), and the client
// created, on first use, so a function that never starts or signals a workflow, sends mail or
// publishes events (every GET) never loads them.
import { lazyClient } from "./client-source.ts";
import { createDocumentClient } from "./order-store.ts";
import { DynamoDBClient, eventBridgeSdk, sesSdk, sfnSdk } from "./sdk.ts";

export const dynamoDb = createDocumentClient(new DynamoDBClient({}));

export const stepFunctions = lazyClient(async () => new (sfnSdk().SFNClient)({}));

export const ses = lazyClient(async () => new (sesSdk().SESClient)({}));

export const eventBridge = lazyClient(async () => new (eventBridgeSdk().EventBridgeClient)({}));
