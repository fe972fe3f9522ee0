// A stand-in for the API behind `fetch`, for the console's component tests: answers by
// "METHOD /path" and records every call (method, path, headers, body) for the test to read. Also
// orders, requests and queue summaries shaped as the API answers them, and a refund preview
// worked out for the lines a call asks about.
import { base64url } from "jose";
import { vi } from "vitest";
import type {
  CancellationPreview,
  CancellationRequest,
  CancellationRequestSummary,
  Order,
} from "../../console/src/api.ts";

export interface RecordedCall {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Responder = (call: RecordedCall) => FakeAnswer | Promise<FakeAnswer>;

export const problem = (status: number, code: string, extra: Record<string, unknown> = {}) => ({
  status,
  headers: { "content-type": "application/problem+json" },
  body: { type: "about:blank", title: code, status, detail: `detail of ${code}`, code, ...extra },
});

export class FakeApi {
  readonly calls: RecordedCall[] = [];
  private readonly responders = new Map<string, Responder[]>();

  /** Answers `METHOD /path` with `answers` in turn (the last one repeats). */
  on(route: string, ...answers: (FakeAnswer | Responder)[]) {
    this.responders.set(
      route,
      answers.map((answer) => (typeof answer === "function" ? answer : () => answer)),
    );
    return this;
  }

  install() {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: Request | string | URL, init?: RequestInit) => {
        const request = input instanceof Request ? input : new Request(String(input), init);
        const url = new URL(request.url, "http://localhost:3000");
        const text = await request.text();
        const call: RecordedCall = {
          method: request.method,
          path: url.pathname + url.search,
          headers: request.headers,
          // JSON bodies parsed; others (the token endpoint's form) as sent.
          body: !text ? undefined : text.startsWith("{") ? JSON.parse(text) : text,
        };
        this.calls.push(call);
        const queue = this.responders.get(`${call.method} ${url.pathname}`);
        const responder = queue && queue.length > 1 ? queue.shift() : queue?.[0];
        if (!responder) throw new TypeError(`no answer for ${call.method} ${url.pathname}`);
        const answer = await responder(call);
        return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
          status: answer.status,
          headers: { "content-type": "application/json", ...answer.headers },
        });
      }),
    );
    return this;
  }

  callsTo(method: string, path: string) {
    return this.calls.filter((call) => call.method === method && call.path.split("?")[0] === path);
  }
}

/** A JSON value as base64url, with the encoder the console itself uses (no Node Buffer here). */
const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

/** An access token shaped like local mode's (the console reads it, never verifies it). */
export const fakeToken = (sub: string, groups: string[]) =>
  `${encode({ alg: "RS256" })}.${encode({
    sub,
    "cognito:groups": groups,
    exp: Math.floor(Date.now() / 1000) + 3600,
  })}.signature`;

export const anOrder = (overrides: Partial<Order> = {}): Order => ({
  orderId: "o-1001",
  buyerId: "buyer-1",
  buyerEmail: "buyer@example.com",
  locale: "en",
  sellerId: "seller-1",
  sellerEmail: "seller@example.com",
  currency: "JPY",
  lines: [
    {
      lineId: "l1",
      sku: "SKU-1",
      title: "Wireless earbuds",
      quantity: 1,
      unitPrice: 4980,
      cancelledQuantity: 0,
    },
  ],
  shippingFee: 500,
  payment: { method: "CARD", paidAmount: 5480, provider: "ledger", reference: null },
  placedAt: "2026-11-20T10:00:00.000Z",
  shipBy: null,
  status: "SHIPPED",
  shipment: {
    carrier: "yamato",
    carrierName: { ja: "ヤマト運輸", en: "Yamato Transport" },
    trackingNumber: "4470-0000-0001",
    shippedAt: "2026-11-21T01:00:00.000Z",
  },
  parcel: { status: "IN_TRANSIT", updatedAt: "2026-11-21T01:00:00.000Z" },
  return: null,
  deliveredAt: null,
  activeCancellationRequestId: null,
  latestCancellationRequestId: null,
  refundedAmount: 0,
  cancellationOption: { kind: "CANCEL", reason: "IN_TRANSIT" },
  importedAt: "2026-11-20T10:00:00.000Z",
  updatedAt: "2026-11-21T01:00:00.000Z",
  timeline: [],
  ...overrides,
});

