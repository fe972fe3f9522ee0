// Scheduled task (every 5 minutes): nothing stalls. It walks the PendingWork index (keys, never a
// Scan) and, for each open request without a running execution, resumes the workflow from the
// stored status; for each outbox entry still there, delivers it (mail, or the signal that ends a
// wait). Flow: query each shard → check or deliver each item → report.
import type { ExecutionRef } from "../adapters/order-store.ts";
import { WORK_SHARDS } from "../adapters/table.ts";
import type { AppDeps } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { deliverOutbox } from "../app/outbox.ts";
import { activeRequest } from "../domain/requests.ts";
import * as z from "../domain/zod.ts";

/**
 * Outbox entries younger than this are left to the writer, which delivers them right after its
 * change (a claim would keep both from sending one anyway). Open requests get no grace: resuming
 * one whose start is still under way is harmless, since a never-started request is started under
 * its own name, which StartExecution treats as the same execution. So no request stays without a
 * running execution for longer than the schedule's period.
 */
export const OUTBOX_GRACE_SECONDS = 60;

/** The scheduled event, or `{ "graceSeconds": 0 }` to take every outbox entry now (local sweep). */
const inputSchema = z.looseObject({ graceSeconds: z.optional(z.int().check(z.minimum(0))) });

export interface ReconcileReport {
  checked: number;
  /** Open requests (orders in the PendingWork index) and the oldest one's age in seconds. */
  open: number;
  oldestOpenSeconds: number;
  resumed: { requestId: string; execution: string }[];
  delivered: string[];
  failed: string[];
  /** Items or index pages that an AWS fault kept from being handled: next time, then. */
  errors: number;
}

/** Gauges the reconciler publishes every sweep: the dashboard's "open requests by age". */
export const OPEN_REQUESTS_METRIC = "OpenRequests";
export const OPEN_REQUESTS_OVER_DAY_METRIC = "OpenRequestsOver24h";
export const OLDEST_OPEN_REQUEST_METRIC = "OldestOpenRequestAge";
const DAY_SECONDS = 86_400;

/** The name of a request's `attempt`-th execution: the first is named by the request id. */
export const executionName = (requestId: string, attempt: number): string =>
  attempt <= 1 ? requestId : `${requestId}-${attempt}`;

/** Resumes an open request whose execution is not running; returns its new execution's name. */
const resume = async (
  deps: AppDeps,
  orderId: string,
  running: () => Promise<Set<string>>,
): Promise<{ requestId: string; execution: string } | undefined> => {
  const stored = await deps.store.get(orderId);
  const request = stored && activeRequest(stored.record);
  if (!stored || !request) return undefined;
  const { requestId } = request;
  const recorded = stored.executions?.[requestId];
  const current = recorded?.name ?? requestId;
  if ((await running()).has(current)) return undefined;
  // The reconciler's executions carry the request id as their correlation id.
  const input = { orderId, requestId, correlationId: requestId };
  // Not running under its recorded name: starting that name again is harmless (the same name and
  // input are the same execution). It started now if it never had (its start failed), or was
  // already running and not yet listed: only the first is reported, the list's lag is no news.
  if (await deps.workflow.start(input, current)) {
    return recorded ? undefined : { requestId, execution: current };
  }
  // A first execution started by the API carries the API call's correlation id, so this start's
  // input differs from its own: one running but not yet listed is asked about, not replaced.
  if (!recorded && (await deps.workflow.isRunning(current))) return undefined;
  // It ended without finishing the request: a new execution under a new name, claimed first so
  // that two reconcilers never resume the same request at once.
  const attempt = (recorded?.attempt ?? 1) + 1;
  const next: ExecutionRef = {
    name: executionName(requestId, attempt),
    attempt,
    startedAt: deps.now(),
  };
  if (!(await deps.store.claimExecution(orderId, requestId, recorded, next))) return undefined;
  await deps.workflow.start(input, next.name);
  deps.count?.("WorkflowResumed");
  deps.logger.warn("resumed a stalled request", {
    orderId,
    requestId,
    previous: current,
    execution: next.name,
  });
  return { requestId, execution: next.name };
};

export const createHandler =
  (getDeps: () => AppDeps) =>
  async (rawInput: unknown): Promise<ReconcileReport> => {
    const deps = getDeps();
    const parsed = inputSchema.safeParse(rawInput ?? {});
    const grace = (parsed.success ? parsed.data.graceSeconds : undefined) ?? OUTBOX_GRACE_SECONDS;
    const now = deps.now();
    const outboxBefore = new Date(Date.parse(now) - grace * 1000).toISOString();
    // Everything up to now (inclusive: `since` is a prefix of the sort key).
    const before = `${now}~`;
    const report: ReconcileReport = {
      checked: 0,
      open: 0,
      oldestOpenSeconds: 0,
      resumed: [],
      delivered: [],
      failed: [],
      errors: 0,
    };
    // Listed once per sweep, and only if an open request is found; a failed listing is tried
    // again by the next item that needs it.
    let runningNames: Promise<Set<string>> | undefined;
    const running = () => {
      runningNames ??= deps.workflow.runningExecutionNames().catch((error: unknown) => {
        runningNames = undefined;
        throw error;
      });
      return runningNames;
    };
    let overDay = 0;
    const ageOf = (since: string) => Math.max(0, (Date.parse(now) - Date.parse(since)) / 1000);
    const failed = (what: Record<string, unknown>, error: unknown) => {
      report.errors += 1;
      deps.logger.error("reconciling failed here; the next run tries again", {
        ...what,
        error: (error as Error).name,
      });
    };
    for (let shard = 0; shard < WORK_SHARDS; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        let page: Awaited<ReturnType<typeof deps.store.pendingWork>>;
        try {
          page = await deps.store.pendingWork(`WORK#${shard}`, before, start);
        } catch (error) {
          // One partition's trouble must not stop the others.
          failed({ shard }, error);
          break;
        }
        for (const item of page.items) {
          report.checked += 1;
          try {
            if (item.kind === "ORDER") {
              // `since` is the open request's createdAt.
              const age = ageOf(item.since);
              report.open += 1;
              if (age > DAY_SECONDS) overDay += 1;
              report.oldestOpenSeconds = Math.max(report.oldestOpenSeconds, age);
              const resumed = await resume(deps, item.orderId, running);
              if (resumed) report.resumed.push(resumed);
            } else if (item.since <= outboxBefore) {
              const delivery = await deliverOutbox(deps, item.orderId, [{ id: item.id }]);
              report.delivered.push(...delivery.delivered);
              report.failed.push(...delivery.failed);
            }
          } catch (error) {
            // One order's trouble must not stop the sweep.
            failed({ orderId: item.orderId, kind: item.kind }, error);
          }
        }
        start = page.next;
      } while (start);
    }
    // One EMF line per sweep (a shard that failed to page is missing from it: see `errors`).
    deps.measure?.([
      { name: OPEN_REQUESTS_METRIC, unit: "Count", value: report.open },
      { name: OPEN_REQUESTS_OVER_DAY_METRIC, unit: "Count", value: overDay },
      { name: OLDEST_OPEN_REQUEST_METRIC, unit: "Seconds", value: report.oldestOpenSeconds },
    ]);
    const worked = report.resumed.length + report.delivered.length + report.failed.length;
    if (worked > 0 || report.errors > 0) {
      deps.logger.info("reconciled", { ...report });
    }
    return report;
  };

export const handler = createHandler(defaultDeps);
