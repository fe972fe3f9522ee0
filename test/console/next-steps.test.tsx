// @vitest-environment happy-dom
// Every request says what happens next to the person reading it: the buyer after asking (the
// seller decides by the deadline, then the marketplace, mail at each step), while the marketplace
// decides, once refunded (when the money arrives for that method, the expected dates kept after the
// refund went through), after a rejection, a return or a withdrawal; the seller before and after
// deciding (the marketplace refunds, nothing to pay by hand; what to do with the parcel), also in
// the queue's notice; the operator before and after acting. Timeline entries are worded for their
// reader, and time left is red only in a deadline's last 24 hours, written 残り1日23時間.
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CancellationRequest, Order } from "../../console/src/api.ts";
import { RequestView } from "../../console/src/components/request-view.tsx";
import { ja } from "../../console/src/messages/ja.ts";
import type { Language, PaymentMethod, Role } from "../../console/src/messages/types.ts";
import { BuyerOrderPage } from "../../console/src/pages/buyer-order.tsx";
import { RequestQueuePage } from "../../console/src/pages/request-queue.tsx";
import { ja as mailJa } from "../../functions/notifications/ja.ts";
import { anOrder, aRequest, aSummary, FakeApi } from "./fake-api.ts";
import { renderInConsole, sessionOf } from "./render.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** The request was made at 03:00 UTC on Nov 21; the seller's deadline is two days later. */
const NOW = new Date("2026-11-21T03:00:00.000Z");

const refund = (
  overrides: Partial<NonNullable<CancellationRequest["refund"]>> = {},
): NonNullable<CancellationRequest["refund"]> => ({
  amount: 5480,
  currency: "JPY",
  method: "CARD",
  status: "PENDING",
  refundId: "o-1001:r-1",
  expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
  instructedAt: "2026-11-21T05:00:00.000Z",
  succeededAt: null,
  attempts: 0,
  provider: "ledger",
  providerStatus: null,
  reference: null,
  failureReason: null,
  reversed: false,
  late: false,
  ...overrides,
});

const completed = (overrides: Partial<CancellationRequest> = {}) =>
  aRequest({
    status: "COMPLETED",
    marketplaceReview: "POLICY",
    refund: refund({ status: "SUCCEEDED", succeededAt: "2026-11-21T05:00:02.000Z", attempts: 1 }),
    ...overrides,
  });

/** Two mugs and a towel: a request for one mug leaves units, one for all three does not. */
const twoLines = (cancelled: [number, number] = [0, 0]): Order["lines"] => [
  {
    lineId: "l1",
    sku: "MUG",
    title: "Mug",
    quantity: 2,
    unitPrice: 1800,
    cancelledQuantity: cancelled[0],
  },
  {
    lineId: "l2",
    sku: "TOWEL",
    title: "Towel",
    quantity: 1,
    unitPrice: 1200,
    cancelledQuantity: cancelled[1],
  },
];

const show = (
  request: CancellationRequest,
  {
    reader = "buyer",
    language = "en",
    paymentMethod = "CARD",
    orderLines = anOrder().lines,
  }: {
    reader?: Role;
    language?: Language;
    paymentMethod?: PaymentMethod;
    orderLines?: Order["lines"];
  } = {},
) => {
  vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
  renderInConsole(
    <RequestView
      request={request}
      reader={reader}
      orderLines={orderLines}
      paymentMethod={paymentMethod}
      currency="JPY"
      locale={language}
    />,
    { language, session: sessionOf(`${reader}-1`, reader) },
  );
};

/** The sentences under "What happens next" (a region named by its heading). */
const nextSteps = (name = "What happens next") =>
  [...screen.getByRole("region", { name }).querySelectorAll("p")].map((p) => p.textContent);

const timeline = (name = "Timeline") =>
  within(screen.getByRole("list", { name }))
    .getAllByRole("listitem")
    .map((item) => item.textContent);

