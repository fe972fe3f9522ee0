// `npm run demo`: the seed's story (発送済みキャンセル) played against local mode, one step a line,
// then part of an order cancelled (one unit first, with a preview of its refund, then the rest).
// Uses the API on API_URL (default http://127.0.0.1:$PORT, PORT 3000) if it answers; otherwise
// starts local mode in-process on a free port (with POLICY_FILE, if set) and stops it at the end.
// Fresh ids on every run; exits 1 with the failing step if anything is not as the story expects.
import { randomUUID } from "node:crypto";
import type { LineQuantity } from "../functions/domain/amounts.ts";
import type { Policy } from "../functions/domain/policy.ts";
import type { CancellationPreview } from "../functions/domain/request-terms.ts";
import type { RequestStatus, TimelineEntry } from "../functions/domain/types.ts";
import type { PublicCancellationRequest, PublicOrder } from "../functions/domain/views.ts";
import { type ApiResponse, type Caller, LocalClient, orderBody } from "./client.ts";

type Request = PublicCancellationRequest;
/** Statuses that end the story early: terminal ones, and a failed refund waiting for an operator. */
const STOPS = ["COMPLETED", "REJECTED", "WITHDRAWN", "RETURN_REQUIRED", "REFUND_FAILED"];
class StepFailed extends Error {}

const started = Date.now();
const apiUrl = process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Minor units as money: 5480 JPY → ¥5,480. */
const money = (amount: number, currency: string) => {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency });
  return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 0));
};

const say = (who: string, what: string, result: string) =>
  console.log(`[${who}] ${what}  → ${result}`);

/** Awaits a call, checks "HTTP status[ resource status]" against `expected`, prints the step. */
const step = async <T>(
  who: string,
  call: Promise<ApiResponse<T>>,
  expected: string,
  what: string | ((body: T) => string),
): Promise<T> => {
  const { status, body } = await call;
  const state = (body as { status?: unknown }).status;
  const outcome = typeof state === "string" ? `${status} ${state}` : `${status}`;
  const text = typeof what === "string" ? what : what(body);
  if (outcome !== expected) {
    const problem = body as { code?: string; detail?: string };
    const why = problem.code ? `${problem.code}: ${problem.detail}` : JSON.stringify(body);
    const shown = why.length > 200 ? `${why.slice(0, 200)}…` : why;
    throw new StepFailed(`[${who}] ${text}: expected ${expected}, got ${outcome} (${shown})`);
  }
  say(who, text, outcome);
  return body;
};

/** Units of lines as text, by their titles: "マグカップ ×1, 電気ケトル ×1". */
const unitsOf = (lines: readonly LineQuantity[], order: PublicOrder) =>
  lines
    .map(({ lineId, quantity }) => {
      const title = order.lines.find((line) => line.lineId === lineId)?.title ?? lineId;
      return `${title} ×${quantity}`;
    })
    .join(", ");

/** What is cancelled of an order and what was refunded, in words. */
const cancelledOf = (order: PublicOrder) => {
  const refunded = `${money(order.refundedAmount, order.currency)} refunded`;
  const paid = money(order.payment.paidAmount, order.currency);
  if (order.lines.every((line) => line.cancelledQuantity === line.quantity))
    return `every unit cancelled, ${refunded} of ${paid} paid`;
  const cancelled = order.lines
    .filter((line) => line.cancelledQuantity > 0)
    .map((line) => `${line.title} ${line.cancelledQuantity} of ${line.quantity}`);
  return `${cancelled.join(", ") || "nothing"} cancelled, ${refunded}`;
};

/**
 * A timeline entry as a step line: who, what, and the request's status right after it. `order` is
 * the order as it stood when the request was made (its titles, and what was refunded before).
 */
