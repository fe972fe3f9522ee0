// Publishes domain events to the service's Amazon EventBridge bus (PutEvents, up to 10 entries a
// call). An entry EventBridge did not take fails the whole call, so the events stay unpublished
// and are tried again: consumers drop the repeats by `eventId`.
// The EventBridge SDK is loaded on the first publish (sdk.ts).
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { EventPublisher } from "../app/ports.ts";
import { EVENT_SOURCE, type TimelineEvent } from "../domain/published-events.ts";
import { type ClientSource, clientOf } from "./client-source.ts";
import { eventBridgeSdk } from "./sdk.ts";

/** EventBridge's limit of entries in one PutEvents call. */
const MAX_ENTRIES_PER_CALL = 10;

/** Some entries of a PutEvents call were not accepted (their error codes, never their content). */
export class EventsNotPublishedError extends Error {
  override name = "EventsNotPublishedError";
}

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly options: { client: ClientSource<EventBridgeClient>; busName: string },
  ) {}

  async publish(events: readonly TimelineEvent[]): Promise<void> {
    if (events.length === 0) return;
    const client = await clientOf(this.options.client);
    const { PutEventsCommand } = eventBridgeSdk();
    for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
      const batch = events.slice(start, start + MAX_ENTRIES_PER_CALL);
      const result = await client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.options.busName,
            Source: EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            Time: new Date(event.detail.at),
          })),
        }),
      );
      if (result.FailedEntryCount) {
        const codes = (result.Entries ?? []).flatMap((entry) => entry.ErrorCode ?? []);
        throw new EventsNotPublishedError(
          `${result.FailedEntryCount} of ${batch.length} events not accepted: ${[...new Set(codes)].join(", ")}`,
        );
      }
    }
  }
}
