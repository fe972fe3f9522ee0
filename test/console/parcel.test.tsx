// @vitest-environment happy-dom
// The parcel after a cancellation in the console: on an order's details, the parcel's status in
// words with its time and the carrier's entries; the return of cancelled units the buyer took
// anyway (units, due date in the order's zone, status) with what the buyer does while it is owed;
// and the seller's "Parcels" page (GET /seller/parcels): each card's order link, carrier and
// tracking number, cancelled units, status and since when, return due date; the "Status" filter
// ("All" first) and the empty wording. What happens next stops advising on a parcel on its way
// once the carrier delivered, refused or returned it.
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order } from "../../console/src/api.ts";
import type { components } from "../../console/src/api-schema.ts";
import { nextSteps } from "../../console/src/components/next-steps.tsx";
import { OrderSummary } from "../../console/src/components/order-summary.tsx";
import { MESSAGES } from "../../console/src/i18n.ts";
import type { Language, ParcelStatus, Role } from "../../console/src/messages/types.ts";
import { ParcelsPage } from "../../console/src/pages/parcels.tsx";
import { anOrder, aRequest, FakeApi } from "./fake-api.ts";
import { renderInConsole, sessionOf } from "./render.tsx";

type ParcelItem = components["schemas"]["ParcelSummary"];

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

/** The value next to a label of a list of facts. */
const factOf = (label: string, within: HTMLElement = document.body): string | null => {
  const term = Array.from(within.querySelectorAll("dt")).find((dt) => dt.textContent === label);
  const value = term?.nextElementSibling;
  expect(value?.tagName, label).toBe("DD");
  return value?.textContent ?? null;
};

/** Two mugs and a towel, the mugs cancelled and refunded, then delivered anyway. */
const deliveredAfterCancellation = (overrides: Partial<Order> = {}): Order =>
  anOrder({
    status: "DELIVERED",
    lines: [
      {
        lineId: "l1",
        sku: "MUG-1",
        title: "Stoneware mug",
        quantity: 2,
        unitPrice: 1800,
        cancelledQuantity: 2,
      },
      {
        lineId: "l2",
        sku: "TOWEL-1",
        title: "Linen tea towel",
        quantity: 1,
        unitPrice: 1200,
        cancelledQuantity: 0,
      },
    ],
    deliveredAt: "2026-11-24T05:00:00.000Z",
    parcel: { status: "DELIVERED", updatedAt: "2026-11-24T05:00:00.000Z" },
    return: {
      status: "REQUESTED",
      lines: [{ lineId: "l1", quantity: 2 }],
      dueBy: "2026-12-08T05:00:01.000Z",
      openedAt: "2026-11-24T05:00:01.000Z",
      closedAt: null,
    },
    timeline: [
      { at: "2026-11-20T10:00:00.000Z", type: "ORDER_IMPORTED", actor: "system" },
      { at: "2026-11-21T01:00:00.000Z", type: "SHIPPED", actor: "seller-1" },
      { at: "2026-11-24T05:00:01.000Z", type: "DELIVERED", actor: "carrier" },
      { at: "2026-11-24T05:00:01.000Z", type: "DELIVERED_AFTER_CANCELLATION", actor: "carrier" },
    ],
    ...overrides,
  });

const show = (order: Order, reader: Role, language: Language = "en") =>
  renderInConsole(
    <OrderSummary order={order} locale={order.locale} showOption={false} reader={reader} />,
    { language },
  );

const returnRegion = (name = "Return of cancelled items") => screen.getByRole("region", { name });

