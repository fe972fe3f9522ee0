// A staff member whose token holds their role back (no authenticator app yet) enrols one here, in
// two steps. First, sign in once more asking for Cognito's user-API scope (the everyday token has
// none, so a stolen one cannot touch the account). Back with that token: AssociateSoftwareToken
// gives the setup key, shown as text and as an otpauth address; VerifySoftwareToken checks a code
// from the app; SetUserMFAPreference turns TOTP on. That token is then revoked and forgotten, and
// the person signs in again, now with a code, and gets their role.
import { useEffect, useRef, useState } from "preact/hooks";
import { ENROLMENT_SCOPES } from "../../../functions/auth/staff-mfa.ts";
import {
  type ConsoleConfig,
  cognitoLogoutUrl,
  forgetSession,
  revokeRefreshToken,
  type Session,
  startCognitoSignIn,
} from "../auth.ts";
import {
  associateSoftwareToken,
  CognitoUserApiError,
  groupedSecret,
  otpauthUri,
  turnOnSoftwareToken,
  verifySoftwareToken,
} from "../cognito-user-api.ts";
import { InputAlert, Loading, Notice } from "../components/alerts.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { useMessages } from "../i18n.ts";
import { MFA_WORDS, type MfaWords } from "../messages/mfa.ts";

type CognitoConfig = Extract<ConsoleConfig, { mode: "cognito" }>;

const CODE = /^\d{6}$/;

/** What a refusal means to the person. */
const problemOf = (error: unknown, words: MfaWords): string => {
  const type = error instanceof CognitoUserApiError ? error.type : "";
  if (type === "CodeMismatchException" || type === "EnableSoftwareTokenMFAException")
    return words.codeMismatch;
  // The token expired (an hour) or was revoked.
  if (type === "NotAuthorizedException") return words.expired;
  return words.failed;
};

/** Step one: back to the hosted login for a token that may enrol (the session cookie is kept). */
const StartEnrolment = ({ config, session }: { config: CognitoConfig; session: Session }) => {
  const messages = useMessages();
  const words = MFA_WORDS[messages.language];
  const [busy, setBusy] = useState(false);
  const start = async () => {
    if (busy) return;
    setBusy(true);
    // The everyday token is done with: the enrolment sign-in replaces it.
    if (session.refreshToken) await revokeRefreshToken(config, session.refreshToken);
    forgetSession();
    await startCognitoSignIn(config, messages.language, ENROLMENT_SCOPES);
  };
  return (
    <div class="panel">
      <p class="hint">{words.startHint}</p>
      <div class="actions">
        <button type="button" class="primary" aria-disabled={busy} onClick={() => void start()}>
          {words.start}
        </button>
      </div>
    </div>
  );
};

/** Step two, with a token that may call the user API: the key, a code, TOTP on. */
const Enrol = ({
  config,
  session,
  userApi,
}: {
  config: CognitoConfig;
  session: Session;
  userApi: string;
}) => {
  const messages = useMessages();
  const words = MFA_WORDS[messages.language];
  const [secret, setSecret] = useState<string>();
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<string>();
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    associateSoftwareToken(userApi, session.accessToken).then(setSecret, (error: unknown) =>
      setProblem(problemOf(error, words)),
    );
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const digits = code.replace(/\s/g, "");
    if (!CODE.test(digits)) {
      setInvalid(true);
      setProblem(words.codeRequired);
      codeInput.current?.focus();
      return;
    }
    setInvalid(false);
    setProblem(undefined);
    setBusy(true);
    try {
      if (!(await verifySoftwareToken(userApi, session.accessToken, digits, words.deviceName))) {
        setProblem(words.codeMismatch);
        return;
      }
      await turnOnSoftwareToken(userApi, session.accessToken);
      // This token could change the account's MFA: revoked now, and the tab forgets it.
      if (session.refreshToken) await revokeRefreshToken(config, session.refreshToken);
      forgetSession();
      setDone(true);
    } catch (error) {
      setProblem(problemOf(error, words));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <div class="panel">
        <Notice>{words.done}</Notice>
        <div class="actions">
          <button
            type="button"
            class="primary"
            // Through Cognito's logout, so the next sign-in asks for the password and a code.
            onClick={() => location.assign(cognitoLogoutUrl(config))}
          >
            {words.signInAgain}
          </button>
        </div>
      </div>
    );
  }
  if (!secret) return problem ? <InputAlert>{problem}</InputAlert> : <Loading />;
  return (
    <section class="panel" aria-labelledby="mfa-key-heading">
      <h2 id="mfa-key-heading">{words.keyHeading}</h2>
      <ol>
        {words.steps.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
      <dl class="facts">
        <dt>{words.setupKey}</dt>
        <dd>
          <code class="setup-key">{groupedSecret(secret)}</code>
        </dd>
        <dt>{words.setupUri}</dt>
        <dd>
          <code class="setup-uri">{otpauthUri(messages.appName, session.userId, secret)}</code>
        </dd>
      </dl>
      <form onSubmit={submit} noValidate>
        <div class="field">
          <label for="mfa-code">{words.code}</label>
          <input
            id="mfa-code"
            ref={codeInput}
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            spellcheck={false}
            value={code}
            required
            aria-describedby="mfa-code-hint"
            aria-invalid={invalid}
            onInput={(event) => setCode(event.currentTarget.value)}
          />
          <p id="mfa-code-hint" class="hint">
            {words.codeHint}
          </p>
        </div>
        {problem && <InputAlert>{problem}</InputAlert>}
        <div class="actions">
          <button type="submit" class="primary" aria-disabled={busy}>
            {words.verify}
          </button>
        </div>
      </form>
    </section>
  );
};

/** Shown instead of any page while the signed-in person's token holds a staff role back. */
export const MfaSetupPage = ({ config, session }: { config: CognitoConfig; session: Session }) => {
  const messages = useMessages();
  const words = MFA_WORDS[messages.language];
  const roles = words.roleList(session.awaitingMfa ?? [], messages.roles);
  return (
    <>
      <PageHeading title={words.heading} />
      <p>{words.intro(roles)}</p>
      {session.userApi ? (
        <Enrol config={config} session={session} userApi={session.userApi} />
      ) : (
        <StartEnrolment config={config} session={session} />
      )}
    </>
  );
};
