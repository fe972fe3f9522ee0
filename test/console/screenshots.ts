// npm run screenshots: plays the console's story in Japanese in headless Chromium against local
// mode (the same steps as the browser test) and writes PNGs to docs/screenshots/ for the README:
// 1280×800 pictures of the desktop, then the story again on a phone (390×844), where each picture
// is the screen as the phone shows it, scrolled to the section that matters. The parcel after a
// cancellation (the seller's Parcels, the buyer's return) and the seller's Performance are pictured
// in Japanese and in English; a request's page at its audit trail in Japanese. Last, the decision
// link of the seller's mail (taken from GET /_local/emails, as the browser test does) on a phone in
// Japanese: the Approve page, the Reject page with its reason filled in, and the page answered once
// rejected.
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { en } from "../../console/src/messages/en.ts";
import { ja } from "../../console/src/messages/ja.ts";
import { PAGE_WORDS } from "../../functions/http/decision-page-words.ts";
import { ja as MAIL_WORDS } from "../../functions/notifications/ja.ts";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";
import { type LocalClient, orderBody } from "../../local/client.ts";
import { startConsole } from "../support/browser.ts";
import {
  createSampleOrders,
  ENGLISH,
  highValueStory,
  importTwoLineOrder,
  namesFrom,
  navigate,
  openConsole,
  PHONE,
  parcelCard,
  parcelStory,
  partialStory,
  performanceStory,
  type Stop,
  type Story,
  signIn,
  signOut,
  standardStory,
} from "./story.ts";

const VIEWPORT = { width: 1280, height: 800 };
const OUT_DIR = path.join(PROJECT_ROOT, "docs/screenshots");

/** A picture: its file and, on the buyer's order page, the heading of the section it starts at. */
interface Shot {
  file: string;
  from?: string;
  /** On the desktop: the picture ends with the page, shorter than the window rather than starting
   * higher up (above `from`, through the middle of another section). */
  toEnd?: boolean;
}

/** The stops worth a picture on the desktop, in story order; each is taken the first time the
 * story gets there. On the buyer's order page the picture starts at the section that matters: the
 * filled-in request form, or the request with its status, what happens next, refund and timeline. */
const DESKTOP_SHOTS: Partial<Record<Stop, Shot>> = {
  "sign-in": { file: "01-sign-in.png" },
  "request-form": { file: "02-buyer-order.png", from: ja.requestForm.heading },
  "seller-queue": { file: "03-seller-queue.png" },
  "order-completed": { file: "04-buyer-completed.png", from: ja.request.heading },
  "review-queue": { file: "05-operator-review.png" },
  "partial-request-form": { file: "06-partial-request.png", from: ja.requestForm.heading },
  "order-partly-cancelled": { file: "07-order-partly-cancelled.png", from: ja.order.summary },
  "seller-parcels": { file: "12-seller-parcels.png" },
  "order-return": { file: "13-buyer-return.png", from: ja.order.shipment },
  "seller-performance": { file: "14-seller-performance.png" },
};

/** The end of the seller's request page: the order's return, then its audit trail (taken outside
 * the story's stops). */
const AUDIT_SHOT: Shot = { file: "15-audit-trail.png", from: ja.orderReturn.heading, toEnd: true };

/** The decision link's pages on a phone, in Japanese (no console: pages of their own). */
const DECISION_SHOTS = {
  approve: "16-phone-decision-approve.png",
  reject: "17-phone-decision-reject.png",
  rejected: "18-phone-decision-rejected.png",
};

/** The parcel's pictures again in English. */
const ENGLISH_SHOTS: Partial<Record<Stop, Shot>> = {
  "seller-parcels": { file: "12-seller-parcels-en.png" },
  "order-return": { file: "13-buyer-return-en.png", from: en.order.shipment },
  "seller-performance": { file: "14-seller-performance-en.png" },
};

/** The same story on a phone: the buyer right after asking, the seller's queue and what the
 * seller reads once they approved, the completed request, the partial request form, and the
 * seller's Performance chart. */
const PHONE_SHOTS: Partial<Record<Stop, Shot>> = {
  "request-sent": { file: "08-phone-request-sent.png", from: ja.request.heading },
  "seller-queue": { file: "09-phone-seller-queue.png" },
  decided: { file: "10-phone-seller-approved.png" },
  "order-completed": { file: "11-phone-buyer-completed.png", from: ja.request.heading },
  "partial-request-form": { file: "06-partial-request-390.png", from: ja.requestForm.heading },
  "seller-performance": {
    file: "19-phone-seller-performance.png",
    from: ja.performance.chartHeading,
  },
};

