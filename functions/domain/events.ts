// What can happen to an order record (events) and the domain's refusals (errors, each mapping to
// one SPEC error code). What a change causes (mail, domain events, a workflow's wake-up) is not
// returned with it: it follows from the stored record (notices.ts, workflow-plan.ts).
import type { LineQuantity } from "./amounts.ts";
import type { Policy } from "./policy.ts";
import type { TrackingEventType } from "./schemas.ts";
import type { CancellationReason, ProviderRefund, RefundMethod, Shipment } from "./types.ts";

/** How a seller decided other than through the API: with a link of the seller's mail. */
export type SellerVia = "MAIL_LINK";

/** Events from people (buyer, seller, operator), the workflow (system) and the policy. */
export type DomainEvent =
  | {
      type: "REQUEST_CANCELLATION";
      actor: string;
      requestId: string;
      reason: CancellationReason;
      comment: string | null;
      /** The units to cancel; absent: every unit not yet cancelled. */
      lines?: LineQuantity[];
      idempotencyKey: string;
      requestHash: string;
      policy: Policy;
    }
  /** The workflow has started and notified the seller: the seller's wait begins. */
  | { type: "WORKFLOW_STARTED"; requestId: string }
  | { type: "REMIND_SELLER"; requestId: string }
  /** `via`: how the seller decided when not through the API (the timeline entry's `note`). */
  | {
      type: "SELLER_DECIDE";
      actor: string;
      requestId: string;
      decision: "APPROVE";
      via?: SellerVia;
    }
  | {
      type: "SELLER_DECIDE";
      actor: string;
      requestId: string;
      decision: "REJECT";
      reason: string;
      via?: SellerVia;
    }
  | { type: "SELLER_TIMEOUT"; requestId: string }
  /** The policy approves a small refund without an operator (only when review is POLICY). */
  | { type: "POLICY_APPROVE"; requestId: string }
  | { type: "OPERATOR_DECIDE"; actor: string; requestId: string; decision: "APPROVE" }
  | {
      type: "OPERATOR_DECIDE";
      actor: string;
      requestId: string;
      decision: "REJECT";
      reason: string;
    }
  | { type: "MARKETPLACE_TIMEOUT"; requestId: string }
  /** The refund is claimed with its idempotency key, and the seller is told to refund. */
  | { type: "INSTRUCT_REFUND"; requestId: string }
  /** The refund function is about to call the provider: it holds the call's lease from now. */
  | { type: "START_REFUND_CALL"; requestId: string }
  /** The refund call answered: made (`succeeded`), or made and still on its way (`pending`). */
  | { type: "REFUND_SUCCEEDED"; requestId: string; answer?: ProviderRefund }
  | { type: "REFUND_AWAITED"; requestId: string; answer: ProviderRefund }
  /**
   * `declined`: the provider refused for good (closed card or account), or made the refund and it
   * failed at once (`answer`); else retries ran out.
   */
  | {
      type: "REFUND_FAILED";
      requestId: string;
      error: string;
      declined: boolean;
      answer?: ProviderRefund;
    }
  /**
   * What the provider says of a refund now, told by its webhook or asked (`asked`: by the workflow
   * or the reconciler) after the call: a pending refund settles, or a made one fails later.
   */
  | {
      type: "PROVIDER_REFUND_UPDATE";
      actor: string;
      requestId: string;
      refundId: string;
      answer: ProviderRefund;
      asked: boolean;
    }
  /**
   * An operator (actor = their id) or, at the wait's deadline, the system retries a failed refund,
   * optionally to another method. `refundMade` is the provider's answer, asked just before, about
   * the current refund key: a refund that went through after all is recorded, not made again.
   */
  | {
      type: "RETRY_REFUND";
      actor: string;
      requestId: string;
      method?: RefundMethod;
      refundMade: boolean;
    }
  /** The refund has not succeeded by the end of its promised date: the system marks it late. */
  | { type: "MARK_REFUND_LATE"; requestId: string }
  /** The buyer of a completed request says the refund has not arrived (after its date). */
  | { type: "OPEN_REFUND_INQUIRY"; actor: string; requestId: string; comment: string | null }
  /** An operator closes the open inquiry with a note of what was found or done. */
  | { type: "CLOSE_REFUND_INQUIRY"; actor: string; requestId: string; note: string }
  | { type: "COMPLETE"; requestId: string }
  | { type: "WITHDRAW"; actor: string; requestId: string }
  | { type: "SHIP"; actor: string; shipment: Shipment }
  /**
   * The carrier delivered the parcel. `refundMade` is the provider's answer about the active
   * request's refund key, asked first when money may have moved (see `refundToAskAbout`).
   */
  | {
      type: "DELIVER";
      actor: string;
      deliveredAt: string;
      refundMade?: boolean;
      /** The carrier the caller's client is bound to (absent: a client bound to none). */
      carrier?: string;
    }
  /** The carrier's word on the parcel besides delivery: refused, on its way back, back. */
  | {
      type: "TRACK_PARCEL";
      actor: string;
      event: TrackingEventType;
      at: string;
      carrier?: string;
    }
  /** A return of cancelled units was not back by its `dueBy`: operators are alerted. */
  | { type: "MARK_RETURN_OVERDUE" };

export type DomainEventType = DomainEvent["type"];

/** Domain refusals, named by the SPEC error code they map to (all 404 or 409). */
export type DomainErrorCode =
  | "NOT_FOUND"
  | "NOT_SHIPPED"
  | "RETURN_REQUIRED"
  | "WINDOW_CLOSED"
  | "ACTIVE_REQUEST_EXISTS"
  | "INVALID_STATE"
  | "NOTHING_TO_CANCEL"
  | "PARTIAL_NOT_SUPPORTED"
  /** A field contradicts the record (e.g. delivered before shipped): 400. */
  | "VALIDATION_FAILED"
  /** A refund call may still land: ask again after `retryAfterSeconds` (503 with Retry-After). */
  | "REFUND_IN_FLIGHT";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: { field?: string; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}
