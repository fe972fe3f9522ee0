import { describe, expect, it } from "vitest";
import { CARRIER_CODES, CARRIERS } from "../../functions/domain/carriers.ts";
import { DEFAULT_POLICY } from "../../functions/domain/policy.ts";
import { publicOrderSchema } from "../../functions/domain/view-schemas.ts";
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

  describe("the shipment's carrier", () => {
    const viewWith = (carrier: string) => {
      const record = makeRecord();
      const shipment = record.order.shipment;
      if (!shipment) throw new Error("the factory order is shipped");
      const order = { ...record.order, shipment: { ...shipment, carrier } };
      return toPublicOrder({ ...record, order }, order.placedAt, DEFAULT_POLICY);
    };

    it("names a known code in Japanese and English, keeping the code", () => {
      const view = viewWith("yamato");
      expect(view.shipment).toEqual({
        carrier: "yamato",
        carrierName: { ja: "ヤマト運輸", en: "Yamato Transport" },
        trackingNumber: "1234-5678-9012",
        shippedAt: "2026-11-20T03:00:00.000Z",
      });
      expect(Object.keys(view.shipment ?? {})).toEqual([
        "carrier",
        "carrierName",
        "trackingNumber",
        "shippedAt",
      ]);
      expect(viewWith("sagawa").shipment?.carrierName).toEqual({
        ja: "佐川急便",
        en: "Sagawa Express",
      });
      expect(viewWith("japanpost").shipment?.carrierName).toEqual({
        ja: "日本郵便",
        en: "Japan Post",
      });
      expect(viewWith("ups").shipment?.carrierName).toEqual({ ja: "UPS", en: "UPS" });
    });

    it("names every known code, each in both languages, and the view parses", () => {
      expect(CARRIER_CODES).toEqual(expect.arrayContaining(["yamato", "sagawa", "japanpost"]));
      for (const code of CARRIER_CODES) {
        const view = viewWith(code);
        expect(view.shipment?.carrierName, code).toEqual(CARRIERS[code]);
        expect(view.shipment?.carrierName.ja, code).not.toBe("");
        expect(view.shipment?.carrierName.en, code).not.toBe("");
        expect(publicOrderSchema.safeParse(view).success, code).toBe(true);
      }
    });

    it("knows a code as sellers type it (case, spaces), keeping the value as recorded", () => {
      for (const carrier of ["Yamato", "YAMATO", " yamato "]) {
        const view = viewWith(carrier);
        expect(view.shipment?.carrier).toBe(carrier);
        expect(view.shipment?.carrierName).toEqual({ ja: "ヤマト運輸", en: "Yamato Transport" });
      }
    });

    it("keeps any other value as given, in both languages (nothing inherited)", () => {
      for (const carrier of ["西濃運輸 (路線便)", "Yamato Transport", "constructor", "toString"]) {
        const view = viewWith(carrier);
        expect(view.shipment?.carrier).toBe(carrier);
        expect(view.shipment?.carrierName).toEqual({ ja: carrier, en: carrier });
      }
    });

    it("gives each view its own names: changing one leaves the table alone", () => {
      const view = viewWith("yamato");
      if (!view.shipment) throw new Error("shipped");
      (view.shipment.carrierName as { ja: string }).ja = "changed";
      expect(viewWith("yamato").shipment?.carrierName.ja).toBe("ヤマト運輸");
    });

    it("is null before the order ships", () => {
      const record = makeRecord();
      const order = { ...record.order, status: "PLACED" as const, shipment: null };
      expect(
        toPublicOrder({ ...record, order }, order.placedAt, DEFAULT_POLICY).shipment,
      ).toBeNull();
    });
  });
});
