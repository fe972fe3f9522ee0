// @vitest-environment happy-dom
// A request as its buyer follows it: the status in words in a role "status" element (both
// languages), the timeline as a list named "Timeline", the refund, and "Withdraw request" only
// while SPEC allows withdrawal (before the marketplace approves).
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CancellationRequest } from "../../console/src/api.ts";
import { RequestView } from "../../console/src/components/request-view.tsx";
import { en } from "../../console/src/messages/en.ts";
import { ja } from "../../console/src/messages/ja.ts";
import type { RequestStatus } from "../../console/src/messages/types.ts";
import { BuyerOrderPage } from "../../console/src/pages/buyer-order.tsx";
import { anOrder, aRequest, FakeApi, previewOf } from "./fake-api.ts";
import { renderInConsole, sessionOf } from "./render.tsx";

const STATUS_WORDS: Record<RequestStatus, string> = {
  REQUESTED: "Requested",
  AWAITING_SELLER: "Awaiting seller",
  AWAITING_MARKETPLACE: "Awaiting marketplace",
  REFUND_PENDING: "Refund pending",
  COMPLETED: "Completed",
  REJECTED: "Rejected",
  WITHDRAWN: "Withdrawn",
  RETURN_REQUIRED: "Return required",
  REFUND_FAILED: "Refund failed",
};
const STATUSES = Object.keys(STATUS_WORDS) as RequestStatus[];
/** The order's lines, which title the request's. */
const LINES = anOrder().lines;

const completed = (): CancellationRequest =>
  aRequest({
    status: "COMPLETED",
    marketplaceReview: "POLICY",
    refund: {
      amount: 5480,
      currency: "JPY",
      method: "CARD",
      status: "SUCCEEDED",
      refundId: "o-1001:r-1",
      expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
      instructedAt: "2026-11-21T05:00:00.000Z",
      succeededAt: "2026-11-21T05:00:02.000Z",
      attempts: 1,
      provider: "ledger",
      providerStatus: "succeeded",
      reference: null,
      failureReason: null,
      reversed: false,
      late: false,
    },
    timeline: [
      { at: "2026-11-21T03:00:00.000Z", type: "REQUESTED", actor: "buyer-1" },
      { at: "2026-11-21T04:00:00.000Z", type: "SELLER_APPROVED", actor: "seller-1" },
      { at: "2026-11-21T04:00:01.000Z", type: "MARKETPLACE_APPROVED", actor: "policy" },
      { at: "2026-11-21T05:00:02.000Z", type: "COMPLETED", actor: "system" },
    ],
  });

