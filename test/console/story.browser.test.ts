// The console end to end in headless Chromium against local mode: the seed's story clicked
// through as buyer, seller and buyer again, a high-value request through the operator, a
// rejection and an API error, a Stripe card refund the card company reverses and an operator
// refunds again; axe-core on every page; no request leaves local mode's origin and no
// page logs an error. Then the Japanese page with its own web font, and the story again on a
// phone (390 px) in Japanese and in English: no page may scroll sideways.
import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { en } from "../../console/src/messages/en.ts";
import { ja } from "../../console/src/messages/ja.ts";
import { orderBody } from "../../local/client.ts";
import type { LocalInfo } from "../../local/start.ts";
import {
  type ConsoleSession,
  checkAccessibility,
  type PageGuard,
  startConsole,
} from "../support/browser.ts";
import {
  button,
  createSampleOrders,
  decideInQueue,
  ENGLISH,
  highValueStory,
  importTwoLineOrder,
  link,
  namesFrom,
  openConsole,
  openOrder,
  PHONE,
  parcelCard,
  parcelStory,
  partialStory,
  performanceStory,
  refundInquiriesPage,
  requestCancellation,
  SAMPLE_SELLER,
  type Stop,
  type Story,
  signIn,
  signOut,
  staffPages,
  standardStory,
  statusShown,
  untilVisible,
  widthFit,
} from "./story.ts";

let session: ConsoleSession;
let page: Page;
let guard: PageGuard;
/** Console errors a test provokes on purpose (Chromium logs each failed API call as one). */
let expectedConsoleErrors: RegExp[] = [];
const visited = new Set<Stop>();

beforeAll(async () => {
  session = await startConsole();
}, 90_000);

afterAll(async () => {
  await session?.close();
});

// Each test in a browser context of its own (its own sessionStorage), checked after the test, so
// a failure names the test that caused it and does not leave the next one signed in.
beforeEach(async () => {
  ({ page, guard } = await session.open());
});

afterEach(async () => {
  const problems = guard.problems(expectedConsoleErrors);
  expectedConsoleErrors = [];
  await page.context().close();
  expect(problems).toEqual([]);
});

const story = (): Story => ({
  page,
  api: session.api,
  url: session.local.url,
  lang: "en",
  names: ENGLISH,
  visit: async (stop, current) => {
    visited.add(stop);
    await checkAccessibility(current, stop);
  },
});

const aBuyer = () => `buyer-${randomUUID().slice(0, 8)}`;
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

