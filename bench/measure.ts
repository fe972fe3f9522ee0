// Small timing helpers: latency samples and their percentiles, and operations per second.
import { performance } from "node:perf_hooks";

/** The `p`th percentile (0–100) of samples, interpolating between the two closest ranks. */
export const percentile = (samples: readonly number[], p: number): number => {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const below = sorted[Math.floor(rank)] ?? 0;
  const above = sorted[Math.ceil(rank)] ?? below;
  return below + (above - below) * (rank - Math.floor(rank));
};

export const mean = (samples: readonly number[]): number =>
  samples.reduce((sum, sample) => sum + sample, 0) / samples.length;

export interface Latency {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export const latencyOf = (samplesMs: readonly number[]): Latency => ({
  samples: samplesMs.length,
  p50Ms: percentile(samplesMs, 50),
  p99Ms: percentile(samplesMs, 99),
  meanMs: mean(samplesMs),
});

/** Milliseconds `run` takes. */
export const timed = async (run: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

/**
 * Runs `run` one call at a time (after `warmup` unmeasured calls) until `iterations` calls or
 * `timeMs` have passed, whichever is later; `prepare` runs untimed before each call.
 */
export const sampleLatency = async (
  run: () => Promise<unknown>,
  options: {
    iterations: number;
    warmup: number;
    timeMs?: number;
    prepare?: () => Promise<void>;
  },
): Promise<Latency> => {
  const samples: number[] = [];
  for (let i = 0; i < options.warmup; i++) {
    await options.prepare?.();
    await run();
  }
  const until = performance.now() + (options.timeMs ?? 0);
  while (samples.length < options.iterations || performance.now() < until) {
    await options.prepare?.();
    samples.push(await timed(run));
  }
  return latencyOf(samples);
};

/** Calls of a synchronous `run` per second, over `timeMs` after a `warmupMs` warm-up. */
export const opsPerSecond = (run: () => void, options = { warmupMs: 300, timeMs: 1000 }) => {
  const loop = (ms: number) => {
    let calls = 0;
    const started = performance.now();
    let elapsed = 0;
    // Batches of 100 keep the clock reads out of the measurement.
    while (elapsed < ms) {
      for (let i = 0; i < 100; i++) run();
      calls += 100;
      elapsed = performance.now() - started;
    }
    return (calls / elapsed) * 1000;
  };
  loop(options.warmupMs);
  return loop(options.timeMs);
};