describe("what happens next, for the buyer", () => {
  it("after asking: the seller decides by the deadline (in JST), then the marketplace refunds to the card; mail at each step", () => {
    show(aRequest());
    expect(nextSteps()).toEqual([
      "The seller answers by Mon, Nov 23, 2026, 12:00 JST (UTC+9). If they do not answer in time, the marketplace decides.",
      "Once the seller and the marketplace approve, ¥5,480 is refunded to your card.",
      "We email you at each step. You can withdraw the request until the marketplace approves it.",
    ]);
    expect(document.body.textContent).not.toMatch(/GMT|￥/);
  });

  it("after asking, in Japanese: 販売者 and the deadline in Japan's time, no full-width yen", () => {
    show(aRequest(), { language: "ja" });
    expect(nextSteps(ja.next.heading)).toEqual([
      "販売者が2026年11月23日(月) 12:00（日本時間）までに回答します。期限までに回答がない場合は、マーケットプレイスが判断します。",
      "販売者とマーケットプレイスが承認すると、ご購入時のクレジットカードへ¥5,480を返金します。",
      "各段階でメールでお知らせします。マーケットプレイスが承認するまでは、申請を取り下げられます。",
    ]);
    expect(document.body.textContent).not.toMatch(/出品者|￥/);
  });

  it("a convenience-store order is refunded as gift balance; cash on delivery is refused at the door", () => {
    show(aRequest(), { paymentMethod: "CONVENIENCE_STORE" });
    expect(nextSteps()[1]).toBe(
      "Once the seller and the marketplace approve, ¥5,480 is refunded to your gift balance.",
    );
    cleanup();
    show(aRequest(), { paymentMethod: "CASH_ON_DELIVERY" });
    expect(nextSteps()[1]).toBe(
      "Once it is approved, refuse the parcel when it arrives (cash on delivery: nothing is refunded).",
    );
  });

  it("while the marketplace's staff review it: by when, and what it then refunds", () => {
    show(
      aRequest({
        status: "AWAITING_MARKETPLACE",
        marketplaceReview: "OPERATOR",
        marketplaceDeadline: "2026-11-24T03:00:00.000Z",
      }),
    );
    expect(nextSteps()).toEqual([
      "The seller agreed. The marketplace's staff decide by Tue, Nov 24, 2026, 12:00 JST (UTC+9).",
      "Once approved, ¥5,480 is refunded to your card.",
      "We email you the outcome. Until then you can still withdraw the request.",
    ]);
  });

  it("once refunded: the amount, when it shows on the card statement, and to refuse the parcel; the expected dates stay shown", () => {
    // The order as read before the request completed (its unit not yet counted as cancelled).
    show(completed());
    expect(nextSteps()).toEqual([
      "Cancelled: ¥5,480 was refunded to your card.",
      "It should show on your card statement between Thu, Nov 26, 2026 and Mon, Dec 7, 2026 (your card issuer sets the day).",
      "If the parcel reaches you, refuse it: it goes back to the seller.",
    ]);
    // The refund's facts keep "Expected" after it succeeded, as the completion mail does.
    const facts = screen.getByRole("region", { name: "Cancellation request" });
    const expected = within(facts).getByText("Expected", { selector: "dt" });
    expect(expected.nextElementSibling?.textContent).toBe(
      "between Thu, Nov 26, 2026 and Mon, Dec 7, 2026",
    );
    expect(within(facts).getByText("Refunded", { selector: "dd" })).toBeTruthy();
  });

  it("in Japanese, the expected dates read as the mail writes them", () => {
    show(completed(), { language: "ja" });
    const range = mailJa.range("2026年11月26日(木)", "2026年12月7日(月)");
    expect(range).toBe("2026年11月26日(木)～2026年12月7日(月)");
    const term = screen.getByText(ja.request.expectedBy, { selector: "dt" });
    expect(term.nextElementSibling?.textContent).toBe(range);
    expect(nextSteps(ja.next.heading)[1]).toBe(
      `カードのご利用明細には${range}に反映される見込みです（日付はカード会社によります）。`,
    );
  });

  it("a gift-balance refund says when it shows in the balance, on the one day it names", () => {
    show(
      completed({
        refund: refund({
          method: "GIFT_CARD",
          status: "SUCCEEDED",
          expectedBy: { earliest: "2026-11-21", latest: "2026-11-21" },
        }),
      }),
      { paymentMethod: "CONVENIENCE_STORE" },
    );
    expect(nextSteps().slice(0, 2)).toEqual([
      "Cancelled: ¥5,480 was refunded to your gift balance.",
      "It shows in your gift balance on Sat, Nov 21, 2026.",
    ]);
  });

  it("part of an order: the rest is still on its way, so the parcel is accepted", () => {
    const oneMug = { lines: [{ lineId: "l1", quantity: 1, amount: 1800 }] };
    // Under way: the order does not count this request's unit yet.
    show(aRequest({ ...oneMug, status: "REFUND_PENDING", refund: refund() }), {
      orderLines: twoLines(),
    });
    expect(nextSteps()).toContain(
      "The rest of your order is still on its way: please accept the parcel.",
    );
    cleanup();
    // Completed: the order counts it; the towel and a mug are still coming.
    show(completed(oneMug), { orderLines: twoLines([1, 0]) });
    expect(nextSteps()).toContain(
      "The rest of your order is still on its way: please accept the parcel.",
    );
    cleanup();
    // The last units: nothing is left to deliver, so the parcel is refused.
    show(completed({ lines: [{ lineId: "l1", quantity: 1, amount: 1800 }] }), {
      orderLines: twoLines([2, 1]),
    });
    expect(nextSteps()).toContain(
      "If the parcel reaches you, refuse it: it goes back to the seller.",
    );
  });

  it("while the refund is under way, and when it failed for now", () => {
    show(aRequest({ status: "REFUND_PENDING", refund: refund() }));
    expect(nextSteps().slice(0, 2)).toEqual([
      "Approved: the marketplace is refunding ¥5,480 to your card. We email you once it is done.",
      "It should show on your card statement between Thu, Nov 26, 2026 and Mon, Dec 7, 2026 (your card issuer sets the day).",
    ]);
    cleanup();
    show(
      aRequest({
        status: "REFUND_FAILED",
        refund: refund({ status: "FAILED", attempts: 1 }),
        refundRetryDeadline: "2026-11-24T05:00:00.000Z",
      }),
    );
    expect(nextSteps()[0]).toBe(
      "Approved, but the refund has not gone through yet. Our staff are on it, and we email you once you are refunded.",
    );
  });

  it("after a rejection, a return and a withdrawal", () => {
    show(
      aRequest({
        status: "REJECTED",
        rejection: { by: "SELLER", reason: "already handed over", at: "2026-11-21T04:00:00.000Z" },
      }),
    );
    expect(nextSteps()).toEqual([
      "The seller declined, so the order stands and will be delivered. If you do not want it once it arrives, you can start a return.",
    ]);
    cleanup();
    show(aRequest({ status: "RETURN_REQUIRED" }));
    expect(nextSteps()[0]).toMatch(
      /^The parcel was delivered before the cancellation went through/,
    );
    cleanup();
    show(aRequest({ status: "WITHDRAWN" }), { language: "ja" });
    expect(nextSteps(ja.next.heading)).toEqual([
      "申請を取り下げました。ご注文はそのままお届けします。",
    ]);
  });

  it("cash on delivery, completed: nothing refunded, refuse the parcel", () => {
    show(
      completed({
        refund: refund({
          method: "CASH_ON_DELIVERY",
          status: "NOT_REQUIRED",
          amount: 0,
          expectedBy: null,
        }),
      }),
      {
        paymentMethod: "CASH_ON_DELIVERY",
      },
    );
    expect(nextSteps()).toEqual([
      "Cancelled. Cash on delivery: nothing was paid, so nothing is refunded.",
      "If the parcel reaches you, refuse it: it goes back to the seller.",
    ]);
  });
});

