// An EventPublisher that keeps what it is given, in order; \`failures\` > 0 makes that many next
// publishes fail, as an EventBridge outage would.
import type { EventPublisher } from "../../functions/adapters/event-publisher.ts";
import type { TimelineEvent } from "../../functions/domain/published-events.ts";

export class RecordingPublisher implements EventPublisher {
  readonly published: TimelineEvent[] = [];
  failures = 0;
  async publish(events: readonly TimelineEvent[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw Object.assign(new Error("EventBridge is unavailable"), { name: "InternalException" });
    }
    this.published.push(...events);
  }
}
