// The payment-gateway port, and its default adapter: a ledger in DynamoDB (a table of its own)
// that records each refund once under its idempotency key. A real provider such as Stripe plugs
// in behind the same port: refund with an idempotency key, and look a refund up by that key.
import type { Currency, RefundMethod } from "../domain/types.ts";
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from "./sdk.ts";

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
  /** Makes the refund once: the same key again answers the first refund (`replayed`). */
  refund(instruction: RefundInstruction): Promise<RefundReceipt>;
  /** The refund made under `refundId`, or undefined when none was (yet) made. */
  lookup(refundId: string): Promise<RefundReceipt | undefined>;
}

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
            ...instruction,
            providerReference,
            refundedAt: this.options.now?.() ?? new Date().toISOString(),
          },
          ConditionExpression: "attribute_not_exists(refundId)",
        }),
      );
      return { refundId: instruction.refundId, providerReference, replayed: false };
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
    return {
      refundId: instruction.refundId,
      providerReference: String(item.providerReference),
      replayed: true,
    };
  }

  async lookup(refundId: string): Promise<RefundReceipt | undefined> {
    const item = await this.find(refundId);
    return item
      ? { refundId, providerReference: String(item.providerReference), replayed: true }
      : undefined;
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
