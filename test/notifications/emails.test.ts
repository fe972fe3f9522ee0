// The notification mail (functions/notifications): every template in both languages names the order
// and is safe (no user text in a subject, everything escaped in HTML), and what each says: the
// lines and units the request cancels, amounts (items and shipping) and dates as the shared
// formatter writes them, the wording of each case.
import { describe, expect, it } from "vitest";
import {
  amountOf,
  cancellationAmounts,
  type LineQuantity,
} from "../../functions/domain/amounts.ts";
import { CANCELLATION_REASONS } from "../../functions/domain/codes.ts";
import { EMAIL_TEMPLATES, type EmailTemplate } from "../../functions/domain/notices.ts";
import { DEFAULT_POLICY, type Policy } from "../../functions/domain/policy.ts";
import { newRefund } from "../../functions/domain/refund.ts";
import type {
  CancellationRequest,
  Locale,
  OrderRecord,
  PaymentMethod,
  Refund,
  RefundMethod,
} from "../../functions/domain/types.ts";
import { escapeHtml } from "../../functions/notifications/escape.ts";
import { renderEmail } from "../../functions/notifications/render.ts";
import { makeOrder, makeRecord, makeRequest, type OrderOverrides } from "../support/factories.ts";

const LOCALES: Locale[] = ["ja", "en"];

const ATTACK = "<script>alert(1)</script>";
const ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;";
const APPROVED_AT = "2026-11-20T16:00:00.000Z";
const NOW = "2026-11-22T12:00:00.000Z";
const KANA = /[\u3040-\u30ff]/;

/**
 * A record whose request has been through every stage, so each template has data to show. The
 * request covers the whole order unless `requestOverrides` names its lines and amounts; its refund
 * is what it covers. Unless the order names one, it has a return of all its units (the return's
 * mail has something to show; the others do not read it).
 */
const fullRecord = (
  orderOverrides: OrderOverrides = {},
  requestOverrides: Partial<CancellationRequest> = {},
): OrderRecord => {
  const order = makeOrder(orderOverrides);
  if (!("return" in orderOverrides)) {
    order.return = {
      status: "REQUESTED",
      lines: order.lines.map(({ lineId, quantity }) => ({ lineId, quantity })),
      dueBy: "2026-12-06T03:00:00.000Z",
      openedAt: "2026-11-22T03:00:00.000Z",
      closedAt: null,
    };
  }
  const request = makeRequest(order, {
    reason: "OTHER",
    comment: `${ATTACK}\n2行目`,
    createdAt: "2026-11-20T10:00:00.000Z",
    marketplaceDeadline: "2026-11-25T10:00:00.000Z",
    refundRetryDeadline: "2026-11-28T10:00:00.000Z",
    rejection: { by: "SELLER", reason: ATTACK, at: "2026-11-21T10:00:00.000Z" },
    ...requestOverrides,
  });
  if (!("refund" in requestOverrides)) {
    request.refund = {
      ...newRefund(order, DEFAULT_POLICY, APPROVED_AT, amountOf(request)),
      refundId: "rf-req-1",
      attempts: 1,
    };
  }
  return makeRecord(order, [request]);
};

/** The mail about the order's return, which lists the return's units (parcel-emails.test.ts). */
const ABOUT_THE_RETURN: EmailTemplate[] = [
  "BUYER_RETURN_INSTRUCTIONS",
  "SELLER_PARCEL_KEPT",
  "BUYER_RETURN_RECEIVED",
  "OPERATOR_RETURN_OVERDUE",
];
/** Every other template but the one about a mail that could not be sent speaks of the request. */
const ABOUT_THE_REQUEST = EMAIL_TEMPLATES.filter(
  (template) => template !== "OPERATOR_MAIL_FAILED" && !ABOUT_THE_RETURN.includes(template),
);
/** The templates that tell an amount (unless the order is cash on delivery). */
const WITH_AMOUNT: EmailTemplate[] = [
  "BUYER_APPROVED",
  "BUYER_REFUND_COMPLETED",
  "SELLER_REFUND_INSTRUCTION",
  "OPERATOR_ESCALATION",
  "OPERATOR_REFUND_FAILED",
];

/**
 * Two lines, two mugs and a plate (¥3,000 + ¥2,000), shipping ¥500, paid ¥4,900 after a ¥600
 * coupon: the items were paid ¥4,400, shipping ¥500.
 */
const twoLines = (locale: Locale): OrderOverrides => ({
  locale,
  lines: [
    {
      lineId: "l1",
      sku: "MUG",
      title: locale === "ja" ? "マグカップ" : "Mug",
      quantity: 2,
      unitPrice: 1500,
    },
    {
      lineId: "l2",
      sku: "PLT",
      title: locale === "ja" ? "プレート" : "Plate",
      quantity: 1,
      unitPrice: 2000,
    },
  ],
  shippingFee: 500,
  payment: { paidAmount: 4900 },
});

/**
 * A record of the two-line order whose request cancels `lines` (default: one mug) under `policy`:
 * one mug is floor(1500 × 4400 ÷ 5000) = ¥1,320 of items; shipping ¥0 by default, ¥150 prorated.
 */
const partialRecord = (
  locale: Locale,
  lines: LineQuantity[] = [{ lineId: "l1", quantity: 1 }],
  policy: Policy = DEFAULT_POLICY,
  requestOverrides: Partial<CancellationRequest> = {},
): OrderRecord => {
  const order = twoLines(locale);
  const terms = cancellationAmounts(makeOrder(order), lines, { items: 0, shipping: 0 }, policy);
  return fullRecord(order, { policy, ...terms, ...requestOverrides });
};

