// Approve or reject a request (the seller's decision, or the marketplace's): "Reject" asks for a
// reason before "Confirm rejection" sends it. A failure is told next to the buttons.
import { useRef, useState } from "preact/hooks";
import type { Failure, Outcome } from "../api.ts";
import { useMessages } from "../i18n.ts";
import { FailureAlert, InputAlert } from "./alerts.tsx";

export type Decide = (
  decision: { decision: "APPROVE" } | { decision: "REJECT"; reason: string },
) => Promise<Outcome<unknown>>;

export const DecisionControls = ({ id, decide }: { id: string; decide: Decide }) => {
  const words = useMessages().queue;
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [invalid, setInvalid] = useState(false);
  const [failure, setFailure] = useState<Failure>();
  const [busy, setBusy] = useState(false);
  const reasonInput = useRef<HTMLInputElement>(null);

  const send = async (decision: Parameters<Decide>[0]) => {
    if (busy) return;
    setBusy(true);
    setFailure(undefined);
    const result = await decide(decision);
    setBusy(false);
    if (!result.ok) setFailure(result.failure);
  };

  const confirmRejection = (event: Event) => {
    event.preventDefault();
    const trimmed = reason.trim();
    setInvalid(trimmed === "");
    if (trimmed) void send({ decision: "REJECT", reason: trimmed });
    else reasonInput.current?.focus();
  };

  return (
    <div class="decision">
      {rejecting ? (
        <form onSubmit={confirmRejection} noValidate class="reject-form">
          <div class="field">
            <label for={`${id}-reject-reason`}>{words.rejectReason}</label>
            <input
              id={`${id}-reject-reason`}
              ref={reasonInput}
              type="text"
              value={reason}
              maxLength={500}
              required
              aria-invalid={invalid}
              onInput={(event) => setReason(event.currentTarget.value)}
            />
          </div>
          {invalid && <InputAlert>{words.rejectReasonRequired}</InputAlert>}
          <div class="actions">
            <button type="submit" class="danger" aria-disabled={busy}>
              {words.confirmReject}
            </button>
            <button
              type="button"
              onClick={() => {
                setRejecting(false);
                setInvalid(false);
              }}
            >
              {words.cancel}
            </button>
          </div>
        </form>
      ) : (
        <div class="actions">
          <button
            type="button"
            class="primary"
            aria-disabled={busy}
            onClick={() => void send({ decision: "APPROVE" })}
          >
            {words.approve}
          </button>
          <button
            type="button"
            onClick={() => {
              setRejecting(true);
              // The reason box appears in place of the buttons: move there.
              setTimeout(() => reasonInput.current?.focus());
            }}
          >
            {words.reject}
          </button>
        </div>
      )}
      {failure && <FailureAlert failure={failure} fieldLabels={{ reason: words.rejectReason }} />}
    </div>
  );
};
