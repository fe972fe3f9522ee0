// A small HTTP client of the local API, for the demo and the end-to-end suites: real tokens from
// local mode, JSON in and out, and the SPEC's people and systems as named callers.
import { randomUUID } from "node:crypto";
import type { TimelineEventDetail } from "../functions/domain/published-events.ts";

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  contentType: string;
  body: T;
}

export interface Caller {
  sub: string;
  token: string;
}

export class LocalClient {
  constructor(readonly url: string) {}

  async caller(
    sub: string,
    access: { groups?: string[]; scopes?: string[]; carrier?: string },
  ): Promise<Caller> {
    const response = await this.send("POST", "/_local/tokens", { body: { sub, ...access } });
    if (response.status !== 200)
      throw new Error(`no token for ${sub}: ${JSON.stringify(response.body)}`);
    return { sub, token: String(response.body.accessToken) };
  }

  buyer = (sub = `buyer-${randomUUID().slice(0, 8)}`) => this.caller(sub, { groups: ["buyers"] });
  seller = (sub = `seller-${randomUUID().slice(0, 8)}`) =>
    this.caller(sub, { groups: ["sellers"] });
  operator = (sub = "operator-1") => this.caller(sub, { groups: ["operators"] });
  system = () => this.caller("order-system", { scopes: ["orders/write"] });
  /** A carrier's client: bound to `carrier` (a `shipment.carrier` code), or to none (any). */
  carrier = (carrier?: string) =>
    this.caller(carrier ? `carrier-${carrier}` : "carrier-events", {
      scopes: ["carrier/events"],
      ...(carrier ? { carrier } : {}),
    });

  async send<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: {
      caller?: Caller;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.caller) headers.authorization = `Bearer ${options.caller.token}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      body: (text ? JSON.parse(text) : {}) as T,
    };
  }

  get = <T = Record<string, unknown>>(path: string, caller?: Caller) =>
    this.send<T>("GET", path, caller ? { caller } : {});

  post = <T = Record<string, unknown>>(
    path: string,
    caller: Caller | undefined,
    body?: unknown,
    headers?: Record<string, string>,
  ) =>
    this.send<T>("POST", path, {
      ...(caller ? { caller } : {}),
      body,
      ...(headers ? { headers } : {}),
    });

  /** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
  async until<T>(
    probe: () => Promise<T | undefined>,
    what: string,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async emails(): Promise<
    { to: string[]; subject: string; text: string; html: string; at: string }[]
  > {
    const response = await this.get<{ items: never[] }>("/_local/emails");
    return response.body.items;
  }

  /** The domain events published so far, in order (`GET /_local/events`). */
  async events(): Promise<{ detailType: string; detail: TimelineEventDetail; at: string }[]> {
    const response = await this.get<{ items: never[] }>("/_local/events");
    return response.body.items;
  }
}

/** A valid `POST /orders` body: ¥4,980 + ¥500 shipping by card, unless overridden. */
export const orderBody = (
  ids: { orderId?: string; buyerId: string; sellerId: string },
  overrides: Record<string, unknown> = {},
) => ({
  orderId: ids.orderId ?? `o-${randomUUID()}`,
  buyerId: ids.buyerId,
  buyerEmail: `${ids.buyerId}@example.com`,
  locale: "ja",
  sellerId: ids.sellerId,
  sellerEmail: `${ids.sellerId}@example.com`,
  currency: "JPY",
  lines: [
    { lineId: "l1", sku: "SKU-1", title: "ワイヤレスイヤホン", quantity: 1, unitPrice: 4980 },
  ],
  shippingFee: 500,
  payment: { method: "CARD", paidAmount: 5480 },
  placedAt: new Date(Date.now() - 86_400_000).toISOString(),
  ...overrides,
});
