// @vitest-environment happy-dom
// Signing in through Cognito's hosted login with the authorization code and PKCE: the authorize
// redirect carries an S256 challenge of a verifier kept in this tab; back with the code, the token
// endpoint gets the code with that verifier; the state must match; logout goes through Cognito.
// The refresh token is kept only to be revoked; a token's held-back staff roles and its user-API
// scope are read from its claims.
import { base64url } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type ConsoleConfig,
  codeChallenge,
  cognitoLogoutUrl,
  completeCognitoSignIn,
  revokeRefreshToken,
  sessionFromToken,
  startCognitoSignIn,
} from "../../console/src/auth.ts";
import { ENROLMENT_SCOPES } from "../../functions/auth/staff-mfa.ts";
import { FakeApi, fakeToken } from "./fake-api.ts";

const config: Extract<ConsoleConfig, { mode: "cognito" }> = {
  mode: "cognito",
  authDomain: "https://console-auth.example.com",
  clientId: "client-123",
  redirectUri: "https://console.example.com/",
  scopes: ["openid"],
};

/** An access token with the claims Cognito's hosted login puts in one (never verified here). */
const cognitoToken = (claims: Record<string, unknown>) =>
  `${base64url.encode(JSON.stringify({ alg: "RS256" }))}.${base64url.encode(
    JSON.stringify({
      sub: "3f1c-sub",
      username: "op@example.jp",
      iss: "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_Example",
      scope: "openid",
      exp: Math.floor(Date.now() / 1000) + 3600,
      ...claims,
    }),
  )}.signature`;

