// The shape of the console's wording: one object per language (ja.ts, en.ts) with these keys, so
// a missing translation is a type error. Enum keys come from the generated API types, except the
// cancellation reasons and problem codes: those are keyed by the domain's own lists
// (functions/domain/codes.ts), as the API, its OpenAPI document and the mail are.
import type { CancellationReason, ProblemCode } from "../../../functions/domain/codes.ts";
import type { components } from "../api-schema.ts";

type Schemas = components["schemas"];

export type { CancellationReason, ProblemCode };
export type Language = "ja" | "en";
export type Role = "buyer" | "seller" | "operator";
export type OrderStatus = Schemas["Order"]["status"];
export type OptionReason = Schemas["Order"]["cancellationOption"]["reason"];
export type OptionKind = Schemas["Order"]["cancellationOption"]["kind"];
export type PaymentMethod = Schemas["Order"]["payment"]["method"];
export type RequestStatus = Schemas["CancellationRequest"]["status"];
export type RefundStatus = Schemas["Refund"]["status"];
export type TimelineType = Schemas["TimelineEntry"]["type"];
export type ParcelStatus = NonNullable<Schemas["Order"]["parcel"]>["status"];
export type ReturnStatus = NonNullable<Schemas["Order"]["return"]>["status"];
export type Approval = Schemas["CancellationPreview"]["approval"];
/** The provider's reasons for failing a card refund that the console says in words (as the
 * mail does: functions/notifications/wording.ts); any other is said generically. */
export type RefundFailure = "expired_or_canceled_card" | "lost_or_stolen_card";
/** The refund methods that move money (cash on delivery refunds nothing). */
export type MoneyRefundMethod = Exclude<Schemas["Refund"]["method"], "CASH_ON_DELIVERY">;
/** Whose fault an ended cancellation was (SPEC "Seller performance"). */
export type Fault = keyof Schemas["SellerMetrics"]["cancellations"]["byFault"];

export interface Messages {
  language: Language;
  appName: string;
  /** The switch button's text: the other language's own name. */
  switchLanguage: string;
  /** The language the switch button's text is written in. */
  switchLanguageLang: Language;
  loading: string;
  navigationLabel: string;
  signedInAs: (userId: string, role: Role) => string;
  roleSwitch: string;

  roles: Record<Role, string>;
  signIn: {
    heading: string;
    localIntro: string;
    userId: string;
    userIdHint: string;
    role: string;
    submit: string;
    cognitoIntro: string;
    cognitoSubmit: string;
    userIdRequired: string;
    userIdInvalid: string;
    noRole: string;
    signInFailed: string;
    sessionExpired: string;
    samplesHeading: string;
    samplesIntro: string;
    createSamples: string;
    samplesCreated: (orderIds: string[]) => string;
    sampleTitles: [string, string];
  };
  signOut: string;

  nav: {
    myOrders: string;
    sellerRequests: string;
    recordShipment: string;
    reviewQueue: string;
    refundFailures: string;
    refundInquiries: string;
    findOrder: string;
    /** The seller's cancelled parcels not yet back (SPEC "Console": "Parcels" in English). */
    parcels: string;
    /** The seller's own figures (SPEC "Seller performance": "Performance" in English). */
    performance: string;
    /** Operators read a seller's figures by the seller's id. */
    sellerPerformance: string;
  };

  orders: {
    heading: string;
    empty: string;
    listLabel: string;
    placedAt: string;
    total: string;
    status: string;
    whatYouCanDo: string;
    more: string;
  };

  order: {
    heading: (orderId: string) => string;
    summary: string;
    items: string;
    quantity: (quantity: number) => string;
    /** A line some of whose units completed requests cancelled. */
    cancelledOf: (cancelled: number, quantity: number) => string;
    shippingFee: string;
    paid: string;
    /** What completed cancellation requests refunded (the order's refundedAmount). */
    refunded: string;
    paymentMethod: string;
    placedAt: string;
    shipment: string;
    carrier: string;
    trackingNumber: string;
    shippedAt: string;
    deliveredAt: string;
    notShipped: string;
    status: string;
    buyer: string;
    seller: string;
    whatYouCanDo: string;
    notFound: string;
    back: string;
  };

