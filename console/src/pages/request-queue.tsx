import { formatDateTime, formatMoney } from "../../../functions/notifications/format.ts";
import {
  type CancellationRequest,
  type CancellationRequestSummary,
  type Order,
  outcome,
} from "../api.ts";
import { useApp, useNow } from "../app-context.ts";
import { nextSteps } from "../components/next-steps.tsx";
import { PagedCards, usePagedCards } from "../components/paged-cards.tsx";
import { TimeLeft } from "../components/request-view.tsx";
import { DecisionFor, RefundRetryFor } from "../components/staff-actions.tsx";
import { useMessages } from "../i18n.ts";
import { href } from "../router.ts";

export type QueueKind = "seller" | "review" | "failures";
type Done = "approved" | "rejected" | "retried";
type OnDone = (request: CancellationRequest, what: Done, currency: Order["currency"]) => void;

const PAGE_SIZE = 50;

/**
 * A summary's comment ends in "…" when the API cut it short (views.ts `toRequestSummary`). One the
 * buyer ended with "…" reads the same: its link then leads to the same words, nothing is lost.
 */
const isCut = (comment: string): boolean => comment.endsWith("…");

/** The deadline each queue is sorted by and shows. */
const deadlineOf = (kind: QueueKind, request: CancellationRequestSummary): string | null =>
  kind === "seller"
    ? request.sellerDeadline
    : kind === "review"
      ? request.marketplaceDeadline
      : request.refundRetryDeadline;

const QueueItem = ({
  kind,
  request,
  onDone,
}: {
  kind: QueueKind;
  request: CancellationRequestSummary;
  onDone: OnDone;
}) => {
  const messages = useMessages();
  const words = messages.queue;
  const locale = messages.language;
  const now = useNow();
  const deadline = deadlineOf(kind, request);
  const requestHref = href(`/requests/${request.orderId}/${request.requestId}`);
  const lastError = request.refund?.lastError;
  // The summary carries the order's currency: its amounts' and the zone its times are shown in.
  const { currency } = request;
  const money = (value: number) => formatMoney(value, currency);
  const amount = request.refund?.amount ?? request.itemsAmount + request.shippingAmount;
  const done = (updated: CancellationRequest, what: Done) => onDone(updated, what, currency);
  return (
    <li class="card">
      <h2 class="card-title">
        <a href={requestHref}>{words.item(request.orderId)}</a>
      </h2>
      <ul class="card-lines" aria-label={words.lines}>
        {request.lines.map((line) => (
          <li key={line.lineId}>
            <span class="line-title">{line.title}</span>{" "}
            <span>{messages.order.quantity(line.quantity)}</span>{" "}
            <span class="amount">{money(line.amount)}</span>
          </li>
        ))}
        {request.moreLines > 0 && <li>{words.moreLines(request.moreLines)}</li>}
      </ul>
      <dl class="facts">
        <dt>{messages.request.reason}</dt>
        <dd>{messages.reasons[request.reason]}</dd>
        {request.comment && (
          <>
            <dt>{messages.request.comment}</dt>
            <dd>
              <span class="comment">{request.comment}</span>
              {isCut(request.comment) && (
                <>
                  {" "}
                  <a href={requestHref}>{words.wholeComment}</a>
                </>
              )}
            </dd>
          </>
        )}
        <dt>{words.amount}</dt>
        <dd class="amount">{money(amount)}</dd>
        {kind === "failures" && request.refund && (
          <>
            <dt>{messages.request.refundMethod}</dt>
            <dd>
              {messages.paymentMethods[request.refund.method]} (
              {words.attempts(request.refund.attempts)})
            </dd>
          </>
        )}
        {kind === "failures" && lastError && (
          <>
            <dt>{words.lastFailure}</dt>
            <dd>{lastError}</dd>
          </>
        )}
        {deadline && (
          <>
            <dt>{words.deadline}</dt>
            <dd>
              <time dateTime={deadline}>
                {currency ? formatDateTime(deadline, currency, locale) : "…"}
              </time>{" "}
              <TimeLeft deadline={deadline} now={now} locale={locale} strong />
            </dd>
          </>
        )}
      </dl>
      {kind === "failures" ? (
        <RefundRetryFor request={request} onDone={done} />
      ) : (
        <DecisionFor request={request} onDone={done} />
      )}
    </li>
  );
};

export const RequestQueuePage = ({ kind }: { kind: QueueKind }) => {
  const { api, role } = useApp();
  const messages = useMessages();
  const words = messages.queue;
  const page = (cursor?: string) =>
    outcome(
      kind === "seller"
        ? api.GET("/seller/cancellation-requests", {
            params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
          })
        : api.GET("/operator/cancellation-requests", {
            params: {
              query: {
                limit: PAGE_SIZE,
                status: kind === "review" ? "AWAITING_MARKETPLACE" : "REFUND_FAILED",
                ...(cursor ? { cursor } : {}),
              },
            },
          }),
    );
  const paged = usePagedCards<CancellationRequestSummary, string[]>(
    page,
    [api, kind],
    (request) => request.requestId,
  );
  const heading =
    kind === "seller"
      ? words.sellerHeading
      : kind === "review"
        ? words.reviewHeading
        : words.failuresHeading;
  const intro =
    kind === "seller"
      ? words.sellerIntro
      : kind === "review"
        ? words.reviewIntro
        : words.failuresIntro;

  const onDone: OnDone = (request, what, currency) => {
    paged.remove(request.requestId);
    // What happens next depends on the order (what it leaves, how it was paid): read it once,
    // then tell it all in one notice; without the order, what can be said without it.
    void outcome(
      api.GET("/orders/{orderId}", { params: { path: { orderId: request.orderId } } }),
    ).then((order) => {
      const steps = nextSteps(
        {
          reader: role ?? (kind === "seller" ? "seller" : "operator"),
          request,
          order: order.ok
            ? {
                lines: order.data.lines,
                paymentMethod: order.data.payment.method,
                parcel: order.data.parcel?.status,
              }
            : undefined,
          currency: order.ok ? order.data.currency : currency,
          locale: messages.language,
        },
        messages,
      );
      paged.setNotice([words[what](request.orderId), ...steps]);
    });
  };

  // Soonest deadline first, across every page read.
  const sorted = {
    ...paged,
    items: [...paged.items].sort((a, b) =>
      (deadlineOf(kind, a) ?? "").localeCompare(deadlineOf(kind, b) ?? ""),
    ),
  };
  return (
    <PagedCards
      heading={heading}
      intro={intro}
      notice={paged.notice?.map((sentence) => <p key={sentence}>{sentence}</p>)}
      paged={sorted}
      words={words}
    >
      {(request) => (
        <QueueItem key={request.requestId} kind={kind} request={request} onDone={onDone} />
      )}
    </PagedCards>
  );
};
