// The seller's parcels (GET /seller/parcels) over the in-memory ports: the seller's orders with
// cancelled units whose parcel is not yet back, every such status by default or one when asked,
// the longest out first, in pages; each entry what the order's own view shows of it, kept small;
// the refusals. The list only reads.
import { beforeEach, describe, expect, it } from "vitest";
import type { Order, OrderReturn, Parcel } from "../../functions/domain/types.ts";
import { SUMMARY_LINES } from "../../functions/domain/views.ts";
import {
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  type TestApp,
  type TestResponse,
} from "../support/http-app.ts";
import { buyer, operator, seller, type TestCaller } from "../support/http-events.ts";
import { seedOrder, uid } from "../support/http-fixtures.ts";
import { at } from "../support/records.ts";

let app: TestApp;
beforeEach(() => {
  app = createTestApp();
});

/** An order of `sellerId` shipped at at(0): one mug, `cancelled` of its 2 units cancelled. */
const seedParcel = (
  sellerId: string,
  cancelled: number,
  parcel: Parcel | undefined,
  overrides: Partial<Order> = {},
) =>
  seedOrder(app.world.table, {
    sellerId,
    lines: [
      {
        lineId: "l1",
        sku: "SKU-1",
        title: "マグカップ",
        quantity: 2,
        unitPrice: 1200,
        cancelledQuantity: cancelled,
      },
    ],
    shippingFee: 500,
    payment: { method: "CARD", paidAmount: 2900 },
    refundedAmount: cancelled * 1200,
    ...(parcel === undefined ? {} : { parcel }),
    ...overrides,
  });

/** Reads the list to its end with `query`, returning each page's order ids. */
const readPages = async (
  caller: TestCaller,
  query: Record<string, string>,
): Promise<string[][]> => {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const response: TestResponse = await app.invoke("ListSellerParcels", {
      caller,
      query: cursor === undefined ? query : { ...query, cursor },
    });
    expectJson(response, 200);
    pages.push((response.body.items ?? []).map((item) => item.orderId as string));
    cursor = (response.body.nextCursor as string | null) ?? undefined;
  } while (cursor !== undefined && pages.length < 20);
  // One list read per page, and nothing else.
  expect(app.callNames()).toEqual(pages.map(() => "table.sellerParcels"));
  app.calls.length = 0;
  return pages;
};

