// @vitest-environment happy-dom
// A card refund as the payment provider reports it, on the request's page for the buyer, the
// seller and operators: "Refund on its way at the card company" while Stripe holds it pending
// (operators also read Stripe's own word), the bank's reference with what it is for, a refund the
// card company failed after it had succeeded (why, in words; that the marketplace refunds again
// and by when), the timeline's REFUND_REVERSED in each reader's words, and the operator's retry
// buttons on a COMPLETED request whose refund failed (its own page, and Find order, which shows an
// order's latest request when none is active).
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CancellationRequest } from "../../console/src/api.ts";
import { RequestView } from "../../console/src/components/request-view.tsx";
import { ja } from "../../console/src/messages/ja.ts";
import type { Language, Role } from "../../console/src/messages/types.ts";
import { FindOrderPage } from "../../console/src/pages/find-order.tsx";
import { RequestDetailPage } from "../../console/src/pages/request-detail.tsx";
import { anOrder, aRequest, FakeApi } from "./fake-api.ts";
import { renderInConsole, sessionOf } from "./render.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const NOW = new Date("2026-11-22T03:00:00.000Z");
const DEADLINE = "2026-11-25T10:00:00.000Z";

type Refund = NonNullable<CancellationRequest["refund"]>;

const stripeRefund = (overrides: Partial<Refund> = {}): Refund => ({
  amount: 5480,
  currency: "JPY",
  method: "CARD",
  status: "SUCCEEDED",
  refundId: "o-1001:r-1",
  expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
  instructedAt: "2026-11-21T05:00:00.000Z",
  succeededAt: "2026-11-21T05:00:02.000Z",
  attempts: 1,
  provider: "stripe",
  providerStatus: "succeeded",
  reference: null,
  failureReason: null,
  reversed: false,
  late: false,
  ...overrides,
});

const TIMELINE: CancellationRequest["timeline"] = [
  { at: "2026-11-21T03:00:00.000Z", type: "REQUESTED", actor: "buyer-1" },
  { at: "2026-11-21T04:00:00.000Z", type: "SELLER_APPROVED", actor: "seller-1" },
  { at: "2026-11-21T04:00:01.000Z", type: "MARKETPLACE_APPROVED", actor: "policy" },
  { at: "2026-11-21T05:00:02.000Z", type: "REFUND_SUCCEEDED", actor: "system" },
  { at: "2026-11-21T05:00:02.000Z", type: "COMPLETED", actor: "system" },
];

/** A completed request whose card refund the card company failed a day later, for `reason`. */
const reversed = (reason = "expired_or_canceled_card"): CancellationRequest =>
  aRequest({
    status: "COMPLETED",
    marketplaceReview: "POLICY",
    refundRetryDeadline: DEADLINE,
    refund: stripeRefund({
      status: "FAILED",
      providerStatus: "failed",
      failureReason: reason,
      reversed: true,
    }),
    timeline: [
      ...TIMELINE,
      { at: "2026-11-22T02:00:00.000Z", type: "REFUND_REVERSED", actor: "system", note: reason },
    ],
  });

/** A refund Stripe answered `pending`: the request waits in REFUND_PENDING. */
const pendingAtStripe = (): CancellationRequest =>
  aRequest({
    status: "REFUND_PENDING",
    marketplaceReview: "POLICY",
    refund: stripeRefund({ status: "PENDING", providerStatus: "pending", succeededAt: null }),
    timeline: TIMELINE.slice(0, 3),
  });

const show = (request: CancellationRequest, reader: Role = "buyer", language: Language = "en") => {
  vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
  renderInConsole(
    <RequestView
      request={request}
      reader={reader}
      orderLines={anOrder().lines}
      paymentMethod="CARD"
      currency="JPY"
      locale={language}
      showNotes={reader !== "buyer"}
    />,
    { language, session: sessionOf(`${reader}-1`, reader) },
  );
};

/** The refund's facts: each term with what follows it. */
const facts = () =>
  Object.fromEntries(
    [...document.querySelectorAll("dt")].map((term) => [
      term.textContent,
      term.nextElementSibling?.textContent,
    ]),
  );
const nextSteps = (name = "What happens next") =>
  [...screen.getByRole("region", { name }).querySelectorAll("p")].map((p) => p.textContent);
const lastEntry = (name = "Timeline") =>
  within(screen.getByRole("list", { name })).getAllByRole("listitem").at(-1)?.textContent;

describe("a refund the card company still settles", () => {
  it("says it is on its way at the card company, in both languages", () => {
    show(pendingAtStripe());
    expect(facts()["Refund status"]).toBe("Refund on its way at the card company");
    cleanup();
    show(pendingAtStripe(), "buyer", "ja");
    expect(facts()[ja.request.refundStatus]).toBe("カード会社で返金処理中");
  });

  it("shows operators the provider's own word too, and no one else", () => {
    show(pendingAtStripe(), "operator");
    expect(facts()["Refund status"]).toBe(
      "Refund on its way at the card company — stripe: pending",
    );
    cleanup();
    show(pendingAtStripe(), "seller");
    expect(facts()["Refund status"]).toBe("Refund on its way at the card company");
  });

  it("is In progress as before while the call itself is under way", () => {
    const calling = pendingAtStripe();
    if (calling.refund) calling.refund.providerStatus = null;
    show(calling);
    expect(facts()["Refund status"]).toBe("In progress");
  });
});

