// "What happens next" on a cancellation request, for the person reading it: the buyer (who
// decides, by when, that mail follows; when the money arrives for its method, kept once the refund
// went through; what to do with the parcel), the seller (the marketplace refunds, nothing to pay
// by hand; what to do with the parcel while it is on its way: once the carrier delivered,
// refused or returned it, the order's parcel and return say what follows) and the operator (what is theirs to do, or nothing). A
// completed request's card refund that the card company failed later is made again: until it is,
// the buyer reads that, and operators read that the retry is theirs.
import {
  formatDate,
  formatDateTime,
  formatMoney,
} from "../../../functions/notifications/format.ts";
import type { CancellationRequest, Order } from "../api.ts";
import { useMessages } from "../i18n.ts";
import type {
  Language,
  Messages,
  MoneyRefundMethod,
  ParcelStatus,
  PaymentMethod,
  Role,
} from "../messages/types.ts";

type RefundMethod = NonNullable<CancellationRequest["refund"]>["method"];

/** Where an order's refund goes (SPEC): the original method; convenience-store payments as gift
 * balance; cash on delivery was never paid. */
export const refundMethodOf = (payment: PaymentMethod): RefundMethod =>
  payment === "CONVENIENCE_STORE" ? "GIFT_CARD" : payment;

/**
 * Whether units of the order stay uncancelled once this request is done: then the parcel still
 * brings them. The order's cancelled units count this request once it is COMPLETED, unless the
 * order was read before that (the pages re-read it when the request's status changes): a line
 * with fewer units cancelled than this request takes cannot have counted it yet.
 */
export const leavesUnits = (
  lines: Order["lines"],
  request: Pick<CancellationRequest, "status" | "lines">,
): boolean => {
  const units = lines.reduce((sum, line) => sum + line.quantity, 0);
  const cancelled = lines.reduce((sum, line) => sum + line.cancelledQuantity, 0);
  const counted =
    request.status === "COMPLETED" &&
    request.lines.every(
      ({ lineId, quantity }) =>
        (lines.find((line) => line.lineId === lineId)?.cancelledQuantity ?? 0) >= quantity,
    );
  const mine = counted ? 0 : request.lines.reduce((sum, line) => sum + line.quantity, 0);
  return cancelled + mine < units;
};

export interface NextStepsOf {
  reader: Role;
  request: Pick<
    CancellationRequest,
    | "status"
    | "lines"
    | "itemsAmount"
    | "shippingAmount"
    | "sellerDeadline"
    | "marketplaceDeadline"
    | "marketplaceReview"
    | "refundRetryDeadline"
    | "refund"
    | "rejection"
  >;
  /** The order's lines and payment; without them (a queue that could not read the order) the
   * parcel goes unmentioned and only a refund says whether there is money to refund. With the
   * parcel's status, what to do with the parcel is said only while it is on its way. */
  order?:
    | { lines: Order["lines"]; paymentMethod: PaymentMethod; parcel?: ParcelStatus | undefined }
    | undefined;
  currency: Order["currency"];
  /** The language dates and amounts are written in. */
  locale: Language;
}

