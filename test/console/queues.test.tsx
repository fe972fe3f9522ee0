// @vitest-environment happy-dom
// The staff's lists, fed the API's summaries (no timeline, the comment cut short): the seller's
// queue soonest deadline first with the time left and the amount, each request's lines (title ×
// quantity, amount), a cut comment marked as such with a link to the whole request, Approve /
// Reject with a reason; the operators' review queue with the lines of a partial request; refund
// failures with the last error, "Retry refund" ({}) and "Refund as gift balance" ({ method:
// GIFT_CARD }).
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RequestQueuePage } from "../../console/src/pages/request-queue.tsx";
import { aRequest, aSummary, FakeApi, problem } from "./fake-api.ts";
import { renderInConsole, sessionOf } from "./render.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const later = aSummary({
  requestId: "r-2",
  orderId: "o-2",
  sellerDeadline: "2026-11-23T09:00:00.000Z",
  reason: "FOUND_BETTER_PRICE",
  lines: [{ lineId: "l1", title: "Robot vacuum cleaner", quantity: 1, amount: 49300 }],
  itemsAmount: 49300,
});
const sooner = aSummary({
  requestId: "r-1",
  orderId: "o-1",
  sellerDeadline: "2026-11-22T03:00:00.000Z",
  reason: "OTHER",
  comment: "bought twice",
});

const sellerQueue = () => {
  vi.useFakeTimers({ now: new Date("2026-11-21T03:00:00.000Z"), toFake: ["Date"] });
  const api = new FakeApi()
    .on("GET /seller/cancellation-requests", {
      status: 200,
      body: { items: [later, sooner], nextCursor: null },
    })
    .install();
  renderInConsole(<RequestQueuePage kind="seller" />, { session: sessionOf("seller-1", "seller") });
  return api;
};

const itemOf = (orderId: string) =>
  screen
    .getAllByRole("listitem")
    .find((item) => within(item).queryByRole("heading", { name: `Order ${orderId}` }));

describe("the seller's queue", () => {
  it("lists requests soonest deadline first, with reason, comment, amount and time left", async () => {
    sellerQueue();
    await screen.findByRole("heading", { name: "Order o-1" });
    const headings = screen.getAllByRole("heading", { level: 2 }).map((h) => h.textContent);
    expect(headings).toEqual(["Order o-1", "Order o-2"]);
    const first = itemOf("o-1");
    if (!first) throw new Error("no item for o-1");
    expect(within(first).getByText("Other")).toBeTruthy();
    expect(within(first).getByText("bought twice")).toBeTruthy();
    expect(within(first).getByText("1 day left")).toBeTruthy();
    await waitFor(() => expect(within(first).getByText("¥5,480")).toBeTruthy());
    // The deadline in the zone of the order's currency (JPY: Japan), as the seller's mail has it.
    expect(within(first).getByText("Sun, Nov 22, 2026, 12:00 JST (UTC+9)")).toBeTruthy();
    const second = itemOf("o-2");
    await waitFor(() => expect(second && within(second).getByText("¥49,800")).toBeTruthy());
    // Neither comment was cut: no link to read more of it.
    expect(screen.queryByRole("link", { name: "Read the whole comment" })).toBeNull();
  });

  it("says a comment was cut short and links to the request that has all of it", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-21T03:00:00.000Z"), toFake: ["Date"] });
    // What the API answers for a longer comment: its first 79 characters and "…".
    const cut = `${"The parcel left before I could cancel it, and I need the money back before the rent is due.".slice(0, 79)}…`;
    new FakeApi()
      .on("GET /seller/cancellation-requests", {
        status: 200,
        body: {
          items: [aSummary({ requestId: "r-9", orderId: "o-9", reason: "OTHER", comment: cut })],
          nextCursor: null,
        },
      })
      .install();
    renderInConsole(<RequestQueuePage kind="seller" />, {
      session: sessionOf("seller-1", "seller"),
    });
    await screen.findByRole("heading", { name: "Order o-9" });
    const item = itemOf("o-9");
    if (!item) throw new Error("no item for o-9");
    expect(within(item).getByText(cut)).toBeTruthy();
    const link = within(item).getByRole("link", { name: "Read the whole comment" });
    expect(link.getAttribute("href")).toBe(
      within(item).getByRole("link", { name: "Order o-9" }).getAttribute("href"),
    );
    expect(link.getAttribute("href")).toContain("/requests/o-9/r-9");
  });

  it("rejects with a reason: Reject asks for it, Confirm rejection sends it", async () => {
    const api = sellerQueue();
    api.on("POST /orders/o-1/cancellation-requests/r-1/seller-decision", {
      status: 200,
      body: aRequest({ requestId: "r-1", orderId: "o-1", status: "REJECTED" }),
    });
    await screen.findByRole("heading", { name: "Order o-1" });
    const item = itemOf("o-1");
    if (!item) throw new Error("no item for o-1");
    fireEvent.click(within(item).getByRole("button", { name: "Reject" }));
    fireEvent.click(within(item).getByRole("button", { name: "Confirm rejection" }));
    expect(within(item).getByRole("alert").textContent).toBe("Give a reason for the rejection.");
    fireEvent.input(within(item).getByRole("textbox", { name: "Reason" }), {
      target: { value: "already handed to the carrier" },
    });
    fireEvent.click(within(item).getByRole("button", { name: "Confirm rejection" }));
    // What was done, then what happens next for the seller.
    const notice = await screen.findByRole("status");
    await waitFor(() =>
      expect([...notice.querySelectorAll("p")].map((p) => p.textContent)).toEqual([
        "The request for order o-1 was rejected.",
        "The order stands: please carry on delivering it. The buyer is told by email.",
      ]),
    );
    expect(screen.queryByRole("heading", { name: "Order o-1" })).toBeNull();
    const [call] = api.callsTo("POST", "/orders/o-1/cancellation-requests/r-1/seller-decision");
    expect(call?.body).toEqual({ decision: "REJECT", reason: "already handed to the carrier" });
  });

  it("approves, or says in words why it could not", async () => {
    const api = sellerQueue();
    api.on(
      "POST /orders/o-2/cancellation-requests/r-2/seller-decision",
      problem(409, "INVALID_STATE"),
    );
    await screen.findByRole("heading", { name: "Order o-2" });
    const item = itemOf("o-2");
    if (!item) throw new Error("no item for o-2");
    fireEvent.click(within(item).getByRole("button", { name: "Approve" }));
    expect((await within(item).findByRole("alert")).textContent).toContain(
      "The request has changed in the meantime",
    );
    const [call] = api.callsTo("POST", "/orders/o-2/cancellation-requests/r-2/seller-decision");
    expect(call?.body).toEqual({ decision: "APPROVE" });
  });
});

