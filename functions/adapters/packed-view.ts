// The queues' copy of a request's public view, packed into one small binary value. The seller and
// operator queue indexes project it, and DynamoDB bills an index entry per started KB on every
// move: as JSON the view is 1.2-1.5 KB (two units to delete and two to put on each status change,
// doubled in a transaction), packed about 300 bytes, so each costs one unit and the order item
// shrinks by a KB too.
//
// Format (first byte): 1 = raw DEFLATE (node:zlib, level 9) of the view's JSON with
// VIEW_DICTIONARY_V1 as its preset dictionary (a typical view: 1,365 bytes of JSON, 619 packed by
// DEFLATE alone, 288 with the dictionary). Never edit a published dictionary: stored views are
// decoded with the one they were written with; add a format with a new one instead.
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { PublicCancellationRequest } from "../domain/views.ts";

const FORMAT_DEFLATE_V1 = 1;

/** Format 1's preset dictionary: a view's field names and common values. Frozen. */
const VIEW_DICTIONARY_V1 = Buffer.from(
  JSON.stringify({
    requestId: "",
    orderId: "o-",
    status: "AWAITING_SELLER",
    reason: "FOUND_BETTER_PRICE",
    comment: null,
    createdAt: "2026-12-0T0:00:00.000Z",
    updatedAt: "",
    sellerDeadline: "",
    sellerRemindedAt: null,
    marketplaceDeadline: null,
    marketplaceReview: "POLICY",
    refundRetryDeadline: null,
    rejection: null,
    refund: {
      amount: 0,
      currency: "JPY",
      method: "CARD",
      status: "PENDING",
      refundId: "rf-",
      expectedBy: { earliest: "", latest: "" },
      instructedAt: "",
      succeededAt: "",
      attempts: 1,
    },
    policyVersion: "2026-11-01",
    timeline: [
      { at: "", type: "REQUESTED", actor: "buyer-" },
      { at: "", type: "SELLER_NOTIFIED", actor: "system" },
      { at: "", type: "SELLER_APPROVED", actor: "seller-" },
      { at: "", type: "MARKETPLACE_APPROVED", actor: "policy" },
      { at: "", type: "REFUND_INSTRUCTED", actor: "system" },
      { at: "", type: "REFUND_SUCCEEDED", actor: "system" },
      { at: "", type: "COMPLETED", actor: "system" },
    ],
  }),
  "utf8",
);

/** Packs a request's public view into one binary value (see the format above). */
export const packView = (view: PublicCancellationRequest): Uint8Array => {
  const packed = deflateRawSync(Buffer.from(JSON.stringify(view), "utf8"), {
    level: 9,
    dictionary: VIEW_DICTIONARY_V1,
  });
  return Buffer.concat([Buffer.from([FORMAT_DEFLATE_V1]), packed]);
};

/** The view `packView` packed into `value`; throws on anything else. */
export const unpackView = (value: Uint8Array): PublicCancellationRequest => {
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (bytes[0] !== FORMAT_DEFLATE_V1) throw new Error(`unknown view format ${String(bytes[0])}`);
  const json = inflateRawSync(bytes.subarray(1), { dictionary: VIEW_DICTIONARY_V1 });
  return JSON.parse(json.toString("utf8")) as PublicCancellationRequest;
};
