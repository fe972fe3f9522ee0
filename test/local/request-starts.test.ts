// How a request's workflow starts in local mode, as deployed: the orders table's stream → the pipe
// (its filter, input template, batches, retries, dead letters, all from the synthesized template)
// → the Express starter → the workflow's execution named by the request id. And what recovers a
// start the pipe gave up on: the reconciler (POST /_local/sweep) starts it and drains the queue.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  NEW_REQUEST_FILTER,
  START_INPUT_TEMPLATE,
  START_STATES,
} from "../../infra/request-starts.ts";
import { type Caller, LocalClient, orderBody } from "../../local/client.ts";
import type { LocalQueueView } from "../../local/sqs.ts";
import { type LocalMode, startLocal } from "../../local/start.ts";
import type { LocalStepFunctions } from "../../local/step-functions.ts";

let local: LocalMode;
let api: LocalClient;
let system: Caller;
let starter: LocalStepFunctions;

beforeAll(async () => {
  local = await startLocal({
    port: 0,
    // Fast stand-ins: the pipe polls every 20 ms and backs off 5–20 ms; the starter's retries
    // wait nothing. The counts (BatchSize 10, 10 retries, 4 starter retries) are the template's.
    timings: {
      pipes: { pollIntervalMs: 20, retryBaseMs: 5, retryMaxMs: 20 },
      stateRetryIntervals: { [START_STATES.start]: 0 },
    },
  });
  api = new LocalClient(local.url);
  system = await api.system();
  const express = [...local.stateMachines.values()].filter((m) => m.type === "EXPRESS");
  expect(express).toHaveLength(1);
  starter = express[0] as LocalStepFunctions;
}, 90_000);

afterAll(async () => {
  await local?.stop();
});

afterEach(async () => {
  await api.send("DELETE", "/_local/faults");
});

/** A shipped order of a fresh buyer and seller. */
const shippedOrder = async () => {
  const [buyer, seller] = await Promise.all([api.buyer(), api.seller()]);
  const body = orderBody({ buyerId: buyer.sub, sellerId: seller.sub });
  expect((await api.post("/orders", system, body)).status).toBe(201);
  const orderId = String(body.orderId);
  const shipped = await api.post(`/orders/${orderId}/shipment`, seller, {
    carrier: "yamato",
    trackingNumber: "4470-1234-5678",
  });
  expect(shipped.status).toBe(200);
  return { orderId, buyer, seller };
};

const ask = async (party: { orderId: string; buyer: Caller }) => {
  const asked = await api.post(
    `/orders/${party.orderId}/cancellation-requests`,
    party.buyer,
    { reason: "NO_LONGER_NEEDED" },
    { "idempotency-key": `key-${randomUUID()}` },
  );
  expect(asked.status).toBe(202);
  return String(asked.body.requestId);
};

const executionsNamed = (name: string) =>
  local.stepFunctions.listExecutions().filter((execution) => execution.name === name);

const started = (requestId: string) =>
  api.until(
    async () => executionsNamed(requestId)[0],
    `the execution of ${requestId} to start`,
    10_000,
  );

/** The starter's runs whose batch held this request. */
const starterRunsFor = (requestId: string) =>
  starter.listExecutions().filter((execution) => execution.input.includes(requestId));

const deadLetterQueue = async () => {
  const queues = await api.get<{ items: LocalQueueView[] }>("/_local/queues");
  expect(queues.status).toBe(200);
  const [queue, ...others] = queues.body.items;
  expect(others).toEqual([]);
  return queue as LocalQueueView;
};

/** Lets the pipe poll a few more times (each poll reads what the stream has by then). */
const afterPolls = async (count: number) => {
  const pipe = local.pipes[0];
  const from = pipe?.counts.polls ?? 0;
  await api.until(
    async () => ((pipe?.counts.polls ?? 0) >= from + count ? true : undefined),
    `${count} polls`,
  );
};

