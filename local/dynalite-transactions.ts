// TransactWriteItems for dynalite, which has none: local mode without Java and the adapters'
// dynalite suite need the orders repository's transactions (an order's conditional write with
// its seller's counters, functions/adapters/dynamodb/orders.ts). Transactions run one at a time,
// item by item, each through dynalite's own single-item write with its condition; when one is
// refused, the items already written are put back as they were, and the answer is DynamoDB's
// TransactionCanceledException with a reason per item. Writes outside transactions are not held
// back meanwhile: the service writes no item both ways at once but the order item, whose
// condition is its transaction's first item, checked before anything else is written.
import type { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";

type Item = Record<string, AttributeValue>;

/** The part of a transaction's item each kind of write takes (as DynamoDB's JSON protocol has it). */
interface Write {
  TableName: string;
  Key?: Item;
  Item?: Item;
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}

type TransactItem = Partial<Record<"Put" | "Update" | "Delete" | "ConditionCheck", Write>>;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const TARGET = "DynamoDB_20120810.TransactWriteItems";
const ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#";

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      text += chunk;
    });
    request.on("end", () => resolve(text));
    request.on("error", reject);
  });

const reply = (response: ServerResponse, { status, body }: Answer) => {
  response.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
  response.end(JSON.stringify(body));
};

const failure = (name: string, message: string, status = 400): Answer => ({
  status,
  body: { __type: `${ERROR_PREFIX}${name}`, message },
});

/** Serves TransactWriteItems on dynalite's server; every other call goes to dynalite as before. */
export const withTransactions = (server: EventEmitter, endpoint: string): void => {
  const [dynalite] = server.listeners("request") as ((
    request: IncomingMessage,
    response: ServerResponse,
  ) => void)[];
  if (!dynalite) throw new Error("dynalite's server has no request listener");
  server.removeAllListeners("request");
  const client = new DynamoDBClient({
    endpoint,
    region: "ap-northeast-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const keyNames = new Map<string, Promise<string[]>>();
  const keysOf = (table: string): Promise<string[]> => {
    let names = keyNames.get(table);
    if (!names) {
      names = client
        .send(new DescribeTableCommand({ TableName: table }))
        .then(({ Table }) => (Table?.KeySchema ?? []).map((key) => String(key.AttributeName)));
      keyNames.set(table, names);
    }
    return names;
  };
  // One transaction at a time: none sees another's items half written.
  let queue: Promise<unknown> = Promise.resolve();
  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    if (request.headers["x-amz-target"] !== TARGET) {
      dynalite(request, response);
      return;
    }
    const run = async (): Promise<Answer> => {
      const { TransactItems: items } = JSON.parse(await readBody(request)) as {
        TransactItems?: TransactItem[];
      };
      if (!items?.length || items.length > 100) {
        return failure("ValidationException", "TransactItems must hold 1 to 100 items");
      }
      return transact(client, keysOf, items);
    };
    const answered = queue.then(run).catch((error: Error) => failure(error.name, error.message));
    queue = answered;
    void answered.then((answer) => reply(response, answer));
  });
};

/** Applies the items in order; on a refused condition, puts back what was written. */
const transact = async (
  client: DynamoDBClient,
  keysOf: (table: string) => Promise<string[]>,
  items: TransactItem[],
): Promise<Answer> => {
  const written: { table: string; key: Item; before: Item | undefined }[] = [];
  const undo = async () => {
    for (const { table, key, before } of written.reverse()) {
      if (before) await client.send(new PutItemCommand({ TableName: table, Item: before }));
      else await client.send(new DeleteItemCommand({ TableName: table, Key: key }));
    }
  };
  for (const [index, item] of items.entries()) {
    const [kind, write] = Object.entries(item)[0] ?? [];
    if (!write) return failure("ValidationException", "a transaction item names no write");
    const table = write.TableName;
    const key =
      write.Key ??
      Object.fromEntries(
        (await keysOf(table)).map((name) => [name, write.Item?.[name] as AttributeValue]),
      );
    const { Item: before } = await client.send(
      new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
    );
    const expression = {
      ...(write.ConditionExpression && { ConditionExpression: write.ConditionExpression }),
      ...(write.ExpressionAttributeNames && {
        ExpressionAttributeNames: write.ExpressionAttributeNames,
      }),
      ...(write.ExpressionAttributeValues && {
        ExpressionAttributeValues: write.ExpressionAttributeValues,
      }),
    };
    try {
      if (kind === "Put") {
        await client.send(
          new PutItemCommand({ TableName: table, Item: write.Item, ...expression }),
        );
      } else if (kind === "Update") {
        await client.send(
          new UpdateItemCommand({
            TableName: table,
            Key: key,
            UpdateExpression: write.UpdateExpression,
            ...expression,
          }),
        );
      } else if (kind === "Delete") {
        await client.send(new DeleteItemCommand({ TableName: table, Key: key, ...expression }));
      } else {
        await undo();
        return failure("ValidationException", `${kind} is not emulated on dynalite`);
      }
    } catch (error) {
      await undo();
      if ((error as Error).name !== "ConditionalCheckFailedException") {
        return failure((error as Error).name, (error as Error).message);
      }
      const reasons = items.map((_, i) =>
        i === index
          ? { Code: "ConditionalCheckFailed", Message: "The conditional request failed" }
          : { Code: "None" },
      );
      const codes = reasons.map((reason) => reason.Code).join(", ");
      return {
        status: 400,
        body: {
          __type: `${ERROR_PREFIX}TransactionCanceledException`,
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
          CancellationReasons: reasons,
        },
      };
    }
    written.push({ table, key, before });
  }
  return { status: 200, body: {} };
};
