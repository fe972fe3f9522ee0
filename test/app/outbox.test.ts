// Outbox delivery against DynamoDB Local: mail that keeps failing is given up after its tries,
// counted, and operators are alerted, in one write that survives losing its answer.

import { Logger } from "@aws-lambda-powertools/logger";
import type { FinalizeHandler, FinalizeHandlerArguments, MetadataBearer } from "@smithy/types";
import { describe, expect, it } from "vitest";
import type { Mail, Mailer } from "../../functions/adapters/mailer.ts";
import { OrderStore } from "../../functions/adapters/order-store.ts";
import type { AppDeps } from "../../functions/app/apply-event.ts";
import {
  CLAIM_SECONDS,
  deliverClaimed,
  deliverOutbox,
  MAIL_MAX_ATTEMPTS,
} from "../../functions/app/outbox.ts";
import type { CountMetric } from "../../functions/app/powertools.ts";
import { faultError } from "../../local/faults.ts";
import { useTestTable } from "../support/dynamodb.ts";
import { RecordingPublisher } from "../support/recording-publisher.ts";
import { at, cancellationRequest, orderRecord } from "../support/records.ts";

const table = useTestTable("dynamodb-local", "outbox");

/** SES refusing every mail. */
class RefusingMailer implements Mailer {
  attempts = 0;
  async send(_mail: Mail): Promise<void> {
    this.attempts += 1;
    throw Object.assign(new Error("SES is unavailable"), { name: "ServiceUnavailable" });
  }
}

/**
 * Lets the first write that gives an entry up through, then loses its answer (a timeout inside
 * the SDK's retry loop, as a real one), so the SDK sends the same write again.
 */
const loseTheGiveUpsAnswer = (client: OrderStoreClient) => {
  const lost = { count: 0 };
  client.middlewareStack.add(
    <Input extends object, Output extends MetadataBearer>(
      next: FinalizeHandler<Input, Output>,
      context: { commandName?: string },
    ) =>
      async (args: FinalizeHandlerArguments<Input>) => {
        const result = await next(args);
        const givingUp = JSON.stringify(args.input).includes("SET failedAt");
        if (givingUp && lost.count === 0) {
          lost.count += 1;
          throw faultError("dynamodb", "timeout", String(context.commandName));
        }
        return result;
      },
    { step: "finalizeRequest", priority: "low", name: "loseTheGiveUpsAnswer" },
  );
  return lost;
};
type OrderStoreClient = ReturnType<typeof useTestTable>["current"]["client"];

describe("outbox delivery (DynamoDB Local)", () => {
  it(`mail refused ${MAIL_MAX_ATTEMPTS} times is given up, counted once and operators are alerted, even when the give-up's answer is lost`, async () => {
    const { client, tableName } = table.current;
    const lost = loseTheGiveUpsAnswer(client);
    const store = new OrderStore({ client, tableName });
    const orderId = "o-give-up";
    const requestId = "r-give-up";
    const record = orderRecord({ orderId }, [
      cancellationRequest({ orderId, requestId, status: "REJECTED" }),
    ]);
    const buyerMail = { to: ["buyer@example.com"], subject: "却下", text: "t", html: "<p>t</p>" };
    // A change's mail, left unclaimed (as if its writer had died before delivering it).
    await store.save(
      await store.create(record),
      record,
      [{ id: "m1", requestId, kind: "MAIL", mail: buyerMail }],
      at(2),
    );
    const mailer = new RefusingMailer();
    const counted: CountMetric[] = [];
    const deps: AppDeps = {
      store,
      mailer,
      workflow: undefined as never,
      events: new RecordingPublisher(),
      operatorEmails: ["ops@example.com"],
      logger: new Logger({ serviceName: "outbox-test", logLevel: "SILENT" }),
      now: () => new Date().toISOString(),
      count: (name) => counted.push(name),
    };

    for (let round = 0; round < MAIL_MAX_ATTEMPTS; round++) {
      const [entry] = await store.pendingOutbox(orderId);
      if (entry?.id !== "m1") throw new Error(`round ${round}: m1 is not pending`);
      await deliverOutbox(deps, orderId, [entry]);
    }

    expect(mailer.attempts).toBe(MAIL_MAX_ATTEMPTS);
    expect(lost.count).toBe(1);
    expect((await store.failedOutbox(orderId)).map((entry) => entry.id)).toEqual(["m1"]);
    expect(counted).toEqual(["MailFailed"]);
    const pending = await store.pendingOutbox(orderId);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ kind: "MAIL", mail: { to: ["ops@example.com"] } });
  });

  it("a change's mail is written claimed by its writer, who sends it without claiming it again; nobody else takes it before the claim runs out", async () => {
    const { client, tableName } = table.current;
    const store = new OrderStore({ client, tableName });
    const orderId = "o-claimed";
    const requestId = "r-claimed";
    const record = orderRecord({ orderId }, [
      cancellationRequest({ orderId, requestId, status: "AWAITING_SELLER" }),
    ]);
    const stored = await store.create(record);
    const mail = {
      to: ["seller@example.com"],
      subject: "新しいリクエスト",
      text: "t",
      html: "<p>t</p>",
    };
    const now = new Date().toISOString();
    const until = new Date(Date.parse(now) + CLAIM_SECONDS * 1000).toISOString();
    await store.save(stored, record, [{ id: "m2", requestId, kind: "MAIL", mail }], now, {
      owner: "writer",
      until,
    });

    // Another deliverer (the reconciler) cannot take it while the writer's claim runs.
    await expect(store.claimOutbox(orderId, "m2", "other", now, CLAIM_SECONDS)).resolves.toBe(
      undefined,
    );
    const sent: Mail[] = [];
    const deps = {
      store,
      mailer: { send: async (sending: Mail) => void sent.push(sending) },
      events: new RecordingPublisher(),
      logger: new Logger({ serviceName: "outbox-test", logLevel: "SILENT" }),
      now: () => new Date().toISOString(),
    } as unknown as AppDeps;
    const [entry] = await store.pendingOutbox(orderId);
    expect(entry).toMatchObject({ id: "m2", attempts: 1 });
    const report = await deliverClaimed(deps, orderId, "writer", [
      entry as NonNullable<typeof entry>,
    ]);

    expect(report.delivered).toEqual(["m2"]);
    expect(sent).toEqual([mail]);
    await expect(store.pendingOutbox(orderId)).resolves.toEqual([]);
  });
});