const entryLine = (
  entry: TimelineEntry,
  request: Request,
  order: PublicOrder,
  policy: Policy,
  seller: string,
) => {
  const { amount = 0, currency = "JPY", method, refundId } = request.refund ?? {};
  const refund = money(amount, currency);
  const max = money(policy.autoApproveMaxAmount[currency] ?? 0, currency);
  // Policy approval counts what the order's earlier requests refunded.
  const before =
    order.refundedAmount > 0 ? `${money(order.refundedAmount, currency)} earlier + ` : "";
  const byPolicy = entry.actor === "policy";
  const lines: Partial<Record<TimelineEntry["type"], [string, string, RequestStatus]>> = {
    SELLER_NOTIFIED: ["workflow", "seller notified by email", "AWAITING_SELLER"],
    MARKETPLACE_APPROVED: [
      byPolicy ? "marketplace policy" : entry.actor,
      byPolicy ? `approved (${before}${refund} ≤ ${max})` : "approved",
      "REFUND_PENDING",
    ],
    // The marketplace refunds; the seller is told and pays nothing by hand (SPEC "Who pays").
    REFUND_INSTRUCTED: [
      "workflow",
      `marketplace started the refund of ${refund} (${seller} told, nothing to pay by hand)`,
      "REFUND_PENDING",
    ],
    REFUND_SUCCEEDED: ["workflow", `refund succeeded to ${method}: ${refundId}`, "REFUND_PENDING"],
    REFUND_FAILED: ["workflow", `refund failed: ${entry.note ?? "?"}`, "REFUND_FAILED"],
    COMPLETED: ["workflow", `completed: ${unitsOf(request.lines, order)} cancelled`, "COMPLETED"],
  };
  return lines[entry.type] ?? [entry.actor, entry.type.toLowerCase(), request.status];
};

interface Cast {
  api: LocalClient;
  policy: Policy;
  system: Caller;
  buyer: Caller;
  seller: Caller;
}

/** The order system imports `overrides` over the sample order; the seller ships it. */
const importAndShip = async (
  { api, system, buyer, seller }: Cast,
  orderId: string,
  overrides: Record<string, unknown> = {},
) => {
  const body = orderBody({ orderId, buyerId: buyer.sub, sellerId: seller.sub }, overrides);
  await step<PublicOrder>("order system", api.post("/orders", system, body), "201 PLACED", (o) => {
    const lines = o.lines.map((line) => `${line.title} ×${line.quantity}`).join(", ");
    const full = o.lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, o.shippingFee);
    const off = full - o.payment.paidAmount; // a coupon or points
    const paid = `${money(o.payment.paidAmount, o.currency)} by ${o.payment.method.toLowerCase()}`;
    const discount = off > 0 ? ` after ${money(off, o.currency)} off` : "";
    return `imported ${orderId}: ${lines} (${paid}${discount}, buyer ${o.locale})`;
  });
  const tracking = `4470-${randomUUID().slice(0, 4)}-${randomUUID().slice(0, 4)}`;
  // The carrier by code; the answer names it (here in the order's language, as its buyer reads it).
  const shipment = { carrier: "yamato", trackingNumber: tracking };
  const shipping = api.post<PublicOrder>(`/orders/${orderId}/shipment`, seller, shipment);
  return step(seller.sub, shipping, "200 SHIPPED", (o) => {
    const carrier = o.shipment?.carrierName[o.locale] ?? shipment.carrier;
    return `shipped with ${carrier} ${tracking}`;
  });
};

/**
 * The buyer asks to cancel `lines` of `order` (without them: all that is left). Returns the request
 * and `follow`, which polls it as its buyer sees it, printing each new timeline entry, until
 * `target` (from the request `from`, when given: entries up to it were printed already).
 */
const ask = async (
  { api, policy, buyer, seller }: Cast,
  order: PublicOrder,
  lines?: LineQuantity[],
) => {
  const requestsPath = `/orders/${order.orderId}/cancellation-requests`;
  const body = { reason: "NO_LONGER_NEEDED", ...(lines && { lines }) };
  const partly = order.lines.some((line) => line.cancelledQuantity > 0);
  const what = lines ? unitsOf(lines, order) : partly ? "the rest" : "the whole order";
  const key = { "idempotency-key": randomUUID() };
  const asking = api.post<Request>(requestsPath, buyer, body, key);
  const asked = await step(
    buyer.sub,
    asking,
    "202 REQUESTED",
    `asked to cancel ${what}: NO_LONGER_NEEDED`,
  );
  const requestPath = `${requestsPath}/${asked.requestId}`;
  let shown = asked.timeline.length;
  const follow = (target: RequestStatus, from?: Request) => {
    if (from) shown = from.timeline.length;
    return api.until(async () => {
      const { body: request } = await api.get<Request>(requestPath, buyer);
      for (const entry of request.timeline.slice(shown))
        say(...entryLine(entry, request, order, policy, seller.sub));
      shown = request.timeline.length;
      if (request.status !== target && STOPS.includes(request.status))
        throw new StepFailed(`the request is ${request.status}, not ${target}`);
      return request.status === target ? request : undefined;
    }, `the request to be ${target}`);
  };
  return { asked, requestPath, follow };
};

