// The cancellation workflow: a Standard state machine (JSONPath) driven by the request's status.
// Every step ends by asking the record what comes next (RouteByStatus), so a lost or duplicate
// signal, or a race between a person and a timer, settles on whatever the stored status says.
//
//   StartRequest → RouteByStatus ─┬─ WaitForSellerBeforeReminder ─timeout→ RemindSeller ─┐
//                                 ├─ WaitForSellerDecision ─timeout→ ApplySellerTimeout ──┤
//                                 ├─ ApproveByPolicy ─────────────────────────────────────┤
//                                 ├─ WaitForOperatorDecision ─timeout→ ApplyMarketplaceTimeout
//                                 ├─ InstructRefund → MakeRefund (retry, backoff) ─fail→ RecordRefundFailure
//                                 ├─ WaitForRefundRetry ─timeout→ RetryRefundAfterWait ───┤
//                                 ├─ MarkCompleted ───────────────────────────────────────┘
//                                 └─ Done
// A wait that ends by a person's signal, a withdrawal or a delivery goes to ReadStatus → RouteByStatus.
// Every Task retries transient AWS errors (throttling, 5xx, Lambda service errors) with backoff
// and jitter; whatever still fails is caught by RecordWorkflowFailure → WorkflowFailed, and the
// scheduled reconciler resumes the request from its stored status under a new execution.
import { type CfnElement, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import * as tasks from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Construct } from "constructs";
import {
  TASK_TOKEN_CONDITION_EXPRESSION,
  TASK_TOKEN_UPDATE_EXPRESSION,
} from "../functions/adapters/order-store.ts";
import type { WaitCancelError } from "../functions/domain/events.ts";
import type { RequestStatus } from "../functions/domain/types.ts";
import type { NextStep } from "../functions/domain/workflow-plan.ts";
import type { StepAction } from "../functions/workflow/step.ts";
import { createFunction } from "./lambda-defaults.ts";
import { acknowledge } from "./nag.ts";

/** State names: stable, exported for tests, local mode and anyone reading execution histories. */
export const STATES = {
  start: "StartRequest",
  route: "RouteByStatus",
  readStatus: "ReadStatus",
  waitSellerReminder: "WaitForSellerBeforeReminder",
  remindSeller: "RemindSeller",
  waitSeller: "WaitForSellerDecision",
  sellerTimeout: "ApplySellerTimeout",
  approveByPolicy: "ApproveByPolicy",
  waitOperator: "WaitForOperatorDecision",
  marketplaceTimeout: "ApplyMarketplaceTimeout",
  instructRefund: "InstructRefund",
  refund: "MakeRefund",
  recordRefundFailure: "RecordRefundFailure",
  waitRefundRetry: "WaitForRefundRetry",
  retryRefund: "RetryRefundAfterWait",
  complete: "MarkCompleted",
  recordFailure: "RecordWorkflowFailure",
  failed: "WorkflowFailed",
  done: "Done",
} as const;

/** Errors that end a wait early; the decision APIs send them with SendTaskFailure. */
const WAIT_CANCEL_ERRORS: WaitCancelError[] = ["RequestWithdrawn", "OrderDelivered"];
/** The token write's condition failed: the status moved on before the wait began (the SDK
 * integration names it DynamoDb.*; the optimized one DynamoDB.*). */
const TOKEN_CONDITION_FAILED = [
  "DynamoDb.ConditionalCheckFailedException",
  "DynamoDB.ConditionalCheckFailedException",
];

const STEP_TIMEOUT = Duration.seconds(30);

/** What Step Functions reports when the Lambda service itself fails or throttles an invoke. */
export const LAMBDA_SERVICE_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
];

/**
 * Transient errors of the token-storing DynamoDB integration (`DynamoDb.<Exception>`): throttling,
 * server errors and lost answers. A retried token write mints a new token, which is harmless.
 */
export const DYNAMODB_TRANSIENT_ERRORS = [
  "DynamoDb.ProvisionedThroughputExceededException",
  "DynamoDb.ThrottlingException",
  "DynamoDb.RequestLimitExceeded",
  "DynamoDb.InternalServerError",
  "DynamoDb.InternalServerErrorException",
  "DynamoDb.ServiceUnavailable",
  "DynamoDb.ServiceUnavailableException",
  "DynamoDb.TimeoutError",
  "DynamoDb.SdkClientException",
];

/** Backoff with full jitter: retries of many executions do not arrive in step. */
const transientRetry = (errors: string[]): sfn.RetryProps => ({
  errors,
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 6,
  maxDelay: Duration.seconds(30),
  jitterStrategy: sfn.JitterType.FULL,
});

