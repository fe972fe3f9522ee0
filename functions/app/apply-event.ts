// The one way anything changes an order: load → decide (domain) → persist (conditional write) →
// carry out the effects. HTTP handlers and workflow tasks both go through here.
import { randomUUID } from "node:crypto";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Mailer } from "../adapters/mailer.ts";
import {
  ConflictError,
  type OrderStore,
  type OutboxEntry,
  type StoredOrder,
} from "../adapters/order-store.ts";
import type { WorkflowClient } from "../adapters/workflow-client.ts";
import { renderEmail } from "../domain/emails.ts";
import { DomainError, type DomainEvent, type Effect } from "../domain/events.ts";
import { transition } from "../domain/transition.ts";
import type { OrderRecord } from "../domain/types.ts";

export interface AppDeps {
  store: OrderStore;
  mailer: Mailer;
  workflow: WorkflowClient;
  operatorEmails: string[];
  logger: Logger;
  now: () => string;
}

/** How often a lost race is re-decided on fresh data before giving up. */
const MAX_ATTEMPTS = 3;

export interface Applied {
  stored: StoredOrder;
  effects: Effect[];
}

/**
 * Applies one event to an order. A version conflict means someone else changed the order first:
 * the event is decided again on the fresh record (it may now be refused, which is the right answer).
 */
export const applyEvent = async (
  deps: AppDeps,
  orderId: string,
  event: DomainEvent,
): Promise<Applied> => {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.store.get(orderId);
    if (!stored) throw new DomainError("NOT_FOUND", "no such order");
    const now = deps.now();
    const result = transition(stored.record, event, now);
    if (!result.ok) throw result.error;
    // Rendered now and stored with the change itself: the outbox is sent after the write.
    const mail = outboxEntries(deps, result.record, result.effects, now);
    try {
      const saved = await deps.store.save(stored, result.record, mail);
      // Mail first: a signal wakes the workflow, whose next step sends whatever is still pending.
      await deliverMail(deps, orderId, mail);
      await carryOutEffects(deps, saved.record, result.effects);
      return { stored: saved, effects: result.effects };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw error;
    }
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

/** The transition's emails, rendered in the order's locale, as outbox entries. */
const outboxEntries = (
  deps: AppDeps,
  record: OrderRecord,
  effects: readonly Effect[],
  now: string,
): OutboxEntry[] =>
  effects.flatMap((effect, index) => {
    if (effect.kind !== "EMAIL") return [];
    const to = recipients(deps, record, effect.to);
    if (to.length === 0) return [];
    const { subject, text, html } = renderEmail(effect.template, record, effect.requestId, now);
    // Sortable ids: the outbox is sent in the order the mail was written.
    const id = `${now}.${String(index).padStart(2, "0")}.${randomUUID().slice(0, 8)}`;
    return [{ id, mail: { to, subject, text, html } }];
  });

/**
 * Sends outbox mail and removes each sent entry. A failure leaves the entry for the next flush
 * (the workflow flushes the order's outbox at every step), so mail is sent at least once.
 */
export const deliverMail = async (
  deps: AppDeps,
  orderId: string,
  entries: readonly OutboxEntry[],
): Promise<void> => {
  for (const entry of entries) {
    try {
      await deps.mailer.send(entry.mail);
      await deps.store.removeMail(orderId, entry.id);
    } catch (error) {
      deps.logger.error("mail not sent yet; it stays in the outbox", {
        orderId,
        mailId: entry.id,
        error: error as Error,
      });
    }
  }
};

/** Sends whatever an earlier change left in the order's outbox. */
export const flushOutbox = async (deps: AppDeps, orderId: string): Promise<void> => {
  await deliverMail(deps, orderId, await deps.store.pendingMail(orderId));
};

/**
 * Carries out a committed transition's signals: starting the workflow, ending or cancelling its
 * wait (emails go through the outbox). The state is already saved, so a failed signal is logged
 * and does not undo it: the workflow reconciles by reading the record's status.
 */
export const carryOutEffects = async (
  deps: AppDeps,
  record: OrderRecord,
  effects: readonly Effect[],
): Promise<void> => {
  const { orderId } = record.order;
  for (const effect of effects) {
    try {
      switch (effect.kind) {
        case "EMAIL":
          break;
        case "START_WORKFLOW":
          await deps.workflow.start({ orderId, requestId: effect.requestId });
          break;
        case "END_WAIT":
        case "CANCEL_WAIT": {
          const token = await deps.store.getTaskToken(orderId, effect.requestId);
          if (!token) break;
          if (effect.kind === "END_WAIT") {
            await deps.workflow.succeed(token, { outcome: effect.outcome });
          } else {
            await deps.workflow.fail(
              token,
              effect.error,
              `request ${effect.requestId}: ${effect.error}`,
            );
          }
          await deps.store.clearTaskToken(orderId, effect.requestId, token);
          break;
        }
      }
    } catch (error) {
      // Starting the workflow must not be swallowed: the caller answers 202 only once it has begun.
      if (effect.kind === "START_WORKFLOW") throw error;
      deps.logger.error("effect failed", { orderId, effect: effect.kind, error: error as Error });
    }
  }
};
