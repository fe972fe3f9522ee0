// How a new cancellation request's workflow starts: off the API's request path, from the orders
// table's stream. An EventBridge pipe reads the stream, keeps only the changes that open a request
// (the order's active request goes from none to one), and hands them to a small Express state
// machine that starts the request's Standard execution named by the request id (a pipe cannot
// name an execution; a start with the same name and input is the same execution, so a stream
// record delivered twice starts nothing twice). A batch the pipe cannot deliver after its retries
// goes to a dead-letter queue, alarmed; the reconciler starts what never began and drains it.
//
//   orders table ─stream→ pipe (filter: a request opened) ─→ StartRequestWorkflows (Express)
//        └─ Map: StartRequestWorkflow (states:startExecution, name = requestId) → the workflow
import { Duration } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as pipes from "aws-cdk-lib/aws-pipes";
import * as sqs from "aws-cdk-lib/aws-sqs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import * as tasks from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Construct } from "constructs";
import { acknowledge } from "./nag.ts";

/** State names of the starter, for tests, local mode and anyone reading its executions. */
export const START_STATES = {
  each: "StartRequestWorkflows",
  start: "StartRequestWorkflow",
  alreadyStarted: "AlreadyStarted",
} as const;

/** The starter's answer when the execution of that name exists (optimized integration's name). */
export const ALREADY_STARTED_ERROR = "StepFunctions.ExecutionAlreadyExistsException";

/**
 * The changes that open a request: the order's `activeCancellationRequestId` goes from null to an
 * id (an order has at most one open request, so each new request passes here exactly once). The
 * stream's images are DynamoDB JSON: the order is a map (`M`) and null is `{ "NULL": true }`.
 */
export const NEW_REQUEST_FILTER = {
  eventName: ["MODIFY"],
  dynamodb: {
    NewImage: { order: { M: { activeCancellationRequestId: { S: [{ exists: true }] } } } },
    OldImage: { order: { M: { activeCancellationRequestId: { NULL: [true] } } } },
  },
};

/** Each record as the starter takes it (strings quoted, as a pipe's input template wants). */
export const START_INPUT_TEMPLATE = JSON.stringify({
  orderId: "<$.dynamodb.NewImage.order.M.orderId.S>",
  requestId: "<$.dynamodb.NewImage.order.M.activeCancellationRequestId.S>",
});

/** Records a pipe hands over at once; the starter starts each. */
const BATCH_SIZE = 10;
/** The pipe's tries of a batch before its dead letter. */
const PIPE_RETRIES = 10;

export interface RequestStartsProps {
  /** The orders table, with its stream (new and old images). */
  table: dynamodb.ITableV2;
  /** The cancellation workflow the starter starts. */
  workflow: sfn.IStateMachine;
}

export class RequestStarts extends Construct {
  readonly starter: sfn.StateMachine;
  readonly pipe: pipes.CfnPipe;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: RequestStartsProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error("the orders table needs its stream for the request starts");

    this.deadLetters = new sqs.Queue(this, "DeadLetters", {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetters,
      "AwsSolutions-SQS3",
      "This queue is itself the pipe's dead-letter queue; the reconciler drains it.",
    );

    // One start per record, named by the request id: a repeat is the same execution.
    const start = new tasks.StepFunctionsStartExecution(this, START_STATES.start, {
      stateMachine: props.workflow,
      name: sfn.JsonPath.stringAt("$.requestId"),
      input: sfn.TaskInput.fromObject({
        orderId: sfn.JsonPath.stringAt("$.orderId"),
        requestId: sfn.JsonPath.stringAt("$.requestId"),
        // The workflow's log lines carry the request id as their correlation id.
        correlationId: sfn.JsonPath.stringAt("$.requestId"),
      }),
      taskTimeout: sfn.Timeout.duration(Duration.seconds(10)),
    })
      // Already started (a repeated record, or the reconciler came first): nothing to retry.
      .addRetry({ errors: [ALREADY_STARTED_ERROR], maxAttempts: 0 })
      .addRetry({
        errors: [sfn.Errors.ALL],
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts: 4,
        jitterStrategy: sfn.JitterType.FULL,
      })
      .addCatch(new sfn.Succeed(this, START_STATES.alreadyStarted), {
        errors: [ALREADY_STARTED_ERROR],
      });
    const each = new sfn.Map(this, START_STATES.each, {
      itemsPath: sfn.JsonPath.entirePayload,
      maxConcurrency: BATCH_SIZE,
    }).itemProcessor(start);

    // Kept or deleted with the stack as `protectData` says (stack.ts), like every log group.
    const logGroup = new logs.LogGroup(this, "StarterLogs", {
      retention: logs.RetentionDays.ONE_MONTH,
    });
    this.starter = new sfn.StateMachine(this, "Starter", {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      definitionBody: sfn.DefinitionBody.fromChainable(each),
      timeout: Duration.minutes(1),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledge(
      this.starter.role,
      "AwsSolutions-IAM5[Resource::*]",
      "CloudWatch Logs delivery and X-Ray actions support no resource-level permissions.",
    );

    const role = new iam.Role(this, "PipeRole", {
      assumedBy: new iam.ServicePrincipal("pipes.amazonaws.com"),
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
          "dynamodb:ListStreams",
        ],
        resources: [streamArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["states:StartSyncExecution"],
        resources: [this.starter.stateMachineArn],
      }),
    );
    this.deadLetters.grantSendMessages(role);

    this.pipe = new pipes.CfnPipe(this, "Pipe", {
      description: "Starts each new cancellation request's workflow from the orders table's stream",
      roleArn: role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: "LATEST",
          batchSize: BATCH_SIZE,
          maximumRetryAttempts: PIPE_RETRIES,
          deadLetterConfig: { arn: this.deadLetters.queueArn },
        },
        filterCriteria: { filters: [{ pattern: JSON.stringify(NEW_REQUEST_FILTER) }] },
      },
      target: this.starter.stateMachineArn,
      targetParameters: {
        // Synchronous: a failed start fails the batch, which the pipe retries, then dead-letters.
        stepFunctionStateMachineParameters: { invocationType: "REQUEST_RESPONSE" },
        inputTemplate: START_INPUT_TEMPLATE,
      },
    });
  }
}
