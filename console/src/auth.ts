// Who is signed in. The console reads /console-config.json: local mode mints a token through
// POST /_local/tokens; in AWS, Cognito's hosted login with the authorization code and PKCE. Either
// way the access token is kept in sessionStorage (this tab only) and the roles come from its
// `cognito:groups` claim. In AWS the refresh token is kept too, only to revoke it on sign-out, and
// a staff role held back for want of an authenticator app is named by the token (staff-mfa.ts).
import { base64url, decodeJwt } from "jose";
import { GROUPS_AWAITING_MFA_CLAIM, USER_ADMIN_SCOPE } from "../../functions/auth/staff-mfa.ts";
import type { Language, Role } from "./messages/types.ts";

export type ConsoleConfig =
  | { mode: "local" }
  | {
      mode: "cognito";
      authDomain: string;
      clientId: string;
      redirectUri: string;
      scopes: string[];
    };

export interface Session {
  accessToken: string;
  userId: string;
  roles: Role[];
  /** The role the console acts in: the first of `roles` unless the person switched. */
  role: Role | undefined;
  /** Seconds since the epoch (the token's `exp`). */
  expiresAt: number;
  /** Cognito: revoked on sign-out. The console never refreshes with it. */
  refreshToken?: string | undefined;
  /** Staff roles the token holds back until the person turns on an authenticator app. */
  awaitingMfa?: Role[] | undefined;
  /** Cognito's user API for this token (its issuer's origin), when the token's scope allows it. */
  userApi?: string | undefined;
}

const SESSION_KEY = "console.session";
const PKCE_KEY = "console.pkce";

const GROUP_ROLES: Record<string, Role> = {
  buyers: "buyer",
  sellers: "seller",
  operators: "operator",
};

