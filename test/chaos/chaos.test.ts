// Chaos in `npm test`: seventeen flows (two of them line-level, three paid through the Stripe
// stand-in, two following the parcel after the cancellation) through local mode at once with a
// quarter of the calls failing at every target (the stream's pipe down for a moment, its first
// batch dead-lettered, records delivered twice; Stripe throttled and losing answers, a refund
// left pending, webhooks lost, sent twice and late), then recovery and the invariants
// (test/chaos/harness.ts); and a few random interleavings of the `npm run chaos` model. The full
// run: `npm run chaos`.
import "./quiet.ts";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChaosRun, type ChaosServer, type OrderSpec, startChaosServer } from "./harness.ts";
import { type LinePick, WHOLE } from "./lines.ts";
import { chaosProperty, emptyTotals } from "./model.ts";

let server: ChaosServer;

beforeAll(async () => {
  server = await startChaosServer();
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

type Step = (run: ChaosRun, index: number) => Promise<unknown>;
const nothing: Step = async () => undefined;

interface Flow {
  name: string;
  order: OrderSpec;
  /** The units the first request names (default: the whole order). */
  pick?: LinePick;
  /** What the flow does in each phase after the request (seller, then operator or carrier). */
  seller: Step;
  afterSeller: Step;
}

const small = (method: OrderSpec["method"], locale: OrderSpec["locale"] = "ja"): OrderSpec => ({
  locale,
  currency: "JPY",
  method,
  high: false,
});
const high = (method: OrderSpec["method"], currency: OrderSpec["currency"] = "JPY"): OrderSpec => ({
  locale: "en",
  currency,
  method,
  high: true,
});

const FLOWS: Flow[] = [
  {
    name: "seller approves, policy approves, card refund",
    order: small("CARD"),
    seller: (run, i) => run.sellerDecides(i, "APPROVE"),
    afterSeller: nothing,
  },
  {
    name: "seller rejects",
    order: small("CARD", "en"),
    seller: (run, i) => run.sellerDecides(i, "REJECT"),
    afterSeller: nothing,
  },
  {
    name: "buyer withdraws",
    order: small("GIFT_CARD"),
    seller: (run, i) => run.withdraw(i),
    afterSeller: nothing,
  },
  {
    name: "high value: operator approves",
    order: high("CARD"),
    seller: (run, i) => run.sellerDecides(i, "APPROVE"),
    afterSeller: (run, i) => run.operatorDecides(i, "APPROVE"),
  },
  {
    name: "high value: operator rejects",
    order: high("POINTS", "USD"),
    seller: (run, i) => run.sellerDecides(i, "APPROVE"),
    afterSeller: (run, i) => run.operatorDecides(i, "REJECT"),
  },
  {
    name: "nobody answers: reminder, escalation, review times out, approved by policy",
    order: high("CONVENIENCE_STORE"),
    seller: nothing,
    afterSeller: nothing,
  },
  {
    name: "cash on delivery: approved without a refund",
    order: small("CASH_ON_DELIVERY"),
    seller: (run, i) => run.sellerDecides(i, "APPROVE"),
    afterSeller: nothing,
  },
  {
    name: "the parcel arrives while the refund is under way",
    order: small("CARD"),
    seller: (run, i) => run.sellerDecides(i, "APPROVE"),
    afterSeller: (run, i) => run.deliver(i),
  },
  {
    name: "the parcel arrives while the seller decides",
    order: small("POINTS", "en"),
    seller: (run, i) => run.deliver(i),
    afterSeller: (run, i) => run.sellerDecides(i, "APPROVE"),
  },
  {
    name: "high value: operator approves, a declined card refund is retried as gift balance",
    order: high("CARD", "USD"),
    seller: (run, i) => run.sellerDecides(i, "APPROVE"),
    afterSeller: async (run, i) => {
      await run.operatorDecides(i, "APPROVE");
      await run.settle();
      await run.retryRefund(i, true);
    },
  },
  {
    name: "two lines with a coupon: one unit cancelled, then the rest previewed and requested",
    order: {
      ...small("CARD"),
      lines: [
        { quantity: 2, unitPrice: 1_980 },
        { quantity: 1, unitPrice: 3_333 },
      ],
      discount: 777,
    },
    pick: { kind: "some", quarters: [1, 0, 0], reversed: false },
    seller: (run, i) => run.sellerDecides(i, "APPROVE"),
    afterSeller: async (run, i) => {
      await run.settle();
      await run.previewCancellation(i, WHOLE, "NO_LONGER_NEEDED", true);
      await run.settle();
      await run.sellerDecides(i, "APPROVE");
    },
  },
  {
    name: "Stripe: seller approves, the card refund is made through the SDK",
    order: { ...small("CARD"), stripe: "pm_card_visa" },
    seller: (run, i) => run.sellerDecides(i, "APPROVE"),
    afterSeller: nothing,
  },
  {
    name: "Stripe, high value in USD: operator approves, the parcel arrives while the refund is under way",
    order: { ...high("CARD", "USD"), stripe: "pm_card_visa" },
    seller: (run, i) => run.sellerDecides(i, "APPROVE"),
    afterSeller: async (run, i) => {
      await run.operatorDecides(i, "APPROVE");
      await run.deliver(i);
    },
  },
  {
    name: "Stripe: a pm_card_refundFail refund succeeds, then fails (reversed); an operator refunds it as gift balance",
    order: { ...small("CARD", "en"), stripe: "pm_card_refundFail" },
    seller: (run, i) => run.sellerDecides(i, "APPROVE"),
    afterSeller: async (run, i) => {
      await run.settle();
      await run.pause(300);
      await run.retryRefund(i, true);
    },
  },
  {
    name: "delivered after the cancellation (reported twice): a return opens; the parcel goes back, its arrival reported twice, and the return is received",
    order: small("GIFT_CARD", "en"),
    seller: (run, i) => run.sellerDecides(i, "APPROVE"),
    afterSeller: async (run, i) => {
      await run.deliver(i, true, true);
      await run.track(i, "RETURNING_TO_SENDER");
      await run.track(i, "RETURNED_TO_SENDER", "twice");
    },
  },
  {
    name: "the buyer refuses the parcel while the seller decides; another carrier's client cannot see it; it is back before the late word that it is on its way",
    order: small("POINTS"),
    seller: async (run, i) => {
      await run.track(i, "DELIVERY_REFUSED");
      await run.reportAsAnotherCarrier(i);
      await run.sellerDecides(i, "APPROVE");
    },
    afterSeller: (run, i) => run.track(i, "RETURNED_TO_SENDER", "late"),
  },
  {
    name: "cash on delivery refuses lines (PARTIAL_NOT_SUPPORTED); the whole order is cancelled",
    order: { ...small("CASH_ON_DELIVERY", "en"), lines: [{ quantity: 3, unitPrice: 1_200 }] },
    pick: { kind: "some", quarters: [1, 0, 0], reversed: false },
    seller: async (run, i) => {
      await run.requestCancellation(i, "ORDERED_BY_MISTAKE", false);
      await run.settle();
      await run.sellerDecides(i, "APPROVE");
    },
    afterSeller: nothing,
  },
];

describe("chaos", () => {
  it("seventeen flows with 25 % faults at every target: after recovery every invariant holds", async () => {
    const run = await ChaosRun.create(
      server,
      FLOWS.map((flow) => flow.order),
    );
    // People repeat a call answered 503, as its Retry-After invites.
    run.repeatUnavailable = 3;
    try {
      run.addFault({ target: "dynamodb", error: "timeout", rate: 0.25 });
      run.addFault({ target: "stepfunctions", error: "timeout", rate: 0.25 });
      run.addFault({ target: "ses", error: "throttle", rate: 0.25 });
      run.addFault({ target: "eventbridge", error: "timeout", rate: 0.25 });
      // Each matching fault rolls in turn: card refunds are declined, or else time out.
      run.addFault({ target: "payments", operation: "CARD", error: "declined", rate: 0.25 });
      run.addFault({ target: "payments", error: "timeout", rate: 0.25 });
      // Stripe: throttled, refunds made with their answer lost (the SDK's retry replays them),
      // the first refund left pending; its webhooks: two lost, two answered unheard (sent
      // again), two held back (sent late).
      run.addFault({ target: "stripe", error: "throttle", rate: 0.25 });
      run.addFault({ target: "stripe", operation: "refunds.create", error: "timeout", rate: 0.25 });
      run.addFault({ target: "stripe", error: "pending", count: 1 });
      run.addFault({ target: "stripe", operation: "webhook", error: "unavailable", count: 2 });
      run.addFault({ target: "stripe", operation: "webhook", error: "timeout", count: 2 });
      run.addFault({ target: "stripe", operation: "webhook", error: "throttle", count: 2 });

      const everyone = (step: Step) =>
        Promise.all(FLOWS.map((_, index) => step(run, index))).then(() => run.observe());
      await everyone((r, i) => r.importOrder(i));
      await everyone((r, i) => r.ship(i));
      // The pipe as the requests come: down for a few polls; then its first batch fails all 11
      // tries (a dead letter: those starts are lost); then two deliveries lose the starter's
      // answer (their records are delivered again).
      run.addFault({ target: "pipes", error: "unavailable", count: 10 });
      run.addFault({ target: "pipes", error: "throttle", count: 11 });
      run.addFault({ target: "pipes", error: "timeout", count: 2 });
      await everyone((r, i) =>
        r.requestCancellation(
          i,
          i === 1 ? "OTHER" : "NO_LONGER_NEEDED",
          false,
          (FLOWS[i] as Flow).pick ?? WHOLE,
        ),
      );
      // One buyer sends it again, as after a lost answer.
      await run.requestCancellation(0, "NO_LONGER_NEEDED", true);
      await run.settle();
      // The reconciler's schedule comes round: it starts what the dead letter lost.
      await run.sweep();
      await run.settle();
      await everyone((r, i) => (FLOWS[i] as Flow).seller(r, i));
      await run.settle();
      await everyone((r, i) => (FLOWS[i] as Flow).afterSeller(r, i));
      for (let round = 0; round < 3; round++) {
        await run.settle();
        run.expireWaits();
        await run.observe();
      }

      await run.recover();
      await run.checkInvariants();
      // What the run went through (inside the try: a miss shows the run's trail).
      expect(run.stats.faultsFired).toBeGreaterThan(0);
      expect(run.stats.requests).toBeGreaterThanOrEqual(FLOWS.length);
      // The pipe's faults did what they are for: a lost start, started by the sweep.
      expect(run.stats.deadLettered).toBeGreaterThan(0);
      expect(run.stats.startedBySweep).toBeGreaterThan(0);
      // Stripe refunded the visa orders, and the refundFail card's refund failed after all.
      expect(run.stats.stripe["refunds succeeded"]).toBeGreaterThan(0);
      expect(run.stats.stripe["refunds failed"]).toBeGreaterThan(0);
      expect(run.stats.stripe["webhooks lost"]).toBe(2);
      // The carrier's tracking events moved parcels, and another carrier's client was refused.
      expect(Object.keys(run.stats.parcel).some((kind) => kind.includes("moved the parcel"))).toBe(
        true,
      );
      expect(run.stats.parcel["another carrier's reports refused (404)"]).toBeGreaterThan(0);
    } catch (error) {
      const stats = JSON.stringify({ stripe: run.stats.stripe, parcel: run.stats.parcel });
      throw new Error(
        `${(error as Error).message}\n  stats: ${stats}\n  trail:\n    ${run.trail.join("\n    ")}`,
      );
    } finally {
      run.close();
    }
  }, 50_000);

  it("random interleavings of the chaos model keep every invariant", async () => {
    const totals = emptyTotals();
    await fc.assert(chaosProperty(server, totals, { maxCommands: 12 }), {
      numRuns: 6,
      interruptAfterTimeLimit: 12_000,
    });
    expect(totals.breaks).toBe(0);
  }, 40_000);
});
