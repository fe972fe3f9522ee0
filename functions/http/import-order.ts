// POST /orders: system → validate → create at PLACED → 201; same id: identical → 200, else 409.
import { orders } from "../adapters/production.ts";
import { OrderExistsError } from "../app/errors.ts";
import { type Clock, type Orders, systemClock } from "../app/ports.ts";
import { chainUnchained } from "../domain/audit.ts";
import { type OrderImport, orderImportSchema } from "../domain/schemas.ts";
import type { Order, OrderRecord } from "../domain/types.ts";
import { publicOrder } from "./access.ts";
import { canonicalJson } from "./canonical.ts";
import { httpHandler } from "./middleware.ts";
import { HttpProblem } from "./problems.ts";
import { importOrderRoute } from "./routes.ts";

/** The fields of an import: the keys of its schema (built on first use, see schemas.ts). */
const importFields = (): (keyof OrderImport)[] =>
  Object.keys(orderImportSchema._zod.innerType.shape) as (keyof OrderImport)[];

/** The part of a stored order that came from its import. */
const importedFields = (order: Order): Partial<OrderImport> => ({
  ...Object.fromEntries(importFields().map((field) => [field, order[field]])),
  lines: order.lines.map(({ cancelledQuantity: _, ...line }) => line),
});

export const createHandler = httpHandler(
  importOrderRoute,
  { body: orderImportSchema },
  async ({ caller, body }, deps: { orders: Orders; clock: Clock }) => {
    const now = deps.clock.now();
    const record: OrderRecord = {
      order: {
        ...body,
        lines: body.lines.map((line) => ({ ...line, cancelledQuantity: 0 })),
        refundedAmount: 0,
        status: "PLACED",
        shipment: null,
        deliveredAt: null,
        activeCancellationRequestId: null,
        latestCancellationRequestId: null,
        importedAt: now,
        updatedAt: now,
        timeline: [{ at: now, type: "ORDER_IMPORTED", actor: caller.sub }],
      },
      requests: {},
    };
    chainUnchained(record, now);
    try {
      const created = await deps.orders.create(record);
      return {
        status: 201,
        body: publicOrder(created.record, now),
        headers: { location: `/orders/${encodeURIComponent(body.orderId)}` },
      };
    } catch (error) {
      if (!(error instanceof OrderExistsError)) throw error;
    }
    // Orders are never deleted, so the one that refused the create is there to compare with.
    const existing = await deps.orders.get(body.orderId);
    if (!existing) throw new Error("an existing order could not be read back");
    if (canonicalJson(importedFields(existing.record.order)) !== canonicalJson(body)) {
      throw new HttpProblem(
        "ORDER_CONFLICT",
        `order ${body.orderId} was already imported with other content`,
      );
    }
    return { status: 200, body: publicOrder(existing.record, now) };
  },
);

export const handler = createHandler(() => ({ orders: orders(), clock: systemClock }));
