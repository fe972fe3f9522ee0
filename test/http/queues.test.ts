// The seller's and the operators' queues over the in-memory ports: default statuses, soonest
// deadline first, paging with cursors, the latest request of each order as a summary (no timeline,
// the comment cut short), and the refusals. Lists only read.
import { beforeEach, describe, expect, it } from "vitest";
import type { CancellationRequest, Order, OrderRecord } from "../../functions/domain/types.ts";
import { COMMENT_PREVIEW_LENGTH, SUMMARY_LINES } from "../../functions/domain/views.ts";
import {
  createTestApp,
  expectJson,
  expectProblem,
  expectValidation,
  type TestApp,
  type TestResponse,
} from "../support/http-app.ts";
import { buyer, operator, seller, type TestCaller } from "../support/http-events.ts";
import {
  awaitingOperator,
  REFUND_ERROR,
  refundFailed,
  requestOn,
  seedOrder,
  uid,
} from "../support/http-fixtures.ts";
import { at } from "../support/records.ts";

let app: TestApp;
beforeEach(() => {
  app = createTestApp();
});

const seed = (overrides?: Partial<Order>, requests?: (orderId: string) => CancellationRequest[]) =>
  seedOrder(app.world.table, overrides, requests);

/** Fields a queue entry never has: the server's own, and what only the request itself shows. */
const NOT_IN_SUMMARIES = [
  "idempotencyKey",
  "requestHash",
  "policy",
  "notices",
  "timeline",
  "rejection",
  "sellerRemindedAt",
  "policyVersion",
];

/** Reads a queue to its end with `limit`, returning each page's request ids. */
const readPages = async (
  routeId: "ListSellerCancellationRequests" | "ListOperatorCancellationRequests",
  caller: TestCaller,
  query: Record<string, string>,
): Promise<string[][]> => {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const response: TestResponse = await app.invoke(routeId, {
      caller,
      query: cursor === undefined ? query : { ...query, cursor },
    });
    expectJson(response, 200);
    for (const item of response.body.items ?? []) {
      for (const field of NOT_IN_SUMMARIES) expect(item).not.toHaveProperty(field);
    }
    pages.push((response.body.items ?? []).map((item) => item.requestId as string));
    cursor = (response.body.nextCursor as string | null) ?? undefined;
  } while (cursor !== undefined && pages.length < 20);
  // One list read per page, and nothing else.
  const read =
    routeId === "ListSellerCancellationRequests" ? "table.sellerQueue" : "table.operatorQueue";
  expect(app.callNames()).toEqual(pages.map(() => read));
  return pages;
};

