// The order store on DynamoDB Local: one read-modify-write round trip, and a 50-way race.
import { randomUUID } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  ConflictError,
  createDocumentClient,
  OrderStore,
  type StoredOrder,
} from "../functions/adapters/order-store.ts";
import { createTableInput } from "../functions/adapters/table.ts";
import type { OrderRecord } from "../functions/domain/types.ts";
import { type RunningDynamoDb, startDynamoDbLocal } from "../local/dynamodb.ts";
import { awaitingSeller } from "./fixtures.ts";
import { dynamoDbLocalChildren } from "./processes.ts";
import { createReport } from "./report.ts";
import { TARGETS } from "./targets.ts";

const TABLE = "bench-orders";
const RACERS = 50;
const target = TARGETS.store;
const report = createReport("store (DynamoDB Local)");

let dynamoDb: RunningDynamoDb | undefined;
let lowLevel: DynamoDBClient | undefined;
let store: OrderStore;

beforeAll(async () => {
  dynamoDb = await startDynamoDbLocal();
  lowLevel = new DynamoDBClient({
    endpoint: dynamoDb.endpoint,
    region: "ap-northeast-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  await lowLevel.send(new CreateTableCommand(createTableInput(TABLE)));
  store = new OrderStore({ client: createDocumentClient(lowLevel), tableName: TABLE });
});

afterAll(async () => {
  report.print();
  lowLevel?.destroy();
  await dynamoDb?.stop();
  expect(dynamoDbLocalChildren(), "DynamoDB Local left running").toEqual([]);
});

/** The record with one more change, as a transition would write it. */
const touched = (record: OrderRecord, at: number): OrderRecord => ({
  ...record,
  order: { ...record.order, updatedAt: new Date(at).toISOString() },
});

test(`get + save round trip p50 ≤ ${target.roundTripP50Ms} ms, p99 ≤ ${target.roundTripP99Ms} ms`, async ({
  bench,
}) => {
  const orderId = `o-bench-${randomUUID()}`;
  await store.create(awaitingSeller(orderId));
  let saves = 0;
  // DynamoDB Local is a JVM: a longer warm-up lets its JIT settle before measuring.
  const result = await bench("store get + save", async () => {
    const stored = await store.get(orderId);
    if (!stored) throw new Error("order vanished");
    await store.save(stored, touched(stored.record, Date.now()));
    saves++;
  }).run({ time: 2000, warmupTime: 1000, warmupIterations: 50 });
  // Every save landed: the version counts them all (warm-up included).
  expect((await store.get(orderId))?.version).toBe(1 + saves);
  report.atMost("get + save round trip p50", result.latency.p50, target.roundTripP50Ms, "ms");
  report.atMost("get + save round trip p99", result.latency.p99, target.roundTripP99Ms, "ms");
});

test(`${RACERS}-way conflicting save (exactly one wins) ≤ ${target.conflictingSavesMeanMs} ms (mean), ${target.conflictingSavesP99Ms} ms (p99)`, async ({
  bench,
}) => {
  // Each iteration races on a fresh order, created (untimed) before it.
  let stored: StoredOrder | undefined;
  const result = await bench(
    `store ${RACERS}-way conflicting save`,
    {
      beforeEach: async () => {
        stored = await store.create(awaitingSeller(`o-race-${randomUUID()}`));
      },
    },
    async () => {
      const base = stored as StoredOrder;
      const outcomes = await Promise.allSettled(
        Array.from({ length: RACERS }, (_, racer) =>
          store.save(base, touched(base.record, Date.parse(base.record.order.updatedAt) + racer)),
        ),
      );
      const won = outcomes.filter((outcome) => outcome.status === "fulfilled").length;
      const lost = outcomes.filter(
        (outcome) => outcome.status === "rejected" && outcome.reason instanceof ConflictError,
      ).length;
      if (won !== 1 || lost !== RACERS - 1) {
        throw new Error(`expected 1 winner and ${RACERS - 1} conflicts, got ${won} and ${lost}`);
      }
    },
  ).run({ time: 0, iterations: 30, warmupTime: 0, warmupIterations: 3 });
  report.atMost(
    `${RACERS}-way conflicting save, wall time mean`,
    result.latency.mean,
    target.conflictingSavesMeanMs,
    "ms",
  );
  report.atMost(
    `${RACERS}-way conflicting save, wall time p99`,
    result.latency.p99,
    target.conflictingSavesP99Ms,
    "ms",
  );
});
