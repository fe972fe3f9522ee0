// Throughput: complete cancellations through local mode, `concurrency` at a time. Each flow is
// the whole story over HTTP: the marketplace imports and ships an order, the buyer asks, the
// table's stream starts the request's workflow (pipe, Express starter), the seller approves once
// the workflow waits for them, and the workflow refunds and completes. The cancellation POST's
// latency is set against the DynamoDB time of that same POST (its calls tagged by aws-calls.ts),
// for information: the overhead target is measured apart, handler against handler (overhead.ts).
import { performance } from "node:perf_hooks";
import type { LocalClient } from "../local/client.ts";
import type { LocalMode } from "../local/start.ts";
import { rssNow } from "./api.ts";
import { type AwsCallRecorder, awsTimeByRequest } from "./aws-calls.ts";
import {
  executionArnOf,
  type People,
  requestCancellation,
  requestView,
  sellerDecides,
  shippedOrder,
  untilStopped,
  untilWaiting,
} from "./flows.ts";
import { latencyOf, percentile } from "./measure.ts";

export interface ThroughputResults {
  /** Flows that ended COMPLETED. */
  flows: number;
  /** Flows that failed or ended otherwise. */
  failedFlows: number;
  concurrency: number;
  flowsPerSecond: number;
  /** One flow, import to completion. */
  p50Ms: number;
  p99Ms: number;
  /** p50 of the cancellation POST over p50 of the DynamoDB time of each POST (information). */
  postOverDynamoDbRatio: number;
  post: {
    p50Ms: number;
    p99Ms: number;
    /** Per POST: the sum of its DynamoDB calls' times, p50. */
    dynamodbP50Ms: number;
    /** Per POST: the sum of its other AWS calls' times (none expected), p50. */
    otherAwsP50Ms: number;
    /** The AWS calls of one POST, by action (the most common set). */
    calls: string[];
  };
  /** The highest RSS seen during the run: this process plus the DynamoDB Local JVM, MB. */
  peakRssMb: number;
  peakNodeRssMb: number;
  peakJvmRssMb: number;
  seconds: number;
}

export interface ThroughputOptions {
  flows: number;
  concurrency: number;
  onProgress: (line: string) => void;
}

export const measureThroughput = async (
  local: LocalMode,
  api: LocalClient,
  recorder: AwsCallRecorder,
  /** One buyer and seller per worker. */
  people: People[],
  options: ThroughputOptions,
): Promise<ThroughputResults> => {
  const flowMs: number[] = [];
  const postMs: number[] = [];
  const failures: string[] = [];
  let next = 0;
  let done = 0;

  const peak = { total: 0, node: 0, jvm: 0 };
  const sample = () => {
    const { rssMb, jvmRssMb } = rssNow();
    peak.node = Math.max(peak.node, rssMb);
    peak.jvm = Math.max(peak.jvm, jvmRssMb);
    peak.total = Math.max(peak.total, rssMb + jvmRssMb);
  };
  sample();
  const sampler = setInterval(sample, 500);

  const flow = async (who: People) => {
    const started = performance.now();
    const orderId = await shippedOrder(api, who);
    const request = await requestCancellation(api, who.buyer, orderId);
    postMs.push(request.ms);
    const executionArn = executionArnOf(local, request.requestId);
    await untilWaiting(local, executionArn);
    await sellerDecides(api, who.seller, orderId, request.requestId, "APPROVE");
    await untilStopped(local, executionArn);
    const ms = performance.now() - started;
    const { status } = await requestView(api, who.buyer, orderId, request.requestId);
    if (status !== "COMPLETED") throw new Error(`ended ${status}`);
    flowMs.push(ms);
  };

  recorder.take();
  const runStarted = performance.now();
  const report = () => {
    const seconds = (performance.now() - runStarted) / 1000;
    options.onProgress(
      `throughput: ${done}/${options.flows} flows, ${(flowMs.length / seconds).toFixed(1)} flows/s`,
    );
  };
  const worker = async (who: People) => {
    while (next < options.flows) {
      next++;
      await flow(who).catch((error: unknown) => failures.push(String(error)));
      done++;
      if (done % 50 === 0) report();
    }
  };
  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, (_, index) =>
        worker(people[index % people.length] as People),
      ),
    );
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - runStarted) / 1000;
  sample();

  // The AWS calls each cancellation POST made while it was being served.
  const posts = awsTimeByRequest(recorder.take());
  const callSets = new Map<string, number>();
  for (const post of posts) {
    const key = post.calls.join(" ");
    callSets.set(key, (callSets.get(key) ?? 0) + 1);
  }
  const commonest = [...callSets.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
  const post = latencyOf(postMs);
  const dynamodbP50Ms = percentile(
    posts.map((entry) => entry.dynamodbMs),
    50,
  );
  const flowLatency = latencyOf(flowMs);
  if (failures.length > 0)
    options.onProgress(`throughput: ${failures.length} flows failed: ${failures[0]}`);
  return {
    flows: flowMs.length,
    failedFlows: failures.length,
    concurrency: options.concurrency,
    flowsPerSecond: flowMs.length / seconds,
    p50Ms: flowLatency.p50Ms,
    p99Ms: flowLatency.p99Ms,
    postOverDynamoDbRatio: post.p50Ms / dynamodbP50Ms,
    post: {
      p50Ms: post.p50Ms,
      p99Ms: post.p99Ms,
      dynamodbP50Ms,
      otherAwsP50Ms: percentile(
        posts.map((entry) => entry.otherMs),
        50,
      ),
      calls: commonest.split(" ").filter(Boolean),
    },
    peakRssMb: peak.total,
    peakNodeRssMb: peak.node,
    peakJvmRssMb: peak.jvm,
    seconds,
  };
};
