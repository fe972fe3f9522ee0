// SPEC "Seller performance" by example: what a change adds to its seller's counters (per Tokyo
// day), the window a query asks for, and the figures summed from the counters, with the median
// and p90 read off the response-time histogram.
import { describe, expect, it } from "vitest";
import {
  bucketOf,
  COUNTER_NAMES,
  counterChanges,
  RESPONSE_BUCKETS,
  tokyoDay,
} from "../../functions/domain/seller-counters.ts";
import {
  type DayCounters,
  metricsWindow,
  quantileOf,
  sellerMetricsOf,
} from "../../functions/domain/seller-metrics.ts";
import { makeOrder, makeRecord } from "../support/factories.ts";
import {
  at,
  complete,
  DAY,
  Flow,
  HOUR,
  instructRefund,
  policyApprove,
  refundSucceeded,
  remindSeller,
  requestCancellation,
  SELLER,
  sellerApprove,
  sellerTimeout,
  T0,
  withdraw,
  workflowStarted,
} from "./flow.ts";

describe("tokyoDay", () => {
  it("is the calendar day in Asia/Tokyo (UTC+9)", () => {
    expect(tokyoDay("2026-11-20T14:59:59.999Z")).toBe("2026-11-20");
    expect(tokyoDay("2026-11-20T15:00:00.000Z")).toBe("2026-11-21");
    expect(tokyoDay("2026-12-31T15:00:00.000Z")).toBe("2027-01-01");
  });
});

describe("counterChanges", () => {
  it("counts an imported order on the Tokyo day it was placed", () => {
    const record = makeRecord(makeOrder({ placedAt: "2026-11-19T16:00:00.000Z" }), []);
    expect(counterChanges(undefined, record)).toEqual([
      { sellerId: SELLER, day: "2026-11-20", counts: { orders: 1 } },
    ]);
  });

  it("counts a seller's answer on its day: within the deadline, in its response-time bucket", () => {
    const flow = Flow.shipped();
    flow.apply(requestCancellation({}), T0);
    flow.apply(workflowStarted(), at(1));
    const before = flow.record;
    // Notified at T0 + 1 s (09:00:01 in Tokyo), answered 2 h later.
    flow.apply(sellerApprove(), at(1 + 2 * HOUR));
    expect(counterChanges(before, flow.record)).toEqual([
      {
        sellerId: SELLER,
        day: "2026-11-21",
        counts: { answered: 1, withinDeadline: 1, bucket_7200: 1 },
      },
    ]);
  });

  it("counts a deadline the seller let pass as timedOut, not as an answer or a fault", () => {
    const flow = Flow.shipped();
    flow.apply(requestCancellation({}), T0);
    flow.apply(workflowStarted(), at(1));
    const before = flow.record;
    flow.apply(sellerTimeout(), at(2 * DAY));
    expect(counterChanges(before, flow.record)).toEqual([
      { sellerId: SELLER, day: "2026-11-23", counts: { timedOut: 1 } },
    ]);
  });

  it("counts an ended request on the day it ended: by reason, outcome and fault", () => {
    // Promised for before the shipment: a slow delivery is the seller's fault.
    const flow = Flow.shipped({ shipBy: "2026-11-19T12:00:00.000Z" });
    flow.apply(requestCancellation({ reason: "DELIVERY_TOO_SLOW" }), T0);
    flow.apply(workflowStarted(), at(1));
    flow.apply(sellerApprove(), at(HOUR));
    flow.apply(policyApprove(), at(HOUR + 1));
    flow.apply(instructRefund(), at(HOUR + 2));
    flow.apply(refundSucceeded(), at(HOUR + 3));
    const before = flow.record;
    flow.apply(complete(), at(16 * HOUR));
    expect(counterChanges(before, flow.record)).toEqual([
      {
        sellerId: SELLER,
        day: "2026-11-22",
        counts: {
          ended: 1,
          reason_DELIVERY_TOO_SLOW: 1,
          status_COMPLETED: 1,
          fault_SELLER: 1,
          completedSellerFault: 1,
        },
      },
    ]);
  });

  it("never counts a buyer's change of mind against the seller", () => {
    const flow = Flow.shipped({ shipBy: "2026-11-19T12:00:00.000Z" });
    flow.apply(requestCancellation({ reason: "FOUND_BETTER_PRICE" }), T0);
    flow.apply(workflowStarted(), at(1));
    const before = flow.record;
    flow.apply(withdraw(), at(HOUR));
    expect(counterChanges(before, flow.record)).toEqual([
      {
        sellerId: SELLER,
        day: "2026-11-21",
        counts: { ended: 1, reason_FOUND_BETTER_PRICE: 1, status_WITHDRAWN: 1, fault_NONE: 1 },
      },
    ]);
  });

  it("adds nothing for a change none of the figures counts", () => {
    const flow = Flow.shipped();
    flow.apply(requestCancellation({}), T0);
    const requested = flow.record;
    flow.apply(workflowStarted(), at(1));
    expect(counterChanges(requested, flow.record)).toEqual([]);
    const started = flow.record;
    flow.apply(remindSeller(), at(DAY));
    expect(counterChanges(started, flow.record)).toEqual([]);
    // The same record again (a write of marks alone) adds nothing either.
    expect(counterChanges(flow.record, flow.record)).toEqual([]);
  });

  it("counts each fact of a change that made several steps at once (the workflow's segment)", () => {
    const flow = Flow.shipped();
    flow.apply(requestCancellation({}), T0);
    flow.apply(workflowStarted(), at(1));
    const before = flow.record;
    flow.apply(sellerApprove(), at(30));
    flow.apply(policyApprove(), at(30));
    flow.apply(instructRefund(), at(30));
    flow.apply(refundSucceeded(), at(31));
    flow.apply(complete(), at(31));
    expect(counterChanges(before, flow.record)).toEqual([
      {
        sellerId: SELLER,
        day: "2026-11-21",
        counts: {
          answered: 1,
          withinDeadline: 1,
          bucket_60: 1,
          ended: 1,
          reason_NO_LONGER_NEEDED: 1,
          status_COMPLETED: 1,
          fault_NONE: 1,
        },
      },
    ]);
  });
});

