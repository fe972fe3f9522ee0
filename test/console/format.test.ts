// The console writes amounts and dates with the formatter the mail uses
// (functions/notifications/format.ts, tested in test/notifications/format.test.ts), and the time
// left until a deadline in its own words.
import { describe, expect, it } from "vitest";
import { en } from "../../console/src/messages/en.ts";
import { ja } from "../../console/src/messages/ja.ts";
import { formatMoney, formatTimeLeft } from "../../functions/notifications/format.ts";

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
    expect(formatTimeLeft("2026-11-22T23:00:00Z", now, "ja", ja.time)).toMatch(
      /^残り 1 日\s?20 時間$/,
    );
  });

  it("says a deadline that has passed is overdue", () => {
    expect(formatTimeLeft("2026-11-21T02:59:00Z", now, "en", en.time)).toBe("Overdue");
    expect(formatTimeLeft("2026-11-21T03:00:00Z", now, "ja", ja.time)).toBe("期限切れ");
  });
});
