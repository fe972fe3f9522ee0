// The document client every DynamoDB adapter uses: optional fields left undefined are simply not
// written.
import { type DynamoDBClient, DynamoDBDocumentClient } from "../sdk.ts";

export const createDocumentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
