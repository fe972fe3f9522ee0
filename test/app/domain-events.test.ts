// Domain events leave through the outbox (DynamoDB Local): saved in the change's own write, on its
// first mail or on an entry of their own, published before that mail, and retried until
// EventBridge takes them; a mail is never sent before its events nor given up while they wait.
import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it } from "vitest";
import type { Mail } from "../../functions/adapters/mailer.ts";
import { OrderStore } from "../../functions/adapters/order-store.ts";
import { type AppDeps, applyEvent } from "../../functions/app/apply-event.ts";
import { deliverOutbox, MAIL_MAX_ATTEMPTS } from "../../functions/app/outbox.ts";
import type { CountMetric } from "../../functions/app/powertools.ts";
import { eventIdOf } from "../../functions/domain/published-events.ts";
import { useTestTable } from "../support/dynamodb.ts";
import { RecordingPublisher } from "../support/recording-publisher.ts";
import { at, cancellationRequest, orderRecord } from "../support/records.ts";

const table = useTestTable("dynamodb-local", "domain-events");

/** A store holding one order with a request awaiting its seller, and deps that record. */
const setup = async (orderId: string, requestId: string) => {
  const { client, tableName } = table.current;
  const store = new OrderStore({ client, tableName });
  const record = orderRecord({ orderId, activeCancellationRequestId: requestId }, [
    cancellationRequest({ orderId, requestId, status: "AWAITING_SELLER" }),
  ]);
  await store.create(record);
  const sent: Mail[] = [];
  const events = new RecordingPublisher();
  const counted: CountMetric[] = [];
  const deps: AppDeps = {
    store,
    mailer: { send: async (mail) => void sent.push(mail) },
    // No task token is stored: a signal finds no wait and ends there.
    workflow: undefined as never,
    events,
    operatorEmails: ["ops@example.com"],
    logger: new Logger({ serviceName: "events-test", logLevel: "SILENT" }),
    now: () => at(3),
    count: (name) => counted.push(name),
  };
  return { store, deps, sent, events, counted, record };
};

describe("domain events through the outbox (DynamoDB Local)", () => {
  it("a change without mail publishes its events from an entry of its own, before its signal", async () => {
    const { store, deps, events } = await setup("o-ev-approve", "r-ev-approve");
    const saved = store.save.bind(store);
    const written: string[] = [];
    store.save = (async (...args: Parameters<OrderStore["save"]>) => {
      written.push(...(args[2] ?? []).map((entry) => entry.kind));
      return saved(...args);
    }) as OrderStore["save"];

    await applyEvent(deps, "o-ev-approve", {
      type: "SELLER_DECIDE",
      actor: "seller-1",
      requestId: "r-ev-approve",
      decision: "APPROVE",
    });

    expect(written).toEqual(["EVENTS", "SIGNAL"]);
    expect(events.published).toEqual([
      {
        detailType: "SELLER_APPROVED",
        detail: expect.objectContaining({
          eventId: eventIdOf("r-ev-approve", 1),
          orderId: "o-ev-approve",
          requestId: "r-ev-approve",
          status: "AWAITING_MARKETPLACE",
          at: at(3),
          actor: "seller-1",
        }),
      },
    ]);
    await expect(store.pendingOutbox("o-ev-approve")).resolves.toEqual([]);
  });

  it("a change with mail carries its events on the first mail, published once, before any mail", async () => {
    const { store, deps, sent, events } = await setup("o-ev-withdraw", "r-ev-withdraw");
    const order: string[] = [];
    deps.mailer = {
      send: async (mail) => {
        order.push("mail");
        sent.push(mail);
      },
    };
    deps.events = {
      publish: async (published) => {
        order.push("events");
        await events.publish(published);
      },
    };

    await applyEvent(deps, "o-ev-withdraw", {
      type: "WITHDRAW",
      actor: "buyer-1",
      requestId: "r-ev-withdraw",
    });

    expect(events.published.map((event) => [event.detailType, event.detail.status])).toEqual([
      ["WITHDRAWN", "WITHDRAWN"],
    ]);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(order[0]).toBe("events");
    expect(order.filter((step) => step === "events")).toHaveLength(1);
    await expect(store.pendingOutbox("o-ev-withdraw")).resolves.toEqual([]);
  });

  it("EventBridge down: the change stands, no mail goes before its events, nothing is given up, and a later delivery publishes then mails", async () => {
    const { store, deps, sent, events, counted } = await setup("o-ev-down", "r-ev-down");
    events.failures = Number.POSITIVE_INFINITY;

    const applied = await applyEvent(deps, "o-ev-down", {
      type: "WITHDRAW",
      actor: "buyer-1",
      requestId: "r-ev-down",
    });
    expect(applied.stored.record.requests["r-ev-down"]?.status).toBe("WITHDRAWN");
    const [carrier] = (await store.pendingOutbox("o-ev-down")).filter((entry) => entry.events);
    expect(carrier).toMatchObject({ kind: "MAIL", attempts: 1 });

    // The reconciler's rounds while EventBridge stays down, past the mail's give-up count.
    for (let round = 0; round < MAIL_MAX_ATTEMPTS + 1; round++) {
      await deliverOutbox(deps, "o-ev-down", [{ id: String(carrier?.id) }]);
    }
    expect(await store.failedOutbox("o-ev-down")).toEqual([]);
    expect(counted).not.toContain("MailFailed");
    expect(counted.filter((name) => name === "EventsNotPublished").length).toBe(
      MAIL_MAX_ATTEMPTS + 2,
    );
    const carrierMail = carrier?.kind === "MAIL" ? carrier.mail : undefined;
    expect(sent).not.toContainEqual(carrierMail);

    events.failures = 0;
    const report = await deliverOutbox(deps, "o-ev-down", [{ id: String(carrier?.id) }]);
    expect(report.delivered).toEqual([carrier?.id]);
    expect(events.published.map((event) => event.detailType)).toEqual(["WITHDRAWN"]);
    expect(sent).toContainEqual(carrierMail);
  });
});
