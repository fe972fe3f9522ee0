// The parcel after a cancellation (SPEC section of that name), example by example: the carrier's
// events move the parcel forward only (a step back or a repeat is refused, and answered as a
// replay), a refusal leaves a pending cancellation going, a delivery after a completed cancellation
// is recorded and opens a return of the cancelled units, the parcel back closes it, the
// reconciler's mark makes it overdue past its dueBy, a carrier-bound client sees only its own
// carrier's parcels, and orders stored before the parcel was kept derive it.
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../functions/domain/events.ts";
import {
  cancelledUnits,
  isReturnOpen,
  MAX_CARRIER_CLOCK_SKEW_SECONDS,
  parcelOf,
  returnDueBy,
} from "../../functions/domain/parcel.ts";
import { DEFAULT_POLICY, type Policy } from "../../functions/domain/policy.ts";
import { alreadyApplied } from "../../functions/domain/replays.ts";
import { addSeconds } from "../../functions/domain/requests.ts";
import type { TrackingEventType } from "../../functions/domain/schemas.ts";
import { SYSTEM } from "../../functions/domain/transition.ts";
import type { ParcelStatus } from "../../functions/domain/types.ts";
import { makeOrder, type OrderOverrides } from "../support/factories.ts";
import {
  approvedFlow,
  at,
  complete,
  DAY,
  deliver,
  email,
  Flow,
  HOUR,
  instructRefund,
  markReturnOverdue,
  policyApprove,
  policyWith,
  refundSucceeded,
  requestCancellation,
  SELLER,
  sellerApprove,
  ship,
  shown,
  timelineOf,
  track,
  workflowStarted,
} from "./flow.ts";

/** The factory's shipment time (a day before T0). */
const SHIPPED_AT = "2026-11-20T03:00:00.000Z";
/** The carrier's client, as the routes name the caller. */
const CLIENT = "carrier-client-yamato";

/** An order handed to Yamato (as carriers' codes are written in `shipment.carrier`). */
const YAMATO: OrderOverrides = {
  shipment: { carrier: "yamato", trackingNumber: "1234-5678-9012", shippedAt: SHIPPED_AT },
};

/** A mug line of two units and a plate: ¥3,000 + ¥2,000, shipping ¥500, paid ¥5,500. */
const TWO_LINES: OrderOverrides = {
  lines: [
    { lineId: "l1", sku: "MUG", title: "Mug", quantity: 2, unitPrice: 1500 },
    { lineId: "l2", sku: "PLT", title: "Plate", quantity: 1, unitPrice: 2000 },
  ],
  payment: { paidAmount: 5500 },
};

/** A whole-order cancellation completed with its refund made, the parcel still on its way. */
const cancelled = (policy: Policy = DEFAULT_POLICY, order: OrderOverrides = YAMATO): Flow => {
  const flow = approvedFlow(order, policy);
  flow.apply(instructRefund(), at(2 * HOUR));
  flow.apply(refundSucceeded(), at(2 * HOUR + 1));
  flow.apply(complete(), at(2 * HOUR + 2));
  expect(flow.order.status).toBe("CANCELLED");
  return flow;
};

/** One mug of the two cancelled and refunded: the rest of the order is still the buyer's. */
const partlyCancelled = (policy: Policy = DEFAULT_POLICY): Flow => {
  const flow = Flow.shipped({ ...TWO_LINES, ...YAMATO });
  flow.apply(requestCancellation({ policy, lines: [{ lineId: "l1", quantity: 1 }] }), at(0));
  flow.apply(workflowStarted(), at(1));
  flow.apply(sellerApprove(), at(HOUR));
  flow.apply(policyApprove(), at(HOUR + 1));
  flow.apply(instructRefund(), at(2 * HOUR));
  flow.apply(refundSucceeded(), at(2 * HOUR + 1));
  flow.apply(complete(), at(2 * HOUR + 2));
  expect(flow.order.status).toBe("SHIPPED");
  return flow;
};

