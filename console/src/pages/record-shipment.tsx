// The seller records a shipment: order id, carrier and tracking number. The order becomes SHIPPED,
// which is when its buyer may ask to cancel.
import { useState } from "preact/hooks";
import { type Failure, outcome } from "../api.ts";
import { useApp } from "../app-context.ts";
import { FailureAlert, InputAlert, Notice } from "../components/alerts.tsx";
import { PageHeading } from "../components/page-heading.tsx";
import { useMessages } from "../i18n.ts";

const IDS = {
  orderId: "shipment-order",
  carrier: "shipment-carrier",
  tracking: "shipment-tracking",
};
/** The fields in the order they are checked and shown. */
const FIELD_IDS = [IDS.orderId, IDS.carrier, IDS.tracking];

export const RecordShipmentPage = () => {
  const { api } = useApp();
  const words = useMessages().shipment;
  const [orderId, setOrderId] = useState("");
  const [carrier, setCarrier] = useState("");
  const [trackingNumber, setTrackingNumber] = useState("");
  const [invalid, setInvalid] = useState(false);
  const [failure, setFailure] = useState<Failure>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const fields = [orderId, carrier, trackingNumber].map((value) => value.trim());
    const [id = "", carrierName = "", tracking = ""] = fields;
    const empty = fields.indexOf("");
    setInvalid(empty >= 0);
    setFailure(undefined);
    setSaved(undefined);
    if (empty >= 0) {
      // Straight to the first field left empty.
      const fieldId = FIELD_IDS[empty];
      if (fieldId) document.getElementById(fieldId)?.focus();
      return;
    }
    setBusy(true);
    const result = await outcome(
      api.POST("/orders/{orderId}/shipment", {
        params: { path: { orderId: id } },
        body: { carrier: carrierName, trackingNumber: tracking },
      }),
    );
    setBusy(false);
    if (!result.ok) return setFailure(result.failure);
    setSaved(words.saved(result.data.orderId));
    setOrderId("");
    setCarrier("");
    setTrackingNumber("");
  };

  const field = (id: string, label: string, value: string, set: (value: string) => void) => (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={value}
        required
        spellcheck={false}
        aria-invalid={invalid && value.trim() === ""}
        onInput={(event) => set(event.currentTarget.value)}
      />
    </div>
  );

  return (
    <>
      <PageHeading title={words.heading} />
      <p>{words.intro}</p>
      <form class="panel" onSubmit={submit} noValidate>
        {field(IDS.orderId, words.orderId, orderId, setOrderId)}
        {field(IDS.carrier, words.carrier, carrier, setCarrier)}
        {field(IDS.tracking, words.trackingNumber, trackingNumber, setTrackingNumber)}
        {invalid && <InputAlert>{words.required}</InputAlert>}
        {failure && (
          <FailureAlert
            failure={failure}
            keptValues
            fieldLabels={{ carrier: words.carrier, trackingNumber: words.trackingNumber }}
          />
        )}
        <div class="actions">
          <button type="submit" class="primary" aria-disabled={busy}>
            {words.submit}
          </button>
        </div>
        {saved && <Notice>{saved}</Notice>}
      </form>
    </>
  );
};
