// The mail of the parcel after a cancellation: the buyer who took delivery of cancelled units is
// told what to send back, by when, with which carrier and to whom; the seller is told they kept it
// and where to follow it; the buyer hears when it is back; operators get what they need to chase an
// overdue return. The seller's refund instruction says how to have the parcel returned with its
// carrier (Yamato, Sagawa, Japan Post each their own way, any other the general one).
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import { newRefund } from "../../functions/domain/refund.ts";
import type {
  Locale,
  OrderRecord,
  OrderReturn,
  ParcelStatus,
  PaymentMethod,
} from "../../functions/domain/types.ts";
import { renderEmail } from "../../functions/notifications/render.ts";
import { CARRIERS_WITH_STEPS } from "../../functions/notifications/wording.ts";
import { makeOrder, makeRecord, makeRequest, type OrderOverrides } from "../support/factories.ts";

const LOCALES: Locale[] = ["ja", "en"];
const NOW = "2026-11-22T12:00:00.000Z";
const TRACKING = "4470-1234-5678";
const URL_LIKE = /https?:|www\.|\.co\.jp|\.com\b/;

/** The return's due date and its receipt, as each language writes them (JPY: Japan time). */
const DUE_BY = "2026-12-06T03:00:00.000Z";
const DUE: Record<Locale, string> = {
  ja: "2026年12月6日(日) 12:00（日本時間）",
  en: "Sun, Dec 6, 2026, 12:00 JST (UTC+9)",
};
const RECEIVED_AT = "2026-11-30T01:00:00.000Z";
const RECEIVED: Record<Locale, string> = {
  ja: "2026年11月30日(月) 10:00（日本時間）",
  en: "Mon, Nov 30, 2026, 10:00 JST (UTC+9)",
};

const MUG: Record<Locale, string> = { ja: "マグカップ", en: "Mug" };
const PLATE: Record<Locale, string> = { ja: "プレート", en: "Plate" };

interface Setup {
  carrier?: string;
  /** Whether the completed request cancelled one mug only (else the whole order). */
  partial?: boolean;
  parcel?: ParcelStatus;
  /** The order's return; null for none. */
  owed?: Partial<OrderReturn> | null;
  method?: PaymentMethod;
  titles?: { mug: string; plate: string };
}

/**
 * Two mugs and a plate shipped with `carrier`; a completed request cancelled one mug (`partial`)
 * or everything, and the parcel was delivered anyway: a return of the cancelled units is owed by
 * DUE_BY.
 */
const parcelRecord = (locale: Locale, setup: Setup = {}): OrderRecord => {
  const { carrier = "japanpost", partial = true, parcel = "DELIVERED", method = "CARD" } = setup;
  const titles = setup.titles ?? { mug: MUG[locale], plate: PLATE[locale] };
  const cancelled = partial
    ? [{ lineId: "l1", quantity: 1 }]
    : [
        { lineId: "l1", quantity: 2 },
        { lineId: "l2", quantity: 1 },
      ];
  const overrides: OrderOverrides = {
    locale,
    status: partial ? "DELIVERED" : "CANCELLED",
    lines: [
      {
        lineId: "l1",
        sku: "MUG",
        title: titles.mug,
        quantity: 2,
        unitPrice: 1500,
        cancelledQuantity: partial ? 1 : 2,
      },
      {
        lineId: "l2",
        sku: "PLT",
        title: titles.plate,
        quantity: 1,
        unitPrice: 2000,
        cancelledQuantity: partial ? 0 : 1,
      },
    ],
    shippingFee: 500,
    payment: { method, paidAmount: 5500 },
    shipment: { carrier, trackingNumber: TRACKING, shippedAt: "2026-11-20T03:00:00.000Z" },
    parcel: { status: parcel, updatedAt: "2026-11-22T03:00:00.000Z" },
    deliveredAt: parcel === "DELIVERED" ? "2026-11-22T03:00:00.000Z" : null,
    return:
      setup.owed === null
        ? null
        : {
            status: "REQUESTED",
            lines: cancelled,
            dueBy: DUE_BY,
            openedAt: "2026-11-22T03:00:00.000Z",
            closedAt: null,
            ...setup.owed,
          },
  };
  const order = makeOrder(overrides);
  const request = makeRequest(order, {
    status: "COMPLETED",
    createdAt: "2026-11-20T05:00:00.000Z",
    lines: cancelled.map((line) => ({ ...line, amount: line.lineId === "l1" ? 1500 : 2000 })),
    itemsAmount: partial ? 1500 : 5000,
    shippingAmount: partial ? 0 : 500,
  });
  request.refund = {
    ...newRefund(order, DEFAULT_POLICY, "2026-11-20T16:00:00.000Z", partial ? 1500 : 5500),
    refundId: "rf-req-1",
    attempts: 1,
    status: "SUCCEEDED",
  };
  return makeRecord(order, [request]);
};

