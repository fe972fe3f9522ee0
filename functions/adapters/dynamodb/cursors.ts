// List cursors: opaque to clients, checked on the way back in. A cursor names its index and, for
// each partition its list reads, where that partition's next page starts (or that it is done), so
// a cursor of another query (another buyer's, another status's) is refused.
import { InvalidCursorError } from "../../app/errors.ts";
import { MAX_CURSOR_LENGTH } from "../../app/ports.ts";
import * as z from "../../domain/zod.ts";
import { ORDER_PK_PREFIX, ORDER_SK } from "./order-item.ts";
import type { IndexDefinition } from "./table.ts";

export type StartKey = Record<string, string>;

/**
 * Per partition read by the list: where its next page starts ({} for its beginning), or null once
 * it is exhausted.
 */
export type Positions = Record<string, StartKey | null>;

/** The key of an item, which is where DynamoDB continues from after it. */
export const pageKey = (index: IndexDefinition, item: Record<string, unknown>): StartKey => {
  const key: StartKey = {};
  for (const name of ["pk", "sk", index.partitionKey.name, index.sortKey.name]) {
    const value = item[name];
    if (typeof value !== "string") throw new Error(`order item lacks key attribute ${name}`);
    key[name] = value;
  }
  return key;
};

export const encodeCursor = (index: IndexDefinition, positions: Positions): string =>
  Buffer.from(JSON.stringify({ i: index.indexName, p: positions }), "utf8").toString("base64url");

/**
 * Decodes a cursor, accepting only one made by the same query: the same index, and a position for
 * exactly the partitions it reads, each key inside its own partition.
 */
export const decodeCursor = (
  cursor: string,
  index: IndexDefinition,
  partitions: readonly string[],
): Positions => {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) throw new InvalidCursorError();
  // Node's decoder skips bad characters, so check the alphabet and that it round-trips.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  const bytes = Buffer.from(cursor, "base64url");
  if (bytes.toString("base64url") !== cursor) throw new InvalidCursorError();
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new InvalidCursorError();
  }
  const keyValue = z.string().check(z.minLength(1), z.maxLength(400));
  const keyOf = (partition: string) =>
    z.nullable(
      z.union([
        z.strictObject({
          pk: keyValue.check(z.startsWith(ORDER_PK_PREFIX)),
          sk: z.literal(ORDER_SK),
          // The partition binds the cursor to its query: another buyer's cursor is refused.
          [index.partitionKey.name]: z.literal(partition),
          [index.sortKey.name]: keyValue,
        }),
        z.strictObject({}),
      ]),
    );
  const schema = z.strictObject({
    i: z.literal(index.indexName),
    p: z.strictObject(
      Object.fromEntries(partitions.map((partition) => [partition, keyOf(partition)])),
    ),
  });
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InvalidCursorError();
  return parsed.data.p as Positions;
};
