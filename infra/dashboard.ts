// The on-call engineer's one page: what requests are doing (business metrics the functions
// publish with Powertools EMF), what is failing (refunds, mail, workflow) and whether AWS is
// keeping up (Lambda errors and throttles, Step Functions executions). docs/runbook.md explains
// each widget and each alarm.
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sfn from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import {
  enteredMetric,
  SELLER_RESPONSE_TIME_METRIC,
  TIME_TO_REFUND_METRIC,
} from "../functions/domain/change-metrics.ts";
import { REQUEST_STATUSES } from "../functions/domain/types.ts";
import {
  OLDEST_OPEN_REQUEST_METRIC,
  OPEN_REQUESTS_METRIC,
  OPEN_REQUESTS_OVER_DAY_METRIC,
} from "../functions/workflow/reconcile.ts";
import {
  AUDIT_HEADS_SEALED_METRIC,
  AUDIT_SEAL_AGE_METRIC,
} from "../functions/workflow/seal-audit.ts";
import {
  EVENTS_NOT_PUBLISHED_METRIC,
  MAIL_FAILED_METRIC,
  METRICS_NAMESPACE,
  REFUND_FAILED_METRIC,
  REFUND_LATE_METRIC,
  RETURN_OVERDUE_METRIC,
  SERVICE_NAME,
  WORKFLOW_FAILED_METRIC,
} from "./alarms.ts";

/** The widgets' titles: stable, the runbook's "Dashboard" section names them. */
export const WIDGETS = {
  requestsByStatus: "Requests by status entered",
  timeToRefund: "Time to refund (p50, p90)",
  sellerResponse: "Seller response time (p50, p90)",
  openRequests: "Open requests by age",
  failures: "Refund and mail failures",
  lambdaErrors: "Lambda errors and throttles",
  executions: "Step Functions executions failed, timed out, throttled",
  auditSeals: "Audit seals (heads sealed, how far behind)",
} as const;

export interface DashboardProps {
  stateMachine: sfn.IStateMachine;
  /** Every function in the stack. */
  functions: readonly lambda.IFunction[];
}

export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const business = (metricName: string, statistic: string, label?: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        // Powertools' default dimension: a metric matches its dimensions exactly.
        dimensionsMap: { service: SERVICE_NAME },
        statistic,
        period,
        ...(label ? { label } : {}),
      });
    const width = 12;
    const height = 6;
    const graph = (title: string, left: cloudwatch.IMetric[], right?: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title, left, ...(right ? { right } : {}), width, height });

    const { stateMachine } = props;
    const lambdaMetrics = props.functions.flatMap((fn) => [
      fn.metricErrors({ period, statistic: "Sum", label: `${fn.node.id} errors` }),
      fn.metricThrottles({ period, statistic: "Sum", label: `${fn.node.id} throttles` }),
    ]);

    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      defaultInterval: Duration.days(1),
      widgets: [
        [
          graph(
            WIDGETS.requestsByStatus,
            REQUEST_STATUSES.map((status) => business(enteredMetric(status), "Sum", status)),
          ),
          graph(
            WIDGETS.openRequests,
            [
              business(OPEN_REQUESTS_METRIC, "Maximum", "open"),
              business(OPEN_REQUESTS_OVER_DAY_METRIC, "Maximum", "open over 24 h"),
            ],
            [business(OLDEST_OPEN_REQUEST_METRIC, "Maximum", "oldest (s)")],
          ),
        ],
        [
          graph(WIDGETS.timeToRefund, [
            business(TIME_TO_REFUND_METRIC, "p50", "p50 (s)"),
            business(TIME_TO_REFUND_METRIC, "p90", "p90 (s)"),
          ]),
          graph(WIDGETS.sellerResponse, [
            business(SELLER_RESPONSE_TIME_METRIC, "p50", "p50 (s)"),
            business(SELLER_RESPONSE_TIME_METRIC, "p90", "p90 (s)"),
          ]),
        ],
        [
          graph(WIDGETS.failures, [
            business(REFUND_FAILED_METRIC, "Sum", "refund failed"),
            business("RefundDeclined", "Sum", "refund declined"),
            business(REFUND_LATE_METRIC, "Sum", "refund late (promised date missed)"),
            business(RETURN_OVERDUE_METRIC, "Sum", "return overdue (cancelled units not back)"),
            business(MAIL_FAILED_METRIC, "Sum", "mail given up"),
            business(EVENTS_NOT_PUBLISHED_METRIC, "Sum", "events not published yet"),
            business(WORKFLOW_FAILED_METRIC, "Sum", "workflow gave up"),
            business("WorkflowResumed", "Sum", "resumed by the reconciler"),
            business("WakeUpResent", "Sum", "woken again by the reconciler"),
            business("PipeFailuresDrained", "Sum", "pipe dead letters drained"),
          ]),
          graph(WIDGETS.executions, [
            stateMachine.metricFailed({ period, statistic: "Sum", label: "failed" }),
            stateMachine.metricTimedOut({ period, statistic: "Sum", label: "timed out" }),
            stateMachine.metricAborted({ period, statistic: "Sum", label: "aborted" }),
            stateMachine.metricThrottled({ period, statistic: "Sum", label: "throttled" }),
          ]),
        ],
        [
          new cloudwatch.GraphWidget({
            title: WIDGETS.lambdaErrors,
            left: lambdaMetrics,
            width: 24,
            height,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: WIDGETS.auditSeals,
            left: [business(AUDIT_HEADS_SEALED_METRIC, "Sum", "heads sealed")],
            right: [business(AUDIT_SEAL_AGE_METRIC, "Maximum", "sealed up to (s ago)")],
            width: 24,
            height,
          }),
        ],
      ],
    });
  }
}
