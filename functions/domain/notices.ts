// What a request's stored state says must go out, and what of it already did: the mail each
// timeline entry implies, the domain event of each entry, and the marks that whoever sent them
// keeps on the request. Pure: the workflow's steps and the reconciler send what `dueMail` and
// `dueEvents` list, then save the marks with `withMarks` (docs/design.md, "What a change causes").

import { returnDueBy } from "./parcel.ts";
import {
  orderEntryOwner,
  orderEvents,
  placedOrderEvents,
  requestEvents,
  type TimelineEvent,
} from "./published-events.ts";
import type {
  CancellationRequest,
  MailMark,
  OrderRecord,
  RequestNotices,
  TimelineEntry,
} from "./types.ts";
import { needsWorkflow } from "./workflow-plan.ts";

/** Every mail the service sends (its wording, per language, is in functions/notifications). */
export const EMAIL_TEMPLATES = [
  "BUYER_REQUEST_RECEIVED",
  "BUYER_APPROVED",
  "BUYER_REJECTED",
  "BUYER_REFUND_COMPLETED",
  "BUYER_RETURN_REQUIRED",
  "BUYER_WITHDRAWN",
  "BUYER_REFUND_REVERSED",
  "BUYER_REFUND_LATE",
  "SELLER_NEW_REQUEST",
  "SELLER_REMINDER",
  "SELLER_REFUND_INSTRUCTION",
  "SELLER_OUTCOME",
  "OPERATOR_ESCALATION",
  "OPERATOR_REFUND_FAILED",
  "OPERATOR_REFUND_REVERSED",
  "OPERATOR_REFUND_LATE",
  "OPERATOR_REFUND_INQUIRY",
  "OPERATOR_MAIL_FAILED",
  "BUYER_RETURN_INSTRUCTIONS",
  "SELLER_PARCEL_KEPT",
  "BUYER_RETURN_RECEIVED",
  "OPERATOR_RETURN_OVERDUE",
] as const;
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number];

export type Recipient = "BUYER" | "SELLER" | "OPERATORS";

/** Tries of one mail before it is given up and operators are alerted. */
export const MAIL_MAX_TRIES = 5;

export interface MailNotice {
  template: EmailTemplate;
  to: Recipient;
}

const mail = (template: EmailTemplate, to: Recipient): MailNotice => ({ template, to });
const OUTCOME_FOR_BOTH = (buyer: EmailTemplate) => [
  mail(buyer, "BUYER"),
  mail("SELLER_OUTCOME", "SELLER"),
];

/** The mail one entry of a request's timeline implies (SPEC "Notifications"). */
export const entryMail = (request: CancellationRequest, entry: TimelineEntry): MailNotice[] => {
  switch (entry.type) {
    case "SELLER_NOTIFIED":
      return [mail("BUYER_REQUEST_RECEIVED", "BUYER"), mail("SELLER_NEW_REQUEST", "SELLER")];
    case "SELLER_REMINDED":
      return [mail("SELLER_REMINDER", "SELLER")];
    case "SELLER_APPROVED":
    case "SELLER_TIMED_OUT":
      // The marketplace's review starts: operators hear of it when it is theirs to decide.
      return request.marketplaceReview === "OPERATOR"
        ? [mail("OPERATOR_ESCALATION", "OPERATORS")]
        : [];
    case "MARKETPLACE_APPROVED":
      return [mail("BUYER_APPROVED", "BUYER")];
    case "SELLER_REJECTED":
    case "MARKETPLACE_REJECTED":
      return OUTCOME_FOR_BOTH("BUYER_REJECTED");
    case "REFUND_INSTRUCTED":
      return [mail("SELLER_REFUND_INSTRUCTION", "SELLER")];
    case "REFUND_SUCCEEDED":
      // Also on a completed request: the retry of a reversed refund went through.
      return [mail("BUYER_REFUND_COMPLETED", "BUYER")];
    case "REFUND_FAILED":
      return [mail("OPERATOR_REFUND_FAILED", "OPERATORS")];
    case "REFUND_REVERSED":
      // The buyer hears that the money comes again; operators get the case to refund it.
      return [
        mail("BUYER_REFUND_REVERSED", "BUYER"),
        mail("OPERATOR_REFUND_REVERSED", "OPERATORS"),
      ];
    case "REFUND_LATE":
      // The promise was broken: the buyer gets an apology, operators chase the refund.
      return [mail("BUYER_REFUND_LATE", "BUYER"), mail("OPERATOR_REFUND_LATE", "OPERATORS")];
    case "REFUND_INQUIRY_OPENED":
      return [mail("OPERATOR_REFUND_INQUIRY", "OPERATORS")];
    case "COMPLETED":
      return [mail("SELLER_OUTCOME", "SELLER")];
    case "WITHDRAWN":
      return OUTCOME_FOR_BOTH("BUYER_WITHDRAWN");
    case "RETURN_REQUIRED":
      return OUTCOME_FOR_BOTH("BUYER_RETURN_REQUIRED");
    default:
      return [];
  }
};

