// The console writes amounts and dates with the formatter the mail uses
// (functions/notifications/format.ts, tested in test/notifications/format.test.ts), and the time
// left until a deadline in its own words.
import { describe, expect, it } from "vitest";
import { en } from "../../console/src/messages/en.ts";
import { ja } from "../../console/src/messages/ja.ts";
import { formatMoney, formatTimeLeft, isDueSoon } from "../../functions/notifications/format.ts";

describe("money in the console", () => {
  it("reads as mail has it: a half-width yen sign in both languages", () => {
    expect(formatMoney(5480, "JPY")).toBe("¥5,480");
    expect(formatMoney(1999, "USD")).toBe("$19.99");
  });
});

describe("time left", () => {
  const now = new Date("2026-11-21T03:00:00Z");

  it("counts days and hours, then hours and minutes, in the locale's words", () => {
    expect(formatTimeLeft("2026-11-22T23:00:00Z", now, "en", en.time)).toBe("1 day 20 hours left");
    expect(formatTimeLeft("2026-11-21T05:30:00Z", now, "en", en.time)).toBe(
      "2 hours 30 minutes left",
    );
    expect(formatTimeLeft("2026-11-23T03:00:00Z", now, "en", en.time)).toBe("2 days left");
    expect(formatTimeLeft("2026-11-21T03:00:20Z", now, "en", en.time)).toBe("1 minute left");
    // Japanese without spaces, as Intl's narrow list joins the units: 残り1日20時間.
    expect(formatTimeLeft("2026-11-22T23:00:00Z", now, "ja", ja.time)).toBe("残り1日20時間");
    expect(formatTimeLeft("2026-11-21T05:30:00Z", now, "ja", ja.time)).toBe("残り2時間30分");
    expect(formatTimeLeft("2026-11-23T03:00:00Z", now, "ja", ja.time)).toBe("残り2日");
  });

  it("is due soon (the console's red) only in the last 24 hours, and once overdue", () => {
    expect(isDueSoon("2026-11-22T03:00:00Z", now)).toBe(false);
    expect(isDueSoon("2026-11-22T02:59:59Z", now)).toBe(true);
    expect(isDueSoon("2026-11-21T02:00:00Z", now)).toBe(true);
  });

  it("says a deadline that has passed is overdue", () => {
    expect(formatTimeLeft("2026-11-21T02:59:00Z", now, "en", en.time)).toBe("Overdue");
    expect(formatTimeLeft("2026-11-21T03:00:00Z", now, "ja", ja.time)).toBe("期限切れ");
  });
});
