// Renders console components as the app does: in a language, with an API client on `fetch` and a
// signed-in person (or none).
import { render } from "@testing-library/preact";
import type { ComponentChildren } from "preact";
import { createApi } from "../../console/src/api.ts";
import { AppContext } from "../../console/src/app-context.ts";
import type { Session } from "../../console/src/auth.ts";
import { MESSAGES, MessagesContext } from "../../console/src/i18n.ts";
import type { Language, Role } from "../../console/src/messages/types.ts";

export const sessionOf = (userId: string, role: Role): Session => ({
  accessToken: `token-of-${userId}`,
  userId,
  roles: [role],
  role,
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
});

export const renderInConsole = (
  children: ComponentChildren,
  options: { language?: Language; session?: Session } = {},
) => {
  const session = options.session;
  const api = createApi({ baseUrl: "http://localhost:3000", token: () => session?.accessToken });
  return render(
    <MessagesContext.Provider value={MESSAGES[options.language ?? "en"]}>
      <AppContext.Provider
        value={{
          api,
          config: { mode: "local" },
          session,
          role: session?.role,
          focusOnPageChange: false,
        }}
      >
        {children}
      </AppContext.Provider>
    </MessagesContext.Provider>,
  );
};
