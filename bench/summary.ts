// What a run found, checked against bench/targets.ts and laid out as the tables that
// `npm run bench` prints and writes into BENCHMARKS.md and the README.
import type { ApiResults } from "./api.ts";
import type { ColdStartResult } from "./cold-start.ts";
import type { CostResults } from "./cost.ts";
import type { DomainResults } from "./domain.ts";
import type { OverheadResults } from "./overhead.ts";
import { Checks, checksTable, formatNumber, markdownTable } from "./report.ts";
import { RACERS, type StoreResults } from "./store.ts";
import { TARGETS } from "./targets.ts";
import type { ThroughputResults } from "./throughput.ts";

export interface RunResults {
  date: string;
  machine: {
    cpu: string;
    cores: number;
    memoryGb: number;
    os: string;
    loadAverageAtStart: number;
    /** The highest 1-minute load average seen during the run. */
    loadAverageMax: number;
  };
  node: string;
  seconds: number;
  domain: DomainResults;
  store: StoreResults;
  startLocalMs: number;
  api: ApiResults;
  cost: CostResults;
  coldStart: ColdStartResult;
  throughput: ThroughputResults;
  overhead: OverheadResults;
}

/** Every target of bench/targets.ts, met or missed. */
export const checkTargets = (results: RunResults): Checks => {
  const checks = new Checks();
  const { domain, store, api, cost, coldStart, throughput, overhead } = results;
  for (const [event, ops] of Object.entries(domain.transitionOpsPerSec)) {
    checks.atLeast(`transition ${event}`, ops, TARGETS.domain.transitionOpsPerSec, "ops/s");
  }
  checks.atLeast(
    "renderEmail BUYER_APPROVED (ja)",
    domain.renderEmailOpsPerSec,
    TARGETS.domain.renderEmailOpsPerSec,
    "ops/s",
  );
  checks.atLeast(
    "planNextStep (AWAITING_SELLER)",
    domain.planNextStepOpsPerSec,
    TARGETS.domain.planNextStepOpsPerSec,
    "ops/s",
  );
  checks.atMost("store get + save p50", store.roundTrip.p50Ms, TARGETS.store.roundTripP50Ms, "ms");
  checks.atMost("store get + save p99", store.roundTrip.p99Ms, TARGETS.store.roundTripP99Ms, "ms");
  checks.atMost(
    `store ${RACERS}-way conflicting save, mean`,
    store.conflictingSaves.meanMs,
    TARGETS.store.conflictingSavesMeanMs,
    "ms",
  );
  checks.atMost(
    `store ${RACERS}-way conflicting save, p99`,
    store.conflictingSaves.p99Ms,
    TARGETS.store.conflictingSavesP99Ms,
    "ms",
  );
  checks.atMost("startLocal", results.startLocalMs, TARGETS.api.startLocalMs, "ms");
  checks.atMost("GET /orders/{id} p50", api.getOrder.p50Ms, TARGETS.api.getOrderP50Ms, "ms");
  checks.atMost("GET /orders/{id} p99", api.getOrder.p99Ms, TARGETS.api.getOrderP99Ms, "ms");
  checks.atMost(
    "cancellation POST → 202 p50",
    api.requestCancellation.p50Ms,
    TARGETS.api.requestCancellationP50Ms,
    "ms",
  );
  checks.atMost(
    "cancellation POST → 202 p99",
    api.requestCancellation.p99Ms,
    TARGETS.api.requestCancellationP99Ms,
    "ms",
  );
  checks.atMost("RSS at rest (node)", api.rssMb, TARGETS.api.rssMb, "MB");
  checks.atMost(
    "RSS at rest (node + DynamoDB Local)",
    api.rssMb + api.jvmRssMb,
    TARGETS.api.totalRssMb,
    "MB",
  );
  checks.atMost(
    "cost ratio (happy path / lower bound)",
    cost.ratio,
    TARGETS.cost.happyPathRatio,
    "",
  );
  checks.atMost(
    "happy path state transitions",
    cost.happyPath.stateTransitions,
    TARGETS.cost.happyPathStateTransitions,
    "",
  );
  checks.atMost(
    "happy path DynamoDB write units",
    cost.happyPath.dynamodbWriteUnits,
    TARGETS.cost.happyPathWriteUnits,
    "",
  );
  checks.atMost(
    `cancellation POST overhead (× bare read + write, ${overhead.concurrency} at a time)`,
    overhead.ratio,
    TARGETS.overhead.ratio,
    "",
  );
  for (const fn of coldStart.functions) {
    checks.atMost(
      `${fn.function} bundle`,
      fn.bundleBytes / 1024,
      TARGETS.coldStart.bundleBytes / 1024,
      "KiB",
      "bundle",
    );
    checks.atMost(
      `${fn.function} import ratio`,
      fn.ratio,
      TARGETS.coldStart.importRatio,
      "",
      "import ratio",
    );
  }
  checks.atLeast("complete cancellations", throughput.flows, TARGETS.throughput.flows, "");
  return checks;
};

