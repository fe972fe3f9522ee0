// Property tests of the parcel after a cancellation (SPEC section of that name): random sequences
// of the carrier's events (deliveries and tracking events, at random times around the service's
// clock, from clients bound to the order's carrier, to another or to none), shipments, the
// reconciler's overdue mark, and cancellations made and completed in between (whole or partial),
// at random increasing times. After every step: the parcel only moves forward (IN_TRANSIT <
// DELIVERED | REFUSED < RETURNING < RETURNED, delivered and refused never follow each other) and
// never leaves RETURNED; a RECEIVED return never changes; a return exists only with cancelled
// units and only once the parcel was delivered; each carrier event and mark is accepted exactly
// when SPEC allows it (else refused with one of the codes that apply), appends exactly the order
// entries SPEC names, and a refused event leaves the record as it was.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { cancelledUnits, isReturnOpen, parcelOf } from "../../functions/domain/parcel.ts";
import { addSeconds, latestRequest } from "../../functions/domain/requests.ts";
import type { TrackingEventType } from "../../functions/domain/schemas.ts";
import { SYSTEM, transition } from "../../functions/domain/transition.ts";
import type {
  OrderRecord,
  OrderReturn,
  ParcelStatus,
  ReturnStatus,
  TimelineType,
} from "../../functions/domain/types.ts";
import { makeOrder, makeRecord } from "../support/factories.ts";
import {
  complete,
  DAY,
  HOUR,
  instructRefund,
  markReturnOverdue,
  policyApprove,
  policyWith,
  refundSucceeded,
  requestCancellation,
  SELLER,
  sellerApprove,
  T0,
  track,
  workflowStarted,
} from "./flow.ts";

const CARRIER = "yamato";
const CLIENT = "carrier-client";
const SHIPPED_AT = "2026-11-20T03:00:00.000Z";
/** SPEC: a carrier's time may be at most 5 minutes ahead of the service's clock. */
const SKEW_SECONDS = 300;

/** SPEC's order of the parcel's statuses: it only ever moves to a higher rank. */
const RANK: Record<ParcelStatus, number> = {
  IN_TRANSIT: 0,
  DELIVERED: 1,
  REFUSED: 1,
  RETURNING: 2,
  RETURNED: 3,
};
const TRACKED: Record<TrackingEventType, ParcelStatus> = {
  DELIVERY_REFUSED: "REFUSED",
  RETURNING_TO_SENDER: "RETURNING",
  RETURNED_TO_SENDER: "RETURNED",
};
/** How a return's status may change: once RECEIVED, never again. */
const RETURN_EDGES: Record<ReturnStatus, readonly ReturnStatus[]> = {
  REQUESTED: ["RECEIVED", "OVERDUE"],
  OVERDUE: ["RECEIVED"],
  RECEIVED: [],
};

// ---- scenarios ----------------------------------------------------------------------------------

/** The carrier a caller's client is bound to: the order's, another, or none. */
type Bound = "own" | "other" | "none";

type Action =
  | { kind: "ship" }
  /** A request for the whole order or one unit of its first line, left awaiting the seller. */
  | { kind: "request"; lines: "all" | "one" }
  /** The active request approved, refunded and completed (its units cancelled). */
  | { kind: "finish" }
  | { kind: "deliver"; back: number; bound: Bound }
  | { kind: "track"; type: TrackingEventType; back: number; bound: Bound }
  | { kind: "overdue" };

interface Step {
  /** Seconds the clock moves on before the step. */
  after: number;
  action: Action;
}

interface Scenario {
  /**
   * What happens before the random steps: nothing, a whole-order or one-unit cancellation
   * completed (and the parcel then delivered: kept), or a request left pending.
   */
  opening: "none" | "whole" | "partial" | "keptWhole" | "keptPartial" | "pending";
  placed: boolean;
  twoLines: boolean;
  /** The parcel kept on the order, or (false) an order stored before it was kept. */
  keptParcel: boolean;
  returnDays: number;
  steps: Step[];
}

