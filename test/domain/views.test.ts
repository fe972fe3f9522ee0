import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import { toPublicOrder, toPublicRequest } from "../../functions/domain/views.ts";
import { makeOrder, makeRecord, makeRequest } from "../support/factories.ts";

describe("public views", () => {
  it("never show a request's server-side fields", () => {
    const order = makeOrder();
    const request = makeRequest(order, { idempotencyKey: "secret-key", requestHash: "h" });
    const visible = toPublicRequest(request);
    expect(visible).not.toHaveProperty("idempotencyKey");
    expect(visible).not.toHaveProperty("requestHash");
    expect(visible).not.toHaveProperty("policy");
    expect(JSON.stringify(visible)).not.toContain("secret-key");
    expect(visible.policyVersion).toBe(DEFAULT_POLICY.version);
  });

  it("list fields in SPEC's order whatever order the stored maps come back in", () => {
    const record = makeRecord();
    const reversed = <T extends object>(value: T): T =>
      Object.fromEntries(Object.entries(value).reverse()) as T;
    const order = reversed(record.order);
    expect(Object.keys(order)[0]).not.toBe("orderId");
    const keys = Object.keys(toPublicOrder({ ...record, order }, order.placedAt, DEFAULT_POLICY));
    expect(keys.slice(0, 4)).toEqual(["orderId", "buyerId", "buyerEmail", "locale"]);
    expect(keys).toContain("cancellationOption");
    const request = Object.values(record.requests)[0];
    if (!request) throw new Error("the factory record has a request");
    expect(Object.keys(toPublicRequest(reversed(request))).slice(0, 3)).toEqual([
      "requestId",
      "orderId",
      "status",
    ]);
  });
});