  orderStatus: Record<OrderStatus, string>;
  parcelStatus: Record<ParcelStatus, string>;
  returnStatus: Record<ReturnStatus, string>;

  /** The parcel on an order's details: its status and since when, the carrier's entries. */
  parcel: {
    status: string;
    since: string;
    history: string;
  };

  /** The order's audit trail (GET /orders/{orderId}/audit), for its seller and operators. */
  audit: {
    heading: string;
    /** What the trail is and how to check the file. */
    intro: string;
    entries: string;
    head: string;
    download: string;
  };

  /** Cancelled units the buyer took delivery of anyway (the order's `return`). */
  orderReturn: {
    heading: string;
    status: string;
    /** The units owed back, each as title and quantity. */
    units: string;
    dueBy: string;
    receivedAt: string;
    /** One line's units in a sentence ("Mug (2)"). */
    unit: (title: string, quantity: number) => string;
    /** What the buyer does: the units (joined titles × quantities), the carrier, the date. */
    buyerTodo: (units: string, carrier: string, dueBy: string) => string;
    /** The date passed with the units still not back. */
    buyerOverdue: string;
    /** What the seller and operators read while it is owed. */
    staffWaiting: string;
    staffOverdue: string;
  };
  cancellationOption: {
    CANCEL: Partial<Record<OptionReason, string>>;
    RETURN: Partial<Record<OptionReason, string>>;
    /** CANCEL for an order some of whose units are already cancelled: the rest may be. */
    cancelRest: string;
    /** Words for a reason whatever the kind (NONE, or a pair not listed above). */
    fallback: Record<OptionReason, string>;
  };
  paymentMethods: Record<PaymentMethod, string>;
  reasons: Record<CancellationReason, string>;

  requestForm: {
    open: string;
    heading: string;
    /** The legend of the quantity fields (one per line with units left). */
    items: string;
    itemsHint: string;
    /** Under a line's quantity field: its unit price (formatted) and how many units are left. */
    unitsLeft: (unitPrice: string, left: number) => string;
    quantityInvalid: (title: string, left: number) => string;
    nothingChosen: string;
    preview: {
      /** The region's accessible name (SPEC "Console": "Refund preview" in English). */
      heading: string;
      loading: string;
      items: string;
      shipping: string;
      amount: string;
      method: string;
      /** When the refund would arrive (a formatted range) were the request approved today. */
      expectedBy: (range: string) => string;
      approval: Record<Approval, string>;
      /** Told instead of an amount while no unit is chosen. */
      nothingChosen: string;
    };
    reason: string;
    chooseReason: string;
    comment: string;
    commentHint: string;
    submit: string;
    cancel: string;
    reasonRequired: string;
    commentRequired: string;
    commentTooLong: string;
  };

  request: {
    heading: string;
    status: string;
    reason: string;
    comment: string;
    createdAt: string;
    sellerDeadline: string;
    marketplaceDeadline: string;
    refundRetryDeadline: string;
    rejection: string;
    rejectedBy: Record<"SELLER" | "MARKETPLACE", string>;
    /** The heading of the request's lines. */
    lines: string;
    itemsAmount: string;
    shippingAmount: string;
    refund: string;
    refundAmount: string;
    refundMethod: string;
    refundStatus: string;
    refundedAt: string;
    expectedBy: string;
    expectedRange: (earliest: string, latest: string) => string;
    noRefundYet: string;
    /** The refund's status while the card company is still settling it (provider `pending`). */
    atProvider: string;
    /** The reference the buyer's card issuer can trace the refund with, and what it is for. */
    reference: string;
    referenceHint: Record<"buyer" | "staff", string>;
    /** A card refund the card company failed after it had succeeded, and why (in words). */
    reversed: string;
    failureReasons: Record<RefundFailure, string>;
    failureUnknown: string;
    /** The refund had not succeeded by the end of its promised date (refund.late). */
    late: Record<"buyer" | "staff", string>;
    /** The buyer's latest refund inquiry, as a fact of the request. */
    inquiry: string;
    inquiryOpen: (openedAt: string) => string;
    inquiryClosed: (closedAt: string) => string;
    timeline: string;
    withdraw: string;
    refresh: string;
    withdrawn: string;
    refuseDeliveryAdvice: string;
    noRequest: string;
  };

