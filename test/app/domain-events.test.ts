// Domain events leave through the outbox (DynamoDB Local): saved in the change's own write, on its
// first mail or signal (or an entry of their own), published just before it, and retried until
// EventBridge takes them, without ever holding back that mail or signal.
import { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it } from "vitest";
import type { Mail } from "../../functions/adapters/mailer.ts";
import { OrderStore } from "../../functions/adapters/order-store.ts";
import { type AppDeps, applyEvent } from "../../functions/app/apply-event.ts";
import { deliverOutbox, MAIL_MAX_ATTEMPTS } from "../../functions/app/outbox.ts";
import type { CountMetric } from "../../functions/app/powertools.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
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
  it("a change without mail carries its events on its signal, published before it", async () => {
    const { store, deps, events } = await setup("o-ev-approve", "r-ev-approve");
    const saved = store.save.bind(store);
    const written: { kind: string; events: number }[] = [];
    store.save = (async (...args: Parameters<OrderStore["save"]>) => {
      for (const entry of args[2] ?? []) {
        written.push({ kind: entry.kind, events: entry.events?.length ?? 0 });
      }
      return saved(...args);
    }) as OrderStore["save"];

    await applyEvent(deps, "o-ev-approve", {
      type: "SELLER_DECIDE",
      actor: "seller-1",
      requestId: "r-ev-approve",
      decision: "APPROVE",
    });

    expect(written).toEqual([{ kind: "SIGNAL", events: 1 }]);
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

  it("a change with nothing to deliver holds its events on the order, in its own write, until the next change carries them", async () => {
    const { store, deps, events } = await setup("o-ev-held", "r-ev-held");
    // A finished request, so that the buyer may ask again.
    const stored = await store.get("o-ev-held");
    if (!stored) throw new Error("no order");
    const ended = structuredClone(stored.record);
    for (const request of Object.values(ended.requests)) request.status = "REJECTED";
    ended.order.activeCancellationRequestId = null;
    await store.save(stored, ended, [], at(2));
    const started: string[] = [];
    deps.workflow = {
      start: async (input: { requestId: string }) => started.push(input.requestId),
    } as never;
    const saved = store.save.bind(store);
    const written: string[][] = [];
    store.save = (async (...args: Parameters<OrderStore["save"]>) => {
      written.push((args[2] ?? []).map((entry) => entry.kind));
      return saved(...args);
    }) as OrderStore["save"];

    // The buyer's request: its one effect is the workflow's start, which the caller makes.
    await applyEvent(deps, "o-ev-held", {
      type: "REQUEST_CANCELLATION",
      actor: "buyer-1",
      requestId: "r-ev-held-2",
      reason: "NO_LONGER_NEEDED",
      comment: null,
      idempotencyKey: "k-2",
      requestHash: "h-2",
      policy: DEFAULT_POLICY,
    } as DomainEvent);
    expect(written).toEqual([[]]);
    expect(started).toEqual(["r-ev-held-2"]);
    expect(events.published).toEqual([]);
    const held = await store.get("o-ev-held");
    expect(held?.heldEvents?.map((event) => [event.detailType, event.detail.status])).toEqual([
      ["REQUESTED", "REQUESTED"],
    ]);

    // Its workflow's first step mails the receipts: the first carries both changes' events.
    await applyEvent(deps, "o-ev-held", { type: "WORKFLOW_STARTED", requestId: "r-ev-held-2" });
    expect(written[1]?.[0]).toBe("MAIL");
    expect(events.published.map((event) => [event.detailType, event.detail.eventId])).toEqual([
      ["REQUESTED", eventIdOf("r-ev-held-2", 0)],
      ["SELLER_NOTIFIED", eventIdOf("r-ev-held-2", 1)],
    ]);
    expect((await store.get("o-ev-held"))?.heldEvents).toBeUndefined();
    await expect(store.pendingOutbox("o-ev-held")).resolves.toEqual([]);
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

  it("EventBridge down: the change stands and its mail goes out anyway; its events wait in an entry of their own, never given up, until a later delivery publishes them", async () => {
    const { store, deps, sent, events, counted } = await setup("o-ev-down", "r-ev-down");
    events.failures = Number.POSITIVE_INFINITY;

    const applied = await applyEvent(deps, "o-ev-down", {
      type: "WITHDRAW",
      actor: "buyer-1",
      requestId: "r-ev-down",
    });
    expect(applied.stored.record.requests["r-ev-down"]?.status).toBe("WITHDRAWN");
    // Both mails (to the buyer and the seller) went out; the first one's events did not.
    expect(sent).toHaveLength(2);
    const pending = await store.pendingOutbox("o-ev-down");
    expect(pending).toEqual([
      expect.objectContaining({ kind: "EVENTS", attempts: 1, lastError: "InternalException" }),
    ]);
    expect(pending[0]).not.toHaveProperty("mail");
    const id = String(pending[0]?.id);

    // The reconciler's rounds while EventBridge stays down, past a mail's give-up count.
    for (let round = 0; round < MAIL_MAX_ATTEMPTS + 1; round++) {
      await deliverOutbox(deps, "o-ev-down", [{ id }]);
    }
    expect(await store.failedOutbox("o-ev-down")).toEqual([]);
    expect(counted).not.toContain("MailFailed");
    expect(counted.filter((name) => name === "EventsNotPublished")).toHaveLength(
      MAIL_MAX_ATTEMPTS + 2,
    );
    expect(sent).toHaveLength(2);

    events.failures = 0;
    const report = await deliverOutbox(deps, "o-ev-down", [{ id }]);
    expect(report.delivered).toEqual([id]);
    expect(events.published.map((event) => event.detailType)).toEqual(["WITHDRAWN"]);
    expect(sent).toHaveLength(2);
    await expect(store.pendingOutbox("o-ev-down")).resolves.toEqual([]);
  });
});