/** The mail one of the order's own entries implies (its parcel after a cancellation). */
export const orderEntryMail = (entry: TimelineEntry): MailNotice[] => {
  switch (entry.type) {
    case "DELIVERED_AFTER_CANCELLATION":
      // The buyer learns how to send the units back; the seller, that they are coming.
      return [mail("BUYER_RETURN_INSTRUCTIONS", "BUYER"), mail("SELLER_PARCEL_KEPT", "SELLER")];
    case "RETURN_RECEIVED":
      return [mail("BUYER_RETURN_RECEIVED", "BUYER")];
    case "RETURN_OVERDUE":
      return [mail("OPERATOR_RETURN_OVERDUE", "OPERATORS")];
    default:
      return [];
  }
};

/** Keys of the order's own mail marks start so (a request's start with its entry's position). */
export const ORDER_MAIL_PREFIX = "order.";

/** A mail that should have gone out and has not: never tried, or tried and failed so far. */
export interface DueMail extends MailNotice {
  requestId: string;
  /** `<entry position>.<template>`; `<that key>.alert` for operators' alert of a given-up mail. */
  key: string;
  /** Since when it is due: its entry's time (for an alert, when the mail was given up). */
  since: string;
  /** Failed tries so far. */
  tries: number;
}

const EMPTY: RequestNotices = { mail: {}, published: 0 };

export const noticesOf = (request: CancellationRequest): RequestNotices => request.notices ?? EMPTY;

const triesOf = (mark: MailMark | undefined): number =>
  mark === undefined || typeof mark === "string" ? 0 : mark.tries;

/**
 * The mail `entries` imply that is not yet sent nor given up, in timeline order (alerts after
 * their mail), keyed `<prefix><entry position>.<template>`.
 */
const dueMailOf = (
  entries: readonly TimelineEntry[],
  mailOf: (entry: TimelineEntry, position: number) => MailNotice[],
  marks: Record<string, MailMark>,
  requestIdOf: (position: number) => string,
  prefix = "",
): DueMail[] => {
  const due: DueMail[] = [];
  entries.forEach((entry, index) => {
    const requestId = requestIdOf(index);
    for (const notice of mailOf(entry, index)) {
      const key = `${prefix}${index}.${notice.template}`;
      const mark = marks[key];
      if (typeof mark === "string") continue;
      if (!mark?.gaveUpAt) {
        due.push({ requestId, key, ...notice, since: entry.at, tries: triesOf(mark) });
        continue;
      }
      // Given up: operators are told, unless the mail was theirs (no alert about an alert).
      if (notice.to === "OPERATORS") continue;
      const alertKey = `${key}.alert`;
      const alert = marks[alertKey];
      if (typeof alert === "string" || alert?.gaveUpAt) continue;
      due.push({
        requestId,
        key: alertKey,
        template: "OPERATOR_MAIL_FAILED",
        to: "OPERATORS",
        since: mark.gaveUpAt,
        tries: triesOf(alert),
      });
    }
  });
  return due;
};

