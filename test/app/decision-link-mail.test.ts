// The seller's decision links in the mail (SPEC "Decision links in the seller's mail"): the new
// request's and the reminder's mail each mint a fresh Approve and Reject link, stored by the
// SHA-256 of its id only, and carry them in the text part and the HTML part; above the policy's
// decisionLinkMaxAmount, or once the request no longer awaits the seller, the mail carries the
// console's address instead and nothing is minted.
import { describe, expect, it } from "vitest";
import { linkHash } from "../../functions/app/decision-links.ts";
import type { Mail } from "../../functions/app/ports.ts";
import { sendDueNotices } from "../../functions/app/send-notices.ts";
import { withMarks } from "../../functions/domain/notices.ts";
import type { Policy } from "../../functions/domain/policy.ts";
import type { OrderRecord } from "../../functions/domain/types.ts";
import { at, Flow, HOUR, policyWith, REQ, remindSeller, sellerApprove } from "../domain/flow.ts";
import type { OrderOverrides } from "../support/factories.ts";
import { fakeWorld, PUBLIC_ORIGIN } from "../support/fakes.ts";

type World = ReturnType<typeof fakeWorld>;

const LINK = new RegExp(`${PUBLIC_ORIGIN}/decide/([A-Za-z0-9_-]{22})`, "g");

/** The request awaiting the seller (¥5,480 by card, as the factory's order is). */
const awaiting = (policy?: Policy, order: OrderOverrides = {}): Flow =>
  Flow.shipped(order).requested(policy);

/** The seller's mail among what went out. */
const sellerMail = (world: World): Mail[] =>
  world.mailer.sent.filter((mail) => mail.to.includes("seller@example.com"));

/** The link ids a part of a mail carries, in order. */
const idsIn = (part: string): string[] => [...part.matchAll(LINK)].map((match) => match[1] ?? "");

const send = async (world: World, record: OrderRecord) =>
  sendDueNotices(world.segmentDeps(), record, { requestIds: [REQ] });

