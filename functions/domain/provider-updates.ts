// The payment provider's word on a refund after its call (its webhook, or the workflow and the
// reconciler asking): a pending refund settles, a made one is reversed, a late bank reference
// arrives; anything that says nothing new is refused, so a repeated or stale word writes nothing.

import {
  complete,
  type Draft,
  failRefund,
  noteAnswer,
  refuse,
  SYSTEM,
  succeedRefund,
} from "./draft.ts";
import type { DomainEvent } from "./events.ts";
import { addSeconds } from "./requests.ts";
import type { CancellationRequest, ProviderRefund, Refund } from "./types.ts";

const isFailure = (answer: ProviderRefund) =>
  answer.status === "failed" || answer.status === "canceled";

/**
 * The provider's word on a refund after its call: a pending one settles (done, or failed), a
 * made one is reversed, a late bank reference arrives. Anything that changes nothing is refused,
 * so that a webhook sent twice, late or out of order writes nothing.
 */
export const applyProviderUpdate = (
  draft: Draft,
  event: Extract<DomainEvent, { type: "PROVIDER_REFUND_UPDATE" }>,
) => {
  const request = draft.request(event.requestId);
  const refund = request.refund;
  if (!refund || refund.refundId !== event.refundId) refuse("NOT_FOUND", "no such refund");
  const { answer } = event;
  const nothingNew = () => refuse("INVALID_STATE", "the provider's word changes nothing");
  if (
    refund.status === "PENDING" &&
    (request.status === "REFUND_PENDING" || request.status === "COMPLETED")
  ) {
    if (answer.status === "succeeded") {
      noteAnswer(refund, answer);
      succeedRefund(draft, request, refund);
      if (request.status === "REFUND_PENDING") complete(draft, request);
      return;
    }
    if (isFailure(answer)) {
      noteAnswer(refund, answer);
      failRefund(draft, request, refund, answer.failureReason ?? answer.status, true);
      return;
    }
    const news =
      refund.providerStatus !== answer.status ||
      (answer.reference && answer.reference !== refund.reference);
    if (!news && !event.asked) nothingNew();
    noteAnswer(refund, answer);
    refund.pendingSince ??= draft.now;
    if (event.asked) refund.checkedAt = draft.now;
    return;
  }
  if (refund.status === "SUCCEEDED" && request.status === "COMPLETED") {
    if (isFailure(answer)) {
      reverseRefund(draft, request, refund, answer);
      return;
    }
    if (!answer.reference || answer.reference === refund.reference) nothingNew();
    refund.reference = answer.reference;
    return;
  }
  // A refund recorded as failed because its answers were lost, which the provider made after all:
  // the open request completes; a completed one's (the retry after a reversal) is made, and no
  // fallback pays it again.
  if (
    refund.status === "FAILED" &&
    (request.status === "REFUND_FAILED" || request.status === "COMPLETED") &&
    !refund.declined &&
    answer.status === "succeeded"
  ) {
    request.refundRetryDeadline = null;
    noteAnswer(refund, answer);
    if (request.status === "COMPLETED") {
      succeedRefund(draft, request, refund);
      return;
    }
    request.status = "REFUND_PENDING";
    succeedRefund(draft, request, refund);
    complete(draft, request);
    return;
  }
  nothingNew();
};

/**
 * The provider failed a refund after it had succeeded (a closed or expired card): the money is
 * back with the marketplace and the buyer has nothing. The cancellation stands; the refund is
 * failed for good (its key is spent) and waits for an operator's retry, or the policy's fallback.
 */
const reverseRefund = (
  draft: Draft,
  request: CancellationRequest,
  refund: Refund,
  answer: ProviderRefund,
) => {
  noteAnswer(refund, answer);
  refund.status = "FAILED";
  refund.declined = true;
  refund.reversed = true;
  // Its call landed long ago: nothing of it is in flight any more.
  refund.callStartedAt = null;
  draft.order.refundedAmount = Math.max(0, draft.order.refundedAmount - refund.amount);
  draft.order.updatedAt = draft.now;
  request.refundRetryDeadline = addSeconds(draft.now, request.policy.refundRetryWaitSeconds);
  draft.log(request, "REFUND_REVERSED", SYSTEM, answer.failureReason ?? answer.status);
};
