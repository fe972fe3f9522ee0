// Local EventBridge: answers the PutEvents calls the functions make (AWS JSON 1.1, as the SDK
// sends them) and keeps each event, in the order published, so that `GET /_local/events` can show
// them. Only PutEvents: rules, targets and archives are the deployed bus's.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { guardHost } from "./host-guard.ts";

export interface LocalEvent {
  detailType: string;
  detail: unknown;
  /** When the stand-in took it. */
  at: string;
  source: string;
  eventBusName: string;
}

interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
}

const JSON_1_1 = "application/x-amz-json-1.1";

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

/** An entry PutEvents would refuse (EventBridge answers it in the entry, not as a call error). */
const refusal = (entry: PutEventsEntry): string | undefined => {
  if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
    return "InvalidArgument";
  }
  try {
    JSON.parse(entry.Detail);
    return undefined;
  } catch {
    return "MalformedDetail";
  }
};

export class LocalEventBridge {
  private readonly events: LocalEvent[] = [];

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
  ) {}

  static async start(): Promise<LocalEventBridge> {
    let bridge: LocalEventBridge | undefined;
    const server = createServer((request, response) => {
      void readBody(request).then((body) => {
        const target = String(request.headers["x-amz-target"] ?? "");
        if (target !== "AWSEvents.PutEvents" || !bridge) {
          response.writeHead(400, { "content-type": JSON_1_1 });
          response.end(
            JSON.stringify({
              __type: "UnknownOperationException",
              message: `${target} is not served locally`,
            }),
          );
          return;
        }
        const { Entries = [] } = JSON.parse(body || "{}") as { Entries?: PutEventsEntry[] };
        response.writeHead(200, { "content-type": JSON_1_1 });
        response.end(JSON.stringify(bridge.put(Entries)));
      });
    });
    // Only requests addressed to it, from no other page (host-guard.ts).
    guardHost(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (typeof address !== "object" || address === null) {
      throw new Error("EventBridge stand-in has no address");
    }
    bridge = new LocalEventBridge(server, `http://127.0.0.1:${address.port}`);
    return bridge;
  }

  private put(entries: PutEventsEntry[]) {
    const at = new Date().toISOString();
    const results = entries.map((entry) => {
      const error = refusal(entry);
      if (error) return { ErrorCode: error, ErrorMessage: `entry refused: ${error}` };
      this.events.push({
        detailType: String(entry.DetailType),
        detail: JSON.parse(String(entry.Detail)),
        at,
        source: String(entry.Source),
        eventBusName: entry.EventBusName ?? "default",
      });
      return { EventId: randomUUID() };
    });
    const failed = results.filter((result) => "ErrorCode" in result).length;
    return { FailedEntryCount: failed, Entries: results };
  }

  /** Every event taken, in order. */
  list(): readonly LocalEvent[] {
    return this.events;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
