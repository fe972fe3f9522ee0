// A seller's performance (GET /seller/metrics and the operator's route) in words and one chart:
// first, plainly, that a buyer's change of mind never counts against the seller; then the rate
// and what counts in it, the cancellation requests that ended (by whose fault, outcome and
// reason), the seller's responses (with the median and p90 read off the histogram), and a bar
// chart of the days (inline SVG, its figures also in a table for those who do not see it).
import { Fragment } from "preact";
import { CANCELLATION_REASONS } from "../../../functions/domain/codes.ts";
import { formatDate } from "../../../functions/notifications/format.ts";
import type { components } from "../api-schema.ts";
import { useMessages } from "../i18n.ts";
import type { Fault, Language } from "../messages/types.ts";

export type SellerMetrics = components["schemas"]["SellerMetrics"];
type Day = SellerMetrics["days"][number];

const FAULTS: readonly Fault[] = ["NONE", "SELLER", "CARRIER"];
const OUTCOMES = ["COMPLETED", "REJECTED", "WITHDRAWN", "RETURN_REQUIRED"] as const;

/** A response time in one or two units: "2 hours 10 minutes", "2時間10分", "45 seconds". */
export const formatDuration = (seconds: number, locale: Language): string => {
  const unit = (value: number, name: "day" | "hour" | "minute" | "second") =>
    new Intl.NumberFormat(locale, { style: "unit", unit: name, unitDisplay: "long" }).format(value);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const parts =
    days > 0
      ? [unit(days, "day"), ...(hours > 0 ? [unit(hours, "hour")] : [])]
      : hours > 0
        ? [unit(hours, "hour"), ...(minutes > 0 ? [unit(minutes, "minute")] : [])]
        : minutes > 0
          ? [unit(minutes, "minute")]
          : [unit(seconds, "second")];
  const list = new Intl.ListFormat(locale, { style: "narrow", type: "unit" }).format(parts);
  return locale === "ja" ? list.replace(/\s/gu, "") : list;
};

const percent = (rate: number, locale: Language) =>
  new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 }).format(rate);

const count = (value: number, locale: Language) => new Intl.NumberFormat(locale).format(value);

// The chart's drawing box (the SVG scales to the page's width).
const WIDTH = 600;
const HEIGHT = 180;
// Room for a three-digit count in the larger ticks of a phone.
const LEFT = 40;
// Room under the axis for the dates, so that the larger ticks of a phone clear the axis' 0.
const BOTTOM = 30;
const TOP = 8;

