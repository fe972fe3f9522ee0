// The order item's derived attributes, pure: the index keys and the list attributes a record
// implies (the DynamoDB adapters write exactly these in the same write as the change).
import { describe, expect, it } from "vitest";
import {
  indexKeys,
  listAttributes,
  shardOf,
} from "../../functions/adapters/dynamodb/order-item.ts";
import {
  AUDIT_HEAD_SHARDS,
  OPERATOR_QUEUE_SHARDS,
  PROJECTED_ATTRIBUTES,
  WORK_SHARDS,
} from "../../functions/adapters/dynamodb/table.ts";
import type { CancellationRequest, Order } from "../../functions/domain/types.ts";
import {
  at,
  awaitingMarketplace,
  awaitingSeller,
  cancellationRequest,
  orderRecord,
} from "../support/records.ts";

/** Every entry of the request's timeline published and its mail sent: nothing left to do. */
const settled = (request: CancellationRequest): CancellationRequest => ({
  ...request,
  notices: { mail: {}, published: request.timeline.length },
});

const opsShard = (orderId: string) => shardOf(orderId, OPERATOR_QUEUE_SHARDS);

describe("indexKeys", () => {
  it("gives an order without requests only the buyer keys", () => {
    const record = orderRecord({ orderId: "o-1", buyerId: "b-1", placedAt: at(0) });
    expect(indexKeys(record)).toEqual({ buyerPk: "BUYER#b-1", buyerSk: `${at(0)}#o-1` });
  });

  it("queues an order under its latest request's status and current deadline", () => {
    const old = settled(
      cancellationRequest({
        requestId: "r-old",
        orderId: "o-1",
        status: "REJECTED",
        createdAt: at(1),
        updatedAt: at(3),
      }),
    );
    const latest = awaitingSeller("o-1", 50, 5);
    const keys = indexKeys(orderRecord({ orderId: "o-1", sellerId: "s-1" }, [latest, old]));
    expect(keys).toMatchObject({
      sellerQueuePk: "SELLER#s-1#AWAITING_SELLER",
      sellerQueueSk: `${at(50)}#o-1`,
      operatorQueuePk: `OPS#AWAITING_SELLER#${opsShard("o-1")}`,
      operatorQueueSk: `${at(50)}#o-1`,
    });
  });

  it("breaks a createdAt tie by the greater requestId", () => {
    const a = cancellationRequest({ requestId: "r-a", orderId: "o-1", status: "WITHDRAWN" });
    const b = cancellationRequest({ requestId: "r-b", orderId: "o-1", status: "REJECTED" });
    expect(indexKeys(orderRecord({ orderId: "o-1" }, [b, a])).sellerQueuePk).toBe(
      "SELLER#seller-1#REJECTED",
    );
  });

  it("sorts each status by the deadline of its wait, or by the last change", () => {
    const base = awaitingSeller("o-1", 50);
    const cases: [CancellationRequest, string][] = [
      [{ ...base, status: "REQUESTED" }, at(50)],
      [awaitingMarketplace(base, "OPERATOR", 70), at(70)],
      [{ ...base, status: "REFUND_FAILED", refundRetryDeadline: at(90), updatedAt: at(9) }, at(90)],
      [{ ...base, status: "REFUND_PENDING", updatedAt: at(8) }, at(8)],
      [{ ...base, status: "COMPLETED", updatedAt: at(7) }, at(7)],
    ];
    for (const [request, time] of cases) {
      expect(indexKeys(orderRecord({ orderId: "o-1" }, [request])).sellerQueueSk).toBe(
        `${time}#o-1`,
      );
    }
  });

  it("spreads each operator queue status over its shards by order id", () => {
    const partitions = new Set(
      Array.from(
        { length: 200 },
        (_, i) =>
          indexKeys(orderRecord({ orderId: `o-${i}` }, [awaitingSeller(`o-${i}`, 50)]))
            .operatorQueuePk,
      ),
    );
    expect(partitions).toEqual(
      new Set(Array.from({ length: OPERATOR_QUEUE_SHARDS }, (_, s) => `OPS#AWAITING_SELLER#${s}`)),
    );
  });

  it("keeps an order in PendingWork while a request is open, since its creation", () => {
    const open = awaitingSeller("o-1", 50, 5);
    const keys = indexKeys(orderRecord({ orderId: "o-1" }, [open]));
    expect(keys.workShard).toBe(`WORK#${shardOf("o-1", WORK_SHARDS)}`);
    expect(keys.workSince).toBe(`${open.createdAt}#o-1`);
  });

  it("keeps a finished request's order in PendingWork until its mail and events went out", () => {
    const done: CancellationRequest = {
      ...awaitingSeller("o-1", 50, 5),
      status: "WITHDRAWN",
      updatedAt: at(6),
      timeline: [
        { at: at(5), type: "REQUESTED", actor: "buyer-1" },
        { at: at(6), type: "WITHDRAWN", actor: "buyer-1" },
      ],
    };
    // Nothing published yet: due since the first entry.
    expect(indexKeys(orderRecord({ orderId: "o-1" }, [done])).workSince).toBe(`${at(5)}#o-1`);
    // Events out, the withdrawal's two mails not: due since the WITHDRAWN entry.
    const published = { ...done, notices: { mail: {}, published: 2 } };
    expect(indexKeys(orderRecord({ orderId: "o-1" }, [published])).workSince).toBe(`${at(6)}#o-1`);
    // Everything out: no longer the reconciler's.
    const sent = {
      ...done,
      notices: {
        mail: { "1.BUYER_WITHDRAWN": at(6), "1.SELLER_OUTCOME": at(6) },
        published: 2,
      },
    };
    const keys = indexKeys(orderRecord({ orderId: "o-1" }, [sent]));
    expect(keys.workShard).toBeUndefined();
    expect(keys.workSince).toBeUndefined();
  });

  it("spreads orders over every PendingWork shard", () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`o-${i}`, WORK_SHARDS)));
    expect(shards.size).toBe(WORK_SHARDS);
  });

  it("keeps a policy-decided marketplace review out of the operator queue only", () => {
    const base = awaitingSeller("o-1", 50);
    const policy = indexKeys(
      orderRecord({ orderId: "o-1" }, [awaitingMarketplace(base, "POLICY", 70)]),
    );
    expect(policy.sellerQueuePk).toBe("SELLER#seller-1#AWAITING_MARKETPLACE");
    expect(policy.operatorQueuePk).toBeUndefined();
    expect(policy.operatorQueueSk).toBeUndefined();
    const operator = indexKeys(
      orderRecord({ orderId: "o-1" }, [awaitingMarketplace(base, "OPERATOR", 70)]),
    );
    expect(operator.operatorQueuePk).toBe(`OPS#AWAITING_MARKETPLACE#${opsShard("o-1")}`);
  });
});