describe("the pipe of the synthesized template", () => {
  it("is the deployed pipe's configuration: the orders table's stream, its filter, template, batch and retries", () => {
    expect(local.pipes).toHaveLength(1);
    expect(local.pipes[0]?.definition).toMatchObject({
      startingPosition: "LATEST",
      batchSize: 10,
      maximumRetryAttempts: 10,
      filters: [JSON.stringify(NEW_REQUEST_FILTER)],
      inputTemplate: START_INPUT_TEMPLATE,
      targetArn: starter.stateMachineArn,
      deadLetterArn: (local.sqs.list()[0] as LocalQueueView).queueArn,
    });
  });

  it("starts a new request's workflow, named by its request id, with the request id as correlation id", async () => {
    const party = await shippedOrder();
    const requestId = await ask(party);
    const execution = await started(requestId);
    expect(JSON.parse(execution.input)).toEqual({
      orderId: party.orderId,
      requestId,
      correlationId: requestId,
    });
    expect(starterRunsFor(requestId).map((run) => run.status)).toEqual(["SUCCEEDED"]);
    // The workflow runs: the request is with the seller.
    await api.until(async () => {
      const read = await api.get(
        `/orders/${party.orderId}/cancellation-requests/${requestId}`,
        party.buyer,
      );
      return read.body.status === "AWAITING_SELLER" ? true : undefined;
    }, "the request to await the seller");
  });

  it("starts nothing for a change that does not open a request", async () => {
    const before = starter.listExecutions().length;
    const workflowsBefore = local.stepFunctions.listExecutions().length;
    // Imported and shipped: two changes of the order item, neither opening a request.
    const party = await shippedOrder();
    await afterPolls(3);
    expect(starter.listExecutions()).toHaveLength(before);
    expect(local.stepFunctions.listExecutions()).toHaveLength(workflowsBefore);
    // The request that follows is what starts one.
    const requestId = await ask(party);
    await started(requestId);
    expect(starter.listExecutions()).toHaveLength(before + 1);
  });

  it("a stream record delivered twice starts one execution", async () => {
    // The starter's answer is lost once: the pipe delivers the same record again.
    const fault = await api.send("POST", "/_local/faults", {
      body: { target: "pipes", error: "timeout", count: 1 },
    });
    expect(fault.status).toBe(201);
    const party = await shippedOrder();
    const requestId = await ask(party);
    await api.until(
      async () => (starterRunsFor(requestId).length === 2 ? true : undefined),
      "the second delivery",
    );
    await api.until(
      async () =>
        starterRunsFor(requestId).every((run) => run.status === "SUCCEEDED") ? true : undefined,
      "both starter runs to end",
    );
    expect(executionsNamed(requestId)).toHaveLength(1);
    const faults = await api.get<{ items: { fired: number }[] }>("/_local/faults");
    expect(faults.body.items[0]?.fired).toBe(1);
  });

  it("while the pipe is down nothing starts; once it is back, the request starts", async () => {
    const fault = await api.send("POST", "/_local/faults", {
      body: { target: "pipes", error: "unavailable" },
    });
    expect(fault.status).toBe(201);
    const party = await shippedOrder();
    const requestId = await ask(party);
    await api.until(async () => {
      const faults = await api.get<{ items: { fired: number }[] }>("/_local/faults");
      return (faults.body.items[0]?.fired ?? 0) >= 5 ? true : undefined;
    }, "five polls while down");
    expect(starterRunsFor(requestId)).toEqual([]);
    expect(executionsNamed(requestId)).toEqual([]);
    await api.send("DELETE", "/_local/faults");
    await started(requestId);
  });

  it("a starter that keeps failing: one dead letter after the retries; the sweep starts the request and drains the queue", async () => {
    expect((await deadLetterQueue()).messages).toEqual([]);
    // Every StartExecution of the starter fails: each run fails after its own retries.
    const fault = await api.send("POST", "/_local/faults", {
      body: { target: "stepfunctions", operation: START_STATES.start, error: "unavailable" },
    });
    expect(fault.status).toBe(201);
    const party = await shippedOrder();
    const requestId = await ask(party);
    const queue = await api.until(async () => {
      const current = await deadLetterQueue();
      return current.messages.length > 0 ? current : undefined;
    }, "the dead letter");
    // The first delivery and the pipe's 10 retries, each a failed starter run.
    const runs = starterRunsFor(requestId);
    expect(runs).toHaveLength(11);
    expect(runs.every((run) => run.status === "FAILED")).toBe(true);
    expect(runs[0]?.error).toBe("StepFunctions.ServiceUnavailableException");
    expect(queue.messages).toHaveLength(1);
    const deadLetter = JSON.parse(String(queue.messages[0]?.body));
    expect(deadLetter.DDBStreamBatchInfo).toMatchObject({
      shardId: expect.any(String),
      startSequenceNumber: expect.any(String),
      endSequenceNumber: expect.any(String),
      batchSize: 1,
    });
    expect(executionsNamed(requestId)).toEqual([]);
    // The pipe moved on: it is not still retrying that batch.
    await afterPolls(3);
    expect(starterRunsFor(requestId)).toHaveLength(11);

    await api.send("DELETE", "/_local/faults");
    const sweep = await api.send<{ results: { resumed: unknown[]; drained: number }[] }>(
      "POST",
      "/_local/sweep",
    );
    expect(sweep.status).toBe(200);
    expect(sweep.body.results[0]?.drained).toBe(1);
    const execution = await started(requestId);
    expect(execution.status).toBe("RUNNING");
    expect((await deadLetterQueue()).messages).toEqual([]);
  });
});

describe("the payment provider behind production.ts wrapPayments", () => {
  it("counts the workflow's refund calls, and payment faults reach them", async () => {
    const fault = await api.send("POST", "/_local/faults", {
      body: { target: "payments", operation: "CARD", error: "declined", count: 1 },
    });
    expect(fault.status).toBe(201);
    const party = await shippedOrder();
    const requestId = await ask(party);
    await started(requestId);
    const path = `/orders/${party.orderId}/cancellation-requests/${requestId}`;
    await api.until(async () => {
      const read = await api.get(path, party.buyer);
      return read.body.status === "AWAITING_SELLER" ? true : undefined;
    }, "the seller's turn");
    const approved = await api.post(`${path}/seller-decision`, party.seller, {
      decision: "APPROVE",
    });
    expect(approved.status).toBe(200);
    // A decline is final: no retry, the request records the failed refund.
    await api.until(async () => {
      const read = await api.get(path, party.buyer);
      return read.body.status === "REFUND_FAILED" ? true : undefined;
    }, "the refund to fail");
    const payments = await api.get<{
      items: { requestId: string; status: string; calls: number }[];
    }>("/_local/payments");
    expect(payments.body.items.filter((payment) => payment.requestId === requestId)).toEqual([
      expect.objectContaining({ method: "CARD", status: "DECLINED", calls: 1 }),
    ]);
  });
});
