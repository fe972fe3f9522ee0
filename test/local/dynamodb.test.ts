// DynamoDB Local as local mode starts it: one set of tables for every access key and region.
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { useTestTable } from "../support/dynamodb.ts";

describe("startDynamoDbLocal", () => {
  const table = useTestTable("dynamodb-local", "shared");

  it("shows a table to clients signing with other credentials and another region", async () => {
    const endpoint = await table.current.client.config.endpoint?.();
    expect(endpoint).toBeDefined();
    const other = new DynamoDBClient({
      region: "eu-west-1",
      endpoint: `${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`,
      credentials: { accessKeyId: "anotherKey", secretAccessKey: "anotherSecret" },
    });
    try {
      const described = await other.send(
        new DescribeTableCommand({ TableName: table.current.tableName }),
      );
      expect(described.Table?.TableName).toBe(table.current.tableName);
    } finally {
      other.destroy();
    }
  });
});
