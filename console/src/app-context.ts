// What every page needs from the app: the API client, who is signed in and in which role, the
// sign-in mode, and whether a page change should move focus to the new page's heading.
import { createContext } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import type { Api } from "./api.ts";
import type { ConsoleConfig, Session } from "./auth.ts";
import type { Role } from "./messages/types.ts";

export interface AppContextValue {
  api: Api;
  config: ConsoleConfig;
  session: Session | undefined;
  role: Role | undefined;
  /** False on the first page shown: focus stays where the browser put it. */
  focusOnPageChange: boolean;
}

export const AppContext = createContext<AppContextValue | undefined>(undefined);

export const useApp = (): AppContextValue => {
  const value = useContext(AppContext);
  if (!value) throw new Error("useApp outside the console's AppContext");
  return value;
};

/** The current time, renewed every `everyMs` (time left until deadlines). */
export const useNow = (everyMs = 30_000): Date => {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
};
