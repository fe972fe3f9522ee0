// What the decision link's pages say (SPEC "Decision links in the seller's mail"), in Japanese and
// English: one table per language with the same keys, so a sentence left untranslated is a type
// error. Plain text: the page escapes every string (decision-page.ts).
import type { LinkDecision } from "../domain/decision-links.ts";
import type { Locale } from "../domain/types.ts";

/** Why a link no longer decides (410). */
export type GoneReason = "USED" | "EXPIRED" | "CLOSED";

/** Why the form came back (400). */
export type FormProblem = "REASON_MISSING" | "UNREADABLE";

export interface PageWords {
  /** The confirmation's heading and its button, by the link's decision. */
  ask: Record<LinkDecision, string>;
  button: Record<LinkDecision, string>;
  /** Under the heading: what the page does and does not do. */
  askIntro: string;
  reasonLabel: string;
  reasonHint: string;
  formProblems: Record<FormProblem, string>;
  /** After the decision: its heading and what happens next. */
  done: Record<LinkDecision, string>;
  doneNext: Record<LinkDecision, string>;
  gone: string;
  goneReasons: Record<GoneReason, string>;
  notFound: string;
  notFoundText: string;
  unavailable: string;
  unavailableText: string;
  labels: { orderId: string; items: string; amount: string; deadline: string; reason: string };
  /** Cash on delivery: nothing is refunded, the buyer refuses the parcel. */
  cashOnDelivery: string;
  /** The link to the console (the same origin's root). */
  console: string;
  consoleHint: string;
}

export const PAGE_WORDS: Readonly<Record<Locale, PageWords>> = {
  ja: {
    ask: {
      APPROVE: "このキャンセル申請を承認しますか？",
      REJECT: "このキャンセル申請を却下しますか？",
    },
    button: { APPROVE: "承認する", REJECT: "却下する" },
    askIntro: "下のボタンを押すまでは何も変わりません。内容をご確認のうえ、回答してください。",
    reasonLabel: "却下の理由（必須）",
    reasonHint: "購入者にお伝えします。",
    formProblems: {
      REASON_MISSING: "却下の理由を入力してください。まだ何も変わっていません。",
      UNREADABLE:
        "送信内容を読み取れませんでした。まだ何も変わっていません。もう一度送信してください。",
    },
    done: { APPROVE: "承認しました", REJECT: "却下しました" },
    doneNext: {
      APPROVE: "マーケットプレイスの確認を経て、返金のご案内をメールでお送りします。",
      REJECT: "購入者に却下と理由をお知らせします。",
    },
    gone: "このリンクは使えません",
    goneReasons: {
      USED: "このリンクはすでに使われました。リンクは一度だけ使えます。",
      EXPIRED: "回答期限が過ぎたため、このリンクは使えなくなりました。",
      CLOSED:
        "この申請はすでに販売者の回答を待っていません（回答済み、購入者による取り下げ、期限切れなど）。",
    },
    notFound: "リンクが見つかりません",
    notFoundText:
      "メールのリンクを最後まで正しく開いたかご確認ください。回答はコンソールの「キャンセル申請」からもできます。",
    unavailable: "ただいま処理できません",
    unavailableText: "何も変更されていません。しばらくしてから、もう一度お試しください。",
    labels: {
      orderId: "注文番号",
      items: "対象商品",
      amount: "返金額",
      deadline: "回答期限",
      reason: "却下の理由",
    },
    cashOnDelivery: "代金引換のため返金はありません",
    console: "コンソールを開く",
    consoleHint: "申請の詳細と状況はコンソールでご確認いただけます。",
  },
  en: {
    ask: {
      APPROVE: "Approve this cancellation request?",
      REJECT: "Reject this cancellation request?",
    },
    button: { APPROVE: "Approve", REJECT: "Reject" },
    askIntro: "Nothing changes until you press the button below. Please check the request first.",
    reasonLabel: "Reason for rejecting (required)",
    reasonHint: "The buyer will read it.",
    formProblems: {
      REASON_MISSING: "Please give a reason for rejecting. Nothing has changed yet.",
      UNREADABLE: "The form could not be read. Nothing has changed yet: please send it again.",
    },
    done: { APPROVE: "Approved", REJECT: "Rejected" },
    doneNext: {
      APPROVE: "Once the marketplace confirms, we will send you the refund instruction by email.",
      REJECT: "We will tell the buyer, with your reason.",
    },
    gone: "This link no longer works",
    goneReasons: {
      USED: "This link has been used already: each link works once.",
      EXPIRED: "The deadline to answer has passed, so this link no longer works.",
      CLOSED:
        "This request no longer awaits your answer (it was answered, withdrawn by the buyer, or timed out).",
    },
    notFound: "Link not found",
    notFoundText:
      "Please check that the whole link from the email was opened. You can also answer under Cancellation requests in the console.",
    unavailable: "We cannot do this right now",
    unavailableText: "Nothing has changed. Please try again in a little while.",
    labels: {
      orderId: "Order",
      items: "Items",
      amount: "Refund",
      deadline: "Answer by",
      reason: "Reason for rejecting",
    },
    cashOnDelivery: "Cash on delivery: nothing to refund",
    console: "Open the console",
    consoleHint: "The request's details and status are in the console.",
  },
};
