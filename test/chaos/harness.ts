// The chaos harness: local mode booted once in this process, driven over HTTP as its users drive
// it. Each run (`ChaosRun`) owns fresh orders and its own faults, which hit only the calls made
// for its orders (so runs may overlap); people's actions, timers (expireWaits), the reconciler and
// faults are its methods. After every action it reads the run's requests; after the run it stops
// its faults, lets the reconciler and the timers bring every request to an end, and checks the
// invariants. A broken invariant throws a `Break`.
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type {
  AbsoluteLocation,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerOptions,
  MetadataBearer,
} from "@smithy/types";
import {
  createDocumentClient,
  OrderStore,
  type StoredOrder,
  type StoredOutboxEntry,
} from "../../functions/adapters/order-store.ts";
import { renderEmail } from "../../functions/domain/emails.ts";
import type { EmailTemplate, Recipient } from "../../functions/domain/events.ts";
import { eventIdOf } from "../../functions/domain/published-events.ts";
import type {
  CancellationRequest,
  OrderRecord,
  PaymentMethod,
  RequestStatus,
} from "../../functions/domain/types.ts";
import { isTerminal } from "../../functions/domain/types.ts";
import { toPublicRequest } from "../../functions/domain/views.ts";
import { STATES } from "../../infra/workflow.ts";
import { type ApiResponse, type Caller, LocalClient, orderBody } from "../../local/client.ts";
import { type Fault, FaultInjector, type FaultSpec } from "../../local/faults.ts";
import type { LocalPayment } from "../../local/payments.ts";
import {
  LOCAL_REFUNDS_TABLE_NAME,
  type LocalInfo,
  type LocalMode,
  startLocal,
} from "../../local/start.ts";
import type { Execution } from "../../local/step-functions.ts";

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
};

/** An API answer that has not come after this long is a hang (API Gateway's integration limit). */
const HANG_MS = 30_000;
/** The reconciler's own limit: its Lambda timeout (infra/stack.ts). */
const SWEEP_HANG_MS = 5 * 60_000;
/** Rounds of recovery (sweep, due timers, stale claims let go) before a request counts as stuck. */
export const RECOVERY_ROUNDS = 30;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Json = Record<string, unknown>;

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** The chaos runs' order ids (`orderBody`'s `o-<uuid>`), wherever they appear. */
const ORDER_ID = new RegExp(`o-${UUID}`);
/** A refund key, `rf-<requestId>[-n]`. */
const REFUND_KEY = new RegExp(`^rf-(${UUID})`);

type Middleware = <Input extends object, Output extends MetadataBearer>(
  next: InitializeHandler<Input, Output>,
  context: HandlerExecutionContext,
) => InitializeHandler<Input, Output>;

/**
 * Faults per run. Every call local mode can fault is tied to the order it is about: a workflow
 * execution carries its order (the whole execution runs in that scope), and a handler's SDK call
 * names it in its input (a key, a mail's subject, an execution's input or task token). A call
 * draws from the faults of the run that owns the order; calls about no order in particular (the
 * reconciler's index queries, ListExecutions) draw from the only live run's, if just one is live.
 */
class FaultScopes {
  private readonly scope = new AsyncLocalStorage<string>();
  /** Order id → the faults of the run that owns it. */
  private readonly injectors = new Map<string, FaultInjector>();
  private readonly live = new Set<FaultInjector>();
  /** Request id → order id, for refund keys. */
  readonly requestOrders = new Map<string, string>();

  constructor(private readonly tokenOrder: (taskToken: string) => string | undefined) {}

  register(orderIds: readonly string[], injector: FaultInjector) {
    for (const orderId of orderIds) this.injectors.set(orderId, injector);
    this.live.add(injector);
  }

  unregister(orderIds: readonly string[], injector: FaultInjector) {
    for (const orderId of orderIds) this.injectors.delete(orderId);
    this.live.delete(injector);
  }

  /** Replaces local mode's `FaultInjector.draw`: the faults of the call's run. */
  readonly draw = (target: Fault["target"], operation?: string): Fault | undefined => {
    const orderId = this.scope.getStore();
    const injector =
      orderId === undefined
        ? this.live.size === 1
          ? [...this.live][0]
          : undefined
        : this.injectors.get(orderId);
    return injector?.draw(target, operation);
  };

  /** Runs `work` (and everything it starts) as being about `orderId`. */
  within<T>(orderId: string | undefined, work: () => T): T {
    return orderId === undefined ? work() : this.scope.run(orderId, work);
  }