/** The order's timeline entries after the first `from`, as [type, actor, at]. */
const entriesSince = (flow: Flow, from: number) =>
  flow.order.timeline.slice(from).map((entry) => [entry.type, entry.actor, entry.at]);

/** A flow whose parcel was moved to `status` by the carrier's own events (DELIVER for DELIVERED). */
const parcelAt = (status: ParcelStatus, flow = Flow.shipped(YAMATO)): Flow => {
  const steps: Record<ParcelStatus, TrackingEventType | "DELIVER" | null> = {
    IN_TRANSIT: null,
    DELIVERED: "DELIVER",
    REFUSED: "DELIVERY_REFUSED",
    RETURNING: "RETURNING_TO_SENDER",
    RETURNED: "RETURNED_TO_SENDER",
  };
  const step = steps[status];
  if (step === "DELIVER") flow.apply(deliver(at(3 * HOUR), CLIENT), at(3 * HOUR));
  else if (step !== null) flow.apply(track(step, at(3 * HOUR), CLIENT), at(3 * HOUR));
  expect(parcelOf(flow.order)?.status).toBe(status);
  return flow;
};

describe("the carrier's events move the parcel forward", () => {
  it("IN_TRANSIT → REFUSED → RETURNING → RETURNED: each event its entry, the parcel at the carrier's time", () => {
    const flow = Flow.shipped(YAMATO);
    const requests = structuredClone(flow.record.requests);
    const moves: [TrackingEventType, ParcelStatus][] = [
      ["DELIVERY_REFUSED", "REFUSED"],
      ["RETURNING_TO_SENDER", "RETURNING"],
      ["RETURNED_TO_SENDER", "RETURNED"],
    ];
    moves.forEach(([type, status], index) => {
      const reported = at(index * HOUR);
      const now = at(index * HOUR + 30);
      // No request, no return: nothing to mail.
      expect(flow.apply(track(type, reported, CLIENT), now)).toEqual([]);
      expect(flow.order.parcel).toEqual({ status, updatedAt: reported });
      expect(shown(flow.order.timeline.at(-1))).toEqual({ at: now, type, actor: CLIENT });
      expect(flow.order.updatedAt).toBe(now);
    });
    expect(timelineOf(flow.order)).toEqual([
      ["DELIVERY_REFUSED", CLIENT],
      ["RETURNING_TO_SENDER", CLIENT],
      ["RETURNED_TO_SENDER", CLIENT],
    ]);
    // The carrier's word moves neither the order's status nor anything of its requests.
    expect(flow.order.status).toBe("SHIPPED");
    expect(flow.order.deliveredAt).toBeNull();
    expect(flow.order.return).toBeUndefined();
    expect(flow.record.requests).toEqual(requests);
  });

  it("may skip steps: on its way → back, on its way → returning, delivered → returning → back", () => {
    const back = Flow.shipped(YAMATO);
    back.apply(track("RETURNED_TO_SENDER", at(0), CLIENT), at(0));
    expect(back.order.parcel?.status).toBe("RETURNED");

    const returning = Flow.shipped(YAMATO);
    returning.apply(track("RETURNING_TO_SENDER", at(0), CLIENT), at(0));
    expect(returning.order.parcel?.status).toBe("RETURNING");

    // The buyer sends a delivered parcel back.
    const delivered = parcelAt("DELIVERED");
    delivered.apply(track("RETURNING_TO_SENDER", at(DAY), CLIENT), at(DAY));
    delivered.apply(track("RETURNED_TO_SENDER", at(2 * DAY), CLIENT), at(2 * DAY));
    expect(delivered.order.parcel).toEqual({ status: "RETURNED", updatedAt: at(2 * DAY) });
    expect(delivered.order.status).toBe("DELIVERED");
  });

  it("a SHIP puts the parcel on its way at the shipment's time", () => {
    const flow = Flow.shipped({ status: "PLACED", shipment: null });
    expect(parcelOf(flow.order)).toBeNull();
    flow.apply(ship(SHIPPED_AT, SELLER), at(0));
    expect(flow.order.parcel).toEqual({ status: "IN_TRANSIT", updatedAt: SHIPPED_AT });
  });

  it("refuses a step back or a repeat with INVALID_STATE, changing nothing", () => {
    const refusals: [ParcelStatus, TrackingEventType][] = [
      ["REFUSED", "DELIVERY_REFUSED"],
      ["RETURNING", "DELIVERY_REFUSED"],
      ["RETURNING", "RETURNING_TO_SENDER"],
      ["RETURNED", "DELIVERY_REFUSED"],
      ["RETURNED", "RETURNING_TO_SENDER"],
      ["RETURNED", "RETURNED_TO_SENDER"],
      // Delivered and refused never follow each other.
      ["DELIVERED", "DELIVERY_REFUSED"],
    ];
    for (const [status, type] of refusals) {
      const flow = parcelAt(status);
      const error = flow.refuse(track(type, at(4 * HOUR), CLIENT), at(4 * HOUR));
      expect(error.code, `${type} on a ${status} parcel`).toBe("INVALID_STATE");
    }
  });

  it("refuses a delivery of a parcel refused, on its way back or back (INVALID_STATE)", () => {
    for (const status of ["REFUSED", "RETURNING", "RETURNED"] as const) {
      for (const flow of [parcelAt(status), parcelAt(status, cancelled())]) {
        const error = flow.refuse(deliver(at(5 * HOUR), CLIENT), at(5 * HOUR));
        expect(error.code, `${flow.order.status} order, ${status} parcel`).toBe("INVALID_STATE");
      }
    }
  });

  it("refuses any event before shipment with NOT_SHIPPED", () => {
    const flow = Flow.shipped({ status: "PLACED", shipment: null });
    for (const type of ["DELIVERY_REFUSED", "RETURNING_TO_SENDER", "RETURNED_TO_SENDER"] as const) {
      expect(flow.refuse(track(type, at(0), CLIENT), at(0)).code).toBe("NOT_SHIPPED");
    }
    expect(flow.refuse(deliver(at(0), CLIENT), at(0)).code).toBe("NOT_SHIPPED");
  });

  it("refuses a time before the shipment or more than 5 minutes ahead with VALIDATION_FAILED on body.at", () => {
    const flow = Flow.shipped(YAMATO);
    const now = at(HOUR);
    const early = new Date(Date.parse(SHIPPED_AT) - 1).toISOString();
    const ahead = addSeconds(now, MAX_CARRIER_CLOCK_SKEW_SECONDS + 1);
    for (const reported of [early, ahead]) {
      const error = flow.refuse(track("DELIVERY_REFUSED", reported, CLIENT), now);
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.details).toEqual({ field: "body.at" });
    }
    expect(MAX_CARRIER_CLOCK_SKEW_SECONDS).toBe(300);
    // At the shipment itself, and at the skew's very end, it is accepted.
    flow.apply(track("DELIVERY_REFUSED", SHIPPED_AT, CLIENT), now);
    flow.apply(track("RETURNED_TO_SENDER", addSeconds(now, 300), CLIENT), now);
    expect(flow.order.parcel).toEqual({ status: "RETURNED", updatedAt: addSeconds(now, 300) });
  });
});

