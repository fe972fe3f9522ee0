// The decision link's routes on the fakes (SPEC "Decision links in the seller's mail"): GET /decide/{id}
// shows the confirmation page and changes nothing however often it is opened; POST decides as the
// seller would, once, noted MAIL_LINK, then the link is used; unknown and malformed links answer
// 404, used and expired ones and requests no longer awaiting the seller 410, a rejection without
// its reason 400 with the form again, a dependency's failure 503; none of them changes anything.
// Every answer is an HTML page with the pages' headers, checked against docs/openapi.json.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { linkHash, newLinkId } from "../../functions/app/decision-links.ts";
import type { DecisionLink } from "../../functions/app/ports.ts";
import type { LinkDecision } from "../../functions/domain/decision-links.ts";
import type { OrderRecord } from "../../functions/domain/types.ts";
import { PAGE_CSP, PAGE_STYLE } from "../../functions/http/decision-page.ts";
import { Flow, REQ, sellerApprove, T0, withdraw } from "../domain/flow.ts";
import type { OrderOverrides } from "../support/factories.ts";
import { createTestApp, type TestApp, type TestResponse } from "../support/http-app.ts";
import type { EventOptions } from "../support/http-events.ts";

const ORDER = "o-1001";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** An app whose order's request awaits its seller (made at T0, deadline two days later). */
const appWithRequest = async (order: OrderOverrides = {}, change?: (flow: Flow) => void) => {
  const app = createTestApp();
  const flow = Flow.shipped(order).requested();
  change?.(flow);
  await app.world.table.create(flow.record);
  // The request's execution waits for the seller, as the workflow's wait state leaves it.
  if (flow.request().status === "AWAITING_SELLER") app.wait(ORDER, REQ, "token-seller");
  return { app, record: flow.record };
};

/** A link as the seller's mail mints it; answers its id. */
const mint = (app: TestApp, decision: LinkDecision, overrides: Partial<DecisionLink> = {}) => {
  const id = newLinkId();
  const request = app.world.table.items.get(ORDER)?.record.requests[REQ];
  app.world.links.items.set(linkHash(id), {
    hash: linkHash(id),
    orderId: ORDER,
    requestId: REQ,
    sellerId: "seller-1",
    decision,
    expiresAt: request?.sellerDeadline ?? T0,
    mintedAt: T0,
    ...overrides,
  });
  return id;
};

const open = (app: TestApp, id: string, options: EventOptions = {}) =>
  app.invoke("DecisionLinkPage", { params: { id }, ...options });

const post = (app: TestApp, id: string, body = "", options: EventOptions = {}) =>
  app.invoke("DecideByLink", {
    params: { id },
    ...(body === "" ? {} : { body, headers: FORM }),
    ...options,
  });

/** What a change would touch: the order item (version, waits) and the links. */
const snapshot = (app: TestApp) => ({
  item: app.item(ORDER),
  links: structuredClone([...app.world.links.items.values()]),
});

const expectPage = (response: TestResponse, status: number) => {
  expect(response.status).toBe(status);
  expect(response.headers).toMatchObject({
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-robots-tag": "noindex",
    "content-security-policy": PAGE_CSP,
  });
  expect(response.raw).toMatch(/^<!DOCTYPE html>/);
  expect(response.raw).not.toMatch(/<script/i);
  expect(response.raw).not.toMatch(/ style=/);
  return response.raw;
};

const forms = (html: string) => html.match(/<form\b[^>]*>/g) ?? [];

