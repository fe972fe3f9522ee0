// The operators' one-field lookup (an order id on Find order, a seller id on Seller performance):
// the field, its button, and what went wrong with either.
import type { Failure } from "../api.ts";
import { FailureAlert, InputAlert } from "./alerts.tsx";

export interface IdLookupFormProps {
  /** The input's id: the page focuses it when the field is left empty. */
  inputId: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  onSubmit: (event: Event) => void;
  submitLabel: string;
  /** What to say when the field was left empty (shown while `invalid`). */
  requiredText: string;
  invalid: boolean;
  busy: boolean;
  failure: Failure | undefined;
  /** Names of the API's fields as the form labels them, for the failure's field errors. */
  fieldLabels?: Record<string, string>;
}

export const IdLookupForm = (props: IdLookupFormProps) => (
  <form class="panel inline-form" onSubmit={props.onSubmit} noValidate>
    <div class="field">
      <label for={props.inputId}>{props.label}</label>
      <input
        id={props.inputId}
        type="text"
        value={props.value}
        required
        spellcheck={false}
        aria-invalid={props.invalid}
        onInput={(event) => props.onValue(event.currentTarget.value)}
      />
    </div>
    <div class="actions">
      <button type="submit" class="primary" aria-disabled={props.busy}>
        {props.submitLabel}
      </button>
    </div>
    {props.invalid && <InputAlert>{props.requiredText}</InputAlert>}
    {props.failure && (
      <FailureAlert
        failure={props.failure}
        {...(props.fieldLabels ? { fieldLabels: props.fieldLabels } : {})}
      />
    )}
  </form>
);