  private orderOf(operation: string, input: Json): string | undefined {
    const found = (value: unknown) =>
      typeof value === "string" ? ORDER_ID.exec(value)?.[0] : undefined;
    const fromKey = (key: unknown): string | undefined => {
      const { pk, orderId, refundId } = (key ?? {}) as Json;
      const byRefund = typeof refundId === "string" ? REFUND_KEY.exec(refundId)?.[1] : undefined;
      return (
        found(pk) ??
        found(orderId) ??
        (byRefund === undefined ? undefined : this.requestOrders.get(byRefund))
      );
    };
    switch (operation) {
      case "SendEmail":
        return found((input.Message as { Subject?: { Data?: string } } | undefined)?.Subject?.Data);
      case "StartExecution":
        return found(input.input);
      case "SendTaskSuccess":
      case "SendTaskFailure":
        return typeof input.taskToken === "string" ? this.tokenOrder(input.taskToken) : undefined;
      case "TransactWriteItems": {
        for (const item of (input.TransactItems ?? []) as Json[]) {
          for (const part of Object.values(item) as Json[]) {
            const orderId = fromKey(part.Key) ?? fromKey(part.Item);
            if (orderId) return orderId;
          }
        }
        return undefined;
      }
      default:
        return (
          fromKey(input.Key) ??
          fromKey(input.Item) ??
          found((input.ExpressionAttributeValues as Json | undefined)?.[":pk"])
        );
    }
  }

  /** For the handlers' SDK clients: each call runs in the scope of the order it names. */
  readonly middleware: Middleware = (next, context) => async (args) => {
    const operation = String(context.commandName ?? "").replace(/Command$/, "");
    return this.within(this.orderOf(operation, args.input as Json), () => next(args));
  };
}

/** A deliverer silent this long on a claim it holds is gone (it returned, or failed before its
 * last call): a live one calls SES or DynamoDB within seconds, retries included. */
const DELIVERER_IDLE_MS = 5000;

type MailHead = { to?: string[]; subject?: string };

/** A write of an outbox item under a claim owner: a claim (UpdateItem, or a put its writer
 * claims as it creates it) or a call under a claim held (release, completion, give-up). */
interface OutboxWrite {
  sk: string;
  id: string;
  key: string;
  claim: boolean;
  /** The mail a claiming put carries (a claim's answer carries it otherwise). */
  mail?: MailHead;
}

/** The outbox items a call writes, with the claim owner each presents (directly or in a transaction). */
const outboxWrites = (operation: string, input: Json): OutboxWrite[] => {
  const actions: [string, Json][] = Array.isArray(input.TransactItems)
    ? (input.TransactItems as Record<string, Json>[]).flatMap((item) => Object.entries(item))
    : [[operation, input]];
  return actions.flatMap(([kind, action]): OutboxWrite[] => {
    const item = action.Item as Json | undefined;
    const sk = (action.Key as Json | undefined)?.sk ?? item?.sk;
    const owner =
      (action.ExpressionAttributeValues as Json | undefined)?.[":owner"] ?? item?.claimedBy;
    if (typeof sk !== "string" || !sk.startsWith("OUTBOX#") || typeof owner !== "string") return [];
    const update = String(action.UpdateExpression ?? "");
    const claim = kind === "Put" || (kind === "UpdateItem" && /^SET claimedBy\b/.test(update));
    return [
      {
        sk,
        id: sk.slice("OUTBOX#".length),
        key: `${sk}|${owner}`,
        claim,
        ...(kind === "Put" ? { mail: item?.mail as MailHead | undefined } : {}),
      },
    ];
  });
};

/**
 * The outbox's life as the handlers' DynamoDB client saw it: which deliverer holds a claim right
 * now (between its claim and its last call on the entry, unless it has gone silent), and which
 * completions failed, to tell a documented resend (SES accepted the mail, then its outbox entry
 * could not be removed) from a duplicate.
 */
class OutboxObserver {
  /** Outbox id → the mail it carries (from the claim's answer). */
  readonly mails = new Map<string, { to: string[]; subject: string }>();
  /** Outbox id → completions (DeleteItem after a send) that failed. */
  readonly failedCompletions = new Map<string, number>();
  /** `<sk>|<owner>` of the claims whose deliverer may still be at work → when it last called. */
  private readonly working = new Map<string, number>();

  /** Is a deliverer still working on the entry under this claim? */
  isWorking(sk: string, owner: string): boolean {
    const lastCall = this.working.get(`${sk}|${owner}`);
    return lastCall !== undefined && Date.now() - lastCall < DELIVERER_IDLE_MS;
  }

  readonly middleware: Middleware = (next, context) => async (args) => {
    const operation = String(context.commandName ?? "").replace(/Command$/, "");
    const writes = outboxWrites(operation, args.input as Json);
    if (writes.length === 0) return next(args);
    // At work from the moment it asks for the claim (the claim may land before its answer).
    for (const write of writes) if (write.claim) this.working.set(write.key, Date.now());
    try {
      const result = await next(args);
      const attributes = (result.output as { Attributes?: Json }).Attributes;
      for (const write of writes) {
        if (!write.claim) continue;
        const mail = write.mail ?? (attributes?.mail as MailHead | undefined);
        if (mail?.to && mail.subject)
          this.mails.set(write.id, { to: mail.to, subject: mail.subject });
        this.working.set(write.key, Date.now());
      }
      return result;
    } catch (error) {
      const conditionFailed = (error as Error).name === "ConditionalCheckFailedException";
      for (const write of writes) {
        // A claim that failed (even one that landed, its answer lost) is abandoned by its asker.
        if (write.claim) this.working.delete(write.key);
        if (operation === "DeleteItem" && !conditionFailed) {
          this.failedCompletions.set(write.id, (this.failedCompletions.get(write.id) ?? 0) + 1);
        }
      }
      throw error;
    } finally {
      // Completed, released or given up (whether or not that call went through): done with it.
      for (const write of writes) if (!write.claim) this.working.delete(write.key);
    }
  };

