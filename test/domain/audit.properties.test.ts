// Property tests of the audit chain (SPEC "Audit trail"): random orders whose timelines, the
// order's and its requests', are written in a random interleaving through chainEntry. The export
// lists them in writing order and verifies with the stored head; and any single change (of any
// field of any entry), deletion, insertion or swap of entries is detected, at the right seq: the
// first exported entry whose seq or hash does not follow (verifyAudit), or, past the last entry,
// the head (the CLI's verifyExport).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AuditEntry,
  type AuditExport,
  chainEntry,
  entryHash,
  exportAudit,
  GENESIS_HASH,
  verifyAudit,
} from "../../functions/domain/audit.ts";
import type { OrderRecord, TimelineEntry } from "../../functions/domain/types.ts";
import { TIMELINE_TYPES } from "../../functions/domain/view-schemas.ts";
import { verifyExport } from "../../tools/audit-verify.ts";
import { at, cancellationRequest, orderRecord } from "../support/records.ts";

const RUNS = { numRuns: 300 };

/** Any text: every Unicode code point, quotes, backslashes and line breaks included. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom('"', "\\", "\n", "「返品」", "🚚", "é", "e\u0301", "\u2028", "</script>"),
);
const instant = fc
  .integer({ min: 0, max: 24 * 400 })
  .map((hours) => at(hours))
  .chain((base) =>
    fc
      .integer({ min: 0, max: 999 })
      .map((ms) => base.replace(/\.\d{3}Z$/, `.${String(ms).padStart(3, "0")}Z`)),
  );
const timelineType = fc.constantFrom(...TIMELINE_TYPES);

/** One entry as a change writes it, into the order's timeline (-1) or request `target`'s. */
const writeArb = fc.record({
  target: fc.integer({ min: -1, max: 2 }),
  at: instant,
  type: timelineType,
  actor: text,
  note: fc.option(text, { nil: undefined }),
});

/** A record (up to three requests) whose entries were chained in the order `writes` lists them. */
const chainedArb = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.array(writeArb, { minLength: 1, maxLength: 24 }))
  .map(([requestCount, writes]) => {
    const orderId = "o-audit";
    const requests = Array.from({ length: requestCount }, (_, n) =>
      cancellationRequest({ requestId: `r-${n}`, orderId, createdAt: at(n), timeline: [] }),
    );
    const record: OrderRecord = orderRecord({ orderId, timeline: [] }, requests);
    const written: Omit<AuditEntry, "seq" | "hash">[] = [];
    for (const write of writes) {
      const request =
        write.target >= 0 ? requests[write.target % Math.max(requestCount, 1)] : undefined;
      const owner = request ? record.requests[request.requestId] : undefined;
      const entry: TimelineEntry = { at: write.at, type: write.type, actor: write.actor };
      if (write.note !== undefined) entry.note = write.note;
      (owner ?? record.order).timeline.push(entry);
      chainEntry(record, entry, owner?.requestId, write.at);
      written.push({
        at: write.at,
        type: write.type,
        actor: write.actor,
        ...(owner && { requestId: owner.requestId }),
        ...(write.note !== undefined && { note: write.note }),
      });
    }
    return { record, written };
  });

type Entries = AuditEntry[];
type Field = keyof AuditEntry | "extra";

/** A value for `field` unlike the entry's (undefined: the field is taken away). */
const otherValue = (entry: AuditEntry, field: Field, pick: number, word: string): unknown => {
  switch (field) {
    case "seq":
      return entry.seq + 1 + (pick % 5);
    case "at":
      return entry.at === at(0) ? at(1) : at(0);
    case "type":
      return TIMELINE_TYPES.filter((type) => type !== entry.type)[
        pick % (TIMELINE_TYPES.length - 1)
      ];
    case "actor":
      return `${entry.actor}${word || "x"}`;
    case "requestId":
    case "note":
      return entry[field] === undefined
        ? word
        : pick % 2 === 0
          ? undefined
          : `${entry[field]}${word || "x"}`;
    case "hash":
      return entryHash(entry.hash, { seq: 0, at: at(0), type: "SHIPPED", actor: word });
    case "extra":
      return word;
  }
};

const FIELDS: Field[] = ["seq", "at", "type", "actor", "requestId", "note", "hash", "extra"];

/**
 * One tampering of the export's entries, the seq verification must name, and whether the entries
 * still chain among themselves (the last dropped, or one appended as the chain would: only the
 * stored head tells).
 */
type Tamper = (entries: Entries) => { entries: Entries; firstBadSeq: number; chainHolds?: true };

