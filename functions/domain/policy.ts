// The published cancellation policy: its defaults, validation, and merging of overrides. The schema
// is built on its first use (`z.lazy`, as in schemas.ts), when a policy is first validated.
import { CURRENCIES, PAYMENT_METHODS } from "./schemas.ts";
import type { Currency } from "./types.ts";
import * as z from "./zod.ts";

const DAY = 86_400;

const refundTimelineSchema = /* @__PURE__ */ z.lazy(() =>
  z
    .strictObject({
      minBusinessDays: z.int().check(z.minimum(0), z.maximum(90)),
      maxBusinessDays: z.int().check(z.minimum(0), z.maximum(90)),
    })
    .check(
      z.refine((timeline) => timeline.minBusinessDays <= timeline.maxBusinessDays, {
        message: "minBusinessDays must not exceed maxBusinessDays",
      }),
    ),
);

/** Seconds of a wait: at least one second, at most the year a Standard workflow may run. */
const waitSecondsSchema = /* @__PURE__ */ z.lazy(() =>
  z.int().check(z.minimum(1), z.maximum(300 * DAY)),
);

export const policySchema = /* @__PURE__ */ z.lazy(() =>
  z
    .strictObject({
      version: z.string().check(z.minLength(1), z.maxLength(64)),
      cancellationWindowDays: z.int().check(z.minimum(1), z.maximum(365)),
      sellerResponseSeconds: waitSecondsSchema,
      sellerReminderSeconds: z.int().check(z.minimum(0), z.maximum(300 * DAY)),
      onSellerTimeout: z.enum(["ESCALATE", "APPROVE"]),
      marketplaceReviewSeconds: waitSecondsSchema,
      onMarketplaceTimeout: z.enum(["APPROVE", "REJECT"]),
      autoApproveMaxAmount: z.partialRecord(z.enum(CURRENCIES), z.int().check(z.minimum(0))),
      refundShippingFee: z.boolean(),
      /** What a request that leaves units uncancelled refunds of shipping (amounts.ts). */
      partialShippingRefund: z.enum(["WHEN_ALL_CANCELLED", "PRORATED", "NONE"]),
      /** Days a buyer who took a cancelled parcel anyway has to send it back (parcel.ts). */
      returnAfterCancellationDays: z.int().check(z.minimum(1), z.maximum(365)),
      /**
       * Per currency: the largest request amount whose seller mail carries Approve and Reject
       * links (SPEC "Decision links in the seller's mail"); a currency not listed: no links.
       */
      decisionLinkMaxAmount: z.partialRecord(z.enum(CURRENCIES), z.int().check(z.minimum(0))),
      refundTimelines: z.strictObject(
        Object.fromEntries(
          PAYMENT_METHODS.map((method) => [method, z.nullable(refundTimelineSchema)]),
        ) as Record<
          (typeof PAYMENT_METHODS)[number],
          z.ZodMiniNullable<typeof refundTimelineSchema>
        >,
      ),
      /** How long a failed refund waits for an operator before the system retries it itself. */
      refundRetryWaitSeconds: waitSecondsSchema,
      /**
       * Where a refund goes when the original method declined it for good and no operator acted
       * within refundRetryWaitSeconds: a balance the marketplace itself keeps, so it cannot decline.
       */
      refundFallbackMethod: z.enum(["GIFT_CARD", "POINTS"]),
      /**
       * How long a refund the provider holds as `pending` waits for its webhook before the service
       * asks the provider itself (then again after each such period).
       */
      refundSettlementCheckSeconds: waitSecondsSchema,
      /** Bounds how many requests one order may collect, so its record stays small. */
      maxRequestsPerOrder: z.int().check(z.minimum(1), z.maximum(50)),
    })
    .check(
      z.refine((policy) => policy.sellerReminderSeconds < policy.sellerResponseSeconds, {
        path: ["sellerReminderSeconds"],
        message: "must be shorter than sellerResponseSeconds",
      }),
    ),
);

export type Policy = z.infer<typeof policySchema>;
export type RefundTimeline = NonNullable<Policy["refundTimelines"]["CARD"]>;

/** The policy in force when nothing overrides it: exactly the published defaults. */
export const DEFAULT_POLICY: Policy = Object.freeze({
  version: "2026-11-01",
  cancellationWindowDays: 14,
  sellerResponseSeconds: 2 * DAY,
  sellerReminderSeconds: 12 * 3600,
  onSellerTimeout: "ESCALATE",
  marketplaceReviewSeconds: 3 * DAY,
  onMarketplaceTimeout: "APPROVE",
  autoApproveMaxAmount: { JPY: 30000, USD: 30000 },
  refundShippingFee: true,
  partialShippingRefund: "WHEN_ALL_CANCELLED",
  returnAfterCancellationDays: 14,
  decisionLinkMaxAmount: { JPY: 100000, USD: 100000 },
  refundTimelines: {
    CARD: { minBusinessDays: 3, maxBusinessDays: 10 },
    GIFT_CARD: { minBusinessDays: 0, maxBusinessDays: 0 },
    POINTS: { minBusinessDays: 0, maxBusinessDays: 0 },
    CONVENIENCE_STORE: { minBusinessDays: 0, maxBusinessDays: 0 },
    CASH_ON_DELIVERY: null,
  },
  refundRetryWaitSeconds: 3 * DAY,
  refundFallbackMethod: "GIFT_CARD",
  refundSettlementCheckSeconds: 3600,
  maxRequestsPerOrder: 10,
}) as Policy;

/** A request's settlement check period (requests stored before the policy had one: the default). */
export const settlementCheckSeconds = (policy: Policy): number =>
  policy.refundSettlementCheckSeconds ?? DEFAULT_POLICY.refundSettlementCheckSeconds;

/** A request's days to return a parcel taken anyway (requests stored before it: the default). */
export const returnDaysOf = (policy: Policy): number =>
  policy.returnAfterCancellationDays ?? DEFAULT_POLICY.returnAfterCancellationDays;

/**
 * The most a request may refund for its seller's mail to carry decision links, in its currency
 * (requests stored before the policy had it: the default); undefined: no links in that currency.
 */
export const decisionLinkMaxOf = (policy: Policy, currency: Currency): number | undefined =>
  (policy.decisionLinkMaxAmount ?? DEFAULT_POLICY.decisionLinkMaxAmount)[currency];

type PlainObject = Record<string, unknown>;

const isPlainObject = (value: unknown): value is PlainObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Deep-merges plain objects; arrays and scalars in the override replace the base's. */
const deepMerge = (base: PlainObject, override: PlainObject): PlainObject => {
  const merged: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
};

export class PolicyError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
    this.name = "PolicyError";
  }
}

/** Merges overrides (e.g. the JSON file named by POLICY_FILE) over a base policy and validates it. */
export const mergePolicy = (overrides: unknown, base: Policy = DEFAULT_POLICY): Policy => {
  if (!isPlainObject(overrides)) {
    throw new PolicyError("policy overrides must be a JSON object", []);
  }
  const result = policySchema.safeParse(deepMerge(base, overrides));
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.join("."),
      message: issue.message,
    }));
    throw new PolicyError(
      `invalid policy: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`,
      issues,
    );
  }
  return result.data;
};

/** Parses a policy from configuration (a JSON string); an empty value means the defaults. */
export const policyFromConfig = (json: string | undefined): Policy =>
  json?.trim() ? mergePolicy(JSON.parse(json)) : DEFAULT_POLICY;
