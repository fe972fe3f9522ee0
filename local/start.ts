// Local mode: the synthesized app on one machine. DynamoDB Local, SES, EventBridge, SQS and
// Stripe stand-ins, a Step Functions endpoint (the Standard workflow and the Express starter) and the
// stream pipe that starts each new request's workflow run in this process; the HTTP routes, the
// functions' environment, the state machines and the pipe all come from the template that
// `cdk synth` would deploy.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Server } from "node:http";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import {
  CreateTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { SESClient } from "@aws-sdk/client-ses";
import type { SFNClient } from "@aws-sdk/client-sfn";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ENV } from "../functions/adapters/config.ts";
import {
  createRefundsTableInput,
  createTableInput,
  ORDERS_TABLE,
  REFUNDS_TABLE,
} from "../functions/adapters/dynamodb/table.ts";
import { DEFAULT_POLICY, mergePolicy, type Policy } from "../functions/domain/policy.ts";
import { idSchema } from "../functions/domain/schemas.ts";
import * as z from "../functions/domain/zod.ts";
import { CARRIER_CLIENTS_ENV } from "../functions/http/caller.ts";
import { internalError, toProblem, validationFailed } from "../functions/http/problems.ts";
import { createApp, STACK_NAME } from "../infra/create-app.ts";
import {
  placeholderValues,
  resolveIntrinsics,
  stateMachineDefinition,
  stateMachines,
} from "../infra/definition.ts";
import { PROJECT_ROOT } from "../infra/lambda-defaults.ts";
import { createConsoleFiles } from "./console-files.ts";
import { type RunningDynamoDb, startDynamoDbLocal } from "./dynamodb.ts";
import { LocalEventBridge } from "./eventbridge.ts";
import { FaultInjector, faultSpecSchema, installFaults } from "./faults.ts";
import { createGateway, type HttpHandler, type LocalEndpoint, lambdaContext } from "./gateway.ts";
import { guardHost } from "./host-guard.ts";
import { LocalTokens } from "./jwt.ts";
import { LocalPaymentProvider } from "./payments.ts";
import { LocalPipe, type PipeTimings, pipesFromTemplate } from "./pipes.ts";
import { LocalSealStore } from "./seals.ts";
import { LocalSes } from "./ses.ts";
import { startSfnEndpoint } from "./sfn-endpoint.ts";
import { LocalSqs } from "./sqs.ts";
import { LocalStepFunctions, type TaskHandler } from "./step-functions.ts";
import { LocalStripe, type LocalStripeInfo, type LocalStripeOptions } from "./stripe/server.ts";
import {
  functionsFromTemplate,
  type LocalSchedule,
  routesFromTemplate,
  schedulesFromTemplate,
  type Template,
} from "./template.ts";

export const LOCAL_TABLE_NAME = "shipped-cancellation-orders";
export const LOCAL_REFUNDS_TABLE_NAME = "shipped-cancellation-refunds";

/** The template's tables, told apart by their partition key, and how local mode creates each. */
const LOCAL_TABLES: { partitionKey: string; name: string; create: CreateTableInput }[] = [
  {
    partitionKey: ORDERS_TABLE.partitionKey.name,
    name: LOCAL_TABLE_NAME,
    create: createTableInput,
  },
  {
    partitionKey: REFUNDS_TABLE.partitionKey.name,
    name: LOCAL_REFUNDS_TABLE_NAME,
    create: createRefundsTableInput,
  },
];
type CreateTableInput = (tableName: string) => CreateTableCommandInput;

const localTableFor = (logicalId: string, properties: Record<string, unknown> | undefined) => {
  const keySchema = (properties?.KeySchema ?? []) as { AttributeName: string; KeyType: string }[];
  const hashKey = keySchema.find((key) => key.KeyType === "HASH")?.AttributeName;
  const table = LOCAL_TABLES.find((candidate) => candidate.partitionKey === hashKey);
  if (!table) throw new Error(`table ${logicalId} (key ${hashKey}) is not one local mode knows`);
  return table;
};
const REGION = "ap-northeast-1";
const ACCOUNT = "000000000000";
/** The stand-ins accept any credentials; these are the ones local mode hands out. Clients get
 * copies: the SDK writes bookkeeping into the credentials object it is given. */
