// DynamoDB for tests: a document client per backend (servers come from the globalSetup in
// dynamodb-servers.ts, started on first use) and a uniquely named table per suite, dropped after.
import { randomUUID } from "node:crypto";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, inject } from "vitest";
import { createDocumentClient } from "../../functions/adapters/dynamodb/document-client.ts";
import {
  createRefundsTableInput,
  createTableInput,
} from "../../functions/adapters/dynamodb/table.ts";

export const BACKENDS = ["dynamodb-local", "dynalite"] as const;
export type Backend = (typeof BACKENDS)[number];

declare module "vitest" {
  export interface ProvidedContext {
    /** The globalSetup's control URL (see dynamodb-servers.ts). */
    dynamodbHarness: string;
  }
}

export interface TestTable {
  backend: Backend;
  client: DynamoDBDocumentClient;
  tableName: string;
  drop: () => Promise<void>;
}

const endpoints = new Map<Backend, Promise<string>>();

/** Asks the globalSetup for a backend's endpoint once per worker; the first ask starts it. */
const serverEndpoint = (backend: Backend): Promise<string> => {
  let endpoint = endpoints.get(backend);
  if (endpoint === undefined) {
    endpoint = (async () => {
      const harness = inject("dynamodbHarness");
      if (harness === undefined) {
        throw new Error("no DynamoDB harness: add test/support/dynamodb-servers.ts to globalSetup");
      }
      const response = await fetch(`${harness}/endpoints/${backend}`);
      const text = await response.text();
      if (!response.ok) throw new Error(`${backend} test server: ${text}`);
      return text;
    })();
    endpoints.set(backend, endpoint);
  }
  return endpoint;
};

const lowLevelClient = async (backend: Backend): Promise<DynamoDBClient> =>
  new DynamoDBClient({
    endpoint: await serverEndpoint(backend),
    region: "ap-northeast-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });

/**
 * Creates a fresh orders table on `backend` (tables are cheap; names never collide), or with
 * `kind: "refunds"` a payment ledger table.
 */
export const createTestTable = async (
  backend: Backend,
  prefix = "orders",
  kind: "orders" | "refunds" = "orders",
): Promise<TestTable> => {
  const client = await lowLevelClient(backend);
  const tableName = `${prefix}-${randomUUID()}`;
  const input =
    kind === "orders" ? createTableInput(tableName) : createRefundsTableInput(tableName);
  await client.send(new CreateTableCommand(input));
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
  return {
    backend,
    client: createDocumentClient(client),
    tableName,
    drop: async () => {
      try {
        await client.send(new DeleteTableCommand({ TableName: tableName }));
      } finally {
        client.destroy();
      }
    },
  };
};

/**
 * Registers beforeAll/afterAll hooks that create and drop a table for the enclosing describe
 * block; read `.current` inside tests (it is set once beforeAll has run).
 */
export const useTestTable = (
  backend: Backend,
  prefix?: string,
): { readonly current: TestTable } => {
  let table: TestTable | undefined;
  beforeAll(async () => {
    table = await createTestTable(backend, prefix);
  });
  afterAll(async () => {
    await table?.drop();
  });
  return {
    get current(): TestTable {
      if (table === undefined) throw new Error("the test table exists only inside tests");
      return table;
    },
  };
};
