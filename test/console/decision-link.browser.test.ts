// The seller decides from the mail, in headless Chromium against local mode (SPEC "Decision links
// in the seller's mail"): the link taken from GET /_local/emails opens the confirmation page (no
// script, its CSP honoured: the page logs no error and loads nothing else), the form is sent, and
// GET of the request shows the decision. The Japanese Reject page at phone width (390 px) fits
// it and passes axe-core; the English Approve page at desktop width.
import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Caller, orderBody } from "../../local/client.ts";
import {
  type ConsoleSession,
  checkAccessibility,
  type PageGuard,
  startConsole,
} from "../support/browser.ts";
import { PHONE, widthFit } from "./story.ts";

let session: ConsoleSession;
let page: Page;
let guard: PageGuard;
/** Console errors a test provokes on purpose (Chromium logs a page answered 410 as one). */
let expectedConsoleErrors: RegExp[] = [];

beforeAll(async () => {
  session = await startConsole();
}, 90_000);

afterAll(async () => {
  await session?.close();
});

afterEach(async () => {
  const problems = guard.problems(expectedConsoleErrors);
  expectedConsoleErrors = [];
  await page.context().close();
  expect(problems).toEqual([]);
});

/** A shipped order in `locale` and its buyer's request awaiting the seller. */
const awaitingSeller = async (locale: "ja" | "en") => {
  const { api } = session;
  const [system, buyer, seller] = await Promise.all([api.system(), api.buyer(), api.seller()]);
  const body = orderBody({ buyerId: buyer.sub, sellerId: seller.sub }, { locale });
  const orderId = String(body.orderId);
  expect((await api.post("/orders", system, body)).status).toBe(201);
  const shipment = { carrier: "yamato", trackingNumber: "4470-1234-5678" };
  expect((await api.post(`/orders/${orderId}/shipment`, seller, shipment)).status).toBe(200);
  const asked = await api.post(
    `/orders/${orderId}/cancellation-requests`,
    buyer,
    { reason: "NO_LONGER_NEEDED" },
    { "idempotency-key": randomUUID() },
  );
  expect(asked.status).toBe(202);
  return { orderId, requestId: String(asked.body.requestId), seller };
};

/** The link of the seller's mail labelled `label` (its text part: `label: <address>`). */
const linkFromMail = (seller: Caller, orderId: string, label: string) =>
  session.api.until(async () => {
    const mail = (await session.api.emails()).find(
      (email) => email.to.includes(`${seller.sub}@example.com`) && email.subject.includes(orderId),
    );
    const line = mail?.text.split("\n").find((text) => text.startsWith(`${label}: `));
    return line?.slice(label.length + 2);
  }, `the seller's "${label}" link about ${orderId}`);

const requestOf = async (orderId: string, requestId: string, seller: Caller) => {
  const response = await session.api.get(
    `/orders/${orderId}/cancellation-requests/${requestId}`,
    seller,
  );
  expect(response.status).toBe(200);
  return response.body as {
    status: string;
    rejection: { reason: string } | null;
    timeline: { type: string; note?: string }[];
  };
};

describe("deciding from the seller's mail", () => {
  it("rejects with a reason from the Japanese page, at phone width", async () => {
    ({ page, guard } = await session.open({ locale: "ja-JP" }));
    await page.setViewportSize(PHONE);
    const { orderId, requestId, seller } = await awaitingSeller("ja");
    const link = await linkFromMail(seller, orderId, "却下する（理由を入力）");
    expect(link).toMatch(new RegExp(`^${session.local.url}/decide/[A-Za-z0-9_-]{22}$`));

    const response = await page.goto(link);
    expect(response?.status()).toBe(200);
    expect(await response?.headerValue("referrer-policy")).toBe("no-referrer");
    await page.getByRole("heading", { name: "このキャンセル申請を却下しますか？" }).waitFor();
    expect(await page.locator("script").count()).toBe(0);
    const fit = await widthFit(page);
    expect(fit.scrollWidth, JSON.stringify(fit.beyond)).toBeLessThanOrEqual(fit.clientWidth);
    await checkAccessibility(page, "the Reject link's page at phone width");

    // The browser itself holds back the form while the required reason is empty.
    await page.getByRole("button", { name: "却下する" }).click();
    expect(
      await page.getByRole("heading", { name: "このキャンセル申請を却下しますか？" }).count(),
    ).toBe(1);
    expect((await requestOf(orderId, requestId, seller)).status).toBe("AWAITING_SELLER");

    await page.getByLabel("却下の理由（必須）").fill("在庫の確認が取れないため");
    await page.getByRole("button", { name: "却下する" }).click();
    await page.getByRole("heading", { name: "却下しました" }).waitFor();
    const fitAfter = await widthFit(page);
    expect(fitAfter.scrollWidth).toBeLessThanOrEqual(fitAfter.clientWidth);

    const decided = await requestOf(orderId, requestId, seller);
    expect(decided.status).toBe("REJECTED");
    expect(decided.rejection?.reason).toBe("在庫の確認が取れないため");
    expect(decided.timeline.at(-1)).toMatchObject({ type: "SELLER_REJECTED", note: "MAIL_LINK" });

    // The same link again: it no longer decides.
    expectedConsoleErrors = [/status of 410 \(Gone\)/];
    const again = await page.goto(link);
    expect(again?.status()).toBe(410);
    await page.getByRole("heading", { name: "このリンクは使えません" }).waitFor();
  }, 60_000);

  it("approves from the English page", async () => {
    ({ page, guard } = await session.open());
    const { orderId, requestId, seller } = await awaitingSeller("en");
    const link = await linkFromMail(seller, orderId, "Approve");
    await page.goto(link);
    await page.getByRole("heading", { name: "Approve this cancellation request?" }).waitFor();
    await checkAccessibility(page, "the Approve link's page");
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("heading", { name: "Approved" }).waitFor();

    const decided = await requestOf(orderId, requestId, seller);
    expect(decided.status).not.toBe("AWAITING_SELLER");
    expect(decided.timeline.find((entry) => entry.type === "SELLER_APPROVED")).toMatchObject({
      note: "MAIL_LINK",
    });
  }, 60_000);
});
