// One request as staff see it: the order (with its buyer and seller), the request with its
// timeline notes, the action that is theirs now (decision or refund retry), and the order's audit
// trail.
import { outcome } from "../api.ts";
import { useApp } from "../app-context.ts";
import { FailureAlert, Loading } from "../components/alerts.tsx";
import { AuditTrail } from "../components/audit-trail.tsx";
import { OrderSummary } from "../components/order-summary.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { RequestView } from "../components/request-view.tsx";
import { DecisionFor, RefundRetryFor } from "../components/staff-actions.tsx";
import { useMessages } from "../i18n.ts";
import { useLoad } from "../load.ts";

export const RequestDetailPage = ({
  orderId,
  requestId,
}: {
  orderId: string;
  requestId: string;
}) => {
  const { api, role } = useApp();
  const messages = useMessages();
  const locale = messages.language;
  const [order, reloadOrder] = useLoad(
    () => outcome(api.GET("/orders/{orderId}", { params: { path: { orderId } } })),
    [api, orderId],
  );
  const [request, reload, replace] = useLoad(
    () =>
      outcome(
        api.GET("/orders/{orderId}/cancellation-requests/{requestId}", {
          params: { path: { orderId, requestId } },
        }),
      ),
    [api, orderId, requestId],
  );
  return (
    <>
      <PageHeading title={messages.order.heading(orderId)} />
      {(request.state === "loading" || order.state === "loading") && <Loading />}
      {request.state === "failed" && <FailureAlert failure={request.failure} />}
      {request.state !== "failed" && order.state === "failed" && (
        <FailureAlert failure={order.failure} />
      )}
      {/* With its order: the request's times are shown in the zone of the order's currency. */}
      {request.state === "ok" && order.state === "ok" && (
        <RequestView
          request={request.data}
          reader={role === "seller" ? "seller" : "operator"}
          orderLines={order.data.lines}
          paymentMethod={order.data.payment.method}
          parcel={order.data.parcel?.status}
          currency={order.data.currency}
          locale={locale}
          showNotes
        >
          <DecisionFor request={request.data} onDone={(updated) => replace(updated)} />
          <RefundRetryFor request={request.data} onDone={(updated) => replace(updated)} />
          <div class="actions">
            <button type="button" onClick={() => void Promise.all([reload(), reloadOrder()])}>
              {messages.request.refresh}
            </button>
          </div>
        </RequestView>
      )}
      {order.state === "ok" && (
        <OrderSummary
          order={order.data}
          locale={locale}
          showOption={false}
          showParties
          reader={role === "seller" ? "seller" : "operator"}
        />
      )}
      {order.state === "ok" && <AuditTrail orderId={orderId} />}
    </>
  );
};
