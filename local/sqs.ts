// Local SQS: the queues of the template (the pipe's dead-letter queue), answering the AWS JSON 1.0
// protocol the SQS client of SDK v3 speaks (`x-amz-target: AmazonSQS.<Operation>`,
// `content-type: application/x-amz-json-1.0`) at queue URLs `http://127.0.0.1:<port>/<account>/
// <name>` (the client sends each call to its QueueUrl's host). Messages are kept in memory, in the
// order sent; a received message stays invisible for its visibility timeout unless deleted first,
// then it can be received again (its receive count grows). Bodies carry their MD5, which the
// client checks. Standard queues only: no FIFO, no message attributes, no redrive policy.
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { guardHost } from "./host-guard.ts";

const JSON_1_0 = "application/x-amz-json-1.0";
/** SQS's limits for one receive or batch. */
const MAX_BATCH = 10;
const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;
const MAX_WAIT_SECONDS = 20;
/** How often a long poll looks for a message again. */
const LONG_POLL_STEP_MS = 20;

interface StoredMessage {
  messageId: string;
  body: string;
  md5: string;
  sentAt: Date;
  receiveCount: number;
  /** Invisible until then (epoch ms); 0 when visible. */
  invisibleUntil: number;
  /** The handle of its latest receive: only that one deletes it. */
  receiptHandle?: string;
}

interface Queue {
  name: string;
  url: string;
  arn: string;
  messages: StoredMessage[];
  /** Every handle ever given out, for telling a stale handle from a made-up one. */
  handles: Set<string>;
}

/** A queue and its messages as `GET /_local/queues` shows them. */
export interface LocalQueueView {
  queueName: string;
  queueUrl: string;
  queueArn: string;
  messages: {
    messageId: string;
    body: string;
    sentAt: string;
    receiveCount: number;
    /** False while a receive keeps it invisible. */
    visible: boolean;
  }[];
}

/** An error as the JSON protocol reports it; the SDK names the thrown error after `code`. */
class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

const reply = (response: ServerResponse, status: number, body: object) => {
  response.writeHead(status, { "content-type": JSON_1_0 }).end(JSON.stringify(body));
};

type Body = Record<string, unknown>;

const integer = (
  body: Body,
  key: string,
  fallback: number,
  range: [min: number, max: number],
): number => {
  const value = body[key];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new SqsError("InvalidParameterValue", `${key} must be an integer`);
  }
  if (value < range[0] || value > range[1]) {
    throw new SqsError(
      "InvalidParameterValue",
      `Value ${value} for parameter ${key} is invalid. Must be between ${range[0]} and ${range[1]}.`,
    );
  }
  return value;
};

const text = (body: Body, key: string): string => {
  const value = body[key];
  if (typeof value !== "string" || value === "") {
    throw new SqsError("MissingParameter", `The request must contain the parameter ${key}.`);
  }
  return value;
};

export interface LocalSqsOptions {
  account: string;
  region: string;
}

