// In-memory fakes of the application's ports (functions/app/ports.ts), for the unit loop
// (`npm run test:unit`: no Java, no network). They keep the contracts the DynamoDB, Step Functions,
// SES, EventBridge and ledger adapters keep, where the application relies on them: versioned
// conditional saves (ConflictError), the waits the state machine writes, lists ordered by the same
// index keys (derived by the DynamoDB adapter's own pure key functions), StartExecution's naming
// rules, the ledger's once-per-key refunds. Each fake can be told to fail, as an outage would.
import { queueTime, shardOf } from "../../functions/adapters/dynamodb/order-item.ts";
import {
  ConflictError,
  InvalidCursorError,
  OrderExistsError,
  RefundDeclinedError,
} from "../../functions/app/errors.ts";
import type {
  Attention,
  AttentionIndex,
  Clock,
  CountMetric,
  DecisionLink,
  DecisionLinks,
  EventPublisher,
  ExecutionRecords,
  ExecutionRef,
  FailedStarts,
  Log,
  Mail,
  Mailer,
  Metrics,
  OrderLists,
  OrderSummary,
  Orders,
  Page,
  PageRequest,
  Payments,
  RefundInstruction,
  RefundKey,
  RefundReceipt,
  RefundRef,
  SellerCounters,
  StoredOrder,
  Wait,
  WorkflowExecutions,
  WorkflowInput,
  WorkflowSignals,
} from "../../functions/app/ports.ts";
import type { Measurement } from "../../functions/domain/change-metrics.ts";
import { requestFacts } from "../../functions/domain/eligibility.ts";
import { attentionSince } from "../../functions/domain/notices.ts";
import {
  type OutParcelStatus,
  type ParcelSummary,
  parcelSummaryOf,
} from "../../functions/domain/parcel-views.ts";
import type { TimelineEvent } from "../../functions/domain/published-events.ts";
import { latestRequest } from "../../functions/domain/requests.ts";
import {
  type CounterIncrement,
  type CounterName,
  type Counters,
  counterChanges,
} from "../../functions/domain/seller-counters.ts";
import type { DayCounters } from "../../functions/domain/seller-metrics.ts";
import type { OrderRecord, ProviderRefund, RequestStatus } from "../../functions/domain/types.ts";
import {
  type CancellationRequestSummary,
  openRefundInquiries,
  type RefundInquirySummary,
  toRequestSummary,
} from "../../functions/domain/views.ts";

/** An error named like the AWS one (the adapters and the app tell errors apart by name). */
export const awsError = (name: string, message = name): Error =>
  Object.assign(new Error(message), { name });

/** Failures to inject: `next` makes that many next calls throw `error` (a 503-like outage). */
export class Outage {
  next = 0;
  constructor(private readonly error: () => Error) {}
  /** Throws if an injected failure is due. */
  check(): void {
    if (this.next > 0) {
      this.next -= 1;
      throw this.error();
    }
  }
}

interface Item {
  record: OrderRecord;
  version: number;
  waits: Record<string, Wait>;
  executions: Record<string, ExecutionRef>;
}

const copy = <T>(value: T): T => structuredClone(value);

const stored = (item: Item): StoredOrder => copy(item);

/**
 * The orders table in memory: the repository, the lists, the reconciler's index and the workflow's
 * records over one map of items, as the DynamoDB adapters share one table.
 */
