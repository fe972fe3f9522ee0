// The API guide's "Audit trail" shows a real export: its example verifies as the CLI checks it,
// and the canonical JSON it writes out is its first entry's.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import type { AuditExport } from "../../functions/domain/audit.ts";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";
import { verifyExport } from "../../tools/audit-verify.ts";

const guide = readFileSync(path.join(PROJECT_ROOT, "docs", "api-guide.md"), "utf8");
const section = guide.slice(guide.indexOf("\n## Audit trail\n"), guide.indexOf("\n## Routes\n"));

describe("the API guide's audit trail", () => {
  it("has an example export that verifies, and the canonical JSON of its first entry", () => {
    const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    expect(json).toBeDefined();
    const trail = JSON.parse(json as string) as AuditExport;
    expect(verifyExport(trail)).toMatchObject({ ok: true });
    const { hash: _, ...first } = trail.entries[0] as AuditExport["entries"][number];
    expect(section).toContain(`(\`${canonicalize(first)}\`)`);
  });
});
