// An order's audit trail for its seller and operators (SPEC "Audit trail"): how many entries it
// holds and its head, and a button that downloads the export (GET /orders/{orderId}/audit) as
// `<orderId>-audit.json`, for `npm run audit -- verify`. The download reads the trail again, so
// the file holds the trail as it stands, and the section shows what the file holds.
import { useState } from "preact/hooks";
import { type Failure, outcome } from "../api.ts";
import { useApp } from "../app-context.ts";
import { useMessages } from "../i18n.ts";
import { useLoad } from "../load.ts";
import { FailureAlert, Loading } from "./alerts.tsx";

/** Hands `text` to the browser as a file download named `name`. */
const saveFile = (name: string, text: string) => {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  // The browser has taken the file once the click's task is over.
  setTimeout(() => URL.revokeObjectURL(url), 0);
};

export const AuditTrail = ({ orderId }: { orderId: string }) => {
  const { api } = useApp();
  const words = useMessages().audit;
  const [busy, setBusy] = useState(false);
  const read = () => outcome(api.GET("/orders/{orderId}/audit", { params: { path: { orderId } } }));
  const [trail, , replace] = useLoad(read, [api, orderId]);
  const [failure, setFailure] = useState<Failure>();

  const download = async () => {
    if (busy) return;
    setBusy(true);
    setFailure(undefined);
    const latest = await read();
    setBusy(false);
    if (!latest.ok) return setFailure(latest.failure);
    replace(latest.data);
    saveFile(`${orderId}-audit.json`, `${JSON.stringify(latest.data, null, 2)}\n`);
  };

  return (
    <section class="panel" aria-labelledby="audit-trail-heading">
      <h2 id="audit-trail-heading">{words.heading}</h2>
      <p>{words.intro}</p>
      {trail.state === "loading" && <Loading />}
      {trail.state === "failed" && <FailureAlert failure={trail.failure} />}
      {trail.state === "ok" && (
        <>
          <dl class="facts">
            <dt>{words.entries}</dt>
            <dd>{trail.data.entries.length}</dd>
            <dt>{words.head}</dt>
            <dd>
              <code class="hash">{trail.data.head}</code>
            </dd>
          </dl>
          <div class="actions">
            <button type="button" aria-disabled={busy} onClick={() => void download()}>
              {words.download}
            </button>
          </div>
          {failure && <FailureAlert failure={failure} />}
        </>
      )}
    </section>
  );
};
