// The mail's English wording: every template's subject and paragraphs, the details table's labels
// and the words for reasons, refund methods and statuses (the shape: wording.ts).
import type { Context, KnownFailure, Paragraph, Wording } from "./wording.ts";

const enSellerTimeout = (c: Context): string =>
  c.onSellerTimeout === "APPROVE"
    ? "If you do not respond by the deadline, the cancellation will be approved automatically."
    : "If you do not respond by the deadline, the marketplace will decide.";

/** Why the card issuer did not take the refund, as the buyer reads it. */
const EN_FAILURES: Readonly<Record<KnownFailure, string>> = {
  expired_or_canceled_card: "The card has expired or has been cancelled.",
  lost_or_stolen_card: "The card was reported lost or stolen and can no longer receive payments.",
};
const enFailure = (c: Context): string =>
  c.failureKind ? EN_FAILURES[c.failureKind] : "Your card issuer did not tell us why.";

/** The carrier by name, or (no shipment on record) the one that brought the parcel. */
const enCarrier = (c: Context): string => c.carrier ?? "the carrier that delivered it";

/** Steps as the mail lists them: one a line, numbered. */
const numbered = (steps: readonly string[]): string =>
  steps.map((step, index) => `${index + 1}. ${step}`).join("\n");

/**
 * What the seller does about the parcel once the cancellation is approved: nothing when the rest of
 * the order is still delivered; else, the buyer refuses it, and while it is on its way the seller
 * can have the carrier bring it back (its own steps), or it is already back or delivered.
 */
const enParcel = (c: Context): Paragraph[] => {
  if (c.partial) {
    return [
      "The rest of the order is not cancelled, so the parcel goes on to the buyer: leave it on its way. If the cancelled items arrive with it, we will ask the buyer to send them back and let you know.",
    ];
  }
  const refuse = "We have asked the buyer to refuse the delivery.";
  switch (c.parcelStatus) {
    case "IN_TRANSIT":
      return [
        `${refuse} A refused parcel goes back to you: please accept it.`,
        c.carrier !== null &&
          c.trackingNumber !== null &&
          `To have the parcel come back before it is delivered, ask ${c.carrier} as follows:\n${numbered(en.returnSteps[c.returnSteps](c.carrier, c.trackingNumber))}`,
        "If the buyer takes delivery all the same, we will ask them to send the cancelled items back and let you know.",
      ];
    case "REFUSED":
    case "RETURNING":
      return [
        `${refuse} The parcel is already on its way back to you: there is nothing to ask the carrier, please accept it.`,
      ];
    case "RETURNED":
      return ["The parcel is already back with you."];
    case "DELIVERED":
      return [
        c.returnDueBy === null
          ? "The parcel has already been delivered to the buyer. We will email you what follows."
          : `The parcel has already been delivered to the buyer. We have asked them to send the cancelled items back by ${c.returnDueBy}.`,
      ];
    default:
      return [refuse];
  }
};