describe("GET /decide/{id}", () => {
  it("shows the Approve link's confirmation: the order, its lines and amount, one form and its button", async () => {
    const { app } = await appWithRequest();
    const html = expectPage(await open(app, mint(app, "APPROVE")), 200);
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain("このキャンセル申請を承認しますか？");
    expect(html).toContain(ORDER);
    expect(html).toContain("ワイヤレスイヤホン × 1");
    expect(html).toContain("¥5,480");
    expect(html).toContain("2026年11月23日(月) 09:00（日本時間）");
    expect(forms(html)).toEqual(['<form method="post">']);
    expect(html).toContain('<button type="submit">承認する</button>');
    expect(html).not.toContain("<textarea");
    expect(html).toContain('name="viewport" content="width=device-width, initial-scale=1"');
  });

  it("allows exactly its own style element: the CSP names its SHA-256 and nothing else", async () => {
    const { app } = await appWithRequest();
    const html = expectPage(await open(app, mint(app, "APPROVE")), 200);
    const styles = [...html.matchAll(/<style>([^<]*)<\/style>/g)].map((match) => match[1]);
    expect(styles).toEqual([PAGE_STYLE]);
    const hash = createHash("sha256").update(PAGE_STYLE).digest("base64");
    expect(PAGE_CSP).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    );
  });

  it("shows the Reject link's form with its required reason", async () => {
    const { app } = await appWithRequest();
    const html = expectPage(await open(app, mint(app, "REJECT")), 200);
    expect(html).toContain("このキャンセル申請を却下しますか？");
    expect(forms(html)).toEqual(['<form method="post">']);
    expect(html).toMatch(/<textarea id="reason" name="reason" required maxlength="1000"/);
    expect(html).toContain('<label for="reason">却下の理由（必須）</label>');
    expect(html).toContain('<button type="submit" class="reject">却下する</button>');
  });

  it("is in English for an English order", async () => {
    const { app } = await appWithRequest({ locale: "en" });
    const html = expectPage(await open(app, mint(app, "REJECT")), 200);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("Reject this cancellation request?");
    expect(html).toContain("Reason for rejecting (required)");
    expect(html).toContain("Nov 23, 2026");
  });

  it("changes nothing, however often it is opened: the item, its version and the link stay as they were", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "APPROVE");
    const before = snapshot(app);
    for (let i = 0; i < 5; i++) expectPage(await open(app, id), 200);
    expect(snapshot(app)).toEqual(before);
    expect(app.callNames()).toEqual(Array(5).fill(["links.find", "table.get"]).flat());
  });

  it("ignores a query string a mail client or scanner appends", async () => {
    const { app } = await appWithRequest();
    const response = await open(app, mint(app, "APPROVE"), { query: { utm_source: "mail" } });
    expectPage(response, 200);
  });

  it("answers 404 for an unknown link, in both languages", async () => {
    const { app } = await appWithRequest();
    const html = expectPage(await open(app, newLinkId()), 404);
    expect(html).toContain("リンクが見つかりません");
    expect(html).toContain('<section lang="en"><h1>Link not found</h1>');
    expect(html).not.toContain("<form");
  });

  it.each([
    "abc",
    "x".repeat(23),
    "AAAAAAAAAAAAAAAAAAAA.A",
    "AAAAAAAAAAAAAAAAAAAA%2",
    "constructor",
  ])("answers 404 for a malformed id (%j) without looking it up", async (id) => {
    const { app } = await appWithRequest();
    expectPage(await open(app, id), 404);
    expect(app.callNames()).toEqual([]);
  });

  it("answers 404 for a link whose order is gone or not its seller's", async () => {
    const { app } = await appWithRequest();
    expectPage(await open(app, mint(app, "APPROVE", { orderId: "o-gone" })), 404);
    expectPage(await open(app, mint(app, "APPROVE", { sellerId: "seller-2" })), 404);
  });

  it("answers 410 for a used link", async () => {
    const { app } = await appWithRequest();
    const html = expectPage(await open(app, mint(app, "APPROVE", { usedAt: T0 })), 410);
    expect(html).toContain("このリンクはすでに使われました");
    expect(html).not.toContain("<form");
  });

  it("answers 410 once the link expired (the seller's deadline)", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "APPROVE");
    app.world.clock.set("2026-11-23T00:00:00.000Z");
    const html = expectPage(await open(app, id), 410);
    expect(html).toContain("回答期限が過ぎたため");
  });

  it.each([
    ["withdrawn by the buyer", (flow: Flow) => flow.apply(withdraw(), "2026-11-21T01:00:00.000Z")],
    [
      "decided in the console",
      (flow: Flow) => flow.apply(sellerApprove(), "2026-11-21T01:00:00.000Z"),
    ],
  ])("answers 410 once the request no longer awaits the seller (%s)", async (_, change) => {
    const { app } = await appWithRequest({}, change);
    const id = mint(app, "REJECT");
    const before = snapshot(app);
    const html = expectPage(await open(app, id), 410);
    expect(html).toContain("この申請はすでに販売者の回答を待っていません");
    expect(snapshot(app)).toEqual(before);
  });

  it("answers 503 with Retry-After when the store fails, in both languages", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "APPROVE");
    app.world.links.outage.next = 1;
    const response = await open(app, id);
    const html = expectPage(response, 503);
    expect(response.headers["retry-after"]).toBe("2");
    expect(html).toContain("ただいま処理できません");
    expect(html).toContain("We cannot do this right now");
  });
});