describe("a refusal while a request is pending", () => {
  it("leaves the request as it was: the cancellation goes on", () => {
    const flow = Flow.shipped(YAMATO).requested();
    const before = structuredClone(flow.record.requests);
    expect(flow.apply(track("DELIVERY_REFUSED", at(HOUR), CLIENT), at(HOUR))).toEqual([]);
    expect(flow.record.requests).toEqual(before);
    expect(flow.order.activeCancellationRequestId).toBe(flow.request().requestId);
    expect(flow.order.parcel?.status).toBe("REFUSED");
    // The seller's approval and the refund go on as ever.
    flow.apply(sellerApprove(), at(2 * HOUR));
    flow.apply(policyApprove(), at(2 * HOUR + 1));
    flow.apply(instructRefund(), at(3 * HOUR));
    flow.apply(refundSucceeded(), at(3 * HOUR + 1));
    flow.apply(complete(), at(3 * HOUR + 2));
    expect(flow.request().status).toBe("COMPLETED");
    expect(flow.order.status).toBe("CANCELLED");
    // A refused parcel opens no return.
    expect(flow.order.return).toBeUndefined();
  });

  it("also while the refund is under way", () => {
    const flow = approvedFlow(YAMATO);
    flow.apply(instructRefund(), at(2 * HOUR));
    const before = structuredClone(flow.record.requests);
    flow.apply(track("DELIVERY_REFUSED", at(2 * HOUR + 5), CLIENT), at(2 * HOUR + 5));
    expect(flow.record.requests).toEqual(before);
  });
});