describe("the parcel on an order's details", () => {
  it("says where the parcel is and since when, in the order's zone", () => {
    show(anOrder(), "buyer");
    expect(factOf("Parcel")).toBe("In transit");
    expect(factOf("Since")).toBe("Sat, Nov 21, 2026, 10:00 JST (UTC+9)");
    // No carrier's news yet, and no return.
    expect(screen.queryByRole("list", { name: "Parcel history" })).toBeNull();
    expect(screen.queryByRole("region", { name: "Return of cancelled items" })).toBeNull();
  });

  it.each([
    ["IN_TRANSIT", "In transit", "配送中"],
    ["DELIVERED", "Delivered", "配達済み"],
    ["REFUSED", "Refused", "受取辞退"],
    ["RETURNING", "Returning to the seller", "返送中"],
    ["RETURNED", "Back with the seller", "販売者に返送済み"],
  ] as const)("words %s as “%s” and “%s”", (status, english, japanese) => {
    const order = anOrder({ parcel: { status, updatedAt: "2026-11-22T10:00:00.000Z" } });
    show(order, "seller", "en");
    expect(factOf("Parcel")).toBe(english);
    cleanup();
    show(order, "seller", "ja");
    expect(factOf("荷物の状況")).toBe(japanese);
  });

  it("lists the carrier's news of the parcel, worded for its reader", () => {
    const order = anOrder({
      status: "CANCELLED",
      parcel: { status: "RETURNING", updatedAt: "2026-11-23T02:00:00.000Z" },
      timeline: [
        { at: "2026-11-21T01:00:00.000Z", type: "SHIPPED", actor: "seller-1" },
        { at: "2026-11-22T02:00:00.000Z", type: "CANCELLED", actor: "system" },
        { at: "2026-11-22T09:00:00.000Z", type: "DELIVERY_REFUSED", actor: "carrier" },
        { at: "2026-11-23T02:00:00.000Z", type: "RETURNING_TO_SENDER", actor: "carrier" },
      ],
    });
    show(order, "buyer");
    const history = screen.getByRole("list", { name: "Parcel history" });
    expect(
      within(history)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual([
      "Sun, Nov 22, 2026, 18:00 JST (UTC+9) You refused the parcel",
      "Mon, Nov 23, 2026, 11:00 JST (UTC+9) The parcel is on its way back to the seller",
    ]);
    cleanup();
    show({ ...order, locale: "ja" }, "seller", "ja");
    const japanese = screen.getByRole("list", { name: "荷物の経過" });
    expect(
      within(japanese)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual([
      "2026年11月22日(日) 18:00（日本時間） 購入者が荷物の受け取りを辞退しました",
      "2026年11月23日(月) 11:00（日本時間） 荷物が販売者へ返送中です",
    ]);
  });
});

describe("the return of cancelled units delivered anyway", () => {
  it("tells the buyer what to send back, with which carrier, by when", () => {
    show(deliveredAfterCancellation(), "buyer");
    const region = returnRegion();
    expect(factOf("Return status", region)).toBe("Return requested");
    expect(
      within(region)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(["Stoneware mug × 2"]);
    expect(factOf("Due by", region)).toBe("Tue, Dec 8, 2026, 14:00 JST (UTC+9)");
    expect(region.textContent).toContain(
      "Please send Stoneware mug (2) back to the seller with Yamato Transport by Tue, Dec 8, 2026, 14:00 JST (UTC+9).",
    );
    expect(region.textContent).not.toContain("The date has passed");
    expect(screen.getByRole("list", { name: "Parcel history" }).textContent).toContain(
      "please send the cancelled items back",
    );
  });

  it("in Japanese, with the units, the carrier and the date in the order's zone", () => {
    show(deliveredAfterCancellation({ locale: "ja" }), "buyer", "ja");
    const region = returnRegion("キャンセルした商品の返品");
    expect(factOf("返品の状況", region)).toBe("返品待ち");
    expect(factOf("返送期限", region)).toBe("2026年12月8日(火) 14:00（日本時間）");
    expect(region.textContent).toContain(
      "2026年12月8日(火) 14:00（日本時間）までに、Stoneware mug（2点）をヤマト運輸で販売者へ返送してください。",
    );
    expect(document.body.textContent).not.toMatch(/出品者/);
  });

  it("tells the buyer of an overdue return to send it now", () => {
    const order = deliveredAfterCancellation();
    show(
      deliveredAfterCancellation({
        return: { ...(order.return as NonNullable<Order["return"]>), status: "OVERDUE" },
      }),
      "buyer",
    );
    const region = returnRegion();
    expect(factOf("Return status", region)).toBe("Overdue");
    expect(region.textContent).toContain("Please send Stoneware mug (2) back to the seller");
    expect(region.textContent).toContain("The date has passed");
  });

  it("shows the seller what is owed and by when, without the buyer's instructions", () => {
    show(deliveredAfterCancellation(), "seller");
    const region = returnRegion();
    expect(factOf("Return status", region)).toBe("Return requested");
    expect(factOf("Due by", region)).toBe("Tue, Dec 8, 2026, 14:00 JST (UTC+9)");
    expect(region.textContent).not.toContain("Please send");
    expect(region.textContent).toContain("The buyer was asked to send these back");
  });

  it("once received, says when, and asks nothing more", () => {
    const order = deliveredAfterCancellation();
    show(
      deliveredAfterCancellation({
        parcel: { status: "RETURNED", updatedAt: "2026-11-30T03:00:00.000Z" },
        return: {
          ...(order.return as NonNullable<Order["return"]>),
          status: "RECEIVED",
          closedAt: "2026-11-30T03:00:01.000Z",
        },
      }),
      "buyer",
    );
    const region = returnRegion();
    expect(factOf("Return status", region)).toBe("Received");
    expect(factOf("Received", region)).toBe("Mon, Nov 30, 2026, 12:00 JST (UTC+9)");
    expect(region.textContent).not.toContain("Please send");
    expect(factOf("Parcel")).toBe("Back with the seller");
  });

  it.each([
    ["REQUESTED", "Return requested", "返品待ち"],
    ["RECEIVED", "Received", "受領済み"],
    ["OVERDUE", "Overdue", "期限切れ"],
  ] as const)("words %s as “%s” and “%s”", (status, english, japanese) => {
    const order = deliveredAfterCancellation();
    const withStatus = deliveredAfterCancellation({
      return: { ...(order.return as NonNullable<Order["return"]>), status },
    });
    show(withStatus, "operator", "en");
    expect(factOf("Return status", returnRegion())).toBe(english);
    cleanup();
    show(withStatus, "operator", "ja");
    expect(factOf("返品の状況", returnRegion("キャンセルした商品の返品"))).toBe(japanese);
  });
});

const aParcel = (overrides: Partial<ParcelItem> = {}): ParcelItem => ({
  orderId: "o-1",
  currency: "JPY",
  parcel: { status: "IN_TRANSIT", updatedAt: "2026-11-21T01:00:00.000Z" },
  return: null,
  shipment: {
    carrier: "yamato",
    carrierName: { ja: "ヤマト運輸", en: "Yamato Transport" },
    trackingNumber: "4470-0000-0001",
    shippedAt: "2026-11-21T01:00:00.000Z",
  },
  lines: [{ lineId: "l1", title: "Stoneware mug", quantity: 2 }],
  moreLines: 0,
  latestCancellationRequestId: "r-1",
  ...overrides,
});

const parcelsPage = (items: ParcelItem[], language: Language = "en") => {
  const api = new FakeApi()
    .on("GET /seller/parcels", (call) => {
      const status = new URL(call.path, "http://localhost").searchParams.get("status");
      return {
        status: 200,
        body: {
          items: items.filter((item) => !status || item.parcel.status === status),
          nextCursor: null,
        },
      };
    })
    .install();
  renderInConsole(<ParcelsPage />, { language, session: sessionOf("seller-1", "seller") });
  return api;
};

const cardOf = (orderId: string) => {
  const card = screen
    .getAllByRole("listitem")
    .find((item) => within(item).queryByRole("heading", { name: `Order ${orderId}` }));
  if (!card) throw new Error(`no card for ${orderId}`);
  return card;
};

describe("the seller's Parcels page", () => {
  it("lists each parcel with its order, carrier, tracking number, units, status and return", async () => {
    parcelsPage([
      aParcel(),
      aParcel({
        orderId: "o-2",
        parcel: { status: "DELIVERED", updatedAt: "2026-11-24T05:00:00.000Z" },
        return: {
          status: "REQUESTED",
          dueBy: "2026-12-08T05:00:01.000Z",
          openedAt: "2026-11-24T05:00:01.000Z",
          closedAt: null,
        },
        lines: [
          { lineId: "l1", title: "Wireless earbuds", quantity: 1 },
          { lineId: "l2", title: "Charging case", quantity: 1 },
          { lineId: "l3", title: "Ear tips", quantity: 3 },
        ],
        moreLines: 2,
        latestCancellationRequestId: "r-9",
      }),
    ]);
    expect(await screen.findByRole("heading", { level: 1, name: "Parcels" })).toBeTruthy();
    await screen.findByRole("heading", { name: "Order o-1" });
    const first = cardOf("o-1");
    // The order's link is named by its id and leads to its page with its latest request.
    expect(within(first).getByRole("link", { name: "o-1" }).getAttribute("href")).toBe(
      "#/requests/o-1/r-1",
    );
    expect(factOf("Parcel", first)).toBe("In transit");
    expect(factOf("Since", first)).toBe("Sat, Nov 21, 2026, 10:00 JST (UTC+9)");
    expect(factOf("Carrier", first)).toBe("Yamato Transport");
    expect(factOf("Tracking number", first)).toBe("4470-0000-0001");
    expect(factOf("Cancelled items", first)).toBe("Stoneware mug × 2");
    expect(within(first).queryByText("Return due by")).toBeNull();

    const second = cardOf("o-2");
    expect(within(second).getByRole("link", { name: "o-2" }).getAttribute("href")).toBe(
      "#/requests/o-2/r-9",
    );
    expect(factOf("Parcel", second)).toBe("Delivered");
    expect(factOf("Return due by", second)).toBe("Tue, Dec 8, 2026, 14:00 JST (UTC+9)");
    expect(factOf("Return status", second)).toBe("Return requested");
    expect(within(second).getByText("and 2 more items")).toBeTruthy();
  });

  it("filters by status, “All” first, and says when none has it", async () => {
    const api = parcelsPage([aParcel()]);
    await screen.findByRole("heading", { name: "Order o-1" });
    const select = screen.getByRole("combobox", { name: "Status" }) as HTMLSelectElement;
    expect(Array.from(select.options, (option) => option.textContent)).toEqual([
      "All",
      "In transit",
      "Refused",
      "Returning to the seller",
      "Delivered",
    ]);
    expect(api.calls[0]?.path).toBe("/seller/parcels?limit=50");

    fireEvent.change(select, { target: { value: "REFUSED" } });
    expect(await screen.findByText("No cancelled parcel is “Refused” now.")).toBeTruthy();
    expect(api.calls.at(-1)?.path).toBe("/seller/parcels?limit=50&status=REFUSED");
    expect(screen.queryByRole("heading", { name: "Order o-1" })).toBeNull();

    fireEvent.change(select, { target: { value: "" } });
    await screen.findByRole("heading", { name: "Order o-1" });
    expect(api.calls.at(-1)?.path).toBe("/seller/parcels?limit=50");
  });

  it("says when every cancelled parcel is back, in Japanese too", async () => {
    parcelsPage([], "ja");
    expect(
      await screen.findByText("キャンセルされた荷物はすべて手元に戻っています。"),
    ).toBeTruthy();
    expect(screen.getByRole("combobox", { name: "荷物の状況" })).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("list")).toBeNull());
  });
});

describe("what happens next, once the parcel is no longer on its way", () => {
  const request = aRequest({
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
      providerStatus: null,
      reference: null,
      failureReason: null,
      reversed: false,
      late: false,
    },
  });
  const stepsFor = (reader: Role, parcel: ParcelStatus | undefined) =>
    nextSteps(
      {
        reader,
        request,
        order: { lines: anOrder().lines, paymentMethod: "CARD", parcel },
        currency: "JPY",
        locale: "en",
      },
      MESSAGES.en,
    );

  it("tells the buyer to refuse a parcel on its way, and not one already delivered", () => {
    expect(stepsFor("buyer", "IN_TRANSIT")).toContain(MESSAGES.en.next.buyer.refuseParcel);
    expect(stepsFor("buyer", undefined)).toContain(MESSAGES.en.next.buyer.refuseParcel);
    for (const parcel of ["DELIVERED", "REFUSED", "RETURNING", "RETURNED"] as const) {
      const steps = stepsFor("buyer", parcel);
      expect(steps, parcel).not.toContain(MESSAGES.en.next.buyer.refuseParcel);
      // The refund is still told.
      expect(steps[0], parcel).toBe("Cancelled: ¥5,480 was refunded to your card.");
    }
  });

  it("tells the seller the parcel comes back only while it is on its way", () => {
    expect(stepsFor("seller", "IN_TRANSIT")).toContain(MESSAGES.en.next.seller.parcelComesBack);
    expect(stepsFor("seller", "DELIVERED")).not.toContain(MESSAGES.en.next.seller.parcelComesBack);
  });
});
