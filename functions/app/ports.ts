// The interfaces the application needs from the outside world, owned here: adapters (DynamoDB,
// Step Functions, SES, EventBridge, the payment provider) implement them, tests use in-memory
// fakes, and each function is wired with only the ports its route or step uses.
import type { Measurement } from "../domain/change-metrics.ts";
import type { RequestFacts } from "../domain/eligibility.ts";
import type { OutParcelStatus, ParcelSummary } from "../domain/parcel-views.ts";
import type { TimelineEvent } from "../domain/published-events.ts";
import type { DayCounters } from "../domain/seller-metrics.ts";
import type {
  Currency,
  Order,
  OrderRecord,
  PaymentProvider,
  ProviderRefund,
  RefundMethod,
  RequestStatus,
} from "../domain/types.ts";
import type { CancellationRequestSummary, RefundInquirySummary } from "../domain/views.ts";

/**
 * A workflow execution waiting for a person or a deadline: its task token, and the status the
 * request had when the wait began. Once the request's status differs, the wait has something to
 * wake up for (`needsWakeUp` in domain/workflow-plan.ts). Written by the state machine itself.
 */
export interface Wait {
  token: string;
  status: RequestStatus;
}

/** Which execution carries a request: `attempt` 1 is named by the request id, then `<id>-<n>`. */
export interface ExecutionRef {
  name: string;
  attempt: number;
  startedAt: string;
  /** Set by the workflow's catch-all when the execution gave up. */
  failedAt?: string;
  error?: string;
}

/** An order as stored: the record, its version, and what the workflow keeps beside it. */
export interface StoredOrder {
  record: OrderRecord;
  /** A save must present it, and it goes up by one with each save. */
  version: number;
  /** Waits by request id (absent: no execution is waiting for that request). */
  waits: Readonly<Record<string, Wait>>;
  /** The execution carrying each request, when it is not the first (named by the request id). */
  executions: Readonly<Record<string, ExecutionRef>>;
}

/** The orders repository: one item per order, every change one conditional write. */
export interface Orders {
  get(orderId: string): Promise<StoredOrder | undefined>;
  /** Stores a new order at version 1; OrderExistsError if the id is taken. */
  create(record: OrderRecord): Promise<StoredOrder>;
  /**
   * Replaces the record if the order is still at `stored.version` (ConflictError otherwise), and
   * answers the order as that write left it: the waits as they were at that instant. `endWait`
   * removes that request's wait in the same write (the workflow's own steps, which run only once
   * their wait is over).
   */
  save(
    stored: StoredOrder,
    next: OrderRecord,
    options?: { endWait?: string },
  ): Promise<StoredOrder>;
}

/**
 * A seller's performance counters (domain/seller-counters.ts): written by the orders repository
 * in the same write as the change that causes them, read here for the metrics routes.
 */
export interface SellerCounters {
  /** The seller's counters of each day from `from` to `to` (YYYY-MM-DD, both included). */
  days(sellerId: string, from: string, to: string): Promise<DayCounters[]>;
}

/** Longest list cursor accepted: real ones stay well below it (ids are at most 128 characters). */
export const MAX_CURSOR_LENGTH = 2048;

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Opaque; null when there are no more items. */
  nextCursor: string | null;
}

/** An entry of the buyer's list: the order, and what its requests tell about the buyer's options. */
export interface OrderSummary extends RequestFacts {
  order: Order;
}

/** The lists people read (each a Query on an index, never a Scan). */
export interface OrderLists {
  buyerOrders(buyerId: string, page: PageRequest): Promise<Page<OrderSummary>>;
  /** A seller's orders whose latest request is in `status`, soonest deadline first. */
  sellerQueue(
    sellerId: string,
    status: RequestStatus,
    page: PageRequest,
  ): Promise<Page<CancellationRequestSummary>>;
  /** Orders whose latest request is in `status` (but for one under the policy's own review), soonest first. */
  operatorQueue(
    status: RequestStatus,
    page: PageRequest,
  ): Promise<Page<CancellationRequestSummary>>;
  /**
   * Open refund inquiries, the longest waiting first: those of up to `limit` orders (an order
   * with inquiries open on several of its requests lists each).
   */
  refundInquiries(page: PageRequest): Promise<Page<RefundInquirySummary>>;
  /**
   * A seller's orders with cancelled units whose parcel is in one of `statuses` (not yet back),
   * the parcel's last change oldest first (then by order id).
   */
  sellerParcels(
    sellerId: string,
    statuses: readonly OutParcelStatus[],
    page: PageRequest,
  ): Promise<Page<ParcelSummary>>;
}