const boundArb = fc.constantFrom<Bound>("own", "own", "none", "other");
/** How far before the service's clock the carrier's time is; negative: ahead of it. */
const backArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 6 * HOUR }) },
  { weight: 1, arbitrary: fc.integer({ min: -2 * SKEW_SECONDS, max: 0 }) },
  { weight: 1, arbitrary: fc.integer({ min: 6 * HOUR, max: 4 * DAY }) },
);
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: "ship" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("request" as const),
      lines: fc.constantFrom("all" as const, "one" as const),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: "finish" as const }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("deliver" as const), back: backArb, bound: boundArb }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("track" as const),
      type: fc.constantFrom<TrackingEventType>(
        "DELIVERY_REFUSED",
        "RETURNING_TO_SENDER",
        "RETURNED_TO_SENDER",
      ),
      back: backArb,
      bound: boundArb,
    }),
  },
  { weight: 3, arbitrary: fc.constant({ kind: "overdue" as const }) },
);
const stepArb: fc.Arbitrary<Step> = fc.record({
  after: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 6 * HOUR }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 4 * DAY }) },
  ),
  action: actionArb,
});
const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  opening: fc.constantFrom(
    "none" as const,
    "whole" as const,
    "partial" as const,
    "keptWhole" as const,
    "keptPartial" as const,
    "pending" as const,
  ),
  placed: fc.constantFrom(false, false, false, true),
  twoLines: fc.boolean(),
  keptParcel: fc.boolean(),
  returnDays: fc.integer({ min: 1, max: 3 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 14 }),
});

// ---- the simulation -----------------------------------------------------------------------------

interface Sim {
  record: OrderRecord;
  now: string;
  requests: number;
  /** The parcel was DELIVERED at some point so far. */
  everDelivered: boolean;
  /** What the run reached: order entries written, refusal codes met, notable paths. */
  seen: Set<string>;
}

const initialRecord = (scenario: Scenario): OrderRecord => {
  const shipment = { carrier: CARRIER, trackingNumber: "1234-5678-9012", shippedAt: SHIPPED_AT };
  const order = makeOrder({
    ...(scenario.twoLines && {
      lines: [
        { lineId: "l1", sku: "MUG", title: "Mug", quantity: 2, unitPrice: 1500 },
        { lineId: "l2", sku: "PLT", title: "Plate", quantity: 1, unitPrice: 2000 },
      ],
      payment: { paidAmount: 5500 },
    }),
    ...(scenario.placed
      ? { status: "PLACED" as const, shipment: null }
      : {
          shipment,
          ...(scenario.keptParcel && {
            parcel: { status: "IN_TRANSIT" as const, updatedAt: SHIPPED_AT },
          }),
        }),
  });
  return makeRecord(order, []);
};

const carrierOf = (bound: Bound): string | undefined =>
  bound === "own" ? CARRIER : bound === "other" ? "sagawa" : undefined;

/** The events a step sends, in order (a finish is the workflow's steps and the seller's approval). */
const eventsOf = (sim: Sim, scenario: Scenario, action: Action): DomainEvent[] => {
  const requestId = `req-${sim.requests}`;
  switch (action.kind) {
    case "ship": {
      const shipment = { carrier: CARRIER, trackingNumber: "1234-5678-9012", shippedAt: sim.now };
      return [{ type: "SHIP", actor: SELLER, shipment }];
    }
    case "request": {
      const id = `req-${sim.requests + 1}`;
      const policy = policyWith({ returnAfterCancellationDays: scenario.returnDays });
      const lines = action.lines === "one" ? { lines: [{ lineId: "l1", quantity: 1 }] } : {};
      return [requestCancellation({ requestId: id, policy, ...lines }), workflowStarted(id)];
    }
    case "finish":
      return [
        sellerApprove(SELLER, requestId),
        policyApprove(requestId),
        instructRefund(requestId),
        refundSucceeded(requestId),
        complete(requestId),
      ];
    case "deliver": {
      const deliveredAt = addSeconds(sim.now, -action.back);
      const carrier = carrierOf(action.bound);
      return [{ type: "DELIVER", actor: CLIENT, deliveredAt, ...(carrier && { carrier }) }];
    }
    case "track":
      return [
        track(action.type, addSeconds(sim.now, -action.back), CLIENT, carrierOf(action.bound)),
      ];
    case "overdue":
      return [markReturnOverdue()];
  }
};

