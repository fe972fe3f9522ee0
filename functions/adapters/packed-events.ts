// A change's domain events packed into one small binary value for the outbox item that carries
// them (or the order item that holds them): events repeat their JSON's skeleton and most of their
// values (ids, statuses, the refund), so 350-700 bytes of JSON pack to about 150, and the mail
// that carries them mostly stays within the 1 KB a write unit buys.
//
// Format (first byte): 1 = raw DEFLATE (node:zlib, level 9) of the events' JSON with
// EVENTS_DICTIONARY_V1 as its preset dictionary. Frozen: items in flight are decoded with the
// dictionary they were written with; a new dictionary needs a new format byte.
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { eventIdOf, type TimelineEvent } from "../domain/published-events.ts";

const FORMAT_DEFLATE_V1 = 1;

/** Format 1's preset dictionary: the events' recurring strings, the likeliest last. Frozen. */
const EVENTS_DICTIONARY_V1 = Buffer.from(
  [
    "SELLER_REMINDED SELLER_TIMED_OUT MARKETPLACE_REJECTED REFUND_RETRIED RETURN_REQUIRED",
    "WITHDRAWN SELLER_REJECTED REFUND_FAILED AWAITING_SELLER AWAITING_MARKETPLACE",
    '"currency":"USD","method":"GIFT_CARD","method":"POINTS","method":"CASH_ON_DELIVERY"',
    '"status":"NOT_REQUIRED","status":"FAILED","expectedBy":null,"refundId":null,',
    '{"detailType":"SELLER_NOTIFIED","position":1,"requestId":"',
    '{"detailType":"SELLER_APPROVED","position":2,"requestId":"',
    '{"detailType":"MARKETPLACE_APPROVED","position":3,"requestId":"',
    '{"detailType":"REFUND_INSTRUCTED","position":4,"requestId":"',
    '{"detailType":"REFUND_SUCCEEDED","position":5,"requestId":"',
    '[{"detailType":"REQUESTED","position":0,"requestId":"',
    '","status":"REQUESTED","status":"REFUND_PENDING","status":"COMPLETED","at":"2026-',
    '","actor":"policy","actor":"seller-","actor":"buyer-","actor":"system"',
    ',"refund":{"amount":',
    ',"currency":"JPY","method":"CARD","status":"PENDING","status":"SUCCEEDED","refundId":"rf-',
    '","expectedBy":{"earliest":"2026-',
    '","latest":"2026-',
    '"}}},{"detailType":"COMPLETED","position":6,"requestId":"',
  ].join(""),
  "utf8",
);

/**
 * What the item that holds the events says already: its order id always, and for an outbox entry
 * its request and the time it was written (a change's own events share both).
 */
export interface PackingContext {
  orderId: string;
  requestId?: string;
  at?: string;
}

/** An event as packed: what the context says is left out, its id is its position in the timeline. */
type PackedEvent = Partial<Omit<TimelineEvent["detail"], "orderId" | "eventId">> & {
  detailType: TimelineEvent["detailType"];
  position: number;
};

export const packEvents = (
  events: readonly TimelineEvent[],
  context: Omit<PackingContext, "orderId"> = {},
): Uint8Array => {
  const compact = events.map(({ detailType, detail }): PackedEvent => {
    const { orderId: _orderId, eventId, requestId, at, ...rest } = detail;
    return {
      detailType,
      position: positionOf(eventId),
      ...(requestId === context.requestId ? {} : { requestId }),
      ...(at === context.at ? {} : { at }),
      ...rest,
    };
  });
  const packed = deflateRawSync(JSON.stringify(compact), {
    level: 9,
    dictionary: EVENTS_DICTIONARY_V1,
  });
  return Buffer.concat([Buffer.of(FORMAT_DEFLATE_V1), packed]);
};

export const unpackEvents = (value: Uint8Array, context: PackingContext): TimelineEvent[] => {
  const format = value[0];
  if (format !== FORMAT_DEFLATE_V1) throw new Error(`unknown packed events format ${format}`);
  const json = inflateRawSync(value.subarray(1), { dictionary: EVENTS_DICTIONARY_V1 });
  const compact = JSON.parse(json.toString("utf8")) as PackedEvent[];
  return compact.map(({ detailType, position, requestId, at, status, actor, refund }) => {
    const request = requestId ?? context.requestId;
    const time = at ?? context.at;
    if (request === undefined || time === undefined || status === undefined || !actor) {
      throw new Error(`packed event ${detailType} ${position} is incomplete`);
    }
    return {
      detailType,
      detail: {
        eventId: eventIdOf(request, position),
        orderId: context.orderId,
        requestId: request,
        status,
        at: time,
        actor,
        ...(refund ? { refund } : {}),
      },
    };
  });
};

const positionOf = (eventId: string): number => Number(eventId.slice(eventId.lastIndexOf(".") + 1));
