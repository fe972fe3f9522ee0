// The console in headless Chromium: builds the console when its sources changed, starts local mode
// in this process, launches Chromium from npm (@sparticuz/chromium, no system install) and records
// what a page must never do (reach another origin, throw, log an error), plus an axe-core check.
import { execFile } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import * as path from "node:path";
import { promisify } from "node:util";
import chromium from "@sparticuz/chromium";
import {
  type Browser,
  type BrowserContext,
  type Page,
  chromium as playwright,
} from "playwright-core";
import { OPENAPI_SOURCE_FILE } from "../../console/api-reference.ts";
import { PROJECT_ROOT } from "../../infra/lambda-defaults.ts";
import { LocalClient } from "../../local/client.ts";
import { type LocalMode, startLocal } from "../../local/start.ts";
import { japaneseFontConfig } from "./japanese-font.ts";

export const CONSOLE_DIR = path.join(PROJECT_ROOT, "console");
const CONSOLE_DIST = path.join(CONSOLE_DIR, "dist");
/** axe-core's browser bundle, evaluated in the page under test. */
const AXE_SCRIPT = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let axeSource: string | undefined;

/** Newest modification time of the files under `dir` (skipping build output and packages). */
const newestChange = async (dir: string): Promise<number> => {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (file.startsWith(CONSOLE_DIST) || file.includes(`${path.sep}node_modules${path.sep}`))
      continue;
    newest = Math.max(newest, (await stat(file)).mtimeMs);
  }
  return newest;
};

const builtAt = async (): Promise<number> => {
  try {
    return (await stat(path.join(CONSOLE_DIST, "index.html"))).mtimeMs;
  } catch {
    return 0;
  }
};

/** Runs `npm run console:build` when dist/ is missing or older than the console's sources (with
 * the OpenAPI document the build copies), so a test never serves a stale console and an unchanged
 * one is not rebuilt. */
export const ensureConsoleBuilt = async (): Promise<void> => {
  const sources = Math.max(
    await newestChange(CONSOLE_DIR),
    (await stat(path.join(PROJECT_ROOT, "package-lock.json"))).mtimeMs,
    (await stat(path.join(PROJECT_ROOT, OPENAPI_SOURCE_FILE))).mtimeMs,
  );
  if ((await builtAt()) > sources) return;
  await promisify(execFile)("npm", ["run", "--silent", "console:build"], {
    cwd: PROJECT_ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
};

/** Chromium from the npm package (it unpacks into /tmp on first use), with the package's flags
 * except --single-process: that one suits Lambda's sandbox, but here it makes closing a browser
 * context end the whole browser. With `japaneseFont`, it has a Japanese system font too
 * (japanese-font.ts), for pages that bring no web font. */
export const launchChromium = async (options: { japaneseFont?: boolean } = {}): Promise<Browser> =>
  playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args.filter((arg) => arg !== "--single-process"),
    headless: true,
    ...(options.japaneseFont
      ? { env: { ...process.env, FONTCONFIG_FILE: await japaneseFontConfig() } }
      : {}),
  });

/** What pages in a context did that a console must not do. */
export class PageGuard {
  /** Requests to any origin other than local mode's. */
  readonly offOrigin: string[] = [];
  /** Uncaught exceptions in a page. */
  readonly pageErrors: string[] = [];
  /** console.error messages (Chromium also logs each failed resource load as one). */
  readonly consoleErrors: string[] = [];

  constructor(
    readonly origin: string,
    context: BrowserContext,
  ) {
    context.on("request", (request) => {
      const url = request.url();
      // data: and blob: URLs stay in the page.
      if (/^(data|blob):/.test(url)) return;
      if (new URL(url).origin !== origin) this.offOrigin.push(`${request.method()} ${url}`);
    });
    context.on("page", (page) => this.watch(page));
    for (const page of context.pages()) this.watch(page);
  }

  private watch(page: Page) {
    page.on("pageerror", (error) => this.pageErrors.push(String(error.stack ?? error)));
    page.on("console", (message) => {
      if (message.type() === "error")
        this.consoleErrors.push(`${message.text()} (${message.location().url})`);
    });
  }

  /** Everything recorded, except console errors that `expected` matches (e.g. the failed
   * resource load of an API error the test provokes on purpose). */
  problems(expected: RegExp[] = []): string[] {
    return [
      ...this.offOrigin.map((request) => `request to another origin: ${request}`),
      ...this.pageErrors.map((error) => `page error: ${error}`),
      ...this.consoleErrors
        .filter((message) => !expected.some((pattern) => pattern.test(message)))
        .map((message) => `console error: ${message}`),
    ];
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Runs axe-core on the page as it now stands and throws, listing them, if it finds any
 * violation of serious or critical impact. */
export const checkAccessibility = async (page: Page, what: string): Promise<void> => {
  // Evaluated through the DevTools protocol rather than added as a <script>: the console's CSP
  // (scripts from 'self' only) rightly refuses inline scripts, and the test keeps that CSP on.
  if (!(await page.evaluate("typeof window.axe === 'object'"))) {
    axeSource ??= await readFile(AXE_SCRIPT, "utf8");
    await page.evaluate(axeSource);
  }
  const violations = (await page.evaluate(
    "window.axe.run(document).then((results) => results.violations)",
  )) as AxeViolation[];
  const severe = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (severe.length === 0) return;
  const listing = severe
    .map(
      (v) => `- ${v.impact} ${v.id}: ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    )
    .join("\n");
  throw new Error(
    `axe found ${severe.length} serious or critical violations on ${what}:\n${listing}`,
  );
};

export interface ConsoleSession {
  local: LocalMode;
  /** The API client for setting up data with local tokens. */
  api: LocalClient;
  browser: Browser;
  /** Opens a page in a fresh context (own sessionStorage) whose requests and errors `guard`
   * records. */
  open: (options?: { locale?: string }) => Promise<{ page: Page; guard: PageGuard }>;
  close: () => Promise<void>;
}

/** Builds the console if needed, starts local mode on a free port and launches Chromium. */
export const startConsole = async (
  options: { viewport?: { width: number; height: number }; japaneseFont?: boolean } = {},
): Promise<ConsoleSession> => {
  const [local, browser] = await Promise.all([
    ensureConsoleBuilt().then(() => startLocal({ port: 0 })),
    launchChromium({ japaneseFont: options.japaneseFont }),
  ]);
  const contexts: BrowserContext[] = [];
  return {
    local,
    api: new LocalClient(local.url),
    browser,
    open: async ({ locale = "en-US" } = {}) => {
      const context = await browser.newContext({
        locale,
        viewport: options.viewport ?? { width: 1280, height: 800 },
      });
      contexts.push(context);
      const guard = new PageGuard(new URL(local.url).origin, context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      return { page, guard };
    },
    close: async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await local.stop();
    },
  };
};