describe("renderEmail: every template in every locale", () => {
  for (const locale of LOCALES) {
    for (const template of EMAIL_TEMPLATES) {
      it(`${template} (${locale}) names the order and is safe`, () => {
        const email = renderEmail(template, fullRecord({ locale }), "req-1", NOW);

        expect(email.subject).toContain("o-1001");
        expect(email.text).toContain("o-1001");
        expect(email.html).toContain("o-1001");
        expect(email.subject).not.toMatch(/[\r\n]/);
        expect(email.subject).not.toMatch(/script|alert|ワイヤレス/);
        expect(email.html).not.toContain("<script>");
        expect(email.html).toMatch(/^<!DOCTYPE html>/);
        expect(email.html).toContain(`lang="${locale}"`);

        if (locale === "ja") {
          expect(email.subject).toMatch(KANA);
          expect(email.text).toMatch(KANA);
        } else {
          expect(email.subject).toMatch(/^[\x20-\x7e]+$/);
          expect(email.text).not.toMatch(/[\u3040-\u309f]/); // no hiragana outside user text
        }
      });
    }
  }
});

describe("renderEmail: content", () => {
  it("escapes the buyer's comment in html and keeps it plain in text", () => {
    const email = renderEmail("SELLER_NEW_REQUEST", fullRecord(), "req-1", NOW);
    expect(email.html).toContain(ESCAPED);
    expect(email.html).not.toContain(ATTACK);
    expect(email.text).toContain(ATTACK);
    expect(email.text).toContain("その他");
    expect(email.text).toContain("2026年11月22日(日) 19:00（日本時間）");
  });

  it("escapes the rejection reason in html", () => {
    const email = renderEmail("BUYER_REJECTED", fullRecord({ locale: "en" }), "req-1", NOW);
    expect(email.html).toContain(ESCAPED);
    expect(email.html).not.toContain(ATTACK);
    expect(email.text).toContain("declined by the seller");
  });

  it("escapes order line titles in html in every mail that names them, never in a subject", () => {
    const record = fullRecord({
      lines: [
        { lineId: "l1", sku: "S", title: `"><img src=x>`, quantity: 1, unitPrice: 3000 },
        { lineId: "l2", sku: "T", title: "Tea & <b>Cups</b>", quantity: 2, unitPrice: 1000 },
      ],
    });
    for (const template of ABOUT_THE_REQUEST) {
      const email = renderEmail(template, record, "req-1", NOW);
      expect(email.html, template).toContain(
        "&quot;&gt;&lt;img src=x&gt; × 1<br>Tea &amp; &lt;b&gt;Cups&lt;/b&gt; × 2",
      );
      expect(email.html, template).not.toMatch(/<img|<b>/);
      expect(email.text, template).toContain(`"><img src=x> × 1\n  Tea & <b>Cups</b> × 2`);
      expect(email.subject, template).not.toMatch(/img|Cups/);
    }
  });

  it("tells the buyer the refund amount, method and expected dates (ja)", () => {
    const email = renderEmail("BUYER_APPROVED", fullRecord(), "req-1", NOW);
    expect(email.subject).toBe(
      "【発送済みキャンセル】キャンセルが承認されました（注文番号: o-1001）",
    );
    expect(email.text).toContain("返金額: ¥5,480");
    expect(email.text).toContain("クレジットカード");
    expect(email.text).toContain("2026年11月26日(木)～2026年12月7日(月)");
    expect(email.html).toContain("¥5,480");
  });

  it("formats USD amounts with cents and English dates (en)", () => {
    const record = fullRecord({
      locale: "en",
      currency: "USD",
      shippingFee: 500,
      lines: [{ lineId: "l1", sku: "S", title: "Mug", quantity: 1, unitPrice: 734 }],
      payment: { paidAmount: 1234 },
    });
    const email = renderEmail("BUYER_APPROVED", record, "req-1", NOW);
    expect(email.subject).toBe("Your cancellation was approved (order o-1001)");
    expect(email.text).toContain("$12.34");
    expect(email.text).toContain("Wed, Nov 25, 2026 to Fri, Dec 4, 2026");
  });

  it("explains the gift-balance refund of a convenience-store payment", () => {
    const email = renderEmail(
      "BUYER_APPROVED",
      fullRecord({ payment: { method: "CONVENIENCE_STORE" } }),
      "req-1",
      NOW,
    );
    expect(email.text).toContain("ギフトカード残高");
  });

  it.each(LOCALES)("tells a cash-on-delivery buyer to refuse the delivery (%s)", (locale) => {
    const record = fullRecord({ locale, payment: { method: "CASH_ON_DELIVERY" } });
    const email = renderEmail("BUYER_APPROVED", record, "req-1", NOW);
    if (locale === "ja") {
      expect(email.text).toContain("返金の必要はありません");
      expect(email.text).toContain("受け取りを拒否");
    } else {
      expect(email.text).toContain("no refund is needed");
      expect(email.text).toContain("refuse the delivery");
    }
    expect(email.text).not.toContain("¥");
  });

  it("shows the seller's deadline and time left in the reminder", () => {
    // The deadline is 2026-11-22T10:00Z (48 hours after the request).
    const record = fullRecord({ locale: "en" });
    const email = renderEmail("SELLER_REMINDER", record, "req-1", "2026-11-22T00:00:00.000Z");
    expect(email.text).toContain("Sun, Nov 22, 2026, 19:00 JST (UTC+9)");
    expect(email.text).toContain("about 10 hours left");
  });

  it("names the final status in the seller outcome", () => {
    const record = fullRecord({}, { status: "RETURN_REQUIRED" });
    const email = renderEmail("SELLER_OUTCOME", record, "req-1", NOW);
    expect(email.text).toContain("配達済みのため返品扱い");
  });

  it("gives operators the refund id and amount of a failed refund", () => {
    const record = fullRecord({ locale: "en" }, { status: "REFUND_FAILED" });
    const email = renderEmail("OPERATOR_REFUND_FAILED", record, "req-1", NOW);
    expect(email.text).toContain("Refund ID: rf-req-1");
    expect(email.text).toContain("¥5,480");
    expect(email.text).toContain("retry");
  });

  it("gives operators the marketplace deadline of an escalation", () => {
    const record = fullRecord({}, { status: "AWAITING_MARKETPLACE", refund: null });
    const email = renderEmail("OPERATOR_ESCALATION", record, "req-1", NOW);
    expect(email.text).toContain("2026年11月25日(水) 19:00（日本時間）");
    expect(email.text).toContain("¥5,480");
  });

  it("leaves out the idempotency key and request hash", () => {
    const record = fullRecord(
      {},
      { idempotencyKey: "secret-key-123", requestHash: "h".repeat(64) },
    );
    for (const template of EMAIL_TEMPLATES) {
      const email = renderEmail(template, record, "req-1", NOW);
      expect(JSON.stringify(email)).not.toMatch(/secret-key-123|hhhhhhhh/);
    }
  });

  it("throws for a request that is not in the record", () => {
    const record = fullRecord();
    expect(() => renderEmail("BUYER_APPROVED", record, "req-404", NOW)).toThrow(Error);
    expect(() => renderEmail("BUYER_APPROVED", record, "constructor", NOW)).toThrow(Error);
  });
});