describe("the buyer's order page follows the request", () => {
  it("re-reads the order once the request it follows moves on, so what it cancelled shows", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ["setTimeout", "Date"] });
    const asked = { latestCancellationRequestId: "r-1" };
    const api = new FakeApi()
      .on(
        "GET /orders/o-1001",
        { status: 200, body: anOrder({ ...asked, activeCancellationRequestId: "r-1" }) },
        {
          status: 200,
          body: anOrder({
            ...asked,
            status: "CANCELLED",
            lines: anOrder().lines.map((line) => ({ ...line, cancelledQuantity: line.quantity })),
            refundedAmount: 5480,
            cancellationOption: { kind: "NONE", reason: "ALREADY_CANCELLED" },
          }),
        },
      )
      .on(
        "GET /orders/o-1001/cancellation-requests/r-1",
        { status: 200, body: aRequest({ status: "REFUND_PENDING", refund: refund() }) },
        { status: 200, body: completed() },
      )
      .install();
    renderInConsole(<BuyerOrderPage orderId="o-1001" />, {
      session: sessionOf("buyer-1", "buyer"),
    });
    expect((await screen.findByRole("status")).textContent).toBe("Refund pending");
    expect(api.callsTo("GET", "/orders/o-1001")).toHaveLength(1);
    // The page re-reads a refund under way by itself; once completed, the order is read again.
    await vi.advanceTimersByTimeAsync(3_000);
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Completed"));
    await waitFor(() => expect(api.callsTo("GET", "/orders/o-1001")).toHaveLength(2));
    const summary = screen.getByRole("region", { name: "Order details" });
    await waitFor(() => expect(summary.textContent).toContain("¥5,480"));
    expect(nextSteps()).toContain(
      "If the parcel reaches you, refuse it: it goes back to the seller.",
    );
  });
});

