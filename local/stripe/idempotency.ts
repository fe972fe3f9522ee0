// Stripe's idempotency keys: the first answer given under a key (once the endpoint has started)
// is kept and replayed for the same request; the same key with another endpoint or other
// parameters is refused with an `idempotency_error`. Keys are forgotten after 24 hours, measured
// on the stand-in's clock, after which the key starts a new request.
import { isDeepStrictEqual } from "node:util";
import { StripeApiError } from "./errors.ts";
import type { FormObject } from "./form.ts";

export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** Stripe's limit on a key's length. */
const MAX_KEY_LENGTH = 255;

export interface KeptAnswer {
  status: number;
  body: unknown;
  /** The request that first gave it (Stripe's `request-id`, replayed). */
  requestId: string;
}

interface Entry {
  endpoint: string;
  params: FormObject;
  answer: KeptAnswer;
  at: number;
}

export class IdempotencyKeys {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number) {}

  /** Refuses a key Stripe would not take. */
  static check(key: string): void {
    if (key.length > MAX_KEY_LENGTH) {
      throw new StripeApiError(
        400,
        "invalid_request_error",
        `Idempotency keys can be at most ${MAX_KEY_LENGTH} characters long.`,
      );
    }
  }

  /**
   * The kept answer for this key, when it was first used for this request; an
   * `idempotency_error` when it was first used for another; undefined when it is new (or expired).
   */
  lookup(key: string, endpoint: string, params: FormObject): KeptAnswer | undefined {
    this.prune();
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.endpoint !== endpoint) {
      throw new StripeApiError(
        400,
        "idempotency_error",
        `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${entry.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    if (!isDeepStrictEqual(entry.params, params)) {
      throw new StripeApiError(
        400,
        "idempotency_error",
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    return entry.answer;
  }

  keep(key: string, endpoint: string, params: FormObject, answer: KeptAnswer): void {
    this.entries.set(key, { endpoint, params, answer, at: this.now() });
  }

  private prune(): void {
    const cutoff = this.now() - IDEMPOTENCY_KEY_TTL_MS;
    for (const [key, entry] of this.entries) {
      if (entry.at <= cutoff) this.entries.delete(key);
    }
  }
}
