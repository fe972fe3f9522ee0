// Local mode: the synthesized app on one machine. DynamoDB Local (or dynalite), an SES stand-in
// and a Step Functions endpoint run in this process; the HTTP routes, the functions' environment
// and the state machine all come from the template that `cdk synth` would deploy.
import { readFile } from "node:fs/promises";
import type { Server } from "node:http";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { createTableInput } from "../functions/adapters/table.ts";
import { DEFAULT_POLICY, mergePolicy, type Policy } from "../functions/domain/policy.ts";
import { idSchema } from "../functions/domain/schemas.ts";
import { toProblem, validationFailed } from "../functions/http/problems.ts";
import { createApp, STACK_NAME } from "../infra/create-app.ts";
import {
  placeholderValues,
  resolveIntrinsics,
  stateMachineDefinition,
  stateMachineIds,
} from "../infra/definition.ts";
import { PROJECT_ROOT } from "../infra/lambda-defaults.ts";
import { type RunningDynamoDb, startDynalite, startDynamoDbLocal } from "./dynamodb.ts";
import { createGateway, type HttpHandler, type LocalEndpoint } from "./gateway.ts";
import { LocalTokens } from "./jwt.ts";
import { LocalSes } from "./ses.ts";
import { startSfnEndpoint } from "./sfn-endpoint.ts";
import { LocalStepFunctions, type TaskHandler } from "./step-functions.ts";
import {
  functionsFromTemplate,
  type LocalSchedule,
  routesFromTemplate,
  schedulesFromTemplate,
  type Template,
} from "./template.ts";

export const LOCAL_TABLE_NAME = "shipped-cancellation-orders";
const REGION = "ap-northeast-1";
const ACCOUNT = "000000000000";
/** Where operators' alerts go locally when the stack configures no address. */
const LOCAL_OPERATOR_EMAILS = "operators@example.com";

export interface LocalOptions {
  /** 0 picks a free port. */
  port: number;
  /** JSON merged over the default policy (SPEC: POLICY_FILE). */
  policyFile?: string;
  /** Keep DynamoDB Local's data in this folder (in memory otherwise). */
  dataDir?: string;
  log?: (line: string) => void;
}

export interface LocalMode {
  url: string;
  /** "DynamoDB Local" or "dynalite (no Java found)". */
  database: string;
  policy: Policy;
  routes: { method: string; path: string; authorization: string; scopes: string[] }[];
  /** Scheduled rules of the template, run on timers. */
  schedules: LocalSchedule[];
  stepFunctions: LocalStepFunctions;
  stop: () => Promise<void>;
}

const tokenRequestSchema = z.strictObject({
  sub: idSchema,
  groups: z
    .array(z.enum(["buyers", "sellers", "operators"]))
    .max(3)
    .optional(),
  scopes: z
    .array(z.enum(["orders/write", "carrier/events"]))
    .max(2)
    .optional(),
});

const loadPolicy = async (policyFile: string | undefined): Promise<Policy> => {
  if (!policyFile) return DEFAULT_POLICY;
  const text = await readFile(policyFile, "utf8");
  return mergePolicy(JSON.parse(text));
};