const usd = (value: number) => `$${value.toFixed(7)}`;

const costTable = (cost: CostResults): string => {
  const paths = [
    cost.happyPath,
    cost.lowerBound.happyPath,
    cost.sellerRejectPath,
    cost.lowerBound.sellerRejectPath,
  ];
  const row = (name: string, pick: (path: (typeof paths)[number]) => string) => [
    name,
    ...paths.map(pick),
  ];
  return markdownTable(
    ["per cancellation", "happy path", "its lower bound", "seller rejects", "its lower bound"],
    [
      row("state transitions", (p) => String(p.stateTransitions)),
      row("Lambda invocations", (p) => String(p.lambdaInvocations)),
      row("Lambda GB-seconds", (p) => p.lambdaGbSeconds.toFixed(4)),
      row("DynamoDB write units", (p) => formatNumber(p.dynamodbWriteUnits)),
      row("DynamoDB read units", (p) => formatNumber(p.dynamodbReadUnits)),
      row("emails", (p) => String(p.emails)),
      row("domain events", (p) => String(p.events)),
      row("API requests", (p) => String(p.apiRequests)),
      row("pipe requests (after filtering)", (p) => String(p.pipeRequests)),
      row("Express starter executions", (p) => String(p.expressRequests)),
      row("Express starter GB-seconds", (p) => p.expressGbSeconds.toFixed(4)),
      row("USD", (p) => usd(p.usd)),
    ],
    ["left", "right", "right", "right", "right"],
  );
};

