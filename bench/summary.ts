// What a run found, checked against bench/targets.ts and laid out as the tables that
// `npm run bench` prints and writes into BENCHMARKS.md and the README.
import type { ApiResults } from "./api.ts";
import type { ColdStartResult } from "./cold-start.ts";
import type { CostResults } from "./cost.ts";
import type { DomainResults } from "./domain.ts";
import { Checks, checksTable, formatNumber, markdownTable } from "./report.ts";
import { RACERS, type StoreResults } from "./store.ts";
import { TARGETS } from "./targets.ts";
import type { ThroughputResults } from "./throughput.ts";

export interface RunResults {
  date: string;
  machine: { cpu: string; cores: number; memoryGb: number; os: string; loadAverageAtStart: number };
  node: string;
  seconds: number;
  domain: DomainResults;
  store: StoreResults;
  startLocalMs: number;
  api: ApiResults;
  cost: CostResults;
  coldStart: ColdStartResult;
  throughput: ThroughputResults;
}

/** Every target of bench/targets.ts, met or missed. */
export const checkTargets = (results: RunResults): Checks => {
  const checks = new Checks();
  const { domain, store, api, cost, coldStart, throughput } = results;
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
  checks.atMost(
    "throughput overhead ratio",
    throughput.overheadRatio,
    TARGETS.throughput.overheadRatio,
    "",
  );
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
      row("USD", (p) => usd(p.usd)),
    ],
    ["left", "right", "right", "right", "right"],
  );
};

const coldStartTable = (coldStart: ColdStartResult): string => {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
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

const throughputTable = (api: ApiResults, t: ThroughputResults): string => {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  return markdownTable(
    ["cancellation POST", `${t.concurrency} flows at a time`, "one request at a time"],
    [
      ["POST p50", ms(t.post.p50Ms), ms(api.requestCancellation.p50Ms)],
      [
        "its DynamoDB time p50",
        ms(t.post.dynamodbP50Ms),
        ms(api.requestCancellationAws.dynamodbP50Ms),
      ],
      [
        "overhead ratio",
        t.overheadRatio.toFixed(2),
        api.requestCancellationAws.overheadRatio.toFixed(2),
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
  const { machine, cost, coldStart, throughput: t, api } = results;
  return [
    `Run of ${results.date.slice(0, 10)} on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGb} GB), ${machine.os}, Node ${results.node}; load average ${machine.loadAverageAtStart} at the start; ${Math.round(results.seconds)} s.`,
    "",
    checksTable(checks.summary()),
    "",
    `Cost per cancellation (us-east-1 prices, bench/prices.json; Lambda at ${cost.lambdaMemoryMb} MB): happy path ${usd(cost.happyPath.usd)}, lower bound ${usd(cost.lowerBoundUsd)}, ratio ${cost.ratio.toFixed(3)}.`,
    "",
    costTable(cost),
    "",
    coldStartTable(coldStart),
    "",
    `Throughput: ${t.flows} complete cancellations (${t.failedFlows} failed), ${t.concurrency} at a time: ${t.flowsPerSecond.toFixed(1)} flows/s, flow p50 ${Math.round(t.p50Ms)} ms, p99 ${Math.round(t.p99Ms)} ms, peak RSS ${Math.round(t.peakRssMb)} MB (node ${Math.round(t.peakNodeRssMb)}, DynamoDB Local ${Math.round(t.peakJvmRssMb)}). The cancellation POST's calls: ${t.post.calls.join(", ")}.`,
    "",
    throughputTable(api, t),
  ].join("\n");
};

/** The README's table: the targets, each group (every function's bundle) as its worst. */
export const summaryTable = (results: RunResults, checks: Checks): string =>
  `Latest run (${results.date.slice(0, 10)}, ${results.machine.cores} cores, load average ${results.machine.loadAverageAtStart}; every table in BENCHMARKS.md):\n\n${checksTable(checks.summary())}`;
