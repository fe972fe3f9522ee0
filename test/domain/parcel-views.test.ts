// The seller's parcels list entry (parcel-views.ts): which orders have one, what it says of the
// order (as the order's own view does), and that it stays small, as the queues' summaries do.
import { describe, expect, it } from "vitest";
import { cancelledUnits } from "../../functions/domain/parcel.ts";
import {
  orderedParcelSummary,
  type ParcelSummary,
  parcelSummaryOf,
} from "../../functions/domain/parcel-views.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import type { Order, OrderRecord } from "../../functions/domain/types.ts";
import { parcelSummarySchema } from "../../functions/domain/view-schemas.ts";
import {
  SUMMARY_LINES,
  TITLE_PREVIEW_LENGTH,
  toPublicOrder,
} from "../../functions/domain/views.ts";
import { makeOrder, makeRequest } from "../support/factories.ts";

const SHIPPED_AT = "2026-11-20T03:00:00.000Z";

/** A shipped order (the factory's, by yamato) with one line per title, `cancelled` units each. */
const recordOf = (
  cancelled: number[],
  overrides: Partial<Order> = {},
  titles = cancelled.map((_, i) => `商品${i + 1}`),
): OrderRecord => ({
  order: makeOrder({
    lines: cancelled.map((units, i) => ({
      lineId: `l${i + 1}`,
      sku: `SKU-${i + 1}`,
      title: titles[i] ?? "",
      quantity: 3,
      unitPrice: 1000,
      cancelledQuantity: units,
    })),
    shipment: { carrier: "yamato", trackingNumber: "4470-1234-5678", shippedAt: SHIPPED_AT },
    latestCancellationRequestId: "r-1",
    ...overrides,
  }),
  requests: {},
});

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

