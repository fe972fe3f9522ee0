// Where the seller's mail says the seller can decide (SPEC "Decision links in the seller's mail"):
// the new-request and reminder mail lay out the Approve and Reject links (or the console's
// address) in the text part as `label: address` lines and in the HTML part as links, escaped like
// everything else; no other mail shows them, and nothing but a plain http(s) address is linked.
import { describe, expect, it } from "vitest";
import { EMAIL_TEMPLATES } from "../../functions/domain/notices.ts";
import { ASKS_SELLER_TO_DECIDE, renderEmail } from "../../functions/notifications/render.ts";
import { makeOrder, makeRecord, makeRequest } from "../support/factories.ts";

const NOW = "2026-11-21T12:00:00.000Z";
const APPROVE = "https://console.example.com/decide/AAAAAAAAAAAAAAAAAAAAAA";
const REJECT = "https://console.example.com/decide/BBBBBBBBBBBBBBBBBBBBBB";
const LINKS = { kind: "LINKS", approve: APPROVE, reject: REJECT } as const;

const recordIn = (locale: "ja" | "en") => {
  const order = makeOrder({ locale });
  return makeRecord(order, [makeRequest(order)]);
};
const requestIdOf = (record: ReturnType<typeof recordIn>) => Object.keys(record.requests)[0] ?? "";

describe("the seller's ways to decide, in the mail", () => {
  it("are the new request's and the reminder's alone", () => {
    expect([...ASKS_SELLER_TO_DECIDE].sort()).toEqual(["SELLER_NEW_REQUEST", "SELLER_REMINDER"]);
  });

  it.each(["SELLER_NEW_REQUEST", "SELLER_REMINDER"] as const)(
    "%s: both links after the body, in the text part and as links in the HTML part",
    (template) => {
      const record = recordIn("ja");
      const mail = renderEmail(template, record, requestIdOf(record), NOW, LINKS);
      expect(mail.text).toContain(`承認する: ${APPROVE}\n却下する（理由を入力）: ${REJECT}`);
      expect(mail.text).toContain("ボタンを押すまでは何も変わりません");
      // Before the details: the reader acts first, then reads the rest.
      expect(mail.text.indexOf(APPROVE)).toBeLessThan(mail.text.indexOf("注文番号: o-1001"));
      expect(mail.html).toContain(`<a href="${APPROVE}" style="font-weight: bold;">承認する</a>`);
      expect(mail.html).toContain(`<a href="${REJECT}" style="font-weight: bold;">`);
    },
  );

  it("shows only the console's address when links are not allowed", () => {
    const record = recordIn("en");
    const mail = renderEmail("SELLER_NEW_REQUEST", record, requestIdOf(record), NOW, {
      kind: "CONSOLE",
      console: "https://console.example.com/",
    });
    expect(mail.text).toContain("Open the console: https://console.example.com/");
    expect(mail.text).not.toContain("/decide/");
    expect(mail.text).not.toContain("changes nothing until");
    expect(mail.html).toContain('<a href="https://console.example.com/"');
  });

  it("are left out of every other mail, even when given", () => {
    const record = recordIn("ja");
    const others = EMAIL_TEMPLATES.filter(
      (template) =>
        !ASKS_SELLER_TO_DECIDE.has(template) &&
        !template.includes("RETURN") &&
        template !== "SELLER_PARCEL_KEPT",
    );
    expect(others.length).toBeGreaterThan(10);
    for (const template of others) {
      const mail = renderEmail(template, record, requestIdOf(record), NOW, LINKS);
      expect(mail.text, template).not.toContain("/decide/");
      expect(mail.html, template).not.toContain("/decide/");
    }
  });

  it("are the same mail as before without them", () => {
    const record = recordIn("ja");
    const id = requestIdOf(record);
    const plain = renderEmail("SELLER_NEW_REQUEST", record, id, NOW);
    expect(plain.text).not.toContain("http");
    expect(plain.html).not.toContain("<a ");
  });

  it.each([
    'https://console.example.com/decide/x" onclick="alert(1)',
    "javascript:alert(1)",
    "https://console.example.com/decide/<b>",
    "",
  ])("refuses to link %j", (href) => {
    const record = recordIn("ja");
    expect(() =>
      renderEmail("SELLER_REMINDER", record, requestIdOf(record), NOW, {
        kind: "LINKS",
        approve: href,
        reject: REJECT,
      }),
    ).toThrow("plain http(s) address");
  });
});