/** An order that needs looking at (an open request, or notices due), since `since`. */
export interface Attention {
  orderId: string;
  since: string;
}

/** The reconciler's index of orders that need attention, in shards, oldest first. */
export interface AttentionIndex {
  readonly shards: number;
  page(
    shard: number,
    before: string,
    start?: Record<string, unknown>,
  ): Promise<{ items: Attention[]; next?: Record<string, unknown> }>;
}

/** An order's audit head as a seal records it (audit.ts: the last entry's `seq` and `hash`). */
export interface SealedHead {
  orderId: string;
  seq: number;
  head: string;
}

/**
 * One seal of the audit chains (SPEC "Audit trail"): the heads of the orders whose chain last grew
 * in (`from`, `to`], sorted by order id; `sealedAt` is when it was made. Written even when empty,
 * so that the digests, one after another, cover time without a gap.
 */
export interface AuditDigest {
  sealedAt: string;
  from: string;
  to: string;
  heads: SealedHead[];
}

/** The orders by the time their audit chain last grew (the AuditHeads index). */
export interface AuditHeads {
  /** Every order whose chain last grew in (`after`, `upTo`], with its head then. */
  changedBetween(after: string, upTo: string): Promise<SealedHead[]>;
}

/** Where the sealer left off: the `to` of the last digest it sealed. */
export interface SealCursor {
  /** Undefined before the first seal. */
  read(): Promise<string | undefined>;
  /**
   * Moves it to `to` if it is still at `from` (undefined: not set yet); false when another
   * sealer moved it first.
   */
  move(from: string | undefined, to: string): Promise<boolean>;
}

/** Where the digests are kept, never replaced (an S3 bucket with Object Lock when deployed). */
export interface SealStore {
  /** Stores the digest under a key derived from its `to`; false when one with that `to` exists. */
  put(digest: AuditDigest): Promise<boolean>;
  /** Every digest, oldest first. */
  list(): Promise<AuditDigest[]>;
}

/** What the workflow and the reconciler record about executions, beside the order. */
export interface ExecutionRecords {
  /**
   * Records that `next` now carries the request, if the one on record is still `expected` (absent:
   * the first execution): two reconcilers never both resume it. False when someone else did.
   */
  claim(
    orderId: string,
    requestId: string,
    expected: ExecutionRef | undefined,
    next: ExecutionRef,
  ): Promise<boolean>;
  /** The workflow's catch-all: marks execution `name` of the request as having given up. */
  recordFailure(
    orderId: string,
    requestId: string,
    name: string,
    error: string,
    now: string,
  ): Promise<void>;
  /** Forgets a wait whose execution no longer waits (only if it still holds `token`). */
  forgetWait(orderId: string, requestId: string, token: string): Promise<void>;
}

/** The execution input: the workflow reads everything else from the order record. */
export interface WorkflowInput {
  orderId: string;
  requestId: string;
  /** Follows the request into its execution's log lines (the request id). */
  correlationId: string;
}

/** Waking a waiting execution (SendTaskSuccess): all any change needs of the workflow. */
export interface WorkflowSignals {
  /** Ends the wait holding `token`; false when that wait was already over (a stale token). */
  wake(token: string, detail: { status: RequestStatus }): Promise<boolean>;
}

/** Starting and finding executions: the reconciler's (the table's stream starts new ones). */
export interface WorkflowExecutions {
  /**
   * Starts an execution named `name`. Standard workflows treat a second start with the same name
   * and input as the same execution; false when one of that name already exists otherwise.
   */
  start(input: WorkflowInput, name: string): Promise<boolean>;
  /** Whether the execution of that name is running. */
  isRunning(name: string): Promise<boolean>;
  /** The names of the running executions. */
  runningNames(): Promise<Set<string>>;
}

/**
 * The dead-letter queue of the stream's pipe: starts it could not make. Each message only says a
 * batch failed (a stream's dead letters carry its shard and sequence numbers, not the item), so
 * the reconciler drains it after its sweep has started every request that never began.
 */
