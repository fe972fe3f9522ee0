// Scheduled task (every hour): seals the audit heads of the orders changed since the last seal
// into the Object Lock bucket (app/seal-audit-heads.ts). Flow: read the cursor → read the changed
// orders' heads → put the digest → move the cursor → report.

import type { Context } from "aws-lambda";
import { logger, metrics } from "../adapters/powertools.ts";
import { auditHeads, basics, sealCursor, sealStore } from "../adapters/production.ts";
import { errorFields, withheld } from "../app/error-fields.ts";
import type { Metrics } from "../app/ports.ts";
import { type SealDeps, type SealReport, sealAuditHeads } from "../app/seal-audit-heads.ts";
import * as z from "../domain/zod.ts";

/** The scheduled event, or `{ "graceSeconds": 0 }` to seal up to now (local sweep). */
const inputSchema = z.looseObject({ graceSeconds: z.optional(z.int().check(z.minimum(0))) });

/** Gauges of each run: heads sealed, and how far behind now the seals reach. */
export const AUDIT_HEADS_SEALED_METRIC = "AuditHeadsSealed";
export const AUDIT_SEAL_AGE_METRIC = "AuditSealAge";

type Deps = SealDeps & { metrics: Metrics };

const seal = async (deps: Deps, rawInput: unknown): Promise<SealReport> => {
  const parsed = inputSchema.safeParse(rawInput ?? {});
  const report = await sealAuditHeads(deps, parsed.success ? parsed.data.graceSeconds : undefined);
  const reached = report.cursor === undefined ? Number.NaN : Date.parse(report.cursor);
  deps.metrics.measure([
    {
      name: AUDIT_HEADS_SEALED_METRIC,
      unit: "Count",
      value: report.sealed.reduce((sum, window) => sum + window.heads, 0),
    },
    ...(Number.isNaN(reached)
      ? []
      : [
          {
            name: AUDIT_SEAL_AGE_METRIC,
            unit: "Seconds" as const,
            value: Math.round((Date.parse(deps.clock.now()) - reached) / 1000),
          },
        ]),
  ]);
  if (report.sealed.length > 0) deps.log.info("sealed", { ...report });
  return report;
};

export const createHandler =
  (getDeps: () => Deps) =>
  async (rawInput: unknown, context?: Context): Promise<SealReport> => {
    logger.resetKeys();
    if (context) logger.addContext(context);
    try {
      return await seal(getDeps(), rawInput);
    } catch (error) {
      // The cursor stays where it was: the next run seals the same window and what came since.
      logger.error("the seal failed; the next run seals its window", {
        error: errorFields(error),
      });
      throw withheld(error);
    }
  };

export const handler = createHandler(() => ({
  ...basics,
  metrics,
  heads: auditHeads(),
  cursor: sealCursor(),
  seals: sealStore(),
}));
