// Scheduled task (every 5 minutes): nothing stalls. Runs the reconciler (app/reconcile.ts) over the
// orders that need attention and publishes its gauges. Flow: sweep each shard → resume or wake
// per order → drain the pipe's dead letters → report.

import type { Context } from "aws-lambda";
import { logger, metrics } from "../adapters/powertools.ts";
import {
  attentionIndex,
  basics,
  executionRecords,
  executions,
  failedStarts,
  orders,
  payments,
  signals,
} from "../adapters/production.ts";
import { errorFields, withheld } from "../app/error-fields.ts";
import { type ReconcileDeps, type ReconcileReport, reconcile } from "../app/reconcile.ts";
import * as z from "../domain/zod.ts";

/** The scheduled event, or `{ "graceSeconds": 0 }` to take everything now (local sweep). */
const inputSchema = z.looseObject({ graceSeconds: z.optional(z.int().check(z.minimum(0))) });

/** Gauges the reconciler publishes every sweep: the dashboard's "open requests by age". */
export const OPEN_REQUESTS_METRIC = "OpenRequests";
export const OPEN_REQUESTS_OVER_DAY_METRIC = "OpenRequestsOver24h";
export const OLDEST_OPEN_REQUEST_METRIC = "OldestOpenRequestAge";

const sweep = async (getDeps: () => ReconcileDeps, rawInput: unknown): Promise<ReconcileReport> => {
  const deps = getDeps();
  const parsed = inputSchema.safeParse(rawInput ?? {});
  const report = await reconcile(deps, parsed.success ? parsed.data.graceSeconds : undefined);
  // One EMF line per sweep (a shard that failed to page is missing from it: see `errors`).
  deps.metrics.measure([
    { name: OPEN_REQUESTS_METRIC, unit: "Count", value: report.open },
    { name: OPEN_REQUESTS_OVER_DAY_METRIC, unit: "Count", value: report.openOverDay },
    { name: OLDEST_OPEN_REQUEST_METRIC, unit: "Seconds", value: report.oldestOpenSeconds },
  ]);
  const worked = report.resumed.length + report.woken.length + report.late.length;
  if (worked > 0 || report.errors > 0 || report.drained > 0) {
    deps.log.info("reconciled", { ...report });
  }
  return report;
};

export const createHandler =
  (getDeps: () => ReconcileDeps) =>
  async (rawInput: unknown, context?: Context): Promise<ReconcileReport> => {
    logger.resetKeys();
    if (context) logger.addContext(context);
    try {
      return await sweep(getDeps, rawInput);
    } catch (error) {
      // Orders' and shards' failures are logged and counted inside; this is what stopped the sweep.
      // By name, code and ids: the runtime's own line gets no foreign message.
      logger.error("the sweep failed; the next run tries again", { error: errorFields(error) });
      throw withheld(error);
    }
  };

export const handler = createHandler(() => ({
  ...basics,
  metrics,
  orders: orders(),
  attention: attentionIndex(),
  executions: executions(),
  executionRecords: executionRecords(),
  signals: signals(),
  failedStarts: failedStarts(),
  payments: payments(),
}));