export class FakeOrderTable
  implements Orders, OrderLists, AttentionIndex, ExecutionRecords, SellerCounters
{
  readonly items = new Map<string, Item>();
  /** The sellers' counters by `<sellerId>|<day>`, added with each create and save. */
  readonly counters = new Map<string, Counters>();
  readonly shards = 4;
  /** Writes made (creates and saves), to assert that a change is one write. */
  writes = 0;
  readonly outage = new Outage(() => awsError("ProvisionedThroughputExceededException"));

  async get(orderId: string): Promise<StoredOrder | undefined> {
    this.outage.check();
    const item = this.items.get(orderId);
    return item && stored(item);
  }

  async create(record: OrderRecord): Promise<StoredOrder> {
    this.outage.check();
    if (this.items.has(record.order.orderId)) throw new OrderExistsError();
    const item: Item = { record: copy(record), version: 1, waits: {}, executions: {} };
    this.items.set(record.order.orderId, item);
    this.count(counterChanges(undefined, record));
    this.writes += 1;
    return stored(item);
  }

  async save(
    current: StoredOrder,
    next: OrderRecord,
    options: { endWait?: string } = {},
  ): Promise<StoredOrder> {
    this.outage.check();
    const item = this.items.get(current.record.order.orderId);
    if (!item || item.version !== current.version) throw new ConflictError();
    this.count(counterChanges(item.record, next));
    item.record = copy(next);
    item.version += 1;
    if (options.endWait !== undefined) delete item.waits[options.endWait];
    this.writes += 1;
    return stored(item);
  }

  /** Adds a change's increments, as the DynamoDB adapter does in the change's transaction. */
  private count(increments: CounterIncrement[]): void {
    for (const { sellerId, day, counts } of increments) {
      const key = `${sellerId}|${day}`;
      const total = this.counters.get(key) ?? {};
      for (const [name, value] of Object.entries(counts) as [CounterName, number][]) {
        total[name] = (total[name] ?? 0) + value;
      }
      this.counters.set(key, total);
    }
  }

  async days(sellerId: string, from: string, to: string): Promise<DayCounters[]> {
    this.outage.check();
    return [...this.counters.entries()].flatMap(([key, counts]) => {
      const [seller, day = ""] = key.split("|");
      return seller === sellerId && day >= from && day <= to ? [{ day, counts: copy(counts) }] : [];
    });
  }

  /** What a wait state does: stores its token while the request is still in `status`. */
  storeWait(orderId: string, requestId: string, token: string, status: RequestStatus): boolean {
    const item = this.items.get(orderId);
    if (item?.record.requests[requestId]?.status !== status) return false;
    item.waits[requestId] = { token, status };
    return true;
  }

  // ---- lists: the same orders the indexes would list, in the same order --------------------

  private paginate<T>(all: T[], page: PageRequest, query: string): Page<T> {
    let start = 0;
    if (page.cursor !== undefined) {
      const [cursorQuery, offset] = Buffer.from(page.cursor, "base64url").toString().split("|");
      if (cursorQuery !== query || !/^\d+$/.test(offset ?? "")) throw new InvalidCursorError();
      start = Number(offset);
    }
    const items = all.slice(start, start + page.limit);
    const more = start + page.limit < all.length;
    return {
      items,
      nextCursor: more ? Buffer.from(`${query}|${start + page.limit}`).toString("base64url") : null,
    };
  }

  async buyerOrders(buyerId: string, page: PageRequest): Promise<Page<OrderSummary>> {
    this.outage.check();
    const orders = [...this.items.values()]
      .map((item) => item.record)
      .filter((record) => record.order.buyerId === buyerId)
      .sort((a, b) =>
        `${b.order.placedAt}#${b.order.orderId}`.localeCompare(
          `${a.order.placedAt}#${a.order.orderId}`,
        ),
      )
      .map((record) => copy({ order: record.order, ...requestFacts(record) }));
    return this.paginate(orders, page, `buyer:${buyerId}`);
  }

  private queue(
    matches: (record: OrderRecord, status: RequestStatus) => boolean,
    status: RequestStatus,
  ): CancellationRequestSummary[] {
    return [...this.items.values()]
      .flatMap(({ record }) => {
        const latest = latestRequest(record);
        if (!latest || latest.status !== status || !matches(record, status)) return [];
        return [{ key: `${queueTime(latest)}#${record.order.orderId}`, latest, record }];
      })
      .sort((a, b) => a.key.localeCompare(b.key))
      .map(({ latest, record }) => toRequestSummary(latest, record.order));
  }

  async sellerQueue(
    sellerId: string,
    status: RequestStatus,
    page: PageRequest,
  ): Promise<Page<CancellationRequestSummary>> {
    this.outage.check();
    const all = this.queue((record) => record.order.sellerId === sellerId, status);
    return this.paginate(all, page, `seller:${sellerId}:${status}`);
  }

  async operatorQueue(
    status: RequestStatus,
    page: PageRequest,
  ): Promise<Page<CancellationRequestSummary>> {
    this.outage.check();
    // While the policy itself decides a small refund, there is nothing for an operator to do.
    const all = this.queue((record) => {
      const latest = latestRequest(record);
      return !(latest?.status === "AWAITING_MARKETPLACE" && latest.marketplaceReview === "POLICY");
    }, status);
    return this.paginate(all, page, `operator:${status}`);
  }

  async refundInquiries(page: PageRequest): Promise<Page<RefundInquirySummary>> {
    this.outage.check();
    // As the index holds them: an entry per order, the order's longest waiting inquiry first.
    const orders = [...this.items.values()]
      .map(({ record }) => openRefundInquiries(record))
      .filter((inquiries) => inquiries.length > 0)
      .sort((a, b) =>
        `${a[0]?.openedAt}#${a[0]?.orderId}`.localeCompare(`${b[0]?.openedAt}#${b[0]?.orderId}`),
      );
    const shown = this.paginate(orders, page, "inquiries");
    return { items: copy(shown.items.flat()), nextCursor: shown.nextCursor };
  }

  async sellerParcels(
    sellerId: string,
    statuses: readonly OutParcelStatus[],
    page: PageRequest,
  ): Promise<Page<ParcelSummary>> {
    this.outage.check();
    const all = [...this.items.values()]
      .flatMap(({ record }) => {
        const summary = parcelSummaryOf(record);
        if (record.order.sellerId !== sellerId || !summary) return [];
        if (!statuses.includes(summary.parcel.status)) return [];
        return [{ key: `${summary.parcel.updatedAt}#${summary.orderId}`, summary }];
      })
      .sort((a, b) => a.key.localeCompare(b.key))
      .map(({ summary }) => copy(summary));
    return this.paginate(all, page, `parcels:${sellerId}:${[...statuses].sort().join(",")}`);
  }

  // ---- the reconciler's index ----------------------------------------------------------------

  async page(
    shard: number,
    before: string,
    start?: Record<string, unknown>,
  ): Promise<{ items: Attention[]; next?: Record<string, unknown> }> {
    this.outage.check();
    const all = [...this.items.values()]
      .flatMap(({ record }): Attention[] => {
        const since = attentionSince(record);
        const { orderId } = record.order;
        if (since === undefined || shardOf(orderId, this.shards) !== shard) return [];
        return `${since}#${orderId}` < before ? [{ orderId, since }] : [];
      })
      .sort((a, b) => `${a.since}#${a.orderId}`.localeCompare(`${b.since}#${b.orderId}`));
    const from = typeof start?.offset === "number" ? start.offset : 0;
    const items = all.slice(from, from + 2);
    return from + 2 < all.length ? { items, next: { offset: from + 2 } } : { items };
  }

  // ---- the workflow's records ----------------------------------------------------------------

  async claim(
    orderId: string,
    requestId: string,
    expected: ExecutionRef | undefined,
    next: ExecutionRef,
  ): Promise<boolean> {
    this.outage.check();
    const item = this.items.get(orderId);
    if (!item) return false;
    const current = item.executions[requestId];
    if (expected ? current?.name !== expected.name : current !== undefined) return false;
    item.executions[requestId] = copy(next);
    return true;
  }

  async recordFailure(
    orderId: string,
    requestId: string,
    name: string,
    error: string,
    now: string,
  ): Promise<void> {
    this.outage.check();
    const item = this.items.get(orderId);
    if (!item) return;
    const current = item.executions[requestId];
    if (current?.name === name) {
      item.executions[requestId] = { ...current, failedAt: now, error };
    } else if (!current && name === requestId) {
      item.executions[requestId] = { name, attempt: 1, startedAt: now, failedAt: now, error };
    }
  }

  async forgetWait(orderId: string, requestId: string, token: string): Promise<void> {
    this.outage.check();
    const item = this.items.get(orderId);
    if (item?.waits[requestId]?.token === token) delete item.waits[requestId];
  }
}

