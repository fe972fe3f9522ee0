// @vitest-environment happy-dom
// The deployed console (Cognito): Sign out revokes the refresh token before the session is
// forgotten, while local mode's stays local; a staff member whose token holds their role back is
// walked through an authenticator app's enrolment (a sign-in for the user API's scope, then
// AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference, and a sign-in again); a buyer
// never sees any of it.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { base64url } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../../console/src/app.tsx";
import { type ConsoleConfig, sessionFromToken } from "../../console/src/auth.ts";
import { anOrder, type FakeAnswer, FakeApi, fakeToken, type RecordedCall } from "./fake-api.ts";

const config: Extract<ConsoleConfig, { mode: "cognito" }> = {
  mode: "cognito",
  authDomain: "https://console-auth.example.com",
  clientId: "client-123",
  redirectUri: "https://console.example.com/",
  scopes: ["openid"],
};
const USER_API = "https://cognito-idp.ap-northeast-1.amazonaws.com";

/** An access token as the hosted login issues it (the console reads it, never verifies it). */
const cognitoToken = (claims: Record<string, unknown>) =>
  `${base64url.encode(JSON.stringify({ alg: "RS256" }))}.${base64url.encode(
    JSON.stringify({
      sub: "3f1c-sub",
      username: "op@example.jp",
      iss: `${USER_API}/ap-northeast-1_Example`,
      scope: "openid",
      exp: Math.floor(Date.now() / 1000) + 3600,
      ...claims,
    }),
  )}.signature`;

/** An operator without an authenticator: no group, the claim naming it. */
const everydayOperator = () =>
  sessionFromToken(cognitoToken({ groups_awaiting_mfa: "operators" }), "everyday-refresh");
/** The same person back from the enrolment sign-in: the user API's scope. */
const enrollingOperator = () =>
  sessionFromToken(
    cognitoToken({
      groups_awaiting_mfa: "operators",
      scope: "openid aws.cognito.signin.user.admin",
    }),
    "enrolment-refresh",
  );

/** Cognito's user API answers by the X-Amz-Target header, on POST /. */
const userApi =
  (answers: Record<string, FakeAnswer | FakeAnswer[]>) =>
  (call: RecordedCall): FakeAnswer => {
    const operation = call.headers.get("x-amz-target")?.split(".")[1] ?? "";
    const answer = answers[operation];
    const next = Array.isArray(answer) ? answer.shift() : answer;
    if (!next) throw new TypeError(`no answer for ${operation}`);
    return next;
  };
const targetsCalled = (api: FakeApi) =>
  api.callsTo("POST", "/").map((call) => call.headers.get("x-amz-target"));

let assign: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  sessionStorage.clear();
  history.replaceState(null, "", "/");
  assign = vi.spyOn(location, "assign").mockImplementation(() => undefined);
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("Sign out", () => {
  it("revokes the refresh token, then forgets the session and leaves through Cognito's logout", async () => {
    const session = sessionFromToken(fakeToken("3f1c-sub", ["buyers"]), "refresh-1");
    sessionStorage.setItem("console.session", JSON.stringify(session));
    let storedWhenRevoked: string | null = "";
    const api = new FakeApi()
      .on("GET /orders", { status: 200, body: { items: [anOrder()], nextCursor: null } })
      .on("POST /oauth2/revoke", () => {
        storedWhenRevoked = sessionStorage.getItem("console.session");
        return { status: 200 };
      })
      .install();
    render(<App config={config} language="en" session={session} />);

    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));

    await waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    const [revoke] = api.callsTo("POST", "/oauth2/revoke");
    expect(Object.fromEntries(new URLSearchParams(String(revoke?.body)))).toEqual({
      token: "refresh-1",
      client_id: "client-123",
    });
    // Revoked while the session was still kept; forgotten before leaving.
    expect(storedWhenRevoked).not.toBeNull();
    expect(sessionStorage.getItem("console.session")).toBeNull();
    expect(new URL(String(assign.mock.calls[0]?.[0])).pathname).toBe("/logout");
  });

  it("still signs out when Cognito cannot be reached to revoke", async () => {
    const session = sessionFromToken(fakeToken("3f1c-sub", ["buyers"]), "refresh-1");
    new FakeApi()
      .on("GET /orders", { status: 200, body: { items: [], nextCursor: null } })
      .on("POST /oauth2/revoke", { status: 503 })
      .install();
    render(<App config={config} language="en" session={session} />);
    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    expect(sessionStorage.getItem("console.session")).toBeNull();
  });

  it("stays local in local mode: nothing is revoked anywhere", async () => {
    const api = new FakeApi()
      .on("POST /_local/tokens", {
        status: 200,
        body: { accessToken: fakeToken("buyer-1", ["buyers"]) },
      })
      .on("GET /orders", { status: 200, body: { items: [], nextCursor: null } })
      .install();
    render(<App config={{ mode: "local" }} language="en" />);
    fireEvent.input(screen.getByRole("textbox", { name: "User ID" }), {
      target: { value: "buyer-1" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("textbox", { name: "User ID" })).toBeTruthy();
    expect(api.callsTo("POST", "/_local/tokens")).toHaveLength(1);
    expect(api.calls.filter((call) => call.path.includes("oauth2"))).toEqual([]);
    expect(assign).not.toHaveBeenCalled();
  });
});

