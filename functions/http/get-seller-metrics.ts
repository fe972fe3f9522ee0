// GET /seller/metrics: seller → the window (?from=&to=, Asia/Tokyo days) → own counters summed.
import { sellerCounters } from "../adapters/production.ts";
import { type Clock, type SellerCounters, systemClock } from "../app/ports.ts";
import { metricsQuery } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { getSellerMetricsRoute } from "./routes.ts";
import { sellerMetricsFor } from "./seller-metrics.ts";

export const createHandler = httpHandler(
  getSellerMetricsRoute,
  { query: metricsQuery },
  async ({ caller, query }, deps: { counters: SellerCounters; clock: Clock }) => ({
    status: 200,
    body: await sellerMetricsFor(deps, caller.sub, query),
  }),
);

export const handler = createHandler(() => ({ counters: sellerCounters(), clock: systemClock }));