describe("renderEmail: the console's words", () => {
  // One vocabulary with the console (console/src/messages): the seller is 販売者 (as in the origin
  // article) and "seller", a request is 申請, operators are 運営スタッフ, and the seller decides
  // under "Cancellation requests" (キャンセル申請), the console's own link.
  it.each(LOCALES)(
    "every mail speaks of the seller, the request and the staff as the console does (%s)",
    (locale) => {
      for (const template of EMAIL_TEMPLATES) {
        const email = renderEmail(template, fullRecord({ locale }), "req-1", NOW);
        const all = `${email.subject}\n${email.text}`;
        if (locale === "ja") {
          expect(all, template).not.toMatch(/出品者|セラー|リクエスト|運用担当/);
        } else {
          expect(all, template).not.toMatch(/Seller Central|seller console/i);
        }
      }
      const newRequest = renderEmail("SELLER_NEW_REQUEST", fullRecord({ locale }), "req-1", NOW);
      expect(newRequest.text).toContain(
        locale === "ja"
          ? "コンソールの「キャンセル申請」で承認または却下"
          : "under Cancellation requests in the console",
      );
      const greeting = renderEmail("SELLER_OUTCOME", fullRecord({ locale }), "req-1", NOW);
      expect(greeting.text).toMatch(locale === "ja" ? /^販売者様/ : /^Dear seller,/);
    },
  );
});

