// The buyer's POST (app/request-cancellation.ts) on the fakes: one read and one conditional write,
// answered 202 with the request REQUESTED; nothing else on the request path (the table's stream
// starts the execution). The Idempotency-Key: the same body again is the first answer, another
// body is a mismatch, and two POSTs racing with one key get one request between them.
import { describe, expect, it, vi } from "vitest";
import { awsError } from "../support/fakes.ts";
import { BUYER, ORDER, postCancellation, recordOf, type World, worldWithOrder } from "./world.ts";

/** Counts the table's reads from now on. */
const countReads = (world: World) => vi.spyOn(world.table, "get");

describe("requestCancellation", () => {
  it("reads the order once, writes the request once, and answers it REQUESTED", async () => {
    const world = await worldWithOrder();
    const reads = countReads(world);
    const writes = world.table.writes;
    const outcome = await postCancellation(world, { comment: "changed my mind" });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(world.table.writes - writes).toBe(1);
    if (outcome.kind !== "ACCEPTED") throw new Error(outcome.kind);
    const { request } = outcome;
    expect(request).toMatchObject({
      orderId: ORDER,
      status: "REQUESTED",
      comment: "changed my mind",
      idempotencyKey: "idem-1",
    });
    // A UUID, which is also the name of its execution.
    expect(request.requestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(request.timeline).toEqual([
      {
        at: world.clock.now(),
        type: "REQUESTED",
        actor: BUYER,
        event: { status: "REQUESTED" },
        // The first entry of this order's audit chain (its fixture has no import entry).
        seq: 0,
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    const record = await recordOf(world);
    expect(record.requests[request.requestId]).toEqual(request);
    expect(record.order.activeCancellationRequestId).toBe(request.requestId);
    // No execution started, no mail, no event, no wake-up: those follow from the stored item.
    expect(world.workflow.executions.size).toBe(0);
    expect(world.workflow.woken).toEqual([]);
    expect(world.mailer.sent).toEqual([]);
    expect(world.publisher.published).toEqual([]);
  });

  it("answers the same key and body again with the first request, reading once, writing nothing", async () => {
    const world = await worldWithOrder();
    const first = await postCancellation(world);
    world.clock.advance(30);
    const reads = countReads(world);
    const writes = world.table.writes;
    const again = await postCancellation(world);
    expect(again).toEqual(first);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(world.table.writes).toBe(writes);
  });

  it("answers the same key with another body as a mismatch, writing nothing", async () => {
    const world = await worldWithOrder();
    await postCancellation(world);
    const writes = world.table.writes;
    expect(await postCancellation(world, { requestHash: "b".repeat(64) })).toEqual({
      kind: "KEY_MISMATCH",
    });
    expect(world.table.writes).toBe(writes);
    expect(Object.keys((await recordOf(world)).requests)).toHaveLength(1);
  });

  it("answers two POSTs racing with one key as one request and its replay", async () => {
    const world = await worldWithOrder();
    const writes = world.table.writes;
    // Both read the order before either writes: the second write loses the race.
    const [a, b] = await Promise.all([postCancellation(world), postCancellation(world)]);
    expect(world.table.writes - writes).toBe(1);
    if (a.kind !== "ACCEPTED" || b.kind !== "ACCEPTED") throw new Error(`${a.kind} ${b.kind}`);
    expect(b.request.requestId).toBe(a.request.requestId);
    expect(b).toEqual(a);
    expect(Object.keys((await recordOf(world)).requests)).toEqual([a.request.requestId]);
  });

  it("answers a racing POST with the same key and another body as a mismatch", async () => {
    const world = await worldWithOrder();
    const [a, b] = await Promise.all([
      postCancellation(world),
      postCancellation(world, { requestHash: "b".repeat(64) }),
    ]);
    expect(a.kind).toBe("ACCEPTED");
    expect(b).toEqual({ kind: "KEY_MISMATCH" });
  });

  it("refuses a second request with another key while one is in progress", async () => {
    const world = await worldWithOrder();
    await postCancellation(world);
    await expect(postCancellation(world, { idempotencyKey: "idem-2" })).rejects.toMatchObject({
      code: "ACTIVE_REQUEST_EXISTS",
    });
  });

  it("tells a stranger the order does not exist before looking at keys", async () => {
    const world = await worldWithOrder({ buyerId: "someone-else" });
    await expect(postCancellation(world)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(world.table.writes).toBe(1);
  });

  it("fails as the table does when it cannot write (nothing half-done)", async () => {
    const world = await worldWithOrder();
    const save = world.table.save.bind(world.table);
    world.table.save = async () => {
      throw awsError("ProvisionedThroughputExceededException");
    };
    await expect(postCancellation(world)).rejects.toThrow("ProvisionedThroughputExceededException");
    world.table.save = save;
    expect((await recordOf(world)).requests).toEqual({});
  });
});