/** DynamoDB Local on Java 17+, else dynalite. */
const startDatabase = async (
  dataDir: string | undefined,
  log: (line: string) => void,
): Promise<{ running: RunningDynamoDb; name: string }> => {
  try {
    return { running: await startDynamoDbLocal({ dataDir }), name: "DynamoDB Local" };
  } catch (error) {
    if (!/needs Java/.test((error as Error).message)) throw error;
    if (dataDir) log("DATA_DIR is ignored: dynalite keeps data in memory only");
    return { running: await startDynalite(), name: "dynalite (no Java found)" };
  }
};

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export const startLocal = async (options: LocalOptions): Promise<LocalMode> => {
  const log = options.log ?? (() => undefined);
  const policy = await loadPolicy(options.policyFile);
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };

  try {
    // 1. The app, synthesized in-process without bundling: the template is the one source.
    const { app } = createApp({
      context: { "aws:cdk:bundling-stacks": [] },
      nag: false,
      cfnValidation: false,
    });
    const template = app.synth().getStackByName(STACK_NAME).template as Template;

    // 2. The stand-ins.
    const database = await startDatabase(options.dataDir, log);
    cleanups.push(() => database.running.stop());
    const ses = await LocalSes.start();
    cleanups.push(() => ses.stop());

    const references: Record<string, string> = {
      ...placeholderValues(template, { account: ACCOUNT, region: REGION }),
    };
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (
        resource.Type === "AWS::DynamoDB::GlobalTable" ||
        resource.Type === "AWS::DynamoDB::Table"
      ) {
        references[logicalId] = LOCAL_TABLE_NAME;
      }
    }
    const lowLevel = new DynamoDBClient({
      endpoint: database.running.endpoint,
      region: REGION,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    cleanups.push(async () => lowLevel.destroy());
    try {
      await lowLevel.send(new CreateTableCommand(createTableInput(LOCAL_TABLE_NAME)));
    } catch (error) {
      // Kept from an earlier run in DATA_DIR.
      if (!(error instanceof ResourceInUseException)) throw error;
    }

    // 3. Step Functions: the synthesized definition; Lambda tasks call the handler modules.
    const functions = functionsFromTemplate(template);
    const handlers = new Map<string, TaskHandler>();
    const [machineId, ...others] = stateMachineIds(template);
    if (!machineId || others.length > 0) throw new Error("the app must have one state machine");
    const stateMachineArn = String(references[machineId]);
    const stepFunctions = new LocalStepFunctions({
      stateMachineArn,
      definition: stateMachineDefinition(template, references) as never,
      dynamoDb: lowLevel,
      lambdas: (arn) => handlers.get(arn.split(":function:")[1] ?? ""),
    });
    cleanups.push(async () => {
      stepFunctions.abortAll();
      await stepFunctions.settle();
    });
    const sfn = await startSfnEndpoint(stepFunctions);
    cleanups.push(() => close(sfn.server));

    // 4. The functions' environment, from the template, pointed at the stand-ins. The SDK clients
    //    read AWS_ENDPOINT_URL_* when the handler modules create them, so set these first.
    const environment: Record<string, string> = {};
    for (const fn of functions.values()) {
      for (const [name, value] of Object.entries(fn.environment)) {
        environment[name] = String(resolveIntrinsics(value, references));
      }
    }
    Object.assign(process.env, environment, {
      POLICY_JSON: JSON.stringify(policy),
      OPERATOR_EMAILS: environment.OPERATOR_EMAILS || LOCAL_OPERATOR_EMAILS,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_DYNAMODB: database.running.endpoint,
      AWS_ENDPOINT_URL_SFN: sfn.endpoint,
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN",
    });
    for (const fn of functions.values()) {
      const module = (await import(pathToFileURL(path.join(PROJECT_ROOT, fn.entry)).href)) as {
        handler?: TaskHandler;
      };
      if (typeof module.handler !== "function") throw new Error(`${fn.entry} exports no handler`);
      handlers.set(fn.logicalId, module.handler);
    }

    // 5. The HTTP API, with the local-only routes of SPEC.
    const tokens = await LocalTokens.create();
    const extraEndpoints: LocalEndpoint[] = [
      {
        method: "POST",
        path: "/_local/tokens",
        handle: async ({ body }) => {
          let json: unknown;
          try {
            json = JSON.parse(body || "{}");
          } catch {
            json = undefined;
          }
          const parsed = tokenRequestSchema.safeParse(json);
          if (!parsed.success) {
            const errors = parsed.error.issues.map((issue) => ({
              path: issue.path.join("."),
              message: issue.message,
            }));
            return {
              status: 400,
              body: toProblem(validationFailed("body must be { sub, groups?, scopes? }", errors)),
            };
          }
          return { status: 200, body: { accessToken: await tokens.mint(parsed.data) } };
        },
      },
      {
        method: "GET",
        path: "/_local/emails",
        handle: async () => ({ status: 200, body: { items: await ses.emails() } }),
      },
    ];
    const routes = routesFromTemplate(template).map((route) => {
      const handler = handlers.get(route.functionLogicalId);
      if (!handler) throw new Error(`no handler for ${route.method} ${route.path}`);
      return { route, handler: handler as HttpHandler };
    });
    // 6. Scheduled rules (the stalled-request sweep), on timers at the template's rate.
    const schedules = schedulesFromTemplate(template);
    for (const schedule of schedules) {
      const handler = handlers.get(schedule.functionLogicalId);
      if (!handler) throw new Error(`no handler for scheduled ${schedule.functionLogicalId}`);
      const timer = setInterval(() => {
        handler({}).catch((error: unknown) =>
          log(`scheduled ${schedule.functionLogicalId}: ${String(error)}`),
        );
      }, schedule.everyMs);
      timer.unref();
      cleanups.push(async () => clearInterval(timer));
    }

    const gateway = createGateway({ routes, tokens, extraEndpoints, log });
    const port = await listen(gateway, options.port);
    cleanups.push(() => close(gateway));

    return {
      url: `http://127.0.0.1:${port}`,
      database: database.name,
      policy,
      routes: routes.map(({ route }) => ({
        method: route.method,
        path: route.path,
        authorization: route.authorization,
        scopes: route.scopes,
      })),
      schedules,
      stepFunctions,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
