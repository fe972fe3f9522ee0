// Nothing stalls: the reconciler re-derives from the stored items what a lost start, signal, mail
// or event left undone, and hands it to the request's one execution (it sends nothing itself, so
// two sweeps at once, or a sweep and a late start, never send the same mail twice). For every
// order that needs attention (an index of keys, never a Scan): an open request without a running
// execution is resumed; an execution waiting on a request whose status moved on is woken again,
// and one parked with notices still due is woken to send them; a finished request with notices
// still due and no running execution gets one to send them. A refund whose promised date is over
// without its success is marked late (its request's execution sends the apology and the alert).
// Then the pipe's dead letters, now covered, are drained.
import { DomainError, type DomainEvent } from "../domain/events.ts";
import { dueOrderMail, orderEventsOf, sendableSince } from "../domain/notices.ts";
import { returnDueBy } from "../domain/parcel.ts";
import { settlementCheckSeconds } from "../domain/policy.ts";
import { isRefundLate, isSettling } from "../domain/refund.ts";
import { latestRequest } from "../domain/requests.ts";
import { SYSTEM } from "../domain/transition.ts";
import type { CancellationRequest } from "../domain/types.ts";
import { isTerminal } from "../domain/types.ts";
import { needsWakeUp, needsWorkflow } from "../domain/workflow-plan.ts";
import { changeOrder } from "./change-order.ts";
import type {
  AttentionIndex,
  Clock,
  ExecutionRecords,
  ExecutionRef,
  FailedStarts,
  Log,
  Metrics,
  Orders,
  Payments,
  RefundRef,
  StoredOrder,
  WorkflowExecutions,
  WorkflowSignals,
} from "./ports.ts";
import { providerRefundEvent } from "./refunds.ts";

export interface ReconcileDeps {
  clock: Clock;
  log: Log;
  metrics: Metrics;
  orders: Orders;
  attention: AttentionIndex;
  executions: WorkflowExecutions;
  executionRecords: ExecutionRecords;
  signals: WorkflowSignals;
  failedStarts?: FailedStarts;
  /** The payment provider, asked about refunds it has held as pending past the policy's period. */
  payments?: Payments;
}

/**
 * Work younger than this is left to whoever is doing it (a segment sending what its change caused,
 * a wake-up the API just sent). Open requests get no grace: resuming one whose start is still
 * under way is harmless, since a request's first execution is named by its id and a start with
 * the same name and input is the same execution.
 */
export const GRACE_SECONDS = 60;

export interface ReconcileReport {
  checked: number;
  /** Open requests and the oldest one's age in seconds. */
  open: number;
  oldestOpenSeconds: number;
  openOverDay: number;
  /**
   * Executions started for requests left without one: an open request's next step, or a finished
   * request's notices still due.
   */
  resumed: { requestId: string; execution: string }[];
  /** Waiting executions woken (a lost signal, or notices to send). */
  woken: string[];
  /** Refunds pending at the provider past the policy's period, asked about (a lost webhook). */
  asked: string[];
  /** Requests whose refund changed by what the provider's events told (a webhook lost). */
  heard: string[];
  /** Requests whose refund this sweep marked late (not succeeded by its promised date). */
  late: string[];
  /** Orders whose return of cancelled units this sweep marked overdue. */
  overdue: string[];
  /** Dead letters of the stream's pipe drained after the sweep. */
  drained: number;
  /** Orders or index pages that an AWS fault kept from being handled: next time, then. */
  errors: number;
}

/** The name of a request's `attempt`-th execution: the first is named by the request id. */
export const executionName = (requestId: string, attempt: number): string =>
  attempt <= 1 ? requestId : `${requestId}-${attempt}`;

const DAY_SECONDS = 86_400;
/** Dead letters drained per sweep (a message stands for a batch of stream records). */
const MAX_DEAD_LETTERS = 100;

/** One sweep's view of the running executions: listed once, and only when first needed. */
const runningNames = (deps: ReconcileDeps) => {
  let names: Promise<Set<string>> | undefined;
  return () => {
    names ??= deps.executions.runningNames().catch((error: unknown) => {
      names = undefined;
      throw error;
    });
    return names;
  };
};

/**
 * Resumes a request whose execution is not running; answers its new execution's name when that is
 * news (a first start the pipe never made, or a new attempt).
 */
