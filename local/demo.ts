// `npm run demo`: the seed's story (発送済みキャンセル) played against local mode, one step a line.
// Uses the API on API_URL (default http://127.0.0.1:$PORT, PORT 3000) if it answers; otherwise
// starts local mode in-process on a free port (with POLICY_FILE, if set) and stops it at the end.
// Fresh ids on every run; exits 1 with the failing step if anything is not as the story expects.
import { randomUUID } from "node:crypto";
import type { Policy } from "../functions/domain/policy.ts";
import type { RequestStatus, TimelineEntry } from "../functions/domain/types.ts";
import type { PublicCancellationRequest, PublicOrder } from "../functions/domain/views.ts";
import { type ApiResponse, LocalClient, orderBody } from "./client.ts";

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

/** A timeline entry as a step line: who, what, and the request's status right after it. */
const entryLine = (entry: TimelineEntry, request: Request, policy: Policy, seller: string) => {
  const { amount = 0, currency = "JPY", method, refundId } = request.refund ?? {};
  const refund = money(amount, currency);
  const max = money(policy.autoApproveMaxAmount[currency] ?? 0, currency);
  const byPolicy = entry.actor === "policy";
  const lines: Partial<Record<TimelineEntry["type"], [string, string, RequestStatus]>> = {
    SELLER_NOTIFIED: ["workflow", "seller notified by email", "AWAITING_SELLER"],
    MARKETPLACE_APPROVED: [
      byPolicy ? "marketplace policy" : entry.actor,
      byPolicy ? `approved (${refund} ≤ ${max})` : "approved",
      "REFUND_PENDING",
    ],
    REFUND_INSTRUCTED: ["workflow", `refund instructed to ${seller}: ${refund}`, "REFUND_PENDING"],
    REFUND_SUCCEEDED: ["workflow", `refund succeeded to ${method}: ${refundId}`, "REFUND_PENDING"],
    REFUND_FAILED: ["workflow", `refund failed: ${entry.note ?? "?"}`, "REFUND_FAILED"],
    COMPLETED: ["workflow", "completed: order cancelled", "COMPLETED"],
  };
  return lines[entry.type] ?? [entry.actor, entry.type.toLowerCase(), request.status];
};

const story = async (api: LocalClient) => {
  const policy = (await api.get<Policy>("/policy")).body;
  const [system, buyer, seller] = await Promise.all([
    api.system(),
    api.buyer("buyer-1"),
    api.seller("seller-1"),
  ]);
  const orderId = `o-demo-${randomUUID().slice(0, 8)}`;
  const orderPath = `/orders/${orderId}`;
  console.log(`Policy ${policy.version}, order ${orderId}\n`);

  // 1. The buyer orders; the seller ships.
  const body = orderBody({ orderId, buyerId: buyer.sub, sellerId: seller.sub });
  await step<PublicOrder>("order system", api.post("/orders", system, body), "201 PLACED", (o) => {
    const paid = money(o.payment.paidAmount, o.currency);
    return `imported ${orderId} (${paid} by ${o.payment.method.toLowerCase()}, buyer ${o.locale})`;
  });
  const tracking = `4470-${randomUUID().slice(0, 4)}-${randomUUID().slice(0, 4)}`;
  const shipment = { carrier: "ヤマト運輸", trackingNumber: tracking };
  const shipping = api.post<PublicOrder>(`${orderPath}/shipment`, seller, shipment);
  await step(seller.sub, shipping, "200 SHIPPED", `shipped with ヤマト運輸 ${tracking}`);

  // 2. Order detail → cancel option → the request; the workflow tells the seller.
  const viewing = api.get<PublicOrder>(orderPath, buyer);
  const { cancellationOption: option } = await step(buyer.sub, viewing, "200 SHIPPED", (o) => {
    return `opened the order: ${o.cancellationOption.kind} (${o.cancellationOption.reason})`;
  });
  if (option.kind !== "CANCEL") throw new StepFailed(`no cancel option: ${option.reason}`);
  const key = { "idempotency-key": randomUUID() };
  const reason = { reason: "NO_LONGER_NEEDED" };
  const asking = api.post<Request>(`${orderPath}/cancellation-requests`, buyer, reason, key);
  const asked = await step(buyer.sub, asking, "202 REQUESTED", "asked to cancel: NO_LONGER_NEEDED");
  const requestPath = `${orderPath}/cancellation-requests/${asked.requestId}`;

  /** Polls the request as its buyer sees it, printing each new timeline entry, until `target`. */
  let shown = asked.timeline.length;
  const follow = (target: RequestStatus) =>
    api.until(async () => {
      const { body: request } = await api.get<Request>(requestPath, buyer);
      for (const entry of request.timeline.slice(shown))
        say(...entryLine(entry, request, policy, seller.sub));
      shown = request.timeline.length;
      if (request.status !== target && STOPS.includes(request.status))
        throw new StepFailed(`the request is ${request.status}, not ${target}`);
      return request.status === target ? request : undefined;
    }, `the request to be ${target}`);
  const waiting = await follow("AWAITING_SELLER");

  // 3. The seller reviews it in Seller Central and approves.
  const listing = api.get<{ items: Request[] }>("/seller/cancellation-requests?limit=100", seller);
  const queue = await step(seller.sub, listing, "200", (page) => {
    return `opened Seller Central: ${page.items.length} to decide, due ${waiting.sellerDeadline}`;
  });
  if (!queue.items.some((item) => item.requestId === asked.requestId))
    throw new StepFailed("the request is not in the seller's queue");
  const deciding = api.post<Request>(`${requestPath}/seller-decision`, seller, {
    decision: "APPROVE",
  });
  const approved = await step(seller.sub, deciding, "200 AWAITING_MARKETPLACE", "approved");
  shown = approved.timeline.length;

  // 4–5. The marketplace approves and instructs the refund; the refund is made; done.
  const done = await follow("COMPLETED");
  const checking = api.get<PublicOrder>(orderPath, buyer);
  const order = await step(buyer.sub, checking, "200 CANCELLED", "checked the order");

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
  console.log(`\nOrder ${orderId}: ${order.status}`);
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