describe("the console in English (?lang=en)", () => {
  const buyerId = aBuyer();
  let orders: { standard: string; highValue: string };

  it("the buyer creates sample orders, asks to cancel; the seller approves; the buyer sees it completed with timeline and refund", async () => {
    await openConsole(story());
    // English shown: the switch offers Japanese.
    await button(story(), "日本語").waitFor();
    orders = await createSampleOrders(story(), buyerId);
    await standardStory(story(), buyerId, orders.standard);

    const timeline = page.getByRole("list", { name: ENGLISH.timeline }).getByRole("listitem");
    expect(await timeline.count()).toBeGreaterThanOrEqual(7);
    const shown = await page.locator("main").textContent();
    expect(shown).toContain("¥5,480");
    expect(shown).toMatch(/card/i);
    await signOut(story());
  }, 45_000);

  it("a high-value request waits for the operator's review queue, then completes", async () => {
    await openConsole(story());
    await highValueStory(story(), buyerId, orders.highValue);
    expect(await page.locator("main").textContent()).toContain("¥49,800");
    await signOut(story());
  }, 45_000);

  it("a partial cancellation: one mug of two (the preview shows its refund), the order stays shipped with that unit cancelled and refunded; then the rest, and the order is cancelled", async () => {
    const s = story();
    const buyerId = aBuyer();
    const orderId = await importTwoLineOrder(s, buyerId);
    const sent: unknown[] = [];
    page.on("request", (request) => {
      const path = new URL(request.url()).pathname;
      if (request.method() === "POST" && path === `/orders/${orderId}/cancellation-requests`)
        sent.push(request.postDataJSON());
    });
    await openConsole(s);
    await partialStory(s, buyerId, orderId);
    // `lines` only for the part; the rest asked for as a whole.
    expect(sent).toEqual([
      { reason: "ORDERED_BY_MISTAKE", lines: [{ lineId: "l1", quantity: 1 }] },
      { reason: "NO_LONGER_NEEDED" },
    ]);
    const buyer = await session.api.buyer(buyerId);
    const order = await session.api.get(`/orders/${orderId}`, buyer);
    expect(order.body).toMatchObject({
      status: "CANCELLED",
      refundedAmount: 5000,
      lines: [{ cancelledQuantity: 2 }, { cancelledQuantity: 1 }],
    });
    await signOut(s);
  }, 60_000);

  it("the buyer withdraws a request while the seller has not answered", async () => {
    const s = story();
    const buyerId = aBuyer();
    const orderId = await importShippedOrder(buyerId);
    await openConsole(s);
    await signIn(s, buyerId, "buyer");
    await openOrder(s, orderId);
    await requestCancellation(s, { reason: "NO_LONGER_NEEDED", comment: "Changed my mind" });
    await untilVisible(s, statusShown(s, ENGLISH.status.awaitingSeller), "awaiting seller");
    await button(s, "Withdraw request").click();
    await untilVisible(s, statusShown(s, "Withdrawn"), "the withdrawal");
    // Withdrawn is final: nothing left to withdraw.
    expect(await button(s, "Withdraw request").count()).toBe(0);
    await signOut(s);
  }, 30_000);

  it("an API error shows in an alert in the form, which keeps its values and retries with the same Idempotency-Key; the seller rejects with a reason", async () => {
    const s = story();
    const rejecter = aBuyer();
    const orderId = await importShippedOrder(rejecter);
    await openConsole(s);
    await signIn(s, rejecter, "buyer");
    await openOrder(s, orderId);
    // Meanwhile the same buyer asks through the API (another tab): the console's request is then
    // the second one and the API answers 409.
    const buyer = await session.api.buyer(rejecter);
    const requestsPath = `/orders/${orderId}/cancellation-requests`;
    const other = await session.api.post(
      requestsPath,
      buyer,
      { reason: "NO_LONGER_NEEDED" },
      { "idempotency-key": randomUUID() },
    );
    expect(other.status).toBe(202);
    const sentKeys: (string | undefined)[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === requestsPath)
        sentKeys.push(request.headers()["idempotency-key"]);
    });
    expectedConsoleErrors = [/status of 409/];
    const comment = "Second thoughts";
    await requestCancellation(s, { reason: "DELIVERY_TOO_SLOW", comment });
    const form = page.getByRole("form").filter({ has: page.getByLabel(ENGLISH.comment) });
    const alert = form.getByRole("alert");
    await alert.waitFor();
    expect((await alert.textContent())?.trim()).toBeTruthy();
    await s.visit("request-error", page);
    // Nothing is lost: the form keeps what was typed.
    expect(await form.getByRole("textbox", { name: ENGLISH.comment }).inputValue()).toBe(comment);
    expect(await form.getByRole("combobox", { name: ENGLISH.reason }).inputValue()).toBe(
      "DELIVERY_TOO_SLOW",
    );

    // Once the other request is withdrawn, sending again goes through, with the same key.
    const requestId = String(other.body.requestId);
    const withdrawn = await session.api.post(`${requestsPath}/${requestId}/withdrawal`, buyer, {});
    expect(withdrawn.status).toBe(200);
    await button(s, ENGLISH.sendRequest).click();
    await untilVisible(s, statusShown(s, ENGLISH.status.awaitingSeller), "the retried request");
    expect(sentKeys).toHaveLength(2);
    expect(sentKeys[0]).toBeTruthy();
    expect(sentKeys[1]).toBe(sentKeys[0]);
    await signOut(s);

    const because = "Already handed to the international carrier";
    await signIn(s, SAMPLE_SELLER, "seller");
    await decideInQueue(s, { link: ENGLISH.cancellationRequests, stop: "seller-queue" }, orderId, {
      rejectBecause: because,
    });
    // The seller records the shipment of another order in the console.
    const unshipped = await importOrder(rejecter, { ship: false });
    await link(s, ENGLISH.recordShipment).click();
    await page.getByRole("textbox", { name: ENGLISH.orderId }).fill(unshipped);
    await page.getByRole("textbox", { name: "Carrier" }).fill("yamato");
    await page.getByRole("textbox", { name: ENGLISH.trackingNumber }).fill("4470-0000-0001");
    await s.visit("record-shipment", page);
    await button(s, "Save shipment").click();
    await session.api.until(async () => {
      const order = await session.api.get(`/orders/${unshipped}`, buyer);
      return order.body.status === "SHIPPED" ? order.body : undefined;
    }, `${unshipped} to be shipped`);
    await signOut(s);

    await signIn(s, rejecter, "buyer");
    await openOrder(s, orderId);
    await untilVisible(s, statusShown(s, ENGLISH.status.rejected), "the rejection");
    expect(await page.locator("main").textContent()).toContain(because);
    await s.visit("order-rejected", page);
    await signOut(s);
  }, 45_000);

  it("a declined refund shows in the operator's refund failures; Retry refund completes it; Find order finds it; the buyer sees it completed", async () => {
    const s = story();
    const buyerId = aBuyer();
    const orderId = await importShippedOrder(buyerId);
    const buyer = await session.api.buyer(buyerId);
    const asked = await session.api.post(
      `/orders/${orderId}/cancellation-requests`,
      buyer,
      { reason: "NO_LONGER_NEEDED" },
      { "idempotency-key": randomUUID() },
    );
    const requestPath = `/orders/${orderId}/cancellation-requests/${asked.body.requestId}`;
    const reach = (status: string) =>
      session.api.until(async () => {
        const request = await session.api.get(requestPath, buyer);
        return request.body.status === status ? request.body : undefined;
      }, `${orderId} to reach ${status}`);
    await reach("AWAITING_SELLER");
    // The payment provider declines the next card refund, once.
    const fault = await session.api.post("/_local/faults", undefined, {
      target: "payments",
      operation: "CARD",
      error: "declined",
      count: 1,
    });
    expect(fault.status).toBe(201);
    const seller = await session.api.seller(SAMPLE_SELLER);
    const approved = await session.api.post(`${requestPath}/seller-decision`, seller, {
      decision: "APPROVE",
    });
    expect(approved.status).toBe(200);
    await reach("REFUND_FAILED");

    await openConsole(s);
    await signIn(s, "operator-1", "operator");
    await decideInQueue(s, { link: ENGLISH.refundFailures, stop: "refund-failures" }, orderId, {
      retryRefund: true,
    });
    expect((await reach("COMPLETED")).refund).toMatchObject({ status: "SUCCEEDED", amount: 5480 });

    await refundInquiriesPage(s);
    await link(s, ENGLISH.findOrder).click();
    await page.getByRole("textbox", { name: ENGLISH.orderId }).fill(orderId);
    await button(s, ENGLISH.find).click();
    await page.getByRole("heading", { name: ENGLISH.orderHeading(orderId) }).waitFor();
    await s.visit("find-order", page);
    await signOut(s);

    // The buyer, who asked through the API, follows the refund from the order in the console.
    await signIn(s, buyerId, "buyer");
    await openOrder(s, orderId);
    await untilVisible(s, statusShown(s, ENGLISH.status.completed), "the completed request");
    await signOut(s);
  }, 30_000);

  it("a card refund through Stripe that the card company fails after it succeeded: the buyer reads why and that the marketplace refunds again; the operator finds the order and refunds it as gift balance; the buyer is mailed each once; both pages fit a phone", async () => {
    const s = story();
    const buyerId = aBuyer();
    // Paid on the Stripe stand-in with the card whose refunds turn failed a moment later.
    const { stripe: stand } = (await session.api.get<LocalInfo>("/_local/info")).body;
    const base = new URL(stand.apiBase);
    const stripe = new Stripe(stand.secretKey, {
      host: base.hostname,
      port: Number(base.port),
      protocol: "http",
    });
    const intent = await stripe.paymentIntents.create({
      amount: 5480,
      currency: "jpy",
      payment_method: "pm_card_refundFail",
      confirm: true,
    });
    const orderId = await importOrder(buyerId, {
      ship: true,
      payment: { method: "CARD", paidAmount: 5480, provider: "stripe", reference: intent.id },
    });
    const buyer = await session.api.buyer(buyerId);
    const asked = await session.api.post(
      `/orders/${orderId}/cancellation-requests`,
      buyer,
      { reason: "NO_LONGER_NEEDED" },
      { "idempotency-key": randomUUID() },
    );
    const requestPath = `/orders/${orderId}/cancellation-requests/${asked.body.requestId}`;
    const read = () => session.api.get(requestPath, buyer);
    await session.api.until(
      async () => ((await read()).body.status === "AWAITING_SELLER" ? true : undefined),
      "the seller's wait",
    );
    const seller = await session.api.seller(SAMPLE_SELLER);
    await session.api.post(`${requestPath}/seller-decision`, seller, { decision: "APPROVE" });
    const reversed = await session.api.until(async () => {
      const request = (await read()).body as { refund?: { reversed?: boolean } };
      return request.refund?.reversed ? request : undefined;
    }, "the reversal");
    expect(reversed).toMatchObject({
      status: "COMPLETED",
      refund: { status: "FAILED", failureReason: "expired_or_canceled_card" },
    });

    const fitsAPhone = async (stop: Stop) => {
      const size = page.viewportSize();
      await page.setViewportSize(PHONE);
      const fit = await widthFit(page);
      expect(fit.scrollWidth, stop).toBeLessThanOrEqual(fit.clientWidth);
      expect(fit.beyond, stop).toEqual([]);
      expect(fit.besideValues, stop).toEqual([]);
      if (size) await page.setViewportSize(size);
    };
    await openConsole(s);
    await signIn(s, buyerId, "buyer");
    await openOrder(s, orderId);
    await untilVisible(
      s,
      page.getByText(
        "The card company could not complete the refund; the marketplace will refund again.",
      ),
      "the reversal on the buyer's page",
    );
    expect(await page.locator("main").textContent()).toContain(
      "The card has expired or has been cancelled.",
    );
    await s.visit("refund-reversed", page);
    await fitsAPhone("refund-reversed");
    await signOut(s);

    await signIn(s, "operator-1", "operator");
    await link(s, ENGLISH.findOrder).click();
    await page.getByRole("textbox", { name: ENGLISH.orderId }).fill(orderId);
    await button(s, ENGLISH.find).click();
    await button(s, "Refund as gift balance").waitFor();
    await button(s, ENGLISH.retryRefund).waitFor();
    expect(await page.locator("main").textContent()).toContain(
      "Refund reversed by the card company",
    );
    await s.visit("refund-reversed-operator", page);
    await fitsAPhone("refund-reversed-operator");
    // The closed card cannot take it: the operator refunds it as gift balance.
    await button(s, "Refund as gift balance").click();
    await button(s, "Refund as gift balance").waitFor({ state: "detached" });
    expect(await button(s, ENGLISH.retryRefund).count()).toBe(0);
    const refunded = await session.api.until(async () => {
      const request = (await read()).body as { refund?: { status?: string } };
      return request.refund?.status === "SUCCEEDED" ? request : undefined;
    }, "the refund made again");
    expect(refunded).toMatchObject({
      status: "COMPLETED",
      refund: { method: "GIFT_CARD", status: "SUCCEEDED", reversed: false },
    });
    await signOut(s);

    // The buyer was told of the reversal, then of the refund made again, each once.
    const buyerMail = await session.api.until(async () => {
      const subjects = (await session.api.emails())
        .filter((mail) => mail.to.includes(`${buyerId}@example.com`))
        .map((mail) => mail.subject.replace(` (order ${orderId})`, ""));
      return subjects.filter((subject) => subject === "Your cancellation is complete").length === 2
        ? subjects
        : undefined;
    }, "the buyer's mail");
    expect(buyerMail.slice(-3)).toEqual([
      "Your cancellation is complete",
      "Your card refund could not be completed",
      "Your cancellation is complete",
    ]);
  }, 45_000);

  it("the seller's Parcels lists cancelled parcels still out, filtered by status; one the carrier brings back leaves it; the buyer who took one anyway reads what to send back, how and by when", async () => {
    const s = story();
    const buyerId = aBuyer();
    // A seller of their own: the shared sample seller has many cancelled parcels by now.
    const sellerId = `seller-${randomUUID().slice(0, 8)}`;
    await openConsole(s);
    const { backSoon, keptByBuyer } = await parcelStory(s, buyerId, sellerId);
    /** The page as it stands, 390 px wide: no sideways scroll, labels above their values. */
    const fitsAPhone = async (stop: Stop) => {
      const size = page.viewportSize();
      await page.setViewportSize(PHONE);
      const fit = await widthFit(page);
      expect(fit.scrollWidth, stop).toBeLessThanOrEqual(fit.clientWidth);
      expect(fit.beyond, stop).toEqual([]);
      expect(fit.besideValues, stop).toEqual([]);
      if (size) await page.setViewportSize(size);
    };

    const owed = page.getByRole("region", { name: "Return of cancelled items" });
    const words = await owed.textContent();
    expect(words).toContain(
      "Please send Stoneware mug (2) and Linen tea towel (1) back to the seller with Yamato Transport by ",
    );
    expect(words).toMatch(/by \w{3}, \w{3} \d{1,2}, \d{4}, \d{2}:\d{2} JST \(UTC\+9\)\./);
    expect(await owed.getByRole("listitem").allTextContents()).toEqual([
      "Stoneware mug × 2",
      "Linen tea towel × 1",
    ]);
    await page
      .getByRole("list", { name: "Parcel history" })
      .getByRole("listitem")
      .first()
      .waitFor();
    expect(await page.getByRole("list", { name: "Parcel history" }).textContent()).toContain(
      "Delivered after the cancellation: please send the cancelled items back",
    );
    // The parcel came: what happens next no longer says to refuse it.
    expect(await page.locator("main").textContent()).not.toContain(en.next.buyer.refuseParcel);
    await fitsAPhone("order-return");
    await signOut(s);

    // What the API says, behind the pages: the first parcel back, the second owed.
    const seller = await session.api.seller(sellerId);
    const listed = await session.api.get<{ items: { orderId: string }[] }>(
      "/seller/parcels",
      seller,
    );
    expect(listed.body.items.map((item) => item.orderId)).toEqual([keptByBuyer]);
    const buyer = await session.api.buyer(buyerId);
    const back = await session.api.get(`/orders/${backSoon}`, buyer);
    expect(back.body).toMatchObject({ parcel: { status: "RETURNED" }, return: null });
    // The card's link leads the seller to the order's page.
    await signIn(s, sellerId, "seller");
    await link(s, "Parcels").click();
    await parcelCard(s, keptByBuyer).waitFor();
    await fitsAPhone("seller-parcels");
    await parcelCard(s, keptByBuyer).getByRole("link", { name: keptByBuyer }).click();
    await page.getByRole("heading", { name: ENGLISH.orderHeading(keptByBuyer) }).waitFor();
    await page.getByRole("region", { name: "Return of cancelled items" }).waitFor();
    expect(
      await page.getByRole("region", { name: "Return of cancelled items" }).textContent(),
    ).toContain("The buyer was asked to send these back");
    await signOut(s);
  }, 60_000);

  it("every page of the story passed the axe check", () => {
    expect([...visited].sort()).toEqual(
      [
        "sign-in",
        "sample-orders",
        "orders",
        "order",
        "request-form",
        "request-sent",
        "seller-queue",
        "decided",
        "order-completed",
        "review-queue",
        "record-shipment",
        "order-rejected",
        "request-error",
        "refund-failures",
        "refund-inquiries",
        "find-order",
        "partial-request-form",
        "order-partly-cancelled",
        "order-cancelled",
        "refund-reversed",
        "refund-reversed-operator",
        "seller-parcels",
        "parcels-filtered",
        "order-return",
      ].sort(),
    );
  });
});

