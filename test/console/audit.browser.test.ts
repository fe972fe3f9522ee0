// The order's audit trail in the console, in headless Chromium against local mode (SPEC "Audit
// trail"): the seller on a request's page and the operator on "Find order" see the section with the
// number of entries and the head, and its button downloads `<orderId>-audit.json` holding the export
// of GET /orders/{orderId}/audit, which verifies as `npm run audit -- verify` checks it. The buyer's
// order page has no such section. In Japanese at phone width it fits and passes axe-core.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../console/src/messages/en.ts";
import { ja } from "../../console/src/messages/ja.ts";
import type { AuditExport } from "../../functions/domain/audit.ts";
import { type Caller, orderBody } from "../../local/client.ts";
import { verifyExport } from "../../tools/audit-verify.ts";
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

beforeAll(async () => {
  session = await startConsole();
}, 90_000);

afterAll(async () => {
  await session?.close();
});

afterEach(async () => {
  const problems = guard.problems([]);
  await page.context().close();
  expect(problems).toEqual([]);
});

/** A shipped order and its buyer's request, made through the API. */
const orderWithRequest = async () => {
  const { api } = session;
  const [system, buyer, seller] = await Promise.all([api.system(), api.buyer(), api.seller()]);
  const body = orderBody({ buyerId: buyer.sub, sellerId: seller.sub });
  const orderId = String(body.orderId);
  expect((await api.post("/orders", system, body)).status).toBe(201);
  const shipment = { carrier: "yamato", trackingNumber: "4470-1234-5678" };
  expect((await api.post(`/orders/${orderId}/shipment`, seller, shipment)).status).toBe(200);
  const asked = await api.post(
    `/orders/${orderId}/cancellation-requests`,
    buyer,
    { reason: "OTHER", comment: '「箱が潰れていた」 "念のため" 🚚' },
    { "idempotency-key": randomUUID() },
  );
  expect(asked.status).toBe(202);
  return { orderId, requestId: String(asked.body.requestId), buyer, seller };
};

const exportOf = async (orderId: string, caller: Caller): Promise<AuditExport> => {
  const response = await session.api.get<AuditExport>(`/orders/${orderId}/audit`, caller);
  expect(response.status).toBe(200);
  return response.body;
};

const signIn = async (userId: string, role: string, lang: "en" | "ja" = "en") => {
  const words = lang === "en" ? en : ja;
  await page.goto(`${session.local.url}/?lang=${lang}`);
  await page.getByRole("textbox", { name: words.signIn.userId }).fill(userId);
  await page.getByRole("combobox", { name: words.signIn.role }).selectOption({ label: role });
  await page.getByRole("button", { name: words.signIn.submit, exact: true }).click();
  await page.getByRole("button", { name: words.signOut, exact: true }).waitFor();
};

/** The audit section, once its facts are shown. */
const auditSection = async (words = en.audit) => {
  const region = page.getByRole("region", { name: words.heading, exact: true });
  await region.getByRole("button", { name: words.download, exact: true }).waitFor();
  return region;
};

const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);

/** The value shown beside the term `term` in the region's facts. */
const fact = (region: Awaited<ReturnType<typeof auditSection>>, term: string) =>
  region
    .locator("dt", { hasText: exactly(term) })
    .locator("xpath=following-sibling::dd[1]")
    .textContent();

/** Clicks the download button and answers the file's name and parsed content. */
const download = async (region: Awaited<ReturnType<typeof auditSection>>, name: string) => {
  const [file] = await Promise.all([
    page.waitForEvent("download"),
    region.getByRole("button", { name, exact: true }).click(),
  ]);
  const path = await file.path();
  return { name: file.suggestedFilename(), content: JSON.parse(await readFile(path, "utf8")) };
};

describe("the audit trail in the console", () => {
  it("shows the seller the entries and head on a request's page, and downloads the export that verifies", async () => {
    ({ page, guard } = await session.open());
    const { orderId, requestId, seller } = await orderWithRequest();
    await signIn(seller.sub, en.roles.seller);
    await page.goto(`${session.local.url}/?lang=en#/requests/${orderId}/${requestId}`);
    const region = await auditSection();
    // The workflow notifies the seller meanwhile: the file holds the trail as it then stands.
    const shown = await exportOf(orderId, seller);
    expect(Number(await fact(region, en.audit.entries))).toBeGreaterThanOrEqual(3);
    const file = await download(region, en.audit.download);
    const exported = await exportOf(orderId, seller);
    expect(file.name).toBe(`${orderId}-audit.json`);
    expect(file.content).toEqual(exported);
    expect(file.content.entries.slice(0, shown.entries.length)).toEqual(shown.entries);
    expect(verifyExport(file.content)).toMatchObject({ ok: true });
    // After the download the section shows what the file holds.
    expect(await fact(region, en.audit.entries)).toBe(String(exported.entries.length));
    expect(await fact(region, en.audit.head)).toBe(exported.head);
    await checkAccessibility(page, "a request's page with its audit trail");
  });

  it("shows an operator the section on Find order; the buyer's order page has none", async () => {
    ({ page, guard } = await session.open());
    const { orderId, buyer } = await orderWithRequest();
    await signIn("operator-1", en.roles.operator);
    await page.getByRole("link", { name: en.nav.findOrder, exact: true }).click();
    await page.getByRole("textbox", { name: en.find.orderId }).fill(orderId);
    await page.getByRole("button", { name: en.find.submit, exact: true }).click();
    const region = await auditSection();
    const file = await download(region, en.audit.download);
    expect(file.name).toBe(`${orderId}-audit.json`);
    expect(file.content).toEqual(await exportOf(orderId, await session.api.operator()));
    expect(await fact(region, en.audit.head)).toBe(file.content.head);

    await page.getByRole("button", { name: en.signOut, exact: true }).click();
    await signIn(buyer.sub, en.roles.buyer);
    await page.goto(`${session.local.url}/?lang=en#/orders/${orderId}`);
    await page.getByRole("heading", { level: 1, name: en.order.heading(orderId) }).waitFor();
    expect(await page.getByRole("region", { name: en.audit.heading }).count()).toBe(0);
  });

  it("fits a phone in Japanese, the head wrapped rather than widening the page", async () => {
    ({ page, guard } = await session.open({ locale: "ja-JP" }));
    await page.setViewportSize(PHONE);
    const { orderId, requestId, seller } = await orderWithRequest();
    await signIn(seller.sub, ja.roles.seller, "ja");
    await page.goto(`${session.local.url}/?lang=ja#/requests/${orderId}/${requestId}`);
    const region = await auditSection(ja.audit);
    expect(await fact(region, ja.audit.head)).toMatch(/^[0-9a-f]{64}$/);
    const fit = await widthFit(page);
    expect(fit.scrollWidth, fit.beyond.join(", ")).toBeLessThanOrEqual(fit.clientWidth);
    await checkAccessibility(page, "a request's page with its audit trail, in Japanese on a phone");
  });
});
