// An API failure in words next to the form that caused it (role "alert"), and short notices of
// what just succeeded (role "status").
import type { ComponentChildren } from "preact";
import type { Failure } from "../api.ts";
import { describeFailure } from "../errors.ts";
import { useMessages } from "../i18n.ts";

export const FailureAlert = ({
  failure,
  fieldLabels,
  keptValues = false,
}: {
  failure: Failure;
  fieldLabels?: Record<string, string>;
  /** Say that the form still holds what was typed. */
  keptValues?: boolean;
}) => {
  const messages = useMessages();
  const { message, details } = describeFailure(failure, messages, fieldLabels);
  return (
    <div role="alert" class="alert">
      <p>
        {message}
        {keptValues ? ` ${messages.errors.keptValues}` : ""}
      </p>
      {details.length > 0 && (
        <ul class="details">
          {details.map((detail) => (
            <li key={detail}>{detail}</li>
          ))}
        </ul>
      )}
    </div>
  );
};

/** A check made before anything is sent (a required field left empty). */
export const InputAlert = ({ children }: { children: ComponentChildren }) => (
  <div role="alert" class="alert">
    <p>{children}</p>
  </div>
);

export const Notice = ({ children }: { children: ComponentChildren }) => (
  <p role="status" class="notice">
    {children}
  </p>
);

export const Loading = () => {
  const messages = useMessages();
  return (
    <p class="loading" aria-busy="true">
      {messages.loading}
    </p>
  );
};
