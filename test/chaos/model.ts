// The chaos model: fast-check commands for everyone who acts on a cancellation (buyer, seller,
// operator, carrier, the timers, the reconciler) and for faults toggled on every target, run
// against local mode through `ChaosRun`. A run is one random interleaving on fresh orders (of
// several lines, often discounted); the buyer asks for some units or all that is left, previews
// first, or sends `lines` SPEC refuses. Half the card orders are paid through the Stripe stand-in
// (one in three of those with the card whose refunds fail after succeeding), and Stripe's faults
// (throttles, outages, lost answers, refunds left pending, webhooks lost, sent twice or late) are
// among those drawn. The carrier reports deliveries (after a completed cancellation too) and the
// parcel's tracking events (refused, on its way back, back; sent twice, late, and by another
// carrier's client, which must not see the order). After its commands the faults stop, recovery
// runs and the invariants are checked.
import fc from "fast-check";
import { TRACKING_EVENT_TYPES } from "../../functions/domain/schemas.ts";
import type { FaultSpec } from "../../local/faults.ts";
import {
  Break,
  ChaosRun,
  type ChaosServer,
  type OrderSpec,
  PAYMENT_METHODS,
  REASONS,
  type Reason,
  type StripeCard,
} from "./harness.ts";
import { BAD_LINES, describePick, type LinePick, WHOLE } from "./lines.ts";

export interface Model {
  imported: boolean[];
  shipped: boolean[];
}

type Act = (run: ChaosRun, model: Model) => Promise<unknown>;

/** One action; after it, the run's requests are read and checked (a terminal one never moves). */
export class Action implements fc.AsyncCommand<Model, ChaosRun> {
  constructor(
    private readonly label: string,
    private readonly needs: (model: Model) => boolean,
    private readonly act: Act,
  ) {}

  check(model: Readonly<Model>): boolean {
    return this.needs(model as Model);
  }

  async run(model: Model, run: ChaosRun): Promise<void> {
    await this.act(run, model);
    await run.observe();
  }

  toString(): string {
    return this.label;
  }
}

const always = () => true;
const imported = (index: number) => (model: Model) => model.imported[index] === true;

/** Which order of the run an action is about (runs have one or two). */
const anOrder = fc.integer({ min: 0, max: 1 });
const ORDER_COUNT_MAX = 2;
const inRange = (model: Model, index: number) => index < model.imported.length;

/** Step Functions: the API (the reconciler's and the API's wake-ups), and the states' tasks. */
const SFN_OPERATIONS = [
  "StartExecution",
  "SendTaskSuccess",
  "ListExecutions",
  "DescribeExecution",
  "StartRequest",
  "ContinueAfterWait",
  "RemindSeller",
  "ApplySellerTimeout",
  "ApplyMarketplaceTimeout",
  "RetryRefundAfterWait",
  "RecordRefundFailure",
  "RecordWorkflowFailure",
  // The starter's start of one record (the Express state machine the pipe runs).
  "StartRequestWorkflow",
] as const;
/** What the functions and the workflow's wait states call (the ledger's PutItem among them). */
const DYNAMODB_OPERATIONS = [
  "GetItem",
  "PutItem",
  "UpdateItem",
  "TransactWriteItems",
  "Query",
] as const;

/** Mostly every call of the target; sometimes one operation (or state, or refund method). */
const someOperation = (operations: readonly string[]): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(...operations) },
  );

/**
 * A fault on the stream's pipe: down for a while (its polls fail: records wait in the stream;
 * every run's, as a real outage); deliveries of the run's records throttled, often enough (11
 * tries) that the batch is dead-lettered and its start lost; or the starter's answer lost, so
 * that the same record is delivered again.
 */
const pipeFault = fc.oneof(
  fc.record({
    target: fc.constant("pipes" as const),
    error: fc.constant("unavailable" as const),
    operation: fc.constant("GetRecords"),
    rate: fc.constant(1),
    count: fc.integer({ min: 5, max: 60 }),
  }),
  fc.record({
    target: fc.constant("pipes" as const),
    error: fc.constant("throttle" as const),
    operation: fc.constant("StartSyncExecution"),
    rate: fc.constant(1),
    count: fc.integer({ min: 1, max: 25 }),
  }),
  fc.record({
    target: fc.constant("pipes" as const),
    error: fc.constant("timeout" as const),
    operation: fc.constant("StartSyncExecution"),
    rate: fc.constant(1),
    count: fc.integer({ min: 1, max: 3 }),
  }),
);

