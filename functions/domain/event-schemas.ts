// The zod schema of the domain events as EventBridge delivers them (published-events.ts builds
// them), for the JSON Schema integrators get (docs/events/cancellation-event.schema.json, written
// by `npm run openapi`) and the tests that check a published event against it. Functions never
// import this module.
import type { TimelineEvent } from "./published-events.ts";
import { EVENT_SOURCE } from "./published-events.ts";
import { CURRENCIES } from "./schemas.ts";
import { FAULTS, INITIATORS, PARCEL_STATUSES, REQUEST_STATUSES, RETURN_STATUSES } from "./types.ts";
import { TIMELINE_TYPES } from "./view-schemas.ts";
import * as z from "./zod.ts";

/**
 * The timeline types published: a request's, and the order's own parcel entries (published with
 * the latest request's id). The order's import, shipment, delivery and cancellation are not.
 */
export const REQUEST_EVENT_TYPES = TIMELINE_TYPES.filter(
  (type) => !["ORDER_IMPORTED", "SHIPPED", "DELIVERED", "CANCELLED"].includes(type),
);

// Loose objects: a consumer validating with this schema keeps working when fields are added
// (EventBridge adds `replay-name` to replayed events; the service may add detail fields).
export const eventRefundSchema = z.looseObject({
  amount: z.int(),
  currency: z.enum(CURRENCIES),
  method: z.enum(["CARD", "GIFT_CARD", "POINTS", "CASH_ON_DELIVERY"]),
  status: z.enum(["PENDING", "SUCCEEDED", "FAILED", "NOT_REQUIRED"]),
  refundId: z.nullable(z.string()),
  expectedBy: z.nullable(z.strictObject({ earliest: z.iso.date(), latest: z.iso.date() })),
});

export const eventLineSchema = z.looseObject({
  lineId: z.string().check(z.describe("A line of the order (`lines[].lineId` on import).")),
  quantity: z.int().check(z.describe("Units of that line the request cancels.")),
  amount: z.int().check(z.describe("What the request refunds for them, in minor units.")),
});

export const eventDetailSchema = z.looseObject({
  eventId: z
    .string()
    .check(
      z.describe(
        "Stable per timeline entry (`<requestId>.<position>`; the order's parcel entries " +
          "`<orderId>.order.<position>`): drop repeats by it.",
      ),
    ),
  orderId: z.string(),
  requestId: z.string(),
  status: z.enum(REQUEST_STATUSES).check(z.describe("The request's status after the change.")),
  initiator: z
    .enum(INITIATORS)
    .check(z.describe("Who asked for the cancellation: the buyer (BUYER).")),
  fault: z
    .nullable(z.enum(FAULTS))
    .check(
      z.describe(
        "Whose fault the cancellation was, once `status` is terminal (null before): NONE for a " +
          "buyer's change of mind, SELLER (DELIVERY_TOO_SLOW and shipped after the order's " +
          "shipBy) or CARRIER (DELIVERY_TOO_SLOW otherwise).",
      ),
    ),
  at: z.iso.datetime(),
  actor: z.string().check(z.describe("A user id, `system` or `policy`.")),
  lines: z
    .array(eventLineSchema)
    .check(
      z.describe("The lines the request cancels, in the order's line order (a whole order: all)."),
    ),
  itemsAmount: z
    .int()
    .check(z.describe("What the request refunds for the items: the sum of the lines' amounts.")),
  shippingAmount: z
    .int()
    .check(z.describe("What the request refunds for shipping (`refund.amount` adds both).")),
  refund: z.optional(eventRefundSchema),
  parcel: z.optional(
    z
      .looseObject({ status: z.enum(PARCEL_STATUSES), updatedAt: z.iso.datetime() })
      .check(
        z.describe("On the parcel's events: where the parcel is now (SPEC: the order's parcel)."),
      ),
  ),
  return: z.optional(
    z
      .nullable(
        z.looseObject({
          status: z.enum(RETURN_STATUSES),
          lines: z.array(z.looseObject({ lineId: z.string(), quantity: z.int() })),
          dueBy: z.iso.datetime(),
          openedAt: z.iso.datetime(),
          closedAt: z.nullable(z.iso.datetime()),
        }),
      )
      .check(
        z.describe(
          "On the parcel's events: the return of cancelled units the buyer took anyway, if any.",
        ),
      ),
  ),
});

/** The event as a rule's target receives it: EventBridge's envelope around the detail. */
export const cancellationEventSchema = z.looseObject({
  version: z.optional(z.string()),
  id: z.optional(z.string()),
  source: z.literal(EVENT_SOURCE),
  "detail-type": z.enum(REQUEST_EVENT_TYPES as [string, ...string[]]),
  account: z.optional(z.string()),
  time: z.optional(z.iso.datetime()),
  region: z.optional(z.string()),
  resources: z.optional(z.array(z.string())),
  detail: eventDetailSchema,
});

/** Where the JSON Schema is committed. */
export const EVENT_SCHEMA_FILE = "docs/events/cancellation-event.schema.json";

/** The JSON Schema document of the events, as `npm run openapi` writes it. */
export const renderEventSchema = (): string => {
  const schema = z.toJSONSchema(cancellationEventSchema, { target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = schema;
  const document = {
    $schema,
    $id: "cancellation-event.schema.json",
    title: "Post-shipment cancellation domain event",
    description:
      "One change in a cancellation request's timeline, published to the service's EventBridge bus (docs/events.md).",
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
};

// Compile-time agreement of the detail schema and what the service publishes (the same fields;
// the tests check published events against the JSON Schema).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(_: T) => undefined;
type Detail = TimelineEvent["detail"];
agree<Same<keyof typeof eventDetailSchema.shape, keyof Detail>>(true);
agree<Same<keyof typeof eventRefundSchema.shape, keyof NonNullable<Detail["refund"]>>>(true);
agree<Same<keyof typeof eventLineSchema.shape, keyof Detail["lines"][number]>>(true);
