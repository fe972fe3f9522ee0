// End to end over HTTP: SPEC "Decision links in the seller's mail" in local mode (its policy's
// decisionLinkMaxAmount at ¥10,000), every answer checked against docs/openapi.json. The seller's
// new-request mail carries an Approve and a Reject link to local mode's own address in both of
// its parts; opening a link changes nothing; a reject without its reason changes nothing; the
// Approve link's form decides (noted MAIL_LINK) and the workflow goes on; then both links are
// gone (410); unknown and malformed links are 404; a withdrawn request's links are gone; above
// the max the mail carries the console's address and no link.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller, LocalClient } from "../../local/client.ts";
import { orderBody } from "../../local/client.ts";
import { ContractClient, checkAgainstDocument } from "../support/contract.ts";
import {
  importOrder,
  type Json,
  type Party,
  startLocalWithPolicy,
} from "../support/line-orders.ts";

let running: Awaited<ReturnType<typeof startLocalWithPolicy>>;
let api: LocalClient;
let url: string;
let system: Caller;

beforeAll(async () => {
  running = await startLocalWithPolicy({ decisionLinkMaxAmount: { JPY: 10000, USD: 10000 } });
  url = running.local.url;
  api = new ContractClient(url);
  system = await api.system();
}, 90_000);

afterAll(async () => {
  await running?.stop();
});

const PAGE_HEADERS = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-robots-tag": "noindex",
};

/** A page of the decision link (HTML), checked against the document like every answer. */
const page = async (method: "GET" | "POST", path: string, form?: string) => {
  const response = await fetch(`${url}${path}`, {
    method,
    ...(form === undefined
      ? {}
      : { body: form, headers: { "content-type": "application/x-www-form-urlencoded" } }),
  });
  const html = await response.text();
  const contentType = response.headers.get("content-type") ?? "";
  checkAgainstDocument(method, path, { status: response.status, contentType, body: html });
  expect(contentType).toBe("text/html; charset=utf-8");
  for (const [name, value] of Object.entries(PAGE_HEADERS)) {
    expect(response.headers.get(name), name).toBe(value);
  }
  expect(response.headers.get("content-security-policy")).toMatch(/^default-src 'none'; /);
  return { status: response.status, html };
};

const requestsPath = (party: Party) => `/orders/${party.orderId}/cancellation-requests`;

/** A shipped order (¥4,980 + ¥500 unless `overrides` say otherwise) and its buyer's request. */
const requested = async (overrides: Json = {}) => {
  const party = await importOrder(api, system, overrides);
  const asked = await api.post(
    requestsPath(party),
    party.buyer,
    { reason: "NO_LONGER_NEEDED" },
    { "idempotency-key": randomUUID() },
  );
  expect(asked.status).toBe(202);
  return { party, requestId: String(asked.body.requestId) };
};

const request = async (party: Party, requestId: string) => {
  const response = await api.get(`${requestsPath(party)}/${requestId}`, party.seller);
  expect(response.status).toBe(200);
  return response.body;
};

/** The seller's new-request mail about the order, once it is out. */
const sellerMail = (party: Party) =>
  api.until(async () => {
    const mail = (await api.emails()).find(
      (email) =>
        email.to.includes(`${party.seller.sub}@example.com`) &&
        email.subject.includes(party.orderId),
    );
    return mail;
  }, `the seller's mail about ${party.orderId}`);

const linkPattern = () => new RegExp(`${url}/decide/([A-Za-z0-9_-]{22})`, "g");
const linksIn = (part: string) => [...part.matchAll(linkPattern())].map((match) => match[1] ?? "");

describe("decision links in local mode", () => {
  it("the mail's Approve link decides once, after any number of looks; the Reject link needs its reason", async () => {
    const { party, requestId } = await requested();
    const mail = await sellerMail(party);
    const [approve, reject] = linksIn(mail.text);
    expect(approve).toBeDefined();
    expect(reject).toBeDefined();
    expect(new Set(linksIn(mail.html))).toEqual(new Set([approve, reject]));

    const before = await request(party, requestId);
    expect(before.status).toBe("AWAITING_SELLER");
    for (let i = 0; i < 3; i++) {
      const shown = await page("GET", `/decide/${approve}`);
      expect(shown.status).toBe(200);
      expect(shown.html).toContain(party.orderId);
      expect(shown.html).toContain('<form method="post">');
    }
    const rejectPage = await page("GET", `/decide/${reject}`);
    expect(rejectPage.html).toContain('<textarea id="reason" name="reason" required');
    const noReason = await page("POST", `/decide/${reject}`, "reason=");
    expect(noReason.status).toBe(400);
    expect(await request(party, requestId)).toEqual(before);

    const decided = await page("POST", `/decide/${approve}`, "");
    expect(decided.status).toBe(200);
    expect(decided.html).toContain("承認しました");
    const after = await request(party, requestId);
    expect(after.status).not.toBe("AWAITING_SELLER");
    expect((after.timeline as Json[]).find((entry) => entry.type === "SELLER_APPROVED")).toEqual(
      expect.objectContaining({ actor: party.seller.sub, note: "MAIL_LINK" }),
    );
    // The workflow goes on: the policy approves a small refund, which completes.
    await api.until(
      async () => ((await request(party, requestId)).status === "COMPLETED" ? true : undefined),
      "the request to complete",
      30_000,
    );

    expect((await page("POST", `/decide/${approve}`, "")).status).toBe(410);
    expect((await page("GET", `/decide/${approve}`)).status).toBe(410);
    const late = await page("POST", `/decide/${reject}`, "reason=too+late");
    expect(late.status).toBe(410);
    expect((await request(party, requestId)).status).toBe("COMPLETED");
  }, 60_000);

  it("answers 404 for unknown and malformed links, and 410 once the buyer withdrew", async () => {
    expect((await page("GET", "/decide/AAAAAAAAAAAAAAAAAAAAAA")).status).toBe(404);
    expect((await page("POST", "/decide/not-a-link", "")).status).toBe(404);

    const { party, requestId } = await requested();
    const [approve] = linksIn((await sellerMail(party)).text);
    const withdrawn = await api.post(`${requestsPath(party)}/${requestId}/withdrawal`, party.buyer);
    expect(withdrawn.status).toBe(200);
    expect((await page("GET", `/decide/${approve}`)).status).toBe(410);
    expect((await page("POST", `/decide/${approve}`, "")).status).toBe(410);
    expect((await request(party, requestId)).status).toBe("WITHDRAWN");
  }, 60_000);

  it("above decisionLinkMaxAmount the mail carries the console's address and no link", async () => {
    const big = orderBody({ buyerId: "x", sellerId: "y" }).lines;
    const { party } = await requested({
      lines: big.map((line) => ({ ...line, unitPrice: 49800 })),
      payment: { method: "CARD", paidAmount: 50300 },
    });
    const mail = await sellerMail(party);
    expect(mail.text).not.toContain("/decide/");
    expect(mail.html).not.toContain("/decide/");
    expect(mail.text).toContain(`コンソールを開く: ${url}/`);
  }, 60_000);
});
