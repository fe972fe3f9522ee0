// Shared by the application's tests: a world of in-memory fakes (test/support/fakes.ts) with an
// order in it, and a stand-in for what the state machine does around the segment step
// (infra/workflow.ts): the stream's starter starts a request's execution named by its id, each
// segment ends in a wait (its task token stored with the status it waits in, while the request
// is still in it; otherwise it continues at once) or the execution's end.
import type { EventSource } from "../../functions/app/change-order.ts";
import type { StoredOrder } from "../../functions/app/ports.ts";
import {
  type CancellationOutcome,
  requestCancellation,
} from "../../functions/app/request-cancellation.ts";
import { runSegment, type SegmentEnd } from "../../functions/app/segment.ts";
import { EMAIL_TEMPLATES } from "../../functions/domain/notices.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import type { OrderRecord, RequestStatus } from "../../functions/domain/types.ts";
import type { WaitStep } from "../../functions/domain/workflow-plan.ts";
import { renderEmail } from "../../functions/notifications/render.ts";
import { makeOrder, makeRecord, type OrderOverrides } from "../support/factories.ts";
import { fakeWorld } from "../support/fakes.ts";

export type World = ReturnType<typeof fakeWorld>;

export const ORDER = "o-1001";
export const BUYER = "buyer-1";
export const SELLER = "seller-1";
export const OPERATOR = "op-1";

/** A world at 2026-11-21T00:00Z with a shipped order (¥5,480 by card) and no request yet. */
export const worldWithOrder = async (order: OrderOverrides = {}): Promise<World> => {
  const world = fakeWorld();
  await world.table.create(makeRecord(makeOrder(order), []));
  return world;
};

/** The buyer's POST, as the route makes it. */
export const postCancellation = (
  world: World,
  overrides: { idempotencyKey?: string; requestHash?: string; comment?: string | null } = {},
): Promise<CancellationOutcome> =>
  requestCancellation(world.changeDeps(), {
    orderId: ORDER,
    actor: BUYER,
    reason: "NO_LONGER_NEEDED",
    comment: overrides.comment ?? null,
    idempotencyKey: overrides.idempotencyKey ?? "idem-1",
    requestHash: overrides.requestHash ?? "a".repeat(64),
    policy: DEFAULT_POLICY,
    visible: (order) => order.buyerId === BUYER,
  });

/** The buyer's request, made; answers its id. */
export const requested = async (world: World): Promise<string> => {
  const outcome = await postCancellation(world);
  if (outcome.kind !== "ACCEPTED") throw new Error("the request was not accepted");
  return outcome.request.requestId;
};

export const stored = async (world: World, orderId = ORDER): Promise<StoredOrder> => {
  const order = await world.table.get(orderId);
  if (!order) throw new Error(`no order ${orderId}`);
  return order;
};

export const recordOf = async (world: World, orderId = ORDER): Promise<OrderRecord> =>
  (await stored(world, orderId)).record;

/** The status each wait state waits in (infra/workflow.ts). */
export const WAIT_STATUS: Record<WaitStep, RequestStatus> = {
  WAIT_SELLER_REMINDER: "AWAITING_SELLER",
  WAIT_SELLER: "AWAITING_SELLER",
  WAIT_OPERATOR: "AWAITING_MARKETPLACE",
  WAIT_REFUND_RETRY: "REFUND_FAILED",
  WAIT_REFUND_SETTLEMENT: "REFUND_PENDING",
  WAIT_COMPLETED_REFUND: "COMPLETED",
};

/** The state machine around the segment step, in memory. */
export class Machine {
  private tokens = 0;
  /** Every segment's end, in order. */
  readonly ends: SegmentEnd[] = [];

  constructor(
    private readonly world: World,
    readonly orderId = ORDER,
  ) {}

  /** What the pipe's starter does for a new request: an execution named by the request id. */
  async start(requestId: string): Promise<SegmentEnd> {
    const input = { orderId: this.orderId, requestId, correlationId: requestId };
    await this.world.workflow.start(input, requestId);
    return this.segment(requestId, { type: "WORKFLOW_STARTED", requestId });
  }

  /**
   * One segment and what follows it: at DONE the execution ends; at a wait, the token is stored
   * with the status the wait is for, unless the request already left it (then the next segment
   * runs at once, as ContinueAfterWait).
   */
  async segment(requestId: string, wake?: EventSource): Promise<SegmentEnd> {
    let event = wake;
    for (;;) {
      const end = await runSegment(this.world.segmentDeps(), this.orderId, requestId, event);
      this.ends.push(end);
      if (end.next === "DONE") {
        const name = (await stored(this.world, this.orderId)).executions[requestId]?.name;
        const execution = this.world.workflow.executions.get(name ?? requestId);
        if (execution) execution.running = false;
        return end;
      }
      const token = `token-${requestId}-${++this.tokens}`;
      if (this.park(requestId, token, WAIT_STATUS[end.next])) return end;
      event = undefined;
    }
  }

  /** Stores a wait's token, as a wait state does (only while the request is in `status`). */
  park(requestId: string, token: string, status: RequestStatus): boolean {
    if (!this.world.table.storeWait(this.orderId, requestId, token, status)) return false;
    this.world.workflow.waiting.add(token);
    return true;
  }

  /** The token the request's execution waits with, if it does. */
  async waitToken(requestId: string): Promise<string | undefined> {
    return (await stored(this.world, this.orderId)).waits[requestId]?.token;
  }
}

/**
 * The mail sent, in order, as `<template> <recipients>`: a subject is its template's fixed wording
 * and the order id, so each one names its template.
 */
export const mailSent = async (world: World, orderId = ORDER): Promise<string[]> => {
  const record = await recordOf(world, orderId);
  const requestId = Object.keys(record.requests)[0] ?? "";
  const bySubject = new Map<string, string>();
  for (const template of EMAIL_TEMPLATES) {
    try {
      bySubject.set(renderEmail(template, record, requestId, world.clock.now()).subject, template);
    } catch {
      // A template the record has no data for yet names no mail sent from it either.
    }
  }
  return world.mailer.sent.map(
    (mail) => `${bySubject.get(mail.subject) ?? mail.subject} ${mail.to.join()}`,
  );
};

/** The events published, as `<type>@<eventId>`, in order. */
export const publishedEvents = (world: World): string[] =>
  world.publisher.published.map((event) => `${event.detailType}@${event.detail.eventId}`);