describe("renderEmail: money wording", () => {
  it.each(LOCALES)("the seller's refund instruction asks for no refund by hand (%s)", (locale) => {
    const email = renderEmail("SELLER_REFUND_INSTRUCTION", fullRecord({ locale }), "req-1", NOW);
    if (locale === "ja") {
      expect(email.text).toContain(
        "マーケットプレイスが決済サービスを通じて購入者のお支払い方法へ返金します",
      );
      expect(email.text).toContain("販売者様による返金のお手続きは不要です");
      expect(email.text).toContain("返金額は販売者様の売上から精算されます");
      expect(email.text).not.toMatch(/返金してください|返金をお願い/);
      expect(email.text).toContain("返金額: ¥5,480");
      expect(email.text).toContain("返金ID: rf-req-1");
    } else {
      expect(email.text).toContain("The marketplace refunds the amount below");
      expect(email.text).toContain("through its payment provider");
      expect(email.text).toContain("You do not need to refund anything yourself");
      expect(email.text).toContain("settled against your seller account");
      expect(email.text).not.toMatch(/please refund|refund the buyer/i);
      expect(email.text).toContain("Refund amount: ¥5,480");
      expect(email.text).toContain("Refund ID: rf-req-1");
    }
  });

  /** A completed request whose refund went to `method` under its second key. */
  const completedTo = (locale: Locale, payment: PaymentMethod, method: RefundMethod) => {
    const record = fullRecord({ locale, payment: { method: payment } });
    const request = record.requests["req-1"] as CancellationRequest;
    request.status = "COMPLETED";
    request.refund = {
      ...(request.refund as Refund),
      method,
      refundId: "rf-req-1-2",
      status: "SUCCEEDED",
    };
    return renderEmail("BUYER_REFUND_COMPLETED", record, "req-1", NOW);
  };

  it("tells the buyer of a card payment refunded as gift balance why (ja)", () => {
    const email = completedTo("ja", "CARD", "GIFT_CARD");
    expect(email.text).toContain(
      "ご購入時のお支払い方法へは返金できなかったため、ギフトカード残高として返金しました。",
    );
    expect(email.text).toContain("返金方法: ギフトカード残高");
    expect(email.html).toContain("ギフトカード残高として返金しました");
  });

  it("tells the buyer of a card payment refunded as gift balance why (en)", () => {
    const email = completedTo("en", "CARD", "GIFT_CARD");
    expect(email.text).toContain(
      "Your original payment method could not receive the refund, so it was refunded as Gift card balance.",
    );
    expect(email.text).toContain("Refund method: Gift card balance");
  });

  it("names the policy's other fallback, points, the same way", () => {
    expect(completedTo("en", "CARD", "POINTS").text).toContain("so it was refunded as Points.");
  });

  it.each([
    ["CARD", "CARD"],
    ["CONVENIENCE_STORE", "GIFT_CARD"],
    ["GIFT_CARD", "GIFT_CARD"],
  ] as const)("adds no such sentence when a %s payment went back as %s", (payment, method) => {
    for (const locale of LOCALES) {
      const email = completedTo(locale, payment, method);
      expect(email.text).not.toContain("返金できなかったため");
      expect(email.text).not.toContain("could not receive the refund");
    }
  });

  /** A failed refund, declined or not, under a policy with `fallback`. */
  const failedRefund = (
    locale: Locale,
    declined: boolean,
    fallback: Policy["refundFallbackMethod"],
  ) => {
    const policy = { ...DEFAULT_POLICY, refundFallbackMethod: fallback };
    const record = fullRecord({ locale }, { status: "REFUND_FAILED", policy });
    const request = record.requests["req-1"] as CancellationRequest;
    request.refund = { ...(request.refund as Refund), status: "FAILED", declined };
    return renderEmail("OPERATOR_REFUND_FAILED", record, "req-1", NOW);
  };

  it("explains a decline and the fallback to operators (ja)", () => {
    const email = failedRefund("ja", true, "GIFT_CARD");
    expect(email.text).toContain("決済サービスが返金を拒否しました");
    expect(email.text).toContain("ギフトカード残高での返金");
    expect(email.text).toContain(
      "2026年11月28日(土) 19:00（日本時間）までに対応がない場合は、ギフトカード残高として返金します。",
    );
    expect(email.text).not.toContain("自動で再試行");
    expect(failedRefund("ja", true, "POINTS").text).toContain("ポイントとして返金します。");
  });

  it("explains a decline and the fallback to operators (en)", () => {
    const email = failedRefund("en", true, "GIFT_CARD");
    expect(email.text).toContain("declined it for good");
    expect(email.text).toContain("or refund it as gift balance");
    expect(email.text).toContain(
      "If nobody acts by Sat, Nov 28, 2026, 19:00 JST (UTC+9), it is refunded as Gift card balance.",
    );
    expect(email.text).not.toContain("retry it automatically");
    expect(failedRefund("en", true, "POINTS").text).toContain("it is refunded as Points.");
  });

  it.each(LOCALES)("says a transient failure is retried by the system (%s)", (locale) => {
    const email = failedRefund(locale, false, "GIFT_CARD");
    if (locale === "ja") {
      expect(email.text).toContain("システムが自動で再試行します");
      expect(email.text).not.toContain("拒否");
    } else {
      expect(email.text).toContain("the system will retry it automatically");
      expect(email.text).not.toContain("declined");
    }
  });

  it.each([
    ["ja", "【発送済みキャンセル】通知メールを送信できませんでした（注文番号: o-1001）"],
    ["en", "A notification could not be sent (order o-1001)"],
  ] as const)("tells operators of a mail that could not be sent (%s)", (locale, subject) => {
    const email = renderEmail("OPERATOR_MAIL_FAILED", fullRecord({ locale }), "req-1", NOW);
    expect(email.subject).toBe(subject);
    expect(email.text).toContain("o-1001");
    expect(email.text).toContain(locale === "ja" ? "申請ID: req-1" : "Request ID: req-1");
    expect(email.text).toContain(locale === "ja" ? "運営スタッフ各位" : "Hello operators,");
  });
});

describe("the lines a request cancels", () => {
  it.each(LOCALES)(
    "a partial request of a two-line order names only its line and quantity (%s)",
    (locale) => {
      const record = partialRecord(locale);
      const [label, named, other] =
        locale === "ja" ? ["対象商品", "マグカップ", "プレート"] : ["Items", "Mug", "Plate"];
      for (const template of ABOUT_THE_REQUEST) {
        const email = renderEmail(template, record, "req-1", NOW);
        expect(email.text, template).toContain(`\n${label}: ${named} × 1\n`);
        expect(email.html, template).toContain(`${named} × 1</td>`);
        expect(email.text, template).not.toContain(other);
        expect(email.html, template).not.toContain(other);
        expect(email.text, template).not.toContain(`${named} × 2`);
      }
    },
  );

  it("lists every line of a whole-order request, one a line", () => {
    const record = fullRecord(twoLines("ja"));
    const email = renderEmail("BUYER_REQUEST_RECEIVED", record, "req-1", NOW);
    expect(email.text).toContain("対象商品: マグカップ × 2\n  プレート × 1\n");
    expect(email.html).toContain("マグカップ × 2<br>プレート × 1");
  });

  it("says the request covers some of the order's items (ja, en)", () => {
    const ja = renderEmail("SELLER_NEW_REQUEST", partialRecord("ja"), "req-1", NOW);
    expect(ja.text).toContain("購入者から一部の商品のキャンセル申請が届きました。");
    const en = renderEmail("BUYER_REQUEST_RECEIVED", partialRecord("en"), "req-1", NOW);
    expect(en.text).toContain("your request to cancel some items of order o-1001,");
    const whole = renderEmail("SELLER_NEW_REQUEST", fullRecord(twoLines("ja")), "req-1", NOW);
    expect(whole.text).toContain("購入者からキャンセル申請が届きました。");
  });
});