/** Where the happy path's USD goes, and its write units by table and index. */
const costDetails = (cost: CostResults): string => {
  const { happyPath } = cost;
  const services = Object.entries(happyPath.usdByService)
    .sort((a, b) => b[1] - a[1])
    .map(([service, value]) => `${service} ${usd(value)}`)
    .join(", ");
  const units = (by: Record<string, number>) =>
    Object.entries(by)
      .sort((a, b) => b[1] - a[1])
      .map(([where, value]) => `${where} ${formatNumber(value)}`)
      .join(", ");
  const starter = happyPath.starter;
  return [
    `Happy path by service: ${services}.`,
    `Its DynamoDB write units by table and index: ${units(happyPath.dynamodbWriteUnitsBy)}; by action: ${units(happyPath.dynamodbCalls)} calls. The seller's rejection: ${units(cost.sellerRejectPath.dynamodbWriteUnitsBy)}.`,
    `The starter's execution: ${starter.durationMs.map((ms) => `${ms} ms`).join(", ")} in local mode, billed ${starter.billedMs.map((ms) => `${ms} ms`).join(", ")} at ${starter.billedMemoryMb.map((mb) => `${mb} MB`).join(", ")} (definition ${formatNumber(starter.definitionBytes)} bytes).`,
  ].join(" ");
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** What each bundle over its budget is made of (esbuild metafile), its largest parts. */
const bundleComposition = (coldStart: ColdStartResult): string => {
  const over = coldStart.functions.filter((fn) => fn.bundleBytes > TARGETS.coldStart.bundleBytes);
  if (over.length === 0) return "Every bundle is within its budget.";
  const lines = over.map((fn) => {
    const shown = fn.composition.slice(0, 7);
    const rest = fn.composition.slice(7).reduce((sum, part) => sum + part.bytes, 0);
    const parts = shown.map((part) => `${part.part} ${kib(part.bytes)}`);
    if (rest > 0) parts.push(`the rest ${kib(rest)}`);
    return `- ${fn.function} (${kib(fn.bundleBytes)}): ${parts.join(", ")}`;
  });
  return [
    `Bundles over ${kib(TARGETS.coldStart.bundleBytes)}, what they are made of (minified bytes by package or folder, esbuild's metafile):`,
    "",
    ...lines,
  ].join("\n");
};

const coldStartTable = (coldStart: ColdStartResult): string => {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const { reference } = coldStart;
  return markdownTable(
    ["function", "bundle", "import", "ratio", "import CPU", "CPU ratio"],
    [
      [
        "(reference)",
        kib(reference.bundleBytes),
        ms(reference.importMs),
        "1.00",
        ms(reference.cpuMs),
        "1.00",
      ],
      ...coldStart.functions.map((fn) => [
        fn.function,
        kib(fn.bundleBytes),
        ms(fn.importMs),
        fn.ratio.toFixed(2),
        ms(fn.cpuMs),
        fn.cpuRatio.toFixed(2),
      ]),
    ],
    ["left", "right", "right", "right", "right", "right"],
  );
};

const overheadTable = (o: OverheadResults): string => {
  const ms = (value: number | undefined) => (value === undefined ? "" : `${value.toFixed(1)} ms`);
  const calls = (side: OverheadResults["post"]) =>
    Object.entries(side.callSets)
      .map(([set, count]) => `${set.replaceAll(" ", ", ") || "none"} (${count})`)
      .join("; ");
  const row = (name: string, side: OverheadResults["post"]) => [
    name,
    ms(side.p50Ms),
    ms(side.p99Ms),
    ms(side.meanMs),
    ms(side.dynamodbP50Ms),
    ms(side.operationP50Ms.GetItem),
    ms(side.operationP50Ms.UpdateItem),
    ms(side.outsideDynamoDbP50Ms),
    `${formatNumber(side.writeUnits)} (${formatNumber(side.indexWriteUnits)})`,
  ];
  return [
    markdownTable(
      [
        `handler, ${o.concurrency} at a time`,
        "p50",
        "p99",
        "mean",
        "DynamoDB p50",
        "GetItem p50",
        "UpdateItem p50",
        "outside DynamoDB p50",
        "write units (indexes)",
      ],
      [
        row(`cancellation POST (${o.post.samples})`, o.post),
        row(`bare read + conditional write (${o.bare.samples})`, o.bare),
        ["ratio", o.ratio.toFixed(2), o.p99Ratio.toFixed(2), "", "", "", "", "", ""],
      ],
      ["left", "right", "right", "right", "right", "right", "right", "right", "right"],
    ),
    "",
    `AWS calls per invocation: the POST ${calls(o.post)}; the bare handler ${calls(o.bare)}.`,
  ].join("\n");
};

const throughputTable = (api: ApiResults, t: ThroughputResults): string => {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  return markdownTable(
    ["cancellation POST over HTTP", `${t.concurrency} flows at a time`, "one request at a time"],
    [
      ["POST p50", ms(t.post.p50Ms), ms(api.requestCancellation.p50Ms)],
      [
        "its DynamoDB time p50",
        ms(t.post.dynamodbP50Ms),
        ms(api.requestCancellationAws.dynamodbP50Ms),
      ],
      [
        "POST over its DynamoDB time",
        t.postOverDynamoDbRatio.toFixed(2),
        api.requestCancellationAws.postOverDynamoDbRatio.toFixed(2),
      ],
      [
        "its other AWS time p50",
        ms(t.post.otherAwsP50Ms),
        ms(api.requestCancellationAws.otherAwsP50Ms),
      ],
    ],
    ["left", "right", "right"],
  );
};

/** Everything a run prints: the machine, the targets, the cost, cold start and throughput. */
export const runTables = (results: RunResults, checks: Checks): string => {
  const { machine, cost, coldStart, throughput: t, api, overhead } = results;
  return [
    `Run of ${results.date.slice(0, 10)} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGb} GB), ${machine.os}, Node ${results.node}; load average ${machine.loadAverageAtStart} at the start, at most ${machine.loadAverageMax} during the run; ${Math.round(results.seconds)} s.`,
    "",
    checksTable(checks.summary()),
    "",
    `Cost per cancellation (us-east-1 prices, bench/prices.json; Lambda at ${cost.lambdaMemoryMb} MB): happy path ${usd(cost.happyPath.usd)}, lower bound ${usd(cost.lowerBoundUsd)}, ratio ${cost.ratio.toFixed(3)}.`,
    "",
    costTable(cost),
    "",
    costDetails(cost),
    "",
    `The cancellation POST's overhead: its handler module and a bare handler, each invoked in-process ${overhead.concurrency} at a time over fresh shipped orders with the pipe paused, ${overhead.rounds} alternating blocks of ${overhead.perRound} a side; ratio ${overhead.ratio.toFixed(2)} (p50 over p50).`,
    "",
    overheadTable(overhead),
    "",
    coldStartTable(coldStart),
    "",
    bundleComposition(coldStart),
    "",
    `Throughput: ${t.flows} complete cancellations (${t.failedFlows} failed), ${t.concurrency} at a time: ${t.flowsPerSecond.toFixed(1)} flows/s, flow p50 ${Math.round(t.p50Ms)} ms, p99 ${Math.round(t.p99Ms)} ms, peak RSS ${Math.round(t.peakRssMb)} MB (node ${Math.round(t.peakNodeRssMb)}, DynamoDB Local ${Math.round(t.peakJvmRssMb)}). The cancellation POST's calls: ${t.post.calls.join(", ")}. Its latency over its DynamoDB time within flows (information; the target is the handler overhead above):`,
    "",
    throughputTable(api, t),
  ].join("\n");
};

/** The README's table: the targets, each group (every function's bundle) as its worst. */
export const summaryTable = (results: RunResults, checks: Checks): string =>
  `Latest run (${results.date.slice(0, 10)}, ${results.machine.cores} cores, load average ${results.machine.loadAverageAtStart} at the start, at most ${results.machine.loadAverageMax}; every table in BENCHMARKS.md):\n\n${checksTable(checks.summary())}`;
