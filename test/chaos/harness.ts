// The chaos harness: local mode booted once in this process, driven over HTTP as its users drive
// it. Each run (`ChaosRun`) owns fresh orders and its own faults, which hit only the calls made
// for its orders (so runs may overlap); people's actions, timers (expireWaits), the reconciler and
// faults are its methods. After every action it reads the run's orders; after the run it stops
// its faults, lets the reconciler and the timers bring every request to an end, and checks the
// invariants. A broken invariant throws a `Break`. The buyer's requests and previews, which may
// name lines, must be answered as the model of SPEC's line-level rules (lines.ts) says.
//
// What it watches, beside the API's answers and the stored items (all in this process):
// - every execution the workflow starts (`ExecutionWatch`): a request is carried by one execution
//   at a time, named by its id (`<requestId>`, or `<requestId>-<n>` once resumed);
// - the stream's pipe (`StreamWatch`): which requests each batch carried, its failed deliveries,
//   lost answers (a record delivered again) and dead letters;
// - what SES and EventBridge accepted, and the writes of the order item that failed after them
//   (`NoticeWatch`): the only excuse for a mail or an event that went out twice;
// - for orders paid through the Stripe stand-in, its refunds of their PaymentIntents (listed
//   through the SDK, told apart by their metadata) and its webhook deliveries, against what the
//   service stored (`checkStripe`).
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type {
  AbsoluteLocation,
  FinalizeHandler,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerOptions,
  MetadataBearer,
  RelativeMiddlewareOptions,
} from "@smithy/types";
import Stripe from "stripe";
import { createDocumentClient } from "../../functions/adapters/dynamodb/document-client.ts";
import {
  INDEXED_ATTRIBUTE_NAMES,
  indexedAttributes,
  orderKey,
  sameStoredValue,
  toStoredOrder,
} from "../../functions/adapters/dynamodb/order-item.ts";
import type { StoredOrder } from "../../functions/app/ports.ts";
import type { ReconcileReport } from "../../functions/app/reconcile.ts";
import { type AuditEntry, exportAudit, verifyAudit } from "../../functions/domain/audit.ts";
import { CANCELLATION_REASONS, type CancellationReason } from "../../functions/domain/codes.ts";
import {
  dueEvents,
  dueMail,
  dueOrderEvents,
  dueOrderMail,
  type EmailTemplate,
  entryMail,
  type MailNotice,
  noticesOf,
  ORDER_MAIL_PREFIX,
  orderEntryMail,
  type Recipient,
} from "../../functions/domain/notices.ts";
import { canMove, parcelOf, TRACKING_MOVES } from "../../functions/domain/parcel.ts";
import type { Policy } from "../../functions/domain/policy.ts";
import {
  eventIdOf,
  orderEventIdOf,
  orderEvents,
  type TimelineEventDetail,
} from "../../functions/domain/published-events.ts";
import { latestRequest } from "../../functions/domain/requests.ts";
import type { TrackingEventType } from "../../functions/domain/schemas.ts";
import type {
  CancellationRequest,
  EntryEvent,
  MailMark,
  Order,
  OrderRecord,
  ParcelStatus,
  PaymentMethod,
  RequestNotices,
  RequestStatus,
  ReturnStatus,
  TimelineEntry,
} from "../../functions/domain/types.ts";
import { isTerminal, PARCEL_TIMELINE_TYPES } from "../../functions/domain/types.ts";
import { toPublicRequest } from "../../functions/domain/views.ts";
import { needsWorkflow } from "../../functions/domain/workflow-plan.ts";
import { renderEmail } from "../../functions/notifications/render.ts";
import { START_STATES } from "../../infra/request-starts.ts";
import { STATES } from "../../infra/workflow.ts";
import { type Caller, LocalClient, orderBody } from "../../local/client.ts";
import {
  type DrawContext,
  FAULT_MIDDLEWARE_NAME,
  type Fault,
  type FaultErrorKind,
  FaultInjector,
  type FaultSpec,
} from "../../local/faults.ts";
import type { LocalPayment } from "../../local/payments.ts";
import type { DeliveryResult } from "../../local/pipes.ts";
import {
  LOCAL_REFUNDS_TABLE_NAME,
  type LocalInfo,
  type LocalMode,
  startLocal,
} from "../../local/start.ts";
import type { Execution, LocalStepFunctions } from "../../local/step-functions.ts";
import {
  approvalOf,
  type Expected,
  expectAnswer,
  factsOf,
  type LinePick,
  type LineQuantity,
  REFUND_METHOD,
  refundableTotal,
  resolvePick,
  sameTerms,
  selectionOf,
  type Terms,
  termsOf,
  termsView,
  WHOLE,
} from "./lines.ts";

/** A broken invariant (or an answer the API must never give). */
export class Break extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(`${kind}: ${message}`);
    this.name = "Break";
  }
}

/** Short deadlines in product time; the waits are ended by `expireWaits`, never by sleeping. */
export const CHAOS_POLICY = {
  version: "chaos",
  sellerResponseSeconds: 3600,
  sellerReminderSeconds: 600,
  onSellerTimeout: "ESCALATE",
  marketplaceReviewSeconds: 3600,
  onMarketplaceTimeout: "APPROVE",
  refundRetryWaitSeconds: 3600,
  // The defaults' values, stated: the model works amounts, approvals and limits out itself.
  autoApproveMaxAmount: { JPY: 30_000, USD: 30_000 },
  refundShippingFee: true,
  partialShippingRefund: "WHEN_ALL_CANCELLED",
  maxRequestsPerOrder: 10,
} satisfies Partial<Policy>;

/** An API answer that has not come after this long is a hang (API Gateway's integration limit). */
const HANG_MS = 30_000;
/** The reconciler's own limit: its Lambda timeout (infra/stack.ts). */
const SWEEP_HANG_MS = 5 * 60_000;
/** Rounds of recovery (sweep, due timers) before a request counts as stuck. */
export const RECOVERY_ROUNDS = 30;
/**
 * The pipe polls the stream every 40 ms and backs off 5–20 ms between its 11 tries of a batch
 * (AWS: about 4 polls a second, and backoff up to minutes); the counts are the template's.
 */
const PIPE_TIMINGS = { pollIntervalMs: 40, retryBaseMs: 5, retryMaxMs: 20 };
/**
 * How long a dead letter the reconciler received stays hidden (SqsDeadLetters asks 300 s, its
 * Lambda timeout). Scaled down like the state machine's retry pauses: a sweep that had errors does
 * not drain what it received, and recovery does not wait five minutes for it to come back.
 */
const DEAD_LETTER_VISIBILITY_SECONDS = 2;
/**
 * The Stripe stand-in on a chaos run's time: a reference, a `pm_card_refundFail` failure and a
 * `pending` refund's settlement come within a third of a second, a late webhook as late, and a
 * delivery the service did not answer 2xx is sent again every few hundred milliseconds for as long
 * as it takes (Stripe tries for three days: longer than any run's outage), so only a `webhook`
 * fault of `unavailable` loses one.
 */
const STRIPE_TIMINGS = {
  referenceMs: 50,
  refundFailMs: 200,
  pendingMs: 300,
  webhooks: { attempts: 1000, retryMs: 50, maxRetryMs: 400, timeoutMs: 10_000, lateMs: 300 },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The carrier every run's orders are shipped with, and one whose client must not see them. */
const SHIP_CARRIER = "yamato";
const OTHER_CARRIER = "sagawa";

type Json = Record<string, unknown>;

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** The chaos runs' order ids (`orderBody`'s `o-<uuid>`), wherever they appear. */
const ORDER_ID = new RegExp(`o-${UUID}`);
/** A refund key, `rf-<requestId>[-n]`. */
const REFUND_KEY = new RegExp(`rf-(${UUID})`);
/** A workflow execution's name: the request id, then `-<n>` for the n-th (resumed) execution. */
const EXECUTION_NAME = new RegExp(`^(${UUID})(?:-(\\d+))?$`);

/** The request an execution carries, by its name. */
export const requestOfExecution = (name: string): string | undefined =>
  EXECUTION_NAME.exec(name)?.[1];

type Middleware = <Input extends object, Output extends MetadataBearer>(
  next: InitializeHandler<Input, Output>,
  context: HandlerExecutionContext,
) => InitializeHandler<Input, Output>;

type FinalizeMiddleware = <Input extends object, Output extends MetadataBearer>(
  next: FinalizeHandler<Input, Output>,
  context: HandlerExecutionContext,
) => FinalizeHandler<Input, Output>;

interface Stack {
  add(middleware: Middleware, options: InitializeHandlerOptions & AbsoluteLocation): void;
  addRelativeTo(
    middleware: FinalizeMiddleware,
    options: RelativeMiddlewareOptions & { name: string; override: boolean },
  ): void;
}
const stackOf = (client: object) => (client as { middlewareStack: Stack }).middlewareStack;

const placement = (
  name: string,
  priority: "high" | "low",
): InitializeHandlerOptions & AbsoluteLocation => ({
  step: "initialize",
  priority,
  name,
  override: true,
});

const operationOf = (context: HandlerExecutionContext) =>
  String(context.commandName ?? "").replace(/Command$/, "");

/** What the watch reads of a write of the order item. */
type OrderWriteInput =
  | { Key?: { pk?: unknown; sk?: unknown }; ExpressionAttributeValues?: Json }
  | undefined;

/** The order item's update in a transaction (the rest are its seller's counter items). */
const orderUpdateIn = (input: unknown): OrderWriteInput =>
  ((input as { TransactItems?: { Update?: OrderWriteInput }[] }).TransactItems ?? [])
    .map((item) => item.Update)
    .find((update) => update?.Key?.sk === orderKey("x").sk);

/**
 * A write refused for its condition, or a transaction cancelled for it or for another
 * transaction holding an item: the writer re-reads and decides again (a ConflictError).
 */
const isLostRace = (error: unknown): boolean => {
  const { name, CancellationReasons: reasons } = error as {
    name?: string;
    CancellationReasons?: { Code?: string }[];
  };
  if (name === "ConditionalCheckFailedException" || name === "TransactionConflictException") {
    return true;
  }
  return (
    name === "TransactionCanceledException" &&
    (reasons ?? []).some(
      (reason) => reason.Code === "ConditionalCheckFailed" || reason.Code === "TransactionConflict",
    )
  );
};

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];

// ---------------------------------------------------------------------------------------------
// Faults per run

/** What the work in progress is about. */
interface Scope {
  /** The orders it is for (a batch of stream records may carry several). */
  orders?: readonly string[];
  /** A reconciler sweep a run made: it draws that run's faults only. */
  sweeper?: FaultInjector;
  /** Who is at work: an execution (one task at a time), or one sweep. */
  worker?: object;
}

/**
 * Faults per run. Every call local mode can fault is tied to the orders it is about: a workflow
 * execution carries its order (the whole execution runs in that scope), a pipe's delivery the
 * orders of its batch's records, the starter's start its record's order, and an SDK call names
 * its order in its input (a key, a mail's subject, an event's detail, an execution's input, task
 * token or name). The Stripe stand-in serves its calls and sends its webhooks outside any scope:
 * each names its PaymentIntent, whose order is known (a call about none, such as the harness
 * creating a PaymentIntent, suffers no fault). A call draws from the faults of the runs that own
 * those orders. A sweep a run makes draws that run's faults only, whatever order it looks at (so
 * that a run's recovery is not held up by another run's outage; each run's own sweeps meet its
 * faults), but for Stripe's calls, which are its PaymentIntent's run's. Calls about no order
 * in particular draw from the only live run's faults, if just one is live, but for the pipe's
 * polls: an outage of the pipe any live run drew stops it for everyone, as a real one would, for
 * as many polls as the fault's count.
 */
export class FaultScopes {
  private readonly scope = new AsyncLocalStorage<Scope>();
  /** Order id → the faults of the run that owns it. */
  private readonly injectors = new Map<string, FaultInjector>();
  private readonly live = new Set<FaultInjector>();
  /** Request id → order id (refund keys and execution names carry request ids). */
  readonly requestOrders = new Map<string, string>();
  /** PaymentIntent id → order id (what the Stripe stand-in's fault draws name). */
  readonly paymentIntentOrders = new Map<string, string>();

  constructor(private readonly tokenOrder: (taskToken: string) => string | undefined) {}

  register(orderIds: readonly string[], injector: FaultInjector) {
    for (const orderId of orderIds) this.injectors.set(orderId, injector);
    this.live.add(injector);
  }

  unregister(orderIds: readonly string[], injector: FaultInjector) {
    for (const orderId of orderIds) this.injectors.delete(orderId);
    this.live.delete(injector);
  }

  /** Replaces local mode's `FaultInjector.draw`: the faults of the call's runs. */
  readonly draw = (
    target: Fault["target"],
    operation?: string,
    errors?: readonly FaultErrorKind[],
    context: DrawContext = {},
  ): Fault | undefined => {
    const injectors =
      target === "stripe"
        ? this.stripeCandidates(context.subject)
        : this.candidates(target, this.scope.getStore());
    for (const injector of injectors) {
      const fault = injector.draw(target, operation, errors, context);
      if (fault) return fault;
    }
    return undefined;
  };

  /** A Stripe call or webhook draws the faults of its PaymentIntent's order's run. */
  private stripeCandidates(paymentIntent: string | undefined): FaultInjector[] {
    const orderId =
      paymentIntent === undefined ? undefined : this.paymentIntentOrders.get(paymentIntent);
    const injector = orderId === undefined ? undefined : this.injectors.get(orderId);
    return injector ? [injector] : [];
  }

  private candidates(target: Fault["target"], scope: Scope | undefined): FaultInjector[] {
    const orders = scope?.orders ?? [];
    if (orders.length > 0) {
      const owners = unique(orders.flatMap((orderId) => this.injectors.get(orderId) ?? []));
      return scope?.sweeper ? owners.filter((owner) => owner === scope.sweeper) : owners;
    }
    if (scope?.sweeper) return this.live.has(scope.sweeper) ? [scope.sweeper] : [];
    if (target === "pipes") return [...this.live];
    return this.live.size === 1 ? [...this.live] : [];
  }

  /** Is the pipe down for now (a live run's `unavailable` fault on it that has polls left)? */
  pipeDown(): boolean {
    return [...this.live].some((injector) =>
      injector
        .list()
        .some(
          (fault) =>
            fault.target === "pipes" &&
            fault.error === "unavailable" &&
            (fault.count === undefined || fault.fired < fault.count),
        ),
    );
  }

  /** Runs `work` (and everything it starts) as being about `orders`, in a sweep if it is in one. */
  within<T>(orders: readonly string[], work: () => T): T {
    if (orders.length === 0) return work();
    return this.scope.run({ ...this.scope.getStore(), orders }, work);
  }

  /** Runs `work` as about `orders` and nothing else: an execution, a pipe's delivery. */
  anew<T>(orders: readonly string[], work: () => T, worker?: object): T {
    return this.scope.run({ orders, ...(worker ? { worker } : {}) }, work);
  }

  /** Runs `work` as a sweep of the run whose faults are `injector`. */
  sweeping<T>(injector: FaultInjector, work: () => T): T {
    return this.scope.run({ sweeper: injector, worker: {} }, work);
  }

  /** Who the call in progress works for (an execution, a sweep), if anyone in particular. */
  readonly worker = (): object | undefined => this.scope.getStore()?.worker;

  /** The order an SDK call is about, from its input. */
  private orderOf(operation: string, input: Json): string | undefined {
    if (operation === "SendTaskSuccess" || operation === "SendTaskFailure") {
      return typeof input.taskToken === "string" ? this.tokenOrder(input.taskToken) : undefined;
    }
    const text = JSON.stringify(input);
    const named = ORDER_ID.exec(text)?.[0];
    if (named) return named;
    // A refund key (the ledger), or an execution's ARN (DescribeExecution): by their request.
    const byRefund = REFUND_KEY.exec(text)?.[1];
    if (byRefund) return this.requestOrders.get(byRefund);
    const arn = typeof input.executionArn === "string" ? input.executionArn : undefined;
    const request = arn ? requestOfExecution(arn.split(":").at(-1) ?? "") : undefined;
    return request ? this.requestOrders.get(request) : undefined;
  }

  /** For the handlers' SDK clients: each call runs in the scope of the order it names. */
  readonly middleware: Middleware = (next, context) => async (args) => {
    const orderId = this.orderOf(operationOf(context), args.input as Json);
    return this.within(orderId ? [orderId] : [], () => next(args));
  };
}

// ---------------------------------------------------------------------------------------------
// Executions

