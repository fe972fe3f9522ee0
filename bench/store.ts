// The orders repository (functions/adapters/dynamodb/orders.ts `DynamoOrders`) on DynamoDB
// Local: one read-modify-write round trip, and a 50-way race.
import { randomUUID } from "node:crypto";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createDocumentClient } from "../functions/adapters/dynamodb/document-client.ts";
import { DynamoOrders } from "../functions/adapters/dynamodb/orders.ts";
import { createTableInput } from "../functions/adapters/dynamodb/table.ts";
import { ConflictError } from "../functions/app/errors.ts";
import type { StoredOrder } from "../functions/app/ports.ts";
import type { OrderRecord } from "../functions/domain/types.ts";
import { startDynamoDbLocal } from "../local/dynamodb.ts";
import { awaitingSeller } from "./fixtures.ts";
import { type Latency, sampleLatency } from "./measure.ts";

const TABLE = "bench-orders";
export const RACERS = 50;

export interface StoreResults {
  /** DynamoOrders get + conditional save. */
  roundTrip: Latency;
  /** Wall time of RACERS concurrent saves of one version, exactly one of which wins. */
  conflictingSaves: Latency;
}

/** The record with one more change, as a transition would write it. */
const touched = (record: OrderRecord, at: number): OrderRecord => ({
  ...record,
  order: { ...record.order, updatedAt: new Date(at).toISOString() },
});

export const measureStore = async (): Promise<StoreResults> => {
  const dynamoDb = await startDynamoDbLocal();
  const lowLevel = new DynamoDBClient({
    endpoint: dynamoDb.endpoint,
    region: "ap-northeast-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    await lowLevel.send(new CreateTableCommand(createTableInput(TABLE)));
    const store = new DynamoOrders({ client: createDocumentClient(lowLevel), tableName: TABLE });

    const orderId = `o-bench-${randomUUID()}`;
    await store.create(awaitingSeller(orderId));
    let saves = 0;
    // DynamoDB Local is a JVM: a longer warm-up lets its JIT settle before measuring.
    const roundTrip = await sampleLatency(
      async () => {
        const stored = await store.get(orderId);
        if (!stored) throw new Error("order vanished");
        await store.save(stored, touched(stored.record, Date.now()));
        saves++;
      },
      { iterations: 100, warmup: 50, timeMs: 2000 },
    );
    // Every save landed: the version counts them all (warm-up included).
    if ((await store.get(orderId))?.version !== 1 + saves) throw new Error("a save was lost");

    // Each race is on a fresh order, created (untimed) before it.
    let base: StoredOrder | undefined;
    const conflictingSaves = await sampleLatency(
      async () => {
        const stored = base as StoredOrder;
        const outcomes = await Promise.allSettled(
          Array.from({ length: RACERS }, (_, racer) =>
            store.save(
              stored,
              touched(stored.record, Date.parse(stored.record.order.updatedAt) + racer),
            ),
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
      {
        iterations: 30,
        warmup: 3,
        prepare: async () => {
          base = await store.create(awaitingSeller(`o-race-${randomUUID()}`));
        },
      },
    );
    return { roundTrip, conflictingSaves };
  } finally {
    lowLevel.destroy();
    await dynamoDb.stop();
  }
};