describe("what happens next, for the seller and the operator", () => {
  it("the seller before deciding, and after approving: the marketplace refunds, nothing to pay by hand, and the parcel comes back", () => {
    show(aRequest(), { reader: "seller" });
    expect(nextSteps()).toEqual([
      "Approve or reject by Mon, Nov 23, 2026, 12:00 JST (UTC+9). If you do not answer in time, the marketplace decides.",
      "If you approve, the marketplace refunds the buyer: you refund nothing yourself.",
    ]);
    cleanup();
    show(aRequest({ status: "AWAITING_MARKETPLACE", marketplaceReview: "POLICY" }), {
      reader: "seller",
    });
    expect(nextSteps()).toEqual([
      "The marketplace is approving it now.",
      "Then the marketplace refunds the buyer ¥5,480 through its payment provider and settles it against your seller account: you refund nothing yourself.",
      "The buyer is asked to refuse the parcel: accept it when it comes back to you. Nothing else to do.",
    ]);
  });

  it("the seller of part of an order: the parcel goes on to the buyer", () => {
    show(completed({ lines: [{ lineId: "l1", quantity: 1, amount: 1800 }] }), {
      reader: "seller",
      orderLines: twoLines([1, 0]),
    });
    expect(nextSteps()).toEqual([
      "Cancelled: the marketplace refunded the buyer ¥5,480, settled against your seller account.",
      "The rest of the order is still delivered to the buyer: nothing to do with the parcel.",
    ]);
  });

  it("the operator: what is theirs to decide by when, a failed refund to retry, and nothing once done", () => {
    show(
      aRequest({
        status: "AWAITING_MARKETPLACE",
        marketplaceReview: "OPERATOR",
        marketplaceDeadline: "2026-11-24T03:00:00.000Z",
      }),
      { reader: "operator" },
    );
    expect(nextSteps()).toEqual([
      "Approve or reject by Tue, Nov 24, 2026, 12:00 JST (UTC+9). After that, the policy decides by itself.",
      "The buyer and the seller are told by email.",
    ]);
    cleanup();
    show(
      aRequest({
        status: "REFUND_FAILED",
        refund: refund({ status: "FAILED", attempts: 1 }),
        refundRetryDeadline: "2026-11-24T05:00:00.000Z",
      }),
      { reader: "operator" },
    );
    expect(nextSteps()).toEqual([
      "Retry the refund with the same method, or refund it as gift balance.",
      "If nobody acts by Tue, Nov 24, 2026, 14:00 JST (UTC+9), the system takes it up by itself.",
    ]);
    cleanup();
    show(completed(), { reader: "operator" });
    expect(nextSteps()).toEqual([
      "Refunded and cancelled; the buyer and the seller were told by email. Nothing to do.",
    ]);
  });
});

describe("the timeline, worded for its reader", () => {
  const withRefund = () =>
    completed({
      timeline: [
        { at: "2026-11-21T03:00:00.000Z", type: "REQUESTED", actor: "buyer-1" },
        { at: "2026-11-21T05:00:00.000Z", type: "REFUND_INSTRUCTED", actor: "system" },
      ],
    });

  it("the buyer reads that the marketplace started the refund, never that the seller was told to refund", () => {
    show(withRefund());
    expect(timeline()[1]).toBe(
      "Sat, Nov 21, 2026, 14:00 JST (UTC+9) The marketplace started your refund (system)",
    );
    expect(document.body.textContent).not.toMatch(/instructed to the seller/i);
    cleanup();
    show(withRefund(), { language: "ja" });
    expect(timeline(ja.request.timeline)[1]).toBe(
      "2026年11月21日(土) 14:00（日本時間） マーケットプレイスが返金を開始しました（システム）",
    );
    expect(document.body.textContent).not.toContain("販売者に返金を指示");
  });

  it("the seller reads that there is nothing to pay; operators read the staff's words", () => {
    show(withRefund(), { reader: "seller" });
    expect(timeline()[1]).toContain(
      "The marketplace started the buyer's refund (nothing for you to pay)",
    );
    cleanup();
    show(withRefund(), { reader: "operator" });
    expect(timeline()[1]).toContain("Refund started by the marketplace (the seller is told)");
  });
});

