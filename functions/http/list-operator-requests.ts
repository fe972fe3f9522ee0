// GET /operator/cancellation-requests: operator → requests in ?status= (AWAITING_MARKETPLACE).
import { defaultDeps } from "../app/deps.ts";
import { queueQuery } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { requestPage } from "./queues.ts";

export const createHandler = httpHandler(
  "ListOperatorCancellationRequests",
  { query: queueQuery("AWAITING_MARKETPLACE") },
  async ({ query }, deps) => {
    const { status, ...page } = query;
    const orders = await deps.store.listOperatorQueue(status, page);
    return { status: 200, body: requestPage(orders) };
  },
);

export const handler = createHandler(defaultDeps);
