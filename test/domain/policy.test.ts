// The published policy: its defaults are SPEC's, and overrides are validated.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_POLICY,
  decisionLinkMaxOf,
  mergePolicy,
  type Policy,
  PolicyError,
  policyFromConfig,
  policySchema,
} from "../../functions/domain/policy.ts";

/**
 * SPEC's `GET /policy` example: the defaults (returnAfterCancellationDays and
 * decisionLinkMaxAmount come with the parcel and decision-link features that read them).
 */
const SPEC_POLICY = {
  version: "2026-11-01",
  cancellationWindowDays: 14,
  sellerResponseSeconds: 172800,
  sellerReminderSeconds: 43200,
  onSellerTimeout: "ESCALATE",
  marketplaceReviewSeconds: 259200,
  onMarketplaceTimeout: "APPROVE",
  autoApproveMaxAmount: { JPY: 30000, USD: 30000 },
  refundShippingFee: true,
  partialShippingRefund: "WHEN_ALL_CANCELLED",
  returnAfterCancellationDays: 14,
  decisionLinkMaxAmount: { JPY: 100000, USD: 100000 },
  refundRetryWaitSeconds: 259200,
  refundFallbackMethod: "GIFT_CARD",
  refundTimelines: {
    CARD: { minBusinessDays: 3, maxBusinessDays: 10 },
    GIFT_CARD: { minBusinessDays: 0, maxBusinessDays: 0 },
    POINTS: { minBusinessDays: 0, maxBusinessDays: 0 },
    CONVENIENCE_STORE: { minBusinessDays: 0, maxBusinessDays: 0 },
    CASH_ON_DELIVERY: null,
  },
};

describe("DEFAULT_POLICY", () => {
  it("is exactly SPEC's published policy, and valid", () => {
    expect(DEFAULT_POLICY).toEqual({
      ...SPEC_POLICY,
      maxRequestsPerOrder: 10,
      refundSettlementCheckSeconds: 3600,
    });
    expect(policySchema.parse(DEFAULT_POLICY)).toEqual(DEFAULT_POLICY);
  });

  it("auto-approves up to 30000 in each currency (USD: $300.00)", () => {
    expect(DEFAULT_POLICY.autoApproveMaxAmount).toEqual({ JPY: 30000, USD: 30000 });
  });

  it("falls back to gift balance after a decline", () => {
    expect(DEFAULT_POLICY.refundFallbackMethod).toBe("GIFT_CARD");
  });

  it("is what an empty configuration gives", () => {
    expect(policyFromConfig(undefined)).toEqual(DEFAULT_POLICY);
    expect(policyFromConfig("  ")).toEqual(DEFAULT_POLICY);
    expect(mergePolicy({})).toEqual(DEFAULT_POLICY);
  });
});

describe("mergePolicy: refundFallbackMethod", () => {
  it("may be points", () => {
    expect(mergePolicy({ refundFallbackMethod: "POINTS" }).refundFallbackMethod).toBe("POINTS");
    expect(policyFromConfig('{"refundFallbackMethod":"POINTS"}').refundFallbackMethod).toBe(
      "POINTS",
    );
  });

  it("keeps the default when an override leaves it out", () => {
    expect(mergePolicy({ cancellationWindowDays: 7 }).refundFallbackMethod).toBe("GIFT_CARD");
  });

  it.each(["CARD", "CASH_ON_DELIVERY", "CONVENIENCE_STORE", "gift_card", "", null, 1])(
    "rejects %j: only a balance the marketplace keeps cannot decline",
    (value) => {
      let error: unknown;
      try {
        mergePolicy({ refundFallbackMethod: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PolicyError);
      expect((error as PolicyError).issues.map((issue) => issue.path)).toEqual([
        "refundFallbackMethod",
      ]);
    },
  );

  it("rejects a policy without it", () => {
    const { refundFallbackMethod: _, ...withoutFallback } = DEFAULT_POLICY;
    expect(policySchema.safeParse(withoutFallback).success).toBe(false);
  });
});

describe("decisionLinkMaxAmount", () => {
  it("defaults to 100000 in each currency, and may be overridden per currency", () => {
    expect(DEFAULT_POLICY.decisionLinkMaxAmount).toEqual({ JPY: 100000, USD: 100000 });
    expect(mergePolicy({ decisionLinkMaxAmount: { JPY: 5000 } }).decisionLinkMaxAmount).toEqual({
      JPY: 5000,
      USD: 100000,
    });
  });

  it.each([-1, 1.5, "100", null])("rejects %j as an amount", (value) => {
    expect(() => mergePolicy({ decisionLinkMaxAmount: { JPY: value } })).toThrow(PolicyError);
  });

  it("is read per currency; a request's policy stored before it has the default", () => {
    const policy = mergePolicy({ decisionLinkMaxAmount: { JPY: 5000 } });
    expect(decisionLinkMaxOf(policy, "JPY")).toBe(5000);
    const { decisionLinkMaxAmount: _, ...stored } = DEFAULT_POLICY;
    expect(decisionLinkMaxOf(stored as Policy, "USD")).toBe(100000);
  });

  it("leaves a currency out when an override replaces the whole map with fewer", () => {
    const policy = { ...DEFAULT_POLICY, decisionLinkMaxAmount: { JPY: 1 } };
    expect(policySchema.parse(policy).decisionLinkMaxAmount).toEqual({ JPY: 1 });
    expect(decisionLinkMaxOf(policy, "USD")).toBeUndefined();
  });
});
