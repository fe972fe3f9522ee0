// The mail's Japanese wording: every template's subject and paragraphs, the details table's labels
// and the words for reasons, refund methods and statuses (the shape: wording.ts).
import type { Context, KnownFailure, Paragraph, Wording } from "./wording.ts";

const jaSellerTimeout = (c: Context): string =>
  c.onSellerTimeout === "APPROVE"
    ? "期限までにご回答がない場合、キャンセルは承認されたものとして扱われます。"
    : "期限までにご回答がない場合、マーケットプレイスが判断します。";

/** Why the card issuer did not take the refund, as the buyer reads it. */
const JA_FAILURES: Readonly<Record<KnownFailure, string>> = {
  expired_or_canceled_card:
    "返金先のカードの有効期限が切れているか、カードが解約されているためです。",
  lost_or_stolen_card: "返金先のカードが紛失・盗難の届け出により利用停止となっているためです。",
};
const jaFailure = (c: Context): string =>
  c.failureKind ? JA_FAILURES[c.failureKind] : "カード会社からは理由が示されていません。";

/** The carrier by name, or (no shipment on record) the one that brought the parcel. */
const jaCarrier = (c: Context): string => c.carrier ?? "お荷物をお届けした配送業者";

/** Steps as the mail lists them: one a line, numbered. */
const numbered = (steps: readonly string[]): string =>
  steps.map((step, index) => `${index + 1}. ${step}`).join("\n");

/**
 * What the seller does about the parcel once the cancellation is approved: nothing when the rest of
 * the order is still delivered; else, the buyer refuses it, and while it is on its way the seller
 * can have the carrier bring it back (its own steps), or it is already back or delivered.
 */
const jaParcel = (c: Context): Paragraph[] => {
  if (c.partial) {
    return [
      "ほかの商品はキャンセルされていないため、お荷物はそのまま購入者へお届けします。キャンセルされた商品が届いた場合は、購入者に返送をご案内し、販売者様にもお知らせします。",
    ];
  }
  const refuse = "購入者には配達時に受け取りを拒否するようご案内しています。";
  switch (c.parcelStatus) {
    case "IN_TRANSIT":
      return [
        `${refuse}拒否されたお荷物は販売者様へ返送されますので、お受け取りください。`,
        c.carrier !== null &&
          c.trackingNumber !== null &&
          `配達前にお荷物を戻すには、${c.carrier}に次のとおりご依頼ください。\n${numbered(ja.returnSteps[c.returnSteps](c.carrier, c.trackingNumber))}`,
        "それでも購入者が受け取った場合は、キャンセルされた商品の返送を購入者にご案内し、販売者様にもお知らせします。",
      ];
    case "REFUSED":
    case "RETURNING":
      return [
        `${refuse}お荷物はすでに販売者様へ戻る途中です。配送業者へのご依頼は不要ですので、お受け取りください。`,
      ];
    case "RETURNED":
      return ["お荷物はすでに販売者様のもとへ戻っています。"];
    case "DELIVERED":
      return [
        c.returnDueBy === null
          ? "お荷物はすでに購入者へ配達されました。この後のお取り扱いは、別途メールでお知らせします。"
          : `お荷物はすでに購入者へ配達されました。キャンセルされた商品を${c.returnDueBy}までに返送するよう、購入者にご案内しています。`,
      ];
    default:
      return [refuse];
  }
};

/** What the buyer does with the refund's reference number, listed below it in the completion mail. */
const JA_REFERENCE = "カード会社に下記の返金照会番号をお伝えいただくと、返金の状況を確認できます。";