const resume = async (
  deps: Pick<ReconcileDeps, "executions" | "executionRecords" | "metrics" | "log">,
  stored: StoredOrder,
  request: CancellationRequest,
  now: string,
): Promise<string | undefined> => {
  const { orderId } = stored.record.order;
  const { requestId } = request;
  const recorded = stored.executions[requestId];
  const current = recorded?.name ?? requestId;
  const input = { orderId, requestId, correlationId: requestId };
  // Not listed as running under its name: starting that name again is harmless (the same name
  // and input are the same execution). It started now if it never had (the pipe could not: the
  // request is still REQUESTED, or ended before anything started it), or was running and not yet
  // listed: only the first is news.
  if (await deps.executions.start(input, current)) {
    const maybeNeverStarted = request.status === "REQUESTED" || isTerminal(request.status);
    return recorded || !maybeNeverStarted ? undefined : current;
  }
  if (await deps.executions.isRunning(current)) return undefined;
  // It ended without finishing the request: a new execution under a new name, claimed first so
  // that two reconcilers never resume the same request at once.
  const attempt = (recorded?.attempt ?? 1) + 1;
  const next: ExecutionRef = { name: executionName(requestId, attempt), attempt, startedAt: now };
  if (!(await deps.executionRecords.claim(orderId, requestId, recorded, next))) return undefined;
  await deps.executions.start(input, next.name);
  deps.metrics.count("WorkflowResumed");
  deps.log.warn("resumed a request in a new execution", {
    orderId,
    requestId,
    // An open request stalled; a finished one's refund was reversed (or retried), or it still
    // had mail or events to send.
    why: !isTerminal(request.status)
      ? "stalled"
      : needsWorkflow(request)
        ? "refund to make again"
        : "notices due",
    previous: current,
    execution: next.name,
  });
  return next.name;
};

/**
 * A completed request whose refund needs the workflow again (the provider reversed it, or an
 * operator retried it) and that no execution waits on: its earlier execution ended, so it gets a
 * new one now rather than at the next sweep.
 */
export const resumeCompletedRefund = async (
  deps: Pick<ReconcileDeps, "executions" | "executionRecords" | "metrics" | "log" | "clock">,
  stored: StoredOrder,
  requestId: string,
): Promise<void> => {
  const request = stored.record.requests[requestId];
  if (!request || !isTerminal(request.status) || !needsWorkflow(request)) return;
  if (stored.waits[requestId]) return;
  await resume(deps, stored, request, deps.clock.now());
};

/**
 * The order's parcel entries have mail or events due and the request they belong to has ended:
 * that request's execution sends them, so it gets one now (a carrier's event, a delivery after
 * the cancellation) rather than at the next sweep. An open request's execution sends them when
 * it next wakes.
 */
export const resumeForOrderNotices = async (
  deps: Pick<ReconcileDeps, "executions" | "executionRecords" | "metrics" | "log" | "clock">,
  stored: StoredOrder,
): Promise<void> => {
  const owners = new Set(dueOrderMail(stored.record).map((mail) => mail.requestId));
  for (const request of Object.values(stored.record.requests)) {
    const { requestId } = request;
    if (!isTerminal(request.status) || stored.waits[requestId]) continue;
    if (owners.has(requestId) || orderEventsOf(stored.record, requestId).events.length > 0) {
      await resume(deps, stored, request, deps.clock.now());
    }
  }
};

/**
 * A refund the provider has held as pending for longer than the policy's settlement period (since
 * it answered, or was last asked) is asked about now: a webhook that never came leaves nothing
 * waiting. The answer is one conditional write, which wakes the request's execution.
 */
