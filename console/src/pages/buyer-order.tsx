// One order for its buyer: the order, what they can do now, the cancellation request form, and the
// request itself (the order's latest, active or finished) with "Withdraw request" while the
// marketplace has not approved it yet and "Refresh".
import { useEffect, useRef, useState } from "preact/hooks";
import { type CancellationRequest, type Failure, outcome } from "../api.ts";
import { useApp } from "../app-context.ts";
import { FailureAlert, Loading } from "../components/alerts.tsx";
import { OrderSummary } from "../components/order-summary.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { RefundInquiryFor } from "../components/refund-inquiry.tsx";
import { RequestForm } from "../components/request-form.tsx";
import { RequestView, TERMINAL, WITHDRAWABLE } from "../components/request-view.tsx";
import { useMessages } from "../i18n.ts";
import { type Loaded, useLoad } from "../load.ts";
import { href } from "../router.ts";

/** While the workflow moves a request by itself, the page re-reads it this often. */
const FOLLOW_MS = 3_000;
const MOVING_BY_ITSELF = ["REQUESTED", "REFUND_PENDING"];

export const BuyerOrderPage = ({ orderId }: { orderId: string }) => {
  const { api } = useApp();
  const messages = useMessages();
  const [order, reloadOrder] = useLoad(
    () => outcome(api.GET("/orders/{orderId}", { params: { path: { orderId } } })),
    [api, orderId],
  );
  const requestId =
    order.state === "ok" ? (order.data.latestCancellationRequestId ?? undefined) : undefined;
  const [request, setRequest] = useState<Loaded<CancellationRequest>>();
  const [asking, setAsking] = useState(false);
  const [actionFailure, setActionFailure] = useState<Failure>();
  const requestHeading = "buyer-request-heading";
  const focusRequest = () => setTimeout(() => document.getElementById(requestHeading)?.focus());
  const openButton = useRef<HTMLButtonElement>(null);

  const readRequest = async (id: string) => {
    const result = await outcome(
      api.GET("/orders/{orderId}/cancellation-requests/{requestId}", {
        params: { path: { orderId, requestId: id } },
      }),
    );
    setRequest(
      result.ok ? { state: "ok", data: result.data } : { state: "failed", failure: result.failure },
    );
  };

  useEffect(() => {
    if (requestId) void readRequest(requestId);
    else setRequest(undefined);
  }, [requestId]);

  // Follow a request that the workflow is moving by itself.
  const current = request?.state === "ok" ? request.data : undefined;
  // The order follows its request: what it cancelled and refunded, and so what happens next.
  const seenStatus = useRef(current?.status);
  useEffect(() => {
    if (!current) return;
    if (seenStatus.current !== undefined && seenStatus.current !== current.status)
      void reloadOrder();
    seenStatus.current = current.status;
  }, [current?.status]);
  useEffect(() => {
    if (!current || !MOVING_BY_ITSELF.includes(current.status)) return;
    const timer = setTimeout(() => void readRequest(current.requestId), FOLLOW_MS);
    return () => clearTimeout(timer);
  }, [current?.requestId, current?.status, current?.updatedAt]);

  const refresh = async () => {
    setActionFailure(undefined);
    await reloadOrder();
    if (current) await readRequest(current.requestId);
  };

  const withdraw = async () => {
    if (!current) return;
    setActionFailure(undefined);
    const result = await outcome(
      api.POST("/orders/{orderId}/cancellation-requests/{requestId}/withdrawal", {
        params: { path: { orderId, requestId: current.requestId } },
        body: {},
      }),
    );
    if (!result.ok) return setActionFailure(result.failure);
    setRequest({ state: "ok", data: result.data });
    void reloadOrder();
    focusRequest();
  };

  const sent = (created: CancellationRequest) => {
    setAsking(false);
    setRequest({ state: "ok", data: created });
    void reloadOrder();
    focusRequest();
  };

  const title = messages.order.heading(orderId);
  const canAsk =
    order.state === "ok" &&
    order.data.cancellationOption.kind === "CANCEL" &&
    (!current || TERMINAL.includes(current.status));

  return (
    <>
      <PageHeading title={title} />
      <p>
        <a href={href("/orders")}>{messages.order.back}</a>
      </p>
      {order.state === "loading" && <Loading />}
      {order.state === "failed" && <FailureAlert failure={order.failure} />}
      {order.state === "ok" && (
        <>
          <OrderSummary order={order.data} locale={order.data.locale} showOption reader="buyer" />
          {canAsk &&
            (asking ? (
              <RequestForm
                order={order.data}
                onSent={sent}
                onCancel={() => {
                  setAsking(false);
                  setTimeout(() => openButton.current?.focus());
                }}
              />
            ) : (
              <p class="actions">
                <button
                  type="button"
                  class="primary"
                  ref={openButton}
                  onClick={() => {
                    setAsking(true);
                    // To the form's first field: the first line's quantity, else the reason.
                    setTimeout(() =>
                      (
                        document.getElementById("cancel-quantity-0") ??
                        document.getElementById("cancel-reason")
                      )?.focus(),
                    );
                  }}
                >
                  {messages.requestForm.open}
                </button>
              </p>
            ))}
          {request?.state === "loading" && <Loading />}
          {request?.state === "failed" && <FailureAlert failure={request.failure} />}
          {current && (
            <RequestView
              request={current}
              reader="buyer"
              orderLines={order.data.lines}
              paymentMethod={order.data.payment.method}
              parcel={order.data.parcel?.status}
              currency={order.data.currency}
              locale={order.data.locale}
              headingId={requestHeading}
            >
              <div class="actions">
                {WITHDRAWABLE.includes(current.status) && (
                  <button type="button" class="danger" onClick={() => void withdraw()}>
                    {messages.request.withdraw}
                  </button>
                )}
                <button type="button" onClick={() => void refresh()}>
                  {messages.request.refresh}
                </button>
              </div>
              {actionFailure && <FailureAlert failure={actionFailure} />}
              <RefundInquiryFor
                request={current}
                currency={order.data.currency}
                locale={order.data.locale}
                onDone={(updated) => setRequest({ state: "ok", data: updated })}
              />
            </RequestView>
          )}
        </>
      )}
    </>
  );
};