describe("the console in Japanese", () => {
  it("a Japanese browser gets Japanese labels in the bundled Noto Sans JP; the switch turns English", async () => {
    const japanese = await session.open({ locale: "ja-JP" });
    const jaPage = japanese.page;
    await jaPage.goto(`${session.local.url}/`);
    const signInButton = jaPage.locator("form button[type=submit]").first();
    await signInButton.waitFor();
    expect(await jaPage.evaluate("document.documentElement.lang")).toBe("ja");
    expect(await signInButton.textContent()).toMatch(JAPANESE);
    const japaneseNames = namesFrom(ja);
    expect(japaneseNames.userId).toMatch(JAPANESE);
    await jaPage.getByRole("textbox", { name: japaneseNames.userId, exact: true }).waitFor();
    await jaPage.getByRole("combobox", { name: japaneseNames.role, exact: true }).waitFor();
    expect(await jaPage.getByRole("textbox", { name: ENGLISH.userId }).count()).toBe(0);
    await checkAccessibility(jaPage, "Japanese sign-in");

    expect(await jaPage.evaluate("getComputedStyle(document.body).fontFamily")).toContain(
      "Noto Sans JP",
    );
    await jaPage.evaluate("document.fonts.ready");
    expect(
      await jaPage.evaluate(`document.fonts.check('16px "Noto Sans JP"', "発送済みキャンセル")`),
    ).toBe(true);
    // The page's own text made the browser load the bundled face (no system CJK font here).
    const loadedFaces = await jaPage.evaluate(
      `[...document.fonts].filter((face) => face.family.includes("Noto Sans JP") && face.status === "loaded").length`,
    );
    expect(loadedFaces).toBeGreaterThan(0);

    await jaPage.getByRole("button", { name: "English", exact: true }).click();
    await jaPage.getByRole("textbox", { name: ENGLISH.userId }).waitFor();
    expect(japanese.guard.problems()).toEqual([]);
  }, 30_000);
});