/** A completed request of o-1 whose buyer said at `hours` that the refund has not arrived. */
const inquired = (requestId: string, hours: number, closed = false): CancellationRequest =>
  cancellationRequest({
    requestId,
    orderId: "o-1",
    status: "COMPLETED",
    refund: {
      amount: 5480,
      currency: "JPY",
      method: "CARD",
      status: "SUCCEEDED",
      refundId: `rf-${requestId}`,
      expectedBy: { earliest: "2026-11-25", latest: "2026-12-04" },
      instructedAt: at(1),
      succeededAt: at(1),
      attempts: 1,
    },
    refundInquiry: {
      openedAt: at(hours),
      comment: null,
      closedAt: closed ? at(hours + 1) : null,
      closedBy: closed ? "op-1" : null,
      note: closed ? "traced" : null,
    },
  });

describe("the refund inquiries' keys", () => {
  it("list an order while an inquiry is open, by its oldest, in one partition", () => {
    const keys = indexKeys(
      orderRecord({ orderId: "o-1" }, [inquired("r-2", 40), inquired("r-1", 30)]),
    );
    expect(keys.inquiryPk).toBe("INQUIRY#OPEN");
    expect(keys.inquirySk).toBe(`${at(30)}#o-1`);
    const closed = indexKeys(orderRecord({ orderId: "o-1" }, [inquired("r-1", 30, true)]));
    expect(closed.inquiryPk).toBeUndefined();
    expect(closed.inquirySk).toBeUndefined();
  });
});

/** A shipped order o-1 of seller s-1 with `cancelled` of its 2 mugs cancelled, parcel as given. */
const cancelledUnits = (cancelled: number, parcel?: Order["parcel"]) =>
  orderRecord({
    orderId: "o-1",
    sellerId: "s-1",
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
    ...(parcel === undefined ? {} : { parcel }),
  });