export interface CancellationWorkflowProps {
  table: dynamodb.ITableV2;
  /** The payment provider's ledger: only the refund task writes it. */
  refundsTable: dynamodb.ITableV2;
  /** Environment shared by every function (table name, mail settings, policy). */
  environment: Record<string, string>;
}

export class CancellationWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The functions its Task states invoke (they send notifications: the stack grants SES). */
  readonly functions: lambda.IFunction[];

  constructor(scope: Construct, id: string, props: CancellationWorkflowProps) {
    super(scope, id);
    const { table } = props;

    const stepFunction = createFunction(this, "StepFunction", {
      entry: "functions/workflow/step.ts",
      environment: props.environment,
      timeout: Duration.seconds(20),
    });
    const refundFunction = createFunction(this, "RefundFunction", {
      entry: "functions/workflow/refund.ts",
      environment: props.environment,
      timeout: Duration.seconds(20),
    });
    this.functions = [stepFunction, refundFunction];
    // Exactly what the order store does for a step: read, save (with outbox puts), deliver
    // outbox items (claim, delete); no index reads.
    for (const fn of this.functions) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
          ],
          resources: [table.tableArn],
        }),
      );
    }
    // The steps ask the provider about a refund; only the refund task can make one.
    stepFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:GetItem"],
        resources: [props.refundsTable.tableArn],
      }),
    );
    refundFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:GetItem", "dynamodb:PutItem"],
        resources: [props.refundsTable.tableArn],
      }),
    );

    /** A Lambda step's payload: the ids, plus the caught error and the execution where needed. */
    const stepPayload = (action: StepAction, options: { withError?: boolean } = {}) =>
      sfn.TaskInput.fromObject({
        action,
        orderId: sfn.JsonPath.stringAt("$.orderId"),
        requestId: sfn.JsonPath.stringAt("$.requestId"),
        // Only where a Catch put it there: a missing path would fail the state.
        ...(options.withError
          ? {
              error: sfn.JsonPath.objectAt("$.error"),
              execution: sfn.JsonPath.stringAt("$$.Execution.Name"),
            }
          : {}),
      });

    // The catch-all: record that this execution gave up (the reconciler resumes the request).
    const recordFailure = new tasks.LambdaInvoke(this, STATES.recordFailure, {
      lambdaFunction: stepFunction,
      payload: stepPayload("RECORD_FAILURE", { withError: true }),
      payloadResponseOnly: true,
      taskTimeout: sfn.Timeout.duration(STEP_TIMEOUT),
      resultPath: sfn.JsonPath.DISCARD,
    })
      .addRetry(transientRetry([...LAMBDA_SERVICE_ERRORS, "States.TaskFailed", "States.Timeout"]))
      .next(new sfn.Fail(this, STATES.failed, { error: "WorkflowFailed" }));
    const catchAll = { errors: [sfn.Errors.ALL], resultPath: "$.error" };

    /** A step: apply the action's event, answer the plan ({orderId, requestId, next, waitSeconds}). */
    const step = (name: string, action: StepAction, options: { withError?: boolean } = {}) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: stepFunction,
        payload: stepPayload(action, options),
        payloadResponseOnly: true,
        taskTimeout: sfn.Timeout.duration(STEP_TIMEOUT),
      })
        .addRetry(transientRetry(LAMBDA_SERVICE_ERRORS))
        // The handler's own failures (a DynamoDB or SES fault that outlasted the SDK's retries).
        .addRetry({ ...transientRetry(["States.TaskFailed", "States.Timeout"]), maxAttempts: 5 })
        .addCatch(recordFailure, catchAll);

    /**
     * A wait for a person: stores the task token on the request (only while the request is still in
     * `status`) and waits for SendTaskSuccess/Failure, at most until the request's deadline.
     */
    const waitFor = (name: string, status: RequestStatus) =>
      new tasks.CallAwsService(this, name, {
        service: "dynamodb",
        action: "updateItem",
        iamAction: "dynamodb:UpdateItem",
        iamResources: [table.tableArn],
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        parameters: {
          TableName: table.tableName,
          Key: {
            pk: { S: sfn.JsonPath.format("ORDER#{}", sfn.JsonPath.stringAt("$.orderId")) },
            sk: { S: "ORDER" },
          },
          UpdateExpression: TASK_TOKEN_UPDATE_EXPRESSION,
          ConditionExpression: TASK_TOKEN_CONDITION_EXPRESSION,
          ExpressionAttributeNames: {
            "#taskTokens": "taskTokens",
            "#requests": "requests",
            "#status": "status",
            "#rid": sfn.JsonPath.stringAt("$.requestId"),
          },
          ExpressionAttributeValues: {
            ":token": { S: sfn.JsonPath.taskToken },
            ":expectedStatus": { S: status },
          },
        },
        taskTimeout: sfn.Timeout.at("$.waitSeconds"),
        resultPath: "$.signal",
      }).addRetry(transientRetry(DYNAMODB_TRANSIENT_ERRORS));

    const route = new sfn.Choice(this, STATES.route);
    const readStatus = step(STATES.readStatus, "STATUS").next(route);
    const start = step(STATES.start, "START").next(route);
    const remindSeller = step(STATES.remindSeller, "REMIND_SELLER").next(route);

    /** A wait whose timeout applies `onTimeout`; signals and cancellations re-read the status. */
    const waitThen = (wait: sfn.TaskStateBase, onTimeout: sfn.IChainable) =>
      wait
        .addCatch(onTimeout, { errors: [sfn.Errors.TIMEOUT], resultPath: "$.error" })
        .addCatch(readStatus, {
          errors: [...WAIT_CANCEL_ERRORS, ...TOKEN_CONDITION_FAILED],
          resultPath: "$.error",
        })
        .addCatch(recordFailure, catchAll)
        .next(readStatus);

    const waitSellerReminder = waitThen(
      waitFor(STATES.waitSellerReminder, "AWAITING_SELLER"),
      remindSeller,
    );
    const waitSeller = waitThen(
      waitFor(STATES.waitSeller, "AWAITING_SELLER"),
      step(STATES.sellerTimeout, "SELLER_TIMEOUT").next(route),
    );
    const waitOperator = waitThen(
      waitFor(STATES.waitOperator, "AWAITING_MARKETPLACE"),
      step(STATES.marketplaceTimeout, "MARKETPLACE_TIMEOUT").next(route),
    );
    const waitRefundRetry = waitThen(
      waitFor(STATES.waitRefundRetry, "REFUND_FAILED"),
      step(STATES.retryRefund, "RETRY_REFUND").next(route),
    );

    // The refund: retried with backoff (a declined refund is final), then recorded as failed.
    const refund = new tasks.LambdaInvoke(this, STATES.refund, {
      lambdaFunction: refundFunction,
      payload: sfn.TaskInput.fromObject({
        orderId: sfn.JsonPath.stringAt("$.orderId"),
        requestId: sfn.JsonPath.stringAt("$.requestId"),
      }),
      payloadResponseOnly: true,
      taskTimeout: sfn.Timeout.duration(STEP_TIMEOUT),
    })
      .addRetry({ errors: ["RefundDeclined"], maxAttempts: 0 })
      .addRetry(transientRetry(LAMBDA_SERVICE_ERRORS))
      .addRetry({
        errors: [sfn.Errors.ALL],
        interval: Duration.seconds(5),
        backoffRate: 3,
        maxAttempts: 4,
        maxDelay: Duration.minutes(5),
        jitterStrategy: sfn.JitterType.FULL,
      })
      .addCatch(
        step(STATES.recordRefundFailure, "REFUND_FAILED", { withError: true }).next(route),
        {
          errors: [sfn.Errors.ALL],
          resultPath: "$.error",
        },
      )
      .next(route);

    const when = (next: NextStep) => sfn.Condition.stringEquals("$.next", next);
    route
      .when(when("START"), start)
      .when(when("WAIT_SELLER_REMINDER"), waitSellerReminder)
      .when(when("REMIND_SELLER"), remindSeller)
      .when(when("WAIT_SELLER"), waitSeller)
      .when(when("POLICY_APPROVAL"), step(STATES.approveByPolicy, "POLICY_APPROVE").next(route))
      .when(when("WAIT_OPERATOR"), waitOperator)
      .when(when("INSTRUCT_REFUND"), step(STATES.instructRefund, "INSTRUCT_REFUND").next(route))
      .when(when("REFUND"), refund)
      .when(when("COMPLETE"), step(STATES.complete, "COMPLETE").next(route))
      .when(when("WAIT_REFUND_RETRY"), waitRefundRetry)
      .otherwise(new sfn.Succeed(this, STATES.done));

    const logGroup = new logs.LogGroup(this, "Logs", {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, "StateMachine", {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(start),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledge(
      this.stateMachine.role,
      "AwsSolutions-IAM5[Resource::*]",
      "CloudWatch Logs delivery and X-Ray actions support no resource-level permissions; " +
        "the infra test checks that only those actions use Resource *.",
    );
    for (const fn of this.functions) {
      const logicalId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement);
      acknowledge(
        this.stateMachine.role,
        `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        "The wildcard covers only this one function's versions and aliases, which LambdaInvoke always grants.",
      );
    }
  }
}