/** The Stripe calls the service makes (a refund: list, PaymentIntent, create; a check: list). */
const STRIPE_OPERATIONS = ["refunds.list", "paymentIntents.retrieve", "refunds.create"] as const;

/**
 * A fault on Stripe: its API throttled, down, or losing answers (the refund made, the answer lost:
 * the SDK's retry under the same idempotency key gets the first answer), new refunds left
 * `pending` (settled later by webhook, or by the reconciler's check), or its webhooks lost (never
 * sent: a pending refund's settlement is then the reconciler's to find), answered unheard (sent
 * again) or held back (sent late, after newer ones).
 */
const stripeFault: fc.Arbitrary<FaultSpec> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom("throttle" as const, "unavailable" as const, "timeout" as const),
        someOperation(STRIPE_OPERATIONS),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(9),
      )
      .map(
        ([error, operation, tenths, dice]): FaultSpec => ({
          target: "stripe",
          error,
          // An outage 1 in 5: every call of the refund fails until the retries run out.
          rate: dice < 2 ? 1 : tenths / 10,
          ...(operation === undefined ? {} : { operation }),
        }),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 3, max: 10 })
      .map((tenths): FaultSpec => ({ target: "stripe", error: "pending", rate: tenths / 10 })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom("unavailable" as const, "timeout" as const, "throttle" as const),
        fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        fc.integer({ min: 2, max: 10 }),
      )
      .map(
        ([error, count, tenths]): FaultSpec => ({
          target: "stripe",
          operation: "webhook",
          error,
          // The next few deliveries, or a share of them all while it lasts.
          ...(count === undefined ? { rate: tenths / 10 } : { rate: 1, count }),
        }),
      ),
  },
);

/**
 * A fault on one target, with an error valid for it: SES only refuses (throttle, unavailable),
 * because an SES call whose answer is lost is sent again by design, with nothing to tell it from
 * a duplicate; EventBridge may also lose an answer (the harness counts those repeats as excused);
 * DynamoDB and Step Functions lose answers too; payments (the ledger) also decline and time out
 * (applied, answer lost); the pipe and Stripe as above. Mostly 10–50 % of calls; now and then an outage (every call),
 * so that mail given up and its alert, and refunds that fail for good, are exercised too.
 */
export const faultArbitrary: fc.Arbitrary<FaultSpec> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        fc.oneof(
          {
            weight: 3,
            arbitrary: fc.record({
              target: fc.constant("dynamodb" as const),
              error: fc.constantFrom(
                "throttle" as const,
                "unavailable" as const,
                "timeout" as const,
              ),
              operation: someOperation(DYNAMODB_OPERATIONS),
            }),
          },
          {
            weight: 2,
            arbitrary: fc.record({
              target: fc.constant("stepfunctions" as const),
              error: fc.constantFrom(
                "throttle" as const,
                "unavailable" as const,
                "timeout" as const,
              ),
              operation: someOperation(SFN_OPERATIONS),
            }),
          },
          {
            weight: 2,
            arbitrary: fc.record({
              target: fc.constant("ses" as const),
              error: fc.constantFrom("throttle" as const, "unavailable" as const),
              operation: fc.constant(undefined),
            }),
          },
          {
            weight: 1,
            arbitrary: fc.record({
              target: fc.constant("eventbridge" as const),
              error: fc.constantFrom(
                "throttle" as const,
                "unavailable" as const,
                "timeout" as const,
              ),
              operation: fc.constant(undefined),
            }),
          },
          {
            weight: 4,
            arbitrary: fc.record({
              target: fc.constant("payments" as const),
              error: fc.constantFrom(
                "throttle" as const,
                "unavailable" as const,
                "timeout" as const,
                "timeout" as const,
                "declined" as const,
                "declined" as const,
              ),
              operation: someOperation(["CARD", "GIFT_CARD", "POINTS"]),
            }),
          },
        ),
        fc.integer({ min: 1, max: 5 }).map((tenths) => tenths / 10),
        fc.nat(9),
      )
      .map(
        ([fault, partial, dice]): FaultSpec => ({
          target: fault.target,
          error: fault.error,
          // An outage: 1 in 10; 3 in 10 for SES (mail retried until it is given up, and
          // alerted); 4 in 10 for the provider (every attempt of a refund declined, or made with
          // its answer lost, until the retries run out and an operator or the fallback acts).
          rate: dice < ({ payments: 4, ses: 3 }[fault.target as string] ?? 1) ? 1 : partial,
          ...(fault.operation === undefined ? {} : { operation: fault.operation }),
        }),
      ),
  },
  { weight: 2, arbitrary: pipeFault },
  { weight: 3, arbitrary: stripeFault },
);