describe("the audit heads' keys", () => {
  const head = (writtenAt: string) => ({ seq: 4, head: "a".repeat(64), writtenAt });

  it("list an order under the UTC hour and shard of its last chain write, by that write's time", () => {
    const writtenAt = "2026-03-01T09:59:59.999Z";
    const keys = indexKeys({ ...orderRecord({ orderId: "o-1" }), audit: head(writtenAt) });
    expect(keys).toMatchObject({
      auditHeadsPk: `AUDIT#2026-03-01T09#${shardOf("o-1", AUDIT_HEAD_SHARDS)}`,
      auditHeadsSk: "o-1",
    });
    // The next write moves it to its own hour.
    const later = indexKeys({
      ...orderRecord({ orderId: "o-1" }),
      audit: head("2026-03-01T10:00:00.000Z"),
    });
    expect(later.auditHeadsPk).toBe(`AUDIT#2026-03-01T10#${shardOf("o-1", AUDIT_HEAD_SHARDS)}`);
  });

  it("leave out an order with no chained entry yet", () => {
    const keys = indexKeys(orderRecord({ orderId: "o-1" }));
    expect(keys.auditHeadsPk).toBeUndefined();
    expect(keys.auditHeadsSk).toBeUndefined();
    expect(listAttributes(orderRecord({ orderId: "o-1" }))).not.toHaveProperty("audit");
  });

  it("spread orders over every shard", () => {
    const shards = new Set(
      Array.from({ length: 200 }, (_, i) => shardOf(`o-${i}`, AUDIT_HEAD_SHARDS)),
    );
    expect(shards.size).toBe(AUDIT_HEAD_SHARDS);
  });
});

describe("the seller parcels' keys", () => {
  it("list an order with cancelled units under its parcel's status, by the parcel's time", () => {
    // Shipped at at(0), no parcel kept yet: in transit since the shipment.
    expect(indexKeys(cancelledUnits(1))).toMatchObject({
      sellerParcelsPk: "PARCEL#s-1#IN_TRANSIT",
      sellerParcelsSk: `${at(0)}#o-1`,
    });
    for (const status of ["REFUSED", "RETURNING", "DELIVERED"] as const) {
      expect(indexKeys(cancelledUnits(2, { status, updatedAt: at(7) }))).toMatchObject({
        sellerParcelsPk: `PARCEL#s-1#${status}`,
        sellerParcelsSk: `${at(7)}#o-1`,
      });
    }
  });

  it("leave out an order without cancelled units, a parcel back with the seller, or no parcel", () => {
    const unlisted = [
      cancelledUnits(0),
      cancelledUnits(0, { status: "REFUSED", updatedAt: at(7) }),
      cancelledUnits(1, { status: "RETURNED", updatedAt: at(7) }),
      {
        ...cancelledUnits(1),
        order: { ...cancelledUnits(1).order, shipment: null, status: "PLACED" as const },
      },
    ];
    for (const record of unlisted) {
      const keys = indexKeys(record);
      expect(keys.sellerParcelsPk).toBeUndefined();
      expect(keys.sellerParcelsSk).toBeUndefined();
      expect(listAttributes(record)).not.toHaveProperty("parcelSummary");
    }
  });
});

describe("listAttributes", () => {
  it("are exactly what the list indexes project; the open inquiries only while one is", () => {
    const record = {
      ...cancelledUnits(1),
      requests: { [inquired("r-1", 30).requestId]: inquired("r-1", 30) },
      audit: { seq: 9, head: "b".repeat(64), writtenAt: at(30) },
    };
    expect(Object.keys(listAttributes(record)).sort()).toEqual([...PROJECTED_ATTRIBUTES].sort());
    const none = orderRecord({ orderId: "o-1" }, [awaitingSeller("o-1", 48)]);
    expect(Object.keys(listAttributes(none)).sort()).toEqual(
      PROJECTED_ATTRIBUTES.filter(
        (name) => !["openInquiries", "parcelSummary", "audit"].includes(name),
      ).sort(),
    );
    const inquiries = listAttributes(record).openInquiries as { requestId: string }[];
    expect(inquiries.map((inquiry) => inquiry.requestId)).toEqual(["r-1"]);
  });

  it("summarize the latest request without its timeline or server-side fields", () => {
    const request = {
      ...awaitingSeller("o-1", 48),
      comment: "x".repeat(200),
      notices: { mail: {}, published: 1 },
    };
    const { queueSummary } = listAttributes(orderRecord({ orderId: "o-1" }, [request])) as {
      queueSummary: Record<string, unknown>;
    };
    expect(queueSummary.requestId).toBe(request.requestId);
    expect(String(queueSummary.comment)).toHaveLength(80);
    for (const field of ["timeline", "policy", "idempotencyKey", "requestHash", "notices"]) {
      expect(queueSummary).not.toHaveProperty(field);
    }
  });
});
