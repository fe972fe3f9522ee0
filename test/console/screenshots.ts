// npm run screenshots: plays the console's story in Japanese in headless Chromium against local
// mode (the same steps as the browser test) and writes PNGs to docs/screenshots/ for the README:
// 1280×800 pictures of the desktop, then the story again on a phone (390×844), where each picture
// is the screen as the phone shows it, scrolled to the section that matters. The parcel after a
// cancellation (the seller's Parcels, the buyer's return) is pictured in Japanese and in English.
import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { en } from "../../console/src/messages/en.ts";
import { ja } from "../../console/src/messages/ja.ts";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";
import { startConsole } from "../support/browser.ts";
import {
  createSampleOrders,
  ENGLISH,
  highValueStory,
  importTwoLineOrder,
  namesFrom,
  openConsole,
  PHONE,
  parcelStory,
  partialStory,
  type Stop,
  type Story,
  signOut,
  standardStory,
} from "./story.ts";

const VIEWPORT = { width: 1280, height: 800 };
const OUT_DIR = path.join(PROJECT_ROOT, "docs/screenshots");

/** A picture: its file and, on the buyer's order page, the heading of the section it starts at. */
interface Shot {
  file: string;
  from?: string;
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
};

/** The parcel's pictures again in English. */
const ENGLISH_SHOTS: Partial<Record<Stop, Shot>> = {
  "seller-parcels": { file: "12-seller-parcels-en.png" },
  "order-return": { file: "13-buyer-return-en.png", from: en.order.shipment },
};

/** The same story on a phone: the buyer right after asking, the seller's queue and what the
 * seller reads once they approved, the completed request, and the partial request form. */
const PHONE_SHOTS: Partial<Record<Stop, Shot>> = {
  "request-sent": { file: "08-phone-request-sent.png", from: ja.request.heading },
  "seller-queue": { file: "09-phone-seller-queue.png" },
  decided: { file: "10-phone-seller-approved.png" },
  "order-completed": { file: "11-phone-buyer-completed.png", from: ja.request.heading },
  "partial-request-form": { file: "06-partial-request-390.png", from: ja.requestForm.heading },
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
const desktopArea = async (page: Page, from: string) => {
  const pageHeight = Number(await page.evaluate("document.documentElement.scrollHeight"));
  const top = Math.min(await topOf(page, from), pageHeight - VIEWPORT.height);
  return { x: 0, y: Math.max(0, top), ...VIEWPORT };
};

/** Nothing still loading, and the web font in, so no fallback glyphs are captured. */
const settled = async (page: Page) => {
  await page.locator("[aria-busy=true]").first().waitFor({ state: "detached" });
  await page.evaluate("document.fonts.ready");
};

const session = await startConsole({ viewport: VIEWPORT });
try {
  await mkdir(OUT_DIR, { recursive: true });
  const written: string[] = [];
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
          ...(shot.from ? { fullPage: true, clip: await desktopArea(current, shot.from) } : {}),
        });
      }
      written.push(shot.file);
    },
  });

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
  await parcelStory(story, "buyer-3", "seller-2");

  const english = await session.open({ locale: "en-US" });
  const englishStory = storyIn(english.page, ENGLISH_SHOTS, false, "en");
  await openConsole(englishStory);
  await parcelStory(englishStory, "buyer-4", "seller-3");

  const phone = await session.open({ locale: "ja-JP" });
  await phone.page.setViewportSize(PHONE);
  const phoneStory = storyIn(phone.page, PHONE_SHOTS, true);
  await openConsole(phoneStory);
  const phoneOrders = await createSampleOrders(phoneStory, "buyer-2");
  await standardStory(phoneStory, "buyer-2", phoneOrders.standard);
  await signOut(phoneStory);
  await partialStory(phoneStory, "buyer-2", await importTwoLineOrder(phoneStory, "buyer-2"));

  const problems = [
    ...desktop.guard.problems(),
    ...english.guard.problems(),
    ...phone.guard.problems(),
  ];
  if (problems.length > 0) throw new Error(`the console misbehaved:\n${problems.join("\n")}`);
  console.log(`wrote ${written.map((file) => path.join("docs/screenshots", file)).join(", ")}`);
} finally {
  await session.close();
}
