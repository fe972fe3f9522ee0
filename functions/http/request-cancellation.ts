// POST /orders/{id}/cancellation-requests: its buyer → replay by key, or request + start → 202.
import { randomUUID } from "node:crypto";
import { currentPolicy } from "../adapters/config.ts";
import { applyEvent } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { DomainError } from "../domain/events.ts";
import { cancellationRequestInputSchema } from "../domain/schemas.ts";
import type { CancellationRequest, OrderRecord } from "../domain/types.ts";
import { toPublicRequest } from "../domain/views.ts";
import { isBuyerOf, loadOrder, requestOf, requestPath } from "./access.ts";
import { canonicalJson, sha256Hex } from "./canonical.ts";
import { idempotencyHeaders, orderParams } from "./inputs.ts";
import { type HttpDeps, type HttpResult, httpHandler } from "./middleware.ts";
import { HttpProblem } from "./problems.ts";

const byKey = (record: OrderRecord, key: string): CancellationRequest | undefined =>
  Object.values(record.requests).find((request) => request.idempotencyKey === key);

const accepted = (request: CancellationRequest): HttpResult => ({
  status: 202,
  body: toPublicRequest(request),
  headers: { location: requestPath(request.orderId, request.requestId) },
});

/** The first response again; a request still REQUESTED had its start fail, so start it now. */
const replay = async (
  deps: HttpDeps,
  request: CancellationRequest,
  requestHash: string,
): Promise<HttpResult> => {
  if (request.requestHash !== requestHash) {
    throw new HttpProblem(
      "IDEMPOTENCY_KEY_MISMATCH",
      "this Idempotency-Key was already used for a request with another body",
    );
  }
  // Idempotent: the execution is named by the request id.
  if (request.status === "REQUESTED") {
    await deps.workflow.start({ orderId: request.orderId, requestId: request.requestId });
  }
  return accepted(request);
};

export const createHandler = httpHandler(
  "RequestCancellation",
  { params: orderParams, headers: idempotencyHeaders, body: cancellationRequestInputSchema },
  async ({ caller, params, headers, body }, deps) => {
    const { orderId } = params;
    const idempotencyKey = headers["idempotency-key"];
    const requestHash = sha256Hex(canonicalJson(body));
    // The party check comes before the key lookup, so keys never reveal a stranger's order.
    const stored = await loadOrder(deps, orderId, (order) => isBuyerOf(caller, order));
    const earlier = byKey(stored.record, idempotencyKey);
    if (earlier) return replay(deps, earlier, requestHash);
    // A UUID is also a valid Step Functions execution name.
    const requestId = randomUUID();
    try {
      const applied = await applyEvent(deps, orderId, {
        type: "REQUEST_CANCELLATION",
        actor: caller.sub,
        requestId,
        reason: body.reason,
        comment: body.comment ?? null,
        idempotencyKey,
        requestHash,
        policy: currentPolicy(),
      });
      return accepted(requestOf(applied.stored.record, requestId));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // A concurrent POST with the same key won the race: answer as its replay.
      const fresh = await deps.store.get(orderId);
      const winner = fresh && byKey(fresh.record, idempotencyKey);
      if (winner) return replay(deps, winner, requestHash);
      throw error;
    }
  },
);

export const handler = createHandler(defaultDeps);
