// The cancellation workflow: a Standard state machine (JSONPath) whose states are the waits and
// the retries; the bookkeeping between them is one Lambda segment. Each segment sends what the
// request's stored state says must go out (mail, domain events), applies what woke it, then
// carries the request through every automatic transition (policy approval, refund instruction,
// the refund, completion) until it must wait or is done, sending what each write caused, and
// answers which. The table's stream starts each request's execution (request-starts.ts).
//
//   StartRequest ─→ RouteByStatus ─┬─ WaitForSellerBeforeReminder ─timeout→ RemindSeller ──────┐
//        ↑ segments end here ──────┤─ WaitForSellerDecision ─timeout→ ApplySellerTimeout ──────┤
//                                  ├─ WaitForOperatorDecision ─timeout→ ApplyMarketplaceTimeout┤
//                                  ├─ WaitForRefundRetry ─timeout→ RetryRefundAfterWait ───────┤
//                                  └─ Done                                                     │
// A wait that ends because the request moved on (a person's decision, a withdrawal, a delivery:
// the API wakes it with SendTaskSuccess), or that finds it moved on already, goes to
// ContinueAfterWait.
// Happy path: StartRequest, RouteByStatus, the seller wait, ContinueAfterWait, RouteByStatus, Done.
// Every Task retries transient AWS errors (throttling, 5xx, Lambda service errors) with backoff
// and jitter; a refund call that keeps failing is retried under its key with a longer backoff,
// then RecordRefundFailure; whatever else still fails is caught by RecordWorkflowFailure →
// WorkflowFailed, and the scheduled reconciler resumes the request from its stored status.
import { type CfnElement, Duration, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sfn from "aws-cdk-lib/aws-stepfunctions";
import * as tasks from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Construct } from "constructs";
import { LINK_PK_PREFIX } from "../functions/adapters/dynamodb/decision-links.ts";
import {
  WAIT_ATTRIBUTE_NAMES,
  WAIT_CONDITION_EXPRESSION,
  WAIT_UPDATE_EXPRESSION,
} from "../functions/adapters/dynamodb/execution-records.ts";
import type { RequestStatus } from "../functions/domain/types.ts";
import type { WaitStep } from "../functions/domain/workflow-plan.ts";
import type { StepAction } from "../functions/workflow/step.ts";
import { createFunction } from "./lambda-defaults.ts";
import { acknowledge } from "./nag.ts";
import { grantStripeSecret } from "./stripe-secret.ts";

/** State names: stable, exported for tests, local mode and anyone reading execution histories. */
export const STATES = {
  start: "StartRequest",
  route: "RouteByStatus",
  continueAfterWait: "ContinueAfterWait",
  waitSellerReminder: "WaitForSellerBeforeReminder",
  remindSeller: "RemindSeller",
  waitSeller: "WaitForSellerDecision",
  sellerTimeout: "ApplySellerTimeout",
  waitOperator: "WaitForOperatorDecision",
  marketplaceTimeout: "ApplyMarketplaceTimeout",
  recordRefundFailure: "RecordRefundFailure",
  waitRefundRetry: "WaitForRefundRetry",
  retryRefund: "RetryRefundAfterWait",
  waitRefundSettlement: "WaitForRefundSettlement",
  checkRefund: "CheckRefundAfterWait",
  waitCompletedRefund: "WaitForCompletedRequestRefund",
  completedRefundDeadline: "CompletedRequestRefundAfterWait",
  recordFailure: "RecordWorkflowFailure",
  failed: "WorkflowFailed",
  done: "Done",
} as const;

/** The token write's condition failed: the status moved on before the wait began (the SDK
 * integration names it DynamoDb.*; the optimized one DynamoDB.*). */
const TOKEN_CONDITION_FAILED = [
  "DynamoDb.ConditionalCheckFailedException",
  "DynamoDB.ConditionalCheckFailedException",
];

const STEP_TIMEOUT = Duration.seconds(30);

/**
 * Concurrent segments reserved for the workflow (about a hundred steps a second at their usual
 * length); over it, Step Functions retries the throttled invoke (LAMBDA_SERVICE_ERRORS).
 */
export const WORKFLOW_STEP_CONCURRENCY = 100;

