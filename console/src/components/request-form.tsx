// The buyer's cancellation request: how many units of each line to cancel (a number field per line
// with units left, named by its title, preset to all of them), a reason (SPEC's reasons, in words)
// and a comment, required for OTHER. The "Refund preview" shows what the API works out for that
// choice (`POST …/preview`, stores nothing), re-asked as quantities change. The POST sends `lines`
// only when the buyer left something out: with every unit preset it asks for the whole rest.
// One Idempotency-Key per form fill: a retry after a failure sends the same key, so a request that
// did arrive is answered again rather than made twice; the form keeps its values.
import { useEffect, useRef, useState } from "preact/hooks";
import { CANCELLATION_REASONS, type CancellationReason } from "../../../functions/domain/codes.ts";
import { formatDate, formatMoney } from "../../../functions/notifications/format.ts";
import {
  type CancellationPreview,
  type CancellationRequest,
  type Failure,
  type Order,
  outcome,
} from "../api.ts";
import { useApp } from "../app-context.ts";
import { describeFailure } from "../errors.ts";
import { useMessages } from "../i18n.ts";
import type { Messages } from "../messages/types.ts";
import { FailureAlert, InputAlert } from "./alerts.tsx";

const MAX_COMMENT_LENGTH = 1000;
/** Quantities changed in quick succession (a spin button held down) make one preview call. */
const PREVIEW_DELAY_MS = 250;

type Line = Order["lines"][number];
type LineQuantity = { lineId: string; quantity: number };

const unitsLeft = (line: Line): number => line.quantity - line.cancelledQuantity;

/** A quantity field's text as a count of units, or undefined unless a whole number 0…left. */
const parseQuantity = (text: string, left: number): number | undefined => {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const quantity = Number(trimmed);
  return quantity <= left ? quantity : undefined;
};

const quantityFieldId = (index: number) => `cancel-quantity-${index}`;

/** Field labels by the API's error paths (`body.comment`, `body.lines.0.quantity`; also without
 * the `body.` prefix, as SPEC writes them). */
const fieldLabelsFor = (
  words: Messages["requestForm"],
  sent: readonly LineQuantity[] | undefined,
  titleOf: (lineId: string) => string,
): Record<string, string> => {
  const labels: Record<string, string> = { reason: words.reason, comment: words.comment };
  for (const [index, line] of (sent ?? []).entries()) {
    labels[`lines.${index}.quantity`] = titleOf(line.lineId);
    labels[`lines.${index}.lineId`] = titleOf(line.lineId);
  }
  return Object.fromEntries(
    Object.entries(labels).flatMap(([path, label]) => [
      [path, label],
      [`body.${path}`, label],
    ]),
  );
};

type PreviewState =
  | { state: "none" }
  | { state: "loading"; last?: CancellationPreview }
  | { state: "ok"; data: CancellationPreview }
  | { state: "failed"; failure: Failure };

const PreviewAmounts = ({ preview }: { preview: CancellationPreview }) => {
  const messages = useMessages();
  const words = messages.requestForm.preview;
  const locale = messages.language;
  const money = (amount: number) => formatMoney(amount, preview.currency);
  return (
    <>
      <dl class="facts">
        <dt>{words.items}</dt>
        <dd class="amount">{money(preview.itemsAmount)}</dd>
        <dt>{words.shipping}</dt>
        <dd class="amount">{money(preview.shippingAmount)}</dd>
        <dt>{words.amount}</dt>
        <dd class="amount">
          <strong>{money(preview.amount)}</strong>
        </dd>
        <dt>{words.method}</dt>
        <dd>{messages.paymentMethods[preview.method]}</dd>
      </dl>
      {/* A sentence rather than a fact: the dates need the width of a phone's line. */}
      {preview.expectedBy && (
        <p class="hint">
          {words.expectedBy(
            messages.request.expectedRange(
              formatDate(preview.expectedBy.earliest, locale),
              formatDate(preview.expectedBy.latest, locale),
            ),
          )}
        </p>
      )}
      <p class="hint">
        {preview.method === "CASH_ON_DELIVERY"
          ? messages.request.refuseDeliveryAdvice
          : words.approval[preview.approval]}
      </p>
    </>
  );
};

