// The one Powertools module: every function logs and counts under one service name.
// Handlers add `orderId` and `requestId` with `logger.appendKeys` once they know them.
// No Powertools tracer: it loads the X-Ray SDK at every cold start (~127 KB, ~80 ms). Lambda's
// active tracing still records each invocation and its init (docs/design.md, "Tracing").
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Measurement } from "./change-metrics.ts";

export const SERVICE_NAME = "shipped-cancellation";
export const METRICS_NAMESPACE = "ShippedCancellation";

/**
 * The service's logger, which also remembers the `correlationId` key a handler appended (the HTTP
 * middleware: the API request id), so that a workflow started by that call can carry it.
 */
export class ServiceLogger extends Logger {
  private correlation: string | undefined;

  override appendKeys(attributes: Parameters<Logger["appendKeys"]>[0]): void {
    const { correlationId } = attributes;
    if (typeof correlationId === "string") this.correlation = correlationId;
    super.appendKeys(attributes);
  }

  override resetKeys(): void {
    this.correlation = undefined;
    super.resetKeys();
  }

  /** The correlation id of the invocation under way, if its handler appended one. */
  correlationId(): string | undefined {
    return this.correlation;
  }
}

export const logger = new ServiceLogger({ serviceName: SERVICE_NAME });
/** Built on the first count: most invocations count nothing, and a cold start need not build it. */
let metrics: Metrics | undefined;

/** Business counts the alarms watch; each is published at once (one EMF line). */
export type CountMetric =
  | "RefundFailed"
  | "RefundDeclined"
  | "MailFailed"
  | "EventsNotPublished"
  | "WorkflowFailed"
  | "WorkflowResumed";

const metricsInstance = (): Metrics => {
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  return metrics;
};

export const countMetric = (name: CountMetric, count = 1): void => {
  const instance = metricsInstance();
  instance.addMetric(name, MetricUnit.Count, count);
  instance.publishStoredMetrics();
};

/** Several measurements in one EMF line (a change's, the reconciler's gauges); none, no line. */
export const publishMeasurements = (measurements: readonly Measurement[]): void => {
  if (measurements.length === 0) return;
  const instance = metricsInstance();
  for (const { name, unit, value } of measurements) {
    instance.addMetric(name, unit === "Seconds" ? MetricUnit.Seconds : MetricUnit.Count, value);
  }
  instance.publishStoredMetrics();
};
