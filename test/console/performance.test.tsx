// @vitest-environment happy-dom
// Seller performance in the console: the seller's "Performance" page (GET /seller/metrics) says
// first, plainly, that a buyer's change of mind never counts against the seller, then the rate
// with what it counts, the cancellations by fault, outcome and reason, the responses (median and
// p90 as durations, "No answers yet" without any), and a bar chart of the last 30 days (inline
// SVG with a text alternative, a bar pair per day, the figures also as a table), in English and
// Japanese; the operators' "Seller performance" reads a seller's figures by the id typed.
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  formatDuration,
  type SellerMetrics,
} from "../../console/src/components/seller-figures.tsx";
import type { Language } from "../../console/src/messages/types.ts";
import {
  OperatorSellerPerformancePage,
  SellerPerformancePage,
} from "../../console/src/pages/performance.tsx";
import { FakeApi, problem } from "./fake-api.ts";
import { renderInConsole, sessionOf } from "./render.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** 30 days from 2026-11-02 to 2026-12-01: 40 orders, 3 cancellations ended, 1 the seller's. */
const metrics = (overrides: Partial<SellerMetrics> = {}): SellerMetrics => {
  const days = Array.from({ length: 30 }, (_, i) => ({
    date: new Date(Date.UTC(2026, 10, 2 + i)).toISOString().slice(0, 10),
    orders: i < 20 ? 2 : 0,
    cancellations: i === 5 || i === 6 || i === 7 ? 1 : 0,
    sellerCancellations: i === 7 ? 1 : 0,
    answered: i === 5 ? 2 : 0,
    timedOut: i === 9 ? 1 : 0,
  }));
  return {
    from: "2026-11-02",
    to: "2026-12-01",
    orders: 40,
    cancellations: {
      total: 3,
      byReason: {
        NO_LONGER_NEEDED: 1,
        ORDERED_BY_MISTAKE: 0,
        FOUND_BETTER_PRICE: 1,
        DELIVERY_TOO_SLOW: 1,
        WRONG_ITEM_ORDERED: 0,
        OTHER: 0,
      },
      byOutcome: { COMPLETED: 2, REJECTED: 0, WITHDRAWN: 1, RETURN_REQUIRED: 0 },
      byFault: { NONE: 2, SELLER: 1, CARRIER: 0 },
    },
    sellerCancellationRate: 0.025,
    response: {
      answered: 2,
      withinDeadline: 2,
      timedOut: 1,
      medianSeconds: 7800,
      p90Seconds: 93_600,
    },
    days,
    ...overrides,
  };
};

/** The value next to a label of a list of facts. */
const factOf = (label: string): string | null => {
  const term = Array.from(document.querySelectorAll("dt")).find((dt) => dt.textContent === label);
  const value = term?.nextElementSibling;
  expect(value?.tagName, label).toBe("DD");
  return value?.textContent ?? null;
};

const showOwn = (language: Language, figures = metrics()) => {
  const api = new FakeApi().on("GET /seller/metrics", { status: 200, body: figures }).install();
  renderInConsole(<SellerPerformancePage />, {
    language,
    session: sessionOf("seller-1", "seller"),
  });
  return api;
};

