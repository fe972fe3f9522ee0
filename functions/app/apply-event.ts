// The one way anything changes an order: load → decide (domain) → persist the change and its
// effects in one conditional write → deliver the effects. HTTP handlers and workflow tasks both
// go through here.
import { randomUUID } from "node:crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { EventPublisher } from "../adapters/event-publisher.ts";
import type { Mailer } from "../adapters/mailer.ts";
import {
  ConflictError,
  type OrderStore,
  type OutboxEntry,
  type StoredOrder,
} from "../adapters/order-store.ts";
import type { PaymentGateway } from "../adapters/payment-gateway.ts";
import type { WorkflowClient } from "../adapters/workflow-client.ts";
import { renderEmail } from "../domain/emails.ts";
import { DomainError, type DomainEvent, type Effect } from "../domain/events.ts";
import { type TimelineEvent, timelineEvents } from "../domain/published-events.ts";
import { alreadyApplied } from "../domain/replays.ts";
import { addSeconds } from "../domain/requests.ts";
import { transition } from "../domain/transition.ts";
import type { OrderRecord } from "../domain/types.ts";
import { changeMeasurements, type Measurement } from "./change-metrics.ts";
import { CLAIM_SECONDS, claimOwner, deliverClaimed } from "./outbox.ts";
import type { CountMetric } from "./powertools.ts";

export interface AppDeps {
  store: OrderStore;
  mailer: Mailer;
  workflow: WorkflowClient;
  /** Where a change's domain events go (the EventBridge bus in AWS). */
  events: EventPublisher;
  /** The payment provider, for the functions that refund or must ask about a refund. */
  gateway?: PaymentGateway;
  operatorEmails: string[];
  logger: Logger;
  now: () => string;
  /** Business metrics (Powertools EMF in Lambda); tests may leave it out. */
  count?: (name: CountMetric) => void;
  /** Several metrics in one EMF line (a change's statuses and durations, the reconciler's gauges). */
  measure?: (measurements: readonly Measurement[]) => void;
  /** The correlation id of the call under way (the API request's), passed to the workflow it starts. */
  correlationId?: () => string | undefined;
}

/** How often a lost race is re-decided on fresh data before giving up. */
const MAX_ATTEMPTS = 3;

export interface Applied {
  stored: StoredOrder;
  effects: Effect[];
  /** True when the event had already taken effect (a retry whose first answer was lost). */
  replayed: boolean;
}

/** An event, or how to make it from the freshly loaded record (e.g. after asking the provider). */
export type EventSource =
  | DomainEvent
  | ((record: OrderRecord, now: string) => DomainEvent | Promise<DomainEvent>);

/**
 * Automatic events that follow from a record (the workflow's own steps), decided one after another
 * on the result of the last and saved in the same write; undefined when none follows.
 */
export type FollowUp = (record: OrderRecord, now: string) => DomainEvent | undefined;

/** More follow-ups than any request has: a run that gets here is a bug, not a workflow. */
const MAX_FOLLOW_UPS = 8;

/**
 * Applies one event to an order, and the follow-ups `follow` decides on its result, in one
 * conditional write with all their effects. A version conflict means someone else changed the
 * order first: the events are decided again on the fresh record (the event may now be refused,
 * which is the right answer, unless the refused event is the caller's own earlier attempt, saved
 * already). Without an event, only the follow-ups are applied, and nothing is written when none
 * follows.
 */