export const en: Wording = {
  subject: (title, orderId) => `${title} (order ${orderId})`,
  range: (earliest, latest) => (earliest === latest ? earliest : `${earliest} to ${latest}`),
  amount: (total, items, shipping) => `${total} (items ${items}, shipping ${shipping})`,
  hoursLeft: (hours) =>
    hours >= 1 ? `about ${hours} hour${hours === 1 ? "" : "s"} left` : "due very soon",
  greeting: { BUYER: "Hello,", SELLER: "Dear seller,", OPERATORS: "Hello operators," },
  footer: "This message was sent automatically; replies to it are not read.",
  decisionLinks: {
    intro:
      "You can also answer with a link below: it opens a page that changes nothing until you press its button. Each link works once, until the deadline.",
    approve: "Approve",
    reject: "Reject (with a reason)",
    console: "Open the console",
  },
  labels: {
    orderId: "Order",
    requestId: "Request ID",
    items: "Items",
    reason: "Reason for cancelling",
    comment: "Buyer's comment",
    sellerDeadline: "Seller's deadline",
    marketplaceDeadline: "Review deadline",
    refundRetryDeadline: "Automatic retry",
    amount: "Refund amount",
    method: "Refund method",
    expected: "Expected by",
    refundId: "Refund ID",
    attempts: "Attempts",
    status: "Status",
    rejectionReason: "Reason for declining",
    carrier: "Carrier",
    trackingNumber: "Tracking number",
    reference: "Refund reference",
    failureReason: "Why the refund failed",
    providerRefundId: "Provider's refund ID",
    provider: "Refunded through",
    promisedBy: "Promised by",
    inquiryComment: "Buyer's message",
    returnItems: "Cancelled items delivered",
    returnDueBy: "Return due by",
    returnReceivedAt: "Back with the seller",
    buyerId: "Buyer ID",
    sellerId: "Seller ID",
  },
  reasons: {
    NO_LONGER_NEEDED: "No longer needed",
    ORDERED_BY_MISTAKE: "Ordered by mistake",
    FOUND_BETTER_PRICE: "Found a better price",
    DELIVERY_TOO_SLOW: "Delivery is too slow",
    WRONG_ITEM_ORDERED: "Ordered the wrong item",
    OTHER: "Other",
  },
  methods: {
    CARD: "Credit card (the card used for the order)",
    GIFT_CARD: "Gift card balance",
    POINTS: "Points",
    CASH_ON_DELIVERY: "Cash on delivery (no refund needed)",
  },
  statuses: {
    REQUESTED: "Received",
    AWAITING_SELLER: "Awaiting the seller",
    AWAITING_MARKETPLACE: "Awaiting marketplace review",
    REFUND_PENDING: "Refund pending",
    REFUND_FAILED: "Refund failed (awaiting retry)",
    COMPLETED: "Cancelled",
    REJECTED: "Rejected",
    WITHDRAWN: "Withdrawn by the buyer",
    RETURN_REQUIRED: "Delivered: return required",
  },
  rejectedBy: { SELLER: "the seller", MARKETPLACE: "the marketplace" },
  providers: { ledger: "The marketplace's ledger", stripe: "Stripe" },
  failureReasons: {
    expired_or_canceled_card: "Card expired or cancelled",
    lost_or_stolen_card: "Card reported lost or stolen",
  },
  withCode: (words, code) => `${words} (${code})`,
  returnSteps: {
    yamato: (_carrier, trackingNumber) => [
      `Contact the Yamato Transport branch handling the parcel (its tracking shows which) or Yamato's customer service, say you are the shipper and give the slip number ${trackingNumber}.`,
      "Ask them to stop the delivery and return the parcel to you, the shipper (a return-to-sender request).",
      "Yamato may charge for the return trip; the branch can tell you how much.",
    ],
    sagawa: (_carrier, trackingNumber) => [
      `Contact the Sagawa Express sales office handling the parcel (its tracking shows which), say you are the shipper and give the inquiry number ${trackingNumber}.`,
      "Ask them to stop the delivery and return the parcel to you, the shipper.",
      "Sagawa may charge for the return trip; the sales office can tell you how much.",
    ],
    japanpost: (_carrier, trackingNumber) => [
      `Go to a post office counter with an identity document and your receipt for the parcel (tracking number ${trackingNumber}). It cannot be done by phone.`,
      "As the sender, ask for the parcel to be taken back before delivery and returned to you (a retrieval request), and fill in the request form.",
      "A retrieval is only possible before delivery, and Japan Post may charge a fee.",
    ],
    other: (carrier, trackingNumber) => [
      `Contact ${carrier}, say you are the shipper and give the tracking number ${trackingNumber}.`,
      "Ask them to stop the delivery and return the parcel to you.",
      "The carrier may charge for the return; ask them how much.",
    ],
  },
  templates: {
    BUYER_REQUEST_RECEIVED: {
      subject: "We received your cancellation request",
      body: (c) => [
        `We have received your request to cancel ${c.partial ? "some items of " : ""}order ${c.orderId}, which has already shipped.`,
        `The seller will review it by ${c.sellerDeadline}; the cancellation is final once the marketplace approves it. We will email you the outcome.`,
        "You can withdraw the request from the order details until the marketplace approves it. If the parcel is delivered first, the order can no longer be cancelled and you can start a return instead.",
      ],
    },
    BUYER_APPROVED: {
      subject: "Your cancellation was approved",
      body: (c) =>
        c.cashOnDelivery
          ? [
              `The cancellation of order ${c.orderId} was approved.`,
              "You chose cash on delivery, so no refund is needed.",
              "When the parcel arrives, please refuse the delivery and do not pay the carrier. The parcel will go back to the seller.",
            ]
          : [
              `The cancellation of ${c.partial ? "some items of " : ""}order ${c.orderId} was approved. We will refund you as shown below.`,
              c.convenienceStore &&
                "Orders paid at a convenience store are refunded to your gift card balance.",
              "When the refund shows up can vary with the payment method. You can follow it in the order details.",
              c.partial
                ? "The rest of the order is still on its way, so please accept the parcel. If the cancelled items come with it, we will tell you how to send them back."
                : "If the parcel reaches you, please refuse the delivery so it goes back to the seller.",
            ],
    },
    BUYER_REJECTED: {
      subject: "Your cancellation request was declined",
      body: (c) => [
        `Your request to cancel order ${c.orderId} was declined by ${c.rejectedBy}.`,
        "The order stays active and will be delivered. If you no longer want the item once it arrives, you can start a return.",
      ],
    },
    BUYER_REFUND_COMPLETED: {
      subject: "Your cancellation is complete",
      body: (c) =>
        c.cashOnDelivery
          ? [
              `Order ${c.orderId} has been cancelled.`,
              "You chose cash on delivery, so there is nothing to refund.",
            ]
          : [
              c.partial
                ? `Some items of order ${c.orderId} have been cancelled and refunded as shown below.`
                : `Order ${c.orderId} has been cancelled and refunded as shown below.`,
              c.refundedAgain &&
                "As we wrote to you, your card issuer could not complete our first refund, so we have refunded you again.",
              c.otherMethod &&
                `Your original payment method could not receive the refund, so it was refunded as ${c.method}.`,
              "Depending on the payment method, the refund may take a while to appear on your statement or balance.",
              c.reference !== null &&
                "Your card issuer can trace the refund with the refund reference below.",
            ],
    },
    BUYER_RETURN_REQUIRED: {
      subject: "Your order was delivered: please start a return",
      body: (c) => [
        `Order ${c.orderId} has been delivered, so it can no longer be cancelled, and your cancellation request has been closed.`,
        "If you no longer want the item, please start a return from the order details in your order history.",
      ],
    },
    BUYER_WITHDRAWN: {
      subject: "Your cancellation request was withdrawn",
      body: (c) => [
        `As you asked, we have withdrawn your cancellation request for order ${c.orderId}.`,
        "The order stays active and will be delivered.",
      ],
    },
    BUYER_REFUND_REVERSED: {
      subject: "Your card refund could not be completed",
      body: (c) => [
        `The refund to your credit card for the cancellation of order ${c.orderId} could not be completed by your card issuer. ${enFailure(c)} The money came back to the marketplace; nothing is lost.`,
        `The marketplace will refund you again${c.refundRetryDeadline === null ? "" : `, by ${c.refundRetryDeadline} at the latest`}. If your card cannot take the refund, it is refunded as ${c.fallbackMethod}.`,
        "There is nothing you need to do. We will email you once the refund is made.",
      ],
    },
    BUYER_REFUND_LATE: {
      subject: "We are sorry: your refund is late",
      body: (c) => [
        `We are sorry: the refund for the cancellation of ${c.partial ? "some items of " : ""}order ${c.orderId} has not been completed by ${c.promisedBy === null ? "the date we promised" : `${c.promisedBy}, the date we promised`}.`,
        "Our staff have been alerted and are chasing it with the payment provider. There is nothing you need to do: we will email you once the refund is made.",
        c.reference !== null &&
          "If the money has not reached you yet, your card issuer can trace the refund with the refund reference below.",
        c.statusCode === "COMPLETED"
          ? 'If the refund still does not reach you, tell us with "Refund not received" on the cancellation request\'s page in your order history.'
          : 'If, once it is made, the refund does not reach you, tell us with "Refund not received" on the cancellation request\'s page in your order history.',
      ],
    },
    SELLER_NEW_REQUEST: {
      subject: "New cancellation request for a shipped order",
      body: (c) => [
        `The buyer of order ${c.orderId}, which you have already shipped, has asked to cancel ${c.partial ? "some of its items" : "it"}.`,
        `Please approve or reject the request under Cancellation requests in the console by ${c.sellerDeadline}. ${enSellerTimeout(c)}`,
        "Once you approve and the marketplace confirms, we will send you the refund instruction.",
      ],
    },
    SELLER_REMINDER: {
      subject: "Reminder: a cancellation request is awaiting your response",
      body: (c) => [
        `The cancellation request for order ${c.orderId} is still awaiting your response.`,
        `Please approve or reject it under Cancellation requests in the console by ${c.sellerDeadline} (${en.hoursLeft(c.hoursLeft)}). ${enSellerTimeout(c)}`,
      ],
    },
    SELLER_REFUND_INSTRUCTION: {
      subject: "Cancellation approved: refund instruction",
      body: (c) =>
        c.cashOnDelivery
          ? [
              `The cancellation of order ${c.orderId} was approved.`,
              "The order is cash on delivery, so no refund is needed.",
              ...enParcel(c),
            ]
          : [
              `The cancellation of ${c.partial ? "some items of " : ""}order ${c.orderId} was approved. The marketplace refunds the amount below to the buyer's payment method through its payment provider.`,
              "You do not need to refund anything yourself: the amount is settled against your seller account.",
              ...enParcel(c),
            ],
    },
    SELLER_OUTCOME: {
      subject: "Outcome of a cancellation request",
      body: (c) => [
        `The cancellation request for order ${c.orderId} has ended: ${c.status}.`,
        c.statusCode === "COMPLETED" &&
          (c.cashOnDelivery
            ? "The order is cancelled (cash on delivery: nothing to refund)."
            : c.partial
              ? "The items below are cancelled and the buyer has been refunded; the rest of the order stands."
              : "The order is cancelled and the buyer has been refunded."),
        c.statusCode === "REJECTED" && "The order is not cancelled; please carry on delivering it.",
        c.statusCode === "WITHDRAWN" &&
          "The buyer withdrew the request; the order is not cancelled.",
        c.statusCode === "RETURN_REQUIRED" &&
          "The parcel was delivered, so the case is handled as a return instead of a cancellation.",
      ],
    },
    OPERATOR_ESCALATION: {
      subject: "A cancellation request needs review",
      body: (c) => [
        `The cancellation request for order ${c.orderId} needs an operator's review.`,
        c.marketplaceDeadline
          ? `Please approve or reject it by ${c.marketplaceDeadline}. After that, the policy ${c.onMarketplaceTimeout === "APPROVE" ? "approves" : "rejects"} it automatically.`
          : "Please approve or reject it as soon as possible.",
      ],
    },
    OPERATOR_REFUND_FAILED: {
      subject: "Refund failed: retry needed",
      body: (c) => [
        `The refund for order ${c.orderId} failed. Please look into the cause and retry the refund.`,
        c.declined &&
          "The payment provider declined it for good (for example a closed card or account). Retry with the same method, or refund it as gift balance.",
        c.refundRetryDeadline !== null &&
          (c.declined
            ? `If nobody acts by ${c.refundRetryDeadline}, it is refunded as ${c.fallbackMethod}.`
            : `If nobody retries it by ${c.refundRetryDeadline}, the system will retry it automatically.`),
      ],
    },
    OPERATOR_REFUND_REVERSED: {
      subject: "A card refund failed at the card issuer: refund again",
      body: (c) => [
        `The card refund of the completed cancellation of order ${c.orderId} failed at the card issuer after it had succeeded. The money went back to the marketplace's balance and the buyer has not received it. The cancellation stays completed.`,
        "A refund retry is allowed on this request: on its page in the console, choose Retry refund (the same method) or Refund as gift balance.",
        c.failureKind !== null &&
          "The card cannot take refunds any more: refunding as gift balance is advised.",
        c.refundRetryDeadline !== null &&
          `If nobody acts by ${c.refundRetryDeadline}, the policy refunds it as ${c.fallbackMethod}.`,
        "The buyer is told by email that we will refund them again.",
      ],
    },
    OPERATOR_REFUND_LATE: {
      subject: "Refund late: not made by its promised date",
      body: (c) => [
        `The refund for order ${c.orderId} was not made by ${c.promisedBy === null ? "the date promised to the buyer" : `${c.promisedBy}, the date promised to the buyer`}. The buyer was sent an apology.`,
        "Please chase it with the payment provider using the IDs below. A refund the provider still holds as pending may need its support; a failed one can be retried, or refunded as gift balance, on the request's page in the console.",
      ],
    },
    OPERATOR_REFUND_INQUIRY: {
      subject: "A buyer says a refund has not arrived",
      body: (c) => [
        `The buyer of order ${c.orderId} says the refund for the completed cancellation has not arrived${c.promisedBy === null ? "" : `; it was promised by ${c.promisedBy}`}.`,
        "Please check it with the payment provider using the IDs below (the buyer's card issuer can trace a card refund with the refund reference), then close the inquiry with a note under Refund inquiries in the console.",
      ],
    },
    OPERATOR_MAIL_FAILED: {
      subject: "A notification could not be sent",
      body: (c) => [
        `A notification about order ${c.orderId} could not be sent after repeated attempts.`,
        "Please check SES sending, and reach the buyer or seller another way if needed.",
      ],
    },
    BUYER_RETURN_INSTRUCTIONS: {
      subject: "Please send back the cancelled items",
      body: (c) => [
        `The parcel of order ${c.orderId} has been delivered to you. The items below were cancelled and refunded, so please send them back to the seller by ${c.returnDueBy}.`,
        c.returnPartial
          ? `Please keep the rest of the order. Pack the items below and hand them to ${enCarrier(c)} (at one of its offices, or by asking for a pickup), addressed to the sender named on the parcel's label: the seller. Give the carrier the tracking number below.`
          : `Please hand the parcel to ${enCarrier(c)} (at one of its offices, or by asking for a pickup), addressed to the sender named on its label: the seller. Give the carrier the tracking number below.`,
        "If the items are not back with the seller by then, the marketplace's staff will contact you.",
        "We will email you once they are back with the seller.",
      ],
    },
    SELLER_PARCEL_KEPT: {
      subject: "The buyer took delivery of cancelled items",
      body: (c) => [
        `The parcel of order ${c.orderId} was delivered, and the buyer took delivery of the items below, which were cancelled and refunded.`,
        `We have asked the buyer to send them back to you with ${enCarrier(c)} by ${c.returnDueBy}. There is nothing you need to do.`,
        "You can follow the return on the Parcels page of the console, where the parcel is listed until it is back with you. If it is not back by the due date, the marketplace will contact the buyer.",
      ],
    },
    BUYER_RETURN_RECEIVED: {
      subject: "The items you sent back reached the seller",
      body: (c) => [
        `Thank you for sending back the cancelled items of order ${c.orderId}. The items below are back with the seller.`,
        "This completes the return. Your refund was already made, so there is nothing more you need to do.",
      ],
    },
    OPERATOR_RETURN_OVERDUE: {
      subject: "Return overdue: cancelled items not sent back",
      body: (c) => [
        `The buyer of order ${c.orderId} took delivery of the items below, which were cancelled and refunded, and they are not back with the seller by the due date, ${c.returnDueBy}.`,
        "Please contact the buyer and ask them to send the items back. The refund stands: it is not reversed.",
        "Use the carrier and tracking number below to check the parcel with the carrier.",
      ],
    },
  },
};