describe("POST /decide/{id}", () => {
  it("approves as the seller, noted MAIL_LINK, wakes the waiting execution and uses the link", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "APPROVE");
    const html = expectPage(await post(app, id), 200);
    expect(html).toContain("<h1>承認しました</h1>");
    const stored = app.item(ORDER);
    const request = stored?.record.requests[REQ];
    expect(request?.status).toBe("AWAITING_MARKETPLACE");
    expect(request?.timeline.at(-1)).toMatchObject({
      type: "SELLER_APPROVED",
      actor: "seller-1",
      note: "MAIL_LINK",
    });
    expect(stored?.version).toBe(2);
    expect(app.world.links.items.get(linkHash(id))?.usedAt).toBe(app.world.clock.now());
    expect(app.callNames()).toEqual([
      "links.find",
      "table.get",
      "table.save",
      "workflow.wake",
      "links.markUsed",
    ]);
  });

  it("rejects with the form's reason (its line breaks as the API takes them), noted MAIL_LINK", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "REJECT");
    const reason = "発送済みの\r\n<b>別送品</b>です";
    const html = expectPage(await post(app, id, `reason=${encodeURIComponent(reason)}`), 200);
    expect(html).toContain("<h1>却下しました</h1>");
    expect(html).toContain("発送済みの\n&lt;b&gt;別送品&lt;/b&gt;です");
    const request = app.item(ORDER)?.record.requests[REQ];
    expect(request?.status).toBe("REJECTED");
    expect(request?.rejection).toMatchObject({
      by: "SELLER",
      reason: "発送済みの\n<b>別送品</b>です",
    });
    expect(request?.timeline.at(-1)).toMatchObject({ type: "SELLER_REJECTED", note: "MAIL_LINK" });
  });

  it("reads a form API Gateway hands over base64-encoded", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "REJECT");
    expectPage(await post(app, id, "reason=too+late", { base64: true }), 200);
    expect(app.item(ORDER)?.record.requests[REQ]?.rejection?.reason).toBe("too late");
  });

  it.each(["", "reason=", "reason=+%0D%0A+", "other=x"])(
    "answers a rejection without its reason (%j) with 400 and the form again; nothing changes",
    async (body) => {
      const { app } = await appWithRequest();
      const id = mint(app, "REJECT");
      const before = snapshot(app);
      const html = expectPage(await post(app, id, body), 400);
      expect(html).toContain('role="alert">却下の理由を入力してください。');
      expect(forms(html)).toEqual(['<form method="post">']);
      expect(snapshot(app)).toEqual(before);
    },
  );

  it("keeps what was typed when the reason is refused (escaped), and refuses one too long", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "REJECT");
    const long = `<i>${"x".repeat(1000)}`;
    const html = expectPage(await post(app, id, `reason=${encodeURIComponent(long)}`), 400);
    expect(html).toContain(`&lt;i&gt;${"x".repeat(1000)}</textarea>`);
    expect(app.item(ORDER)?.version).toBe(1);
  });

  it("answers a body that is no form with 400 and the form again; nothing changes", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "APPROVE");
    const before = snapshot(app);
    const response = await post(app, id, "", { body: { decision: "APPROVE" } });
    const html = expectPage(response, 400);
    expect(html).toContain("送信内容を読み取れませんでした");
    expect(snapshot(app)).toEqual(before);
  });

  it("answers a second POST of the same link with 410; nothing changes", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "APPROVE");
    expectPage(await post(app, id), 200);
    const before = snapshot(app);
    const html = expectPage(await post(app, id), 410);
    expect(html).toContain("このリンクはすでに使われました");
    expect(snapshot(app)).toEqual(before);
  });

  it("answers the other link of the pair with 410 once one decided", async () => {
    const { app } = await appWithRequest();
    const approve = mint(app, "APPROVE");
    const reject = mint(app, "REJECT");
    expectPage(await post(app, approve), 200);
    const before = snapshot(app);
    expectPage(await post(app, reject, "reason=no"), 410);
    expect(snapshot(app)).toEqual(before);
  });

  it("answers 410 past the deadline, withdrawn, or decided elsewhere; nothing changes", async () => {
    const expired = await appWithRequest();
    const id = mint(expired.app, "APPROVE");
    expired.app.world.clock.set("2026-11-23T00:00:00.000Z");
    const before = snapshot(expired.app);
    expectPage(await post(expired.app, id), 410);
    expect(snapshot(expired.app)).toEqual(before);

    const withdrawn = await appWithRequest({}, (flow) =>
      flow.apply(withdraw(), "2026-11-21T01:00:00.000Z"),
    );
    const link = mint(withdrawn.app, "REJECT");
    const still = snapshot(withdrawn.app);
    expectPage(await post(withdrawn.app, link, "reason=x"), 410);
    expect(snapshot(withdrawn.app)).toEqual(still);
  });

  it("answers 410 when the request moved on between the page and the write (a lost race)", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "REJECT");
    // The buyer withdraws right after the link's order was read.
    app.afterCall("table.get", () => {
      const item = app.world.table.items.get(ORDER);
      const flow = new Flow(item?.record as OrderRecord);
      flow.apply(withdraw(), "2026-11-21T09:00:00.000Z");
      if (item) {
        item.record = flow.record;
        item.version += 1;
      }
    });
    const html = expectPage(await post(app, id, "reason=x"), 410);
    expect(html).toContain("この申請はすでに販売者の回答を待っていません");
    expect(app.item(ORDER)?.record.requests[REQ]?.status).toBe("WITHDRAWN");
    expect(app.world.links.items.get(linkHash(id))?.usedAt).toBeUndefined();
  });

  it("answers 503 with Retry-After when the write fails past retries: nothing written, the link unused", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "APPROVE");
    app.afterCall("table.get", () => {
      app.world.table.outage.next = 1;
    });
    const before = snapshot(app);
    const response = await post(app, id);
    expectPage(response, 503);
    expect(response.headers["retry-after"]).toBe("2");
    expect(snapshot(app)).toEqual(before);
    // The same form again, once the store is back, decides.
    expectPage(await post(app, id), 200);
  });

  it("keeps the decision when the link cannot be marked used: it is dead anyway (410 next)", async () => {
    const { app } = await appWithRequest();
    const id = mint(app, "APPROVE");
    app.afterCall("workflow.wake", () => {
      app.world.links.outage.next = 1;
    });
    expectPage(await post(app, id), 200);
    expect(app.item(ORDER)?.record.requests[REQ]?.status).toBe("AWAITING_MARKETPLACE");
    expect(app.world.links.items.get(linkHash(id))?.usedAt).toBeUndefined();
    expect(app.world.log.lines).toContainEqual(
      expect.objectContaining({ level: "warn", message: "decision link not marked used" }),
    );
    expectPage(await post(app, id), 410);
  });

  it("answers 404 for unknown and malformed links, looking up only well-formed ones", async () => {
    const { app } = await appWithRequest();
    expectPage(await post(app, newLinkId()), 404);
    expectPage(await post(app, "not-a-link"), 404);
    expect(app.callNames()).toEqual(["links.find"]);
    expect(app.item(ORDER)?.version).toBe(1);
  });
});
