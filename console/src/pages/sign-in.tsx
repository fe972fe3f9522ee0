// Sign-in. Local mode: a user ID and a role mint a local token; "Create sample orders" imports two
// shipped orders for that user ID. Cognito: a button to the hosted login.
import { useState } from "preact/hooks";
import type { Failure } from "../api.ts";
import {
  type ConsoleConfig,
  mintLocalToken,
  ROLE_GROUPS,
  type Session,
  sessionFromToken,
  startCognitoSignIn,
} from "../auth.ts";
import { FailureAlert, InputAlert, Notice } from "../components/alerts.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { useMessages } from "../i18n.ts";
import type { Role } from "../messages/types.ts";
import { createSampleOrders } from "../samples.ts";

const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/;
const ROLES: readonly Role[] = ["buyer", "seller", "operator"];

const LocalSignIn = ({ onSignedIn }: { onSignedIn: (session: Session) => void }) => {
  const messages = useMessages();
  const words = messages.signIn;
  const [userId, setUserId] = useState("");
  const [role, setRole] = useState<Role>("buyer");
  const [problem, setProblem] = useState<string>();
  const [samples, setSamples] = useState<string[]>();
  const [sampleFailure, setSampleFailure] = useState<Failure>();
  const [busy, setBusy] = useState(false);

  const checkedUserId = (): string | undefined => {
    const trimmed = userId.trim();
    const invalid = !trimmed
      ? words.userIdRequired
      : !USER_ID.test(trimmed) || trimmed.length > 128
        ? words.userIdInvalid
        : undefined;
    setProblem(invalid);
    if (invalid) document.getElementById("sign-in-user")?.focus();
    return invalid ? undefined : trimmed;
  };

  const signIn = async (event: Event) => {
    event.preventDefault();
    const sub = checkedUserId();
    if (!sub || busy) return;
    setBusy(true);
    try {
      onSignedIn(sessionFromToken(await mintLocalToken({ sub, groups: [ROLE_GROUPS[role]] })));
    } catch {
      setProblem(words.signInFailed);
    } finally {
      setBusy(false);
    }
  };

  const createSamples = async () => {
    const buyerId = checkedUserId();
    if (!buyerId || busy) return;
    setBusy(true);
    setSamples(undefined);
    setSampleFailure(undefined);
    const result = await createSampleOrders(buyerId, messages);
    setBusy(false);
    if (result.ok) setSamples(result.data);
    else setSampleFailure(result.failure);
  };

  return (
    <>
      <p>{words.localIntro}</p>
      <form class="panel" onSubmit={signIn} noValidate>
        <div class="field">
          <label for="sign-in-user">{words.userId}</label>
          <input
            id="sign-in-user"
            type="text"
            value={userId}
            autoComplete="username"
            spellcheck={false}
            required
            aria-describedby="sign-in-user-hint"
            aria-invalid={problem === words.userIdRequired || problem === words.userIdInvalid}
            onInput={(event) => setUserId(event.currentTarget.value)}
          />
          <p id="sign-in-user-hint" class="hint">
            {words.userIdHint}
          </p>
        </div>
        <div class="field">
          <label for="sign-in-role">{words.role}</label>
          <select
            id="sign-in-role"
            value={role}
            onChange={(event) => setRole(event.currentTarget.value as Role)}
          >
            {ROLES.map((option) => (
              <option key={option} value={option}>
                {messages.roles[option]}
              </option>
            ))}
          </select>
        </div>
        {problem && <InputAlert>{problem}</InputAlert>}
        <div class="actions">
          <button type="submit" class="primary" aria-disabled={busy}>
            {words.submit}
          </button>
        </div>
      </form>
      <section class="panel" aria-labelledby="samples-heading">
        <h2 id="samples-heading">{words.samplesHeading}</h2>
        <p class="hint">{words.samplesIntro}</p>
        <div class="actions">
          <button type="button" aria-disabled={busy} onClick={() => void createSamples()}>
            {words.createSamples}
          </button>
        </div>
        {samples && <Notice>{words.samplesCreated(samples)}</Notice>}
        {sampleFailure && <FailureAlert failure={sampleFailure} />}
      </section>
    </>
  );
};

export const SignInPage = ({
  config,
  notice,
  onSignedIn,
}: {
  config: ConsoleConfig;
  /** Why the person is back here (an expired sign-in, a failed hosted login). */
  notice?: string | undefined;
  onSignedIn: (session: Session) => void;
}) => {
  const messages = useMessages();
  const words = messages.signIn;
  return (
    <>
      <PageHeading title={words.heading} />
      {notice && <InputAlert>{notice}</InputAlert>}
      {config.mode === "local" ? (
        <LocalSignIn onSignedIn={onSignedIn} />
      ) : (
        <div class="panel">
          <p>{words.cognitoIntro}</p>
          <button
            type="button"
            class="primary"
            onClick={() => void startCognitoSignIn(config, messages.language)}
          >
            {words.cognitoSubmit}
          </button>
        </div>
      )}
    </>
  );
};