/** The request's mail not yet sent nor given up, in timeline order (alerts after their mail). */
export const dueMail = (request: CancellationRequest): DueMail[] =>
  dueMailOf(
    request.timeline,
    (entry) => entryMail(request, entry),
    noticesOf(request).mail,
    () => request.requestId,
  );

/**
 * The mail of the order's own entries not yet sent nor given up, each under the request it
 * belongs to (`orderEntryOwner`: its execution sends it, and the mail names it); none for
 * entries before the first request.
 */
export const dueOrderMail = (record: OrderRecord): DueMail[] => {
  const { timeline } = record.order;
  const owners = timeline.map((entry) => orderEntryOwner(record, entry)?.requestId);
  return dueMailOf(
    timeline,
    (entry, position) => (owners[position] ? orderEntryMail(entry) : []),
    (record.orderNotices ?? EMPTY).mail,
    (position) => owners[position] ?? "",
    ORDER_MAIL_PREFIX,
  );
};

/** The domain events of the request's timeline entries not yet published, in timeline order. */
export const dueEvents = (request: CancellationRequest): TimelineEvent[] =>
  requestEvents(request, noticesOf(request).published);

/** The events of the order's own parcel entries not yet published (published-events.ts). */
export const dueOrderEvents = (record: OrderRecord): TimelineEvent[] =>
  orderEvents(record, (record.orderNotices ?? EMPTY).published);

/**
 * What of the order's due events `requestId`'s execution publishes: the run of them from the
 * first due one that belong to that request, and the position up to which that marks them
 * published (the next due event's, another request's; else the timeline's end).
 */
export const orderEventsOf = (
  record: OrderRecord,
  requestId: string,
): { events: TimelineEvent[]; through: number } => {
  const due = placedOrderEvents(record, (record.orderNotices ?? EMPTY).published);
  const others = due.findIndex(({ event }) => event.detail.requestId !== requestId);
  const mine = others === -1 ? due : due.slice(0, others);
  const next = others === -1 ? undefined : due[others];
  return {
    events: mine.map(({ event }) => event),
    through: next ? next.position : record.order.timeline.length,
  };
};

/** What one sender did: marks to save on the request (merged with others' by `withMarks`). */
export type NoticeMark =
  | { kind: "MAIL_SENT"; requestId: string; key: string; at: string }
  | {
      kind: "MAIL_FAILED";
      requestId: string;
      key: string;
      error: string;
      tries: number;
      at: string;
    }
  | { kind: "PUBLISHED"; requestId: string; through: number }
  /** The order's own entries before `through` are published (or need not be). */
  | { kind: "ORDER_PUBLISHED"; through: number };

/**
 * Two marks of one mail, merged the same whatever order they come in: sent wins (the earlier time,
 * if it went out twice); of two failures, the one with more tries (on a tie, the earlier given up,
 * then the first error by name). The current mark when the next one adds nothing.
 */
const laterMark = (current: MailMark | undefined, next: MailMark): MailMark => {
  if (typeof current === "string") {
    return typeof next === "string" && next < current ? next : current;
  }
  if (typeof next === "string" || current === undefined) return next;
  if (next.tries !== current.tries) return next.tries > current.tries ? next : current;
  // Equal tries: both given up (at instants of one length) or neither.
  const tie = (mark: Exclude<MailMark, string>) => `${mark.gaveUpAt ?? ""} ${mark.error}`;
  return tie(next) < tie(current) ? next : current;
};

/**
 * The record with the marks saved on their requests. Marks made on an older read merge with the
 * ones on record (a mail sent stays sent, failures only add up, the published count only grows),
 * so a sender whose write lost a race applies its marks again to the fresh record.
 */
