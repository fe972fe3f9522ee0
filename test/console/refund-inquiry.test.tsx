// @vitest-environment happy-dom
// The refund promise in the console: the buyer's "Refund not received" (「返金が届いていません」)
// appears on a completed request only once the refund's promised date is over in the order's zone,
// posts the inquiry (with an optional message), then says staff are on it, and shows their answer;
// a late refund is apologised for; operators read the inquiry on the request, and list and close
// open inquiries on "Refund inquiries" (「返金の問い合わせ」).
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CancellationRequest } from "../../console/src/api.ts";
import type { components } from "../../console/src/api-schema.ts";
import { RequestView } from "../../console/src/components/request-view.tsx";
import type { Language, Role } from "../../console/src/messages/types.ts";
import { BuyerOrderPage } from "../../console/src/pages/buyer-order.tsx";
import { RefundInquiriesPage } from "../../console/src/pages/refund-inquiries.tsx";
import { anOrder, aRequest, FakeApi, problem } from "./fake-api.ts";
import { renderInConsole, sessionOf } from "./render.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** The refund was promised by 2026-12-07: the promise ends at 2026-12-08 00:00 in Tokyo. */
const PROMISE_ENDS = new Date("2026-12-07T15:00:00.000Z");
const JUST_BEFORE = new Date(PROMISE_ENDS.getTime() - 60_000);

type Refund = NonNullable<CancellationRequest["refund"]>;
type Inquiry = NonNullable<CancellationRequest["refundInquiry"]>;

const refund = (overrides: Partial<Refund> = {}): Refund => ({
  amount: 5480,
  currency: "JPY",
  method: "CARD",
  status: "SUCCEEDED",
  refundId: "rf-r-1",
  expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
  instructedAt: "2026-11-21T05:00:00.000Z",
  succeededAt: "2026-11-21T05:00:02.000Z",
  attempts: 1,
  provider: "stripe",
  providerStatus: "succeeded",
  reference: "7424915112309",
  failureReason: null,
  reversed: false,
  late: false,
  ...overrides,
});

const completed = (overrides: Partial<CancellationRequest> = {}): CancellationRequest =>
  aRequest({
    status: "COMPLETED",
    marketplaceReview: "POLICY",
    refund: refund(),
    timeline: [
      { at: "2026-11-21T03:00:00.000Z", type: "REQUESTED", actor: "buyer-1" },
      { at: "2026-11-21T05:00:02.000Z", type: "COMPLETED", actor: "system" },
    ],
    ...overrides,
  });

const openInquiry = (comment: string | null = null): Inquiry => ({
  openedAt: "2026-12-08T01:00:00.000Z",
  comment,
  closedAt: null,
  closedBy: null,
  note: null,
});

const REQUEST_PATH = "/orders/o-1001/cancellation-requests/r-1";

/** The buyer's order page at `now`, its latest request `request`. */
const showBuyer = (request: CancellationRequest, now: Date, language: Language = "en") => {
  vi.useFakeTimers({ now, toFake: ["Date"] });
  const api = new FakeApi()
    .on("GET /orders/o-1001", {
      status: 200,
      body: anOrder({ status: "CANCELLED", latestCancellationRequestId: "r-1" }),
    })
    .on(`GET ${REQUEST_PATH}`, { status: 200, body: request })
    .install();
  renderInConsole(<BuyerOrderPage orderId="o-1001" />, {
    language,
    session: sessionOf("buyer-1", "buyer"),
  });
  return api;
};

