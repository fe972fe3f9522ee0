import { defineConfig } from "vitest/config";

export default defineConfig({
  // The console's component tests are Preact JSX. Their compiler options are console/tsconfig.json's,
  // but the transform looks for the tsconfig.json nearest a file (the root's, which is Node-only).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // DynamoDB Local (a JVM) and dynalite start once per run, not once per test file.
    globalSetup: ["test/support/dynamodb-servers.ts"],
    // Two cores on CI: keep the pool small so DynamoDB Local and the suites do not starve.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