export const withMarks = (record: OrderRecord, marks: readonly NoticeMark[]): OrderRecord => {
  let requests: Record<string, CancellationRequest> | undefined;
  let orderNotices: RequestNotices | undefined;
  for (const mark of marks) {
    // The order's own: its published count, and the marks of its mail.
    if (
      mark.kind === "ORDER_PUBLISHED" ||
      (mark.kind !== "PUBLISHED" && mark.key.startsWith(ORDER_MAIL_PREFIX))
    ) {
      const notices = orderNotices ?? record.orderNotices ?? EMPTY;
      const next = withMark(notices, mark);
      if (next !== notices) orderNotices = next;
      continue;
    }
    const current = requests ?? record.requests;
    const request = Object.hasOwn(current, mark.requestId) ? current[mark.requestId] : undefined;
    if (!request) continue;
    const notices = noticesOf(request);
    if (mark.kind === "PUBLISHED") {
      if (mark.through > notices.published) {
        // Published: the entries' event snapshots have done their job.
        const timeline = request.timeline.map((entry, index) => {
          if (index >= mark.through || entry.event === undefined) return entry;
          const { event: _published, ...kept } = entry;
          return kept;
        });
        requests = {
          ...current,
          [mark.requestId]: {
            ...request,
            timeline,
            notices: { ...notices, published: mark.through },
          },
        };
      }
      continue;
    }
    const next = withMark(notices, mark);
    // Marks already on record change nothing: the same record comes back, and nothing is written.
    if (next === notices) continue;
    requests = { ...current, [mark.requestId]: { ...request, notices: next } };
  }
  if (requests === undefined && orderNotices === undefined) return record;
  return {
    ...record,
    ...(requests && { requests }),
    ...(orderNotices && { orderNotices }),
  };
};

/** Notices with one mail mark or published count merged in; the same object when it adds nothing. */
const withMark = (
  notices: RequestNotices,
  mark: Exclude<NoticeMark, { kind: "PUBLISHED" }>,
): RequestNotices => {
  if (mark.kind === "ORDER_PUBLISHED") {
    return mark.through > notices.published ? { ...notices, published: mark.through } : notices;
  }
  const value: MailMark =
    mark.kind === "MAIL_SENT"
      ? mark.at
      : {
          tries: mark.tries,
          error: mark.error,
          ...(mark.tries >= MAIL_MAX_TRIES ? { gaveUpAt: mark.at } : {}),
        };
  const merged = laterMark(notices.mail[mark.key], value);
  return merged === notices.mail[mark.key]
    ? notices
    : { ...notices, mail: { ...notices.mail, [mark.key]: merged } };
};

/** Since when the request has had something to send (its oldest due notice), if it has. */
export const noticesDueSince = (request: CancellationRequest): string | undefined => {
  let since = request.timeline[noticesOf(request).published]?.at;
  for (const due of dueMail(request))
    if (since === undefined || due.since < since) since = due.since;
  return since;
};

/** Since when the order's own entries have had something to send, if they have. */
export const orderNoticesDueSince = (record: OrderRecord): string | undefined => {
  let since = dueOrderEvents(record)[0]?.detail.at;
  for (const due of dueOrderMail(record))
    if (since === undefined || due.since < since) since = due.since;
  return since;
};

/**
 * What the request's execution has to send, since when: its own notices, and those of the order's
 * entries that belong to it (`orderEntryOwner`).
 */
export const sendableSince = (record: OrderRecord, request: CancellationRequest) => {
  const { requestId } = request;
  let since = noticesDueSince(request);
  const consider = (at: string | undefined) => {
    if (at !== undefined && (since === undefined || at < since)) since = at;
  };
  consider(orderEventsOf(record, requestId).events[0]?.detail.at);
  for (const due of dueOrderMail(record)) if (due.requestId === requestId) consider(due.since);
  return since;
};

/**
 * Since when the order needs someone to look at it, or undefined when nothing does: the oldest of
 * its open requests' creation, of its due notices (the order's own included) and of when its
 * open return falls due (the reconciler then marks it overdue). The reconciler's index lists
 * orders by it.
 */
export const attentionSince = (record: OrderRecord): string | undefined => {
  let since: string | undefined;
  const consider = (at: string | undefined) => {
    if (at !== undefined && (since === undefined || at < since)) since = at;
  };
  for (const request of Object.values(record.requests)) {
    // Open, or completed with a refund still to make (reversed by the provider, or its retry).
    consider(needsWorkflow(request) ? request.createdAt : undefined);
    consider(noticesDueSince(request));
  }
  consider(orderNoticesDueSince(record));
  consider(returnDueBy(record.order));
  return since;
};
