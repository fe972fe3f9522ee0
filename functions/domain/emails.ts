// Notification emails, rendered in the order's locale from one table of wording per locale.
// Safety by construction: a subject is fixed wording plus the order id (an idSchema id), and every
// string that reaches the HTML part is escaped, so no user text can inject a header or markup.
import type { EmailTemplate, Recipient } from "./notices.ts";
import type { Policy } from "./policy.ts";
import { localDateTime, newRefund, refundMethodFor } from "./refund.ts";
import { idSchema } from "./schemas.ts";
import type {
  CancellationReason,
  CancellationRequest,
  Currency,
  Locale,
  OrderRecord,
  RefundMethod,
  Rejection,
  RequestStatus,
} from "./types.ts";

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** Formatted values an email can show; null ones are left out of the details table. */
interface Values {
  orderId: string;
  requestId: string;
  items: string;
  reason: string;
  comment: string | null;
  sellerDeadline: string;
  marketplaceDeadline: string | null;
  refundRetryDeadline: string | null;
  amount: string | null;
  method: string | null;
  expected: string | null;
  refundId: string | null;
  attempts: string;
  status: string;
  rejectionReason: string | null;
}
type RowKey = keyof Values;

interface Context extends Values {
  statusCode: RequestStatus;
  cashOnDelivery: boolean;
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
}

/** A paragraph of the body; `false` drops a conditional one. */
type Paragraph = string | false;

interface Template {
  /** Fixed wording only: the subject never sees the context. */
  subject: string;
  body: (c: Context) => Paragraph[];
}

interface Dictionary {
  subject: (title: string, orderId: string) => string;
  date: (date: string) => string;
  dateTime: (date: string, time: string, currency: Currency) => string;
  range: (earliest: string, latest: string) => string;
  items: (first: string, more: number) => string;
  hoursLeft: (hours: number) => string;
  greeting: Record<Recipient, string>;
  footer: string;
  labels: Record<RowKey, string>;
  reasons: Record<CancellationReason, string>;
  methods: Record<RefundMethod, string>;
  statuses: Record<RequestStatus, string>;
  rejectedBy: Record<Rejection["by"], string>;
  templates: Record<EmailTemplate, Template>;
}

/** Who receives each template and which details it lists (the same in every locale). */
const LAYOUT: Record<EmailTemplate, { to: Recipient; rows: RowKey[] }> = {
  BUYER_REQUEST_RECEIVED: {
    to: "BUYER",
    rows: ["orderId", "items", "reason", "comment", "sellerDeadline"],
  },
  BUYER_APPROVED: { to: "BUYER", rows: ["orderId", "items", "amount", "method", "expected"] },
  BUYER_REJECTED: { to: "BUYER", rows: ["orderId", "items", "rejectionReason"] },
  BUYER_REFUND_COMPLETED: { to: "BUYER", rows: ["orderId", "items", "amount", "method"] },
  BUYER_RETURN_REQUIRED: { to: "BUYER", rows: ["orderId", "items"] },
  BUYER_WITHDRAWN: { to: "BUYER", rows: ["orderId", "items"] },
  SELLER_NEW_REQUEST: {
    to: "SELLER",
    rows: ["orderId", "requestId", "items", "reason", "comment", "sellerDeadline"],
  },
  SELLER_REMINDER: {
    to: "SELLER",
    rows: ["orderId", "requestId", "reason", "comment", "sellerDeadline"],
  },
  SELLER_REFUND_INSTRUCTION: {
    to: "SELLER",
    rows: ["orderId", "requestId", "items", "amount", "method", "refundId"],
  },
  SELLER_OUTCOME: { to: "SELLER", rows: ["orderId", "requestId", "status", "rejectionReason"] },
  OPERATOR_ESCALATION: {
    to: "OPERATORS",
    rows: [
      "orderId",
      "requestId",
      "status",
      "reason",
      "comment",
      "amount",
      "method",
      "marketplaceDeadline",
    ],
  },
  OPERATOR_REFUND_FAILED: {
    to: "OPERATORS",
    rows: [
      "orderId",
      "requestId",
      "refundId",
      "amount",
      "method",
      "attempts",
      "refundRetryDeadline",
    ],
  },
  OPERATOR_MAIL_FAILED: { to: "OPERATORS", rows: ["orderId", "requestId", "status"] },
};

