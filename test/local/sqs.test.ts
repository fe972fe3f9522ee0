// The SQS stand-in answers the SDK v3 client (AWS JSON 1.0, MD5 of bodies checked by the client)
// as SQS does for what the pipe and the reconciler use: send, receive with a visibility timeout,
// delete one or a batch, queue URLs; and the reconciler's adapter drains it.
import {
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { SqsDeadLetters } from "../../functions/adapters/sqs-dead-letters.ts";
import { LocalSqs } from "../../local/sqs.ts";

const running: { sqs: LocalSqs; client: SQSClient }[] = [];

afterEach(async () => {
  for (const { sqs, client } of running.splice(0)) {
    client.destroy();
    await sqs.stop();
  }
});

const setup = async () => {
  const sqs = await LocalSqs.start({ account: "000000000000", region: "ap-northeast-1" });
  const client = new SQSClient({
    region: "ap-northeast-1",
    endpoint: sqs.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  running.push({ sqs, client });
  const queueUrl = sqs.createQueue("DeadLetters");
  return { sqs, client, queueUrl };
};

const receive = (client: SQSClient, queueUrl: string, max = 10, visibility = 30) =>
  client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      VisibilityTimeout: visibility,
    }),
  );

describe("the SQS stand-in", () => {
  it("names queues by URL and ARN, and answers GetQueueUrl", async () => {
    const { sqs, client, queueUrl } = await setup();
    expect(queueUrl).toBe(`${sqs.endpoint}/000000000000/DeadLetters`);
    expect(sqs.createQueue("DeadLetters")).toBe(queueUrl);
    expect(sqs.queueUrlOfArn("arn:aws:sqs:ap-northeast-1:000000000000:DeadLetters")).toBe(queueUrl);
    const found = await client.send(new GetQueueUrlCommand({ QueueName: "DeadLetters" }));
    expect(found.QueueUrl).toBe(queueUrl);
    await expect(client.send(new GetQueueUrlCommand({ QueueName: "Nope" }))).rejects.toMatchObject({
      name: "QueueDoesNotExist",
    });
    await expect(
      client.send(
        new SendMessageCommand({
          QueueUrl: `${sqs.endpoint}/000000000000/Nope`,
          MessageBody: "x",
        }),
      ),
    ).rejects.toMatchObject({ name: "QueueDoesNotExist" });
  });

  it("sends and receives in order, with the MD5 the client checks, at most MaxNumberOfMessages", async () => {
    const { client, queueUrl } = await setup();
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"n":1}' }),
    );
    expect(sent.MessageId).toEqual(expect.any(String));
    const batch = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [2, 3, 4].map((n) => ({ Id: `m${n}`, MessageBody: `{"n":${n}}` })),
      }),
    );
    expect(batch.Successful?.map((entry) => entry.Id)).toEqual(["m2", "m3", "m4"]);
    const first = await receive(client, queueUrl, 3);
    expect(first.Messages?.map((message) => message.Body)).toEqual([
      '{"n":1}',
      '{"n":2}',
      '{"n":3}',
    ]);
    const second = await receive(client, queueUrl, 3);
    expect(second.Messages?.map((message) => message.Body)).toEqual(['{"n":4}']);
    // Everything is in flight now: nothing is visible.
    expect((await receive(client, queueUrl)).Messages ?? []).toEqual([]);
    await expect(
      client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 11 })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });

  it("a received message is invisible for its visibility timeout, then is received again unless deleted", async () => {
    const { sqs, client, queueUrl } = await setup();
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "kept" }));
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "deleted" }));
    const received = await receive(client, queueUrl, 10, 1);
    const [kept, deleted] = received.Messages ?? [];
    await client.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: deleted?.ReceiptHandle }),
    );
    expect((await receive(client, queueUrl)).Messages ?? []).toEqual([]);
    expect(sqs.list()[0]?.messages).toEqual([
      expect.objectContaining({ body: "kept", visible: false, receiveCount: 1 }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await receive(client, queueUrl);
    expect(again.Messages?.map((message) => message.Body)).toEqual(["kept"]);
    // The first receive's handle is stale now: it deletes nothing, and is no error.
    await client.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: kept?.ReceiptHandle }),
    );
    expect(sqs.list()[0]?.messages).toHaveLength(1);
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }),
    );
    expect(attributes.Attributes).toMatchObject({
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "1",
    });
    await expect(
      client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: "made-up" })),
    ).rejects.toMatchObject({ name: "ReceiptHandleIsInvalid" });
  });

  it("DeleteMessageBatch answers each entry: deleted, or failed with its code", async () => {
    const { sqs, client, queueUrl } = await setup();
    for (const body of ["a", "b"]) {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    }
    const handles = ((await receive(client, queueUrl)).Messages ?? []).map(
      (message) => message.ReceiptHandle,
    );
    const deleted = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          ...handles.map((handle, index) => ({ Id: `d${index}`, ReceiptHandle: handle })),
          { Id: "bad", ReceiptHandle: "made-up" },
        ],
      }),
    );
    expect(deleted.Successful?.map((entry) => entry.Id)).toEqual(["d0", "d1"]);
    expect(deleted.Failed).toEqual([
      expect.objectContaining({ Id: "bad", Code: "ReceiptHandleIsInvalid", SenderFault: true }),
    ]);
    expect(sqs.list()[0]?.messages).toEqual([]);
  });

  it("is drained by the reconciler's adapter (SqsDeadLetters): received, hidden, then deleted", async () => {
    const { sqs, client, queueUrl } = await setup();
    for (let n = 0; n < 13; n++) sqs.sendMessage(queueUrl, JSON.stringify({ n }));
    const deadLetters = new SqsDeadLetters({ client, queueUrl });
    const receipts = await deadLetters.receive(100);
    expect(receipts).toHaveLength(13);
    expect(sqs.list()[0]?.messages.every((message) => !message.visible)).toBe(true);
    await deadLetters.remove(receipts);
    expect(sqs.list()[0]?.messages).toEqual([]);
  });

  it("a long poll waits for a message, and ends when the stand-in stops", async () => {
    const { sqs, client, queueUrl } = await setup();
    const waiting = client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    sqs.sendMessage(queueUrl, "late");
    expect((await waiting).Messages?.map((message) => message.Body)).toEqual(["late"]);
    const started = Date.now();
    const ended = client
      .send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }))
      .catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    running.splice(0);
    await sqs.stop();
    await ended;
    client.destroy();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