/**
 * Every execution of the workflow, by the request it carries, as it is started (by the starter,
 * the reconciler or anyone else). A request is carried by one execution at a time: a start while
 * another execution of the same request runs is recorded as an overlap.
 */
export class ExecutionWatch {
  private readonly byRequest = new Map<string, Execution[]>();
  /** Starts that found another execution of the same request running. */
  readonly overlaps: { requestId: string; what: string }[] = [];

  constructor(private readonly workflow: LocalStepFunctions) {
    const start = workflow.startExecution.bind(workflow);
    workflow.startExecution = (name, input, stateMachineArn) => {
      const execution = start(name, input, stateMachineArn);
      this.started(execution);
      return execution;
    };
  }

  private started(execution: Execution) {
    const requestId = requestOfExecution(execution.name);
    if (requestId === undefined) return;
    const executions = this.byRequest.get(requestId) ?? [];
    if (executions.includes(execution)) return;
    const running = executions.filter((other) => other.status === "RUNNING");
    if (running.length > 0) {
      this.overlaps.push({
        requestId,
        what: `${execution.name} started while ${running.map((other) => `${other.name} (at ${other.history.at(-1)?.stateName ?? "?"})`).join(", ")} ran`,
      });
    }
    executions.push(execution);
    this.byRequest.set(requestId, executions);
  }

  of(requestId: string): readonly Execution[] {
    return this.byRequest.get(requestId) ?? [];
  }

  /** Is a task of this execution running now (not parked in a wait)? */
  busy(execution: Execution): boolean {
    return execution.status === "RUNNING" && !this.workflow.isWaiting(execution.executionArn);
  }
}

// ---------------------------------------------------------------------------------------------
// The stream's pipe

/** What the harness reaches inside local mode's pipe (local/pipes.ts). */
interface PipeInternals {
  attempt(input: string): Promise<DeliveryResult>;
  deliverWithRetries(shard: unknown, batch: { input: unknown }[]): Promise<void>;
  options: { deadLetter?: (body: string) => Promise<void> };
}

/** A record as the pipe's input template renders it. */
interface StartRecord {
  orderId: string;
  requestId: string;
}

/** How the pipe handled the stream record of one request. */
export interface RecordFate {
  /** Starts of its execution the starter made for it (more than one: delivered again). */
  starts: number;
  /** Deliveries of a batch that carried it that failed (and were tried again, or dead-lettered). */
  failedAttempts: number;
  /** Delivered: its batch's delivery succeeded (after its lost answers, if any). */
  delivered: number;
  /** Dead-lettered: its batch failed every try. */
  deadLettered: number;
}

/**
 * The pipe as the harness sees it: the requests each batch carries (its deliveries are about
 * their orders, so a run's pipe faults fail the batches of its orders), each request's record's
 * fate, and the dead letters it wrote, by the orders of their batch.
 */
export class StreamWatch {
  readonly fates = new Map<string, RecordFate>();
  /** Requests whose batch is being delivered (or retried) now. */
  readonly inDelivery = new Set<string>();
  /** Dead-letter body → the records of its batch. */
  readonly deadLetters = new Map<string, StartRecord[]>();
  private current: StartRecord[] = [];

  constructor(pipes: readonly object[], faults: FaultScopes) {
    for (const pipe of pipes as PipeInternals[]) {
      const deliver = pipe.deliverWithRetries.bind(pipe);
      pipe.deliverWithRetries = async (shard, batch) => {
        const records = batch.map((item) => item.input as StartRecord);
        this.current = records;
        for (const record of records) this.inDelivery.add(record.requestId);
        try {
          await deliver(shard, batch);
        } finally {
          for (const record of records) this.inDelivery.delete(record.requestId);
          this.current = [];
        }
      };
      const attempt = pipe.attempt.bind(pipe);
      pipe.attempt = async (input) => {
        const records = JSON.parse(input) as StartRecord[];
        const result = await faults.anew(unique(records.map((record) => record.orderId)), () =>
          attempt(input),
        );
        for (const record of records) {
          const fate = this.fate(record.requestId);
          if (result.ok) fate.delivered += 1;
          else fate.failedAttempts += 1;
        }
        return result;
      };
      const deadLetter = pipe.options.deadLetter;
      if (deadLetter) {
        pipe.options.deadLetter = async (body) => {
          this.deadLetters.set(body, this.current);
          for (const record of this.current) this.fate(record.requestId).deadLettered += 1;
          await deadLetter(body);
        };
      }
    }
  }

  fate(requestId: string): RecordFate {
    let fate = this.fates.get(requestId);
    if (!fate) {
      fate = { starts: 0, failedAttempts: 0, delivered: 0, deadLettered: 0 };
      this.fates.set(requestId, fate);
    }
    return fate;
  }
}

// ---------------------------------------------------------------------------------------------
// Mail and events

type MailHead = { to: string[]; subject: string };

const mailKeyOf = (to: readonly string[], subject: string) =>
  `${[...to].sort().join(",")}|${subject}`;

/** Whose marks a `LostMark` names in place of a request id: the order's own (its parcel's). */
const ORDER_MARKS = "order";

/** A sent mark or a publication that a failed write of the order item did not save. */
interface LostMark {
  orderId: string;
  /** The request whose mark it was, or `ORDER_MARKS` for the order's own notices. */
  requestId: string;
  /**
   * The mail's key (`<entry>.<TEMPLATE>[.alert]`, `order.<entry>.…` for the order's own), or the
   * event's position (in the request's timeline, or the order's).
   */
  mail?: string;
  event?: number;
  /** When the write failed (ms). */
  at: number;
}

/** The notices' marks one write of the order item carried: its requests', and the order's own. */
interface WrittenMarks {
  requests: Record<string, CancellationRequest>;
  orderNotices?: RequestNotices;
}

const NO_NOTICES: RequestNotices = { mail: {}, published: 0 };

/** An entry's snapshot for its event (`event`), as a successful write or a read of the item had it. */
interface EntrySnapshot {
  type: string;
  at: string;
  actor: string;
  event: EntryEvent;
}

/**
 * What went out, and the writes that should have recorded it:
 * - SES: each mail it accepted (from the SES client), with the instant it did;
 * - EventBridge: each event it accepted, and the PutEvents attempts it accepted whose answer the
 *   caller never got (a lost answer: the SDK, or a later sender, publishes them again);
 * - the order item: each UpdateItem carrying the requests (and the order's own notices, when it
 *   changes them) that failed with an error other than its condition (e.g. a DynamoDB fault past
 *   the SDK's retries), and the sent marks and publications in it that the item, read right
 *   after, does not have: those are lost, and their
 *   mail or events go out again. The same when the write failed its condition and the writer's
 *   read of the fresh item, to apply its marks to, then failed (a DynamoDB fault again): the
 *   writer (an execution's step, or a sweep) gives up with its marks unsaved. Each such lost mark
 *   excuses one resend; nothing else does (a conflict is otherwise decided again on the fresh
 *   item with the marks applied, so it never resends);
 * - the entries' event snapshots the item held, to check each event against its change;
 * - per order, a log of all that (printed with a break about mail or events).
 *
 * Events follow the same rule as mail (an event published again must be explained by a lost
 * answer of EventBridge or a lost PUBLISHED mark), rather than relying on consumers dropping
 * repeats by eventId: a repeat nothing explains means two senders at once, which the design rules
 * out for events as for mail.
 */
export class NoticeWatch {
  /** Order id → mail SES accepted, with when. */
  readonly mails = new Map<string, (MailHead & { at: number })[]>();
  /** Order id → events EventBridge accepted, each copy. */
  readonly events = new Map<string, { detailType: string; detail: TimelineEventDetail }[]>();
  /** Event id → copies published in attempts whose answer was lost. */
  readonly lostAnswers = new Map<string, number>();
  readonly lostMarks = new Map<string, LostMark[]>();
  /** Event id → the snapshot its entry carried. */
  readonly snapshots = new Map<string, EntrySnapshot>();
  /** Snapshots that changed after they were written (an entry is written once). */
  readonly snapshotChanges: string[] = [];

