// Cold start of every Lambda function: how big its bundle is and how long Node.js 22 takes to
// import it, against a bare reference handler that only creates a DynamoDB client.
//
//   npx tsx bench/cold-start.ts [pairs]      prints a table; exits 1 when a function is over budget
//   import { measureColdStart, formatColdStart } from "./cold-start.ts"
//
// What it does, so the numbers mean what a deployment gets:
// - Finds every function of the synthesized stack (bundling skipped), named by its construct id
//   (`GetOrder`, `StepFunction`, `Reconciler`...), with the handler module its ENTRY_METADATA names
//   and the environment the stack gives it (tokens such as table names become dummy values). State
//   machines (the workflow, the Express starter) and the pipe are no functions and not measured.
// - Bundles each entry, and the reference, with esbuild and exactly the options NodejsFunction
//   uses (`esbuildOptions` of infra/lambda-defaults.ts, which reproduces its bundles byte for
//   byte), into a directory of its own under node_modules/.cache/cold-start/ (removed afterwards;
//   runs at the same time do not collide), so the external `@aws-sdk/*` resolves from the
//   project's node_modules as it does from the runtime. `bundleBytes` is the bundle (index.mjs)
//   without its source map. `composition` is what the bundle is made of, from esbuild's metafile:
//   each input's bytes in the output, grouped by package (`zod`, `@middy/core`) or by folder of
//   the project (`functions/domain`), largest first.
// - Imports each bundle in a fresh `node_modules/.bin/node` (Node.js 22) process that records
//   performance.now() around `await import(bundle)`: the module's own init, what a cold start adds
//   to the runtime's. The process gets the function's environment (its NODE_OPTIONS, i.e.
//   `--enable-source-maps`, included), AWS_REGION=us-east-1 and dummy credentials: importing a
//   handler needs no AWS. Reference and function alternate pair by pair in that same environment,
//   which of the two goes first alternating too; one process at a time, after one uncounted import
//   of every bundle (a warm file system cache for all).
// - `importMs` is the median over a function's samples; `ratio` is the median over its pairs of
//   function ÷ reference (side by side, so a machine that slows down for a while slows both);
//   `reference.importMs` is the median of every reference sample. The same from the process's CPU
//   time (`cpuMs`, `cpuRatio`) is reported beside them: on a machine shared with other work, wall
//   time swings with the load, CPU time much less.
// Budget (bench/targets.ts, issue 21): bundle ≤ 60 KiB, ratio ≤ 1.10. About 2 s per function on an
// idle 2-core machine (9 pairs); longer when the machine is busy.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Stack } from "aws-cdk-lib";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { build } from "esbuild";
import { createApp } from "../infra/create-app.ts";
import { ENTRY_METADATA, esbuildOptions, PROJECT_ROOT } from "../infra/lambda-defaults.ts";
import { TARGETS } from "./targets.ts";

export interface ColdStartOptions {
  /** Reference/function pairs per function (default and minimum 9). */
  pairs?: number;
  /** Called with a line of progress now and then (bundling, each function measured). */
  onProgress?: (line: string) => void;
}

export interface ColdStartMeasurement {
  /** The construct id of the function in the stack. */
  function: string;
  /** Size of the minified bundle in bytes (source map not counted). */
  bundleBytes: number;
  /** Median wall-clock import time of the bundle in a fresh Node.js 22 process, in ms. */
  importMs: number;
  /** Median over the pairs of this function's import time ÷ the reference's (wall clock). */
  ratio: number;
  /** Median CPU time (user + system) of the import, in ms. */
  cpuMs: number;
  /** Median over the pairs of this function's import CPU time ÷ the reference's. */
  cpuRatio: number;
  /** Bytes in the bundle by package or project folder (esbuild metafile), largest first. */
  composition: BundlePart[];
  /** The largest single modules (inputs) of the bundle, largest first (the first 10). */
  largestModules: BundlePart[];
}

export interface BundlePart {
  /** A package (`zod`, `@aws-lambda-powertools/logger`) or a project folder (`functions/http`). */
  part: string;
  bytes: number;
}

export interface ColdStartResult {
  reference: { bundleBytes: number; importMs: number; cpuMs: number };
  functions: ColdStartMeasurement[];
}

/** Budget per function (bench/targets.ts). */
export const COLD_START_BUDGET = {
  bundleBytes: TARGETS.coldStart.bundleBytes,
  ratio: TARGETS.coldStart.importRatio,
} as const;

export const MIN_PAIRS = 9;

/** The bare handler every function is compared with. */
export const REFERENCE_SOURCE = `import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
const client = new DynamoDBClient({});
export const handler = async () => client;
`;

const CACHE_DIR = path.join(PROJECT_ROOT, "node_modules", ".cache", "cold-start");
const NODE = path.join(PROJECT_ROOT, "node_modules", ".bin", "node");
/** Prints `[wall ms, cpu ms]` of importing argv[1]. */
const IMPORT_SCRIPT =
  "const start = performance.now(); const cpu = process.cpuUsage();" +
  " await import(process.argv[1]);" +
  " const wall = performance.now() - start; const used = process.cpuUsage(cpu);" +
  " process.stdout.write(JSON.stringify([wall, (used.user + used.system) / 1000]));";