  /** Sends of this mail that a failed completion explains (each can cause one resend). */
  excusedResends(orderId: string, to: string[], subject: string): number {
    let excused = 0;
    for (const [id, count] of this.failedCompletions) {
      const mail = this.mails.get(id);
      if (mail?.subject === subject && subject.includes(orderId) && sameTo(mail.to, to))
        excused += count;
    }
    return excused;
  }
}

const sameTo = (a: string[], b: string[]) => isDeepStrictEqual([...a].sort(), [...b].sort());

const placement = (
  name: string,
  priority: "high" | "low",
): InitializeHandlerOptions & AbsoluteLocation => ({
  step: "initialize",
  priority,
  name,
  override: true,
});

export interface ChaosServer {
  local: LocalMode;
  api: LocalClient;
  info: LocalInfo;
  store: OrderStore;
  /** A document client of the local table, outside the faults. */
  documents: DynamoDBDocumentClient;
  operator: Caller;
  system: Caller;
  carrier: Caller;
  operatorEmails: string[];
  faults: FaultScopes;
  outbox: OutboxObserver;
  stop: () => Promise<void>;
}

/** What the chaos harness reaches inside local mode's Step Functions stand-in. */
interface StepFunctionsInternals {
  options: { retryIntervalOverrides?: Record<string, number> };
  issuedTokens: Map<string, string>;
  /** Waits in progress: task token → its execution. */
  parked: Map<string, { executionArn: string }>;
  run: (execution: { executionArn: string }, input: unknown) => void;
}

/**
 * Boots local mode with the chaos policy and three test-only hooks, all in this process: the
 * state machine's retries keep their counts but not their pauses (backoff of up to minutes would
 * make a run last that long); local mode's fault injector draws from the faults of the run whose
 * order a call is about; and the handlers' DynamoDB client reports outbox completions that failed.
 */