const askAboutSettlingRefunds = async (
  deps: ReconcileDeps,
  stored: StoredOrder,
  report: ReconcileReport,
  now: string,
  graceBefore: string,
): Promise<StoredOrder> => {
  const { payments } = deps;
  if (!payments) return stored;
  for (const request of Object.values(stored.record.requests)) {
    const { refund, requestId } = request;
    if (!refund || !isSettling(refund)) continue;
    const since = [refund.pendingSince, refund.checkedAt].filter(Boolean).sort().at(-1) ?? now;
    const period = settlementCheckSeconds(request.policy) * 1000;
    // A sweep without grace (local mode's `/_local/sweep`) takes the period as passed too.
    const takeAll = Date.parse(graceBefore) >= Date.parse(now);
    if (!takeAll && Date.parse(since) + period > Date.parse(now)) continue;
    const source = providerRefundEvent(payments, SYSTEM, requestId, { asked: true });
    try {
      stored = (await changeOrder(deps, stored.record.order.orderId, source, stored)).stored;
      report.asked.push(requestId);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return stored;
};

/**
 * Every refund of the order that is late at `now` (promised, not succeeded, its date over) and not
 * yet marked is marked so, once: one conditional write each, counted as RefundLate. Answers the
 * requests marked by this sweep: their execution has the apology and the alert to send at once.
 * Every request whose refund can be late is on the index: it is open (REFUND_PENDING,
 * REFUND_FAILED) or completed with a refund still to make (`needsWorkflow`).
 */
const markLateRefunds = async (
  deps: ReconcileDeps,
  stored: StoredOrder,
  report: ReconcileReport,
  now: string,
): Promise<{ stored: StoredOrder; marked: Set<string> }> => {
  const marked = new Set<string>();
  for (const request of Object.values(stored.record.requests)) {
    const { requestId } = request;
    if (!isRefundLate(request.refund, now)) continue;
    const event: DomainEvent = { type: "MARK_REFUND_LATE", requestId };
    try {
      const changed = await changeOrder(deps, stored.record.order.orderId, event, stored);
      stored = changed.stored;
      // Another sweep's mark (a replay) was counted by that sweep.
      if (changed.replayed) continue;
      deps.metrics.count("RefundLate");
      deps.log.warn("a refund missed its promised date", {
        orderId: stored.record.order.orderId,
        requestId,
      });
      report.late.push(requestId);
      marked.add(requestId);
    } catch (error) {
      // Succeeded meanwhile, or retried under a new promise: nothing is late any more.
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return { stored, marked };
};

/**
 * A return of cancelled units still not back at its `dueBy` is marked overdue, once (counted as
 * ReturnOverdue): the latest request's execution has the operators' alert to send at once.
 */
const markOverdueReturn = async (
  deps: ReconcileDeps,
  late: { stored: StoredOrder; marked: Set<string> },
  report: ReconcileReport,
  now: string,
): Promise<StoredOrder> => {
  const { order } = late.stored.record;
  const dueBy = returnDueBy(order);
  if (dueBy === undefined || dueBy > now) return late.stored;
  const event: DomainEvent = { type: "MARK_RETURN_OVERDUE" };
  try {
    const changed = await changeOrder(deps, order.orderId, event, late.stored);
    late.stored = changed.stored;
    // The request the new entry belongs to: the latest (its execution sends the alert).
    const latest = latestRequest(changed.stored.record)?.requestId;
    // Another sweep's mark (a replay) was counted by that sweep.
    if (changed.replayed || latest === undefined) return late.stored;
    deps.metrics.count("ReturnOverdue");
    deps.log.warn("a return of cancelled units is overdue", { orderId: order.orderId });
    report.overdue.push(order.orderId);
    late.marked.add(latest);
  } catch (error) {
    // Back with the seller meanwhile: nothing is overdue any more.
    if (!(error instanceof DomainError)) throw error;
  }
  return late.stored;
};

/** Looks at one order: each request's execution, wait and notices. */
const reconcileOrder = async (
  deps: ReconcileDeps,
  orderId: string,
  report: ReconcileReport,
  running: () => Promise<Set<string>>,
  now: string,
  graceBefore: string,
): Promise<void> => {
  let stored = await deps.orders.get(orderId);
  if (!stored) return;
  stored = await askAboutSettlingRefunds(deps, stored, report, now, graceBefore);
  const late = await markLateRefunds(deps, stored, report, now);
  stored = await markOverdueReturn(deps, late, report, now);
  for (const request of Object.values(stored.record.requests)) {
    const { requestId } = request;
    // Open, or completed with a refund still to make (one the provider reversed, and its retry).
    const open = needsWorkflow(request);
    if (!isTerminal(request.status)) {
      const age = Math.max(0, (Date.parse(now) - Date.parse(request.createdAt)) / 1000);
      report.open += 1;
      report.oldestOpenSeconds = Math.max(report.oldestOpenSeconds, age);
      if (age > DAY_SECONDS) report.openOverDay += 1;
    }
    const name = stored.executions[requestId]?.name ?? requestId;
    const isRunning = (await running()).has(name);
    const wait = stored.waits[requestId];
    // A late mark this sweep made has nobody else to send its mail: no grace for it.
    // (Its entries are written after `now`, the sweep's start: everything due counts.)
    const graceEnds = late.marked.has(requestId) ? "~" : graceBefore;
    if (isRunning) {
      if (wait && (await wakeIfDue(deps, stored, request, wait, graceEnds))) {
        report.woken.push(requestId);
      }
      continue;
    }
    // An open request goes on at once; a finished one's notices are its last segment's, unless
    // they are still due after the grace (that segment failed to send them, or never ran).
    if (open || (sendableSince(stored.record, request) ?? "~") < graceEnds) {
      const execution = await resume(deps, stored, request, now);
      if (execution) report.resumed.push({ requestId, execution });
    }
  }
};

/**
 * Wakes a waiting execution that has something to do and has not done it within the grace: a
 * status that moved on (the change's wake-up was lost) or notices still due (a failed send, which
 * its next segment retries). A wait whose execution no longer waits is forgotten.
 */
const wakeIfDue = async (
  deps: ReconcileDeps,
  stored: StoredOrder,
  request: CancellationRequest,
  wait: StoredOrder["waits"][string],
  graceBefore: string,
): Promise<boolean> => {
  const { orderId } = stored.record.order;
  const { requestId } = request;
  const moved = needsWakeUp(stored.record, requestId, wait.status);
  const due = moved
    ? request.updatedAt < graceBefore
    : (sendableSince(stored.record, request) ?? "~") < graceBefore;
  if (!due) return false;
  if (await deps.signals.wake(wait.token, { status: request.status })) {
    deps.metrics.count("WakeUpResent");
    return true;
  }
  await deps.executionRecords.forgetWait(orderId, requestId, wait.token);
  return false;
};

/** Runs one sweep. `graceSeconds` 0 takes everything now (local mode's `/_local/sweep`). */
export const reconcile = async (
  deps: ReconcileDeps,
  graceSeconds = GRACE_SECONDS,
): Promise<ReconcileReport> => {
  const now = deps.clock.now();
  const graceBefore = new Date(Date.parse(now) - graceSeconds * 1000).toISOString();
  const report: ReconcileReport = {
    checked: 0,
    open: 0,
    oldestOpenSeconds: 0,
    openOverDay: 0,
    resumed: [],
    woken: [],
    asked: [],
    heard: [],
    late: [],
    overdue: [],
    drained: 0,
    errors: 0,
  };
  // Dead letters received before the sweep are covered by it: drained after it, if it went well.
  const deadLetters = await receiveDeadLetters(deps, report);
  const running = runningNames(deps);
  const failed = (what: Record<string, unknown>, error: unknown) => {
    report.errors += 1;
    deps.log.error("reconciling failed here; the next run tries again", {
      ...what,
      error: (error as Error).name,
    });
  };
  await hearProviderEvents(deps, report, now, failed);
  // Everything up to now (inclusive: `since` is a prefix of the index's sort key).
  const before = `${now}~`;
  for (let shard = 0; shard < deps.attention.shards; shard++) {
    let start: Record<string, unknown> | undefined;
    do {
      let page: Awaited<ReturnType<AttentionIndex["page"]>>;
      try {
        page = await deps.attention.page(shard, before, start);
      } catch (error) {
        // One partition's trouble must not stop the others.
        failed({ shard }, error);
        break;
      }
      for (const item of page.items) {
        report.checked += 1;
        try {
          await reconcileOrder(deps, item.orderId, report, running, now, graceBefore);
        } catch (error) {
          // One order's trouble must not stop the sweep.
          failed({ orderId: item.orderId }, error);
        }
      }
      start = page.next;
    } while (start);
  }
  if (deadLetters.length > 0 && report.errors === 0 && deps.failedStarts) {
    try {
      await deps.failedStarts.remove(deadLetters);
      report.drained = deadLetters.length;
      deps.metrics.count("PipeFailuresDrained", deadLetters.length);
    } catch (error) {
      failed({ queue: "pipe dead letters" }, error);
    }
  }
  return report;
};

/**
 * How far back each sweep reads the provider's events: an hour, so that every event is read by a
 * dozen sweeps and one sweep that failed loses nothing.
 */
export const PROVIDER_EVENTS_LOOKBACK_SECONDS = 3600;

/**
 * The provider's own record of what happened to refunds (Stripe's events), read whether or not
 * their webhooks arrived: each refund of the service they name is asked about as a webhook would
 * have had it, so a reversal whose webhooks were all lost is still heard of. One conditional write
 * where something changed (nothing otherwise); a completed request whose refund now needs the
 * workflow gets its execution.
 */
const hearProviderEvents = async (
  deps: ReconcileDeps,
  report: ReconcileReport,
  now: string,
  failed: (what: Record<string, unknown>, error: unknown) => void,
): Promise<void> => {
  const { payments } = deps;
  if (!payments?.refundsChangedSince) return;
  const since = new Date(Date.parse(now) - PROVIDER_EVENTS_LOOKBACK_SECONDS * 1000).toISOString();
  let refs: RefundRef[];
  try {
    refs = await payments.refundsChangedSince(since);
  } catch (error) {
    failed({ provider: "events" }, error);
    return;
  }
  for (const { orderId, requestId, refundId } of refs) {
    const source = providerRefundEvent(payments, SYSTEM, requestId, { asked: false, refundId });
    try {
      const changed = await changeOrder(deps, orderId, source);
      report.heard.push(requestId);
      await resumeCompletedRefund(deps, changed.stored, requestId);
    } catch (error) {
      // Nothing new, an older key, or an order this service does not have.
      if (!(error instanceof DomainError)) failed({ orderId }, error);
    }
  }
};

const receiveDeadLetters = async (deps: ReconcileDeps, report: ReconcileReport) => {
  if (!deps.failedStarts) return [];
  try {
    return await deps.failedStarts.receive(MAX_DEAD_LETTERS);
  } catch (error) {
    report.errors += 1;
    deps.log.error("the pipe's dead letters could not be read", { error: (error as Error).name });
    return [];
  }
};
