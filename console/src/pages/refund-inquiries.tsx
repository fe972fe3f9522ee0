// The operators' open refund inquiries (GET /operator/refund-inquiries), the longest waiting first:
// each names its order and links to the request, with when the buyer asked and what they wrote,
// what the refund's provider needs to look it up (provider, ids, the bank's reference), the
// amount, method, status and promised date (and whether the promise was broken), and a form to
// close it with a note. A closed inquiry leaves the list, and a notice says so.
import { useRef, useState } from "preact/hooks";
import {
  formatDate,
  formatDateTime,
  formatMoney,
} from "../../../functions/notifications/format.ts";
import { type Failure, outcome } from "../api.ts";
import type { components } from "../api-schema.ts";
import { useApp } from "../app-context.ts";
import { FailureAlert, InputAlert } from "../components/alerts.tsx";
import { PagedCards, usePagedCards } from "../components/paged-cards.tsx";
import { useMessages } from "../i18n.ts";
import { href } from "../router.ts";

type Inquiry = components["schemas"]["RefundInquirySummary"];

const PAGE_SIZE = 50;
/** What the API accepts as a note (schemas.ts MAX_COMMENT_LENGTH). */
const MAX_NOTE = 1000;

const InquiryItem = ({
  inquiry,
  onClosed,
}: {
  inquiry: Inquiry;
  onClosed: (inquiry: Inquiry) => void;
}) => {
  const { api } = useApp();
  const messages = useMessages();
  const words = messages.inquiries;
  const locale = messages.language;
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string>();
  const [failure, setFailure] = useState<Failure>();
  const [busy, setBusy] = useState(false);
  const noteInput = useRef<HTMLTextAreaElement>(null);
  const noteId = `inquiry-note-${inquiry.requestId}`;

  const close = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const invalid = !note.trim()
      ? words.noteRequired
      : note.length > MAX_NOTE
        ? words.noteTooLong
        : undefined;
    setProblem(invalid);
    if (invalid) return noteInput.current?.focus();
    setBusy(true);
    setFailure(undefined);
    const result = await outcome(
      api.POST("/orders/{orderId}/cancellation-requests/{requestId}/refund-inquiry/close", {
        params: { path: { orderId: inquiry.orderId, requestId: inquiry.requestId } },
        body: { note },
      }),
    );
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    onClosed(inquiry);
  };

  return (
    <li class="card">
      <h2 class="card-title">
        <a href={href(`/requests/${inquiry.orderId}/${inquiry.requestId}`)}>
          {words.item(inquiry.orderId)}
        </a>
      </h2>
      {inquiry.late && (
        <div class="caution">
          <p>{words.late}</p>
        </div>
      )}
      <dl class="facts">
        <dt>{words.openedAt}</dt>
        <dd>
          <time dateTime={inquiry.openedAt}>
            {formatDateTime(inquiry.openedAt, inquiry.currency, locale)}
          </time>
        </dd>
        {inquiry.comment && (
          <>
            <dt>{words.message}</dt>
            <dd class="comment">{inquiry.comment}</dd>
          </>
        )}
        <dt>{words.provider}</dt>
        <dd>{words.providers[inquiry.provider]}</dd>
        <dt>{words.refundId}</dt>
        <dd>{inquiry.refundId ?? "—"}</dd>
        {inquiry.providerRefundId && (
          <>
            <dt>{words.providerRefundId}</dt>
            <dd>{inquiry.providerRefundId}</dd>
          </>
        )}
        {inquiry.reference && (
          <>
            <dt>{words.reference}</dt>
            <dd>{inquiry.reference}</dd>
          </>
        )}
        <dt>{words.amount}</dt>
        <dd class="amount">{formatMoney(inquiry.amount, inquiry.currency)}</dd>
        <dt>{words.method}</dt>
        <dd>{messages.paymentMethods[inquiry.method]}</dd>
        <dt>{words.refundStatus}</dt>
        <dd>{messages.refundStatus[inquiry.status]}</dd>
        {inquiry.expectedBy && (
          <>
            <dt>{words.expectedBy}</dt>
            <dd>{formatDate(inquiry.expectedBy.latest, locale)}</dd>
          </>
        )}
      </dl>
      <form class="decision" onSubmit={(event) => void close(event)} noValidate>
        <div class="field">
          <label for={noteId}>{words.note}</label>
          <textarea
            id={noteId}
            ref={noteInput}
            rows={3}
            value={note}
            required
            aria-describedby={`${noteId}-hint`}
            aria-invalid={problem !== undefined}
            onInput={(event) => setNote(event.currentTarget.value)}
          />
          <p class="hint" id={`${noteId}-hint`}>
            {words.noteHint}
          </p>
        </div>
        {problem && <InputAlert>{problem}</InputAlert>}
        <div class="actions">
          <button type="submit" class="primary" aria-disabled={busy}>
            {words.close}
          </button>
        </div>
        {failure && <FailureAlert failure={failure} fieldLabels={{ "body.note": words.note }} />}
      </form>
    </li>
  );
};

export const RefundInquiriesPage = () => {
  const { api } = useApp();
  const messages = useMessages();
  const words = messages.inquiries;
  const paged = usePagedCards<Inquiry, string>(
    (cursor?: string) =>
      outcome(
        api.GET("/operator/refund-inquiries", {
          params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [api],
    (inquiry) => inquiry.requestId,
  );
  const onClosed = (inquiry: Inquiry) =>
    paged.remove(inquiry.requestId, words.closed(inquiry.orderId));
  return (
    <PagedCards
      heading={words.heading}
      intro={words.intro}
      notice={paged.notice && <p>{paged.notice}</p>}
      paged={paged}
      words={words}
    >
      {(inquiry) => <InquiryItem key={inquiry.requestId} inquiry={inquiry} onClosed={onClosed} />}
    </PagedCards>
  );
};
