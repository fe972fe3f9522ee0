// POST .../{requestId}/refund-inquiry: its buyer, once the refund's promised date is over on a
// COMPLETED request → OPEN_REFUND_INQUIRY → 202 with the request (operators are mailed the case
// by the request's execution, which the reconciler wakes or starts).
import { basics, orders } from "../adapters/production.ts";
import { type ChangeDeps, changeOrder, NO_WAKE_UP } from "../app/change-order.ts";
import { refundInquiryInputSchema } from "../domain/schemas.ts";
import { toPublicRequest } from "../domain/views.ts";
import { requestOf } from "./access.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { openRefundInquiryRoute } from "./routes.ts";

export const createHandler = httpHandler(
  openRefundInquiryRoute,
  { params: requestParams, body: refundInquiryInputSchema },
  async ({ caller, params, body }, deps: ChangeDeps) => {
    // The domain's first check is that the actor is the order's buyer (NOT_FOUND otherwise); a
    // repeat of the same inquiry answers as its first time did.
    const changed = await changeOrder(deps, params.orderId, {
      type: "OPEN_REFUND_INQUIRY",
      actor: caller.sub,
      requestId: params.requestId,
      comment: body.comment?.trim() ? body.comment : null,
    });
    return {
      status: 202,
      body: toPublicRequest(requestOf(changed.stored.record, params.requestId)),
    };
  },
);

// A completed request's status does not move: nothing that waits on it has a reason to wake.
export const handler = createHandler(() => ({ ...basics, orders: orders(), signals: NO_WAKE_UP }));
