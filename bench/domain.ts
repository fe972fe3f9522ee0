// The pure domain: transition() on the hot events, the workflow's planner, and the mail renderer
// the workflow's step uses (functions/notifications/), in operations per second.
import type { DomainEvent } from "../functions/domain/events.ts";
import { transition } from "../functions/domain/transition.ts";
import type { OrderRecord } from "../functions/domain/types.ts";
import { planNextStep } from "../functions/domain/workflow-plan.ts";
import { renderEmail } from "../functions/notifications/render.ts";
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
import { opsPerSecond } from "./measure.ts";

export interface DomainResults {
  /** transition() per hot event, ops/s. */
  transitionOpsPerSec: Record<string, number>;
  renderEmailOpsPerSec: number;
  planNextStepOpsPerSec: number;
}

const hotEvents: [name: string, record: OrderRecord, event: DomainEvent, now: string][] = [
  // Shipped order with a withdrawn request in its history → a new request.
  ["REQUEST_CANCELLATION", readyToAsk(), askAgain, ASKED_AT],
  // Awaiting the seller → the seller approves, the marketplace review starts.
  ["SELLER_DECIDE", awaitingSeller(), sellerApproves, DECIDED_AT],
  // Awaiting the seller → the parcel arrives: the request becomes a return.
  ["DELIVER", awaitingSeller(), delivered, DECIDED_AT],
];

const expect = (condition: boolean, what: string) => {
  if (!condition) throw new Error(`domain benchmark fixture: ${what}`);
};

export const measureDomain = (): DomainResults => {
  const transitionOpsPerSec: Record<string, number> = {};
  for (const [name, record, event, now] of hotEvents) {
    expect(transition(record, event, now).ok, `${name} is refused`);
    transitionOpsPerSec[name] = opsPerSecond(() => {
      const decided = transition(record, event, now);
      if (!decided.ok) throw decided.error;
    });
  }

  const approved = refundPending();
  const sample = renderEmail("BUYER_APPROVED", approved, REQUEST_ID, DECIDED_AT);
  expect(sample.subject.includes(approved.order.orderId), "the subject names the order");
  expect(/[\u3040-\u30ff]/.test(sample.text), "the mail is in Japanese");
  const renderEmailOpsPerSec = opsPerSecond(() => {
    renderEmail("BUYER_APPROVED", approved, REQUEST_ID, DECIDED_AT);
  });

  // An hour after the request: the workflow waits for the seller.
  const waiting = awaitingSeller();
  const anHourLater = new Date(Date.parse(ASKED_AT) + 3_600_000).toISOString();
  expect(
    planNextStep(waiting, REQUEST_ID, anHourLater).next === "WAIT_SELLER_REMINDER",
    "the plan is to wait for the seller",
  );
  const planNextStepOpsPerSec = opsPerSecond(() => {
    planNextStep(waiting, REQUEST_ID, anHourLater);
  });

  return { transitionOpsPerSec, renderEmailOpsPerSec, planNextStepOpsPerSec };
};