export const loadConfig = async (): Promise<ConsoleConfig> => {
  const response = await fetch("/console-config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`GET /console-config.json answered ${response.status}`);
  const config = (await response.json()) as Partial<ConsoleConfig> & Record<string, unknown>;
  if (config.mode === "local") return { mode: "local" };
  if (
    config.mode === "cognito" &&
    typeof config.authDomain === "string" &&
    typeof config.clientId === "string" &&
    typeof config.redirectUri === "string"
  ) {
    const scopes = Array.isArray(config.scopes) ? config.scopes.map(String) : ["openid"];
    return {
      mode: "cognito",
      authDomain: config.authDomain.replace(/\/+$/, ""),
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      scopes,
    };
  }
  throw new Error("/console-config.json names no sign-in mode the console knows");
};

const rolesOf = (groups: unknown[]): Role[] => [
  ...new Set(
    groups
      .map((group) => GROUP_ROLES[String(group)])
      .filter((role): role is Role => role !== undefined),
  ),
];

/** Cognito's user API is the issuer's origin: `https://cognito-idp.<region>.amazonaws.com`. */
const COGNITO_ISSUER = /^(https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com)\/[\w-]+$/;

/**
 * The session an access token stands for: its user, its roles (groups), its expiry, the staff
 * roles it holds back, and whether it may call Cognito's user API (only enrolment asks for that).
 */
export const sessionFromToken = (accessToken: string, refreshToken?: string): Session => {
  const claims = decodeJwt(accessToken);
  const groups = claims["cognito:groups"];
  const roles = rolesOf(Array.isArray(groups) ? groups : []);
  const awaiting = claims[GROUPS_AWAITING_MFA_CLAIM];
  const awaitingMfa = rolesOf(typeof awaiting === "string" ? awaiting.split(" ") : []);
  const scopes = typeof claims.scope === "string" ? claims.scope.split(" ") : [];
  const issuer = typeof claims.iss === "string" ? COGNITO_ISSUER.exec(claims.iss) : null;
  // Cognito access tokens carry the sign-in name as `username`; `sub` is an opaque id.
  const username = typeof claims.username === "string" ? claims.username : undefined;
  return {
    accessToken,
    userId: username ?? claims.sub ?? "",
    roles,
    role: roles[0],
    expiresAt: claims.exp ?? 0,
    ...(refreshToken ? { refreshToken } : {}),
    ...(awaitingMfa.length > 0 ? { awaitingMfa } : {}),
    ...(issuer?.[1] && scopes.includes(USER_ADMIN_SCOPE) ? { userApi: issuer[1] } : {}),
  };
};

export const storedSession = (storage: Storage = sessionStorage): Session | undefined => {
  try {
    const session = JSON.parse(storage.getItem(SESSION_KEY) ?? "null") as Session | null;
    if (!session || session.expiresAt * 1000 <= Date.now()) return undefined;
    return session;
  } catch {
    return undefined;
  }
};

export const keepSession = (session: Session, storage: Storage = sessionStorage) =>
  storage.setItem(SESSION_KEY, JSON.stringify(session));

export const forgetSession = (storage: Storage = sessionStorage) => {
  storage.removeItem(SESSION_KEY);
  storage.removeItem(PKCE_KEY);
};

/** Local mode: a token for `userId` in `role`'s group, minted by local mode itself. */
export const mintLocalToken = async (
  body: { sub: string; groups?: string[]; scopes?: string[] },
  fetcher: typeof fetch = (input, init) => globalThis.fetch(input, init),
): Promise<string> => {
  // A local-only route (never in the CDK app), so not part of the OpenAPI document.
  const response = await fetcher("/_local/tokens", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST /_local/tokens answered ${response.status}`);
  const { accessToken } = (await response.json()) as { accessToken: string };
  return accessToken;
};

export const ROLE_GROUPS: Record<Role, string> = {
  buyer: "buyers",
  seller: "sellers",
  operator: "operators",
};

const randomText = (bytes: number) =>
  base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));

/** PKCE (RFC 7636): the S256 challenge of a verifier. */
export const codeChallenge = async (verifier: string): Promise<string> =>
  base64url.encode(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  );

type CognitoConfig = Extract<ConsoleConfig, { mode: "cognito" }>;

/**
 * Sends the browser to Cognito's hosted login; it comes back to `redirectUri` with a code. The
 * scopes are the config's, except when enrolling an authenticator (ENROLMENT_SCOPES).
 */
export const startCognitoSignIn = async (
  config: CognitoConfig,
  language: Language,
  scopes: readonly string[] = config.scopes,
) => {
  const verifier = randomText(32);
  const state = randomText(16);
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, hash: location.hash }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: scopes.join(" "),
    state,
    code_challenge: await codeChallenge(verifier),
    code_challenge_method: "S256",
    lang: language,
  });
  location.assign(`${config.authDomain}/oauth2/authorize?${query}`);
};

/**
 * Back from the hosted login with `?code=…&state=…`: exchanges the code (with the verifier this
 * tab kept) for tokens. Answers undefined when the page was not opened by such a redirect.
 */
export const completeCognitoSignIn = async (
  config: CognitoConfig,
): Promise<{ session: Session; hash: string } | undefined> => {
  const url = new URL(location.href);
  const code = url.searchParams.get("code");
  const state = url.searchParams.get("state");
  const failed = url.searchParams.get("error");
  if (!code && !failed) return undefined;
  const pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "null") as {
    verifier: string;
    state: string;
    hash: string;
  } | null;
  sessionStorage.removeItem(PKCE_KEY);
  // The code and state are single-use: take them out of the address bar (and the history).
  for (const name of ["code", "state", "error", "error_description"]) url.searchParams.delete(name);
  history.replaceState(null, "", `${url.pathname}${url.search}${pending?.hash ?? ""}`);
  if (!code || !pending || pending.state !== state) throw new Error("sign-in was not completed");
  const response = await fetch(`${config.authDomain}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.clientId,
      code,
      redirect_uri: config.redirectUri,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`the token endpoint answered ${response.status}`);
  const tokens = (await response.json()) as { access_token: string; refresh_token?: string };
  return {
    session: sessionFromToken(tokens.access_token, tokens.refresh_token),
    hash: pending.hash,
  };
};

/**
 * Revokes a refresh token at Cognito's `/oauth2/revoke` (RFC 7009; a public client sends its id,
 * no secret): Cognito then issues nothing more from it, and its user API refuses the access tokens
 * that came with it. Answers whether Cognito confirmed; never throws, so sign-out always goes on.
 */
export const revokeRefreshToken = async (
  config: CognitoConfig,
  refreshToken: string,
  fetcher: typeof fetch = (input, init) => globalThis.fetch(input, init),
): Promise<boolean> => {
  try {
    const response = await fetcher(`${config.authDomain}/oauth2/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: refreshToken, client_id: config.clientId }),
      signal: AbortSignal.timeout(5_000),
    });
    return response.ok;
  } catch {
    return false;
  }
};

/** Cognito's logout ends the hosted login's own session too, then returns to the console. */
export const cognitoLogoutUrl = (config: CognitoConfig): string =>
  `${config.authDomain}/logout?${new URLSearchParams({
    client_id: config.clientId,
    logout_uri: config.redirectUri,
  })}`;
