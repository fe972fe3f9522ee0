// A queue page as clients see it: each order's latest request (the queues are keyed by it).
import type { OrderPage } from "../adapters/order-store.ts";
import { latestRequest } from "../domain/requests.ts";
import { type PublicCancellationRequest, toPublicRequest } from "../domain/views.ts";

export const requestPage = (
  page: OrderPage,
): { items: PublicCancellationRequest[]; nextCursor: string | null } => ({
  items: page.items.flatMap((record) => {
    const latest = latestRequest(record);
    return latest ? [toPublicRequest(latest)] : [];
  }),
  nextCursor: page.nextCursor,
});
