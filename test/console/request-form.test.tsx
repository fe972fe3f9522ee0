// @vitest-environment happy-dom
// The buyer's cancellation request form: a number field per line with units left, the refund
// preview following the quantities, `lines` sent only for part of what is left, checks before
// sending, the API's errors in words next to the form (role "alert"), values kept after a failure,
// and one Idempotency-Key per form fill.
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CancellationRequest, Order } from "../../console/src/api.ts";
import { RequestForm } from "../../console/src/components/request-form.tsx";
import { ja } from "../../console/src/messages/ja.ts";
import { anOrder, aRequest, type FakeAnswer, FakeApi, previewOf, problem } from "./fake-api.ts";
import { renderInConsole, sessionOf } from "./render.tsx";

const ROUTE = "/orders/o-1001/cancellation-requests";
const PREVIEW = `${ROUTE}/preview`;

/** Two mugs and a tea towel, one mug already cancelled by an earlier request. */
const twoLines = (): Order =>
  anOrder({
    lines: [
      {
        lineId: "l1",
        sku: "MUG",
        title: "Stoneware mug",
        quantity: 3,
        unitPrice: 1800,
        cancelledQuantity: 1,
      },
      {
        lineId: "l2",
        sku: "TOWEL",
        title: "Linen tea towel",
        quantity: 1,
        unitPrice: 1200,
        cancelledQuantity: 0,
      },
      {
        lineId: "l3",
        sku: "SPOON",
        title: "Brass spoon",
        quantity: 1,
        unitPrice: 900,
        cancelledQuantity: 1,
      },
    ],
    payment: { method: "CARD", paidAmount: 7100, provider: "ledger", reference: null },
    refundedAmount: 2700,
  });

const openForm = (language: "en" | "ja" = "en", order: Order = anOrder()) => {
  const sent = vi.fn<(request: CancellationRequest) => void>();
  renderInConsole(<RequestForm order={order} onSent={sent} onCancel={() => undefined} />, {
    language,
    session: sessionOf("buyer-1", "buyer"),
  });
  return sent;
};

/** A fake API that answers the preview for `order` (and whatever else the test adds). */
const fakeApi = (order: Order = anOrder()) =>
  new FakeApi().on(`POST ${PREVIEW}`, previewOf(order)).install();

const quantity = (title: string) =>
  screen.getByRole<HTMLInputElement>("spinbutton", { name: title });
const setQuantity = (title: string, value: string) =>
  fireEvent.input(quantity(title), { target: { value } });
