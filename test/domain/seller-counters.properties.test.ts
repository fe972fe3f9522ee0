// Properties of the seller's counters (SPEC "Seller performance"): over random histories of
// several orders of two sellers (any reason, with and without shipBy, every way a request ends,
// times crossing Tokyo's midnight), what `counterChanges` adds at each accepted change, summed,
// equals a recount made from the final records alone; and a buyer's change of mind never counts
// in the seller's cancellation rate. The same holds over the transition properties' richer
// histories (refunds failing, retried, reversed, deliveries racing them).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CANCELLATION_REASONS } from "../../functions/domain/codes.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import {
  type CounterIncrement,
  type CounterName,
  counterChanges,
  RESPONSE_BUCKETS,
} from "../../functions/domain/seller-counters.ts";
import { sellerMetricsOf } from "../../functions/domain/seller-metrics.ts";
import { transition } from "../../functions/domain/transition.ts";
import type { CancellationReason, OrderRecord } from "../../functions/domain/types.ts";
import { makeOrder, makeRecord } from "../support/factories.ts";
import {
  complete,
  deliver,
  instructRefund,
  marketplaceTimeout,
  operatorApprove,
  operatorReject,
  policyApprove,
  refundFailed,
  refundSucceeded,
  remindSeller,
  requestCancellation,
  retryRefund,
  sellerApprove,
  sellerReject,
  sellerTimeout,
  ship,
  startRefundCall,
  withdraw,
  workflowStarted,
} from "./flow.ts";
import { scenarioArb, simulate } from "./scenarios.ts";

const SELLERS = ["s-1", "s-2"] as const;
const BASE = Date.parse("2026-11-19T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();

// ---- the recount: from the final records alone, written apart from the code under test -------

/** Tokyo is UTC+9 all year (no daylight saving since 1951). */
const tokyoDate = (instant: string): string =>
  new Date(Date.parse(instant) + 9 * 3_600_000).toISOString().slice(0, 10);

const CHANGE_OF_MIND: readonly CancellationReason[] = [
  "NO_LONGER_NEEDED",
  "ORDERED_BY_MISTAKE",
  "FOUND_BETTER_PRICE",
  "WRONG_ITEM_ORDERED",
  "OTHER",
];

const ENDING: Record<string, readonly string[]> = {
  COMPLETED: ["COMPLETED"],
  REJECTED: ["SELLER_REJECTED", "MARKETPLACE_REJECTED"],
  WITHDRAWN: ["WITHDRAWN"],
  RETURN_REQUIRED: ["RETURN_REQUIRED"],
};

type Tally = Map<string, number>;
const bump = (tally: Tally, sellerId: string, instant: string, name: string, by = 1) => {
  const key = `${sellerId}|${tokyoDate(instant)}|${name}`;
  tally.set(key, (tally.get(key) ?? 0) + by);
};

const recount = (records: OrderRecord[]): Tally => {
  const tally: Tally = new Map();
  for (const { order, requests } of records) {
    const seller = order.sellerId;
    bump(tally, seller, order.placedAt, "orders");
    for (const request of Object.values(requests)) {
      const ending = ENDING[request.status];
      if (ending) {
        const end = request.timeline.find((entry) => ending.includes(entry.type));
        if (!end) throw new Error(`${request.requestId} is ${request.status} with no ending entry`);
        const late =
          order.shipBy !== undefined &&
          order.shipment !== null &&
          Date.parse(order.shipBy) < Date.parse(order.shipment.shippedAt);
        const fault = CHANGE_OF_MIND.includes(request.reason)
          ? "NONE"
          : late
            ? "SELLER"
            : "CARRIER";
        expect(request.fault, request.requestId).toBe(fault);
        for (const name of [
          "ended",
          `reason_${request.reason}`,
          `status_${request.status}`,
          `fault_${fault}`,
        ]) {
          bump(tally, seller, end.at, name);
        }
        if (request.status === "COMPLETED" && fault === "SELLER") {
          bump(tally, seller, end.at, "completedSellerFault");
        }
      } else {
        expect(request.fault ?? null, request.requestId).toBeNull();
      }
      const notified = request.timeline.find((entry) => entry.type === "SELLER_NOTIFIED");
      for (const entry of request.timeline) {
        if (entry.type === "SELLER_TIMED_OUT") bump(tally, seller, entry.at, "timedOut");
        if (entry.type !== "SELLER_APPROVED" && entry.type !== "SELLER_REJECTED") continue;
        bump(tally, seller, entry.at, "answered");
        if (entry.at < request.sellerDeadline) bump(tally, seller, entry.at, "withinDeadline");
        const seconds =
          (Date.parse(entry.at) - Date.parse(notified?.at ?? request.createdAt)) / 1000;
        const bound = RESPONSE_BUCKETS.find((upper) => seconds <= upper);
        bump(tally, seller, entry.at, `bucket_${bound ?? "inf"}`);
      }
    }
  }
  return tally;
};

/** What the increments add up to, in the recount's terms. */
const summed = (increments: CounterIncrement[]): Tally => {
  const tally: Tally = new Map();
  for (const { sellerId, day, counts } of increments) {
    for (const [name, value] of Object.entries(counts) as [CounterName, number][]) {
      const key = `${sellerId}|${day}|${name}`;
      tally.set(key, (tally.get(key) ?? 0) + value);
    }
  }
  return tally;
};

const sorted = (tally: Tally) => [...tally.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

// ---- random histories of a few orders ---------------------------------------------------------

const orderArb = fc.record({
  seller: fc.constantFrom(...SELLERS),
  /** Placed this many seconds before the history starts. */
  placedBefore: fc.integer({ min: 0, max: 3 * 86_400 }),
  /** The promised shipping time, from placedAt (none: no promise). */
  shipBy: fc.option(fc.integer({ min: 0, max: 2 * 86_400 }), { nil: undefined }),
});

const stepArb = fc.record({
  order: fc.nat(),
  pick: fc.nat(),
  reason: fc.constantFrom(...CANCELLATION_REASONS),
  refundMade: fc.boolean(),
  /** Now and then the carrier delivers instead (a request then becomes a return). */
  deliver: fc.oneof(
    { weight: 15, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
  gap: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 3600 }) },
    { weight: 2, arbitrary: fc.integer({ min: 3600, max: 86_400 }) },
    { weight: 1, arbitrary: fc.integer({ min: 86_400, max: 3 * 86_400 }) },
  ),
});

