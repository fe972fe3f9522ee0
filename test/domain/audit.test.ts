// The audit chain's examples (audit.ts; SPEC "Audit trail"): an entry's hash over RFC 8785
// canonical JSON, worked out here by hand for notes with Unicode, quotes, backslashes and line
// breaks; the keys' order never matters; and a record stored before the chain was kept (no seq,
// no hash) is chained in time order, as the export shows it and as its next change stores it.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  chainEntry,
  entryHash,
  exportAudit,
  GENESIS_HASH,
  verifyAudit,
} from "../../functions/domain/audit.ts";
import { Draft } from "../../functions/domain/draft.ts";
import { transition } from "../../functions/domain/transition.ts";
import type { OrderRecord, TimelineEntry } from "../../functions/domain/types.ts";
import { at, cancellationRequest, orderRecord } from "../support/records.ts";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("entryHash", () => {
  it("is SHA-256 of prev, a line feed and the entry as RFC 8785 canonical JSON (sorted keys, no spaces)", () => {
    const entry = { seq: 0, at: at(0), type: "ORDER_IMPORTED" as const, actor: "order-system" };
    expect(entryHash(GENESIS_HASH, entry)).toBe(
      sha256(
        `${"0".repeat(64)}\n{"actor":"order-system","at":"2026-11-20T10:00:00.000Z","seq":0,"type":"ORDER_IMPORTED"}`,
      ),
    );
  });

  it("keeps Unicode as it is and escapes only quotes, backslashes and control characters", () => {
    const prev = "ab".repeat(32);
    const entry = {
      seq: 12,
      at: "2026-11-21T12:00:00.120Z",
      type: "REFUND_INQUIRY_OPENED" as const,
      actor: "buyer-1",
      requestId: "r-1",
      note: '「返金」"まだ"です \\ 🚚 é\n2行目\t終わり\u2028',
    };
    // RFC 8785 §3.2.2.2: the ES2015 JSON string form, Unicode unescaped (U+2028 included), sent as
    // UTF-8; keys sorted by their UTF-16 code units.
    const canonical =
      '{"actor":"buyer-1","at":"2026-11-21T12:00:00.120Z",' +
      '"note":"「返金」\\"まだ\\"です \\\\ 🚚 é\\n2行目\\t終わり\u2028",' +
      '"requestId":"r-1","seq":12,"type":"REFUND_INQUIRY_OPENED"}';
    expect(entryHash(prev, entry)).toBe(sha256(`${prev}\n${canonical}`));
    // The bytes hashed are UTF-8: the emoji is four bytes, not a pair of escaped surrogates.
    expect(Buffer.from(canonical, "utf8").includes(Buffer.from([0xf0, 0x9f, 0x9a, 0x9a]))).toBe(
      true,
    );
  });

  it("does not depend on the order of the entry's keys", () => {
    const fields = {
      seq: 3,
      at: at(2),
      type: "SELLER_REJECTED" as const,
      actor: "seller-1",
      requestId: "r-1",
      note: "在庫あり",
    };
    const reversed = Object.fromEntries(Object.entries(fields).reverse()) as typeof fields;
    expect(Object.keys(reversed)[0]).toBe("note");
    expect(entryHash(GENESIS_HASH, reversed)).toBe(entryHash(GENESIS_HASH, fields));
  });

  it("changes with any field, prev included", () => {
    const entry = { seq: 1, at: at(1), type: "SHIPPED" as const, actor: "seller-1" };
    const hash = entryHash(GENESIS_HASH, entry);
    for (const changed of [
      { ...entry, seq: 2 },
      { ...entry, at: at(2) },
      { ...entry, type: "DELIVERED" as const },
      { ...entry, actor: "seller-2" },
      { ...entry, note: "" },
      { ...entry, requestId: "r-1" },
    ]) {
      expect(entryHash(GENESIS_HASH, changed)).not.toBe(hash);
    }
    expect(entryHash("f".repeat(64), entry)).not.toBe(hash);
  });
});

describe("chainEntry and exportAudit", () => {
  it("chain each entry after the record's head and move the head; an order without entries exports the genesis head", () => {
    const record = orderRecord({ orderId: "o-1", timeline: [] });
    expect(exportAudit(record)).toEqual({ orderId: "o-1", entries: [], head: GENESIS_HASH });
    const first: TimelineEntry = { at: at(0), type: "ORDER_IMPORTED", actor: "order-system" };
    record.order.timeline.push(first);
    chainEntry(record, first, undefined, at(0));
    const second: TimelineEntry = { at: at(1), type: "SHIPPED", actor: "seller-1" };
    record.order.timeline.push(second);
    chainEntry(record, second, undefined, at(1.5));
    const hash0 = entryHash(GENESIS_HASH, {
      seq: 0,
      at: at(0),
      type: "ORDER_IMPORTED",
      actor: "order-system",
    });
    const hash1 = entryHash(hash0, { seq: 1, at: at(1), type: "SHIPPED", actor: "seller-1" });
    expect(record.order.timeline.map(({ seq, hash }) => [seq, hash])).toEqual([
      [0, hash0],
      [1, hash1],
    ]);
    expect(record.audit).toEqual({ seq: 1, head: hash1, writtenAt: at(1.5) });
    expect(exportAudit(record).head).toBe(hash1);
  });
});

