// `npm run chaos [-- --runs N] [--seed S] [--workers W] [--max-commands M]`: random interleavings
// of everyone's actions with faults toggled, against local mode in this process; each run is
// followed by recovery and the invariants (test/chaos/harness.ts). W workers run side by side,
// each a fast-check stream seeded S + k (a run's faults hit only its own orders; their sweeps of
// the reconciler overlap, as a schedule delivered twice would). Prints progress, then the totals
// (how the requests' starts and notices recovered among them) and the checks across runs; a break
// exits 1 with its shrunk counterexample.
import "./quiet.ts";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { checkServer, startChaosServer } from "./harness.ts";
import { type ChaosTotals, chaosProperty, emptyTotals } from "./model.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1000" },
    seed: { type: "string" },
    workers: { type: "string", default: "6" },
    "max-commands": { type: "string", default: "24" },
  },
});
const runs = Number(values.runs);
const seed =
  values.seed === undefined ? Math.floor(Math.random() * 0x7fff_ffff) : Number(values.seed);
const workers = Math.min(Number(values.workers), runs);
const maxCommands = Number(values["max-commands"]);
if (![runs, seed, workers, maxCommands].every((n) => Number.isInteger(n) && n >= 1)) {
  console.error("usage: npm run chaos -- [--runs N] [--seed S] [--workers W] [--max-commands M]");
  process.exit(2);
}

const line = (totals: ChaosTotals) =>
  `runs: ${totals.runs}  actions: ${totals.actions}  faults fired: ${totals.faultsFired}  breaks: ${totals.breaks}`;

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
console.log(
  `chaos: ${runs} runs on ${workers} workers, seed ${seed} (again: npm run chaos -- --runs ${runs} --workers ${workers} --seed ${seed})`,
);
const server = await startChaosServer();
console.log(`local mode up at ${server.local.url} on ${server.local.database} (${seconds()} s)`);

const totals = emptyTotals();
let lastPrint = Date.now();
/** The worker that found a break: the others stop, it shrinks (for at most SHRINK_MS). */
let breaking: number | undefined;
const SHRINK_MS = 120_000;
let shrinkUntil = Number.POSITIVE_INFINITY;
const failures: { worker: number; details: fc.RunDetails<unknown> }[] = [];

const worker = async (index: number) => {
  const numRuns = Math.floor(runs / workers) + (index < runs % workers ? 1 : 0);
  const property = chaosProperty(server, totals, {
    maxCommands,
    skip: () => breaking !== undefined && (breaking !== index || Date.now() > shrinkUntil),
    onRun: (_run, error) => {
      if (error !== undefined && breaking === undefined) {
        breaking = index;
        shrinkUntil = Date.now() + SHRINK_MS;
        console.log(
          `break in worker ${index} after ${totals.runs} runs; shrinking…\n  ${String((error as Error).message).split("\n")[0]}`,
        );
      }
      if (Date.now() - lastPrint >= 10_000) {
        lastPrint = Date.now();
        console.log(`… ${line(totals)}  (${seconds()} s)`);
      }
    },
  });
  const details = await fc.check(property, { numRuns, seed: seed + index });
  if (details.failed) failures.push({ worker: index, details: details as fc.RunDetails<unknown> });
};

let exitCode = 0;
try {
  await Promise.all(Array.from({ length: workers }, (_, index) => worker(index)));
  const across = await checkServer(server);
  totals.breaks += across.length;
  console.log(line(totals));
  console.log(
    `requests: ${totals.requests}  outcomes: ${Object.entries(totals.outcomes)
      .map(([status, count]) => `${status} ${count}`)
      .join(", ")}  wall: ${seconds()} s`,
  );
  console.log(
    `timeline entries: ${Object.entries(totals.paths)
      .map(([type, count]) => `${type} ${count}`)
      .join(", ")}`,
  );
  console.log(
    `recovery: ${Object.entries(totals.recovery)
      .map(([what, count]) => `${what} ${count}`)
      .join(", ")}`,
  );
  console.log(
    `lines: ${Object.entries(totals.lines)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, count]) => `${kind} ${count}`)
      .join(", ")}`,
  );
  console.log(
    `stripe: ${
      Object.entries(totals.stripe)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, count]) => `${kind} ${count}`)
        .join(", ") || "none"
    }`,
  );
  console.log(
    `parcel: ${
      Object.entries(totals.parcel)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, count]) => `${kind} ${count}`)
        .join(", ") || "none"
    }`,
  );
  const executions = new Map<string, number>();
  for (const execution of server.local.stepFunctions.listExecutions()) {
    executions.set(execution.status, (executions.get(execution.status) ?? 0) + 1);
  }
  console.log(
    `executions: ${[...executions].map(([status, count]) => `${status} ${count}`).join(", ")}`,
  );
  for (const message of across) {
    exitCode = 1;
    console.log(`\nBREAK across runs: ${message}`);
  }
  for (const { worker: index, details } of failures) {
    exitCode = 1;
    const [[specs, opening], commands] = (details.counterexample ?? [[], []]) as [
      [unknown, unknown[]],
      unknown,
    ];
    console.log(
      `\nBREAK in worker ${index} (seed ${seed + index}, path ${details.counterexamplePath}), shrunk after ${details.numShrinks} steps:`,
    );
    console.log(`  orders: ${JSON.stringify(specs)}`);
    console.log(`  opening: ${opening.map(String).join(" | ")}`);
    console.log(`  commands: ${String(commands)}`);
    console.log(`  ${String((details.errorInstance as Error | undefined)?.message)}`);
  }
} finally {
  await server.stop();
}
process.exit(exitCode);