describe("parcelSummaryOf", () => {
  it("has an entry exactly while cancelled units are in a parcel not yet back", () => {
    expect(parcelSummaryOf(recordOf([1]))?.parcel).toEqual({
      status: "IN_TRANSIT",
      updatedAt: SHIPPED_AT,
    });
    for (const status of ["REFUSED", "RETURNING", "DELIVERED", "IN_TRANSIT"] as const) {
      const parcel = { status, updatedAt: "2026-11-22T00:00:00.000Z" };
      expect(parcelSummaryOf(recordOf([0, 2], { parcel }))?.parcel).toEqual(parcel);
    }
    // No cancelled units; the parcel back with the seller; not shipped.
    expect(parcelSummaryOf(recordOf([0, 0]))).toBeUndefined();
    const back = { status: "RETURNED" as const, updatedAt: "2026-11-22T00:00:00.000Z" };
    expect(parcelSummaryOf(recordOf([1], { parcel: back }))).toBeUndefined();
    expect(
      parcelSummaryOf(recordOf([1], { status: "PLACED", shipment: null, parcel: null })),
    ).toBeUndefined();
  });

  it("takes an order stored before its parcel was kept as its delivery says", () => {
    const delivered = recordOf([1], { deliveredAt: "2026-11-23T09:00:00.000Z" });
    expect(parcelSummaryOf(delivered)?.parcel).toEqual({
      status: "DELIVERED",
      updatedAt: "2026-11-23T09:00:00.000Z",
    });
  });

  it("says what the order's view says of the parcel, return, shipment and latest request", () => {
    const record = recordOf([1, 0, 2], {
      parcel: { status: "DELIVERED", updatedAt: "2026-11-23T09:00:00.000Z" },
      deliveredAt: "2026-11-23T09:00:00.000Z",
      return: {
        status: "REQUESTED",
        lines: [
          { lineId: "l1", quantity: 1 },
          { lineId: "l3", quantity: 2 },
        ],
        dueBy: "2026-12-07T09:00:00.000Z",
        openedAt: "2026-11-23T09:00:00.000Z",
        closedAt: null,
      },
    });
    const view = toPublicOrder(record, "2026-11-24T00:00:00.000Z", DEFAULT_POLICY);
    const summary = parcelSummaryOf(record) as ParcelSummary;
    expect(JSON.stringify(summary)).toBe(
      JSON.stringify({
        orderId: view.orderId,
        currency: view.currency,
        parcel: view.parcel,
        return: view.return && {
          status: view.return.status,
          dueBy: view.return.dueBy,
          openedAt: view.return.openedAt,
          closedAt: view.return.closedAt,
        },
        shipment: view.shipment,
        lines: [
          { lineId: "l1", title: "商品1", quantity: 1 },
          { lineId: "l3", title: "商品3", quantity: 2 },
        ],
        moreLines: 0,
        latestCancellationRequestId: view.latestCancellationRequestId,
      }),
    );
    expect(parcelSummarySchema.parse(summary)).toEqual(summary);
  });

  it("names the latest request from the requests when the order does not", () => {
    const record = recordOf([1], { latestCancellationRequestId: undefined });
    const older = makeRequest(record.order, {
      requestId: "r-old",
      createdAt: "2026-11-20T05:00:00.000Z",
    });
    const newer = makeRequest(record.order, {
      requestId: "r-new",
      createdAt: "2026-11-20T06:00:00.000Z",
    });
    const withRequests = { ...record, requests: { "r-new": newer, "r-old": older } };
    expect(parcelSummaryOf(withRequests)?.latestCancellationRequestId).toBe("r-new");
    expect(parcelSummaryOf(record)?.latestCancellationRequestId).toBeNull();
  });

  it("names the first lines, their titles cut as the queues cut them, and counts the rest", () => {
    const long = "Stainless steel vacuum bottle 500 ml";
    const cancelled = [1, 0, 2, 1, 1, 3];
    const record = recordOf(cancelled, {
      return: {
        status: "OVERDUE",
        lines: [1, 3, 4, 5, 6].map((n) => ({ lineId: `l${n}`, quantity: 1 })),
        dueBy: "2026-12-07T09:00:00.000Z",
        openedAt: "2026-11-23T09:00:00.000Z",
        closedAt: null,
      },
    });
    record.order.lines[0] = { ...(record.order.lines[0] as Order["lines"][number]), title: long };
    const summary = parcelSummaryOf(record) as ParcelSummary;
    expect(summary.lines).toEqual([
      { lineId: "l1", title: `${long.slice(0, TITLE_PREVIEW_LENGTH - 1)}…`, quantity: 1 },
      { lineId: "l3", title: "商品3", quantity: 2 },
      { lineId: "l4", title: "商品4", quantity: 1 },
    ]);
    expect(summary.moreLines).toBe(2);
    expect(summary.lines).toHaveLength(SUMMARY_LINES);
  });

  it("stays well under 1 KB for a usual order, and about 1.5 KB at the inputs' limits", () => {
    const usual = recordOf([1, 0, 2], {}, [
      "有田焼の湯呑み二客組木箱入りの贈答用です",
      "ワイヤレスイヤホン（ノイズキャンセリング）",
      "ステンレス製真空断熱ボトル 500ml",
    ]);
    usual.order.return = {
      status: "REQUESTED",
      lines: cancelledUnits(usual.order),
      dueBy: "2026-12-07T09:00:00.000Z",
      openedAt: "2026-11-23T09:00:00.000Z",
      closedAt: null,
    };
    expect(bytes(parcelSummaryOf(usual))).toBeLessThan(700);
    // Every id at 128 characters, carrier and tracking number at 64, 100 lines of long titles.
    const id = (prefix: string) => prefix.padEnd(128, "x");
    const largest = recordOf(
      Array.from({ length: 100 }, () => 3),
      {
        orderId: id("o"),
        latestCancellationRequestId: id("r"),
        shipment: {
          carrier: "c".repeat(64),
          trackingNumber: "9".repeat(64),
          shippedAt: SHIPPED_AT,
        },
      },
      Array.from({ length: 100 }, () => "長い商品名".repeat(20)),
    );
    largest.order.lines = largest.order.lines.map((line, i) => ({
      ...line,
      lineId: id(`l${i}`),
    }));
    largest.order.return = {
      status: "OVERDUE",
      lines: largest.order.lines.map(({ lineId }) => ({ lineId, quantity: 3 })),
      dueBy: "2026-12-07T09:00:00.000Z",
      openedAt: "2026-11-23T09:00:00.000Z",
      closedAt: null,
    };
    expect(bytes(parcelSummaryOf(largest))).toBeLessThan(1600);
  });
});

describe("orderedParcelSummary", () => {
  it("gives a summary read back with its maps in any order its fields in their order", () => {
    const summary = parcelSummaryOf(
      recordOf([1], {
        parcel: { status: "DELIVERED", updatedAt: "2026-11-23T09:00:00.000Z" },
        return: {
          status: "REQUESTED",
          lines: [{ lineId: "l1", quantity: 1 }],
          dueBy: "2026-12-07T09:00:00.000Z",
          openedAt: "2026-11-23T09:00:00.000Z",
          closedAt: null,
        },
      }),
    ) as ParcelSummary;
    const reversed = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversed)
        : value !== null && typeof value === "object"
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([key, member]) => [key, reversed(member)]),
            )
          : value;
    const shuffled = reversed(summary) as ParcelSummary;
    expect(JSON.stringify(shuffled)).not.toBe(JSON.stringify(summary));
    expect(JSON.stringify(orderedParcelSummary(shuffled))).toBe(JSON.stringify(summary));
  });
});
