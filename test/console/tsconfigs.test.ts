// Two TypeScript projects: the root tsconfig.json (Node: the CDK app, the functions, local mode,
// the benchmarks, the tests) and console/tsconfig.json (the browser: DOM types, Preact's JSX, and
// the console's component tests). `npm run check` type-checks both; every TypeScript file of the
// repository belongs to exactly one of them, so none goes unchecked and none is checked twice
// under different rules.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";

/** The files a tsconfig's include and exclude select (not the ones they merely import). */
const selected = (configFile: string) => {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(PROJECT_ROOT, configFile),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => expect.fail(String(d.messageText)) },
  );
  if (!parsed) throw new Error(`${configFile} unreadable`);
  return {
    options: parsed.options,
    files: parsed.fileNames.map((f) => path.relative(PROJECT_ROOT, f)),
  };
};

/** The repository's TypeScript files: committed or new, not ignored (so no node_modules, dist). */
const repositoryFiles = () =>
  execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.tsx"], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean)
    // Deleted in the working tree but not yet committed.
    .filter((file) => ts.sys.fileExists(path.join(PROJECT_ROOT, file)));

describe("the TypeScript projects", () => {
  const root = selected("tsconfig.json");
  const browser = selected("console/tsconfig.json");

  it("cover every TypeScript file of the repository exactly once", () => {
    const owners = new Map<string, string[]>();
    for (const [name, project] of [
      ["tsconfig.json", root],
      ["console/tsconfig.json", browser],
    ] as const) {
      for (const file of project.files) owners.set(file, [...(owners.get(file) ?? []), name]);
    }
    const wrong = repositoryFiles()
      .map((file) => ({ file, owners: owners.get(file) ?? [] }))
      .filter(({ owners }) => owners.length !== 1);
    expect(wrong).toEqual([]);
  });

  it("keep the DOM out of the Node code and Node out of the console", () => {
    expect(root.options.lib?.some((lib) => /dom/i.test(lib))).toBe(false);
    expect(root.options.types).toEqual(["node"]);
    expect(browser.options.lib?.filter((lib) => /dom/i.test(lib))).toEqual([
      "lib.dom.d.ts",
      "lib.dom.iterable.d.ts",
    ]);
    expect(browser.options.types).toEqual([]);
    expect(browser.options.jsxImportSource).toBe("preact");
  });

  it("put the console's sources and component tests in the console's project", () => {
    expect(browser.files).toEqual(
      expect.arrayContaining([
        "console/src/main.tsx",
        "test/console/app.test.tsx",
        "test/console/render.tsx",
        "test/console/fake-api.ts",
      ]),
    );
    expect(root.files).toEqual(
      expect.arrayContaining([
        "console/vite.config.ts",
        "test/console/story.browser.test.ts",
        "test/console/screenshots.ts",
      ]),
    );
  });
});
