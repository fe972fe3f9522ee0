// The API reference's build step (console/api-reference.ts): the document it copies is the one
// `npm run openapi` writes, and swagger-ui's stylesheet falls back to the Japanese web font.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { OPENAPI_SOURCE_FILE, withJapaneseFont } from "../../console/api-reference.ts";
import { OPENAPI_FILE } from "../../infra/openapi/document.ts";

describe("the API reference's build", () => {
  it("copies the document `npm run openapi` writes", () => {
    expect(OPENAPI_SOURCE_FILE).toBe(OPENAPI_FILE);
  });

  it("adds the Japanese web font after each font family, keeping keywords and !important", () => {
    expect(withJapaneseFont(".a{font-family:sans-serif}")).toBe(
      '.a{font-family:sans-serif,"Noto Sans JP"}',
    );
    expect(withJapaneseFont(".b{color:red;font-family:monospace!important;margin:0}")).toBe(
      '.b{color:red;font-family:monospace,"Noto Sans JP"!important;margin:0}',
    );
    expect(withJapaneseFont(".c { font-family: Consolas, monaco, monospace; }")).toBe(
      '.c { font-family: Consolas, monaco, monospace,"Noto Sans JP"; }',
    );
    expect(withJapaneseFont(".d{font-family:inherit}")).toBe(".d{font-family:inherit}");
    expect(withJapaneseFont('.e{font-family:"Noto Sans JP",serif}')).toBe(
      '.e{font-family:"Noto Sans JP",serif}',
    );
  });

  it("leaves no font family of swagger-ui's stylesheet without it", async () => {
    const file = createRequire(import.meta.url).resolve("swagger-ui-dist/swagger-ui.css");
    const css = withJapaneseFont(await readFile(file, "utf8"));
    const families = [...css.matchAll(/font-family:([^;}]+)/g)].map((match) => match[1] as string);
    expect(families.length).toBeGreaterThan(50);
    for (const family of families) {
      if (/^\s*inherit\s*$/.test(family)) continue;
      expect(family).toMatch(/"Noto Sans JP"(!important)?$/);
    }
  });
});