export const startChaosServer = async (log?: (line: string) => void): Promise<ChaosServer> => {
  const folder = await mkdtemp(path.join(tmpdir(), "chaos-"));
  const policyFile = path.join(folder, "policy.json");
  await writeFile(policyFile, JSON.stringify(CHAOS_POLICY));
  const local = await startLocal({ port: 0, policyFile, ...(log ? { log } : {}) });
  try {
    const sfn = local.stepFunctions as unknown as StepFunctionsInternals;
    sfn.options.retryIntervalOverrides = Object.fromEntries(
      Object.values(STATES).map((name) => [name, 0]),
    );
    const tokenOrder = (taskToken: string) => {
      const arn = sfn.issuedTokens.get(taskToken);
      const input = arn ? local.stepFunctions.describeExecution(arn).input : undefined;
      return input ? ORDER_ID.exec(input)?.[0] : undefined;
    };
    const faults = new FaultScopes(tokenOrder);
    local.faults.draw = faults.draw;
    const run = sfn.run.bind(sfn);
    sfn.run = (execution, input) =>
      faults.within(ORDER_ID.exec(JSON.stringify(input))?.[0], () => run(execution, input));

    // The handlers' SDK clients: the same module instances local mode loaded and faults.
    const { defaultDeps } = await import("../../functions/app/deps.ts");
    const deps = defaultDeps();
    if (typeof (deps.gateway as { list?: unknown }).list !== "function") {
      throw new Error("the handlers' deps are not the ones local mode wired");
    }
    const outbox = new OutboxObserver();
    const clients = await import("../../functions/adapters/aws-clients.ts");
    const scoped = [
      clients.dynamoDb,
      await clients.stepFunctions(),
      await clients.ses(),
    ] as unknown as {
      middlewareStack: { add(middleware: Middleware, options: object): void };
    }[];
    for (const client of scoped) {
      client.middlewareStack.add(faults.middleware, placement("chaosScope", "high"));
    }
    clients.dynamoDb.middlewareStack.add(
      outbox.middleware as never,
      placement("chaosOutboxObserver", "low"),
    );

    const api = new LocalClient(local.url);
    const info = (await api.get<LocalInfo>("/_local/info")).body;
    const client = new DynamoDBClient({
      endpoint: info.dynamodbEndpoint,
      region: info.region,
      credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    });
    const documents = createDocumentClient(client);
    const store = new OrderStore({ client: documents, tableName: info.tableName });
    const [operator, system, carrier] = await Promise.all([
      api.operator("chaos-operator"),
      api.system(),
      api.carrier(),
    ]);
    return {
      local,
      api,
      info,
      store,
      documents,
      operator,
      system,
      carrier,
      operatorEmails: deps.operatorEmails,
      faults,
      outbox,
      stop: async () => {
        client.destroy();
        await local.stop();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
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
  /** Above the policy's auto-approval limit: an operator reviews it. */
  high: boolean;
}

export const REASONS = [
  "NO_LONGER_NEEDED",
  "ORDERED_BY_MISTAKE",
  "FOUND_BETTER_PRICE",
  "DELIVERY_TOO_SLOW",
  "WRONG_ITEM_ORDERED",
  "OTHER",
] as const;
export type Reason = (typeof REASONS)[number];

interface RunOrder {
  spec: OrderSpec;
  orderId: string;
  buyer: Caller;
  seller: Caller;
  body: Json;
  /** Idempotency keys sent, with their body, and the request id the first 202 named. */
  keys: { key: string; body: Json; requestId?: string }[];
  /** The record as last read from the store. */
  stored?: StoredOrder;
  importTried?: boolean;
}

/** The parts of a request that may never change once it is terminal. */
const frozen = (request: Json) => ({
  status: request.status,
  refund: request.refund,
  rejection: request.rejection,
  timeline: request.timeline,
});

export interface RunStats {
  actions: number;
  faultsFired: number;
  requests: number;
  outcomes: Partial<Record<RequestStatus, number>>;
  /** Timeline entries of the run's requests, by type (which paths the run took). */
  paths: Record<string, number>;
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
  };
  /** Terminal requests as first seen (API view and stored record), by request id. */
  private readonly terminal = new Map<string, { api?: Json; stored: Json }>();
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
      const unitPrice = spec.high ? 98_000 : 4_980;
      const paidAmount = spec.method === "CASH_ON_DELIVERY" ? 0 : unitPrice + 500;
      const body = orderBody(
        { buyerId: buyer.sub, sellerId: seller.sub },
        {
          locale: spec.locale,
          currency: spec.currency,
          lines: [{ lineId: "l1", sku: "SKU-1", title: "chaos item", quantity: 1, unitPrice }],
          shippingFee: 500,
          payment: { method: spec.method, paidAmount },
          placedAt: new Date(Date.now() - 86_400_000).toISOString(),
        },
      );
      run.orders.push({ spec, orderId: String(body.orderId), buyer, seller, body, keys: [] });
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

  /** An API call: never a 5xx other than 503, never a hang, always JSON. */
  private async call(
    what: string,
    method: string,
    path: string,
    caller?: Caller,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse> {
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
  ): Promise<ApiResponse> {
    const limit = what === "sweep" ? SWEEP_HANG_MS : HANG_MS;
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Break("hang", `${what}: ${method} ${path} got no answer in ${limit} ms`)),
        limit,
      );
    });
    let response: ApiResponse;
    try {
      response = await Promise.race([
        this.server.api.send(method, path, {
          ...(caller ? { caller } : {}),
          ...(body === undefined ? {} : { body }),
          ...(headers ? { headers } : {}),
        }),
        hang,
      ]);
    } catch (error) {
      if (error instanceof Break) throw error;
      throw new Break("bad-answer", `${what}: ${method} ${path}: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    this.note(`${what} → ${response.status}${response.body.code ? ` ${response.body.code}` : ""}`);
    if (method !== "GET") this.changed = true;
    if (response.status >= 500 && response.status !== 503) {
      throw new Break(
        "5xx",
        `${what}: ${method} ${path} answered ${response.status} ${JSON.stringify(response.body)}`,
      );
    }
    return response;
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
      carrier: "yamato",
      trackingNumber: `T-${order.orderId.slice(2, 10)}`,
    });
  }

  /** The buyer asks to cancel: with a new Idempotency-Key, or the last one again (same body). */
  async requestCancellation(index: number, reason: Reason, resend: boolean) {
    const order = this.order(index);
    const last = order.keys.at(-1);
    const entry =
      resend && last
        ? last
        : {
            key: `k-${++this.counter}`,
            body: reason === "OTHER" ? { reason, comment: "chaos <b>test</b>" } : { reason },
          };
    if (entry !== last) order.keys.push(entry);
    const response = await this.call(
      `request ${index}${entry === last ? " (again)" : ""}`,
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

  async deliver(index: number) {
    const order = this.order(index);
    return this.call(
      `deliver ${index}`,
      "POST",
      `/orders/${order.orderId}/delivery`,
      this.server.carrier,
      {
        deliveredAt: new Date().toISOString(),
      },
    );
  }

  // -- timers, the reconciler, faults -----------------------------------------------------------

  /** Is this execution one of the run's (named by a request id, or `<id>-<n>` once resumed)? */
  private ownsExecution = (name: string): boolean => {
    for (const order of this.orders) {
      for (const requestId of Object.keys(order.stored?.record.requests ?? {})) {
        if (name === requestId || name.startsWith(`${requestId}-`)) return true;
      }
    }
    return false;
  };

  /** The run's executions: each request's first (named by it) and every resumed one. */
  private executions(): Execution[] {
    const sfn = this.server.local.stepFunctions;
    const prefix = `${sfn.stateMachineArn.replace(":stateMachine:", ":execution:")}:`;
    return this.orders.flatMap((order) =>
      Object.keys(order.stored?.record.requests ?? {}).flatMap((requestId) => {
        const attempts = order.stored?.executions?.[requestId]?.attempt ?? 1;
        return Array.from({ length: attempts }, (_, n) => {
          try {
            return [
              sfn.describeExecution(`${prefix}${n === 0 ? requestId : `${requestId}-${n + 1}`}`),
            ];
          } catch {
            return [];
          }
        }).flat();
      }),
    );
  }

  /** Every wait of the run's executions times out now, as at its deadline. */
  expireWaits(): number {
    const expired = this.server.local.stepFunctions.expireWaits(this.ownsExecution);
    this.note(`expire waits → ${expired}`);
    return expired;
  }

  async sweep(): Promise<ApiResponse> {
    return this.call("sweep", "POST", "/_local/sweep");
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

  /** The run's executions that are doing something (running, and not parked in a wait). */
  private busyExecutions(): string[] {
    const parked = new Set(
      [
        ...(this.server.local.stepFunctions as unknown as StepFunctionsInternals).parked.values(),
      ].map((task) => task.executionArn),
    );
    return this.executions()
      .filter((execution) => execution.status === "RUNNING" && !parked.has(execution.executionArn))
      .map((execution) => execution.name);
  }

  /** Waits (up to `maxMs`) until none of the run's executions is between waits. */
  async settle(maxMs = 3000): Promise<boolean> {
    // Requests made since the last read have executions too.
    if (this.changed) await this.refresh();
    const deadline = Date.now() + maxMs;
    for (;;) {
      if (this.busyExecutions().length === 0) return true;
      if (Date.now() > deadline) return false;
      await sleep(10);
    }
  }

  // -- observation ---------------------------------------------------------------------------

  /** Reads the run's orders from the store (not through the faults). */
  async refresh() {
    this.changed = false;
    await Promise.all(
      this.orders.map(async (order) => {
        // An order nobody tried to import yet is not in the store.
        if (!order.importTried) return;
        order.stored = await this.server.store.get(order.orderId);
        for (const requestId of Object.keys(order.stored?.record.requests ?? {})) {
          this.server.faults.requestOrders.set(requestId, order.orderId);
        }
      }),
    );
  }

  /** The run is over: its faults stop, and its orders are no longer its. */
  close() {
    this.clearFaults();
    this.server.faults.unregister(this.orderIds, this.faults);
    for (const order of this.orders) {
      for (const requestId of Object.keys(order.stored?.record.requests ?? {})) {
        this.server.faults.requestOrders.delete(requestId);
      }
    }
  }

  /**
   * After every action: reads each request (API as an operator, and the stored record) and checks
   * that a request once terminal has not changed since.
   */
  async observe() {
    this.stats.actions += 1;
    await this.refresh();
    await this.checkFrozen(false);
  }

  /**
   * A terminal request never changes: its stored record is compared after every action, its API
   * view when first seen terminal and at the end (`everyApiView`).
   */
  private async checkFrozen(everyApiView: boolean) {
    const reads = this.orders.flatMap((order) =>
      Object.values(order.stored?.record.requests ?? {}).map(async (request) => {
        const stored = frozen(request as unknown as Json);
        let seen = this.terminal.get(request.requestId);
        if (seen && !isDeepStrictEqual(seen.stored, stored)) {
          throw new Break(
            "terminal-changed",
            `request ${request.requestId} changed after it was ${String(seen.stored.status)}: ${JSON.stringify(seen.stored)} → ${JSON.stringify(stored)}`,
          );
        }
        if (!isTerminal(request.status)) return;
        if (!seen) {
          seen = { stored };
          this.terminal.set(request.requestId, seen);
        }
        if (seen.api && !everyApiView) return;
        const response = await this.call(
          "read",
          "GET",
          this.requestPath(order, request.requestId),
          this.server.operator,
        );
        if (response.status !== 200) return;
        const view = frozen(response.body);
        if (!seen.api) {
          seen.api = view;
          const published = JSON.parse(JSON.stringify(frozen(toPublicRequest(request) as never)));
          if (!isDeepStrictEqual(view, published)) {
            throw new Break(
              "api-view",
              `request ${request.requestId}: the API shows ${JSON.stringify(view)}, the record ${JSON.stringify(published)}`,
            );
          }
        } else if (!isDeepStrictEqual(seen.api, view)) {
          throw new Break(
            "terminal-changed",
            `request ${request.requestId} (API) changed after it was ${String(seen.api.status)}: ${JSON.stringify(seen.api)} → ${JSON.stringify(view)}`,
          );
        }
      }),
    );
    await Promise.all(reads);
  }

  // -- recovery and the invariants ------------------------------------------------------------

  private openRequests(): CancellationRequest[] {
    return this.orders.flatMap((order) =>
      Object.values(order.stored?.record.requests ?? {}).filter(
        (request) => !isTerminal(request.status),
      ),
    );
  }

  /** The run's outbox items not yet delivered nor given up, with their claims. */
  private async pendingOutbox(): Promise<Json[]> {
    const lists = await Promise.all(
      this.orders.map(async (order) => {
        const result = await this.server.documents.send(
          new QueryCommand({
            TableName: this.server.info.tableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
            FilterExpression: "attribute_exists(workShard)",
            ExpressionAttributeValues: { ":pk": `ORDER#${order.orderId}`, ":prefix": "OUTBOX#" },
            ConsistentRead: true,
          }),
        );
        return (result.Items ?? []) as Json[];
      }),
    );
    return lists.flat();
  }

  /**
   * Lets go of outbox claims whose holder is gone, as their lease running out would: claims whose
   * deliverer is no longer at work on them (its answer was lost, or it could not release the claim
   * after a failure). Claims last 60 s of real time; recovery does not wait them out.
   */
  private async releaseStaleClaims(pending: Json[]): Promise<{ released: number; held: number }> {
    let released = 0;
    let held = 0;
    const now = new Date().toISOString();
    for (const item of pending) {
      const { pk, sk, claimedBy, claimUntil } = item;
      if (typeof claimUntil !== "string" || claimUntil <= now) continue;
      if (this.server.outbox.isWorking(String(sk), String(claimedBy))) {
        held += 1;
        continue;
      }
      try {
        await this.server.documents.send(
          new UpdateCommand({
            TableName: this.server.info.tableName,
            Key: { pk, sk },
            UpdateExpression: "SET claimUntil = :expired",
            ConditionExpression: "claimedBy = :owner AND claimUntil = :until",
            ExpressionAttributeValues: {
              ":expired": new Date(0).toISOString(),
              ":owner": claimedBy,
              ":until": claimUntil,
            },
          }),
        );
      } catch (error) {
        // Delivered, released or claimed anew since it was read: not stale after all.
        if ((error as Error).name === "ConditionalCheckFailedException") continue;
        throw error;
      }
      released += 1;
      this.note(`stale claim let go: ${String(sk)} (attempts ${String(item.attempts)})`);
    }
    return { released, held };
  }

  /**
   * Faults stop; then rounds of: the workflow left to settle; every due wait timed out if there is
   * one (a deadline passing); else stale outbox claims let go and the reconciler's sweep (its next
   * period); until every request of the run is terminal and no mail is pending. A request still
   * open after the rounds is stuck.
   */
  async recover(rounds = RECOVERY_ROUNDS) {
    this.clearFaults();
    for (let round = 1; ; round++) {
      await this.settle();
      await this.refresh();
      const pending = await this.pendingOutbox();
      const open = this.openRequests();
      if (open.length === 0 && pending.length === 0) {
        this.note(`recovered after ${round - 1} rounds`);
        return;
      }
      if (round > rounds) {
        const executions = this.executions().map(
          (execution) =>
            `${execution.name}: ${execution.status} at ${execution.history.at(-1)?.stateName ?? "?"}`,
        );
        throw new Break(
          "stuck",
          `after ${rounds} rounds of recovery: ${open.map((request) => `${request.requestId} ${request.status}`).join(", ") || "no open request"}; pending outbox ${pending.map((entry) => `${String(entry.kind)} ${String(entry.sk)} attempts ${String(entry.attempts)} claimed by ${String(entry.claimedBy)} until ${String(entry.claimUntil)} (${String(entry.lastError)})`).join(", ") || "none"}; executions ${executions.join("; ")}`,
        );
      }
      if (open.length > 0 && this.expireWaits() > 0) continue;
      // A claim whose deliverer may be at work is left to it; its silence is given time to show.
      if ((await this.releaseStaleClaims(pending)).held > 0) await sleep(DELIVERER_IDLE_MS / 10);
      const sweep = await this.sweep();
      if (sweep.status !== 200) {
        throw new Break("sweep", `the reconciler answered ${sweep.status} with no fault active`);
      }
    }
  }

  /** Every invariant over the run's orders, after `recover`. */
  async checkInvariants() {
    await this.refresh();
    await this.checkFrozen(true);
    const payments = (await this.server.api.get<{ items: LocalPayment[] }>("/_local/payments")).body
      .items;
    for (const order of this.orders) {
      const record = order.stored?.record;
      if (!record) continue;
      for (const request of Object.values(record.requests)) {
        this.stats.requests += 1;
        this.stats.outcomes[request.status] = (this.stats.outcomes[request.status] ?? 0) + 1;
        for (const entry of request.timeline) {
          this.stats.paths[entry.type] = (this.stats.paths[entry.type] ?? 0) + 1;
        }
        this.checkMoney(record, request, await this.moneyMoved(request, payments));
      }
      await this.checkMail(order, record);
      await this.checkEvents(order, record);
    }
  }

  /**
   * The refunds made for a request: what the local provider reports as SUCCEEDED, and what its
   * ledger (the default adapter: one item per refund key) holds under every key the request may
   * have used (`rf-<id>`, `rf-<id>-2`, …), by key.
   */
  private async moneyMoved(
    request: CancellationRequest,
    payments: LocalPayment[],
  ): Promise<{ refundId: string; amount: number; source: string }[]> {
    const made = new Map<string, { refundId: string; amount: number; source: string }>();
    for (const payment of payments) {
      if (payment.requestId === request.requestId && payment.status === "SUCCEEDED") {
        made.set(payment.refundId, { ...payment, source: "/_local/payments" });
      }
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
    const cashOnDelivery = record.order.payment.method === "CASH_ON_DELIVERY";
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
        const expected = cashOnDelivery ? 0 : 1;
        if (paid.length !== expected) {
          throw new Break(
            "completed-payments",
            `request ${id} COMPLETED (${record.order.payment.method}) with ${paid.length} refunds made`,
          );
        }
        const made = paid[0];
        const status = refund?.status;
        if (
          (cashOnDelivery && status !== "NOT_REQUIRED") ||
          (!cashOnDelivery &&
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

  /** Each mail a change implies (transition.ts), by recipient and template. */
  private expectedMail(
    record: OrderRecord,
    request: CancellationRequest,
  ): [Recipient, EmailTemplate][] {
    const expected: [Recipient, EmailTemplate][] = [];
    for (const entry of request.timeline) {
      switch (entry.type) {
        case "SELLER_NOTIFIED":
          expected.push(["BUYER", "BUYER_REQUEST_RECEIVED"], ["SELLER", "SELLER_NEW_REQUEST"]);
          break;
        case "SELLER_REMINDED":
          expected.push(["SELLER", "SELLER_REMINDER"]);
          break;
        case "SELLER_APPROVED":
        case "SELLER_TIMED_OUT":
          if (request.marketplaceReview === "OPERATOR")
            expected.push(["OPERATORS", "OPERATOR_ESCALATION"]);
          break;
        case "MARKETPLACE_APPROVED":
          expected.push(["BUYER", "BUYER_APPROVED"]);
          break;
        case "SELLER_REJECTED":
        case "MARKETPLACE_REJECTED":
          expected.push(["BUYER", "BUYER_REJECTED"], ["SELLER", "SELLER_OUTCOME"]);
          break;
        case "REFUND_INSTRUCTED":
          expected.push(["SELLER", "SELLER_REFUND_INSTRUCTION"]);
          break;
        case "REFUND_SUCCEEDED":
          expected.push(["BUYER", "BUYER_REFUND_COMPLETED"]);
          break;
        case "REFUND_FAILED":
          expected.push(["OPERATORS", "OPERATOR_REFUND_FAILED"]);
          break;
        case "COMPLETED":
          expected.push(["SELLER", "SELLER_OUTCOME"]);
          break;
        case "WITHDRAWN":
          expected.push(["BUYER", "BUYER_WITHDRAWN"], ["SELLER", "SELLER_OUTCOME"]);
          break;
        case "RETURN_REQUIRED":
          expected.push(["BUYER", "BUYER_RETURN_REQUIRED"], ["SELLER", "SELLER_OUTCOME"]);
          break;
      }
    }
    // The outcome's own mails, to both sides (the buyer's "complete" mail only where money moved:
    // cash on delivery completes without a refund).
    const outcome: Partial<Record<RequestStatus, [Recipient, EmailTemplate][]>> = {
      COMPLETED:
        record.order.payment.method === "CASH_ON_DELIVERY"
          ? [["SELLER", "SELLER_OUTCOME"]]
          : [
              ["BUYER", "BUYER_REFUND_COMPLETED"],
              ["SELLER", "SELLER_OUTCOME"],
            ],
      REJECTED: [
        ["BUYER", "BUYER_REJECTED"],
        ["SELLER", "SELLER_OUTCOME"],
      ],
      WITHDRAWN: [
        ["BUYER", "BUYER_WITHDRAWN"],
        ["SELLER", "SELLER_OUTCOME"],
      ],
      RETURN_REQUIRED: [
        ["BUYER", "BUYER_RETURN_REQUIRED"],
        ["SELLER", "SELLER_OUTCOME"],
      ],
    };
    for (const [to, template] of outcome[request.status] ?? []) {
      if (!expected.some(([t, m]) => t === to && m === template)) {
        throw new Break(
          "mail-missing",
          `request ${request.requestId} is ${request.status} but its timeline implies no ${template} mail: ${request.timeline.map((entry) => entry.type).join(",")}`,
        );
      }
    }
    return expected;
  }

  private async checkMail(order: RunOrder, record: OrderRecord) {
    const { orderId } = order;
    const pending = await this.server.store.pendingOutbox(orderId);
    if (pending.length > 0) {
      throw new Break(
        "mail-pending",
        `order ${orderId} still has ${pending.length} outbox entries after recovery: ${pending.map((entry) => `${entry.kind} ${entry.kind === "MAIL" ? entry.mail.subject : ""} attempts ${entry.attempts}`).join("; ")}`,
      );
    }
    const operators = this.server.operatorEmails;
    const recipients: Record<Recipient, string[]> = {
      BUYER: [record.order.buyerEmail],
      SELLER: [record.order.sellerEmail],
      OPERATORS: operators,
    };
    const keyOf = (to: string[], subject: string) => `${[...to].sort().join(",")}|${subject}`;
    const expected = new Map<
      string,
      { to: string[]; subject: string; count: number; what: string }
    >();
    const expect = (to: string[], template: EmailTemplate, requestId: string) => {
      const { subject } = renderEmail(template, record, requestId);
      const key = keyOf(to, subject);
      const entry = expected.get(key) ?? { to, subject, count: 0, what: template };
      entry.count += 1;
      expected.set(key, entry);
    };
    for (const request of Object.values(record.requests)) {
      for (const [to, template] of this.expectedMail(record, request)) {
        expect(recipients[to], template, request.requestId);
      }
    }
    // Given up: recorded, and alerted unless it was itself an operators' alert.
    const failed = (await this.server.store.failedOutbox(orderId)).filter(
      (entry): entry is Extract<StoredOutboxEntry, { kind: "MAIL" }> => entry.kind === "MAIL",
    );
    const givenUp = new Map<string, number>();
    for (const entry of failed) {
      const key = keyOf(entry.mail.to, entry.mail.subject);
      givenUp.set(key, (givenUp.get(key) ?? 0) + 1);
      if (!entry.mail.to.every((address) => operators.includes(address))) {
        expect(operators, "OPERATOR_MAIL_FAILED", entry.requestId);
      }
    }
    const sent = new Map<string, number>();
    for (const mail of await this.mails(orderId)) {
      const key = keyOf(mail.to, mail.subject);
      sent.set(key, (sent.get(key) ?? 0) + 1);
      if (!expected.has(key)) {
        throw new Break("mail-unexpected", `order ${orderId}: a mail nothing implies: ${key}`);
      }
    }
    for (const [key, { to, subject, count, what }] of expected) {
      const made = sent.get(key) ?? 0;
      const dropped = givenUp.get(key) ?? 0;
      if (made + dropped < count) {
        throw new Break(
          "mail-lost",
          `order ${orderId}: ${what} to ${to.join(",")} expected ${count}, sent ${made}, given up ${dropped}`,
        );
      }
      const excused = this.server.outbox.excusedResends(orderId, to, subject);
      if (made > count + excused) {
        throw new Break(
          "mail-twice",
          `order ${orderId}: ${what} to ${to.join(",")} sent ${made} times, expected ${count} (${excused} resends after a lost completion)`,
        );
      }
    }
  }

  /**
   * Every entry of every request's timeline was published (at least once), as that entry, with the
   * id of its position; nothing else was published about the order.
   */
  private async checkEvents(order: RunOrder, record: OrderRecord) {
    const { orderId } = order;
    const published = (await this.server.api.events()).filter(
      (event) => event.detail.orderId === orderId,
    );
    const expected = new Map<string, { type: string; at: string; actor: string }>();
    for (const request of Object.values(record.requests)) {
      request.timeline.forEach((entry, index) => {
        expected.set(eventIdOf(request.requestId, index), entry);
      });
    }
    const seen = new Set<string>();
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
      seen.add(detail.eventId);
    }
    const missing = [...expected.keys()].filter((eventId) => !seen.has(eventId));
    if (missing.length > 0) {
      throw new Break(
        "event-lost",
        `order ${orderId}: timeline entries never published: ${missing.map((eventId) => `${eventId} ${expected.get(eventId)?.type}`).join(", ")}`,
      );
    }
  }

  /** The mail the SES stand-in accepted since the run began, about this order. */
  private async mails(orderId: string): Promise<{ to: string[]; subject: string; text: string }[]> {
    const response = await fetch(`${this.server.info.sesEndpoint}/store?since=${this.startedAt}`);
    const store = (await response.json()) as {
      emails: { destination: { to: string[] }; subject: string; body: { text?: string } }[];
    };
    return store.emails
      .filter((mail) => mail.subject.includes(orderId))
      .map((mail) => ({
        to: mail.destination.to,
        subject: mail.subject,
        text: mail.body.text ?? "",
      }));
  }
}
