import { defineConfig } from "vitest/config";

export default defineConfig({
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
