// The parcel after a cancellation, on an order's page (SPEC "The parcel after a cancellation"):
// where the parcel is and since when, the carrier's entries of the order's timeline, and the
// return of cancelled units the buyer took anyway (the units, the date they are due, its status
// and, for the buyer while it is owed, what to do). Times in the zone of the order's currency.
import { formatDateTime } from "../../../functions/notifications/format.ts";
import type { Order } from "../api.ts";
import { useMessages } from "../i18n.ts";
import type { Language, Role, TimelineType } from "../messages/types.ts";

/** The order's timeline entries the parcel's moves wrote (types.ts PARCEL_TIMELINE_TYPES). */
const PARCEL_ENTRIES: readonly TimelineType[] = [
  "DELIVERY_REFUSED",
  "RETURNING_TO_SENDER",
  "RETURNED_TO_SENDER",
  "DELIVERED_AFTER_CANCELLATION",
  "RETURN_RECEIVED",
  "RETURN_OVERDUE",
];

/** The parcel's status and since when, as terms of the shipment's facts. */
export const ParcelFacts = ({ order, locale }: { order: Order; locale: Language }) => {
  const messages = useMessages();
  const { parcel } = order;
  if (!parcel) return null;
  return (
    <>
      <dt>{messages.parcel.status}</dt>
      <dd>{messages.parcelStatus[parcel.status]}</dd>
      <dt>{messages.parcel.since}</dt>
      <dd>
        <time dateTime={parcel.updatedAt}>
          {formatDateTime(parcel.updatedAt, order.currency, locale)}
        </time>
      </dd>
    </>
  );
};

/** The carrier's news of the parcel after a cancellation, from the order's timeline. */
export const ParcelHistory = ({
  order,
  locale,
  reader,
}: {
  order: Order;
  locale: Language;
  reader: Role;
}) => {
  const messages = useMessages();
  const entries = order.timeline.filter((entry) => PARCEL_ENTRIES.includes(entry.type));
  if (entries.length === 0) return null;
  return (
    <>
      <h3 id="parcel-history-heading">{messages.parcel.history}</h3>
      <ol class="timeline" aria-labelledby="parcel-history-heading">
        {entries.map((entry, index) => (
          <li key={`${entry.at}-${entry.type}-${index}`}>
            <time dateTime={entry.at}>{formatDateTime(entry.at, order.currency, locale)}</time>{" "}
            <span>
              {(reader === "operator" ? undefined : messages.timelineFor[reader][entry.type]) ??
                messages.timelineTypes[entry.type]}
            </span>
          </li>
        ))}
      </ol>
    </>
  );
};

/** The return the order owes, if one was opened: a region of its own, as the buyer must act. */
export const OrderReturnView = ({
  order,
  locale,
  reader,
}: {
  order: Order;
  locale: Language;
  reader: Role;
}) => {
  const messages = useMessages();
  const words = messages.orderReturn;
  const owed = order.return;
  if (!owed) return null;
  const titleOf = (lineId: string) =>
    order.lines.find((line) => line.lineId === lineId)?.title ?? lineId;
  const dueBy = formatDateTime(owed.dueBy, order.currency, locale);
  const open = owed.status !== "RECEIVED";
  const units = new Intl.ListFormat(locale, { type: "conjunction" }).format(
    owed.lines.map((line) => words.unit(titleOf(line.lineId), line.quantity)),
  );
  const carrier = order.shipment?.carrierName[messages.language] ?? "";
  return (
    <section class="panel" aria-labelledby="order-return-heading">
      <h2 id="order-return-heading">{words.heading}</h2>
      {open && reader === "buyer" && (
        <div class="caution">
          <p>{words.buyerTodo(units, carrier, dueBy)}</p>
          {owed.status === "OVERDUE" && <p>{words.buyerOverdue}</p>}
        </div>
      )}
      <dl class="facts">
        <dt>{words.status}</dt>
        <dd>{messages.returnStatus[owed.status]}</dd>
        <dt>{words.units}</dt>
        <dd>
          <ul class="lines">
            {owed.lines.map((line) => (
              <li key={line.lineId}>
                <span class="line-title">{titleOf(line.lineId)}</span>{" "}
                <span>{messages.order.quantity(line.quantity)}</span>
              </li>
            ))}
          </ul>
        </dd>
        <dt>{words.dueBy}</dt>
        <dd>
          <time dateTime={owed.dueBy}>{dueBy}</time>
        </dd>
        {owed.closedAt && (
          <>
            <dt>{words.receivedAt}</dt>
            <dd>
              <time dateTime={owed.closedAt}>
                {formatDateTime(owed.closedAt, order.currency, locale)}
              </time>
            </dd>
          </>
        )}
      </dl>
      {open && reader !== "buyer" && (
        <p>{owed.status === "OVERDUE" ? words.staffOverdue : words.staffWaiting}</p>
      )}
    </section>
  );
};
