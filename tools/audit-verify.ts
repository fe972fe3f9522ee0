// What `npm run audit -- verify` concludes about an export of GET /orders/{orderId}/audit, and
// about it against a sealed digest (SPEC "Audit trail"): pure, so the CLI (tools/audit.ts) only
// reads files and prints. An export is checked with the service's own verifyAudit and its `head`;
// a digest, by the head it sealed for the order at its `seq`.
import { type AuditEntry, type AuditExport, verifyAudit } from "../functions/domain/audit.ts";

/** A digest of the hourly seal: the chain heads of the orders changed in (from, to]. */
export interface SealedDigest {
  sealedAt: string;
  from: string;
  to: string;
  heads: { orderId: string; seq: number; head: string }[];
}

/** Not an export or not a digest at all (as opposed to one whose chain does not hold). */
export class NotReadable extends Error {}

export type Verdict =
  | { ok: true; lines: string[] }
  | { ok: false; firstBadSeq?: number; lines: string[] };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The export's shape, before its chain: an object with `orderId`, `head` and `entries` (objects).
 * What the entries hold is the chain's to judge: a field changed or left out is a bad entry.
 */
export const asExport = (value: unknown): AuditExport => {
  if (
    !isObject(value) ||
    typeof value.orderId !== "string" ||
    typeof value.head !== "string" ||
    !Array.isArray(value.entries) ||
    !value.entries.every(isObject)
  ) {
    throw new NotReadable(
      'not an audit export: expected { "orderId", "entries": [{ … }], "head" } (GET /orders/{orderId}/audit)',
    );
  }
  return value as unknown as AuditExport;
};

/** A sealed digest's shape: `{ sealedAt, from, to, heads: [{ orderId, seq, head }] }`. */
export const asDigest = (value: unknown): SealedDigest => {
  const heads = isObject(value) ? value.heads : undefined;
  if (
    !isObject(value) ||
    !["sealedAt", "from", "to"].every((key) => typeof value[key] === "string") ||
    !Array.isArray(heads) ||
    !heads.every(
      (head) =>
        isObject(head) &&
        typeof head.orderId === "string" &&
        Number.isSafeInteger(head.seq) &&
        (head.seq as number) >= 0 &&
        typeof head.head === "string",
    )
  ) {
    throw new NotReadable(
      'not a sealed digest: expected { "sealedAt", "from", "to", "heads": [{ "orderId", "seq", "head" }] }',
    );
  }
  return value as unknown as SealedDigest;
};

const bad = (firstBadSeq: number, why: string): Verdict => ({
  ok: false,
  firstBadSeq,
  lines: [`first bad entry: seq ${firstBadSeq}`, why],
});

/**
 * The export's chain: every entry follows the one before (verifyAudit), and `head` is the last
 * entry's hash. A head that is an earlier entry's hash means entries were added after it; a head
 * that is no entry's means entries were dropped from the end (or the head itself was changed).
 */
export const verifyExport = (trail: AuditExport): Verdict => {
  const { entries } = trail;
  const chain = verifyAudit(entries);
  if (!chain.ok) {
    const entry: Partial<AuditEntry> | undefined = entries[chain.firstBadSeq];
    return bad(
      chain.firstBadSeq,
      `the entry at position ${chain.firstBadSeq} (its seq ${String(entry?.seq)}) does not follow the one before: an entry was changed, dropped, added or moved there`,
    );
  }
  if (chain.head !== trail.head) {
    const at = entries.findIndex((entry) => entry.hash === trail.head);
    if (at >= 0) {
      return bad(
        at + 1,
        `the head is the hash of seq ${at}: the ${entries.length - at - 1} entries after it were added`,
      );
    }
    return bad(
      entries.length,
      `the head is no exported entry's hash: entries from seq ${entries.length} on were dropped, or the head was changed`,
    );
  }
  return {
    ok: true,
    lines: [
      `order ${trail.orderId}: ${entries.length} entries, the chain holds`,
      `head ${trail.head}`,
    ],
  };
};

/**
 * A verified export against a sealed digest: the digest names the order, and the export's entry
 * at the digest's `seq` has the digest's `head` (entries after it were written since the seal).
 */
export const checkSeal = (trail: AuditExport, digest: SealedDigest): Verdict => {
  const sealed = digest.heads.find((head) => head.orderId === trail.orderId);
  const when = `the digest sealed at ${digest.sealedAt} (changes in ${digest.from} … ${digest.to})`;
  if (!sealed) {
    return {
      ok: false,
      lines: [
        `seal: ${when} holds no head of order ${trail.orderId}: use the digest of the hour the order changed`,
      ],
    };
  }
  const entry = trail.entries[sealed.seq];
  if (!entry) {
    return {
      ok: false,
      lines: [
        `seal mismatch: ${when} sealed seq ${sealed.seq}, but the export ends at seq ${trail.entries.length - 1}: sealed entries are missing`,
      ],
    };
  }
  if (entry.hash !== sealed.head) {
    return {
      ok: false,
      lines: [
        `seal mismatch: the export's entry at seq ${sealed.seq} has hash ${entry.hash}, ${when} sealed ${sealed.head}: the trail up to seq ${sealed.seq} is not the one sealed`,
      ],
    };
  }
  const since = trail.entries.length - 1 - sealed.seq;
  return {
    ok: true,
    lines: [
      `sealed: seq ${sealed.seq} has the head ${when} holds${since > 0 ? ` (${since} entries written since)` : ""}`,
    ],
  };
};
