// Delivers outbox entries: each is claimed (a conditional write) so concurrent flushes never
// deliver it twice, then its events are published and it is mailed or signalled, then deleted. A
// failure gives the claim back for a later try; mail that keeps failing is given up after
// MAIL_MAX_ATTEMPTS, counted and alerted.
import { randomBytes, randomUUID } from "node:crypto";
import type { OutboxEntry, StoredOutboxEntry } from "../adapters/order-store.ts";
import { renderEmail } from "../domain/emails.ts";
import type { AppDeps } from "./apply-event.ts";

/** Tries of one mail before it is given up (the reconciler tries every few minutes). */
export const MAIL_MAX_ATTEMPTS = 5;
/** How long a claim keeps others off an entry: well past one SES or SFN call with its retries. */
export const CLAIM_SECONDS = 60;

export interface DeliveryReport {
  delivered: string[];
  failed: string[];
}

/** A deliverer's name on its claims: 72 random bits, short (it is stored on each claimed item). */
export const claimOwner = (): string => randomBytes(9).toString("base64url");

/** An error's name only: messages of SES and SFN errors may quote addresses or tokens. */
const errorName = (error: unknown): string =>
  error instanceof Error ? error.name : "UnknownError";

/** Ends the request's current wait, if the workflow is in one; a stale token is not an error. */
const signal = async (deps: AppDeps, orderId: string, entry: StoredOutboxEntry) => {
  if (entry.kind !== "SIGNAL") return;
  const token = await deps.store.getTaskToken(orderId, entry.requestId);
  // No token: the workflow is not waiting, and its next wait's token write sees the new status.
  if (!token) return;
  if ("outcome" in entry.signal) {
    await deps.workflow.succeed(token, { outcome: entry.signal.outcome });
  } else {
    const { error } = entry.signal;
    await deps.workflow.fail(token, error, `request ${entry.requestId}: ${error}`);
  }
  await deps.store.clearTaskToken(orderId, entry.requestId, token);
};

/** The alert telling operators that a mail was given up (never about their own alerts: no loop). */
const operatorAlert = async (
  deps: AppDeps,
  entry: StoredOutboxEntry,
  now: string,
): Promise<OutboxEntry | undefined> => {
  if (entry.kind !== "MAIL" || deps.operatorEmails.length === 0) return undefined;
  if (entry.mail.to.every((address) => deps.operatorEmails.includes(address))) return undefined;
  const stored = await deps.store.get(entry.orderId);
  if (!stored || !Object.hasOwn(stored.record.requests, entry.requestId)) return undefined;
  const mail = renderEmail("OPERATOR_MAIL_FAILED", stored.record, entry.requestId, now);
  return {
    id: `${now}.mf.${randomUUID().slice(0, 8)}`,
    requestId: entry.requestId,
    kind: "MAIL",
    mail: { to: deps.operatorEmails, ...mail },
  };
};

/** Gives the entry up and queues its alert in one write: neither is ever saved without the other. */
const giveUp = async (deps: AppDeps, entry: StoredOutboxEntry, owner: string, error: string) => {
  const now = deps.now();
  const alert = await operatorAlert(deps, entry, now);
  if (!(await deps.store.failOutbox(entry.orderId, entry.id, owner, error, now, alert))) return;
  deps.count?.("MailFailed");
  deps.logger.error("mail given up after repeated failures", {
    orderId: entry.orderId,
    requestId: entry.requestId,
    outboxId: entry.id,
    attempts: entry.attempts,
    error,
  });
};

/** Delivers the given entries of one order, in order. Never throws: leftovers wait for a retry. */
export const deliverOutbox = async (
  deps: AppDeps,
  orderId: string,
  entries: readonly { id: string }[],
): Promise<DeliveryReport> => {
  const report: DeliveryReport = { delivered: [], failed: [] };
  const owner = claimOwner();
  for (const { id } of entries) {
    let claimed: StoredOutboxEntry | undefined;
    try {
      claimed = await deps.store.claimOutbox(orderId, id, owner, deps.now(), CLAIM_SECONDS);
    } catch (caught) {
      report.failed.push(id);
      deps.logger.warn("outbox entry not claimed", {
        orderId,
        outboxId: id,
        error: errorName(caught),
      });
      continue;
    }
    if (claimed) await deliverOne(deps, orderId, owner, claimed, report);
  }
  return report;
};

/**
 * Delivers entries that `owner` claimed when it wrote them (save with an OutboxClaim), in order,
 * without claiming them again. Never throws: leftovers wait for a retry.
 */
export const deliverClaimed = async (
  deps: AppDeps,
  orderId: string,
  owner: string,
  entries: readonly StoredOutboxEntry[],
): Promise<DeliveryReport> => {
  const report: DeliveryReport = { delivered: [], failed: [] };
  for (const entry of entries) await deliverOne(deps, orderId, owner, entry, report);
  return report;
};

/**
 * Publishes one claimed entry's events, sends or signals it, then deletes it. Its own mail or
 * signal goes out even when EventBridge refuses the events: the entry then keeps only them, for a
 * later try. A failed mail or signal releases the entry (its events, if they went out, may go out
 * again: consumers drop repeats by eventId), or gives a mail up after MAIL_MAX_ATTEMPTS.
 */
const deliverOne = async (
  deps: AppDeps,
  orderId: string,
  owner: string,
  claimed: StoredOutboxEntry,
  report: DeliveryReport,
): Promise<void> => {
  const { id } = claimed;
  const context = { orderId, outboxId: id, kind: claimed.kind, attempts: claimed.attempts };
  let eventsError: string | undefined;
  try {
    if (claimed.events?.length) await deps.events.publish(claimed.events);
  } catch (caught) {
    eventsError = errorName(caught);
    deps.count?.("EventsNotPublished");
    deps.logger.warn("events not published yet", { ...context, error: eventsError });
  }
  try {
    if (claimed.kind === "MAIL") await deps.mailer.send(claimed.mail);
    else if (claimed.kind === "SIGNAL") await signal(deps, orderId, claimed);
  } catch (caught) {
    report.failed.push(id);
    const error = errorName(caught);
    deps.logger.warn("outbox entry not delivered yet", { ...context, error });
    await settle(deps, orderId, async () => {
      // A mail that keeps failing is given up, but never with events it still has to publish.
      if (claimed.kind === "MAIL" && !eventsError && claimed.attempts >= MAIL_MAX_ATTEMPTS) {
        await giveUp(deps, claimed, owner, error);
      } else {
        await deps.store.releaseOutbox(orderId, id, owner, error);
      }
    });
    return;
  }
  if (eventsError) {
    report.failed.push(id);
    await settle(deps, orderId, () => deps.store.keepOutboxEvents(orderId, id, owner, eventsError));
    return;
  }
  try {
    await deps.store.completeOutbox(orderId, id, owner);
    report.delivered.push(id);
  } catch (caught) {
    // Delivered, not yet deleted: the claim runs out and a later try repeats it, as after a
    // lost answer.
    report.failed.push(id);
    deps.logger.warn("outbox entry delivered, not deleted", {
      ...context,
      error: errorName(caught),
    });
  }
};

/** Releases, keeps or gives up a claim; if that write fails, the claim simply runs out. */
const settle = async (deps: AppDeps, orderId: string, write: () => Promise<unknown>) => {
  try {
    await write();
  } catch (releaseError) {
    // The reconciler tries again after the claim runs out.
    deps.logger.warn("outbox claim not released", { orderId, error: errorName(releaseError) });
  }
};
