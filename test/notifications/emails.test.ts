// The notification mail (functions/notifications): every template in both languages names the order
// and is safe (no user text in a subject, everything escaped in HTML), and what each says: amounts
// and dates as the shared formatter writes them, the wording of each case.
import { describe, expect, it } from "vitest";
import { CANCELLATION_REASONS } from "../../functions/domain/codes.ts";
import { EMAIL_TEMPLATES } from "../../functions/domain/notices.ts";
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

/** A record whose request has been through every stage, so each template has data to show. */
const fullRecord = (
  orderOverrides: OrderOverrides = {},
  requestOverrides: Partial<CancellationRequest> = {},
): OrderRecord => {
  const order = makeOrder(orderOverrides);
  const refund = {
    ...newRefund(order, DEFAULT_POLICY, APPROVED_AT, 5480),
    refundId: "rf-req-1",
    attempts: 1,
  };
  const request = makeRequest(order, {
    reason: "OTHER",
    comment: `${ATTACK}\n2行目`,
    createdAt: "2026-11-20T10:00:00.000Z",
    marketplaceDeadline: "2026-11-25T10:00:00.000Z",
    refundRetryDeadline: "2026-11-28T10:00:00.000Z",
    rejection: { by: "SELLER", reason: ATTACK, at: "2026-11-21T10:00:00.000Z" },
    refund,
    ...requestOverrides,
  });
  return makeRecord(order, [request]);
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

  it("escapes order line titles too", () => {
    const record = fullRecord({
      lines: [{ lineId: "l1", sku: "S", title: `"><img src=x>`, quantity: 1, unitPrice: 5000 }],
    });
    const email = renderEmail("BUYER_WITHDRAWN", record, "req-1", NOW);
    expect(email.html).toContain("&quot;&gt;&lt;img src=x&gt;");
    expect(email.html).not.toContain("<img");
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

describe("renderEmail: money wording", () => {
  it.each(LOCALES)("the seller's refund instruction asks for no refund by hand (%s)", (locale) => {
    const email = renderEmail("SELLER_REFUND_INSTRUCTION", fullRecord({ locale }), "req-1", NOW);
    if (locale === "ja") {
      expect(email.text).toContain(
        "マーケットプレイスが決済サービスを通じて購入者のお支払い方法へ返金します",
      );
      expect(email.text).toContain("出品者様による返金のお手続きは不要です");
      expect(email.text).toContain("返金額は出品者様の売上から精算されます");
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
    expect(email.text).toContain(locale === "ja" ? "リクエストID: req-1" : "Request ID: req-1");
    expect(email.text).toContain(locale === "ja" ? "運用担当者各位" : "Hello operators,");
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