export interface StackFunction {
  function: string;
  /** Handler module relative to the project root. */
  entry: string;
  /** The function's environment, with dummy values where the stack has tokens. */
  environment: Record<string, string>;
}

/** A stand-in for a value only known at deploy time (an ARN, a table name). */
const dummyValue = (name: string): string =>
  name.endsWith("ARN")
    ? `arn:aws:states:us-east-1:000000000000:stateMachine:cold-start-${name.toLowerCase()}`
    : `cold-start-${name.toLowerCase().replaceAll("_", "-")}`;

/** Every function of the synthesized stack that has a handler module, in construct order. */
export const stackFunctions = (): StackFunction[] => {
  const { stack } = createApp({
    context: { "aws:cdk:bundling-stacks": [] },
    nag: false,
    cfnValidation: false,
  });
  return stack.node.findAll().flatMap((construct) => {
    if (!(construct instanceof lambda.CfnFunction)) return [];
    const entry = construct.getMetadata(ENTRY_METADATA);
    // Functions CDK adds for itself (custom resources) have no entry.
    if (typeof entry !== "string") return [];
    const resolved = Stack.of(construct).resolve(construct.environment) as
      | { variables?: Record<string, unknown> }
      | undefined;
    const environment = Object.fromEntries(
      Object.entries(resolved?.variables ?? {}).map(([name, value]) => [
        name,
        typeof value === "string" ? value : dummyValue(name),
      ]),
    );
    const id = construct.node.scope?.node.id ?? construct.node.id;
    return [{ function: id, entry, environment }];
  });
};

/** The package (scoped or not) or project folder an esbuild input belongs to. */
export const partOf = (input: string): string => {
  const modules = input.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const [first = "", second = ""] = input.slice(modules + "node_modules/".length).split("/");
    return first.startsWith("@") ? `${first}/${second}` : first;
  }
  const parts = input.split("/");
  return parts.length > 2 ? parts.slice(0, 2).join("/") : input;
};

/** Bundles one entry as NodejsFunction would (a metafile besides, which changes no byte of it);
 * returns the bundle's path, size and composition. */
