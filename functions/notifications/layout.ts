// How a mail is laid out, the same in every language: who receives each template and which details
// it lists, and the message's two parts: plain text, and HTML in which every string is escaped.
import type { EmailTemplate, Recipient } from "../domain/notices.ts";
import type { Locale } from "../domain/types.ts";
import { escapeHtml } from "./escape.ts";
import type { RowKey } from "./wording.ts";

/**
 * Who receives each template and which details it lists. The carrier (by name) and the tracking
 * number are listed where the parcel matters to the reader: to follow it, to refuse it, to have it back.
 */
export const LAYOUT: Readonly<Record<EmailTemplate, { to: Recipient; rows: readonly RowKey[] }>> = {
  BUYER_REQUEST_RECEIVED: {
    to: "BUYER",
    rows: ["orderId", "items", "reason", "comment", "sellerDeadline", "carrier", "trackingNumber"],
  },
  BUYER_APPROVED: {
    to: "BUYER",
    rows: ["orderId", "items", "amount", "method", "expected", "carrier", "trackingNumber"],
  },
  BUYER_REJECTED: { to: "BUYER", rows: ["orderId", "items", "rejectionReason"] },
  BUYER_REFUND_COMPLETED: {
    to: "BUYER",
    rows: ["orderId", "items", "amount", "method", "reference"],
  },
  BUYER_RETURN_REQUIRED: { to: "BUYER", rows: ["orderId", "items"] },
  BUYER_WITHDRAWN: { to: "BUYER", rows: ["orderId", "items"] },
  BUYER_REFUND_REVERSED: { to: "BUYER", rows: ["orderId", "items", "amount"] },
  BUYER_REFUND_LATE: {
    to: "BUYER",
    rows: ["orderId", "items", "amount", "method", "expected", "reference"],
  },
  SELLER_NEW_REQUEST: {
    to: "SELLER",
    rows: [
      "orderId",
      "requestId",
      "items",
      "reason",
      "comment",
      "sellerDeadline",
      "carrier",
      "trackingNumber",
    ],
  },
  SELLER_REMINDER: {
    to: "SELLER",
    rows: ["orderId", "requestId", "items", "reason", "comment", "sellerDeadline"],
  },
  SELLER_REFUND_INSTRUCTION: {
    to: "SELLER",
    rows: [
      "orderId",
      "requestId",
      "items",
      "amount",
      "method",
      "refundId",
      "carrier",
      "trackingNumber",
    ],
  },
  SELLER_OUTCOME: {
    to: "SELLER",
    rows: ["orderId", "requestId", "items", "status", "rejectionReason"],
  },
  OPERATOR_ESCALATION: {
    to: "OPERATORS",
    rows: [
      "orderId",
      "requestId",
      "items",
      "status",
      "reason",
      "comment",
      "amount",
      "method",
      "marketplaceDeadline",
    ],
  },
  OPERATOR_REFUND_FAILED: {
    to: "OPERATORS",
    rows: [
      "orderId",
      "requestId",
      "items",
      "refundId",
      "amount",
      "method",
      "attempts",
      "refundRetryDeadline",
    ],
  },
  OPERATOR_REFUND_REVERSED: {
    to: "OPERATORS",
    rows: [
      "orderId",
      "requestId",
      "items",
      "refundId",
      "providerRefundId",
      "amount",
      "method",
      "failureReason",
      "refundRetryDeadline",
    ],
  },
  OPERATOR_REFUND_LATE: {
    to: "OPERATORS",
    rows: [
      "orderId",
      "requestId",
      "items",
      "status",
      "provider",
      "refundId",
      "providerRefundId",
      "reference",
      "amount",
      "method",
      "promisedBy",
    ],
  },
  OPERATOR_REFUND_INQUIRY: {
    to: "OPERATORS",
    rows: [
      "orderId",
      "requestId",
      "items",
      "provider",
      "refundId",
      "providerRefundId",
      "reference",
      "amount",
      "method",
      "promisedBy",
      "inquiryComment",
    ],
  },
  OPERATOR_MAIL_FAILED: { to: "OPERATORS", rows: ["orderId", "requestId", "status"] },
  BUYER_RETURN_INSTRUCTIONS: {
    to: "BUYER",
    rows: ["orderId", "returnItems", "returnDueBy", "carrier", "trackingNumber"],
  },
  SELLER_PARCEL_KEPT: {
    to: "SELLER",
    rows: ["orderId", "returnItems", "returnDueBy", "carrier", "trackingNumber"],
  },
  BUYER_RETURN_RECEIVED: {
    to: "BUYER",
    rows: ["orderId", "returnItems", "returnReceivedAt"],
  },
  OPERATOR_RETURN_OVERDUE: {
    to: "OPERATORS",
    rows: [
      "orderId",
      "returnItems",
      "returnDueBy",
      "buyerId",
      "sellerId",
      "carrier",
      "trackingNumber",
    ],
  },
};

/** A mail's words, ready to lay out: plain text, not yet escaped. */
export interface MailContent {
  locale: Locale;
  subject: string;
  /** The greeting, then the body's paragraphs. */
  paragraphs: readonly string[];
  /** The details table: label and value (a value may span lines: the items, a comment). */
  rows: readonly (readonly [label: string, value: string])[];
  /** Links to act on, each with what it says (the seller's decision links, the console). */
  links: readonly (readonly [label: string, href: string])[];
  footer: string;
}

/** The plain-text part: paragraphs, the links as `label: address` lines, the details, the footer. */
export const textPart = ({ paragraphs, rows, links, footer }: MailContent): string =>
  [
    ...paragraphs,
    ...(links.length > 0 ? [links.map(([label, href]) => `${label}: ${href}`).join("\n")] : []),
    // Continuation lines of a multi-line value (the items, a comment) are indented under their label.
    rows.map(([label, value]) => `${label}: ${value.replaceAll("\n", "\n  ")}`).join("\n"),
    `--\n${footer}`,
  ].join("\n\n");

/** The HTML part: the same content, every string escaped, line breaks kept. */
export const htmlPart = ({
  locale,
  subject,
  paragraphs,
  rows,
  links,
  footer,
}: MailContent): string =>
  [
    "<!DOCTYPE html>",
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: sans-serif; line-height: 1.6; color: #222;">',
    ...paragraphs.map((p) => `<p>${escapeHtml(p).replaceAll("\n", "<br>")}</p>`),
    // Each link by what it says, its address beneath (for readers that show no links).
    ...links.map(
      ([label, href]) =>
        `<p><a href="${escapeHtml(href)}" style="font-weight: bold;">${escapeHtml(label)}</a>` +
        `<br><span style="color: #666; font-size: 12px;">${escapeHtml(href)}</span></p>`,
    ),
    '<table style="border-collapse: collapse; margin: 1em 0;">',
    ...rows.map(
      ([label, value]) =>
        '<tr><th style="text-align: left; vertical-align: top; padding: 4px 16px 4px 0;">' +
        `${escapeHtml(label)}</th><td style="padding: 4px 0;">` +
        `${escapeHtml(value).replaceAll("\n", "<br>")}</td></tr>`,
    ),
    "</table>",
    `<p style="color: #666; font-size: 12px;">${escapeHtml(footer)}</p>`,
    "</body></html>",
  ].join("\n");
