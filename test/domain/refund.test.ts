import holidayJp from "@holiday-jp/holiday_jp";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { amountOf, cancellationAmounts, selectLines } from "../../functions/domain/amounts.ts";
import { DEFAULT_POLICY, type Policy } from "../../functions/domain/policy.ts";
import {
  addBusinessDays,
  expectedBy,
  localDate,
  newRefund,
  refundMethodFor,
} from "../../functions/domain/refund.ts";
import type { Currency, Order } from "../../functions/domain/types.ts";
import { makeOrder } from "../support/factories.ts";

const noShippingRefund: Policy = { ...DEFAULT_POLICY, refundShippingFee: false };

describe("refundMethodFor", () => {
  it.each([
    ["CARD", "CARD"],
    ["GIFT_CARD", "GIFT_CARD"],
    ["POINTS", "POINTS"],
    ["CONVENIENCE_STORE", "GIFT_CARD"],
    ["CASH_ON_DELIVERY", "CASH_ON_DELIVERY"],
  ] as const)("%s is refunded as %s", (method, refund) => {
    expect(refundMethodFor(method)).toBe(refund);
  });
});

/** What a request for the whole order refunds (amounts.ts). */
const refundAmount = (order: Order, policy: Policy): number =>
  amountOf(cancellationAmounts(order, selectLines(order), { items: 0, shipping: 0 }, policy));

describe("the refund of a whole order", () => {
  it("refunds the paid amount including shipping when the policy says so", () => {
    expect(refundAmount(makeOrder(), DEFAULT_POLICY)).toBe(5480);
  });

  it("keeps the shipping fee when the policy does not refund it", () => {
    expect(refundAmount(makeOrder(), noShippingRefund)).toBe(4980);
  });

  it("never goes below zero or above the paid amount", () => {
    const order = makeOrder({ shippingFee: 500, payment: { paidAmount: 300 } });
    expect(refundAmount(order, noShippingRefund)).toBe(0);
    expect(refundAmount(order, DEFAULT_POLICY)).toBe(300);
  });

  it("is zero for cash on delivery, which was never paid", () => {
    const order = makeOrder({ payment: { method: "CASH_ON_DELIVERY" } });
    expect(refundAmount(order, DEFAULT_POLICY)).toBe(0);
  });

  it("is always between 0 and the paid amount", () => {
    fc.assert(
      fc.property(
        fc.nat(1_000_000),
        fc.nat(1_000_000),
        fc.boolean(),
        fc.constantFrom("CARD", "GIFT_CARD", "POINTS", "CONVENIENCE_STORE", "CASH_ON_DELIVERY"),
        (paidAmount, shippingFee, refundShippingFee, method) => {
          const order = makeOrder({ shippingFee, payment: { method, paidAmount } });
          const amount = refundAmount(order, { ...DEFAULT_POLICY, refundShippingFee });
          expect(amount).toBeGreaterThanOrEqual(0);
          expect(amount).toBeLessThanOrEqual(paidAmount);
        },
      ),
    );
  });
});

describe("addBusinessDays", () => {
  it("returns the date itself for 0 days, even on a weekend or holiday", () => {
    expect(addBusinessDays("2026-11-21", 0, "JPY")).toBe("2026-11-21");
    expect(addBusinessDays("2026-11-23", 0, "JPY")).toBe("2026-11-23");
  });

  it("skips weekends", () => {
    // Friday + 1 → Monday (USD: no Japanese holidays).
    expect(addBusinessDays("2026-11-13", 1, "JPY")).toBe("2026-11-16");
    expect(addBusinessDays("2026-11-20", 1, "USD")).toBe("2026-11-23");
    expect(addBusinessDays("2026-11-21", 1, "USD")).toBe("2026-11-23");
  });

  it("skips Japanese public holidays for JPY (2026-11-23 勤労感謝の日 is a Monday)", () => {
    expect(addBusinessDays("2026-11-20", 1, "JPY")).toBe("2026-11-24");
    expect(addBusinessDays("2026-11-20", 3, "JPY")).toBe("2026-11-26");
  });

  it("skips Golden Week 2027 for JPY but not for USD", () => {
    // 4/29 (Thu) 昭和の日, 5/3–5/5 (Mon–Wed) holidays.
    expect(addBusinessDays("2027-04-28", 1, "JPY")).toBe("2027-04-30");
    expect(addBusinessDays("2027-04-28", 2, "JPY")).toBe("2027-05-06");
    expect(addBusinessDays("2027-04-28", 1, "USD")).toBe("2027-04-29");
    expect(addBusinessDays("2027-04-28", 2, "USD")).toBe("2027-04-30");
    expect(addBusinessDays("2027-04-28", 3, "USD")).toBe("2027-05-03");
  });

  it("rejects malformed dates and day counts", () => {
    expect(() => addBusinessDays("2026-02-30", 1, "JPY")).toThrow(RangeError);
    expect(() => addBusinessDays("2026-11-20T00:00:00Z", 1, "JPY")).toThrow(RangeError);
    expect(() => addBusinessDays("2026-11-20", -1, "JPY")).toThrow(RangeError);
    expect(() => addBusinessDays("2026-11-20", 1.5, "JPY")).toThrow(RangeError);
  });

  const isBusinessDay = (date: string, currency: Currency): boolean => {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6 && !(currency === "JPY" && holidayJp.isHoliday(date));
  };

  const dates = fc
    .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2049, 11, 31) })
    .map((ms) => new Date(ms).toISOString().slice(0, 10));
  const currencies = fc.constantFrom<Currency>("JPY", "USD");

  it("lands on a business day, after the start, and grows with days", () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: 1, max: 60 }), currencies, (date, days, currency) => {
        const result = addBusinessDays(date, days, currency);
        expect(isBusinessDay(result, currency)).toBe(true);
        expect(result > date).toBe(true);
        expect(addBusinessDays(date, days + 1, currency) > result).toBe(true);
        expect(addBusinessDays(date, days - 1, currency) < result).toBe(true);
      }),
    );
  });
});

