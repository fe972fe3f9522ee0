// What each write costs: a middleware that asks DynamoDB for the write's consumed capacity by
// index (ReturnConsumedCapacity INDEXES) on every write command and keeps what it answers.
import type {
  AbsoluteLocation,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOptions,
  InitializeHandlerOutput,
  MetadataBearer,
} from "@smithy/types";

/** One table's part of one write: its own units and each index's (absent: not written). */
export interface WriteUnits {
  operation: string;
  table: number;
  indexes: Record<string, number>;
  /** The attributes the write's expressions name (an UpdateItem's, or a transaction's updates). */
  names: string[];
}

const namesOf = (input: {
  ExpressionAttributeNames?: Record<string, string>;
  TransactItems?: { Update?: { ExpressionAttributeNames?: Record<string, string> } }[];
}): string[] => {
  const maps = [
    input.ExpressionAttributeNames,
    ...(input.TransactItems ?? []).map((item) => item.Update?.ExpressionAttributeNames),
  ];
  return [...new Set(maps.flatMap((map) => Object.values(map ?? {})))].sort();
};

interface ConsumedCapacity {
  TableName?: string;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

type CapacityMiddleware = <Input extends object, Output extends MetadataBearer>(
  next: InitializeHandler<Input, Output>,
  context: HandlerExecutionContext,
) => (args: InitializeHandlerArguments<Input>) => Promise<InitializeHandlerOutput<Output>>;

/** Any AWS SDK v3 client, or a DynamoDB document client (which shares its client's stack). */
interface MeasurableClient {
  middlewareStack: {
    add(middleware: CapacityMiddleware, options: InitializeHandlerOptions & AbsoluteLocation): void;
    remove(name: string): boolean;
  };
}

const WRITES = /^(PutItem|UpdateItem|DeleteItem|TransactWriteItems|BatchWriteItem)Command$/;
const NAME = "recordWriteUnits";

export interface WriteUnitsRecorder {
  /** The writes to `tableName` since the last take, oldest first; forgets them. */
  take(): WriteUnits[];
  stop(): void;
}

/** Records the write units every write command of `client` consumes in table `tableName`. */
export const recordWriteUnits = (
  client: MeasurableClient,
  tableName: string,
): WriteUnitsRecorder => {
  let writes: WriteUnits[] = [];
  const middleware: CapacityMiddleware = (next, context) => async (args) => {
    const operation = String(context.commandName ?? "").replace(/Command$/, "");
    if (!WRITES.test(`${operation}Command`)) return next(args);
    (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = "INDEXES";
    const result = await next(args);
    const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
      .ConsumedCapacity;
    for (const part of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      if (part.TableName !== tableName) continue;
      writes.push({
        operation,
        names: namesOf(args.input as Parameters<typeof namesOf>[0]),
        table: part.Table?.CapacityUnits ?? 0,
        indexes: Object.fromEntries(
          Object.entries(part.GlobalSecondaryIndexes ?? {}).map(([name, units]) => [
            name,
            units.CapacityUnits ?? 0,
          ]),
        ),
      });
    }
    return result;
  };
  client.middlewareStack.add(middleware, { step: "initialize", name: NAME, override: true });
  return {
    take: () => {
      const taken = writes;
      writes = [];
      return taken;
    },
    stop: () => {
      client.middlewareStack.remove(NAME);
    },
  };
};

/** The units `writes` consumed in `index` (0 when it was never written). */
export const indexUnits = (writes: readonly WriteUnits[], index: string): number =>
  writes.reduce((sum, write) => sum + (write.indexes[index] ?? 0), 0);

export const tableUnits = (writes: readonly WriteUnits[]): number =>
  writes.reduce((sum, write) => sum + write.table, 0);
