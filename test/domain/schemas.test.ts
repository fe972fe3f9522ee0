// Input schemas whose bounds SPEC states.
import { describe, expect, it } from "vitest";
import {
  decisionSchema,
  idempotencyKeySchema,
  limitSchema,
  shipmentSchema,
} from "../../functions/domain/schemas.ts";

describe("idempotencyKeySchema: 1 to 255 printable ASCII characters", () => {
  it.each([
    ["one character", "1"],
    ["a UUID", "6f1c2d3e-0a4b-4c5d-8e9f-0123456789ab"],
    ["255 characters", "k".repeat(255)],
    ["spaces and punctuation", "order 1001 / try #2 ~ {ok}"],
    [
      "every printable character",
      String.fromCharCode(...Array.from({ length: 95 }, (_, i) => 0x20 + i)),
    ],
  ])("accepts %s", (_, key) => {
    expect(idempotencyKeySchema.safeParse(key)).toEqual({ success: true, data: key });
  });

  it.each([
    ["the empty string", ""],
    ["256 characters", "k".repeat(256)],
    ["a control character", "key\u0001"],
    ["a newline", "key\n"],
    ["a tab", "key\tkey"],
    ["DEL", "key\u007f"],
    ["non-ASCII", "キー"],
    ["a non-ASCII space", "key\u00a0key"],
  ])("rejects %s", (_, key) => {
    expect(idempotencyKeySchema.safeParse(key).success).toBe(false);
  });

  it("rejects what is not a string", () => {
    for (const value of [1, null, undefined, ["1"]]) {
      expect(idempotencyKeySchema.safeParse(value).success).toBe(false);
    }
  });
});

/** A parse's issues as 400 responses list them. */
const issues = (result: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.error?.issues.map(({ path, message }) => ({ path: path.join("."), message }));

describe("messages: zod's English ones (zod/mini loads no locale; functions/domain/zod.ts does)", () => {
  it("names the bound, the expected type and the unknown key, as 400 responses quote them", () => {
    expect(
      issues(
        shipmentSchema.safeParse({ carrier: "", trackingNumber: 7, shippedAt: "x", extra: 1 }),
      ),
    ).toEqual([
      { path: "carrier", message: "Too small: expected string to have >=1 characters" },
      { path: "trackingNumber", message: "Invalid input: expected string, received number" },
      { path: "shippedAt", message: "Invalid ISO datetime" },
      { path: "", message: 'Unrecognized key: "extra"' },
    ]);
    expect(issues(limitSchema.safeParse("0"))).toEqual([
      { path: "", message: "Too small: expected number to be >=1" },
    ]);
    expect(issues(decisionSchema.safeParse({ decision: "MAYBE" }))).toEqual([
      { path: "decision", message: 'Invalid option: expected one of "APPROVE"|"REJECT"' },
    ]);
  });
});

describe("text: valid Unicode only (it may become a note of the audit trail's canonical JSON)", () => {
  it("refuses half a surrogate pair alone, in free text and in a line of text", () => {
    for (const reason of ["在庫\ud800あり", "\udc00", "末尾\ud83d"]) {
      expect(issues(decisionSchema.safeParse({ decision: "REJECT", reason }))).toEqual([
        { path: "reason", message: "must be valid Unicode text" },
      ]);
    }
    expect(
      issues(shipmentSchema.safeParse({ carrier: "yamato", trackingNumber: "4470\udfff" })),
    ).toEqual([{ path: "trackingNumber", message: "must be valid Unicode text" }]);
  });

  it("accepts every character, those beyond the BMP (whole pairs) included", () => {
    const reason = "配送が遅い 🚚 e\u0301 \u{10FFFF}\n二行目";
    expect(decisionSchema.safeParse({ decision: "REJECT", reason })).toEqual({
      success: true,
      data: { decision: "REJECT", reason },
    });
  });
});