describe("GET /seller/cancellation-requests", () => {
  it("lists the seller's requests awaiting them by default, soonest deadline first, in pages", async () => {
    const sellerId = uid("seller");
    const deadlines = [50, 30, 70, 40, 60];
    const ids: Record<number, string> = {};
    for (const hours of deadlines) {
      const record = await seed({ sellerId }, (orderId) => [
        requestOn(orderId, { sellerDeadline: at(hours) }),
      ]);
      ids[hours] = record.order.activeCancellationRequestId as string;
    }
    // Another seller's request and one of this seller's in another status stay out.
    await seed({ sellerId: uid("seller") }, (orderId) => [requestOn(orderId)]);
    await seed({ sellerId }, (orderId) => [
      requestOn(orderId, { status: "REJECTED", updatedAt: at(5) }),
    ]);
    const pages = await readPages("ListSellerCancellationRequests", seller(sellerId), {
      limit: "2",
    });
    expect(pages).toEqual([[ids[30], ids[40]], [ids[50], ids[60]], [ids[70]]]);
  });

  it("lists another status when asked, with each order's latest request only", async () => {
    const sellerId = uid("seller");
    const record = await seed({ sellerId }, (orderId) => [
      requestOn(orderId, { status: "WITHDRAWN", createdAt: at(1), updatedAt: at(2) }),
      requestOn(orderId, {
        status: "REJECTED",
        createdAt: at(3),
        updatedAt: at(4),
        rejection: { by: "SELLER", reason: "no", at: at(4) },
      }),
    ]);
    const latest = Object.values(record.requests).find((r) => r.status === "REJECTED");
    const rejected = await app.invoke("ListSellerCancellationRequests", {
      caller: seller(sellerId),
      query: { status: "REJECTED" },
    });
    expectJson(rejected, 200);
    expect(rejected.body).toMatchObject({
      items: [{ requestId: latest?.requestId, status: "REJECTED" }],
      nextCursor: null,
    });
    const withdrawn = await app.invoke("ListSellerCancellationRequests", {
      caller: seller(sellerId),
      query: { status: "WITHDRAWN" },
    });
    expect(withdrawn.body).toEqual({ items: [], nextCursor: null });
  });

  it("refuses a bad status, limit or cursor → 400, and other roles → 403", async () => {
    const caller = seller(uid("seller"));
    for (const [query, path] of [
      [{ status: "awaiting_seller" }, "query.status"],
      [{ limit: "0" }, "query.limit"],
      [{ limit: "101" }, "query.limit"],
      [{ cursor: "garbage" }, "query.cursor"],
    ] as const) {
      expectValidation(await app.invoke("ListSellerCancellationRequests", { caller, query }), path);
    }
    for (const other of [buyer(), operator()]) {
      expectProblem(
        await app.invoke("ListSellerCancellationRequests", { caller: other }),
        403,
        "FORBIDDEN",
      );
    }
  });

  it("refuses another seller's cursor → 400", async () => {
    const sellerId = uid("seller");
    for (const hours of [30, 40]) {
      await seed({ sellerId }, (orderId) => [requestOn(orderId, { sellerDeadline: at(hours) })]);
    }
    const first = await app.invoke("ListSellerCancellationRequests", {
      caller: seller(sellerId),
      query: { limit: "1" },
    });
    const cursor = first.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const stolen = await app.invoke("ListSellerCancellationRequests", {
      caller: seller(uid("seller")),
      query: { cursor },
    });
    expectValidation(stolen, "query.cursor");
  });
});