describe("bucketOf", () => {
  it("puts an answer in the first bucket whose bound it does not exceed, else the open one", () => {
    expect(bucketOf(0)).toBe("bucket_60");
    expect(bucketOf(60)).toBe("bucket_60");
    expect(bucketOf(61)).toBe("bucket_300");
    expect(bucketOf(172_800)).toBe("bucket_172800");
    expect(bucketOf(604_801)).toBe("bucket_inf");
    expect(COUNTER_NAMES).toContain("bucket_inf");
    for (const bound of RESPONSE_BUCKETS) expect(COUNTER_NAMES).toContain(`bucket_${bound}`);
  });
});

describe("quantileOf", () => {
  it("interpolates inside the bucket that holds the rank", () => {
    // Ten answers: four within a minute, four in 5-15 min, two in 1-2 h.
    const counts = { bucket_60: 4, bucket_900: 4, bucket_7200: 2 };
    // Rank 5 is the first of the four in (300, 900]: 300 + 600 × 1/4.
    expect(quantileOf(counts, 0.5)).toBe(450);
    // Rank 9 is the first of the two in (3600, 7200]: 3600 + 3600 × 1/2.
    expect(quantileOf(counts, 0.9)).toBe(5400);
    expect(quantileOf({}, 0.5)).toBeNull();
    // Past the last bound, all that is known is that bound.
    expect(quantileOf({ bucket_inf: 3 }, 0.9)).toBe(604_800);
  });
});