export const aRequest = (overrides: Partial<CancellationRequest> = {}): CancellationRequest => ({
  requestId: "r-1",
  orderId: "o-1001",
  status: "AWAITING_SELLER",
  reason: "NO_LONGER_NEEDED",
  comment: null,
  initiator: "BUYER",
  fault: null,
  lines: [{ lineId: "l1", quantity: 1, amount: 4980 }],
  itemsAmount: 4980,
  shippingAmount: 500,
  createdAt: "2026-11-21T03:00:00.000Z",
  updatedAt: "2026-11-21T03:00:01.000Z",
  sellerDeadline: "2026-11-23T03:00:00.000Z",
  sellerRemindedAt: null,
  marketplaceDeadline: null,
  marketplaceReview: null,
  refundRetryDeadline: null,
  rejection: null,
  refund: null,
  refundInquiry: null,
  policyVersion: "2026-11-01",
  timeline: [
    { at: "2026-11-21T03:00:00.000Z", type: "REQUESTED", actor: "buyer-1" },
    { at: "2026-11-21T03:00:01.000Z", type: "SELLER_NOTIFIED", actor: "system" },
  ],
  ...overrides,
});

/** A queue's entry (what the seller's and operators' lists answer): no timeline. */
export const aSummary = (
  overrides: Partial<CancellationRequestSummary> = {},
): CancellationRequestSummary => ({
  requestId: "r-1",
  orderId: "o-1001",
  status: "AWAITING_SELLER",
  reason: "NO_LONGER_NEEDED",
  comment: null,
  lines: [{ lineId: "l1", title: "Wireless earbuds", quantity: 1, amount: 4980 }],
  moreLines: 0,
  itemsAmount: 4980,
  shippingAmount: 500,
  currency: "JPY",
  createdAt: "2026-11-21T03:00:00.000Z",
  updatedAt: "2026-11-21T03:00:01.000Z",
  sellerDeadline: "2026-11-23T03:00:00.000Z",
  marketplaceDeadline: null,
  marketplaceReview: null,
  refundRetryDeadline: null,
  refund: null,
  ...overrides,
});

/**
 * Answers `POST …/cancellation-requests/preview` for `order` as the API would under the default
 * policy when nothing was discounted: each chosen line at its price, shipping refunded only with
 * the last units (WHEN_ALL_CANCELLED); without `lines`, every unit left. Unknown lines and
 * quantities over what is left are 400 VALIDATION_FAILED with the field's path; nothing left, 409
 * NOTHING_TO_CANCEL.
 */
export const previewOf =
  (order: Order, overrides: Partial<CancellationPreview> = {}): Responder =>
  (call) => {
    const left = (line: Order["lines"][number]) => line.quantity - line.cancelledQuantity;
    const body = (call.body ?? {}) as { lines?: { lineId: string; quantity: number }[] };
    const asked =
      body.lines ??
      order.lines.flatMap((line) =>
        left(line) > 0 ? [{ lineId: line.lineId, quantity: left(line) }] : [],
      );
    if (asked.length === 0) return problem(409, "NOTHING_TO_CANCEL");
    const lines: CancellationPreview["lines"] = [];
    for (const [index, { lineId, quantity }] of asked.entries()) {
      const line = order.lines.find((candidate) => candidate.lineId === lineId);
      if (!line || quantity < 1 || quantity > left(line)) {
        const field = line ? "quantity" : "lineId";
        return problem(400, "VALIDATION_FAILED", {
          errors: [
            { path: `body.lines.${index}.${field}`, message: "is not a line left to cancel" },
          ],
        });
      }
      lines.push({ lineId, quantity, amount: line.unitPrice * quantity });
    }
    const unitsAsked = lines.reduce((sum, line) => sum + line.quantity, 0);
    const unitsLeft = order.lines.reduce((sum, line) => sum + left(line), 0);
    const itemsAmount = lines.reduce((sum, line) => sum + line.amount, 0);
    const shippingAmount = unitsAsked === unitsLeft ? order.shippingFee : 0;
    const preview: CancellationPreview = {
      lines,
      itemsAmount,
      shippingAmount,
      amount: itemsAmount + shippingAmount,
      currency: order.currency,
      method: "CARD",
      expectedBy: { earliest: "2026-11-26", latest: "2026-12-07" },
      approval: "POLICY",
      ...overrides,
    };
    return { status: 200, body: preview };
  };
