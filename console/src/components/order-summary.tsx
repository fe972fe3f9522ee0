// An order as its people read it: items (with the units cancellations took), amounts, what was
// refunded, dates (in its currency's zone), shipment (the carrier by name, in the page's
// language) and where the parcel is, the order's status in words and, for its buyer, what they
// can do now; then the return of cancelled units the buyer took anyway, when one is owed.

import { formatDateTime, formatMoney } from "../../../functions/notifications/format.ts";
import type { Order } from "../api.ts";
import { useMessages } from "../i18n.ts";
import type { Language, Messages, Role } from "../messages/types.ts";
import { OrderReturnView, ParcelFacts, ParcelHistory } from "./parcel.tsx";

/** The buyer's options in words: `{ kind, reason }` of the order's cancellationOption, and whether
 * what is cancellable is only the rest of a partly cancelled order. */
export const optionWords = (
  order: Pick<Order, "cancellationOption" | "lines">,
  messages: Messages,
): string => {
  const words = messages.cancellationOption;
  const option = order.cancellationOption;
  const partly = order.lines.some((line) => line.cancelledQuantity > 0);
  if (option.kind === "CANCEL" && option.reason === "IN_TRANSIT" && partly) return words.cancelRest;
  const byKind = option.kind === "NONE" ? undefined : words[option.kind][option.reason];
  return byKind ?? words.fallback[option.reason];
};

export const OrderSummary = ({
  order,
  locale,
  showOption,
  showParties = false,
  reader = "operator",
}: {
  order: Order;
  /** The language dates are written in. */
  locale: Language;
  showOption: boolean;
  showParties?: boolean;
  /** Who reads it: the parcel's entries and the return are worded for them. */
  reader?: Role;
}) => {
  const messages = useMessages();
  const words = messages.order;
  const money = (amount: number) => formatMoney(amount, order.currency);
  return (
    <>
      <section class="panel" aria-labelledby="order-summary-heading">
        <h2 id="order-summary-heading">{words.summary}</h2>
        <dl class="facts">
          <dt>{words.status}</dt>
          <dd>{messages.orderStatus[order.status]}</dd>
          {showOption && (
            <>
              <dt>{words.whatYouCanDo}</dt>
              <dd>{optionWords(order, messages)}</dd>
            </>
          )}
          <dt>{words.placedAt}</dt>
          <dd>
            <time dateTime={order.placedAt}>
              {formatDateTime(order.placedAt, order.currency, locale)}
            </time>
          </dd>
          {showParties && (
            <>
              <dt>{words.buyer}</dt>
              <dd>{order.buyerId}</dd>
              <dt>{words.seller}</dt>
              <dd>{order.sellerId}</dd>
            </>
          )}
        </dl>
        <h3>{words.items}</h3>
        <ul class="lines">
          {order.lines.map((line) => (
            <li key={line.lineId}>
              <span class="line-title">{line.title}</span>{" "}
              <span>{words.quantity(line.quantity)}</span>{" "}
              <span class="amount">{money(line.unitPrice * line.quantity)}</span>
              {line.cancelledQuantity > 0 && (
                <>
                  {" "}
                  <span class="cancelled">
                    {words.cancelledOf(line.cancelledQuantity, line.quantity)}
                  </span>
                </>
              )}
            </li>
          ))}
        </ul>
        <dl class="facts">
          <dt>{words.shippingFee}</dt>
          <dd class="amount">{money(order.shippingFee)}</dd>
          <dt>{words.paid}</dt>
          <dd class="amount">{money(order.payment.paidAmount)}</dd>
          {order.refundedAmount > 0 && (
            <>
              <dt>{words.refunded}</dt>
              <dd class="amount">{money(order.refundedAmount)}</dd>
            </>
          )}
          <dt>{words.paymentMethod}</dt>
          <dd>{messages.paymentMethods[order.payment.method]}</dd>
        </dl>
        <h3>{words.shipment}</h3>
        {order.shipment ? (
          <dl class="facts">
            <dt>{words.carrier}</dt>
            <dd>{order.shipment.carrierName[messages.language]}</dd>
            <dt>{words.trackingNumber}</dt>
            <dd>{order.shipment.trackingNumber}</dd>
            <dt>{words.shippedAt}</dt>
            <dd>
              <time dateTime={order.shipment.shippedAt}>
                {formatDateTime(order.shipment.shippedAt, order.currency, locale)}
              </time>
            </dd>
            {order.deliveredAt && (
              <>
                <dt>{words.deliveredAt}</dt>
                <dd>
                  <time dateTime={order.deliveredAt}>
                    {formatDateTime(order.deliveredAt, order.currency, locale)}
                  </time>
                </dd>
              </>
            )}
            <ParcelFacts order={order} locale={locale} />
          </dl>
        ) : (
          <p>{words.notShipped}</p>
        )}
        <ParcelHistory order={order} locale={locale} reader={reader} />
      </section>
      <OrderReturnView order={order} locale={locale} reader={reader} />
    </>
  );
};
