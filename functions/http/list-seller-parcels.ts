// GET /seller/parcels: seller → own orders with cancelled units whose parcel is not yet back, in
// ?status= (every such status without it), the longest out first (one Query per status).
import { orderLists } from "../adapters/production.ts";
import type { OrderLists } from "../app/ports.ts";
import { OUT_PARCEL_STATUSES } from "../domain/parcel-views.ts";
import { parcelsQuery } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { listSellerParcelsRoute } from "./routes.ts";

export const createHandler = httpHandler(
  listSellerParcelsRoute,
  { query: parcelsQuery },
  async ({ caller, query }, deps: { lists: OrderLists }) => {
    const { status, ...page } = query;
    const statuses = status === undefined ? OUT_PARCEL_STATUSES : [status];
    return { status: 200, body: await deps.lists.sellerParcels(caller.sub, statuses, page) };
  },
);

export const handler = createHandler(() => ({ lists: orderLists() }));
