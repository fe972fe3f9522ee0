// `npm run bench`: every benchmark in sequence, a progress line per part, then bench/results.json,
// the table (printed, and written into BENCHMARKS.md's "Latest run"), and exit code 1 if any
// target of bench/targets.ts is missed. Parts run one at a time, so on a 2-core machine the JVM or
// local mode of one part never competes with another part's measurements.
import { readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg, release, totalmem, type } from "node:os";
import { performance } from "node:perf_hooks";
import { LocalClient } from "../local/client.ts";
import { type LocalInfo, startLocal } from "../local/start.ts";
import { type ApiResults, measureApi, warmUp } from "./api.ts";
import { AwsCallRecorder } from "./aws-calls.ts";
import { type CostResults, loadPrices, measureCost } from "./cost.ts";
import { type DomainResults, measureDomain } from "./domain.ts";
import type { People } from "./flows.ts";
import { dynamoDbLocalChildren } from "./processes.ts";
import { Checks, checksTable, formatNumber, markdownTable } from "./report.ts";
import { measureStore, RACERS, type StoreResults } from "./store.ts";
import { TARGETS } from "./targets.ts";
import { measureThroughput, type ThroughputResults } from "./throughput.ts";

const THROUGHPUT = { flows: TARGETS.throughput.flows, concurrency: 16 };
const RESULTS = new URL("results.json", import.meta.url);
const BENCHMARKS_MD = new URL("../BENCHMARKS.md", import.meta.url);
const README = new URL("../README.md", import.meta.url);

const runStarted = performance.now();
const elapsed = () => {
  const seconds = Math.round((performance.now() - runStarted) / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
};
const progress = (line: string) => console.log(`[${elapsed()}] ${line}`);

/** Seconds each part took. */
const partSeconds: Record<string, number> = {};
/** Runs one part between two progress lines. */
const part = async <T>(name: string, what: string, run: () => Promise<T> | T): Promise<T> => {
  progress(`${name}: ${what}`);
  const started = performance.now();
  const result = await run();
  partSeconds[name] = (performance.now() - started) / 1000;
  progress(`${name}: done in ${partSeconds[name].toFixed(1)} s`);
  return result;
};

const osName = async (): Promise<string> => {
  const text = await readFile("/etc/os-release", "utf8").catch(() => "");
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1];
  return `${pretty ?? type()} (${type()} ${release()})`;
};

/** The 1-minute load average when the run began: other work on the machine shows here. */
const loadAtStart = loadavg()[0] ?? 0;

const machine = async () => ({
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 1024 ** 3),
  os: await osName(),
  loadAverageAtStart: Number(loadAtStart.toFixed(2)),
});

interface ColdStartResult {
  function: string;
  bundleBytes: number;
  importMs: number;
  ratio: number;
}
interface ColdStartResults {
  reference: { bundleBytes: number; importMs: number };
  functions: ColdStartResult[];
}

/** bench/cold-start.ts is written separately; until it lands the part is reported as missing. */
const measureColdStart = async (
  onProgress: (line: string) => void,
): Promise<ColdStartResults | undefined> => {
  const modulePath = "./cold-start.ts";
  try {
    const module = (await import(modulePath)) as {
      measureColdStart: (options: {
        onProgress: (line: string) => void;
      }) => Promise<ColdStartResults>;
    };
    return await module.measureColdStart({ onProgress });
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    return undefined;
  }
};

const localParts = async (): Promise<{
  startLocalMs: number;
  cost: CostResults;
  api: ApiResults;
  throughput: ThroughputResults;
}> => {
  const recorder = new AwsCallRecorder();
  // The cancellation POSTs, tagged so their DynamoDB time can be told from everyone else's.
  recorder.tagRequests(
    (request) =>
      request.method === "POST" &&
      /^\/orders\/[^/]+\/cancellation-requests$/.test(request.url ?? ""),
  );
  const started = performance.now();
  const local = await part("local", "startLocal (synth, DynamoDB Local, stand-ins)", () =>
    startLocal({ port: 0 }),
  );
  const startLocalMs = performance.now() - started;
  try {
    recorder.install(local.awsClients);
    const api = new LocalClient(local.url);
    const info = (await api.get<LocalInfo>("/_local/info")).body;
    const system = await api.system();
    const people = async (): Promise<People> => ({
      system,
      buyer: await api.buyer(),
      seller: await api.seller(),
    });
    const alone = await people();
    const cost = await part("cost", "one warm-up, then each path alone", async () => {
      await warmUp(local, api, alone);
      return measureCost({ local, api, info, people: alone, recorder, prices: await loadPrices() });
    });
    const apiResults = await part("api", "latency, one request at a time", () =>
      measureApi(local, api, alone, recorder),
    );
    const throughput = await part(
      "throughput",
      `${THROUGHPUT.flows} flows, ${THROUGHPUT.concurrency} at a time (a line every 50)`,
      async () => {
        const workers = await Promise.all(Array.from({ length: THROUGHPUT.concurrency }, people));
        return measureThroughput(local, api, recorder, workers, {
          ...THROUGHPUT,
          onProgress: progress,
        });
      },
    );
    return { startLocalMs, cost, api: apiResults, throughput };
  } finally {
    await local.stop();
  }
};

const check = (
  checks: Checks,
  results: {
    domain: DomainResults;
    store: StoreResults;
    startLocalMs: number;
    api: ApiResults;
    cost: CostResults;
    coldStart: ColdStartResults | undefined;
    throughput: ThroughputResults;
  },
) => {
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
  if (coldStart === undefined) {
    // Not measured is not met.
    checks.atMost("cold start measured (bench/cold-start.ts)", 1, 0, "");
  } else {
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
  }
  checks.atLeast("complete cancellations", throughput.flows, TARGETS.throughput.flows, "");
  checks.atMost(
    "throughput overhead ratio",
    throughput.overheadRatio,
    TARGETS.throughput.overheadRatio,
    "",
  );
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
      row("API requests", (p) => String(p.apiRequests)),
      row("USD", (p) => usd(p.usd)),
    ],
    ["left", "right", "right", "right", "right"],
  );
};

