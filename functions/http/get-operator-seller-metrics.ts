// GET /operator/sellers/{sellerId}/metrics: operator → the window → that seller's counters summed.
// A seller without counters (none yet, or no such seller) has zeros: there is no seller registry.
import { sellerCounters } from "../adapters/production.ts";
import { type Clock, type SellerCounters, systemClock } from "../app/ports.ts";
import { metricsQuery, sellerParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { getOperatorSellerMetricsRoute } from "./routes.ts";
import { sellerMetricsFor } from "./seller-metrics.ts";

export const createHandler = httpHandler(
  getOperatorSellerMetricsRoute,
  { params: sellerParams, query: metricsQuery },
  async ({ params, query }, deps: { counters: SellerCounters; clock: Clock }) => ({
    status: 200,
    body: await sellerMetricsFor(deps, params.sellerId, query),
  }),
);

export const handler = createHandler(() => ({ counters: sellerCounters(), clock: systemClock }));