const region = () => screen.getByRole("region", { name: "Refund preview" });
/** The preview's facts as "term: value" pairs. */
const previewFacts = () =>
  Object.fromEntries(
    [...region().querySelectorAll("dt")].map((term) => [
      term.textContent,
      term.nextElementSibling?.textContent,
    ]),
  );

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
    const api = fakeApi();
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
    expect(api.callsTo("POST", ROUTE)).toEqual([]);
  });

  it("sends the reason and comment with an Idempotency-Key", async () => {
    const created = aRequest({ status: "REQUESTED", reason: "OTHER", comment: "gift" });
    const api = fakeApi().on(`POST ${ROUTE}`, { status: 202, body: created });
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
    const api = fakeApi().on(
      `POST ${ROUTE}`,
      {
        ...problem(503, "UNAVAILABLE"),
        headers: { "content-type": "application/problem+json", "retry-after": "7" },
      },
      problem(409, "ACTIVE_REQUEST_EXISTS"),
      { status: 202, body: aRequest() },
    );
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
    const api = fakeApi().on(`POST ${ROUTE}`, problem(409, "WINDOW_CLOSED"));
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
    fakeApi().on(
      `POST ${ROUTE}`,
      problem(400, "VALIDATION_FAILED", {
        errors: [{ path: "body.comment", message: "must not contain control characters" }],
      }),
    );
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

describe("what to cancel, and the refund preview", () => {
  it("has a number field per line with units left, named by its title, from 0 to what is left and preset to it", () => {
    fakeApi(twoLines());
    openForm("en", twoLines());
    expect(screen.getAllByRole("spinbutton")).toHaveLength(2);
    const mug = quantity("Stoneware mug");
    expect([mug.type, mug.min, mug.max, mug.value]).toEqual(["number", "0", "2", "2"]);
    const towel = quantity("Linen tea towel");
    expect([towel.min, towel.max, towel.value]).toEqual(["0", "1", "1"]);
    // Every spoon is already cancelled: nothing to choose.
    expect(screen.queryByRole("spinbutton", { name: "Brass spoon" })).toBeNull();
    expect(screen.getByText("¥1,800 each, up to 2")).toBeTruthy();
  });

  it("previews the whole rest on open (no lines): items, shipping, amount, method, dates", async () => {
    const api = fakeApi(twoLines());
    openForm("en", twoLines());
    await waitFor(() =>
      expect(previewFacts()).toEqual({
        Items: "¥4,800",
        Shipping: "¥500",
        Refund: "¥5,300",
        "Refunded to": "Credit card",
      }),
    );
    expect(
      within(region()).getByText(
        "If approved today, expected between Thu, Nov 26, 2026 and Mon, Dec 7, 2026.",
      ),
    ).toBeTruthy();
    expect(
      within(region()).getByText("Approved automatically once the seller agrees."),
    ).toBeTruthy();
    expect(api.callsTo("POST", PREVIEW).map((call) => call.body)).toEqual([{}]);
    expect(api.callsTo("POST", PREVIEW)[0]?.headers.get("idempotency-key")).toBeNull();
    // The preview comes before the button that sends the request.
    const button = screen.getByRole("button", { name: "Send request" });
    expect(
      region().compareDocumentPosition(button) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });

  it("asks again as quantities change (once for changes in quick succession), with lines and the reason once chosen", async () => {
    const api = fakeApi(twoLines());
    openForm("en", twoLines());
    await waitFor(() => expect(previewFacts().Refund).toBe("¥5,300"));
    setQuantity("Stoneware mug", "1");
    setQuantity("Stoneware mug", "0");
    choose("NO_LONGER_NEEDED");
    await waitFor(() => expect(previewFacts().Refund).toBe("¥1,200"));
    expect(previewFacts().Shipping).toBe("¥0");
    expect(api.callsTo("POST", PREVIEW).map((call) => call.body)).toEqual([
      {},
      { lines: [{ lineId: "l2", quantity: 1 }], reason: "NO_LONGER_NEEDED" },
    ]);
  });

  it("shows the answer to the latest question only: an earlier one arriving late is dropped", async () => {
    const order = twoLines();
    const release: { answer?: () => void } = {};
    const held = new Promise<void>((resolve) => {
      release.answer = resolve;
    });
    const api = new FakeApi()
      .on(`POST ${PREVIEW}`, async (call): Promise<FakeAnswer> => {
        // The first question (the whole rest) is answered only after the second.
        if (!(call.body as { lines?: unknown }).lines) await held;
        return previewOf(order)(call);
      })
      .install();
    openForm("en", order);
    await waitFor(() => expect(api.callsTo("POST", PREVIEW)).toHaveLength(1));
    setQuantity("Stoneware mug", "1");
    await waitFor(() => expect(previewFacts().Refund).toBe("¥3,000"));
    release.answer?.();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(previewFacts().Refund).toBe("¥3,000");
  });

  it("sends lines for part of what is left, leaving out lines set to 0", async () => {
    const order = twoLines();
    const api = fakeApi(order).on(`POST ${ROUTE}`, { status: 202, body: aRequest() });
    const sent = openForm("en", order);
    setQuantity("Stoneware mug", "1");
    setQuantity("Linen tea towel", "0");
    choose("NO_LONGER_NEEDED");
    send();
    await waitFor(() => expect(sent).toHaveBeenCalled());
    expect(api.callsTo("POST", ROUTE)[0]?.body).toEqual({
      reason: "NO_LONGER_NEEDED",
      lines: [{ lineId: "l1", quantity: 1 }],
    });
  });

  it("asks for the whole rest, without lines, when every unit left stays chosen", async () => {
    const order = twoLines();
    const api = fakeApi(order).on(`POST ${ROUTE}`, { status: 202, body: aRequest() });
    const sent = openForm("en", order);
    setQuantity("Stoneware mug", "1");
    setQuantity("Stoneware mug", "2");
    choose("NO_LONGER_NEEDED");
    send();
    await waitFor(() => expect(sent).toHaveBeenCalled());
    expect(api.callsTo("POST", ROUTE)[0]?.body).toEqual({ reason: "NO_LONGER_NEEDED" });
  });

  it("disables Send request while every quantity is 0, and says why", async () => {
    const api = fakeApi(twoLines());
    openForm("en", twoLines());
    await waitFor(() => expect(previewFacts().Refund).toBe("¥5,300"));
    setQuantity("Stoneware mug", "0");
    setQuantity("Linen tea towel", "0");
    const button = screen.getByRole<HTMLButtonElement>("button", { name: "Send request" });
    expect(button.disabled).toBe(true);
    expect(screen.getByText("Choose at least one item to cancel.")).toBeTruthy();
    expect(within(region()).getByText("Choose at least one item to see the refund.")).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(api.callsTo("POST", PREVIEW)).toHaveLength(1);
    setQuantity("Linen tea towel", "1");
    expect(button.disabled).toBe(false);
  });

  it("checks each quantity is a whole number from 0 to what is left before sending", async () => {
    const api = fakeApi(twoLines());
    openForm("en", twoLines());
    setQuantity("Stoneware mug", "5");
    choose("NO_LONGER_NEEDED");
    send();
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Enter a whole number from 0 to 2 for “Stoneware mug”.",
    );
    expect(document.activeElement).toBe(quantity("Stoneware mug"));
    expect(quantity("Stoneware mug").getAttribute("aria-invalid")).toBe("true");
    expect(api.callsTo("POST", ROUTE)).toEqual([]);
  });

  it("tells a problem the preview answered in words, in the preview", async () => {
    new FakeApi().on(`POST ${PREVIEW}`, problem(409, "NOTHING_TO_CANCEL")).install();
    openForm("en", twoLines());
    await waitFor(() =>
      expect(region().textContent).toContain("Every item of this order is already cancelled."),
    );
    cleanup();
    // The API knows of a mug cancelled since the page was read: it names the field.
    const since = twoLines();
    since.lines[0] = { ...twoLines().lines[0], cancelledQuantity: 3 } as Order["lines"][number];
    fakeApi(since);
    openForm("en", twoLines());
    setQuantity("Linen tea towel", "0");
    await waitFor(() =>
      expect(region().textContent).toContain("Stoneware mug: is not a line left to cancel"),
    );
    expect(region().textContent).toContain("Some of what you entered is not valid.");
    // Not an alert: the form's alerts are for what Send request did.
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("speaks Japanese: the region 返金額の見込み, the fields named by their titles", async () => {
    fakeApi(twoLines());
    openForm("ja", twoLines());
    const preview = screen.getByRole("region", { name: ja.requestForm.preview.heading });
    expect(ja.requestForm.preview.heading).toBe("返金額の見込み");
    await waitFor(() => expect(within(preview).getByText("¥5,300")).toBeTruthy());
    expect(within(preview).getByText("商品代金")).toBeTruthy();
    expect(quantity("Stoneware mug").value).toBe("2");
    expect(screen.getByText("単価 ¥1,800・最大2点")).toBeTruthy();
  });
});
