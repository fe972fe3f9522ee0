// GET /seller/cancellation-requests: seller → latest requests in ?status= (AWAITING_SELLER) → page.
import { defaultDeps } from "../app/deps.ts";
import { queueQuery } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { requestPage } from "./queues.ts";

export const createHandler = httpHandler(
  "ListSellerCancellationRequests",
  { query: queueQuery("AWAITING_SELLER") },
  async ({ caller, query }, deps) => {
    const { status, ...page } = query;
    const orders = await deps.store.listSellerQueue(caller.sub, status, page);
    return { status: 200, body: requestPage(orders) };
  },
);

export const handler = createHandler(defaultDeps);
