// What the browser tests of the reviewers' page share: the sample replayed and served as `npm start` serves it, a
// Chromium page on it, and the first sign-in of one of the demo's users (its one-time password replaced).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../infra/chromium.js";
import { replay } from "../../src/app/replay.js";
import { serveDemo, type DemoServer } from "../../src/app/demo.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { loadIndicators } from "../../src/indicators/index.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { createLogger } from "../../src/lib/log.js";
import { SAMPLE_EVENTS, SAMPLE_INDICATORS } from "./harness.js";

export interface DemoInBrowser {
  demo: DemoServer;
  browser: Browser;
  page: Page;
  /** signs in as one of the demo's users with its one-time password and chooses `${username}-own-password` */
  signIn: (username: string) => Promise<void>;
  close: () => Promise<void>;
}

export async function demoInBrowser(name: string, chromiumPath: string): Promise<DemoInBrowser> {
  const dir = mkdtempSync(join(tmpdir(), `mt-${name}-`));
  const out = join(dir, "alerts.ndjson");
  const s = await replay({ events: SAMPLE_EVENTS, out, rejects: join(dir, "rejects.ndjson"), ruleSet: loadRuleSet(DEFAULT_RULES), indicators: loadIndicators(SAMPLE_INDICATORS) });
  const demo = await serveDemo({ alertsFile: out, engine: s.engine, hits: s.hits, rulesDir: DEFAULT_RULES, host: "127.0.0.1", port: 0, log: createLogger("fatal") });
  const browser = await launchBrowser(chromiumPath);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // the demo prints initial passwords: the first sign-in with one leads to choosing one's own
  const signIn = async (username: string): Promise<void> => {
    const login = demo.logins.find((l) => l.username === username)!;
    await page.goto(`${demo.url}login`);
    await page.fill('input[name="username"]', login.username);
    await page.fill('input[name="password"]', login.password);
    await page.click('form[action="/login"] button');
    await page.waitForURL(/\/password$/);
    const own = `${username}-own-password`;
    await page.fill('input[name="currentPassword"]', login.password);
    await page.fill('input[name="newPassword"]', own);
    await page.fill('input[name="confirmPassword"]', own);
    await page.click('form[action="/password"] button');
  };
  const close = async (): Promise<void> => {
    await browser.close();
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { demo, browser, page, signIn, close };
}