const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
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
  /** How fast the stand-ins poll and retry (tests make them fast); the defaults resemble AWS. */
  timings?: LocalTimings;
}

export interface LocalTimings {
  /** The stream pipe's polls and its retry backoff (local/pipes.ts DEFAULT_PIPE_TIMINGS). */
  pipes?: Partial<PipeTimings>;
  /**
   * Milliseconds between a state's Retry attempts, by state name, in every state machine
   * (without one, each waits its interval, backoff and jitter as on AWS).
   */
  stateRetryIntervals?: Record<string, number>;
  /** The Stripe stand-in's settlements and webhook redeliveries (local/stripe/server.ts). */
  stripe?: LocalStripeOptions["timings"];
}

export interface LocalMode {
  url: string;
  /** The database stand-in ("DynamoDB Local"). */
  database: string;
  policy: Policy;
  routes: { method: string; path: string; authorization: string; scopes: string[] }[];
  /** Scheduled rules of the template, run on timers. */
  schedules: LocalSchedule[];
  /** The Standard cancellation workflow. */
  stepFunctions: LocalStepFunctions;
  /** Every state machine of the template (the workflow and the Express starter), by ARN. */
  stateMachines: ReadonlyMap<string, LocalStepFunctions>;
  /** The stream pipes of the template. */
  pipes: LocalPipe[];
  /** The SQS stand-in (the pipe's dead-letter queue). */
  sqs: LocalSqs;
  /** The Stripe stand-in (its events, its webhook deliveries). */
  stripe: LocalStripe;
  /** The faults `/_local/faults` manages, on every SDK client local mode runs. */
  faults: FaultInjector;
  /** Those SDK clients (the handlers' and the workflow's), for measuring hooks (`npm run bench`). */
  awsClients: LocalAwsClients;
  /** The synthesized template local mode runs. */
  template: Template;
  stop: () => Promise<void>;
}

/** Every AWS SDK client local mode runs, by service (a document client shares its client's stack). */
export interface LocalAwsClients {
  dynamodb: (DynamoDBClient | DynamoDBDocumentClient)[];
  stepfunctions: SFNClient[];
  ses: SESClient[];
  eventbridge: EventBridgeClient[];
  sqs: SQSClient[];
}

/** What `GET /_local/info` answers: how AWS SDK clients and the AWS CLI reach the stand-ins. */
export interface LocalInfo {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stepFunctionsEndpoint: string;
  stateMachineArn: string;
  dynamodbEndpoint: string;
  tableName: string;
  sesEndpoint: string;
  eventBridgeEndpoint: string;
  sqsEndpoint: string;
  /** The Stripe stand-in, for the official `stripe` package (SPEC "Payment providers"). */
  stripe: LocalStripeInfo;
}

/** A scheduled function as EventBridge invokes it. */
type ScheduledHandler = (
  event: unknown,
  context: ReturnType<typeof lambdaContext>,
) => Promise<unknown>;

const tokenRequestSchema = z
  .strictObject({
    sub: idSchema,
    groups: z.optional(z.array(z.enum(["buyers", "sellers", "operators"])).check(z.maxLength(3))),
    scopes: z.optional(z.array(z.enum(["orders/write", "carrier/events"])).check(z.maxLength(2))),
    // The one carrier (`shipment.carrier`, e.g. yamato) the token may report for, as a deployed
    // carrier's own app client; without it a carrier token may report for any carrier.
    carrier: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  })
  .check(
    z.refine(
      (request) => request.carrier === undefined || !!request.scopes?.includes("carrier/events"),
      {
        path: ["carrier"],
        message: "is for carrier clients: give it with the scope carrier/events",
      },
    ),
  );

type Issues = { path: PropertyKey[]; message: string }[];