describe("seller performance", () => {
  it("the seller's Performance says first that a buyer's change of mind does not count, then a seller-caused cancellation in the rate and the chart; an operator reads the same seller's; in English, and in Japanese on a phone", async () => {
    // English, at the desktop's width: axe on both pages.
    await openConsole(story());
    await performanceStory(story(), aBuyer(), `seller-${randomUUID().slice(0, 8)}`);
    expect([...visited]).toEqual(
      expect.arrayContaining(["seller-performance", "operator-seller-performance"]),
    );

    // Japanese on a phone: both pages fit the width, labels above their values.
    await page.setViewportSize(PHONE);
    const fitted: Stop[] = [];
    const phone: Story = {
      ...story(),
      lang: "ja",
      names: namesFrom(ja),
      visit: async (stop, current) => {
        const fit = await widthFit(current);
        const where = `ja ${stop}: ${JSON.stringify(fit)}`;
        expect(fit.scrollWidth, where).toBeLessThanOrEqual(fit.clientWidth);
        expect(fit.beyond, where).toEqual([]);
        expect(fit.besideValues, where).toEqual([]);
        expect(fit.headerHeight, where).toBeLessThanOrEqual(110);
        if (stop !== "sign-in") {
          expect(await current.locator("main").textContent()).toContain(
            "購入者の都合（気が変わった等）によるキャンセル申請は、販売者の評価には含まれません。",
          );
        }
        fitted.push(stop);
      },
    };
    await openConsole(phone);
    await performanceStory(phone, aBuyer(), `seller-${randomUUID().slice(0, 8)}`);
    expect(fitted).toEqual(["sign-in", "seller-performance", "operator-seller-performance"]);
  }, 90_000);
});

