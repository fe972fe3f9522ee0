// The one way people and systems change an order: load → decide (the domain) → one conditional
// write → wake the workflow execution waiting on a request the change moved. Nothing else: what
// the change causes (mail, domain events, business metrics) is sent by the workflow once it wakes
// (segment.ts).
import { DomainError, type DomainEvent } from "../domain/events.ts";
import { alreadyApplied } from "../domain/replays.ts";
import { transition } from "../domain/transition.ts";
import type { OrderRecord } from "../domain/types.ts";
import { needsWakeUp } from "../domain/workflow-plan.ts";
import { ConflictError } from "./errors.ts";
import type { Clock, Log, Orders, StoredOrder, WorkflowSignals } from "./ports.ts";

export interface ChangeDeps {
  orders: Orders;
  signals: WorkflowSignals;
  clock: Clock;
  log: Log;
}

/** An event, or how to make it from the freshly loaded record (e.g. after asking the provider). */
export type EventSource =
  | DomainEvent
  | ((record: OrderRecord, now: string) => DomainEvent | Promise<DomainEvent>);

export interface Changed {
  stored: StoredOrder;
  /** True when the event had already taken effect (a retry whose first answer was lost). */
  replayed: boolean;
}

/** For changes that can move no request (nothing can wait on them): wakes nothing. */
export const NO_WAKE_UP: WorkflowSignals = { wake: async () => false };

/** How often a lost race is decided again on fresh data before giving up. */
const MAX_ATTEMPTS = 3;

/**
 * Applies one event to an order in one conditional write. A version conflict means someone else
 * changed the order first: the event is decided again on the fresh record (it may now be refused,
 * which is the right answer, unless the refused event is this caller's own earlier attempt, saved
 * already: then it is a replay).
 */
export const changeOrder = async (
  deps: ChangeDeps,
  orderId: string,
  source: EventSource,
  /** The order as the caller just read it, to decide on without reading it again. */
  loaded?: StoredOrder,
): Promise<Changed> => {
  for (let attempt = 1; ; attempt++) {
    const stored = attempt === 1 && loaded ? loaded : await deps.orders.get(orderId);
    if (!stored) throw new DomainError("NOT_FOUND", "no such order");
    const now = deps.clock.now();
    const event = typeof source === "function" ? await source(stored.record, now) : source;
    const result = transition(stored.record, event, now);
    if (!result.ok) {
      // Bad input is refused as such, even where the intent it carries is already on record.
      const invalid = result.error.code === "VALIDATION_FAILED";
      if (invalid || !alreadyApplied(stored.record, event)) throw result.error;
      // The first attempt's wake-up may be what got lost: waking again is harmless.
      await wakeWaiting(deps, stored);
      return { stored, replayed: true };
    }
    let saved: StoredOrder;
    try {
      saved = await deps.orders.save(stored, result.record);
    } catch (error) {
      if (error instanceof ConflictError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
    await wakeWaiting(deps, saved);
    return { stored: saved, replayed: false };
  }
};

/**
 * Wakes every execution waiting on a request whose status moved on since its wait began, with the
 * waits as the write found them (so a wait that began just before the write is woken, and one
 * that begins after it sees the new status itself). Best effort: the change stands either way,
 * and the reconciler wakes what this could not (it counts those wake-ups).
 */
export const wakeWaiting = async (
  deps: Pick<ChangeDeps, "signals" | "log">,
  stored: StoredOrder,
): Promise<void> => {
  for (const [requestId, wait] of Object.entries(stored.waits)) {
    if (!needsWakeUp(stored.record, requestId, wait.status)) continue;
    const status = stored.record.requests[requestId]?.status ?? wait.status;
    try {
      await deps.signals.wake(wait.token, { status });
    } catch (error) {
      deps.log.warn("workflow not woken; the reconciler will", {
        requestId,
        error: (error as Error).name,
      });
    }
  }
};