export interface FailedStarts {
  /** Up to `max` messages, each by its receipt handle. */
  receive(max: number): Promise<string[]>;
  remove(receipts: readonly string[]): Promise<void>;
}

/** A rendered email, ready to send. Recipients come from the order record only. */
export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/**
 * A decision link of the seller's mail (SPEC "Decision links in the seller's mail"), as stored:
 * never its id (the link's credential), only the id's SHA-256, with what the link may do and until
 * when. Used once (`usedAt`); dead anyway once the request no longer awaits the seller.
 */
export interface DecisionLink {
  /** Lowercase hex SHA-256 of the link's id. */
  hash: string;
  orderId: string;
  requestId: string;
  sellerId: string;
  decision: "APPROVE" | "REJECT";
  /** The request's seller deadline when the link was minted. */
  expiresAt: string;
  mintedAt: string;
  usedAt?: string;
}

/** The stored decision links (one item per link in the orders table). */
export interface DecisionLinks {
  /** Stores a new link. */
  mint(link: DecisionLink): Promise<void>;
  find(hash: string): Promise<DecisionLink | undefined>;
  /** Records the link's use, once: false when it was used already (or is unknown). */
  markUsed(hash: string, at: string): Promise<boolean>;
}

/** Where domain events go (the EventBridge bus in AWS). */
export interface EventPublisher {
  publish(events: readonly TimelineEvent[]): Promise<void>;
}

export interface RefundInstruction {
  /** The idempotency key: every attempt for one refund passes the same one. */
  refundId: string;
  orderId: string;
  requestId: string;
  amount: number;
  currency: Currency;
  method: RefundMethod;
  /** Who holds the order's money, and its payment there (Stripe: the PaymentIntent `pi_…`). */
  provider: PaymentProvider;
  paymentReference: string | null;
}

/** A refund key and where its order was paid: what the provider is asked about. */
export type RefundKey = Pick<
  RefundInstruction,
  "refundId" | "orderId" | "method" | "provider" | "paymentReference"
>;

/** What the provider says of a refund now: its status, why it failed, the bank's reference. */
export interface RefundReceipt extends ProviderRefund {
  refundId: string;
  /** True when this call found the refund already made by an earlier attempt. */
  replayed: boolean;
}

/**
 * The payment provider. A permanent refusal throws RefundDeclinedError (errors.ts). A refund can
 * be made and still answer `pending`, or fail later: its receipt says which, and the provider
 * tells of later changes by webhook (Stripe) or when asked (`lookup`).
 */
export interface Payments {
  /** Makes the refund once: the same key again answers the first refund (`replayed`). */
  refund(instruction: RefundInstruction): Promise<RefundReceipt>;
  /** The refund made under the key, as the provider sees it now; undefined when none was made. */
  lookup(key: RefundKey): Promise<RefundReceipt | undefined>;
  /**
   * The service's refunds the provider said something new about since `since` (its events, read
   * whether or not their webhooks arrived): what the reconciler asks about again. Providers
   * without events (the ledger, whose refunds never change) have none.
   */
  refundsChangedSince?(since: string): Promise<RefundRef[]>;
}

/** A refund by the service's own keys, as the provider's metadata carries them. */
export interface RefundRef {
  orderId: string;
  requestId: string;
  refundId: string;
}

export interface Clock {
  /** Now, as an ISO 8601 UTC instant. */
  now(): string;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };

/** Structured log lines (Powertools' Logger in Lambda): never bodies, emails or tokens. */
export interface Log {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Business counts the alarms watch. */
export type CountMetric =
  | "RefundFailed"
  | "RefundDeclined"
  | "RefundLate"
  | "ReturnOverdue"
  | "MailFailed"
  | "EventsNotPublished"
  | "WakeUpResent"
  | "WorkflowFailed"
  | "WorkflowResumed"
  | "PipeFailuresDrained";

/** Business metrics (Powertools EMF in Lambda); never fails a change. */
export interface Metrics {
  count(name: CountMetric, value?: number): void;
  /** Several measurements in one EMF line (a change's, the reconciler's gauges). */
  measure(measurements: readonly Measurement[]): void;
}

/** Metrics that go nowhere: for functions and tests that publish none. */
export const noMetrics: Metrics = { count: () => undefined, measure: () => undefined };
