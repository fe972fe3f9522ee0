// The stream pipe's dead-letter queue on SQS, as the reconciler drains it (FailedStarts). The SQS
// SDK is loaded on first use (sdk.ts).
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { FailedStarts } from "../app/ports.ts";
import { type ClientSource, clientOf } from "./client-source.ts";
import { sqsSdk } from "./sdk.ts";

/** SQS's limits: 10 messages a receive or a batch delete. */
const SQS_BATCH = 10;

export class SqsDeadLetters implements FailedStarts {
  constructor(private readonly options: { client: ClientSource<SQSClient>; queueUrl: string }) {}

  async receive(max: number): Promise<string[]> {
    const client = await clientOf(this.options.client);
    const { ReceiveMessageCommand } = sqsSdk();
    const receipts: string[] = [];
    while (receipts.length < max) {
      const result = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.options.queueUrl,
          MaxNumberOfMessages: Math.min(SQS_BATCH, max - receipts.length),
          // Hidden for the sweep's length (the reconciler's timeout): back if it is not drained.
          VisibilityTimeout: 300,
          WaitTimeSeconds: 0,
        }),
      );
      const messages = result.Messages ?? [];
      receipts.push(...messages.flatMap((message) => message.ReceiptHandle ?? []));
      if (messages.length === 0) break;
    }
    return receipts;
  }

  async remove(receipts: readonly string[]): Promise<void> {
    const client = await clientOf(this.options.client);
    const { DeleteMessageBatchCommand } = sqsSdk();
    for (let start = 0; start < receipts.length; start += SQS_BATCH) {
      const batch = receipts.slice(start, start + SQS_BATCH);
      const result = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: batch.map((receipt, index) => ({ Id: String(index), ReceiptHandle: receipt })),
        }),
      );
      if (result.Failed?.length) {
        throw new Error(`${result.Failed.length} dead letters not deleted`);
      }
    }
  }
}
