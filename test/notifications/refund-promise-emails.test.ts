// The mail of a broken refund promise and of a refund inquiry: the buyer's apology says what
// happens next (the refund is chased, the "Refund not received" route, the bank's reference when
// Stripe has it); operators get the refund's provider, ids, reference and promised date.
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import { newRefund } from "../../functions/domain/refund.ts";
import type {
  CancellationRequest,
  Locale,
  OrderRecord,
  Refund,
} from "../../functions/domain/types.ts";
import { renderEmail } from "../../functions/notifications/render.ts";
import { makeOrder, makeRecord, makeRequest } from "../support/factories.ts";

const APPROVED_AT = "2026-11-20T16:00:00.000Z";
const NOW = "2026-12-08T00:00:00.000Z";

/** A Stripe card order whose refund was made and is late; `refund` and `request` as given. */
const lateRecord = (
  locale: Locale,
  refund: Partial<Refund> = {},
  request: Partial<CancellationRequest> = {},
): OrderRecord => {
  const order = makeOrder({
    locale,
    payment: { method: "CARD", provider: "stripe", reference: "pi_3QLate" },
  });
  const made = makeRequest(order, { status: "REFUND_PENDING", ...request });
  made.refund = {
    ...newRefund(order, DEFAULT_POLICY, APPROVED_AT, 5480),
    refundId: "rf-req-1",
    attempts: 1,
    providerStatus: "pending",
    providerRefundId: "re_1QLate",
    late: true,
    ...refund,
  };
  return makeRecord(order, [made]);
};

const promisedBy = (record: OrderRecord): string =>
  record.requests["req-1"]?.refund?.expectedBy?.latest ?? "";

describe("BUYER_REFUND_LATE", () => {
  it("apologises, says the refund is chased and that nothing is needed (en)", () => {
    const record = lateRecord("en");
    const mail = renderEmail("BUYER_REFUND_LATE", record, "req-1", NOW);
    expect(mail.subject).toBe("We are sorry: your refund is late (order o-1001)");
    expect(mail.text).toContain("We are sorry: the refund for the cancellation of order o-1001");
    expect(mail.text).toContain("chasing it with the payment provider");
    expect(mail.text).toContain("There is nothing you need to do");
    // The promise, as a date in the mail's language, in the details too.
    expect(mail.text).toMatch(/Expected by: .+ to /);
    // Still pending: "Refund not received" is for after the refund is made.
    expect(mail.text).toContain(
      'If, once it is made, the refund does not reach you, tell us with "Refund not received"',
    );
    // No reference yet: no sentence about one.
    expect(mail.text).not.toContain("Refund reference");
  });

  it("names Stripe's reference when known, and the inquiry for a completed request (en)", () => {
    const record = lateRecord(
      "en",
      { status: "FAILED", reversed: true, reference: "7424915112309" },
      { status: "COMPLETED" },
    );
    const mail = renderEmail("BUYER_REFUND_LATE", record, "req-1", NOW);
    expect(mail.text).toContain(
      "your card issuer can trace the refund with the refund reference below",
    );
    expect(mail.text).toContain("Refund reference: 7424915112309");
    expect(mail.text).toContain(
      'If the refund still does not reach you, tell us with "Refund not received"',
    );
  });

  it("apologises in Japanese, with the button's Japanese name", () => {
    const record = lateRecord("ja", { reference: "7424915112309" }, { status: "COMPLETED" });
    const mail = renderEmail("BUYER_REFUND_LATE", record, "req-1", NOW);
    expect(mail.subject).toBe(
      "【発送済みキャンセル】返金が遅れております。申し訳ございません（注文番号: o-1001）",
    );
    expect(mail.text).toContain("大変申し訳ございません");
    expect(mail.text).toContain("「返金が届いていません」");
    expect(mail.text).toContain("返金照会番号: 7424915112309");
  });
});

describe("OPERATOR_REFUND_LATE", () => {
  it("names the order, request, provider, refund ids, reference and the promised date", () => {
    for (const locale of ["en", "ja"] as const) {
      const record = lateRecord(locale, { reference: "7424915112309" });
      const mail = renderEmail("OPERATOR_REFUND_LATE", record, "req-1", NOW);
      const latest = promisedBy(record);
      const [year, month, day] = latest.split("-").map(Number);
      for (const value of ["o-1001", "req-1", "Stripe", "rf-req-1", "re_1QLate", "7424915112309"]) {
        expect(mail.text, `${locale} ${value}`).toContain(value);
      }
      expect(mail.text, locale).toContain(
        locale === "en" ? `${year}` : `${year}年${month}月${day}日`,
      );
    }
    const en = renderEmail("OPERATOR_REFUND_LATE", lateRecord("en"), "req-1", NOW);
    expect(en.subject).toBe("Refund late: not made by its promised date (order o-1001)");
    expect(en.text).toContain("Refunded through: Stripe");
    expect(en.text).toContain("The buyer was sent an apology.");
  });

  it("names the marketplace's ledger for a ledger refund", () => {
    const record = lateRecord("en", { provider: "ledger", providerRefundId: null });
    const mail = renderEmail("OPERATOR_REFUND_LATE", record, "req-1", NOW);
    expect(mail.text).toContain("Refunded through: The marketplace's ledger");
  });
});

describe("OPERATOR_REFUND_INQUIRY", () => {
  const inquired = (locale: Locale, comment: string | null) =>
    lateRecord(
      locale,
      { status: "SUCCEEDED", providerStatus: "succeeded", reference: "7424915112309", late: false },
      {
        status: "COMPLETED",
        refundInquiry: {
          openedAt: NOW,
          comment,
          closedAt: null,
          closedBy: null,
          note: null,
        },
      },
    );

  it("gives operators the case: provider, ids, reference, promised date and the buyer's message, escaped", () => {
    const mail = renderEmail(
      "OPERATOR_REFUND_INQUIRY",
      inquired("en", "<b>Nothing</b> on my statement"),
      "req-1",
      NOW,
    );
    expect(mail.subject).toBe("A buyer says a refund has not arrived (order o-1001)");
    for (const value of ["req-1", "Stripe", "rf-req-1", "re_1QLate", "7424915112309"]) {
      expect(mail.text).toContain(value);
    }
    expect(mail.text).toContain("Buyer's message: <b>Nothing</b> on my statement");
    expect(mail.html).toContain("&lt;b&gt;Nothing&lt;/b&gt; on my statement");
    expect(mail.html).not.toContain("<b>Nothing");
    expect(mail.text).toContain("close the inquiry with a note under Refund inquiries");
  });

  it("leaves the message out when the buyer wrote none (ja)", () => {
    const mail = renderEmail("OPERATOR_REFUND_INQUIRY", inquired("ja", null), "req-1", NOW);
    expect(mail.text).toContain("返金が届いていないとの問い合わせ");
    expect(mail.text).toContain("「返金の問い合わせ」");
    expect(mail.text).not.toContain("購入者からのメッセージ");
  });
});