/** A carrier's time as SPEC takes it: not before the shipment, at most 5 minutes ahead. */
const timeIsValid = (record: OrderRecord, reported: string, now: string): boolean => {
  const shipment = record.order.shipment;
  return (
    (!shipment || reported >= shipment.shippedAt) &&
    Date.parse(reported) <= Date.parse(now) + SKEW_SECONDS * 1000
  );
};

/**
 * SPEC's refusals of the carrier's events and the overdue mark on `record`: empty exactly when
 * the event is to be accepted (the codes of every rule it breaks otherwise). Undefined for events
 * this test leaves to the transition properties.
 */
const specRefusals = (record: OrderRecord, event: DomainEvent, now: string) => {
  const { order } = record;
  const parcel = parcelOf(order);
  const codes = new Set<string>();
  switch (event.type) {
    case "TRACK_PARCEL":
    case "DELIVER": {
      if (event.carrier !== undefined && order.shipment?.carrier !== event.carrier) {
        codes.add("NOT_FOUND");
      }
      if (order.status === "PLACED" || parcel === null) codes.add("NOT_SHIPPED");
      const reported = event.type === "DELIVER" ? event.deliveredAt : event.at;
      if (!timeIsValid(record, reported, now)) codes.add("VALIDATION_FAILED");
      const to = event.type === "DELIVER" ? "DELIVERED" : TRACKED[event.event];
      if (parcel && RANK[to] <= RANK[parcel.status]) codes.add("INVALID_STATE");
      return codes;
    }
    case "MARK_RETURN_OVERDUE":
      if (order.return?.status !== "REQUESTED" || now < order.return.dueBy) {
        codes.add("INVALID_STATE");
      }
      return codes;
    case "SHIP":
      if (order.status !== "PLACED") codes.add("INVALID_STATE");
      return codes;
    default:
      return undefined;
  }
};

/** SPEC's entries on the order's own timeline for an accepted event, as [type, actor]. */
const specEntries = (prev: OrderRecord, next: OrderRecord, event: DomainEvent) => {
  const entries: [TimelineType, string][] = [];
  const owed = cancelledUnits(next.order).length > 0;
  switch (event.type) {
    case "SHIP":
      entries.push(["SHIPPED", event.actor]);
      break;
    case "DELIVER":
      // A wholly cancelled order stays CANCELLED; otherwise it is delivered.
      if (prev.order.status !== "CANCELLED") entries.push(["DELIVERED", event.actor]);
      if (owed) entries.push(["DELIVERED_AFTER_CANCELLATION", event.actor]);
      break;
    case "TRACK_PARCEL":
      entries.push([event.event, event.actor]);
      if (event.event === "RETURNED_TO_SENDER" && isReturnOpen(prev.order)) {
        entries.push(["RETURN_RECEIVED", SYSTEM]);
      }
      break;
    case "MARK_RETURN_OVERDUE":
      entries.push(["RETURN_OVERDUE", SYSTEM]);
      break;
    case "COMPLETE":
      if (next.order.lines.every((line) => line.cancelledQuantity === line.quantity)) {
        entries.push(["CANCELLED", SYSTEM]);
      }
      if (owed && parcelOf(prev.order)?.status === "DELIVERED" && !prev.order.return) {
        entries.push(["DELIVERED_AFTER_CANCELLATION", SYSTEM]);
      }
      break;
    default:
      break;
  }
  return entries;
};

