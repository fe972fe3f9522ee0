// The console's frame: language, who is signed in and in which role, the header with navigation,
// the language switch and "Sign out", and the page the hash names for that role (or, for staff
// whose token holds their role back, the authenticator app's setup).
import { useMemo, useRef, useState } from "preact/hooks";
import { createApi } from "./api.ts";
import { AppContext, type AppContextValue } from "./app-context.ts";
import {
  type ConsoleConfig,
  cognitoLogoutUrl,
  forgetSession,
  keepSession,
  revokeRefreshToken,
  type Session,
} from "./auth.ts";
import { MESSAGES, MessagesContext } from "./i18n.ts";
import type { Language, Messages, Role } from "./messages/types.ts";
import { BuyerOrderPage } from "./pages/buyer-order.tsx";
import { FindOrderPage } from "./pages/find-order.tsx";
import { MfaSetupPage } from "./pages/mfa-setup.tsx";
import { MyOrdersPage } from "./pages/my-orders.tsx";
import { ParcelsPage } from "./pages/parcels.tsx";
import { OperatorSellerPerformancePage, SellerPerformancePage } from "./pages/performance.tsx";
import { RecordShipmentPage } from "./pages/record-shipment.tsx";
import { RefundInquiriesPage } from "./pages/refund-inquiries.tsx";
import { RequestDetailPage } from "./pages/request-detail.tsx";
import { RequestQueuePage } from "./pages/request-queue.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { href, navigate, useHashPath } from "./router.ts";

export type SignInNotice = "expired" | "failed";

interface NavLink {
  path: string;
  label: (messages: Messages) => string;
}

const NAVIGATION: Record<Role, NavLink[]> = {
  buyer: [{ path: "/orders", label: (m) => m.nav.myOrders }],
  seller: [
    { path: "/seller/requests", label: (m) => m.nav.sellerRequests },
    { path: "/seller/parcels", label: (m) => m.nav.parcels },
    { path: "/seller/performance", label: (m) => m.nav.performance },
    { path: "/seller/shipment", label: (m) => m.nav.recordShipment },
  ],
  operator: [
    { path: "/operator/review", label: (m) => m.nav.reviewQueue },
    { path: "/operator/refund-failures", label: (m) => m.nav.refundFailures },
    { path: "/operator/refund-inquiries", label: (m) => m.nav.refundInquiries },
    { path: "/operator/find", label: (m) => m.nav.findOrder },
    { path: "/operator/sellers", label: (m) => m.nav.sellerPerformance },
  ],
};

/** The page for a path and role; unknown paths show the role's first page. */
const pageFor = (path: string, role: Role) => {
  const order = /^\/orders\/([^/]+)$/.exec(path);
  const request = /^\/requests\/([^/]+)\/([^/]+)$/.exec(path);
  if (role === "buyer") {
    if (order?.[1]) return <BuyerOrderPage orderId={order[1]} />;
    return <MyOrdersPage />;
  }
  if (request?.[1] && request[2]) {
    return <RequestDetailPage orderId={request[1]} requestId={request[2]} />;
  }
  if (role === "seller") {
    if (path === "/seller/shipment") return <RecordShipmentPage />;
    if (path === "/seller/parcels") return <ParcelsPage />;
    if (path === "/seller/performance") return <SellerPerformancePage />;
    return <RequestQueuePage kind="seller" />;
  }
  if (path === "/operator/refund-failures") return <RequestQueuePage kind="failures" />;
  if (path === "/operator/refund-inquiries") return <RefundInquiriesPage />;
  if (path === "/operator/find") return <FindOrderPage />;
  if (path === "/operator/sellers") return <OperatorSellerPerformancePage />;
  return <RequestQueuePage kind="review" />;
};

/** Keeps `?lang=` in the address so a reload keeps the language the person chose. */
const rememberLanguage = (language: Language) => {
  const url = new URL(location.href);
  url.searchParams.set("lang", language);
  history.replaceState(history.state, "", url);
};

