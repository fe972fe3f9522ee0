// GET /operator/refund-inquiries: operator → the open refund inquiries, the longest waiting
// first, each with the refund's provider, ids and reference (one Query of the sparse index).
import { orderLists } from "../adapters/production.ts";
import type { OrderLists } from "../app/ports.ts";
import { pageQuery } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { listRefundInquiriesRoute } from "./routes.ts";

export const createHandler = httpHandler(
  listRefundInquiriesRoute,
  { query: pageQuery },
  async ({ query }, deps: { lists: OrderLists }) => ({
    status: 200,
    body: await deps.lists.refundInquiries(query),
  }),
);

export const handler = createHandler(() => ({ lists: orderLists() }));
