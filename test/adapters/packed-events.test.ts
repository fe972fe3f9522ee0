// Packed events (packed-events.ts): what the holding item says already is left out and restored,
// and any events come back exactly as they went in.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packEvents, unpackEvents } from "../../functions/adapters/packed-events.ts";
import { eventIdOf, type TimelineEvent } from "../../functions/domain/published-events.ts";
import { REQUEST_STATUSES } from "../../functions/domain/types.ts";
import { TIMELINE_TYPES } from "../../functions/domain/view-schemas.ts";

const ORDER = "o-1001";
const REQUEST = "6f1f7a52-2f39-4b8e-9a55-0d8b5f1f3b7e";
const AT = "2026-12-02T03:27:18.427Z";

const event = (type: TimelineEvent["detailType"], position: number, extra = {}): TimelineEvent => ({
  detailType: type,
  detail: {
    eventId: eventIdOf(REQUEST, position),
    orderId: ORDER,
    requestId: REQUEST,
    status: "REFUND_PENDING",
    at: AT,
    actor: "system",
    ...extra,
  },
});

describe("packed events", () => {
  it("leaves out the order, the entry's request and its time, and restores them", () => {
    const events = [
      event("MARKETPLACE_APPROVED", 3, { actor: "policy" }),
      event("REFUND_INSTRUCTED", 4, {
        refund: {
          amount: 5480,
          currency: "JPY",
          method: "CARD",
          status: "PENDING",
          refundId: `rf-${REQUEST}`,
          expectedBy: { earliest: "2026-12-07", latest: "2026-12-16" },
        },
      }),
    ];
    const packed = packEvents(events, { requestId: REQUEST, at: AT });
    const unpacked = unpackEvents(packed, { orderId: ORDER, requestId: REQUEST, at: AT });
    expect(unpacked).toEqual(events);
    // Smaller than the same events with their request and time written out.
    expect(packed.length).toBeLessThan(packEvents(events).length);
    expect(packed.length).toBeLessThan(200);
    // Without the context that packed them, they cannot be read whole.
    expect(() => unpackEvents(packed, { orderId: ORDER })).toThrow(/incomplete/);
  });

  it("keeps a request and time that differ from the entry's", () => {
    const earlier = event("REQUESTED", 0, { at: "2026-12-02T03:27:17.000Z", status: "REQUESTED" });
    const packed = packEvents([earlier, event("SELLER_NOTIFIED", 1)], {
      requestId: REQUEST,
      at: AT,
    });
    expect(unpackEvents(packed, { orderId: ORDER, requestId: REQUEST, at: AT })[0]).toEqual(
      earlier,
    );
  });

  it("round-trips any events, with or without a context", () => {
    const arbitraryEvent = fc.record({
      detailType: fc.constantFrom(...TIMELINE_TYPES),
      detail: fc.record({
        requestId: fc.uuid(),
        position: fc.nat({ max: 40 }),
        status: fc.constantFrom(...REQUEST_STATUSES),
        at: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
        actor: fc.string({ minLength: 1, maxLength: 20 }),
      }),
    });
    fc.assert(
      fc.property(
        fc.array(arbitraryEvent, { maxLength: 12 }),
        fc.boolean(),
        (drawn, withContext) => {
          const events: TimelineEvent[] = drawn.map(({ detailType, detail }) => ({
            detailType,
            detail: {
              eventId: eventIdOf(detail.requestId, detail.position),
              orderId: ORDER,
              requestId: detail.requestId,
              status: detail.status,
              at: detail.at,
              actor: detail.actor,
            },
          }));
          const context =
            withContext && events[0]
              ? { requestId: events[0].detail.requestId, at: events[0].detail.at }
              : {};
          expect(unpackEvents(packEvents(events, context), { orderId: ORDER, ...context })).toEqual(
            events,
          );
        },
      ),
    );
  });

  it("refuses a format it does not know", () => {
    const packed = packEvents([event("COMPLETED", 6)]);
    packed[0] = 9;
    expect(() => unpackEvents(packed, { orderId: ORDER })).toThrow(/format 9/);
  });
});