/** Step Functions in memory: executions by name, waits woken by token. */
export class FakeWorkflow implements WorkflowSignals, WorkflowExecutions {
  readonly executions = new Map<string, { input: WorkflowInput; running: boolean }>();
  /** Tokens of waits still waiting; a token not here is stale. */
  readonly waiting = new Set<string>();
  readonly woken: { token: string; status: RequestStatus }[] = [];
  readonly outage = new Outage(() => awsError("ThrottlingException"));

  async wake(token: string, detail: { status: RequestStatus }): Promise<boolean> {
    this.outage.check();
    if (!this.waiting.delete(token)) return false;
    this.woken.push({ token, status: detail.status });
    return true;
  }

  async start(input: WorkflowInput, name: string): Promise<boolean> {
    this.outage.check();
    const existing = this.executions.get(name);
    if (existing) {
      // The same name and input, while it runs, is the same execution.
      return existing.running && JSON.stringify(existing.input) === JSON.stringify(input);
    }
    this.executions.set(name, { input, running: true });
    return true;
  }

  async isRunning(name: string): Promise<boolean> {
    this.outage.check();
    return this.executions.get(name)?.running ?? false;
  }

  async runningNames(): Promise<Set<string>> {
    this.outage.check();
    return new Set(
      [...this.executions].flatMap(([name, execution]) => (execution.running ? [name] : [])),
    );
  }
}

