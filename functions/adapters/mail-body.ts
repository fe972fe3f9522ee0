// A mail's bulky parts (its text and HTML) packed into one small binary value for its outbox
// item: a rendered mail is 2-3 KB as UTF-8, packed well under 1 KB, so the item's put, claim and
// delete each cost a single write unit instead of 3-4 (a transactional put twice that).
//
// Format (first byte): 1 = raw DEFLATE (node:zlib, level 9) with MAIL_DICTIONARY_V1 as its preset
// dictionary, of uvarint(byte length of the text) + text + HTML, both UTF-8. Japanese mails of
// 1.8-2.9 KB pack to 530-730 bytes with Brotli, 710-970 with DEFLATE alone, and 250-420 with the
// dictionary (the HTML skeleton and the wording that recurs across templates; English mails
// likewise). Items are decoded with the dictionary they were written with: never edit a published
// dictionary, add a format with a new one instead (templates may change freely: their mails only
// compress a little less).
import { deflateRawSync, inflateRawSync } from "node:zlib";

/** The parts of a mail that are packed (recipients and subject stay plain attributes). */
export interface MailBody {
  text: string;
  html: string;
}

const FORMAT_DEFLATE_V1 = 1;

/**
 * Format 1's preset dictionary: strings that recur in rendered mails, the likeliest last (DEFLATE
 * finds the nearest copy cheapest). Frozen: items in flight are decoded with it.
 */
const MAIL_DICTIONARY_V1 = Buffer.from(
  [
    // English wording.
    "Hello,\n\nDear seller,\n\nHello operators,\n\n",
    "We have received your request to cancel order , which has already shipped. ",
    "The cancellation of order  was approved. The cancellation request for order ",
    " the seller console by  the marketplace approves the order details ",
    "the buyer's payment method refund the delivery, 2026, :00 JST (UTC+9)",
    "Credit card (the card used for the order)",
    "\n\nOrder: \nRequest ID: \nItems: \nReason for cancelling: No longer needed\n",
    "Buyer's comment: \nSeller's deadline: \nReview deadline: \nStatus: \nRefund amount: $",
    "\nRefund method: \nExpected by: \nRefund ID: rf-\n\n--\n",
    "This message was sent automatically; replies to it are not read.",
    // Japanese wording.
    "お客様\n\n出品者様\n\n運用担当者各位\n\n【発送済みキャンセル】",
    "ご注文 について、発送済みキャンセルのリクエストを受け付けました。",
    "注文 の発送済みキャンセルが承認されました。下記のとおり返金",
    "キャンセルリクエストはマーケットプレイスの承認",
    "購入者のお支払い方法受け取りを拒否してください。",
    "（日本時間）クレジットカード（購入時のカード）",
    "\n\n注文番号: \nリクエストID: \n商品: \nキャンセル理由: 不要になった\n",
    "購入者のコメント: \n出品者の回答期限: \n確認期限: \nステータス: \n返金額: ¥",
    "\n返金方法: \n返金予定日: \n返金ID: rf-\n\n--\n",
    "※このメールは送信専用です。ご返信いただいてもお答えできませんのでご了承ください。",
    // The HTML around every mail's paragraphs and rows.
    '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8"><title>',
    '</title></head>\n<body style="font-family: sans-serif; line-height: 1.6; color: #222;">\n<p>',
    '</p>\n<table style="border-collapse: collapse; margin: 1em 0;">\n',
    '<tr><th style="text-align: left; vertical-align: top; padding: 4px 16px 4px 0;">',
    '</th><td style="padding: 4px 0;">',
    '</td></tr>\n</table>\n<p style="color: #666; font-size: 12px;">',
    "</p>\n</body></html>",
  ].join(""),
  "utf8",
);

const uvarint = (value: number): number[] => {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
};

/** Packs a mail's text and HTML into one binary value (see the format above). */
export const packMailBody = (body: MailBody): Uint8Array => {
  const text = Buffer.from(body.text, "utf8");
  const html = Buffer.from(body.html, "utf8");
  const packed = deflateRawSync(Buffer.concat([Buffer.from(uvarint(text.length)), text, html]), {
    level: 9,
    memLevel: 9,
    dictionary: MAIL_DICTIONARY_V1,
  });
  return Buffer.concat([Buffer.from([FORMAT_DEFLATE_V1]), packed]);
};

/** The text and HTML `packMailBody` packed into `value`; throws on anything else. */
export const unpackMailBody = (value: Uint8Array): MailBody => {
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (bytes[0] !== FORMAT_DEFLATE_V1) {
    throw new Error(`unknown mail body format ${String(bytes[0])}`);
  }
  const plain = inflateRawSync(bytes.subarray(1), { dictionary: MAIL_DICTIONARY_V1 });
  let textLength = 0;
  let offset = 0;
  for (let shift = 1; ; shift *= 0x80) {
    const byte = plain[offset];
    if (byte === undefined || offset >= 5) throw new Error("truncated mail body");
    offset += 1;
    textLength += (byte & 0x7f) * shift;
    if (byte < 0x80) break;
  }
  if (offset + textLength > plain.length) throw new Error("truncated mail body");
  return {
    text: plain.toString("utf8", offset, offset + textLength),
    html: plain.toString("utf8", offset + textLength),
  };
};
