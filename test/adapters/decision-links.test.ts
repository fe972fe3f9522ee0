// The decision links' DynamoDB adapter against DynamoDB Local and dynalite: one item per link in
// the orders table (`LINK#<hash>` / `LINK`), with the table's TTL attribute; a mint never replaces
// a link, a link is marked used once, an unknown link is not found.
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import {
  DynamoDecisionLinks,
  LINK_KEPT_SECONDS,
  linkKey,
} from "../../functions/adapters/dynamodb/decision-links.ts";
import { TIME_TO_LIVE_ATTRIBUTE } from "../../functions/adapters/dynamodb/table.ts";
import { linkHash, newLinkId } from "../../functions/app/decision-links.ts";
import type { DecisionLink } from "../../functions/app/ports.ts";
import { BACKENDS, useTestTable } from "../support/dynamodb.ts";

const linkOf = (id: string, overrides: Partial<DecisionLink> = {}): DecisionLink => ({
  hash: linkHash(id),
  orderId: "o-1001",
  requestId: "req-1",
  sellerId: "seller-1",
  decision: "APPROVE",
  expiresAt: "2026-11-23T00:00:00.000Z",
  mintedAt: "2026-11-21T00:00:01.000Z",
  ...overrides,
});

describe.each(BACKENDS)("decision links on %s", (backend) => {
  const table = useTestTable(backend, "links");
  const links = () =>
    new DynamoDecisionLinks({ client: table.current.client, tableName: table.current.tableName });

  it("stores a link by its hash, never its id, with the TTL attribute 30 days past its expiry", async () => {
    const id = newLinkId();
    const link = linkOf(id, { decision: "REJECT" });
    await links().mint(link);
    expect(await links().find(link.hash)).toEqual(link);

    const { Item } = await table.current.client.send(
      new GetCommand({ TableName: table.current.tableName, Key: linkKey(link.hash) }),
    );
    expect(Item).toEqual({
      pk: `LINK#${link.hash}`,
      sk: "LINK",
      ...link,
      [TIME_TO_LIVE_ATTRIBUTE]: Date.parse(link.expiresAt) / 1000 + LINK_KEPT_SECONDS,
    });
    expect(JSON.stringify(Item)).not.toContain(id);
  });

  it("never replaces a link with the same hash", async () => {
    const link = linkOf(newLinkId());
    await links().mint(link);
    await expect(links().mint({ ...link, decision: "REJECT" })).rejects.toMatchObject({
      name: "ConditionalCheckFailedException",
    });
    expect((await links().find(link.hash))?.decision).toBe("APPROVE");
  });

  it("marks a link used once: the second time, and for an unknown link, false", async () => {
    const link = linkOf(newLinkId());
    await links().mint(link);
    expect(await links().markUsed(link.hash, "2026-11-21T01:00:00.000Z")).toBe(true);
    expect(await links().markUsed(link.hash, "2026-11-21T02:00:00.000Z")).toBe(false);
    expect((await links().find(link.hash))?.usedAt).toBe("2026-11-21T01:00:00.000Z");

    const unknown = linkHash(newLinkId());
    expect(await links().markUsed(unknown, "2026-11-21T01:00:00.000Z")).toBe(false);
    expect(await links().find(unknown)).toBeUndefined();
  });
});