/** What Step Functions reports when the Lambda service itself fails or throttles an invoke. */
export const LAMBDA_SERVICE_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
];

/**
 * Transient errors of the token-storing DynamoDB integration (`DynamoDb.<Exception>`): throttling,
 * server errors and lost answers, and a write refused while a change's transaction (one that adds
 * to the seller's counters) held the order item. A retried token write mints a new token, which is
 * harmless; after such a change its condition fails, and the workflow goes on at once.
 */
export const DYNAMODB_TRANSIENT_ERRORS = [
  "DynamoDb.TransactionConflictException",
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
  /** The Stripe account's secret: the segment refunds through Stripe. Undefined: no Stripe. */
  stripeSecretArn?: string | undefined;
}

export class CancellationWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The functions its Task states invoke (they send mail and events: the stack grants both). */
  readonly functions: lambda.IFunction[];

  constructor(scope: Construct, id: string, props: CancellationWorkflowProps) {
    super(scope, id);
    const { table } = props;

    const stepFunction = createFunction(this, "StepFunction", {
      entry: "functions/workflow/step.ts",
      environment: props.environment,
      timeout: Duration.seconds(20),
      // Refunds and mail go on whatever floods the API: capacity no other function can take.
      reservedConcurrency: WORKFLOW_STEP_CONCURRENCY,
    });
    this.functions = [stepFunction];
    // Exactly what a segment does with the orders table: read an order, save it (one conditional
    // UpdateItem), record an execution's failure; no index reads, no deletes, no puts but the
    // decision links' (below).
    stepFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
        resources: [table.tableArn],
      }),
    );
    // The seller's mail mints its decision links: new items keyed `LINK#…` and nothing else (an
    // order is never put, only updated).
    stepFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:PutItem"],
        resources: [table.tableArn],
        conditions: {
          "ForAllValues:StringLike": { "dynamodb:LeadingKeys": [`${LINK_PK_PREFIX}*`] },
        },
      }),
    );
    // The segment makes refunds (and asks the provider about them): the only writer of the ledger.
    stepFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ["dynamodb:GetItem", "dynamodb:PutItem"],
        resources: [props.refundsTable.tableArn],
      }),
    );
    grantStripeSecret(stepFunction, props.stripeSecretArn);

    /** A Lambda step's payload: the ids, plus the caught error and the execution where needed. */
    const stepPayload = (action: StepAction, options: { withError?: boolean } = {}) =>
      sfn.TaskInput.fromObject({
        action,
        orderId: sfn.JsonPath.stringAt("$.orderId"),
        requestId: sfn.JsonPath.stringAt("$.requestId"),
        // From the execution input, which always has it (WorkflowInput): the step's log lines
        // carry the correlation id of the API call that started the execution.
        correlationId: sfn.JsonPath.stringAt("$$.Execution.Input.correlationId"),
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

    // Refund retries under the same key, long enough for a provider's hiccup; then REFUND_FAILED.
    const refundRetry: sfn.RetryProps = {
      errors: ["RefundCallFailed"],
      interval: Duration.seconds(5),
      backoffRate: 3,
      maxAttempts: 4,
      maxDelay: Duration.minutes(5),
      jitterStrategy: sfn.JitterType.FULL,
    };
    const refundCaught = { errors: ["RefundCallFailed"], resultPath: "$.error" };

    /** A segment: apply the action, run the automatic steps, answer {orderId, requestId, next, waitSeconds}. */
    const segment = (name: string, action: StepAction, options: { withError?: boolean } = {}) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: stepFunction,
        payload: stepPayload(action, options),
        payloadResponseOnly: true,
        taskTimeout: sfn.Timeout.duration(STEP_TIMEOUT),
      })
        // First match wins: the refund's own backoff before the generic TaskFailed retry.
        .addRetry(refundRetry)
        .addRetry(transientRetry(LAMBDA_SERVICE_ERRORS))
        // The handler's own failures (a DynamoDB or SES fault that outlasted the SDK's retries).
        .addRetry({ ...transientRetry(["States.TaskFailed", "States.Timeout"]), maxAttempts: 5 });

    const route = new sfn.Choice(this, STATES.route);
    // Records the failed refund (then waits for a retry): it makes no refund itself.
    const recordRefundFailure = segment(STATES.recordRefundFailure, "REFUND_FAILED", {
      withError: true,
    })
      .addCatch(recordFailure, catchAll)
      .next(route);
    /** A segment that may make a refund: a refund failing past its retries is recorded. */
    const step = (name: string, action: StepAction) =>
      segment(name, action)
        .addCatch(recordRefundFailure, refundCaught)
        .addCatch(recordFailure, catchAll)
        .next(route);

    /**
     * A wait for a person: stores the task token with the status it waits in (`waits.<requestId>`,
     * only while the request is still in `status`) and waits for SendTaskSuccess, at most until the
     * request's deadline. Whoever moves the request on wakes it (app/change-order.ts).
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
          UpdateExpression: WAIT_UPDATE_EXPRESSION,
          ConditionExpression: WAIT_CONDITION_EXPRESSION,
          ExpressionAttributeNames: {
            ...WAIT_ATTRIBUTE_NAMES,
            "#rid": sfn.JsonPath.stringAt("$.requestId"),
          },
          ExpressionAttributeValues: {
            ":wait": { M: { token: { S: sfn.JsonPath.taskToken }, status: { S: status } } },
            ":status": { S: status },
          },
        },
        taskTimeout: sfn.Timeout.at("$.waitSeconds"),
        resultPath: "$.signal",
      }).addRetry(transientRetry(DYNAMODB_TRANSIENT_ERRORS));

    const start = step(STATES.start, "START");
    const continueAfterWait = step(STATES.continueAfterWait, "CONTINUE");

    /** A wait whose timeout runs `onTimeout`; a wake-up continues from the record. */
    const waitThen = (wait: sfn.TaskStateBase, onTimeout: sfn.IChainable) =>
      wait
        .addCatch(onTimeout, { errors: [sfn.Errors.TIMEOUT], resultPath: "$.error" })
        .addCatch(continueAfterWait, { errors: TOKEN_CONDITION_FAILED, resultPath: "$.error" })
        .addCatch(recordFailure, catchAll)
        .next(continueAfterWait);

    const when = (next: WaitStep) => sfn.Condition.stringEquals("$.next", next);
    route
      .when(
        when("WAIT_SELLER_REMINDER"),
        waitThen(
          waitFor(STATES.waitSellerReminder, "AWAITING_SELLER"),
          step(STATES.remindSeller, "REMIND_SELLER"),
        ),
      )
      .when(
        when("WAIT_SELLER"),
        waitThen(
          waitFor(STATES.waitSeller, "AWAITING_SELLER"),
          step(STATES.sellerTimeout, "SELLER_TIMEOUT"),
        ),
      )
      .when(
        when("WAIT_OPERATOR"),
        waitThen(
          waitFor(STATES.waitOperator, "AWAITING_MARKETPLACE"),
          step(STATES.marketplaceTimeout, "MARKETPLACE_TIMEOUT"),
        ),
      )
      .when(
        when("WAIT_REFUND_RETRY"),
        waitThen(
          waitFor(STATES.waitRefundRetry, "REFUND_FAILED"),
          step(STATES.retryRefund, "RETRY_REFUND"),
        ),
      )
      // A refund the provider holds as pending: its webhook settles it, else it is asked about.
      .when(
        when("WAIT_REFUND_SETTLEMENT"),
        waitThen(
          waitFor(STATES.waitRefundSettlement, "REFUND_PENDING"),
          step(STATES.checkRefund, "REFUND_DEADLINE"),
        ),
      )
      // A completed request's refund the provider reversed (or its retry, settling).
      .when(
        when("WAIT_COMPLETED_REFUND"),
        waitThen(
          waitFor(STATES.waitCompletedRefund, "COMPLETED"),
          step(STATES.completedRefundDeadline, "REFUND_DEADLINE"),
        ),
      )
      // DONE: the request is terminal (or gone).
      .otherwise(new sfn.Succeed(this, STATES.done));

    // Kept or deleted with the stack as `protectData` says (stack.ts), like every log group.
    const logGroup = new logs.LogGroup(this, "Logs", {
      retention: logs.RetentionDays.ONE_MONTH,
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
