// The one formatter of mail and console (functions/notifications/format.ts): amounts in minor units
// with a half-width yen sign in both languages, instants in the zone of the order's currency (Tokyo
// for JPY, UTC for USD) on a 24-hour clock with the zone named, calendar dates on their own day.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localDateTime } from "../../functions/domain/refund.ts";
import type { Currency, Locale } from "../../functions/domain/types.ts";
import {
  formatDate,
  formatDateTime,
  formatMoney,
  TIME_ZONES,
} from "../../functions/notifications/format.ts";

describe("money", () => {
  it.each([
    [5480, "JPY", "¥5,480"],
    [0, "JPY", "¥0"],
    [1_234_567, "JPY", "¥1,234,567"],
    [-500, "JPY", "-¥500"],
    [1234, "USD", "$12.34"],
    [5, "USD", "$0.05"],
    [1999, "USD", "$19.99"],
    [123_456_789, "USD", "$1,234,567.89"],
  ] as const)("%i %s → %s", (amount, currency, expected) => {
    expect(formatMoney(amount, currency)).toBe(expected);
  });

  it("reads every amount back to its minor units, whole yen and cents alike", () => {
    const back = (text: string) => Number(text.replace(/[^\d.-]/g, ""));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000_000 }), (amount) => {
        expect(back(formatMoney(amount, "JPY"))).toBe(amount);
        expect(Math.round(back(formatMoney(amount, "USD")) * 100)).toBe(amount);
        expect(formatMoney(amount, "JPY")).toMatch(/^¥\d{1,3}(,\d{3})*$/);
        expect(formatMoney(amount, "USD")).toMatch(/^\$\d{1,3}(,\d{3})*\.\d\d$/);
      }),
    );
  });
});

describe("instants", () => {
  it("shows a JPY order's times in Japan, naming the zone in each language", () => {
    expect(formatDateTime("2026-11-21T10:00:00Z", "JPY", "ja")).toBe(
      "2026年11月21日(土) 19:00（日本時間）",
    );
    expect(formatDateTime("2026-11-21T10:00:00Z", "JPY", "en")).toBe(
      "Sat, Nov 21, 2026, 19:00 JST (UTC+9)",
    );
  });

  it("shows a USD order's times in UTC", () => {
    expect(formatDateTime("2026-11-21T10:00:00Z", "USD", "ja")).toBe(
      "2026年11月21日(土) 10:00（UTC）",
    );
    expect(formatDateTime("2026-11-21T10:00:00Z", "USD", "en")).toBe(
      "Sat, Nov 21, 2026, 10:00 UTC",
    );
  });

  it("crosses the date line in Japan's time, not UTC's: day, weekday, month and year", () => {
    expect(formatDateTime("2026-11-30T15:30:00Z", "JPY", "ja")).toBe(
      "2026年12月1日(火) 00:30（日本時間）",
    );
    expect(formatDateTime("2026-11-30T15:30:00Z", "USD", "en")).toBe(
      "Mon, Nov 30, 2026, 15:30 UTC",
    );
    expect(formatDateTime("2026-12-31T15:00:00.000Z", "JPY", "en")).toBe(
      "Fri, Jan 1, 2027, 00:00 JST (UTC+9)",
    );
    expect(formatDateTime("2026-12-31T14:59:59.999Z", "JPY", "en")).toBe(
      "Thu, Dec 31, 2026, 23:59 JST (UTC+9)",
    );
  });

  it("agrees with the domain's dates: the local day and time refund.ts counts from", () => {
    const instants = fc
      .integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) })
      .map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(
        instants,
        fc.constantFrom<Currency>("JPY", "USD"),
        fc.constantFrom<Locale>("ja", "en"),
        (instant, currency, locale) => {
          const { date, time } = localDateTime(instant, currency);
          const label = TIME_ZONES[currency].label[locale];
          const day = formatDate(date, locale);
          expect(formatDateTime(instant, currency, locale)).toBe(
            locale === "ja" ? `${day} ${time}${label}` : `${day}, ${time}${label}`,
          );
        },
      ),
    );
  });

  it("refuses what is not a date", () => {
    expect(() => formatDateTime("not a date", "JPY", "en")).toThrow(RangeError);
  });
});

describe("calendar dates", () => {
  it("shows a date with its weekday, on the day it names", () => {
    expect(formatDate("2026-11-26", "ja")).toBe("2026年11月26日(木)");
    expect(formatDate("2026-11-26", "en")).toBe("Thu, Nov 26, 2026");
    expect(formatDate("2026-12-07", "en")).toBe("Mon, Dec 7, 2026");
    expect(formatDate("2027-01-01", "ja")).toBe("2027年1月1日(金)");
  });
});
