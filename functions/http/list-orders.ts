// GET /orders: buyer → one page of their own orders (BuyerOrders index), newest first.
import { defaultDeps } from "../app/deps.ts";
import { publicOrderSummary } from "./access.ts";
import { pageQuery } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";

export const createHandler = httpHandler(
  "ListOrders",
  { query: pageQuery },
  async ({ caller, query }, deps) => {
    const page = await deps.store.listBuyerOrders(caller.sub, query);
    return {
      status: 200,
      body: {
        items: page.items.map((summary) => publicOrderSummary(summary, deps)),
        nextCursor: page.nextCursor,
      },
    };
  },
);

export const handler = createHandler(defaultDeps);
