// The one way anything changes an order: load → decide (domain) → persist (conditional write) →
// carry out the effects. HTTP handlers and workflow tasks both go through here.
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Mailer } from "../adapters/mailer.ts";
import { ConflictError, type OrderStore, type StoredOrder } from "../adapters/order-store.ts";
import type { WorkflowClient } from "../adapters/workflow-client.ts";
import { type RenderedEmail, renderEmail } from "../domain/emails.ts";
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
    const result = transition(stored.record, event, deps.now());
    if (!result.ok) throw result.error;
    try {
      const saved = await deps.store.save(stored, result.record);
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

/**
 * Carries out a committed transition's effects. The state is already saved, so a failed email or
 * signal is logged and does not undo it: the workflow reconciles by reading the record's status.
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
        case "EMAIL": {
          const to = recipients(deps, record, effect.to);
          if (to.length === 0) break;
          const email: RenderedEmail = renderEmail(
            effect.template,
            record,
            effect.requestId,
            deps.now(),
          );
          await deps.mailer.send({ to, ...email });
          break;
        }
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
