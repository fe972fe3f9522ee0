// The rules of the seller's decision links (domain/decision-links.ts): which request's mail may
// carry them, what a stored link may still do, and the seller's decision made through one (the
// timeline entry noted MAIL_LINK; the same rules as the API's otherwise).
import { describe, expect, it } from "vitest";
import {
  linkState,
  MAIL_LINK_NOTE,
  mayCarryDecisionLinks,
} from "../../functions/domain/decision-links.ts";
import type { DomainEvent } from "../../functions/domain/events.ts";
import type { Policy } from "../../functions/domain/policy.ts";
import { at, DAY, Flow, HOUR, policyWith, REQ, SELLER, sellerApprove, timelineOf } from "./flow.ts";

const viaLink = (event: DomainEvent): DomainEvent =>
  ({ ...event, via: MAIL_LINK_NOTE }) as DomainEvent;

const reject = (reason: string): DomainEvent => ({
  type: "SELLER_DECIDE",
  actor: SELLER,
  requestId: REQ,
  decision: "REJECT",
  reason,
});

describe("mayCarryDecisionLinks", () => {
  it("holds while the request awaits the seller and refunds at most the policy's max", () => {
    // The request refunds ¥5,480.
    const at5480 = Flow.shipped().requested(policyWith({ decisionLinkMaxAmount: { JPY: 5480 } }));
    expect(mayCarryDecisionLinks(at5480.record, at5480.request())).toBe(true);
    const below = Flow.shipped().requested(policyWith({ decisionLinkMaxAmount: { JPY: 5479 } }));
    expect(mayCarryDecisionLinks(below.record, below.request())).toBe(false);
  });

  it("never holds in a currency the policy does not list, nor once the seller decided", () => {
    const usdOnly = Flow.shipped().requested(policyWith({ decisionLinkMaxAmount: { USD: 1 } }));
    expect(mayCarryDecisionLinks(usdOnly.record, usdOnly.request())).toBe(false);
    const decided = Flow.shipped().requested();
    decided.apply(sellerApprove(), at(HOUR));
    expect(mayCarryDecisionLinks(decided.record, decided.request())).toBe(false);
  });

  it("reads a request stored before the policy had the field with the default (100000)", () => {
    const flow = Flow.shipped().requested();
    const { decisionLinkMaxAmount: _, ...older } = flow.request().policy;
    const request = { ...flow.request(), policy: older as Policy };
    expect(mayCarryDecisionLinks(flow.record, request)).toBe(true);
  });
});

describe("linkState", () => {
  const flow = Flow.shipped().requested();
  const link = { requestId: REQ, sellerId: SELLER, expiresAt: flow.request().sellerDeadline };

  it("is USABLE until the deadline, then EXPIRED; USED once used", () => {
    expect(linkState(link, flow.record, at(HOUR))).toBe("USABLE");
    expect(linkState(link, flow.record, link.expiresAt)).toBe("EXPIRED");
    expect(linkState({ ...link, usedAt: at(HOUR) }, flow.record, at(2 * HOUR))).toBe("USED");
  });

  it("is CLOSED once the request no longer awaits the seller", () => {
    const decided = Flow.shipped().requested();
    decided.apply(sellerApprove(), at(HOUR));
    expect(linkState(link, decided.record, at(2 * HOUR))).toBe("CLOSED");
  });

  it("is UNKNOWN without its order or request, or for another seller's order", () => {
    expect(linkState(link, undefined, at(HOUR))).toBe("UNKNOWN");
    expect(linkState({ ...link, requestId: "req-9" }, flow.record, at(HOUR))).toBe("UNKNOWN");
    expect(linkState({ ...link, requestId: "constructor" }, flow.record, at(HOUR))).toBe("UNKNOWN");
    expect(linkState({ ...link, sellerId: "seller-2" }, flow.record, at(HOUR))).toBe("UNKNOWN");
  });
});

describe("a seller's decision through a mail link", () => {
  it("approves as the API does, its entry noted MAIL_LINK", () => {
    const flow = Flow.shipped().requested();
    flow.apply(viaLink(sellerApprove()), at(HOUR));
    expect(flow.request().status).toBe("AWAITING_MARKETPLACE");
    expect(flow.request().timeline.at(-1)).toMatchObject({
      type: "SELLER_APPROVED",
      actor: SELLER,
      note: "MAIL_LINK",
    });
  });

  it("rejects as the API does, its entry noted MAIL_LINK; without via there is no note", () => {
    const flow = Flow.shipped().requested();
    flow.apply(viaLink(reject("already delivered")), at(HOUR));
    expect(flow.request().rejection).toMatchObject({ by: "SELLER", reason: "already delivered" });
    expect(flow.request().timeline.at(-1)).toMatchObject({ note: "MAIL_LINK" });

    const api = Flow.shipped().requested();
    api.apply(reject("already delivered"), at(HOUR));
    expect(api.request().timeline.at(-1)).not.toHaveProperty("note");
  });

  it("is refused past the seller's deadline, as the API's", () => {
    const flow = Flow.shipped().requested();
    const error = flow.refuse(viaLink(sellerApprove()), at(2 * DAY));
    expect(error.code).toBe("INVALID_STATE");
    expect(timelineOf(flow.request()).at(-1)?.[0]).toBe("SELLER_NOTIFIED");
  });
});
