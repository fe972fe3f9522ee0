// The steps of a cancellation as the bench drives them through local mode's HTTP API: the
// marketplace imports and ships an order, the buyer asks, the seller decides, the workflow ends.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { type Caller, type LocalClient, orderBody } from "../local/client.ts";
import type { LocalMode } from "../local/start.ts";
import type { Execution } from "../local/step-functions.ts";

export interface People {
  system: Caller;
  buyer: Caller;
  seller: Caller;
}

/** Imports an order of `people`'s buyer and seller and ships it; answers its id. */
export const shippedOrder = async (api: LocalClient, people: People): Promise<string> => {
  const body = orderBody({ buyerId: people.buyer.sub, sellerId: people.seller.sub });
  const imported = await api.post("/orders", people.system, body);
  if (imported.status !== 201) throw new Error(`import: ${imported.status}`);
  const shipped = await api.post(`/orders/${body.orderId}/shipment`, people.seller, {
    carrier: "yamato",
    trackingNumber: "4470-1234-5678",
  });
  if (shipped.status !== 200) throw new Error(`shipment: ${shipped.status}`);
  return body.orderId;
};

/** The buyer's cancellation POST: its request id and its latency as the client saw it. */
export const requestCancellation = async (
  api: LocalClient,
  buyer: Caller,
  orderId: string,
): Promise<{ requestId: string; ms: number }> => {
  const started = performance.now();
  const response = await api.post(
    `/orders/${orderId}/cancellation-requests`,
    buyer,
    { reason: "FOUND_BETTER_PRICE", comment: "同じ商品をより安い価格で見つけました" },
    { "idempotency-key": `key-${randomUUID()}` },
  );
  const ms = performance.now() - started;
  if (response.status !== 202) throw new Error(`cancellation request: ${response.status}`);
  return { requestId: String(response.body.requestId), ms };
};

export const sellerDecides = async (
  api: LocalClient,
  seller: Caller,
  orderId: string,
  requestId: string,
  decision: "APPROVE" | "REJECT",
): Promise<number> => {
  const started = performance.now();
  const response = await api.post(
    `/orders/${orderId}/cancellation-requests/${requestId}/seller-decision`,
    seller,
    decision === "APPROVE" ? { decision } : { decision, reason: "既に配送業者に引き渡し済みです" },
  );
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`seller decision: ${response.status}`);
  return ms;
};

/** The request's status as its buyer reads it, with its timeline. */
export const requestView = async (
  api: LocalClient,
  buyer: Caller,
  orderId: string,
  requestId: string,
): Promise<{ status: string; timeline: unknown[] }> => {
  const response = await api.get<{ status: string; timeline: unknown[] }>(
    `/orders/${orderId}/cancellation-requests/${requestId}`,
    buyer,
  );
  if (response.status !== 200) throw new Error(`GET request: ${response.status}`);
  return response.body;
};

/**
 * A request's execution: named after the request. The POST does not start it: the table's stream
 * does, through the pipe and the Express starter (infra/request-starts.ts), a moment after the 202.
 */
export const executionArnOf = (local: LocalMode, requestId: string): string =>
  `${local.stepFunctions.stateMachineArn.replace(":stateMachine:", ":execution:")}:${requestId}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits (in-process, no API call) until the execution exists: the pipe has read the request's
 * stream record and the starter has started the execution named by the request id.
 */
export const untilStarted = async (
  local: LocalMode,
  executionArn: string,
  timeoutMs = 30_000,
): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  while (!local.stepFunctions.hasExecution(executionArn)) {
    if (performance.now() > deadline) throw new Error(`${executionArn} never started`);
    await sleep(10);
  }
};

/**
 * Waits (in-process, no API call) until the execution has started and waits for a person: a
 * `.waitForTaskToken` task has stored its token, so a signal can end the wait.
 */
export const untilWaiting = async (
  local: LocalMode,
  executionArn: string,
  timeoutMs = 30_000,
): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  await untilStarted(local, executionArn, timeoutMs);
  for (;;) {
    const execution = local.stepFunctions.describeExecution(executionArn);
    if (local.stepFunctions.isWaiting(executionArn)) return;
    if (execution.status !== "RUNNING") {
      throw new Error(`${execution.name} ended (${execution.status}) before it waited`);
    }
    if (performance.now() > deadline) throw new Error(`${execution.name} never waited`);
    await sleep(20);
  }
};

/** Waits until the execution has started and stopped (its history is then complete). */
export const untilStopped = async (
  local: LocalMode,
  executionArn: string,
  timeoutMs = 60_000,
): Promise<Execution> => {
  await untilStarted(local, executionArn, timeoutMs);
  const execution = local.stepFunctions.describeExecution(executionArn);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${execution.name} still running`)), timeoutMs);
  });
  try {
    await Promise.race([execution.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return execution;
};