describe("the lines of each request", () => {
  /** A request for one of three mugs and both spoons of an order with four more lines. */
  const partial = aSummary({
    requestId: "r-5",
    orderId: "o-5",
    status: "AWAITING_MARKETPLACE",
    marketplaceDeadline: "2026-11-24T03:00:00.000Z",
    lines: [
      { lineId: "l1", title: "Stoneware mug", quantity: 1, amount: 1687 },
      { lineId: "l2", title: "Brass spoon", quantity: 2, amount: 1500 },
      { lineId: "l3", title: "Linen tea towel", quantity: 1, amount: 1125 },
    ],
    moreLines: 2,
    itemsAmount: 4312,
    shippingAmount: 0,
  });

  const reviewQueue = (language: "en" | "ja" = "en") => {
    const api = new FakeApi()
      .on("GET /operator/cancellation-requests", {
        status: 200,
        body: { items: [partial], nextCursor: null },
      })
      .install();
    renderInConsole(<RequestQueuePage kind="review" />, {
      language,
      session: sessionOf("operator-1", "operator"),
    });
    return api;
  };

  it("names each line with its quantity and amount, how many more there are, and the request's own amount", async () => {
    reviewQueue();
    await screen.findByRole("heading", { name: "Order o-5" });
    const item = itemOf("o-5");
    if (!item) throw new Error("no item for o-5");
    const lines = within(item).getByRole("list", { name: "Items" });
    await waitFor(() =>
      expect(
        within(lines)
          .getAllByRole("listitem")
          .map((line) => line.textContent),
      ).toEqual([
        "Stoneware mug × 1 ¥1,687",
        "Brass spoon × 2 ¥1,500",
        "Linen tea towel × 1 ¥1,125",
        "and 2 more items",
      ]),
    );
    // What this request refunds, not what the order cost.
    await waitFor(() => expect(within(item).getByText("¥4,312")).toBeTruthy());
    expect(within(item).queryByText("¥40,000")).toBeNull();
    expect(within(item).getByRole("button", { name: "Approve" })).toBeTruthy();
  });

  it("in Japanese too", async () => {
    reviewQueue("ja");
    await screen.findByRole("heading", { name: "注文 o-5" });
    const lines = screen.getByRole("list", { name: "対象商品" });
    await waitFor(() =>
      expect(within(lines).getAllByRole("listitem")[1]?.textContent).toBe(
        "Brass spoon 数量 2 ¥1,500",
      ),
    );
    expect(within(lines).getByText("ほか2点の商品")).toBeTruthy();
  });

  it("reads nothing but the queue: the summary has each request's amount and currency", async () => {
    const api = reviewQueue();
    await screen.findByRole("heading", { name: "Order o-5" });
    expect(screen.getByText("¥4,312")).toBeTruthy();
    expect(api.calls.map((call) => `${call.method} ${call.path.split("?")[0]}`)).toEqual([
      "GET /operator/cancellation-requests",
    ]);
  });

  it("takes the amount from the summary's refund once it is instructed", async () => {
    const api = new FakeApi()
      .on("GET /operator/cancellation-requests", {
        status: 200,
        body: {
          items: [
            {
              ...partial,
              status: "REFUND_FAILED",
              refundRetryDeadline: "2026-11-24T03:00:00.000Z",
              refund: {
                amount: 4312,
                currency: "JPY",
                method: "CARD",
                status: "FAILED",
                attempts: 1,
                lastError: "card closed",
              },
            },
          ],
          nextCursor: null,
        },
      })
      .install();
    renderInConsole(<RequestQueuePage kind="failures" />, {
      session: sessionOf("operator-1", "operator"),
    });
    await screen.findByRole("heading", { name: "Order o-5" });
    expect(screen.getByText("¥4,312")).toBeTruthy();
    expect(api.callsTo("GET", "/orders/o-5/cancellation-requests/r-5")).toEqual([]);
  });
});

