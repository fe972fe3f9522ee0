// `npm run bench`: every benchmark in sequence, a progress line per part, then bench/results.json,
// the table (printed, and written into BENCHMARKS.md's "Latest run"), and exit code 1 if any
// target of bench/targets.ts is missed. Parts run one at a time, so on a 2-core machine the JVM or
// local mode of one part never competes with another part's measurements.
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg, release, totalmem, type } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { LocalClient } from "../local/client.ts";
import { type LocalInfo, startLocal } from "../local/start.ts";
import { type ApiResults, measureApi, warmUp } from "./api.ts";
import { AwsCallRecorder } from "./aws-calls.ts";
import { measureColdStart } from "./cold-start.ts";
import { type CostResults, loadPrices, measureCost } from "./cost.ts";
import { measureDomain } from "./domain.ts";
import type { People } from "./flows.ts";
import { measureOverhead, OVERHEAD_OPTIONS, type OverheadResults } from "./overhead.ts";
import { dynamoDbLocalChildren } from "./processes.ts";
import { measureStore } from "./store.ts";
import { checkTargets, type RunResults, runTables, summaryTable } from "./summary.ts";
import { TARGETS } from "./targets.ts";
import { measureThroughput, type ThroughputResults } from "./throughput.ts";

const THROUGHPUT = { flows: TARGETS.throughput.flows, concurrency: 16 };
const PROJECT = fileURLToPath(new URL("..", import.meta.url));
const BIOME = fileURLToPath(new URL("../node_modules/.bin/biome", import.meta.url));
const execFileAsync = promisify(execFile);
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
/** The highest 1-minute load average seen during the run (read every 5 s): work that started
 * after the run did shows here. */
let loadMax = loadAtStart;
setInterval(() => {
  loadMax = Math.max(loadMax, loadavg()[0] ?? 0);
}, 5000).unref();

const machine = async () => ({
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 1024 ** 3),
  os: await osName(),
  loadAverageAtStart: Number(loadAtStart.toFixed(2)),
  loadAverageMax: Number(Math.max(loadMax, loadavg()[0] ?? 0).toFixed(2)),
});

const localParts = async (): Promise<{
  startLocalMs: number;
  cost: CostResults;
  api: ApiResults;
  throughput: ThroughputResults;
  overhead: OverheadResults;
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
    // Last: the requests its POSTs open start once the pipe runs again, and nothing after it waits.
    const overhead = await part(
      "overhead",
      `the cancellation POST's handler and a bare read + write, ${OVERHEAD_OPTIONS.concurrency} at a time, pipe paused`,
      () =>
        measureOverhead(local, api, alone, recorder, { ...OVERHEAD_OPTIONS, onProgress: progress }),
    );
    return { startLocalMs, cost, api: apiResults, throughput, overhead };
  } finally {
    await local.stop();
  }
};

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
  const store = await part("store", "DynamoOrders on DynamoDB Local", measureStore);
  const { startLocalMs, cost, api, throughput, overhead } = await localParts();
  if (dynamoDbLocalChildren().length > 0) throw new Error("DynamoDB Local left running");
  const coldStart = await part("coldStart", "each function bundled and imported", () =>
    measureColdStart({ onProgress: progress }),
  );

  const machineFacts = await machine();
  const seconds = (performance.now() - runStarted) / 1000;
  const run: RunResults = {
    date,
    machine: machineFacts,
    node: process.version,
    seconds,
    domain,
    store,
    startLocalMs,
    api,
    cost,
    coldStart,
    throughput,
    overhead,
  };
  const checks = checkTargets(run);
  const results = {
    date,
    cost,
    coldStart: coldStart.functions,
    coldStartReference: coldStart.reference,
    throughput,
    overhead,
    machine: machineFacts,
    node: process.version,
    domain,
    store,
    api: { startLocalMs, ...api },
    targets: checks.all,
    seconds,
    partSeconds,
  };
  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);

  const tables = runTables(run, checks);
  console.log(`\n${tables}\n`);
  const written = ["bench/results.json"];
  if (await writeBetweenMarkers(BENCHMARKS_MD, "latest-run", tables)) written.push("BENCHMARKS.md");
  // In the project's format (Biome's), so `npm run check` passes on what the run wrote. The
  // README's table is written already in that format: the rest of that file is not the bench's.
  await execFileAsync(BIOME, ["format", "--write", ...written], { cwd: PROJECT });
  if (await writeBetweenMarkers(README, "summary", summaryTable(run, checks))) {
    written.push("README.md");
  }
  progress(
    `wrote ${written.join(", ")}; ${checks.missed.length} of ${checks.all.length} targets missed`,
  );
  if (checks.missed.length > 0) process.exitCode = 1;
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