describe("the seller's Performance page", () => {
  it("says first that a buyer's change of mind does not count, then the rate and what counts", async () => {
    const api = showOwn("en");
    await screen.findByText("2.5%");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Performance");
    const main = document.body.textContent ?? "";
    const fairness = main.indexOf(
      "Cancellations that buyers ask for because they changed their mind do not count against you.",
    );
    expect(fairness).toBeGreaterThanOrEqual(0);
    // Said before any figure.
    expect(fairness).toBeLessThan(main.indexOf("2.5%"));
    expect(main).toContain("the order shipped after its ship-by date");
    expect(factOf("Seller-caused cancellation rate")).toBe(
      "2.5% 1 seller-caused cancellation of 40 orders",
    );
    expect(factOf("Orders")).toBe("40");
    expect(main).toContain("Nov 2, 2026 to");
    // The default window: no query at all.
    expect(api.calls.map((call) => call.path)).toEqual(["/seller/metrics"]);
  });

  it("shows the cancellations by fault, outcome and reason, and the responses", async () => {
    showOwn("en");
    await screen.findByText("2.5%");
    expect(factOf("Buyer's change of mind (not counted against you)")).toBe("2");
    expect(factOf("Seller (shipped after the ship-by date)")).toBe("1");
    expect(factOf("Carrier (slow delivery)")).toBe("0");
    expect(factOf("Completed")).toBe("2");
    expect(factOf("Withdrawn")).toBe("1");
    expect(factOf("Delivery is too slow")).toBe("1");
    expect(factOf("Answered")).toBe("2");
    expect(factOf("Answered before the deadline")).toBe("2");
    expect(factOf("Deadline passed without an answer")).toBe("1");
    expect(factOf("Typical response time (median)")).toBe("about 2 hours 10 minutes");
    expect(factOf("9 in 10 answered within")).toBe("about 1 day 2 hours");
  });

  it("draws the last 30 days as bars with a text alternative, and the figures as a table", async () => {
    showOwn("en");
    const chart = await screen.findByRole("img");
    expect(chart.tagName.toLowerCase()).toBe("svg");
    expect(chart.getAttribute("aria-labelledby")).toBeTruthy();
    expect(within(chart).getByText(/^Bar chart of 30 days/).textContent).toBe(
      "Bar chart of 30 days: 40 orders, 3 cancellation requests ended, 1 of them seller-caused.",
    );
    expect(chart.querySelectorAll("g[data-date]")).toHaveLength(30);
    // The seller-caused day's red bar has a height; the others' none.
    const seller = Array.from(chart.querySelectorAll("rect.bar-seller"));
    const tall = seller.filter((rect) => Number(rect.getAttribute("height")) > 0);
    expect(tall.map((rect) => rect.parentElement?.getAttribute("data-date"))).toEqual([
      "2026-11-09",
    ]);
    for (const name of ["Orders", "Cancellation requests ended", "Seller-caused"]) {
      expect(screen.getAllByText(name).length).toBeGreaterThan(0);
    }
    const rows = within(screen.getByRole("table")).getAllByRole("row");
    expect(rows).toHaveLength(31);
    expect(rows[8]?.textContent).toBe("Mon, Nov 9, 2026211");
  });

  it("speaks Japanese: the statement, the rate and the chart", async () => {
    showOwn("ja");
    await screen.findByText("2.5%");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("実績");
    const main = document.body.textContent ?? "";
    expect(main).toContain(
      "購入者の都合（気が変わった等）によるキャンセル申請は、販売者の評価には含まれません。",
    );
    expect(factOf("販売者に原因があるキャンセル率")).toBe(
      "2.5% 注文40件のうち、販売者に原因があるキャンセル1件",
    );
    expect(factOf("標準的な回答時間（中央値）")).toBe("約2時間10分");
    expect(factOf("購入者の都合（評価に含まれません）")).toBe("2");
    expect(screen.getByRole("img").textContent).toContain("30日間の棒グラフ");
  });

  it("says there were no answers rather than a time, and tells a failure in words", async () => {
    const none = metrics({
      response: {
        answered: 0,
        withinDeadline: 0,
        timedOut: 0,
        medianSeconds: null,
        p90Seconds: null,
      },
    });
    showOwn("en", none);
    await screen.findByText("2.5%");
    expect(factOf("Typical response time (median)")).toBe("No answers yet");
    cleanup();
    vi.unstubAllGlobals();
    new FakeApi().on("GET /seller/metrics", problem(503, "UNAVAILABLE")).install();
    renderInConsole(<SellerPerformancePage />, { session: sessionOf("seller-1", "seller") });
    expect((await screen.findByRole("alert")).textContent).toContain("try");
  });
});

describe("the operators' Seller performance page", () => {
  it("reads the figures of the seller id typed", async () => {
    const api = new FakeApi()
      .on("GET /operator/sellers/seller-9/metrics", { status: 200, body: metrics() })
      .install();
    renderInConsole(<OperatorSellerPerformancePage />, {
      session: sessionOf("operator-1", "operator"),
    });
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Seller performance");
    fireEvent.click(screen.getByRole("button", { name: "Show figures" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Enter a seller ID.");
    expect(api.calls).toEqual([]);
    fireEvent.input(screen.getByLabelText("Seller ID"), { target: { value: " seller-9 " } });
    fireEvent.click(screen.getByRole("button", { name: "Show figures" }));
    await screen.findByText("2.5%");
    expect(screen.getByRole("heading", { level: 2, name: "seller-9" })).toBeTruthy();
    expect(api.calls.map((call) => call.path)).toEqual(["/operator/sellers/seller-9/metrics"]);
    await waitFor(() => expect(screen.queryByRole("alert")).toBeNull());
  });
});

describe("formatDuration", () => {
  it("says a response time in its two largest units", () => {
    expect(formatDuration(45, "en")).toBe("45 seconds");
    expect(formatDuration(600, "en")).toBe("10 minutes");
    expect(formatDuration(7800, "ja")).toBe("2時間10分");
    expect(formatDuration(3 * 86_400 + 3600 + 60, "en")).toBe("3 days 1 hour");
  });
});
