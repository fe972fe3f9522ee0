// The Stripe stand-in of local mode and the tests: an HTTP server on 127.0.0.1 that answers the
// part of Stripe's v1 API the official `stripe` package calls for PaymentIntents, refunds and
// events (`new Stripe(secretKey, { host: "127.0.0.1", port, protocol: "http" })`), checks the
// secret key, keeps idempotency keys, injects the `stripe` faults of local/faults.ts and sends
// the account's events, signed, to a webhook endpoint. No network, no Stripe account.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import Stripe from "stripe";
import type { DrawContext, Fault, FaultErrorKind } from "../faults.ts";
import { guardHost } from "../host-guard.ts";
import {
  type AccountTimings,
  DEFAULT_ACCOUNT_TIMINGS,
  type LocalStripeEvent,
  type RequestInfo,
  StripeAccount,
  stripeId,
} from "./account.ts";
import { invalidParameter, StripeApiError } from "./errors.ts";
import { decodeForm, FormError, type FormObject } from "./form.ts";
import { IdempotencyKeys } from "./idempotency.ts";
import {
  DEFAULT_WEBHOOK_TIMINGS,
  type WebhookDelivery,
  WebhookSender,
  type WebhookTimings,
} from "./webhooks.ts";

export interface LocalStripeTimings extends AccountTimings {
  webhooks: WebhookTimings;
}

export interface LocalStripeOptions {
  /** `sk_test_…`; a new one each start when not given. */
  secretKey?: string;
  /** The webhook endpoint's signing secret, `whsec_…`; a new one each start when not given. */
  webhookSecret?: string;
  /** Where events are POSTed; without one they are only kept (GET /v1/events, `events()`). */
  webhookUrl?: string;
  /**
   * Faults of target `stripe` (local mode's injector): each draw names the PaymentIntent the call
   * or the webhook is about (`context.subject`), for an injector that keeps faults per order.
   */
  faults?: StripeFaults;
  /** The stand-in's clock in milliseconds (objects' `created`, key expiry, signatures). */
  now?: () => number;
  timings?: Partial<AccountTimings> & { webhooks?: Partial<WebhookTimings> };
  log?: (line: string) => void;
}

/** How the stand-in draws its faults (FaultInjector's `draw`). */
export interface StripeFaults {
  draw(
    target: "stripe",
    operation: string,
    errors: readonly FaultErrorKind[],
    context: DrawContext,
  ): Fault | undefined;
}

/** What `GET /_local/info` names (SPEC "Payment providers"): how the SDK reaches the stand-in. */
export interface LocalStripeInfo {
  apiBase: string;
  secretKey: string;
  webhookSecret: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  /** The SDK's name for the call (`refunds.create`): a fault's `operation`. */
  operation: string;
  handle: (context: {
    id: string;
    params: FormObject;
    request: RequestInfo;
    pending: () => boolean;
  }) => unknown;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

const readBody = async (request: IncomingMessage): Promise<string | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
};

/** The key Stripe was given: `Authorization: Bearer sk_…`, or curl's `-u sk_…:` (Basic). */
const presentedKey = (authorization: string | undefined): string | undefined => {
  if (!authorization) return undefined;
  const [scheme, value = ""] = authorization.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() === "bearer") return value;
  if (scheme?.toLowerCase() === "basic") {
    return Buffer.from(value, "base64").toString("utf8").split(":")[0];
  }
  return undefined;
};

/** A key as Stripe shows it in its refusal: the end only. */
const masked = (key: string): string =>
  key.length > 8 ? `${key.slice(0, key.indexOf("_", 3) + 1)}****${key.slice(-4)}` : "****";

export class LocalStripe {
  readonly account: StripeAccount;
  private readonly keys: IdempotencyKeys;
  private readonly webhooks: WebhookSender;
  private readonly routes: Route[];
  private webhookUrl: string | undefined;

  private constructor(
    private readonly server: Server,
    readonly apiBase: string,
    readonly secretKey: string,
    readonly webhookSecret: string,
    private readonly options: LocalStripeOptions,
    private readonly now: () => number,
    timings: LocalStripeTimings,
  ) {
    const log = options.log ?? (() => undefined);
    this.webhookUrl = options.webhookUrl;
    this.keys = new IdempotencyKeys(now);
    this.webhooks = new WebhookSender({
      secret: webhookSecret,
      timings: timings.webhooks,
      now,
      log,
      ...(options.faults ? { faults: options.faults } : {}),
    });
    this.account = new StripeAccount({
      now,
      timings,
      webhookEndpoints: () => (this.webhookUrl === undefined ? 0 : 1),
      onEvent: (event) => this.deliver(event),
    });
    const account = this.account;
    this.routes = [
      {
        method: "POST",
        pattern: /^\/v1\/payment_intents$/,
        operation: "paymentIntents.create",
        handle: ({ params, request }) => account.createPaymentIntent(params, request),
      },
      {
        method: "POST",
        pattern: /^\/v1\/payment_intents\/([^/]+)\/confirm$/,
        operation: "paymentIntents.confirm",
        handle: ({ id, params, request }) => account.confirmPaymentIntent(id, params, request),
      },
      {
        method: "GET",
        pattern: /^\/v1\/payment_intents\/([^/]+)$/,
        operation: "paymentIntents.retrieve",
        handle: ({ id }) => account.retrievePaymentIntent(id),
      },
      {
        method: "POST",
        pattern: /^\/v1\/refunds$/,
        operation: "refunds.create",
        handle: ({ params, request, pending }) => account.createRefund(params, request, pending),
      },
      {
        method: "GET",
        pattern: /^\/v1\/refunds\/([^/]+)$/,
        operation: "refunds.retrieve",
        handle: ({ id }) => account.retrieveRefund(id),
      },
      {
        method: "GET",
        pattern: /^\/v1\/refunds$/,
        operation: "refunds.list",
        handle: ({ params }) => account.listRefunds(params),
      },
      {
        method: "GET",
        pattern: /^\/v1\/events\/([^/]+)$/,
        operation: "events.retrieve",
        handle: ({ id }) => account.retrieveEvent(id),
      },
      {
        method: "GET",
        pattern: /^\/v1\/events$/,
        operation: "events.list",
        handle: ({ params }) => account.listEvents(params),
      },
    ];
  }

