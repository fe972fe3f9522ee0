// DynamoDB Local as local mode starts it: one set of tables for every access key and region, on
// the loopback address only, for requests addressed to it from no web page.
import { request } from "node:http";
import { networkInterfaces } from "node:os";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { useTestTable } from "../support/dynamodb.ts";
import { requestWithHost } from "../support/host-request.ts";

/** The machine's first IPv4 address that is not loopback, if it has one. */
const networkAddress = (): string | undefined =>
  Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === "IPv4" && !address.internal)?.address;

/** Answers the HTTP status, or the connection error's code when nothing answers. */
const statusAt = (host: string, port: number): Promise<number | string> =>
  new Promise((resolve) => {
    const outgoing = request(
      { host, port, method: "POST", path: "/", timeout: 3000 },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    outgoing.on("timeout", () =>
      outgoing.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })),
    );
    outgoing.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    outgoing.end();
  });

describe("startDynamoDbLocal", () => {
  const table = useTestTable("dynamodb-local", "shared");

  const endpointUrl = async (): Promise<URL> => {
    const endpoint = await table.current.client.config.endpoint?.();
    if (!endpoint) throw new Error("the test table's client has no endpoint");
    return new URL(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`);
  };

  it("shows a table to clients signing with other credentials and another region", async () => {
    const endpoint = await endpointUrl();
    const other = new DynamoDBClient({
      region: "eu-west-1",
      endpoint: endpoint.href,
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

  it.skipIf(networkAddress() === undefined)(
    "is not reachable on the machine's network address, only on 127.0.0.1",
    async () => {
      const port = Number((await endpointUrl()).port);
      // Answered on loopback (400: an empty request is not a DynamoDB call)...
      expect(await statusAt("127.0.0.1", port)).toBe(400);
      // ...and not at the network address: nothing listens there.
      expect(["ECONNREFUSED", "ETIMEDOUT"]).toContain(
        await statusAt(networkAddress() as string, port),
      );
    },
  );

  it("refuses another Host (DNS rebinding) and any web page (Origin) with a 403", async () => {
    const port = Number((await endpointUrl()).port);
    const post = { method: "POST", body: "{}" };
    expect((await requestWithHost(port, `rebound.example:${port}`, post)).status).toBe(403);
    expect((await requestWithHost(port, `127.0.0.1:${port + 1}`, post)).status).toBe(403);
    const fromPage = await new Promise<number>((resolve, reject) => {
      const outgoing = request(
        {
          host: "127.0.0.1",
          port,
          method: "OPTIONS",
          path: "/",
          headers: {
            origin: "http://attacker.example",
            "access-control-request-method": "POST",
          },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      outgoing.on("error", reject);
      outgoing.end();
    });
    expect(fromPage).toBe(403);
  });
});