  /** Worker → order id → the marks of its write that failed its condition, until it reads. */
  private readonly conflicts = new WeakMap<object, Map<string, WrittenMarks>>();
  /** Order id → what happened to its notices and their marks, in order. */
  readonly logs = new Map<string, string[]>();

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly worker: () => object | undefined,
  ) {}

  log(orderId: string, line: string) {
    const log = this.logs.get(orderId) ?? [];
    log.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (log.length > 120) log.shift();
    this.logs.set(orderId, log);
  }

  /** On the SES client: the mail it accepted. */
  readonly sesMiddleware: Middleware = (next) => async (args) => {
    const result = await next(args);
    const input = args.input as {
      Destination?: { ToAddresses?: string[] };
      Message?: { Subject?: { Data?: string } };
    };
    const subject = input.Message?.Subject?.Data ?? "";
    const orderId = ORDER_ID.exec(subject)?.[0];
    if (orderId) {
      const list = this.mails.get(orderId) ?? [];
      list.push({ to: input.Destination?.ToAddresses ?? [], subject, at: Date.now() });
      this.mails.set(orderId, list);
      this.log(orderId, `SES took "${subject}" to ${input.Destination?.ToAddresses?.join(",")}`);
    }
    return result;
  };

  /** On the EventBridge client, inside the fault middleware: what each attempt got accepted. */
  readonly acceptedMiddleware: FinalizeMiddleware = (next, context) => async (args) => {
    const result = await next(args);
    const output = result.output as { Entries?: { ErrorCode?: string }[] };
    const entries = (args.input as { Entries?: { DetailType?: string; Detail?: string }[] })
      .Entries;
    const accepted: string[] = [];
    (entries ?? []).forEach((entry, index) => {
      if (output.Entries?.[index]?.ErrorCode) return;
      const detail = JSON.parse(entry.Detail ?? "{}") as TimelineEventDetail;
      const list = this.events.get(detail.orderId) ?? [];
      list.push({ detailType: String(entry.DetailType), detail });
      this.events.set(detail.orderId, list);
      accepted.push(detail.eventId);
    });
    const call = context as { chaosAccepted?: string[][] };
    call.chaosAccepted = [...(call.chaosAccepted ?? []), accepted];
    const orderId = ORDER_ID.exec(accepted.length > 0 ? JSON.stringify(entries) : "")?.[0];
    if (orderId) this.log(orderId, `EventBridge took ${accepted.join(" ")}`);
    return result;
  };

  /** On the EventBridge client, outside its retries: which accepted attempts went unanswered. */
  readonly publishMiddleware: Middleware = (next, context) => async (args) => {
    let answered = false;
    try {
      const result = await next(args);
      answered = true;
      return result;
    } finally {
      const attempts = (context as { chaosAccepted?: string[][] }).chaosAccepted ?? [];
      // The caller heard of the last attempt only if the call succeeded.
      for (const accepted of answered ? attempts.slice(0, -1) : attempts) {
        for (const eventId of accepted) {
          this.lostAnswers.set(eventId, (this.lostAnswers.get(eventId) ?? 0) + 1);
        }
        const orderId = ORDER_ID.exec(JSON.stringify(args.input))?.[0];
        if (orderId && accepted.length > 0) {
          this.log(orderId, `EventBridge's answer lost: ${accepted.join(" ")}`);
        }
      }
    }
  };

  /**
   * On the handlers' DynamoDB client: writes of the order item (the snapshots they store, the
   * marks they lose) and the reads after a write that failed its condition.
   */
  readonly dynamoMiddleware: Middleware = (next, context) => async (args) => {
    const operation = operationOf(context);
    // A change that adds to its seller's counters writes the order in a transaction with them.
    const input = (
      operation === "TransactWriteItems" ? orderUpdateIn(args.input) : args.input
    ) as OrderWriteInput;
    const orderId =
      typeof input?.Key?.pk === "string" && input.Key.sk === orderKey("x").sk
        ? ORDER_ID.exec(input.Key.pk)?.[0]
        : undefined;
    const writes = operation === "UpdateItem" || operation === "TransactWriteItems";
    if (!orderId || (!writes && operation !== "GetItem")) return next(args);
    const worker = this.worker();
    const conflicts = worker ? this.conflicts.get(worker) : undefined;
    if (operation === "GetItem") {
      const conflicted = conflicts?.get(orderId);
      if (!conflicted) return next(args);
      conflicts?.delete(orderId);
      try {
        return await next(args);
      } catch (error) {
        this.log(orderId, `the re-read after a conflict failed: ${(error as Error).name}`);
        await this.lost(orderId, conflicted, Date.now());
        throw error;
      }
    }
    const values = input?.ExpressionAttributeValues;
    const requests = values?.[":requests"] as Record<string, CancellationRequest> | undefined;
    if (!requests) return next(args);
    conflicts?.delete(orderId);
    // The order's own notices are written only when they change.
    const orderNotices = values?.[":orderNotices"] as RequestNotices | undefined;
    const written: WrittenMarks = { requests, ...(orderNotices && { orderNotices }) };
    const describe = (id: string, notices: RequestNotices) => {
      const sent = Object.entries(notices.mail).filter(([, mark]) => typeof mark === "string");
      return `${id} published ${notices.published}, sent ${sent.map(([key]) => key).join(" ")}`;
    };
    const marks = [
      ...Object.values(requests).map((request) =>
        describe(request.requestId.slice(0, 8), noticesOf(request)),
      ),
      ...(orderNotices ? [describe(ORDER_MARKS, orderNotices)] : []),
    ].join("; ");
    try {
      const result = await next(args);
      for (const request of Object.values(requests)) this.snapshot(request);
      this.log(orderId, `written: ${marks}`);
      return result;
    } catch (error) {
      const name = (error as Error).name;
      this.log(orderId, `write failed (${name}): ${marks}`);
      if (!isLostRace(error)) {
        await this.lost(orderId, written, Date.now());
      } else if (worker) {
        const map = this.conflicts.get(worker) ?? new Map();
        map.set(orderId, written);
        this.conflicts.set(worker, map);
      }
      throw error;
    }
  };

  /** Records the event snapshots of a request's entries, as stored. */
  snapshot(request: CancellationRequest) {
    request.timeline.forEach((entry, index) => {
      if (!entry.event) return;
      const eventId = eventIdOf(request.requestId, index);
      const snapshot = { type: entry.type, at: entry.at, actor: entry.actor, event: entry.event };
      const known = this.snapshots.get(eventId);
      if (known && !isDeepStrictEqual(known, snapshot)) {
        this.snapshotChanges.push(
          `${eventId}: ${JSON.stringify(known)} → ${JSON.stringify(snapshot)}`,
        );
      }
      this.snapshots.set(eventId, snapshot);
    });
  }

  /** The marks a failed write carried that the item, read now, does not have. */
  private async lost(orderId: string, marks: WrittenMarks, at: number): Promise<void> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: orderKey(orderId), ConsistentRead: true }),
    );
    const stored = (Item?.requests ?? {}) as Record<string, CancellationRequest>;
    const lost = this.lostMarks.get(orderId) ?? [];
    const compare = (requestId: string, written: RequestNotices, kept: RequestNotices) => {
      for (const [mail, mark] of Object.entries(written.mail)) {
        if (typeof mark === "string" && typeof kept.mail[mail] !== "string") {
          lost.push({ orderId, requestId, mail, at });
        }
      }
      for (let event = kept.published; event < written.published; event++) {
        lost.push({ orderId, requestId, event, at });
      }
    };
    for (const [requestId, request] of Object.entries(marks.requests)) {
      const kept = stored[requestId] ? noticesOf(stored[requestId]) : NO_NOTICES;
      compare(requestId, noticesOf(request), kept);
    }
    if (marks.orderNotices) {
      const kept = (Item?.orderNotices as RequestNotices | undefined) ?? NO_NOTICES;
      compare(ORDER_MARKS, marks.orderNotices, kept);
    }
    this.lostMarks.set(orderId, lost);
    const lostNow = lost.filter((mark) => mark.at === at);
    if (lostNow.length > 0) {
      this.log(
        orderId,
        `marks lost: ${lostNow.map((mark) => `${mark.requestId.slice(0, 8)}/${mark.mail ?? `event ${mark.event}`}`).join(" ")}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The server

export interface ChaosServer {
  local: LocalMode;
  api: LocalClient;
  info: LocalInfo;
  /** The official SDK on the Stripe stand-in, as a shop pays with it (and to read its refunds). */
  stripe: Stripe;
  /** A document client of the local table, outside the faults. */
  documents: DynamoDBDocumentClient;
  operator: Caller;
  system: Caller;
  /** A carrier client bound to no carrier (a local token may report for any). */
  carrier: Caller;
  /** Carrier clients bound to `SHIP_CARRIER`, the runs' carrier, and to another one. */
  boundCarrier: Caller;
  otherCarrier: Caller;
  operatorEmails: string[];
  faults: FaultScopes;
  executions: ExecutionWatch;
  stream: StreamWatch;
  notices: NoticeWatch;
  /** The reconciler's handler, as local mode runs it (`/_local/sweep`: grace 0). */
  reconcile: () => Promise<ReconcileReport>;
  stop: () => Promise<void>;
}

/** What the chaos harness reaches inside local mode's Step Functions stand-in. */
interface StepFunctionsInternals {
  issuedTokens: Map<string, string>;
  run: (execution: { executionArn: string }, input: unknown) => void;
  startTarget: (rawInput: unknown, stateName: string) => Promise<unknown>;
}

/**
 * Boots local mode with the chaos policy and test-only hooks, all in this process: the state
 * machines' retries keep their counts but not their pauses, and the pipe polls and backs off fast
 * (pauses of up to minutes would make a run last that long); local mode's fault injector draws
 * from the faults of the runs whose orders a call is about; the watches above; and the
 * reconciler's dead letters come back after 2 s instead of 300.
 */
export const startChaosServer = async (log?: (line: string) => void): Promise<ChaosServer> => {
  const folder = await mkdtemp(path.join(tmpdir(), "chaos-"));
  const policyFile = path.join(folder, "policy.json");
  await writeFile(policyFile, JSON.stringify(CHAOS_POLICY));
  const local = await startLocal({
    port: 0,
    policyFile,
    ...(log ? { log } : {}),
    timings: {
      pipes: PIPE_TIMINGS,
      stripe: STRIPE_TIMINGS,
      stateRetryIntervals: Object.fromEntries(
        [...Object.values(STATES), ...Object.values(START_STATES)].map((name) => [name, 0]),
      ),
    },
  });
  let reader: DynamoDBClient | undefined;
  try {
    const workflow = local.stepFunctions;
    const sfn = workflow as unknown as StepFunctionsInternals;
    const tokenOrder = (taskToken: string) => {
      const arn = sfn.issuedTokens.get(taskToken);
      const input = arn ? workflow.describeExecution(arn).input : undefined;
      return input ? ORDER_ID.exec(input)?.[0] : undefined;
    };
    const faults = new FaultScopes(tokenOrder);
    local.faults.draw = faults.draw;
    // An execution runs in the scope of its order, whoever started it.
    const run = sfn.run.bind(sfn);
    sfn.run = (execution, input) => {
      const orderId = ORDER_ID.exec(JSON.stringify(input))?.[0];
      return faults.anew(orderId ? [orderId] : [], () => run(execution, input), execution);
    };
    const executions = new ExecutionWatch(workflow);
    const stream = new StreamWatch(local.pipes, faults);
    // The starter's start of one record is about that record's order.
    for (const machine of local.stateMachines.values()) {
      if (machine === workflow) continue;
      const starter = machine as unknown as StepFunctionsInternals;
      const startTarget = starter.startTarget.bind(starter);
      starter.startTarget = (rawInput, stateName) => {
        const orderId = ORDER_ID.exec(JSON.stringify(rawInput))?.[0];
        const { Name } = rawInput as { Name?: unknown };
        if (typeof Name === "string") stream.fate(Name).starts += 1;
        return faults.anew(orderId ? [orderId] : [], () => startTarget(rawInput, stateName));
      };
    }

    // The handlers' SDK clients: the same module instances local mode loaded and faults.
    const clients = await import("../../functions/adapters/aws-clients.ts");
    if (!local.awsClients.dynamodb.includes(clients.dynamoDb())) {
      throw new Error("the handlers' clients are not the ones local mode wired");
    }
    const api = new LocalClient(local.url);
    const info = (await api.get<LocalInfo>("/_local/info")).body;
    reader = new DynamoDBClient({
      endpoint: info.dynamodbEndpoint,
      region: info.region,
      credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    });
    const documents = createDocumentClient(reader);
    const notices = new NoticeWatch(documents, info.tableName, faults.worker);
    const { awsClients } = local;
    for (const service of Object.values(awsClients) as object[][]) {
      for (const sdkClient of service) {
        stackOf(sdkClient).add(faults.middleware, placement("chaosScope", "high"));
      }
    }
    stackOf(clients.dynamoDb()).add(notices.dynamoMiddleware, placement("chaosMarks", "low"));
    for (const ses of awsClients.ses)
      stackOf(ses).add(notices.sesMiddleware, placement("chaosMail", "low"));
    for (const eventBridge of awsClients.eventbridge) {
      stackOf(eventBridge).add(notices.publishMiddleware, placement("chaosPublish", "low"));
      stackOf(eventBridge).addRelativeTo(notices.acceptedMiddleware, {
        relation: "after",
        toMiddleware: FAULT_MIDDLEWARE_NAME,
        name: "chaosEventsAccepted",
        override: true,
      });
    }
    const shortVisibility: Middleware = (next, context) => async (args) => {
      const input = args.input as { VisibilityTimeout?: number };
      if (operationOf(context) === "ReceiveMessage") {
        input.VisibilityTimeout = Math.min(
          input.VisibilityTimeout ?? DEAD_LETTER_VISIBILITY_SECONDS,
          DEAD_LETTER_VISIBILITY_SECONDS,
        );
      }
      return next(args);
    };
    for (const sqs of awsClients.sqs)
      stackOf(sqs).add(shortVisibility, placement("chaosDeadLetterVisibility", "low"));

    // The reconciler: the scheduled function's handler, which `/_local/sweep` runs with grace 0.
    const reconciler = await import("../../functions/workflow/reconcile.ts");
    const reconcile = () => reconciler.handler({ graceSeconds: 0 });

    const [operator, system, carrier, boundCarrier, otherCarrier] = await Promise.all([
      api.operator("chaos-operator"),
      api.system(),
      api.carrier(),
      api.carrier(SHIP_CARRIER),
      api.carrier(OTHER_CARRIER),
    ]);
    const { operatorEmails } = await import("../../functions/adapters/config.ts");
    const stripe = new Stripe(info.stripe.secretKey, {
      host: "127.0.0.1",
      port: Number(new URL(info.stripe.apiBase).port),
      protocol: "http",
      maxNetworkRetries: 2,
      telemetry: false,
    });
    return {
      local,
      api,
      info,
      stripe,
      documents,
      operator,
      system,
      carrier,
      boundCarrier,
      otherCarrier,
      operatorEmails: [...operatorEmails()],
      faults,
      executions,
      stream,
      notices,
      reconcile,
      stop: async () => {
        reader?.destroy();
        await local.stop();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    reader?.destroy();
    await local.stop();
    throw error;
  }
};

// ---------------------------------------------------------------------------------------------
// A run

export const PAYMENT_METHODS: readonly PaymentMethod[] = [
  "CARD",
  "GIFT_CARD",
  "POINTS",
  "CONVENIENCE_STORE",
  "CASH_ON_DELIVERY",
];

export interface OrderSpec {
  locale: "ja" | "en";
  currency: "JPY" | "USD";
  method: PaymentMethod;
  /** Above the policy's auto-approval limit (the default line; generated prices are ×10). */
  high: boolean;
  /** The order's lines (`l1`, `l2`, …); by default one unit of 98,000 if high, else 4,980. */
  lines?: readonly { quantity: number; unitPrice: number }[];
  /**
   * Taken off what the lines and shipping come to (a coupon, points): `paidAmount` is the rest
   * (at least 0; cash on delivery pays 0 in advance).
   */
  discount?: number;
  /**
   * A card order paid through the Stripe stand-in with this test card (its PaymentIntent created
   * and confirmed before the import, which names it): its card refunds are Stripe's. An order
   * that paid less than Stripe's smallest charge (50 yen or cents) is the ledger's.
   */
  stripe?: StripeCard;
}

/** Stripe's test cards: refunds of `pm_card_refundFail` succeed, then fail a moment later. */
export const STRIPE_CARDS = ["pm_card_visa", "pm_card_refundFail"] as const;
export type StripeCard = (typeof STRIPE_CARDS)[number];
/** Stripe's smallest charge in JPY and USD (the stand-in's too), in the minor unit. */
const STRIPE_MINIMUM_CHARGE = 50;

const SHIPPING_FEE = 500;

/** Every reason a buyer may give (the domain's list). */
export const REASONS = CANCELLATION_REASONS;
export type Reason = CancellationReason;

/**
 * The buyer's comments for OTHER: markup, and long ones of many bytes (the queues' summaries cut a
 * comment to 80 characters and 240 bytes).
 */
const COMMENTS = [
  "chaos <b>test</b>",
  `${"返品できますか？".repeat(40)}`,
  `${"🙏📦".repeat(120)}`,
] as const;

/** An Idempotency-Key the buyer sent, with its body, and the request id its first 202 named. */
interface KeyUse {
  key: string;
  body: Json & { lines?: LineQuantity[] };
  requestId?: string;
}

interface RunOrder {
  spec: OrderSpec;
  orderId: string;
  /** The order's Stripe PaymentIntent, when it was paid through Stripe. */
  paymentIntent?: string;
  buyer: Caller;
  seller: Caller;
  body: Json;
  /** Idempotency keys sent, with their body, and the request id the first 202 named. */
  keys: KeyUse[];
  /** The order as last read from the store. */
  stored?: StoredOrder;
  /** Its audit trail's entries at the latest version read: later versions only add to them. */
  audit?: { version: number; entries: AuditEntry[] };
  importTried?: boolean;
}

/** 503 (nothing done, or not known) and a race lost for good: no answer the model can judge. */
const unjudged = (answer: ApiAnswer): boolean =>
  answer.status === 503 ||
  (answer.status === 409 &&
    answer.body.code === "INVALID_STATE" &&
    String(answer.body.detail).includes("concurrently"));

const amountOfTerms = (terms: Terms): number => terms.itemsAmount + terms.shippingAmount;

/** The units of the order that completed requests cancelled. */
const unitsCancelled = (order: Order): number =>
  order.lines.reduce((sum, line) => sum + line.cancelledQuantity, 0);

/** A return only moves on: REQUESTED, then OVERDUE (past its due date), then RECEIVED. */
const RETURN_RANK: Readonly<Record<ReturnStatus, number>> = {
  REQUESTED: 0,
  OVERDUE: 1,
  RECEIVED: 2,
};

/**
 * What a cancellation's answer depends on: the order's status, its lines' cancelled units, its
 * requests' statuses (the one made with `key` aside).
 */
const stateOf = (record: OrderRecord, key: string): string =>
  JSON.stringify({
    status: record.order.status,
    cancelled: record.order.lines.map((line) => line.cancelledQuantity),
    requests: Object.values(record.requests)
      .filter((request) => request.idempotencyKey !== key)
      .map((request) => `${request.requestId} ${request.status}`)
      .sort(),
  });

/** The parts of a request that may never change once it is terminal (events' snapshots aside). */
const frozen = (request: Json) => ({
  status: request.status,
  refund: request.refund,
  rejection: request.rejection,
  timeline: (request.timeline as TimelineEntry[]).map(({ event: _snapshot, ...entry }) => entry),
});
type Frozen = ReturnType<typeof frozen>;

/** The entries that record a completed request's refund moving on. */
const REFUND_ENTRIES: ReadonlySet<string> = new Set([
  "REFUND_SUCCEEDED",
  "REFUND_FAILED",
  "REFUND_RETRIED",
  "REFUND_REVERSED",
]);

/**
 * How a terminal request may still change (SPEC "Payment providers and the refund promise"): a
 * COMPLETED request's refund not yet settled for good moves on (pending at the provider; failed
 * or reversed, and retried; or a Stripe refund that succeeded: its bank reference arrives, or the
 * card's issuer fails it), and the timeline gains only the entries that record that. The status,
 * the rejection and every earlier entry stay; a refund the ledger made, or none needed, never
 * changes.
 */
const refundMovedOn = (before: Frozen, after: Frozen): boolean => {
  if (before.status !== "COMPLETED" || after.status !== "COMPLETED") return false;
  if (!isDeepStrictEqual(before.rejection, after.rejection)) return false;
  const refund = before.refund as { status?: string; provider?: string } | null | undefined;
  if (!refund || refund.status === "NOT_REQUIRED") return false;
  if (refund.status === "SUCCEEDED" && refund.provider !== "stripe") return false;
  const { timeline: was } = before;
  const { timeline: now } = after;
  return (
    now.length >= was.length &&
    isDeepStrictEqual(now.slice(0, was.length), was) &&
    now.slice(was.length).every((entry) => REFUND_ENTRIES.has(entry.type))
  );
};

export interface RunStats {
  actions: number;
  faultsFired: number;
  requests: number;
  outcomes: Partial<Record<RequestStatus, number>>;
  /** Timeline entries of the run's requests, by type (which paths the run took). */
  paths: Record<string, number>;
  /** Requests whose stream record was delivered twice or more (a lost answer). */
  redelivered: number;
  /** Requests whose stream record was dead-lettered (its start lost). */
  deadLettered: number;
  /** Requests the reconciler started (no execution from the pipe first). */
  startedBySweep: number;
  /** Executions after a request's first (resumed by the reconciler). */
  resumed: number;
  /** Mail and events sent again after a lost mark (or, for events, a lost answer). */
  excusedMail: number;
  excusedEvents: number;
  /** The line-level checks: answers by route and kind, previews compared, orders ended in parts. */
  lines: Record<string, number>;
  /**
   * Stripe: orders paid through it, its refunds by final status, reversals, webhook deliveries a
   * fault lost, held back or answered unheard, and terminal requests whose refund moved on.
   */
  stripe: Record<string, number>;
  /** The parcel: tracking events by what they did, deliveries of cancelled units, returns. */
  parcel: Record<string, number>;
}

/** One run: its own orders on the shared server, its own faults while it runs. */
export class ChaosRun {
  readonly orders: RunOrder[] = [];
  readonly stats: RunStats = {
    actions: 0,
    faultsFired: 0,
    requests: 0,
    outcomes: {},
    paths: {},
    redelivered: 0,
    deadLettered: 0,
    startedBySweep: 0,
    resumed: 0,
    excusedMail: 0,
    excusedEvents: 0,
    lines: {},
    stripe: {},
    parcel: {},
  };
  /** Each order's parcel as the last answer of a delivery or tracking event reported it. */
  private readonly parcels = new Map<string, { status: ParcelStatus; by: string }>();
  /** Each order's newest read (by version): its parcel and return. */
  private readonly reads = new Map<
    string,
    { version: number; parcel?: ParcelStatus; return?: ReturnStatus }
  >();
  /**
   * Terminal requests as last seen (API view and stored record), by request id: as first seen
   * terminal, then as a completed request's refund moved on (`refundMovedOn`).
   */
  private readonly terminal = new Map<string, { api?: Frozen; stored: Frozen }>();
  /** SES stand-in timestamps are whole seconds. */
  private readonly startedAt = Math.floor(Date.now() / 1000) - 1;
  private counter = 0;
  /** The run's trail, printed with a counterexample. */
  readonly trail: string[] = [];
  /** Something was sent since the orders were last read. */
  private changed = false;
  /** People's calls answered 503 are repeated this many times (as "may be repeated" invites). */
  repeatUnavailable = 0;

  /** This run's faults: they hit only the calls made for its orders. */
  private readonly faults = new FaultInjector();

  private constructor(readonly server: ChaosServer) {}

  static async create(server: ChaosServer, specs: readonly OrderSpec[]): Promise<ChaosRun> {
    const run = new ChaosRun(server);
    for (const spec of specs) {
      const [buyer, seller] = await Promise.all([server.api.buyer(), server.api.seller()]);
      const lines = (spec.lines ?? [{ quantity: 1, unitPrice: spec.high ? 98_000 : 4_980 }]).map(
        ({ quantity, unitPrice }, index) => ({
          lineId: `l${index + 1}`,
          sku: `SKU-${index + 1}`,
          title: `chaos item ${index + 1}`,
          quantity,
          unitPrice,
        }),
      );
      const total = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, SHIPPING_FEE);
      const paidAmount =
        spec.method === "CASH_ON_DELIVERY" ? 0 : Math.max(0, total - (spec.discount ?? 0));
      const orderId = `o-${randomUUID()}`;
      // Paid through Stripe: the shop created and confirmed the PaymentIntent (no fault hits
      // that: it names no PaymentIntent yet), and the import names it.
      let paymentIntent: string | undefined;
      if (spec.method === "CARD" && spec.stripe && paidAmount >= STRIPE_MINIMUM_CHARGE) {
        const intent = await server.stripe.paymentIntents.create({
          amount: paidAmount,
          currency: spec.currency.toLowerCase(),
          payment_method: spec.stripe,
          confirm: true,
          metadata: { orderId },
        });
        paymentIntent = intent.id;
        server.faults.paymentIntentOrders.set(intent.id, orderId);
        run.stats.stripe[`orders (${spec.stripe})`] =
          (run.stats.stripe[`orders (${spec.stripe})`] ?? 0) + 1;
      }
      const body = orderBody(
        { orderId, buyerId: buyer.sub, sellerId: seller.sub },
        {
          locale: spec.locale,
          currency: spec.currency,
          lines,
          shippingFee: SHIPPING_FEE,
          payment: {
            method: spec.method,
            paidAmount,
            ...(paymentIntent && { provider: "stripe", reference: paymentIntent }),
          },
          placedAt: new Date(Date.now() - 86_400_000).toISOString(),
        },
      );
      run.orders.push({
        spec,
        orderId,
        ...(paymentIntent && { paymentIntent }),
        buyer,
        seller,
        body,
        keys: [],
      });
    }
    server.faults.register(run.orderIds, run.faults);
    return run;
  }

  get orderIds(): string[] {
    return this.orders.map((order) => order.orderId);
  }

  private order(index: number): RunOrder {
    const order = this.orders[index % this.orders.length];
    if (!order) throw new Error("a run needs at least one order");
    return order;
  }

  /** Every request of the run, as last read, with its order. */
  private requests(): { order: RunOrder; request: CancellationRequest }[] {
    return this.orders.flatMap((order) =>
      Object.values(order.stored?.record.requests ?? {}).map((request) => ({ order, request })),
    );
  }

  /** The order's latest request (by creation), as last read from the store. */
  private latestRequestId(order: RunOrder): string | undefined {
    const requests = Object.values(order.stored?.record.requests ?? {});
    requests.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    return requests.at(-1)?.requestId ?? order.keys.findLast((key) => key.requestId)?.requestId;
  }

  private note(line: string) {
    this.trail.push(line);
    if (this.trail.length > 400) this.trail.shift();
  }

  /** An API call: never a 5xx other than a 503 UNAVAILABLE with Retry-After, never a hang. */
  private async call(
    what: string,
    method: string,
    path: string,
    caller?: Caller,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiAnswer> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.callOnce(what, method, path, caller, body, headers);
      if (response.status !== 503 || attempt >= this.repeatUnavailable || what === "read") {
        return response;
      }
    }
  }

  private async callOnce(
    what: string,
    method: string,
    path: string,
    caller?: Caller,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiAnswer> {
    const requestHeaders: Record<string, string> = { ...headers };
    if (caller) requestHeaders.authorization = `Bearer ${caller.token}`;
    if (body !== undefined) requestHeaders["content-type"] = "application/json";
    let answer: ApiAnswer;
    try {
      const response = await fetch(`${this.server.local.url}${path}`, {
        method,
        headers: requestHeaders,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(HANG_MS),
      });
      const text = await response.text();
      answer = {
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        body: (text ? JSON.parse(text) : {}) as Json,
      };
    } catch (error) {
      if ((error as Error).name === "TimeoutError") {
        throw new Break("hang", `${what}: ${method} ${path} got no answer in ${HANG_MS} ms`);
      }
      throw new Break("bad-answer", `${what}: ${method} ${path}: ${(error as Error).message}`);
    }
    this.note(`${what} → ${answer.status}${answer.body.code ? ` ${answer.body.code}` : ""}`);
    if (method !== "GET") this.changed = true;
    if (answer.status >= 500 && answer.status !== 503) {
      throw new Break(
        "5xx",
        `${what}: ${method} ${path} answered ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
    if (
      answer.status === 503 &&
      (answer.body.code !== "UNAVAILABLE" || !/^\d+$/.test(answer.retryAfter ?? ""))
    ) {
      throw new Break(
        "503",
        `${what}: ${method} ${path} answered 503 with Retry-After ${answer.retryAfter} and ${JSON.stringify(answer.body)}`,
      );
    }
    return answer;
  }

  // -- people and systems --------------------------------------------------------------------

  async importOrder(index: number) {
    const order = this.order(index);
    order.importTried = true;
    return this.call(`import ${index}`, "POST", "/orders", this.server.system, order.body);
  }

  async ship(index: number) {
    const order = this.order(index);
    return this.call(`ship ${index}`, "POST", `/orders/${order.orderId}/shipment`, order.seller, {
      carrier: SHIP_CARRIER,
      trackingNumber: `T-${order.orderId.slice(2, 10)}`,
    });
  }

  /**
   * The buyer asks to cancel the units `pick` names, resolved on the order as it is now: with a
   * new Idempotency-Key, or the last one again (same body).
   */
  async requestCancellation(
    index: number,
    reason: Reason,
    resend: boolean,
    pick: LinePick = WHOLE,
  ): Promise<ApiAnswer> {
    const order = this.order(index);
    await this.refresh();
    const before = order.stored?.record;
    const last = order.keys.at(-1);
    if (resend && last) return this.postRequest(index, last, before, true);
    const lines = this.linesFor(order, pick);
    const entry: KeyUse = {
      key: `k-${++this.counter}`,
      body: { ...this.reasonBody(reason), ...(lines && { lines }) },
    };
    order.keys.push(entry);
    return this.postRequest(index, entry, before, false);
  }

  private reasonBody(reason: Reason): Json {
    return reason === "OTHER"
      ? { reason, comment: COMMENTS[this.counter % COMMENTS.length] }
      : { reason };
  }

  /** The `lines` the buyer sends for `pick` on the order as last read. */
  private linesFor(order: RunOrder, pick: LinePick): LineQuantity[] | undefined {
    const record = order.stored?.record;
    if (record) return resolvePick(pick, factsOf(record.order, Object.values(record.requests)));
    return pick.kind === "whole" ? undefined : [{ lineId: "l1", quantity: 1 }];
  }

  /** The cancellation POST; `before` is the order as read just before it. */
  private async postRequest(
    index: number,
    entry: KeyUse,
    before: OrderRecord | undefined,
    again: boolean,
  ): Promise<ApiAnswer> {
    const order = this.order(index);
    const response = await this.call(
      `request ${index}${again ? " (again)" : ""}`,
      "POST",
      `/orders/${order.orderId}/cancellation-requests`,
      order.buyer,
      entry.body,
      { "idempotency-key": entry.key },
    );
    if (response.status === 202) {
      const requestId = String(response.body.requestId);
      if (entry.requestId === undefined) entry.requestId = requestId;
      else if (entry.requestId !== requestId) {
        throw new Break(
          "idempotency",
          `the same Idempotency-Key and body answered request ${requestId}, first ${entry.requestId}`,
        );
      }
      this.server.faults.requestOrders.set(requestId, order.orderId);
    }
    await this.refresh();
    this.checkRequestAnswer(order, entry, before, response);
    return response;
  }

  /**
   * The buyer previews cancelling what `pick` names (with a reason or without), and with
   * `thenRequest` sends the POST with the same body right after. The preview is checked against
   * the model as the POST is, and stores nothing; when nothing happened to the order between the
   * two, the POST answers the previewed lines and amount (or the same refusal).
   */
  async previewCancellation(
    index: number,
    pick: LinePick,
    reason: Reason | undefined,
    thenRequest: boolean,
  ): Promise<ApiAnswer> {
    const order = this.order(index);
    await this.refresh();
    const before = order.stored?.record;
    const lines = this.linesFor(order, pick);
    const key = thenRequest && reason ? `k-${++this.counter}` : undefined;
    const body = { ...(reason && this.reasonBody(reason)), ...(lines && { lines }) };
    const preview = await this.call(
      `preview ${index}`,
      "POST",
      `/orders/${order.orderId}/cancellation-requests/preview`,
      order.buyer,
      body,
    );
    await this.refresh();
    const after = order.stored?.record;
    if (!before || !after) return preview;
    const what = `preview on order ${order.orderId} with ${JSON.stringify(body)}`;
    const added = Object.keys(after.requests).filter((id) => !before.requests[id]);
    if (added.length > 0) {
      throw new Break("preview-stored", `${what}: the order gained requests ${added.join(", ")}`);
    }
    if (!unjudged(preview)) {
      const match = this.judge(what, "preview", preview, this.expectations(body, [before, after]));
      if (match.status === "ACCEPTED") this.checkPreviewFields(what, after, preview.body, match);
    }
    if (key === undefined) return preview;
    const entry: KeyUse = { key, body };
    order.keys.push(entry);
    const posted = await this.postRequest(index, entry, after, false);
    const final = order.stored?.record;
    if (!final || unjudged(preview) || unjudged(posted)) return posted;
    if (stateOf(before, key) !== stateOf(final, key)) {
      this.count("preview, then the order changed before the POST");
      return posted;
    }
    const same =
      preview.status === 200
        ? posted.status === 202 &&
          sameTerms(termsView(preview.body), termsView(posted.body)) &&
          preview.body.amount === amountOfTerms(termsView(posted.body))
        : posted.status === preview.status && posted.body.code === preview.body.code;
    if (!same) {
      throw new Break(
        "preview-differs",
        `${what}: previewed ${preview.status} ${JSON.stringify(preview.body)}; the POST right after with the same body answered ${posted.status} ${JSON.stringify(posted.body)}`,
      );
    }
    this.count(`preview = request (${preview.status})`);
    return posted;
  }

  private count(label: string) {
    this.stats.lines[label] = (this.stats.lines[label] ?? 0) + 1;
  }

  private countStripe(label: string, n = 1) {
    if (n > 0) this.stats.stripe[label] = (this.stats.stripe[label] ?? 0) + n;
  }

  /** What the model expects of `body` on the order as each of `records` has it. */
  private expectations(
    body: { lines?: readonly LineQuantity[] },
    records: readonly OrderRecord[],
    key?: string,
  ): Expected[] {
    return records.map((record) =>
      expectAnswer(
        factsOf(
          record.order,
          Object.values(record.requests).filter((request) => request.idempotencyKey !== key),
        ),
        body,
        CHAOS_POLICY,
      ),
    );
  }

  /** The answer is one of `expected` (the model on the order before and after the call). */
  private judge(
    what: string,
    route: "request" | "preview",
    answer: ApiAnswer,
    expected: readonly Expected[],
  ): Expected {
    const success = route === "request" ? 202 : 200;
    const { code } = answer.body;
    const errors = answer.body.errors as { path: string }[] | undefined;
    const match = expected.find((want) => {
      if (want.status === "ACCEPTED") {
        return answer.status === success && sameTerms(termsView(answer.body), want.terms);
      }
      if (want.status === 400) {
        return (
          answer.status === 400 &&
          code === "VALIDATION_FAILED" &&
          errors !== undefined &&
          errors.length > 0 &&
          errors.every((error) => want.paths.includes(error.path))
        );
      }
      return answer.status === 409 && code === want.code;
    });
    const label = (want: Expected) =>
      want.status === "ACCEPTED"
        ? `${success} ${JSON.stringify(want.terms)}`
        : want.status === 400
          ? `400 naming ${want.paths.join(" or ")}`
          : `409 ${want.code}`;
    if (!match) {
      throw new Break(
        "lines-answer",
        `${what}: the ${route} answered ${answer.status} ${JSON.stringify(answer.body)}; SPEC's answer is ${unique(expected.map(label)).join(", or ")}`,
      );
    }
    this.count(
      `${route} ${match.status === "ACCEPTED" ? success : match.status === 400 ? 400 : `409 ${match.code}`}`,
    );
    return match;
  }

  /**
   * The POST's answer: a new request's lines and amounts as the model works them out, or the
   * refusal SPEC gives, after which the order holds no request for the key; the same key again
   * answers its request.
   */
  private checkRequestAnswer(
    order: RunOrder,
    entry: KeyUse,
    before: OrderRecord | undefined,
    answer: ApiAnswer,
  ) {
    const after = order.stored?.record;
    if (!before || !after || unjudged(answer)) return;
    const what = `request on order ${order.orderId} with ${JSON.stringify(entry.body)} (key ${entry.key})`;
    const byKey = (record: OrderRecord) =>
      Object.values(record.requests).find((request) => request.idempotencyKey === entry.key);
    const earlier = byKey(before);
    if (earlier) {
      if (answer.status !== 202 || answer.body.requestId !== earlier.requestId) {
        throw new Break(
          "idempotency",
          `${what}: the key's request is ${earlier.requestId}, the answer ${answer.status} ${JSON.stringify(answer.body)}`,
        );
      }
      return;
    }
    const match = this.judge(
      what,
      "request",
      answer,
      this.expectations(entry.body, [before, after], entry.key),
    );
    const made = byKey(after);
    if (match.status === "ACCEPTED" && made?.requestId !== answer.body.requestId) {
      throw new Break(
        "lines-answer",
        `${what}: answered request ${String(answer.body.requestId)}, the order holds ${made?.requestId ?? "none"} for the key`,
      );
    }
    if (match.status !== "ACCEPTED" && made) {
      throw new Break(
        "refused-but-made",
        `${what}: answered ${answer.status} ${String(answer.body.code)}, yet the order holds request ${made.requestId} for the key`,
      );
    }
  }

  /** A preview's amount is its lines' and shipping's, in the order's currency and refund method. */
  private checkPreviewFields(
    what: string,
    record: OrderRecord,
    body: Json,
    match: Expected & { status: "ACCEPTED" },
  ) {
    const { order } = record;
    const want = {
      amount: amountOfTerms(match.terms),
      currency: order.currency,
      method: REFUND_METHOD[order.payment.method],
      approval: match.approval,
    };
    const have = {
      amount: body.amount,
      currency: body.currency,
      method: body.method,
      approval: body.approval,
    };
    if (!isDeepStrictEqual(want, have)) {
      throw new Break(
        "preview-fields",
        `${what}: the preview says ${JSON.stringify(have)}, SPEC ${JSON.stringify(want)}`,
      );
    }
  }

  private requestPath(order: RunOrder, requestId: string) {
    return `/orders/${order.orderId}/cancellation-requests/${requestId}`;
  }

  /** A decision on the order's latest request; none yet is a 404 probe, as a stale client makes. */
  private async decide(what: string, index: number, route: string, caller: Caller, body: Json) {
    const order = this.order(index);
    const requestId = this.latestRequestId(order) ?? "r-none";
    return this.call(
      `${what} ${index}`,
      "POST",
      `${this.requestPath(order, requestId)}/${route}`,
      caller,
      body,
    );
  }

  withdraw(index: number) {
    return this.decide("withdraw", index, "withdrawal", this.order(index).buyer, {});
  }

  sellerDecides(index: number, decision: "APPROVE" | "REJECT") {
    return this.decide(
      `seller ${decision}`,
      index,
      "seller-decision",
      this.order(index).seller,
      decision === "APPROVE" ? { decision } : { decision, reason: "already handed over" },
    );
  }

  operatorDecides(index: number, decision: "APPROVE" | "REJECT") {
    return this.decide(
      `operator ${decision}`,
      index,
      "marketplace-decision",
      this.server.operator,
      decision === "APPROVE" ? { decision } : { decision, reason: "policy abuse" },
    );
  }

  retryRefund(index: number, giftCard: boolean) {
    return this.decide(
      `retry refund${giftCard ? " (gift card)" : ""}`,
      index,
      "refund-retry",
      this.server.operator,
      giftCard ? { method: "GIFT_CARD" } : {},
    );
  }

  /**
   * The carrier reports the delivery (by default with a client bound to no carrier; `bound`: the
   * client of the order's carrier), `twice`: the same body again, as after a lost answer. A parcel
   * on its way is delivered (cancelled units too: a return opens), and the answer shows it.
   */
  async deliver(index: number, bound = false, twice = false) {
    const order = this.order(index);
    const caller = bound ? this.server.boundCarrier : this.server.carrier;
    const body = { deliveredAt: new Date().toISOString() };
    let answer: ApiAnswer | undefined;
    for (const again of twice ? [false, true] : [false]) {
      await this.read(order);
      const before = order.stored?.record.order;
      answer = await this.call(
        `deliver ${index}${bound ? " (its carrier)" : ""}${again ? " (again)" : ""}`,
        "POST",
        `/orders/${order.orderId}/delivery`,
        caller,
        body,
      );
      this.judgeDelivery(order, before, answer, body.deliveredAt);
    }
    return answer as ApiAnswer;
  }

  /**
   * A delivery's answer: 200 with the parcel DELIVERED; never refused while the parcel was on its
   * way, nor when this delivery (its `deliveredAt`) is the one on record (a replay).
   */
  private judgeDelivery(
    order: RunOrder,
    before: Order | undefined,
    answer: ApiAnswer,
    deliveredAt: string,
  ) {
    if (!before || unjudged(answer)) return;
    const parcel = parcelOf(before);
    const what = `the delivery of order ${order.orderId} (parcel ${parcel?.status ?? "none"})`;
    if (answer.status === 200) {
      const view = answer.body as { parcel?: { status: ParcelStatus } | null };
      if (view.parcel?.status !== "DELIVERED") {
        throw new Break("delivery-answer", `${what} answered 200 with ${JSON.stringify(view)}`);
      }
      this.seeParcel(order, view.parcel.status, "a delivery's answer");
      if (parcel?.status === "IN_TRANSIT" && unitsCancelled(before) > 0) {
        this.countParcel("deliveries of cancelled units");
      }
      return;
    }
    const replay = before.deliveredAt === deliveredAt;
    if (parcel?.status === "IN_TRANSIT" || replay) {
      throw new Break(
        "delivery-answer",
        `${what}${replay ? ", sent again," : ""} answered ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
  }

  /**
   * The carrier's tracking event, by the client of the order's carrier, at now: `once`; `twice`
   * (the same body again); or `late`, an older event after a newer one (RETURNED_TO_SENDER, then
   * RETURNING_TO_SENDER at an earlier time). Each answer is judged on the order as read before it.
   */
  async track(index: number, type: TrackingEventType, how: "once" | "twice" | "late" = "once") {
    const order = this.order(index);
    const earlier = new Date().toISOString();
    const sends: { type: TrackingEventType; at: string }[] =
      how === "late"
        ? [
            { type: "RETURNED_TO_SENDER", at: new Date(Date.parse(earlier) + 1).toISOString() },
            { type: "RETURNING_TO_SENDER", at: earlier },
          ]
        : how === "twice"
          ? [
              { type, at: earlier },
              { type, at: earlier },
            ]
          : [{ type, at: earlier }];
    let answer: ApiAnswer | undefined;
    for (const body of sends) {
      await this.read(order);
      const before = order.stored?.record.order;
      answer = await this.call(
        `track ${body.type} ${index}`,
        "POST",
        `/orders/${order.orderId}/tracking-events`,
        this.server.boundCarrier,
        body,
      );
      this.judgeTracking(order, body.type, before, answer);
    }
    return answer as ApiAnswer;
  }

  /**
   * A tracking event's answer (SPEC "The parcel after a cancellation"): 200 with the parcel moved
   * forward to the event's status, or left where it was when that would not be forward (a repeat,
   * an older event); 404 for an order not stored or not shipped (by this client's carrier).
   */
  private judgeTracking(
    order: RunOrder,
    type: TrackingEventType,
    before: Order | undefined,
    answer: ApiAnswer,
  ) {
    if (unjudged(answer)) return;
    const parcel = before && parcelOf(before);
    const what = `${type} on order ${order.orderId} (parcel ${parcel?.status ?? "none"})`;
    const fail = (want: string): never => {
      throw new Break(
        "tracking-answer",
        `${what} answered ${answer.status} ${JSON.stringify(answer.body)}; SPEC's answer is ${want}`,
      );
    };
    if (!before || !parcel) {
      if (answer.status !== 404) fail("404 (no such order for this carrier)");
      return;
    }
    const { to } = TRACKING_MOVES[type];
    const moves = canMove(parcel.status, to);
    const want = moves ? to : parcel.status;
    const view = answer.body as { parcel?: { status: ParcelStatus } | null };
    if (answer.status !== 200 || view.parcel?.status !== want) fail(`200 with the parcel ${want}`);
    this.seeParcel(order, want, `the answer to ${type}`);
    this.countParcel(
      `${type} ${moves ? `moved the parcel from ${parcel.status}` : "changed nothing"}`,
    );
  }

  /**
   * Another carrier's client reports on the order (a tracking event and a delivery): for it the
   * order does not exist (404), whatever it is.
   */
  async reportAsAnotherCarrier(index: number) {
    const order = this.order(index);
    const at = new Date().toISOString();
    const calls: [string, Json][] = [
      ["tracking-events", { type: "RETURNED_TO_SENDER", at }],
      ["delivery", { deliveredAt: at }],
    ];
    for (const [route, body] of calls) {
      const answer = await this.call(
        `${route} by ${OTHER_CARRIER} ${index}`,
        "POST",
        `/orders/${order.orderId}/${route}`,
        this.server.otherCarrier,
        body,
      );
      if (unjudged(answer)) continue;
      if (answer.status !== 404 || answer.body.code !== "NOT_FOUND") {
        throw new Break(
          "carrier-binding",
          `${OTHER_CARRIER}'s client on ${SHIP_CARRIER}'s order ${order.orderId}: ${route} answered ${answer.status} ${JSON.stringify(answer.body)}, SPEC says 404`,
        );
      }
      this.countParcel("another carrier's reports refused (404)");
    }
  }

  private countParcel(label: string) {
    this.stats.parcel[label] = (this.stats.parcel[label] ?? 0) + 1;
  }

  /**
   * The parcel only moves forward: each status an answer reports is the last one reported, or past
   * it (an order's deliveries and tracking events are sent one after another).
   */
  private seeParcel(order: RunOrder, status: ParcelStatus, by: string) {
    const last = this.parcels.get(order.orderId);
    if (last && last.status !== status && !canMove(last.status, status)) {
      throw new Break(
        "parcel-backwards",
        `order ${order.orderId}: the parcel was ${last.status} (${last.by}), then ${status} (${by})`,
      );
    }
    this.parcels.set(order.orderId, { status, by });
  }

  /**
   * One state of the order as stored: its parcel is where the previous version had it, or further
   * on, and it has a return exactly when cancelled units were delivered: a parcel DELIVERED with
   * cancelled units has one; one exists only on a delivered order with cancelled units, names no
   * more units than were cancelled, is RECEIVED exactly when the parcel is back (RETURNED), and
   * once there never goes away nor moves back (REQUESTED → OVERDUE → RECEIVED). A read older than
   * one already checked (runs' flows read at once) is checked on its own.
   */
  private checkParcel(order: RunOrder, stored: StoredOrder) {
    const state = stored.record.order;
    const parcel = parcelOf(state);
    const last = this.reads.get(order.orderId);
    const newer = !last || stored.version > last.version;
    const fail = (kind: string, message: string): never => {
      throw new Break(
        kind,
        `order ${order.orderId} (${state.status}, parcel ${parcel?.status ?? "none"}, cancelled ${state.lines.map((line) => `${line.lineId} ${line.cancelledQuantity}/${line.quantity}`).join(", ")}): ${message}`,
      );
    };
    const owed = state.return;
    const cancelled = unitsCancelled(state);
    if (parcel?.status === "DELIVERED" && cancelled > 0 && !owed) {
      fail("return-missing", "cancelled units were delivered, and no return is open");
    }
    if (newer && last?.parcel && parcel?.status !== last.parcel) {
      if (!parcel || !canMove(last.parcel, parcel.status)) {
        fail("parcel-backwards", `version ${last.version} had the parcel ${last.parcel}`);
      }
    }
    const seen = newer ? last?.return : undefined;
    if (newer) {
      this.reads.set(order.orderId, {
        version: stored.version,
        ...(parcel && { parcel: parcel.status }),
        ...(owed && { return: owed.status }),
      });
    }
    if (!owed) {
      if (seen) fail("return-gone", `its return (${seen}) is gone`);
      return;
    }
    if (!state.deliveredAt || cancelled === 0) {
      fail("return-unowed", `a return ${JSON.stringify(owed)} with nothing cancelled delivered`);
    }
    const lines = new Map(state.lines.map((line) => [line.lineId, line.cancelledQuantity]));
    if (
      owed.lines.length === 0 ||
      owed.lines.some((line) => line.quantity < 1 || line.quantity > (lines.get(line.lineId) ?? 0))
    ) {
      fail("return-lines", `the return names ${JSON.stringify(owed.lines)}`);
    }
    if ((owed.status === "RECEIVED") !== (parcel?.status === "RETURNED")) {
      fail("return-status", `the return is ${owed.status}`);
    }
    if (seen && RETURN_RANK[owed.status] < RETURN_RANK[seen]) {
      fail("return-backwards", `the return was ${seen}, now ${owed.status}`);
    }
  }

  // -- timers, the reconciler, faults -----------------------------------------------------------

  /** The run's request ids (as last read, and as the API named them). */
  private requestIds(): Set<string> {
    const ids = new Set<string>();
    for (const order of this.orders) {
      for (const requestId of Object.keys(order.stored?.record.requests ?? {})) ids.add(requestId);
      for (const key of order.keys) if (key.requestId) ids.add(key.requestId);
    }
    return ids;
  }

  /** The run's executions: each request's first (named by it) and every resumed one. */
  private executions(): Execution[] {
    return [...this.requestIds()].flatMap((requestId) => [...this.server.executions.of(requestId)]);
  }

  /** Every wait of the run's executions times out now, as at its deadline. */
  expireWaits(): number {
    const ids = this.requestIds();
    const expired = this.server.local.stepFunctions.expireWaits((name) => {
      const requestId = requestOfExecution(name);
      return requestId !== undefined && ids.has(requestId);
    });
    this.note(`expire waits → ${expired}`);
    return expired;
  }

  /**
   * The reconciler's sweep (the scheduled function, with grace 0 as `/_local/sweep` runs it),
   * drawing this run's faults only. It never fails as a whole: each order's trouble is counted.
   */
  async sweep(): Promise<ReconcileReport> {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Break("hang", `the reconciler did not end in ${SWEEP_HANG_MS} ms`)),
        SWEEP_HANG_MS,
      );
    });
    try {
      const report = await Promise.race([
        this.server.faults.sweeping(this.faults, () => this.server.reconcile()),
        hang,
      ]);
      this.changed = true;
      this.note(
        `sweep → resumed ${report.resumed.length}, woken ${report.woken.length}, drained ${report.drained}, errors ${report.errors}`,
      );
      return report;
    } catch (error) {
      if (error instanceof Break) throw error;
      throw new Break("sweep", `the reconciler failed: ${(error as Error).stack ?? String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  addFault(spec: FaultSpec) {
    this.faults.add(spec);
    this.note(`fault ${JSON.stringify(spec)}`);
  }

  clearFaults() {
    this.stats.faultsFired += this.faults.list().reduce((sum, fault) => sum + fault.fired, 0);
    this.faults.clear();
    this.note("faults cleared");
  }

  async pause(ms: number) {
    await sleep(ms);
  }

  /**
   * What of the run is still under way: executions between waits, batches of its records the pipe
   * is delivering, and requests whose record the pipe has yet to deliver (unless it is down).
   */
  private busy(): string[] {
    const { executions, stream } = this.server;
    const busy = this.executions()
      .filter((execution) => executions.busy(execution))
      .map((execution) => `execution ${execution.name}`);
    const pipeDown = this.server.faults.pipeDown();
    for (const { request } of this.requests()) {
      const { requestId } = request;
      if (stream.inDelivery.has(requestId)) busy.push(`delivery of ${requestId}`);
      else if (
        !pipeDown &&
        executions.of(requestId).length === 0 &&
        stream.fate(requestId).deadLettered === 0
      ) {
        busy.push(`start of ${requestId}`);
      }
    }
    return busy;
  }

  /** Waits (up to `maxMs`) until nothing of the run is under way. */
  async settle(maxMs = 3000): Promise<boolean> {
    // Requests made since the last read have executions too.
    if (this.changed) await this.refresh();
    const deadline = Date.now() + maxMs;
    for (;;) {
      if (this.busy().length === 0) return true;
      if (Date.now() > deadline) return false;
      await sleep(10);
    }
  }

  // -- observation ---------------------------------------------------------------------------

  /**
   * Reads the run's orders from the store (not through the faults). Each item's indexed
   * attributes (the lists' and the reconciler's keys, the queues' summaries) must be those of its
   * record: nothing is half-written.
   */
  async refresh() {
    this.changed = false;
    await Promise.all(this.orders.map((order) => this.read(order)));
  }

  /** Reads one order of the run from the store, as `refresh` reads them all. */
  private async read(order: RunOrder) {
    // An order nobody tried to import yet is not in the store.
    if (!order.importTried) return;
    const { Item } = await this.server.documents.send(
      new GetCommand({
        TableName: this.server.info.tableName,
        Key: orderKey(order.orderId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return;
    const stored = toStoredOrder(Item);
    order.stored = stored;
    this.checkParcel(order, stored);
    this.checkAudit(order, stored, Item);
    const expected = indexedAttributes(stored.record);
    for (const name of INDEXED_ATTRIBUTE_NAMES) {
      const want = expected[name];
      const have = Item[name];
      if (want === undefined ? have !== undefined : !sameStoredValue(want, have)) {
        throw new Break(
          "half-written",
          `order ${order.orderId} (version ${stored.version}): ${name} is ${JSON.stringify(have)}, its record says ${JSON.stringify(want)}`,
        );
      }
    }
    for (const request of Object.values(stored.record.requests)) {
      this.server.faults.requestOrders.set(request.requestId, order.orderId);
      this.server.notices.snapshot(request);
    }
  }

  /**
   * The order's audit trail after every read (SPEC "Audit trail"): every stored entry has its seq
   * and hash, the chain verifies and ends at the head the item's `audit` attribute holds, and it
   * only grows: the entries of an earlier version come first, unchanged, in a later one. (Reads
   * overlap: one made earlier may answer after one made later.)
   */
  private checkAudit(order: RunOrder, stored: StoredOrder, item: Record<string, unknown>) {
    const { record } = stored;
    const fail = (message: string): never => {
      throw new Break(
        "audit-chain",
        `order ${order.orderId} (version ${stored.version}): ${message}`,
      );
    };
    const entries = [
      ...record.order.timeline,
      ...Object.values(record.requests).flatMap((request) => request.timeline),
    ];
    const unchained = entries.filter(
      (entry) => !Number.isInteger(entry.seq) || !/^[0-9a-f]{64}$/.test(entry.hash ?? ""),
    );
    if (unchained.length > 0) fail(`entries without seq or hash: ${JSON.stringify(unchained)}`);
    const trail = exportAudit(record);
    const chain = verifyAudit(trail.entries);
    if (!chain.ok) fail(`the chain breaks at seq ${chain.firstBadSeq}`);
    const head = item.audit as { seq?: unknown; head?: unknown } | undefined;
    if (!chain.ok || head?.head !== chain.head || head.seq !== trail.entries.length - 1) {
      fail(
        `the chain ends at ${trail.entries.length - 1} ${trail.head}, the item's audit is ${JSON.stringify(head)}`,
      );
    }
    const seen = order.audit ?? { version: 0, entries: [] };
    const [older, newer] =
      stored.version < seen.version ? [trail.entries, seen.entries] : [seen.entries, trail.entries];
    if (!isDeepStrictEqual(newer.slice(0, older.length), older)) {
      fail(`entries were rewritten: ${JSON.stringify(older)} → ${JSON.stringify(newer)}`);
    }
    if (stored.version >= seen.version) {
      order.audit = { version: stored.version, entries: trail.entries };
    }
  }

  /** The run is over: its faults stop, and its orders are no longer its. */
  close() {
    this.clearFaults();
    this.server.faults.unregister(this.orderIds, this.faults);
    for (const orderId of this.orderIds) this.server.notices.logs.delete(orderId);
  }

  /**
   * After every action: reads each request (API as an operator, and the stored record), checks
   * that a request once terminal has not changed since, and that no request has two executions
   * running.
   */
  async observe() {
    this.stats.actions += 1;
    await this.refresh();
    await this.checkFrozen(false);
    this.checkOneExecution();
  }

  /** A request is carried by one execution at a time. */
  private checkOneExecution() {
    const ids = this.requestIds();
    const overlap = this.server.executions.overlaps.find(({ requestId }) => ids.has(requestId));
    if (overlap) {
      throw new Break("two-executions", `request ${overlap.requestId}: ${overlap.what}`);
    }
    for (const requestId of ids) {
      const running = this.server.executions
        .of(requestId)
        .filter((execution) => execution.status === "RUNNING");
      if (running.length > 1) {
        throw new Break(
          "two-executions",
          `request ${requestId} has ${running.length} executions running: ${running.map((execution) => execution.name).join(", ")}`,
        );
      }
    }
  }

  /**
   * A terminal request never changes: its stored record is compared after every action, its API
   * view when first seen terminal and at the end (`everyApiView`). (Its entries' event snapshots
   * are dropped once published: they are not part of the request.)
   */
  private async checkFrozen(everyApiView: boolean) {
    const reads = this.requests().map(async ({ order, request }) => {
      const stored = frozen(request as unknown as Json);
      let seen = this.terminal.get(request.requestId);
      let movedOn = false;
      if (seen && !isDeepStrictEqual(seen.stored, stored)) {
        if (!refundMovedOn(seen.stored, stored)) {
          throw new Break(
            "terminal-changed",
            `request ${request.requestId} changed after it was ${String(seen.stored.status)}: ${JSON.stringify(seen.stored)} → ${JSON.stringify(stored)}`,
          );
        }
        this.countStripe("terminal requests whose refund moved on");
        seen.stored = stored;
        movedOn = true;
      }
      if (!isTerminal(request.status)) return;
      if (!seen) {
        seen = { stored };
        this.terminal.set(request.requestId, seen);
      }
      if (seen.api && !everyApiView && !movedOn) return;
      const response = await this.call(
        "read",
        "GET",
        this.requestPath(order, request.requestId),
        this.server.operator,
      );
      if (response.status !== 200) return;
      const view = frozen(response.body);
      if (seen.api && !isDeepStrictEqual(seen.api, view) && !refundMovedOn(seen.api, view)) {
        throw new Break(
          "terminal-changed",
          `request ${request.requestId} (API) changed after it was ${String(seen.api.status)}: ${JSON.stringify(seen.api)} → ${JSON.stringify(view)}`,
        );
      }
      if (!seen.api || !isDeepStrictEqual(seen.api, view)) {
        seen.api = view;
        // The record as read may be older than the view (a change between the two reads): the
        // view is compared with it when it is first seen, and again whenever it moved on.
        const published = JSON.parse(JSON.stringify(frozen(toPublicRequest(request) as never)));
        if (!isDeepStrictEqual(view, published) && !refundMovedOn(published, view)) {
          throw new Break(
            "api-view",
            `request ${request.requestId}: the API shows ${JSON.stringify(view)}, the record ${JSON.stringify(published)}`,
          );
        }
      }
    });
    await Promise.all(reads);
  }

  // -- recovery and the invariants ------------------------------------------------------------

  /** The run's dead letters still in the queue (visible or hidden by a sweep that received them). */
  private deadLettersLeft(): { body: string; visible: boolean }[] {
    const ids = this.requestIds();
    const { deadLetters } = this.server.stream;
    return this.server.local.sqs
      .list()
      .flatMap((queue) =>
        queue.messages.flatMap((message) =>
          (deadLetters.get(message.body) ?? []).some((record) => ids.has(record.requestId))
            ? [{ body: message.body, visible: message.visible }]
            : [],
        ),
      );
  }

  /**
   * What keeps the run from being over: open requests, completed ones whose refund still needs
   * the workflow (reversed, retried, or pending at the provider), notices due (the requests' and
   * the orders' own, which their latest request's execution sends), executions
   * running, dead letters of its records left; and what recovery only waits for (`waiting`): the
   * pipe still delivering a record of the run, or yet to deliver the record of a request nothing
   * started (the pipe may be down), dead letters another sweep received and did not drain (they
   * come back after their visibility timeout), and (`stripe`) Stripe's changes to the run's
   * refunds still to come and its webhooks about them not yet delivered (or lost).
   */
  private leftovers(): { left: string[]; waiting: string[]; stripe: string[] } {
    const left: string[] = [];
    const waiting: string[] = [];
    const stripe: string[] = [];
    const { stream, executions } = this.server;
    for (const { request } of this.requests()) {
      const { requestId } = request;
      if (!isTerminal(request.status)) left.push(`${requestId} ${request.status}`);
      else if (needsWorkflow(request)) {
        left.push(`${requestId} ${request.status} with its refund ${request.refund?.status}`);
      }
      for (const mail of dueMail(request)) {
        left.push(`${requestId} mail ${mail.key} (tries ${mail.tries})`);
      }
      const events = dueEvents(request);
      if (events.length > 0) left.push(`${requestId} ${events.length} events unpublished`);
      if (stream.inDelivery.has(requestId)) {
        waiting.push(`the pipe delivering the record of ${requestId}`);
      } else if (
        executions.of(requestId).length === 0 &&
        stream.fate(requestId).deadLettered === 0
      ) {
        waiting.push(`the pipe to deliver the record of ${requestId}`);
      }
    }
    for (const { orderId, stored } of this.orders) {
      if (!stored) continue;
      for (const mail of dueOrderMail(stored.record)) {
        left.push(`${orderId}'s own mail ${mail.key} (tries ${mail.tries})`);
      }
      const events = dueOrderEvents(stored.record);
      if (events.length > 0) left.push(`${orderId}'s own ${events.length} events unpublished`);
    }
    for (const execution of this.executions()) {
      if (execution.status === "RUNNING") {
        left.push(
          `execution ${execution.name} running (${this.server.local.stepFunctions.isWaiting(execution.executionArn) ? "waiting" : "busy"} at ${execution.history.at(-1)?.stateName ?? "?"})`,
        );
      }
    }
    for (const letter of this.deadLettersLeft()) {
      (letter.visible ? left : waiting).push(
        `a dead letter ${letter.visible ? "in the queue" : "received by a sweep, not drained"}`,
      );
    }
    for (const { paymentIntent } of this.orders) {
      if (!paymentIntent) continue;
      const { changes, deliveries } = this.server.local.stripe.inProgress(paymentIntent);
      if (changes > 0) stripe.push(`Stripe: ${changes} changes to come to ${paymentIntent}`);
      if (deliveries > 0) stripe.push(`Stripe: ${deliveries} webhooks about ${paymentIntent} due`);
    }
    return { left, waiting, stripe };
  }

  /**
   * Faults stop; then rounds of: the workflow and the pipe left to settle; every due wait timed
   * out if a request is open and waits (a deadline passing); else the reconciler's sweep (its next
   * period); until every request of the run is terminal, nothing is due, no execution of it runs,
   * the pipe has delivered (or dead-lettered) the records of the requests nothing started, no
   * dead letter of its records is left, and Stripe has nothing left to change or send about the
   * run's PaymentIntents. What is left after the rounds is stuck. Waiting for the pipe, for a dead
   * letter to come back, or for Stripe (a refund settling or failing, a webhook on its way), is not
   * a round (for up to 20 s in all). Once all is quiet, one sweep more, as the reconciler's period
   * brings whatever happened, before the run is judged.
   */
  async recover(rounds = RECOVERY_ROUNDS) {
    this.clearFaults();
    const waitUntil = Date.now() + 20_000;
    // The reconciler runs every five minutes whatever happened: what only its sweep hears of
    // (Stripe's events whose webhooks were all lost) is heard before the run is judged.
    let sweptOnceQuiet = false;
    for (let round = 1; round <= rounds + 1; ) {
      await this.settle();
      await this.refresh();
      const { left, waiting, stripe } = this.leftovers();
      if (left.length === 0 && waiting.length === 0 && stripe.length === 0) {
        if (!sweptOnceQuiet) {
          sweptOnceQuiet = true;
          await this.sweep();
          continue;
        }
        this.note(`recovered after ${round - 1} rounds`);
        return;
      }
      if ((left.length === 0 || stripe.length > 0) && Date.now() < waitUntil) {
        await sleep(50);
        continue;
      }
      waiting.push(...stripe);
      if (round > rounds) {
        throw new Break(
          "stuck",
          `after ${rounds} rounds of recovery: ${[...left, ...waiting].join("; ")}; executions ${this.executions()
            .map(
              (execution) =>
                `${execution.name}: ${execution.status} at ${execution.history.at(-1)?.stateName ?? "?"}${execution.error ? ` (${execution.error})` : ""}`,
            )
            .join("; ")}`,
        );
      }
      round += 1;
      if (await this.refundReversedAgain()) continue;
      // Open requests, and completed ones whose refund is not done, wait for deadlines.
      if (this.requests().some(({ request }) => needsWorkflow(request))) {
        if (this.expireWaits() > 0) continue;
      }
      await this.sweep();
    }
  }

  /**
   * A completed request whose refund failed after all (Stripe reversed it, or its retry failed)
   * waits for an operator, or for the policy's fallback at `refundRetryDeadline`. Expiring that
   * wait cannot bring the fallback: the workflow's step compares the service's clock with the
   * deadline (an hour away on the chaos policy) and waits again. So, in recovery, an operator
   * does what SPEC's operators do with a closed card: refund it again as gift balance. Answers
   * whether anyone was asked to.
   */
  private async refundReversedAgain(): Promise<boolean> {
    let asked = false;
    for (const { order, request } of this.requests()) {
      if (request.status !== "COMPLETED" || request.refund?.status !== "FAILED") continue;
      const answer = await this.call(
        "operator refunds a failed completed refund as GIFT_CARD",
        "POST",
        `${this.requestPath(order, request.requestId)}/refund-retry`,
        this.server.operator,
        { method: "GIFT_CARD" },
      );
      if (answer.status < 300) this.countStripe("failed completed refunds retried in recovery");
      asked = true;
    }
    return asked;
  }

  /** Every invariant over the run's orders, after `recover`. */
  async checkInvariants() {
    // Another run's sweep may have read one of the run's orders before recovery ended and start an
    // execution for it now (one at a time, as ever): it finds nothing left to do and ends.
    const deadline = Date.now() + 5000;
    while (this.executions().some((execution) => execution.status === "RUNNING")) {
      if (Date.now() > deadline) break;
      await sleep(20);
    }
    await this.refresh();
    await this.checkFrozen(true);
    this.checkOneExecution();
    const payments = (await this.server.api.get<{ items: LocalPayment[] }>("/_local/payments")).body
      .items;
    const mails = await this.sesMails();
    for (const order of this.orders) {
      const record = order.stored?.record;
      if (!record) continue;
      const stripe = await this.stripeRefunds(order);
      const paid = new Map<string, { amount: number }[]>();
      for (const request of Object.values(record.requests)) {
        this.stats.requests += 1;
        this.stats.outcomes[request.status] = (this.stats.outcomes[request.status] ?? 0) + 1;
        for (const entry of request.timeline) {
          this.stats.paths[entry.type] = (this.stats.paths[entry.type] ?? 0) + 1;
        }
        this.checkStarted(request);
        const made = await this.moneyMoved(request, payments, stripe);
        paid.set(request.requestId, made);
        this.checkMoney(record, request, made);
        this.checkDue(request);
      }
      this.checkStripe(order, record, stripe);
      this.checkLines(order, record, paid);
      this.checkOrderDue(record);
      this.checkParcelEnd(order, record);
      await this.checkOrderView(order, record);
      await this.checkAuditView(order, record);
      this.checkMail(order, record, mails);
      this.checkEvents(order, record);
    }
    const letters = this.deadLettersLeft();
    if (letters.length > 0) {
      throw new Break(
        "dead-letters",
        `${letters.length} dead letters of the run's stream records left after recovery: ${letters.map((letter) => letter.body).join(" ")}`,
      );
    }
  }

  /**
   * Every request was started, by the pipe or the reconciler, under its own id: its executions
   * are `<id>`, then `<id>-2`, … (one at a time: `checkOneExecution`), none still running.
   */
  private checkStarted(request: CancellationRequest) {
    const { requestId } = request;
    const executions = this.server.executions.of(requestId);
    const fate = this.server.stream.fate(requestId);
    // Only a request that ended before anything started it (withdrawn, or its parcel delivered,
    // while REQUESTED), and whose record the pipe gave up on, may have had no execution.
    const unstarted =
      executions.length === 0 &&
      fate.deadLettered > 0 &&
      isTerminal(request.status) &&
      !request.timeline.some((entry) => entry.type === "SELLER_NOTIFIED");
    if (request.status === "REQUESTED" || (executions[0]?.name !== requestId && !unstarted)) {
      throw new Break(
        "never-started",
        `request ${requestId} is ${request.status} after recovery, executions ${executions.map((execution) => execution.name).join(", ") || "none"}; its stream record: ${JSON.stringify(fate)}; the pipe: ${JSON.stringify(this.server.local.pipes.map((pipe) => pipe.counts))}, delivering ${[...this.server.stream.inDelivery].join(", ") || "nothing"}`,
      );
    }
    const names = executions.map((execution) => execution.name);
    const expected = names.map((_, n) => (n === 0 ? requestId : `${requestId}-${n + 1}`));
    if (!isDeepStrictEqual(names, expected)) {
      throw new Break(
        "execution-names",
        `request ${requestId}: executions ${names.join(", ")}, expected ${expected.join(", ")}`,
      );
    }
    const running = executions.filter((execution) => execution.status === "RUNNING");
    if (running.length > 0) {
      throw new Break(
        "execution-running",
        `request ${requestId} is ${request.status} and ${running.map((execution) => execution.name).join(", ")} still runs`,
      );
    }
    if (fate.starts > 1) this.stats.redelivered += 1;
    if (fate.deadLettered > 0) this.stats.deadLettered += 1;
    if (fate.delivered === 0) this.stats.startedBySweep += 1;
    this.stats.resumed += Math.max(0, executions.length - 1);
  }

  /** After recovery nothing is due: no mail not sent nor given up, no event unpublished. */
  private checkDue(request: CancellationRequest) {
    const mail = dueMail(request);
    if (mail.length > 0) {
      throw new Break(
        "mail-pending",
        `request ${request.requestId} still has mail due after recovery: ${mail.map((due) => `${due.key} (tries ${due.tries})`).join(", ")}`,
      );
    }
    const events = dueEvents(request);
    if (events.length > 0) {
      throw new Break(
        "events-pending",
        `request ${request.requestId} has ${events.length} events unpublished after recovery (published through ${noticesOf(request).published} of ${request.timeline.length})`,
      );
    }
  }

  /** After recovery the order's own notices (its parcel's entries) are all sent or given up. */
  private checkOrderDue(record: OrderRecord) {
    const { orderId } = record.order;
    const mail = dueOrderMail(record);
    if (mail.length > 0) {
      throw new Break(
        "mail-pending",
        `order ${orderId} still has mail of its own due after recovery: ${mail.map((due) => `${due.key} (tries ${due.tries})`).join(", ")}`,
      );
    }
    const events = dueOrderEvents(record);
    if (events.length > 0) {
      throw new Break(
        "events-pending",
        `order ${orderId} has ${events.length} events of its own unpublished after recovery: ${events.map((event) => event.detail.eventId).join(", ")}`,
      );
    }
  }

  /**
   * The parcel after recovery: at or past every status the run's answers reported; its timeline
   * says when a return opened and when it was received; and a return of the units every order's
   * deliveries of cancelled units left owed (checked on every read by `checkParcel`) is counted.
   */
  private checkParcelEnd(order: RunOrder, record: OrderRecord) {
    const { order: state } = record;
    const parcel = parcelOf(state);
    const reported = this.parcels.get(order.orderId);
    const fail = (kind: string, message: string): never => {
      throw new Break(
        kind,
        `order ${order.orderId} (parcel ${parcel?.status ?? "none"}): ${message}`,
      );
    };
    if (
      reported &&
      (!parcel || (parcel.status !== reported.status && !canMove(reported.status, parcel.status)))
    ) {
      fail("parcel-backwards", `${reported.by} reported it ${reported.status}`);
    }
    const types = state.timeline.map((entry) => entry.type);
    const owed = state.return;
    if (owed) {
      if (!types.includes("DELIVERED_AFTER_CANCELLATION")) {
        fail("return-entries", `a return and no DELIVERED_AFTER_CANCELLATION: ${types.join(",")}`);
      }
      if ((owed.status === "RECEIVED") !== types.includes("RETURN_RECEIVED")) {
        fail("return-entries", `the return is ${owed.status}; the timeline ${types.join(",")}`);
      }
      this.countParcel(`returns ${owed.status}`);
    } else if (types.includes("DELIVERED_AFTER_CANCELLATION")) {
      fail("return-entries", "DELIVERED_AFTER_CANCELLATION and no return");
    }
    if (parcel) this.countParcel(`parcels ended ${parcel.status}`);
  }

  /**
   * The refunds made for a request: what the local provider reports as SUCCEEDED, what its
   * ledger (the default adapter: one item per refund key) holds under every key the request may
   * have used (`rf-<id>`, `rf-<id>-2`, …), by key, and the Stripe refunds of the order's
   * PaymentIntent made for it (by their metadata) that moved money: succeeded or still pending.
   */
  private async moneyMoved(
    request: CancellationRequest,
    payments: LocalPayment[],
    stripe: readonly StripeRefundSeen[],
  ): Promise<{ refundId: string; amount: number; source: string }[]> {
    const made = new Map<string, { refundId: string; amount: number; source: string }>();
    for (const payment of payments) {
      if (payment.requestId === request.requestId && payment.status === "SUCCEEDED") {
        made.set(payment.refundId, { ...payment, source: "/_local/payments" });
      }
    }
    for (const { refund } of stripe) {
      if (refund.metadata?.requestId !== request.requestId) continue;
      if (refund.status !== "succeeded" && refund.status !== "pending") continue;
      made.set(`stripe ${refund.id}`, {
        refundId: String(refund.metadata.refundId),
        amount: refund.amount,
        source: `Stripe ${refund.id} (${refund.status})`,
      });
    }
    const current = request.refund?.refundId;
    const keys = current ? Number(/-(\d+)$/.exec(current.slice(3 + 36))?.[1] ?? 1) + 1 : 1;
    for (let n = 1; n <= keys; n++) {
      const refundId = `rf-${request.requestId}${n === 1 ? "" : `-${n}`}`;
      const { Item } = await this.server.documents.send(
        new GetCommand({
          TableName: LOCAL_REFUNDS_TABLE_NAME,
          Key: { refundId },
          ConsistentRead: true,
        }),
      );
      if (Item && !made.has(refundId)) {
        made.set(refundId, { refundId, amount: Number(Item.amount), source: "ledger only" });
      }
    }
    return [...made.values()];
  }

  /**
   * The Stripe refunds of the order's PaymentIntent (none for a ledger order), through the SDK,
   * each with whether it failed unheard: every webhook that told of its failure was lost on the
   * way (a `webhook` fault of `unavailable`), so the service can know of it only from Stripe's
   * events, which the reconciler reads.
   */
  private async stripeRefunds(order: RunOrder): Promise<StripeRefundSeen[]> {
    const { paymentIntent } = order;
    if (!paymentIntent) return [];
    const refunds: Stripe.Refund[] = [];
    for await (const refund of this.server.stripe.refunds.list({
      payment_intent: paymentIntent,
      limit: 100,
    })) {
      refunds.push(refund);
    }
    const standIn = this.server.local.stripe;
    const events = standIn.events();
    const deliveries = standIn.deliveries();
    for (const delivery of deliveries) {
      if (delivery.subject !== paymentIntent) continue;
      if (delivery.state === "lost") this.countStripe("webhooks lost");
      this.countStripe("webhooks held back (late)", delivery.held);
      this.countStripe(
        "webhook answers lost (sent again)",
        delivery.attempts.filter((attempt) => attempt.error?.startsWith("answer lost")).length,
      );
    }
    return refunds.map((refund) => {
      const answeredPending = events.some(
        ({ type, data: { object } }) =>
          type === "refund.created" &&
          (object as { id?: string; status?: string | null }).id === refund.id &&
          (object as { status?: string | null }).status === "pending",
      );
      if (answeredPending) this.countStripe("refunds answered pending");
      const told = new Set(
        events
          .filter(({ data: { object } }) => {
            const about = object as { object?: string; id?: string; status?: string | null };
            return about.object === "refund" && about.id === refund.id && about.status === "failed";
          })
          .map((event) => event.id),
      );
      const telling = deliveries.filter((delivery) => told.has(delivery.eventId));
      const unheardFailure =
        refund.status === "failed" &&
        telling.length > 0 &&
        telling.every(
          (delivery) =>
            delivery.state === "lost" &&
            delivery.attempts.every((attempt) => attempt.status === undefined),
        );
      return { refund, unheardFailure };
    });
  }

  /**
   * Stripe agrees with the service (SPEC "Payment providers and the refund promise"): every
   * refund on the order's PaymentIntent is one of its requests' refund keys (metadata), made once
   * per key, settled (nothing pending after recovery); a request has at most one succeeded Stripe
   * refund, and only under its current key; and its current Stripe refund's stored status is
   * Stripe's: SUCCEEDED ↔ succeeded (same amount, same Stripe id, its bank reference if stored),
   * reversed ↔ failed, failed or not required ↔ failed, canceled or none, a failure whose every
   * webhook was lost (`unheardFailure`) included: the reconciler hears of it from Stripe's events.
   */
  private checkStripe(order: RunOrder, record: OrderRecord, stripe: readonly StripeRefundSeen[]) {
    if (!order.paymentIntent) return;
    const fail: (kind: string, message: string) => never = (kind, message) => {
      throw new Break(kind, `order ${order.orderId} (Stripe ${order.paymentIntent}): ${message}`);
    };
    const byKey = new Map<string, string[]>();
    for (const { refund } of stripe) {
      const { orderId, requestId = "", refundId = "" } = refund.metadata ?? {};
      const ofRequest = refundId === `rf-${requestId}` || refundId.startsWith(`rf-${requestId}-`);
      if (orderId !== order.orderId || !record.requests[requestId] || !ofRequest) {
        fail(
          "stripe-refund-unknown",
          `refund ${refund.id} of ${refund.amount} (${refund.status}) names ${JSON.stringify(refund.metadata)}: no refund key of the order's requests`,
        );
      }
      if (
        refund.status !== "succeeded" &&
        refund.status !== "failed" &&
        refund.status !== "canceled"
      ) {
        fail(
          "stripe-pending",
          `refund ${refund.id} (key ${refundId}) is ${refund.status} after recovery`,
        );
      }
      byKey.set(refundId, [...(byKey.get(refundId) ?? []), `${refund.id} ${refund.status}`]);
      this.countStripe(`refunds ${refund.status}`);
    }
    for (const [key, made] of byKey) {
      if (made.length > 1) {
        fail(
          "stripe-key-twice",
          `refund key ${key} made ${made.length} Stripe refunds: ${made.join(", ")}`,
        );
      }
    }
    for (const request of Object.values(record.requests)) {
      const id = request.requestId;
      const refund = request.refund;
      const mine = stripe.filter((seen) => seen.refund.metadata?.requestId === id);
      const succeeded = mine.filter((seen) => seen.refund.status === "succeeded");
      if (succeeded.length > 1) {
        fail(
          "stripe-paid-twice",
          `request ${id} has ${succeeded.length} succeeded Stripe refunds: ${succeeded.map((seen) => `${seen.refund.id} (key ${seen.refund.metadata?.refundId})`).join(", ")}`,
        );
      }
      const stale = succeeded.find((seen) => seen.refund.metadata?.refundId !== refund?.refundId);
      if (stale) {
        fail(
          "stripe-stale-success",
          `request ${id} (${request.status}): Stripe's ${stale.refund.id} under key ${stale.refund.metadata?.refundId} succeeded, the request's refund is ${JSON.stringify(refund)}`,
        );
      }
      if (refund?.provider !== "stripe" || !refund.refundId) continue;
      const at = mine.find((seen) => seen.refund.metadata?.refundId === refund.refundId);
      const stripeStatus = at?.refund.status;
      const settledWithout = !at || stripeStatus === "failed" || stripeStatus === "canceled";
      const agrees =
        refund.status === "SUCCEEDED"
          ? stripeStatus === "succeeded"
          : refund.status === "FAILED"
            ? refund.reversed
              ? stripeStatus === "failed"
              : settledWithout
            : refund.status === "NOT_REQUIRED" && settledWithout;
      if (!agrees) {
        fail(
          "stripe-status",
          `request ${id} (${request.status}) holds refund ${refund.refundId} ${refund.status}${refund.reversed ? " (reversed)" : ""}; ${at ? `Stripe's ${at.refund.id} is ${stripeStatus}` : "Stripe has no refund under that key"}`,
        );
      }
      if (!at) continue;
      if (refund.status === "SUCCEEDED" && at.refund.amount !== refund.amount) {
        fail(
          "stripe-amount",
          `request ${id} refunded ${refund.amount}, Stripe's ${at.refund.id} ${at.refund.amount}`,
        );
      }
      if (refund.providerRefundId && refund.providerRefundId !== at.refund.id) {
        fail(
          "stripe-status",
          `request ${id}'s refund names Stripe's ${refund.providerRefundId}, its key's refund is ${at.refund.id}`,
        );
      }
      const reference = at.refund.destination_details?.card?.reference;
      if (refund.reference && refund.reference !== reference) {
        fail(
          "stripe-reference",
          `request ${id}'s refund says reference ${refund.reference}, Stripe's ${at.refund.id} ${reference}`,
        );
      }
      if (refund.reversed) this.countStripe("reversed, waiting for a retry");
      if (at.unheardFailure) {
        this.countStripe("failures heard from Stripe's events alone (every webhook lost)");
      }
    }
    for (const request of Object.values(record.requests)) {
      if (request.timeline.some((entry) => entry.type === "REFUND_REVERSED")) {
        this.countStripe("requests with a reversal");
      }
    }
  }

  private checkMoney(
    record: OrderRecord,
    request: CancellationRequest,
    paid: { refundId: string; amount: number; source: string }[],
  ) {
    const id = request.requestId;
    if (!isTerminal(request.status)) {
      throw new Break("stuck", `request ${id} is ${request.status} after recovery`);
    }
    if (paid.length > 1) {
      throw new Break(
        "paid-twice",
        `request ${id} was paid ${paid.length} times: ${JSON.stringify(paid)}`,
      );
    }
    for (const payment of paid) {
      if (payment.amount > record.order.payment.paidAmount) {
        throw new Break(
          "overpaid",
          `request ${id} was refunded ${payment.amount}, the order paid ${record.order.payment.paidAmount}`,
        );
      }
    }
    const refund = request.refund;
    // Cash on delivery was never paid, and a request whose units a discount made free refunds
    // nothing: neither calls the provider.
    const nothingToPay =
      record.order.payment.method === "CASH_ON_DELIVERY" ||
      request.itemsAmount + request.shippingAmount === 0;
    switch (request.status) {
      case "RETURN_REQUIRED":
      case "REJECTED":
      case "WITHDRAWN":
        if (paid.length > 0) {
          throw new Break(
            "refunded-without-cancellation",
            `request ${id} is ${request.status} but the provider refunded ${JSON.stringify(paid)}`,
          );
        }
        return;
      case "COMPLETED": {
        const expected = nothingToPay ? 0 : 1;
        if (paid.length !== expected) {
          throw new Break(
            "completed-payments",
            `request ${id} COMPLETED (${record.order.payment.method}) with ${paid.length} refunds made`,
          );
        }
        const made = paid[0];
        const status = refund?.status;
        if (
          (nothingToPay && status !== "NOT_REQUIRED") ||
          (!nothingToPay &&
            (status !== "SUCCEEDED" ||
              made?.refundId !== refund?.refundId ||
              made?.amount !== refund?.amount))
        ) {
          throw new Break(
            "completed-refund",
            `request ${id} COMPLETED with refund ${JSON.stringify(refund)}; the provider made ${JSON.stringify(made)}`,
          );
        }
        return;
      }
    }
  }

  /**
   * An order's lines and money after recovery (SPEC "Line-level cancellation"): each request's
   * lines and amounts are the model's for the order and the requests completed before it (its
   * body's `lines` allowed then), its refund their sum, and its review (when the seller approved)
   * the policy's when the order's refunds with this one fit the limit; the order counts exactly
   * its completed requests' units and succeeded refunds, and is CANCELLED exactly when every unit
   * is; the provider paid at most `paidAmount`, and once every unit is cancelled and refunded,
   * exactly what was refundable (items and shipping paid, as the policy refunds shipping).
   */
  private checkLines(
    order: RunOrder,
    record: OrderRecord,
    paid: ReadonlyMap<string, readonly { amount: number }[]>,
  ) {
    const fail: (kind: string, message: string) => never = (kind, message) => {
      throw new Break(kind, `order ${order.orderId}: ${message}`);
    };
    const requests = Object.values(record.requests).sort((a, b) =>
      a.createdAt.localeCompare(b.createdAt),
    );
    requests.forEach((request, index) => {
      const id = request.requestId;
      const have = termsView(request);
      const linesSum = have.lines.reduce((sum, line) => sum + line.amount, 0);
      if (
        have.lines.length === 0 ||
        have.lines.some((line) => line.quantity < 1 || line.amount < 0) ||
        have.shippingAmount < 0 ||
        have.itemsAmount !== linesSum
      ) {
        fail("request-amounts", `request ${id}: ${JSON.stringify(have)}`);
      }
      if (request.refund && request.refund.amount !== amountOfTerms(have)) {
        fail(
          "refund-amount",
          `request ${id} refunds ${request.refund.amount}, its items ${have.itemsAmount} and shipping ${have.shippingAmount}`,
        );
      }
      const body = order.keys.find((key) => key.key === request.idempotencyKey)?.body;
      if (!body) {
        fail("request-unasked", `request ${id}: its key ${request.idempotencyKey} was never sent`);
      }
      const facts = factsOf(record.order, requests.slice(0, index));
      const selected = selectionOf(facts, body.lines);
      if ("paths" in selected) {
        fail(
          "lines-accepted-invalid",
          `request ${id} was made for ${JSON.stringify(body.lines)}, with ${JSON.stringify([...facts.left])} left (${selected.paths.join(", ")})`,
        );
      }
      const want = termsOf(facts, selected, CHAOS_POLICY);
      if (!sameTerms(want, have)) {
        fail(
          "lines-amounts",
          `request ${id} for ${JSON.stringify(body.lines ?? "every unit left")} has ${JSON.stringify(have)}; SPEC gives ${JSON.stringify(want)} (lines ${JSON.stringify(record.order.lines.map(({ lineId, quantity, unitPrice }) => ({ lineId, quantity, unitPrice })))}, shipping ${record.order.shippingFee}, paid ${record.order.payment.paidAmount} by ${record.order.payment.method}, refunded before ${JSON.stringify(facts.refunded)})`,
        );
      }
      if (request.status === "COMPLETED") {
        const rest = [...facts.left].every(
          ([lineId, left]) => (selected.get(lineId) ?? 0) === left,
        );
        this.count(rest ? "completed: every unit left" : "completed: some units");
      }
      const approved = request.timeline.some((entry) => entry.type === "SELLER_APPROVED");
      const review = approvalOf(facts, amountOfTerms(want), CHAOS_POLICY);
      if (approved && request.marketplaceReview !== review) {
        fail(
          "review",
          `request ${id} of ${amountOfTerms(want)} (refunded before ${JSON.stringify(facts.refunded)}) is reviewed by ${request.marketplaceReview}, SPEC says ${review}`,
        );
      }
    });
    const completed = requests.filter((request) => request.status === "COMPLETED");
    const { order: stored } = record;
    let everyUnit = true;
    for (const line of stored.lines) {
      const cancelled = completed
        .flatMap((request) => request.lines)
        .filter((covered) => covered.lineId === line.lineId)
        .reduce((sum, covered) => sum + covered.quantity, 0);
      if (line.cancelledQuantity !== cancelled || cancelled > line.quantity) {
        fail(
          "cancelled-quantity",
          `line ${line.lineId} of ${line.quantity} has cancelledQuantity ${line.cancelledQuantity}; its completed requests cancelled ${cancelled}`,
        );
      }
      if (cancelled < line.quantity) everyUnit = false;
    }
    const refunded = completed
      .filter((request) => request.refund?.status === "SUCCEEDED")
      .reduce((sum, request) => sum + (request.refund?.amount ?? 0), 0);
    if (stored.refundedAmount !== refunded) {
      fail(
        "refunded-amount",
        `refundedAmount ${stored.refundedAmount}, its completed requests' succeeded refunds ${refunded}`,
      );
    }
    if (everyUnit !== (stored.status === "CANCELLED")) {
      fail(
        "order-status",
        `the order is ${stored.status} with ${stored.lines.map((line) => `${line.lineId} ${line.cancelledQuantity}/${line.quantity}`).join(", ")} cancelled`,
      );
    }
    const providerPaid = [...paid.values()].flat().reduce((sum, made) => sum + made.amount, 0);
    if (providerPaid > stored.payment.paidAmount) {
      fail(
        "overpaid",
        `the provider refunded ${providerPaid} in all, the order paid ${stored.payment.paidAmount}`,
      );
    }
    const settled = completed.every(
      (request) =>
        request.refund?.status === "SUCCEEDED" || request.refund?.status === "NOT_REQUIRED",
    );
    if (everyUnit && settled) {
      const refundable = refundableTotal(stored, CHAOS_POLICY);
      const total = completed.reduce((sum, request) => sum + amountOfTerms(termsView(request)), 0);
      if (total !== refundable || providerPaid !== refundable) {
        fail(
          "refunds-total",
          `every unit cancelled: its requests refunded ${total} (the provider paid ${providerPaid}), SPEC's refundable total is ${refundable} (paid ${stored.payment.paidAmount}, shipping ${stored.shippingFee})`,
        );
      }
      if (completed.length > 1) this.count("orders cancelled in parts");
    }
  }

  /**
   * The buyer's view of the order shows its cancelled units, its refunds, whether to ask again,
   * its parcel and its return.
   */
  /**
   * What its seller gets from GET /orders/{orderId}/audit: the stored chain (or, were an entry
   * written since the record was read, the stored chain then more), and it verifies.
   */
  private async checkAuditView(order: RunOrder, record: OrderRecord) {
    const path = `/orders/${order.orderId}/audit`;
    const response = await this.call("read", "GET", path, order.seller);
    if (response.status !== 200)
      throw new Break("audit-view", `GET ${path} answered ${response.status}`);
    const view = response.body as unknown as ReturnType<typeof exportAudit>;
    const stored = exportAudit(record);
    const chain = verifyAudit(view.entries);
    if (
      view.orderId !== order.orderId ||
      !isDeepStrictEqual(view.entries.slice(0, stored.entries.length), stored.entries) ||
      !chain.ok ||
      chain.head !== view.head
    ) {
      throw new Break(
        "audit-view",
        `order ${order.orderId}: the seller gets ${JSON.stringify(view)}, the record's chain is ${JSON.stringify(stored)}`,
      );
    }
  }

  private async checkOrderView(order: RunOrder, record: OrderRecord) {
    const response = await this.call("read", "GET", `/orders/${order.orderId}`, order.buyer);
    if (response.status !== 200) {
      throw new Break("order-view", `GET /orders/${order.orderId} answered ${response.status}`);
    }
    const view = response.body as {
      status: string;
      lines: { lineId: string; cancelledQuantity: number }[];
      refundedAmount: number;
      cancellationOption: { kind: string; reason: string };
      parcel: unknown;
      return: unknown;
    };
    const { order: stored } = record;
    const requests = Object.keys(record.requests).length;
    const option =
      stored.status === "CANCELLED"
        ? { kind: "NONE", reason: "ALREADY_CANCELLED" }
        : stored.status === "SHIPPED" && requests < CHAOS_POLICY.maxRequestsPerOrder
          ? { kind: "CANCEL", reason: "IN_TRANSIT" }
          : view.cancellationOption;
    const want = {
      status: stored.status,
      lines: stored.lines.map(({ lineId, cancelledQuantity }) => ({ lineId, cancelledQuantity })),
      refundedAmount: stored.refundedAmount,
      cancellationOption: option,
      parcel: parcelOf(stored),
      return: stored.return ?? null,
    };
    const have = {
      status: view.status,
      lines: view.lines.map(({ lineId, cancelledQuantity }) => ({ lineId, cancelledQuantity })),
      refundedAmount: view.refundedAmount,
      cancellationOption: view.cancellationOption,
      parcel: view.parcel,
      return: view.return,
    };
    if (!isDeepStrictEqual(want, have)) {
      throw new Break(
        "order-view",
        `order ${order.orderId}: the buyer sees ${JSON.stringify(have)}, the record says ${JSON.stringify(want)}`,
      );
    }
  }

  /** The mail SES took since the run began (the stand-in's own store). */
  private async sesMails(): Promise<MailHead[]> {
    const response = await fetch(`${this.server.info.sesEndpoint}/store?since=${this.startedAt}`);
    const store = (await response.json()) as {
      emails: { destination: { to: string[] }; subject: string }[];
    };
    return store.emails.map((mail) => ({ to: mail.destination.to, subject: mail.subject }));
  }

  /**
   * The mail of an order: every mail its requests' timelines imply (`entryMail`: the keys
   * `<entry>.<TEMPLATE>`, and `<key>.alert` to operators for each given up but theirs), and its
   * own timeline's parcel entries once it has a request (`orderEntryMail`: `order.<entry>.…`,
   * marked on the order), is marked sent or given up (`checkDue`, `checkOrderDue`), and each
   * outcome's mail to both sides is among them. SES took
   * each mail marked sent at least once, took nothing else about the order, and took none more
   * often than its keys were marked sent, but for one resend per lost mark (`NoticeWatch`) of a
   * key of the same mail (recipients and subject: the subject names the template and the order),
   * lost after SES took that mail. Two senders of one mail at once are a break.
   */
  private checkMail(order: RunOrder, record: OrderRecord, sesMails: readonly MailHead[]) {
    const { orderId } = order;
    const recipients: Record<Recipient, string[]> = {
      BUYER: [record.order.buyerEmail],
      SELLER: [record.order.sellerEmail],
      OPERATORS: this.server.operatorEmails,
    };
    const mails = new Map<
      string,
      { to: string[]; subject: string; sent: number; givenUp: number; keys: Set<string> }
    >();
    /** Mail key (`<requestId>/<key>`, `order/<key>` for the order's own) → the mail it is. */
    const byKey = new Map<string, string>();
    /**
     * The mail `entries` imply, keyed `<prefix><position>.<TEMPLATE>` (and the alert of each given
     * up but operators'), counted by its marks among `marks` (whose they are: `owner`), rendered
     * for request `sentFor`; a mark nothing implies is a break. Answers the templates implied.
     */
    const implyAll = (
      owner: string,
      entries: readonly TimelineEntry[],
      mailOf: (entry: TimelineEntry) => MailNotice[],
      marks: Readonly<Record<string, MailMark>>,
      sentFor: string,
      prefix = "",
    ): Set<EmailTemplate> => {
      const implied = new Set<string>();
      const templates = new Set<EmailTemplate>();
      const imply = (key: string, template: EmailTemplate, to: Recipient) => {
        const { subject } = renderEmail(template, record, sentFor);
        const addresses = recipients[to];
        const mailKey = mailKeyOf(addresses, subject);
        const mail = mails.get(mailKey) ?? {
          to: addresses,
          subject,
          sent: 0,
          givenUp: 0,
          keys: new Set(),
        };
        const mark = marks[key];
        if (typeof mark === "string") mail.sent += 1;
        else if (mark?.gaveUpAt) mail.givenUp += 1;
        mail.keys.add(`${owner}/${key}`);
        byKey.set(`${owner}/${key}`, mailKey);
        mails.set(mailKey, mail);
        implied.add(key);
        return mark;
      };
      entries.forEach((entry, index) => {
        for (const notice of mailOf(entry)) {
          const key = `${prefix}${index}.${notice.template}`;
          templates.add(notice.template);
          const mark = imply(key, notice.template, notice.to);
          if (typeof mark === "object" && mark.gaveUpAt && notice.to !== "OPERATORS") {
            imply(`${key}.alert`, "OPERATOR_MAIL_FAILED", "OPERATORS");
          }
        }
      });
      const strays = Object.keys(marks).filter((key) => !implied.has(key));
      if (strays.length > 0) {
        throw new Break(
          "mail-mark-unexpected",
          `${owner === ORDER_MARKS ? `order ${orderId}` : `request ${owner}`} has marks of mail its timeline does not imply: ${strays.join(", ")}`,
        );
      }
      return templates;
    };
    for (const request of Object.values(record.requests)) {
      const templates = implyAll(
        request.requestId,
        request.timeline,
        (entry) => entryMail(request, entry),
        noticesOf(request).mail,
        request.requestId,
      );
      this.checkOutcomeMail(request, templates);
    }
    // The order's own entries (its parcel's): sent for its latest request, none before it has one.
    const latest = latestRequest(record);
    const orderMarks = (record.orderNotices ?? NO_NOTICES).mail;
    if (latest) {
      implyAll(
        ORDER_MARKS,
        record.order.timeline,
        orderEntryMail,
        orderMarks,
        latest.requestId,
        ORDER_MAIL_PREFIX,
      );
    } else if (Object.keys(orderMarks).length > 0) {
      throw new Break("mail-mark-unexpected", `order ${orderId} has mail marks and no request`);
    }
    const taken = new Map<string, number>();
    for (const mail of sesMails) {
      if (!mail.subject.includes(orderId)) continue;
      const mailKey = mailKeyOf(mail.to, mail.subject);
      taken.set(mailKey, (taken.get(mailKey) ?? 0) + 1);
      if (!mails.has(mailKey)) {
        throw new Break("mail-unexpected", `order ${orderId}: a mail nothing implies: ${mailKey}`);
      }
    }
    // Resends a lost mark explains: one per mark lost after SES took that mail.
    const accepted = this.server.notices.mails.get(orderId) ?? [];
    const excused = new Map<string, number>();
    for (const lost of this.server.notices.lostMarks.get(orderId) ?? []) {
      if (lost.mail === undefined) continue;
      const mailKey = byKey.get(`${lost.requestId}/${lost.mail}`);
      if (
        mailKey &&
        accepted.some((mail) => mail.at <= lost.at && mailKeyOf(mail.to, mail.subject) === mailKey)
      ) {
        excused.set(mailKey, (excused.get(mailKey) ?? 0) + 1);
      }
    }
    for (const [mailKey, mail] of mails) {
      const made = taken.get(mailKey) ?? 0;
      const what = `${[...mail.keys].join(" ")} to ${mail.to.join(",")} ("${mail.subject}")`;
      if (made < mail.sent) {
        throw new Break(
          "mail-lost",
          `order ${orderId}: ${what} marked sent ${mail.sent} times, SES took it ${made} times (given up ${mail.givenUp})`,
        );
      }
      const resends = excused.get(mailKey) ?? 0;
      if (made > mail.sent + resends) {
        throw new Break(
          "mail-twice",
          `order ${orderId}: ${what} went out ${made} times, marked sent ${mail.sent} times, ${resends} resends after a lost mark\n  ${this.noticeLog(orderId)}`,
        );
      }
      this.stats.excusedMail += made - mail.sent;
    }
  }

  /** What happened to an order's notices and their marks (for a break's message). */
  private noticeLog(orderId: string): string {
    return `notices of ${orderId}:\n    ${(this.server.notices.logs.get(orderId) ?? []).join("\n    ")}`;
  }

  /** The outcome's own mails, to both sides, are among what the timeline implies. */
  private checkOutcomeMail(request: CancellationRequest, templates: ReadonlySet<EmailTemplate>) {
    const outcome: Partial<Record<RequestStatus, EmailTemplate[]>> = {
      // The buyer's "complete" mail only where money moved: cash on delivery, or units a
      // discount made free, need no refund.
      COMPLETED:
        request.refund?.status === "NOT_REQUIRED"
          ? ["SELLER_OUTCOME"]
          : ["BUYER_REFUND_COMPLETED", "SELLER_OUTCOME"],
      REJECTED: ["BUYER_REJECTED", "SELLER_OUTCOME"],
      WITHDRAWN: ["BUYER_WITHDRAWN", "SELLER_OUTCOME"],
      RETURN_REQUIRED: ["BUYER_RETURN_REQUIRED", "SELLER_OUTCOME"],
    };
    for (const template of outcome[request.status] ?? []) {
      if (!templates.has(template)) {
        throw new Break(
          "mail-missing",
          `request ${request.requestId} is ${request.status} but its timeline implies no ${template} mail: ${request.timeline.map((entry) => entry.type).join(",")}`,
        );
      }
    }
  }

  /**
   * Every entry of every request's timeline was published, as that entry (its type, time and
   * actor, and the status and refund its change left, as its snapshot held them), with the id of
   * its position; so was each parcel entry of the order's own timeline from its first request on
   * (`orderEvents`: `<orderId>.order.<n>`, naming one of its requests, with the parcel); nothing
   * else was published about the order; and no event went out more often than once plus one per
   * lost answer of EventBridge or lost PUBLISHED mark (a request's or the order's) that covered it.
   */
  private checkEvents(order: RunOrder, record: OrderRecord) {
    const { orderId } = order;
    const { notices } = this.server;
    const published = notices.events.get(orderId) ?? [];
    const expected = new Map<string, TimelineEntry>();
    for (const request of Object.values(record.requests)) {
      request.timeline.forEach((entry, index) => {
        expected.set(eventIdOf(request.requestId, index), entry);
      });
    }
    // The order's parcel entries the domain publishes (from its first request on, with a
    // request's id): each at its position in the order's timeline.
    const ownEvents = new Set<string>();
    for (const { detail } of orderEvents(record)) {
      const index = Number(detail.eventId.slice(`${orderId}.order.`.length));
      const entry = record.order.timeline[index];
      if (!entry || !(PARCEL_TIMELINE_TYPES as readonly string[]).includes(entry.type)) {
        throw new Break(
          "event-wrong",
          `order ${orderId}: its own event ${detail.eventId} is no parcel entry`,
        );
      }
      expected.set(detail.eventId, entry);
      ownEvents.add(detail.eventId);
    }
    const changed = notices.snapshotChanges.find((change) =>
      expected.has(change.slice(0, change.indexOf(":"))),
    );
    if (changed) throw new Break("event-snapshot-changed", changed);
    const copies = new Map<string, number>();
    for (const { detailType, detail } of published) {
      const entry = expected.get(detail.eventId);
      if (!entry) {
        throw new Break(
          "event-unexpected",
          `order ${orderId}: event ${detail.eventId} (${detailType}) matches no timeline entry`,
        );
      }
      if (entry.type !== detailType || entry.at !== detail.at || entry.actor !== detail.actor) {
        throw new Break(
          "event-wrong",
          `order ${orderId}: event ${detail.eventId} is ${detailType} at ${detail.at} by ${detail.actor}, its entry ${entry.type} at ${entry.at} by ${entry.actor}`,
        );
      }
      if (
        ownEvents.has(detail.eventId) &&
        (!Object.hasOwn(record.requests, detail.requestId) || !detail.parcel)
      ) {
        throw new Break(
          "event-wrong",
          `order ${orderId}: its own event ${detail.eventId} (${detailType}) names request ${detail.requestId} and parcel ${JSON.stringify(detail.parcel)}`,
        );
      }
      const snapshot = notices.snapshots.get(detail.eventId);
      if (snapshot) {
        const refund = snapshot.event.refund;
        const want = {
          status: snapshot.event.status,
          refund: refund
            ? {
                amount: refund.amount,
                currency: refund.currency,
                method: refund.method,
                status: refund.status,
                refundId: refund.refundId,
                expectedBy: refund.expectedBy,
              }
            : undefined,
        };
        const have = { status: detail.status, refund: detail.refund };
        if (
          !isDeepStrictEqual(JSON.parse(JSON.stringify(want)), JSON.parse(JSON.stringify(have)))
        ) {
          throw new Break(
            "event-wrong",
            `order ${orderId}: event ${detail.eventId} (${detailType}) reports ${JSON.stringify(have)}, its change left ${JSON.stringify(want)}`,
          );
        }
      }
      copies.set(detail.eventId, (copies.get(detail.eventId) ?? 0) + 1);
    }
    const missing = [...expected.keys()].filter((eventId) => !copies.has(eventId));
    if (missing.length > 0) {
      throw new Break(
        "event-lost",
        `order ${orderId}: timeline entries never published: ${missing.map((eventId) => `${eventId} ${expected.get(eventId)?.type}`).join(", ")}`,
      );
    }
    const lostMarks = new Map<string, number>();
    for (const lost of notices.lostMarks.get(orderId) ?? []) {
      if (lost.event === undefined) continue;
      const eventId =
        lost.requestId === ORDER_MARKS
          ? orderEventIdOf(orderId, lost.event)
          : eventIdOf(lost.requestId, lost.event);
      lostMarks.set(eventId, (lostMarks.get(eventId) ?? 0) + 1);
    }
    for (const [eventId, count] of copies) {
      const answers = notices.lostAnswers.get(eventId) ?? 0;
      const marks = lostMarks.get(eventId) ?? 0;
      if (count > 1 + answers + marks) {
        throw new Break(
          "event-twice",
          `order ${orderId}: event ${eventId} (${expected.get(eventId)?.type}) published ${count} times; lost answers ${answers}, lost marks ${marks}\n  ${this.noticeLog(orderId)}`,
        );
      }
      this.stats.excusedEvents += count - 1;
    }
  }
}

/**
 * What holds across runs, once they are all over: no request ever had two executions running at
 * once (one started after its run ended is caught here), and a last sweep, with no fault left
 * anywhere, leaves no dead letter in the pipe's queue.
 */
export const checkServer = async (server: ChaosServer): Promise<string[]> => {
  const breaks = server.executions.overlaps.map(
    ({ requestId, what }) => `two-executions: request ${requestId}: ${what}`,
  );
  await server.faults.sweeping(new FaultInjector(), () => server.reconcile());
  const left = server.local.sqs.list().flatMap((queue) => queue.messages);
  if (left.length > 0) {
    breaks.push(`dead-letters: ${left.length} left in the queue after a last sweep`);
  }
  return breaks;
};

/** A Stripe refund of a run's order, and whether its failure never reached the service. */
interface StripeRefundSeen {
  refund: Stripe.Refund;
  unheardFailure: boolean;
}

/** An API answer: status, Retry-After and the JSON body. */
export interface ApiAnswer {
  status: number;
  retryAfter: string | null;
  body: Json;
}
