// Scheduled task: restart the workflow of requests still REQUESTED a while after they were made
// (their start failed and the buyer never retried the POST), so no request waits forever.
// Flow: query the operator queue's REQUESTED partition → start each stalled request's execution.
import type { AppDeps } from "../app/apply-event.ts";
import { defaultDeps } from "../app/deps.ts";
import { latestRequest } from "../domain/requests.ts";

/** A start normally follows the write within milliseconds; give a retrying client time first. */
export const STALLED_AFTER_SECONDS = 120;

export const createHandler =
  (getDeps: () => AppDeps) => async (): Promise<{ restarted: string[] }> => {
    const deps = getDeps();
    const cutoff = Date.parse(deps.now()) - STALLED_AFTER_SECONDS * 1000;
    const restarted: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.store.listOperatorQueue("REQUESTED", {
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      for (const record of page.items) {
        const request = latestRequest(record);
        if (request?.status !== "REQUESTED" || Date.parse(request.createdAt) > cutoff) continue;
        // Named by the request id: if it did start meanwhile, this is the same execution.
        await deps.workflow.start({ orderId: record.order.orderId, requestId: request.requestId });
        restarted.push(request.requestId);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    if (restarted.length > 0) deps.logger.warn("restarted stalled requests", { restarted });
    return { restarted };
  };

export const handler = createHandler(defaultDeps);
