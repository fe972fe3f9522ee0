// The one Powertools module: every function logs and counts under one service name.
// Handlers add `orderId` and `requestId` with `logger.appendKeys` once they know them.
// No Powertools tracer: it loads the X-Ray SDK at every cold start (~127 KB, ~80 ms). Lambda's
// active tracing still records each invocation and its init (README, Design, "Tracing").
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

export const SERVICE_NAME = "shipped-cancellation";
export const METRICS_NAMESPACE = "ShippedCancellation";

export const logger = new Logger({ serviceName: SERVICE_NAME });
/** Built on the first count: most invocations count nothing, and a cold start need not build it. */
let metrics: Metrics | undefined;

/** Business counts the alarms watch; each is published at once (one EMF line). */
export type CountMetric =
  | "RefundFailed"
  | "RefundDeclined"
  | "MailFailed"
  | "WorkflowFailed"
  | "WorkflowResumed";

export const countMetric = (name: CountMetric, count = 1): void => {
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  metrics.addMetric(name, MetricUnit.Count, count);
  metrics.publishStoredMetrics();
};
