// The seller's parcels (GET /seller/parcels): their orders with cancelled units whose parcel is
// not yet back with them, optionally of one status. Each names its order (a link to the order's
// page, with its latest request), the carrier and tracking number to follow it, the cancelled
// units, where the parcel is and since when, and the date a return is due when the buyer took the
// parcel anyway.
import { useState } from "preact/hooks";
import { formatDateTime } from "../../../functions/notifications/format.ts";
import { outcome } from "../api.ts";
import type { components } from "../api-schema.ts";
import { useApp } from "../app-context.ts";
import { PagedCards, usePagedCards } from "../components/paged-cards.tsx";
import { useMessages } from "../i18n.ts";
import { href } from "../router.ts";

type ParcelItem = components["schemas"]["ParcelSummary"];
type OutStatus = ParcelItem["parcel"]["status"];

/** The filter's statuses, in the parcel's own order (the list has no RETURNED parcel). */
const STATUSES: readonly OutStatus[] = ["IN_TRANSIT", "REFUSED", "RETURNING", "DELIVERED"];
const PAGE_SIZE = 50;

const ParcelCard = ({ item }: { item: ParcelItem }) => {
  const messages = useMessages();
  const words = messages.parcels;
  const locale = messages.language;
  // In the order's zone, as the request queues show their deadlines.
  const when = (instant: string) => formatDateTime(instant, item.currency, locale);
  const requestId = item.latestCancellationRequestId;
  return (
    <li class="card">
      <h2 class="card-title">
        {words.order}{" "}
        {requestId ? (
          <a href={href(`/requests/${item.orderId}/${requestId}`)}>{item.orderId}</a>
        ) : (
          item.orderId
        )}
      </h2>
      <dl class="facts">
        <dt>{words.status}</dt>
        <dd>{messages.parcelStatus[item.parcel.status]}</dd>
        <dt>{words.since}</dt>
        <dd>
          <time dateTime={item.parcel.updatedAt}>{when(item.parcel.updatedAt)}</time>
        </dd>
        <dt>{words.carrier}</dt>
        <dd>{item.shipment.carrierName[locale]}</dd>
        <dt>{words.trackingNumber}</dt>
        <dd>{item.shipment.trackingNumber}</dd>
        <dt>{words.units}</dt>
        <dd>
          <ul class="lines">
            {item.lines.map((line) => (
              <li key={line.lineId}>
                <span class="line-title">{line.title}</span>{" "}
                <span>{messages.order.quantity(line.quantity)}</span>
              </li>
            ))}
            {item.moreLines > 0 && <li>{messages.queue.moreLines(item.moreLines)}</li>}
          </ul>
        </dd>
        {item.return && (
          <>
            <dt>{words.returnDue}</dt>
            <dd>
              <time dateTime={item.return.dueBy}>{when(item.return.dueBy)}</time>
            </dd>
            <dt>{messages.orderReturn.status}</dt>
            <dd>{messages.returnStatus[item.return.status]}</dd>
          </>
        )}
      </dl>
    </li>
  );
};

export const ParcelsPage = () => {
  const { api } = useApp();
  const messages = useMessages();
  const words = messages.parcels;
  const [status, setStatus] = useState<OutStatus | "">("");
  const paged = usePagedCards<ParcelItem, never>(
    (cursor?: string) =>
      outcome(
        api.GET("/seller/parcels", {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(status ? { status } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    [api, status],
    (item) => item.orderId,
  );
  const filter = (
    <div class="field">
      <label for="parcels-status">{words.filter}</label>
      <select
        id="parcels-status"
        value={status}
        onChange={(event) => setStatus(event.currentTarget.value as OutStatus | "")}
      >
        <option value="">{words.all}</option>
        {STATUSES.map((option) => (
          <option key={option} value={option}>
            {messages.parcelStatus[option]}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <PagedCards
      heading={words.heading}
      intro={words.intro}
      controls={filter}
      paged={paged}
      words={{
        reload: words.reload,
        listLabel: words.listLabel,
        empty: status ? words.emptyFiltered(messages.parcelStatus[status]) : words.empty,
      }}
    >
      {(item) => <ParcelCard key={item.orderId} item={item} />}
    </PagedCards>
  );
};
