// Money and dates as people read them, with Intl: the one formatter of the mail (render.ts) and the
// web console (console/src), so an amount or a deadline reads the same in both. Pure and free of
// Node and DOM APIs: the console's bundle imports it as it is.
//
// - Amounts are minor units (SPEC): 5480 JPY is "¥5,480", 1234 USD "$12.34", written the same in
//   ja and en (Intl's ja pattern would write a full-width "￥").
// - An instant is shown in the zone where the order's money moves, as refund.ts counts its dates:
//   Asia/Tokyo for JPY, UTC for USD, on a 24-hour clock with the zone named ("日本時間", "JST").
// - A calendar date (YYYY-MM-DD: a refund's expected dates) is shown on the day it names.
import type { Currency, Locale } from "../domain/types.ts";

/** Each currency's zone (no DST in either) and how a time names it after the clock. */
export const TIME_ZONES: Readonly<
  Record<Currency, { timeZone: string; label: Readonly<Record<Locale, string>> }>
> = {
  JPY: { timeZone: "Asia/Tokyo", label: { ja: "（日本時間）", en: " JST (UTC+9)" } },
  USD: { timeZone: "UTC", label: { ja: "（UTC）", en: " UTC" } },
};

/**
 * Money is written with the English pattern in both languages: the same digits and grouping as
 * ja's, and the half-width ¥ that mail has always used.
 */
const MONEY_LOCALE = "en";

const moneyFormats = new Map<Currency, Intl.NumberFormat>();
const moneyFormat = (currency: Currency): Intl.NumberFormat => {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(MONEY_LOCALE, { style: "currency", currency });
    moneyFormats.set(currency, format);
  }
  return format;
};

/** An amount in minor units: 4980 JPY → "¥4,980", 1234 USD → "$12.34", -500 JPY → "-¥500". */
export const formatMoney = (amount: number, currency: Currency): string => {
  const format = moneyFormat(currency);
  const digits = format.resolvedOptions().maximumFractionDigits ?? 0;
  return format.format(amount / 10 ** digits);
};

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
const dateTimeFormat = (locale: Locale, timeZone: string): Intl.DateTimeFormat => {
  const key = `${locale} ${timeZone}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      weekday: "short",
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone,
    });
    dateTimeFormats.set(key, format);
  }
  return format;
};

/**
 * An instant (ISO 8601) in the zone of the order's currency, with the zone named:
 * "2026年11月22日(日) 19:00（日本時間）", "Sun, Nov 22, 2026, 19:00 JST (UTC+9)",
 * "Sun, Nov 22, 2026, 10:00 UTC". Throws a RangeError for a string that is not a date.
 */
export const formatDateTime = (instant: string, currency: Currency, locale: Locale): string => {
  const { timeZone, label } = TIME_ZONES[currency];
  return `${dateTimeFormat(locale, timeZone).format(new Date(instant))}${label[locale]}`;
};

const dateFormats = new Map<Locale, Intl.DateTimeFormat>();

/** A calendar date (YYYY-MM-DD) with its weekday: "2026年11月26日(木)", "Thu, Nov 26, 2026". */
export const formatDate = (date: string, locale: Locale): string => {
  let format = dateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      weekday: "short",
      year: "numeric",
      month: "short",
      day: "numeric",
      // A calendar day, not an instant: read and shown in UTC so it never shifts.
      timeZone: "UTC",
    });
    dateFormats.set(locale, format);
  }
  return format.format(new Date(`${date}T00:00:00Z`));
};

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How a language says the time left (the console's `Messages["time"]`). */
export interface TimeLeftWords {
  left: (duration: string) => string;
  overdue: string;
}

/** Less than this left until a deadline, it is shown as urgent (the console's red). */
export const DUE_SOON_MS = DAY;

/** Whether `deadline` is within the last 24 hours before it, or past. */
export const isDueSoon = (deadline: string, now: Date): boolean =>
  new Date(deadline).getTime() - now.getTime() < DUE_SOON_MS;

/**
 * Time until `deadline`: "残り1日23時間", "1 day 23 hours left"; past deadlines are overdue.
 * Japanese is written without spaces, as 残り1日23時間 (ICU puts one between number and unit).
 */
export const formatTimeLeft = (
  deadline: string,
  now: Date,
  locale: Locale,
  words: TimeLeftWords,
): string => {
  const left = new Date(deadline).getTime() - now.getTime();
  if (left <= 0) return words.overdue;
  const days = Math.floor(left / DAY);
  const hours = Math.floor((left % DAY) / HOUR);
  const minutes = Math.floor((left % HOUR) / MINUTE);
  const unit = (value: number, name: "day" | "hour" | "minute") =>
    new Intl.NumberFormat(locale, { style: "unit", unit: name, unitDisplay: "long" }).format(value);
  const parts =
    days > 0
      ? [unit(days, "day"), ...(hours > 0 ? [unit(hours, "hour")] : [])]
      : hours > 0
        ? [unit(hours, "hour"), ...(minutes > 0 ? [unit(minutes, "minute")] : [])]
        : [unit(Math.max(minutes, 1), "minute")];
  const list = new Intl.ListFormat(locale, { style: "narrow", type: "unit" }).format(parts);
  return words.left(locale === "ja" ? list.replace(/\s/gu, "") : list);
};
