// The seller's "Performance" (GET /seller/metrics, the last 30 days) and the operators' "Seller
// performance" (GET /operator/sellers/{sellerId}/metrics for the seller id typed): the same
// figures and chart (components/seller-figures.tsx), read again on "Reload figures".
import { useState } from "preact/hooks";
import { type Failure, outcome } from "../api.ts";
import { useApp } from "../app-context.ts";
import { FailureAlert, Loading } from "../components/alerts.tsx";
import { IdLookupForm } from "../components/id-lookup-form.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { SellerFigures, type SellerMetrics } from "../components/seller-figures.tsx";
import { useMessages } from "../i18n.ts";
import { useLoad } from "../load.ts";

export const SellerPerformancePage = () => {
  const { api } = useApp();
  const words = useMessages().performance;
  const [metrics, reload] = useLoad(() => outcome(api.GET("/seller/metrics", {})), [api]);
  return (
    <>
      <PageHeading title={words.heading} />
      {metrics.state === "loading" && <Loading />}
      {metrics.state === "failed" && <FailureAlert failure={metrics.failure} />}
      {metrics.state === "ok" && <SellerFigures metrics={metrics.data} id="own" />}
      <div class="actions">
        <button type="button" onClick={() => void reload()}>
          {words.reload}
        </button>
      </div>
    </>
  );
};

export const OperatorSellerPerformancePage = () => {
  const { api } = useApp();
  const words = useMessages().performance;
  const [sellerId, setSellerId] = useState("");
  const [invalid, setInvalid] = useState(false);
  const [failure, setFailure] = useState<Failure>();
  const [shown, setShown] = useState<{ sellerId: string; metrics: SellerMetrics }>();
  const [busy, setBusy] = useState(false);

  const show = async (event: Event) => {
    event.preventDefault();
    const id = sellerId.trim();
    setInvalid(id === "");
    setFailure(undefined);
    if (!id) document.getElementById("performance-seller-id")?.focus();
    if (!id || busy) return;
    setBusy(true);
    const result = await outcome(
      api.GET("/operator/sellers/{sellerId}/metrics", { params: { path: { sellerId: id } } }),
    );
    setBusy(false);
    if (!result.ok) {
      setShown(undefined);
      return setFailure(result.failure);
    }
    setShown({ sellerId: id, metrics: result.data });
  };

  return (
    <>
      <PageHeading title={words.operatorHeading} />
      <IdLookupForm
        inputId="performance-seller-id"
        label={words.sellerId}
        value={sellerId}
        onValue={setSellerId}
        onSubmit={show}
        submitLabel={words.submit}
        requiredText={words.required}
        invalid={invalid}
        busy={busy}
        failure={failure}
        fieldLabels={{ "params.sellerId": words.sellerId }}
      />
      {shown && (
        <>
          <h2 class="result-heading">{shown.sellerId}</h2>
          <SellerFigures metrics={shown.metrics} id="seller" />
        </>
      )}
    </>
  );
};
