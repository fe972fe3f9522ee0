// A mail's text and HTML packed for its outbox item: exact round trips, and small enough that a
// rendered mail's item stays under DynamoDB's 1 KB write unit.
import { randomUUID } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packMailBody, unpackMailBody } from "../../functions/adapters/mail-body.ts";
import { renderEmail } from "../../functions/domain/emails.ts";
import type { EmailTemplate } from "../../functions/domain/events.ts";
import {
  complete,
  Flow,
  HOUR,
  instructRefund,
  policyApprove,
  refundSucceeded,
  requestCancellation,
  sellerApprove,
  at as tick,
  workflowStarted,
} from "../domain/flow.ts";

const TEMPLATES: EmailTemplate[] = [
  "BUYER_REQUEST_RECEIVED",
  "BUYER_APPROVED",
  "BUYER_REJECTED",
  "BUYER_REFUND_COMPLETED",
  "BUYER_RETURN_REQUIRED",
  "BUYER_WITHDRAWN",
  "SELLER_NEW_REQUEST",
  "SELLER_REMINDER",
  "SELLER_REFUND_INSTRUCTION",
  "SELLER_OUTCOME",
  "OPERATOR_ESCALATION",
  "OPERATOR_REFUND_FAILED",
  "OPERATOR_MAIL_FAILED",
];

/** A completed request of an order in `locale`, with ids as the service makes them. */
const completedFlow = (locale: "ja" | "en") => {
  const requestId = randomUUID();
  const flow = Flow.shipped({
    orderId: `o-${randomUUID()}`,
    locale,
    ...(locale === "en" ? { currency: "USD" as const } : {}),
  });
  flow.apply(requestCancellation({ requestId }), tick(0));
  flow.apply(workflowStarted(requestId), tick(1));
  flow.apply(sellerApprove(undefined, requestId), tick(HOUR));
  flow.apply(policyApprove(requestId), tick(HOUR + 1));
  flow.apply(instructRefund(requestId), tick(HOUR + 2));
  flow.apply(refundSucceeded(requestId), tick(2 * HOUR));
  flow.apply(complete(requestId), tick(2 * HOUR + 1));
  return { record: flow.record, requestId };
};

describe("packMailBody", () => {
  describe.each(["ja", "en"] as const)("every template rendered in %s", (locale) => {
    const { record, requestId } = completedFlow(locale);
    it.each(TEMPLATES)("%s comes back exactly, in under 450 bytes", (template) => {
      const { text, html } = renderEmail(template, record, requestId, tick(2 * HOUR));
      const packed = packMailBody({ text, html });
      expect(unpackMailBody(packed)).toEqual({ text, html });
      const plain = Buffer.byteLength(text) + Buffer.byteLength(html);
      expect(plain).toBeGreaterThan(1200);
      expect(packed.length).toBeLessThan(450);
      expect(packed.length).toBeLessThan(plain / 4);
      // The dictionary does much of it: DEFLATE alone leaves half as much again, or more.
      const undictionaried = deflateRawSync(Buffer.from(text + html), { level: 9 }).length;
      expect(packed.length).toBeLessThan(undictionaried * 0.67);
    });
  });

  it("gives back any text and HTML as they were", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (text, html) => {
        expect(unpackMailBody(packMailBody({ text, html }))).toEqual({ text, html });
      }),
    );
    // Empty parts, a NUL in the text, and parts longer than DEFLATE's 32 KB window.
    for (const body of [
      { text: "", html: "" },
      { text: "a\u0000b", html: "\u0000" },
      { text: "返金".repeat(20_000), html: `<p>${"x".repeat(70_000)}</p>` },
    ]) {
      expect(unpackMailBody(packMailBody(body))).toEqual(body);
    }
  });

  it("reads a body out of a larger buffer (as the SDK may hand it over)", () => {
    const packed = packMailBody({ text: "本文", html: "<p>本文</p>" });
    const framed = new Uint8Array(packed.length + 8);
    framed.set(packed, 4);
    expect(unpackMailBody(framed.subarray(4, 4 + packed.length))).toEqual({
      text: "本文",
      html: "<p>本文</p>",
    });
  });

  it("refuses an unknown format and a damaged body", () => {
    const packed = packMailBody({ text: "text", html: "<p>html</p>" });
    expect(() => unpackMailBody(Uint8Array.of(2, ...packed.subarray(1)))).toThrow(/format 2/);
    expect(() => unpackMailBody(new Uint8Array())).toThrow(/format/);
    expect(() => unpackMailBody(packed.subarray(0, packed.length - 3))).toThrow();
  });
});
