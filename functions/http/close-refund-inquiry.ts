// POST .../{requestId}/refund-inquiry/close: operator → CLOSE_REFUND_INQUIRY with the note (it
// joins the timeline) → 200 with the request; 409 when no inquiry is open.
import { basics, orders } from "../adapters/production.ts";
import { type ChangeDeps, changeOrder, NO_WAKE_UP } from "../app/change-order.ts";
import { closeRefundInquiryInputSchema } from "../domain/schemas.ts";
import { toPublicRequest } from "../domain/views.ts";
import { requestOf } from "./access.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";
import { closeRefundInquiryRoute } from "./routes.ts";

export const createHandler = httpHandler(
  closeRefundInquiryRoute,
  { params: requestParams, body: closeRefundInquiryInputSchema },
  async ({ caller, params, body }, deps: ChangeDeps) => {
    // The same close sent again after its answer was lost answers as the first one did.
    const changed = await changeOrder(deps, params.orderId, {
      type: "CLOSE_REFUND_INQUIRY",
      actor: caller.sub,
      requestId: params.requestId,
      note: body.note,
    });
    return {
      status: 200,
      body: toPublicRequest(requestOf(changed.stored.record, params.requestId)),
    };
  },
);

// Closing changes no request's status: nothing waiting on it has a reason to wake.
export const handler = createHandler(() => ({ ...basics, orders: orders(), signals: NO_WAKE_UP }));
