// The one function that decides every status change of an order and its cancellation requests.
// It is pure: (record, event, now) → the new record, or a domain error. Callers persist the new
// record with one conditional write; what the change causes (mail, domain events, waking the
// workflow) follows from the stored record (notices.ts, workflow-plan.ts), never from here.
import { amountOf } from "./amounts.ts";
import {
  claimedRefund,
  complete,
  Draft,
  expectStatus,
  failRefund,
  noteAnswer,
  POLICY,
  refuse,
  SYSTEM,
  succeedRefund,
  type TransitionResult,
} from "./draft.ts";
import { DomainError, type DomainEvent } from "./events.ts";
import {
  checkCarrierTime,
  handedTo,
  markReturnOverdue,
  moveParcel,
  openReturnIfOwed,
  parcelOf,
  trackParcel,
} from "./parcel.ts";
import { applyProviderUpdate } from "./provider-updates.ts";
import {
  assertNoRefundCallInFlight,
  expectedByFor,
  firstRefundId,
  isPastPromise,
  isRefundLate,
  isSettling,
  newRefund,
  nextRefundId,
  providerFor,
  refundMethodFor,
  refundToAskAbout,
} from "./refund.ts";
import { isAutoApprovable, newRequestTerms, reviewFor } from "./request-terms.ts";
import { activeRequest, addSeconds, isOpen } from "./requests.ts";
import type {
  CancellationRequest,
  MarketplaceReview,
  Order,
  OrderRecord,
  RefundMethod,
} from "./types.ts";

export { POLICY, SYSTEM, type TransitionResult } from "./draft.ts";

/** Fixed wording of a rejection the policy makes when no operator reviewed in time. */
export const MARKETPLACE_TIMEOUT_REJECTION = "MARKETPLACE_REVIEW_TIMED_OUT";

/** Parties see only their own orders: anyone else is told the order does not exist. */
const expectParty = (actual: string, expected: string) => {
  if (actual !== expected) refuse("NOT_FOUND", "no such order");
};

/** A carrier's client sees only the parcels handed to that carrier (an unbound one: every one). */
const expectCarrier = (order: Order, carrier: string | undefined) => {
  if (!handedTo(order, carrier)) {
    refuse("NOT_FOUND", "no such order");
  }
};

/** Seller approval (or its timeout's stand-in): the marketplace's review starts. */
const toMarketplaceReview = (
  draft: Draft,
  request: CancellationRequest,
  review: MarketplaceReview,
) => {
  request.status = "AWAITING_MARKETPLACE";
  request.marketplaceReview = review;
  request.marketplaceDeadline = addSeconds(draft.now, request.policy.marketplaceReviewSeconds);
};

const approve = (draft: Draft, request: CancellationRequest, actor: string, note?: string) => {
  request.status = "REFUND_PENDING";
  request.refund = newRefund(draft.order, request.policy, draft.now, amountOf(request));
  draft.log(request, "MARKETPLACE_APPROVED", actor, note);
};

const reject = (
  draft: Draft,
  request: CancellationRequest,
  by: "SELLER" | "MARKETPLACE",
  reason: string,
  actor: string,
  note?: string,
) => {
  request.status = "REJECTED";
  request.rejection = { by, reason, at: draft.now };
  draft.close(request);
  draft.log(request, by === "SELLER" ? "SELLER_REJECTED" : "MARKETPLACE_REJECTED", actor, note);
};

/** Methods a failed refund may be switched to: balances the marketplace keeps itself. */
const BALANCE_METHODS: readonly RefundMethod[] = ["GIFT_CARD", "POINTS"];

