// POST .../{requestId}/refund-retry: operator → RETRY_REFUND (ends the refund's wait) → 202.
import { applyEvent } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { emptyBodySchema } from "../domain/schemas.ts";
import { toPublicRequest } from "../domain/views.ts";
import { requestOf } from "./access.ts";
import { requestParams } from "./inputs.ts";
import { httpHandler } from "./middleware.ts";

export const createHandler = httpHandler(
  "RetryRefund",
  { params: requestParams, body: emptyBodySchema },
  async ({ caller, params }, deps) => {
    const applied = await applyEvent(deps, params.orderId, {
      type: "RETRY_REFUND",
      actor: caller.sub,
      requestId: params.requestId,
    });
    return {
      status: 202,
      body: toPublicRequest(requestOf(applied.stored.record, params.requestId)),
    };
  },
);

export const handler = createHandler(defaultDeps);
