// npm run screenshots: plays the console's story in Japanese in headless Chromium against local
// mode (the same steps as the browser test) and writes 1280×800 PNGs to docs/screenshots/ for the
// README; the partial cancellation's request form also 390 px wide, as a phone shows it.
import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { ja } from "../../console/src/messages/ja.ts";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";
import { startConsole } from "../support/browser.ts";
import {
  createSampleOrders,
  highValueStory,
  importTwoLineOrder,
  namesFrom,
  openConsole,
  partialStory,
  type Stop,
  type Story,
  signOut,
  standardStory,
} from "./story.ts";

const VIEWPORT = { width: 1280, height: 800 };
/** A phone's viewport, for the pictures that also show the narrow layout. */
const PHONE = { width: 390, height: 844 };
const OUT_DIR = path.join(PROJECT_ROOT, "docs/screenshots");
/** The stops worth a picture, in story order; each is taken the first time the story gets there.
 * On the buyer's order page the picture starts at the section that matters (`from`, a heading):
 * the filled-in request form, or the request with its status, refund and timeline. */
const SHOTS: Partial<Record<Stop, { file: string; from?: string; phoneFile?: string }>> = {
  "sign-in": { file: "01-sign-in.png" },
  "request-form": { file: "02-buyer-order.png", from: ja.requestForm.heading },
  "seller-queue": { file: "03-seller-queue.png" },
  "order-completed": { file: "04-buyer-completed.png", from: ja.request.heading },
  "review-queue": { file: "05-operator-review.png" },
  "partial-request-form": {
    file: "06-partial-request.png",
    from: ja.requestForm.heading,
    phoneFile: "06-partial-request-390.png",
  },
  "order-partly-cancelled": { file: "07-order-partly-cancelled.png", from: ja.order.summary },
};

/** A viewport-sized area of the whole page from just above the heading named `from` (a clip of
 * the full page, not a scroll: the console moves focus, and so the scroll, on its own). */
const areaFrom = async (page: Page, from: string, viewport = VIEWPORT) => {
  const heading = page.getByRole("heading", { name: from, exact: true });
  const box = await heading.boundingBox();
  const scrollY = Number(await page.evaluate("window.scrollY"));
  const pageHeight = Number(await page.evaluate("document.documentElement.scrollHeight"));
  if (!box) throw new Error(`the heading "${from}" is not shown`);
  // As near the heading as a full viewport's height of page allows.
  const top = Math.min(box.y + scrollY - 24, pageHeight - viewport.height);
  return { x: 0, y: Math.max(0, top), ...viewport };
};

const session = await startConsole({ viewport: VIEWPORT });
try {
  await mkdir(OUT_DIR, { recursive: true });
  const { page, guard } = await session.open({ locale: "ja-JP" });
  const written: string[] = [];
  const story: Story = {
    page,
    api: session.api,
    url: session.local.url,
    lang: "ja",
    names: namesFrom(ja),
    visit: async (stop, current) => {
      const shot = SHOTS[stop];
      if (!shot || written.includes(shot.file)) return;
      // Nothing still loading, and the web font in, so no fallback glyphs are captured.
      await current.locator("[aria-busy=true]").first().waitFor({ state: "detached" });
      await current.evaluate("document.fonts.ready");
      await current.screenshot({
        path: path.join(OUT_DIR, shot.file),
        ...(shot.from ? { fullPage: true, clip: await areaFrom(current, shot.from) } : {}),
      });
      written.push(shot.file);
      if (shot.phoneFile) {
        await current.setViewportSize(PHONE);
        await current.screenshot({
          path: path.join(OUT_DIR, shot.phoneFile),
          ...(shot.from ? { fullPage: true, clip: await areaFrom(current, shot.from, PHONE) } : {}),
        });
        written.push(shot.phoneFile);
        await current.setViewportSize(VIEWPORT);
      }
    },
  };
  const buyerId = "buyer-1";
  await openConsole(story);
  // A fresh buyer id each run would make the pictures differ in more than the order ids; buyer-1
  // is fine because local mode starts empty.
  const orders = await createSampleOrders(story, buyerId);
  await standardStory(story, buyerId, orders.standard);
  await signOut(story);
  await highValueStory(story, buyerId, orders.highValue);
  await signOut(story);
  await partialStory(story, buyerId, await importTwoLineOrder(story, buyerId));
  const problems = guard.problems();
  if (problems.length > 0) throw new Error(`the console misbehaved:\n${problems.join("\n")}`);
  console.log(`wrote ${written.map((file) => path.join("docs/screenshots", file)).join(", ")}`);
} finally {
  await session.close();
}
