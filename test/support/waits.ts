// What a wait state of the state machine writes (infra/workflow.ts), through its own expressions:
// for tests of the orders repository that need a wait stored beside a change.
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import {
  WAIT_ATTRIBUTE_NAMES,
  WAIT_CONDITION_EXPRESSION,
  WAIT_UPDATE_EXPRESSION,
} from "../../functions/adapters/dynamodb/execution-records.ts";
import { orderKey } from "../../functions/adapters/dynamodb/order-item.ts";
import type { TestTable } from "./dynamodb.ts";

export const storeWait = (
  table: TestTable,
  orderId: string,
  requestId: string,
  token: string,
  status: string,
) =>
  table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: orderKey(orderId),
      UpdateExpression: WAIT_UPDATE_EXPRESSION,
      ConditionExpression: WAIT_CONDITION_EXPRESSION,
      ExpressionAttributeNames: { ...WAIT_ATTRIBUTE_NAMES, "#rid": requestId },
      ExpressionAttributeValues: { ":wait": { token, status }, ":status": status },
    }),
  );