const coldStartTable = (coldStart: ColdStartResults): string =>
  markdownTable(
    ["function", "bundle", "import", "ratio"],
    [
      [
        "(reference)",
        `${(coldStart.reference.bundleBytes / 1024).toFixed(1)} KiB`,
        `${coldStart.reference.importMs.toFixed(1)} ms`,
        "1.00",
      ],
      ...coldStart.functions.map((fn) => [
        fn.function,
        `${(fn.bundleBytes / 1024).toFixed(1)} KiB`,
        `${fn.importMs.toFixed(1)} ms`,
        fn.ratio.toFixed(2),
      ]),
    ],
    ["left", "right", "right", "right"],
  );

/** Replaces what lies between a document's two markers `<!-- bench:<name>:start/end -->` (a
 * document without them is left alone); answers whether it did. */
const writeBetweenMarkers = async (file: URL, name: string, text: string): Promise<boolean> => {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const document = await readFile(file, "utf8").catch(() => "");
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) return false;
  await writeFile(
    file,
    `${document.slice(0, from + start.length)}\n${text}\n${document.slice(to)}`,
  );
  return true;
};

const main = async () => {
  const date = new Date().toISOString();
  const domain = await part("domain", "micro-benchmarks", measureDomain);
  const store = await part("store", "OrderStore on DynamoDB Local", measureStore);
  const { startLocalMs, cost, api, throughput } = await localParts();
  if (dynamoDbLocalChildren().length > 0) throw new Error("DynamoDB Local left running");
  const coldStart = await part("coldStart", "each function bundled and imported", () =>
    measureColdStart(progress),
  );

  const checks = new Checks();
  check(checks, { domain, store, startLocalMs, api, cost, coldStart, throughput });
  const results = {
    date,
    cost,
    coldStart: coldStart?.functions ?? null,
    coldStartReference: coldStart?.reference ?? null,
    throughput,
    machine: await machine(),
    node: process.version,
    domain,
    store,
    api: { startLocalMs, ...api },
    targets: checks.all,
    seconds: (performance.now() - runStarted) / 1000,
    partSeconds,
  };
  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);

  const t = throughput;
  const tables = [
    `Run of ${date.slice(0, 10)} on ${results.machine.cpu} (${results.machine.cores} cores, ${results.machine.memoryGb} GB), ${results.machine.os}, Node ${results.node}; load average ${results.machine.loadAverageAtStart} at the start; ${Math.round(results.seconds)} s.`,
    "",
    checksTable(checks.summary()),
    "",
    `Cost per cancellation (us-east-1 prices, bench/prices.json; Lambda at ${cost.lambdaMemoryMb} MB): happy path ${usd(cost.happyPath.usd)}, lower bound ${usd(cost.lowerBoundUsd)}, ratio ${cost.ratio.toFixed(3)}.`,
    "",
    costTable(cost),
    "",
    coldStart
      ? coldStartTable(coldStart)
      : "Cold start: not measured (bench/cold-start.ts is missing).",
    "",
    `Cancellation POST one at a time: p50 ${api.requestCancellation.p50Ms.toFixed(1)} ms over its DynamoDB time p50 ${api.requestCancellationAws.dynamodbP50Ms.toFixed(1)} ms = ${api.requestCancellationAws.overheadRatio.toFixed(2)} (other AWS time p50 ${api.requestCancellationAws.otherAwsP50Ms.toFixed(1)} ms).`,
    "",
    `Throughput: ${t.flows} complete cancellations (${t.failedFlows} failed), ${t.concurrency} at a time: ${t.flowsPerSecond.toFixed(1)} flows/s, flow p50 ${Math.round(t.p50Ms)} ms, p99 ${Math.round(t.p99Ms)} ms; cancellation POST p50 ${t.post.p50Ms.toFixed(1)} ms over its DynamoDB time p50 ${t.post.dynamodbP50Ms.toFixed(1)} ms = ${t.overheadRatio.toFixed(2)} (its calls: ${t.post.calls.join(", ")}; other AWS time p50 ${t.post.otherAwsP50Ms.toFixed(1)} ms); peak RSS ${Math.round(t.peakRssMb)} MB (node ${Math.round(t.peakNodeRssMb)}, DynamoDB Local ${Math.round(t.peakJvmRssMb)}).`,
  ].join("\n");
  console.log(`\n${tables}\n`);
  const summary = `Latest run (${date.slice(0, 10)}, ${results.machine.cores} cores, load average ${results.machine.loadAverageAtStart}; details in BENCHMARKS.md):\n\n${checksTable(checks.summary())}`;
  const written = [
    "bench/results.json",
    ...((await writeBetweenMarkers(BENCHMARKS_MD, "latest-run", tables)) ? ["BENCHMARKS.md"] : []),
    ...((await writeBetweenMarkers(README, "summary", summary)) ? ["README.md"] : []),
  ];
  progress(
    `wrote ${written.join(", ")}; ${checks.missed.length} of ${checks.all.length} targets missed`,
  );
  if (checks.missed.length > 0) process.exitCode = 1;
};

// Local mode's stop() leaves the interpreter's timers of waits still open, which would keep this
// process alive for days: exit once the output is written.
const exit = () => process.stdout.write("", () => process.exit());
main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(exit);
