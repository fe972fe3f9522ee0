// The console's Japanese wording (the first language). Every word the console shows lives here or
// in en.ts, with the same keys; pages only lay them out.
import type { Messages } from "./types.ts";

export const ja: Messages = {
  language: "ja",
  appName: "発送済みキャンセル",
  switchLanguage: "English",
  switchLanguageLang: "en",
  loading: "読み込み中…",
  navigationLabel: "メニュー",
  signedInAs: (userId, role) => `${userId}（${ja.roles[role]}）としてサインイン中`,
  roleSwitch: "表示する役割",

  roles: { buyer: "購入者", seller: "販売者", operator: "運営スタッフ" },
  signIn: {
    heading: "サインイン",
    localIntro:
      "ローカルモードです。ユーザー ID と役割を選ぶと、その人としてサインインします（パスワードは不要です）。",
    userId: "ユーザー ID",
    userIdHint: "例: buyer-1、seller-1、operator-1",
    role: "役割",
    submit: "サインイン",
    cognitoIntro: "マーケットプレイスのアカウントでサインインします。",
    cognitoSubmit: "サインイン",
    userIdRequired: "ユーザー ID を入力してください。",
    userIdInvalid: "ユーザー ID は英数字と . _ : @ - だけで入力してください。",
    noRole: "このアカウントには役割（購入者・販売者・運営スタッフ）が割り当てられていません。",
    signInFailed: "サインインできませんでした。もう一度お試しください。",
    sessionExpired: "サインインの有効期限が切れました。もう一度サインインしてください。",
    samplesHeading: "お試し用の注文",
    samplesIntro:
      "入力したユーザー ID を購入者として、発送済みの注文を2件作ります（販売者は seller-1）。¥5,480 の注文はポリシーで自動承認され、¥49,800 の注文は運営スタッフの審査に回ります。",
    createSamples: "サンプル注文を作成",
    samplesCreated: (ids) => `サンプル注文を作成しました: ${ids.join("、")}`,
    sampleTitles: ["ワイヤレスイヤホン", "ロボット掃除機"],
  },
  signOut: "サインアウト",

  nav: {
    myOrders: "注文履歴",
    sellerRequests: "キャンセル申請",
    recordShipment: "発送の登録",
    reviewQueue: "審査待ち",
    refundFailures: "返金の失敗",
    refundInquiries: "返金の問い合わせ",
    findOrder: "注文の検索",
    parcels: "荷物",
    performance: "実績",
    sellerPerformance: "販売者の実績",
  },

  orders: {
    heading: "注文履歴",
    empty: "注文はまだありません。",
    listLabel: "注文",
    placedAt: "注文日時",
    total: "お支払い金額",
    status: "注文の状態",
    whatYouCanDo: "いまできること",
    more: "さらに表示",
  },

  order: {
    heading: (orderId) => `注文 ${orderId}`,
    summary: "注文の内容",
    items: "商品",
    quantity: (n) => `数量 ${n}`,
    cancelledOf: (cancelled, quantity) => `${quantity}点中${cancelled}点キャンセル済み`,
    shippingFee: "送料",
    paid: "お支払い金額",
    refunded: "返金済みの金額",
    paymentMethod: "お支払い方法",
    placedAt: "注文日時",
    shipment: "配送",
    carrier: "配送業者",
    trackingNumber: "追跡番号",
    shippedAt: "発送日時",
    deliveredAt: "お届け日時",
    notShipped: "未発送",
    status: "注文の状態",
    buyer: "購入者",
    seller: "販売者",
    whatYouCanDo: "いまできること",
    notFound: "この注文は見つかりませんでした。",
    back: "注文履歴に戻る",
  },

  orderStatus: {
    PLACED: "注文済み",
    SHIPPED: "発送済み",
    DELIVERED: "お届け済み",
    CANCELLED: "キャンセル済み",
  },

  parcelStatus: {
    IN_TRANSIT: "配送中",
    DELIVERED: "配達済み",
    REFUSED: "受取辞退",
    RETURNING: "返送中",
    RETURNED: "販売者に返送済み",
  },
  returnStatus: {
    REQUESTED: "返品待ち",
    RECEIVED: "受領済み",
    OVERDUE: "期限切れ",
  },

  parcel: {
    status: "荷物の状況",
    since: "更新日時",
    history: "荷物の経過",
  },

  audit: {
    heading: "監査記録",
    intro:
      "この注文と申請の履歴は、書き込まれた順に1件ずつ前の記録のハッシュ（SHA-256）とつながっています。どれか1件でも変えたり、抜いたり、足したり、入れ替えたりすると検証で分かります。ダウンロードしたファイルは npm run audit -- verify <ファイル> で確かめられます。",
    entries: "記録の件数",
    head: "最新のハッシュ（head）",
    download: "監査記録をダウンロード",
  },

  orderReturn: {
    heading: "キャンセルした商品の返品",
    status: "返品の状況",
    units: "返送する商品",
    dueBy: "返送期限",
    receivedAt: "受領日時",
    unit: (title, quantity) => `${title}（${quantity}点）`,
    buyerTodo: (units, carrier, dueBy) =>
      `キャンセル済みの商品が配達されました。${dueBy}までに、${units}を${carrier}で販売者へ返送してください。`,
    buyerOverdue:
      "返送期限を過ぎましたが、販売者はまだ商品を受け取っていません。至急返送してください。運営スタッフにも通知しています。",
    staffWaiting: "購入者には、返送期限までに販売者へ返送するよう案内しています。",
    staffOverdue: "返送期限までに返送されませんでした。運営スタッフに通知しています。",
  },

  cancellationOption: {
    CANCEL: {
      IN_TRANSIT: "配送中です。キャンセルを申請できます。",
    },
    RETURN: {
      RETURN_REQUIRED: "お届け済みのため、キャンセルではなく返品の手続きになります。",
    },
    cancelRest: "配送中です。残りの商品のキャンセルを申請できます。",
    fallback: {
      IN_TRANSIT: "配送中です。",
      NOT_SHIPPED: "まだ発送されていません。通常の注文キャンセルをご利用ください。",
      WINDOW_CLOSED: "発送から一定期間が過ぎたため、キャンセルは申請できません。",
      RETURN_REQUIRED: "お届け済みのため、キャンセルではなく返品の手続きになります。",
      ACTIVE_REQUEST_EXISTS: "キャンセル申請を処理中です。",
      ALREADY_CANCELLED: "この注文はキャンセル済みです。",
      REQUEST_LIMIT_REACHED: "この注文ではこれ以上キャンセルを申請できません。",
    },
  },

  paymentMethods: {
    CARD: "クレジットカード",
    GIFT_CARD: "ギフト残高",
    POINTS: "ポイント",
    CONVENIENCE_STORE: "コンビニ払い",
    CASH_ON_DELIVERY: "代金引換",
  },

  reasons: {
    NO_LONGER_NEEDED: "不要になった",
    ORDERED_BY_MISTAKE: "誤って注文した",
    FOUND_BETTER_PRICE: "より安い価格で見つけた",
    DELIVERY_TOO_SLOW: "お届けが遅すぎる",
    WRONG_ITEM_ORDERED: "注文する商品を間違えた",
    OTHER: "その他",
  },

  requestForm: {
    open: "キャンセルを申請",
    heading: "キャンセルの申請",
    items: "キャンセルする商品",
    itemsHint: "キャンセルしない商品は数量を0にしてください。",
    unitsLeft: (unitPrice, left) => `単価 ${unitPrice}・最大${left}点`,
    quantityInvalid: (title, left) => `「${title}」の数量は0～${left}の整数で入力してください。`,
    nothingChosen: "キャンセルする商品を1点以上選んでください。",
    preview: {
      heading: "返金額の見込み",
      loading: "返金額を計算中…",
      items: "商品代金",
      shipping: "送料",
      amount: "返金額",
      method: "返金方法",
      expectedBy: (range) => `本日承認された場合の返金予定日: ${range}`,
      approval: {
        POLICY: "販売者が承認すると、自動で承認されます。",
        OPERATOR: "販売者の承認後、運営スタッフが審査します。",
      },
      nothingChosen: "商品を選ぶと返金額が表示されます。",
    },
    reason: "理由",
    chooseReason: "選択してください",
    comment: "コメント",
    commentHint: "理由が「その他」のときは必須です（1000文字まで）。",
    submit: "申請を送信",
    cancel: "やめる",
    reasonRequired: "理由を選んでください。",
    commentRequired: "理由が「その他」のときはコメントを入力してください。",
    commentTooLong: "コメントは1000文字以内で入力してください。",
  },

  request: {
    heading: "キャンセル申請",
    status: "申請の状態",
    reason: "理由",
    comment: "コメント",
    createdAt: "申請日時",
    sellerDeadline: "販売者の回答期限",
    marketplaceDeadline: "マーケットプレイスの審査期限",
    refundRetryDeadline: "返金の再試行期限",
    rejection: "却下の理由",
    rejectedBy: { SELLER: "販売者が却下", MARKETPLACE: "マーケットプレイスが却下" },
    lines: "申請の対象商品",
    itemsAmount: "商品代金",
    shippingAmount: "送料",
    refund: "返金",
    refundAmount: "返金額",
    refundMethod: "返金方法",
    refundStatus: "返金の状況",
    refundedAt: "返金日時",
    expectedBy: "返金の予定日",
    expectedRange: (earliest, latest) =>
      earliest === latest ? earliest : `${earliest}～${latest}`,
    noRefundYet: "キャンセルが承認されると返金されます。",
    atProvider: "カード会社で返金処理中",
    reference: "返金照会番号",
    referenceHint: {
      buyer: "カード会社にこの番号をお伝えいただくと、返金の状況を確認できます。",
      staff: "購入者がカード会社にこの番号を伝えると、返金の状況を確認できます。",
    },
    reversed: "カード会社で返金が完了しませんでした。マーケットプレイスがあらためて返金します。",
    failureReasons: {
      expired_or_canceled_card:
        "返金先のカードの有効期限が切れているか、カードが解約されています。",
      lost_or_stolen_card: "返金先のカードは紛失・盗難の届け出により利用停止となっています。",
    },
    failureUnknown: "カード会社からは理由が示されていません。",
    late: {
      buyer:
        "お約束の日までに返金が完了しておらず、申し訳ございません。担当スタッフが確認を進めており、返金が完了しましたらメールでお知らせします。",
      staff:
        "遅延：購入者にお約束した日までに返金できていません。購入者にはお詫びを、運営スタッフには通知を送りました。",
    },
    inquiry: "返金の問い合わせ",
    inquiryOpen: (openedAt) =>
      `購入者から返金が届いていないとの問い合わせがありました（${openedAt}）。対応中です。`,
    inquiryClosed: (closedAt) => `回答済み（${closedAt}）。`,
    timeline: "経過",
    withdraw: "申請を取り下げる",
    refresh: "最新の状態に更新",
    withdrawn: "申請を取り下げました。",
    refuseDeliveryAdvice:
      "代金引換のため返金はありません。お届けの際に受け取りを辞退してください。",
    noRequest: "この注文にキャンセル申請はありません。",
  },

  requestStatus: {
    REQUESTED: "申請済み",
    AWAITING_SELLER: "販売者の回答待ち",
    AWAITING_MARKETPLACE: "マーケットプレイスの審査待ち",
    REFUND_PENDING: "返金処理中",
    COMPLETED: "完了",
    REJECTED: "却下",
    WITHDRAWN: "取り下げ済み",
    RETURN_REQUIRED: "返品が必要",
    REFUND_FAILED: "返金失敗",
  },

  refundStatus: {
    PENDING: "処理中",
    SUCCEEDED: "返金済み",
    FAILED: "失敗（運営スタッフが対応します）",
    NOT_REQUIRED: "返金は不要です",
  },

  timelineTypes: {
    ORDER_IMPORTED: "注文を受け付けました",
    SHIPPED: "発送されました",
    DELIVERED: "お届けしました",
    CANCELLED: "注文がキャンセルされました",
    REQUESTED: "キャンセルが申請されました",
    SELLER_NOTIFIED: "販売者に通知しました",
    SELLER_REMINDED: "販売者に回答を催促しました",
    SELLER_APPROVED: "販売者が承認しました",
    SELLER_REJECTED: "販売者が却下しました",
    SELLER_TIMED_OUT: "販売者の回答期限が過ぎました",
    MARKETPLACE_APPROVED: "マーケットプレイスが承認しました",
    MARKETPLACE_REJECTED: "マーケットプレイスが却下しました",
    REFUND_INSTRUCTED: "マーケットプレイスが返金を開始しました（販売者に通知）",
    REFUND_SUCCEEDED: "返金しました",
    REFUND_FAILED: "返金できませんでした",
    REFUND_RETRIED: "返金を再試行しました",
    REFUND_REVERSED: "カード会社で返金が取り消されました",
    REFUND_LATE: "お約束の日までに返金が完了しませんでした",
    REFUND_INQUIRY_OPENED: "返金が届いていないとのお問い合わせを受け付けました",
    REFUND_INQUIRY_CLOSED: "返金のお問い合わせに回答しました",
    COMPLETED: "キャンセルが完了しました",
    WITHDRAWN: "申請が取り下げられました",
    RETURN_REQUIRED: "お届け済みのため返品が必要になりました",
    DELIVERY_REFUSED: "購入者が荷物の受け取りを辞退しました",
    RETURNING_TO_SENDER: "荷物が販売者へ返送中です",
    RETURNED_TO_SENDER: "荷物が販売者に戻りました",
    DELIVERED_AFTER_CANCELLATION: "キャンセル後に荷物が受け取られたため、返品をお願いしました",
    RETURN_RECEIVED: "返品が販売者に届きました",
    RETURN_OVERDUE: "返品の期限を過ぎました",
  },
  timelineFor: {
    buyer: {
      REFUND_INSTRUCTED: "マーケットプレイスが返金を開始しました",
      REFUND_FAILED: "返金が完了せず、運営スタッフが対応しています",
      REFUND_REVERSED: "カード会社で返金が完了しなかったため、あらためて返金します",
      DELIVERY_REFUSED: "荷物の受け取りを辞退されました",
      DELIVERED_AFTER_CANCELLATION:
        "キャンセル後に荷物が配達されました。キャンセルした商品を返送してください",
      RETURN_RECEIVED: "返品が販売者に届きました",
    },
    seller: {
      REFUND_INSTRUCTED: "マーケットプレイスが購入者への返金を開始しました（販売者の支払いは不要）",
    },
  },
  actors: { system: "システム", policy: "ポリシーにより自動" },
  by: (actor) => `（${actor}）`,

  time: {
    left: (duration) => `残り${duration}`,
    overdue: "期限切れ",
  },

  next: {
    heading: "今後の流れ",
    refundTo: { CARD: "ご購入時のクレジットカード", GIFT_CARD: "ギフト残高", POINTS: "ポイント" },
    refundToOriginal: "ご購入時のお支払い方法",
    when: (earliest, latest) => (earliest === latest ? earliest : `${earliest}～${latest}`),
    arrives: {
      CARD: (when) =>
        `カードのご利用明細には${when}に反映される見込みです（日付はカード会社によります）。`,
      GIFT_CARD: (when) => `ギフト残高には${when}に反映されます。`,
      POINTS: (when) => `ポイントは${when}に反映されます。`,
    },
    buyer: {
      sellerAnswers: (deadline) =>
        `販売者が${deadline}までに回答します。期限までに回答がない場合は、マーケットプレイスが判断します。`,
      thenRefund: (amount, to) =>
        `販売者とマーケットプレイスが承認すると、${to}へ${amount}を返金します。`,
      thenRefuse:
        "承認後、商品が届いたら受け取りを辞退してください（代金引換のため返金はありません）。",
      mailAtEachStep:
        "各段階でメールでお知らせします。マーケットプレイスが承認するまでは、申請を取り下げられます。",
      staffReview: (deadline) =>
        deadline
          ? `販売者が承認しました。マーケットプレイスの運営スタッフが${deadline}までに審査します。`
          : "販売者が承認しました。マーケットプレイスの運営スタッフが審査します。",
      policyApproves: "販売者が承認しました。マーケットプレイスが承認の手続きを進めています。",
      onceApproved: (amount, to) => `承認されると、${to}へ${amount}を返金します。`,
      mailOutcome: "結果はメールでお知らせします。承認までは申請を取り下げられます。",
      refunding: (amount, to) =>
        `キャンセルが承認され、マーケットプレイスが${to}へ${amount}を返金しています。完了したらメールでお知らせします。`,
      refundDelayed:
        "キャンセルは承認されましたが、返金がまだ完了していません。運営スタッフが対応しており、返金が済んだらメールでお知らせします。",
      refunded: (amount, to) => `キャンセルが完了し、${to}へ${amount}を返金しました。`,
      refundAgain: (deadline) =>
        `カード会社で返金が完了しなかったため、マーケットプレイスが${deadline ? `遅くとも${deadline}までに` : ""}あらためて返金します。お客様のお手続きは必要ありません。完了したらメールでお知らせします。`,
      nothingToRefund: "キャンセルが完了しました。代金引換のため、返金はありません。",
      refuseParcel: "商品が届いた場合は、受け取りを辞退してください。販売者へ返送されます。",
      acceptParcel: "ほかの商品は引き続きお届けします。お荷物はお受け取りください。",
      rejected: {
        SELLER:
          "販売者がキャンセルを承認しなかったため、ご注文はそのままお届けします。お受け取り後に不要な場合は、返品の手続きをご利用ください。",
        MARKETPLACE:
          "マーケットプレイスがキャンセルを承認しなかったため、ご注文はそのままお届けします。お受け取り後に不要な場合は、返品の手続きをご利用ください。",
      },
      returnRequired:
        "キャンセルが確定する前に商品が配達されたため、この申請による返金はありません。不要な場合は、注文履歴から返品の手続きをしてください。",
      withdrawn: "申請を取り下げました。ご注文はそのままお届けします。",
    },
    seller: {
      decide: (deadline) =>
        `${deadline}までに承認または却下してください。期限までに回答がない場合は、マーケットプレイスが判断します。`,
      ifYouApprove:
        "承認すると、マーケットプレイスが購入者へ返金します。販売者による返金の手続きは不要です。",
      staffReview: (deadline) =>
        deadline
          ? `マーケットプレイスの運営スタッフが${deadline}までに審査します。`
          : "マーケットプレイスの運営スタッフが審査します。",
      policyApproves: "マーケットプレイスが承認の手続きを進めています。",
      marketplaceRefunds: (amount) =>
        `承認後、マーケットプレイスが決済サービスを通じて購入者へ${amount}を返金し、販売者の売上から精算します。販売者による返金の手続きは不要です。`,
      refunding: (amount) =>
        `キャンセルが承認され、マーケットプレイスが購入者へ${amount}を返金しています（販売者の売上から精算）。販売者による返金の手続きは不要です。`,
      refunded: (amount) =>
        `キャンセルが完了し、マーケットプレイスが購入者へ${amount}を返金しました（販売者の売上から精算）。`,
      refundAgain:
        "カード会社で購入者への返金が完了しなかったため、マーケットプレイスがあらためて返金します。販売者の対応は不要です。",
      nothingToRefund: "代金引換の注文のため、返金はありません。",
      parcelComesBack:
        "購入者には受け取りを辞退するよう案内しています。返送された商品をお受け取りください。それ以外の対応は不要です。",
      parcelGoesOn: "ほかの商品は購入者へお届けします。お荷物への対応は不要です。",
      rejected:
        "注文は取り消されません。引き続き配送を進めてください。購入者にはメールでお知らせします。",
      withdrawn: "購入者が申請を取り下げました。注文は取り消されず、対応は不要です。",
      returnRequired:
        "キャンセルが確定する前に商品が配達されたため、キャンセルではなく返品として扱われます。この申請による返金はありません。",
    },
    operator: {
      sellerAnswers: (deadline) =>
        `販売者が${deadline}までに回答します。その後、ポリシーまたは運営スタッフの審査でマーケットプレイスが判断します。`,
      decide: (deadline) =>
        deadline
          ? `${deadline}までに承認または却下してください。期限を過ぎると、ポリシーにより自動で判断されます。`
          : "承認または却下してください。",
      policyApproves: "ポリシーにより自動で承認されます。",
      bothMailed: "購入者と販売者にはメールでお知らせします。",
      refunding: (amount, method) =>
        `${method}への${amount}の返金を処理しています。失敗した場合は「返金の失敗」に表示されます。`,
      refundingAgain: (amount, method) =>
        `${method}への${amount}の返金をあらためて処理しています。失敗した場合は運営スタッフにメールでお知らせします。`,
      retry: "同じ方法で返金を再試行するか、ギフト残高で返金してください。",
      reversed:
        "成功した返金がカード会社で失敗しました。キャンセルは完了のままですが、購入者には返金されていません。",
      systemActs: (deadline) => `${deadline}までに対応がない場合は、システムが自動で対応します。`,
      completed:
        "返金とキャンセルが完了し、購入者と販売者にメールでお知らせしました。対応は不要です。",
      closed: "申請は終了し、購入者と販売者にメールでお知らせしました。対応は不要です。",
    },
  },

  queue: {
    sellerHeading: "キャンセル申請",
    sellerIntro: "回答期限が近い順に並んでいます。",
    reviewHeading: "審査待ち",
    reviewIntro: "ポリシーで自動承認されなかった申請です。審査期限が近い順に並んでいます。",
    failuresHeading: "返金の失敗",
    failuresIntro:
      "返金できなかった申請です。同じ方法で再試行するか、ギフト残高として返金してください。",
    empty: "対応が必要な申請はありません。",
    listLabel: "申請",
    item: (orderId) => `注文 ${orderId}`,
    lines: "対象商品",
    moreLines: (n) => `ほか${n}点の商品`,
    amount: "金額",
    deadline: "期限",
    approve: "承認",
    reject: "却下",
    rejectReason: "却下の理由",
    confirmReject: "却下を確定",
    cancel: "やめる",
    rejectReasonRequired: "却下の理由を入力してください。",
    approved: (orderId) => `注文 ${orderId} の申請を承認しました。`,
    rejected: (orderId) => `注文 ${orderId} の申請を却下しました。`,
    retryRefund: "返金を再試行",
    refundAsGift: "ギフト残高で返金",
    retried: (orderId) => `注文 ${orderId} の返金を再試行しました。`,
    lastFailure: "失敗の内容",
    wholeComment: "コメント全文を見る",
    attempts: (n) => `試行${n}回`,
    reload: "一覧を更新",
  },

  inquiry: {
    heading: "返金が届いていませんか？",
    intro: (latest) =>
      `返金は${latest}までにお届けする予定でした。まだ届いていない場合はお知らせください。担当スタッフが決済会社に確認します。`,
    message: "メッセージ（任意）",
    messageHint: "カードの明細の状況などをお書きください。",
    submit: "返金が届いていません",
    messageTooLong: "メッセージは1,000文字以内で入力してください。",
    open: (openedAt) =>
      `${openedAt}に、返金が届いていないとのお知らせを承りました。担当スタッフが確認しています。`,
    answered: (closedAt) => `担当スタッフからの回答（${closedAt}）：`,
    askAgain: "それでも返金が届かない場合は、もう一度お知らせください。",
  },

  inquiries: {
    heading: "返金の問い合わせ",
    intro:
      "完了したキャンセルの返金が届いていないという購入者からの問い合わせです（古い順）。決済会社で返金を確認し、メモを添えて問い合わせを閉じてください。メモは購入者も読みます。",
    empty: "対応待ちの返金の問い合わせはありません。",
    listLabel: "対応待ちの返金の問い合わせ",
    item: (orderId) => `注文 ${orderId}`,
    openedAt: "問い合わせ日時",
    message: "購入者からのメッセージ",
    provider: "決済サービス",
    providers: { ledger: "マーケットプレイスの台帳", stripe: "Stripe" },
    refundId: "返金ID",
    providerRefundId: "決済サービスの返金ID",
    reference: "返金照会番号",
    amount: "金額",
    method: "返金方法",
    refundStatus: "返金の状況",
    expectedBy: "お約束の期日",
    late: "遅延：お約束の期日までに返金できていません",
    note: "メモ",
    noteHint: "確認した内容や対応をお書きください。購入者も読みます。",
    close: "問い合わせを閉じる",
    noteRequired: "問い合わせを閉じる前にメモを入力してください。",
    noteTooLong: "メモは1,000文字以内で入力してください。",
    closed: (orderId) => `注文 ${orderId} の返金の問い合わせを閉じました。`,
    reload: "一覧を再読み込み",
  },

  parcels: {
    heading: "荷物",
    intro:
      "キャンセルされた注文のうち、まだ手元に戻っていない荷物です。キャンセル後に受け取られた荷物は、表示の期限までに返送するよう購入者に案内しています。",
    filter: "荷物の状況",
    all: "すべて",
    empty: "キャンセルされた荷物はすべて手元に戻っています。",
    emptyFiltered: (status) => `「${status}」の荷物はありません。`,
    listLabel: "戻っていない荷物",
    order: "注文",
    carrier: "配送業者",
    trackingNumber: "追跡番号",
    units: "キャンセルされた商品",
    status: "荷物の状況",
    since: "更新日時",
    returnDue: "返品の返送期限",
    reload: "一覧を更新",
  },

  shipment: {
    heading: "発送の登録",
    intro: "発送した注文の配送業者と追跡番号を登録します。",
    orderId: "注文番号",
    carrier: "配送業者",
    trackingNumber: "追跡番号",
    submit: "発送を登録",
    saved: (orderId) => `注文 ${orderId} を発送済みにしました。`,
    required: "注文番号・配送業者・追跡番号をすべて入力してください。",
  },

  performance: {
    heading: "実績",
    operatorHeading: "販売者の実績",
    fairness:
      "購入者の都合（気が変わった等）によるキャンセル申請は、販売者の評価には含まれません。",
    rateRule:
      "キャンセル率に数えるのは、販売者に原因がある完了したキャンセルだけです。購入者が「お届けが遅すぎる」を理由に申請し、注文が発送期限を過ぎてから発送されていた場合がこれにあたります。配送業者による遅れは販売者の原因ではありません。回答期限を過ぎた申請は、キャンセルとしてではなく回答の実績として表示します。",
    window: (from, to) => `${from}〜${to}（日本時間）`,
    orders: "注文数",
    rate: "販売者に原因があるキャンセル率",
    rateOf: (sellerCaused, orders) =>
      `注文${orders}件のうち、販売者に原因があるキャンセル${sellerCaused}件`,
    cancellations: "キャンセル申請",
    cancellationsIntro: "この期間に終了したキャンセル申請です（終了のしかたを問いません）。",
    byFault: "原因",
    byOutcome: "結果",
    byReason: "理由",
    fault: {
      NONE: "購入者の都合（評価に含まれません）",
      SELLER: "販売者（発送期限を過ぎた発送）",
      CARRIER: "配送業者（配送の遅れ）",
    },
    responses: "キャンセル申請への回答",
    responsesIntro: "この期間にキャンセル申請に回答した実績です。",
    answered: "回答数",
    withinDeadline: "期限内の回答",
    timedOut: "期限切れ（回答なし）",
    median: "標準的な回答時間（中央値）",
    p90: "9割の回答にかかった時間",
    noAnswers: "まだ回答がありません",
    about: (duration) => `約${duration}`,
    chartHeading: "直近30日間",
    chartSummary: (days, orders, cancellations, sellerCaused) =>
      `${days}日間の棒グラフ: 注文${orders}件、終了したキャンセル申請${cancellations}件（うち販売者に原因があるもの${sellerCaused}件）。`,
    legendOrders: "注文数",
    legendCancellations: "終了したキャンセル申請",
    legendSellerCaused: "販売者に原因があるもの",
    byDay: "日ごとの数値",
    date: "日付",
    reload: "数値を更新",
    sellerId: "販売者 ID",
    submit: "実績を表示",
    required: "販売者 ID を入力してください。",
  },

  find: {
    heading: "注文の検索",
    orderId: "注文番号",
    submit: "検索",
    required: "注文番号を入力してください。",
    activeRequest: "処理中のキャンセル申請",
    noActiveRequest: "処理中のキャンセル申請はありません。",
  },

  errors: {
    heading: "エラー",
    VALIDATION_FAILED: "入力内容に誤りがあります。",
    UNAUTHORIZED: "サインインの有効期限が切れました。もう一度サインインしてください。",
    FORBIDDEN: "この操作を行う権限がありません。",
    NOT_FOUND: "見つかりませんでした。番号をご確認ください。",
    NOT_SHIPPED:
      "この注文はまだ発送されていません。発送前の注文は通常の注文キャンセルをご利用ください。",
    RETURN_REQUIRED: "お届け済みのため、キャンセルできません。返品の手続きをご利用ください。",
    WINDOW_CLOSED: "発送から一定期間が過ぎたため、キャンセルを申請できません。",
    ACTIVE_REQUEST_EXISTS: "この注文にはすでに処理中のキャンセル申請があります。",
    INVALID_STATE: "申請の状態が変わったため、この操作はできません。最新の状態に更新してください。",
    ORDER_CONFLICT: "同じ注文番号で内容の異なる注文がすでにあります。",
    IDEMPOTENCY_KEY_MISMATCH:
      "この申請は別の内容ですでに送信されています。ページを更新して状態をご確認ください。",
    NOTHING_TO_CANCEL: "この注文の商品はすべてキャンセル済みです。",
    PARTIAL_NOT_SUPPORTED:
      "代金引換の注文は一部だけキャンセルすることはできません。お届けの際に受け取りをお断りください。",
    PAYLOAD_TOO_LARGE: "送信する内容が大きすぎます。",
    UNAVAILABLE: "ただいま混み合っています。内容は保存されていません。",
    INTERNAL_ERROR: "サーバーでエラーが発生しました。しばらくしてからもう一度お試しください。",
    unknown: (status) => `エラーが発生しました（HTTP ${status}）。`,
    network: "サーバーに接続できませんでした。通信環境をご確認のうえ、もう一度お試しください。",
    retryIn: (seconds) => `${seconds}秒後にもう一度お試しください。`,
    retrySoon: "しばらくしてからもう一度お試しください。",
    fieldError: (field, message) => `${field}: ${message}`,
    keptValues: "入力した内容はそのまま残っています。",
  },
};
