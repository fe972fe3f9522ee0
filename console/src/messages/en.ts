// The console's English wording. The accessible names that browser tests rely on (SPEC "Console")
// are these strings: change them only together with SPEC.
import type { Messages } from "./types.ts";

export const en: Messages = {
  language: "en",
  appName: "Post-shipment cancellation",
  switchLanguage: "日本語",
  switchLanguageLang: "ja",
  loading: "Loading…",
  navigationLabel: "Menu",
  signedInAs: (userId, role) => `Signed in as ${userId} (${en.roles[role]})`,
  roleSwitch: "Acting as",

  roles: { buyer: "Buyer", seller: "Seller", operator: "Operator" },
  signIn: {
    heading: "Sign in",
    localIntro:
      "Local mode: pick a user ID and a role to sign in as that person (no password needed).",
    userId: "User ID",
    userIdHint: "For example buyer-1, seller-1, operator-1",
    role: "Role",
    submit: "Sign in",
    cognitoIntro: "Sign in with your marketplace account.",
    cognitoSubmit: "Sign in",
    userIdRequired: "Enter a user ID.",
    userIdInvalid: "A user ID may contain only letters, digits and . _ : @ -",
    noRole: "This account has no role (buyer, seller or operator) yet.",
    signInFailed: "Signing in did not work. Please try again.",
    sessionExpired: "Your sign-in has expired. Please sign in again.",
    samplesHeading: "Sample orders",
    samplesIntro:
      "Creates two shipped orders with the user ID above as their buyer (seller: seller-1). The ¥5,480 order is approved by policy; the ¥49,800 order goes to the operators' review.",
    createSamples: "Create sample orders",
    samplesCreated: (ids) => `Sample orders created: ${ids.join(", ")}`,
    sampleTitles: ["Wireless earbuds", "Robot vacuum cleaner"],
  },
  signOut: "Sign out",

  nav: {
    myOrders: "My orders",
    sellerRequests: "Cancellation requests",
    recordShipment: "Record shipment",
    reviewQueue: "Review queue",
    refundFailures: "Refund failures",
    refundInquiries: "Refund inquiries",
    findOrder: "Find order",
    parcels: "Parcels",
    performance: "Performance",
    sellerPerformance: "Sellers",
  },

  orders: {
    heading: "My orders",
    empty: "You have no orders yet.",
    listLabel: "Orders",
    placedAt: "Placed",
    total: "Total paid",
    status: "Order status",
    whatYouCanDo: "What you can do now",
    more: "Show more",
  },

  order: {
    heading: (orderId) => `Order ${orderId}`,
    summary: "Order details",
    items: "Items",
    quantity: (n) => `× ${n}`,
    cancelledOf: (cancelled, quantity) => `${cancelled} of ${quantity} cancelled`,
    shippingFee: "Shipping fee",
    paid: "Total paid",
    refunded: "Refunded",
    paymentMethod: "Payment method",
    placedAt: "Placed",
    shipment: "Shipment",
    carrier: "Carrier",
    trackingNumber: "Tracking number",
    shippedAt: "Shipped",
    deliveredAt: "Delivered",
    notShipped: "Not shipped yet",
    status: "Order status",
    buyer: "Buyer",
    seller: "Seller",
    whatYouCanDo: "What you can do now",
    notFound: "This order was not found.",
    back: "Back to all orders",
  },

  orderStatus: {
    PLACED: "Placed",
    SHIPPED: "Shipped",
    DELIVERED: "Delivered",
    CANCELLED: "Cancelled",
  },

  parcelStatus: {
    IN_TRANSIT: "In transit",
    DELIVERED: "Delivered",
    REFUSED: "Refused",
    RETURNING: "Returning to the seller",
    RETURNED: "Back with the seller",
  },
  returnStatus: {
    REQUESTED: "Return requested",
    RECEIVED: "Received",
    OVERDUE: "Overdue",
  },

  parcel: {
    status: "Parcel",
    since: "Since",
    history: "Parcel history",
  },

  audit: {
    heading: "Audit trail",
    intro:
      "Every entry of this order's history and its requests' is chained, in the order written, to the one before by its SHA-256 hash: an entry changed, dropped, added or moved shows when the trail is verified. Check the downloaded file with npm run audit -- verify <file>.",
    entries: "Entries",
    head: "Head (the last entry's hash)",
    download: "Download audit trail",
  },

  orderReturn: {
    heading: "Return of cancelled items",
    status: "Return status",
    units: "To send back",
    dueBy: "Due by",
    receivedAt: "Received",
    unit: (title, quantity) => `${title} (${quantity})`,
    buyerTodo: (units, carrier, dueBy) =>
      `The parcel was delivered although these items were cancelled. Please send ${units} back to the seller with ${carrier} by ${dueBy}.`,
    buyerOverdue:
      "The date has passed and the seller has not received them yet. Please send them back now: the marketplace's staff have been told.",
    staffWaiting: "The buyer was asked to send these back to the seller by the date above.",
    staffOverdue: "Not back by the date: the marketplace's staff have been told.",
  },

  cancellationOption: {
    CANCEL: {
      IN_TRANSIT: "On its way: you can request a cancellation.",
    },
    RETURN: {
      RETURN_REQUIRED: "Delivered: you can start a return instead of a cancellation.",
    },
    cancelRest: "On its way: you can request a cancellation of what is left.",
    fallback: {
      IN_TRANSIT: "On its way.",
      NOT_SHIPPED: "Not shipped yet: use the ordinary order cancellation.",
      WINDOW_CLOSED: "The time for cancelling after shipment has passed.",
      RETURN_REQUIRED: "Delivered: you can start a return instead of a cancellation.",
      ACTIVE_REQUEST_EXISTS: "A cancellation request is in progress.",
      ALREADY_CANCELLED: "This order has been cancelled.",
      REQUEST_LIMIT_REACHED: "No more cancellation requests can be made for this order.",
    },
  },

  paymentMethods: {
    CARD: "Credit card",
    GIFT_CARD: "Gift balance",
    POINTS: "Points",
    CONVENIENCE_STORE: "Convenience store payment",
    CASH_ON_DELIVERY: "Cash on delivery",
  },

  reasons: {
    NO_LONGER_NEEDED: "No longer needed",
    ORDERED_BY_MISTAKE: "Ordered by mistake",
    FOUND_BETTER_PRICE: "Found a better price",
    DELIVERY_TOO_SLOW: "Delivery is too slow",
    WRONG_ITEM_ORDERED: "Ordered the wrong item",
    OTHER: "Other",
  },

  requestForm: {
    open: "Request cancellation",
    heading: "Request a cancellation",
    items: "Items to cancel",
    itemsHint: "Set a quantity to 0 to keep that item.",
    unitsLeft: (unitPrice, left) => `${unitPrice} each, up to ${left}`,
    quantityInvalid: (title, left) => `Enter a whole number from 0 to ${left} for “${title}”.`,
    nothingChosen: "Choose at least one item to cancel.",
    preview: {
      heading: "Refund preview",
      loading: "Working out the refund…",
      items: "Items",
      shipping: "Shipping",
      amount: "Refund",
      method: "Refunded to",
      expectedBy: (range) => `If approved today, expected ${range}.`,
      approval: {
        POLICY: "Approved automatically once the seller agrees.",
        OPERATOR: "Reviewed by our staff once the seller agrees.",
      },
      nothingChosen: "Choose at least one item to see the refund.",
    },
    reason: "Reason",
    chooseReason: "Choose a reason",
    comment: "Comment",
    commentHint: "Required when the reason is Other (up to 1000 characters).",
    submit: "Send request",
    cancel: "Cancel",
    reasonRequired: "Choose a reason.",
    commentRequired: "Add a comment when the reason is Other.",
    commentTooLong: "A comment can be at most 1000 characters.",
  },

  request: {
    heading: "Cancellation request",
    status: "Request status",
    reason: "Reason",
    comment: "Comment",
    createdAt: "Requested",
    sellerDeadline: "Seller answers by",
    marketplaceDeadline: "Marketplace decides by",
    refundRetryDeadline: "Refund retried until",
    rejection: "Why it was rejected",
    rejectedBy: { SELLER: "Rejected by the seller", MARKETPLACE: "Rejected by the marketplace" },
    lines: "Items in this request",
    itemsAmount: "Items",
    shippingAmount: "Shipping",
    refund: "Refund",
    refundAmount: "Amount",
    refundMethod: "Method",
    refundStatus: "Refund status",
    refundedAt: "Refunded on",
    expectedBy: "Expected",
    expectedRange: (earliest, latest) =>
      earliest === latest ? earliest : `between ${earliest} and ${latest}`,
    noRefundYet: "The refund is made once the cancellation is approved.",
    atProvider: "Refund on its way at the card company",
    reference: "Refund reference",
    referenceHint: {
      buyer: "Your card issuer can trace the refund with this number.",
      staff: "The buyer's card issuer can trace the refund with this number.",
    },
    reversed: "The card company could not complete the refund; the marketplace will refund again.",
    failureReasons: {
      expired_or_canceled_card: "The card has expired or has been cancelled.",
      lost_or_stolen_card: "The card was reported lost or stolen.",
    },
    failureUnknown: "The card company did not say why.",
    late: {
      buyer:
        "We are sorry: the refund was not made by the date we promised. Our staff are chasing it, and we email you once it is done.",
      staff:
        "Late: the refund was not made by the date promised to the buyer. The buyer was sent an apology and operators an alert.",
    },
    inquiry: "Refund inquiry",
    inquiryOpen: (openedAt) => `The buyer said the refund has not arrived (${openedAt}); open.`,
    inquiryClosed: (closedAt) => `Answered and closed (${closedAt}).`,
    timeline: "Timeline",
    withdraw: "Withdraw request",
    refresh: "Refresh",
    withdrawn: "The request was withdrawn.",
    refuseDeliveryAdvice:
      "Cash on delivery: nothing was paid, so nothing is refunded. Please refuse the parcel when it arrives.",
    noRequest: "There is no cancellation request for this order.",
  },

  requestStatus: {
    REQUESTED: "Requested",
    AWAITING_SELLER: "Awaiting seller",
    AWAITING_MARKETPLACE: "Awaiting marketplace",
    REFUND_PENDING: "Refund pending",
    COMPLETED: "Completed",
    REJECTED: "Rejected",
    WITHDRAWN: "Withdrawn",
    RETURN_REQUIRED: "Return required",
    REFUND_FAILED: "Refund failed",
  },

  refundStatus: {
    PENDING: "In progress",
    SUCCEEDED: "Refunded",
    FAILED: "Failed (our staff will take care of it)",
    NOT_REQUIRED: "No refund needed",
  },

  timelineTypes: {
    ORDER_IMPORTED: "Order received",
    SHIPPED: "Shipped",
    DELIVERED: "Delivered",
    CANCELLED: "Order cancelled",
    REQUESTED: "Cancellation requested",
    SELLER_NOTIFIED: "Seller notified",
    SELLER_REMINDED: "Seller reminded",
    SELLER_APPROVED: "Approved by the seller",
    SELLER_REJECTED: "Rejected by the seller",
    SELLER_TIMED_OUT: "The seller did not answer in time",
    MARKETPLACE_APPROVED: "Approved by the marketplace",
    MARKETPLACE_REJECTED: "Rejected by the marketplace",
    REFUND_INSTRUCTED: "Refund started by the marketplace (the seller is told)",
    REFUND_SUCCEEDED: "Refunded",
    REFUND_FAILED: "Refund failed",
    REFUND_RETRIED: "Refund retried",
    REFUND_REVERSED: "Refund reversed by the card company",
    REFUND_LATE: "Refund not made by the promised date",
    REFUND_INQUIRY_OPENED: "Refund not received: inquiry opened",
    REFUND_INQUIRY_CLOSED: "Refund inquiry answered",
    COMPLETED: "Cancellation completed",
    WITHDRAWN: "Request withdrawn",
    RETURN_REQUIRED: "Delivered first: a return is needed",
    DELIVERY_REFUSED: "The buyer refused the parcel",
    RETURNING_TO_SENDER: "The parcel is on its way back to the seller",
    RETURNED_TO_SENDER: "The parcel is back with the seller",
    DELIVERED_AFTER_CANCELLATION: "Delivered after the cancellation: a return was requested",
    RETURN_RECEIVED: "The return reached the seller",
    RETURN_OVERDUE: "The return is overdue",
  },
  timelineFor: {
    buyer: {
      REFUND_INSTRUCTED: "The marketplace started your refund",
      REFUND_FAILED: "Refund delayed: our staff are on it",
      REFUND_REVERSED: "The card company could not complete the refund: we refund you again",
      DELIVERY_REFUSED: "You refused the parcel",
      DELIVERED_AFTER_CANCELLATION:
        "Delivered after the cancellation: please send the cancelled items back",
      RETURN_RECEIVED: "Your return reached the seller",
    },
    seller: {
      REFUND_INSTRUCTED: "The marketplace started the buyer's refund (nothing for you to pay)",
    },
  },
  actors: { system: "system", policy: "automatic, by policy" },
  by: (actor) => ` (${actor})`,

  time: {
    left: (duration) => `${duration} left`,
    overdue: "Overdue",
  },

  next: {
    heading: "What happens next",
    refundTo: { CARD: "your card", GIFT_CARD: "your gift balance", POINTS: "your points" },
    refundToOriginal: "your original payment method",
    when: (earliest, latest) =>
      earliest === latest ? `on ${earliest}` : `between ${earliest} and ${latest}`,
    arrives: {
      CARD: (when) =>
        `It should show on your card statement ${when} (your card issuer sets the day).`,
      GIFT_CARD: (when) => `It shows in your gift balance ${when}.`,
      POINTS: (when) => `It shows in your points ${when}.`,
    },
    buyer: {
      sellerAnswers: (deadline) =>
        `The seller answers by ${deadline}. If they do not answer in time, the marketplace decides.`,
      thenRefund: (amount, to) =>
        `Once the seller and the marketplace approve, ${amount} is refunded to ${to}.`,
      thenRefuse:
        "Once it is approved, refuse the parcel when it arrives (cash on delivery: nothing is refunded).",
      mailAtEachStep:
        "We email you at each step. You can withdraw the request until the marketplace approves it.",
      staffReview: (deadline) =>
        deadline
          ? `The seller agreed. The marketplace's staff decide by ${deadline}.`
          : "The seller agreed. The marketplace's staff review it now.",
      policyApproves: "The seller agreed. The marketplace is approving it now.",
      onceApproved: (amount, to) => `Once approved, ${amount} is refunded to ${to}.`,
      mailOutcome: "We email you the outcome. Until then you can still withdraw the request.",
      refunding: (amount, to) =>
        `Approved: the marketplace is refunding ${amount} to ${to}. We email you once it is done.`,
      refundDelayed:
        "Approved, but the refund has not gone through yet. Our staff are on it, and we email you once you are refunded.",
      refunded: (amount, to) => `Cancelled: ${amount} was refunded to ${to}.`,
      refundAgain: (deadline) =>
        `The card company could not complete the refund, so the marketplace will refund you again${deadline ? `, by ${deadline} at the latest` : ""}. There is nothing you need to do: we email you once it is done.`,
      nothingToRefund: "Cancelled. Cash on delivery: nothing was paid, so nothing is refunded.",
      refuseParcel: "If the parcel reaches you, refuse it: it goes back to the seller.",
      acceptParcel: "The rest of your order is still on its way: please accept the parcel.",
      rejected: {
        SELLER:
          "The seller declined, so the order stands and will be delivered. If you do not want it once it arrives, you can start a return.",
        MARKETPLACE:
          "The marketplace declined, so the order stands and will be delivered. If you do not want it once it arrives, you can start a return.",
      },
      returnRequired:
        "The parcel was delivered before the cancellation went through, so this request refunds nothing. If you do not want the items, start a return from your order history.",
      withdrawn: "You withdrew the request: the order stands and will be delivered.",
    },
    seller: {
      decide: (deadline) =>
        `Approve or reject by ${deadline}. If you do not answer in time, the marketplace decides.`,
      ifYouApprove:
        "If you approve, the marketplace refunds the buyer: you refund nothing yourself.",
      staffReview: (deadline) =>
        deadline
          ? `The marketplace's staff review it by ${deadline}.`
          : "The marketplace's staff review it now.",
      policyApproves: "The marketplace is approving it now.",
      marketplaceRefunds: (amount) =>
        `Then the marketplace refunds the buyer ${amount} through its payment provider and settles it against your seller account: you refund nothing yourself.`,
      refunding: (amount) =>
        `Approved: the marketplace is refunding the buyer ${amount}, settled against your seller account. You refund nothing yourself.`,
      refunded: (amount) =>
        `Cancelled: the marketplace refunded the buyer ${amount}, settled against your seller account.`,
      refundAgain:
        "The card company could not complete the buyer's refund, so the marketplace refunds them again. Nothing to do for you.",
      nothingToRefund: "Cash on delivery: there is nothing to refund.",
      parcelComesBack:
        "The buyer is asked to refuse the parcel: accept it when it comes back to you. Nothing else to do.",
      parcelGoesOn:
        "The rest of the order is still delivered to the buyer: nothing to do with the parcel.",
      rejected: "The order stands: please carry on delivering it. The buyer is told by email.",
      withdrawn: "The buyer withdrew the request: the order stands, nothing to do.",
      returnRequired:
        "The parcel was delivered before the cancellation went through, so it is a return rather than a cancellation; this request refunds nothing.",
    },
    operator: {
      sellerAnswers: (deadline) =>
        `The seller answers by ${deadline}. Then the marketplace decides: by policy, or in the review queue.`,
      decide: (deadline) =>
        deadline
          ? `Approve or reject by ${deadline}. After that, the policy decides by itself.`
          : "Approve or reject it.",
      policyApproves: "The policy approves it by itself.",
      bothMailed: "The buyer and the seller are told by email.",
      refunding: (amount, method) =>
        `The refund of ${amount} (${method}) is under way. If it fails, it shows under Refund failures.`,
      refundingAgain: (amount, method) =>
        `The refund of ${amount} (${method}) is being made again. If it fails, operators are emailed.`,
      retry: "Retry the refund with the same method, or refund it as gift balance.",
      reversed:
        "The card company failed the refund after it had succeeded: the cancellation stands, but the buyer has not been refunded.",
      systemActs: (deadline) => `If nobody acts by ${deadline}, the system takes it up by itself.`,
      completed:
        "Refunded and cancelled; the buyer and the seller were told by email. Nothing to do.",
      closed: "Closed; the buyer and the seller were told by email. Nothing to do.",
    },
  },

  queue: {
    sellerHeading: "Cancellation requests",
    sellerIntro: "Soonest deadline first.",
    reviewHeading: "Review queue",
    reviewIntro: "Requests that policy did not approve by itself, soonest deadline first.",
    failuresHeading: "Refund failures",
    failuresIntro:
      "Refunds that did not go through: retry the same method or refund as gift balance.",
    empty: "No request is waiting for you here.",
    listLabel: "Requests",
    item: (orderId) => `Order ${orderId}`,
    lines: "Items",
    moreLines: (n) => (n === 1 ? "and 1 more item" : `and ${n} more items`),
    amount: "Amount",
    deadline: "Deadline",
    approve: "Approve",
    reject: "Reject",
    rejectReason: "Reason",
    confirmReject: "Confirm rejection",
    cancel: "Cancel",
    rejectReasonRequired: "Give a reason for the rejection.",
    approved: (orderId) => `The request for order ${orderId} was approved.`,
    rejected: (orderId) => `The request for order ${orderId} was rejected.`,
    retryRefund: "Retry refund",
    refundAsGift: "Refund as gift balance",
    retried: (orderId) => `The refund for order ${orderId} was retried.`,
    lastFailure: "What failed",
    wholeComment: "Read the whole comment",
    attempts: (n) => (n === 1 ? "1 attempt" : `${n} attempts`),
    reload: "Reload list",
  },

  inquiry: {
    heading: "Refund not received?",
    intro: (latest) =>
      `The refund was due by ${latest}. If it has not reached you, tell us: our staff will look into it with the payment company.`,
    message: "Message (optional)",
    messageHint: "For example what your card statement shows.",
    submit: "Refund not received",
    messageTooLong: "The message can be at most 1,000 characters.",
    open: (openedAt) =>
      `You told us on ${openedAt} that the refund has not arrived. Our staff are looking into it.`,
    answered: (closedAt) => `Our staff answered on ${closedAt}:`,
    askAgain: "If the money still has not reached you, you can tell us again.",
  },

  inquiries: {
    heading: "Refund inquiries",
    intro:
      "Buyers who say a completed cancellation's refund has not arrived, the longest waiting first. Look the refund up with its provider, then close the inquiry with a note: the buyer reads it.",
    empty: "No refund inquiry is open.",
    listLabel: "Open refund inquiries",
    item: (orderId) => `Order ${orderId}`,
    openedAt: "Asked on",
    message: "Buyer's message",
    provider: "Refunded through",
    providers: { ledger: "The marketplace's ledger", stripe: "Stripe" },
    refundId: "Refund ID",
    providerRefundId: "Provider's refund ID",
    reference: "Refund reference",
    amount: "Amount",
    method: "Refund method",
    refundStatus: "Refund status",
    expectedBy: "Promised by",
    late: "Late: not refunded by the promised date",
    note: "Note",
    noteHint: "What you found or did; the buyer reads it.",
    close: "Close inquiry",
    noteRequired: "Write a note before closing the inquiry.",
    noteTooLong: "The note can be at most 1,000 characters.",
    closed: (orderId) => `The refund inquiry for order ${orderId} was closed.`,
    reload: "Reload list",
  },

  parcels: {
    heading: "Parcels",
    intro:
      "Parcels of your cancelled orders that are not back with you yet. A buyer who took delivery anyway is asked to send the cancelled items back by the date shown.",
    filter: "Status",
    all: "All",
    empty: "Every cancelled parcel is back with you.",
    emptyFiltered: (status) => `No cancelled parcel is “${status}” now.`,
    listLabel: "Parcels not yet back",
    order: "Order",
    carrier: "Carrier",
    trackingNumber: "Tracking number",
    units: "Cancelled items",
    status: "Parcel",
    since: "Since",
    returnDue: "Return due by",
    reload: "Reload list",
  },

  shipment: {
    heading: "Record shipment",
    intro: "Record the carrier and tracking number of an order you shipped.",
    orderId: "Order ID",
    carrier: "Carrier",
    trackingNumber: "Tracking number",
    submit: "Save shipment",
    saved: (orderId) => `Order ${orderId} is now shipped.`,
    required: "Fill in the order ID, carrier and tracking number.",
  },

  performance: {
    heading: "Performance",
    operatorHeading: "Seller performance",
    fairness:
      "Cancellations that buyers ask for because they changed their mind do not count against you.",
    rateRule:
      "Your cancellation rate counts only completed cancellations that were your fault: the buyer cancelled because delivery was too slow, and the order shipped after its ship-by date. A slow carrier is not your fault, and a deadline you let pass is shown under responses, not as a cancellation.",
    window: (from, to) => `${from} to ${to} (Japan time)`,
    orders: "Orders",
    rate: "Seller-caused cancellation rate",
    rateOf: (sellerCaused, orders) =>
      `${sellerCaused} seller-caused ${sellerCaused === 1 ? "cancellation" : "cancellations"} of ${orders} ${orders === 1 ? "order" : "orders"}`,
    cancellations: "Cancellation requests",
    cancellationsIntro: "Requests that ended in this period, however they ended.",
    byFault: "Whose fault",
    byOutcome: "How they ended",
    byReason: "Reason",
    fault: {
      NONE: "Buyer's change of mind (not counted against you)",
      SELLER: "Seller (shipped after the ship-by date)",
      CARRIER: "Carrier (slow delivery)",
    },
    responses: "Your responses",
    responsesIntro: "Your answers to cancellation requests in this period.",
    answered: "Answered",
    withinDeadline: "Answered before the deadline",
    timedOut: "Deadline passed without an answer",
    median: "Typical response time (median)",
    p90: "9 in 10 answered within",
    noAnswers: "No answers yet",
    about: (duration) => `about ${duration}`,
    chartHeading: "The last 30 days",
    chartSummary: (days, orders, cancellations, sellerCaused) =>
      `Bar chart of ${days} days: ${orders} orders, ${cancellations} cancellation requests ended, ${sellerCaused} of them seller-caused.`,
    legendOrders: "Orders",
    legendCancellations: "Cancellation requests ended",
    legendSellerCaused: "Seller-caused",
    byDay: "Figures by day",
    date: "Date",
    reload: "Reload figures",
    sellerId: "Seller ID",
    submit: "Show figures",
    required: "Enter a seller ID.",
  },

  find: {
    heading: "Find order",
    orderId: "Order ID",
    submit: "Find",
    required: "Enter an order ID.",
    activeRequest: "Active cancellation request",
    noActiveRequest: "No cancellation request is in progress.",
  },

  errors: {
    heading: "Error",
    VALIDATION_FAILED: "Some of what you entered is not valid.",
    UNAUTHORIZED: "Your sign-in has expired. Please sign in again.",
    FORBIDDEN: "You are not allowed to do this.",
    NOT_FOUND: "Not found. Please check the number.",
    NOT_SHIPPED:
      "This order has not been shipped yet: use the ordinary order cancellation instead.",
    RETURN_REQUIRED: "The parcel was delivered, so it can no longer be cancelled: start a return.",
    WINDOW_CLOSED: "The time for cancelling after shipment has passed.",
    ACTIVE_REQUEST_EXISTS: "This order already has a cancellation request in progress.",
    INVALID_STATE:
      "The request has changed in the meantime, so this is no longer possible. Refresh to see where it stands.",
    ORDER_CONFLICT: "Another order with this order ID but different contents exists.",
    IDEMPOTENCY_KEY_MISMATCH:
      "This request was already sent with different contents. Refresh the page to see where it stands.",
    NOTHING_TO_CANCEL: "Every item of this order is already cancelled.",
    PARTIAL_NOT_SUPPORTED:
      "A cash-on-delivery order can only be cancelled as a whole: refuse the parcel when it arrives.",
    PAYLOAD_TOO_LARGE: "What you sent is too large.",
    UNAVAILABLE: "The service is busy right now; nothing was saved.",
    INTERNAL_ERROR: "Something went wrong on our side. Please try again shortly.",
    unknown: (status) => `Something went wrong (HTTP ${status}).`,
    network: "Could not reach the service. Check your connection and try again.",
    retryIn: (seconds) =>
      seconds === 1 ? "Try again in 1 second." : `Try again in ${seconds} seconds.`,
    retrySoon: "Please try again shortly.",
    fieldError: (field, message) => `${field}: ${message}`,
    keptValues: "What you entered has been kept.",
  },
};