const apply = (draft: Draft, event: DomainEvent): void => {
  const { order } = draft;
  switch (event.type) {
    case "REQUEST_CANCELLATION": {
      expectParty(event.actor, order.buyerId);
      if (draft.record.requests[event.requestId]) refuse("INVALID_STATE", "request id in use");
      const used = Object.values(draft.record.requests).some(
        (request) => request.idempotencyKey === event.idempotencyKey,
      );
      if (used) refuse("INVALID_STATE", "Idempotency-Key already used for another request");
      const terms = newRequestTerms(
        draft.record,
        event.actor,
        event.lines,
        event.policy,
        draft.now,
      );
      const request: CancellationRequest = {
        requestId: event.requestId,
        orderId: order.orderId,
        status: "REQUESTED",
        reason: event.reason,
        comment: event.comment,
        initiator: "BUYER",
        fault: null,
        lines: terms.lines,
        itemsAmount: terms.itemsAmount,
        shippingAmount: terms.shippingAmount,
        createdAt: draft.now,
        updatedAt: draft.now,
        sellerDeadline: addSeconds(draft.now, event.policy.sellerResponseSeconds),
        sellerRemindedAt: null,
        marketplaceDeadline: null,
        marketplaceReview: null,
        refundRetryDeadline: null,
        rejection: null,
        refund: null,
        policyVersion: event.policy.version,
        policy: event.policy,
        timeline: [],
        idempotencyKey: event.idempotencyKey,
        requestHash: event.requestHash,
      };
      draft.record.requests[request.requestId] = request;
      order.activeCancellationRequestId = request.requestId;
      order.latestCancellationRequestId = request.requestId;
      order.updatedAt = draft.now;
      draft.log(request, "REQUESTED", event.actor);
      return;
    }
    case "WORKFLOW_STARTED": {
      const request = draft.request(event.requestId);
      expectStatus(request, "REQUESTED");
      request.status = "AWAITING_SELLER";
      draft.log(request, "SELLER_NOTIFIED", SYSTEM);
      return;
    }
    case "REMIND_SELLER": {
      const request = draft.request(event.requestId);
      expectStatus(request, "AWAITING_SELLER");
      if (request.sellerRemindedAt) refuse("INVALID_STATE", "the seller was already reminded");
      request.sellerRemindedAt = draft.now;
      draft.log(request, "SELLER_REMINDED", SYSTEM);
      return;
    }
    case "SELLER_DECIDE": {
      expectParty(event.actor, order.sellerId);
      const request = draft.request(event.requestId);
      expectStatus(request, "AWAITING_SELLER");
      if (Date.parse(draft.now) >= Date.parse(request.sellerDeadline)) {
        refuse("INVALID_STATE", "the seller's deadline has passed");
      }
      if (event.decision === "REJECT") {
        reject(draft, request, "SELLER", event.reason, event.actor, event.via);
        return;
      }
      toMarketplaceReview(draft, request, reviewFor(draft.record, request));
      draft.log(request, "SELLER_APPROVED", event.actor, event.via);
      return;
    }
    case "SELLER_TIMEOUT": {
      const request = draft.request(event.requestId);
      expectStatus(request, "AWAITING_SELLER");
      const escalate = request.policy.onSellerTimeout === "ESCALATE";
      toMarketplaceReview(draft, request, escalate ? "OPERATOR" : reviewFor(draft.record, request));
      draft.log(request, "SELLER_TIMED_OUT", POLICY, request.policy.onSellerTimeout);
      return;
    }
    case "POLICY_APPROVE": {
      const request = draft.request(event.requestId);
      expectStatus(request, "AWAITING_MARKETPLACE");
      const auto = isAutoApprovable(draft.record, amountOf(request), request.policy);
      if (request.marketplaceReview !== "POLICY" || !auto) {
        refuse("INVALID_STATE", "this request needs an operator's review");
      }
      approve(draft, request, POLICY);
      return;
    }
    case "OPERATOR_DECIDE": {
      const request = draft.request(event.requestId);
      expectStatus(request, "AWAITING_MARKETPLACE");
      if (request.marketplaceReview !== "OPERATOR") {
        refuse("INVALID_STATE", "this request is approved by policy, not by an operator");
      }
      // As for the seller: once the review's deadline passes, onMarketplaceTimeout decides.
      if (
        request.marketplaceDeadline &&
        Date.parse(draft.now) >= Date.parse(request.marketplaceDeadline)
      ) {
        refuse("INVALID_STATE", "the marketplace review's deadline has passed");
      }
      if (event.decision === "REJECT") {
        reject(draft, request, "MARKETPLACE", event.reason, event.actor);
        return;
      }
      approve(draft, request, event.actor);
      return;
    }
    case "MARKETPLACE_TIMEOUT": {
      const request = draft.request(event.requestId);
      expectStatus(request, "AWAITING_MARKETPLACE");
      if (request.marketplaceReview !== "OPERATOR") {
        refuse("INVALID_STATE", "only an operator's review times out");
      }
      if (request.policy.onMarketplaceTimeout === "APPROVE") {
        approve(draft, request, POLICY, "MARKETPLACE_TIMEOUT");
      } else {
        reject(draft, request, "MARKETPLACE", MARKETPLACE_TIMEOUT_REJECTION, POLICY);
      }
      return;
    }
    case "INSTRUCT_REFUND": {
      const request = draft.request(event.requestId);
      expectStatus(request, "REFUND_PENDING");
      const refund = request.refund;
      if (refund?.status !== "PENDING" || refund.refundId) {
        refuse("INVALID_STATE", "the refund is already instructed or not required");
      }
      // The claim: from here on the money moves, always under this one key.
      Object.assign(refund as object, {
        refundId: firstRefundId(request.requestId),
        instructedAt: draft.now,
      });
      draft.log(request, "REFUND_INSTRUCTED", SYSTEM);
      return;
    }
    case "START_REFUND_CALL": {
      const { request, refund } = claimedRefund(draft, event.requestId);
      // Money moves only while the parcel is on its way: a delivered order becomes a return. A
      // completed cancellation's refund (retried after a reversal) is owed whatever the parcel does.
      if (request.status !== "COMPLETED" && order.status !== "SHIPPED") {
        refuse("INVALID_STATE", `the order is ${order.status}`);
      }
      // Made already and on its way at the provider: its settlement is awaited, not another call.
      if (isSettling(refund)) refuse("INVALID_STATE", "the provider holds the refund as pending");
      refund.callStartedAt = draft.now;
      return;
    }
    case "REFUND_SUCCEEDED": {
      const { request, refund } = claimedRefund(draft, event.requestId);
      refund.attempts += 1;
      noteAnswer(refund, event.answer);
      succeedRefund(draft, request, refund);
      return;
    }
    case "REFUND_AWAITED": {
      // Made, and on its way: the provider's webhook (or, failing it, a check) settles it.
      const { refund } = claimedRefund(draft, event.requestId);
      refund.attempts += 1;
      noteAnswer(refund, event.answer);
      refund.callStartedAt = null;
      refund.pendingSince = draft.now;
      return;
    }
    case "REFUND_FAILED": {
      const { request, refund } = claimedRefund(draft, event.requestId);
      refund.attempts += 1;
      noteAnswer(refund, event.answer);
      failRefund(draft, request, refund, event.error, event.declined);
      return;
    }
    case "PROVIDER_REFUND_UPDATE":
      applyProviderUpdate(draft, event);
      return;
    case "RETRY_REFUND": {
      const request = draft.request(event.requestId);
      const refund = request.refund;
      // A completed request's refund is retried only after the provider reversed it.
      const reversed = request.status === "COMPLETED" && refund?.status === "FAILED";
      if (!reversed) expectStatus(request, "REFUND_FAILED");
      if (!refund?.refundId) refuse("INVALID_STATE", "no refund to retry");
      assertNoRefundCallInFlight(request, draft.now);
      if (!reversed) request.status = "REFUND_PENDING";
      request.refundRetryDeadline = null;
      // The last call under this key went through after all (its answer was lost): the retry is
      // recorded, and so is the refund the provider had made (also a completed request's retry
      // after a reversal; a reversed key itself was not paid).
      if (event.refundMade && !refund.reversed) {
        draft.log(request, "REFUND_RETRIED", event.actor);
        succeedRefund(draft, request, refund);
        return;
      }
      const method = event.method ?? refund.method;
      // Another method only to a balance the marketplace keeps itself (it cannot decline).
      if (method !== refund.method && !BALANCE_METHODS.includes(method)) {
        refuse("VALIDATION_FAILED", `a refund can be retried to ${BALANCE_METHODS.join(" or ")}`);
      }
      // A declined key is spent, and another method is another refund: each gets its own key.
      // The provider said the old key was not paid (refundMade is false): a new key is safe.
      if (method !== refund.method || refund.declined) {
        refund.refundId = nextRefundId(request.requestId, refund.refundId);
        refund.method = method;
        refund.provider = providerFor(order, method);
        refund.expectedBy = expectedByFor(method, order, request.policy, draft.now);
        refund.providerStatus = null;
        refund.providerRefundId = null;
        refund.reference = null;
        refund.failureReason = null;
        // A new date is a new promise: it can be kept, or broken (and apologised for) again.
        refund.late = false;
      }
      refund.status = "PENDING";
      refund.declined = false;
      refund.reversed = false;
      draft.log(
        request,
        "REFUND_RETRIED",
        event.actor,
        method === refundMethodFor(order.payment.method) ? undefined : method,
      );
      return;
    }
    case "MARK_REFUND_LATE": {
      const request = draft.request(event.requestId);
      const refund = request.refund;
      if (!refund || !isRefundLate(refund, draft.now)) {
        refuse("INVALID_STATE", "the refund is not late");
      }
      refund.late = true;
      draft.log(request, "REFUND_LATE", SYSTEM);
      return;
    }
    case "OPEN_REFUND_INQUIRY": {
      expectParty(event.actor, order.buyerId);
      const request = draft.request(event.requestId);
      expectStatus(request, "COMPLETED");
      if (!isPastPromise(request.refund, draft.now)) {
        refuse("INVALID_STATE", "the refund's promised date is not over yet");
      }
      if (request.refundInquiry && request.refundInquiry.closedAt === null) {
        refuse("INVALID_STATE", "a refund inquiry is already open");
      }
      request.refundInquiry = {
        openedAt: draft.now,
        comment: event.comment,
        closedAt: null,
        closedBy: null,
        note: null,
      };
      draft.log(request, "REFUND_INQUIRY_OPENED", event.actor, event.comment ?? undefined);
      return;
    }
    case "CLOSE_REFUND_INQUIRY": {
      const request = draft.request(event.requestId);
      const inquiry = request.refundInquiry;
      if (!inquiry || inquiry.closedAt !== null) {
        refuse("INVALID_STATE", "no refund inquiry is open");
      }
      Object.assign(inquiry, { closedAt: draft.now, closedBy: event.actor, note: event.note });
      draft.log(request, "REFUND_INQUIRY_CLOSED", event.actor, event.note);
      return;
    }
    case "COMPLETE": {
      const request = draft.request(event.requestId);
      expectStatus(request, "REFUND_PENDING");
      const refundStatus = request.refund?.status;
      if (refundStatus !== "SUCCEEDED" && refundStatus !== "NOT_REQUIRED") {
        refuse("INVALID_STATE", "the refund has not succeeded");
      }
      complete(draft, request);
      // Delivered while its refund was on its way: the buyer now owes these units back too.
      openReturnIfOwed(draft, SYSTEM);
      return;
    }
    case "WITHDRAW": {
      expectParty(event.actor, order.buyerId);
      const request = draft.request(event.requestId);
      expectStatus(request, "REQUESTED", "AWAITING_SELLER", "AWAITING_MARKETPLACE");
      request.status = "WITHDRAWN";
      draft.close(request);
      draft.log(request, "WITHDRAWN", event.actor);
      return;
    }
    case "SHIP": {
      expectParty(event.actor, order.sellerId);
      if (order.status !== "PLACED") refuse("INVALID_STATE", `the order is ${order.status}`);
      order.status = "SHIPPED";
      order.shipment = event.shipment;
      moveParcel(order, "IN_TRANSIT", event.shipment.shippedAt);
      draft.log(order, "SHIPPED", event.actor);
      return;
    }
    case "DELIVER": {
      expectCarrier(order, event.carrier);
      if (order.status === "PLACED") refuse("NOT_SHIPPED", "the order has not been shipped");
      // Only a parcel on its way can be delivered; a cancelled one still can (taken anyway).
      const parcel = parcelOf(order);
      if (order.status === "DELIVERED" || parcel?.status !== "IN_TRANSIT") {
        refuse("INVALID_STATE", `the order is ${order.status}, its parcel ${parcel?.status}`);
      }
      checkCarrierTime(order, event.deliveredAt, draft.now, "deliveredAt");
      const request = activeRequest(draft.record);
      const askedAbout = request && refundToAskAbout(draft.record, draft.now);
      if (request && askedAbout !== undefined && event.refundMade === undefined) {
        throw new Error("DELIVER needs the provider's answer about the refund (refundMade)");
      }
      order.deliveredAt = event.deliveredAt;
      moveParcel(order, "DELIVERED", event.deliveredAt);
      // A wholly cancelled order stays CANCELLED: its return says what the buyer owes.
      if (order.status === "SHIPPED") {
        order.status = "DELIVERED";
        draft.log(order, "DELIVERED", event.actor);
      } else {
        order.updatedAt = draft.now;
      }
      deliverToRequest(draft, request, askedAbout, event.refundMade);
      openReturnIfOwed(draft, event.actor);
      return;
    }
    case "TRACK_PARCEL":
      expectCarrier(order, event.carrier);
      trackParcel(draft, event.actor, event.event, event.at);
      return;
    case "MARK_RETURN_OVERDUE":
      markReturnOverdue(draft);
      return;
  }
};

