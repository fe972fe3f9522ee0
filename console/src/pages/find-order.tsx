// Operators look up any order by its id: the order, and its active cancellation request, else its
// latest (with the action that is theirs now: a completed one still owes its buyer a refund when
// the card company failed it after it had succeeded), and the order's audit trail.
import { useState } from "preact/hooks";
import { type CancellationRequest, type Failure, type Order, outcome } from "../api.ts";
import { useApp } from "../app-context.ts";
import { AuditTrail } from "../components/audit-trail.tsx";
import { IdLookupForm } from "../components/id-lookup-form.tsx";
import { OrderSummary } from "../components/order-summary.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { RequestView } from "../components/request-view.tsx";
import { DecisionFor, RefundRetryFor } from "../components/staff-actions.tsx";
import { useMessages } from "../i18n.ts";

export const FindOrderPage = () => {
  const { api } = useApp();
  const messages = useMessages();
  const words = messages.find;
  const locale = messages.language;
  const [orderId, setOrderId] = useState("");
  const [invalid, setInvalid] = useState(false);
  const [failure, setFailure] = useState<Failure>();
  const [found, setFound] = useState<{ order: Order; request?: CancellationRequest }>();
  const [busy, setBusy] = useState(false);

  const find = async (event: Event) => {
    event.preventDefault();
    const id = orderId.trim();
    setInvalid(id === "");
    setFailure(undefined);
    if (!id) document.getElementById("find-order-id")?.focus();
    if (!id || busy) return;
    setBusy(true);
    const order = await outcome(
      api.GET("/orders/{orderId}", { params: { path: { orderId: id } } }),
    );
    if (!order.ok) {
      setBusy(false);
      setFound(undefined);
      return setFailure(order.failure);
    }
    const requestId =
      order.data.activeCancellationRequestId ?? order.data.latestCancellationRequestId;
    const request = requestId
      ? await outcome(
          api.GET("/orders/{orderId}/cancellation-requests/{requestId}", {
            params: { path: { orderId: id, requestId } },
          }),
        )
      : undefined;
    setBusy(false);
    if (request && !request.ok) setFailure(request.failure);
    setFound({ order: order.data, ...(request?.ok ? { request: request.data } : {}) });
  };

  return (
    <>
      <PageHeading title={words.heading} />
      <IdLookupForm
        inputId="find-order-id"
        label={words.orderId}
        value={orderId}
        onValue={setOrderId}
        onSubmit={find}
        submitLabel={words.submit}
        requiredText={words.required}
        invalid={invalid}
        busy={busy}
        failure={failure}
      />
      {found && (
        <>
          <h2 class="result-heading">{messages.order.heading(found.order.orderId)}</h2>
          <OrderSummary order={found.order} locale={locale} showOption showParties />
          {found.request ? (
            <RequestView
              request={found.request}
              reader="operator"
              orderLines={found.order.lines}
              paymentMethod={found.order.payment.method}
              parcel={found.order.parcel?.status}
              currency={found.order.currency}
              locale={locale}
              showNotes
            >
              <DecisionFor
                request={found.request}
                onDone={(request) => setFound({ order: found.order, request })}
              />
              <RefundRetryFor
                request={found.request}
                onDone={(request) => setFound({ order: found.order, request })}
              />
            </RequestView>
          ) : (
            <p>{words.noActiveRequest}</p>
          )}
          <AuditTrail key={found.order.orderId} orderId={found.order.orderId} />
        </>
      )}
    </>
  );
};
