// @vitest-environment happy-dom
// Signing in through Cognito's hosted login with the authorization code and PKCE: the authorize
// redirect carries an S256 challenge of a verifier kept in this tab; back with the code, the token
// endpoint gets the code with that verifier; the state must match; logout goes through Cognito.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type ConsoleConfig,
  codeChallenge,
  cognitoLogoutUrl,
  completeCognitoSignIn,
  sessionFromToken,
  startCognitoSignIn,
} from "../../console/src/auth.ts";
import { FakeApi, fakeToken } from "./fake-api.ts";

const config: Extract<ConsoleConfig, { mode: "cognito" }> = {
  mode: "cognito",
  authDomain: "https://console-auth.example.com",
  clientId: "client-123",
  redirectUri: "https://console.example.com/",
  scopes: ["openid", "email", "profile"],
};

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
      scope: "openid email profile",
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
});