const orderAction = (
  label: string,
  needs: (index: number) => (model: Model) => boolean,
  act: (index: number) => Act,
) =>
  anOrder.map(
    (index) =>
      new Action(
        `${label}(${index})`,
        (model) => inRange(model, index) && needs(index)(model),
        act(index),
      ),
  );

/**
 * Which units the buyer names: mostly some of each line (so that orders are cancelled in several
 * requests), often every unit left, now and then `lines` that SPEC refuses.
 */
const linePick: fc.Arbitrary<LinePick> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<LinePick>({ kind: "whole" }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("some" as const),
      quarters: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }),
      reversed: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("bad" as const),
      how: fc.constantFrom(...BAD_LINES),
      at: fc.nat(2),
    }),
  },
);

/** Mostly approvals, so that money moves while faults are on. */
const decision = fc.constantFrom("APPROVE" as const, "APPROVE" as const, "REJECT" as const);

/** Every command, weighted: people act most, timers and faults often, the rest now and then. */
export const commandArbitrary: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 2,
    arbitrary: orderAction(
      "import",
      (index) => (model) => !model.imported[index],
      (index) => async (run, model) => {
        const response = await run.importOrder(index);
        if (response.status === 200 || response.status === 201) model.imported[index] = true;
      },
    ),
  },
  {
    weight: 2,
    arbitrary: orderAction(
      "ship",
      (index) => (model) => imported(index)(model) && !model.shipped[index],
      (index) => async (run, model) => {
        const response = await run.ship(index);
        if (response.status === 200) model.shipped[index] = true;
      },
    ),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(anOrder, fc.constantFrom<Reason>(...REASONS), fc.nat(4), linePick)
      .map(([index, reason, dice, pick]) => {
        // One in five sends the last key again (its body, whatever this pick).
        const resend = dice === 0;
        return new Action(
          `request(${index}, ${reason}, ${resend ? "same key again" : describePick(pick)})`,
          (model) => inRange(model, index) && imported(index)(model),
          (run) => run.requestCancellation(index, reason, resend, pick),
        );
      }),
  },
  {
    // The common story at once, so that orders meet a second request once the first completed:
    // the buyer asks for some units, the workflow notifies the seller, who approves, and an
    // operator approves if the amount needs one (a 409 otherwise); half the time the buyer then
    // asks for the rest, approved alike, so that orders are cancelled in parts. Half the time
    // each request follows a preview of it.
    weight: 3,
    arbitrary: fc
      .tuple(anOrder, fc.constantFrom<Reason>(...REASONS), linePick, fc.boolean(), fc.boolean())
      .map(
        ([index, reason, pick, rest, preview]) =>
          new Action(
            `request and APPROVE(${index}, ${reason}, ${describePick(pick)}${rest ? ", then the rest" : ""}${preview ? ", each previewed" : ""})`,
            (model) => inRange(model, index) && imported(index)(model),
            async (run) => {
              for (const units of rest ? [pick, WHOLE] : [pick]) {
                if (preview) await run.previewCancellation(index, units, reason, true);
                else await run.requestCancellation(index, reason, false, units);
                await run.settle();
                await run.sellerDecides(index, "APPROVE");
                await run.settle();
                await run.operatorDecides(index, "APPROVE");
                await run.settle();
              }
            },
          ),
      ),
  },
  {
    // A preview alone (with or without a reason), or a preview and the POST right after it.
    weight: 2,
    arbitrary: fc
      .tuple(
        anOrder,
        linePick,
        fc.option(fc.constantFrom<Reason>(...REASONS), { nil: undefined, freq: 4 }),
        fc.boolean(),
      )
      .map(
        ([index, pick, reason, thenRequest]) =>
          new Action(
            `preview(${index}, ${reason ?? "no reason"}, ${describePick(pick)})${thenRequest && reason ? " then request" : ""}`,
            (model) => inRange(model, index) && imported(index)(model),
            (run) => run.previewCancellation(index, pick, reason, thenRequest),
          ),
      ),
  },
  {
    weight: 1,
    arbitrary: orderAction("withdraw", imported, (index) => (run) => run.withdraw(index)),
  },
  {
    weight: 5,
    arbitrary: fc.tuple(anOrder, decision).map(
      ([index, decision]) =>
        new Action(
          `seller ${decision}(${index})`,
          (model) => inRange(model, index) && imported(index)(model),
          (run) => run.sellerDecides(index, decision),
        ),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(anOrder, decision).map(
      ([index, decision]) =>
        new Action(
          `operator ${decision}(${index})`,
          (model) => inRange(model, index) && imported(index)(model),
          (run) => run.operatorDecides(index, decision),
        ),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(anOrder, fc.boolean()).map(
      ([index, giftCard]) =>
        new Action(
          `retry refund(${index}${giftCard ? ", GIFT_CARD" : ""})`,
          (model) => inRange(model, index) && imported(index)(model),
          (run) => run.retryRefund(index, giftCard),
        ),
    ),
  },
  {
    weight: 2,
    arbitrary: orderAction("deliver", imported, (index) => (run) => run.deliver(index)),
  },
  {
    // The carrier's word on the parcel, by the client of the order's carrier: any event at any
    // time (so that most come out of order, before or after delivery), sometimes sent twice.
    weight: 2,
    arbitrary: fc.tuple(anOrder, fc.constantFrom(...TRACKING_EVENT_TYPES), fc.nat(3)).map(
      ([index, type, dice]) =>
        new Action(
          `track ${type}(${index}${dice === 0 ? ", twice" : ""})`,
          (model) => inRange(model, index) && imported(index)(model),
          (run) => run.track(index, type, dice === 0 ? "twice" : "once"),
        ),
    ),
  },
  {
    weight: 1,
    arbitrary: orderAction(
      "track RETURNED_TO_SENDER, then RETURNING_TO_SENDER late",
      imported,
      (index) => (run) => run.track(index, "RETURNED_TO_SENDER", "late"),
    ),
  },
  {
    // Delivered after the cancellation: the buyer asks for some units or all, both approve, and
    // the parcel reaches the buyer anyway (the report sometimes sent twice); then, now and then,
    // it goes back to the seller (on its way, then back).
    weight: 3,
    arbitrary: fc
      .tuple(anOrder, fc.constantFrom<Reason>(...REASONS), linePick, fc.boolean(), fc.nat(2))
      .map(
        ([index, reason, pick, twice, back]) =>
          new Action(
            `request, APPROVE, then delivered(${index}, ${reason}, ${describePick(pick)}${twice ? ", reported twice" : ""}${["", ", sent back", ", sent back and returned"][back]})`,
            (model) => inRange(model, index) && imported(index)(model),
            async (run) => {
              await run.requestCancellation(index, reason, false, pick);
              await run.settle();
              await run.sellerDecides(index, "APPROVE");
              await run.settle();
              await run.operatorDecides(index, "APPROVE");
              await run.settle();
              await run.deliver(index, true, twice);
              if (back >= 1) await run.track(index, "RETURNING_TO_SENDER");
              if (back >= 2) await run.track(index, "RETURNED_TO_SENDER");
            },
          ),
      ),
  },
  {
    weight: 1,
    arbitrary: orderAction(
      "another carrier reports",
      () => always,
      (index) => (run) => run.reportAsAnotherCarrier(index),
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constant(new Action("timers fire", always, async (run) => run.expireWaits())),
  },
  {
    // The reconciler's schedule coming round 1–5 times (mail that keeps failing is given up).
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 5 }).map(
      (times) =>
        new Action(`reconciler runs ×${times}`, always, async (run) => {
          for (let round = 0; round < times; round++) await run.sweep();
        }),
    ),
  },
  {
    weight: 4,
    arbitrary: fc.constant(new Action("settle", always, (run) => run.settle())),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 50 })
      .map((ms) => new Action(`pause ${ms}ms`, always, (run) => run.pause(ms))),
  },
  {
    weight: 3,
    arbitrary: faultArbitrary.map(
      (fault) =>
        new Action(`fault ${JSON.stringify(fault)}`, always, async (run) => run.addFault(fault)),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constant(new Action("clear faults", always, async (run) => run.clearFaults())),
  },
);

