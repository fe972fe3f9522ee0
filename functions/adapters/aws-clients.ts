// AWS SDK clients, created once per module load (a Lambda's cold start) and reused by every call.
// The SDK itself honours AWS_ENDPOINT_URL_<SERVICE>, so local mode only sets environment variables.
// On Lambda each call becomes an X-Ray subsegment; elsewhere the tracer stays out of the way.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESClient } from "@aws-sdk/client-ses";
import { SFNClient } from "@aws-sdk/client-sfn";
import { tracer } from "../app/powertools.ts";
import { createDocumentClient } from "./order-store.ts";

export const dynamoDb = createDocumentClient(tracer.captureAWSv3Client(new DynamoDBClient({})));
export const stepFunctions = tracer.captureAWSv3Client(new SFNClient({}));
export const ses = tracer.captureAWSv3Client(new SESClient({}));