describe("the console on a phone (390 px wide)", () => {
  // The whole story once per language, in the page of the test (one browser for the file).
  it.each([
    ["ja", namesFrom(ja)],
    ["en", ENGLISH],
  ] as const)(
    "in %s: every page fits the width (no sideways scroll), labels sit above their values, the header stays compact",
    async (lang, names) => {
      await page.setViewportSize(PHONE);
      const checked = new Set<Stop>();
      const s: Story = {
        ...story(),
        lang,
        names,
        visit: async (stop, current) => {
          const fit = await widthFit(current);
          const where = `${lang} ${stop}: ${JSON.stringify(fit)}`;
          expect(fit.scrollWidth, where).toBeLessThanOrEqual(fit.clientWidth);
          expect(fit.beyond, where).toEqual([]);
          expect(fit.besideValues, where).toEqual([]);
          // The name beside the buttons, who is signed in and the links below: three thin rows.
          expect(fit.headerHeight, where).toBeLessThanOrEqual(110);
          checked.add(stop);
        },
      };
      const buyerId = aBuyer();
      await openConsole(s);
      const orders = await createSampleOrders(s, buyerId);
      await standardStory(s, buyerId, orders.standard);
      await signOut(s);
      await highValueStory(s, buyerId, orders.highValue);
      await signOut(s);
      await partialStory(s, buyerId, await importTwoLineOrder(s, buyerId));
      await signOut(s);
      await staffPages(s, orders.standard);
      expect([...checked].sort()).toEqual(
        [
          "sign-in",
          "sample-orders",
          "orders",
          "order",
          "request-form",
          "request-sent",
          "seller-queue",
          "decided",
          "order-completed",
          "review-queue",
          "partial-request-form",
          "order-partly-cancelled",
          "order-cancelled",
          "record-shipment",
          "refund-failures",
          "refund-inquiries",
          "find-order",
        ].sort(),
      );
    },
    90_000,
  );
});

