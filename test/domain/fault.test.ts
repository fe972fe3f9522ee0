// SPEC "Seller performance": every request records who asked (initiator BUYER) and, when it ends,
// whose fault the cancellation was: NONE for a buyer's change of mind; for DELIVERY_TOO_SLOW,
// SELLER when the order's shipBy passed before the shipment, else CARRIER. Null while open.
import { describe, expect, it } from "vitest";
import { faultOf } from "../../functions/domain/requests.ts";
import { CANCELLATION_REASONS } from "../../functions/domain/schemas.ts";
import type { CancellationReason } from "../../functions/domain/types.ts";
import { toPublicRequest } from "../../functions/domain/views.ts";
import { makeOrder, makeRecord, makeRequest } from "../support/factories.ts";
import {
  at,
  complete,
  DAY,
  deliver,
  Flow,
  HOUR,
  instructRefund,
  operatorReject,
  policyApprove,
  REQ,
  refundSucceeded,
  requestCancellation,
  sellerApprove,
  sellerReject,
  sellerTimeout,
  T0,
  withdraw,
  workflowStarted,
} from "./flow.ts";

/** The factory's order ships at 2026-11-20T03:00Z. */
const SHIPPED_AT = "2026-11-20T03:00:00.000Z";
const BEFORE_SHIPMENT = "2026-11-20T02:59:59.000Z";
const AFTER_SHIPMENT = "2026-11-20T03:00:01.000Z";

const requestedWith = (reason: CancellationReason, shipBy?: string) => {
  const flow = Flow.shipped(shipBy === undefined ? {} : { shipBy });
  flow.apply(
    requestCancellation({ reason, comment: reason === "OTHER" ? "気が変わりました" : null }),
    T0,
  );
  flow.apply(workflowStarted(), at(1));
  return flow;
};

describe("faultOf", () => {
  it("is NONE for every reason but DELIVERY_TOO_SLOW, whatever the dates", () => {
    const late = { shipBy: BEFORE_SHIPMENT, shipment: makeOrder().shipment };
    for (const reason of CANCELLATION_REASONS.filter((r) => r !== "DELIVERY_TOO_SLOW")) {
      expect(faultOf(reason, late), reason).toBe("NONE");
      expect(faultOf(reason, { shipment: makeOrder().shipment }), reason).toBe("NONE");
    }
  });

  it("for DELIVERY_TOO_SLOW: SELLER only when shipBy passed before shippedAt, else CARRIER", () => {
    const shipment = makeOrder().shipment;
    expect(faultOf("DELIVERY_TOO_SLOW", { shipBy: BEFORE_SHIPMENT, shipment })).toBe("SELLER");
    // Shipped at the very instant promised, or before it: in time.
    expect(faultOf("DELIVERY_TOO_SLOW", { shipBy: SHIPPED_AT, shipment })).toBe("CARRIER");
    expect(faultOf("DELIVERY_TOO_SLOW", { shipBy: AFTER_SHIPMENT, shipment })).toBe("CARRIER");
    // No promise on import: nobody can say the seller was late.
    expect(faultOf("DELIVERY_TOO_SLOW", { shipment })).toBe("CARRIER");
  });
});

describe("initiator and fault on the request", () => {
  it("a new request is the buyer's, with no fault while it is open", () => {
    const flow = requestedWith("DELIVERY_TOO_SLOW", BEFORE_SHIPMENT);
    expect(flow.request()).toMatchObject({ initiator: "BUYER", fault: null });
    flow.apply(sellerApprove(), at(HOUR));
    expect(flow.request().fault).toBeNull();
    expect(toPublicRequest(flow.request())).toMatchObject({ initiator: "BUYER", fault: null });
  });

  it("is set by the change that ends the request, in each terminal status", () => {
    // COMPLETED: the seller shipped late.
    const completed = requestedWith("DELIVERY_TOO_SLOW", BEFORE_SHIPMENT);
    completed.apply(sellerApprove(), at(HOUR));
    completed.apply(policyApprove(), at(HOUR + 1));
    completed.apply(instructRefund(), at(HOUR + 2));
    completed.apply(refundSucceeded(), at(HOUR + 3));
    expect(completed.request().fault).toBeNull();
    completed.apply(complete(), at(HOUR + 3));
    expect(completed.request()).toMatchObject({ status: "COMPLETED", fault: "SELLER" });

    // REJECTED by the seller, and by an operator: a slow carrier.
    const rejected = requestedWith("DELIVERY_TOO_SLOW", AFTER_SHIPMENT);
    rejected.apply(sellerReject("もう届きます"), at(HOUR));
    expect(rejected.request()).toMatchObject({ status: "REJECTED", fault: "CARRIER" });

    // WITHDRAWN: a change of mind, whatever the shipment's dates.
    const withdrawn = requestedWith("FOUND_BETTER_PRICE", BEFORE_SHIPMENT);
    withdrawn.apply(withdraw(), at(HOUR));
    expect(withdrawn.request()).toMatchObject({ status: "WITHDRAWN", fault: "NONE" });

    // RETURN_REQUIRED: delivered before anyone decided.
    const returned = requestedWith("DELIVERY_TOO_SLOW");
    returned.apply(deliver(at(HOUR)), at(HOUR));
    expect(returned.request()).toMatchObject({ status: "RETURN_REQUIRED", fault: "CARRIER" });
  });

  it("an operator's rejection ends it too", () => {
    const flow = requestedWith("OTHER");
    flow.apply(sellerTimeout(), at(2 * DAY));
    flow.apply(operatorReject("確認できません"), at(2 * DAY + HOUR));
    expect(flow.request()).toMatchObject({ status: "REJECTED", fault: "NONE" });
  });

  it("a request stored before the fields were kept reads as the buyer's, with no fault", () => {
    const order = makeOrder();
    const { initiator: _i, fault: _f, ...old } = makeRequest(order, { status: "COMPLETED" });
    const record = makeRecord(order, [old]);
    const request = record.requests[REQ];
    if (!request) throw new Error("no request");
    expect(toPublicRequest(request)).toMatchObject({ initiator: "BUYER", fault: null });
  });

  it("never changes once set: a refund's later life leaves it alone", () => {
    const flow = requestedWith("DELIVERY_TOO_SLOW", BEFORE_SHIPMENT);
    flow.apply(sellerApprove(), at(HOUR));
    flow.apply(policyApprove(), at(HOUR + 1));
    flow.apply(instructRefund(), at(HOUR + 2));
    flow.apply(refundSucceeded(), at(HOUR + 3));
    flow.apply(complete(), at(HOUR + 3));
    // The parcel arrives anyway: the order gains a return, the request stays as it ended.
    flow.apply(deliver(at(DAY)), at(DAY));
    expect(flow.order.return?.status).toBe("REQUESTED");
    expect(flow.request()).toMatchObject({ status: "COMPLETED", fault: "SELLER" });
  });
});
