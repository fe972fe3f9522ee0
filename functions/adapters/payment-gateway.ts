// The payment-gateway port, and its default adapter: a ledger in DynamoDB that records each
// refund once under its idempotency key (a real provider such as Stripe plugs in behind the port).
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Currency, RefundMethod } from "../domain/types.ts";

export interface RefundInstruction {
  /** The idempotency key: every attempt for one refund passes the same one. */
  refundId: string;
  orderId: string;
  requestId: string;
  amount: number;
  currency: Currency;
  method: RefundMethod;
}

export interface RefundReceipt {
  refundId: string;
  providerReference: string;
  /** True when this call found the refund already made by an earlier attempt. */
  replayed: boolean;
}

/** A refund the provider will never make (as opposed to a transient failure worth retrying). */
export class RefundDeclinedError extends Error {
  override readonly name = "RefundDeclined";
}

export interface PaymentGateway {
  refund(instruction: RefundInstruction): Promise<RefundReceipt>;
}

const ledgerKey = (refundId: string) => ({ pk: `REFUND#${refundId}`, sk: "REFUND" });

export class LedgerPaymentGateway implements PaymentGateway {
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
            ...ledgerKey(instruction.refundId),
            ...instruction,
            providerReference,
            refundedAt: this.options.now?.() ?? new Date().toISOString(),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return { refundId: instruction.refundId, providerReference, replayed: false };
    } catch (error) {
      if ((error as Error).name !== "ConditionalCheckFailedException") throw error;
    }
    // The key was used before: the same refund replays; anything else is a caller's bug.
    const existing = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: ledgerKey(instruction.refundId),
        ConsistentRead: true,
      }),
    );
    const item = existing.Item;
    if (item?.amount !== instruction.amount || item?.currency !== instruction.currency) {
      throw new RefundDeclinedError(
        `refund ${instruction.refundId} was already made with other terms`,
      );
    }
    return {
      refundId: instruction.refundId,
      providerReference: String(item.providerReference),
      replayed: true,
    };
  }

  /** The ledger entry of a refund, if it was made: for tests and operators. */
  async find(refundId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.options.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: ledgerKey(refundId),
        ConsistentRead: true,
      }),
    );
    return result.Item;
  }
}