/** The seller approves the request from `ask`; then the workflow carries it to COMPLETED. */
const approveAndComplete = async (
  { api, seller }: Cast,
  { requestPath, follow }: Awaited<ReturnType<typeof ask>>,
) => {
  const deciding = api.post<Request>(`${requestPath}/seller-decision`, seller, {
    decision: "APPROVE",
  });
  const approved = await step(seller.sub, deciding, "200 AWAITING_MARKETPLACE", "approved");
  return follow("COMPLETED", approved);
};

/** The buyer reads the order and says what is cancelled of it. */
const checkOrder = ({ api, buyer }: Cast, orderId: string, expected: string) =>
  step(buyer.sub, api.get<PublicOrder>(`/orders/${orderId}`, buyer), expected, (o) => {
    return `checked the order: ${cancelledOf(o)}`;
  });

/** The seed's story: a one-line order cancelled as a whole. */
const wholeOrder = async (cast: Cast) => {
  const { api, buyer, seller } = cast;
  const orderId = `o-demo-${randomUUID().slice(0, 8)}`;
  console.log(`Policy ${cast.policy.version}, order ${orderId}\n`);

  // 1. The buyer orders; the seller ships.
  await importAndShip(cast, orderId);

  // 2. Order detail → cancel option → the request; the workflow tells the seller.
  const viewing = api.get<PublicOrder>(`/orders/${orderId}`, buyer);
  const order = await step(buyer.sub, viewing, "200 SHIPPED", (o) => {
    return `opened the order: ${o.cancellationOption.kind} (${o.cancellationOption.reason})`;
  });
  const option = order.cancellationOption;
  if (option.kind !== "CANCEL") throw new StepFailed(`no cancel option: ${option.reason}`);
  const request = await ask(cast, order);
  const waiting = await request.follow("AWAITING_SELLER");

  // 3. The seller reviews it in the console's "Cancellation requests" and approves.
  const listing = api.get<{ items: Request[] }>("/seller/cancellation-requests?limit=100", seller);
  const queue = await step(seller.sub, listing, "200", (page) => {
    return `opened Cancellation requests: ${page.items.length} to decide, due ${waiting.sellerDeadline}`;
  });
  if (!queue.items.some((item) => item.requestId === request.asked.requestId))
    throw new StepFailed("the request is not in the seller's queue");

  // 4–5. The marketplace approves and instructs the refund; the refund is made; done.
  const done = await approveAndComplete(cast, request);
  const cancelled = await checkOrder(cast, orderId, "200 CANCELLED");

  // 6. What both sides can see now.
  console.log(`\nTimeline of request ${done.requestId}:`);
  for (const { at, type, actor } of done.timeline)
    console.log(`  ${at}  ${type.padEnd(20)} ${actor}`);
  const { refund } = done;
  if (!refund) throw new StepFailed("the completed request has no refund");
  const expected = refund.expectedBy;
  console.log(
    `\nRefund: ${money(refund.amount, refund.currency)} to ${refund.method} (${refund.status}), ` +
      `refundId ${refund.refundId}, expected ${expected?.earliest} – ${expected?.latest}`,
  );
  const mails = await api.until(async () => {
    const mine = (await api.emails()).filter((mail) => mail.subject.includes(orderId));
    return mine.length >= 6 ? mine : undefined; // 3 to the buyer, 3 to the seller
  }, "the story's six emails");
  console.log(`\nEmails for ${orderId}:`);
  for (const mail of mails) console.log(`  ${mail.to.join(", ").padEnd(22)} ${mail.subject}`);
  console.log(`\nOrder ${orderId}: ${cancelled.status}`);
};

