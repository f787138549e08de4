// Reveal on the case page, in a real browser (Debian's Chromium): the form's answer is a redirect to the case, whose
// page shows the address once; a reload (F5), which re-sent the form and recorded another reveal before, shows the
// case without it and records nothing. The browser must carry the reveal across the redirect (a cookie for that
// case's page, SameSite=Strict) and drop it after.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Page } from "playwright-core";
import type { DemoServer } from "../../src/app/demo.js";
import { demoInBrowser, type DemoInBrowser } from "./demo-browser.js";

describe("a reveal on the case page, in the browser", () => {
  let demo: DemoServer;
  let page: Page;
  let signIn: DemoInBrowser["signIn"];
  let close: DemoInBrowser["close"] | undefined;

  beforeAll(async () => {
    ({ demo, page, signIn, close } = await demoInBrowser("reveal", inject("chromiumPath")));
  }, 120_000);
  afterAll(() => close?.());

  it("shows the address once after the redirect; a reload neither shows it nor records a reveal", { timeout: 60_000 }, async () => {
    await signIn("reviewer");
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
