// GET /operator/cancellation-requests: operator → requests in ?status= (AWAITING_MARKETPLACE),
// summarized, soonest deadline first.
import { orderLists } from "../adapters/production.ts";
import type { OrderLists } from "../app/ports.ts";
import { queueQuery } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { listOperatorCancellationRequestsRoute } from "./routes.ts";

export const createHandler = httpHandler(
  listOperatorCancellationRequestsRoute,
  { query: queueQuery("AWAITING_MARKETPLACE") },
  async ({ query }, deps: { lists: OrderLists }) => {
    const { status, ...page } = query;
    return { status: 200, body: await deps.lists.operatorQueue(status, page) };
  },
);

export const handler = createHandler(() => ({ lists: orderLists() }));