export class LocalSqs {
  private readonly queues = new Map<string, Queue>();
  /** Long polls in progress, ended by `stop()`. */
  private readonly waiting = new Set<() => void>();
  private stopped = false;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly options: LocalSqsOptions,
  ) {}

  static async start(options: LocalSqsOptions): Promise<LocalSqs> {
    let sqs: LocalSqs | undefined;
    const server = createServer((request, response) => {
      void (async () => {
        const target = String(request.headers["x-amz-target"] ?? "");
        try {
          const raw = await readBody(request);
          if (!sqs) throw new SqsError("ServiceUnavailable", "starting", 503);
          const operation = target.startsWith("AmazonSQS.") ? target.slice(10) : "";
          reply(response, 200, await sqs.call(operation, raw ? (JSON.parse(raw) as Body) : {}));
        } catch (error) {
          const known = error instanceof SqsError;
          reply(response, known ? error.status : 500, {
            __type: `com.amazonaws.sqs#${known ? error.code : "InternalError"}`,
            message: (error as Error).message,
          });
        }
      })();
    });
    // Only requests addressed to it, from no other page (host-guard.ts).
    guardHost(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (typeof address !== "object" || address === null) {
      throw new Error("SQS stand-in has no address");
    }
    sqs = new LocalSqs(server, `http://127.0.0.1:${address.port}`, options);
    return sqs;
  }

  /** Creates a queue (or finds it, as CreateQueue does for the same name): answers its URL. */
  createQueue(name: string): string {
    const existing = [...this.queues.values()].find((queue) => queue.name === name);
    if (existing) return existing.url;
    const { account, region } = this.options;
    const url = `${this.endpoint}/${account}/${name}`;
    this.queues.set(url, {
      name,
      url,
      arn: `arn:aws:sqs:${region}:${account}:${name}`,
      messages: [],
      handles: new Set(),
    });
    return url;
  }

  /** The URL of the queue with that ARN, if there is one. */
  queueUrlOfArn(arn: string): string | undefined {
    return [...this.queues.values()].find((queue) => queue.arn === arn)?.url;
  }

  /** SendMessage, for the stand-ins in this process (the pipe's dead letters). */
  sendMessage(queueUrl: string, body: string): string {
    const queue = this.queue(queueUrl);
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5: md5(body),
      sentAt: new Date(),
      receiveCount: 0,
      invisibleUntil: 0,
    };
    queue.messages.push(message);
    return message.messageId;
  }

  /** Every queue with every message it holds, visible or not. */
  list(): LocalQueueView[] {
    const now = Date.now();
    return [...this.queues.values()].map((queue) => ({
      queueName: queue.name,
      queueUrl: queue.url,
      queueArn: queue.arn,
      messages: queue.messages.map((message) => ({
        messageId: message.messageId,
        body: message.body,
        sentAt: message.sentAt.toISOString(),
        receiveCount: message.receiveCount,
        visible: message.invisibleUntil <= now,
      })),
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.waiting) wake();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private queue(queueUrl: string): Queue {
    // The client may send the URL with `localhost` or a trailing slash: compare by path.
    const path = (() => {
      try {
        return new URL(queueUrl).pathname.replace(/\/$/, "");
      } catch {
        return undefined;
      }
    })();
    const queue = [...this.queues.values()].find((q) => new URL(q.url).pathname === path);
    if (!queue) {
      throw new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
    }
    return queue;
  }

  private async call(operation: string, body: Body): Promise<object> {
    switch (operation) {
      case "GetQueueUrl": {
        const name = text(body, "QueueName");
        const queue = [...this.queues.values()].find((q) => q.name === name);
        if (!queue) throw new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
        return { QueueUrl: queue.url };
      }
      case "SendMessage": {
        const messageBody = text(body, "MessageBody");
        const messageId = this.sendMessage(text(body, "QueueUrl"), messageBody);
        return { MessageId: messageId, MD5OfMessageBody: md5(messageBody) };
      }
      case "SendMessageBatch": {
        const queueUrl = text(body, "QueueUrl");
        const entries = this.entries(body);
        return {
          Successful: entries.map((entry) => {
            const messageBody = text(entry, "MessageBody");
            return {
              Id: text(entry, "Id"),
              MessageId: this.sendMessage(queueUrl, messageBody),
              MD5OfMessageBody: md5(messageBody),
            };
          }),
          Failed: [],
        };
      }
      case "ReceiveMessage":
        return this.receive(body);
      case "DeleteMessage":
        this.delete(this.queue(text(body, "QueueUrl")), text(body, "ReceiptHandle"));
        return {};
      case "DeleteMessageBatch": {
        const queue = this.queue(text(body, "QueueUrl"));
        const successful: { Id: string }[] = [];
        const failed: { Id: string; Code: string; Message: string; SenderFault: boolean }[] = [];
        for (const entry of this.entries(body)) {
          const id = text(entry, "Id");
          try {
            this.delete(queue, text(entry, "ReceiptHandle"));
            successful.push({ Id: id });
          } catch (error) {
            if (!(error instanceof SqsError)) throw error;
            failed.push({ Id: id, Code: error.code, Message: error.message, SenderFault: true });
          }
        }
        return { Successful: successful, Failed: failed };
      }
      case "GetQueueAttributes": {
        const queue = this.queue(text(body, "QueueUrl"));
        const now = Date.now();
        const visible = queue.messages.filter((m) => m.invisibleUntil <= now).length;
        return {
          Attributes: {
            QueueArn: queue.arn,
            ApproximateNumberOfMessages: String(visible),
            ApproximateNumberOfMessagesNotVisible: String(queue.messages.length - visible),
          },
        };
      }
      default:
        throw new SqsError("UnsupportedOperation", `AmazonSQS.${operation} is not served locally`);
    }
  }

  private entries(body: Body): Body[] {
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new SqsError("EmptyBatchRequest", "There should be at least one entry in the request.");
    }
    if (entries.length > MAX_BATCH) {
      throw new SqsError(
        "TooManyEntriesInBatchRequest",
        `Maximum number of entries per request are ${MAX_BATCH}.`,
      );
    }
    return entries as Body[];
  }

  private async receive(body: Body): Promise<object> {
    const queue = this.queue(text(body, "QueueUrl"));
    const max = integer(body, "MaxNumberOfMessages", 1, [1, MAX_BATCH]);
    const visibility = integer(
      body,
      "VisibilityTimeout",
      DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
      [0, 43_200],
    );
    const waitSeconds = integer(body, "WaitTimeSeconds", 0, [0, MAX_WAIT_SECONDS]);
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const now = Date.now();
      const taken = queue.messages.filter((m) => m.invisibleUntil <= now).slice(0, max);
      if (taken.length > 0 || now >= deadline || this.stopped) {
        return {
          Messages: taken.map((message) => {
            const handle = `${message.messageId}#${randomUUID()}`;
            message.receiptHandle = handle;
            message.receiveCount += 1;
            message.invisibleUntil = now + visibility * 1000;
            queue.handles.add(handle);
            return {
              MessageId: message.messageId,
              ReceiptHandle: handle,
              MD5OfBody: message.md5,
              Body: message.body,
            };
          }),
        };
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(LONG_POLL_STEP_MS, deadline - now));
        const waiting = this.waiting;
        function done() {
          clearTimeout(timer);
          waiting.delete(done);
          resolve();
        }
        waiting.add(done);
      });
    }
  }

  /**
   * Deletes the message its latest receipt handle names. An older handle of a message received
   * again deletes nothing and is no error (AWS: the request may succeed without deleting); a
   * handle never given out is ReceiptHandleIsInvalid.
   */
  private delete(queue: Queue, receiptHandle: string) {
    if (!queue.handles.has(receiptHandle)) {
      throw new SqsError(
        "ReceiptHandleIsInvalid",
        `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      );
    }
    const index = queue.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (index >= 0) queue.messages.splice(index, 1);
  }
}