const historyArb = fc.record({
  orders: fc.array(orderArb, { minLength: 1, maxLength: 3 }),
  steps: fc.array(stepArb, { minLength: 10, maxLength: 80 }),
});
type History = typeof historyArb extends fc.Arbitrary<infer H> ? H : never;

/** The events that could move an order now; the step picks one (the domain may still refuse). */
const candidates = (
  record: OrderRecord,
  step: History["steps"][number],
  n: number,
  now: string,
) => {
  const id = record.order.activeCancellationRequestId;
  const request = id ? record.requests[id] : undefined;
  const seller = record.order.sellerId;
  const buyer = record.order.buyerId;
  const next = `r-${record.order.orderId}-${n}`;
  if (record.order.status === "PLACED") return [ship(now, seller)];
  if (!request || !id) {
    return [
      requestCancellation({
        actor: buyer,
        requestId: next,
        idempotencyKey: `k-${next}`,
        reason: step.reason,
        comment: step.reason === "OTHER" ? "気が変わりました" : null,
      }),
    ];
  }
  switch (request.status) {
    case "REQUESTED":
      return [workflowStarted(id), withdraw(buyer, id)];
    case "AWAITING_SELLER":
      return [
        sellerApprove(seller, id),
        sellerReject("もう発送しました", seller, id),
        sellerTimeout(id),
        remindSeller(id),
        withdraw(buyer, id),
      ];
    case "AWAITING_MARKETPLACE":
      return [
        policyApprove(id),
        operatorApprove("op-1", id),
        operatorReject("確認できません", "op-1", id),
        marketplaceTimeout(id),
        withdraw(buyer, id),
      ];
    case "REFUND_PENDING":
      return [
        instructRefund(id),
        startRefundCall(id),
        refundSucceeded(id),
        refundFailed("ProviderUnavailable", id),
        complete(id),
      ];
    default:
      return [retryRefund("op-1", id)];
  }
};

interface Run {
  records: OrderRecord[];
  increments: CounterIncrement[];
  /** Increments of each accepted change, with the records it was made from. */
  changes: { before: OrderRecord; after: OrderRecord; increments: CounterIncrement[] }[];
}

