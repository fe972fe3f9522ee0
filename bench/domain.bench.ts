// The pure domain: transition() on the hot events, email rendering and the workflow's planner.
import { afterAll, expect, test } from "vitest";
import { renderEmail } from "../functions/domain/emails.ts";
import type { DomainEvent } from "../functions/domain/events.ts";
import { transition } from "../functions/domain/transition.ts";
import type { OrderRecord } from "../functions/domain/types.ts";
import { planNextStep } from "../functions/domain/workflow-plan.ts";
import {
  ASKED_AT,
  askAgain,
  awaitingSeller,
  DECIDED_AT,
  delivered,
  REQUEST_ID,
  readyToAsk,
  refundPending,
  sellerApproves,
} from "./fixtures.ts";
import { createReport } from "./report.ts";
import { TARGETS } from "./targets.ts";

// Local bindings: calling through the module runner's export getters would be measured too.
const transitionFn = transition;
const renderEmailFn = renderEmail;
const planNextStepFn = planNextStep;

const report = createReport("domain");
afterAll(() => report.print());

const target = TARGETS.domain;

const hotEvents: [name: string, record: OrderRecord, event: DomainEvent, now: string][] = [
  // Shipped order with a withdrawn request in its history → a new request.
  ["REQUEST_CANCELLATION", readyToAsk(), askAgain, ASKED_AT],
  // Awaiting the seller → the seller approves, the marketplace review starts.
  ["SELLER_DECIDE", awaitingSeller(), sellerApproves, DECIDED_AT],
  // Awaiting the seller → the parcel arrives: the request becomes a return.
  ["DELIVER", awaitingSeller(), delivered, DECIDED_AT],
];

test.for(hotEvents)(
  `transition(%s) ≥ ${target.transitionOpsPerSec.toLocaleString("en-US")} ops/s`,
  async ([name, record, event, now], { bench }) => {
    expect(transitionFn(record, event, now).ok).toBe(true);
    const result = await bench(`transition ${name}`, () => {
      const decided = transitionFn(record, event, now);
      if (!decided.ok) throw decided.error;
    }).run();
    report.atLeast(
      `transition ${name}`,
      result.throughput.mean,
      target.transitionOpsPerSec,
      "ops/s",
    );
  },
);

test(`renderEmail(BUYER_APPROVED, ja) ≥ ${target.renderEmailOpsPerSec.toLocaleString("en-US")} ops/s`, async ({
  bench,
}) => {
  const record = refundPending();
  const sample = renderEmailFn("BUYER_APPROVED", record, REQUEST_ID, DECIDED_AT);
  expect(sample.subject).toContain(record.order.orderId);
  expect(sample.text).toMatch(/[\u3040-\u30ff]/);
  const result = await bench("renderEmail BUYER_APPROVED ja", () => {
    renderEmailFn("BUYER_APPROVED", record, REQUEST_ID, DECIDED_AT);
  }).run();
  report.atLeast(
    "renderEmail BUYER_APPROVED (ja)",
    result.throughput.mean,
    target.renderEmailOpsPerSec,
    "ops/s",
  );
});

test(`planNextStep ≥ ${target.planNextStepOpsPerSec.toLocaleString("en-US")} ops/s`, async ({
  bench,
}) => {
  const record = awaitingSeller();
  // An hour after the request: waiting for the reminder.
  const now = new Date(Date.parse(ASKED_AT) + 3_600_000).toISOString();
  expect(planNextStepFn(record, REQUEST_ID, now).next).toBe("WAIT_SELLER_REMINDER");
  const result = await bench("planNextStep AWAITING_SELLER", () => {
    planNextStepFn(record, REQUEST_ID, now);
  }).run();
  report.atLeast(
    "planNextStep (AWAITING_SELLER)",
    result.throughput.mean,
    target.planNextStepOpsPerSec,
    "ops/s",
  );
});