describe("queue entries", () => {
  /** The request as GET …/cancellation-requests/{requestId} shows it to `caller`. */
  const shown = async (record: OrderRecord, caller: TestCaller) => {
    const [request] = Object.values(record.requests);
    const response = await app.invoke("GetCancellationRequest", {
      caller,
      params: { orderId: record.order.orderId, requestId: request?.requestId as string },
    });
    expectJson(response, 200);
    return response.body;
  };

  /**
   * What a queue lists of a request of `order`, derived from its full view: the fields a person
   * needs to pick it out and decide, in this order; the comment cut to its first 79 characters and
   * "…"; its first lines named by the order's titles (short here, so uncut) and how many more; the
   * refund's state with the last failure's note; no timeline.
   */
  const summaryOf = (view: Record<string, unknown>, order: Order) => {
    const comment = view.comment as string | null;
    const characters = comment === null ? [] : [...comment];
    const refund = view.refund as Record<string, unknown> | null;
    const timeline = view.timeline as { type: string; note?: string }[];
    const lines = view.lines as { lineId: string; quantity: number; amount: number }[];
    const titleOf = (lineId: string) => order.lines.find((line) => line.lineId === lineId)?.title;
    return {
      requestId: view.requestId,
      orderId: view.orderId,
      status: view.status,
      reason: view.reason,
      comment:
        comment === null || characters.length <= COMMENT_PREVIEW_LENGTH
          ? comment
          : `${characters.slice(0, COMMENT_PREVIEW_LENGTH - 1).join("")}…`,
      lines: lines.slice(0, SUMMARY_LINES).map(({ lineId, quantity, amount }) => ({
        lineId,
        title: titleOf(lineId),
        quantity,
        amount,
      })),
      moreLines: Math.max(0, lines.length - SUMMARY_LINES),
      itemsAmount: view.itemsAmount,
      shippingAmount: view.shippingAmount,
      currency: order.currency,
      createdAt: view.createdAt,
      updatedAt: view.updatedAt,
      sellerDeadline: view.sellerDeadline,
      marketplaceDeadline: view.marketplaceDeadline,
      marketplaceReview: view.marketplaceReview,
      refundRetryDeadline: view.refundRetryDeadline,
      refund: refund && {
        amount: refund.amount,
        currency: refund.currency,
        method: refund.method,
        status: refund.status,
        attempts: refund.attempts,
        lastError:
          refund.status === "FAILED"
            ? (timeline.findLast((entry) => entry.type === "REFUND_FAILED")?.note ?? null)
            : null,
      },
    };
  };

  it("are each request's summary: its view without the timeline, the comment cut short", async () => {
    const sellerId = uid("seller");
    const long = `${"とても長い説明です。".repeat(9)}😀😀`;
    expect([...long].length).toBeGreaterThan(COMMENT_PREVIEW_LENGTH);
    const awaiting = [
      await seed({ sellerId }, (orderId) => [requestOn(orderId, { sellerDeadline: at(30) })]),
      await seed({ sellerId }, (orderId) => [
        requestOn(orderId, {
          sellerDeadline: at(40),
          reason: "OTHER",
          comment: '<b>安く</b> "found" elsewhere',
        }),
      ]),
      await seed({ sellerId }, (orderId) => [
        requestOn(orderId, { sellerDeadline: at(50), reason: "OTHER", comment: long }),
      ]),
    ];
    const failed = await seed({ sellerId }, (orderId) => [refundFailed(orderId)]);

    const mine = await app.invoke("ListSellerCancellationRequests", { caller: seller(sellerId) });
    expectJson(mine, 200);
    const views = await Promise.all(awaiting.map((record) => shown(record, seller(sellerId))));
    const summaries = views.map((view, index) => summaryOf(view, awaiting[index]?.order as Order));
    expect(mine.raw).toBe(JSON.stringify({ items: summaries, nextCursor: null }));
    expect(mine.body.items?.[1]?.comment).toBe('<b>安く</b> "found" elsewhere');
    const cut = mine.body.items?.[2]?.comment as string;
    expect([...cut]).toHaveLength(COMMENT_PREVIEW_LENGTH);
    expect(cut.endsWith("…")).toBe(true);
    expect(long.startsWith(cut.slice(0, -1))).toBe(true);

    const failures = await app.invoke("ListSellerCancellationRequests", {
      caller: seller(sellerId),
      query: { status: "REFUND_FAILED" },
    });
    const failedView = await shown(failed, seller(sellerId));
    expect(failures.raw).toBe(
      JSON.stringify({ items: [summaryOf(failedView, failed.order)], nextCursor: null }),
    );
    expect(failures.body.items?.[0]?.refund).toEqual({
      amount: 5480,
      currency: "JPY",
      method: "CARD",
      status: "FAILED",
      attempts: 1,
      lastError: REFUND_ERROR,
    });

    const operators = await app.invoke("ListOperatorCancellationRequests", {
      caller: operator(),
      query: { status: "REFUND_FAILED", limit: "100" },
    });
    expectJson(operators, 200);
    const entry = (operators.body.items ?? []).find(
      (item) => item.requestId === failed.order.activeCancellationRequestId,
    );
    expect(JSON.stringify(entry)).toBe(
      JSON.stringify(summaryOf(await shown(failed, operator()), failed.order)),
    );
  });

  it("name the request's first lines by the order's titles, cut short, and count the rest", async () => {
    const sellerId = uid("seller");
    const titles = [
      "Stainless steel vacuum bottle 500 ml", // 36 characters: cut to 24
      "有田焼の湯呑み二客組木箱入りの贈答用です", // 20 characters, 60 bytes: fits
      "有田焼の湯呑み二客組木箱入りの贈答用ですね", // 21 characters, 63 bytes: cut to 60 bytes
      "箸置き",
    ];
    const lines = titles.map((title, index) => ({
      lineId: `l${index + 1}`,
      sku: `SKU-${index + 1}`,
      title,
      quantity: 1,
      unitPrice: 1000,
      cancelledQuantity: 0,
    }));
    const record = await seed(
      { sellerId, lines, shippingFee: 500, payment: { method: "CARD", paidAmount: 4500 } },
      (orderId) => [
        requestOn(orderId, {
          lines: lines.map(({ lineId }) => ({ lineId, quantity: 1, amount: 1000 })),
          itemsAmount: 4000,
          shippingAmount: 500,
        }),
      ],
    );
    const response = await app.invoke("ListSellerCancellationRequests", {
      caller: seller(sellerId),
    });
    expectJson(response, 200);
    const [entry] = response.body.items ?? [];
    expect(entry?.requestId).toBe(record.order.activeCancellationRequestId);
    expect(entry?.lines).toEqual([
      { lineId: "l1", title: "Stainless steel vacuum …", quantity: 1, amount: 1000 },
      { lineId: "l2", title: titles[1], quantity: 1, amount: 1000 },
      {
        lineId: "l3",
        title: `${[...(titles[2] as string)].slice(0, 19).join("")}…`,
        quantity: 1,
        amount: 1000,
      },
    ]);
    expect(entry?.moreLines).toBe(1);
    const cut = String((entry?.lines as { title: string }[] | undefined)?.[2]?.title);
    expect(new TextEncoder().encode(cut).length).toBe(60);
  });

  it("are read from the lists alone, and nothing is written", async () => {
    const sellerId = uid("seller");
    const record = await seed({ sellerId }, (orderId) => [requestOn(orderId)]);
    const before = app.item(record.order.orderId);
    app.calls.length = 0;
    expectJson(
      await app.invoke("ListSellerCancellationRequests", { caller: seller(sellerId) }),
      200,
    );
    expectJson(await app.invoke("ListOperatorCancellationRequests", { caller: operator() }), 200);
    expect(app.callNames()).toEqual(["table.sellerQueue", "table.operatorQueue"]);
    expect(app.item(record.order.orderId)).toEqual(before);
  });
});