/** Orders and ended cancellation requests per day, the seller-caused ones in red. */
const DailyChart = ({ days, id }: { days: Day[]; id: string }) => {
  const messages = useMessages();
  const words = messages.performance;
  const locale = messages.language;
  const highest = Math.max(1, ...days.map((day) => Math.max(day.orders, day.cancellations)));
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const slot = (WIDTH - LEFT) / Math.max(1, days.length);
  const bar = Math.max(1, slot * 0.38);
  const y = (value: number) => TOP + plotHeight - (value / highest) * plotHeight;
  const total = (pick: (day: Day) => number) => days.reduce((sum, day) => sum + pick(day), 0);
  const summary = words.chartSummary(
    days.length,
    total((day) => day.orders),
    total((day) => day.cancellations),
    total((day) => day.sellerCancellations),
  );
  const shortDate = (date: string) => date.slice(5).replace("-", "/");
  const labelled = new Set([0, Math.floor((days.length - 1) / 2), days.length - 1]);
  const last = days.length - 1;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title`}>
        <title id={`${id}-title`}>{summary}</title>
        <line class="axis" x1={LEFT} y1={TOP + plotHeight} x2={WIDTH} y2={TOP + plotHeight} />
        <text class="tick" x={LEFT - 4} y={TOP + 8} text-anchor="end">
          {count(highest, locale)}
        </text>
        <text class="tick" x={LEFT - 4} y={TOP + plotHeight} text-anchor="end">
          0
        </text>
        {days.map((day, i) => {
          const x = LEFT + i * slot + slot * 0.1;
          return (
            <g key={day.date} data-date={day.date}>
              <rect
                class="bar-orders"
                x={x}
                y={y(day.orders)}
                width={bar}
                height={TOP + plotHeight - y(day.orders)}
              />
              <rect
                class="bar-cancellations"
                x={x + bar}
                y={y(day.cancellations)}
                width={bar}
                height={TOP + plotHeight - y(day.cancellations)}
              />
              <rect
                class="bar-seller"
                x={x + bar}
                y={y(day.sellerCancellations)}
                width={bar}
                height={TOP + plotHeight - y(day.sellerCancellations)}
              />
              {/* Under its bars; the last day's date ends at the chart's edge rather than past it. */}
              {labelled.has(i) && (
                <text
                  class="tick"
                  x={i === last ? WIDTH : x + bar}
                  y={HEIGHT - 6}
                  text-anchor={i === last ? "end" : "middle"}
                >
                  {shortDate(day.date)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul class="legend">
          <li>
            <span class="swatch bar-orders" aria-hidden="true" />
            {words.legendOrders}
          </li>
          <li>
            <span class="swatch bar-cancellations" aria-hidden="true" />
            {words.legendCancellations}
          </li>
          <li>
            <span class="swatch bar-seller" aria-hidden="true" />
            {words.legendSellerCaused}
          </li>
        </ul>
      </figcaption>
      <details class="by-day">
        <summary>{words.byDay}</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">{words.date}</th>
              <th scope="col">{words.legendOrders}</th>
              <th scope="col">{words.legendCancellations}</th>
              <th scope="col">{words.legendSellerCaused}</th>
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={day.date}>
                <th scope="row">{formatDate(day.date, locale)}</th>
                <td>{count(day.orders, locale)}</td>
                <td>{count(day.cancellations, locale)}</td>
                <td>{count(day.sellerCancellations, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
};

export const SellerFigures = ({ metrics, id }: { metrics: SellerMetrics; id: string }) => {
  const messages = useMessages();
  const words = messages.performance;
  const locale = messages.language;
  const { cancellations, response } = metrics;
  const time = (seconds: number | null) =>
    seconds === null ? words.noAnswers : words.about(formatDuration(seconds, locale));
  const sellerCaused = metrics.days.reduce((sum, day) => sum + day.sellerCancellations, 0);
  return (
    <>
      <div class="notice fairness">
        <p>
          <strong>{words.fairness}</strong>
        </p>
        <p>{words.rateRule}</p>
      </div>
      <p class="window">
        {words.window(formatDate(metrics.from, locale), formatDate(metrics.to, locale))}
      </p>
      <dl class="facts figures headline">
        <dt>{words.rate}</dt>
        <dd>
          <strong class="rate">{percent(metrics.sellerCancellationRate, locale)}</strong>{" "}
          <span class="hint">{words.rateOf(sellerCaused, metrics.orders)}</span>
        </dd>
        <dt>{words.orders}</dt>
        <dd>{count(metrics.orders, locale)}</dd>
      </dl>
      <section class="panel">
        <h2>{words.chartHeading}</h2>
        <DailyChart days={metrics.days.slice(-30)} id={`${id}-chart`} />
      </section>
      <section class="panel">
        <h2>{words.cancellations}</h2>
        <p>{words.cancellationsIntro}</p>
        <dl class="facts figures">
          <dt>{words.cancellations}</dt>
          <dd>{count(cancellations.total, locale)}</dd>
        </dl>
        <h3>{words.byFault}</h3>
        <dl class="facts figures">
          {FAULTS.map((fault) => (
            <Fragment key={fault}>
              <dt>{words.fault[fault]}</dt>
              <dd>{count(cancellations.byFault[fault], locale)}</dd>
            </Fragment>
          ))}
        </dl>
        <h3>{words.byOutcome}</h3>
        <dl class="facts figures">
          {OUTCOMES.map((status) => (
            <Fragment key={status}>
              <dt>{messages.requestStatus[status]}</dt>
              <dd>{count(cancellations.byOutcome[status], locale)}</dd>
            </Fragment>
          ))}
        </dl>
        <h3>{words.byReason}</h3>
        <dl class="facts figures">
          {CANCELLATION_REASONS.map((reason) => (
            <Fragment key={reason}>
              <dt>{messages.reasons[reason]}</dt>
              <dd>{count(cancellations.byReason[reason], locale)}</dd>
            </Fragment>
          ))}
        </dl>
      </section>
      <section class="panel">
        <h2>{words.responses}</h2>
        <p>{words.responsesIntro}</p>
        <dl class="facts figures">
          <dt>{words.answered}</dt>
          <dd>{count(response.answered, locale)}</dd>
          <dt>{words.withinDeadline}</dt>
          <dd>{count(response.withinDeadline, locale)}</dd>
          <dt>{words.timedOut}</dt>
          <dd>{count(response.timedOut, locale)}</dd>
          <dt>{words.median}</dt>
          <dd>{time(response.medianSeconds)}</dd>
          <dt>{words.p90}</dt>
          <dd>{time(response.p90Seconds)}</dd>
        </dl>
      </section>
    </>
  );
};