export const ja: Wording = {
  subject: (title, orderId) => `【発送済みキャンセル】${title}（注文番号: ${orderId}）`,
  range: (earliest, latest) => (earliest === latest ? earliest : `${earliest}～${latest}`),
  amount: (total, items, shipping) => `${total}（商品 ${items}、送料 ${shipping}）`,
  hoursLeft: (hours) => (hours >= 1 ? `残り約${hours}時間` : "まもなく期限です"),
  greeting: { BUYER: "お客様", SELLER: "販売者様", OPERATORS: "運営スタッフ各位" },
  footer: "※このメールは送信専用です。ご返信いただいてもお答えできませんのでご了承ください。",
  decisionLinks: {
    intro:
      "下のリンクからも回答できます。リンクを開くと確認画面が表示され、ボタンを押すまでは何も変わりません。各リンクは回答期限まで、一度だけ使えます。",
    approve: "承認する",
    reject: "却下する（理由を入力）",
    console: "コンソールを開く",
  },
  labels: {
    orderId: "注文番号",
    requestId: "申請ID",
    items: "対象商品",
    reason: "キャンセル理由",
    comment: "購入者のコメント",
    sellerDeadline: "販売者の回答期限",
    marketplaceDeadline: "確認期限",
    refundRetryDeadline: "自動再試行の予定",
    amount: "返金額",
    method: "返金方法",
    expected: "返金予定日",
    refundId: "返金ID",
    attempts: "試行回数",
    status: "ステータス",
    rejectionReason: "却下の理由",
    carrier: "配送業者",
    trackingNumber: "追跡番号",
    reference: "返金照会番号",
    failureReason: "返金できなかった理由",
    providerRefundId: "決済サービスの返金ID",
    provider: "決済サービス",
    promisedBy: "お約束の期日",
    inquiryComment: "購入者からのメッセージ",
    returnItems: "返送の対象商品",
    returnDueBy: "返送期限",
    returnReceivedAt: "販売者のもとへ戻った日時",
    buyerId: "購入者ID",
    sellerId: "販売者ID",
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
    AWAITING_SELLER: "販売者の回答待ち",
    AWAITING_MARKETPLACE: "マーケットプレイスの審査待ち",
    REFUND_PENDING: "返金処理中",
    REFUND_FAILED: "返金失敗（再試行待ち）",
    COMPLETED: "キャンセル完了",
    REJECTED: "却下",
    WITHDRAWN: "購入者による取り下げ",
    RETURN_REQUIRED: "配達済みのため返品扱い",
  },
  rejectedBy: { SELLER: "販売者", MARKETPLACE: "マーケットプレイス" },
  providers: { ledger: "マーケットプレイスの台帳", stripe: "Stripe" },
  failureReasons: {
    expired_or_canceled_card: "カードの有効期限切れ、または解約",
    lost_or_stolen_card: "カードの紛失・盗難による利用停止",
  },
  withCode: (words, code) => `${words}（${code}）`,
  returnSteps: {
    yamato: (_carrier, trackingNumber) => [
      `お荷物を扱うヤマト運輸の担当店（追跡結果に表示されます）またはお問い合わせ窓口に連絡し、依頼主であることと伝票番号（${trackingNumber}）をお伝えください。`,
      "配達の中止と、依頼主への返送（「転送・返送の依頼」）を申し込んでください。",
      "返送の運賃がかかる場合があります。金額は担当店にご確認ください。",
    ],
    sagawa: (_carrier, trackingNumber) => [
      `お荷物を扱う佐川急便の営業所（追跡結果に表示されます）に連絡し、依頼主であることとお問い合わせ送り状No.（${trackingNumber}）をお伝えください。`,
      "配達の中止と、依頼主への返送を申し込んでください。",
      "返送の運賃がかかる場合があります。金額は営業所にご確認ください。",
    ],
    japanpost: (_carrier, trackingNumber) => [
      `本人確認書類と、差し出したときの控え（お問い合わせ番号 ${trackingNumber}）を持って、郵便局の窓口へお越しください。お電話では手続きできません。`,
      "差出人として「取戻し請求」（配達前の郵便物・荷物を差出人へ返還する手続き）を申し出て、請求書にご記入ください。",
      "取戻しは配達前に限られます。手数料がかかる場合があります。",
    ],
    other: (carrier, trackingNumber) => [
      `${carrier}に追跡番号（${trackingNumber}）を伝え、依頼主であることをお伝えください。`,
      "配達の中止と、依頼主への返送を申し込んでください。",
      "返送の費用がかかる場合があります。金額は配送業者にご確認ください。",
    ],
  },
  templates: {
    BUYER_REQUEST_RECEIVED: {
      subject: "キャンセル申請を受け付けました",
      body: (c) => [
        `ご注文 ${c.orderId}${c.partial ? " の一部の商品" : ""}について、発送済みキャンセルの申請を受け付けました。`,
        `販売者が${c.sellerDeadline}までに内容を確認し、マーケットプレイスの承認をもってキャンセルが確定します。結果はメールでお知らせします。`,
        "キャンセル申請は、マーケットプレイスの承認前であれば注文詳細から取り下げられます。なお、商品が配達された場合はキャンセルできず、返品のお手続きとなります。",
      ],
    },
    BUYER_APPROVED: {
      subject: "キャンセルが承認されました",
      body: (c) =>
        c.cashOnDelivery
          ? [
              `ご注文 ${c.orderId} の発送済みキャンセルが承認されました。`,
              "代金引換でのご注文のため、返金の必要はありません。",
              "商品が配達された際は、代金をお支払いにならず、配達員に受け取りを拒否する旨をお伝えください。商品は販売者へ返送されます。",
            ]
          : [
              `ご注文 ${c.orderId}${c.partial ? " の一部の商品について、" : " の"}発送済みキャンセルが承認されました。下記のとおり返金いたします。`,
              c.convenienceStore && "コンビニ払いのご注文は、ギフトカード残高へ返金されます。",
              "返金の反映時期は、お支払い方法によって前後する場合があります。返金の状況は注文詳細からご確認いただけます。",
              c.partial
                ? "ほかの商品は引き続きお届けしますので、お荷物はお受け取りください。キャンセルした商品が届いた場合の返送方法は、別途ご案内します。"
                : "配送中の商品が届いた際は、受け取りを拒否してください。商品は販売者へ返送されます。",
            ],
    },
    BUYER_REJECTED: {
      subject: "キャンセル申請は承認されませんでした",
      body: (c) => [
        `ご注文 ${c.orderId} の発送済みキャンセルの申請は、${c.rejectedBy}により承認されませんでした。`,
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
              `ご注文 ${c.orderId} の${c.partial ? "一部の商品の" : ""}キャンセルが完了し、下記のとおり返金しました。`,
              c.refundedAgain &&
                "お知らせしたとおり、カード会社で完了しなかった返金をあらためて行いました。",
              c.otherMethod &&
                `ご購入時のお支払い方法へは返金できなかったため、${c.method}として返金しました。`,
              "ご利用明細や残高への反映には、お支払い方法によって時間がかかる場合があります。",
              c.reference !== null && JA_REFERENCE,
            ],
    },
    BUYER_RETURN_REQUIRED: {
      subject: "商品が配達済みのため返品をご利用ください",
      body: (c) => [
        `ご注文 ${c.orderId} の商品は配達が完了したため、発送済みキャンセルはできなくなりました。キャンセル申請は終了しました。`,
        "商品がご不要の場合は、注文履歴の注文詳細から返品のお手続きを開始してください。",
      ],
    },
    BUYER_WITHDRAWN: {
      subject: "キャンセル申請を取り下げました",
      body: (c) => [
        `ご注文 ${c.orderId} のキャンセル申請の取り下げを受け付けました。`,
        "ご注文はこのまま有効です。商品はお届けします。",
      ],
    },
    BUYER_REFUND_REVERSED: {
      subject: "カードへの返金が完了しませんでした",
      body: (c) => [
        `ご注文 ${c.orderId} のキャンセルにともなうクレジットカードへの返金が、カード会社で完了しませんでした。${jaFailure(c)}返金額はマーケットプレイスに戻っており、失われることはありません。`,
        `マーケットプレイスがあらためて返金いたします${c.refundRetryDeadline === null ? "" : `（遅くとも${c.refundRetryDeadline}まで）`}。カードで受け取れない場合は、${c.fallbackMethod}として返金します。`,
        "お客様のお手続きは必要ありません。返金が完了しましたら、メールでお知らせします。",
      ],
    },
    BUYER_REFUND_LATE: {
      subject: "返金が遅れております。申し訳ございません",
      body: (c) => [
        `ご注文 ${c.orderId} ${c.partial ? "の一部の商品" : ""}のキャンセルにともなう返金が、お約束した${c.promisedBy ?? "期日"}までに完了しておりません。大変申し訳ございません。`,
        "担当スタッフが決済会社に確認し、対応を進めております。お客様のお手続きは必要ありません。返金が完了しましたら、メールでお知らせします。",
        c.reference !== null &&
          "まだ返金が届いていない場合は、下記の返金照会番号をカード会社にお伝えいただくと、返金の状況を確認できます。",
        c.statusCode === "COMPLETED"
          ? "それでも返金が届かない場合は、注文履歴のキャンセル申請のページで「返金が届いていません」からお知らせください。"
          : "返金の完了後も届かない場合は、注文履歴のキャンセル申請のページで「返金が届いていません」からお知らせください。",
      ],
    },
    SELLER_NEW_REQUEST: {
      subject: "発送済みの注文にキャンセル申請が届きました",
      body: (c) => [
        `発送済みの注文 ${c.orderId} について、購入者から${c.partial ? "一部の商品の" : ""}キャンセル申請が届きました。`,
        `${c.sellerDeadline}までに、コンソールの「キャンセル申請」で承認または却下してください。${jaSellerTimeout(c)}`,
        "承認後、マーケットプレイスの確認を経て返金のご案内をお送りします。",
      ],
    },
    SELLER_REMINDER: {
      subject: "キャンセル申請の回答期限が近づいています",
      body: (c) => [
        `注文 ${c.orderId} のキャンセル申請へのご回答をお待ちしています。`,
        `回答期限は${c.sellerDeadline}です（${ja.hoursLeft(c.hoursLeft)}）。コンソールの「キャンセル申請」で承認または却下してください。${jaSellerTimeout(c)}`,
      ],
    },
    SELLER_REFUND_INSTRUCTION: {
      subject: "キャンセル承認と返金のご案内",
      body: (c) =>
        c.cashOnDelivery
          ? [
              `注文 ${c.orderId} の発送済みキャンセルが承認されました。`,
              "代金引換の注文のため、返金は不要です。",
              ...jaParcel(c),
            ]
          : [
              `注文 ${c.orderId}${c.partial ? " の一部の商品について、" : " の"}発送済みキャンセルが承認されました。下記の金額を、マーケットプレイスが決済サービスを通じて購入者のお支払い方法へ返金します。`,
              "販売者様による返金のお手続きは不要です。返金額は販売者様の売上から精算されます。",
              ...jaParcel(c),
            ],
    },
    SELLER_OUTCOME: {
      subject: "キャンセル申請の結果のお知らせ",
      body: (c) => [
        `注文 ${c.orderId} のキャンセル申請は「${c.status}」となりました。`,
        c.statusCode === "COMPLETED" &&
          (c.cashOnDelivery
            ? "キャンセルが完了しました（代金引換のため返金はありません）。"
            : c.partial
              ? "下記の商品のキャンセルと購入者への返金が完了しました。ほかの商品の注文は引き続き有効です。"
              : "キャンセルと購入者への返金が完了しました。"),
        c.statusCode === "REJECTED" && "注文は取り消されません。引き続き配送を進めてください。",
        c.statusCode === "WITHDRAWN" && "購入者が申請を取り下げました。注文は取り消されません。",
        c.statusCode === "RETURN_REQUIRED" &&
          "商品が配達済みとなったため、キャンセルではなく返品として扱われます。",
      ],
    },
    OPERATOR_ESCALATION: {
      subject: "キャンセル申請の確認が必要です",
      body: (c) => [
        `注文 ${c.orderId} の発送済みキャンセルの申請について、運営スタッフによる確認が必要です。`,
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
    OPERATOR_REFUND_REVERSED: {
      subject: "カードへの返金がカード会社で失敗しました（再返金が必要です）",
      body: (c) => [
        `注文 ${c.orderId} の完了済みのキャンセルで行ったクレジットカードへの返金が、成功の後にカード会社で失敗しました。返金額はマーケットプレイスの残高に戻り、購入者には届いていません。キャンセルは完了のままです。`,
        "この申請は返金を再試行できます。コンソールの申請のページで「返金を再試行」（同じ方法）または「ギフト残高で返金」を選んでください。",
        c.failureKind !== null &&
          "カードが使えない理由のため、ギフト残高での返金をおすすめします。",
        c.refundRetryDeadline !== null &&
          `${c.refundRetryDeadline}までに対応がない場合は、ポリシーにより${c.fallbackMethod}として返金します。`,
        "購入者には、あらためて返金する旨をメールでお知らせしています。",
      ],
    },
    OPERATOR_REFUND_LATE: {
      subject: "返金遅延：お約束の期日までに返金できていません",
      body: (c) => [
        `注文 ${c.orderId} の返金が、購入者にお約束した期日${c.promisedBy === null ? "" : `（${c.promisedBy}）`}までに完了していません。購入者にはお詫びのメールを送りました。`,
        "下記のIDで決済会社に確認してください。決済会社で保留中の返金は、先方への問い合わせが必要な場合があります。失敗した返金は、コンソールの申請のページで再試行するか、ギフト残高で返金できます。",
      ],
    },
    OPERATOR_REFUND_INQUIRY: {
      subject: "購入者から返金が届いていないとの問い合わせがありました",
      body: (c) => [
        `注文 ${c.orderId} の購入者から、完了したキャンセルの返金が届いていないとの問い合わせがありました${c.promisedBy === null ? "" : `（お約束の期日：${c.promisedBy}）`}。`,
        "下記のIDで決済会社に確認し（カードへの返金は、返金照会番号でカード会社が追跡できます）、コンソールの「返金の問い合わせ」でメモを添えて問い合わせを閉じてください。",
      ],
    },
    OPERATOR_MAIL_FAILED: {
      subject: "通知メールを送信できませんでした",
      body: (c) => [
        `注文 ${c.orderId} に関する通知メールを、繰り返し試行しても送信できませんでした。`,
        "SESの送信状況を確認し、必要に応じて購入者または販売者へ別の方法でご連絡ください。",
      ],
    },
    BUYER_RETURN_INSTRUCTIONS: {
      subject: "キャンセル済みの商品のご返送のお願い",
      body: (c) => [
        `ご注文 ${c.orderId} のお荷物が配達されました。下記の商品はキャンセルと返金が完了しているため、お手数ですが${c.returnDueBy}までに販売者へご返送ください。`,
        c.returnPartial
          ? `ほかの商品はそのままお受け取りください。下記の商品を梱包し、お荷物の送り状に記載の依頼主（販売者）宛てに、${jaCarrier(c)}（窓口への持ち込みまたは集荷の依頼）でお送りください。その際、下記の追跡番号を配送業者にお伝えください。`
          : `届いたお荷物を、送り状に記載の依頼主（販売者）宛てに、${jaCarrier(c)}（窓口への持ち込みまたは集荷の依頼）でお送りください。その際、下記の追跡番号を配送業者にお伝えください。`,
        "期限までに販売者への返送が確認できない場合は、マーケットプレイスの担当者からご連絡いたします。",
        "販売者のもとへ戻りましたら、メールでお知らせします。",
      ],
    },
    SELLER_PARCEL_KEPT: {
      subject: "キャンセル済みの商品を購入者が受け取りました",
      body: (c) => [
        `注文 ${c.orderId} のお荷物が配達され、キャンセルと返金が完了した下記の商品を購入者が受け取りました。`,
        `購入者には、${c.returnDueBy}までに${jaCarrier(c)}で販売者様へ返送するようご案内しました。販売者様のお手続きは必要ありません。`,
        "返送の状況は、コンソールの「荷物」ページでご確認いただけます。お荷物が販売者様のもとへ戻るまで、このページに表示されます。期限までに戻らない場合は、マーケットプレイスが購入者に連絡します。",
      ],
    },
    BUYER_RETURN_RECEIVED: {
      subject: "ご返送いただいた商品が販売者に届きました",
      body: (c) => [
        `ご注文 ${c.orderId} のキャンセル済みの商品をご返送いただき、ありがとうございました。下記の商品が販売者のもとへ戻ったことを確認しました。`,
        "お手続きはこれで完了です。返金は完了済みのため、ほかにお客様にしていただくことはありません。",
      ],
    },
    OPERATOR_RETURN_OVERDUE: {
      subject: "返送期限超過：キャンセル済みの商品が戻っていません",
      body: (c) => [
        `注文 ${c.orderId} の購入者が、キャンセルと返金が完了した下記の商品を受け取りましたが、返送期限（${c.returnDueBy}）を過ぎても販売者へ戻っていません。`,
        "購入者に連絡し、返送を依頼してください。返金はそのまま有効です（取り消されません）。",
        "配送状況の確認には、下記の配送業者と追跡番号をお使いください。",
      ],
    },
  },
};
