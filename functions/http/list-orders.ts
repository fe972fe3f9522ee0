// GET /orders: buyer → one page of their own orders (BuyerOrders index), newest first.
import { orderLists } from "../adapters/production.ts";
import { type Clock, type OrderLists, systemClock } from "../app/ports.ts";
import { publicOrderSummary } from "./access.ts";
import { pageQuery } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { listOrdersRoute } from "./routes.ts";

export const createHandler = httpHandler(
  listOrdersRoute,
  { query: pageQuery },
  async ({ caller, query }, deps: { lists: OrderLists; clock: Clock }) => {
    const page = await deps.lists.buyerOrders(caller.sub, query);
    const now = deps.clock.now();
    return {
      status: 200,
      body: {
        items: page.items.map((summary) => publicOrderSummary(summary, now)),
        nextCursor: page.nextCursor,
      },
    };
  },
);

export const handler = createHandler(() => ({ lists: orderLists(), clock: systemClock }));