describe("a delivery after a completed cancellation", () => {
  it("a whole order: stays CANCELLED, the parcel DELIVERED, a return of every unit due in the policy's days", () => {
    const flow = cancelled(policyWith({ returnAfterCancellationDays: 3 }));
    const request = structuredClone(flow.request());
    const entries = flow.order.timeline.length;
    const deliveredAt = at(DAY);
    const now = at(DAY + 60);
    expect(flow.apply(deliver(deliveredAt, CLIENT), now)).toEqual([
      email("BUYER_RETURN_INSTRUCTIONS", "BUYER"),
      email("SELLER_PARCEL_KEPT", "SELLER"),
    ]);
    expect(flow.order).toMatchObject({
      status: "CANCELLED",
      deliveredAt,
      parcel: { status: "DELIVERED", updatedAt: deliveredAt },
      updatedAt: now,
    });
    expect(flow.order.return).toEqual({
      status: "REQUESTED",
      lines: [{ lineId: "l1", quantity: 1 }],
      dueBy: addSeconds(now, 3 * DAY),
      openedAt: now,
      closedAt: null,
    });
    // No DELIVERED entry: the order is not delivered, its cancelled parcel was.
    expect(entriesSince(flow, entries)).toEqual([["DELIVERED_AFTER_CANCELLATION", CLIENT, now]]);
    expect(flow.request()).toEqual(request);
    expect(returnDueBy(flow.order)).toBe(addSeconds(now, 3 * DAY));
  });

  it("under the default policy the return is due in 14 days", () => {
    const flow = cancelled();
    flow.apply(deliver(at(DAY), CLIENT), at(DAY));
    expect(DEFAULT_POLICY.returnAfterCancellationDays).toBe(14);
    expect(flow.order.return?.dueBy).toBe(addSeconds(at(DAY), 14 * DAY));
  });

  it("a partly cancelled order: DELIVERED, and a return of the cancelled units only", () => {
    const flow = partlyCancelled(policyWith({ returnAfterCancellationDays: 3 }));
    const entries = flow.order.timeline.length;
    const now = at(DAY);
    expect(flow.apply(deliver(now, CLIENT), now)).toEqual([
      email("BUYER_RETURN_INSTRUCTIONS", "BUYER"),
      email("SELLER_PARCEL_KEPT", "SELLER"),
    ]);
    expect(flow.order.status).toBe("DELIVERED");
    expect(entriesSince(flow, entries)).toEqual([
      ["DELIVERED", CLIENT, now],
      ["DELIVERED_AFTER_CANCELLATION", CLIENT, now],
    ]);
    expect(flow.order.return).toMatchObject({
      status: "REQUESTED",
      lines: [{ lineId: "l1", quantity: 1 }],
      dueBy: addSeconds(now, 3 * DAY),
    });
    expect(cancelledUnits(flow.order)).toEqual([{ lineId: "l1", quantity: 1 }]);
  });

  it("is refused when repeated, and the repeat is answered as already applied", () => {
    const flow = cancelled();
    flow.apply(deliver(at(DAY), CLIENT), at(DAY));
    expect(flow.refuse(deliver(at(DAY), CLIENT), at(DAY + 5)).code).toBe("INVALID_STATE");
    expect(alreadyApplied(flow.record, deliver(at(DAY), CLIENT))).toBe(true);
    expect(alreadyApplied(flow.record, deliver(at(DAY - 1), CLIENT))).toBe(false);
  });

  it("opens nothing on an order that nothing cancelled", () => {
    const flow = Flow.shipped(YAMATO);
    flow.apply(deliver(at(0), CLIENT), at(0));
    expect(flow.order.return).toBeUndefined();
    expect(timelineOf(flow.order)).toEqual([["DELIVERED", CLIENT]]);
  });
});

