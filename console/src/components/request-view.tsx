// A cancellation request as its people follow it: the status in words (role "status", so a change
// is announced) and what happens next for the person reading it, reason and comment, the deadline
// that applies now with the time left (red only in its last 24 hours), the lines it covers (titled
// from its order) with their amounts, the refund (items and shipping, amount, method, the expected
// dates, kept once it went through; while the card company settles it, that; the reference the
// buyer's card issuer can trace it with; a card refund the card company failed after it had
// succeeded, and why) and the timeline with times (in the zone of the order's currency, as its
// mail shows them), worded for its reader.
import type { ComponentChildren } from "preact";
import {
  formatDate,
  formatDateTime,
  formatMoney,
  formatTimeLeft,
  isDueSoon,
} from "../../../functions/notifications/format.ts";
import type { CancellationRequest, Order } from "../api.ts";
import { useNow } from "../app-context.ts";
import { useMessages } from "../i18n.ts";
import type {
  Language,
  Messages,
  ParcelStatus,
  PaymentMethod,
  RefundFailure,
  RequestStatus,
  Role,
} from "../messages/types.ts";
import { NextSteps } from "./next-steps.tsx";

/** Statuses after which a request never changes (SPEC). */
export const TERMINAL: readonly RequestStatus[] = [
  "COMPLETED",
  "REJECTED",
  "WITHDRAWN",
  "RETURN_REQUIRED",
];
/** The buyer may withdraw until the marketplace approves (the domain's WITHDRAW transition). */
export const WITHDRAWABLE: readonly RequestStatus[] = [
  "REQUESTED",
  "AWAITING_SELLER",
  "AWAITING_MARKETPLACE",
];

export const StatusWords = ({ status }: { status: RequestStatus }) => {
  const messages = useMessages();
  return (
    <p role="status" class={`status status-${status.toLowerCase()}`}>
      {messages.requestStatus[status]}
    </p>
  );
};

/** The time left until a deadline; red (class due-soon) only in its last 24 hours. */
export const TimeLeft = ({
  deadline,
  now,
  locale,
  strong = false,
}: {
  deadline: string;
  now: Date;
  locale: Language;
  strong?: boolean;
}) => {
  const messages = useMessages();
  const text = formatTimeLeft(deadline, now, locale, messages.time);
  const due = isDueSoon(deadline, now);
  const className = due ? "time-left due-soon" : "time-left";
  return strong ? <strong class={className}>{text}</strong> : <span class={className}>{text}</span>;
};

const Deadline = ({
  label,
  at,
  currency,
  locale,
}: {
  label: string;
  at: string;
  currency: Order["currency"];
  locale: Language;
}) => {
  const now = useNow();
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <time dateTime={at}>{formatDateTime(at, currency, locale)}</time>{" "}
        <TimeLeft deadline={at} now={now} locale={locale} />
      </dd>
    </>
  );
};

/** A provider's reason for failing a refund in words; a reason without words, generically. */
const failureWords = (words: Messages["request"], reason: string | null): string =>
  reason !== null && Object.hasOwn(words.failureReasons, reason)
    ? words.failureReasons[reason as RefundFailure]
    : words.failureUnknown;

