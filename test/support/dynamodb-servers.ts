// Vitest globalSetup: starts DynamoDB Local (a JVM, ~2 s) and dynalite at most once per test run,
// each when a worker first asks for it, hands their endpoints out, and stops them at the end.
import { createServer as createHttpServer } from "node:http";
import type { TestProject } from "vitest/node";
import { type RunningDynamoDb, startDynalite, startDynamoDbLocal } from "../../local/dynamodb.ts";
import type { Backend } from "./dynamodb.ts";

const STARTERS: Record<Backend, () => Promise<RunningDynamoDb>> = {
  "dynamodb-local": () => startDynamoDbLocal(),
  dynalite: startDynalite,
};

const isBackend = (name: string): name is Backend => Object.hasOwn(STARTERS, name);

/**
 * Serves `GET /endpoints/<backend>` to the test workers and starts that backend on the first such
 * request, so a run that never touches DynamoDB (e.g. only domain tests) never starts a JVM, and
 * dynalite suites still run on a machine without Java.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const running = new Map<Backend, Promise<RunningDynamoDb>>();
  const start = (backend: Backend): Promise<RunningDynamoDb> => {
    let started = running.get(backend);
    if (started === undefined) {
      const begin = Date.now();
      started = STARTERS[backend]();
      running.set(backend, started);
      if (process.env.DYNAMODB_HARNESS_TIMING) {
        void started.then(() => console.log(`${backend} ready in ${Date.now() - begin} ms`));
      }
    }
    return started;
  };
  const control = createHttpServer((request, response) => {
    const backend = /^\/endpoints\/([a-z-]+)$/.exec(request.url ?? "")?.[1];
    if (request.method !== "GET" || backend === undefined || !isBackend(backend)) {
      response.writeHead(404).end();
      return;
    }
    start(backend).then(
      ({ endpoint }) => response.writeHead(200, { "content-type": "text/plain" }).end(endpoint),
      (error: unknown) =>
        response
          .writeHead(500, { "content-type": "text/plain" })
          .end(error instanceof Error ? error.message : String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    control.once("error", reject);
    control.listen(0, "127.0.0.1", () => resolve());
  });
  const address = control.address();
  if (typeof address !== "object" || address === null) throw new Error("no control address");
  project.provide("dynamodbHarness", `http://127.0.0.1:${address.port}`);
  return async () => {
    control.closeAllConnections();
    await new Promise((resolve) => control.close(resolve));
    await Promise.all(
      [...running.values()].map(async (started) => {
        const server = await started.catch(() => undefined);
        await server?.stop();
      }),
    );
  };
}