export const App = ({
  config,
  language: initialLanguage,
  session: initialSession,
  notice: initialNotice,
}: {
  config: ConsoleConfig;
  language: Language;
  session?: Session | undefined;
  notice?: SignInNotice | undefined;
}) => {
  const [language, setLanguage] = useState(initialLanguage);
  const [session, setSession] = useState(initialSession);
  const [notice, setNotice] = useState(initialNotice);
  const messages = MESSAGES[language];
  const path = useHashPath();

  // The API client reads the token of the moment; a refused token ends the session.
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const api = useMemo(
    () =>
      createApi({
        baseUrl: location.origin,
        token: () => sessionRef.current?.accessToken,
        onUnauthorized: () => {
          forgetSession();
          setSession(undefined);
          setNotice("expired");
        },
      }),
    [],
  );

  // Focus moves to a page's heading when the person went there, not on the first page shown.
  const shown = useRef({ key: "", count: 0 });
  // Signed out, every path shows the one sign-in page: it must not restart (losing what was
  // typed) when Sign out's navigation to "/" lands a moment later.
  const pageKey = session ? `${session.userId}|${session.role ?? ""}|${path}` : "sign-in";
  if (shown.current.key !== pageKey)
    shown.current = { key: pageKey, count: shown.current.count + 1 };
  document.documentElement.lang = language;

  const context: AppContextValue = {
    api,
    config,
    session,
    role: session?.role,
    focusOnPageChange: shown.current.count > 1,
  };

  const signedIn = (next: Session) => {
    keepSession(next);
    setNotice(undefined);
    setSession(next);
    navigate("/");
  };

  const signOut = async () => {
    // Cognito: the refresh token is revoked first, so that a copy of it issues nothing more.
    // Local mode's tokens are minted locally and simply forgotten.
    const refreshToken = sessionRef.current?.refreshToken;
    if (config.mode === "cognito" && refreshToken) await revokeRefreshToken(config, refreshToken);
    forgetSession();
    setSession(undefined);
    if (config.mode === "cognito") location.assign(cognitoLogoutUrl(config));
    else navigate("/");
  };

  const switchRole = (role: Role) => {
    if (!session) return;
    const next = { ...session, role };
    keepSession(next);
    setSession(next);
    navigate("/");
  };

  const switchLanguage = () => {
    const next: Language = language === "ja" ? "en" : "ja";
    setLanguage(next);
    rememberLanguage(next);
  };

  const role = session?.role;
  const links = role ? NAVIGATION[role] : [];
  const currentLink = links.find((link) => path.startsWith(link.path))?.path ?? links[0]?.path;
  const noticeText =
    notice === "expired"
      ? messages.signIn.sessionExpired
      : notice === "failed"
        ? messages.signIn.signInFailed
        : undefined;

  return (
    <MessagesContext.Provider value={messages}>
      <AppContext.Provider value={context}>
        <header class="top">
          <p class="brand">{messages.appName}</p>
          {links.length > 0 && (
            <nav aria-label={messages.navigationLabel}>
              <ul>
                {links.map((link) => (
                  <li key={link.path}>
                    <a
                      href={href(link.path)}
                      aria-current={link.path === currentLink ? "page" : undefined}
                    >
                      {link.label(messages)}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          <div class="account">
            {session && role && (
              <span class="who">{messages.signedInAs(session.userId, role)}</span>
            )}
            {session && session.roles.length > 1 && (
              <label class="role-switch">
                {messages.roleSwitch}{" "}
                <select
                  value={role}
                  onChange={(event) => switchRole(event.currentTarget.value as Role)}
                >
                  {session.roles.map((option) => (
                    <option key={option} value={option}>
                      {messages.roles[option]}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <button type="button" lang={messages.switchLanguageLang} onClick={switchLanguage}>
              {messages.switchLanguage}
            </button>
            {session && (
              <button type="button" onClick={() => void signOut()}>
                {messages.signOut}
              </button>
            )}
          </div>
        </header>
        <main id="main" tabIndex={-1} key={pageKey}>
          {!session ? (
            <SignInPage config={config} notice={noticeText} onSignedIn={signedIn} />
          ) : config.mode === "cognito" && session.awaitingMfa?.length ? (
            <MfaSetupPage config={config} session={session} />
          ) : !role ? (
            <p role="alert">{messages.signIn.noRole}</p>
          ) : (
            pageFor(path, role)
          )}
        </main>
      </AppContext.Provider>
    </MessagesContext.Provider>
  );
};
