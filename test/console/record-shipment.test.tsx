// @vitest-environment happy-dom
// The seller records a shipment: all three fields are needed (focus goes to the first empty one),
// the API gets carrier and tracking number for the order, and an error keeps what was typed.
import { cleanup, fireEvent, screen } from "@testing-library/preact";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RecordShipmentPage } from "../../console/src/pages/record-shipment.tsx";
import { anOrder, FakeApi, problem } from "./fake-api.ts";
import { renderInConsole, sessionOf } from "./render.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const fill = (name: string, value: string) =>
  fireEvent.input(screen.getByRole("textbox", { name }), { target: { value } });
const save = () => fireEvent.click(screen.getByRole("button", { name: "Save shipment" }));

describe("Record shipment", () => {
  it("needs the order ID, carrier and tracking number", async () => {
    const api = new FakeApi().install();
    renderInConsole(<RecordShipmentPage />, { session: sessionOf("seller-1", "seller") });
    fill("Order ID", "o-1001");
    save();
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Fill in the order ID, carrier and tracking number.",
    );
    expect(document.activeElement).toBe(screen.getByRole("textbox", { name: "Carrier" }));
    expect(api.calls).toEqual([]);
  });

  it("saves the shipment and says so", async () => {
    const api = new FakeApi()
      .on("POST /orders/o-1001/shipment", { status: 200, body: anOrder() })
      .install();
    renderInConsole(<RecordShipmentPage />, { session: sessionOf("seller-1", "seller") });
    fill("Order ID", " o-1001 ");
    fill("Carrier", "Yamato");
    fill("Tracking number", "4470-0000-0001");
    save();
    expect((await screen.findByRole("status")).textContent).toBe("Order o-1001 is now shipped.");
    expect(api.callsTo("POST", "/orders/o-1001/shipment")[0]?.body).toEqual({
      carrier: "Yamato",
      trackingNumber: "4470-0000-0001",
    });
  });

  it("tells a refusal in words and keeps the values", async () => {
    new FakeApi().on("POST /orders/o-9/shipment", problem(404, "NOT_FOUND")).install();
    renderInConsole(<RecordShipmentPage />, { session: sessionOf("seller-1", "seller") });
    fill("Order ID", "o-9");
    fill("Carrier", "Yamato");
    fill("Tracking number", "1");
    save();
    expect((await screen.findByRole("alert")).textContent).toContain(
      "Not found. Please check the number.",
    );
    expect(screen.getByRole<HTMLInputElement>("textbox", { name: "Order ID" }).value).toBe("o-9");
  });
});