/** Checks one step; answers whether the event was accepted. */
const checkStep = (sim: Sim, event: DomainEvent): boolean => {
  const prev = sim.record;
  const snapshot = structuredClone(prev);
  const result = transition(prev, event, sim.now);
  expect(prev, `${event.type} mutated its input`).toEqual(snapshot);
  const expected = specRefusals(prev, event, sim.now);
  const label = `${event.type} at ${sim.now}: ${JSON.stringify(event)} on parcel ${JSON.stringify(parcelOf(prev.order))}, return ${JSON.stringify(prev.order.return)}`;
  if (!result.ok) {
    // A refused event leaves the record as it was.
    expect(result, label).not.toHaveProperty("record");
    if (expected !== undefined) {
      const refusal = `${label}: refused (${result.error.code})`;
      expect(expected.size > 0, `${refusal} though SPEC accepts it`).toBe(true);
      expect([...expected], refusal).toContain(result.error.code);
      sim.seen.add(`refused ${event.type} ${result.error.code}`);
    }
    return false;
  }
  if (expected !== undefined) {
    expect([...expected], `${label}: accepted though SPEC refuses it`).toEqual([]);
  }
  const next = result.record;
  checkParcel(sim, prev, next, event);
  checkReturn(sim, prev, next);
  const added = next.order.timeline.slice(prev.order.timeline.length);
  expect(next.order.timeline.slice(0, prev.order.timeline.length), label).toEqual(
    prev.order.timeline,
  );
  expect(
    added.map((entry) => [entry.type, entry.actor]),
    label,
  ).toEqual(specEntries(prev, next, event));
  for (const entry of added) {
    expect(entry.at).toBe(sim.now);
    sim.seen.add(entry.type);
  }
  // The carrier's word and the overdue mark never touch a request.
  if (event.type === "TRACK_PARCEL" || event.type === "MARK_RETURN_OVERDUE") {
    expect(next.requests, label).toEqual(prev.requests);
  }
  sim.record = next;
  return true;
};

/** The parcel moves forward only, to the event's status at the carrier's time, never from RETURNED. */
const checkParcel = (sim: Sim, prev: OrderRecord, next: OrderRecord, event: DomainEvent) => {
  const before = parcelOf(prev.order);
  const after = parcelOf(next.order);
  if (before === null) {
    expect(after === null || event.type === "SHIP").toBe(true);
    if (after) expect(after).toEqual({ status: "IN_TRANSIT", updatedAt: sim.now });
    return;
  }
  expect(after).not.toBeNull();
  if (!after) return;
  if (before.status === "RETURNED") expect(after).toEqual(before);
  if (after.status !== before.status) {
    // Strictly forward: DELIVERED and REFUSED share a rank, so neither follows the other.
    expect(RANK[after.status]).toBeGreaterThan(RANK[before.status]);
    // At the carrier's time, unless that is older than the time already known: it never goes back.
    const latest = (at: string) =>
      Date.parse(at) < Date.parse(before.updatedAt) ? before.updatedAt : at;
    if (event.type === "DELIVER") {
      expect(after).toEqual({ status: "DELIVERED", updatedAt: latest(event.deliveredAt) });
    } else if (event.type === "TRACK_PARCEL") {
      expect(after).toEqual({ status: TRACKED[event.event], updatedAt: latest(event.at) });
    } else {
      throw new Error(`${event.type} moved the parcel`);
    }
  } else {
    expect(after).toEqual(before);
  }
  if (after.status === "DELIVERED") sim.everDelivered = true;
};

