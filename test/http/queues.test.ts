// The seller's and the operators' queues over the in-memory ports: default statuses, soonest
// deadline first, paging with cursors, the latest request of each order as a summary (no timeline,
// the comment cut short), and the refusals. Lists only read.
import { beforeEach, describe, expect, it } from "vitest";
import type { CancellationRequest, Order, OrderRecord } from "../../functions/domain/types.ts";
import { COMMENT_PREVIEW_LENGTH } from "../../functions/domain/views.ts";
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
   * What a queue lists of a request, derived from its full view: the fields a person needs to pick
   * it out and decide, in this order; the comment cut to its first 79 characters and "…"; the
   * refund's state with the last failure's note; no timeline.
   */
  const summaryOf = (view: Record<string, unknown>) => {
    const comment = view.comment as string | null;
    const characters = comment === null ? [] : [...comment];
    const refund = view.refund as Record<string, unknown> | null;
    const timeline = view.timeline as { type: string; note?: string }[];
    return {
      requestId: view.requestId,
      orderId: view.orderId,
      status: view.status,
      reason: view.reason,
      comment:
        comment === null || characters.length <= COMMENT_PREVIEW_LENGTH
          ? comment
          : `${characters.slice(0, COMMENT_PREVIEW_LENGTH - 1).join("")}…`,
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
    expect(mine.raw).toBe(JSON.stringify({ items: views.map(summaryOf), nextCursor: null }));
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
    expect(failures.raw).toBe(JSON.stringify({ items: [summaryOf(failedView)], nextCursor: null }));
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
    expect(JSON.stringify(entry)).toBe(JSON.stringify(summaryOf(await shown(failed, operator()))));
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
