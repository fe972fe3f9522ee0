// The API end to end in local mode (the synthesized routes, handlers and state machine on
// DynamoDB Local), driven over HTTP: start-up time, request latencies and the memory it takes.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Caller, LocalClient, orderBody } from "../local/client.ts";
import { type LocalMode, startLocal } from "../local/start.ts";
import { dynamoDbLocalChildren, rssMbOf } from "./processes.ts";
import { createReport } from "./report.ts";
import { TARGETS } from "./targets.ts";

/** Measured requests per route (after a short warm-up). */
const REQUESTS = 200;
const WARMUP_REQUESTS = 10;
const target = TARGETS.api;
const report = createReport("API in local mode");

let local: LocalMode | undefined;
let api: LocalClient;
let system: Caller;
let buyer: Caller;
let seller: Caller;
let startMs = 0;
/** Cancellation requests accepted so far: each one's workflow sends two emails when it starts. */
let accepted = 0;

beforeAll(async () => {
  const started = performance.now();
  local = await startLocal({ port: 0 });
  startMs = performance.now() - started;
  api = new LocalClient(local.url);
  [system, buyer, seller] = await Promise.all([api.system(), api.buyer(), api.seller()]);
});

afterAll(async () => {
  report.print();
  await local?.stop();
  expect(dynamoDbLocalChildren(), "DynamoDB Local left running").toEqual([]);
});

/** Imports an order of the bench's buyer and seller and ships it (untimed set-up). */
const shippedOrder = async (): Promise<string> => {
  const body = orderBody({ buyerId: buyer.sub, sellerId: seller.sub });
  const imported = await api.post("/orders", system, body);
  if (imported.status !== 201) throw new Error(`import: ${imported.status}`);
  const shipped = await api.post(`/orders/${body.orderId}/shipment`, seller, {
    carrier: "yamato",
    trackingNumber: "4470-1234-5678",
  });
  if (shipped.status !== 200) throw new Error(`shipment: ${shipped.status}`);
  return body.orderId;
};

const requestCancellation = async (orderId: string) => {
  const response = await api.post(
    `/orders/${orderId}/cancellation-requests`,
    buyer,
    { reason: "FOUND_BETTER_PRICE", comment: "同じ商品をより安い価格で見つけました" },
    { "idempotency-key": `key-${randomUUID()}` },
  );
  if (response.status === 202) accepted++;
  return response;
};

const runOptions = {
  time: 0,
  iterations: REQUESTS,
  warmupTime: 0,
  warmupIterations: WARMUP_REQUESTS,
};

test(`startLocal ≤ ${target.startLocalMs.toLocaleString("en-US")} ms`, () => {
  expect(local?.database).toBe("DynamoDB Local");
  report.atMost(
    "startLocal (synth + DynamoDB Local + stand-ins)",
    startMs,
    target.startLocalMs,
    "ms",
  );
});

test(`GET /orders/{id} p50 ≤ ${target.getOrderP50Ms} ms, p99 ≤ ${target.getOrderP99Ms} ms`, async ({
  bench,
}) => {
  // An order with a request awaiting the seller, as a buyer would look at it.
  const orderId = await shippedOrder();
  expect((await requestCancellation(orderId)).status).toBe(202);
  const result = await bench("GET /orders/{id}", async () => {
    const response = await api.get(`/orders/${orderId}`, buyer);
    if (response.status !== 200) throw new Error(`GET /orders/{id}: ${response.status}`);
  }).run(runOptions);
  report.atMost("GET /orders/{id} p50", result.latency.p50, target.getOrderP50Ms, "ms");
  report.atMost("GET /orders/{id} p99", result.latency.p99, target.getOrderP99Ms, "ms");
});

test(`POST cancellation request → 202 p50 ≤ ${target.requestCancellationP50Ms} ms, p99 ≤ ${target.requestCancellationP99Ms} ms`, async ({
  bench,
}) => {
  // Each request needs its own shipped order, imported and shipped before it (untimed).
  let orderId = "";
  const result = await bench(
    "POST /orders/{id}/cancellation-requests",
    {
      beforeEach: async () => {
        orderId = await shippedOrder();
      },
    },
    async () => {
      const response = await requestCancellation(orderId);
      if (response.status !== 202) throw new Error(`cancellation request: ${response.status}`);
    },
  ).run(runOptions);
  report.atMost(
    "POST cancellation request → 202 p50",
    result.latency.p50,
    target.requestCancellationP50Ms,
    "ms",
  );
  report.atMost(
    "POST cancellation request → 202 p99",
    result.latency.p99,
    target.requestCancellationP99Ms,
    "ms",
  );
});

test(`RSS after the run ≤ ${target.rssMb} MB (node), ≤ ${target.totalRssMb} MB (with DynamoDB Local)`, async () => {
  // Let every started workflow finish its first step (it mails buyer and seller, then waits for
  // the seller): memory is measured at rest, and teardown interrupts no step half-way.
  await api.until(
    async () => ((await api.emails()).length >= 2 * accepted ? true : undefined),
    `the workflows of ${accepted} requests to start`,
    60_000,
  );
  // This process holds local mode: gateway, handlers, workflows and the SES stand-in.
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  const jvmRssMb = dynamoDbLocalChildren().reduce((sum, pid) => sum + rssMbOf(pid), 0);
  report.atMost("RSS after the run (node process)", rssMb, target.rssMb, "MB");
  report.atMost(
    "RSS after the run (node + DynamoDB Local)",
    rssMb + jvmRssMb,
    target.totalRssMb,
    "MB",
  );
});