describe("the buyer's Refund not received", () => {
  it("is not offered before the end of the promised date in the order's zone", async () => {
    showBuyer(completed(), JUST_BEFORE);
    await screen.findByRole("heading", { name: "Cancellation request" });
    expect(screen.queryByRole("button", { name: "Refund not received" })).toBeNull();
  });

  it("is offered after the date, and posts the inquiry with the buyer's message", async () => {
    const api = showBuyer(completed(), PROMISE_ENDS);
    const button = await screen.findByRole("button", { name: "Refund not received" });
    expect(screen.getByText(/The refund was due by Mon, Dec 7, 2026\./)).toBeTruthy();
    api.on(`POST ${REQUEST_PATH}/refund-inquiry`, {
      status: 202,
      body: completed({ refundInquiry: openInquiry("Nothing on my statement") }),
    });
    fireEvent.input(screen.getByRole("textbox", { name: "Message (optional)" }), {
      target: { value: "Nothing on my statement" },
    });
    fireEvent.click(button);
    await waitFor(() =>
      expect(api.callsTo("POST", `${REQUEST_PATH}/refund-inquiry`)).toHaveLength(1),
    );
    expect(api.callsTo("POST", `${REQUEST_PATH}/refund-inquiry`)[0]?.body).toEqual({
      comment: "Nothing on my statement",
    });
    expect(
      await screen.findByText(
        "You told us on Tue, Dec 8, 2026, 10:00 JST (UTC+9) that the refund has not arrived. Our staff are looking into it.",
      ),
    ).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Refund not received" })).toBeNull();
  });

  it("sends no comment when the message is left empty", async () => {
    const api = showBuyer(completed(), PROMISE_ENDS);
    api.on(`POST ${REQUEST_PATH}/refund-inquiry`, {
      status: 202,
      body: completed({ refundInquiry: openInquiry() }),
    });
    fireEvent.click(await screen.findByRole("button", { name: "Refund not received" }));
    await waitFor(() =>
      expect(api.callsTo("POST", `${REQUEST_PATH}/refund-inquiry`)[0]?.body).toEqual({}),
    );
  });

  it("says why when the API refuses it", async () => {
    const api = showBuyer(completed(), PROMISE_ENDS);
    api.on(`POST ${REQUEST_PATH}/refund-inquiry`, problem(409, "INVALID_STATE"));
    fireEvent.click(await screen.findByRole("button", { name: "Refund not received" }));
    expect(await screen.findByRole("alert")).toBeTruthy();
  });

  it("reads 「返金が届いていません」 in Japanese", async () => {
    showBuyer(completed(), PROMISE_ENDS, "ja");
    expect(await screen.findByRole("button", { name: "返金が届いていません" })).toBeTruthy();
  });

  it("shows staff's answer once the inquiry is closed, and may be sent again", async () => {
    const answered: Inquiry = {
      ...openInquiry(),
      closedAt: "2026-12-09T02:00:00.000Z",
      closedBy: "op-1",
      note: "Stripe shows the refund made on Nov 21; ask your card issuer with the reference.",
    };
    showBuyer(completed({ refundInquiry: answered }), new Date("2026-12-10T00:00:00.000Z"));
    expect(
      await screen.findByText("Our staff answered on Wed, Dec 9, 2026, 11:00 JST (UTC+9):"),
    ).toBeTruthy();
    expect(screen.getByText(answered.note as string)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Refund not received" })).toBeTruthy();
  });

  it("is not offered before completion, nor for a request that refunds nothing", async () => {
    showBuyer(
      completed({ status: "REFUND_PENDING", refund: refund({ status: "PENDING" }) }),
      PROMISE_ENDS,
    );
    await screen.findByRole("heading", { name: "Cancellation request" });
    expect(screen.queryByRole("button", { name: "Refund not received" })).toBeNull();
    cleanup();
    vi.unstubAllGlobals();
    showBuyer(
      completed({
        refund: refund({ status: "NOT_REQUIRED", method: "CASH_ON_DELIVERY", expectedBy: null }),
      }),
      PROMISE_ENDS,
    );
    await screen.findByRole("heading", { name: "Cancellation request" });
    expect(screen.queryByRole("button", { name: "Refund not received" })).toBeNull();
  });
});

describe("a late refund on the request", () => {
  const show = (request: CancellationRequest, reader: Role) => {
    vi.useFakeTimers({ now: PROMISE_ENDS, toFake: ["Date"] });
    renderInConsole(
      <RequestView
        request={request}
        reader={reader}
        orderLines={anOrder().lines}
        paymentMethod="CARD"
        currency="JPY"
        locale="en"
        showNotes={reader !== "buyer"}
      />,
      { session: sessionOf(`${reader}-1`, reader) },
    );
  };
  const late = () =>
    completed({
      status: "REFUND_PENDING",
      refund: refund({ status: "PENDING", providerStatus: "pending", late: true }),
    });

  it("apologises to the buyer, and tells staff what was done", () => {
    show(late(), "buyer");
    expect(
      screen.getByText(/We are sorry: the refund was not made by the date we promised\./),
    ).toBeTruthy();
    cleanup();
    show(late(), "operator");
    expect(
      screen.getByText(/Late: the refund was not made by the date promised to the buyer\./),
    ).toBeTruthy();
  });

  it("shows operators the buyer's inquiry and its answer", () => {
    show(completed({ refundInquiry: openInquiry("Still nothing") }), "operator");
    const terms = [...document.querySelectorAll("dt")].map((term) => term.textContent);
    expect(terms).toContain("Refund inquiry");
    expect(
      screen.getByText(
        "The buyer said the refund has not arrived (Tue, Dec 8, 2026, 10:00 JST (UTC+9)); open.",
      ),
    ).toBeTruthy();
    expect(screen.getByText("Still nothing")).toBeTruthy();
  });
});

type InquirySummary = components["schemas"]["RefundInquirySummary"];

const anInquiry = (overrides: Partial<InquirySummary> = {}): InquirySummary => ({
  orderId: "o-1001",
  requestId: "r-1",
  openedAt: "2026-12-08T01:00:00.000Z",
  comment: "Nothing on my statement",
  provider: "stripe",
  method: "CARD",
  status: "SUCCEEDED",
  refundId: "rf-r-1",
  providerRefundId: "re_1QInquiry",
  reference: "7424915112309",
  amount: 5480,
  currency: "JPY",
  expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
  late: false,
  ...overrides,
});

describe("the operators' Refund inquiries", () => {
  const showPage = (items: InquirySummary[], language: Language = "en") => {
    const api = new FakeApi()
      .on("GET /operator/refund-inquiries", { status: 200, body: { items, nextCursor: null } })
      .install();
    renderInConsole(<RefundInquiriesPage />, {
      language,
      session: sessionOf("op-1", "operator"),
    });
    return api;
  };

  it("lists each open inquiry with what the provider needs to look the refund up", async () => {
    showPage([anInquiry(), anInquiry({ orderId: "o-2002", requestId: "r-2", late: true })]);
    expect(await screen.findByRole("heading", { level: 1, name: "Refund inquiries" })).toBeTruthy();
    const items = within(
      await screen.findByRole("list", { name: "Open refund inquiries" }),
    ).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    const first = items[0] as HTMLElement;
    expect(within(first).getByRole("link", { name: "Order o-1001" }).getAttribute("href")).toBe(
      "#/requests/o-1001/r-1",
    );
    const facts = Object.fromEntries(
      [...first.querySelectorAll("dt")].map((term) => [
        term.textContent,
        term.nextElementSibling?.textContent,
      ]),
    );
    expect(facts).toMatchObject({
      "Buyer's message": "Nothing on my statement",
      "Refunded through": "Stripe",
      "Refund ID": "rf-r-1",
      "Provider's refund ID": "re_1QInquiry",
      "Refund reference": "7424915112309",
      "Promised by": "Mon, Dec 7, 2026",
    });
    expect(within(items[1] as HTMLElement).getByText(/Late: not refunded/)).toBeTruthy();
  });

  it("closes one with a note, which it requires; the inquiry leaves the list", async () => {
    const api = showPage([anInquiry()]);
    const close = await screen.findByRole("button", { name: "Close inquiry" });
    fireEvent.click(close);
    expect(screen.getByRole("alert").textContent).toBe("Write a note before closing the inquiry.");
    expect(api.callsTo("POST", `${REQUEST_PATH}/refund-inquiry/close`)).toHaveLength(0);
    api.on(`POST ${REQUEST_PATH}/refund-inquiry/close`, {
      status: 200,
      body: completed({
        refundInquiry: {
          ...openInquiry(),
          closedAt: "2026-12-08T02:00:00.000Z",
          closedBy: "op-1",
          note: "traced",
        },
      }),
    });
    fireEvent.input(screen.getByRole("textbox", { name: "Note" }), {
      target: { value: "traced" },
    });
    fireEvent.click(close);
    expect(await screen.findByText("The refund inquiry for order o-1001 was closed.")).toBeTruthy();
    expect(api.callsTo("POST", `${REQUEST_PATH}/refund-inquiry/close`)[0]?.body).toEqual({
      note: "traced",
    });
    expect(screen.getByText("No refund inquiry is open.")).toBeTruthy();
  });

  it("is 「返金の問い合わせ」 in Japanese", async () => {
    showPage([]);
    cleanup();
    vi.unstubAllGlobals();
    showPage([], "ja");
    expect(await screen.findByRole("heading", { level: 1, name: "返金の問い合わせ" })).toBeTruthy();
    expect(await screen.findByText("対応待ちの返金の問い合わせはありません。")).toBeTruthy();
  });
});