/** SES in memory: the mail sent, in order. */
export class FakeMailer implements Mailer {
  readonly sent: Mail[] = [];
  readonly outage = new Outage(() => awsError("ServiceUnavailable"));
  async send(mail: Mail): Promise<void> {
    this.outage.check();
    this.sent.push(copy(mail));
  }
}

/**
 * The decision links in memory, by hash, as the DynamoDB adapter keeps them: a mint never replaces
 * a link, a link is marked used once.
 */
export class FakeDecisionLinks implements DecisionLinks {
  readonly items = new Map<string, DecisionLink>();
  readonly outage = new Outage(() => awsError("ProvisionedThroughputExceededException"));

  async mint(link: DecisionLink): Promise<void> {
    this.outage.check();
    if (this.items.has(link.hash)) throw awsError("ConditionalCheckFailedException");
    this.items.set(link.hash, copy(link));
  }

  async find(hash: string): Promise<DecisionLink | undefined> {
    this.outage.check();
    const link = this.items.get(hash);
    return link && copy(link);
  }

  async markUsed(hash: string, at: string): Promise<boolean> {
    this.outage.check();
    const link = this.items.get(hash);
    if (!link || link.usedAt !== undefined) return false;
    link.usedAt = at;
    return true;
  }
}

/** EventBridge in memory: the events published, in order. */
export class FakePublisher implements EventPublisher {
  readonly published: TimelineEvent[] = [];
  readonly outage = new Outage(() => awsError("InternalException"));
  async publish(events: readonly TimelineEvent[]): Promise<void> {
    this.outage.check();
    this.published.push(...copy(events));
  }
}

/**
 * The payment provider in memory: one refund per key, declines and outages on request, and
 * refunds that answer `pending` (`answerPending`) or whose status the test sets later (`settle`).
 */
export class FakePayments implements Payments {
  readonly made = new Map<string, RefundInstruction>();
  /** Calls per key, whatever they answered. */
  readonly calls = new Map<string, number>();
  /** Keys the provider refuses for good. */
  readonly declined = new Set<string>();
  /** Keys the provider refuses with an error of that name (e.g. its credentials refused). */
  readonly refused = new Map<string, string>();
  readonly outage = new Outage(() => awsError("ProviderUnavailable"));
  /** New refunds answer `pending` while true (a bank transfer, a balance too low). */
  answerPending = false;
  /** What the provider says now of each refund it made. */
  readonly states = new Map<string, ProviderRefund>();

  async refund(instruction: RefundInstruction): Promise<RefundReceipt> {
    const { refundId } = instruction;
    this.calls.set(refundId, (this.calls.get(refundId) ?? 0) + 1);
    this.outage.check();
    if (this.declined.has(refundId)) throw new RefundDeclinedError(`refund ${refundId} declined`);
    const refusal = this.refused.get(refundId);
    if (refusal) throw Object.assign(new Error(`refund ${refundId} refused`), { name: refusal });
    const replayed = this.made.has(refundId);
    if (!replayed) {
      this.made.set(refundId, copy(instruction));
      this.states.set(refundId, {
        providerReference: `fake-${refundId}`,
        status: this.answerPending ? "pending" : "succeeded",
      });
    }
    return { refundId, replayed, ...copy(this.states.get(refundId) as ProviderRefund) };
  }

  async lookup({ refundId }: RefundKey): Promise<RefundReceipt | undefined> {
    this.outage.check();
    const state = this.states.get(refundId);
    return state ? { refundId, replayed: true, ...copy(state) } : undefined;
  }

  /**
   * The provider changes its word on a refund it made (it settles, fails, or is reversed), and
   * keeps an event of it (`refundsChangedSince`), whatever becomes of the webhook.
   */
  settle(refundId: string, change: Omit<ProviderRefund, "providerReference">): void {
    const state = this.states.get(refundId);
    const made = this.made.get(refundId);
    if (!state || !made) throw new Error(`no refund ${refundId} was made`);
    this.states.set(refundId, { providerReference: state.providerReference, ...change });
    this.changed.push({ orderId: made.orderId, requestId: made.requestId, refundId });
  }