/** The sentences of "What happens next", in order. */
export const nextSteps = (
  { reader, request, order, currency, locale }: NextStepsOf,
  messages: Messages,
): string[] => {
  const words = messages.next;
  const { status, refund } = request;
  const at = (instant: string) => formatDateTime(instant, currency, locale);
  const amount = formatMoney(
    refund?.amount ?? request.itemsAmount + request.shippingAmount,
    refund?.currency ?? currency,
  );
  const method: RefundMethod | undefined =
    refund?.method ?? (order ? refundMethodOf(order.paymentMethod) : undefined);
  // Unknown method (no refund yet, no order): say the money is refunded, not where to.
  const moneyMethod: MoneyRefundMethod | undefined =
    method === "CASH_ON_DELIVERY" ? undefined : method;
  const cashOnDelivery = method === "CASH_ON_DELIVERY";
  const to = moneyMethod ? words.refundTo[moneyMethod] : words.refundToOriginal;
  const arrival =
    moneyMethod && refund?.expectedBy
      ? words.arrives[moneyMethod](
          words.when(
            formatDate(refund.expectedBy.earliest, locale),
            formatDate(refund.expectedBy.latest, locale),
          ),
        )
      : undefined;
  // Delivered, refused or back already: advice for a parcel on its way would mislead.
  const parcelMoved = order !== undefined && (order.parcel ?? "IN_TRANSIT") !== "IN_TRANSIT";
  const partial = order && !parcelMoved ? leavesUnits(order.lines, request) : undefined;
  const approved = ["REFUND_PENDING", "REFUND_FAILED", "COMPLETED"].includes(status);
  // A completed request whose refund failed after all (the card company reversed it), or whose
  // retry is on its way: the cancellation stands, the money does not yet.
  const refundOwed = status === "COMPLETED" && refund?.status === "FAILED";
  const refundingAgain = status === "COMPLETED" && refund?.status === "PENDING";
  const retryDeadline = request.refundRetryDeadline ? at(request.refundRetryDeadline) : null;
  const marketplaceDecides = status === "AWAITING_MARKETPLACE";
  const deciding = status === "REQUESTED" || status === "AWAITING_SELLER";
  const steps: (string | false | undefined)[] = [];

  if (reader === "buyer") {
    const w = words.buyer;
    const parcel = partial === undefined ? undefined : partial ? w.acceptParcel : w.refuseParcel;
    if (deciding) {
      steps.push(
        w.sellerAnswers(at(request.sellerDeadline)),
        cashOnDelivery ? w.thenRefuse : w.thenRefund(amount, to),
        w.mailAtEachStep,
      );
    } else if (marketplaceDecides) {
      steps.push(
        request.marketplaceReview === "POLICY"
          ? w.policyApproves
          : w.staffReview(request.marketplaceDeadline && at(request.marketplaceDeadline)),
        cashOnDelivery ? w.thenRefuse : w.onceApproved(amount, to),
        w.mailOutcome,
      );
    } else if (approved) {
      steps.push(
        cashOnDelivery
          ? w.nothingToRefund
          : refundOwed
            ? w.refundAgain(retryDeadline)
            : status === "COMPLETED" && !refundingAgain
              ? w.refunded(amount, to)
              : status === "REFUND_FAILED"
                ? w.refundDelayed
                : w.refunding(amount, to),
        !refundOwed && arrival,
        cashOnDelivery && !parcelMoved ? w.refuseParcel : parcel,
      );
    } else if (status === "REJECTED") {
      steps.push(w.rejected[request.rejection?.by ?? "MARKETPLACE"]);
    } else if (status === "RETURN_REQUIRED") {
      steps.push(w.returnRequired);
    } else if (status === "WITHDRAWN") {
      steps.push(w.withdrawn);
    }
  } else if (reader === "seller") {
    const w = words.seller;
    const parcel = parcelMoved
      ? undefined
      : cashOnDelivery || partial === false
        ? w.parcelComesBack
        : partial === true
          ? w.parcelGoesOn
          : undefined;
    if (deciding) {
      steps.push(
        w.decide(at(request.sellerDeadline)),
        cashOnDelivery ? w.nothingToRefund : w.ifYouApprove,
      );
    } else if (marketplaceDecides) {
      steps.push(
        request.marketplaceReview === "POLICY"
          ? w.policyApproves
          : w.staffReview(request.marketplaceDeadline && at(request.marketplaceDeadline)),
        cashOnDelivery ? w.nothingToRefund : w.marketplaceRefunds(amount),
        parcel,
      );
    } else if (approved) {
      steps.push(
        cashOnDelivery
          ? w.nothingToRefund
          : refundOwed || refundingAgain
            ? w.refundAgain
            : status === "COMPLETED"
              ? w.refunded(amount)
              : w.refunding(amount),
        parcel,
      );
    } else if (status === "REJECTED") {
      steps.push(w.rejected);
    } else if (status === "WITHDRAWN") {
      steps.push(w.withdrawn);
    } else if (status === "RETURN_REQUIRED") {
      steps.push(w.returnRequired);
    }
  } else {
    const w = words.operator;
    if (deciding) {
      steps.push(w.sellerAnswers(at(request.sellerDeadline)));
    } else if (marketplaceDecides) {
      steps.push(
        request.marketplaceReview === "POLICY"
          ? w.policyApproves
          : w.decide(request.marketplaceDeadline && at(request.marketplaceDeadline)),
        w.bothMailed,
      );
    } else if (status === "REFUND_PENDING") {
      steps.push(method && w.refunding(amount, messages.paymentMethods[method]), w.bothMailed);
    } else if (refundingAgain) {
      steps.push(method && w.refundingAgain(amount, messages.paymentMethods[method]));
    } else if (status === "REFUND_FAILED" || refundOwed) {
      steps.push(
        refundOwed && w.reversed,
        w.retry,
        retryDeadline !== null && w.systemActs(retryDeadline),
      );
    } else if (status === "COMPLETED") {
      steps.push(w.completed);
    } else {
      steps.push(w.closed);
    }
  }
  return steps.filter((step): step is string => typeof step === "string" && step !== "");
};

/** The sentences under a heading; nothing when there is nothing to say. */
export const NextSteps = (props: NextStepsOf & { headingId: string }) => {
  const messages = useMessages();
  const steps = nextSteps(props, messages);
  if (steps.length === 0) return null;
  return (
    <section class="next-steps" aria-labelledby={props.headingId}>
      <h3 id={props.headingId}>{messages.next.heading}</h3>
      {steps.map((step) => (
        <p key={step}>{step}</p>
      ))}
    </section>
  );
};