describe("the return", () => {
  /** Delivered a day after T0 after a whole-order cancellation; due three days later. */
  const kept = (): Flow => {
    const flow = cancelled(policyWith({ returnAfterCancellationDays: 3 }));
    flow.apply(deliver(at(DAY), CLIENT), at(DAY));
    return flow;
  };

  it("closes when the parcel is back with the seller: RECEIVED, closedAt, RETURN_RECEIVED", () => {
    const flow = kept();
    const { lines, dueBy, openedAt } = flow.order.return ?? {};
    // On its way back it is still owed.
    flow.apply(track("RETURNING_TO_SENDER", at(2 * DAY), CLIENT), at(2 * DAY));
    expect(flow.order.return?.status).toBe("REQUESTED");
    const entries = flow.order.timeline.length;
    const now = at(2 * DAY + HOUR);
    expect(flow.apply(track("RETURNED_TO_SENDER", at(2 * DAY + 60), CLIENT), now)).toEqual([
      email("BUYER_RETURN_RECEIVED", "BUYER"),
    ]);
    expect(flow.order.return).toEqual({
      status: "RECEIVED",
      lines,
      dueBy,
      openedAt,
      closedAt: now,
    });
    expect(isReturnOpen(flow.order)).toBe(false);
    expect(returnDueBy(flow.order)).toBeUndefined();
    expect(entriesSince(flow, entries)).toEqual([
      ["RETURNED_TO_SENDER", CLIENT, now],
      ["RETURN_RECEIVED", SYSTEM, now],
    ]);
    expect(flow.order.status).toBe("CANCELLED");
  });

  it("closes from OVERDUE too", () => {
    const flow = kept();
    const dueBy = flow.order.return?.dueBy ?? "";
    flow.apply(markReturnOverdue(), dueBy);
    expect(flow.order.return?.status).toBe("OVERDUE");
    expect(isReturnOpen(flow.order)).toBe(true);
    // OVERDUE is not due again.
    expect(returnDueBy(flow.order)).toBeUndefined();
    const now = addSeconds(dueBy, DAY);
    flow.apply(track("RETURNED_TO_SENDER", now, CLIENT), now);
    expect(flow.order.return).toMatchObject({ status: "RECEIVED", closedAt: now });
    expect(timelineOf(flow.order).slice(-3)).toEqual([
      ["RETURN_OVERDUE", SYSTEM],
      ["RETURNED_TO_SENDER", CLIENT],
      ["RETURN_RECEIVED", SYSTEM],
    ]);
  });

  it("MARK_RETURN_OVERDUE: refused before dueBy, accepted at it, then refused and answered as applied", () => {
    const flow = kept();
    const dueBy = flow.order.return?.dueBy ?? "";
    expect(dueBy).toBe(addSeconds(at(DAY), 3 * DAY));
    const justBefore = new Date(Date.parse(dueBy) - 1).toISOString();
    expect(flow.refuse(markReturnOverdue(), justBefore).code).toBe("INVALID_STATE");
    expect(alreadyApplied(flow.record, markReturnOverdue())).toBe(false);
    const entries = flow.order.timeline.length;
    expect(flow.apply(markReturnOverdue(), dueBy)).toEqual([
      email("OPERATOR_RETURN_OVERDUE", "OPERATORS"),
    ]);
    expect(flow.order.return).toMatchObject({ status: "OVERDUE", dueBy, closedAt: null });
    expect(entriesSince(flow, entries)).toEqual([["RETURN_OVERDUE", SYSTEM, dueBy]]);
    expect(flow.refuse(markReturnOverdue(), addSeconds(dueBy, DAY)).code).toBe("INVALID_STATE");
    expect(alreadyApplied(flow.record, markReturnOverdue())).toBe(true);
  });

  it("MARK_RETURN_OVERDUE: accepted any time after dueBy", () => {
    const flow = kept();
    const later = addSeconds(flow.order.return?.dueBy ?? "", 10 * DAY);
    flow.apply(markReturnOverdue(), later);
    expect(flow.order.return?.status).toBe("OVERDUE");
  });

  it("MARK_RETURN_OVERDUE: refused on a RECEIVED return and on an order without one", () => {
    const flow = kept();
    flow.apply(track("RETURNED_TO_SENDER", at(2 * DAY), CLIENT), at(2 * DAY));
    const late = addSeconds(flow.order.return?.dueBy ?? "", DAY);
    expect(flow.refuse(markReturnOverdue(), late).code).toBe("INVALID_STATE");
    expect(alreadyApplied(flow.record, markReturnOverdue())).toBe(false);
    expect(Flow.shipped(YAMATO).refuse(markReturnOverdue(), late).code).toBe("INVALID_STATE");
    expect(cancelled().refuse(markReturnOverdue(), late).code).toBe("INVALID_STATE");
  });
});

