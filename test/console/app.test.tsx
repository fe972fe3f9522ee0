// @vitest-environment happy-dom
// The console's frame: local sign-in (a token from /_local/tokens kept in this tab, then the
// role's first page), Sign out, an expired token back to sign-in, and the language switch.
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../../console/src/app.tsx";
import { pickLanguage } from "../../console/src/i18n.ts";
import { anOrder, FakeApi, fakeToken, problem } from "./fake-api.ts";
import { sessionOf } from "./render.tsx";

beforeEach(() => {
  sessionStorage.clear();
  history.replaceState(null, "", "/");
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const signInAs = (userId: string, role: string) => {
  fireEvent.input(screen.getByRole("textbox", { name: "User ID" }), {
    target: { value: userId },
  });
  fireEvent.change(screen.getByRole("combobox", { name: "Role" }), { target: { value: role } });
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
};

describe("local sign-in", () => {
  it("has a User ID box, a Role select with the three roles and a Sign in button", () => {
    render(<App config={{ mode: "local" }} language="en" />);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Sign in");
    const roles = screen.getAllByRole("option").map((option) => option.textContent);
    expect(roles).toEqual(["Buyer", "Seller", "Operator"]);
    expect(screen.getByRole("button", { name: "Create sample orders" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Sign out" })).toBeNull();
  });

  it("asks for a user ID before minting a token", async () => {
    const api = new FakeApi().install();
    render(<App config={{ mode: "local" }} language="en" />);
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Enter a user ID.");
    signInAs("buyer 1", "buyer");
    expect((await screen.findByRole("alert")).textContent).toContain(
      "A user ID may contain only letters",
    );
    expect(api.calls).toEqual([]);
  });

  it("mints a token for the role's group, keeps it in this tab and shows the buyer's orders", async () => {
    const token = fakeToken("buyer-1", ["buyers"]);
    const api = new FakeApi()
      .on("POST /_local/tokens", { status: 200, body: { accessToken: token } })
      .on("GET /orders", { status: 200, body: { items: [anOrder()], nextCursor: null } })
      .install();
    render(<App config={{ mode: "local" }} language="en" />);
    signInAs("buyer-1", "buyer");

    expect(await screen.findByRole("link", { name: "o-1001" })).toBeTruthy();
    expect(api.callsTo("POST", "/_local/tokens")[0]?.body).toEqual({
      sub: "buyer-1",
      groups: ["buyers"],
    });
    expect(api.callsTo("GET", "/orders")[0]?.headers.get("authorization")).toBe(`Bearer ${token}`);
    expect(JSON.parse(sessionStorage.getItem("console.session") ?? "{}")).toMatchObject({
      accessToken: token,
      userId: "buyer-1",
      role: "buyer",
    });
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("My orders");
    expect(screen.getByRole("link", { name: "My orders" })).toBeTruthy();
    expect(screen.getByText("On its way: you can request a cancellation.")).toBeTruthy();
    // The page heading takes the focus after signing in.
    await waitFor(() => expect(document.activeElement?.tagName).toBe("H1"));

    fireEvent.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("textbox", { name: "User ID" })).toBeTruthy();
    expect(sessionStorage.getItem("console.session")).toBeNull();
  });

  it("keeps what is typed on the sign-in page while Sign out's move to the start page lands", async () => {
    new FakeApi().on("GET /orders/o-1001", { status: 200, body: anOrder() }).install();
    history.replaceState(null, "", "/#/orders/o-1001");
    render(
      <App config={{ mode: "local" }} language="en" session={sessionOf("buyer-1", "buyer")} />,
    );
    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    // Typed at once, before the hash change that Sign out made is handled.
    fireEvent.input(screen.getByRole("textbox", { name: "User ID" }), {
      target: { value: "seller-1" },
    });
    await waitFor(() => expect(location.hash).toBe("#/"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((screen.getByRole("textbox", { name: "User ID" }) as HTMLInputElement).value).toBe(
      "seller-1",
    );
  });

  it("shows each role its own navigation", async () => {
    new FakeApi()
      .on("POST /_local/tokens", {
        status: 200,
        body: { accessToken: fakeToken("operator-1", ["operators"]) },
      })
      .on("GET /operator/cancellation-requests", {
        status: 200,
        body: { items: [], nextCursor: null },
      })
      .install();
    render(<App config={{ mode: "local" }} language="en" />);
    signInAs("operator-1", "operator");
    expect(await screen.findByRole("heading", { level: 1, name: "Review queue" })).toBeTruthy();
    const navigation = screen.getByRole("navigation");
    const links = Array.from(navigation.querySelectorAll("a"), (link) => link.textContent);
    expect(links).toEqual([
      "Review queue",
      "Refund failures",
      "Refund inquiries",
      "Find order",
      "Sellers",
    ]);
  });

  it("goes back to sign-in, saying why, when the API refuses the token", async () => {
    new FakeApi()
      .on("POST /_local/tokens", {
        status: 200,
        body: { accessToken: fakeToken("seller-1", ["sellers"]) },
      })
      .on("GET /seller/cancellation-requests", problem(401, "UNAUTHORIZED"))
      .install();
    render(<App config={{ mode: "local" }} language="en" />);
    signInAs("seller-1", "seller");
    expect(await screen.findByText("Your sign-in has expired. Please sign in again.")).toBeTruthy();
    expect(screen.getByRole("textbox", { name: "User ID" })).toBeTruthy();
    expect(sessionStorage.getItem("console.session")).toBeNull();
  });
});

describe("language", () => {
  it("follows ?lang=, then the browser's languages, and is Japanese otherwise", () => {
    expect(pickLanguage("?lang=en", ["ja-JP"])).toBe("en");
    expect(pickLanguage("?lang=ja", ["en-US"])).toBe("ja");
    expect(pickLanguage("", ["fr-FR", "en-GB", "ja"])).toBe("en");
    expect(pickLanguage("?lang=xx", ["ja-JP", "en"])).toBe("ja");
    expect(pickLanguage("", ["fr", "de"])).toBe("ja");
  });

  it("switches between Japanese and English with one button, keeping ?lang= in the address", () => {
    render(<App config={{ mode: "local" }} language="ja" />);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("サインイン");
    expect(screen.getByRole("textbox", { name: "ユーザー ID" })).toBeTruthy();
    expect(document.documentElement.lang).toBe("ja");
    const toEnglish = screen.getByRole("button", { name: "English" });
    expect(toEnglish.getAttribute("lang")).toBe("en");

    fireEvent.click(toEnglish);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Sign in");
    expect(screen.getByRole("textbox", { name: "User ID" })).toBeTruthy();
    expect(document.documentElement.lang).toBe("en");
    expect(new URL(location.href).searchParams.get("lang")).toBe("en");

    fireEvent.click(screen.getByRole("button", { name: "日本語" }));
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("サインイン");
    expect(new URL(location.href).searchParams.get("lang")).toBe("ja");
  });
});
