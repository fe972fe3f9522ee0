// "Refund not received" for the buyer of a COMPLETED request once its refund's promised date is
// over (the end of `expectedBy.latest` in the order's zone, as the API judges it): an optional
// message and the button, which posts the refund inquiry. While the inquiry is open the buyer
// reads that staff are on it; once answered, the answer, and the button again.
import { useRef, useState } from "preact/hooks";
import { promiseEndsAt } from "../../../functions/domain/refund.ts";
import { formatDate, formatDateTime } from "../../../functions/notifications/format.ts";
import { type CancellationRequest, type Failure, type Order, outcome } from "../api.ts";
import { useApp, useNow } from "../app-context.ts";
import { useMessages } from "../i18n.ts";
import type { Language } from "../messages/types.ts";
import { FailureAlert, InputAlert } from "./alerts.tsx";

/** What the API accepts as the inquiry's comment (schemas.ts MAX_COMMENT_LENGTH). */
const MAX_MESSAGE = 1000;

/** Whether the buyer may say the refund has not arrived: completed, and the promise is over. */
export const refundInquiryAllowed = (request: CancellationRequest, now: Date): boolean => {
  const refund = request.refund;
  if (request.status !== "COMPLETED" || !refund?.expectedBy) return false;
  return now.getTime() >= Date.parse(promiseEndsAt(refund.expectedBy, refund.currency));
};

export const RefundInquiryFor = ({
  request,
  currency,
  locale,
  onDone,
}: {
  request: CancellationRequest;
  currency: Order["currency"];
  locale: Language;
  /** The request as the API answered the inquiry. */
  onDone: (request: CancellationRequest) => void;
}) => {
  const { api, role } = useApp();
  const words = useMessages().inquiry;
  const now = useNow();
  const [message, setMessage] = useState("");
  const [tooLong, setTooLong] = useState(false);
  const [failure, setFailure] = useState<Failure>();
  const [busy, setBusy] = useState(false);
  const messageInput = useRef<HTMLTextAreaElement>(null);
  if (role !== "buyer" || !refundInquiryAllowed(request, now)) return null;
  const inquiry = request.refundInquiry;
  const at = (instant: string) => formatDateTime(instant, currency, locale);
  const headingId = `refund-inquiry-${request.requestId}`;
  const messageId = `${headingId}-message`;

  const send = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const long = message.length > MAX_MESSAGE;
    setTooLong(long);
    if (long) return messageInput.current?.focus();
    setBusy(true);
    setFailure(undefined);
    const comment = message.trim();
    const result = await outcome(
      api.POST("/orders/{orderId}/cancellation-requests/{requestId}/refund-inquiry", {
        params: { path: { orderId: request.orderId, requestId: request.requestId } },
        body: comment ? { comment: message } : {},
      }),
    );
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    setMessage("");
    onDone(result.data);
  };

  return (
    <section class="inquiry" aria-labelledby={headingId}>
      <h3 id={headingId}>{words.heading}</h3>
      {inquiry && inquiry.closedAt === null ? (
        <p role="status">{words.open(at(inquiry.openedAt))}</p>
      ) : (
        <>
          {inquiry?.closedAt && (
            <div class="notice">
              <p>{words.answered(at(inquiry.closedAt))}</p>
              {inquiry.note && <p class="comment">{inquiry.note}</p>}
              <p>{words.askAgain}</p>
            </div>
          )}
          <p>
            {words.intro(
              request.refund?.expectedBy
                ? formatDate(request.refund.expectedBy.latest, locale)
                : "",
            )}
          </p>
          <form onSubmit={(event) => void send(event)} noValidate>
            <div class="field">
              <label for={messageId}>{words.message}</label>
              <textarea
                id={messageId}
                ref={messageInput}
                rows={3}
                value={message}
                aria-describedby={`${messageId}-hint`}
                aria-invalid={tooLong}
                onInput={(event) => setMessage(event.currentTarget.value)}
              />
              <p class="hint" id={`${messageId}-hint`}>
                {words.messageHint}
              </p>
            </div>
            {tooLong && <InputAlert>{words.messageTooLong}</InputAlert>}
            <div class="actions">
              <button type="submit" class="primary" aria-disabled={busy}>
                {words.submit}
              </button>
            </div>
          </form>
        </>
      )}
      {failure && (
        <FailureAlert failure={failure} fieldLabels={{ "body.comment": words.message }} />
      )}
    </section>
  );
};