describe("a long queue", () => {
  it("shows the next page after Show more, still soonest deadline first", async () => {
    const api = new FakeApi()
      .on(
        "GET /seller/cancellation-requests",
        { status: 200, body: { items: [sooner], nextCursor: "page-2" } },
        { status: 200, body: { items: [later], nextCursor: null } },
      )
      .install();
    renderInConsole(<RequestQueuePage kind="seller" />, {
      session: sessionOf("seller-1", "seller"),
    });
    await screen.findByRole("heading", { name: "Order o-1" });
    expect(screen.queryByRole("heading", { name: "Order o-2" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Show more" }));
    await screen.findByRole("heading", { name: "Order o-2" });
    const headings = screen.getAllByRole("heading", { level: 2 }).map((h) => h.textContent);
    expect(headings).toEqual(["Order o-1", "Order o-2"]);
    expect(api.callsTo("GET", "/seller/cancellation-requests")[1]?.path).toContain("cursor=page-2");
    expect(screen.queryByRole("button", { name: "Show more" })).toBeNull();
  });
});

describe("refund failures", () => {
  it("retries the original method with {} or refunds as gift balance", async () => {
    const failed = (requestId: string, orderId: string) =>
      aSummary({
        requestId,
        orderId,
        status: "REFUND_FAILED",
        refundRetryDeadline: "2026-11-24T03:00:00.000Z",
        refund: {
          amount: 5480,
          currency: "JPY",
          method: "CARD",
          status: "FAILED",
          attempts: 3,
          lastError: "card closed",
        },
      });
    /** What a retry answers: the whole request, its refund under way again. */
    const retried = (requestId: string, orderId: string) =>
      aRequest({ requestId, orderId, status: "REFUND_PENDING" });
    const api = new FakeApi()
      .on("GET /operator/cancellation-requests", {
        status: 200,
        body: { items: [failed("r-1", "o-1"), failed("r-2", "o-2")], nextCursor: null },
      })
      .on("POST /orders/o-1/cancellation-requests/r-1/refund-retry", {
        status: 202,
        body: retried("r-1", "o-1"),
      })
      .on("POST /orders/o-2/cancellation-requests/r-2/refund-retry", {
        status: 202,
        body: retried("r-2", "o-2"),
      })
      .install();
    renderInConsole(<RequestQueuePage kind="failures" />, {
      session: sessionOf("operator-1", "operator"),
    });
    await screen.findByRole("heading", { name: "Order o-1" });
    expect(api.callsTo("GET", "/operator/cancellation-requests")[0]?.path).toContain(
      "status=REFUND_FAILED",
    );
    const first = itemOf("o-1");
    expect(first && within(first).getByText("card closed")).toBeTruthy();
    expect(first && within(first).getByText(/3 attempts/)).toBeTruthy();
    fireEvent.click(within(first as HTMLElement).getByRole("button", { name: "Retry refund" }));
    await screen.findByText("The refund for order o-1 was retried.");
    const second = itemOf("o-2");
    fireEvent.click(
      within(second as HTMLElement).getByRole("button", { name: "Refund as gift balance" }),
    );
    await screen.findByText("The refund for order o-2 was retried.");
    expect(
      api.callsTo("POST", "/orders/o-1/cancellation-requests/r-1/refund-retry")[0]?.body,
    ).toEqual({});
    expect(
      api.callsTo("POST", "/orders/o-2/cancellation-requests/r-2/refund-retry")[0]?.body,
    ).toEqual({
      method: "GIFT_CARD",
    });
  });
});
