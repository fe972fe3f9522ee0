// Sends what an order's stored state says must go out and has not (notices.ts): each request's
// domain events (with the business metrics of their entries), then its mail, rendered here in the
// order's locale. Answers the marks to save;
// the caller saves them with its next write. Used by the workflow's segment (right after each
// change) and by the reconciler (what a failure left behind).
import { entryMeasurements } from "../domain/change-metrics.ts";
import {
  type DueMail,
  dueEvents,
  dueMail,
  dueOrderMail,
  MAIL_MAX_TRIES,
  type NoticeMark,
  orderEventsOf,
  type Recipient,
} from "../domain/notices.ts";
import type { TimelineEvent } from "../domain/published-events.ts";
import type { CancellationRequest, OrderRecord } from "../domain/types.ts";
import { ASKS_SELLER_TO_DECIDE, renderEmail } from "../notifications/render.ts";
import { type LinkMinting, sellerMailLinks } from "./decision-links.ts";
import type { Clock, EventPublisher, Log, Mailer, Metrics } from "./ports.ts";

export interface NoticeDeps {
  mailer: Mailer;
  events: EventPublisher;
  clock: Clock;
  log: Log;
  metrics: Metrics;
  /** Operators' alert addresses (none configured: their mail is marked sent without sending). */
  operatorEmails: readonly string[];
  /**
   * Where the seller's decision links are minted and what their addresses start with: the mail
   * asking the seller to decide carries them (or the console's address). Absent: neither.
   */
  decisionLinks?: Omit<LinkMinting, "clock">;
}

/** An error's name only: messages of SES and EventBridge errors may quote addresses. */
const errorName = (error: unknown): string =>
  error instanceof Error ? error.name : "UnknownError";

const recipients = (deps: NoticeDeps, record: OrderRecord, to: Recipient): string[] => {
  switch (to) {
    case "BUYER":
      return [record.order.buyerEmail];
    case "SELLER":
      return [record.order.sellerEmail];
    case "OPERATORS":
      return [...deps.operatorEmails];
  }
};

export interface SendOptions {
  /** Only these requests' (the segment sends its own request's: another's is not its to send). */
  requestIds?: readonly string[];
  /**
   * What this caller already tried and failed (`<requestId>/<mail key>`, `<requestId>/events`):
   * each is tried at most once per caller, so a failing one never holds a segment back.
   */
  tried?: Set<string>;
}

/**
 * Publishes each request's unpublished events and sends its due mail. Never throws: a failure is
 * a mark (a mail's failed try; events stay unpublished) and a warning, retried later.
 */
export const sendDueNotices = async (
  deps: NoticeDeps,
  record: OrderRecord,
  options: SendOptions = {},
): Promise<NoticeMark[]> => {
  const marks: NoticeMark[] = [];
  const tried = options.tried;
  for (const request of Object.values(record.requests)) {
    const { requestId } = request;
    if (options.requestIds && !options.requestIds.includes(requestId)) continue;
    // Events first: integrators hear of a change no later than the people it concerns.
    const events = dueEvents(request);
    const eventsKey = `${requestId}/events`;
    if (events.length > 0 && !tried?.has(eventsKey)) {
      if (await publish(deps, request, events)) {
        marks.push({ kind: "PUBLISHED", requestId, through: request.timeline.length });
      } else {
        tried?.add(eventsKey);
      }
    }
    marks.push(...(await sendEach(deps, record, dueMail(request), tried)));
  }
  // The order's own (its parcel): each entry's by the execution of the request it belongs to.
  const senders = options.requestIds ?? Object.keys(record.requests);
  for (const requestId of senders) {
    const { events, through } = orderEventsOf(record, requestId);
    if (events.length > 0 && !tried?.has("order/events")) {
      if (await publishOrderEvents(deps, record.order.orderId, events)) {
        marks.push({ kind: "ORDER_PUBLISHED", through });
      } else {
        tried?.add("order/events");
      }
    }
  }
  const orderMail = dueOrderMail(record).filter((mail) => senders.includes(mail.requestId));
  marks.push(...(await sendEach(deps, record, orderMail, tried)));
  return marks;
};

/** Sends each due mail this caller has not tried yet; answers their marks. */
const sendEach = async (
  deps: NoticeDeps,
  record: OrderRecord,
  due: readonly DueMail[],
  tried: Set<string> | undefined,
): Promise<NoticeMark[]> => {
  const marks: NoticeMark[] = [];
  for (const mail of due) {
    const key = `${mail.requestId}/${mail.key}`;
    if (tried?.has(key)) continue;
    tried?.add(key);
    marks.push(await sendMail(deps, record, mail));
  }
  return marks;
};

/** Publishes the order's due parcel events; false when refused (they stay due). */
const publishOrderEvents = async (
  deps: NoticeDeps,
  orderId: string,
  events: readonly TimelineEvent[],
): Promise<boolean> => {
  try {
    await deps.events.publish(events);
    return true;
  } catch (error) {
    deps.metrics.count("EventsNotPublished");
    deps.log.warn("events not published yet", { orderId, error: errorName(error) });
    return false;
  }
};

/** Publishes a request's due events, then their entries' business metrics; false when refused. */
const publish = async (
  deps: NoticeDeps,
  request: CancellationRequest,
  events: readonly TimelineEvent[],
): Promise<boolean> => {
  try {
    await deps.events.publish(events);
  } catch (error) {
    deps.metrics.count("EventsNotPublished");
    deps.log.warn("events not published yet", {
      requestId: request.requestId,
      error: errorName(error),
    });
    return false;
  }
  try {
    deps.metrics.measure(entryMeasurements(request, request.timeline.length - events.length));
  } catch (error) {
    deps.log.warn("metrics not published", { error: errorName(error) });
  }
  return true;
};

/**
 * Where the mail asking the seller to decide says the seller can: fresh links minted for this
 * very mail (a failure to store them fails this try of the mail), or the console's address.
 */
const decisionWays = async (deps: NoticeDeps, record: OrderRecord, mail: DueMail) => {
  const request = record.requests[mail.requestId];
  if (!deps.decisionLinks || !request || !ASKS_SELLER_TO_DECIDE.has(mail.template)) return;
  return sellerMailLinks({ ...deps.decisionLinks, clock: deps.clock }, record, request);
};

const sendMail = async (
  deps: NoticeDeps,
  record: OrderRecord,
  mail: DueMail,
): Promise<NoticeMark> => {
  const { requestId, key } = mail;
  const to = recipients(deps, record, mail.to);
  const now = deps.clock.now();
  if (to.length > 0) {
    try {
      const ways = await decisionWays(deps, record, mail);
      const rendered = renderEmail(mail.template, record, requestId, now, ways);
      await deps.mailer.send({ to, ...rendered });
    } catch (error) {
      const tries = mail.tries + 1;
      const context = { requestId, mail: key, tries, error: errorName(error) };
      if (tries >= MAIL_MAX_TRIES) {
        deps.metrics.count("MailFailed");
        deps.log.error("mail given up after repeated failures; operators are told", context);
      } else {
        deps.log.warn("mail not sent yet", context);
      }
      return { kind: "MAIL_FAILED", requestId, key, error: errorName(error), tries, at: now };
    }
  }
  return { kind: "MAIL_SENT", requestId, key, at: now };
};