describe("time left", () => {
  const timeLeft = () => document.querySelector(".time-left");

  it("is red only in a deadline's last 24 hours", () => {
    show(aRequest({ sellerDeadline: "2026-11-23T02:00:00.000Z" }));
    expect(timeLeft()?.textContent).toBe("1 day 23 hours left");
    expect(timeLeft()?.classList.contains("due-soon")).toBe(false);
    cleanup();
    show(aRequest({ sellerDeadline: "2026-11-22T02:00:00.000Z" }));
    expect(timeLeft()?.textContent).toBe("23 hours left");
    expect(timeLeft()?.classList.contains("due-soon")).toBe(true);
    cleanup();
    show(aRequest({ sellerDeadline: "2026-11-21T02:00:00.000Z" }));
    expect(timeLeft()?.textContent).toBe("Overdue");
    expect(timeLeft()?.classList.contains("due-soon")).toBe(true);
  });

  it("is written without spaces in Japanese: 残り1日23時間", () => {
    show(aRequest({ sellerDeadline: "2026-11-23T02:00:00.000Z" }), { language: "ja" });
    expect(timeLeft()?.textContent).toBe("残り1日23時間");
  });

  it("is red in the queue only in the last 24 hours too", async () => {
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    new FakeApi()
      .on("GET /seller/cancellation-requests", {
        status: 200,
        body: {
          items: [
            aSummary({
              requestId: "r-1",
              orderId: "o-1",
              sellerDeadline: "2026-11-21T20:00:00.000Z",
            }),
            aSummary({
              requestId: "r-2",
              orderId: "o-2",
              sellerDeadline: "2026-11-23T02:00:00.000Z",
            }),
          ],
          nextCursor: null,
        },
      })
      .install();
    renderInConsole(<RequestQueuePage kind="seller" />, {
      session: sessionOf("seller-1", "seller"),
    });
    await screen.findByRole("heading", { name: "Order o-1" });
    const shown = [...document.querySelectorAll(".time-left")].map((element) => [
      element.textContent,
      element.classList.contains("due-soon"),
    ]);
    expect(shown).toEqual([
      ["17 hours left", true],
      ["1 day 23 hours left", false],
    ]);
  });
});

describe("the queue's notice after a decision", () => {
  const queueWith = (orderAnswer?: Order) => {
    vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
    const api = new FakeApi()
      .on("GET /seller/cancellation-requests", {
        status: 200,
        body: { items: [aSummary({ requestId: "r-1", orderId: "o-1" })], nextCursor: null },
      })
      .on("POST /orders/o-1/cancellation-requests/r-1/seller-decision", {
        status: 200,
        body: aRequest({
          requestId: "r-1",
          orderId: "o-1",
          status: "AWAITING_MARKETPLACE",
          marketplaceReview: "POLICY",
        }),
      });
    if (orderAnswer) api.on("GET /orders/o-1", { status: 200, body: orderAnswer });
    api.install();
    renderInConsole(<RequestQueuePage kind="seller" />, {
      session: sessionOf("seller-1", "seller"),
    });
    return api;
  };
  const approve = async () => {
    const item = (await screen.findByRole("heading", { name: "Order o-1" })).closest("li");
    fireEvent.click(within(item as HTMLElement).getByRole("button", { name: "Approve" }));
    const notice = await screen.findByRole("status");
    return () => [...notice.querySelectorAll("p")].map((p) => p.textContent);
  };

  it("tells the seller who approved that the marketplace refunds and what to do with the parcel (the order read once)", async () => {
    const api = queueWith(anOrder({ orderId: "o-1" }));
    const sentences = await approve();
    expect(sentences()).toEqual([
      "The request for order o-1 was approved.",
      "The marketplace is approving it now.",
      "Then the marketplace refunds the buyer ¥5,480 through its payment provider and settles it against your seller account: you refund nothing yourself.",
      "The buyer is asked to refuse the parcel: accept it when it comes back to you. Nothing else to do.",
    ]);
    expect(api.callsTo("GET", "/orders/o-1")).toHaveLength(1);
    // The list is empty now, and says so without telling the seller there is nothing to do.
    expect(screen.getByText("No request is waiting for you here.")).toBeTruthy();
  });

  it("without the order, still says who refunds, and leaves the parcel unmentioned", async () => {
    queueWith();
    const sentences = await approve();
    await waitFor(() => expect(sentences()).toHaveLength(3));
    expect(sentences()[2]).toContain("you refund nothing yourself");
  });
});
