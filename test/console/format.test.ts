// Amounts and dates with Intl, in the locale asked for: yen without decimals, other currencies in
// their minor unit, instants in Japan's time zone with the zone named, calendar dates unshifted,
// and the time left until a deadline.
import { describe, expect, it } from "vitest";
import {
  formatDate,
  formatDateTime,
  formatMoney,
  formatTimeLeft,
} from "../../console/src/format.ts";
import { en } from "../../console/src/messages/en.ts";
import { ja } from "../../console/src/messages/ja.ts";

describe("money", () => {
  it("writes yen amounts as the locale does", () => {
    expect(formatMoney(5480, "JPY", "ja")).toBe("￥5,480");
    expect(formatMoney(49800, "JPY", "en")).toBe("¥49,800");
  });

  it("reads other currencies' amounts in their minor unit", () => {
    expect(formatMoney(1999, "USD", "en")).toBe("$19.99");
    expect(formatMoney(1999, "USD", "ja")).toBe("$19.99");
  });
});

describe("dates", () => {
  it("shows an instant in Japan's time, naming the zone", () => {
    expect(formatDateTime("2026-11-21T10:00:00Z", "ja")).toBe("2026年11月21日 19:00 JST");
    expect(formatDateTime("2026-11-21T10:00:00Z", "en")).toBe("Nov 21, 2026, 7:00 PM GMT+9");
  });

  it("crosses midnight in Japan's time, not UTC's", () => {
    expect(formatDateTime("2026-11-30T15:30:00Z", "ja")).toBe("2026年12月1日 0:30 JST");
  });

  it("shows a calendar date with its weekday, on the day it names", () => {
    expect(formatDate("2026-11-26", "ja")).toBe("2026年11月26日(木)");
    expect(formatDate("2026-12-07", "en")).toBe("Mon, Dec 7, 2026");
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
