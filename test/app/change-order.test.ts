// changeOrder (app/change-order.ts) on the fakes: a change is one conditional write; a lost race
// is decided again on the fresh order (and may then be refused, unless it is the caller's own
// earlier attempt); afterwards it wakes the executions waiting on a request whose status moved
// on, and only those, best effort.
import { describe, expect, it } from "vitest";
import { changeOrder } from "../../functions/app/change-order.ts";
import { ConflictError } from "../../functions/app/errors.ts";
import { DomainError, type DomainEvent } from "../../functions/domain/events.ts";
import { awsError } from "../support/fakes.ts";
import {
  BUYER,
  Machine,
  ORDER,
  recordOf,
  requested,
  SELLER,
  stored,
  type World,
  worldWithOrder,
} from "./world.ts";

const approve = (requestId: string): DomainEvent => ({
  type: "SELLER_DECIDE",
  actor: SELLER,
  requestId,
  decision: "APPROVE",
});
const withdraw = (requestId: string): DomainEvent => ({
  type: "WITHDRAW",
  actor: BUYER,
  requestId,
});
const remind = (requestId: string): DomainEvent => ({ type: "REMIND_SELLER", requestId });

/** A request the seller is asked about, its execution parked in the seller's wait. */
const awaitingSeller = async () => {
  const world = await worldWithOrder();
  const requestId = await requested(world);
  const machine = new Machine(world);
  expect((await machine.start(requestId)).next).toBe("WAIT_SELLER_REMINDER");
  const token = await machine.waitToken(requestId);
  if (!token) throw new Error("no wait stored");
  world.clock.advance(3600);
  return { world, requestId, machine, token };
};

/** Runs `competitor` once, just before the next save reaches the table (a lost race). */
const loseNextRace = (world: World, competitor: () => Promise<unknown>) => {
  const save = world.table.save.bind(world.table);
  let raced = false;
  world.table.save = async (...args) => {
    if (!raced) {
      raced = true;
      await competitor();
    }
    return save(...args);
  };
};

describe("changeOrder", () => {
  it("writes the change in one conditional write and wakes the wait it moved on", async () => {
    const { world, requestId, token } = await awaitingSeller();
    const before = await stored(world);
    const writes = world.table.writes;
    const [mail, events] = [world.mailer.sent.length, world.publisher.published.length];
    const changed = await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    expect(changed.replayed).toBe(false);
    expect(world.table.writes - writes).toBe(1);
    expect(changed.stored.version).toBe(before.version + 1);
    expect(changed.stored.record.requests[requestId]?.status).toBe("AWAITING_MARKETPLACE");
    expect(world.workflow.woken).toEqual([{ token, status: "AWAITING_MARKETPLACE" }]);
    // It renders no mail, publishes no event, starts nothing: the workflow does, once woken.
    expect(world.mailer.sent).toHaveLength(mail);
    expect(world.publisher.published).toHaveLength(events);
    expect(world.workflow.executions.size).toBe(1);
  });

  it("decides a lost race again on the fresh order, and saves it then", async () => {
    const { world, requestId } = await awaitingSeller();
    // The workflow reminds the seller first.
    loseNextRace(world, () => changeOrder(world.changeDeps(), ORDER, remind(requestId)));
    const writes = world.table.writes;
    const changed = await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    expect(changed.replayed).toBe(false);
    expect(world.table.writes - writes).toBe(2);
    const request = (await recordOf(world)).requests[requestId];
    expect(request?.status).toBe("AWAITING_MARKETPLACE");
    expect(request?.timeline.map((entry) => entry.type).slice(2)).toEqual([
      "SELLER_REMINDED",
      "SELLER_APPROVED",
    ]);
  });

  it("refuses a change that a lost race made wrong (not a replay: another party's change)", async () => {
    const { world, requestId } = await awaitingSeller();
    loseNextRace(world, () => changeOrder(world.changeDeps(), ORDER, withdraw(requestId)));
    const refused = changeOrder(world.changeDeps(), ORDER, approve(requestId));
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toMatchObject({ code: "INVALID_STATE" });
    expect((await recordOf(world)).requests[requestId]?.status).toBe("WITHDRAWN");
  });

  it("gives up after three lost races in a row", async () => {
    const { world, requestId } = await awaitingSeller();
    let attempts = 0;
    world.table.save = async () => {
      attempts += 1;
      throw new ConflictError();
    };
    await expect(changeOrder(world.changeDeps(), ORDER, approve(requestId))).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(attempts).toBe(3);
  });

  it("answers a retry whose first answer was lost as a replay, and wakes again", async () => {
    const { world, requestId, token } = await awaitingSeller();
    // The write lands, its answer does not: the wake-up never went out.
    const save = world.table.save.bind(world.table);
    world.table.save = async (...args) => {
      await save(...args);
      throw awsError("TimeoutError");
    };
    await expect(changeOrder(world.changeDeps(), ORDER, approve(requestId))).rejects.toThrow(
      "TimeoutError",
    );
    expect(world.workflow.woken).toEqual([]);
    world.table.save = save;
    const writes = world.table.writes;
    const retried = await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    expect(retried.replayed).toBe(true);
    expect(world.table.writes).toBe(writes);
    expect(world.workflow.woken).toEqual([{ token, status: "AWAITING_MARKETPLACE" }]);
    // A further replay wakes again; the token is spent, which is harmless.
    await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    expect(world.workflow.woken).toHaveLength(1);
  });

  it("wakes only the waits whose request's status moved on", async () => {
    const { world, requestId, token } = await awaitingSeller();
    // The reminder changes no status: the execution waiting for the seller keeps waiting.
    await changeOrder(world.changeDeps(), ORDER, remind(requestId));
    expect(world.workflow.woken).toEqual([]);
    expect(world.workflow.waiting.has(token)).toBe(true);
    await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    expect(world.workflow.woken).toEqual([{ token, status: "AWAITING_MARKETPLACE" }]);
  });

  it("leaves the change standing when the wake-up fails; the reconciler wakes it later", async () => {
    const { world, requestId, token } = await awaitingSeller();
    world.workflow.outage.next = 1;
    const changed = await changeOrder(world.changeDeps(), ORDER, approve(requestId));
    expect(changed.stored.record.requests[requestId]?.status).toBe("AWAITING_MARKETPLACE");
    expect(world.workflow.woken).toEqual([]);
    expect(world.workflow.waiting.has(token)).toBe(true);
    expect(world.log.lines).toContainEqual({
      level: "warn",
      message: "workflow not woken; the reconciler will",
      extra: [{ requestId, error: "ThrottlingException" }],
    });
  });

  it("decides an event made from the fresh record on each attempt", async () => {
    const { world, requestId } = await awaitingSeller();
    loseNextRace(world, () => changeOrder(world.changeDeps(), ORDER, remind(requestId)));
    const seen: number[] = [];
    await changeOrder(world.changeDeps(), ORDER, (record) => {
      seen.push(record.requests[requestId]?.timeline.length ?? 0);
      return approve(requestId);
    });
    expect(seen).toEqual([2, 3]);
  });

  it("is NOT_FOUND for an order that does not exist", async () => {
    const world = await worldWithOrder();
    await expect(changeOrder(world.changeDeps(), "o-404", withdraw("r"))).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
