// AWS SDK clients, created once per module load (a Lambda's cold start) and reused by every call.
// The SDK itself honours AWS_ENDPOINT_URL_<SERVICE>, so local mode only sets environment variables.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESClient } from "@aws-sdk/client-ses";
import { SFNClient } from "@aws-sdk/client-sfn";
import { createDocumentClient } from "./order-store.ts";

export const dynamoDb = createDocumentClient(new DynamoDBClient({}));
export const stepFunctions = new SFNClient({});
export const ses = new SESClient({});