  requestStatus: Record<RequestStatus, string>;
  refundStatus: Record<RefundStatus, string>;
  /** Timeline entries in staff's words (operators read these). */
  timelineTypes: Record<TimelineType, string>;
  /** Entries worded for the buyer or the seller where staff's words would mislead them (the
   * buyer must not read that the seller was told to refund: the marketplace refunds). */
  timelineFor: Record<"buyer" | "seller", Partial<Record<TimelineType, string>>>;
  actors: { system: string; policy: string };
  by: (actor: string) => string;

  time: {
    left: (duration: string) => string;
    overdue: string;
  };

  /** "What happens next" on a request, for the person reading it (components/next-steps.tsx).
   * Amounts, dates and deadlines arrive formatted. */
  next: {
    heading: string;
    /** Where a refund goes, as the object of a sentence ("your card", "ギフト残高"). */
    refundTo: Record<MoneyRefundMethod, string>;
    /** Where a refund goes while its method is not known. */
    refundToOriginal: string;
    /** A refund's expected dates in a sentence: one day, or a range. */
    when: (earliest: string, latest: string) => string;
    /** When the money shows, for each method ("It shows on your card statement …"). */
    arrives: Record<MoneyRefundMethod, (when: string) => string>;
    buyer: {
      sellerAnswers: (deadline: string) => string;
      thenRefund: (amount: string, to: string) => string;
      thenRefuse: string;
      mailAtEachStep: string;
      staffReview: (deadline: string | null) => string;
      policyApproves: string;
      onceApproved: (amount: string, to: string) => string;
      mailOutcome: string;
      refunding: (amount: string, to: string) => string;
      refundDelayed: string;
      refunded: (amount: string, to: string) => string;
      /** The card company failed the refund after it had succeeded: it is made again. */
      refundAgain: (deadline: string | null) => string;
      nothingToRefund: string;
      /** The parcel brings only cancelled units: refuse it. */
      refuseParcel: string;
      /** Units stay uncancelled: the parcel still brings them. */
      acceptParcel: string;
      rejected: Record<"SELLER" | "MARKETPLACE", string>;
      returnRequired: string;
      withdrawn: string;
    };
    seller: {
      decide: (deadline: string) => string;
      ifYouApprove: string;
      staffReview: (deadline: string | null) => string;
      policyApproves: string;
      marketplaceRefunds: (amount: string) => string;
      refunding: (amount: string) => string;
      refunded: (amount: string) => string;
      refundAgain: string;
      nothingToRefund: string;
      /** The buyer refuses the parcel: it comes back. */
      parcelComesBack: string;
      /** Units stay uncancelled: the parcel goes on to the buyer. */
      parcelGoesOn: string;
      rejected: string;
      withdrawn: string;
      returnRequired: string;
    };
    operator: {
      sellerAnswers: (deadline: string) => string;
      decide: (deadline: string | null) => string;
      policyApproves: string;
      bothMailed: string;
      refunding: (amount: string, method: string) => string;
      /** A completed request's refund made again after the card company failed the first. */
      refundingAgain: (amount: string, method: string) => string;
      retry: string;
      /** A completed request's card refund the card company failed after it had succeeded. */
      reversed: string;
      systemActs: (deadline: string) => string;
      completed: string;
      closed: string;
    };
  };

  queue: {
    sellerHeading: string;
    sellerIntro: string;
    reviewHeading: string;
    reviewIntro: string;
    failuresHeading: string;
    failuresIntro: string;
    empty: string;
    listLabel: string;
    item: (orderId: string) => string;
    /** The list of a request's lines in its queue entry. */
    lines: string;
    /** After the lines a queue entry names, how many more the request covers. */
    moreLines: (count: number) => string;
    amount: string;
    deadline: string;
    approve: string;
    reject: string;
    rejectReason: string;
    confirmReject: string;
    cancel: string;
    rejectReasonRequired: string;
    approved: (orderId: string) => string;
    rejected: (orderId: string) => string;
    retryRefund: string;
    refundAsGift: string;
    retried: (orderId: string) => string;
    lastFailure: string;
    /** The link after a comment the queue shows cut short, to the request with all of it. */
    wholeComment: string;
    attempts: (count: number) => string;
    reload: string;
  };

