// @vitest-environment happy-dom
// The buyer's cancellation request form: checks before sending, the API's errors in words next to
// the form (role "alert"), values kept after a failure, and one Idempotency-Key per form fill.
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CancellationRequest } from "../../console/src/api.ts";
import { RequestForm } from "../../console/src/components/request-form.tsx";
import { aRequest, FakeApi, problem } from "./fake-api.ts";
import { renderInConsole, sessionOf } from "./render.tsx";

const ROUTE = "/orders/o-1001/cancellation-requests";

const openForm = (language: "en" | "ja" = "en") => {
  const sent = vi.fn<(request: CancellationRequest) => void>();
  renderInConsole(<RequestForm orderId="o-1001" onSent={sent} onCancel={() => undefined} />, {
    language,
    session: sessionOf("buyer-1", "buyer"),
  });
  return sent;
};

const choose = (reason: string) =>
  fireEvent.change(screen.getByRole("combobox", { name: "Reason" }), {
    target: { value: reason },
  });
const typeComment = (text: string) =>
  fireEvent.input(screen.getByRole("textbox", { name: "Comment" }), { target: { value: text } });
const send = () => fireEvent.click(screen.getByRole("button", { name: "Send request" }));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("the cancellation request form", () => {
  it("offers SPEC's reasons in words", () => {
    openForm();
    const options = screen
      .getAllByRole("option")
      .map((option) => [(option as HTMLOptionElement).value, option.textContent]);
    expect(options).toEqual([
      ["", "Choose a reason"],
      ["NO_LONGER_NEEDED", "No longer needed"],
      ["ORDERED_BY_MISTAKE", "Ordered by mistake"],
      ["FOUND_BETTER_PRICE", "Found a better price"],
      ["DELIVERY_TOO_SLOW", "Delivery is too slow"],
      ["WRONG_ITEM_ORDERED", "Ordered the wrong item"],
      ["OTHER", "Other"],
    ]);
  });

  it("asks for a reason, and for a comment when the reason is Other, before sending", async () => {
    const api = new FakeApi().install();
    openForm();
    send();
    expect((await screen.findByRole("alert")).textContent).toBe("Choose a reason.");
    expect(document.activeElement).toBe(screen.getByRole("combobox", { name: "Reason" }));
    choose("OTHER");
    send();
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Add a comment when the reason is Other.",
    );
    const comment = screen.getByRole("textbox", { name: "Comment" });
    expect(comment.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(comment);
    expect(api.calls).toEqual([]);
  });

  it("sends the reason and comment with an Idempotency-Key", async () => {
    const created = aRequest({ status: "REQUESTED", reason: "OTHER", comment: "gift" });
    const api = new FakeApi().on(`POST ${ROUTE}`, { status: 202, body: created }).install();
    const sent = openForm();
    choose("OTHER");
    typeComment("  gift ");
    send();
    await waitFor(() => expect(sent).toHaveBeenCalledWith(created));
    const [call] = api.callsTo("POST", ROUTE);
    expect(call?.body).toEqual({ reason: "OTHER", comment: "gift" });
    expect(call?.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(call?.headers.get("authorization")).toBe("Bearer token-of-buyer-1");
  });

  it("shows an API error in words, keeps the values and retries with the same key", async () => {
    const api = new FakeApi()
      .on(
        `POST ${ROUTE}`,
        {
          ...problem(503, "UNAVAILABLE"),
          headers: { "content-type": "application/problem+json", "retry-after": "7" },
        },
        problem(409, "ACTIVE_REQUEST_EXISTS"),
        { status: 202, body: aRequest() },
      )
      .install();
    const sent = openForm();
    choose("WRONG_ITEM_ORDERED");
    typeComment("the blue one");
    send();
    const busy = await screen.findByRole("alert");
    expect(busy.textContent).toContain("The service is busy right now; nothing was saved.");
    expect(busy.textContent).toContain("Try again in 7 seconds.");
    expect(busy.textContent).toContain("What you entered has been kept.");
    expect(screen.getByRole<HTMLSelectElement>("combobox", { name: "Reason" }).value).toBe(
      "WRONG_ITEM_ORDERED",
    );
    expect(screen.getByRole<HTMLTextAreaElement>("textbox", { name: "Comment" }).value).toBe(
      "the blue one",
    );

    send();
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent).toContain(
        "This order already has a cancellation request in progress.",
      ),
    );
    send();
    await waitFor(() => expect(sent).toHaveBeenCalled());

    const keys = api.callsTo("POST", ROUTE).map((call) => call.headers.get("idempotency-key"));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
  });

  it("a new form fill gets a new key", async () => {
    const api = new FakeApi().on(`POST ${ROUTE}`, problem(409, "WINDOW_CLOSED")).install();
    openForm();
    choose("NO_LONGER_NEEDED");
    send();
    await screen.findByRole("alert");
    cleanup();
    openForm();
    choose("NO_LONGER_NEEDED");
    send();
    await screen.findByRole("alert");
    const keys = api.callsTo("POST", ROUTE).map((call) => call.headers.get("idempotency-key"));
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it("names the fields of a validation problem, and says when the service is unreachable", async () => {
    new FakeApi()
      .on(
        `POST ${ROUTE}`,
        problem(400, "VALIDATION_FAILED", {
          errors: [{ path: "comment", message: "must not contain control characters" }],
        }),
      )
      .install();
    openForm();
    choose("OTHER");
    typeComment("x");
    send();
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Some of what you entered is not valid.");
    expect(alert.textContent).toContain("Comment: must not contain control characters");

    cleanup();
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => Promise.reject(new TypeError("offline"))),
    );
    openForm();
    choose("NO_LONGER_NEEDED");
    send();
    expect((await screen.findByRole("alert")).textContent).toContain(
      "Could not reach the service.",
    );
  });
});
