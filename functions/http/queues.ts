// A queue page as clients see it: each order's latest request (the queues are keyed by it), as the
// queue index holds it, its fields put back in SPEC's order.
import type { RequestPage } from "../adapters/order-store.ts";
import { type PublicCancellationRequest, toPublicRequest } from "../domain/views.ts";

export const requestPage = (
  page: RequestPage,
): { items: PublicCancellationRequest[]; nextCursor: string | null } => ({
  items: page.items.map(toPublicRequest),
  nextCursor: page.nextCursor,
});