describe("the seller's new-request mail", () => {
  it("carries a fresh Approve and Reject link in both parts, stored only by their hashes", async () => {
    const world = fakeWorld(at(2));
    const flow = awaiting();
    await send(world, flow.record);

    const [mail] = sellerMail(world);
    const ids = idsIn(mail?.text ?? "");
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    // The HTML part links to the same two addresses (each as the link and written out beneath it).
    const htmlIds = idsIn(mail?.html ?? "");
    expect(new Set(htmlIds)).toEqual(new Set(ids));
    for (const id of ids) {
      expect(mail?.html).toContain(`<a href="${PUBLIC_ORIGIN}/decide/${id}"`);
    }
    const [approve, reject] = ids as [string, string];
    expect(mail?.text).toContain(`承認する: ${PUBLIC_ORIGIN}/decide/${approve}`);
    expect(mail?.text).toContain(`却下する（理由を入力）: ${PUBLIC_ORIGIN}/decide/${reject}`);

    // The store holds each link's hash, scope and expiry, never the id itself.
    const request = flow.request();
    expect([...world.links.items.values()]).toEqual([
      {
        hash: linkHash(approve),
        orderId: "o-1001",
        requestId: REQ,
        sellerId: "seller-1",
        decision: "APPROVE",
        expiresAt: request.sellerDeadline,
        mintedAt: at(2),
      },
      {
        hash: linkHash(reject),
        orderId: "o-1001",
        requestId: REQ,
        sellerId: "seller-1",
        decision: "REJECT",
        expiresAt: request.sellerDeadline,
        mintedAt: at(2),
      },
    ]);
    expect(JSON.stringify([...world.links.items.values()])).not.toContain(approve);
    expect(linkHash(approve)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("says in the mail's language what each link does (en)", async () => {
    const world = fakeWorld(at(2));
    await send(world, awaiting(undefined, { locale: "en" }).record);
    const [mail] = sellerMail(world);
    const [approve, reject] = idsIn(mail?.text ?? "");
    expect(mail?.text).toContain(`Approve: ${PUBLIC_ORIGIN}/decide/${approve}`);
    expect(mail?.text).toContain(`Reject (with a reason): ${PUBLIC_ORIGIN}/decide/${reject}`);
    expect(mail?.text).toContain("changes nothing until you press its button");
    expect(mail?.html).toContain(`>Approve</a>`);
  });

  it("carries links at exactly decisionLinkMaxAmount, none above it: the console's address instead", async () => {
    // The request refunds ¥5,480.
    const atMax = fakeWorld(at(2));
    await send(atMax, awaiting(policyWith({ decisionLinkMaxAmount: { JPY: 5480 } })).record);
    expect(idsIn(sellerMail(atMax)[0]?.text ?? "")).toHaveLength(2);

    const above = fakeWorld(at(2));
    await send(above, awaiting(policyWith({ decisionLinkMaxAmount: { JPY: 5479 } })).record);
    const [mail] = sellerMail(above);
    expect(mail?.text).not.toContain("/decide/");
    expect(mail?.html).not.toContain("/decide/");
    expect(mail?.text).toContain(`コンソールを開く: ${PUBLIC_ORIGIN}/`);
    expect(mail?.html).toContain(`<a href="${PUBLIC_ORIGIN}/"`);
    expect(above.links.items.size).toBe(0);
  });

  it("carries no link in a currency the policy does not list", async () => {
    const world = fakeWorld(at(2));
    await send(world, awaiting(policyWith({ decisionLinkMaxAmount: { USD: 100000 } })).record);
    expect(sellerMail(world)[0]?.text).not.toContain("/decide/");
    expect(world.links.items.size).toBe(0);
  });

  it("carries no link once the request no longer awaits the seller when the mail goes out", async () => {
    const world = fakeWorld(at(2));
    const flow = awaiting();
    // Decided in the console before the workflow's step sent the new request's mail.
    flow.apply(sellerApprove(), at(HOUR));
    await send(world, flow.record);
    const [mail] = sellerMail(world);
    expect(mail?.subject).toContain("キャンセル申請が届きました");
    expect(mail?.text).not.toContain("/decide/");
    expect(mail?.text).toContain(`${PUBLIC_ORIGIN}/`);
    expect(world.links.items.size).toBe(0);
  });

  it("mints nothing for the buyer's receipt sent beside it", async () => {
    const world = fakeWorld(at(2));
    await send(world, awaiting().record);
    const buyerMail = world.mailer.sent.filter((mail) => mail.to.includes("buyer@example.com"));
    expect(buyerMail).toHaveLength(1);
    expect(buyerMail[0]?.text).not.toContain(PUBLIC_ORIGIN);
    expect(world.links.items.size).toBe(2);
  });

  it("is not sent when its links cannot be stored: a failed try, sent with new links later", async () => {
    const world = fakeWorld(at(2));
    const { record } = awaiting();
    world.links.outage.next = 1;
    const marks = await send(world, record);
    expect(marks).toContainEqual(
      expect.objectContaining({ kind: "MAIL_FAILED", key: "1.SELLER_NEW_REQUEST", tries: 1 }),
    );
    expect(sellerMail(world)).toEqual([]);
    // The next try mints and sends.
    await send(world, withMarks(record, marks));
    expect(idsIn(sellerMail(world)[0]?.text ?? "")).toHaveLength(2);
    expect(world.links.items.size).toBe(2);
  });

  it("mints again when the same mail is sent again (at least once delivery): both pairs work", async () => {
    const world = fakeWorld(at(2));
    const { record } = awaiting();
    await send(world, record);
    await send(world, record);
    const ids = sellerMail(world).flatMap((mail) => idsIn(mail.text));
    expect(new Set(ids).size).toBe(4);
    expect(world.links.items.size).toBe(4);
  });
});

describe("the seller's reminder", () => {
  it("mints new links of its own; the new request's stay stored", async () => {
    const world = fakeWorld(at(2));
    const flow = awaiting();
    const first = await send(world, flow.record);
    flow.apply(remindSeller(), at(36 * HOUR));
    world.clock.set(at(36 * HOUR));
    await send(world, withMarks(flow.record, first));

    const [newRequest, reminder] = sellerMail(world);
    expect(reminder?.subject).toContain("回答期限が近づいています");
    const before = idsIn(newRequest?.text ?? "");
    const after = idsIn(reminder?.text ?? "");
    expect(after).toHaveLength(2);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    expect(idsIn(reminder?.html ?? "").sort()).toEqual([...after, ...after].sort());
    expect(world.links.items.size).toBe(4);
    expect(world.links.items.get(linkHash(after[0] ?? ""))?.mintedAt).toBe(at(36 * HOUR));
  });
});