describe("an operator without an authenticator app", () => {
  it("sees the setup instead of any page, and goes back to the hosted login for the user API's scope", async () => {
    const session = everydayOperator();
    expect(session.roles).toEqual([]);
    sessionStorage.setItem("console.session", JSON.stringify(session));
    const api = new FakeApi().on("POST /oauth2/revoke", { status: 200 }).install();
    render(<App config={config} language="en" session={session} />);

    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe(
      "Set up an authenticator app",
    );
    expect(
      screen.getByText(/Staff roles \(here: Operator\) need an authenticator app/),
    ).toBeTruthy();
    expect(screen.queryByRole("navigation")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Set up authenticator" }));

    await waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    const target = new URL(String(assign.mock.calls[0]?.[0]));
    expect(`${target.origin}${target.pathname}`).toBe(
      "https://console-auth.example.com/oauth2/authorize",
    );
    expect(target.searchParams.get("scope")).toBe("openid aws.cognito.signin.user.admin");
    // The everyday token is revoked and forgotten; only the sign-in's own PKCE state is kept.
    const [revoke] = api.callsTo("POST", "/oauth2/revoke");
    expect(new URLSearchParams(String(revoke?.body)).get("token")).toBe("everyday-refresh");
    expect(sessionStorage.getItem("console.session")).toBeNull();
    expect(sessionStorage.getItem("console.pkce")).not.toBeNull();
    expect(targetsCalled(api)).toEqual([]);
  });

  it("enrols: the setup key as text, a code from the app, TOTP turned on, the token revoked, sign in again", async () => {
    const session = enrollingOperator();
    sessionStorage.setItem("console.session", JSON.stringify(session));
    const api = new FakeApi()
      .on(
        "POST /",
        userApi({
          AssociateSoftwareToken: {
            status: 200,
            body: { SecretCode: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" },
          },
          VerifySoftwareToken: [
            { status: 400, body: { __type: "CodeMismatchException", message: "Invalid code" } },
            { status: 200, body: { Status: "SUCCESS" } },
          ],
          SetUserMFAPreference: { status: 200, body: {} },
        }),
      )
      .on("POST /oauth2/revoke", { status: 200 })
      .install();
    render(<App config={config} language="en" session={session} />);

    expect(await screen.findByText("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP")).toBeTruthy();
    expect(
      screen.getByText(
        "otpauth://totp/Post-shipment%20cancellation:op%40example.jp?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Post-shipment%20cancellation&algorithm=SHA1&digits=6&period=30",
      ),
    ).toBeTruthy();
    const [associate] = api.callsTo("POST", "/");
    expect(associate?.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(associate?.body).toEqual({ AccessToken: session.accessToken });

    const codeBox = screen.getByRole("textbox", { name: "Code from the app" });
    const verify = screen.getByRole("button", { name: "Verify" });
    // Not six digits: asked again, nothing sent.
    fireEvent.input(codeBox, { target: { value: "12345" } });
    fireEvent.click(verify);
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Enter the 6-digit code from the app.",
    );
    expect(targetsCalled(api)).toEqual([
      "AWSCognitoIdentityProviderService.AssociateSoftwareToken",
    ]);

    // A code that does not match.
    fireEvent.input(codeBox, { target: { value: "123 456" } });
    fireEvent.click(verify);
    expect(await screen.findByText(/That code did not match/)).toBeTruthy();

    fireEvent.input(codeBox, { target: { value: "654321" } });
    fireEvent.click(verify);
    expect(await screen.findByText(/Your authenticator app is set up/)).toBeTruthy();

    expect(targetsCalled(api)).toEqual([
      "AWSCognitoIdentityProviderService.AssociateSoftwareToken",
      "AWSCognitoIdentityProviderService.VerifySoftwareToken",
      "AWSCognitoIdentityProviderService.VerifySoftwareToken",
      "AWSCognitoIdentityProviderService.SetUserMFAPreference",
    ]);
    const [, first, second, preference] = api.callsTo("POST", "/");
    expect(first?.body).toEqual({
      AccessToken: session.accessToken,
      UserCode: "123456",
      FriendlyDeviceName: "Authenticator app",
    });
    expect(second?.body).toMatchObject({ UserCode: "654321" });
    expect(preference?.body).toEqual({
      AccessToken: session.accessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    });
    const [revoke] = api.callsTo("POST", "/oauth2/revoke");
    expect(new URLSearchParams(String(revoke?.body)).get("token")).toBe("enrolment-refresh");
    expect(sessionStorage.getItem("console.session")).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Sign in again" }));
    expect(new URL(String(assign.mock.calls[0]?.[0])).pathname).toBe("/logout");
  });

  it("says the setup expired when Cognito no longer takes the token", async () => {
    new FakeApi()
      .on(
        "POST /",
        userApi({
          AssociateSoftwareToken: {
            status: 400,
            body: { __type: "NotAuthorizedException", message: "Access Token has been revoked" },
          },
        }),
      )
      .install();
    render(<App config={config} language="en" session={enrollingOperator()} />);
    expect((await screen.findByRole("alert")).textContent).toBe(
      "This setup has expired. Sign out and sign in again to start over.",
    );
  });

  it("reads in Japanese too", () => {
    render(<App config={config} language="ja" session={everydayOperator()} />);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("認証アプリの設定");
    expect(screen.getByText(/スタッフの役割（運営スタッフ）/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "認証アプリを設定する" })).toBeTruthy();
  });
});

describe("a buyer", () => {
  it("goes straight to their orders: nothing about authenticators", async () => {
    new FakeApi()
      .on("GET /orders", { status: 200, body: { items: [anOrder()], nextCursor: null } })
      .install();
    const session = sessionFromToken(cognitoToken({ "cognito:groups": ["buyers"] }), "refresh-1");
    render(<App config={config} language="en" session={session} />);
    expect(await screen.findByRole("heading", { level: 1, name: "My orders" })).toBeTruthy();
    expect(screen.queryByText(/authenticator/i)).toBeNull();
  });
});
