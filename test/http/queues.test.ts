// The seller's and the operators' queues on DynamoDB Local: default statuses, soonest deadline
// first, paging with cursors, the latest request of each order, and the refusals.
import { beforeEach, describe, expect, it } from "vitest";
import type { OrderRecord } from "../../functions/domain/types.ts";
import { useTestTable } from "../support/dynamodb.ts";
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
  refundFailed,
  requestOn,
  seedOrder,
  uid,
} from "../support/http-fixtures.ts";
import { at } from "../support/records.ts";

// Its own table: the operators' queue spans every seller, so no other suite may add to it.
const table = useTestTable("dynamodb-local", "http-queues");
let app: TestApp;
beforeEach(() => {
  app = createTestApp(table.current);
});

/** Reads a queue to its end with `limit`, returning each page's request ids. */
const readPages = async (
  routeId: string,
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
      for (const field of ["idempotencyKey", "requestHash", "policy"]) {
        expect(item).not.toHaveProperty(field);
      }
    }
    pages.push((response.body.items ?? []).map((item) => item.requestId as string));
    cursor = (response.body.nextCursor as string | null) ?? undefined;
  } while (cursor !== undefined && pages.length < 20);
  return pages;
};

describe("GET /seller/cancellation-requests", () => {
  it("lists the seller's requests awaiting them by default, soonest deadline first, in pages", async () => {
    const sellerId = uid("seller");
    const deadlines = [50, 30, 70, 40, 60];
    const ids: Record<number, string> = {};
    for (const hours of deadlines) {
      const record = await seedOrder(app.store, { sellerId }, (orderId) => [
        requestOn(orderId, { sellerDeadline: at(hours) }),
      ]);
      ids[hours] = record.order.activeCancellationRequestId as string;
    }
    // Another seller's request and one of this seller's in another status stay out.
    await seedOrder(app.store, { sellerId: uid("seller") }, (orderId) => [requestOn(orderId)]);
    await seedOrder(app.store, { sellerId }, (orderId) => [
      requestOn(orderId, { status: "REJECTED", updatedAt: at(5) }),
    ]);
    const pages = await readPages("ListSellerCancellationRequests", seller(sellerId), {
      limit: "2",
    });
    expect(pages).toEqual([[ids[30], ids[40]], [ids[50], ids[60]], [ids[70]]]);
  });

  it("lists another status when asked, with each order's latest request only", async () => {
    const sellerId = uid("seller");
    const record = await seedOrder(app.store, { sellerId }, (orderId) => [
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
      await seedOrder(app.store, { sellerId }, (orderId) => [
        requestOn(orderId, { sellerDeadline: at(hours) }),
      ]);
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
  it("are each request exactly as GET …/cancellation-requests/{requestId} shows it", async () => {
    const sellerId = uid("seller");
    const shown = async (record: OrderRecord, caller: TestCaller) => {
      const [request] = Object.values(record.requests);
      const response = await app.invoke("GetCancellationRequest", {
        caller,
        params: { orderId: record.order.orderId, requestId: request?.requestId as string },
      });
      expectJson(response, 200);
      return response.raw;
    };
    const awaiting = [
      await seedOrder(app.store, { sellerId }, (orderId) => [
        requestOn(orderId, { sellerDeadline: at(30) }),
      ]),
      await seedOrder(app.store, { sellerId }, (orderId) => [
        requestOn(orderId, {
          sellerDeadline: at(40),
          reason: "OTHER",
          comment: '<b>安く</b> "found" elsewhere',
        }),
      ]),
    ];
    const failed = await seedOrder(app.store, { sellerId }, (orderId) => [refundFailed(orderId)]);

    const mine = await app.invoke("ListSellerCancellationRequests", { caller: seller(sellerId) });
    expectJson(mine, 200);
    const expected = await Promise.all(awaiting.map((record) => shown(record, seller(sellerId))));
    expect(mine.raw).toBe(`{"items":[${expected.join(",")}],"nextCursor":null}`);

    const failures = await app.invoke("ListSellerCancellationRequests", {
      caller: seller(sellerId),
      query: { status: "REFUND_FAILED" },
    });
    expect(failures.raw).toBe(
      `{"items":[${await shown(failed, seller(sellerId))}],"nextCursor":null}`,
    );

    const operators = await app.invoke("ListOperatorCancellationRequests", {
      caller: operator(),
      query: { status: "REFUND_FAILED", limit: "100" },
    });
    expectJson(operators, 200);
    const entry = (operators.body.items ?? []).find(
      (item) => item.requestId === failed.order.activeCancellationRequestId,
    );
    expect(JSON.stringify(entry)).toBe(await shown(failed, operator()));
  });
});

describe("GET /operator/cancellation-requests", () => {
  it("lists requests awaiting an operator's review by default, across sellers, in pages", async () => {
    const ids: Record<number, string> = {};
    for (const hours of [90, 70, 80]) {
      const record = await seedOrder(app.store, { sellerId: uid("seller") }, (orderId) => [
        awaitingOperator(orderId, { marketplaceDeadline: at(hours) }),
      ]);
      ids[hours] = record.order.activeCancellationRequestId as string;
    }
    // The policy decides small refunds itself: nothing for an operator to review.
    await seedOrder(app.store, {}, (orderId) => [
      awaitingOperator(orderId, { marketplaceReview: "POLICY", marketplaceDeadline: at(75) }),
    ]);
    const pages = await readPages("ListOperatorCancellationRequests", operator(), { limit: "2" });
    expect(pages).toEqual([[ids[70], ids[80]], [ids[90]]]);
  });

  it("lists another status when asked", async () => {
    const record = await seedOrder(app.store, {}, (orderId) => [
      requestOn(orderId, { status: "REFUND_FAILED", refundRetryDeadline: at(99) }),
    ]);
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
