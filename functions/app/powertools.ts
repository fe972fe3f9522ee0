// The one Powertools module: every function logs, counts and traces under one service name.
// Handlers add `orderId` and `requestId` with `logger.appendKeys` once they know them.
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

export const SERVICE_NAME = "shipped-cancellation";
export const METRICS_NAMESPACE = "ShippedCancellation";

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
/** On Lambda each AWS SDK call becomes an X-Ray subsegment; elsewhere it stays out of the way. */
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

/** Business counts the alarms watch; each is published at once (one EMF line). */
export type CountMetric =
  | "RefundFailed"
  | "RefundDeclined"
  | "MailFailed"
  | "WorkflowFailed"
  | "WorkflowResumed";

export const countMetric = (name: CountMetric, count = 1): void => {
  metrics.addMetric(name, MetricUnit.Count, count);
  metrics.publishStoredMetrics();
};