describe("localDate", () => {
  it("uses Tokyo time for JPY and UTC for USD", () => {
    expect(localDate("2026-11-20T16:00:00Z", "JPY")).toBe("2026-11-21");
    expect(localDate("2026-11-20T14:59:59.999Z", "JPY")).toBe("2026-11-20");
    expect(localDate("2026-11-20T16:00:00Z", "USD")).toBe("2026-11-20");
    expect(localDate("2026-11-21T01:00:00+09:00", "USD")).toBe("2026-11-20");
  });

  it("rejects instants without a zone, which would depend on the machine's TZ", () => {
    expect(() => localDate("2026-11-20T16:00:00", "JPY")).toThrow(RangeError);
    expect(() => localDate("yesterday", "JPY")).toThrow(RangeError);
  });
});

describe("expectedBy and newRefund", () => {
  // Friday 16:00 UTC is already Saturday 2026-11-21 in Tokyo; Monday 11/23 is a holiday.
  const approvedAt = "2026-11-20T16:00:00.000Z";

  it("counts card refund days from the Tokyo date for JPY", () => {
    expect(expectedBy(makeOrder(), DEFAULT_POLICY, approvedAt)).toEqual({
      earliest: "2026-11-26",
      latest: "2026-12-07",
    });
  });

  it("counts from the UTC date and ignores Japanese holidays for USD", () => {
    const order = makeOrder({ currency: "USD" });
    expect(expectedBy(order, DEFAULT_POLICY, approvedAt)).toEqual({
      earliest: "2026-11-25",
      latest: "2026-12-04",
    });
  });

  it("gives immediate methods the approval date itself", () => {
    const order = makeOrder({ payment: { method: "CONVENIENCE_STORE" } });
    expect(expectedBy(order, DEFAULT_POLICY, approvedAt)).toEqual({
      earliest: "2026-11-21",
      latest: "2026-11-21",
    });
  });

  it("is null for cash on delivery", () => {
    const order = makeOrder({ payment: { method: "CASH_ON_DELIVERY" } });
    expect(expectedBy(order, DEFAULT_POLICY, approvedAt)).toBeNull();
  });

  it("creates a pending refund to the original method", () => {
    expect(newRefund(makeOrder(), DEFAULT_POLICY, approvedAt, 5480)).toEqual({
      amount: 5480,
      currency: "JPY",
      method: "CARD",
      provider: "ledger",
      status: "PENDING",
      refundId: null,
      expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
      instructedAt: null,
      succeededAt: null,
      attempts: 0,
      callStartedAt: null,
      declined: false,
    });
  });

  it("needs no refund when there is nothing to pay back (units a discount made free)", () => {
    expect(newRefund(makeOrder(), DEFAULT_POLICY, approvedAt, 0)).toMatchObject({
      amount: 0,
      method: "CARD",
      status: "NOT_REQUIRED",
      expectedBy: null,
    });
  });

  it("needs no refund for cash on delivery", () => {
    const order = makeOrder({ payment: { method: "CASH_ON_DELIVERY" } });
    expect(newRefund(order, DEFAULT_POLICY, approvedAt, 0)).toMatchObject({
      amount: 0,
      method: "CASH_ON_DELIVERY",
      status: "NOT_REQUIRED",
      expectedBy: null,
    });
  });
});

describe("independence from the machine's time zone", () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  const compute = () => ({
    local: localDate("2026-11-20T16:00:00Z", "JPY"),
    holiday: addBusinessDays("2026-11-20", 1, "JPY"),
    goldenWeek: addBusinessDays("2027-04-28", 2, "JPY"),
    expected: expectedBy(makeOrder(), DEFAULT_POLICY, "2026-11-20T16:00:00Z"),
  });

  it.each(["UTC", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati"])(
    "gives the same results with TZ=%s",
    (tz) => {
      process.env.TZ = tz;
      expect(compute()).toEqual({
        local: "2026-11-21",
        holiday: "2026-11-24",
        goldenWeek: "2027-05-06",
        expected: { earliest: "2026-11-26", latest: "2026-12-07" },
      });
    },
  );

  it("really switches the zone (so the test above means something)", () => {
    process.env.TZ = "America/Los_Angeles";
    const la = new Date(0).getTimezoneOffset();
    process.env.TZ = "Asia/Tokyo";
    expect(new Date(0).getTimezoneOffset()).not.toBe(la);
  });
});