const changeArb: fc.Arbitrary<Tamper> = fc
  .tuple(fc.nat(), fc.constantFrom(...FIELDS), fc.nat(), text)
  .map(([index, field, pick, word]) => (entries) => {
    const i = index % entries.length;
    const changed = { ...entries[i] } as Record<string, unknown>;
    const value = otherValue(entries[i] as AuditEntry, field, pick, word);
    if (value === undefined) delete changed[field];
    else changed[field] = value;
    const copy = [...entries];
    copy[i] = changed as unknown as AuditEntry;
    return { entries: copy, firstBadSeq: i };
  });

const deletionArb: fc.Arbitrary<Tamper> = fc.nat().map((index) => (entries) => {
  const i = index % entries.length;
  return {
    entries: entries.toSpliced(i, 1),
    firstBadSeq: i,
    ...(i === entries.length - 1 && { chainHolds: true }),
  };
});

/**
 * An entry put in at position i: a copy of any entry, one made up (any hash), or one that follows
 * the entry before it as the chain would (seq i, its hash worked out): then the first entry that
 * does not follow is the one after it (or, put in at the end, the head names the one before it).
 */
const insertionArb: fc.Arbitrary<Tamper> = fc
  .tuple(fc.nat(), fc.nat(), fc.constantFrom("copy", "made up", "chained"), writeArb)
  .map(([index, source, kind, write]) => (entries) => {
    const i = index % (entries.length + 1);
    const made: Omit<AuditEntry, "hash"> = {
      seq: i,
      at: write.at,
      type: write.type,
      actor: write.actor,
      ...(write.note !== undefined && { note: write.note }),
    };
    const prev = i === 0 ? GENESIS_HASH : (entries[i - 1] as AuditEntry).hash;
    const inserted =
      kind === "copy"
        ? (entries[source % entries.length] as AuditEntry)
        : {
            ...made,
            hash: kind === "chained" ? entryHash(prev, made) : entryHash(GENESIS_HASH, made),
          };
    const { hash, ...fields } = inserted;
    // One that follows inside the chain leaves the next entry out of step; at the end, the head
    // (which names the entry before it) tells.
    const follows = inserted.seq === i && hash === entryHash(prev, fields);
    const atEnd = i === entries.length;
    return {
      entries: entries.toSpliced(i, 0, inserted),
      firstBadSeq: follows && !atEnd ? i + 1 : i,
      ...(follows && atEnd && { chainHolds: true }),
    };
  });

const swapArb: fc.Arbitrary<Tamper> = fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (entries) => {
  const i = a % entries.length;
  const j = b % entries.length;
  const [low, high] = i < j ? [i, j] : [j, i];
  const copy = [...entries];
  copy[low] = entries[high] as AuditEntry;
  copy[high] = entries[low] as AuditEntry;
  // Swapping an entry with itself changes nothing: not a tampering.
  return { entries: copy, firstBadSeq: low === high ? -1 : low };
});

const tamperArb = fc.oneof(changeArb, deletionArb, insertionArb, swapArb);

describe("the audit chain", () => {
  it("exports every entry in writing order, with exactly its fields, and verifies with the stored head", () => {
    fc.assert(
      fc.property(chainedArb, ({ record, written }) => {
        const trail = exportAudit(record);
        expect(trail.entries.map(({ seq, hash: _, ...fields }) => ({ seq, ...fields }))).toEqual(
          written.map((fields, seq) => ({ seq, ...fields })),
        );
        expect(verifyAudit(trail.entries)).toEqual({ ok: true, head: record.audit?.head });
        expect(trail.head).toBe(record.audit?.head);
        expect(record.audit?.seq).toBe(written.length - 1);
        expect(verifyExport(trail).ok).toBe(true);
      }),
      RUNS,
    );
  });

  it("detects any single change, deletion, insertion or swap, and names the first bad seq", () => {
    fc.assert(
      fc.property(chainedArb, tamperArb, ({ record }, tamper) => {
        const trail: AuditExport = exportAudit(record);
        const { entries, firstBadSeq, chainHolds } = tamper(trail.entries);
        fc.pre(firstBadSeq >= 0);
        // What the export shows, the stored head kept: the CLI's verdict names the seq.
        const verdict = verifyExport({ ...trail, entries });
        expect(verdict).toMatchObject({ ok: false, firstBadSeq });
        expect(verdict.lines[0]).toBe(`first bad entry: seq ${firstBadSeq}`);
        // The chain itself breaks there, unless only the head can tell.
        const chain = verifyAudit(entries);
        if (chainHolds) expect(chain.ok && chain.head !== trail.head).toBe(true);
        else expect(chain).toEqual({ ok: false, firstBadSeq });
      }),
      { numRuns: 1000 },
    );
  });
});
