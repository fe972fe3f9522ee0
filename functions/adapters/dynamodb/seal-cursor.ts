// The sealer's cursor: one item in the orders table (`AUDITSEAL#CURSOR`), holding the `to` of the
// last digest sealed, moved only from the value the mover read (a conditional write), so two
// sealers never both move it.
import type { SealCursor } from "../../app/ports.ts";
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "../sdk.ts";
import { isConditionFailure } from "./orders.ts";

/** The cursor item's key; its partition key is all the sealer's role may touch in the table. */
export const SEAL_CURSOR_KEY = { pk: "AUDITSEAL#CURSOR", sk: "CURSOR" } as const;

export class DynamoSealCursor implements SealCursor {
  constructor(private readonly options: { client: DynamoDBDocumentClient; tableName: string }) {}

  async read(): Promise<string | undefined> {
    const result = await this.options.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: SEAL_CURSOR_KEY,
        ConsistentRead: true,
      }),
    );
    const to = result.Item?.to;
    return typeof to === "string" ? to : undefined;
  }

  async move(from: string | undefined, to: string): Promise<boolean> {
    try {
      await this.options.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: SEAL_CURSOR_KEY,
          UpdateExpression: "SET #to = :to",
          ConditionExpression: from === undefined ? "attribute_not_exists(pk)" : "#to = :from",
          ExpressionAttributeNames: { "#to": "to" },
          ExpressionAttributeValues: {
            ":to": to,
            ...(from === undefined ? {} : { ":from": from }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
