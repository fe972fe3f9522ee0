// The one Powertools module: every function logs and counts under one service name. Correlation
// ids go through the Logger's own API (`setCorrelationId`: the API request's id, or the request id
// in the workflow), and handlers add `orderId` and `requestId` with `appendKeys` once they know them.
// No Powertools tracer: it loads the X-Ray SDK at every cold start (~127 KB, ~80 ms). Lambda's
// active tracing still records each invocation and its init (docs/design.md, "Tracing").
import { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, Metrics as PowertoolsMetrics } from "@aws-lambda-powertools/metrics";
import type { CountMetric, Metrics } from "../app/ports.ts";
import type { Measurement } from "../domain/change-metrics.ts";

export const SERVICE_NAME = "shipped-cancellation";
export const METRICS_NAMESPACE = "ShippedCancellation";

export const logger = new Logger({ serviceName: SERVICE_NAME });

/** Built on the first count: most invocations count nothing, and a cold start need not build it. */
let instance: PowertoolsMetrics | undefined;
const metricsInstance = (): PowertoolsMetrics => {
  instance ??= new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  return instance;
};

const unitOf = (unit: Measurement["unit"]) =>
  unit === "Seconds" ? MetricUnit.Seconds : MetricUnit.Count;

/** Business metrics as EMF lines: each count at once, several measurements in one line. */
export const metrics: Metrics = {
  count: (name: CountMetric, value = 1) => {
    const emf = metricsInstance();
    emf.addMetric(name, MetricUnit.Count, value);
    emf.publishStoredMetrics();
  },
  measure: (measurements) => {
    if (measurements.length === 0) return;
    const emf = metricsInstance();
    for (const { name, unit, value } of measurements) emf.addMetric(name, unitOf(unit), value);
    emf.publishStoredMetrics();
  },
};