export const applyEvent = async (
  deps: AppDeps,
  orderId: string,
  source: EventSource | undefined,
  /** The order as the caller just read it, to decide on without reading it again. */
  loaded?: StoredOrder,
  follow?: FollowUp,
): Promise<Applied> => {
  for (let attempt = 1; ; attempt++) {
    const stored = attempt === 1 && loaded ? loaded : await deps.store.get(orderId);
    if (!stored) throw new DomainError("NOT_FOUND", "no such order");
    const now = deps.now();
    let record = stored.record;
    const effects: Effect[] = [];
    const events: TimelineEvent[] = [];
    if (source !== undefined) {
      const event = typeof source === "function" ? await source(record, now) : source;
      const result = transition(record, event, now);
      if (!result.ok) {
        if (alreadyApplied(record, event)) return { stored, effects: [], replayed: true };
        throw result.error;
      }
      events.push(...timelineEvents(record, result.record));
      record = result.record;
      effects.push(...result.effects);
    }
    for (let count = 0; follow; count++) {
      const event = follow(record, now);
      if (event === undefined) break;
      if (count === MAX_FOLLOW_UPS) throw new Error(`more than ${MAX_FOLLOW_UPS} follow-ups`);
      const result = transition(record, event, now);
      // Decided on the record it follows, it applies; if not, what was decided so far is saved.
      if (!result.ok) break;
      events.push(...timelineEvents(record, result.record));
      record = result.record;
      effects.push(...result.effects);
    }
    if (record === stored.record) return { stored, effects: [], replayed: false };
    // Rendered now and saved with the change itself: the change and its effects stand together,
    // the entries claimed by this writer, who delivers them next.
    // Events wait on the order item when nothing else leaves with them (see outboxEntries).
    const allEvents = [...(stored.heldEvents ?? []), ...events];
    const outbox = outboxEntries(deps, record, effects, allEvents, now);
    const carried = outbox.some((entry) => entry.events);
    const held = carried ? (stored.heldEvents ? [] : undefined) : allEvents;
    const claim = { owner: claimOwner(), until: addSeconds(now, CLAIM_SECONDS) };
    let saved: StoredOrder;
    try {
      saved = await deps.store.save(stored, record, outbox, now, claim, held);
    } catch (error) {
      if (error instanceof ConflictError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
    measureChange(deps, stored.record, record);
    // Best effort now; whatever fails here stays in the outbox for the reconciler.
    const claimed = outbox.map((entry) => ({ ...entry, orderId, createdAt: now, attempts: 1 }));
    await deliverClaimed(deps, orderId, claim.owner, claimed);
    for (const effect of effects) {
      // The caller answers 202 only once the workflow has begun: a failed start is thrown.
      if (effect.kind === "START_WORKFLOW") {
        const { requestId } = effect;
        await deps.workflow.start({ orderId, requestId, ...correlationOf(deps, requestId) });
      }
    }
    return { stored: saved, effects, replayed: false };
  }
};

/** The call's correlation id for a workflow input; the request id when the call has none. */
export const correlationOf = (deps: AppDeps, requestId: string): { correlationId: string } => ({
  correlationId: deps.correlationId?.() ?? requestId,
});

/** Counts the statuses the change entered and its durations (one EMF line); never fails a change. */
const measureChange = (deps: AppDeps, before: OrderRecord, after: OrderRecord): void => {
  if (!deps.measure) return;
  try {
    deps.measure(changeMeasurements(before, after));
  } catch (error) {
    deps.logger.warn("metrics not published", { error: (error as Error).name });
  }
};

/**
 * Applies an event the workflow raised (and its follow-ups), if it still applies: someone may have
 * got there first (a decision beat the timer, the buyer withdrew, the parcel arrived). Undefined
 * then: the record says what comes next. A refund call that may still land is not that, and is
 * thrown.
 */
export const applyIfStill = async (
  deps: AppDeps,
  orderId: string,
  source: EventSource | undefined,
  loaded?: StoredOrder,
  follow?: FollowUp,
): Promise<StoredOrder | undefined> => {
  try {
    return (await applyEvent(deps, orderId, source, loaded, follow)).stored;
  } catch (error) {
    if (!(error instanceof DomainError) || error.code === "REFUND_IN_FLIGHT") throw error;
    deps.logger.info("step no longer applies", { code: error.code });
    return undefined;
  }
};

const recipients = (deps: AppDeps, record: OrderRecord, to: "BUYER" | "SELLER" | "OPERATORS") => {
  switch (to) {
    case "BUYER":
      return [record.order.buyerEmail];
    case "SELLER":
      return [record.order.sellerEmail];
    case "OPERATORS":
      return deps.operatorEmails;
  }
};

/** Sortable ids: entries are delivered in the order they were written. */
export const outboxId = (now: string, index: number): string =>
  `${now}.${String(index).padStart(2, "0")}.${randomUUID().slice(0, 8)}`;

/**
 * The change's mail (rendered in the order's locale), signals and domain events, as outbox
 * entries. The events ride on the change's smallest mail or signal, which publishes them just
 * before it goes out. A change with neither (a buyer's request: its one effect, the workflow's start, is
 * the caller's) has no entry to carry them: the caller holds them on the order item, in the same
 * write, and the request's next change carries them (its workflow's first step always mails).
 */
export const outboxEntries = (
  deps: AppDeps,
  record: OrderRecord,
  effects: readonly Effect[],
  events: readonly TimelineEvent[],
  now: string,
): OutboxEntry[] => {
  const entries = effects.flatMap((effect, index): OutboxEntry[] => {
    const id = outboxId(now, index);
    const { requestId } = effect;
    if (effect.kind === "EMAIL") {
      const to = recipients(deps, record, effect.to);
      if (to.length === 0) return [];
      const { subject, text, html } = renderEmail(effect.template, record, requestId, now);
      return [{ id, requestId, kind: "MAIL", mail: { to, subject, text, html } }];
    }
    if (effect.kind === "END_WAIT") {
      return [{ id, requestId, kind: "SIGNAL", signal: { outcome: effect.outcome } }];
    }
    if (effect.kind === "CANCEL_WAIT") {
      return [{ id, requestId, kind: "SIGNAL", signal: { error: effect.error } }];
    }
    // START_WORKFLOW is carried out by the caller itself, before it answers.
    return [];
  });
  const carrier = entries.reduce<OutboxEntry | undefined>(
    (smallest, entry) => (smallest && weight(smallest) <= weight(entry) ? smallest : entry),
    undefined,
  );
  if (carrier && events.length > 0) carrier.events = [...events];
  return entries;
};

/** About how big an entry's item is: the events ride on the smallest, to stay within 1 KB. */
const weight = (entry: OutboxEntry): number =>
  entry.kind === "MAIL" ? entry.mail.subject.length + entry.mail.text.length : 0;
