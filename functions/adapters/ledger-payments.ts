// The payment provider's default adapter: a ledger in DynamoDB (a table of its own) that records
// each refund once under its idempotency key and pays at once (its refunds are `succeeded` on the
// first answer and stay so: gift balance and points are the marketplace's own money). A real provider plugs in behind the
// same port (app/ports.ts `Payments`): refund with an idempotency key, look a refund up by it.
import { RefundDeclinedError } from "../app/errors.ts";
import type { Payments, RefundInstruction, RefundKey, RefundReceipt } from "../app/ports.ts";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "./sdk.ts";

const paid = (refundId: string, providerReference: string, replayed: boolean): RefundReceipt => ({
  refundId,
  providerReference,
  status: "succeeded",
  replayed,
});

export class LedgerPayments implements Payments {
  constructor(
    private readonly options: {
      client: DynamoDBDocumentClient;
      tableName: string;
      now?: () => string;
    },
  ) {}

  async refund(instruction: RefundInstruction): Promise<RefundReceipt> {
    const { client, tableName } = this.options;
    const providerReference = `ledger-${instruction.refundId}`;
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...instruction,
            providerReference,
            refundedAt: this.options.now?.() ?? new Date().toISOString(),
          },
          ConditionExpression: "attribute_not_exists(refundId)",
        }),
      );
      return paid(instruction.refundId, providerReference, false);
    } catch (error) {
      if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
    }
    // The key was used before: the same refund replays; anything else is a caller's bug.
    const item = await this.find(instruction.refundId);
    if (item?.amount !== instruction.amount || item?.currency !== instruction.currency) {
      throw new RefundDeclinedError(
        `refund ${instruction.refundId} was already made with other terms`,
      );
    }
    return paid(instruction.refundId, String(item.providerReference), true);
  }

  async lookup({ refundId }: RefundKey): Promise<RefundReceipt | undefined> {
    const item = await this.find(refundId);
    return item ? paid(refundId, String(item.providerReference), true) : undefined;
  }

  /** The ledger entry of a refund, if it was made: for tests and operators. */
  async find(refundId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.options.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: { refundId },
        ConsistentRead: true,
      }),
    );
    return result.Item;
  }
}