/** 400 with the same problem document the API's handlers answer for an invalid body. */
const badBody = (detail: string, issues: Issues) => ({
  status: 400,
  body: toProblem(
    validationFailed(
      detail,
      issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })),
    ),
  ),
});

const parseBody = (body: string): unknown => {
  try {
    return JSON.parse(body || "{}");
  } catch {
    return undefined;
  }
};

const loadPolicy = async (policyFile: string | undefined): Promise<Policy> => {
  if (!policyFile) return DEFAULT_POLICY;
  const text = await readFile(policyFile, "utf8");
  return mergePolicy(JSON.parse(text));
};

/**
 * DynamoDB Local on Java 17+: the pipe reads the orders table's stream, which dynalite does not
 * serve; without Java, local mode says so.
 */
const startDatabase = async (
  dataDir: string | undefined,
): Promise<{ running: RunningDynamoDb; name: string }> => {
  try {
    return { running: await startDynamoDbLocal({ dataDir }), name: "DynamoDB Local" };
  } catch (error) {
    if (!/needs Java/.test((error as Error).message)) throw error;
    throw new Error(
      "local mode runs DynamoDB Local, which needs Java 17 or later on the PATH " +
        "(Debian: apt-get install openjdk-17-jre-headless)",
    );
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
    const database = await startDatabase(options.dataDir);
    cleanups.push(() => database.running.stop());
    const ses = await LocalSes.start();
    cleanups.push(() => ses.stop());
    const eventBridge = await LocalEventBridge.start();
    cleanups.push(() => eventBridge.stop());
    const sqs = await LocalSqs.start({ account: ACCOUNT, region: REGION });
    cleanups.push(() => sqs.stop());

    const references: Record<string, string> = {
      ...placeholderValues(template, { account: ACCOUNT, region: REGION }),
    };
    // Each queue on the SQS stand-in, named after its logical id: Ref is its URL.
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== "AWS::SQS::Queue") continue;
      const queueUrl = sqs.createQueue(logicalId);
      references[logicalId] = queueUrl;
      references[`${logicalId}.QueueUrl`] = queueUrl;
      references[`${logicalId}.Arn`] = `arn:aws:sqs:${REGION}:${ACCOUNT}:${logicalId}`;
      references[`${logicalId}.QueueName`] = logicalId;
    }
    const tables = new Set<(typeof LOCAL_TABLES)[number]>();
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (
        resource.Type === "AWS::DynamoDB::GlobalTable" ||
        resource.Type === "AWS::DynamoDB::Table"
      ) {
        const table = localTableFor(logicalId, resource.Properties);
        references[logicalId] = table.name;
        tables.add(table);
      }
    }
    const lowLevel = new DynamoDBClient({
      endpoint: database.running.endpoint,
      region: REGION,
      credentials: { ...CREDENTIALS },
    });
    cleanups.push(async () => lowLevel.destroy());
    for (const table of tables) {
      try {
        await lowLevel.send(new CreateTableCommand(table.create(table.name)));
      } catch (error) {
        // Kept from an earlier run in DATA_DIR.
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }

    // 3. Step Functions: each state machine of the template on its own interpreter (the Standard
    //    workflow, the Express starter); Lambda tasks call the handler modules, the starter's
    //    `states:startExecution` tasks start the workflow's executions in-process.
    const functions = functionsFromTemplate(template);
    const handlers = new Map<string, TaskHandler>();
    const faults = new FaultInjector();
    // The Stripe stand-in draws its faults (target `stripe`) from the same injector; its webhook
    // endpoint is the gateway's, set once the gateway listens.
    const stripe = await LocalStripe.start({
      faults,
      log,
      ...(options.timings?.stripe ? { timings: options.timings.stripe } : {}),
    });
    cleanups.push(() => stripe.stop());
    // The workflow's own DynamoDB calls. One attempt: Step Functions hands an integration's error
    // to the state's Retry and Catch instead of retrying it inside, so injected faults reach them.
    const integrations = new DynamoDBClient({
      endpoint: database.running.endpoint,
      region: REGION,
      credentials: { ...CREDENTIALS },
      maxAttempts: 1,
    });
    cleanups.push(async () => integrations.destroy());
    const machines = new Map<string, LocalStepFunctions>();
    for (const { logicalId, type } of stateMachines(template)) {
      const stateMachineArn = String(references[logicalId]);
      machines.set(
        stateMachineArn,
        new LocalStepFunctions({
          stateMachineArn,
          type,
          definition: stateMachineDefinition(template, references, logicalId) as never,
          dynamoDb: integrations,
          lambdas: (arn) => handlers.get(arn.split(":function:")[1] ?? ""),
          stateMachines: (arn) => machines.get(arn),
          faults,
          ...(options.timings?.stateRetryIntervals
            ? { retryIntervalOverrides: options.timings.stateRetryIntervals }
            : {}),
        }),
      );
    }
    const [stepFunctions, ...otherStandard] = [...machines.values()].filter(
      (machine) => machine.type === "STANDARD",
    );
    if (!stepFunctions || otherStandard.length > 0) {
      throw new Error("the app must have one Standard state machine (the workflow)");
    }
    const stateMachineArn = stepFunctions.stateMachineArn;
    cleanups.push(async () => {
      for (const machine of machines.values()) machine.abortAll();
      await Promise.all([...machines.values()].map((machine) => machine.settle()));
    });
    const sfn = await startSfnEndpoint([...machines.values()]);
    cleanups.push(() => close(sfn.server));

    // 4. The functions' environment, from the template, pointed at the stand-ins. The SDK clients
    //    read AWS_ENDPOINT_URL_* when the handler modules create them, so set these first.
    const environment: Record<string, string> = {};
    for (const fn of functions.values()) {
      for (const [name, value] of Object.entries(fn.environment)) {
        // The distribution's address: here local mode's own, set once the gateway listens.
        if (name === ENV.publicOrigin) continue;
        environment[name] = String(resolveIntrinsics(value, references));
      }
    }
    // No app client per carrier here: a local token names its carrier in its `carrier` claim
    // (POST /_local/tokens), which binds it only while no client mapping is set.
    delete environment[CARRIER_CLIENTS_ENV];
    delete process.env[CARRIER_CLIENTS_ENV];
    Object.assign(process.env, environment, {
      POLICY_JSON: JSON.stringify(policy),
      OPERATOR_EMAILS: environment.OPERATOR_EMAILS || LOCAL_OPERATOR_EMAILS,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: database.running.endpoint,
      AWS_ENDPOINT_URL_SFN: sfn.endpoint,
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
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
    // The payment provider every handler shares (built once per process, as in a Lambda
    // container): the ledger adapter, behind the local provider's faults and counts. Set before
    // any handler runs: production.ts builds the provider on its first refund.
    const production = await import("../functions/adapters/production.ts");
    let payments: LocalPaymentProvider | undefined;
    production.wrapPayments((ledger) => {
      payments = new LocalPaymentProvider(ledger, faults);
      return payments;
    });
    // Stripe orders' refunds, webhooks and checks go to the stand-in through the official SDK,
    // with its keys (deployed, the account comes from Secrets Manager: stripe-account.ts).
    const { useStripeAccount } = await import("../functions/adapters/stripe-account.ts");
    useStripeAccount({
      secretKey: stripe.secretKey,
      webhookSecret: stripe.webhookSecret,
      host: "127.0.0.1",
      port: stripe.port,
      protocol: "http",
    });
    cleanups.push(async () => useStripeAccount(undefined));
    // The audit seals' bucket: digests in memory, or under DATA_DIR (deployed: S3 Object Lock).
    const seals = new LocalSealStore(options.dataDir);
    production.useSealStore(seals);
    // The handlers' clients, created now (they read the endpoints above; the lazy ones would
    // otherwise wait for their first call): faults go on them, and on the workflow's DynamoDB
    // client. The document client shares its client's stack.
    const clients = await import("../functions/adapters/aws-clients.ts");
    const awsClients: LocalAwsClients = {
      dynamodb: [clients.dynamoDb(), integrations],
      stepfunctions: [await clients.stepFunctions()],
      ses: [await clients.ses()],
      eventbridge: [await clients.eventBridge()],
      sqs: [await clients.sqs()],
    };
    installFaults(faults, awsClients);

    // The stream pipes: the orders table's changes that open a request → the Express starter.
    const streams = new DynamoDBStreamsClient({
      endpoint: database.running.endpoint,
      region: REGION,
      credentials: { ...CREDENTIALS },
    });
    cleanups.push(async () => streams.destroy());
    const pipes = pipesFromTemplate(template, references).map((definition) => {
      const target = machines.get(definition.targetArn);
      if (target?.type !== "EXPRESS") {
        throw new Error(
          `pipe ${definition.logicalId}: its target must be an Express state machine`,
        );
      }
      const deadLetterUrl = definition.deadLetterArn
        ? sqs.queueUrlOfArn(definition.deadLetterArn)
        : undefined;
      if (definition.deadLetterArn && !deadLetterUrl) {
        throw new Error(`pipe ${definition.logicalId}: no local queue ${definition.deadLetterArn}`);
      }
      return new LocalPipe({
        definition,
        tableName: String(references[definition.tableLogicalId]),
        dynamoDb: lowLevel,
        streams,
        deliver: async (input) => {
          const execution = await target.startSyncExecution(randomUUID(), input);
          return execution.status === "SUCCEEDED"
            ? { ok: true }
            : { ok: false, error: `${execution.status}: ${execution.error ?? ""}` };
        },
        ...(deadLetterUrl
          ? { deadLetter: async (body: string) => void sqs.sendMessage(deadLetterUrl, body) }
          : {}),
        faults,
        region: REGION,
        log,
        ...(options.timings?.pipes ? { timings: options.timings.pipes } : {}),
      });
    });
    // Each starts from the stream's LATEST position, as a new pipe does (after a restart on
    // DATA_DIR too: the sweep below resumes what is open).
    for (const pipe of pipes) {
      await pipe.start();
      cleanups.push(() => pipe.stop());
    }

    // 5. Scheduled rules (the reconciler, the audit seal), on timers at the template's rate;
    //    `/_local/sweep` runs them now, one after another in the template's order (the seal last,
    //    so it covers what the reconciler just wrote), as if their grace periods had passed.
    const schedules = schedulesFromTemplate(template);
    const scheduled = schedules.map((schedule) => {
      const handler = handlers.get(schedule.functionLogicalId) as ScheduledHandler | undefined;
      if (!handler) throw new Error(`no handler for scheduled ${schedule.functionLogicalId}`);
      return { schedule, handler };
    });
    for (const { schedule, handler } of scheduled) {
      const timer = setInterval(() => {
        handler({}, lambdaContext(schedule.functionLogicalId)).catch((error: unknown) =>
          log(`scheduled ${schedule.functionLogicalId}: ${String(error)}`),
        );
      }, schedule.everyMs);
      timer.unref();
      cleanups.push(async () => clearInterval(timer));
    }
    const sweep = async () => {
      const results: unknown[] = [];
      for (const { schedule, handler } of scheduled) {
        results.push(await handler({ graceSeconds: 0 }, lambdaContext(schedule.functionLogicalId)));
      }
      return results;
    };

    // 6. The HTTP API, with the local-only routes of SPEC.
    const tokens = await LocalTokens.create();
    const info: LocalInfo = {
      region: REGION,
      ...CREDENTIALS,
      stepFunctionsEndpoint: sfn.endpoint,
      stateMachineArn,
      dynamodbEndpoint: database.running.endpoint,
      tableName: LOCAL_TABLE_NAME,
      sesEndpoint: ses.endpoint,
      eventBridgeEndpoint: eventBridge.endpoint,
      sqsEndpoint: sqs.endpoint,
      stripe: stripe.info(),
    };
    const extraEndpoints: LocalEndpoint[] = [
      {
        method: "POST",
        path: "/_local/tokens",
        handle: async ({ body }) => {
          const parsed = tokenRequestSchema.safeParse(parseBody(body));
          if (!parsed.success) {
            return badBody("body must be { sub, groups?, scopes?, carrier? }", parsed.error.issues);
          }
          return { status: 200, body: { accessToken: await tokens.mint(parsed.data) } };
        },
      },
      {
        method: "GET",
        path: "/_local/payments",
        handle: async () => ({ status: 200, body: { items: payments?.list() ?? [] } }),
      },
      {
        method: "GET",
        path: "/_local/emails",
        handle: async () => ({ status: 200, body: { items: await ses.emails() } }),
      },
      {
        method: "GET",
        path: "/_local/events",
        handle: async () => ({
          status: 200,
          body: {
            items: eventBridge
              .list()
              .map(({ detailType, detail, at }) => ({ detailType, detail, at })),
          },
        }),
      },
      {
        method: "GET",
        path: "/_local/seals",
        handle: async () => ({ status: 200, body: { items: await seals.list() } }),
      },
      {
        method: "GET",
        path: "/_local/queues",
        handle: async () => ({ status: 200, body: { items: sqs.list() } }),
      },
      {
        method: "GET",
        path: "/_local/info",
        handle: async () => ({ status: 200, body: info }),
      },
      {
        method: "POST",
        path: "/_local/faults",
        handle: async ({ body }) => {
          const parsed = faultSpecSchema.safeParse(parseBody(body));
          if (!parsed.success) {
            return badBody(
              "body must be { target, operation?, error, rate?, count? }",
              parsed.error.issues,
            );
          }
          return { status: 201, body: faults.add(parsed.data) };
        },
      },
      {
        method: "GET",
        path: "/_local/faults",
        handle: async () => ({ status: 200, body: { items: faults.list() } }),
      },
      {
        method: "DELETE",
        path: "/_local/faults",
        handle: async () => ({ status: 200, body: { items: [], removed: faults.clear() } }),
      },
      {
        method: "POST",
        path: "/_local/sweep",
        handle: async () => {
          try {
            return { status: 200, body: { results: await sweep() } };
          } catch (error) {
            log(`sweep failed: ${(error as Error).stack ?? String(error)}`);
            return { status: 500, body: internalError() };
          }
        },
      },
    ];
    const routes = routesFromTemplate(template).map((route) => {
      const handler = handlers.get(route.functionLogicalId);
      if (!handler) throw new Error(`no handler for ${route.method} ${route.path}`);
      return { route, handler: handler as HttpHandler };
    });
    // Only requests addressed to 127.0.0.1 or localhost reach it (DNS rebinding: host-guard.ts).
    // The console's page and assets answer what no route does (local/console-files.ts).
    const gateway = guardHost(
      createGateway({ routes, tokens, extraEndpoints, fallback: createConsoleFiles(), log }),
    );
    const port = await listen(gateway, options.port);
    cleanups.push(() => close(gateway));
    // The seller's mail links (decision links, the console) to this very address (SPEC "Local mode").
    process.env[ENV.publicOrigin] = `http://127.0.0.1:${port}`;
    // Stripe's webhooks go to the service's route (SPEC "Payment providers"). Until the service
    // answers 2xx there, each event is redelivered a bounded number of times, then given up with
    // one log line.
    stripe.setWebhookUrl(`http://127.0.0.1:${port}/webhooks/stripe`);
    // Executions live in this process: after a restart on kept data, every open request is
    // resumed from its stored status (and notices still due are sent) by the reconciler.
    if (options.dataDir) {
      const results = await sweep();
      log(`resumed after restart: ${JSON.stringify(results)}`);
    }

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
      stateMachines: machines,
      pipes,
      sqs,
      stripe,
      faults,
      awsClients,
      template,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
};