describe("the checks themselves", () => {
  it("the phone's width check sees a page that scrolls sideways and labels beside their values", async () => {
    await page.setViewportSize(PHONE);
    await page.setContent(
      `<header style="height: 40px"></header>
       <div class="wide" style="width: 420px">wide</div>
       <dl class="facts" style="display: grid; grid-template-columns: 8rem 1fr">
         <dt>Placed</dt><dd>Sat, Nov 21, 2026</dd>
       </dl>`,
    );
    const fit = await widthFit(page);
    expect(fit.scrollWidth).toBeGreaterThan(fit.clientWidth);
    expect(fit.beyond).toContain("div.wide");
    expect(fit.besideValues).toEqual(["Placed"]);
    expect(fit.headerHeight).toBe(40);
  });

  it("the axe check and the guard fail on what they look for", async () => {
    const bad = await session.open();
    // Nothing leaves the machine: the other origin's request is aborted once recorded.
    await bad.page.route("http://example.com/**", (route) => route.abort());
    await bad.page.setContent("<main><input type='text'></main>");
    await bad.page.evaluate(
      `fetch("http://example.com/x").catch(() => undefined);
       console.error("logged");
       setTimeout(() => { throw new Error("thrown"); });`,
    );
    await expect(checkAccessibility(bad.page, "a bad page")).rejects.toThrow(/critical label/);
    await session.api.until(
      async () => (bad.guard.pageErrors.length > 0 ? true : undefined),
      "the page error",
    );
    const problems = bad.guard.problems();
    expect(problems).toEqual(
      expect.arrayContaining([
        "request to another origin: GET http://example.com/x",
        expect.stringMatching(/^page error: Error: thrown/),
        expect.stringMatching(/^console error: logged/),
      ]),
    );
    expect(bad.guard.problems([/logged/])).not.toContainEqual(
      expect.stringMatching(/console error: logged/),
    );
    await bad.page.context().close();
  });
});

/** An order of `buyerId` sold by the sample seller, imported and shipped through the API. */
const importShippedOrder = (buyerId: string) => importOrder(buyerId, { ship: true });

const importOrder = async (
  buyerId: string,
  { ship, payment }: { ship: boolean; payment?: Record<string, unknown> },
): Promise<string> => {
  const [system, seller] = await Promise.all([
    session.api.system(),
    session.api.seller(SAMPLE_SELLER),
  ]);
  const body = orderBody(
    { buyerId, sellerId: SAMPLE_SELLER },
    { locale: "en", ...(payment ? { payment } : {}) },
  );
  const imported = await session.api.post("/orders", system, body);
  expect(imported.status).toBe(201);
  if (!ship) return String(body.orderId);
  const shipped = await session.api.post(`/orders/${body.orderId}/shipment`, seller, {
    carrier: "yamato",
    trackingNumber: "4470-1234-5678",
  });
  expect(shipped.status).toBe(200);
  return String(body.orderId);
};