  /** Refunds `settle` changed, oldest first (the fake keeps no time: every one is recent). */
  readonly changed: RefundRef[] = [];

  async refundsChangedSince(_since: string): Promise<RefundRef[]> {
    this.outage.check();
    return copy([...new Map(this.changed.map((ref) => [ref.refundId, ref])).values()]);
  }
}

/** The pipe's dead-letter queue in memory. */
export class FakeDeadLetters implements FailedStarts {
  readonly messages: string[] = [];
  async receive(max: number): Promise<string[]> {
    return this.messages.slice(0, max);
  }
  async remove(receipts: readonly string[]): Promise<void> {
    for (const receipt of receipts) {
      const index = this.messages.indexOf(receipt);
      if (index >= 0) this.messages.splice(index, 1);
    }
  }
}

/** A clock the test moves. */
export class FakeClock implements Clock {
  constructor(private instant = "2026-11-21T00:00:00.000Z") {}
  now(): string {
    return this.instant;
  }
  set(instant: string): void {
    this.instant = instant;
  }
  advance(seconds: number): string {
    this.instant = new Date(Date.parse(this.instant) + seconds * 1000).toISOString();
    return this.instant;
  }
}

/** Log lines kept, by level. */
export class FakeLog implements Log {
  readonly lines: { level: string; message: string; extra: Record<string, unknown>[] }[] = [];
  info(message: string, ...extra: Record<string, unknown>[]) {
    this.lines.push({ level: "info", message, extra });
  }
  warn(message: string, ...extra: Record<string, unknown>[]) {
    this.lines.push({ level: "warn", message, extra });
  }
  error(message: string, ...extra: Record<string, unknown>[]) {
    this.lines.push({ level: "error", message, extra });
  }
}

/** Metrics kept: counts by name, and every measurement. */
export class FakeMetrics implements Metrics {
  readonly counts = new Map<CountMetric, number>();
  readonly measurements: Measurement[] = [];
  count(name: CountMetric, value = 1) {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
  measure(measurements: readonly Measurement[]) {
    this.measurements.push(...measurements);
  }
}

export const OPERATOR_EMAILS = ["ops@example.com"];
/** The service's public origin, as the workflow's mail step is configured with it. */
export const PUBLIC_ORIGIN = "https://console.example.com";

/** Every fake, wired as the functions wire their adapters. */
export const fakeWorld = (now?: string) => {
  const table = new FakeOrderTable();
  const workflow = new FakeWorkflow();
  const world = {
    table,
    workflow,
    mailer: new FakeMailer(),
    links: new FakeDecisionLinks(),
    publisher: new FakePublisher(),
    payments: new FakePayments(),
    deadLetters: new FakeDeadLetters(),
    clock: new FakeClock(now),
    log: new FakeLog(),
    metrics: new FakeMetrics(),
    /** The Stripe webhook endpoint's signing secret (whsec_…), as the webhook route reads it. */
    stripeWebhookSecret: "whsec_test_fake" as string | undefined,
  };
  return {
    ...world,
    /** What a change takes (app/change-order.ts). */
    changeDeps: () => ({
      orders: table,
      signals: workflow,
      clock: world.clock,
      log: world.log,
      metrics: world.metrics,
    }),
    /** What the workflow's segment takes (app/segment.ts). */
    segmentDeps: () => ({
      orders: table,
      payments: world.payments,
      executionRecords: table,
      mailer: world.mailer,
      events: world.publisher,
      clock: world.clock,
      log: world.log,
      metrics: world.metrics,
      operatorEmails: OPERATOR_EMAILS,
      decisionLinks: { links: world.links, origin: PUBLIC_ORIGIN },
    }),
    /** What the reconciler takes (app/reconcile.ts). */
    reconcileDeps: () => ({
      orders: table,
      attention: table,
      executions: workflow,
      executionRecords: table,
      signals: workflow,
      failedStarts: world.deadLetters,
      payments: world.payments,
      mailer: world.mailer,
      events: world.publisher,
      clock: world.clock,
      log: world.log,
      metrics: world.metrics,
      operatorEmails: OPERATOR_EMAILS,
    }),
  };
};
