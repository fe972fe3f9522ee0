// The API in local mode, one request at a time: a buyer reading an order, and the cancellation
// POST (each on its own freshly shipped order); then the memory local mode holds at rest.
import type { LocalClient } from "../local/client.ts";
import type { LocalMode } from "../local/start.ts";
import { type AwsCallRecorder, awsTimeByRequest } from "./aws-calls.ts";
import {
  executionArnOf,
  type People,
  requestCancellation,
  sellerDecides,
  shippedOrder,
  untilStopped,
  untilWaiting,
} from "./flows.ts";
import { type Latency, percentile, sampleLatency } from "./measure.ts";
import { dynamoDbLocalChildren, rssMbOf } from "./processes.ts";

/** Measured requests per route, after a short warm-up. */
const REQUESTS = 200;
const WARMUP = 10;

export interface ApiResults {
  getOrder: Latency;
  requestCancellation: Latency;
  /** The AWS time of each of those POSTs (p50), and the POST's p50 over its DynamoDB p50. */
  requestCancellationAws: {
    dynamodbP50Ms: number;
    otherAwsP50Ms: number;
    postOverDynamoDbRatio: number;
  };
  /** Requests made and workflows started in this part. */
  requests: number;
  workflowsStarted: number;
  /** Resident memory at rest afterwards, MB: this process (local mode and the bench), the JVM. */
  rssMb: number;
  jvmRssMb: number;
}

/** This process's RSS and its DynamoDB Local JVM's, MB. */
export const rssNow = (): { rssMb: number; jvmRssMb: number } => ({
  rssMb: process.memoryUsage().rss / 1024 / 1024,
  jvmRssMb: dynamoDbLocalChildren().reduce((sum, pid) => sum + rssMbOf(pid), 0),
});

export const measureApi = async (
  local: LocalMode,
  api: LocalClient,
  people: People,
  recorder: AwsCallRecorder,
): Promise<ApiResults> => {
  let requests = 0;
  const started: string[] = [];

  // An order with a request awaiting the seller, as its buyer looks at it.
  const orderId = await shippedOrder(api, people);
  const first = await requestCancellation(api, people.buyer, orderId);
  started.push(first.requestId);
  requests += 3;
  const getOrder = await sampleLatency(
    async () => {
      const response = await api.get(`/orders/${orderId}`, people.buyer);
      if (response.status !== 200) throw new Error(`GET /orders/{id}: ${response.status}`);
      requests++;
    },
    { iterations: REQUESTS, warmup: WARMUP },
  );

  let shipped = "";
  recorder.take();
  const cancellation = await sampleLatency(
    async () => {
      const { requestId } = await requestCancellation(api, people.buyer, shipped);
      started.push(requestId);
      requests++;
    },
    {
      iterations: REQUESTS,
      warmup: WARMUP,
      prepare: async () => {
        shipped = await shippedOrder(api, people);
        requests += 2;
        // One request at a time: the last POST's workflow has started (from the stream), taken
        // its first step and waits.
        const last = started.at(-1);
        if (last !== undefined) await untilWaiting(local, executionArnOf(local, last));
      },
    },
  );

  const posts = awsTimeByRequest(recorder.take());
  const dynamodbP50Ms = percentile(
    posts.map((post) => post.dynamodbMs),
    50,
  );
  const requestCancellationAws = {
    dynamodbP50Ms,
    otherAwsP50Ms: percentile(
      posts.map((post) => post.otherMs),
      50,
    ),
    postOverDynamoDbRatio: cancellation.p50Ms / dynamodbP50Ms,
  };

  // At rest: every started workflow has taken its first step and waits for the seller.
  for (const requestId of started) await untilWaiting(local, executionArnOf(local, requestId));
  return {
    getOrder,
    requestCancellation: cancellation,
    requestCancellationAws,
    requests,
    workflowsStarted: started.length,
    ...rssNow(),
  };
};

/** Unmeasured: one complete cancellation, so the first measured one finds the code warm. */
export const warmUp = async (local: LocalMode, api: LocalClient, people: People) => {
  const orderId = await shippedOrder(api, people);
  const { requestId } = await requestCancellation(api, people.buyer, orderId);
  await untilWaiting(local, executionArnOf(local, requestId));
  await sellerDecides(api, people.seller, orderId, requestId, "APPROVE");
  await untilStopped(local, executionArnOf(local, requestId));
};
