// GET /seller/cancellation-requests: seller → latest requests in ?status= (AWAITING_SELLER),
// summarized, soonest deadline first.
import { orderLists } from "../adapters/production.ts";
import type { OrderLists } from "../app/ports.ts";
import { queueQuery } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { listSellerCancellationRequestsRoute } from "./routes.ts";

export const createHandler = httpHandler(
  listSellerCancellationRequestsRoute,
  { query: queueQuery("AWAITING_SELLER") },
  async ({ caller, query }, deps: { lists: OrderLists }) => {
    const { status, ...page } = query;
    return { status: 200, body: await deps.lists.sellerQueue(caller.sub, status, page) };
  },
);

export const handler = createHandler(() => ({ lists: orderLists() }));