describe("what is refunded for items and for shipping", () => {
  it.each([
    ["ja", "返金額: ¥5,480（商品 ¥4,980、送料 ¥500）"],
    ["en", "Refund amount: ¥5,480 (items ¥4,980, shipping ¥500)"],
  ] as const)("every mail with an amount splits it (%s)", (locale, said) => {
    for (const template of WITH_AMOUNT) {
      const email = renderEmail(template, fullRecord({ locale }), "req-1", NOW);
      expect(email.text, template).toContain(said);
      expect(email.html, template).toContain(said.split(": ")[1]);
    }
  });

  it.each([
    ["ja", DEFAULT_POLICY, "返金額: ¥1,320（商品 ¥1,320、送料 ¥0）"],
    ["en", DEFAULT_POLICY, "Refund amount: ¥1,320 (items ¥1,320, shipping ¥0)"],
    [
      "ja",
      { ...DEFAULT_POLICY, partialShippingRefund: "PRORATED" },
      "返金額: ¥1,470（商品 ¥1,320、送料 ¥150）",
    ],
    [
      "en",
      { ...DEFAULT_POLICY, partialShippingRefund: "PRORATED" },
      "Refund amount: ¥1,470 (items ¥1,320, shipping ¥150)",
    ],
  ] as const)("a partial request's are its own (%s, %o)", (locale, policy, said) => {
    const record = partialRecord(locale, undefined, policy);
    for (const template of WITH_AMOUNT) {
      expect(renderEmail(template, record, "req-1", NOW).text, template).toContain(said);
    }
  });

  it("shows the amounts a request not yet approved would refund", () => {
    const policy: Policy = { ...DEFAULT_POLICY, partialShippingRefund: "PRORATED" };
    const record = partialRecord("en", undefined, policy, {
      status: "AWAITING_MARKETPLACE",
      refund: null,
    });
    const email = renderEmail("OPERATOR_ESCALATION", record, "req-1", NOW);
    expect(email.text).toContain("Refund amount: ¥1,470 (items ¥1,320, shipping ¥150)");
  });

  it.each(LOCALES)(
    "cash on delivery names the lines and explains refusal, no amounts (%s)",
    (locale) => {
      const record = fullRecord({ ...twoLines(locale), payment: { method: "CASH_ON_DELIVERY" } });
      for (const template of WITH_AMOUNT) {
        const email = renderEmail(template, record, "req-1", NOW);
        expect(email.text, template).not.toMatch(/¥|返金額|Refund amount/);
        expect(email.text, template).toContain(locale === "ja" ? "マグカップ × 2" : "Mug × 2");
      }
      const approved = renderEmail("BUYER_APPROVED", record, "req-1", NOW);
      expect(approved.text).toContain(locale === "ja" ? "受け取りを拒否" : "refuse the delivery");
    },
  );
});

describe("the parcel after a partial cancellation", () => {
  it.each([
    ["ja", "お荷物はお受け取りください", "受け取りを拒否"],
    ["en", "please accept the parcel", "refuse the delivery"],
  ] as const)(
    "the buyer keeps the parcel the rest of the order is in (%s)",
    (locale, keep, refuse) => {
      const approved = renderEmail("BUYER_APPROVED", partialRecord(locale), "req-1", NOW);
      expect(approved.text).toContain(keep);
      expect(approved.text).not.toContain(refuse);
      const instruction = renderEmail(
        "SELLER_REFUND_INSTRUCTION",
        partialRecord(locale),
        "req-1",
        NOW,
      );
      expect(instruction.text).not.toContain(refuse);
      const whole = renderEmail("BUYER_APPROVED", fullRecord(twoLines(locale)), "req-1", NOW);
      expect(whole.text).toContain(refuse);
      expect(whole.text).not.toContain(keep);
    },
  );

  it("tells the buyer to refuse the parcel again once a request cancels what was left", () => {
    const order = makeOrder({
      ...twoLines("en"),
      lines: [
        {
          lineId: "l1",
          sku: "MUG",
          title: "Mug",
          quantity: 2,
          unitPrice: 1500,
          cancelledQuantity: 1,
        },
        { lineId: "l2", sku: "PLT", title: "Plate", quantity: 1, unitPrice: 2000 },
      ],
    });
    const first = makeRequest(order, {
      requestId: "req-0",
      status: "COMPLETED",
      createdAt: "2026-11-20T05:00:00.000Z",
      lines: [{ lineId: "l1", quantity: 1, amount: 1320 }],
      itemsAmount: 1320,
      shippingAmount: 0,
    });
    /** The second request, for `lines` of what is left. */
    const second = (lines: LineQuantity[]) => {
      const terms = cancellationAmounts(order, lines, { items: 1320, shipping: 0 }, DEFAULT_POLICY);
      const request = makeRequest(order, { ...terms, createdAt: "2026-11-20T10:00:00.000Z" });
      request.refund = newRefund(order, DEFAULT_POLICY, APPROVED_AT, amountOf(request));
      return renderEmail("BUYER_APPROVED", makeRecord(order, [first, request]), "req-1", NOW);
    };
    const rest = second([
      { lineId: "l1", quantity: 1 },
      { lineId: "l2", quantity: 1 },
    ]);
    expect(rest.text).toContain("Items: Mug × 1\n  Plate × 1\n");
    // The last unit takes what is left of the items (¥4,400 − ¥1,320) and the shipping.
    expect(rest.text).toContain("Refund amount: ¥3,580 (items ¥3,080, shipping ¥500)");
    expect(rest.text).toContain("The cancellation of order o-1001 was approved.");
    expect(rest.text).toContain("refuse the delivery");
    const plateOnly = second([{ lineId: "l2", quantity: 1 }]);
    expect(plateOnly.text).toContain(
      "The cancellation of some items of order o-1001 was approved.",
    );
    expect(plateOnly.text).toContain("please accept the parcel");
  });
});

