// What wakes an operator: workflow executions that failed, timed out or were aborted, refunds that
// failed or missed their promised date, mail given up, events not published, starts the stream's pipe could not make, a
// failed audit seal, and handler errors. Alarms notify an SNS topic when an address is configured; each
// alarm's description names its entry in docs/runbook.md (what it means, what to check, what to do).
import { Duration, Names } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";

/** Namespace of the service's own metrics (Powertools reads it from the environment). */
export const METRICS_NAMESPACE = "ShippedCancellation";
/** Powertools' default dimension: `service` = POWERTOOLS_SERVICE_NAME (set by createFunction). */
export const SERVICE_NAME = "shipped-cancellation";
/** Count metric the workflow emits each time a refund attempt fails for good. */
export const REFUND_FAILED_METRIC = "RefundFailed";
/** Count metric the reconciler emits each time a refund misses its promised date (marked late). */
export const REFUND_LATE_METRIC = "RefundLate";
/** Count metric the reconciler emits each time a return of cancelled units passes its dueBy. */
export const RETURN_OVERDUE_METRIC = "ReturnOverdue";
/** Count metrics of mail given up after repeated failures, and of executions that gave up. */
export const MAIL_FAILED_METRIC = "MailFailed";
export const WORKFLOW_FAILED_METRIC = "WorkflowFailed";
/** Count metric of each try whose domain events EventBridge did not take (they are retried). */
export const EVENTS_NOT_PUBLISHED_METRIC = "EventsNotPublished";

/** Where every alarm's entry is: a path inside the repository, never a link outside it. */
export const RUNBOOK_PATH = "docs/runbook.md";
/** The runbook entry (its heading's anchor) of each alarm; every function's errors share one. */
export const RUNBOOK_ANCHORS = {
  ExecutionsFailed: "executionsfailed",
  ExecutionsTimedOut: "executionstimedout",
  ExecutionsAborted: "executionsaborted",
  RefundFailed: "refundfailed",
  RefundLate: "refundlate",
  ReturnOverdue: "returnoverdue",
  MailFailed: "mailfailed",
  WorkflowFailed: "workflowfailed",
  EventsNotPublished: "eventsnotpublished",
  PipeDeadLetters: "pipedeadletters",
  Errors: "lambda-errors",
  /** The hourly audit seal failed (infra/audit-seals.ts). */
  AuditSealFailed: "auditsealfailed",
  /** The edge firewall's alarm (infra/edge-firewall.ts), in us-east-1 with its web ACL. */
  EdgeBlockedRequests: "edgeblockedrequests",
} as const;
export type RunbookEntry = keyof typeof RUNBOOK_ANCHORS;
export const runbookLink = (entry: RunbookEntry): string =>
  `${RUNBOOK_PATH}#${RUNBOOK_ANCHORS[entry]}`;

export interface AlarmsProps {
  stateMachine: sfn.IStateMachine;
  /** The dead-letter queue of the pipe that starts each request's workflow. */
  pipeDeadLetters: sqs.IQueue;
  /** Every function whose errors should raise an alarm. */
  functions: readonly lambda.IFunction[];
  /** The audit sealer: its errors raise their own alarm, with its own runbook entry. */
  auditSealer: lambda.IFunction;
  /** Subscribed to the alarm topic by email; no topic without it. */
  alarmEmail: string | undefined;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic | undefined;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);

    if (props.alarmEmail) {
      this.topic = new sns.Topic(this, "Topic", {
        displayName: "Shipped-cancellation alarms",
        enforceSSL: true,
      });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    const { stateMachine } = props;
    this.add(
      "ExecutionsFailed",
      stateMachine.metricFailed({ period, statistic: "Sum" }),
      "A workflow execution failed; the reconciler resumes its request within 5 minutes.",
    );
    this.add(
      "ExecutionsTimedOut",
      stateMachine.metricTimedOut({ period, statistic: "Sum" }),
      "A workflow execution timed out; the reconciler resumes its request within 5 minutes.",
    );
    this.add(
      "ExecutionsAborted",
      stateMachine.metricAborted({ period, statistic: "Sum" }),
      "A workflow execution was stopped; the reconciler resumes its request within 5 minutes.",
    );
    const count = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        // An alarm matches dimensions exactly: these are the ones Powertools attaches by default.
        dimensionsMap: { service: SERVICE_NAME },
        statistic: "Sum",
        period,
      });
    this.add(
      "RefundFailed",
      count(REFUND_FAILED_METRIC),
      "A refund failed past its retries or was declined; operators were told by mail.",
    );
    this.add(
      "RefundLate",
      count(REFUND_LATE_METRIC),
      "A refund was not made by the date promised to the buyer (expectedBy.latest); the buyer got an apology and operators an alert by mail.",
    );
    this.add(
      "ReturnOverdue",
      count(RETURN_OVERDUE_METRIC),
      "A buyer who took delivery of cancelled and refunded units has not sent them back by the return's dueBy; operators got an alert by mail.",
    );
    this.add(
      "MailFailed",
      count(MAIL_FAILED_METRIC),
      "A notification was given up after repeated SES failures; operators were told by mail.",
    );
    this.add(
      "EventsNotPublished",
      count(EVENTS_NOT_PUBLISHED_METRIC),
      "Domain events could not be published to EventBridge after the SDK's retries; they stay unpublished on their request and are retried, nothing is lost, integrators get them late.",
    );
    this.add(
      "PipeDeadLetters",
      props.pipeDeadLetters.metric("NumberOfMessagesSent", { period, statistic: "Sum" }),
      "The stream's pipe could not start some requests' workflows after its retries; the reconciler starts them within 5 minutes and drains the dead letters.",
    );
    this.add(
      "WorkflowFailed",
      count(WORKFLOW_FAILED_METRIC),
      "A workflow execution gave up; the reconciler resumes its request within 5 minutes.",
    );
    this.add(
      "AuditSealFailed",
      props.auditSealer.metricErrors({ period, statistic: "Sum" }),
      "The hourly seal of the audit chains failed; its cursor stayed, and the next run seals the same window with what came since.",
    );
    // One alarm per function: a math expression over them would cap at ten metrics per alarm.
    for (const fn of props.functions) {
      if (fn === props.auditSealer) continue;
      this.add(
        "Errors",
        fn.metricErrors({ period, statistic: "Sum" }),
        `Errors of ${fn.node.path}.`,
        `Errors-${Names.nodeUniqueId(fn.node)}`,
      );
    }
  }

  /** An alarm at one occurrence; its description ends with its runbook entry. */
  private add(
    entry: RunbookEntry,
    metric: cloudwatch.IMetric,
    description: string,
    id: string = entry,
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means nothing happened, which is not a failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${description} Runbook: ${runbookLink(entry)}`,
    });
    if (this.topic) alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