const bundle = async (entry: string, outDir: string, name: string) => {
  const outfile = path.join(outDir, name, "index.mjs");
  const result = await build({
    ...esbuildOptions(entry, outfile),
    logLevel: "error",
    metafile: true,
  });
  const output = Object.entries(result.metafile.outputs).find(([file]) =>
    file.endsWith(`${name}/index.mjs`),
  )?.[1];
  const inputs = Object.entries(output?.inputs ?? {}).map(([input, { bytesInOutput }]) => ({
    part: input.replace(/^.*node_modules\//, ""),
    group: partOf(input),
    bytes: bytesInOutput,
  }));
  const byPart = new Map<string, number>();
  for (const { group, bytes } of inputs) byPart.set(group, (byPart.get(group) ?? 0) + bytes);
  const largestFirst = (parts: BundlePart[]) =>
    parts.filter((part) => part.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  const composition = largestFirst([...byPart.entries()].map(([part, bytes]) => ({ part, bytes })));
  const largestModules = largestFirst(inputs.map(({ part, bytes }) => ({ part, bytes }))).slice(
    0,
    10,
  );
  return { file: outfile, bytes: (await stat(outfile)).size, composition, largestModules };
};

const execFileAsync = promisify(execFile);

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** One import of a bundle in a fresh Node.js 22 process. */
const importOnce = async (file: string, env: NodeJS.ProcessEnv): Promise<Sample> => {
  const { stdout } = await execFileAsync(
    NODE,
    ["--input-type=module", "--eval", IMPORT_SCRIPT, pathToFileURL(file).href],
    { cwd: PROJECT_ROOT, env, timeout: 30_000 },
  );
  const [wallMs, cpuMs] = JSON.parse(stdout) as unknown[];
  if (typeof wallMs !== "number" || typeof cpuMs !== "number") {
    throw new Error(`importing ${file} printed ${JSON.stringify(stdout)}`);
  }
  return { wallMs, cpuMs };
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** What a Lambda function's process gets besides its own variables; nothing reaches AWS. */
const baseEnvironment = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "cold-start",
  AWS_SECRET_ACCESS_KEY: "cold-start",
  AWS_LAMBDA_FUNCTION_NAME: "cold-start",
  POWERTOOLS_METRICS_DISABLED: "true",
});

/**
 * Bundles every function of the stack and the reference handler, then measures their import
 * times in alternating pairs (see the header of this file).
 */
export const measureColdStart = async (
  options: ColdStartOptions = {},
): Promise<ColdStartResult> => {
  const pairs = Math.max(MIN_PAIRS, Math.floor(options.pairs ?? MIN_PAIRS));
  const progress = options.onProgress ?? (() => {});

  const functions = stackFunctions();
  if (functions.length === 0) throw new Error("the stack has no functions with an entry");
  await mkdir(CACHE_DIR, { recursive: true });
  const outDir = await mkdtemp(path.join(CACHE_DIR, "run-"));
  try {
    return await measureIn(outDir, functions, pairs, progress);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
};

const measureIn = async (
  outDir: string,
  functions: StackFunction[],
  pairs: number,
  progress: (line: string) => void,
): Promise<ColdStartResult> => {
  const referenceEntry = path.join(outDir, "reference.mjs");
  await writeFile(referenceEntry, REFERENCE_SOURCE);
  progress(`bundling ${functions.length} functions and the reference`);
  const [reference, ...bundles] = await Promise.all([
    bundle(referenceEntry, outDir, "reference"),
    ...functions.map((fn) => bundle(path.join(PROJECT_ROOT, fn.entry), outDir, fn.function)),
  ]);
  if (!reference) throw new Error("the reference was not bundled");
  const measuring = functions.map((fn, index) => {
    const fnBundle = bundles[index];
    if (!fnBundle) throw new Error(`${fn.function} was not bundled`);
    return { fn, fnBundle, env: { ...baseEnvironment(), ...fn.environment } };
  });
  // Each bundle imported once first, not counted: the file system cache is warm for all of them.
  await importOnce(reference.file, baseEnvironment());
  for (const { fnBundle, env } of measuring) await importOnce(fnBundle.file, env);

  const referenceSamples: Sample[] = [];
  const measured: ColdStartMeasurement[] = [];
  for (const { fn, fnBundle, env } of measuring) {
    const pairSamples: { reference: Sample; fn: Sample }[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      if (pair % 2 === 0) {
        const referenceSample = await importOnce(reference.file, env);
        pairSamples.push({ reference: referenceSample, fn: await importOnce(fnBundle.file, env) });
      } else {
        const fnSample = await importOnce(fnBundle.file, env);
        pairSamples.push({ reference: await importOnce(reference.file, env), fn: fnSample });
      }
    }
    referenceSamples.push(...pairSamples.map((sample) => sample.reference));
    const result: ColdStartMeasurement = {
      function: fn.function,
      bundleBytes: fnBundle.bytes,
      importMs: median(pairSamples.map((sample) => sample.fn.wallMs)),
      ratio: median(pairSamples.map((sample) => sample.fn.wallMs / sample.reference.wallMs)),
      cpuMs: median(pairSamples.map((sample) => sample.fn.cpuMs)),
      cpuRatio: median(pairSamples.map((sample) => sample.fn.cpuMs / sample.reference.cpuMs)),
      composition: fnBundle.composition,
      largestModules: fnBundle.largestModules,
    };
    measured.push(result);
    progress(
      `${fn.function}: ${kib(result.bundleBytes)} KiB, ${result.importMs.toFixed(1)} ms ` +
        `×${result.ratio.toFixed(2)} (cpu ${result.cpuMs.toFixed(1)} ms ×${result.cpuRatio.toFixed(2)})`,
    );
  }
  return {
    reference: {
      bundleBytes: reference.bytes,
      importMs: median(referenceSamples.map((sample) => sample.wallMs)),
      cpuMs: median(referenceSamples.map((sample) => sample.cpuMs)),
    },
    functions: measured,
  };
};

const kib = (bytes: number): string => (bytes / 1024).toFixed(1);

/** Whether a function meets the budget: its bundle's size and its (wall-clock) import ratio. */
export const withinBudget = (fn: ColdStartMeasurement): boolean =>
  fn.bundleBytes <= COLD_START_BUDGET.bundleBytes && fn.ratio <= COLD_START_BUDGET.ratio;

/** The result as a plain-text table, one function a line, with the budget's verdict. */
export const formatColdStart = (result: ColdStartResult): string => {
  const rows = [
    ["function", "bundle KiB", "import ms", "× reference", "cpu ms", "cpu ×", "budget"],
    [
      "(reference)",
      kib(result.reference.bundleBytes),
      result.reference.importMs.toFixed(1),
      "",
      result.reference.cpuMs.toFixed(1),
      "",
      "",
    ],
    ...result.functions.map((fn) => [
      fn.function,
      kib(fn.bundleBytes),
      fn.importMs.toFixed(1),
      fn.ratio.toFixed(2),
      fn.cpuMs.toFixed(1),
      fn.cpuRatio.toFixed(2),
      withinBudget(fn) ? "ok" : "OVER",
    ]),
  ];
  const widths = (rows[0] ?? []).map((_, column) =>
    Math.max(...rows.map((row) => row[column]?.length ?? 0)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const pairs = process.argv[2] ? Number(process.argv[2]) : undefined;
  const started = performance.now();
  const result = await measureColdStart({
    ...(pairs ? { pairs } : {}),
    onProgress: (line) => console.error(line),
  });
  console.log(formatColdStart(result));
  console.log(
    `budget: bundle ≤ ${COLD_START_BUDGET.bundleBytes / 1024} KiB, import ≤ ` +
      `${COLD_START_BUDGET.ratio}× the reference (wall clock); ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  if (!result.functions.every(withinBudget)) process.exitCode = 1;
}
