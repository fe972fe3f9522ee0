// What the workflow keeps on the order item beside the record: `waits` (written by the state
// machine's own wait states, whose expressions are here so the two never disagree) and
// `executions` (which execution carries a request, when the reconciler resumed it). None of these
// writes touch the record or its version.
import type { ExecutionRecords, ExecutionRef } from "../../app/ports.ts";
import { type DynamoDBDocumentClient, UpdateCommand } from "../sdk.ts";
import { orderKey } from "./order-item.ts";
import { isConditionFailure } from "./orders.ts";

/**
 * How a wait state stores its task token: `waits.<requestId> = { token, status }`, only while the
 * request is still in `status` (otherwise it has moved on, and the state machine continues at once).
 */
export const WAIT_UPDATE_EXPRESSION = "SET #waits.#rid = :wait";
export const WAIT_CONDITION_EXPRESSION = "#requests.#rid.#status = :status";
export const WAIT_ATTRIBUTE_NAMES = {
  "#waits": "waits",
  "#requests": "requests",
  "#status": "status",
} as const;

export class DynamoExecutionRecords implements ExecutionRecords {
  constructor(private readonly options: { client: DynamoDBDocumentClient; tableName: string }) {}

  private async update(input: {
    orderId: string;
    expression: string;
    condition: string;
    names: Record<string, string>;
    values?: Record<string, unknown>;
  }): Promise<boolean> {
    try {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: orderKey(input.orderId),
          UpdateExpression: input.expression,
          ConditionExpression: input.condition,
          ExpressionAttributeNames: input.names,
          ...(input.values ? { ExpressionAttributeValues: input.values } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  claim(
    orderId: string,
    requestId: string,
    expected: ExecutionRef | undefined,
    next: ExecutionRef,
  ): Promise<boolean> {
    return this.update({
      orderId,
      expression: "SET #executions.#rid = :next",
      condition: expected
        ? "#executions.#rid.#name = :expectedName"
        : "attribute_exists(pk) AND attribute_not_exists(#executions.#rid)",
      names: {
        "#executions": "executions",
        "#rid": requestId,
        ...(expected ? { "#name": "name" } : {}),
      },
      values: { ":next": next, ...(expected ? { ":expectedName": expected.name } : {}) },
    });
  }

  async recordFailure(
    orderId: string,
    requestId: string,
    name: string,
    error: string,
    now: string,
  ): Promise<void> {
    const recorded = await this.update({
      orderId,
      expression: "SET #executions.#rid.#failedAt = :now, #executions.#rid.#error = :error",
      condition: "#executions.#rid.#name = :name",
      names: {
        "#executions": "executions",
        "#rid": requestId,
        "#name": "name",
        "#failedAt": "failedAt",
        "#error": "error",
      },
      values: { ":now": now, ":error": error, ":name": name },
    });
    // The first execution has no entry yet (it is named by the request id): record it so. If
    // another execution carries the request by now, this one's failure no longer matters.
    if (recorded || name !== requestId) return;
    await this.update({
      orderId,
      expression: "SET #executions.#rid = :first",
      condition: "attribute_exists(pk) AND attribute_not_exists(#executions.#rid)",
      names: { "#executions": "executions", "#rid": requestId },
      values: { ":first": { name, attempt: 1, startedAt: now, failedAt: now, error } },
    });
  }

  async forgetWait(orderId: string, requestId: string, token: string): Promise<void> {
    await this.update({
      orderId,
      expression: "REMOVE #waits.#rid",
      condition: "#waits.#rid.#token = :token",
      names: { "#waits": "waits", "#rid": requestId, "#token": "token" },
      values: { ":token": token },
    });
  }
}
