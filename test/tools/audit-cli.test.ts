// `npm run audit -- verify` as a person runs it, a child process on files: real exports of
// GET /orders/{orderId}/audit (an order imported, shipped, asked to be cancelled and withdrawn
// through the routes), the same exports tampered with, and sealed digests in the seal's format.
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { type AuditExport, entryHash, GENESIS_HASH } from "../../functions/domain/audit.ts";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";
import { createTestApp, expectJson, type TestApp } from "../support/http-app.ts";
import { buyer, operator, seller, system } from "../support/http-events.ts";
import { importBody, uid } from "../support/http-fixtures.ts";

const TSX = join(PROJECT_ROOT, "node_modules", ".bin", "tsx");
const CLI = join(PROJECT_ROOT, "tools", "audit.ts");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run audit -- <args>` (the script runs tools/audit.ts with tsx). */
const audit = async (...args: string[]): Promise<Run> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, [CLI, ...args], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout: string; stderr: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
};

let dir: string;
let count = 0;
/** Writes `content` (JSON unless a string) to a fresh file and answers its path. */
const file = async (content: unknown): Promise<string> => {
  count += 1;
  const path = join(dir, `file-${count}.json`);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
};

const exportOf = async (app: TestApp, orderId: string): Promise<AuditExport> => {
  const response = await app.invoke("GetAudit", { caller: operator(), params: { orderId } });
  expectJson(response, 200);
  return response.body as unknown as AuditExport;
};

/** The trail as it stood after the shipment (to seal), and after a request and its withdrawal. */
let sealedTrail: AuditExport;
let trail: AuditExport;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "audit-cli-"));
  const app = createTestApp();
  const body = importBody();
  const { orderId } = body;
  expectJson(
    await app.invoke("ImportOrder", { caller: system("orders/write", "order-importer"), body }),
    201,
  );
  expectJson(
    await app.invoke("RecordShipment", {
      caller: seller(),
      params: { orderId },
      body: { carrier: "yamato", trackingNumber: "4470-1234-5678" },
    }),
    200,
  );
  sealedTrail = await exportOf(app, orderId);
  const requested = await app.invoke("RequestCancellation", {
    caller: buyer(),
    params: { orderId },
    body: { reason: "NO_LONGER_NEEDED" },
    headers: { "Idempotency-Key": uid("idem") },
  });
  expectJson(requested, 202);
  const requestId = requested.body.requestId as string;
  expectJson(
    await app.invoke("WithdrawCancellationRequest", {
      caller: buyer(),
      params: { orderId, requestId },
    }),
    200,
  );
  trail = await exportOf(app, orderId);
  expect(trail.entries.map(({ type }) => type)).toEqual([
    "ORDER_IMPORTED",
    "SHIPPED",
    "REQUESTED",
    "WITHDRAWN",
  ]);
});

/** The export with its entries as `edit` leaves them (head unchanged). */
const tampered = (edit: (entries: AuditExport["entries"]) => void): AuditExport => {
  const copy = structuredClone(trail);
  edit(copy.entries);
  return copy;
};

/** Every hash and the head worked out again: a rewrite only a sealed digest can tell. */
const rechained = (copy: AuditExport): AuditExport => {
  let head = GENESIS_HASH;
  const entries = copy.entries.map(({ hash: _, ...fields }) => {
    head = entryHash(head, fields);
    return { ...fields, hash: head };
  });
  return { ...copy, entries, head };
};

const digestOf = (heads: { orderId: string; seq: number; head: string }[]) => ({
  sealedAt: "2026-11-22T01:00:05.000Z",
  from: "2026-11-21T23:59:00.000Z",
  to: "2026-11-22T00:59:00.000Z",
  heads,
});

describe("npm run audit -- verify <file>", () => {
  it("prints the head of an untouched export and exits 0", async () => {
    const run = await audit("verify", await file(trail));
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout.split("\n")).toContain(`head ${trail.head}`);
  });

  it("names the first bad entry and exits 1 when an entry was changed, dropped, added or moved", async () => {
    const cases: [string, AuditExport, number][] = [
      [
        "changed actor",
        tampered((entries) => {
          (entries[1] as { actor: string }).actor = "seller-2";
        }),
        1,
      ],
      [
        "changed time",
        tampered((entries) => {
          (entries[2] as { at: string }).at = "2026-11-20T10:00:00.000Z";
        }),
        2,
      ],
      [
        "a note added",
        tampered((entries) => {
          (entries[3] as { note?: string }).note = "電話で確認済み";
        }),
        3,
      ],
      ["dropped", tampered((entries) => entries.splice(1, 1)), 1],
      [
        "added",
        tampered((entries) => entries.splice(2, 0, structuredClone(entries[1] as never))),
        2,
      ],
      [
        "moved",
        tampered((entries) => entries.splice(2, 2, entries[3] as never, entries[2] as never)),
        2,
      ],
      ["the last dropped", tampered((entries) => entries.pop()), 3],
      [
        "one added at the end, hashed as the chain would",
        (() => {
          const copy = structuredClone(trail);
          const last = copy.entries.at(-1) as AuditExport["entries"][number];
          const fields = { ...last, seq: last.seq + 1, type: "COMPLETED" as const };
          const { hash: _, ...unhashed } = fields;
          copy.entries.push({ ...unhashed, hash: entryHash(last.hash, unhashed) });
          return copy;
        })(),
        4,
      ],
    ];
    const runs = await Promise.all(
      cases.map(async ([, content]) => audit("verify", await file(content))),
    );
    cases.forEach(([what, , seq], i) => {
      expect(runs[i]?.code, what).toBe(1);
      expect(runs[i]?.stdout.split("\n")[0], what).toBe(`first bad entry: seq ${seq}`);
    });
  });

  it("exits 2 with a clear message for a file it cannot read, JSON that is not, or no export", async () => {
    const runs = await Promise.all([
      audit("verify", join(dir, "no-such-file.json")),
      audit("verify", await file('{ "orderId": "o-1", ')),
      audit("verify", await file({ items: [] })),
      audit("verify"),
      audit("check", await file(trail)),
    ]);
    expect(runs.map(({ code }) => code)).toEqual([2, 2, 2, 2, 2]);
    expect(runs[0]?.stderr).toContain("cannot read the export");
    expect(runs[1]?.stderr).toContain("is not valid JSON");
    expect(runs[2]?.stderr).toContain("not an audit export");
    expect(runs[3]?.stderr).toContain("usage: npm run audit -- verify");
    expect(runs[4]?.stderr).toContain("usage: npm run audit -- verify");
  });
});

describe("npm run audit -- verify <file> --seal <digest.json>", () => {
  const sealed = () => ({
    orderId: trail.orderId,
    seq: (sealedTrail.entries.at(-1)?.seq ?? 0) as number,
    head: sealedTrail.head,
  });

  it("accepts an export whose entry at the sealed seq has the sealed head; entries after it came since", async () => {
    const digest = await file(
      digestOf([{ orderId: uid("o-other"), seq: 4, head: "a".repeat(64) }, sealed()]),
    );
    const later = await audit("verify", await file(trail), "--seal", digest);
    expect(later.code, later.stdout).toBe(0);
    expect(later.stdout).toContain(`head ${trail.head}`);
    expect(later.stdout).toContain("(2 entries written since)");
    const atTheSeal = await audit("verify", await file(sealedTrail), "--seal", digest);
    expect(atTheSeal.code, atTheSeal.stdout).toBe(0);
  });

  it("refuses a rewrite that verifies on its own, an export without the sealed entries, and a digest of other orders", async () => {
    const rewrite = rechained(
      tampered((entries) => {
        (entries[0] as { actor: string }).actor = "someone-else";
      }),
    );
    const alone = await audit("verify", await file(rewrite));
    expect(alone.code, alone.stdout).toBe(0);
    const digest = await file(digestOf([sealed()]));
    const runs = await Promise.all([
      audit("verify", await file(rewrite), "--seal", digest),
      audit(
        "verify",
        await file(rechained(tampered((entries) => entries.splice(1))) as AuditExport),
        "--seal",
        digest,
      ),
      audit("verify", await file(trail), "--seal", await file(digestOf([]))),
    ]);
    expect(runs.map(({ code }) => code)).toEqual([1, 1, 1]);
    expect(runs[0]?.stdout).toContain("seal mismatch: the export's entry at seq 1 has hash");
    expect(runs[1]?.stdout).toContain("sealed entries are missing");
    expect(runs[2]?.stdout).toContain(`holds no head of order ${trail.orderId}`);
  });

  it("exits 2 for a digest it cannot read or that is not one", async () => {
    const runs = await Promise.all([
      audit("verify", await file(trail), "--seal", join(dir, "no-digest.json")),
      audit("verify", await file(trail), "--seal", await file("not json")),
      audit("verify", await file(trail), "--seal", await file({ heads: [{ orderId: "o" }] })),
    ]);
    expect(runs.map(({ code }) => code)).toEqual([2, 2, 2]);
    expect(runs[0]?.stderr).toContain("cannot read the digest");
    expect(runs[1]?.stderr).toContain("is not valid JSON");
    expect(runs[2]?.stderr).toContain("not a sealed digest");
  });
});
