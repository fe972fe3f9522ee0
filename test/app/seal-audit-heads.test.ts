// The hourly seal on in-memory ports: which window it seals (whole UTC hours at least the margin
// ago, or up to now for local mode's sweep), an empty digest all the same, a far-behind cursor
// caught up a day per digest, a digest already there (a sealer that died before moving the
// cursor) and a cursor another sealer moved.
import { describe, expect, it } from "vitest";
import type {
  AuditDigest,
  AuditHeads,
  SealCursor,
  SealedHead,
  SealStore,
} from "../../functions/app/ports.ts";
import {
  FIRST_SEAL_LOOKBACK_HOURS,
  MAX_SEAL_HOURS,
  type SealDeps,
  sealAuditHeads,
  sealTarget,
} from "../../functions/app/seal-audit-heads.ts";

type Written = SealedHead & { writtenAt: string };

/** The index: each order under its last chain write's time. */
const headsOf = (written: readonly Written[]): AuditHeads & { calls: [string, string][] } => {
  const calls: [string, string][] = [];
  return {
    calls,
    changedBetween: async (after, upTo) => {
      calls.push([after, upTo]);
      return written
        .filter((head) => head.writtenAt > after && head.writtenAt <= upTo)
        .map(({ orderId, seq, head }) => ({ orderId, seq, head }));
    },
  };
};

const cursorAt = (start?: string): SealCursor & { moves: number; value?: string } => {
  const cursor = {
    value: start,
    moves: 0,
    read: async () => cursor.value,
    move: async (from: string | undefined, to: string) => {
      if (cursor.value !== from) return false;
      cursor.value = to;
      cursor.moves++;
      return true;
    },
  };
  return cursor;
};

const store = (): SealStore & { digests: AuditDigest[] } => {
  const digests: AuditDigest[] = [];
  return {
    digests,
    put: async (digest) => {
      if (digests.some((kept) => kept.to === digest.to)) return false;
      digests.push(digest);
      return true;
    },
    list: async () => [...digests],
  };
};

const warnings: string[] = [];
const log = {
  info: () => undefined,
  warn: (line: string) => void warnings.push(line),
  error: () => undefined,
};

const depsAt = (
  now: string,
  parts: { heads?: AuditHeads; cursor?: SealCursor; seals?: SealStore } = {},
): SealDeps & { cursor: ReturnType<typeof cursorAt>; seals: ReturnType<typeof store> } => ({
  clock: { now: () => now },
  log,
  heads: parts.heads ?? headsOf([]),
  cursor: (parts.cursor ?? cursorAt()) as ReturnType<typeof cursorAt>,
  seals: (parts.seals ?? store()) as ReturnType<typeof store>,
});

const head = (orderId: string, seq: number, writtenAt: string): Written => ({
  orderId,
  seq,
  head: `${orderId}-${seq}`.padEnd(64, "0"),
  writtenAt,
});

describe("sealTarget", () => {
  it("is the last whole UTC hour at least ten minutes ago", () => {
    expect(sealTarget("2026-11-21T05:10:00.000Z")).toBe("2026-11-21T05:00:00.000Z");
    expect(sealTarget("2026-11-21T05:09:59.999Z")).toBe("2026-11-21T04:00:00.000Z");
    expect(sealTarget("2026-11-21T05:59:00.000Z")).toBe("2026-11-21T05:00:00.000Z");
  });

  it("is now less the grace when one is given (local mode's sweep: 0)", () => {
    expect(sealTarget("2026-11-21T05:07:31.250Z", 0)).toBe("2026-11-21T05:07:31.250Z");
    expect(sealTarget("2026-11-21T05:07:31.250Z", 60)).toBe("2026-11-21T05:06:31.250Z");
  });
});

