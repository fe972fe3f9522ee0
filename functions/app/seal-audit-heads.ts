// The hourly seal of the audit chains (SPEC "Audit trail"): the heads of the orders whose chain
// grew since the last seal, as one digest in a store that never replaces one (S3 Object Lock when
// deployed). The window starts at the cursor (the last digest's `to`) and ends at a whole UTC hour
// at least SEAL_MARGIN_SECONDS ago, so that every write stamped inside it is in the index by then;
// the cursor moves only after the digest is stored, by a conditional write, so two sealers never
// both move it and a sealer that dies in between leaves the window to the next one.
import type {
  AuditDigest,
  AuditHeads,
  Clock,
  Log,
  SealCursor,
  SealedHead,
  SealStore,
} from "./ports.ts";

/**
 * How long after a write's time a seal waits for it: a write is stamped (`audit.writtenAt`) when
 * its function reads the clock, and stored at most a function's timeout later (the longest of any
 * function that writes orders: the reconciler's 5 minutes), then copied to the index, usually
 * within a second. Twice the longest timeout leaves room for both.
 */
export const SEAL_MARGIN_SECONDS = 600;
/** The first seal (no cursor yet) covers the day before it. */
export const FIRST_SEAL_LOOKBACK_HOURS = 24;
/** At most this much time per digest: a sealer far behind catches up a day per digest. */
export const MAX_SEAL_HOURS = 24;
/** At most this many digests per run (the rest is the next run's). */
const MAX_DIGESTS_PER_RUN = 30;

const HOUR_MS = 3_600_000;

export interface SealDeps {
  clock: Clock;
  log: Log;
  heads: AuditHeads;
  cursor: SealCursor;
  seals: SealStore;
}

export interface SealedWindow {
  from: string;
  to: string;
  heads: number;
  /** False: a digest with this `to` was there already (an earlier sealer's, which died before moving the cursor, or a concurrent one's). */
  stored: boolean;
  /** False: another sealer moved the cursor first. */
  cursorMoved: boolean;
}

export interface SealReport {
  sealed: SealedWindow[];
  /** Where the cursor is after the run. */
  cursor: string | undefined;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const floorHour = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

/**
 * Where the seals should reach now: the last whole UTC hour at least the margin ago (so sealers
 * running within the same hour agree on it), or, with `graceSeconds` (local mode's sweep: 0), that
 * long before now exactly.
 */
export const sealTarget = (now: string, graceSeconds?: number): string =>
  graceSeconds === undefined
    ? iso(floorHour(Date.parse(now) - SEAL_MARGIN_SECONDS * 1000))
    : iso(Date.parse(now) - graceSeconds * 1000);

/** One head per order (the index may briefly show an order twice as it moves), by order id. */
const digestHeads = (found: readonly SealedHead[]): SealedHead[] => {
  const latest = new Map<string, SealedHead>();
  for (const head of found) {
    const seen = latest.get(head.orderId);
    if (seen === undefined || head.seq > seen.seq) latest.set(head.orderId, head);
  }
  return [...latest.values()]
    .sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0))
    .map(({ orderId, seq, head }) => ({ orderId, seq, head }));
};

/** Seals one window (`from`, `to`]: its digest, then the cursor. */
const sealWindow = async (
  deps: SealDeps,
  cursor: string | undefined,
  from: string,
  to: string,
): Promise<SealedWindow> => {
  const heads = digestHeads(await deps.heads.changedBetween(from, to));
  const digest: AuditDigest = { sealedAt: deps.clock.now(), from, to, heads };
  const stored = await deps.seals.put(digest);
  const cursorMoved = await deps.cursor.move(cursor, to);
  if (stored && !cursorMoved) {
    deps.log.warn("the seal cursor moved meanwhile; this digest overlaps another", { from, to });
  }
  return { from, to, heads: heads.length, stored, cursorMoved };
};

/** Seals every window from the cursor up to the target, a day at most per digest. */
export const sealAuditHeads = async (
  deps: SealDeps,
  graceSeconds?: number,
): Promise<SealReport> => {
  const target = sealTarget(deps.clock.now(), graceSeconds);
  const sealed: SealedWindow[] = [];
  let cursor = await deps.cursor.read();
  while (sealed.length < MAX_DIGESTS_PER_RUN) {
    const from = cursor ?? iso(Date.parse(target) - FIRST_SEAL_LOOKBACK_HOURS * HOUR_MS);
    if (from >= target) break;
    const to = iso(Math.min(Date.parse(from) + MAX_SEAL_HOURS * HOUR_MS, Date.parse(target)));
    const window = await sealWindow(deps, cursor, from, to);
    sealed.push(window);
    // Another sealer is at work: what is left is its (or the next run's).
    if (!window.cursorMoved) return { sealed, cursor: await deps.cursor.read() };
    cursor = to;
  }
  return { sealed, cursor };
};