  static async start(options: LocalStripeOptions = {}): Promise<LocalStripe> {
    let stripe: LocalStripe | undefined;
    const server = createServer((request, response) => {
      if (!stripe) {
        response.writeHead(503).end();
        return;
      }
      void stripe.serve(request, response);
    });
    // Only requests addressed to it, from no other page (host-guard.ts): it holds the secret key.
    guardHost(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    const address = server.address();
    if (typeof address !== "object" || address === null) {
      throw new Error("Stripe stand-in has no address");
    }
    const random = () => randomBytes(18).toString("base64url");
    const timings: LocalStripeTimings = {
      ...DEFAULT_ACCOUNT_TIMINGS,
      ...options.timings,
      webhooks: { ...DEFAULT_WEBHOOK_TIMINGS, ...options.timings?.webhooks },
    };
    stripe = new LocalStripe(
      server,
      `http://127.0.0.1:${address.port}`,
      options.secretKey ?? `sk_test_local_${random()}`,
      options.webhookSecret ?? `whsec_local_${random()}`,
      options,
      options.now ?? Date.now,
      timings,
    );
    return stripe;
  }

  get port(): number {
    return Number(new URL(this.apiBase).port);
  }

  info(): LocalStripeInfo {
    return { apiBase: this.apiBase, secretKey: this.secretKey, webhookSecret: this.webhookSecret };
  }

  /** Sends the events raised from now on to `url` (undefined: keep them only). */
  setWebhookUrl(url: string | undefined): void {
    this.webhookUrl = url;
  }

  /** Every event raised, oldest first. */
  events(): LocalStripeEvent[] {
    return this.account.allEvents();
  }

  /** Every webhook delivery and its attempts. */
  deliveries(): WebhookDelivery[] {
    return this.webhooks.list();
  }

  /**
   * What is still to happen about `paymentIntent` (or anything): changes to its refunds still to
   * come (a pending one settling, a `pm_card_refundFail` one failing, a reference), and webhook
   * deliveries not yet delivered, given up or lost.
   */
  inProgress(paymentIntent?: string): { changes: number; deliveries: number } {
    return {
      changes: this.account.changesToCome(paymentIntent),
      deliveries: this.webhooks
        .list()
        .filter(
          (delivery) =>
            delivery.state === "pending" &&
            (paymentIntent === undefined || delivery.subject === paymentIntent),
        ).length,
    };
  }

  async stop(): Promise<void> {
    this.account.stop();
    this.webhooks.stop();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private deliver(event: LocalStripeEvent): void {
    if (this.webhookUrl === undefined) return;
    // Stripe sends its events pretty-printed: a receiver must check the signature on the bytes
    // it was sent, not on JSON it parsed and wrote again.
    this.webhooks.send(
      this.webhookUrl,
      event,
      JSON.stringify(event, null, 2),
      subjectOfEvent(event),
    );
  }

  /** The PaymentIntent a call is about, when it names one (the calls the service makes all do). */
  private subjectOf(operation: string, id: string, params: FormObject): string | undefined {
    const param = (name: string) => {
      const value = params[name];
      return typeof value === "string" ? value : undefined;
    };
    switch (operation) {
      case "paymentIntents.confirm":
      case "paymentIntents.retrieve":
        return id;
      case "refunds.create":
      case "refunds.list": {
        const charge = param("charge");
        return (
          param("payment_intent") ??
          (charge === undefined ? undefined : this.account.paymentIntentOf("charge", charge))
        );
      }
      case "refunds.retrieve":
        return this.account.paymentIntentOf("refund", id);
      default:
        return undefined;
    }
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = stripeId("req", 14);
    const respond = ({ status, body, headers }: Answer) => {
      response
        .writeHead(status, {
          "content-type": "application/json",
          "request-id": requestId,
          "stripe-version": String(request.headers["stripe-version"] ?? Stripe.API_VERSION),
          ...headers,
        })
        .end(JSON.stringify(body, null, 2));
    };
    try {
      await this.answer(request, response, requestId, respond);
    } catch (error) {
      if (error instanceof StripeApiError) {
        respond({ status: error.status, body: error.toBody() });
        return;
      }
      (this.options.log ?? (() => undefined))(
        `stripe stand-in: ${request.method} ${request.url}: ${(error as Error).stack ?? String(error)}`,
      );
      respond({
        status: 500,
        body: new StripeApiError(500, "api_error", "An unknown error occurred").toBody(),
      });
    }
  }

  private async answer(
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
    respond: (answer: Answer) => void,
  ): Promise<void> {
    const key = presentedKey(request.headers.authorization);
    if (key === undefined || key === "") {
      throw new StripeApiError(
        401,
        "invalid_request_error",
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      );
    }
    if (key !== this.secretKey) {
      throw new StripeApiError(
        401,
        "invalid_request_error",
        `Invalid API Key provided: ${masked(key)}`,
      );
    }
    const url = new URL(request.url ?? "/", this.apiBase);
    const method = request.method ?? "GET";
    let id = "";
    const route = this.routes.find((candidate) => {
      if (candidate.method !== method) return false;
      const match = candidate.pattern.exec(url.pathname);
      if (match) id = decodeURIComponent(match[1] ?? "");
      return match !== null;
    });
    if (!route) {
      throw new StripeApiError(
        404,
        "invalid_request_error",
        `Unrecognized request URL (${method}: ${url.pathname}).`,
      );
    }
    const body = await readBody(request);
    if (body === undefined) {
      throw new StripeApiError(413, "invalid_request_error", "The request body is too large.");
    }
    let params: FormObject;
    try {
      params = decodeForm(method === "GET" ? url.search.slice(1) : body);
    } catch (error) {
      if (error instanceof FormError) throw invalidParameter(error.param, error.message);
      throw error;
    }

    // Faults (local/faults.ts, target `stripe`), drawn before the endpoint runs: a throttle or
    // an outage refuses the call (nothing done, nothing kept under its key); `timeout` lets it
    // run and then drops the connection unanswered, as a lost answer.
    const subject = this.subjectOf(route.operation, id, params);
    const about: DrawContext = subject === undefined ? {} : { subject };
    const fault = this.options.faults?.draw(
      "stripe",
      route.operation,
      ["throttle", "unavailable", "timeout"],
      about,
    );
    if (fault?.error === "throttle") {
      throw new StripeApiError(
        429,
        "invalid_request_error",
        "Request rate limit exceeded. (injected by local mode)",
        { code: "rate_limit" },
      );
    }
    if (fault?.error === "unavailable") {
      throw new StripeApiError(
        500,
        "api_error",
        "An unknown error occurred (injected by local mode)",
      );
    }

    const idempotencyKey =
      method === "POST" ? request.headers["idempotency-key"]?.toString() : undefined;
    const endpoint = `${method} ${url.pathname}`;
    let answer: Answer;
    if (idempotencyKey !== undefined) IdempotencyKeys.check(idempotencyKey);
    const kept =
      idempotencyKey === undefined ? undefined : this.keys.lookup(idempotencyKey, endpoint, params);
    if (kept) {
      answer = {
        status: kept.status,
        body: kept.body,
        headers: {
          "idempotent-replayed": "true",
          "original-request": kept.requestId,
          "idempotency-key": idempotencyKey ?? "",
        },
      };
    } else {
      const ran = this.run(
        route,
        id,
        params,
        { id: requestId, idempotencyKey: idempotencyKey ?? null },
        about,
      );
      answer = ran;
      if (idempotencyKey !== undefined) {
        answer.headers = { "idempotency-key": idempotencyKey };
        if (ran.kept) {
          this.keys.keep(idempotencyKey, endpoint, params, {
            status: answer.status,
            body: answer.body,
            requestId,
          });
        }
      }
    }
    if (fault?.error === "timeout") {
      // Done, and the answer is lost: the client sees the connection reset.
      response.socket?.destroy();
      return;
    }
    respond(answer);
  }

  /** Runs the endpoint; its answer, and whether an idempotency key keeps it. */
  private run(
    route: Route,
    id: string,
    params: FormObject,
    request: RequestInfo,
    about: DrawContext,
  ): Answer & { kept: boolean } {
    try {
      const body = route.handle({
        id,
        params,
        request,
        // Only a refund that is made draws a `pending` fault (a replay makes none).
        pending: () =>
          this.options.faults?.draw("stripe", route.operation, ["pending"], about)?.error ===
          "pending",
      });
      return { status: 200, body, kept: true };
    } catch (error) {
      if (!(error instanceof StripeApiError)) throw error;
      return { status: error.status, body: error.toBody(), kept: error.kept };
    }
  }
}

/** The PaymentIntent an event is about: its refund's, or the PaymentIntent itself. */
const subjectOfEvent = (event: LocalStripeEvent): string | undefined => {
  const object = event.data.object;
  if (object.object === "payment_intent") return object.id;
  return typeof object.payment_intent === "string" ? object.payment_intent : undefined;
};
