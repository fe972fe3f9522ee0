// Local mode's "Create sample orders": two shipped orders for a buyer, imported through the API
// with locally minted tokens (the order system's scope, then seller-1 for the shipment). ¥5,480 is
// approved by policy; ¥49,800 is over autoApproveMaxAmount and goes to the operators' review.
import { createApi, type Outcome, outcome } from "./api.ts";
import { mintLocalToken } from "./auth.ts";
import type { Messages } from "./messages/types.ts";

export const SAMPLE_SELLER = "seller-1";

const samplePrices = [4980, 49300] as const;
const SHIPPING_FEE = 500;

export const createSampleOrders = async (
  buyerId: string,
  messages: Messages,
): Promise<Outcome<string[]>> => {
  let system: string;
  let seller: string;
  try {
    [system, seller] = await Promise.all([
      mintLocalToken({ sub: "console-samples", scopes: ["orders/write"] }),
      mintLocalToken({ sub: SAMPLE_SELLER, groups: ["sellers"] }),
    ]);
  } catch {
    return { ok: false, failure: { kind: "network" } };
  }
  const api = createApi({ baseUrl: location.origin, token: () => undefined });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const created: string[] = [];
  for (const [index, unitPrice] of samplePrices.entries()) {
    const orderId = `o-${crypto.randomUUID().slice(0, 8)}`;
    const imported = await outcome(
      api.POST("/orders", {
        headers: bearer(system),
        body: {
          orderId,
          buyerId,
          buyerEmail: `${buyerId}@example.com`,
          locale: messages.language,
          sellerId: SAMPLE_SELLER,
          sellerEmail: `${SAMPLE_SELLER}@example.com`,
          currency: "JPY",
          lines: [
            {
              lineId: "l1",
              sku: `SKU-${index + 1}`,
              title: messages.signIn.sampleTitles[index] ?? "",
              quantity: 1,
              unitPrice,
            },
          ],
          shippingFee: SHIPPING_FEE,
          payment: { method: "CARD", paidAmount: unitPrice + SHIPPING_FEE },
          placedAt: new Date(Date.now() - 86_400_000).toISOString(),
        },
      }),
    );
    if (!imported.ok) return imported;
    const shipped = await outcome(
      api.POST("/orders/{orderId}/shipment", {
        headers: bearer(seller),
        params: { path: { orderId } },
        body: { carrier: "yamato", trackingNumber: `4470-${orderId.slice(2, 6)}-${index + 1}` },
      }),
    );
    if (!shipped.ok) return shipped;
    created.push(orderId);
  }
  return { ok: true, data: created };
};
