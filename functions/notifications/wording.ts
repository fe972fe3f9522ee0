// The shape of a language's mail wording (ja.ts, en.ts): one table per language with these keys,
// so a template, label, reason (domain/codes.ts), method or status left untranslated is a type
// error. The values a template may show arrive formatted (format.ts) and as plain text: the
// layout escapes them.
import type { CarrierCode } from "../domain/carriers.ts";
import type { CancellationReason } from "../domain/codes.ts";
import type { EmailTemplate, Recipient } from "../domain/notices.ts";
import type { Policy } from "../domain/policy.ts";
import type {
  ParcelStatus,
  PaymentProvider,
  RefundMethod,
  Rejection,
  RequestStatus,
} from "../domain/types.ts";

/** The provider's reasons for failing a card refund that mail explains in words (Stripe's). */
export const KNOWN_FAILURES = ["expired_or_canceled_card", "lost_or_stolen_card"] as const;
export type KnownFailure = (typeof KNOWN_FAILURES)[number];

/**
 * The carriers whose own way to have a parcel in transit returned to its sender the seller's mail
 * spells out; any other carrier gets the general way (`ReturnSteps`).
 */
export const CARRIERS_WITH_STEPS = [
  "yamato",
  "sagawa",
  "japanpost",
] as const satisfies readonly CarrierCode[];
export type CarrierWithSteps = (typeof CARRIERS_WITH_STEPS)[number];

/** How a shipper has a parcel in transit come back: steps, given the carrier's name and number. */
export type ReturnSteps = (carrier: string, trackingNumber: string) => readonly string[];

/** Formatted values a mail can show; null ones are left out of its details table. */
export interface Values {
  orderId: string;
  requestId: string;
  /** The request's lines, "title × quantity", one a line. */
  items: string;
  reason: string;
  comment: string | null;
  sellerDeadline: string;
  marketplaceDeadline: string | null;
  refundRetryDeadline: string | null;
  /** The refund with its items and shipping parts (Wording.amount). */
  amount: string | null;
  method: string | null;
  expected: string | null;
  refundId: string | null;
  attempts: string;
  status: string;
  rejectionReason: string | null;
  /** The carrier's name in the mail's language (carriers.ts), and the parcel's tracking number. */
  carrier: string | null;
  trackingNumber: string | null;
  /** The reference the buyer's bank can trace the refund with, once the provider has it. */
  reference: string | null;
  /** Why the provider failed the refund: in words when known, always with its own code. */
  failureReason: string | null;
  /** The provider's own id of the refund (Stripe `re_…`), for operators to look it up. */
  providerRefundId: string | null;
  /** Who makes the refund (the marketplace's ledger, Stripe), for operators. */
  provider: string | null;
  /** The last day of the refund's promise (`expectedBy.latest`). */
  promisedBy: string | null;
  /** What the buyer wrote with a refund inquiry, if anything. */
  inquiryComment: string | null;
  /** The order's return: its units, "title × quantity" one a line, and by when they are owed. */
  returnItems: string | null;
  returnDueBy: string | null;
  /** When the returned units were back with the seller (the return closed as received). */
  returnReceivedAt: string | null;
  /** The order's buyer and seller, for operators to reach them. */
  buyerId: string;
  sellerId: string;
}
export type RowKey = keyof Values;

/** What a template's paragraphs may use: the values, and the facts that pick its sentences. */
export interface Context extends Values {
  statusCode: RequestStatus;
  cashOnDelivery: boolean;
  /** Units of the order remain after this request: the rest is still delivered. */
  partial: boolean;
  convenienceStore: boolean;
  rejectedBy: string;
  hoursLeft: number;
  onSellerTimeout: Policy["onSellerTimeout"];
  onMarketplaceTimeout: Policy["onMarketplaceTimeout"];
  /** The refund went to another method than the original one (an operator or the fallback). */
  otherMethod: boolean;
  /** The provider declined the last refund attempt for good. */
  declined: boolean;
  fallbackMethod: string;
  /** The provider's reason for failing the refund, when mail can say it in words. */
  failureKind: KnownFailure | null;
  /** The refund went through after the provider had reversed an earlier one. */
  refundedAgain: boolean;
  /** The buyer keeps units of the order besides those owed back (a partly cancelled order). */
  returnPartial: boolean;
  /** Where the parcel is (null before shipment). */
  parcelStatus: ParcelStatus | null;
  /** Whose steps tell the seller how to have the parcel returned: its carrier's, or the general ones. */
  returnSteps: CarrierWithSteps | "other";
}

/** A paragraph of the body; `false` drops a conditional one. */
export type Paragraph = string | false;

export interface Template {
  /** Fixed wording only: the subject never sees the context. */
  subject: string;
  body: (c: Context) => Paragraph[];
}

export interface Wording {
  subject: (title: string, orderId: string) => string;
  /** Two formatted calendar dates as a range (the refund's expected dates). */
  range: (earliest: string, latest: string) => string;
  /** A refund's total with what of it is for the items and for shipping, all formatted. */
  amount: (total: string, items: string, shipping: string) => string;
  hoursLeft: (hours: number) => string;
  greeting: Record<Recipient, string>;
  footer: string;
  /**
   * The seller's ways to decide from the mail (SPEC "Decision links in the seller's mail"): what
   * the Approve and Reject links say and the paragraph before them, or the console's link.
   */
  decisionLinks: { intro: string; approve: string; reject: string; console: string };
  labels: Record<RowKey, string>;
  reasons: Record<CancellationReason, string>;
  methods: Record<RefundMethod, string>;
  statuses: Record<RequestStatus, string>;
  rejectedBy: Record<Rejection["by"], string>;
  providers: Record<PaymentProvider, string>;
  /** The known failure reasons, short, for operators' details table. */
  failureReasons: Record<KnownFailure, string>;
  /** A failure reason's words with the provider's code after them. */
  withCode: (words: string, code: string) => string;
  /** Steps, as a numbered list, for the seller to have the parcel returned, by carrier. */
  returnSteps: Readonly<Record<CarrierWithSteps | "other", ReturnSteps>>;
  templates: Record<EmailTemplate, Template>;
}