/** The refund instruction mail of an approved request, before the parcel was delivered. */
const instruction = (locale: Locale, setup: Setup = {}) => {
  const record = parcelRecord(locale, {
    partial: false,
    parcel: "IN_TRANSIT",
    owed: null,
    ...setup,
  });
  const request = record.requests["req-1"];
  if (request) request.status = "REFUND_PENDING";
  return renderEmail("SELLER_REFUND_INSTRUCTION", record, "req-1", NOW);
};

const RETURN_TEMPLATES = [
  "BUYER_RETURN_INSTRUCTIONS",
  "SELLER_PARCEL_KEPT",
  "BUYER_RETURN_RECEIVED",
  "OPERATOR_RETURN_OVERDUE",
] as const;

describe("the return's mail: every template in both languages", () => {
  for (const locale of LOCALES) {
    for (const template of RETURN_TEMPLATES) {
      it(`${template} (${locale}) names the order, the return's lines and its date`, () => {
        const received = template === "BUYER_RETURN_RECEIVED";
        const record = parcelRecord(locale, {
          ...(received ? { parcel: "RETURNED" } : {}),
          owed: received ? { status: "RECEIVED", closedAt: RECEIVED_AT } : {},
        });
        const email = renderEmail(template, record, "req-1", NOW);
        for (const part of [email.subject, email.text, email.html]) {
          expect(part).toContain("o-1001");
        }
        // The cancelled mug only: not the mug kept, not the plate.
        expect(email.text).toContain(`${MUG[locale]} × 1`);
        expect(email.text).not.toContain(`${MUG[locale]} × 2`);
        expect(email.text).not.toContain(PLATE[locale]);
        expect(email.html).toContain(`${MUG[locale]} × 1</td>`);
        const date = received ? RECEIVED[locale] : DUE[locale];
        expect(email.text).toContain(date);
        expect(email.html).toContain(date);
        expect(email.subject).not.toMatch(/[\r\n]/);
        expect(email.html).toContain(`lang="${locale}"`);
        expect(email.text).not.toMatch(/undefined|null|\$\{/);
        expect(email.text).not.toMatch(URL_LIKE);
        if (locale === "en") expect(email.text).not.toMatch(/[\u3040-\u309f]/);
      });
    }
  }

  it("escapes line titles and the carrier in html, never lets them into a subject", () => {
    for (const locale of LOCALES) {
      const record = parcelRecord(locale, {
        carrier: "Tea & <b>Express</b>",
        titles: { mug: `"><img src=x>`, plate: "Plate" },
      });
      for (const template of RETURN_TEMPLATES) {
        const email = renderEmail(template, record, "req-1", NOW);
        expect(email.html, template).toContain("&quot;&gt;&lt;img src=x&gt; × 1");
        expect(email.html, template).not.toMatch(/<img|<b>/);
        expect(email.text, template).toContain(`"><img src=x> × 1`);
        expect(email.subject, template).not.toMatch(/img|Express/);
      }
      const instructions = renderEmail("BUYER_RETURN_INSTRUCTIONS", record, "req-1", NOW);
      expect(instructions.html).toContain("Tea &amp; &lt;b&gt;Express&lt;/b&gt;");
    }
  });

  it("keeps a line break in a title out of the subject (no header injection)", () => {
    const record = parcelRecord("en", {
      titles: { mug: "Mug\r\nBcc: victim@example.com", plate: "Plate" },
    });
    for (const template of RETURN_TEMPLATES) {
      const email = renderEmail(template, record, "req-1", NOW);
      expect(email.subject, template).toMatch(/^[\x20-\x7e]+$/);
      expect(email.subject, template).not.toContain("Bcc");
    }
  });

  it("refuses to render for an order that owes no return", () => {
    const record = parcelRecord("ja", { owed: null });
    for (const template of RETURN_TEMPLATES) {
      expect(() => renderEmail(template, record, "req-1", NOW), template).toThrow(/no return/);
    }
  });
});

describe("BUYER_RETURN_INSTRUCTIONS", () => {
  it("asks for the cancelled items back by the due date, with the carrier, to the seller (ja)", () => {
    const { subject, text } = renderEmail(
      "BUYER_RETURN_INSTRUCTIONS",
      parcelRecord("ja"),
      "req-1",
      NOW,
    );
    expect(subject).toBe(
      "【発送済みキャンセル】キャンセル済みの商品のご返送のお願い（注文番号: o-1001）",
    );
    expect(text).toMatch(/^お客様\n/);
    expect(text).toContain("キャンセルと返金が完了しているため");
    expect(text).toContain(`${DUE.ja}までに販売者へご返送ください`);
    // Partly cancelled: the rest is theirs; the mug goes back, packed, with the same carrier.
    expect(text).toContain("ほかの商品はそのままお受け取りください");
    expect(text).toContain("下記の商品を梱包し");
    expect(text).toContain("送り状に記載の依頼主（販売者）宛てに、日本郵便");
    expect(text).toContain("追跡番号を配送業者にお伝えください");
    expect(text).toContain("マーケットプレイスの担当者からご連絡いたします");
    expect(text).toContain(`返送期限: ${DUE.ja}`);
    expect(text).toContain(`配送業者: 日本郵便\n追跡番号: ${TRACKING}`);
  });

  it("sends back the whole parcel of a wholly cancelled order (en)", () => {
    const { subject, text } = renderEmail(
      "BUYER_RETURN_INSTRUCTIONS",
      parcelRecord("en", { partial: false, carrier: "yamato" }),
      "req-1",
      NOW,
    );
    expect(subject).toBe("Please send back the cancelled items (order o-1001)");
    expect(text).toContain(`please send them back to the seller by ${DUE.en}.`);
    expect(text).toContain(
      "Please hand the parcel to Yamato Transport (at one of its offices, or by asking for a pickup), addressed to the sender named on its label: the seller.",
    );
    expect(text).not.toContain("keep the rest of the order");
    expect(text).toContain("Cancelled items delivered: Mug × 2\n  Plate × 1");
    expect(text).toContain("the marketplace's staff will contact you");
    expect(text).toContain("We will email you once they are back with the seller.");
  });
});

describe("SELLER_PARCEL_KEPT", () => {
  it.each([
    [
      "ja",
      "購入者には、2026年12月6日(日) 12:00（日本時間）までに佐川急便で販売者様へ返送するようご案内しました。",
      "コンソールの「荷物」ページ",
    ],
    [
      "en",
      `We have asked the buyer to send them back to you with Sagawa Express by ${DUE.en}.`,
      "the Parcels page of the console",
    ],
  ] as const)(
    "tells the seller the buyer was asked to send it back and where to follow it (%s)",
    (locale, asked, page) => {
      const email = renderEmail(
        "SELLER_PARCEL_KEPT",
        parcelRecord(locale, { carrier: "sagawa" }),
        "req-1",
        NOW,
      );
      expect(email.text).toMatch(locale === "ja" ? /^販売者様\n/ : /^Dear seller,\n/);
      expect(email.text).toContain(asked);
      expect(email.text).toContain(page);
      expect(email.text).toContain(
        locale === "ja" ? "お手続きは必要ありません" : "nothing you need to do",
      );
      expect(email.text).not.toMatch(/出品者/);
    },
  );
});

describe("BUYER_RETURN_RECEIVED", () => {
  it.each([
    ["ja", "販売者のもとへ戻ったことを確認しました", "ほかにお客様にしていただくことはありません"],
    ["en", "The items below are back with the seller.", "there is nothing more you need to do"],
  ] as const)(
    "says the items are back and nothing more is needed (%s)",
    (locale, back, nothing) => {
      const record = parcelRecord(locale, {
        parcel: "RETURNED",
        owed: { status: "RECEIVED", closedAt: RECEIVED_AT },
      });
      const { text } = renderEmail("BUYER_RETURN_RECEIVED", record, "req-1", NOW);
      expect(text).toContain(back);
      expect(text).toContain(nothing);
      expect(text).toContain(RECEIVED[locale]);
      // The due date no longer matters, nor the carrier.
      expect(text).not.toContain(DUE[locale]);
      expect(text).not.toContain(TRACKING);
    },
  );
});

describe("OPERATOR_RETURN_OVERDUE", () => {
  it.each(LOCALES)(
    "gives what chasing the return needs, and says the refund stands (%s)",
    (locale) => {
      const record = parcelRecord(locale, { carrier: "yamato", owed: { status: "OVERDUE" } });
      const { subject, text } = renderEmail("OPERATOR_RETURN_OVERDUE", record, "req-1", NOW);
      const rows =
        locale === "ja"
          ? [
              `返送期限: ${DUE.ja}`,
              "購入者ID: buyer-1",
              "販売者ID: seller-1",
              "配送業者: ヤマト運輸",
              `追跡番号: ${TRACKING}`,
            ]
          : [
              `Return due by: ${DUE.en}`,
              "Buyer ID: buyer-1",
              "Seller ID: seller-1",
              "Carrier: Yamato Transport",
              `Tracking number: ${TRACKING}`,
            ];
      for (const row of rows) expect(text).toContain(row);
      expect(text).toMatch(locale === "ja" ? /^運営スタッフ各位\n/ : /^Hello operators,\n/);
      if (locale === "ja") {
        expect(subject).toContain("返送期限超過");
        expect(text).toContain("購入者に連絡し、返送を依頼してください");
        expect(text).toContain("返金はそのまま有効です");
      } else {
        expect(subject).toContain("Return overdue");
        expect(text).toContain("Please contact the buyer and ask them to send the items back.");
        expect(text).toContain("The refund stands: it is not reversed.");
      }
    },
  );
});

describe("SELLER_REFUND_INSTRUCTION: having the parcel returned", () => {
  /** Each carrier's own steps, as each language words what is particular to them. */
  const STEPS = {
    yamato: {
      ja: [
        "配達前にお荷物を戻すには、ヤマト運輸に次のとおりご依頼ください。\n1. ",
        "ヤマト運輸の担当店（追跡結果に表示されます）またはお問い合わせ窓口",
        `伝票番号（${TRACKING}）`,
        "2. 配達の中止と、依頼主への返送（「転送・返送の依頼」）を申し込んでください。",
        "3. 返送の運賃がかかる場合があります。",
      ],
      en: [
        "To have the parcel come back before it is delivered, ask Yamato Transport as follows:\n1. ",
        "Contact the Yamato Transport branch handling the parcel",
        `give the slip number ${TRACKING}.`,
        "2. Ask them to stop the delivery and return the parcel to you, the shipper",
        "3. Yamato may charge for the return trip",
      ],
    },
    sagawa: {
      ja: [
        "佐川急便に次のとおりご依頼ください。\n1. ",
        "佐川急便の営業所（追跡結果に表示されます）",
        `お問い合わせ送り状No.（${TRACKING}）`,
        "2. 配達の中止と、依頼主への返送を申し込んでください。",
        "3. 返送の運賃がかかる場合があります。",
      ],
      en: [
        "ask Sagawa Express as follows:\n1. ",
        "Contact the Sagawa Express sales office handling the parcel",
        `give the inquiry number ${TRACKING}.`,
        "2. Ask them to stop the delivery and return the parcel to you, the shipper.",
        "3. Sagawa may charge for the return trip",
      ],
    },
    japanpost: {
      ja: [
        "日本郵便に次のとおりご依頼ください。\n1. ",
        "本人確認書類",
        `お問い合わせ番号 ${TRACKING}`,
        "郵便局の窓口",
        "2. 差出人として「取戻し請求」",
        "3. 取戻しは配達前に限られます。手数料がかかる場合があります。",
      ],
      en: [
        "ask Japan Post as follows:\n1. ",
        "Go to a post office counter with an identity document",
        `(tracking number ${TRACKING})`,
        "2. As the sender, ask for the parcel to be taken back before delivery",
        "3. A retrieval is only possible before delivery, and Japan Post may charge a fee.",
      ],
    },
  } as const;

  for (const carrier of CARRIERS_WITH_STEPS) {
    for (const locale of LOCALES) {
      it(`gives ${carrier}'s own steps, and says the buyer was asked to refuse (${locale})`, () => {
        const { text, html } = instruction(locale, { carrier });
        for (const phrase of STEPS[carrier][locale]) expect(text).toContain(phrase);
        expect(text).toContain(
          locale === "ja"
            ? "購入者には配達時に受け取りを拒否するようご案内しています。"
            : "We have asked the buyer to refuse the delivery.",
        );
        // No other carrier's procedure, no links, no promised fee.
        for (const other of CARRIERS_WITH_STEPS.filter((each) => each !== carrier)) {
          expect(text).not.toContain(STEPS[other][locale][2]);
        }
        expect(text).not.toMatch(URL_LIKE);
        expect(text).not.toMatch(/[¥$]\d+ (?:fee|の手数料)|手数料は\d|fee of/);
        expect(html).toContain("<br>2. ");
      });
    }
  }

  it("knows the carrier as the seller typed it: Yamato gets Yamato's steps", () => {
    const { text } = instruction("en", { carrier: " Yamato " });
    for (const phrase of STEPS.yamato.en) expect(text).toContain(phrase);
  });

  it.each([
    [
      "ja",
      "西濃運輸に追跡番号（4470-1234-5678）を伝え、依頼主であることをお伝えください。",
      "返送の費用がかかる場合があります。",
    ],
    [
      "en",
      `Contact Seino Transportation, say you are the shipper and give the tracking number ${TRACKING}.`,
      "The carrier may charge for the return",
    ],
  ] as const)(
    "gives the general steps for a carrier without its own (%s)",
    (locale, contact, fee) => {
      const { text } = instruction(locale, { carrier: "seino" });
      expect(text).toContain(contact);
      expect(text).toContain(fee);
      expect(text).not.toMatch(/取戻し|担当店|営業所|post office|branch|sales office/);
    },
  );

  it("names an unknown carrier as given in the general steps, escaped in html", () => {
    for (const locale of LOCALES) {
      const { text, html } = instruction(locale, { carrier: "Tea & <b>Express</b>" });
      expect(text).toContain(
        locale === "ja" ? "Tea & <b>Express</b>に追跡番号" : "Contact Tea & <b>Express</b>, say",
      );
      expect(html).toContain("Tea &amp; &lt;b&gt;Express&lt;/b&gt;");
      expect(html).not.toContain("<b>");
    }
  });

  it.each(LOCALES)(
    "leaves the parcel of a partial cancellation on its way: no steps, no refusal (%s)",
    (locale) => {
      const { text } = instruction(locale, { carrier: "yamato", partial: true });
      expect(text).toContain(
        locale === "ja"
          ? "お荷物はそのまま購入者へお届けします。"
          : "the parcel goes on to the buyer: leave it on its way.",
      );
      expect(text).not.toMatch(/受け取りを拒否|refuse the delivery|1\. /);
    },
  );

  it.each(LOCALES)("gives the steps for cash on delivery too (%s)", (locale) => {
    const { text } = instruction(locale, { carrier: "japanpost", method: "CASH_ON_DELIVERY" });
    expect(text).toContain(locale === "ja" ? "返金は不要です" : "no refund is needed");
    expect(text).toContain(locale === "ja" ? "2. 差出人として「取戻し請求」" : "2. As the sender");
    expect(text).not.toContain("¥");
  });

  it("gives no steps once the parcel is no longer on its way", () => {
    const said = (status: ParcelStatus, setup: Setup = {}) =>
      instruction("en", { carrier: "yamato", parcel: status, ...setup }).text;
    for (const status of ["REFUSED", "RETURNING"] as const) {
      expect(said(status)).toContain("The parcel is already on its way back to you");
      expect(said(status)).not.toContain("1. ");
    }
    expect(said("RETURNED")).toContain("The parcel is already back with you.");
    expect(said("DELIVERED", { owed: {} })).toContain(
      `We have asked them to send the cancelled items back by ${DUE.en}.`,
    );
    expect(said("DELIVERED")).toContain("We will email you what follows.");
    expect(instruction("ja", { parcel: "RETURNING" }).text).toContain(
      "お荷物はすでに販売者様へ戻る途中です。",
    );
  });
});
