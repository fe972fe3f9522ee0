// Runs the synthesized cancellation state machine locally, on DynamoDB Local, with the real
// workflow handler modules, the real application services and the real DynamoDB and Step
// Functions adapters; SES, EventBridge and the clock's owner (the test) are stand-ins. Changes go
// through changeOrder exactly as the HTTP handlers do, and `startFromStream` does what the
// table's stream and its pipe do for a new request (local mode runs the pipe itself).
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { App, Stack } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { DynamoAttentionIndex } from "../../functions/adapters/dynamodb/attention-index.ts";
import { DynamoExecutionRecords } from "../../functions/adapters/dynamodb/execution-records.ts";
import { DynamoOrders } from "../../functions/adapters/dynamodb/orders.ts";
import { LedgerPayments } from "../../functions/adapters/ledger-payments.ts";
import {
  StepFunctionsExecutions,
  StepFunctionsSignals,
} from "../../functions/adapters/step-functions.ts";
import type { ChangeDeps } from "../../functions/app/change-order.ts";
import type { Payments } from "../../functions/app/ports.ts";
import type { ReconcileDeps } from "../../functions/app/reconcile.ts";
import type { Measurement } from "../../functions/domain/change-metrics.ts";
import { createHandler as createReconcileHandler } from "../../functions/workflow/reconcile.ts";
import {
  createHandler as createStepHandler,
  type StepDeps,
} from "../../functions/workflow/step.ts";
import { placeholderValues, stateMachineDefinition } from "../../infra/definition.ts";
import { ENTRY_METADATA } from "../../infra/lambda-defaults.ts";
import { CancellationWorkflow } from "../../infra/workflow.ts";
import { FaultInjector } from "../../local/faults.ts";
import { type Execution, LocalStepFunctions } from "../../local/step-functions.ts";
import { createTestTable, type TestTable } from "./dynamodb.ts";
import {
  FakeDeadLetters,
  FakeLog,
  FakeMailer,
  FakeMetrics,
  FakePublisher,
  OPERATOR_EMAILS,
} from "./fakes.ts";

const ACCOUNT = "123456789012";
const REGION = "ap-northeast-1";
const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:cancellation`;

/** The metrics of a run, and each EMF line (a change's, a sweep's) by its metrics' names. */
export class RecordingMetrics extends FakeMetrics {
  readonly lines: string[][] = [];
  override measure(measurements: readonly Measurement[]) {
    super.measure(measurements);
    // The Powertools adapter publishes no line for no measurements.
    if (measurements.length > 0) this.lines.push(measurements.map((m) => m.name));
  }
}

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

export interface WorkflowHarness {
  local: LocalStepFunctions;
  orders: DynamoOrders;
  /** What a change takes (the decision, withdrawal, delivery and retry routes'). */
  changeDeps: ChangeDeps;
  /** The workflow step's and the reconciler's. */
  stepDeps: StepDeps;
  reconcileDeps: ReconcileDeps;
  mailer: FakeMailer;
  publisher: FakePublisher;
  metrics: RecordingMetrics;
  log: FakeLog;
  ledger: LedgerPayments;
  definition: Definition;
  /** What the table's stream and its pipe do for a new request: start it, named by its id. */
  startFromStream: (ids: { orderId: string; requestId: string }) => void;
  /** The execution named `name` (a request's first execution is named by its id). */
  execution: (name: string) => Execution;
  /** Faults of the local Step Functions service (Lambda tasks fail as the Lambda service would). */
  faults: FaultInjector;
  /** How many next SendTaskSuccess calls fail as an SFN outage would. */
  signalFailures: { count: number };
  /** Runs the reconciler as its schedule does (an EventBridge event, grace periods in force). */
  reconcileOnSchedule: () => ReturnType<ReturnType<typeof createReconcileHandler>>;
  /** Runs the scheduled reconciler now, grace periods over. */
  reconcile: () => ReturnType<ReturnType<typeof createReconcileHandler>>;
}

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

/**
 * Wires the synthesized definition to `tables`. `payments` replaces the ledger (to inject faults).
 */
export const createWorkflowHarness = (
  tables: WorkflowTables,
  template: Template,
  options: { payments?: Payments } = {},
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

  const adapterOptions = { client: table.client, tableName: table.tableName };
  const orders = new DynamoOrders(adapterOptions);
  const ledger = new LedgerPayments({ client: refunds.client, tableName: refunds.tableName });
  const sfn = new SFNClient({ region: REGION });
  const mailer = new FakeMailer();
  const publisher = new FakePublisher();
  const metrics = new RecordingMetrics();
  const log = new FakeLog();
  const clock = { now: () => new Date().toISOString() };
  const signals = new StepFunctionsSignals(sfn);
  const notices = {
    mailer,
    events: publisher,
    clock,
    log,
    metrics,
    operatorEmails: OPERATOR_EMAILS,
  };
  const executionRecords = new DynamoExecutionRecords(adapterOptions);
  const stepDeps: StepDeps = {
    ...notices,
    orders,
    payments: options.payments ?? ledger,
    executionRecords,
  };
  const reconcileDeps: ReconcileDeps = {
    clock,
    log,
    metrics,
    orders,
    attention: new DynamoAttentionIndex(adapterOptions),
    executions: new StepFunctionsExecutions({ client: sfn, stateMachineArn: STATE_MACHINE_ARN }),
    executionRecords,
    signals,
    failedStarts: new FakeDeadLetters(),
  };

  // Lambda-task faults (target `stepfunctions`, operation = a state's name), as local mode has.
  const faults = new FaultInjector();
  const handlersByEntry: Record<string, (input: unknown) => Promise<unknown>> = {
    "functions/workflow/step.ts": createStepHandler(() => stepDeps),
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

  // The real Step Functions adapters, their calls answered by the local service.
  const sfnMock = mockClient(sfn);
  const signalFailures = { count: 0 };
  sfnMock.on(StartExecutionCommand).callsFake((input) => {
    const execution = local.startExecution(input.name, input.input);
    return { executionArn: execution.executionArn, startDate: execution.startDate };
  });
  sfnMock.on(SendTaskSuccessCommand).callsFake((input) => {
    if (signalFailures.count > 0) {
      signalFailures.count -= 1;
      throw Object.assign(new Error("Step Functions is unavailable"), {
        name: "ServiceUnavailable",
        $fault: "server",
      });
    }
    local.sendTaskSuccess(input.taskToken, input.output);
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
  const reconcile = createReconcileHandler(() => reconcileDeps);

  return {
    local,
    orders,
    changeDeps: { orders, signals, clock, log },
    stepDeps,
    reconcileDeps,
    mailer,
    publisher,
    metrics,
    log,
    ledger,
    definition,
    startFromStream: ({ orderId, requestId }) => {
      const input = { orderId, requestId, correlationId: requestId };
      local.startExecution(requestId, JSON.stringify(input));
    },
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