beforeEach(() => {
  sessionStorage.clear();
  history.replaceState(null, "", "/#/orders/o-1001");
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("PKCE", () => {
  it("derives the S256 challenge of RFC 7636's example verifier", async () => {
    expect(await codeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });
});

describe("the hosted login", () => {
  const signInRedirect = async () => {
    const assign = vi.spyOn(location, "assign").mockImplementation(() => undefined);
    await startCognitoSignIn(config, "ja");
    const target = new URL(String(assign.mock.calls[0]?.[0]));
    return target;
  };

  it("sends the browser to /oauth2/authorize with the client, a state and an S256 challenge", async () => {
    const target = await signInRedirect();
    expect(`${target.origin}${target.pathname}`).toBe(
      "https://console-auth.example.com/oauth2/authorize",
    );
    const query = Object.fromEntries(target.searchParams);
    expect(query).toMatchObject({
      response_type: "code",
      client_id: "client-123",
      redirect_uri: "https://console.example.com/",
      scope: "openid",
      code_challenge_method: "S256",
      lang: "ja",
    });
    const pending = JSON.parse(sessionStorage.getItem("console.pkce") ?? "{}");
    expect(query.state).toBe(pending.state);
    expect(query.code_challenge).toBe(await codeChallenge(pending.verifier));
    expect(pending.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("exchanges the code with the verifier, then clears the code from the address", async () => {
    const target = await signInRedirect();
    const pending = JSON.parse(sessionStorage.getItem("console.pkce") ?? "{}");
    const accessToken = fakeToken("3f1c-sub", ["buyers", "sellers"]);
    const api = new FakeApi()
      .on("POST /oauth2/token", { status: 200, body: { access_token: accessToken } })
      .install();
    history.replaceState(null, "", `/?code=the-code&state=${target.searchParams.get("state")}`);

    const completed = await completeCognitoSignIn(config);

    const [call] = api.calls;
    expect(call?.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    const form = Object.fromEntries(new URLSearchParams(String(call?.body ?? "")));
    expect(form).toEqual({
      grant_type: "authorization_code",
      client_id: "client-123",
      code: "the-code",
      redirect_uri: "https://console.example.com/",
      code_verifier: pending.verifier,
    });
    expect(completed?.session).toMatchObject({
      accessToken,
      userId: "3f1c-sub",
      roles: ["buyer", "seller"],
      role: "buyer",
    });
    expect(location.search).toBe("");
    expect(location.hash).toBe("#/orders/o-1001");
    expect(sessionStorage.getItem("console.pkce")).toBeNull();
  });

  it("keeps the refresh token the code brings, to revoke it on sign-out", async () => {
    const target = await signInRedirect();
    new FakeApi()
      .on("POST /oauth2/token", {
        status: 200,
        body: { access_token: fakeToken("3f1c-sub", ["buyers"]), refresh_token: "refresh-1" },
      })
      .install();
    history.replaceState(null, "", `/?code=the-code&state=${target.searchParams.get("state")}`);
    const completed = await completeCognitoSignIn(config);
    expect(completed?.session.refreshToken).toBe("refresh-1");
  });

  it("asks for the user API's scope only when enrolling an authenticator", async () => {
    const assign = vi.spyOn(location, "assign").mockImplementation(() => undefined);
    await startCognitoSignIn(config, "en", ENROLMENT_SCOPES);
    const target = new URL(String(assign.mock.calls[0]?.[0]));
    expect(target.searchParams.get("scope")).toBe("openid aws.cognito.signin.user.admin");
    expect(target.searchParams.get("client_id")).toBe("client-123");
  });

  it("revokes a refresh token at /oauth2/revoke with the client id (no secret)", async () => {
    const api = new FakeApi().on("POST /oauth2/revoke", { status: 200 }).install();
    expect(await revokeRefreshToken(config, "refresh-1")).toBe(true);
    const [call] = api.calls;
    expect(call?.path).toBe("/oauth2/revoke");
    expect(call?.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(String(call?.body)))).toEqual({
      token: "refresh-1",
      client_id: "client-123",
    });
  });

  it("answers false, without throwing, when the revocation fails", async () => {
    new FakeApi()
      .on("POST /oauth2/revoke", { status: 400, body: { error: "invalid_request" } })
      .install();
    expect(await revokeRefreshToken(config, "refresh-1")).toBe(false);
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("network down")));
    expect(await revokeRefreshToken(config, "refresh-1")).toBe(false);
  });

  it("refuses a code whose state is not the one this tab sent", async () => {
    await signInRedirect();
    const api = new FakeApi().install();
    history.replaceState(null, "", "/?code=the-code&state=someone-elses");
    await expect(completeCognitoSignIn(config)).rejects.toThrow();
    expect(api.calls).toEqual([]);
  });

  it("does nothing on a page not opened by the hosted login", async () => {
    expect(await completeCognitoSignIn(config)).toBeUndefined();
  });

  it("signs out through Cognito's /logout back to the console", () => {
    const logout = new URL(cognitoLogoutUrl(config));
    expect(`${logout.origin}${logout.pathname}`).toBe("https://console-auth.example.com/logout");
    expect(Object.fromEntries(logout.searchParams)).toEqual({
      client_id: "client-123",
      logout_uri: "https://console.example.com/",
    });
  });
});

describe("a session from a token", () => {
  it("takes the user, the roles of known groups and the expiry", () => {
    const session = sessionFromToken(fakeToken("op-1", ["operators", "admins"]));
    expect(session.userId).toBe("op-1");
    expect(session.roles).toEqual(["operator"]);
    expect(session.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it("names the staff roles the token holds back for want of an authenticator", () => {
    const session = sessionFromToken(
      cognitoToken({ "cognito:groups": ["buyers"], groups_awaiting_mfa: "operators sellers" }),
    );
    expect(session).toMatchObject({ roles: ["buyer"], awaitingMfa: ["operator", "seller"] });
    expect(sessionFromToken(cognitoToken({})).awaitingMfa).toBeUndefined();
  });

  it("finds Cognito's user API only in a token with its scope, from a Cognito issuer", () => {
    expect(sessionFromToken(cognitoToken({})).userApi).toBeUndefined();
    const enrolling = cognitoToken({ scope: "openid aws.cognito.signin.user.admin" });
    expect(sessionFromToken(enrolling).userApi).toBe(
      "https://cognito-idp.ap-northeast-1.amazonaws.com",
    );
    const elsewhere = cognitoToken({
      scope: "openid aws.cognito.signin.user.admin",
      iss: "https://cognito-idp.example.com/pool",
    });
    expect(sessionFromToken(elsewhere).userApi).toBeUndefined();
  });
});
