// Notification mail, rendered where it is sent (the workflow's step and the reconciler, through
// app/send-notices.ts) in the order's locale: the language's wording (ja.ts, en.ts), the values
// formatted as the console shows them (format.ts), laid out as text and HTML (layout.ts).
// Safety by construction: a subject is fixed wording plus the order id (an idSchema id), and every
// string that reaches the HTML part is escaped, so no user text can inject a header or markup.
import { amountOf, type LineQuantity } from "../domain/amounts.ts";
import { carrierCodeOf, carrierNameOf } from "../domain/carriers.ts";
import type { EmailTemplate } from "../domain/notices.ts";
import { parcelOf } from "../domain/parcel.ts";
import { newRefund, refundMethodFor } from "../domain/refund.ts";
import { idSchema } from "../domain/schemas.ts";
import type { CancellationRequest, Locale, OrderRecord } from "../domain/types.ts";
import { en } from "./en.ts";
import { formatDate, formatDateTime, formatMoney } from "./format.ts";
import { ja } from "./ja.ts";
import { htmlPart, LAYOUT, type MailContent, textPart } from "./layout.ts";
import {
  CARRIERS_WITH_STEPS,
  type CarrierWithSteps,
  type Context,
  KNOWN_FAILURES,
  type KnownFailure,
  type Wording,
} from "./wording.ts";

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const WORDING: Readonly<Record<Locale, Wording>> = { ja, en };

/** The mail that asks the seller to decide: it shows the seller's ways to (`SellerDecisionWays`). */
export const ASKS_SELLER_TO_DECIDE: ReadonlySet<EmailTemplate> = new Set([
  "SELLER_NEW_REQUEST",
  "SELLER_REMINDER",
]);

/**
 * Where the seller decides, as the mail shows it (SPEC "Decision links in the seller's mail"):
 * an Approve and a Reject link, or (none allowed) the console's address.
 */
export type SellerDecisionWays =
  | { kind: "LINKS"; approve: string; reject: string }
  | { kind: "CONSOLE"; console: string };