/** The top of the heading named `from` in the whole page, less a small margin. */
const topOf = async (page: Page, from: string): Promise<number> => {
  const heading = page.getByRole("heading", { name: from, exact: true });
  const box = await heading.boundingBox();
  if (!box) throw new Error(`the heading "${from}" is not shown`);
  const scrollY = Number(await page.evaluate("window.scrollY"));
  return Math.max(0, box.y + scrollY - 16);
};

/** A viewport-sized area of the whole page from just above `from` (a clip of the full page, not a
 * scroll: the console moves focus, and so the scroll, on its own). */
const desktopArea = async (page: Page, from: string, toEnd = false) => {
  const pageHeight = Number(await page.evaluate("document.documentElement.scrollHeight"));
  if (toEnd) {
    const top = await topOf(page, from);
    return {
      x: 0,
      y: top,
      width: VIEWPORT.width,
      height: Math.min(VIEWPORT.height, pageHeight - top),
    };
  }
  const top = Math.min(await topOf(page, from), pageHeight - VIEWPORT.height);
  return { x: 0, y: Math.max(0, top), ...VIEWPORT };
};

/** Nothing still loading, and the web font in, so no fallback glyphs are captured. */
const settled = async (page: Page) => {
  await page.locator("[aria-busy=true]").first().waitFor({ state: "detached" });
  await page.evaluate("document.fonts.ready");
};