/**
 * How a run begins: its orders imported and (mostly) shipped, perhaps under a fault already, so
 * that the random commands after it find something to act on.
 */
export const openingArbitrary = (orders: number): fc.Arbitrary<Action[]> =>
  fc
    .tuple(
      fc.array(faultArbitrary, { maxLength: 2 }),
      // A quarter of the runs open with the pipe in trouble as the first request is made.
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: pipeFault },
      ),
      // A third of the runs open with the ledger down: every refund attempt declined, or made
      // with its answer lost, so that the money rules (ask before concluding, one key per
      // refund) meet deliveries, retries and the fallback. One in six with Stripe in trouble
      // (for the runs with a Stripe order): every answer lost, every refund left pending, or
      // every webhook lost, until the faults stop.
      fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        {
          weight: 4,
          arbitrary: fc.record({
            target: fc.constant("payments" as const),
            error: fc.constantFrom("timeout" as const, "declined" as const),
            rate: fc.constant(1),
          }),
        },
        {
          weight: 2,
          arbitrary: fc.constantFrom<FaultSpec>(
            { target: "stripe", error: "timeout", rate: 1 },
            { target: "stripe", error: "pending", rate: 1 },
            { target: "stripe", operation: "webhook", error: "unavailable", rate: 1 },
          ),
        },
      ),
      // Now and then the first order stays unshipped (the buyer is refused: NOT_SHIPPED).
      fc.nat(9),
      // Mostly the buyer asks at once, and the workflow gets going.
      fc.option(fc.constantFrom<Reason>(...REASONS), { nil: undefined, freq: 6 }),
      linePick,
      // Half the time the seller answers at once (so money often moves while faults are on).
      fc.option(decision, { nil: undefined, freq: 2 }),
    )
    .map(([faults, pipe, providerDown, dice, reason, pick, answer]) => [
      ...[...faults, ...(pipe ? [pipe] : []), ...(providerDown ? [providerDown] : [])].map(
        (fault) =>
          new Action(`fault ${JSON.stringify(fault)}`, always, async (run) => run.addFault(fault)),
      ),
      ...Array.from({ length: orders }, (_, index) => [
        new Action(
          `import(${index})`,
          (model) => !model.imported[index],
          async (run, model) => {
            const response = await run.importOrder(index);
            if (response.status === 200 || response.status === 201) model.imported[index] = true;
          },
        ),
        ...(dice === 0 && index === 0
          ? []
          : [
              new Action(
                `ship(${index})`,
                (model) => imported(index)(model) && !model.shipped[index],
                async (run, model) => {
                  const response = await run.ship(index);
                  if (response.status === 200) model.shipped[index] = true;
                },
              ),
            ]),
      ]).flat(),
      ...(reason === undefined
        ? []
        : [
            new Action(`request(0, ${reason}, ${describePick(pick)})`, imported(0), (run) =>
              run.requestCancellation(0, reason, false, pick),
            ),
            new Action("settle", always, (run) => run.settle()),
            ...(answer === undefined
              ? []
              : [
                  new Action(`seller ${answer}(0)`, imported(0), (run) =>
                    run.sellerDecides(0, answer),
                  ),
                  new Action("settle", always, (run) => run.settle()),
                ]),
          ]),
    ]);