const JA_WEEKDAYS = ["日", "月", "火", "水", "木", "金", "土"];
const EN_WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const EN_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");

/** Year, month, day and weekday of a `YYYY-MM-DD` calendar date (no time zone involved). */
const dateParts = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate(), w: d.getUTCDay() };
};

const jaDate = (date: string): string => {
  const p = dateParts(date);
  return `${p.y}年${p.m + 1}月${p.d}日（${JA_WEEKDAYS[p.w]}）`;
};

const enDate = (date: string): string => {
  const p = dateParts(date);
  return `${EN_WEEKDAYS[p.w]}, ${EN_MONTHS[p.m]} ${p.d}, ${p.y}`;
};

const jaSellerTimeout = (c: Context): string =>
  c.onSellerTimeout === "APPROVE"
    ? "期限までにご回答がない場合、キャンセルは承認されたものとして扱われます。"
    : "期限までにご回答がない場合、マーケットプレイスが判断します。";

const enSellerTimeout = (c: Context): string =>
  c.onSellerTimeout === "APPROVE"
    ? "If you do not respond by the deadline, the cancellation will be approved automatically."
    : "If you do not respond by the deadline, the marketplace will decide.";

const JA: Dictionary = {
  subject: (title, orderId) => `【発送済みキャンセル】${title}（注文番号: ${orderId}）`,
  date: jaDate,
  dateTime: (date, time, currency) =>
    `${jaDate(date)} ${time}（${currency === "JPY" ? "日本時間" : "UTC"}）`,
  range: (earliest, latest) =>
    earliest === latest ? jaDate(earliest) : `${jaDate(earliest)}～${jaDate(latest)}`,
  items: (first, more) => (more > 0 ? `${first} ほか${more}点` : first),
  hoursLeft: (hours) => (hours >= 1 ? `残り約${hours}時間` : "まもなく期限です"),
  greeting: { BUYER: "お客様", SELLER: "出品者様", OPERATORS: "運用担当者各位" },
  footer: "※このメールは送信専用です。ご返信いただいてもお答えできませんのでご了承ください。",
  labels: {
    orderId: "注文番号",
    requestId: "リクエストID",
    items: "商品",
    reason: "キャンセル理由",
    comment: "購入者のコメント",
    sellerDeadline: "出品者の回答期限",
    marketplaceDeadline: "確認期限",
    refundRetryDeadline: "自動再試行の予定",
    amount: "返金額",
    method: "返金方法",
    expected: "返金予定日",
    refundId: "返金ID",
    attempts: "試行回数",
    status: "ステータス",
    rejectionReason: "却下の理由",
  },
  reasons: {
    NO_LONGER_NEEDED: "不要になった",
    ORDERED_BY_MISTAKE: "誤って注文した",
    FOUND_BETTER_PRICE: "より安い価格で見つけた",
    DELIVERY_TOO_SLOW: "お届けまでに時間がかかる",
    WRONG_ITEM_ORDERED: "注文する商品を間違えた",
    OTHER: "その他",
  },
  methods: {
    CARD: "クレジットカード（購入時のカード）",
    GIFT_CARD: "ギフトカード残高",
    POINTS: "ポイント",
    CASH_ON_DELIVERY: "代金引換（返金不要）",
  },
  statuses: {
    REQUESTED: "受付済み",
    AWAITING_SELLER: "出品者の確認待ち",
    AWAITING_MARKETPLACE: "マーケットプレイスの確認待ち",
    REFUND_PENDING: "返金処理中",
    REFUND_FAILED: "返金失敗（再試行待ち）",
    COMPLETED: "キャンセル完了",
    REJECTED: "却下",
    WITHDRAWN: "購入者による取り下げ",
    RETURN_REQUIRED: "配達済みのため返品扱い",
  },
  rejectedBy: { SELLER: "出品者", MARKETPLACE: "マーケットプレイス" },
  templates: {
    BUYER_REQUEST_RECEIVED: {
      subject: "キャンセルリクエストを受け付けました",
      body: (c) => [
        `ご注文 ${c.orderId} について、発送済みキャンセルのリクエストを受け付けました。`,
        `出品者が${c.sellerDeadline}までに内容を確認し、マーケットプレイスの承認をもってキャンセルが確定します。結果はメールでお知らせします。`,
        "キャンセルリクエストは、マーケットプレイスの承認前であれば注文詳細から取り下げられます。なお、商品が配達された場合はキャンセルできず、返品のお手続きとなります。",
      ],
    },
    BUYER_APPROVED: {
      subject: "キャンセルが承認されました",
      body: (c) =>
        c.cashOnDelivery
          ? [
              `ご注文 ${c.orderId} の発送済みキャンセルが承認されました。`,
              "代金引換でのご注文のため、返金の必要はありません。",
              "商品が配達された際は、代金をお支払いにならず、配達員に受け取りを拒否する旨をお伝えください。商品は出品者へ返送されます。",
            ]
          : [
              `ご注文 ${c.orderId} の発送済みキャンセルが承認されました。下記のとおり返金いたします。`,
              c.convenienceStore && "コンビニ払いのご注文は、ギフトカード残高へ返金されます。",
              "返金の反映時期は、お支払い方法によって前後する場合があります。返金の状況は注文詳細からご確認いただけます。",
              "配送中の商品が届いた際は、受け取りを拒否してください。商品は出品者へ返送されます。",
            ],
    },
    BUYER_REJECTED: {
      subject: "キャンセルリクエストは承認されませんでした",
      body: (c) => [
        `ご注文 ${c.orderId} の発送済みキャンセルのリクエストは、${c.rejectedBy}により承認されませんでした。`,
        "ご注文は取り消されず、商品はこのままお届けします。お受け取り後にご不要の場合は、返品のお手続きをご利用ください。",
      ],
    },
    BUYER_REFUND_COMPLETED: {
      subject: "キャンセルが完了しました",
      body: (c) =>
        c.cashOnDelivery
          ? [
              `ご注文 ${c.orderId} のキャンセルが完了しました。`,
              "代金引換でのご注文のため、返金はありません。",
            ]
          : [
              `ご注文 ${c.orderId} のキャンセルが完了し、下記のとおり返金しました。`,
              c.otherMethod &&
                `ご購入時のお支払い方法へは返金できなかったため、${c.method}として返金しました。`,
              "ご利用明細や残高への反映には、お支払い方法によって時間がかかる場合があります。",
            ],
    },
    BUYER_RETURN_REQUIRED: {
      subject: "商品が配達済みのため返品をご利用ください",
      body: (c) => [
        `ご注文 ${c.orderId} の商品は配達が完了したため、発送済みキャンセルはできなくなりました。キャンセルリクエストは終了しました。`,
        "商品がご不要の場合は、注文履歴の注文詳細から返品のお手続きを開始してください。",
      ],
    },
    BUYER_WITHDRAWN: {
      subject: "キャンセルリクエストを取り下げました",
      body: (c) => [
        `ご注文 ${c.orderId} のキャンセルリクエストの取り下げを受け付けました。`,
        "ご注文はこのまま有効です。商品はお届けします。",
      ],
    },
    SELLER_NEW_REQUEST: {
      subject: "発送済みの注文にキャンセルリクエストが届きました",
      body: (c) => [
        `発送済みの注文 ${c.orderId} について、購入者からキャンセルリクエストが届きました。`,
        `${c.sellerDeadline}までに、セラーコンソールで承認または却下してください。${jaSellerTimeout(c)}`,
        "承認後、マーケットプレイスの確認を経て返金のご案内をお送りします。",
      ],
    },
    SELLER_REMINDER: {
      subject: "キャンセルリクエストの回答期限が近づいています",
      body: (c) => [
        `注文 ${c.orderId} のキャンセルリクエストへのご回答をお待ちしています。`,
        `回答期限は${c.sellerDeadline}です（${JA.hoursLeft(c.hoursLeft)}）。セラーコンソールで承認または却下してください。${jaSellerTimeout(c)}`,
      ],
    },
    SELLER_REFUND_INSTRUCTION: {
      subject: "キャンセル承認と返金のご案内",
      body: (c) =>
        c.cashOnDelivery
          ? [
              `注文 ${c.orderId} の発送済みキャンセルが承認されました。`,
              "代金引換の注文のため、返金は不要です。購入者には配達時に受け取りを拒否するようご案内しています。返送された商品をお受け取りください。",
            ]
          : [
              `注文 ${c.orderId} の発送済みキャンセルが承認されました。下記の金額を、マーケットプレイスが決済サービスを通じて購入者のお支払い方法へ返金します。`,
              "出品者様による返金のお手続きは不要です。返金額は出品者様の売上から精算されます。購入者には配達時に受け取りを拒否するようご案内しています。",
            ],
    },
    SELLER_OUTCOME: {
      subject: "キャンセルリクエストの結果のお知らせ",
      body: (c) => [
        `注文 ${c.orderId} のキャンセルリクエストは「${c.status}」となりました。`,
        c.statusCode === "COMPLETED" &&
          (c.cashOnDelivery
            ? "キャンセルが完了しました（代金引換のため返金はありません）。"
            : "キャンセルと購入者への返金が完了しました。"),
        c.statusCode === "REJECTED" && "注文は取り消されません。引き続き配送を進めてください。",
        c.statusCode === "WITHDRAWN" &&
          "購入者がリクエストを取り下げました。注文は取り消されません。",
        c.statusCode === "RETURN_REQUIRED" &&
          "商品が配達済みとなったため、キャンセルではなく返品として扱われます。",
      ],
    },
    OPERATOR_ESCALATION: {
      subject: "キャンセルリクエストの確認が必要です",
      body: (c) => [
        `注文 ${c.orderId} の発送済みキャンセルのリクエストについて、運用担当者による確認が必要です。`,
        c.marketplaceDeadline
          ? `${c.marketplaceDeadline}までに承認または却下してください。期限を過ぎると、ポリシーにより自動的に${c.onMarketplaceTimeout === "APPROVE" ? "承認" : "却下"}されます。`
          : "速やかに承認または却下してください。",
      ],
    },
    OPERATOR_REFUND_FAILED: {
      subject: "返金に失敗しました（再試行が必要です）",
      body: (c) => [
        `注文 ${c.orderId} の返金に失敗しました。原因を確認のうえ、返金を再試行してください。`,
        c.declined &&
          "決済サービスが返金を拒否しました（カードや口座の解約など）。同じ方法での再試行か、ギフトカード残高での返金を選んでください。",
        c.refundRetryDeadline !== null &&
          (c.declined
            ? `${c.refundRetryDeadline}までに対応がない場合は、${c.fallbackMethod}として返金します。`
            : `${c.refundRetryDeadline}までに再試行されない場合は、システムが自動で再試行します。`),
      ],
    },
    OPERATOR_MAIL_FAILED: {
      subject: "通知メールを送信できませんでした",
      body: (c) => [
        `注文 ${c.orderId} に関する通知メールを、繰り返し試行しても送信できませんでした。`,
        "SESの送信状況を確認し、必要に応じて購入者または出品者へ別の方法でご連絡ください。",
      ],
    },
  },
};