// The decision link's pages use the phone's own fonts: Chromium is given a Japanese one.
const session = await startConsole({ viewport: VIEWPORT, japaneseFont: true });
try {
  await mkdir(OUT_DIR, { recursive: true });
  const written: string[] = [];
  const take = async (current: Page, shot: Shot, phone: boolean) => {
    await settled(current);
    const file = path.join(OUT_DIR, shot.file);
    if (phone) {
      // The phone's own screen: scrolled, not a clip of the full page (a full-page capture on a
      // narrow page leaves Chromium's click positions stale for the story's next step).
      const top = shot.from ? await topOf(current, shot.from) : 0;
      await current.evaluate(`window.scrollTo(0, ${top})`);
      await current.screenshot({ path: file });
    } else {
      await current.screenshot({
        path: file,
        ...(shot.from
          ? { fullPage: true, clip: await desktopArea(current, shot.from, shot.toEnd) }
          : {}),
      });
    }
    written.push(shot.file);
  };
  const storyIn = (
    page: Page,
    shots: Partial<Record<Stop, Shot>>,
    phone: boolean,
    lang: Story["lang"] = "ja",
  ): Story => ({
    page,
    api: session.api,
    url: session.local.url,
    lang,
    names: lang === "ja" ? namesFrom(ja) : ENGLISH,
    visit: async (stop, current) => {
      const shot = shots[stop];
      if (!shot || written.includes(shot.file)) return;
      await take(current, shot, phone);
    },
  });

  /** The seller opens an order from their Parcels and reads its request's page down to the
   * order's audit trail. */
  const auditTrailOf = async (story: Story, sellerId: string, orderId: string) => {
    await signIn(story, sellerId, "seller");
    await navigate(story, story.names.parcels);
    await parcelCard(story, orderId).getByRole("link", { name: orderId, exact: true }).click();
    const audit = story.page.getByRole("region", { name: ja.audit.heading, exact: true });
    await audit.getByRole("button", { name: ja.audit.download, exact: true }).waitFor();
    await take(story.page, AUDIT_SHOT, false);
  };

  /** A Japanese order's request awaiting its seller; the seller's mail links, opened on a phone:
   * Approve (only looked at), then Reject, its reason typed, and the page it answers. */
  const decisionLinkPages = async (page: Page, api: LocalClient) => {
    const sellerId = "seller-6";
    const [system, buyer, seller] = await Promise.all([
      api.system(),
      api.buyer("buyer-7"),
      api.seller(sellerId),
    ]);
    const body = orderBody({ buyerId: buyer.sub, sellerId }, { locale: "ja" });
    const orderId = String(body.orderId);
    const expectStatus = (
      what: string,
      response: { status: number; body: unknown },
      want: number,
    ) => {
      if (response.status !== want)
        throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
    };
    expectStatus("import", await api.post("/orders", system, body), 201);
    const shipment = { carrier: "yamato", trackingNumber: "4470-5555-0001" };
    expectStatus("shipment", await api.post(`/orders/${orderId}/shipment`, seller, shipment), 200);
    const asked = await api.post(
      `/orders/${orderId}/cancellation-requests`,
      buyer,
      { reason: "NO_LONGER_NEEDED", comment: "使う予定がなくなったため" },
      { "idempotency-key": randomUUID() },
    );
    expectStatus("request", asked, 202);
    // The mail's text part has a line `label: <address>` per link.
    const linkFromMail = (label: string) =>
      api.until(async () => {
        const email = (await api.emails()).find(
          (candidate) =>
            candidate.to.includes(`${sellerId}@example.com`) && candidate.subject.includes(orderId),
        );
        const line = email?.text.split("\n").find((text) => text.startsWith(`${label}: `));
        return line?.slice(label.length + 2);
      }, `the seller's "${label}" link about ${orderId}`);
    const words = PAGE_WORDS.ja;
    const approve = await linkFromMail(MAIL_WORDS.decisionLinks.approve);
    const reject = await linkFromMail(MAIL_WORDS.decisionLinks.reject);

    await page.goto(approve);
    await page.getByRole("heading", { name: words.ask.APPROVE }).waitFor();
    await take(page, { file: DECISION_SHOTS.approve }, true);

    await page.goto(reject);
    await page.getByRole("heading", { name: words.ask.REJECT }).waitFor();
    await page
      .getByLabel(words.reasonLabel)
      .fill("オーダーメイドの商品で、すでに名入れを済ませているため");
    await take(page, { file: DECISION_SHOTS.reject }, true);
    await page.getByRole("button", { name: words.button.REJECT }).click();
    await page.getByRole("heading", { name: words.done.REJECT }).waitFor();
    await take(page, { file: DECISION_SHOTS.rejected }, true);
  };

  // A fresh buyer id each run would make the pictures differ in more than the order ids; buyer-1
  // and buyer-2 are fine because local mode starts empty.
  const desktop = await session.open({ locale: "ja-JP" });
  const story = storyIn(desktop.page, DESKTOP_SHOTS, false);
  await openConsole(story);
  const orders = await createSampleOrders(story, "buyer-1");
  await standardStory(story, "buyer-1", orders.standard);
  await signOut(story);
  await highValueStory(story, "buyer-1", orders.highValue);
  await signOut(story);
  await partialStory(story, "buyer-1", await importTwoLineOrder(story, "buyer-1"));
  await signOut(story);
  const parcels = await parcelStory(story, "buyer-3", "seller-2");
  await signOut(story);
  await auditTrailOf(story, "seller-2", parcels.keptByBuyer);
  await signOut(story);
  await performanceStory(story, "buyer-5", "seller-4");

  const english = await session.open({ locale: "en-US" });
  const englishStory = storyIn(english.page, ENGLISH_SHOTS, false, "en");
  await openConsole(englishStory);
  await parcelStory(englishStory, "buyer-4", "seller-3");
  await signOut(englishStory);
  await performanceStory(englishStory, "buyer-6", "seller-5");

  const phone = await session.open({ locale: "ja-JP" });
  await phone.page.setViewportSize(PHONE);
  const phoneStory = storyIn(phone.page, PHONE_SHOTS, true);
  await openConsole(phoneStory);
  const phoneOrders = await createSampleOrders(phoneStory, "buyer-2");
  await standardStory(phoneStory, "buyer-2", phoneOrders.standard);
  await signOut(phoneStory);
  await partialStory(phoneStory, "buyer-2", await importTwoLineOrder(phoneStory, "buyer-2"));
  await signOut(phoneStory);
  await performanceStory(phoneStory, "buyer-7", "seller-6");

  const mail = await session.open({ locale: "ja-JP" });
  await mail.page.setViewportSize(PHONE);
  await decisionLinkPages(mail.page, session.api);

  const problems = [
    ...desktop.guard.problems(),
    ...english.guard.problems(),
    ...phone.guard.problems(),
    ...mail.guard.problems(),
  ];
  if (problems.length > 0) throw new Error(`the console misbehaved:\n${problems.join("\n")}`);
  console.log(`wrote ${written.map((file) => path.join("docs/screenshots", file)).join(", ")}`);
} finally {
  await session.close();
}