/**
 * An order: one to three lines of one to three units, their prices uneven (shares round), high
 * ones mostly above the policy's limit; mostly a discount (a share of the items, or all of them and some
 * of shipping), so that refunds are allocated.
 */
export const orderSpecArbitrary: fc.Arbitrary<OrderSpec> = fc
  .record({
    locale: fc.constantFrom("ja" as const, "en" as const),
    currency: fc.constantFrom("JPY" as const, "JPY" as const, "USD" as const),
    method: fc.constantFrom(...PAYMENT_METHODS),
    // For a card order: half the time paid through Stripe, a third of those with the card
    // whose refunds fail after succeeding.
    stripe: fc.constantFrom<StripeCard | undefined>(
      undefined,
      undefined,
      undefined,
      "pm_card_visa",
      "pm_card_visa",
      "pm_card_refundFail",
    ),
    high: fc.boolean(),
    lines: fc.array(
      fc.record({
        quantity: fc.integer({ min: 1, max: 3 }),
        price: fc.integer({ min: 1, max: 9_800 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    discount: fc.oneof(
      { weight: 2, arbitrary: fc.constant({ percent: 0, ofShipping: 0 }) },
      {
        weight: 3,
        arbitrary: fc.record({
          percent: fc.integer({ min: 1, max: 60 }),
          ofShipping: fc.constant(0),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          percent: fc.constant(100),
          ofShipping: fc.integer({ min: 0, max: 500 }),
        }),
      },
    ),
  })
  .map(({ lines, discount, stripe, ...spec }): OrderSpec => {
    const priced = lines.map(({ quantity, price }) => ({
      quantity,
      unitPrice: spec.high ? price * 10 : price,
    }));
    const items = priced.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
    return {
      ...spec,
      ...(spec.method === "CARD" && stripe !== undefined ? { stripe } : {}),
      lines: priced,
      discount: Math.floor((items * discount.percent) / 100) + discount.ofShipping,
    };
  });

/** What the runs added up to; `recovery` counts requests by how their start and notices went. */
export interface ChaosTotals {
  runs: number;
  actions: number;
  faultsFired: number;
  breaks: number;
  requests: number;
  outcomes: Record<string, number>;
  paths: Record<string, number>;
  recovery: Record<
    "redelivered" | "deadLettered" | "startedBySweep" | "resumed" | "excusedMail" | "excusedEvents",
    number
  >;
  /** The line-level checks: answers judged, previews compared, requests completed, by kind. */
  lines: Record<string, number>;
  /** Stripe's orders, refunds, reversals and webhook troubles (RunStats.stripe). */
  stripe: Record<string, number>;
  /** Tracking events by what they did, deliveries of cancelled units, returns (RunStats.parcel). */
  parcel: Record<string, number>;
}

export const emptyTotals = (): ChaosTotals => ({
  runs: 0,
  actions: 0,
  faultsFired: 0,
  breaks: 0,
  requests: 0,
  outcomes: {},
  paths: {},
  recovery: {
    redelivered: 0,
    deadLettered: 0,
    startedBySweep: 0,
    resumed: 0,
    excusedMail: 0,
    excusedEvents: 0,
  },
  lines: {},
  stripe: {},
  parcel: {},
});

/**
 * The property: a random interleaving on one or two fresh orders, then recovery, then every
 * invariant. `onRun` sees each finished run (progress lines); a break also goes to `lastBreak`.
 */
export const chaosProperty = (
  server: ChaosServer,
  totals: ChaosTotals,
  options: {
    maxCommands: number;
    /** Runs are skipped (and not counted) while this says so: another worker found a break. */
    skip?: () => boolean;
    onRun?: (run: ChaosRun, error?: unknown) => void;
  },
) =>
  fc.asyncProperty(
    fc
      .array(orderSpecArbitrary, { minLength: 1, maxLength: ORDER_COUNT_MAX })
      .chain((specs) => fc.tuple(fc.constant(specs), openingArbitrary(specs.length))),
    fc.commands([commandArbitrary], { maxCommands: options.maxCommands, size: "max" }),
    async ([specs, opening], commands) => {
      if (options.skip?.()) return;
      const run = await ChaosRun.create(server, specs);
      let failure: unknown;
      try {
        const model: Model = {
          imported: specs.map(() => false),
          shipped: specs.map(() => false),
        };
        for (const action of opening) {
          if (action.check(model)) await action.run(model, run);
        }
        await fc.asyncModelRun(() => ({ model, real: run }), commands);
        await run.recover();
        await run.checkInvariants();
      } catch (error) {
        failure = error;
        if (error instanceof Break) {
          error.message += `\n  orders: ${run.orderIds.join(", ")}\n  trail:\n    ${run.trail.join("\n    ")}`;
        }
        throw error;
      } finally {
        run.close();
        totals.runs += 1;
        totals.actions += run.stats.actions;
        totals.faultsFired += run.stats.faultsFired;
        totals.requests += run.stats.requests;
        for (const [status, count] of Object.entries(run.stats.outcomes)) {
          totals.outcomes[status] = (totals.outcomes[status] ?? 0) + count;
        }
        for (const [type, count] of Object.entries(run.stats.paths)) {
          totals.paths[type] = (totals.paths[type] ?? 0) + count;
        }
        for (const [kind, count] of Object.entries(run.stats.lines)) {
          totals.lines[kind] = (totals.lines[kind] ?? 0) + count;
        }
        for (const [kind, count] of Object.entries(run.stats.stripe)) {
          totals.stripe[kind] = (totals.stripe[kind] ?? 0) + count;
        }
        for (const [kind, count] of Object.entries(run.stats.parcel)) {
          totals.parcel[kind] = (totals.parcel[kind] ?? 0) + count;
        }
        for (const key of Object.keys(totals.recovery) as (keyof ChaosTotals["recovery"])[]) {
          totals.recovery[key] += run.stats[key];
        }
        if (failure !== undefined) totals.breaks += 1;
        options.onRun?.(run, failure);
      }
    },
  );