/**
 * Part of an order: a two-line order paid with a ¥1,000 coupon. One mug is cancelled first (the
 * order stays shipped), then the rest (the order is cancelled); each after a preview of its refund.
 */
const partOfAnOrder = async (cast: Cast) => {
  const { api, buyer } = cast;
  const orderId = `o-demo-${randomUUID().slice(0, 8)}`;
  console.log(`\nPart of an order: ${orderId}, one mug first, then the rest\n`);
  let order = await importAndShip(cast, orderId, {
    lines: [
      { lineId: "l1", sku: "SKU-2", title: "電気ケトル", quantity: 1, unitPrice: 3000 },
      { lineId: "l2", sku: "SKU-3", title: "マグカップ", quantity: 2, unitPrice: 1000 },
    ],
    payment: { method: "CARD", paidAmount: 4500 },
  });
  const refunds: number[] = [];
  for (const lines of [[{ lineId: "l2", quantity: 1 }], undefined]) {
    const previewing = api.post<CancellationPreview>(
      `/orders/${orderId}/cancellation-requests/preview`,
      buyer,
      lines ? { lines } : {},
    );
    const preview = await step(buyer.sub, previewing, "200", (p) => {
      const of = (amount: number) => money(amount, p.currency);
      const what = lines ? unitsOf(lines, order) : "the rest";
      const by = p.approval === "POLICY" ? "policy" : "an operator";
      const split = `items ${of(p.itemsAmount)}, shipping ${of(p.shippingAmount)}`;
      return `previewed ${what}: ${of(p.amount)} (${split}), approved by ${by}`;
    });
    const request = await ask(cast, order, lines);
    await request.follow("AWAITING_SELLER");
    const done = await approveAndComplete(cast, request);
    // SPEC: a request made right after a preview, with the same body, refunds what it showed.
    if (done.refund?.amount !== preview.amount)
      throw new StepFailed(`previewed ${preview.amount}, refunded ${done.refund?.amount}`);
    refunds.push(preview.amount);
    order = await checkOrder(cast, orderId, lines ? "200 SHIPPED" : "200 CANCELLED");
  }
  const sum = refunds.reduce((total, amount) => total + amount, 0);
  if (sum !== order.refundedAmount)
    throw new StepFailed(`refunds add up to ${sum}, the order says ${order.refundedAmount}`);
  const of = (amount: number) => money(amount, order.currency);
  console.log(
    `\nRefunds for ${orderId}: ${refunds.map(of).join(" + ")} = ${of(sum)} ` +
      `(paid ${of(order.payment.paidAmount)}); order ${order.status}`,
  );
};

const story = async (api: LocalClient) => {
  const policy = (await api.get<Policy>("/policy")).body;
  const [system, buyer, seller] = await Promise.all([
    api.system(),
    api.buyer("buyer-1"),
    api.seller("seller-1"),
  ]);
  const cast = { api, policy, system, buyer, seller };
  await wholeOrder(cast);
  await partOfAnOrder(cast);
};

/** Whether this API answers GET /policy on `url` within a short timeout. */
const answers = async (url: string) => {
  try {
    const response = await fetch(`${url}/policy`, { signal: AbortSignal.timeout(1500) });
    return response.ok && typeof ((await response.json()) as Partial<Policy>).version === "string";
  } catch {
    return false;
  }
};

let stop = async () => {};
const main = async (): Promise<number> => {
  let url = apiUrl;
  if (await answers(apiUrl)) {
    console.log(`Using the API on ${apiUrl}`);
  } else {
    console.log(`Nothing answers on ${apiUrl}: starting local mode in-process…`);
    const { startLocal } = await import("./start.ts");
    const local = await startLocal({ port: 0, policyFile: process.env.POLICY_FILE });
    ({ stop, url } = local);
    console.log(`Local mode on ${url} (${local.database}) in ${seconds(started)}`);
  }
  const playing = Date.now();
  await story(new LocalClient(url));
  console.log(`\nDone: the story took ${seconds(playing)}, ${seconds(started)} in all.`);
  return 0;
};

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => void stop().finally(() => process.exit(130)));
const code = await main().catch((error: unknown) => {
  console.error(`\n✗ demo failed: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
await stop();
process.exit(code);
