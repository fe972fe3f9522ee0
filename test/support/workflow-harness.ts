// Runs the synthesized cancellation state machine locally, on DynamoDB Local, with the real
// workflow handler modules and the real application services; only SES and the clock's owner
// (the test) are stand-ins. Decisions go through applyEvent exactly as the HTTP handlers do.
import { Logger } from "@aws-lambda-powertools/logger";
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { App, Stack } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import type { Mail, Mailer } from "../../functions/adapters/mailer.ts";
import { OrderStore } from "../../functions/adapters/order-store.ts";
import {
  LedgerPaymentGateway,
  type PaymentGateway,
} from "../../functions/adapters/payment-gateway.ts";
import { WorkflowClient } from "../../functions/adapters/workflow-client.ts";
import type { AppDeps } from "../../functions/app/apply-event.ts";
import { createHandler as createReconcileHandler } from "../../functions/workflow/reconcile.ts";
import { createHandler as createStepHandler } from "../../functions/workflow/step.ts";
import { placeholderValues, stateMachineDefinition } from "../../infra/definition.ts";
import { ENTRY_METADATA } from "../../infra/lambda-defaults.ts";
import { CancellationWorkflow } from "../../infra/workflow.ts";
import { FaultInjector } from "../../local/faults.ts";
import { type Execution, LocalStepFunctions } from "../../local/step-functions.ts";
import { createTestTable, type TestTable } from "./dynamodb.ts";
import { RecordingPublisher } from "./recording-publisher.ts";