describe("a note", () => {
  it("is cut to 200 whole characters, never half a surrogate pair, so its canonical JSON is valid UTF-8", () => {
    const draft = new Draft(orderRecord({ orderId: "o-note" }), at(1));
    // 199 characters, then emoji (two UTF-16 units each): the 200th character is the first emoji.
    draft.log(draft.order, "SHIPPED", "seller-1", `${"a".repeat(199)}${"🚚".repeat(10)}`);
    const entry = draft.order.timeline.at(-1) as TimelineEntry;
    expect(entry.note).toBe(`${"a".repeat(199)}🚚`);
    expect(/\p{Cs}/u.test(entry.note ?? "")).toBe(false);
    expect(exportAudit(draft.record).entries.at(-1)?.note).toBe(entry.note);
  });
});

describe("a record stored before the chain was kept", () => {
  /**
   * Its entries have no seq or hash, and it has no head: the order's own entries, a withdrawn
   * request and a later one, interleaved in time (two entries at the same instant).
   */
  const legacy = (): OrderRecord => {
    const orderId = "o-legacy";
    const old = cancellationRequest({
      requestId: "r-old",
      orderId,
      createdAt: at(1),
      status: "WITHDRAWN",
      timeline: [
        { at: at(1), type: "REQUESTED", actor: "buyer-1" },
        { at: at(2), type: "WITHDRAWN", actor: "buyer-1" },
      ],
    });
    const current = cancellationRequest({
      requestId: "r-new",
      orderId,
      createdAt: at(4),
      timeline: [
        { at: at(4), type: "REQUESTED", actor: "buyer-1" },
        { at: at(4), type: "SELLER_NOTIFIED", actor: "system" },
      ],
    });
    const record = orderRecord(
      {
        orderId,
        activeCancellationRequestId: "r-new",
        timeline: [
          { at: at(0), type: "ORDER_IMPORTED", actor: "order-system" },
          { at: at(3), type: "DELIVERY_REFUSED", actor: "carrier-yamato" },
        ],
      },
      // Listed newest first: the chain follows the entries' times, not the map's order.
      [current, old],
    );
    expect(record.audit).toBeUndefined();
    return record;
  };

  it("exports its entries chained in the order of their times, without changing it", () => {
    const record = legacy();
    const before = structuredClone(record);
    const trail = exportAudit(record);
    expect(trail.entries.map(({ seq, type, requestId }) => [seq, type, requestId])).toEqual([
      [0, "ORDER_IMPORTED", undefined],
      [1, "REQUESTED", "r-old"],
      [2, "WITHDRAWN", "r-old"],
      [3, "DELIVERY_REFUSED", undefined],
      [4, "REQUESTED", "r-new"],
      [5, "SELLER_NOTIFIED", "r-new"],
    ]);
    expect(verifyAudit(trail.entries)).toEqual({ ok: true, head: trail.head });
    expect(record).toEqual(before);
  });

  it("is chained by its next change as it was exported, the change's entry after, every entry stored with seq and hash", () => {
    const record = legacy();
    const shown = exportAudit(record);
    const result = transition(
      record,
      { type: "WITHDRAW", actor: "buyer-1", requestId: "r-new" },
      at(6),
    );
    if (!result.ok) throw result.error;
    const stored = result.record;
    const entries = [
      ...stored.order.timeline,
      ...Object.values(stored.requests).flatMap((request) => request.timeline),
    ];
    expect(
      entries.every(
        (entry) => Number.isInteger(entry.seq) && /^[0-9a-f]{64}$/.test(entry.hash ?? ""),
      ),
    ).toBe(true);
    const trail = exportAudit(stored);
    expect(trail.entries.slice(0, shown.entries.length)).toEqual(shown.entries);
    expect(trail.entries.slice(shown.entries.length).map(({ seq, type }) => [seq, type])).toEqual([
      [6, "WITHDRAWN"],
    ]);
    expect(stored.audit).toEqual({ seq: 6, head: trail.head, writtenAt: at(6) });
    expect(verifyAudit(trail.entries)).toEqual({ ok: true, head: trail.head });
  });
});