describe("the refund's bank reference", () => {
  const withReference = () =>
    aRequest({
      status: "COMPLETED",
      marketplaceReview: "POLICY",
      refund: stripeRefund({ reference: "74819992345678901234567" }),
      timeline: TIMELINE,
    });

  it("is shown to the buyer with what to do with it (en, ja)", () => {
    show(withReference());
    expect(facts()["Refund reference"]).toBe(
      "74819992345678901234567Your card issuer can trace the refund with this number.",
    );
    cleanup();
    show(withReference(), "buyer", "ja");
    expect(facts()[ja.request.reference]).toBe(
      "74819992345678901234567カード会社にこの番号をお伝えいただくと、返金の状況を確認できます。",
    );
  });

  it("is shown to staff as the buyer's to use", () => {
    for (const reader of ["seller", "operator"] as const) {
      show(withReference(), reader);
      expect(facts()["Refund reference"], reader).toBe(
        "74819992345678901234567The buyer's card issuer can trace the refund with this number.",
      );
      cleanup();
    }
  });

  it("is left out until the provider has it", () => {
    show(aRequest({ status: "COMPLETED", refund: stripeRefund(), timeline: TIMELINE }));
    expect(facts()).not.toHaveProperty("Refund reference");
    expect(screen.queryByText(/can trace the refund/)).toBeNull();
  });
});

describe("a card refund the card company reversed", () => {
  it("tells the buyer why, that the marketplace refunds again and by when, and nothing to do", () => {
    show(reversed());
    expect(screen.getByRole("status").textContent).toBe("Completed");
    expect(
      screen.getByText(
        "The card company could not complete the refund; the marketplace will refund again.",
      ),
    ).toBeTruthy();
    expect(screen.getByText("The card has expired or has been cancelled.")).toBeTruthy();
    expect(nextSteps()[0]).toBe(
      "The card company could not complete the refund, so the marketplace will refund you again, by Wed, Nov 25, 2026, 19:00 JST (UTC+9) at the latest. There is nothing you need to do: we email you once it is done.",
    );
    expect(facts()).toMatchObject({ "Refund status": "Failed (our staff will take care of it)" });
    // The first refund no longer stands: no date it was refunded on.
    expect(facts()).not.toHaveProperty("Refunded on");
    expect(lastEntry()).toBe(
      "Sun, Nov 22, 2026, 11:00 JST (UTC+9) The card company could not complete the refund: we refund you again (system)",
    );
    expect(screen.queryByText(/expired_or_canceled_card/)).toBeNull();
  });

  it("in Japanese", () => {
    show(reversed("lost_or_stolen_card"), "buyer", "ja");
    expect(
      screen.getByText(
        "カード会社で返金が完了しませんでした。マーケットプレイスがあらためて返金します。",
      ),
    ).toBeTruthy();
    expect(
      screen.getByText("返金先のカードは紛失・盗難の届け出により利用停止となっています。"),
    ).toBeTruthy();
    expect(nextSteps(ja.next.heading)[0]).toContain(
      "マーケットプレイスが遅くとも2026年11月25日(水) 19:00（日本時間）までにあらためて返金します。",
    );
    expect(lastEntry(ja.request.timeline)).toContain(
      "カード会社で返金が完了しなかったため、あらためて返金します",
    );
  });

  it("says a reason it has no words for generically", () => {
    show(reversed("something_new"));
    expect(screen.getByText("The card company did not say why.")).toBeTruthy();
    expect(screen.queryByText(/something_new/)).toBeNull();
  });

  it("tells operators the case, the reason's code in the timeline, and the deadline", () => {
    show(reversed(), "operator");
    expect(nextSteps()).toEqual([
      "The card company failed the refund after it had succeeded: the cancellation stands, but the buyer has not been refunded.",
      "Retry the refund with the same method, or refund it as gift balance.",
      "If nobody acts by Wed, Nov 25, 2026, 19:00 JST (UTC+9), the system takes it up by itself.",
    ]);
    expect(facts()["Refund retried until"]).toContain("Wed, Nov 25, 2026, 19:00 JST (UTC+9)");
    expect(lastEntry()).toBe(
      "Sun, Nov 22, 2026, 11:00 JST (UTC+9) Refund reversed by the card company (system) — expired_or_canceled_card",
    );
  });

  it("tells the seller nothing is theirs to do", () => {
    show(reversed(), "seller");
    expect(nextSteps()[0]).toBe(
      "The card company could not complete the buyer's refund, so the marketplace refunds them again. Nothing to do for you.",
    );
  });

  it("once retried, the buyer reads that the refund is under way again, and the notice is gone", () => {
    const retried = reversed();
    retried.refundRetryDeadline = null;
    retried.refund = stripeRefund({
      method: "GIFT_CARD",
      provider: "ledger",
      refundId: "o-1001:r-1-2",
      status: "PENDING",
      providerStatus: null,
      succeededAt: "2026-11-21T05:00:02.000Z",
    });
    show(retried);
    expect(nextSteps()[0]).toBe(
      "Approved: the marketplace is refunding ¥5,480 to your gift balance. We email you once it is done.",
    );
    expect(screen.queryByText(/could not complete the refund;/)).toBeNull();
    expect(facts()).not.toHaveProperty("Refunded on");
    cleanup();
    show(retried, "operator");
    expect(nextSteps()).toEqual([
      "The refund of ¥5,480 (Gift balance) is being made again. If it fails, operators are emailed.",
    ]);
  });
});