export const RequestForm = ({
  order,
  onSent,
  onCancel,
}: {
  order: Order;
  onSent: (request: CancellationRequest) => void;
  onCancel: () => void;
}) => {
  const { api } = useApp();
  const messages = useMessages();
  const words = messages.requestForm;
  const { orderId } = order;
  const [reason, setReason] = useState<CancellationReason | "">("");
  const [comment, setComment] = useState("");
  // What is typed in each line's field, by lineId; a line not typed in yet holds what is left.
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const [invalid, setInvalid] = useState<{ message: string; fieldId: string }>();
  const [failure, setFailure] = useState<{ failure: Failure; lines?: LineQuantity[] }>();
  const [sending, setSending] = useState(false);
  const [preview, setPreview] = useState<PreviewState>({ state: "loading" });

  const open = order.lines.filter((line) => unitsLeft(line) > 0);
  const titleOf = (lineId: string) =>
    order.lines.find((line) => line.lineId === lineId)?.title ?? lineId;
  const quantities = open.map((line) =>
    parseQuantity(typed[line.lineId] ?? String(unitsLeft(line)), unitsLeft(line)),
  );
  const firstInvalid = quantities.indexOf(undefined);
  const chosen: LineQuantity[] = open.flatMap((line, index) => {
    const quantity = quantities[index] ?? 0;
    return quantity > 0 ? [{ lineId: line.lineId, quantity }] : [];
  });
  const everyUnitLeft = open.every((line, index) => quantities[index] === unitsLeft(line));
  const lines = everyUnitLeft ? undefined : chosen;
  const nothingChosen = firstInvalid === -1 && chosen.length === 0;

  // The preview follows the choice: asked a moment after the last change, and only the answer to
  // the latest question is shown (an earlier one arriving late is dropped).
  const previewBody =
    firstInvalid === -1 && !nothingChosen
      ? { ...(lines ? { lines } : {}), ...(reason ? { reason } : {}) }
      : undefined;
  const previewKey = previewBody ? JSON.stringify(previewBody) : undefined;
  const generation = useRef(0);
  const previewing = useRef<Promise<unknown> | undefined>(undefined);
  useEffect(() => {
    // Once the request is on its way the preview waits: asked after it, it would be refused.
    if (sending) return;
    const mine = ++generation.current;
    if (!previewBody) {
      setPreview({ state: "none" });
      return;
    }
    setPreview((before) => ({
      state: "loading",
      ...(before.state === "ok" ? { last: before.data } : {}),
      ...(before.state === "loading" && before.last ? { last: before.last } : {}),
    }));
    const timer = setTimeout(async () => {
      const asked = outcome(
        api.POST("/orders/{orderId}/cancellation-requests/preview", {
          params: { path: { orderId } },
          body: previewBody,
        }),
      );
      previewing.current = asked;
      const result = await asked;
      if (mine !== generation.current) return;
      setPreview(
        result.ok
          ? { state: "ok", data: result.data }
          : { state: "failed", failure: result.failure },
      );
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [api, orderId, previewKey, sending]);

  const check = (): { message: string; fieldId: string } | undefined => {
    const line = open[firstInvalid];
    if (line) {
      return {
        message: words.quantityInvalid(line.title, unitsLeft(line)),
        fieldId: quantityFieldId(firstInvalid),
      };
    }
    if (!reason) return { message: words.reasonRequired, fieldId: "cancel-reason" };
    if (reason === "OTHER" && comment.trim() === "")
      return { message: words.commentRequired, fieldId: "cancel-comment" };
    if (comment.length > MAX_COMMENT_LENGTH)
      return { message: words.commentTooLong, fieldId: "cancel-comment" };
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
      if (problem) document.getElementById(problem.fieldId)?.focus();
      return;
    }
    setSending(true);
    // A preview already asked is answered first, so the API never sees it after the request.
    await previewing.current;
    const trimmed = comment.trim();
    const result = await outcome(
      api.POST("/orders/{orderId}/cancellation-requests", {
        params: { path: { orderId }, header: { "Idempotency-Key": idempotencyKey } },
        body: { reason, ...(trimmed ? { comment: trimmed } : {}), ...(lines ? { lines } : {}) },
      }),
    );
    setSending(false);
    if (result.ok) onSent(result.data);
    else setFailure({ failure: result.failure, ...(lines ? { lines } : {}) });
  };

  const previewFailure =
    preview.state === "failed"
      ? describeFailure(preview.failure, messages, fieldLabelsFor(words, lines, titleOf))
      : undefined;
  const shownPreview =
    preview.state === "ok" ? preview.data : preview.state === "loading" ? preview.last : undefined;

  return (
    <form class="panel" onSubmit={submit} noValidate aria-labelledby="request-form-heading">
      <h2 id="request-form-heading">{words.heading}</h2>
      <fieldset class="quantities" aria-describedby="cancel-quantities-hint">
        <legend>{words.items}</legend>
        <p id="cancel-quantities-hint" class="hint">
          {words.itemsHint}
        </p>
        {open.map((line, index) => {
          const left = unitsLeft(line);
          const id = quantityFieldId(index);
          return (
            <div class="quantity" key={line.lineId}>
              <label for={id}>{line.title}</label>
              <input
                id={id}
                type="number"
                inputMode="numeric"
                min={0}
                max={left}
                step={1}
                value={typed[line.lineId] ?? String(left)}
                aria-describedby={`${id}-hint`}
                aria-invalid={quantities[index] === undefined}
                onInput={(event) => {
                  const text = event.currentTarget.value;
                  setTyped((before) => ({ ...before, [line.lineId]: text }));
                }}
              />
              <p id={`${id}-hint`} class="hint">
                {words.unitsLeft(formatMoney(line.unitPrice, order.currency), left)}
              </p>
            </div>
          );
        })}
      </fieldset>
      <div class="field">
        <label for="cancel-reason">{words.reason}</label>
        <select
          id="cancel-reason"
          value={reason}
          required
          aria-invalid={invalid?.fieldId === "cancel-reason"}
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
          aria-invalid={invalid?.fieldId === "cancel-comment"}
          onInput={(event) => setComment(event.currentTarget.value)}
        />
        <p id="cancel-comment-hint" class="hint">
          {words.commentHint}
        </p>
      </div>
      <section
        class="preview"
        aria-labelledby="refund-preview-heading"
        aria-busy={preview.state === "loading"}
      >
        <h3 id="refund-preview-heading">{words.preview.heading}</h3>
        {/* Announced when it changes, after the quantity that changed it. */}
        <div aria-live="polite">
          {preview.state === "none" &&
            (firstInvalid === -1 ? (
              <p>{words.preview.nothingChosen}</p>
            ) : (
              <p>
                {open[firstInvalid] &&
                  words.quantityInvalid(open[firstInvalid].title, unitsLeft(open[firstInvalid]))}
              </p>
            ))}
          {preview.state === "loading" && !shownPreview && <p>{words.preview.loading}</p>}
          {shownPreview && <PreviewAmounts preview={shownPreview} />}
          {previewFailure && (
            <div class="preview-problem">
              <p>{previewFailure.message}</p>
              {previewFailure.details.length > 0 && (
                <ul class="details">
                  {previewFailure.details.map((detail) => (
                    <li key={detail}>{detail}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>
      </section>
      {invalid && <InputAlert>{invalid.message}</InputAlert>}
      {failure && (
        <FailureAlert
          failure={failure.failure}
          keptValues
          fieldLabels={fieldLabelsFor(words, failure.lines, titleOf)}
        />
      )}
      <div class="actions">
        <button
          type="submit"
          class="primary"
          aria-disabled={sending}
          disabled={nothingChosen}
          aria-describedby={nothingChosen ? "cancel-nothing-chosen" : undefined}
        >
          {words.submit}
        </button>
        <button type="button" onClick={onCancel}>
          {words.cancel}
        </button>
      </div>
      {nothingChosen && (
        <p id="cancel-nothing-chosen" class="hint">
          {words.nothingChosen}
        </p>
      )}
    </form>
  );
};