describe("the carrier, by name", () => {
  /** The templates that list the carrier and tracking number: where the parcel matters. */
  const WITH_PARCEL: EmailTemplate[] = [
    "BUYER_REQUEST_RECEIVED",
    "BUYER_APPROVED",
    "SELLER_NEW_REQUEST",
    "SELLER_REFUND_INSTRUCTION",
    "BUYER_RETURN_INSTRUCTIONS",
    "SELLER_PARCEL_KEPT",
    "OPERATOR_RETURN_OVERDUE",
  ];
  const shippedWith = (locale: Locale, carrier: string) =>
    fullRecord({
      locale,
      shipment: { carrier, trackingNumber: "4470-1234-5678", shippedAt: APPROVED_AT },
    });

  it("names a known code in Japanese, never the code (ja)", () => {
    for (const template of WITH_PARCEL) {
      const email = renderEmail(template, shippedWith("ja", "yamato"), "req-1", NOW);
      expect(email.text, template).toContain("配送業者: ヤマト運輸\n追跡番号: 4470-1234-5678");
      expect(email.html, template).toContain("<th");
      expect(email.html, template).toContain("ヤマト運輸");
      expect(email.text, template).not.toContain("yamato");
    }
    const sagawa = renderEmail("BUYER_APPROVED", shippedWith("ja", "sagawa"), "req-1", NOW);
    expect(sagawa.text).toContain("配送業者: 佐川急便");
  });

  it("names a known code in English (en)", () => {
    for (const template of WITH_PARCEL) {
      const email = renderEmail(template, shippedWith("en", "japanpost"), "req-1", NOW);
      expect(email.text, template).toContain(
        "Carrier: Japan Post\nTracking number: 4470-1234-5678",
      );
      expect(email.text, template).not.toContain("japanpost");
    }
    const yamato = renderEmail(
      "SELLER_REFUND_INSTRUCTION",
      shippedWith("en", "yamato"),
      "req-1",
      NOW,
    );
    expect(yamato.text).toContain("Carrier: Yamato Transport");
  });

  it("shows another carrier as given, escaped in html", () => {
    for (const locale of LOCALES) {
      const email = renderEmail(
        "BUYER_APPROVED",
        shippedWith(locale, "Tea & <b>Express</b>"),
        "req-1",
        NOW,
      );
      expect(email.text).toContain("Tea & <b>Express</b>");
      expect(email.html).toContain("Tea &amp; &lt;b&gt;Express&lt;/b&gt;");
      expect(email.html).not.toContain("<b>");
      expect(email.subject).not.toContain("Express");
    }
  });

  it("is left out where the parcel is not the matter", () => {
    for (const template of EMAIL_TEMPLATES.filter((each) => !WITH_PARCEL.includes(each))) {
      for (const locale of LOCALES) {
        const email = renderEmail(template, shippedWith(locale, "yamato"), "req-1", NOW);
        expect(email.text, template).not.toMatch(/ヤマト運輸|Yamato Transport|4470-1234-5678/);
      }
    }
  });
});

describe("escapeHtml", () => {
  it("escapes the five characters that can open markup or end an attribute", () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
    expect(escapeHtml("ワイヤレスイヤホン 5,480円")).toBe("ワイヤレスイヤホン 5,480円");
  });
});

describe("amounts and dates in mail", () => {
  it("shows USD deadlines in UTC and amounts with cents, in both languages", () => {
    for (const locale of LOCALES) {
      const record = fullRecord(
        { locale, currency: "USD", payment: { paidAmount: 1234 }, shippingFee: 0 },
        { status: "REFUND_FAILED" },
      );
      const email = renderEmail("OPERATOR_REFUND_FAILED", record, "req-1", NOW);
      expect(email.text).toContain(
        locale === "ja" ? "2026年11月28日(土) 10:00（UTC）" : "Sat, Nov 28, 2026, 10:00 UTC",
      );
      expect(email.text).toContain("$12.34");
    }
  });

  it("writes the yen sign half-width in Japanese mail, as the console does", () => {
    const email = renderEmail("BUYER_APPROVED", fullRecord({ locale: "ja" }), "req-1", NOW);
    expect(email.text).toContain("¥5,480");
    expect(email.text).not.toContain("￥");
  });
});

describe("reasons", () => {
  it.each(LOCALES)("names every reason of the domain's list in words (%s)", (locale) => {
    const said = CANCELLATION_REASONS.map((reason) => {
      const record = fullRecord({ locale }, { reason });
      const { text } = renderEmail("SELLER_NEW_REQUEST", record, "req-1", NOW);
      const line = text
        .split("\n")
        .find((l) =>
          l.startsWith(locale === "ja" ? "キャンセル理由: " : "Reason for cancelling: "),
        );
      expect(line, reason).toBeDefined();
      expect(line, reason).not.toContain(reason);
      return line;
    });
    expect(new Set(said).size).toBe(CANCELLATION_REASONS.length);
  });
});

describe("payment methods", () => {
  const methods: PaymentMethod[] = [
    "CARD",
    "GIFT_CARD",
    "POINTS",
    "CONVENIENCE_STORE",
    "CASH_ON_DELIVERY",
  ];
  it.each(methods)("renders every template for %s", (method) => {
    for (const template of EMAIL_TEMPLATES) {
      const email = renderEmail(template, fullRecord({ payment: { method } }), "req-1", NOW);
      expect(email.text).not.toContain("undefined");
      expect(email.text).not.toContain("null");
    }
  });
});