const ACCOUNT = "123456789012";
const REGION = "ap-northeast-1";
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:cancellation`;

type CfnResource = {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
};
type Template = { Resources: Record<string, CfnResource> };
type Definition = { StartAt: string; States: Record<string, Record<string, unknown>> };

/** Synthesizes the workflow construct (bundling skipped) and returns its template. */
export const synthesizeWorkflow = (): Template => {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new Stack(app, "WorkflowTest", { env: { account: ACCOUNT, region: REGION } });
  const table = new dynamodb.TableV2(stack, "Orders", {
    partitionKey: { name: "pk", type: dynamodb.AttributeType.STRING },
    sortKey: { name: "sk", type: dynamodb.AttributeType.STRING },
  });
  const refundsTable = new dynamodb.TableV2(stack, "Refunds", {
    partitionKey: { name: "refundId", type: dynamodb.AttributeType.STRING },
  });
  new CancellationWorkflow(stack, "Workflow", { table, refundsTable, environment: {} });
  return app.synth().getStackByName("WorkflowTest").template as Template;
};

/** Keeps what it sends; `failures` > 0 makes that many next sends fail, as an SES outage would. */
export class CapturingMailer implements Mailer {
  readonly sent: Mail[] = [];
  failures = 0;
  async send(mail: Mail): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw Object.assign(new Error("SES is unavailable"), { name: "ServiceUnavailable" });
    }
    this.sent.push(mail);
  }
}

export interface WorkflowHarness {
  local: LocalStepFunctions;
  deps: AppDeps & { gateway: PaymentGateway };
  mailer: CapturingMailer;
  ledger: LedgerPaymentGateway;
  definition: Definition;
  /** The execution named `name` (a request's first execution is named by its id). */
  execution: (name: string) => Execution;
  /** Faults of the local Step Functions service (Lambda tasks fail as the Lambda service would). */
  faults: FaultInjector;
  /** How many next SendTaskSuccess/Failure calls fail as an SFN outage would. */
  signalFailures: { count: number };
  /** Runs the reconciler as its schedule does (an EventBridge event, grace periods in force). */
  reconcileOnSchedule: () => ReturnType<ReturnType<typeof createReconcileHandler>>;
  /** Runs the scheduled reconciler now, grace periods over. */
  reconcile: () => ReturnType<ReturnType<typeof createReconcileHandler>>;
}

/**
 * Wires the synthesized definition to `table`. `gateway` replaces the ledger (to inject faults);
 * `now` is the clock the handlers read.
 */
/** The orders table and the payment ledger's, both on DynamoDB Local. */
export interface WorkflowTables {
  orders: TestTable;
  refunds: TestTable;
}

export const createWorkflowTables = async (prefix: string): Promise<WorkflowTables> => ({
  orders: await createTestTable("dynamodb-local", prefix),
  refunds: await createTestTable("dynamodb-local", `${prefix}-refunds`, "refunds"),
});

export const dropWorkflowTables = async (tables: WorkflowTables | undefined) => {
  await tables?.orders.drop();
  await tables?.refunds.drop();
};

export const createWorkflowHarness = (
  tables: WorkflowTables,
  template: Template,
  options: { gateway?: PaymentGateway } = {},
): WorkflowHarness => {
  const { orders: table, refunds } = tables;
  // Placeholder ARNs for every reference, the orders table by its test name.
  const references: Record<string, string> = placeholderValues(template, {
    account: ACCOUNT,
    region: REGION,
  });
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type === "AWS::DynamoDB::GlobalTable") {
      references[logicalId] = logicalId.startsWith("Refunds") ? refunds.tableName : table.tableName;
    }
  }
  const definition = stateMachineDefinition(template, references) as Definition;

  const store = new OrderStore({ client: table.client, tableName: table.tableName });
  const mailer = new CapturingMailer();
  const ledger = new LedgerPaymentGateway({
    client: refunds.client,
    tableName: refunds.tableName,
  });
  const sfn = new SFNClient({ region: REGION });
  const deps: AppDeps & { gateway: PaymentGateway } = {
    store,
    mailer,
    workflow: new WorkflowClient({ client: sfn, stateMachineArn: STATE_MACHINE_ARN }),
    events: new RecordingPublisher(),
    gateway: options.gateway ?? ledger,
    operatorEmails: ["ops@example.com"],
    logger: new Logger({ serviceName: "workflow-test", logLevel: "SILENT" }),
    now: () => new Date().toISOString(),
  };

  // Lambda-task faults (target `stepfunctions`, operation = a state's name), as local mode has.
  const faults = new FaultInjector();
  const handlersByEntry: Record<string, (input: unknown) => Promise<unknown>> = {
    "functions/workflow/step.ts": createStepHandler(() => deps),
  };
  const local = new LocalStepFunctions({
    stateMachineArn: STATE_MACHINE_ARN,
    definition,
    dynamoDb: table.client,
    lambdas: (arn) => {
      const logicalId = arn.split(":function:")[1] ?? "";
      const entry = template.Resources[logicalId]?.Metadata?.[ENTRY_METADATA];
      return typeof entry === "string" ? handlersByEntry[entry] : undefined;
    },
    // Retries keep their count but not their pauses, so failure paths run in milliseconds.
    retryIntervalOverrides: Object.fromEntries(
      Object.keys(definition.States).map((name) => [name, 0]),
    ),
    faults,
  });

  // The real WorkflowClient, its SFN calls answered by the local service.
  const sfnMock = mockClient(sfn);
  const signalFailures = { count: 0 };
  const failSignal = () => {
    if (signalFailures.count <= 0) return;
    signalFailures.count -= 1;
    throw Object.assign(new Error("Step Functions is unavailable"), {
      name: "ServiceUnavailable",
      $fault: "server",
    });
  };
  sfnMock.on(StartExecutionCommand).callsFake((input) => {
    const execution = local.startExecution(input.name, input.input);
    return { executionArn: execution.executionArn, startDate: execution.startDate };
  });
  sfnMock.on(SendTaskSuccessCommand).callsFake((input) => {
    failSignal();
    local.sendTaskSuccess(input.taskToken, input.output);
    return {};
  });
  sfnMock.on(SendTaskFailureCommand).callsFake((input) => {
    failSignal();
    local.sendTaskFailure(input.taskToken, input.error, input.cause);
    return {};
  });
  sfnMock.on(DescribeExecutionCommand).callsFake((input) => {
    const { executionArn, name, status } = local.describeExecution(input.executionArn);
    return { executionArn, name, status };
  });
  sfnMock.on(ListExecutionsCommand).callsFake((input) => ({
    executions: local
      .listExecutions()
      .filter((execution) => !input.statusFilter || execution.status === input.statusFilter)
      .map((execution) => ({ name: execution.name, status: execution.status })),
  }));
  const reconcile = createReconcileHandler(() => deps);

  return {
    local,
    deps,
    mailer,
    ledger,
    definition,
    execution: (name) =>
      local.describeExecution(`arn:aws:states:${REGION}:${ACCOUNT}:execution:cancellation:${name}`),
    faults,
    signalFailures,
    reconcile: () => reconcile({ graceSeconds: 0 }),
    reconcileOnSchedule: () =>
      reconcile({ source: "aws.events", "detail-type": "Scheduled Event", detail: {} }),
  };
};

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export const eventually = async <T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
