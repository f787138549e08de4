// Reveal on the case page, in a real browser (Debian's Chromium): the form's answer is a redirect to the case, whose
// page shows the address once; a reload (F5), which re-sent the form and recorded another reveal before, shows the
// case without it and records nothing. The browser must carry the reveal across the redirect (a cookie for that
// case's page, SameSite=Strict) and drop it after.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
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

describe("a reveal on the case page, in the browser", () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mt-reveal-"));
    const out = join(dir, "alerts.ndjson");
    const s = await replay({ events: SAMPLE_EVENTS, out, rejects: join(dir, "rejects.ndjson"), ruleSet: loadRuleSet(DEFAULT_RULES), indicators: loadIndicators(SAMPLE_INDICATORS) });
    demo = await serveDemo({ alertsFile: out, engine: s.engine, hits: s.hits, rulesDir: DEFAULT_RULES, host: "127.0.0.1", port: 0, log: createLogger("fatal") });
    browser = await launchBrowser(inject("chromiumPath"));
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows the address once after the redirect; a reload neither shows it nor records a reveal", { timeout: 60_000 }, async () => {
    const login = demo.logins.find((l) => l.username === "reviewer")!;
    await page.goto(`${demo.url}login`);
    await page.fill('input[name="username"]', login.username);
    await page.fill('input[name="password"]', login.password);
    await page.click('form[action="/login"] button');
    await page.waitForURL(/\/password$/);
    await page.fill('input[name="currentPassword"]', login.password);
    await page.fill('input[name="newPassword"]', "reviewer-own-password");
    await page.fill('input[name="confirmPassword"]', "reviewer-own-password");
    await page.click('form[action="/password"] button');
    await page.waitForURL(/\/cases/);

    // the first case of the sample with an address to reveal
    const withAddress = (await demo.db.query<{ id: string }>(
      "SELECT ca.case_id::text AS id FROM mt_case_alerts ca JOIN mt_alerts a USING (alert_id) WHERE a.alert::text LIKE '%\"url\"%' ORDER BY ca.case_id LIMIT 1",
    )).rows[0]!.id;
    await page.goto(`${demo.url}cases/${withAddress}`);
    const reveals = async () => (await demo.db.query<{ n: number }>("SELECT count(*)::int AS n FROM mt_audit WHERE action = 'reveal-url'")).rows[0]!.n;
    expect(await page.locator(".url-revealed").count()).toBe(0);

    await page.locator('form[action$="/reveal"] button').first().click();
    await page.waitForURL(new RegExp(`/cases/${withAddress}$`));
    await expect.poll(() => page.locator(".url-revealed").count()).toBe(1);
    expect(await reveals()).toBe(1);

    await page.reload();
    await page.waitForURL(new RegExp(`/cases/${withAddress}$`));
    expect(await page.locator("h1").textContent()).toContain(`Case #${withAddress}`);
    expect(await page.locator(".url-revealed").count()).toBe(0);
    expect(await reveals()).toBe(1);
  });
});
