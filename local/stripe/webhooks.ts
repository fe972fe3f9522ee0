// Stripe's webhook deliveries: each event POSTed as JSON to the endpoint with a `Stripe-Signature`
// header (`t=<unix seconds>,v1=<HMAC-SHA256 of "<t>.<body>" under the endpoint's secret>`, what
// the SDK's `webhooks.constructEvent` checks), signed anew at each attempt, and sent again with a
// growing wait while the endpoint does not answer 2xx, a bounded number of times. Faults of
// target `stripe` naming operation `webhook` (local/faults.ts) lose a delivery, lose the
// endpoint's answer (the event is sent again) or hold a delivery back (sent late).
import { createHmac } from "node:crypto";
import {
  type DrawContext,
  type Fault,
  type FaultErrorKind,
  STRIPE_WEBHOOK_OPERATION,
} from "../faults.ts";

/** The `Stripe-Signature` header for `payload` signed at `timestamp` (seconds). */
export const signatureHeader = (payload: string, secret: string, timestamp: number): string => {
  const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`).digest("hex");
  return `t=${timestamp},v1=${signature}`;
};

export interface WebhookTimings {
  /** Attempts per event, the first included. */
  attempts: number;
  /** The wait before the first redelivery; each next one doubles, up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
  /** How long an attempt waits for the endpoint's answer. */
  timeoutMs: number;
  /** How long a `throttle` fault holds an attempt back. */
  lateMs: number;
}

/** Stripe retries for days; locally a minute at most, so a stopped service is soon given up. */
export const DEFAULT_WEBHOOK_TIMINGS: WebhookTimings = {
  attempts: 6,
  retryMs: 1000,
  maxRetryMs: 16_000,
  timeoutMs: 10_000,
  lateMs: 5000,
};

export interface DeliveryAttempt {
  at: string;
  /** The endpoint's HTTP status, or why there was none. */
  status?: number;
  /** Why the attempt counts as failed: no answer, or a fault (then `status` may be there too). */
  error?: string;
}

export interface WebhookDelivery {
  eventId: string;
  type: string;
  url: string;
  /** What the event is about (its object's PaymentIntent), when it names one. */
  subject?: string;
  attempts: DeliveryAttempt[];
  /** `lost`: a fault dropped it, never to be sent again. */
  state: "pending" | "delivered" | "failed" | "lost";
  /** Attempts a fault held back (each sent `lateMs` later). */
  held: number;
}

interface Event {
  id: string;
  type: string;
}

/** The faults deliveries draw (local mode's injector, or the chaos harness's). */
export interface WebhookFaults {
  draw(
    target: "stripe",
    operation: string,
    errors: readonly FaultErrorKind[],
    context: DrawContext,
  ): Fault | undefined;
}

const INJECTED = "(injected by local mode)";

export class WebhookSender {
  private readonly deliveries: WebhookDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborts = new Set<AbortController>();
  private stopped = false;

  constructor(
    private readonly options: {
      secret: string;
      timings: WebhookTimings;
      /** The stand-in's clock, in milliseconds: signatures carry its time. */
      now: () => number;
      log: (line: string) => void;
      faults?: WebhookFaults;
    },
  ) {}

  /**
   * Starts delivering `event` (already serialized as `payload`) to `url`, in the background;
   * `subject` (its PaymentIntent) is what its fault draws are about.
   */
  send(url: string, event: Event, payload: string, subject?: string): void {
    const delivery: WebhookDelivery = {
      eventId: event.id,
      type: event.type,
      url,
      ...(subject === undefined ? {} : { subject }),
      attempts: [],
      state: "pending",
      held: 0,
    };
    this.deliveries.push(delivery);
    this.schedule(() => this.attempt(delivery, payload), 0);
  }

  list(): WebhookDelivery[] {
    return this.deliveries.map((delivery) => ({
      ...delivery,
      attempts: delivery.attempts.map((attempt) => ({ ...attempt })),
    }));
  }

  /** Deliveries still to be attempted, or in flight. */
  pending(): number {
    return this.deliveries.filter((delivery) => delivery.state === "pending").length;
  }

  /** Cancels every wait and attempt in flight. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const abort of this.aborts) abort.abort();
  }

  private schedule(run: () => Promise<void>, ms: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(delivery: WebhookDelivery, payload: string): Promise<void> {
    const { secret, timings, now, log, faults } = this.options;
    const fault = faults?.draw(
      "stripe",
      STRIPE_WEBHOOK_OPERATION,
      ["throttle", "unavailable", "timeout"],
      { namedOnly: true, ...(delivery.subject === undefined ? {} : { subject: delivery.subject }) },
    );
    if (fault?.error === "unavailable") {
      // Lost on the way: the endpoint never sees it, and nothing sends it again.
      delivery.attempts.push({ at: new Date(now()).toISOString(), error: `lost ${INJECTED}` });
      delivery.state = "lost";
      return;
    }
    if (fault?.error === "throttle") {
      delivery.held += 1;
      this.schedule(() => this.attempt(delivery, payload), timings.lateMs);
      return;
    }
    const abort = new AbortController();
    this.aborts.add(abort);
    const timeout = setTimeout(() => abort.abort(), timings.timeoutMs);
    const attempt: DeliveryAttempt = { at: new Date(now()).toISOString() };
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "Stripe/1.0 (local stand-in)",
          "stripe-signature": signatureHeader(payload, secret, Math.floor(now() / 1000)),
        },
        body: payload,
        signal: abort.signal,
      });
      // The body is not read; free the connection.
      await response.body?.cancel();
      attempt.status = response.status;
    } catch (error) {
      attempt.error = abort.signal.aborted ? "no answer in time" : (error as Error).message;
    } finally {
      clearTimeout(timeout);
      this.aborts.delete(abort);
    }
    if (this.stopped) return;
    // The endpoint took it, and its answer was lost: to the sender, a failed attempt.
    if (fault?.error === "timeout" && attempt.error === undefined) {
      attempt.error = `answer lost ${INJECTED}`;
    }
    delivery.attempts.push(attempt);
    if (
      attempt.error === undefined &&
      attempt.status !== undefined &&
      attempt.status >= 200 &&
      attempt.status < 300
    ) {
      delivery.state = "delivered";
      return;
    }
    const made = delivery.attempts.length;
    if (made >= timings.attempts) {
      delivery.state = "failed";
      // One line per event, when it is given up: a service without the route stays readable.
      log(
        `stripe stand-in: ${delivery.type} ${delivery.eventId} not delivered to ${delivery.url} after ${made} attempts (last: ${attempt.error ?? attempt.status})`,
      );
      return;
    }
    const wait = Math.min(timings.retryMs * 2 ** (made - 1), timings.maxRetryMs);
    this.schedule(() => this.attempt(delivery, payload), wait);
  }
}
