// The audit trail (SPEC "Audit trail"): every timeline entry of an order, the order's and its
// requests', is chained in writing order. An entry's `hash` is SHA-256 of the previous entry's hash
// and the entry's exported fields as RFC 8785 canonical JSON, so changing, dropping, adding or
// moving one entry breaks every hash after it. The chain is built where entries are written (the
// transition's Draft, an order's import), so it is saved in the same conditional write.
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { OrderRecord, TimelineEntry, TimelineType } from "./types.ts";

/** The `prev` of the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/** An entry as the audit export shows it: exactly these fields. */
export interface AuditEntry {
  seq: number;
  at: string;
  type: TimelineType;
  actor: string;
  requestId?: string;
  note?: string;
  hash: string;
}

export interface AuditExport {
  orderId: string;
  entries: AuditEntry[];
  /** The last entry's hash (GENESIS_HASH for an order without entries). */
  head: string;
}

type Unhashed = Omit<AuditEntry, "hash">;

const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** The hash of an exported entry (without its `hash`) after `prev`. */
export const entryHash = (prev: string, entry: Unhashed): string =>
  sha256Hex(`${prev}\n${canonicalize(entry)}`);

/** The exported fields of a stored entry at `seq`. */
const unhashed = (entry: TimelineEntry, seq: number, requestId?: string): Unhashed => ({
  seq,
  at: entry.at,
  type: entry.type,
  actor: entry.actor,
  ...(requestId !== undefined && { requestId }),
  ...(entry.note !== undefined && { note: entry.note }),
});

/**
 * Chains one entry just written to `record` (a private copy being changed): it gets the next
 * `seq` and its `hash`, and the record's head moves to it. `writtenAt` is the write's time.
 */
export const chainEntry = (
  record: OrderRecord,
  entry: TimelineEntry,
  requestId: string | undefined,
  writtenAt: string,
): void => {
  const seq = (record.audit?.seq ?? -1) + 1;
  const hash = entryHash(record.audit?.head ?? GENESIS_HASH, unhashed(entry, seq, requestId));
  entry.seq = seq;
  entry.hash = hash;
  record.audit = { seq, head: hash, writtenAt };
};

interface Located {
  entry: TimelineEntry;
  requestId?: string;
}

/** Every entry of the record: the order's, then each request's in the order they were created. */
const allEntries = (record: OrderRecord): Located[] => [
  ...record.order.timeline.map((entry) => ({ entry })),
  ...Object.values(record.requests)
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    .flatMap((request) =>
      request.timeline.map((entry) => ({ entry, requestId: request.requestId })),
    ),
];

/**
 * Chains, in place, the entries not yet chained: those of a record stored before the chain was
 * kept, in the order of their time (a stable sort keeps each timeline's own order). Entries
 * written since are chained as they are written, so this finds nothing to do on them.
 */
export const chainUnchained = (record: OrderRecord, writtenAt: string): void => {
  const pending = allEntries(record)
    .filter(({ entry }) => entry.hash === undefined)
    .sort((a, b) => (a.entry.at < b.entry.at ? -1 : a.entry.at > b.entry.at ? 1 : 0));
  for (const { entry, requestId } of pending) chainEntry(record, entry, requestId, writtenAt);
};

/**
 * The record's audit trail as `GET /orders/{orderId}/audit` answers it. Entries of a record stored
 * before the chain was kept are shown as its next write will chain them.
 */
export const exportAudit = (stored: OrderRecord): AuditExport => {
  let record = stored;
  if (allEntries(record).some(({ entry }) => entry.hash === undefined)) {
    record = structuredClone(stored);
    chainUnchained(record, record.order.updatedAt);
  }
  const entries = allEntries(record)
    .map(({ entry, requestId }) => ({
      ...unhashed(entry, entry.seq as number, requestId),
      hash: entry.hash as string,
    }))
    .sort((a, b) => a.seq - b.seq);
  return {
    orderId: record.order.orderId,
    entries,
    head: entries.at(-1)?.hash ?? GENESIS_HASH,
  };
};

export type AuditVerdict = { ok: true; head: string } | { ok: false; firstBadSeq: number };

/**
 * Checks an export's chain: each entry's `seq` follows the one before and its `hash` is the hash
 * of its fields after the one before. The first entry that does not follow is named by its
 * position (the `seq` it should have): a changed, dropped, added or moved entry is found there or
 * before.
 */
export const verifyAudit = (entries: readonly AuditEntry[]): AuditVerdict => {
  let prev = GENESIS_HASH;
  for (const [position, entry] of entries.entries()) {
    const { hash, ...fields } = entry;
    if (entry.seq !== position || hash !== entryHash(prev, fields)) {
      return { ok: false, firstBadSeq: position };
    }
    prev = hash;
  }
  return { ok: true, head: prev };
};