describe("a carrier-bound client", () => {
  /** A delivery reported by a client bound to `carrier`. */
  const deliverAs = (carrier: string, deliveredAt: string): DomainEvent => ({
    type: "DELIVER",
    actor: CLIENT,
    deliveredAt,
    carrier,
  });

  it("another carrier's order does not exist for it (NOT_FOUND), for DELIVER and TRACK_PARCEL", () => {
    for (const flow of [Flow.shipped(YAMATO), cancelled()]) {
      expect(flow.refuse(deliverAs("sagawa", at(DAY)), at(DAY)).code).toBe("NOT_FOUND");
      for (const type of [
        "DELIVERY_REFUSED",
        "RETURNING_TO_SENDER",
        "RETURNED_TO_SENDER",
      ] as const) {
        const event = track(type, at(DAY), CLIENT, "sagawa");
        expect(flow.refuse(event, at(DAY)).code).toBe("NOT_FOUND");
      }
    }
  });

  it("knows the carrier as the seller typed it (Yamato is yamato)", () => {
    const typed = Flow.shipped({
      shipment: { carrier: " Yamato ", trackingNumber: "1234-5678-9012", shippedAt: SHIPPED_AT },
    });
    expect(typed.refuse(track("DELIVERY_REFUSED", at(0), CLIENT, "sagawa"), at(0)).code).toBe(
      "NOT_FOUND",
    );
    typed.apply(track("DELIVERY_REFUSED", at(0), CLIENT, "yamato"), at(0));
    expect(alreadyApplied(typed.record, track("DELIVERY_REFUSED", at(0), CLIENT, "yamato"))).toBe(
      true,
    );
  });

  it("its own carrier's parcel it may report on, as an unbound client may", () => {
    const own = Flow.shipped(YAMATO);
    own.apply(track("DELIVERY_REFUSED", at(0), CLIENT, "yamato"), at(0));
    own.apply(track("RETURNED_TO_SENDER", at(HOUR), CLIENT), at(HOUR));
    expect(own.order.parcel?.status).toBe("RETURNED");
    const delivered = cancelled();
    delivered.apply(deliverAs("yamato", at(DAY)), at(DAY));
    expect(delivered.order.return?.status).toBe("REQUESTED");
    const unbound = cancelled();
    unbound.apply(deliver(at(DAY), CLIENT), at(DAY));
    expect(unbound.order.return?.status).toBe("REQUESTED");
  });
});

