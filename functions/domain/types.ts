// The cancellation domain's records, with exactly the names and values of SPEC.md.
import type { RequestLine } from "./amounts.ts";
import type { Policy } from "./policy.ts";
import type {
  CANCELLATION_REASONS,
  CURRENCIES,
  LOCALES,
  OrderImport,
  PAYMENT_METHODS,
  PAYMENT_PROVIDERS,
} from "./schemas.ts";

export type Locale = (typeof LOCALES)[number];
export type Currency = (typeof CURRENCIES)[number];
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentProvider = (typeof PAYMENT_PROVIDERS)[number];
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

export type OrderStatus = "PLACED" | "SHIPPED" | "DELIVERED" | "CANCELLED";

export const REQUEST_STATUSES = [
  "REQUESTED",
  "AWAITING_SELLER",
  "AWAITING_MARKETPLACE",
  "REFUND_PENDING",
  "REFUND_FAILED",
  "COMPLETED",
  "REJECTED",
  "WITHDRAWN",
  "RETURN_REQUIRED",
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const TERMINAL_STATUSES: readonly RequestStatus[] = [
  "COMPLETED",
  "REJECTED",
  "WITHDRAWN",
  "RETURN_REQUIRED",
];
export const isTerminal = (status: RequestStatus): boolean => TERMINAL_STATUSES.includes(status);

/** Who asked for the cancellation (SPEC "Seller performance"): the buyer, so far always. */
export const INITIATORS = ["BUYER"] as const;
export type Initiator = (typeof INITIATORS)[number];

/**
 * Whose fault a cancellation was, set when its request ends: nobody's (`NONE`: the buyer changed
 * their mind), the seller's (`SELLER`: shipped after the order's `shipBy`), or the carrier's.
 */
export const FAULTS = ["NONE", "SELLER", "CARRIER"] as const;
export type Fault = (typeof FAULTS)[number];

/** Where a refund goes: the original method, except convenience-store payments (gift balance). */
export type RefundMethod = "CARD" | "GIFT_CARD" | "POINTS" | "CASH_ON_DELIVERY";
export type RefundStatus = "PENDING" | "SUCCEEDED" | "FAILED" | "NOT_REQUIRED";

/** The provider's words for a refund's status (Stripe's). */
export type ProviderRefundStatus =
  | "pending"
  | "requires_action"
  | "succeeded"
  | "failed"
  | "canceled";

/** What the payment provider says of a refund it made. */
export interface ProviderRefund {
  /** The provider's own id of the refund (Stripe `re_…`; the ledger's entry). */
  providerReference: string;
  status: ProviderRefundStatus;
  /** Why it failed (Stripe: `expired_or_canceled_card`, `lost_or_stolen_card`, …), once it did. */
  failureReason?: string;
  /** The reference the buyer's bank can trace (a card's acquirer reference number), once known. */
  reference?: string;
}

export interface Shipment {
  carrier: string;
  trackingNumber: string;
  shippedAt: string;
}

export type CancellationOptionKind = "CANCEL" | "RETURN" | "NONE";
export type CancellationOptionReason =
  | "IN_TRANSIT"
  | "NOT_SHIPPED"
  | "WINDOW_CLOSED"
  | "RETURN_REQUIRED"
  | "ACTIVE_REQUEST_EXISTS"
  | "ALREADY_CANCELLED"
  | "REQUEST_LIMIT_REACHED";

export interface CancellationOption {
  kind: CancellationOptionKind;
  reason: CancellationOptionReason;
}

export type TimelineType =
  | "ORDER_IMPORTED"
  | "SHIPPED"
  | "DELIVERED"
  | "CANCELLED"
  | "REQUESTED"
  | "SELLER_NOTIFIED"
  | "SELLER_REMINDED"
  | "SELLER_APPROVED"
  | "SELLER_REJECTED"
  | "SELLER_TIMED_OUT"
  | "MARKETPLACE_APPROVED"
  | "MARKETPLACE_REJECTED"
  | "REFUND_INSTRUCTED"
  | "REFUND_SUCCEEDED"
  | "REFUND_FAILED"
  | "REFUND_RETRIED"
  | "REFUND_REVERSED"
  | "REFUND_LATE"
  | "REFUND_INQUIRY_OPENED"
  | "REFUND_INQUIRY_CLOSED"
  | "COMPLETED"
  | "WITHDRAWN"
  | "RETURN_REQUIRED"
  | ParcelTimelineType;

/** The order's own entries about its parcel and a return after a cancellation (parcel.ts). */
export const PARCEL_TIMELINE_TYPES = [
  "DELIVERY_REFUSED",
  "RETURNING_TO_SENDER",
  "RETURNED_TO_SENDER",
  "DELIVERED_AFTER_CANCELLATION",
  "RETURN_RECEIVED",
  "RETURN_OVERDUE",
] as const;
export type ParcelTimelineType = (typeof PARCEL_TIMELINE_TYPES)[number];

/** One change, in order. `actor` is a user id, `system` or `policy`. */
export interface TimelineEntry {
  at: string;
  type: TimelineType;
  actor: string;
  note?: string;
  /** Its place in the order's audit chain (audit.ts); absent on entries stored before it was kept. */
  seq?: number;
  /** Its audit hash: SHA-256 of the previous entry's hash and its exported fields (audit.ts). */
  hash?: string;
  /**
   * Server-side only, on a request's entries: the request as the change that wrote the entry left
   * it, for the entry's domain event; dropped once the event is published (notices.ts).
   */
  event?: EntryEvent;
}

/** The refund as an event shows it: what a consumer needs, none of the service's bookkeeping. */
export type EventRefund = Pick<
  Refund,
  "amount" | "currency" | "method" | "status" | "refundId" | "expectedBy"
>;

/** What a request's domain event reports of the request right after the change. */
export interface EntryEvent {
  status: RequestStatus;
  refund?: EventRefund;
}

export interface Rejection {
  by: "SELLER" | "MARKETPLACE";
  reason: string;
  at: string;
}

export interface ExpectedBy {
  earliest: string;
  latest: string;
}

export interface Refund {
  amount: number;
  currency: Currency;
  method: RefundMethod;
  status: RefundStatus;
  /** The refund's idempotency key, set when the refund is claimed (instructed); reused on retries. */
  refundId: string | null;
  expectedBy: ExpectedBy | null;
  instructedAt: string | null;
  succeededAt: string | null;
  attempts: number;
  /**
   * When the refund function last began a call to the payment provider: until the call's lease
   * runs out, the call may still land, so a delivery cannot yet turn the request into a return.
   */
  callStartedAt?: string | null;
  /** The last failure was a permanent decline: the key is spent, a retry needs a new one. */
  declined?: boolean;
  /** Who holds the money this refund moves (absent on refunds stored before it was kept: ledger). */
  provider?: PaymentProvider;
  /** The provider's last word on the refund (`pending`, `succeeded`, …) and its own refund id. */
  providerStatus?: ProviderRefundStatus | null;
  providerRefundId?: string | null;
  /** When the provider answered `pending`, and when the service last asked it since. */
  pendingSince?: string | null;
  checkedAt?: string | null;
  /** The reference the buyer's bank can trace, once the provider has it. */
  reference?: string | null;
  /** Why the provider failed or reversed the refund. */
  failureReason?: string | null;
  /** The provider reversed the refund after it had succeeded (the money went back to us). */
  reversed?: boolean;
  /**
   * The refund had not succeeded by the end of `expectedBy.latest` (the order's zone): the promise
   * was broken, the buyer was told and operators alerted. Absent on refunds stored before: false.
   */
  late?: boolean;
}

/**
 * The buyer's word that a completed request's refund has not arrived, and how an operator
 * closed it. A request keeps its latest inquiry; the timeline keeps them all.
 */
export interface RefundInquiry {
  openedAt: string;
  comment: string | null;
  closedAt: string | null;
  closedBy: string | null;
  note: string | null;
}

/**
 * A mail's mark once it was tried: the time it went out, or its failed tries (and, once they ran
 * out, when it was given up).
 */
export type MailMark = string | { tries: number; error: string; gaveUpAt?: string };

/**
 * What of a request's notices already went out (notices.ts): a mark per mail its timeline
 * implies, keyed `<entry position>.<template>`, and how many timeline entries were published as
 * domain events. Written by whoever sent them; absent until then.
 */
export interface RequestNotices {
  mail: Record<string, MailMark>;
  published: number;
}

/** Who decides the marketplace approval: the policy (small amounts) or an operator. */
export type MarketplaceReview = "POLICY" | "OPERATOR";

export interface CancellationRequest {
  requestId: string;
  orderId: string;
  status: RequestStatus;
  reason: CancellationReason;
  comment: string | null;
  /** Who asked (absent on requests stored before it was kept: BUYER). */
  initiator?: Initiator;
  /**
   * Whose fault the cancellation was: null while the request is open, set in the change that
   * ends it (requests.ts `faultOf`). Absent on requests stored before it was kept.
   */
  fault?: Fault | null;
  /** Every line the request covers, in the order's line order, with its units and refund. */
  lines: RequestLine[];
  /** The refund for the items (the sum of the lines' amounts) and for shipping (amounts.ts). */
  itemsAmount: number;
  shippingAmount: number;
  createdAt: string;
  updatedAt: string;
  sellerDeadline: string;
  sellerRemindedAt: string | null;
  marketplaceDeadline: string | null;
  marketplaceReview: MarketplaceReview | null;
  /** Deadline of a failed refund's wait for an operator; then the system retries by itself. */
  refundRetryDeadline: string | null;
  rejection: Rejection | null;
  refund: Refund | null;
  /** The buyer's latest refund inquiry (absent on requests stored before it was kept: none). */
  refundInquiry?: RefundInquiry | null;
  policyVersion: string;
  /** The policy the request was made under: its deadlines and outcomes never change mid-way. */
  policy: Policy;
  timeline: TimelineEntry[];
  /** Server-side only: the buyer's Idempotency-Key and a hash of the request body. */
  idempotencyKey: string;
  requestHash: string;
  /** Server-side only: what of its mail and events already went out. */
  notices?: RequestNotices;
}

/** Where the parcel is: it only moves forward (parcel.ts). */
export const PARCEL_STATUSES = [
  "IN_TRANSIT",
  "DELIVERED",
  "REFUSED",
  "RETURNING",
  "RETURNED",
] as const;
export type ParcelStatus = (typeof PARCEL_STATUSES)[number];

/** The parcel of a shipped order: its status, and when the carrier said it took it (`at`). */
export interface Parcel {
  status: ParcelStatus;
  updatedAt: string;
}

export const RETURN_STATUSES = ["REQUESTED", "RECEIVED", "OVERDUE"] as const;
export type ReturnStatus = (typeof RETURN_STATUSES)[number];

/**
 * Cancelled units the buyer took delivery of anyway: they owe them back by `dueBy`. Closed
 * (`RECEIVED`) when the parcel is back with the seller; `OVERDUE` once `dueBy` passed without it.
 */
export interface OrderReturn {
  status: ReturnStatus;
  lines: { lineId: string; quantity: number }[];
  dueBy: string;
  openedAt: string;
  closedAt: string | null;
}

/** A line of an order: as imported, plus how many of its units completed requests cancelled. */
export type OrderLine = OrderImport["lines"][number] & { cancelledQuantity: number };

/** An order as imported, plus what this service tracks about it. */
export interface Order extends Omit<OrderImport, "lines"> {
  lines: OrderLine[];
  /** What completed requests refunded. */
  refundedAmount: number;
  status: OrderStatus;
  shipment: Shipment | null;
  deliveredAt: string | null;
  activeCancellationRequestId: string | null;
  /** The latest request, active or finished (absent on orders stored before it was kept). */
  latestCancellationRequestId?: string | null;
  /** The parcel once shipped (absent on orders stored before it was kept: see `parcelOf`). */
  parcel?: Parcel | null;
  /** A return of cancelled units delivered anyway (absent: none). */
  return?: OrderReturn | null;
  importedAt: string;
  updatedAt: string;
  timeline: TimelineEntry[];
}

/** The unit of consistency: one order with all its cancellation requests. */
export interface OrderRecord {
  order: Order;
  /** Requests by id (a map: sort by `createdAt` where order matters). */
  requests: Record<string, CancellationRequest>;
  /**
   * Server-side only: what of the order's own timeline already went out (its parcel entries' mail
   * and events, sent by the latest request's execution: notices.ts). Absent until then.
   */
  orderNotices?: RequestNotices;
  /** Where the order's audit chain ends (audit.ts). Absent until an entry is chained. */
  audit?: AuditHead;
}

/** The last chained entry's `seq` and `hash`, and the server time of the write that chained it. */
export interface AuditHead {
  seq: number;
  head: string;
  writtenAt: string;
}
