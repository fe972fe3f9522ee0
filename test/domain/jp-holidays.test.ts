// The holiday table against the package it was taken from, date by date.
import holidayJp from "@holiday-jp/holiday_jp";
import { describe, expect, it } from "vitest";
import { isJapaneseHoliday, JP_HOLIDAYS } from "../../functions/domain/jp-holidays.ts";

const DAY_MS = 86_400_000;
const packageDates = Object.keys(holidayJp.holidays);

/** The package's dates in the table's form: year → space-separated `MMDD`. */
const tableOfPackage = (): Record<number, string> => {
  const byYear: Record<number, string[]> = {};
  for (const date of packageDates) {
    const year = Number(date.slice(0, 4));
    byYear[year] ??= [];
    byYear[year].push(`${date.slice(5, 7)}${date.slice(8, 10)}`);
  }
  return Object.fromEntries(
    Object.entries(byYear).map(([year, days]) => [Number(year), days.sort().join(" ")]),
  );
};

describe("JP_HOLIDAYS", () => {
  it("holds exactly the dates of @holiday-jp/holiday_jp (paste the printed table on a change)", () => {
    const expected = tableOfPackage();
    const same = JSON.stringify(expected) === JSON.stringify(JP_HOLIDAYS);
    if (!same) {
      const lines = Object.entries(expected).map(([year, days]) => `  ${year}: "${days}",`);
      console.log(`JP_HOLIDAYS = {\n${lines.join("\n")}\n}`);
    }
    expect(JP_HOLIDAYS).toEqual(expected);
  });

  it("answers as the package for every day of its years and the years around them", () => {
    const holidays = new Set(packageDates);
    const first = Date.UTC(1969, 0, 1);
    const last = Date.UTC(2051, 11, 31);
    let count = 0;
    for (let ms = first; ms <= last; ms += DAY_MS) {
      const date = new Date(ms).toISOString().slice(0, 10);
      expect.soft(isJapaneseHoliday(date), date).toBe(holidays.has(date));
      if (holidays.has(date)) count += 1;
    }
    expect(count).toBe(packageDates.length);
  });

  it("knows the holidays of 2026, 勤労感謝の日 among them", () => {
    const dates = packageDates.filter((date) => date.startsWith("2026-"));
    expect(dates.length).toBeGreaterThan(15);
    for (const date of dates) expect(isJapaneseHoliday(date), date).toBe(true);
    expect(isJapaneseHoliday("2026-11-23")).toBe(true);
    expect(isJapaneseHoliday("2026-11-24")).toBe(false);
  });

  it("is false for what is not a date of its years", () => {
    for (const value of ["", "2026", "2026-01", "2026-0101", "2026-01-01T00:00", "1969-01-01"]) {
      expect(isJapaneseHoliday(value), value).toBe(false);
    }
  });
});