beforeEach(() => {
  localStorage.clear();
  history.replaceState(null, "", "/");
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("request status in words", () => {
  it("names every status of SPEC in English, in a role status element", () => {
    for (const status of STATUSES) {
      renderInConsole(
        <RequestView
          reader="buyer"
          paymentMethod="CARD"
          orderLines={LINES}
          request={aRequest({ status })}
          currency="JPY"
          locale="en"
        />,
      );
      expect(screen.getByRole("status").textContent, status).toBe(STATUS_WORDS[status]);
      cleanup();
    }
    expect(en.requestStatus).toEqual(STATUS_WORDS);
  });

  it("has Japanese words for every status, none left in English or as a code", () => {
    for (const status of STATUSES) {
      renderInConsole(
        <RequestView
          reader="buyer"
          paymentMethod="CARD"
          orderLines={LINES}
          request={aRequest({ status })}
          currency="JPY"
          locale="ja"
        />,
        {
          language: "ja",
        },
      );
      const words = screen.getByRole("status").textContent ?? "";
      expect(words, status).toBe(ja.requestStatus[status]);
      expect(words, status).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      cleanup();
    }
  });

  it("shows the timeline in words with times, and the refund with amount, method and dates", () => {
    renderInConsole(
      <RequestView
        reader="buyer"
        paymentMethod="CARD"
        orderLines={LINES}
        request={completed()}
        currency="JPY"
        locale="en"
      />,
    );
    const timeline = screen.getByRole("list", { name: "Timeline" });
    const entries = within(timeline)
      .getAllByRole("listitem")
      .map((item) => item.textContent);
    expect(entries).toEqual([
      "Sat, Nov 21, 2026, 12:00 JST (UTC+9) Cancellation requested (buyer-1)",
      "Sat, Nov 21, 2026, 13:00 JST (UTC+9) Approved by the seller (seller-1)",
      "Sat, Nov 21, 2026, 13:00 JST (UTC+9) Approved by the marketplace (automatic, by policy)",
      "Sat, Nov 21, 2026, 14:00 JST (UTC+9) Cancellation completed (system)",
    ]);
    expect(screen.getByText("¥5,480")).toBeTruthy();
    expect(screen.getByText("Credit card")).toBeTruthy();
    expect(screen.getByText("Refunded")).toBeTruthy();
  });

  it("shows times in the zone of the order's currency, as its mail does", () => {
    renderInConsole(
      <RequestView
        reader="buyer"
        paymentMethod="CARD"
        orderLines={LINES}
        request={completed()}
        currency="USD"
        locale="en"
      />,
    );
    const timeline = screen.getByRole("list", { name: "Timeline" });
    expect(within(timeline).getAllByRole("listitem")[0]?.textContent).toBe(
      "Sat, Nov 21, 2026, 03:00 UTC Cancellation requested (buyer-1)",
    );
    cleanup();
    renderInConsole(
      <RequestView
        reader="buyer"
        paymentMethod="CARD"
        orderLines={LINES}
        request={completed()}
        currency="JPY"
        locale="ja"
      />,
      {
        language: "ja",
      },
    );
    const jaTimeline = screen.getByRole("list", { name: ja.request.timeline });
    expect(within(jaTimeline).getAllByRole("listitem")[0]?.textContent).toMatch(
      /^2026年11月21日\(土\) 12:00（日本時間） /,
    );
    expect(screen.getByText("¥5,480")).toBeTruthy();
  });

  it("shows when a pending refund is expected, and the deadline that applies with the time left", () => {
    vi.useFakeTimers({ now: new Date("2026-11-21T03:00:00.000Z"), toFake: ["Date"] });
    const pending = completed();
    pending.status = "REFUND_PENDING";
    if (pending.refund) {
      pending.refund.status = "PENDING";
      pending.refund.succeededAt = null;
    }
    renderInConsole(
      <RequestView
        reader="buyer"
        paymentMethod="CARD"
        orderLines={LINES}
        request={pending}
        currency="JPY"
        locale="en"
      />,
    );
    expect(screen.getByText("between Thu, Nov 26, 2026 and Mon, Dec 7, 2026")).toBeTruthy();
    cleanup();
    renderInConsole(
      <RequestView
        reader="buyer"
        paymentMethod="CARD"
        orderLines={LINES}
        request={aRequest()}
        currency="JPY"
        locale="en"
      />,
    );
    expect(screen.getByText("Seller answers by")).toBeTruthy();
    expect(screen.getByText("2 days left")).toBeTruthy();
    vi.useRealTimers();
  });
});

describe("withdrawal on the buyer's order page", () => {
  const open = (request: CancellationRequest) => {
    const api = new FakeApi()
      .on("GET /orders/o-1001", {
        status: 200,
        body: anOrder({
          activeCancellationRequestId: request.requestId,
          latestCancellationRequestId: request.requestId,
          cancellationOption: { kind: "NONE", reason: "ACTIVE_REQUEST_EXISTS" },
        }),
      })
      .on("GET /orders/o-1001/cancellation-requests/r-1", { status: 200, body: request })
      .install();
    renderInConsole(<BuyerOrderPage orderId="o-1001" />, {
      session: sessionOf("buyer-1", "buyer"),
    });
    return api;
  };

  it("still shows a finished request, named by the order as its latest, from any browser", async () => {
    const api = new FakeApi()
      .on("GET /orders/o-1001", {
        status: 200,
        body: anOrder({
          status: "CANCELLED",
          activeCancellationRequestId: null,
          latestCancellationRequestId: "r-1",
          cancellationOption: { kind: "NONE", reason: "ALREADY_CANCELLED" },
        }),
      })
      .on("GET /orders/o-1001/cancellation-requests/r-1", { status: 200, body: completed() })
      .install();
    renderInConsole(<BuyerOrderPage orderId="o-1001" />, {
      session: sessionOf("buyer-1", "buyer"),
    });
    expect((await screen.findByRole("status")).textContent).toBe("Completed");
    expect(screen.getByRole("list", { name: "Timeline" })).toBeTruthy();
    expect(api.callsTo("GET", "/orders/o-1001/cancellation-requests/r-1")).toHaveLength(1);
    expect(localStorage.length).toBe(0);
  });

  it("offers Withdraw request only before the marketplace approves", async () => {
    for (const status of STATUSES) {
      // REQUESTED and REFUND_PENDING are followed by re-reading: keep those still for the check.
      open(aRequest({ status }));
      await screen.findByRole("status");
      const offered = screen.queryByRole("button", { name: "Withdraw request" }) !== null;
      expect(offered, status).toBe(
        ["REQUESTED", "AWAITING_SELLER", "AWAITING_MARKETPLACE"].includes(status),
      );
      cleanup();
      vi.unstubAllGlobals();
    }
  });

  it("withdraws and shows the request as Withdrawn", async () => {
    const api = open(aRequest());
    api.on("POST /orders/o-1001/cancellation-requests/r-1/withdrawal", {
      status: 200,
      body: aRequest({ status: "WITHDRAWN" }),
    });
    fireEvent.click(await screen.findByRole("button", { name: "Withdraw request" }));
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Withdrawn"));
    expect(screen.queryByRole("button", { name: "Withdraw request" })).toBeNull();
    expect(api.callsTo("POST", "/orders/o-1001/cancellation-requests/r-1/withdrawal")).toHaveLength(
      1,
    );
  });

  it("tells a refused withdrawal in words next to the button", async () => {
    const api = open(aRequest());
    api.on("POST /orders/o-1001/cancellation-requests/r-1/withdrawal", {
      status: 409,
      headers: { "content-type": "application/problem+json" },
      body: { status: 409, code: "INVALID_STATE", title: "x", detail: "y", type: "about:blank" },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Withdraw request" }));
    expect((await screen.findByRole("alert")).textContent).toContain(
      "The request has changed in the meantime",
    );
  });
});

describe("the lines of a request, and what an order's requests cancelled", () => {
  const order = () =>
    anOrder({
      lines: [
        {
          lineId: "l1",
          sku: "MUG",
          title: "Stoneware mug",
          quantity: 2,
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
      ],
      payment: { method: "CARD", paidAmount: 5000, provider: "ledger", reference: null },
      refundedAmount: 1687,
      latestCancellationRequestId: "r-1",
    });
  /** The completed request for one mug of two, a coupon having lowered the items. */
  const oneMug = (): CancellationRequest => {
    const request = completed();
    if (request.refund) request.refund.amount = 1687;
    return {
      ...request,
      lines: [{ lineId: "l1", quantity: 1, amount: 1687 }],
      itemsAmount: 1687,
      shippingAmount: 0,
    };
  };
  const facts = (section: HTMLElement) =>
    Object.fromEntries(
      [...section.querySelectorAll("dt")].map((term) => [
        term.textContent,
        term.nextElementSibling?.textContent,
      ]),
    );

  it("lists the request's lines titled from the order, with quantity and amount, then items and shipping", () => {
    renderInConsole(
      <RequestView
        reader="buyer"
        paymentMethod="CARD"
        request={oneMug()}
        orderLines={order().lines}
        currency="JPY"
        locale="en"
      />,
    );
    const lines = screen.getByRole("list", { name: "Items in this request" });
    expect(
      within(lines)
        .getAllByRole("listitem")
        .map((line) => line.textContent),
    ).toEqual(["Stoneware mug × 1 ¥1,687"]);
    const request = screen.getByRole("region", { name: "Cancellation request" });
    expect(facts(request)).toMatchObject({ Items: "¥1,687", Shipping: "¥0", Amount: "¥1,687" });
  });

  it("shows what a request not approved yet would refund", () => {
    const asked = aRequest({
      lines: [
        { lineId: "l1", quantity: 1, amount: 1687 },
        { lineId: "l2", quantity: 1, amount: 1125 },
      ],
      itemsAmount: 2812,
      shippingAmount: 500,
    });
    renderInConsole(
      <RequestView
        reader="buyer"
        paymentMethod="CARD"
        request={asked}
        orderLines={order().lines}
        currency="JPY"
        locale="ja"
      />,
      { language: "ja" },
    );
    const lines = screen.getByRole("list", { name: ja.request.lines });
    expect(
      within(lines)
        .getAllByRole("listitem")
        .map((line) => line.textContent),
    ).toEqual(["Stoneware mug 数量 1 ¥1,687", "Linen tea towel 数量 1 ¥1,125"]);
    const request = screen.getByRole("region", { name: ja.request.heading });
    expect(facts(request)).toMatchObject({ 商品代金: "¥2,812", 送料: "¥500", 返金額: "¥3,312" });
    expect(screen.getByText(ja.request.noRefundYet)).toBeTruthy();
  });

  it("on the order page: units cancelled per line and the total refunded; a partly cancelled order stays shipped and the rest may be asked for", async () => {
    new FakeApi()
      .on("GET /orders/o-1001", { status: 200, body: order() })
      .on("GET /orders/o-1001/cancellation-requests/r-1", { status: 200, body: oneMug() })
      .install();
    renderInConsole(<BuyerOrderPage orderId="o-1001" />, {
      session: sessionOf("buyer-1", "buyer"),
    });
    expect((await screen.findByRole("status")).textContent).toBe("Completed");
    const summary = screen.getByRole("region", { name: "Order details" });
    expect(facts(summary)).toMatchObject({
      "Order status": "Shipped",
      "What you can do now": "On its way: you can request a cancellation of what is left.",
      "Total paid": "¥5,000",
      Refunded: "¥1,687",
    });
    const lines = within(summary)
      .getAllByRole("listitem")
      .map((line) => line.textContent);
    expect(lines).toEqual([
      "Stoneware mug × 2 ¥3,600 1 of 2 cancelled",
      "Linen tea towel × 1 ¥1,200",
    ]);
    expect(screen.getByRole("button", { name: "Request cancellation" })).toBeTruthy();
  });

  it("the form for the rest offers only what is left", async () => {
    const api = new FakeApi()
      .on("GET /orders/o-1001", { status: 200, body: order() })
      .on("GET /orders/o-1001/cancellation-requests/r-1", { status: 200, body: oneMug() })
      .on("POST /orders/o-1001/cancellation-requests/preview", previewOf(order()))
      .install();
    renderInConsole(<BuyerOrderPage orderId="o-1001" />, {
      session: sessionOf("buyer-1", "buyer"),
    });
    fireEvent.click(await screen.findByRole("button", { name: "Request cancellation" }));
    const mug = screen.getByRole<HTMLInputElement>("spinbutton", { name: "Stoneware mug" });
    expect([mug.max, mug.value]).toEqual(["1", "1"]);
    await waitFor(() => expect(document.activeElement).toBe(mug));
    const preview = screen.getByRole("region", { name: "Refund preview" });
    await waitFor(() => expect(within(preview).getByText("¥3,500")).toBeTruthy());
    expect(api.callsTo("POST", "/orders/o-1001/cancellation-requests/preview")[0]?.body).toEqual(
      {},
    );
  });

  it("an order without a refund shows no refunded total", async () => {
    new FakeApi().on("GET /orders/o-1001", { status: 200, body: anOrder() }).install();
    renderInConsole(<BuyerOrderPage orderId="o-1001" />, {
      session: sessionOf("buyer-1", "buyer"),
    });
    const summary = await screen.findByRole("region", { name: "Order details" });
    expect(facts(summary)).not.toHaveProperty("Refunded");
    expect(summary.textContent).not.toContain("cancelled");
  });
});