export const RequestView = ({
  request,
  reader,
  orderLines,
  paymentMethod,
  parcel,
  currency,
  locale,
  showNotes = false,
  headingId = "request-heading",
  children,
}: {
  request: CancellationRequest;
  /** Who reads it: what happens next and the timeline are worded for them. */
  reader: Role;
  /** The order's lines: the titles of the request's lines, and whether it leaves units. */
  orderLines: Order["lines"];
  /** How the order was paid: where its refund goes. */
  paymentMethod: PaymentMethod;
  /** Where the order's parcel is: what to do with it is said only while it is on its way. */
  parcel?: ParcelStatus | undefined;
  /** The order's currency: its times are shown in that currency's zone. */
  currency: Order["currency"];
  /** The language dates are written in (the order's, for its buyer). */
  locale: Language;
  /** Timeline notes are for staff (what a refund failure said, a decision's note). */
  showNotes?: boolean;
  headingId?: string;
  /** Actions on the request, shown under its status. */
  children?: ComponentChildren;
}) => {
  const messages = useMessages();
  const words = messages.request;
  const { refund, rejection, status } = request;
  const actor = (id: string) =>
    id === "system" ? messages.actors.system : id === "policy" ? messages.actors.policy : id;
  const money = (amount: number) => formatMoney(amount, refund?.currency ?? currency);
  const titleOf = (lineId: string) =>
    orderLines.find((line) => line.lineId === lineId)?.title ?? lineId;
  // Amounts are fixed when the request is made; a finished request without a refund refunds nothing.
  const showAmounts = refund !== null || !TERMINAL.includes(status);
  // A completed request's refund that failed after all: an operator retries it by the deadline.
  const refundOwed = status === "COMPLETED" && refund?.status === "FAILED";
  // Made, and still on its way at the card company (the provider's `pending`).
  const atProvider =
    refund?.status === "PENDING" &&
    (refund.providerStatus === "pending" || refund.providerStatus === "requires_action");
  return (
    <section class="panel" aria-labelledby={headingId}>
      <h2 id={headingId} tabIndex={-1}>
        {words.heading}
      </h2>
      <p class="status-label">{words.status}</p>
      <StatusWords status={status} />
      <NextSteps
        reader={reader}
        request={request}
        order={{ lines: orderLines, paymentMethod, parcel }}
        currency={currency}
        locale={locale}
        headingId={`${headingId}-next`}
      />
      {children}
      <dl class="facts">
        <dt>{words.reason}</dt>
        <dd>{messages.reasons[request.reason]}</dd>
        {request.comment && (
          <>
            <dt>{words.comment}</dt>
            <dd class="comment">{request.comment}</dd>
          </>
        )}
        <dt>{words.createdAt}</dt>
        <dd>
          <time dateTime={request.createdAt}>
            {formatDateTime(request.createdAt, currency, locale)}
          </time>
        </dd>
        {(status === "REQUESTED" || status === "AWAITING_SELLER") && (
          <Deadline
            label={words.sellerDeadline}
            at={request.sellerDeadline}
            currency={currency}
            locale={locale}
          />
        )}
        {status === "AWAITING_MARKETPLACE" && request.marketplaceDeadline && (
          <Deadline
            label={words.marketplaceDeadline}
            at={request.marketplaceDeadline}
            currency={currency}
            locale={locale}
          />
        )}
        {(status === "REFUND_FAILED" || refundOwed) && request.refundRetryDeadline && (
          <Deadline
            label={words.refundRetryDeadline}
            at={request.refundRetryDeadline}
            currency={currency}
            locale={locale}
          />
        )}
        {/* The buyer follows their own inquiry where they made it (refund-inquiry.tsx). */}
        {reader !== "buyer" && request.refundInquiry && (
          <>
            <dt>{words.inquiry}</dt>
            <dd>
              {request.refundInquiry.closedAt === null
                ? words.inquiryOpen(
                    formatDateTime(request.refundInquiry.openedAt, currency, locale),
                  )
                : words.inquiryClosed(
                    formatDateTime(request.refundInquiry.closedAt, currency, locale),
                  )}
              {request.refundInquiry.comment && (
                <p class="comment">{request.refundInquiry.comment}</p>
              )}
              {request.refundInquiry.note && <p class="note">{request.refundInquiry.note}</p>}
            </dd>
          </>
        )}
        {rejection && (
          <>
            <dt>{words.rejection}</dt>
            <dd>
              {words.rejectedBy[rejection.by]}: {rejection.reason}
            </dd>
          </>
        )}
      </dl>
      <h3 id={`${headingId}-lines`}>{words.lines}</h3>
      <ul class="lines" aria-labelledby={`${headingId}-lines`}>
        {request.lines.map((line) => (
          <li key={line.lineId}>
            <span class="line-title">{titleOf(line.lineId)}</span>{" "}
            <span>{messages.order.quantity(line.quantity)}</span>{" "}
            <span class="amount">{money(line.amount)}</span>
          </li>
        ))}
      </ul>
      <h3>{words.refund}</h3>
      {refund?.late && (
        <div class="caution">
          <p>{words.late[reader === "buyer" ? "buyer" : "staff"]}</p>
        </div>
      )}
      {refund?.reversed && (
        <div class="caution">
          <p>{words.reversed}</p>
          <p>{failureWords(words, refund.failureReason)}</p>
        </div>
      )}
      {showAmounts && (
        <dl class="facts">
          <dt>{words.itemsAmount}</dt>
          <dd class="amount">{money(request.itemsAmount)}</dd>
          <dt>{words.shippingAmount}</dt>
          <dd class="amount">{money(request.shippingAmount)}</dd>
          <dt>{words.refundAmount}</dt>
          <dd class="amount">
            <strong>{money(refund?.amount ?? request.itemsAmount + request.shippingAmount)}</strong>
          </dd>
          {refund && (
            <>
              <dt>{words.refundMethod}</dt>
              <dd>{messages.paymentMethods[refund.method]}</dd>
              <dt>{words.refundStatus}</dt>
              <dd>
                {atProvider ? words.atProvider : messages.refundStatus[refund.status]}
                {/* Operators also read the provider's own word (e.g. requires_action). */}
                {reader === "operator" && refund.providerStatus && (
                  <span class="note">
                    {" "}
                    — {refund.provider}: {refund.providerStatus}
                  </span>
                )}
              </dd>
            </>
          )}
          {refund?.expectedBy && (
            <>
              <dt>{words.expectedBy}</dt>
              <dd>
                {words.expectedRange(
                  formatDate(refund.expectedBy.earliest, locale),
                  formatDate(refund.expectedBy.latest, locale),
                )}
              </dd>
            </>
          )}
          {/* Kept while the refund stands: not once the card company failed it, nor during its retry. */}
          {refund?.succeededAt && refund.status === "SUCCEEDED" && (
            <>
              <dt>{words.refundedAt}</dt>
              <dd>
                <time dateTime={refund.succeededAt}>
                  {formatDateTime(refund.succeededAt, currency, locale)}
                </time>
              </dd>
            </>
          )}
          {refund?.reference && (
            <>
              <dt>{words.reference}</dt>
              <dd>
                {refund.reference}
                <p class="hint">{words.referenceHint[reader === "buyer" ? "buyer" : "staff"]}</p>
              </dd>
            </>
          )}
        </dl>
      )}
      {!refund && !TERMINAL.includes(status) && <p>{words.noRefundYet}</p>}
      <h3 id={`${headingId}-timeline`}>{words.timeline}</h3>
      <ol class="timeline" aria-labelledby={`${headingId}-timeline`}>
        {request.timeline.map((entry, index) => (
          <li key={`${entry.at}-${entry.type}-${index}`}>
            <time dateTime={entry.at}>{formatDateTime(entry.at, currency, locale)}</time>{" "}
            <span>
              {(reader === "operator" ? undefined : messages.timelineFor[reader][entry.type]) ??
                messages.timelineTypes[entry.type]}
              {messages.by(actor(entry.actor))}
            </span>
            {showNotes && entry.note && <span class="note"> — {entry.note}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
};
