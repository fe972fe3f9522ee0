// The buyer's cancellation request: a reason (SPEC's reasons, in words) and a comment, required for
// OTHER. One Idempotency-Key per form fill: a retry after a failure sends the same key, so a
// request that did arrive is answered again rather than made twice; the form keeps its values.
import { useState } from "preact/hooks";
import { CANCELLATION_REASONS, type CancellationReason } from "../../../functions/domain/codes.ts";
import { type CancellationRequest, type Failure, outcome } from "../api.ts";
import { useApp } from "../app-context.ts";
import { useMessages } from "../i18n.ts";
import { FailureAlert, InputAlert } from "./alerts.tsx";

const MAX_COMMENT_LENGTH = 1000;

export const RequestForm = ({
  orderId,
  onSent,
  onCancel,
}: {
  orderId: string;
  onSent: (request: CancellationRequest) => void;
  onCancel: () => void;
}) => {
  const { api } = useApp();
  const messages = useMessages();
  const words = messages.requestForm;
  const [reason, setReason] = useState<CancellationReason | "">("");
  const [comment, setComment] = useState("");
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const [invalid, setInvalid] = useState<string>();
  const [failure, setFailure] = useState<Failure>();
  const [sending, setSending] = useState(false);

  const check = (): string | undefined => {
    if (!reason) return words.reasonRequired;
    if (reason === "OTHER" && comment.trim() === "") return words.commentRequired;
    if (comment.length > MAX_COMMENT_LENGTH) return words.commentTooLong;
    return undefined;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (sending) return;
    const problem = check();
    setInvalid(problem);
    setFailure(undefined);
    if (problem || !reason) {
      // Straight to the field to fix (the alert says what is wrong with it).
      document.getElementById(reason ? "cancel-comment" : "cancel-reason")?.focus();
      return;
    }
    setSending(true);
    const trimmed = comment.trim();
    const result = await outcome(
      api.POST("/orders/{orderId}/cancellation-requests", {
        params: { path: { orderId }, header: { "Idempotency-Key": idempotencyKey } },
        body: { reason, ...(trimmed ? { comment: trimmed } : {}) },
      }),
    );
    setSending(false);
    if (result.ok) onSent(result.data);
    else setFailure(result.failure);
  };

  return (
    <form class="panel" onSubmit={submit} noValidate aria-labelledby="request-form-heading">
      <h2 id="request-form-heading">{words.heading}</h2>
      <div class="field">
        <label for="cancel-reason">{words.reason}</label>
        <select
          id="cancel-reason"
          value={reason}
          required
          aria-invalid={invalid === words.reasonRequired}
          onChange={(event) => setReason(event.currentTarget.value as CancellationReason | "")}
        >
          <option value="">{words.chooseReason}</option>
          {CANCELLATION_REASONS.map((code) => (
            <option key={code} value={code}>
              {messages.reasons[code]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="cancel-comment">{words.comment}</label>
        <textarea
          id="cancel-comment"
          value={comment}
          rows={3}
          maxLength={MAX_COMMENT_LENGTH}
          aria-describedby="cancel-comment-hint"
          aria-invalid={invalid === words.commentRequired || invalid === words.commentTooLong}
          onInput={(event) => setComment(event.currentTarget.value)}
        />
        <p id="cancel-comment-hint" class="hint">
          {words.commentHint}
        </p>
      </div>
      {invalid && <InputAlert>{invalid}</InputAlert>}
      {failure && (
        <FailureAlert
          failure={failure}
          keptValues
          fieldLabels={{ reason: words.reason, comment: words.comment }}
        />
      )}
      <div class="actions">
        <button type="submit" class="primary" aria-disabled={sending}>
          {words.submit}
        </button>
        <button type="button" onClick={onCancel}>
          {words.cancel}
        </button>
      </div>
    </form>
  );
};
