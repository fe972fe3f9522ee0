// What a request's stored state says must go out, and what of it already did: the mail each
// timeline entry implies, the domain event of each entry, and the marks that whoever sent them
// keeps on the request. Pure: the workflow's steps and the reconciler send what `dueMail` and
// `dueEvents` list, then save the marks with `withMarks` (docs/design.md, "What a change causes").
import { requestEvents, type TimelineEvent } from "./published-events.ts";
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

/** The request's mail not yet sent nor given up, in timeline order (alerts after their mail). */
export const dueMail = (request: CancellationRequest): DueMail[] => {
  const marks = noticesOf(request).mail;
  const { requestId } = request;
  const due: DueMail[] = [];
  request.timeline.forEach((entry, index) => {
    for (const notice of entryMail(request, entry)) {
      const key = `${index}.${notice.template}`;
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

/** The domain events of the request's timeline entries not yet published, in timeline order. */
export const dueEvents = (request: CancellationRequest): TimelineEvent[] =>
  requestEvents(request, noticesOf(request).published);

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
  | { kind: "PUBLISHED"; requestId: string; through: number };

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
  for (const mark of marks) {
    const current = requests ?? record.requests;
    const request = Object.hasOwn(current, mark.requestId) ? current[mark.requestId] : undefined;
    if (!request) continue;
    const notices = noticesOf(request);
    let next: RequestNotices | undefined;
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
        continue;
      }
    } else {
      const value: MailMark =
        mark.kind === "MAIL_SENT"
          ? mark.at
          : {
              tries: mark.tries,
              error: mark.error,
              ...(mark.tries >= MAIL_MAX_TRIES ? { gaveUpAt: mark.at } : {}),
            };
      const merged = laterMark(notices.mail[mark.key], value);
      if (merged !== notices.mail[mark.key]) {
        next = { ...notices, mail: { ...notices.mail, [mark.key]: merged } };
      }
    }
    // Marks already on record change nothing: the same record comes back, and nothing is written.
    if (next === undefined) continue;
    requests = { ...current, [mark.requestId]: { ...request, notices: next } };
  }
  return requests === undefined ? record : { ...record, requests };
};

/** Since when the request has had something to send (its oldest due notice), if it has. */
export const noticesDueSince = (request: CancellationRequest): string | undefined => {
  let since = request.timeline[noticesOf(request).published]?.at;
  for (const due of dueMail(request))
    if (since === undefined || due.since < since) since = due.since;
  return since;
};

/**
 * Since when the order needs someone to look at it, or undefined when nothing does: the oldest of
 * its open requests' creation and of its due notices. The reconciler's index lists orders by it.
 */
export const attentionSince = (record: OrderRecord): string | undefined => {
  let since: string | undefined;
  for (const request of Object.values(record.requests)) {
    for (const at of [
      // Open, or completed with a refund still to make (reversed by the provider, or its retry).
      needsWorkflow(request) ? request.createdAt : undefined,
      noticesDueSince(request),
    ]) {
      if (at !== undefined && (since === undefined || at < since)) since = at;
    }
  }
  return since;
};