/** An address a mail may link to: the service's own, over HTTP(S), nothing to break out of. */
const isPlainAddress = (href: string): boolean =>
  /^https?:\/\/[A-Za-z0-9._~:/?#@!$&()*+,;=%-]+$/.test(href);

const decisionLinksOf = (
  words: Wording,
  ways: SellerDecisionWays | undefined,
): { intro: string[]; links: (readonly [string, string])[] } => {
  if (!ways) return { intro: [], links: [] };
  const labels = words.decisionLinks;
  const links: [string, string][] =
    ways.kind === "LINKS"
      ? [
          [labels.approve, ways.approve],
          [labels.reject, ways.reject],
        ]
      : [[labels.console, ways.console]];
  for (const [, href] of links) {
    if (!isPlainAddress(href)) throw new Error("a mail's link must be a plain http(s) address");
  }
  return { intro: ways.kind === "LINKS" ? [labels.intro] : [], links };
};

/** Lines (a request's, the return's) as "title × quantity", one a line (the same in both languages). */
const linesOf = (record: OrderRecord, lines: readonly LineQuantity[]): string =>
  lines
    .map(({ lineId, quantity }) => {
      const title = record.order.lines.find((line) => line.lineId === lineId)?.title ?? lineId;
      return `${title} × ${quantity}`;
    })
    .join("\n");

const unitsOf = (lines: readonly LineQuantity[]): number =>
  lines.reduce((sum, line) => sum + line.quantity, 0);

/** The mail about the order's return: it has nothing to say of an order without one. */
const ABOUT_THE_RETURN: ReadonlySet<EmailTemplate> = new Set([
  "BUYER_RETURN_INSTRUCTIONS",
  "SELLER_PARCEL_KEPT",
  "BUYER_RETURN_RECEIVED",
  "OPERATOR_RETURN_OVERDUE",
]);

/**
 * Whether units of the order stay uncancelled once this request is done (with the completed
 * ones): the parcel still brings the rest, so the buyer must not refuse it.
 */
const leavesUnits = (record: OrderRecord, request: CancellationRequest): boolean => {
  const units = record.order.lines.reduce((sum, line) => sum + line.quantity, 0);
  const cancelled = Object.values(record.requests)
    .filter((other) => other === request || other.status === "COMPLETED")
    .flatMap((other) => other.lines)
    .reduce((sum, line) => sum + line.quantity, 0);
  return cancelled < units;
};

/** The carrier's own return steps when mail has them (the carrier as carriers.ts reads it). */
const stepsFor = (carrier: string | undefined): CarrierWithSteps | "other" => {
  const code = carrier === undefined ? undefined : carrierCodeOf(carrier);
  return CARRIERS_WITH_STEPS.find((known) => known === code) ?? "other";
};

const isKnownFailure = (code: string | null): code is KnownFailure =>
  (KNOWN_FAILURES as readonly (string | null)[]).includes(code);

const buildContext = (
  words: Wording,
  record: OrderRecord,
  request: CancellationRequest,
  now: string,
): Context => {
  const { order } = record;
  const { currency, locale } = order;
  // Deadlines in the zone where the money moves (as refund dates are), with the zone named.
  const at = (instant: string): string => formatDateTime(instant, currency, locale);
  const when = (instant: string | null): string | null => (instant === null ? null : at(instant));
  const cashOnDelivery = order.payment.method === "CASH_ON_DELIVERY";
  // Before approval there is no refund yet: show what it would be under the request's policy.
  const refund = request.refund ?? newRefund(order, request.policy, now, amountOf(request));
  const money = (amount: number): string => formatMoney(amount, refund.currency);
  // The reversal's own reason (its entry's note) outlives the refund's, which a retry clears.
  const reversal = request.timeline.findLast((entry) => entry.type === "REFUND_REVERSED");
  const failureCode = reversal?.note ?? refund.failureReason ?? null;
  const failureKind = isKnownFailure(failureCode) ? failureCode : null;
  const owed = order.return ?? null;
  return {
    orderId: order.orderId,
    requestId: request.requestId,
    items: linesOf(record, request.lines),
    reason: words.reasons[request.reason],
    comment: request.comment?.trim() ? request.comment : null,
    sellerDeadline: at(request.sellerDeadline),
    marketplaceDeadline: when(request.marketplaceDeadline),
    refundRetryDeadline: when(request.refundRetryDeadline),
    // Cash on delivery has nothing to refund: its emails explain that instead of listing ¥0.
    amount: cashOnDelivery
      ? null
      : words.amount(
          money(refund.amount),
          money(request.itemsAmount),
          money(request.shippingAmount),
        ),
    method: cashOnDelivery ? null : words.methods[refund.method],
    expected:
      refund.expectedBy &&
      words.range(
        formatDate(refund.expectedBy.earliest, locale),
        formatDate(refund.expectedBy.latest, locale),
      ),
    refundId: refund.refundId,
    attempts: String(refund.attempts),
    status: words.statuses[request.status],
    rejectionReason: request.rejection?.reason ?? null,
    carrier: order.shipment && carrierNameOf(order.shipment.carrier)[locale],
    trackingNumber: order.shipment?.trackingNumber ?? null,
    reference: refund.reference ?? null,
    failureReason:
      failureCode &&
      (failureKind ? words.withCode(words.failureReasons[failureKind], failureCode) : failureCode),
    providerRefundId: refund.providerRefundId ?? null,
    provider: cashOnDelivery ? null : words.providers[refund.provider ?? "ledger"],
    promisedBy: refund.expectedBy && formatDate(refund.expectedBy.latest, locale),
    inquiryComment: request.refundInquiry?.comment?.trim() ? request.refundInquiry.comment : null,
    returnItems: owed ? linesOf(record, owed.lines) : null,
    returnDueBy: owed ? at(owed.dueBy) : null,
    returnReceivedAt: owed?.closedAt && owed.status === "RECEIVED" ? at(owed.closedAt) : null,
    buyerId: order.buyerId,
    sellerId: order.sellerId,
    statusCode: request.status,
    cashOnDelivery,
    partial: leavesUnits(record, request),
    convenienceStore: order.payment.method === "CONVENIENCE_STORE",
    rejectedBy: words.rejectedBy[request.rejection?.by ?? "MARKETPLACE"],
    hoursLeft: Math.max(
      0,
      Math.floor((Date.parse(request.sellerDeadline) - Date.parse(now)) / 3.6e6),
    ),
    onSellerTimeout: request.policy.onSellerTimeout,
    onMarketplaceTimeout: request.policy.onMarketplaceTimeout,
    otherMethod: refund.method !== refundMethodFor(order.payment.method),
    declined: refund.declined === true,
    fallbackMethod: words.methods[request.policy.refundFallbackMethod],
    failureKind,
    refundedAgain: refund.status === "SUCCEEDED" && reversal !== undefined,
    returnPartial: owed !== null && unitsOf(owed.lines) < unitsOf(order.lines),
    parcelStatus: parcelOf(order)?.status ?? null,
    returnSteps: stepsFor(order.shipment?.carrier),
  };
};

/**
 * Renders `template` for request `requestId` of `record` in the order's locale.
 * `now` (an ISO instant) only feeds the reminder's time left and a not-yet-created refund.
 * `ways`: where the seller decides, shown by the mail that asks the seller to (others ignore it).
 */
export const renderEmail = (
  template: EmailTemplate,
  record: OrderRecord,
  requestId: string,
  now: string = new Date().toISOString(),
  ways?: SellerDecisionWays,
): RenderedEmail => {
  // hasOwn: a key such as "constructor" must not resolve to an inherited property.
  const request = Object.hasOwn(record.requests, requestId)
    ? record.requests[requestId]
    : undefined;
  if (request === undefined) {
    throw new Error(`request ${requestId} is not in order ${record.order.orderId}`);
  }
  // The order id is the only variable in a subject; a valid id cannot carry CR/LF or markup.
  if (!idSchema.safeParse(record.order.orderId).success) {
    throw new Error("order id is not a valid id; refusing to put it in a mail subject");
  }
  if (ABOUT_THE_RETURN.has(template) && !record.order.return) {
    throw new Error(`order ${record.order.orderId} has no return for ${template}`);
  }
  const locale = record.order.locale;
  const words = WORDING[locale];
  const { to, rows: rowKeys } = LAYOUT[template];
  const { subject: title, body } = words.templates[template];
  const context = buildContext(words, record, request, now);
  const decision = decisionLinksOf(words, ASKS_SELLER_TO_DECIDE.has(template) ? ways : undefined);

  const content: MailContent = {
    locale,
    subject: words.subject(title, record.order.orderId),
    paragraphs: [
      words.greeting[to],
      ...body(context).filter((p) => p !== false),
      ...decision.intro,
    ],
    links: decision.links,
    rows: rowKeys.flatMap((key) => {
      const value = context[key];
      return value === null ? [] : [[words.labels[key], value] as const];
    }),
    footer: words.footer,
  };
  return { subject: content.subject, text: textPart(content), html: htmlPart(content) };
};
