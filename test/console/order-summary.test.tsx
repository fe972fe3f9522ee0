// @vitest-environment happy-dom
// The order's shipment as people read it: the carrier by its name in the page's language
// (the view's shipment.carrierName), never its code; a carrier the API does not know, as given.
import { cleanup, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it } from "vitest";
import type { Order } from "../../console/src/api.ts";
import { OrderSummary } from "../../console/src/components/order-summary.tsx";
import type { Language } from "../../console/src/messages/types.ts";
import { anOrder } from "./fake-api.ts";
import { renderInConsole } from "./render.tsx";

afterEach(cleanup);

/** The value next to a label of the summary's facts. */
const factOf = (label: string): string | null => {
  const term = screen.getByText(label, { selector: "dt" });
  const value = term.nextElementSibling;
  expect(value?.tagName).toBe("DD");
  return value?.textContent ?? null;
};

const show = (order: Order, language: Language) =>
  renderInConsole(<OrderSummary order={order} locale={order.locale} showOption={false} />, {
    language,
  });

describe("the order's carrier", () => {
  it("is named in English on an English page", () => {
    show(anOrder(), "en");
    expect(factOf("Carrier")).toBe("Yamato Transport");
    expect(factOf("Tracking number")).toBe("4470-0000-0001");
    expect(document.body.textContent).not.toContain("yamato");
  });

  it("is named in Japanese on a Japanese page, whatever the order's own locale", () => {
    show(anOrder({ locale: "en" }), "ja");
    expect(factOf("配送業者")).toBe("ヤマト運輸");
    expect(factOf("追跡番号")).toBe("4470-0000-0001");
    expect(document.body.textContent).not.toContain("yamato");
  });

  it("shows a carrier the API names as given, as given", () => {
    const order = anOrder({
      shipment: {
        carrier: "Kangaroo Express",
        carrierName: { ja: "Kangaroo Express", en: "Kangaroo Express" },
        trackingNumber: "K-1",
        shippedAt: "2026-11-21T01:00:00.000Z",
      },
    });
    show(order, "ja");
    expect(factOf("配送業者")).toBe("Kangaroo Express");
  });
});