describe("sealAuditHeads", () => {
  it("seals the heads of the orders whose chain grew since the cursor, by order id, and moves the cursor to the window's end", async () => {
    const heads = headsOf([
      head("o-before", 1, "2026-11-21T01:00:00.000Z"),
      head("o-c", 4, "2026-11-21T03:12:00.000Z"),
      head("o-a", 2, "2026-11-21T01:00:00.001Z"),
      head("o-b", 7, "2026-11-21T05:00:00.000Z"),
      head("o-after", 1, "2026-11-21T05:00:00.001Z"),
    ]);
    const deps = depsAt("2026-11-21T05:20:00.000Z", {
      heads,
      cursor: cursorAt("2026-11-21T01:00:00.000Z"),
    });
    const report = await sealAuditHeads(deps);
    expect(deps.seals.digests).toEqual([
      {
        sealedAt: "2026-11-21T05:20:00.000Z",
        from: "2026-11-21T01:00:00.000Z",
        to: "2026-11-21T05:00:00.000Z",
        heads: [
          { orderId: "o-a", seq: 2, head: head("o-a", 2, "").head },
          { orderId: "o-b", seq: 7, head: head("o-b", 7, "").head },
          { orderId: "o-c", seq: 4, head: head("o-c", 4, "").head },
        ],
      },
    ]);
    expect(report).toEqual({
      sealed: [
        {
          from: "2026-11-21T01:00:00.000Z",
          to: "2026-11-21T05:00:00.000Z",
          heads: 3,
          stored: true,
          cursorMoved: true,
        },
      ],
      cursor: "2026-11-21T05:00:00.000Z",
    });
    expect(deps.cursor.value).toBe("2026-11-21T05:00:00.000Z");

    // Again in the same hour: nothing new to seal, nothing written.
    const again = await sealAuditHeads(deps);
    expect(again.sealed).toEqual([]);
    expect(deps.seals.digests).toHaveLength(1);
    expect(deps.cursor.moves).toBe(1);
  });

  it("writes a digest with no heads for an hour in which nothing changed", async () => {
    const deps = depsAt("2026-11-21T06:15:00.000Z", {
      cursor: cursorAt("2026-11-21T05:00:00.000Z"),
    });
    await sealAuditHeads(deps);
    expect(deps.seals.digests).toEqual([
      {
        sealedAt: "2026-11-21T06:15:00.000Z",
        from: "2026-11-21T05:00:00.000Z",
        to: "2026-11-21T06:00:00.000Z",
        heads: [],
      },
    ]);
  });

  it("keeps one head per order, its latest, when the index shows an order twice", async () => {
    const deps = depsAt("2026-11-21T06:15:00.000Z", {
      heads: headsOf([
        head("o-1", 3, "2026-11-21T05:10:00.000Z"),
        head("o-1", 5, "2026-11-21T05:40:00.000Z"),
      ]),
      cursor: cursorAt("2026-11-21T05:00:00.000Z"),
    });
    await sealAuditHeads(deps);
    expect(deps.seals.digests[0]?.heads).toEqual([
      { orderId: "o-1", seq: 5, head: head("o-1", 5, "").head },
    ]);
  });

  it("the first seal covers the day before its window's end", async () => {
    const deps = depsAt("2026-11-21T06:15:00.000Z");
    await sealAuditHeads(deps);
    expect(deps.seals.digests.map(({ from, to }) => ({ from, to }))).toEqual([
      { from: "2026-11-20T06:00:00.000Z", to: "2026-11-21T06:00:00.000Z" },
    ]);
    expect(FIRST_SEAL_LOOKBACK_HOURS).toBe(24);
  });

  it("catches up a cursor days behind a day per digest, each after the one before", async () => {
    const written = [
      head("o-1", 1, "2026-11-18T12:00:00.000Z"),
      head("o-2", 1, "2026-11-20T23:00:00.000Z"),
    ];
    const heads = headsOf(written);
    const deps = depsAt("2026-11-21T06:15:00.000Z", {
      heads,
      cursor: cursorAt("2026-11-18T06:00:00.000Z"),
    });
    const report = await sealAuditHeads(deps);
    expect(
      deps.seals.digests.map(({ from, to, heads: sealed }) => [from, to, sealed.length]),
    ).toEqual([
      ["2026-11-18T06:00:00.000Z", "2026-11-19T06:00:00.000Z", 1],
      ["2026-11-19T06:00:00.000Z", "2026-11-20T06:00:00.000Z", 0],
      ["2026-11-20T06:00:00.000Z", "2026-11-21T06:00:00.000Z", 1],
    ]);
    expect(MAX_SEAL_HOURS).toBe(24);
    expect(report.cursor).toBe("2026-11-21T06:00:00.000Z");
    expect(deps.cursor.moves).toBe(3);
  });

  it("local mode's sweep seals up to now, and the next hourly run goes on from there", async () => {
    const deps = depsAt("2026-11-21T05:07:31.250Z", {
      heads: headsOf([head("o-1", 2, "2026-11-21T05:07:31.000Z")]),
      cursor: cursorAt("2026-11-21T05:00:00.000Z"),
    });
    await sealAuditHeads(deps, 0);
    expect(deps.seals.digests[0]).toMatchObject({
      to: "2026-11-21T05:07:31.250Z",
      heads: [{ orderId: "o-1", seq: 2 }],
    });
    // An hourly run before the next whole hour is due: the cursor is already past it.
    expect((await sealAuditHeads(deps)).sealed).toEqual([]);
  });

  it("moves the cursor over a digest already there: a sealer that died between its put and its move", async () => {
    const seals = store();
    const earlier: AuditDigest = {
      sealedAt: "2026-11-21T06:12:00.000Z",
      from: "2026-11-21T05:00:00.000Z",
      to: "2026-11-21T06:00:00.000Z",
      heads: [],
    };
    await seals.put(earlier);
    const deps = depsAt("2026-11-21T06:40:00.000Z", {
      seals,
      cursor: cursorAt("2026-11-21T05:00:00.000Z"),
    });
    const report = await sealAuditHeads(deps);
    expect(report.sealed).toEqual([expect.objectContaining({ stored: false, cursorMoved: true })]);
    // The digest first written stands.
    expect(seals.digests).toEqual([earlier]);
    expect(deps.cursor.value).toBe("2026-11-21T06:00:00.000Z");
  });

  it("stops when another sealer moved the cursor first, and says where it is", async () => {
    const cursor = cursorAt("2026-11-18T06:00:00.000Z");
    const move = cursor.move;
    // Another sealer gets there between this one's read and its move.
    cursor.move = async (from, to) => {
      cursor.value = "2026-11-19T06:00:00.000Z";
      return move(from, to);
    };
    const deps = depsAt("2026-11-21T06:15:00.000Z", { cursor });
    warnings.length = 0;
    const report = await sealAuditHeads(deps);
    expect(report.sealed).toEqual([expect.objectContaining({ stored: true, cursorMoved: false })]);
    expect(report.cursor).toBe("2026-11-19T06:00:00.000Z");
    expect(warnings).toEqual(["the seal cursor moved meanwhile; this digest overlaps another"]);
  });
});