const EN: Dictionary = {
  subject: (title, orderId) => `${title} (order ${orderId})`,
  date: enDate,
  dateTime: (date, time, currency) =>
    `${enDate(date)}, ${time} ${currency === "JPY" ? "JST (UTC+9)" : "UTC"}`,
  range: (earliest, latest) =>
    earliest === latest ? enDate(earliest) : `${enDate(earliest)} to ${enDate(latest)}`,
  items: (first, more) => (more > 0 ? `${first} and ${more} more` : first),
  hoursLeft: (hours) =>
    hours >= 1 ? `about ${hours} hour${hours === 1 ? "" : "s"} left` : "due very soon",
  greeting: { BUYER: "Hello,", SELLER: "Dear seller,", OPERATORS: "Hello operators," },
  footer: "This message was sent automatically; replies to it are not read.",
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
  templates: {
    BUYER_REQUEST_RECEIVED: {
      subject: "We received your cancellation request",
      body: (c) => [
        `We have received your request to cancel order ${c.orderId}, which has already shipped.`,
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
              `The cancellation of order ${c.orderId} was approved. We will refund you as shown below.`,
              c.convenienceStore &&
                "Orders paid at a convenience store are refunded to your gift card balance.",
              "When the refund shows up can vary with the payment method. You can follow it in the order details.",
              "If the parcel reaches you, please refuse the delivery so it goes back to the seller.",
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
              `Order ${c.orderId} has been cancelled and refunded as shown below.`,
              c.otherMethod &&
                `Your original payment method could not receive the refund, so it was refunded as ${c.method}.`,
              "Depending on the payment method, the refund may take a while to appear on your statement or balance.",
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
    SELLER_NEW_REQUEST: {
      subject: "New cancellation request for a shipped order",
      body: (c) => [
        `The buyer of order ${c.orderId}, which you have already shipped, has asked to cancel it.`,
        `Please approve or reject the request in the seller console by ${c.sellerDeadline}. ${enSellerTimeout(c)}`,
        "Once you approve and the marketplace confirms, we will send you the refund instruction.",
      ],
    },
    SELLER_REMINDER: {
      subject: "Reminder: a cancellation request is awaiting your response",
      body: (c) => [
        `The cancellation request for order ${c.orderId} is still awaiting your response.`,
        `Please approve or reject it in the seller console by ${c.sellerDeadline} (${EN.hoursLeft(c.hoursLeft)}). ${enSellerTimeout(c)}`,
      ],
    },
    SELLER_REFUND_INSTRUCTION: {
      subject: "Cancellation approved: refund instruction",
      body: (c) =>
        c.cashOnDelivery
          ? [
              `The cancellation of order ${c.orderId} was approved.`,
              "The order is cash on delivery, so no refund is needed. We have asked the buyer to refuse the delivery; please accept the parcel when it comes back.",
            ]
          : [
              `The cancellation of order ${c.orderId} was approved. The marketplace refunds the amount below to the buyer's payment method through its payment provider.`,
              "You do not need to refund anything yourself: the amount is settled against your seller account. We have asked the buyer to refuse the delivery.",
            ],
    },
    SELLER_OUTCOME: {
      subject: "Outcome of a cancellation request",
      body: (c) => [
        `The cancellation request for order ${c.orderId} has ended: ${c.status}.`,
        c.statusCode === "COMPLETED" &&
          (c.cashOnDelivery
            ? "The order is cancelled (cash on delivery: nothing to refund)."
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
    OPERATOR_MAIL_FAILED: {
      subject: "A notification could not be sent",
      body: (c) => [
        `A notification about order ${c.orderId} could not be sent after repeated attempts.`,
        "Please check SES sending, and reach the buyer or seller another way if needed.",
      ],
    },
  },
};

const DICTIONARIES: Record<Locale, Dictionary> = { ja: JA, en: EN };

const MINOR_DIGITS: Record<Currency, number> = { JPY: 0, USD: 2 };
const SYMBOLS: Record<Currency, string> = { JPY: "¥", USD: "$" };

/** An amount in minor units as the buyer reads it: 4980 JPY → `¥4,980`, 1234 USD → `$12.34`. */
export const formatAmount = (amount: number, currency: Currency): string => {
  const digits = MINOR_DIGITS[currency];
  const scale = 10 ** digits;
  const abs = Math.abs(amount);
  const major = Math.floor(abs / scale)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const minor = digits > 0 ? `.${(abs % scale).toString().padStart(digits, "0")}` : "";
  return `${amount < 0 ? "-" : ""}${SYMBOLS[currency]}${major}${minor}`;
};

const escapeHtml = (value: string): string =>
  value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");

const buildContext = (
  dict: Dictionary,
  record: OrderRecord,
  request: CancellationRequest,
  now: string,
): Context => {
  const { order } = record;
  const { currency } = order;
  // Deadlines in the zone where the money moves (as refund dates are), with the zone named.
  const at = (instant: string): string => {
    const { date, time } = localDateTime(instant, currency);
    return dict.dateTime(date, time, currency);
  };
  const when = (instant: string | null): string | null => (instant === null ? null : at(instant));
  const cashOnDelivery = order.payment.method === "CASH_ON_DELIVERY";
  // Before approval there is no refund yet: show what it would be under the request's policy.
  const refund = request.refund ?? newRefund(order, request.policy, now);
  const [first] = order.lines;
  return {
    orderId: order.orderId,
    requestId: request.requestId,
    items: dict.items(first?.title ?? "", Math.max(0, order.lines.length - 1)),
    reason: dict.reasons[request.reason],
    comment: request.comment?.trim() ? request.comment : null,
    sellerDeadline: at(request.sellerDeadline),
    marketplaceDeadline: when(request.marketplaceDeadline),
    refundRetryDeadline: when(request.refundRetryDeadline),
    // Cash on delivery has nothing to refund: its emails explain that instead of listing ¥0.
    amount: cashOnDelivery ? null : formatAmount(refund.amount, refund.currency),
    method: cashOnDelivery ? null : dict.methods[refund.method],
    expected: refund.expectedBy && dict.range(refund.expectedBy.earliest, refund.expectedBy.latest),
    refundId: refund.refundId,
    attempts: String(refund.attempts),
    status: dict.statuses[request.status],
    rejectionReason: request.rejection?.reason ?? null,
    statusCode: request.status,
    cashOnDelivery,
    convenienceStore: order.payment.method === "CONVENIENCE_STORE",
    rejectedBy: dict.rejectedBy[request.rejection?.by ?? "MARKETPLACE"],
    hoursLeft: Math.max(
      0,
      Math.floor((Date.parse(request.sellerDeadline) - Date.parse(now)) / 3.6e6),
    ),
    onSellerTimeout: request.policy.onSellerTimeout,
    onMarketplaceTimeout: request.policy.onMarketplaceTimeout,
    otherMethod: refund.method !== refundMethodFor(order.payment.method),
    declined: refund.declined === true,
    fallbackMethod: dict.methods[request.policy.refundFallbackMethod],
  };
};

/**
 * Renders `template` for request `requestId` of `record` in the order's locale.
 * `now` (an ISO instant) only feeds the reminder's time left and a not-yet-created refund.
 */
export const renderEmail = (
  template: EmailTemplate,
  record: OrderRecord,
  requestId: string,
  now: string = new Date().toISOString(),
): RenderedEmail => {
  // hasOwn: a key such as "constructor" must not resolve to an inherited property.
  const request = Object.hasOwn(record.requests, requestId)
    ? record.requests[requestId]
    : undefined;
  if (request === undefined) {
    throw new Error(`request ${requestId} is not in order ${record.order.orderId}`);
  }
  // The order id is the only variable in a subject; a valid id cannot carry CR/LF or markup.
  if (!idSchema.safeParse(record.order.orderId).success) {
    throw new Error("order id is not a valid id; refusing to put it in a mail subject");
  }
  const locale = record.order.locale;
  const dict = DICTIONARIES[locale];
  const { to, rows: rowKeys } = LAYOUT[template];
  const { subject: title, body } = dict.templates[template];
  const context = buildContext(dict, record, request, now);

  const subject = dict.subject(title, record.order.orderId);
  const paragraphs = [dict.greeting[to], ...body(context).filter((p) => p !== false)];
  const rows = rowKeys.flatMap((key) => {
    const value = context[key];
    return value === null ? [] : [[dict.labels[key], value] as const];
  });

  const text = [
    ...paragraphs,
    // Continuation lines of a multi-line value (a comment) are indented under their label.
    rows.map(([label, value]) => `${label}: ${value.replaceAll("\n", "\n  ")}`).join("\n"),
    `--\n${dict.footer}`,
  ].join("\n\n");

  const html = [
    "<!DOCTYPE html>",
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.6; color: #222;">',
    ...paragraphs.map((p) => `<p>${escapeHtml(p).replaceAll("\n", "<br>")}</p>`),
    '<table style="border-collapse: collapse; margin: 1em 0;">',
    ...rows.map(
      ([label, value]) =>
        '<tr><th style="text-align: left; vertical-align: top; padding: 4px 16px 4px 0;">' +
        `${escapeHtml(label)}</th><td style="padding: 4px 0;">` +
        `${escapeHtml(value).replaceAll("\n", "<br>")}</td></tr>`,
    ),
    "</table>",
    `<p style="color: #666; font-size: 12px;">${escapeHtml(dict.footer)}</p>`,
    "</body></html>",
  ].join("\n");

  return { subject, text, html };
};