describe("metricsWindow", () => {
  const now = "2026-11-30T16:00:00.000Z"; // 2026-12-01 in Tokyo
  it("defaults to the 30 days up to today in Tokyo, and to the 30 days up to `to`", () => {
    expect(metricsWindow({}, now)).toEqual({ from: "2026-11-02", to: "2026-12-01" });
    expect(metricsWindow({ to: "2026-11-10" }, now)).toEqual({
      from: "2026-10-12",
      to: "2026-11-10",
    });
    expect(metricsWindow({ from: "2026-11-25" }, now)).toEqual({
      from: "2026-11-25",
      to: "2026-12-01",
    });
  });

  it("takes one day, and up to 90 days, and refuses from after to and longer windows", () => {
    expect(metricsWindow({ from: "2026-11-05", to: "2026-11-05" }, now)).toEqual({
      from: "2026-11-05",
      to: "2026-11-05",
    });
    expect(metricsWindow({ from: "2026-09-03", to: "2026-12-01" }, now)).toEqual({
      from: "2026-09-03",
      to: "2026-12-01",
    });
    expect(metricsWindow({ from: "2026-09-02", to: "2026-12-01" }, now)).toMatchObject({
      path: "from",
    });
    expect(metricsWindow({ from: "2026-11-06", to: "2026-11-05" }, now)).toMatchObject({
      path: "from",
    });
  });
});

describe("sellerMetricsOf", () => {
  const days: DayCounters[] = [
    // Two shards of one day, and a day outside the window.
    { day: "2026-11-20", counts: { orders: 3, answered: 1, withinDeadline: 1, bucket_60: 1 } },
    {
      day: "2026-11-20",
      counts: {
        orders: 1,
        ended: 2,
        reason_DELIVERY_TOO_SLOW: 1,
        reason_NO_LONGER_NEEDED: 1,
        status_COMPLETED: 2,
        fault_SELLER: 1,
        fault_NONE: 1,
        completedSellerFault: 1,
      },
    },
    { day: "2026-11-22", counts: { timedOut: 1, orders: 4 } },
    { day: "2026-11-30", counts: { orders: 100 } },
  ];

  it("sums the window's days into SPEC's figures, every key present, and a figure per day", () => {
    const metrics = sellerMetricsOf({ from: "2026-11-20", to: "2026-11-22" }, days);
    expect(metrics).toEqual({
      from: "2026-11-20",
      to: "2026-11-22",
      orders: 8,
      cancellations: {
        total: 2,
        byReason: {
          NO_LONGER_NEEDED: 1,
          ORDERED_BY_MISTAKE: 0,
          FOUND_BETTER_PRICE: 0,
          DELIVERY_TOO_SLOW: 1,
          WRONG_ITEM_ORDERED: 0,
          OTHER: 0,
        },
        byOutcome: { COMPLETED: 2, REJECTED: 0, WITHDRAWN: 0, RETURN_REQUIRED: 0 },
        byFault: { NONE: 1, SELLER: 1, CARRIER: 0 },
      },
      // One seller-caused completion of 8 orders; the buyer's change of mind does not count.
      sellerCancellationRate: 0.125,
      response: {
        answered: 1,
        withinDeadline: 1,
        timedOut: 1,
        medianSeconds: 30,
        p90Seconds: 54,
      },
      days: [
        {
          date: "2026-11-20",
          orders: 4,
          cancellations: 2,
          sellerCancellations: 1,
          answered: 1,
          timedOut: 0,
        },
        {
          date: "2026-11-21",
          orders: 0,
          cancellations: 0,
          sellerCancellations: 0,
          answered: 0,
          timedOut: 0,
        },
        {
          date: "2026-11-22",
          orders: 4,
          cancellations: 0,
          sellerCancellations: 0,
          answered: 0,
          timedOut: 1,
        },
      ],
    });
  });

  it("is 0 without orders, and null response times without answers", () => {
    const metrics = sellerMetricsOf({ from: "2026-10-01", to: "2026-10-01" }, [
      { day: "2026-10-01", counts: { ended: 1, status_COMPLETED: 1, completedSellerFault: 1 } },
    ]);
    expect(metrics.orders).toBe(0);
    expect(metrics.sellerCancellationRate).toBe(0);
    expect(metrics.response).toMatchObject({ answered: 0, medianSeconds: null, p90Seconds: null });
  });
});
