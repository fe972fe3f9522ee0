// The console's entry: the Japanese web font and styles, the sign-in mode from
// /console-config.json, a session kept in this tab or just back from the hosted login, then the app.
import "@fontsource/noto-sans-jp/400.css";
import "@fontsource/noto-sans-jp/700.css";
import "./styles.css";
import { render } from "preact";
import { App, type SignInNotice } from "./app.tsx";
import {
  completeCognitoSignIn,
  keepSession,
  loadConfig,
  type Session,
  storedSession,
} from "./auth.ts";
import { MESSAGES, pickLanguage } from "./i18n.ts";

const root = document.getElementById("app");
const language = pickLanguage(location.search, navigator.languages);
document.documentElement.lang = language;

const start = async () => {
  if (!root) return;
  try {
    const config = await loadConfig();
    let session: Session | undefined = storedSession();
    let notice: SignInNotice | undefined;
    if (config.mode === "cognito") {
      try {
        const completed = await completeCognitoSignIn(config);
        if (completed) {
          session = completed.session;
          keepSession(session);
        }
      } catch {
        notice = "failed";
      }
    }
    render(<App config={config} language={language} session={session} notice={notice} />, root);
  } catch {
    const words = MESSAGES[language];
    render(
      <main>
        <h1>{words.appName}</h1>
        <p role="alert">{words.errors.network}</p>
      </main>,
      root,
    );
  }
};

void start();
