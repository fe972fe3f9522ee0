// The fast loop (`npm run test:unit`): the domain, the mail, the use cases and the HTTP handlers
// on the in-memory fakes of the ports (test/support/fakes.ts), the sign-in trigger on a mocked
// Cognito, and the console's component tests (happy-dom). No globalSetup: no DynamoDB Local, no Java, no network, no local mode. The whole
// suite stays `npm test` (vitest.config.ts); this one runs a subset of its files, by the same
// file-name patterns, so no test runs here that `npm test` would not run.
import { defineConfig } from "vitest/config";
import full from "./vitest.config.ts";

/**
 * The folders whose every test runs on the fakes. The domain's and the application's tests share
 * nothing between files (each builds its own records and fakes), so their files run in reused
 * workers without a fresh module graph each (isolate: false); the others run as in `npm test`.
 */
const SHARED_WORKER_FOLDERS = ["test/domain", "test/notifications", "test/app"];
const ISOLATED_FOLDERS = ["test/http", "test/auth"];
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
    maxWorkers: 2,
    testTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: "shared-workers",
          include: SHARED_WORKER_FOLDERS.flatMap(inFolder),
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "isolated",
          include: [...ISOLATED_FOLDERS.flatMap(inFolder), ...CONSOLE_COMPONENT_TESTS],
        },
      },
    ],
  },
});