describe("the operator's retry of a reversed refund", () => {
  const open = (request: CancellationRequest, role: Role = "operator") => {
    const api = new FakeApi()
      .on("GET /orders/o-1001", { status: 200, body: anOrder({ status: "CANCELLED" }) })
      .on("GET /orders/o-1001/cancellation-requests/r-1", { status: 200, body: request })
      .install();
    renderInConsole(<RequestDetailPage orderId="o-1001" requestId="r-1" />, {
      session: sessionOf(`${role}-1`, role),
    });
    return api;
  };

  it("offers Retry refund and Refund as gift balance on the completed request, and refunds as gift balance", async () => {
    const api = open(reversed());
    api.on("POST /orders/o-1001/cancellation-requests/r-1/refund-retry", {
      status: 202,
      body: {
        ...reversed(),
        refundRetryDeadline: null,
        refund: stripeRefund({
          method: "GIFT_CARD",
          provider: "ledger",
          status: "PENDING",
          providerStatus: null,
        }),
      },
    });
    await screen.findByRole("status");
    expect(screen.getByRole("button", { name: "Retry refund" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Refund as gift balance" }));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Retry refund" })).toBeNull());
    expect(
      api.callsTo("POST", "/orders/o-1001/cancellation-requests/r-1/refund-retry")[0]?.body,
    ).toEqual({ method: "GIFT_CARD" });
    expect(screen.getByRole("status").textContent).toBe("Completed");
  });

  it("retries the same method with {}", async () => {
    const api = open(reversed());
    api.on("POST /orders/o-1001/cancellation-requests/r-1/refund-retry", {
      status: 202,
      body: { ...reversed(), refund: stripeRefund({ status: "PENDING", providerStatus: null }) },
    });
    fireEvent.click(await screen.findByRole("button", { name: "Retry refund" }));
    await waitFor(() =>
      expect(api.callsTo("POST", "/orders/o-1001/cancellation-requests/r-1/refund-retry")).toEqual([
        expect.objectContaining({ body: {} }),
      ]),
    );
  });

  it("offers nothing on a completed request whose refund stands, nor to the seller", async () => {
    open(aRequest({ status: "COMPLETED", refund: stripeRefund(), timeline: TIMELINE }));
    await screen.findByRole("status");
    expect(screen.queryByRole("button", { name: "Retry refund" })).toBeNull();
    cleanup();
    vi.unstubAllGlobals();
    open(reversed(), "seller");
    await screen.findByRole("status");
    expect(screen.queryByRole("button", { name: "Retry refund" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Refund as gift balance" })).toBeNull();
  });
});

describe("Find order", () => {
  it("shows the latest request when none is active, with the retry of its reversed refund", async () => {
    const api = new FakeApi()
      .on("GET /orders/o-1001", {
        status: 200,
        body: anOrder({
          status: "CANCELLED",
          activeCancellationRequestId: null,
          latestCancellationRequestId: "r-1",
        }),
      })
      .on("GET /orders/o-1001/cancellation-requests/r-1", { status: 200, body: reversed() })
      .install();
    renderInConsole(<FindOrderPage />, { session: sessionOf("operator-1", "operator") });
    fireEvent.input(screen.getByRole("textbox", { name: "Order ID" }), {
      target: { value: "o-1001" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Find" }));
    await screen.findByRole("button", { name: "Refund as gift balance" });
    expect(screen.getByRole("status").textContent).toBe("Completed");
    expect(screen.getByRole("button", { name: "Retry refund" })).toBeTruthy();
    expect(api.callsTo("GET", "/orders/o-1001/cancellation-requests/r-1")).toHaveLength(1);
  });

  it("says no request is in progress for an order that never had one", async () => {
    new FakeApi().on("GET /orders/o-1001", { status: 200, body: anOrder() }).install();
    renderInConsole(<FindOrderPage />, { session: sessionOf("operator-1", "operator") });
    fireEvent.input(screen.getByRole("textbox", { name: "Order ID" }), {
      target: { value: "o-1001" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Find" }));
    await screen.findByText("No cancellation request is in progress.");
  });
});
