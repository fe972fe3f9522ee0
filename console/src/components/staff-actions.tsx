// What staff do to one request, wherever it is shown (a queue's list item or the request's page):
// the seller's or the marketplace's decision, and an operator's refund retry.
import { useState } from "preact/hooks";
import { type CancellationRequest, type Failure, outcome } from "../api.ts";
import { useApp } from "../app-context.ts";
import { useMessages } from "../i18n.ts";
import { FailureAlert } from "./alerts.tsx";
import { DecisionControls } from "./decision.tsx";

interface ActionProps {
  /** The request, or a queue's summary of it: what it is and where it stands. */
  request: Pick<CancellationRequest, "orderId" | "requestId" | "status"> & {
    refund?: { status: NonNullable<CancellationRequest["refund"]>["status"] } | null;
  };
  /** The request as the API answered after the action. */
  onDone: (request: CancellationRequest, what: "approved" | "rejected" | "retried") => void;
}

/** Approve/Reject for whoever decides now: the seller while AWAITING_SELLER, operators while
 * AWAITING_MARKETPLACE. Nothing otherwise. */
export const DecisionFor = ({ request, onDone }: ActionProps) => {
  const { api, role } = useApp();
  const path = { orderId: request.orderId, requestId: request.requestId };
  const route =
    role === "seller" && request.status === "AWAITING_SELLER"
      ? ("/orders/{orderId}/cancellation-requests/{requestId}/seller-decision" as const)
      : role === "operator" && request.status === "AWAITING_MARKETPLACE"
        ? ("/orders/{orderId}/cancellation-requests/{requestId}/marketplace-decision" as const)
        : undefined;
  if (!route) return null;
  return (
    <DecisionControls
      id={request.requestId}
      decide={async (decision) => {
        const result = await outcome(api.POST(route, { params: { path }, body: decision }));
        if (result.ok)
          onDone(result.data, decision.decision === "APPROVE" ? "approved" : "rejected");
        return result;
      }}
    />
  );
};

/** Whether an operator may retry the request's refund: while REFUND_FAILED, and on a COMPLETED
 * request whose refund failed after all (the card company reversed it, or its retry failed). */
export const refundRetryAllowed = ({ status, refund }: ActionProps["request"]): boolean =>
  status === "REFUND_FAILED" || (status === "COMPLETED" && refund?.status === "FAILED");

/** "Retry refund" (the original method again) and "Refund as gift balance", while allowed. */
export const RefundRetryFor = ({ request, onDone }: ActionProps) => {
  const { api, role } = useApp();
  const words = useMessages().queue;
  const [failure, setFailure] = useState<Failure>();
  const [busy, setBusy] = useState(false);
  if (role !== "operator" || !refundRetryAllowed(request)) return null;
  const retry = async (body: { method?: "GIFT_CARD" }) => {
    if (busy) return;
    setBusy(true);
    setFailure(undefined);
    const result = await outcome(
      api.POST("/orders/{orderId}/cancellation-requests/{requestId}/refund-retry", {
        params: { path: { orderId: request.orderId, requestId: request.requestId } },
        body,
      }),
    );
    setBusy(false);
    if (result.ok) onDone(result.data, "retried");
    else setFailure(result.failure);
  };
  return (
    <div class="decision">
      <div class="actions">
        <button type="button" class="primary" aria-disabled={busy} onClick={() => void retry({})}>
          {words.retryRefund}
        </button>
        <button
          type="button"
          aria-disabled={busy}
          onClick={() => void retry({ method: "GIFT_CARD" })}
        >
          {words.refundAsGift}
        </button>
      </div>
      {failure && <FailureAlert failure={failure} />}
    </div>
  );
};