  /** The buyer's "Refund not received", after the refund's promised date on a completed request. */
  inquiry: {
    heading: string;
    /** The promised date (formatted) is over. */
    intro: (latest: string) => string;
    message: string;
    messageHint: string;
    /** The button (SPEC "Console": "Refund not received" in English). */
    submit: string;
    messageTooLong: string;
    /** What the buyer reads while their inquiry is open (the date it was made, formatted). */
    open: (openedAt: string) => string;
    /** An inquiry staff answered (the date, formatted), with their note after it. */
    answered: (closedAt: string) => string;
    /** After an answer, the buyer may ask again. */
    askAgain: string;
  };

  /** The operators' page of open refund inquiries. */
  inquiries: {
    heading: string;
    intro: string;
    empty: string;
    listLabel: string;
    item: (orderId: string) => string;
    openedAt: string;
    message: string;
    provider: string;
    providers: Record<"ledger" | "stripe", string>;
    refundId: string;
    providerRefundId: string;
    reference: string;
    amount: string;
    method: string;
    refundStatus: string;
    expectedBy: string;
    late: string;
    note: string;
    noteHint: string;
    close: string;
    noteRequired: string;
    noteTooLong: string;
    closed: (orderId: string) => string;
    reload: string;
  };

  /** The seller's page of cancelled parcels not yet back (GET /seller/parcels). */
  parcels: {
    heading: string;
    intro: string;
    /** The status filter (a select; its first option shows every status). */
    filter: string;
    all: string;
    empty: string;
    /** When the filter shows one status and none has it. */
    emptyFiltered: (status: string) => string;
    listLabel: string;
    /** Before the card's link (the order's id). */
    order: string;
    carrier: string;
    trackingNumber: string;
    units: string;
    status: string;
    since: string;
    returnDue: string;
    reload: string;
  };

  shipment: {
    heading: string;
    intro: string;
    orderId: string;
    carrier: string;
    trackingNumber: string;
    submit: string;
    saved: (orderId: string) => string;
    required: string;
  };

  /** GET /seller/metrics and GET /operator/sellers/{sellerId}/metrics, in words and a chart. */
  performance: {
    heading: string;
    operatorHeading: string;
    /** Said plainly, first: a buyer's change of mind never counts against the seller. */
    fairness: string;
    /** What does count, and how the rate is worked out. */
    rateRule: string;
    /** The window's days, both included (dates already formatted). */
    window: (from: string, to: string) => string;
    orders: string;
    rate: string;
    /** Under the rate: the completed seller-caused cancellations of the orders. */
    rateOf: (sellerCaused: number, orders: number) => string;
    cancellations: string;
    cancellationsIntro: string;
    byFault: string;
    byOutcome: string;
    byReason: string;
    fault: Record<Fault, string>;
    responses: string;
    responsesIntro: string;
    answered: string;
    withinDeadline: string;
    timedOut: string;
    median: string;
    p90: string;
    /** Instead of a response time when there were no answers. */
    noAnswers: string;
    /** A response time estimated from the counters' histogram (about …). */
    about: (duration: string) => string;
    chartHeading: string;
    /** The chart's text alternative: what it shows, over how many days, with the totals. */
    chartSummary: (
      days: number,
      orders: number,
      cancellations: number,
      sellerCaused: number,
    ) => string;
    legendOrders: string;
    legendCancellations: string;
    legendSellerCaused: string;
    /** The figures of each day as a table, under the chart. */
    byDay: string;
    date: string;
    reload: string;
    /** The operator's form. */
    sellerId: string;
    submit: string;
    required: string;
  };

  find: {
    heading: string;
    orderId: string;
    submit: string;
    required: string;
    activeRequest: string;
    noActiveRequest: string;
  };

  errors: Record<ProblemCode, string> & {
    heading: string;
    unknown: (status: number) => string;
    network: string;
    retryIn: (seconds: number) => string;
    /** After a 503 without Retry-After. */
    retrySoon: string;
    fieldError: (field: string, message: string) => string;
    keptValues: string;
  };
}