const runHistory = (history: History): Run => {
  const records = history.orders.map((o, i) => {
    const placedAt = iso(BASE - o.placedBefore * 1000);
    const order = makeOrder({
      orderId: `o-${i}`,
      sellerId: o.seller,
      placedAt,
      importedAt: placedAt,
      status: "PLACED",
      shipment: null,
      ...(o.shipBy === undefined ? {} : { shipBy: iso(Date.parse(placedAt) + o.shipBy * 1000) }),
    });
    return makeRecord(order, []);
  });
  // Each order's import counts once: a change from nothing to the record.
  const increments = records.flatMap((record) => counterChanges(undefined, record));
  const changes: Run["changes"] = [];
  let clock = BASE;
  history.steps.forEach((step, n) => {
    clock += step.gap * 1000;
    const now = iso(clock);
    const index = step.order % records.length;
    const before = records[index] as OrderRecord;
    const options = candidates(before, step, n, now);
    const delivery = { ...deliver(now), refundMade: step.refundMade } as DomainEvent;
    const event = step.deliver ? delivery : (options[step.pick % options.length] as DomainEvent);
    const result = transition(before, event, now);
    if (!result.ok) return;
    const added = counterChanges(before, result.record);
    increments.push(...added);
    changes.push({ before, after: result.record, increments: added });
    records[index] = result.record;
  });
  return { records, increments, changes };
};

describe("seller counters over random histories", () => {
  it("summed over every change, equal a recount from the final records", () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const { records, increments } = runHistory(history);
        expect(sorted(summed(increments))).toEqual(sorted(recount(records)));
        // Every increment is one seller's day, with positive counts only.
        for (const { sellerId, day, counts } of increments) {
          expect(SELLERS).toContain(sellerId);
          expect(day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          for (const value of Object.values(counts)) expect(value).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("never count a buyer's change of mind in the seller's cancellation rate", () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const { records, changes } = runHistory(history);
        for (const { before, after, increments } of changes) {
          const rated = increments.reduce(
            (n, inc) => n + (inc.counts.completedSellerFault ?? 0),
            0,
          );
          // What the change completed by the seller's fault: slow deliveries only.
          const completedNow = Object.values(after.requests).filter(
            (request) =>
              request.status === "COMPLETED" &&
              before.requests[request.requestId]?.status !== "COMPLETED",
          );
          const sellersFault = completedNow.filter(
            (request) => request.reason === "DELIVERY_TOO_SLOW" && request.fault === "SELLER",
          );
          expect(rated).toBe(sellersFault.length);
        }
        // The same history with every reason a change of mind has a rate of 0 over any window.
        const calm = runHistory({
          ...history,
          steps: history.steps.map((step) => ({
            ...step,
            reason: step.reason === "DELIVERY_TOO_SLOW" ? "NO_LONGER_NEEDED" : step.reason,
          })),
        });
        const days = calm.increments.map(({ day, counts }) => ({ day, counts }));
        const metrics = sellerMetricsOf({ from: "2026-01-01", to: "2026-12-31" }, days);
        expect(metrics.sellerCancellationRate).toBe(0);
        expect(metrics.cancellations.byFault.SELLER).toBe(0);
        expect(metrics.cancellations.byFault.CARRIER).toBe(0);
        // And the requests themselves say so.
        for (const record of calm.records) {
          for (const request of Object.values(record.requests)) {
            expect(request.fault === null || request.fault === "NONE").toBe(true);
          }
        }
        expect(records.length).toBe(history.orders.length);
      }),
      { numRuns: 200 },
    );
  });

  it("reach every way a request ends, both faults of a slow delivery, and both kinds of answer", () => {
    const runs = fc.sample(historyArb, { numRuns: 300, seed: 20261217 }).map(runHistory);
    const seen = new Set<string>();
    for (const { increments } of runs) {
      for (const { counts } of increments) {
        for (const name of Object.keys(counts)) seen.add(name);
      }
    }
    for (const name of [
      "status_COMPLETED",
      "status_REJECTED",
      "status_WITHDRAWN",
      "status_RETURN_REQUIRED",
      "fault_SELLER",
      "fault_CARRIER",
      "fault_NONE",
      "completedSellerFault",
      "answered",
      "withinDeadline",
      "timedOut",
    ]) {
      expect(seen, name).toContain(name);
    }
    const buckets = [...seen].filter((name) => name.startsWith("bucket_"));
    expect(buckets.length).toBeGreaterThan(4);
  });
});

describe("seller counters over the transition properties' histories", () => {
  it("summed over every accepted step, equal a recount from the final record", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const increments: CounterIncrement[] = [];
        let first: OrderRecord | undefined;
        const sim = simulate(scenario, (_sim, { index, prev, result }) => {
          if (index === 0) {
            first = prev;
            increments.push(...counterChanges(undefined, prev));
          }
          if (result.ok) increments.push(...counterChanges(prev, result.record));
        });
        if (!first) return;
        expect(sorted(summed(increments))).toEqual(sorted(recount([sim.record])));
      }),
      { numRuns: 300 },
    );
  });
});
