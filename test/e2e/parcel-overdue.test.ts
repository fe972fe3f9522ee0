// End to end over HTTP: a return past its due date (SPEC "The parcel after a cancellation": past
// `dueBy` it becomes OVERDUE and operators are alerted, on the reconciler's schedule) in local
// mode under a POLICY_FILE with `returnAfterCancellationDays: 1`. Local mode has no clock to move
// and a day is too long to wait; its handlers run in this process and read the service's clock
// (`systemClock`), so the test sets that clock a day on for the sweeps it asks for, as if the
// reconciler's schedule came round then. Every answer is checked against docs/openapi.json.
import { expect, it } from "vitest";
import { systemClock } from "../../functions/app/ports.ts";
import { type Json, type Party, shopUnderPolicy } from "../support/line-orders.ts";

const env = shopUnderPolicy({ version: "e2e-return-in-a-day", returnAfterCancellationDays: 1 });

const DAY_MS = 86_400_000;

/** Runs `work` with the service's clock `ms` ahead of the real one. */
const later = async <T>(ms: number, work: () => Promise<T>): Promise<T> => {
  const now = systemClock.now;
  systemClock.now = () => new Date(Date.now() + ms).toISOString();
  try {
    return await work();
  } finally {
    systemClock.now = now;
  }
};

/** `POST /_local/sweep`: the orders whose return it marked overdue. */
const sweep = async (): Promise<string[]> => {
  const response = await env.api.post("/_local/sweep", undefined);
  expect(response.status).toBe(200);
  // The reconciler's report has `overdue`; the audit seal's, after it, has none.
  return (response.body.results as { overdue?: string[] }[]).flatMap(
    (report) => report.overdue ?? [],
  );
};

const timelineTypes = (order: Json) =>
  (order.timeline as { type: string }[]).map((entry) => entry.type);

const operatorMail = (party: Party, subject: string) =>
  env.api.until(async () => {
    const found = (await env.api.emails()).filter(
      (mail) =>
        mail.to.includes("operators@example.com") &&
        mail.subject.startsWith(subject) &&
        mail.subject.includes(party.orderId),
    );
    return found.length > 0 ? found : undefined;
  }, `operators' mail "${subject}" about ${party.orderId}`);

it("publishes the policy's returnAfterCancellationDays", async () => {
  const policy = await env.api.get("/policy");
  expect(policy.body).toMatchObject({
    version: "e2e-return-in-a-day",
    returnAfterCancellationDays: 1,
  });
});

it("a return not back by its dueBy: the sweep after it marks it OVERDUE once and alerts operators; back later, it is RECEIVED", async () => {
  const party = await env.shop.anOrder({ locale: "en" });
  const { done } = await env.shop.cancel(party, env.shop.bodyFor());
  const delivered = await env.shop.deliver(party);
  expect(delivered.status).toBe(200);
  const owed = delivered.body.return as { dueBy: string; openedAt: string };
  expect(Date.parse(owed.dueBy) - Date.parse(owed.openedAt)).toBe(DAY_MS);

  // Before its due date a sweep leaves it alone.
  expect(await sweep()).not.toContain(party.orderId);
  expect((await env.shop.order(party)).return).toMatchObject({ status: "REQUESTED" });

  // A day and a minute on, the schedule comes round: the return is overdue.
  expect(await later(DAY_MS + 60_000, sweep)).toContain(party.orderId);
  const overdue = await env.shop.order(party);
  expect(overdue).toMatchObject({
    status: "CANCELLED",
    parcel: { status: "DELIVERED" },
    return: { status: "OVERDUE", dueBy: owed.dueBy, closedAt: null },
  });
  expect(timelineTypes(overdue).at(-1)).toBe("RETURN_OVERDUE");
  // Marked once: the next time round finds nothing more to mark.
  expect(await later(DAY_MS + 120_000, sweep)).not.toContain(party.orderId);
  expect(timelineTypes(await env.shop.order(party))).toEqual(timelineTypes(overdue));

  // Operators are alerted, once, and it is published with the latest request's id.
  const [alert, ...more] = await operatorMail(
    party,
    "Return overdue: cancelled items not sent back",
  );
  expect(more).toEqual([]);
  expect(alert?.text).toContain(party.orderId);
  expect(alert?.text).toContain(party.buyer.sub);
  expect(alert?.text).toContain("4470-1234-5678");
  const event = await env.api.until(async () => {
    const events = await env.api.events();
    return events.find(
      (item) => item.detailType === "RETURN_OVERDUE" && item.detail.orderId === party.orderId,
    );
  }, "the RETURN_OVERDUE event");
  expect(event.detail).toMatchObject({
    eventId: `${party.orderId}.order.${timelineTypes(overdue).indexOf("RETURN_OVERDUE")}`,
    requestId: done.requestId,
    return: { status: "OVERDUE" },
  });

  // The parcel comes back after all: the return is received.
  const back = await env.api.post(
    `/orders/${party.orderId}/tracking-events`,
    await env.api.carrier("yamato"),
    { type: "RETURNED_TO_SENDER", at: new Date().toISOString() },
  );
  expect(back.status).toBe(200);
  expect(back.body).toMatchObject({
    parcel: { status: "RETURNED" },
    return: { status: "RECEIVED", dueBy: owed.dueBy },
  });
}, 60_000);
