// What both metrics routes answer for one seller: the window the query asks for (400 when it is
// not one), then the seller's counters of its days, summed (domain/seller-metrics.ts).
import type { SellerCounters } from "../app/ports.ts";
import { metricsWindow, type SellerMetrics, sellerMetricsOf } from "../domain/seller-metrics.ts";
import { validationFailed } from "./problems.ts";

export interface MetricsDeps {
  counters: SellerCounters;
  clock: { now(): string };
}

export const sellerMetricsFor = async (
  deps: MetricsDeps,
  sellerId: string,
  query: { from?: string | undefined; to?: string | undefined },
): Promise<SellerMetrics> => {
  const window = metricsWindow(query, deps.clock.now());
  if ("path" in window) {
    throw validationFailed(`query.${window.path} ${window.message}`, [
      { path: `query.${window.path}`, message: window.message },
    ]);
  }
  return sellerMetricsOf(window, await deps.counters.days(sellerId, window.from, window.to));
};
