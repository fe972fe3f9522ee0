// `npm run bench`: vitest's benchmark mode (tinybench behind the `bench` test fixture). Each
// *.bench.ts file asserts its measurements against bench/targets.ts, so a missed target fails the
// run. Files run one at a time (vitest's benchmark project uses a single worker), so on a 2-core
// machine a JVM or local mode from one file never competes with another file's measurements.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("..", import.meta.url)),
    // Only the benchmark project runs (`vitest bench`); it takes its files from here.
    include: [],
    benchmark: { include: ["bench/**/*.bench.ts"] },
    // Starting DynamoDB Local or local mode takes seconds on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