/** A return only of cancelled units of a delivered parcel; once RECEIVED, never changed. */
const checkReturn = (sim: Sim, prev: OrderRecord, next: OrderRecord) => {
  const before = prev.order.return ?? undefined;
  const after: OrderReturn | undefined = next.order.return ?? undefined;
  if (before) expect(after, "a return disappeared").toBeDefined();
  if (!after) return;
  expect(sim.everDelivered, "a return without a delivered parcel").toBe(true);
  expect(cancelledUnits(next.order).length, "a return without cancelled units").toBeGreaterThan(0);
  if (!before) {
    expect(after).toMatchObject({ status: "REQUESTED", openedAt: sim.now, closedAt: null });
    expect(after.lines).toEqual(cancelledUnits(next.order));
    const policy = latestRequest(next)?.policy;
    expect(after.dueBy).toBe(addSeconds(sim.now, (policy?.returnAfterCancellationDays ?? 0) * DAY));
    sim.seen.add("return opened");
    return;
  }
  if (before.status === "RECEIVED") {
    expect(after, "a RECEIVED return changed").toEqual(before);
    return;
  }
  if (after.status !== before.status) {
    expect(RETURN_EDGES[before.status]).toContain(after.status);
    if (before.status === "OVERDUE") sim.seen.add("received after overdue");
  }
  if (after.status === "RECEIVED") {
    expect(after.closedAt).toBe(sim.now);
    expect(next.order.parcel?.status).toBe("RETURNED");
  }
  expect(after.dueBy).toBe(before.dueBy);
};

const request = (lines: "all" | "one"): Step => ({ after: 0, action: { kind: "request", lines } });

/** Runs a scenario step by step, checking each event; answers what it reached. */
const run = (scenario: Scenario): Sim => {
  const sim: Sim = {
    record: initialRecord(scenario),
    now: T0,
    requests: 0,
    everDelivered: false,
    seen: new Set(),
  };
  const finish: Step = { after: HOUR, action: { kind: "finish" } };
  const delivered: Step = { after: HOUR, action: { kind: "deliver", back: 0, bound: "own" } };
  const opening: Step[] = {
    none: [],
    whole: [request("all"), finish],
    partial: [request("one"), finish],
    keptWhole: [request("all"), finish, delivered],
    keptPartial: [request("one"), finish, delivered],
    pending: [request("all")],
  }[scenario.opening];
  for (const { after, action } of [...opening, ...scenario.steps]) {
    sim.now = addSeconds(sim.now, after);
    const events = eventsOf(sim, scenario, action);
    for (const [index, event] of events.entries()) {
      const accepted = checkStep(sim, event);
      if (action.kind === "request" && index === 0 && accepted) sim.requests += 1;
      // A finish applies only to a request still awaiting the seller; then every step applies.
      if (action.kind === "finish" && index === 0 && !accepted) break;
      if (action.kind === "finish" && !accepted) throw new Error(`${event.type} refused`);
      if (action.kind === "request" && !accepted) break;
    }
  }
  return sim;
};

// ---- the tests ----------------------------------------------------------------------------------

describe("the parcel over random sequences of carrier events, cancellations and marks", () => {
  it("moves forward only, keeps a closed return closed, and accepts and records each event as SPEC says", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        run(scenario);
      }),
      { numRuns: 400 },
    );
  });

  it("reaches each path often enough for the properties to matter", () => {
    // A fixed sample: this checks the generator's reach, not the run's luck.
    const runs = fc.sample(scenarioArb, { numRuns: 400, seed: 20261207 }).map(run);
    const share = (path: string) => runs.filter((sim) => sim.seen.has(path)).length / runs.length;
    const paths = [
      "DELIVERED",
      "DELIVERED_AFTER_CANCELLATION",
      "DELIVERY_REFUSED",
      "RETURNING_TO_SENDER",
      "RETURNED_TO_SENDER",
      "RETURN_RECEIVED",
      "RETURN_OVERDUE",
      "CANCELLED",
      "return opened",
      "received after overdue",
      "refused TRACK_PARCEL INVALID_STATE",
      "refused TRACK_PARCEL NOT_FOUND",
      "refused TRACK_PARCEL VALIDATION_FAILED",
      "refused DELIVER INVALID_STATE",
      "refused DELIVER NOT_FOUND",
      "refused MARK_RETURN_OVERDUE INVALID_STATE",
    ];
    const shares = Object.fromEntries(paths.map((path) => [path, share(path)]));
    for (const path of paths) expect(shares[path], path).toBeGreaterThan(0.01);
  });
});