describe("a card refund the card issuer reversed", () => {
  /**
   * A completed request whose card refund the provider failed after it had succeeded, for
   * `reason` (its timeline's note and the refund's), with the policy's fallback due at the deadline.
   */
  const reversedRecord = (
    orderOverrides: OrderOverrides = {},
    reason = "expired_or_canceled_card",
    refundRetryDeadline: string | null = "2026-11-28T10:00:00.000Z",
  ): OrderRecord => {
    const record = fullRecord(
      { payment: { provider: "stripe", reference: "pi_1" }, ...orderOverrides },
      { status: "COMPLETED", refundRetryDeadline },
    );
    const request = record.requests["req-1"] as CancellationRequest;
    request.refund = {
      ...(request.refund as Refund),
      status: "FAILED",
      declined: true,
      reversed: true,
      providerStatus: "failed",
      providerRefundId: "re_3Q1",
      failureReason: reason,
    };
    request.timeline.push({
      at: "2026-11-25T10:00:00.000Z",
      type: "REFUND_REVERSED",
      actor: "system",
      note: reason,
    });
    return record;
  };
  const buyerMail = (record: OrderRecord) =>
    renderEmail("BUYER_REFUND_REVERSED", record, "req-1", NOW);
  const operatorMail = (record: OrderRecord) =>
    renderEmail("OPERATOR_REFUND_REVERSED", record, "req-1", NOW);

  it("tells the buyer in Japanese why, that the marketplace refunds again and by when, and that nothing is needed", () => {
    const email = buyerMail(reversedRecord());
    expect(email.subject).toBe(
      "【発送済みキャンセル】カードへの返金が完了しませんでした（注文番号: o-1001）",
    );
    expect(email.text).toContain(
      "ご注文 o-1001 のキャンセルにともなうクレジットカードへの返金が、カード会社で完了しませんでした。返金先のカードの有効期限が切れているか、カードが解約されているためです。",
    );
    expect(email.text).toContain(
      "マーケットプレイスがあらためて返金いたします（遅くとも2026年11月28日(土) 19:00（日本時間）まで）。カードで受け取れない場合は、ギフトカード残高として返金します。",
    );
    expect(email.text).toContain("お客様のお手続きは必要ありません。");
    expect(email.text).toContain("返金額: ¥5,480（商品 ¥4,980、送料 ¥500）");
    // The provider's code and ids are for staff.
    expect(email.text).not.toMatch(/expired_or_canceled_card|re_3Q1|rf-req-1/);
  });

  it("tells the buyer in English, the deadline in the order's zone", () => {
    const email = buyerMail(reversedRecord({ locale: "en" }, "lost_or_stolen_card"));
    expect(email.subject).toBe("Your card refund could not be completed (order o-1001)");
    expect(email.text).toContain(
      "could not be completed by your card issuer. The card was reported lost or stolen and can no longer receive payments.",
    );
    expect(email.text).toContain(
      "The marketplace will refund you again, by Sat, Nov 28, 2026, 19:00 JST (UTC+9) at the latest. If your card cannot take the refund, it is refunded as Gift card balance.",
    );
    expect(email.text).toContain("There is nothing you need to do.");
    const usd = buyerMail(
      reversedRecord({ locale: "en", currency: "USD", payment: { paidAmount: 1234 } }),
    );
    expect(usd.text).toContain("by Sat, Nov 28, 2026, 10:00 UTC at the latest");
    expect(usd.text).toContain("$12.34");
  });

  it.each([
    ["ja", "カード会社からは理由が示されていません。"],
    ["en", "Your card issuer did not tell us why."],
  ] as const)("says a reason it has no words for generically (%s)", (locale, generic) => {
    const email = buyerMail(reversedRecord({ locale }, "unknown"));
    expect(email.text).toContain(generic);
    expect(email.text).not.toContain("unknown");
    expect(buyerMail(reversedRecord({ locale })).text).not.toContain(generic);
  });

  it("names the policy's fallback, and no date once the deadline is gone (a retry is under way)", () => {
    const points = reversedRecord({ locale: "en" });
    (points.requests["req-1"] as CancellationRequest).policy = {
      ...DEFAULT_POLICY,
      refundFallbackMethod: "POINTS",
    };
    expect(buyerMail(points).text).toContain("it is refunded as Points.");
    const retried = buyerMail(reversedRecord({ locale: "en" }, undefined, null));
    expect(retried.text).toContain("The marketplace will refund you again. If your card");
    const ja = buyerMail(reversedRecord({}, undefined, null));
    expect(ja.text).toContain("マーケットプレイスがあらためて返金いたします。カードで");
  });

  it.each(LOCALES)(
    "gives operators the case: order, request, amount, reason, deadline, the retry allowed (%s)",
    (locale) => {
      const email = operatorMail(reversedRecord({ locale }));
      expect(email.text).toMatch(locale === "ja" ? /^運営スタッフ各位/ : /^Hello operators,/);
      if (locale === "ja") {
        expect(email.subject).toBe(
          "【発送済みキャンセル】カードへの返金がカード会社で失敗しました（再返金が必要です）（注文番号: o-1001）",
        );
        expect(email.text).toContain("申請ID: req-1");
        expect(email.text).toContain("返金ID: rf-req-1\n決済サービスの返金ID: re_3Q1");
        expect(email.text).toContain("返金額: ¥5,480");
        expect(email.text).toContain(
          "返金できなかった理由: カードの有効期限切れ、または解約（expired_or_canceled_card）",
        );
        expect(email.text).toContain("キャンセルは完了のままです。");
        expect(email.text).toContain("この申請は返金を再試行できます。");
        expect(email.text).toContain(
          "2026年11月28日(土) 19:00（日本時間）までに対応がない場合は、ポリシーによりギフトカード残高として返金します。",
        );
      } else {
        expect(email.subject).toBe(
          "A card refund failed at the card issuer: refund again (order o-1001)",
        );
        expect(email.text).toContain("Request ID: req-1");
        expect(email.text).toContain("Refund ID: rf-req-1\nProvider's refund ID: re_3Q1");
        expect(email.text).toContain("Refund amount: ¥5,480");
        expect(email.text).toContain(
          "Why the refund failed: Card expired or cancelled (expired_or_canceled_card)",
        );
        expect(email.text).toContain("The cancellation stays completed.");
        expect(email.text).toContain("A refund retry is allowed on this request");
        expect(email.text).toContain(
          "If nobody acts by Sat, Nov 28, 2026, 19:00 JST (UTC+9), the policy refunds it as Gift card balance.",
        );
      }
    },
  );

  it("gives operators a reason it has no words for as the provider's code, and advises gift balance only for a card that is gone", () => {
    const known = operatorMail(reversedRecord({ locale: "en" }));
    expect(known.text).toContain("refunding as gift balance is advised");
    const other = operatorMail(reversedRecord({ locale: "en" }, "insufficient_funds"));
    expect(other.text).toContain("Why the refund failed: insufficient_funds\n");
    expect(other.text).not.toContain("advised");
  });

  it("escapes the provider's reason in html and keeps it out of the subject", () => {
    const record = reversedRecord({ locale: "en" }, ATTACK);
    for (const template of ["BUYER_REFUND_REVERSED", "OPERATOR_REFUND_REVERSED"] as const) {
      const email = renderEmail(template, record, "req-1", NOW);
      expect(email.html, template).not.toContain("<script>");
      expect(email.subject, template).not.toMatch(/script/);
    }
    expect(operatorMail(record).html).toContain(ESCAPED);
  });

  /** The reversed request's refund retried to `method` and made, with the bank's `reference`. */
  const refundedAgain = (locale: Locale, method: RefundMethod, reference: string | null) => {
    const record = reversedRecord({ locale });
    const request = record.requests["req-1"] as CancellationRequest;
    request.refundRetryDeadline = null;
    request.refund = {
      ...(request.refund as Refund),
      method,
      refundId: "rf-req-1-2",
      status: "SUCCEEDED",
      declined: false,
      reversed: false,
      providerStatus: "succeeded",
      failureReason: null,
      reference,
    };
    request.timeline.push(
      { at: "2026-11-25T11:00:00.000Z", type: "REFUND_RETRIED", actor: "op-1", note: method },
      { at: "2026-11-25T11:00:01.000Z", type: "REFUND_SUCCEEDED", actor: "system" },
    );
    return renderEmail("BUYER_REFUND_COMPLETED", record, "req-1", NOW);
  };

  it("tells the buyer the retried refund went through, naming gift balance when it changed", () => {
    const ja = refundedAgain("ja", "GIFT_CARD", null);
    expect(ja.text).toContain(
      "お知らせしたとおり、カード会社で完了しなかった返金をあらためて行いました。",
    );
    expect(ja.text).toContain("ギフトカード残高として返金しました。");
    expect(ja.text).toContain("返金方法: ギフトカード残高");
    const en = refundedAgain("en", "CARD", null);
    expect(en.text).toContain(
      "your card issuer could not complete our first refund, so we have refunded you again.",
    );
    expect(en.text).toContain("Refund method: Credit card");
    expect(en.text).not.toContain("could not receive the refund");
    // A first refund says nothing of the kind.
    const first = renderEmail(
      "BUYER_REFUND_COMPLETED",
      fullRecord({ locale: "en" }, { status: "COMPLETED" }),
      "req-1",
      NOW,
    );
    expect(first.text).not.toContain("refunded you again");
  });
});

