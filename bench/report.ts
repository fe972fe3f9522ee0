// Checks measurements against their targets (bench/targets.ts) and prints them side by side.
// Each check is a soft assertion: every target of a test is checked and printed, and any miss
// fails the test, so `npm run bench` exits non-zero.
import { expect } from "vitest";

interface Row {
  metric: string;
  result: string;
  target: string;
  met: boolean;
}

const format = (value: number): string =>
  value >= 100
    ? Math.round(value).toLocaleString("en-US")
    : value.toLocaleString("en-US", { maximumFractionDigits: 2, minimumFractionDigits: 2 });

export interface Report {
  /** `value` must be at least `target` (throughputs). */
  atLeast: (metric: string, value: number, target: number, unit: string) => void;
  /** `value` must be at most `target` (latencies, times, memory). */
  atMost: (metric: string, value: number, target: number, unit: string) => void;
  /** Prints the table of results and targets (call from afterAll). */
  print: () => void;
}

export const createReport = (title: string): Report => {
  const rows: Row[] = [];
  const check = (
    metric: string,
    value: number,
    target: number,
    unit: string,
    op: "≥" | "≤",
  ): void => {
    const met = op === "≥" ? value >= target : value <= target;
    const row = {
      metric,
      result: `${format(value)} ${unit}`,
      target: `${op} ${format(target)} ${unit}`,
      met,
    };
    rows.push(row);
    const assertion = expect.soft(value, `${metric}: ${row.result}, target ${row.target}`);
    if (op === "≥") assertion.toBeGreaterThanOrEqual(target);
    else assertion.toBeLessThanOrEqual(target);
  };
  return {
    atLeast: (metric, value, target, unit) => check(metric, value, target, unit, "≥"),
    atMost: (metric, value, target, unit) => check(metric, value, target, unit, "≤"),
    print: () => {
      const width = (key: "metric" | "result" | "target", header: string) =>
        Math.max(header.length, ...rows.map((row) => row[key].length));
      const widths = {
        metric: width("metric", "metric"),
        result: width("result", "result"),
        target: width("target", "target"),
      };
      const line = (metric: string, result: string, target: string, verdict: string) =>
        `  ${metric.padEnd(widths.metric)}  ${result.padStart(widths.result)}  ${target.padEnd(widths.target)}  ${verdict}`;
      console.log(
        [
          `${title}: results against targets (bench/targets.ts)`,
          line("metric", "result", "target", ""),
          ...rows.map((row) => line(row.metric, row.result, row.target, row.met ? "ok" : "MISSED")),
        ].join("\n"),
      );
    },
  };
};