/** A delivery while a request is open: it completes if the money moved, else becomes a return. */
const deliverToRequest = (
  draft: Draft,
  request: CancellationRequest | undefined,
  askedAbout: string | undefined,
  refundMade: boolean | undefined,
) => {
  if (!request || !isOpen(request)) return;
  // A refund already recorded as made finishes its journey: the workflow completes it.
  if (request.refund?.status === "SUCCEEDED") return;
  if (askedAbout !== undefined && refundMade && request.refund) {
    // The money reached the buyer before the parcel did: the cancellation stands.
    succeedRefund(draft, request, request.refund);
    complete(draft, request);
    return;
  }
  // Nothing was refunded: the delivered parcel makes this a return.
  if (request.refund && request.refund.status !== "NOT_REQUIRED") {
    request.refund.status = "NOT_REQUIRED";
  }
  request.status = "RETURN_REQUIRED";
  request.refundRetryDeadline = null;
  draft.close(request);
  draft.log(request, "RETURN_REQUIRED", SYSTEM);
};

/** Decides one event against an order record at time `now` (an ISO instant). */
export const transition = (
  record: OrderRecord,
  event: DomainEvent,
  now: string,
): TransitionResult => {
  const draft = new Draft(record, now);
  try {
    apply(draft, event);
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, error };
    throw error;
  }
  return draft.result();
};
