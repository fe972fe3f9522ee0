// Measurements against their targets (bench/targets.ts): each check is recorded, met or missed,
// and every one is printed; any miss makes `npm run bench` exit non-zero once the run is over.

export interface TargetCheck {
  metric: string;
  value: number;
  unit: string;
  /** `≤` for latencies, times, sizes and ratios; `≥` for throughputs and counts. */
  op: "≤" | "≥";
  target: number;
  met: boolean;
  /** Checks of one kind over many subjects (each function's bundle): summaries show the worst. */
  group?: string;
}

export const formatNumber = (value: number): string => {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100 || Number.isInteger(value)) {
    return Math.round(value).toLocaleString("en-US");
  }
  if (Math.abs(value) >= 1 || value === 0) {
    return value.toLocaleString("en-US", { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  }
  return value.toPrecision(3);
};

export class Checks {
  readonly all: TargetCheck[] = [];

  /** `value` must be at most `target`. */
  atMost(metric: string, value: number, target: number, unit: string, group?: string): void {
    this.all.push({ metric, value, unit, op: "≤", target, met: value <= target, ...{ group } });
  }

  /** `value` must be at least `target`. */
  atLeast(metric: string, value: number, target: number, unit: string, group?: string): void {
    this.all.push({ metric, value, unit, op: "≥", target, met: value >= target, ...{ group } });
  }

  /** Every check, each group reduced to its worst (named, with how many of the group missed). */
  summary(): TargetCheck[] {
    const rows: TargetCheck[] = [];
    for (const check of this.all) {
      if (check.group === undefined) {
        rows.push(check);
        continue;
      }
      if (rows.some((row) => row.group === check.group)) continue;
      const members = this.all.filter((other) => other.group === check.group);
      const margin = (row: TargetCheck) =>
        row.op === "≤" ? row.value / row.target : row.target / row.value;
      const worst = members.reduce((a, b) => (margin(b) > margin(a) ? b : a));
      const missed = members.filter((member) => !member.met).length;
      rows.push({
        ...worst,
        metric: `${check.group}, worst of ${members.length} (${worst.metric}; ${missed} missed)`,
      });
    }
    return rows;
  }

  get missed(): TargetCheck[] {
    return this.all.filter((check) => !check.met);
  }
}

/** A Markdown table, columns padded so it reads as well in a terminal as in a document. */
export const markdownTable = (
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ("left" | "right")[] = [],
): string => {
  const widths = header.map((title, column) =>
    Math.max(title.length, 3, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const cell = (text: string, column: number) =>
    align[column] === "right"
      ? text.padStart(widths[column] ?? 0)
      : text.padEnd(widths[column] ?? 0);
  const line = (cells: readonly string[]) =>
    `| ${header.map((_, column) => cell(cells[column] ?? "", column)).join(" | ")} |`;
  const rule = `| ${widths
    .map((width, column) =>
      align[column] === "right" ? `${"-".repeat(width - 1)}:` : "-".repeat(width),
    )
    .join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)].join("\n");
};

export const checksTable = (checks: readonly TargetCheck[]): string =>
  markdownTable(
    ["metric", "result", "target", ""],
    checks.map((check) => [
      check.metric,
      `${formatNumber(check.value)} ${check.unit}`.trim(),
      `${check.op} ${formatNumber(check.target)} ${check.unit}`.trim(),
      check.met ? "ok" : "**MISSED**",
    ]),
    ["left", "right", "left", "left"],
  );
