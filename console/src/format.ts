// Amounts, dates and time left, formatted with Intl. Times are shown in Japan's time zone (the
// marketplace's business days and deadlines are Japanese) with the zone named.
import type { Messages } from "./messages/types.ts";

export const TIME_ZONE = "Asia/Tokyo";

/** Minor units as money in `locale`: 5480 JPY → "￥5,480" (ja) or "¥5,480" (en). */
export const formatMoney = (amount: number, currency: string, locale: string): string => {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 0;
  return format.format(amount / 10 ** digits);
};

/** An instant (ISO 8601) as a date and time in Japan, with the zone: "2026年11月21日 19:00 JST". */
export const formatDateTime = (iso: string, locale: string): string =>
  new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZone: TIME_ZONE,
    timeZoneName: "short",
  }).format(new Date(iso));

/** A calendar date (YYYY-MM-DD) with its weekday: "2026年11月26日(木)", "Thu, Nov 26, 2026". */
export const formatDate = (date: string, locale: string): string =>
  new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    weekday: "short",
    // The date is a calendar day, not an instant: read and shown in UTC so it never shifts.
    timeZone: "UTC",
  }).format(new Date(`${date}T00:00:00Z`));

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Time until `deadline`: "残り 1日 23時間", "1 day, 23 hours left"; past deadlines are overdue. */
export const formatTimeLeft = (
  deadline: string,
  now: Date,
  locale: string,
  words: Messages["time"],
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
  const list = new Intl.ListFormat(locale, { style: "narrow", type: "unit" });
  return words.left(list.format(parts));
};