describe("the refund's bank reference", () => {
  /** A completed card refund, with the reference the card's acquirer gave, if any. */
  const completedWith = (locale: Locale, reference: string | null) => {
    const record = fullRecord({ locale }, { status: "COMPLETED" });
    const request = record.requests["req-1"] as CancellationRequest;
    request.refund = { ...(request.refund as Refund), status: "SUCCEEDED", reference };
    return renderEmail("BUYER_REFUND_COMPLETED", record, "req-1", NOW);
  };

  it.each([
    [
      "ja",
      "カード会社に下記の返金照会番号をお伝えいただくと、返金の状況を確認できます。",
      "返金照会番号: 74819992345678901234567",
    ],
    [
      "en",
      "Your card issuer can trace the refund with the refund reference below.",
      "Refund reference: 74819992345678901234567",
    ],
  ] as const)("is in the completion mail with what to do with it (%s)", (locale, sentence, row) => {
    const email = completedWith(locale, "74819992345678901234567");
    expect(email.text).toContain(sentence);
    expect(email.text).toContain(row);
    expect(email.html).toContain("74819992345678901234567");
    const without = completedWith(locale, null);
    expect(without.text).not.toContain(sentence);
    expect(without.text).not.toContain(row.split(":")[0]);
  });

  it("is escaped in html", () => {
    const email = completedWith("en", ATTACK);
    expect(email.html).toContain(ESCAPED);
    expect(email.html).not.toContain("<script>");
  });
});
