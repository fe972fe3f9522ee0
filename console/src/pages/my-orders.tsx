// The buyer's orders, newest first: a link per order (named by its id) with what it is, what was
// paid and refunded, its status and what the buyer can do now, in words.
import { useState } from "preact/hooks";
import { formatDateTime, formatMoney } from "../../../functions/notifications/format.ts";
import { type Failure, type Order, outcome } from "../api.ts";
import { useApp } from "../app-context.ts";
import { FailureAlert, Loading } from "../components/alerts.tsx";
import { optionWords } from "../components/order-summary.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { useMessages } from "../i18n.ts";
import { useLoad } from "../load.ts";
import { href } from "../router.ts";

const PAGE_SIZE = 20;

export const MyOrdersPage = () => {
  const { api } = useApp();
  const messages = useMessages();
  const words = messages.orders;
  const [loaded] = useLoad(
    () => outcome(api.GET("/orders", { params: { query: { limit: PAGE_SIZE } } })),
    [api],
  );
  const [more, setMore] = useState<Order[]>([]);
  const [cursor, setCursor] = useState<string | null>();
  const [moreFailure, setMoreFailure] = useState<Failure>();

  const nextCursor =
    cursor === undefined && loaded.state === "ok" ? loaded.data.nextCursor : cursor;
  const showMore = async () => {
    if (!nextCursor) return;
    const result = await outcome(
      api.GET("/orders", { params: { query: { limit: PAGE_SIZE, cursor: nextCursor } } }),
    );
    if (!result.ok) return setMoreFailure(result.failure);
    setMoreFailure(undefined);
    setMore((shown) => [...shown, ...result.data.items]);
    setCursor(result.data.nextCursor);
  };

  const orders = loaded.state === "ok" ? [...loaded.data.items, ...more] : [];
  return (
    <>
      <PageHeading title={words.heading} />
      {loaded.state === "loading" && <Loading />}
      {loaded.state === "failed" && <FailureAlert failure={loaded.failure} />}
      {loaded.state === "ok" && orders.length === 0 && <p>{words.empty}</p>}
      {orders.length > 0 && (
        <ul class="cards" aria-label={words.listLabel}>
          {orders.map((order) => (
            <li key={order.orderId} class="card">
              <h2 class="card-title">
                <a href={href(`/orders/${order.orderId}`)}>{order.orderId}</a>
              </h2>
              <p class="card-lines">{order.lines.map((line) => line.title).join("、")}</p>
              <dl class="facts">
                <dt>{words.placedAt}</dt>
                <dd>{formatDateTime(order.placedAt, order.currency, order.locale)}</dd>
                <dt>{words.total}</dt>
                <dd class="amount">{formatMoney(order.payment.paidAmount, order.currency)}</dd>
                {order.refundedAmount > 0 && (
                  <>
                    <dt>{messages.order.refunded}</dt>
                    <dd class="amount">{formatMoney(order.refundedAmount, order.currency)}</dd>
                  </>
                )}
                <dt>{words.status}</dt>
                <dd>{messages.orderStatus[order.status]}</dd>
                <dt>{words.whatYouCanDo}</dt>
                <dd>{optionWords(order, messages)}</dd>
              </dl>
            </li>
          ))}
        </ul>
      )}
      {moreFailure && <FailureAlert failure={moreFailure} />}
      {nextCursor && (
        <button type="button" onClick={() => void showMore()}>
          {words.more}
        </button>
      )}
    </>
  );
};
