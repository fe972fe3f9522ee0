// Delivers outbox entries: each is claimed (a conditional write) so concurrent flushes never
// deliver it twice, then its events published and it mailed or signalled, then deleted. A failure gives the claim back for a
// later try; mail that keeps failing is given up after MAIL_MAX_ATTEMPTS, counted and alerted.
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

/** Sends or signals one claimed entry, then deletes it; a failure releases or gives it up. */
const deliverOne = async (
  deps: AppDeps,
  orderId: string,
  owner: string,
  claimed: StoredOutboxEntry,
  report: DeliveryReport,
): Promise<void> => {
  const { id } = claimed;
  let published = false;
  try {
    // Events first (outboxEntries): a mail is never sent twice, only its events may be repeated.
    if (claimed.events?.length) await deps.events.publish(claimed.events);
    published = true;
    if (claimed.kind === "MAIL") await deps.mailer.send(claimed.mail);
    else await signal(deps, orderId, claimed);
    await deps.store.completeOutbox(orderId, id, owner);
    report.delivered.push(id);
  } catch (caught) {
    report.failed.push(id);
    const error = errorName(caught);
    if (!published) deps.count?.("EventsNotPublished");
    deps.logger.warn("outbox entry not delivered yet", {
      orderId,
      outboxId: id,
      kind: claimed.kind,
      attempts: claimed.attempts,
      error,
    });
    try {
      // Only a mail that keeps failing is given up: events are retried until they are published.
      if (claimed.kind === "MAIL" && published && claimed.attempts >= MAIL_MAX_ATTEMPTS) {
        await giveUp(deps, claimed, owner, error);
      } else {
        await deps.store.releaseOutbox(orderId, id, owner, error);
      }
    } catch (releaseError) {
      // The claim then simply runs out; the reconciler tries again after it.
      deps.logger.warn("outbox claim not released", { orderId, error: errorName(releaseError) });
    }
  }
};