describe("GET /seller/parcels", () => {
  it("lists the seller's cancelled units not yet back, every status, the longest out first", async () => {
    const sellerId = uid("seller");
    const transit = await seedParcel(sellerId, 2, undefined); // in transit since at(0)
    const refused = await seedParcel(sellerId, 1, { status: "REFUSED", updatedAt: at(30) });
    const returning = await seedParcel(sellerId, 1, { status: "RETURNING", updatedAt: at(10) });
    const delivered = await seedParcel(sellerId, 1, { status: "DELIVERED", updatedAt: at(20) });
    // Out: no cancelled units, back with the seller, another seller's, not shipped.
    await seedParcel(sellerId, 0, { status: "REFUSED", updatedAt: at(5) });
    await seedParcel(sellerId, 1, { status: "RETURNED", updatedAt: at(6) });
    await seedParcel(uid("seller"), 1, { status: "REFUSED", updatedAt: at(7) });
    await seedParcel(sellerId, 1, undefined, { status: "PLACED", shipment: null });

    const ids = (order: { order: Order }) => order.order.orderId;
    expect(await readPages(seller(sellerId), { limit: "3" })).toEqual([
      [ids(transit), ids(returning), ids(delivered)],
      [ids(refused)],
    ]);
    expect(await readPages(seller(sellerId), { status: "REFUSED" })).toEqual([[ids(refused)]]);
    expect(await readPages(seller(sellerId), { status: "IN_TRANSIT", limit: "1" })).toEqual([
      [ids(transit)],
    ]);
    expect(await readPages(seller(uid("seller")), {})).toEqual([[]]);
  });

  it("orders parcels of the same time by order id, across statuses and pages", async () => {
    const sellerId = uid("seller");
    const same = { updatedAt: at(12) };
    const orders = await Promise.all(
      (["REFUSED", "RETURNING", "DELIVERED", "REFUSED"] as const).map((status, i) =>
        seedParcel(sellerId, 1, { status, ...same }, { orderId: `o-same-${sellerId}-${i}` }),
      ),
    );
    const expected = orders.map((record) => record.order.orderId).sort();
    expect((await readPages(seller(sellerId), { limit: "1" })).flat()).toEqual(expected);
    expect((await readPages(seller(sellerId), { limit: "3" })).flat()).toEqual(expected);
  });

  it("shows each order as its own view does: parcel, return, shipment, its cancelled lines", async () => {
    const sellerId = uid("seller");
    const owed: OrderReturn = {
      status: "OVERDUE",
      lines: [
        { lineId: "l1", quantity: 1 },
        { lineId: "l2", quantity: 2 },
        { lineId: "l4", quantity: 1 },
        { lineId: "l5", quantity: 1 },
      ],
      dueBy: at(40),
      openedAt: at(20),
      closedAt: null,
    };
    const titles = [
      "Stainless steel vacuum bottle 500 ml", // 36 characters: cut to 24
      "有田焼の湯呑み",
      "箸置き",
      "急須",
      "茶托",
    ];
    const record = await seedParcel(
      sellerId,
      0,
      { status: "DELIVERED", updatedAt: at(20) },
      {
        status: "DELIVERED",
        deliveredAt: at(20),
        lines: titles.map((title, index) => ({
          lineId: `l${index + 1}`,
          sku: `SKU-${index + 1}`,
          title,
          quantity: 2,
          unitPrice: 1000,
          // The third line's units were all delivered and kept: nothing of it was cancelled.
          cancelledQuantity: index === 2 ? 0 : index === 1 ? 2 : 1,
        })),
        payment: { method: "CARD", paidAmount: 10500 },
        refundedAmount: 5000,
        return: owed,
        latestCancellationRequestId: "r-latest",
      },
    );
    const view = await app.invoke("GetOrder", {
      caller: seller(sellerId),
      params: { orderId: record.order.orderId },
    });
    expectJson(view, 200);
    const order = view.body as unknown as {
      orderId: string;
      currency: string;
      parcel: Parcel;
      return: OrderReturn;
      shipment: unknown;
      lines: { lineId: string; title: string; cancelledQuantity: number }[];
      latestCancellationRequestId: string;
    };
    const cancelled = order.lines.filter((line) => line.cancelledQuantity > 0);
    const entry = {
      orderId: order.orderId,
      currency: order.currency,
      parcel: order.parcel,
      return: {
        status: order.return.status,
        dueBy: order.return.dueBy,
        openedAt: order.return.openedAt,
        closedAt: order.return.closedAt,
      },
      shipment: order.shipment,
      lines: cancelled.slice(0, SUMMARY_LINES).map(({ lineId, title, cancelledQuantity }) => ({
        lineId,
        title: lineId === "l1" ? "Stainless steel vacuum …" : title,
        quantity: cancelledQuantity,
      })),
      moreLines: 1,
      latestCancellationRequestId: "r-latest",
    };
    const listed = await app.invoke("ListSellerParcels", { caller: seller(sellerId) });
    expectJson(listed, 200);
    expect(listed.raw).toBe(JSON.stringify({ items: [entry], nextCursor: null }));
    expect(listed.body.items?.[0]?.lines).toEqual([
      { lineId: "l1", title: "Stainless steel vacuum …", quantity: 1 },
      { lineId: "l2", title: "有田焼の湯呑み", quantity: 2 },
      { lineId: "l4", title: "急須", quantity: 1 },
    ]);
  });

  it("refuses a bad status, limit or cursor → 400, and other roles → 403", async () => {
    const caller = seller(uid("seller"));
    for (const [query, path] of [
      [{ status: "RETURNED" }, "query.status"],
      [{ status: "in_transit" }, "query.status"],
      [{ status: "AWAITING_SELLER" }, "query.status"],
      [{ limit: "0" }, "query.limit"],
      [{ limit: "101" }, "query.limit"],
      [{ cursor: "garbage" }, "query.cursor"],
      [{ sort: "oldest" }, "query.sort"],
    ] as const) {
      expectValidation(await app.invoke("ListSellerParcels", { caller, query }), path);
    }
    for (const other of [buyer(), operator()]) {
      expectProblem(await app.invoke("ListSellerParcels", { caller: other }), 403, "FORBIDDEN");
    }
    // Only the cursor reached the list: whether it is one of the list's own is the store's to say.
    expect(app.callNames()).toEqual(["table.sellerParcels"]);
  });

  it("refuses a cursor of another seller or another status → 400", async () => {
    const sellerId = uid("seller");
    for (const hours of [3, 4]) {
      await seedParcel(sellerId, 1, { status: "REFUSED", updatedAt: at(hours) });
    }
    const first = await app.invoke("ListSellerParcels", {
      caller: seller(sellerId),
      query: { limit: "1", status: "REFUSED" },
    });
    const cursor = first.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    for (const [caller, query] of [
      [seller(uid("seller")), { cursor, status: "REFUSED" }],
      [seller(sellerId), { cursor }],
      [seller(sellerId), { cursor, status: "DELIVERED" }],
    ] as const) {
      expectValidation(await app.invoke("ListSellerParcels", { caller, query }), "query.cursor");
    }
    const next = await app.invoke("ListSellerParcels", {
      caller: seller(sellerId),
      query: { cursor, status: "REFUSED" },
    });
    expectJson(next, 200);
    expect(next.body.items).toHaveLength(1);
  });
});