describe("GET /operator/cancellation-requests", () => {
  it("lists requests awaiting an operator's review by default, across sellers, in pages", async () => {
    const ids: Record<number, string> = {};
    for (const hours of [90, 70, 80]) {
      const record = await seed({ sellerId: uid("seller") }, (orderId) => [
        awaitingOperator(orderId, { marketplaceDeadline: at(hours) }),
      ]);
      ids[hours] = record.order.activeCancellationRequestId as string;
    }
    // The policy decides small refunds itself: nothing for an operator to review.
    await seed({}, (orderId) => [
      awaitingOperator(orderId, { marketplaceReview: "POLICY", marketplaceDeadline: at(75) }),
    ]);
    const pages = await readPages("ListOperatorCancellationRequests", operator(), { limit: "2" });
    expect(pages).toEqual([[ids[70], ids[80]], [ids[90]]]);
  });

  it("lists another status when asked", async () => {
    const record = await seed({}, (orderId) => [refundFailed(orderId)]);
    const response = await app.invoke("ListOperatorCancellationRequests", {
      caller: operator(),
      query: { status: "REFUND_FAILED", limit: "100" },
    });
    expectJson(response, 200);
    expect((response.body.items ?? []).map((item) => item.requestId)).toContain(
      record.order.activeCancellationRequestId,
    );
  });

  it("refuses a bad status → 400, and sellers and buyers → 403", async () => {
    expectValidation(
      await app.invoke("ListOperatorCancellationRequests", {
        caller: operator(),
        query: { status: "PENDING" },
      }),
      "query.status",
    );
    for (const caller of [seller(), buyer()]) {
      expectProblem(
        await app.invoke("ListOperatorCancellationRequests", { caller }),
        403,
        "FORBIDDEN",
      );
    }
  });
});