describe("replays of the carrier's events", () => {
  it("a repeated or older event is already applied; one that would move the parcel is not", () => {
    const flow = parcelAt("RETURNING");
    const repeat = track("RETURNING_TO_SENDER", at(4 * HOUR), CLIENT);
    const older = track("DELIVERY_REFUSED", at(HOUR), CLIENT);
    const forward = track("RETURNED_TO_SENDER", at(4 * HOUR), CLIENT);
    expect(flow.refuse(repeat, at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(flow.refuse(older, at(4 * HOUR)).code).toBe("INVALID_STATE");
    expect(alreadyApplied(flow.record, repeat)).toBe(true);
    expect(alreadyApplied(flow.record, older)).toBe(true);
    expect(alreadyApplied(flow.record, forward)).toBe(false);
    // Before shipment there is nothing to replay: NOT_SHIPPED stands.
    const placed = Flow.shipped({ status: "PLACED", shipment: null });
    expect(alreadyApplied(placed.record, repeat)).toBe(false);
  });

  it("never for another carrier's parcel: that order does not exist for its client", () => {
    const flow = parcelAt("REFUSED");
    const repeat = track("DELIVERY_REFUSED", at(3 * HOUR), CLIENT);
    expect(alreadyApplied(flow.record, repeat)).toBe(true);
    expect(
      alreadyApplied(flow.record, track("DELIVERY_REFUSED", at(3 * HOUR), CLIENT, "yamato")),
    ).toBe(true);
    expect(
      alreadyApplied(flow.record, track("DELIVERY_REFUSED", at(3 * HOUR), CLIENT, "sagawa")),
    ).toBe(false);
  });
});

describe("orders stored before the parcel was kept", () => {
  it("derive it: on its way since the shipment, delivered at the delivery, none before shipment", () => {
    const shipped = makeOrder(YAMATO);
    expect(shipped).not.toHaveProperty("parcel");
    expect(parcelOf(shipped)).toEqual({ status: "IN_TRANSIT", updatedAt: SHIPPED_AT });
    const delivered = makeOrder({ ...YAMATO, status: "DELIVERED", deliveredAt: at(0) });
    expect(parcelOf(delivered)).toEqual({ status: "DELIVERED", updatedAt: at(0) });
    expect(parcelOf(makeOrder({ status: "PLACED", shipment: null }))).toBeNull();
    // A kept parcel is what it says.
    const kept = makeOrder({ ...YAMATO, parcel: { status: "REFUSED", updatedAt: at(1) } });
    expect(parcelOf(kept)).toEqual({ status: "REFUSED", updatedAt: at(1) });
  });

  it("move on from what they derive, and keep the parcel from then on", () => {
    const delivered = Flow.shipped({ ...YAMATO, status: "DELIVERED", deliveredAt: at(0) });
    expect(delivered.refuse(track("DELIVERY_REFUSED", at(HOUR), CLIENT), at(HOUR)).code).toBe(
      "INVALID_STATE",
    );
    delivered.apply(track("RETURNING_TO_SENDER", at(HOUR), CLIENT), at(HOUR));
    expect(delivered.order.parcel).toEqual({ status: "RETURNING", updatedAt: at(HOUR) });

    // Cancelled before the parcel was kept, still on its way: a delivery opens the return.
    const old = cancelled();
    expect(old.order).not.toHaveProperty("parcel");
    old.apply(deliver(at(DAY), CLIENT), at(DAY));
    expect(old.order.parcel).toEqual({ status: "DELIVERED", updatedAt: at(DAY) });
    expect(old.order.return?.status).toBe("REQUESTED");
  });
});
