// A transition being built (the Draft) and the changes more than one kind of event makes with it:
// refusals, the status check, and a refund's outcomes (made, failed, the cancellation completed).
// transition.ts decides which event does what; provider-updates.ts reads the provider's word.
import { nothingLeft } from "./amounts.ts";
import { chainEntry, chainUnchained } from "./audit.ts";
import { DomainError, type DomainErrorCode } from "./events.ts";
import { eventRefundOf } from "./published-events.ts";
import { addSeconds, faultOf } from "./requests.ts";
import type {
  CancellationRequest,
  EntryEvent,
  Order,
  OrderRecord,
  ProviderRefund,
  Refund,
  TimelineEntry,
} from "./types.ts";

export type TransitionResult =
  | { ok: true; record: OrderRecord }
  | { ok: false; error: DomainError };

/** Actors that are not people. */
export const SYSTEM = "system";
export const POLICY = "policy";

const MAX_NOTE_LENGTH = 200;

// A function declaration, so that TypeScript narrows types after a call to it.
export function refuse(code: DomainErrorCode, message: string): never {
  throw new DomainError(code, message);
}

/**
 * A transition being built on a private copy of the record. Every change to a request or to the
 * order's status goes through `log`, which stamps `updatedAt` and appends the timeline entry.
 */
export class Draft {
  readonly record: OrderRecord;
  /** The request entries this change wrote: each gets the request as the change leaves it. */
  private readonly written: { request: CancellationRequest; entry: TimelineEntry }[] = [];

  constructor(
    record: OrderRecord,
    readonly now: string,
  ) {
    this.record = structuredClone(record);
    // Entries of a record stored before the audit chain was kept join it before any new one.
    chainUnchained(this.record, now);
  }

  get order(): Order {
    return this.record.order;
  }

  request(requestId: string): CancellationRequest {
    // Own properties only: an id such as "constructor" must not find Object.prototype's members.
    if (!Object.hasOwn(this.record.requests, requestId)) {
      refuse("NOT_FOUND", "no such cancellation request");
    }
    return this.record.requests[requestId] as CancellationRequest;
  }

  log(
    target: CancellationRequest | Order,
    type: TimelineEntry["type"],
    actor: string,
    note?: string,
  ) {
    const entry: TimelineEntry = { at: this.now, type, actor };
    // Whole characters: a cut in the middle of a surrogate pair would leave text that is not
    // valid Unicode in the entry's canonical JSON (audit.ts).
    if (note) entry.note = [...note].slice(0, MAX_NOTE_LENGTH).join("");
    target.timeline.push(entry);
    chainEntry(this.record, entry, "requestId" in target ? target.requestId : undefined, this.now);
    target.updatedAt = this.now;
    if ("requestId" in target) this.written.push({ request: target, entry });
  }

  /**
   * Ends a request (every terminal status comes through here): it frees the order for a new
   * request, and records whose fault the cancellation was.
   */
  close(request: CancellationRequest) {
    request.fault = faultOf(request.reason, this.order);
    if (this.order.activeCancellationRequestId === request.requestId) {
      this.order.activeCancellationRequestId = null;
    }
  }

  result(): TransitionResult {
    for (const { request, entry } of this.written) entry.event = entryEvent(request);
    return { ok: true, record: this.record };
  }
}

/** The request as its domain events report it: its status, and its refund once it has one. */
const entryEvent = ({ status, refund }: CancellationRequest): EntryEvent => ({
  status,
  ...(refund && { refund: eventRefundOf(refund) }),
});

export const expectStatus = (
  request: CancellationRequest,
  ...allowed: CancellationRequest["status"][]
) => {
  if (!allowed.includes(request.status)) {
    refuse("INVALID_STATE", `the request is ${request.status}; this needs ${allowed.join(" or ")}`);
  }
};

/**
 * The request's claimed refund whose outcome is still awaited; refused otherwise. A completed
 * request has one only after its refund was reversed and retried.
 */
export const claimedRefund = (draft: Draft, requestId: string) => {
  const request = draft.request(requestId);
  expectStatus(request, "REFUND_PENDING", "COMPLETED");
  const refund = request.refund;
  if (!refund?.refundId || refund.status !== "PENDING") {
    refuse("INVALID_STATE", "no claimed refund is pending");
  }
  return { request, refund };
};

/** Keeps what the provider said of the refund: its word, its own id, the bank's reference. */
export const noteAnswer = (refund: Refund, answer: ProviderRefund | undefined) => {
  if (!answer) return;
  refund.providerStatus = answer.status;
  refund.providerRefundId = answer.providerReference;
  if (answer.reference) refund.reference = answer.reference;
  if (answer.failureReason) refund.failureReason = answer.failureReason;
};

export const succeedRefund = (draft: Draft, request: CancellationRequest, refund: Refund) => {
  refund.status = "SUCCEEDED";
  refund.succeededAt = draft.now;
  refund.declined = false;
  refund.pendingSince = null;
  draft.log(request, "REFUND_SUCCEEDED", SYSTEM);
  // A completed request's refund (a retry after a reversal) counts as refunded once it is.
  if (request.status === "COMPLETED") draft.order.refundedAmount += refund.amount;
};

/**
 * The refund failed: for good when `declined` (its key is spent). An open request waits for an
 * operator (or the policy's fallback at the deadline); a completed one keeps its status.
 */
export const failRefund = (
  draft: Draft,
  request: CancellationRequest,
  refund: Refund,
  error: string,
  declined: boolean,
) => {
  refund.status = "FAILED";
  refund.declined = declined;
  refund.pendingSince = null;
  // Recorded once the refund's outcome is known: no call of it is still in flight.
  refund.callStartedAt = null;
  if (request.status !== "COMPLETED") request.status = "REFUND_FAILED";
  request.refundRetryDeadline = addSeconds(draft.now, request.policy.refundRetryWaitSeconds);
  draft.log(request, "REFUND_FAILED", SYSTEM, error);
};

/**
 * The cancellation is done: the request completes, its units count as cancelled and its refund as
 * refunded, and the order is cancelled once every unit is.
 */
export const complete = (draft: Draft, request: CancellationRequest) => {
  request.status = "COMPLETED";
  request.refundRetryDeadline = null;
  draft.close(request);
  draft.log(request, "COMPLETED", SYSTEM);
  const { order } = draft;
  for (const { lineId, quantity } of request.lines) {
    const line = order.lines.find((candidate) => candidate.lineId === lineId);
    if (line) line.cancelledQuantity = Math.min(line.quantity, line.cancelledQuantity + quantity);
  }
  if (request.refund?.status === "SUCCEEDED") order.refundedAmount += request.refund.amount;
  order.updatedAt = draft.now;
  if (nothingLeft(order)) {
    order.status = "CANCELLED";
    draft.log(order, "CANCELLED", SYSTEM);
  }
};
