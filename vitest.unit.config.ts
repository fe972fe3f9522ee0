// The fast loop (`npm run test:unit`): the domain, the use cases and the HTTP handlers on the
// in-memory fakes of the ports (test/support/fakes.ts), and the console's component tests
// (happy-dom). No globalSetup: no DynamoDB Local, no Java, no network, no local mode. The whole
// suite stays `npm test` (vitest.config.ts); this one runs a subset of its files, by the same
// file-name patterns, so no test runs here that `npm test` would not run.
import { defineConfig } from "vitest/config";
import full from "./vitest.config.ts";

/** The folders whose every test runs on the fakes. */
const UNIT_FOLDERS = ["test/domain", "test/app", "test/http"];

/**
 * The console's component tests: its project's tests (console/tsconfig.json), which run in
 * happy-dom. The rest of test/console is Node code (the build scripts, the browser story).
 */
const CONSOLE_COMPONENT_TESTS = [
  "test/console/*.test.tsx",
  "test/console/auth.test.ts",
  "test/console/format.test.ts",
];

const FULL_PREFIX = "test/**/";
const fullPatterns = full.test?.include ?? [];
if (fullPatterns.length === 0 || !fullPatterns.every((p) => p.startsWith(FULL_PREFIX))) {
  throw new Error(`vitest.config.ts's include changed shape: ${JSON.stringify(fullPatterns)}`);
}
// The whole suite's patterns, each under one folder instead of all of test/.
const inFolder = (folder: string) =>
  fullPatterns.map((pattern) => `${folder}/**/${pattern.slice(FULL_PREFIX.length)}`);

export default defineConfig({
  // The console's component tests are Preact JSX (see vitest.config.ts).
  oxc: full.oxc,
  test: {
    include: [...UNIT_FOLDERS.flatMap(inFolder), ...CONSOLE_COMPONENT_TESTS],
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
