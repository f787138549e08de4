// A reviewer's busy day in a real browser (Debian's Chromium) against the page `npm start` serves: the queue
// filtered, a case opened from it, a dismissal typed while the session ends (its 8 hours are over), sent, and
// nothing lost: the refused page signs in again with it and the case comes back with the form filled in; sent, it is
// done; the header's "Case queue" goes back to the filtered queue.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { screenshot } from "../infra/chromium.js";
import { demoInBrowser, type DemoInBrowser } from "./demo-browser.js";

describe("a reviewer whose session ends mid-form, in the browser", () => {
  let d: DemoInBrowser | undefined;

  beforeAll(async () => {
    d = await demoInBrowser("session-ended", inject("chromiumPath"));
  }, 120_000);
  afterAll(() => d?.close());

  it("loses nothing typed, and finds the queue as they filtered it", async () => {
    const { demo, page, signIn } = d!;
    await signIn("reviewer");
    await page.waitForURL(/\/cases/);
    await page.selectOption('form[aria-label="Filter the queue"] select[name="acquirer"]', "acq-fr");
    await page.click('form[aria-label="Filter the queue"] button');
    await page.waitForURL(/acquirer=acq-fr/);
    const filtered = await page.locator("#queue tbody tr[data-case]").count();
    expect(filtered).toBeGreaterThan(0);
    expect(await page.locator("#waiting").textContent()).toMatch(/^Waiting: 12 unassigned \(\d+ critical\) · 0 assigned to you · 0 escalated · 12 active in all\.$/);

    await page.locator("#queue tbody tr[data-case] td:first-child a").first().click();
    await page.waitForURL(/\/cases\/\d+$/);
    const caseUrl = page.url();
    const note = "the descriptors are one charity's campaigns, checked with the acquirer";
    await page.selectOption('[data-action="dismiss"] select[name="reason"]', "legitimate-business");
    await page.fill('textarea[name="body"]', note);

    // meanwhile the session's 8 hours are over
    await demo.db.query("UPDATE mt_sessions SET expires_at = now() - interval '1 second'");

    await page.click('[data-action="dismiss"] button');
    await expect.poll(() => page.locator("h1").textContent()).toBe("Nothing was done");
    expect(await page.locator("#kept").textContent()).toContain(note);
    await screenshot(page, "session-ended-kept");
    await page.fill('input[name="username"]', "reviewer");
    await page.fill('input[name="password"]', "reviewer-own-password");
    await page.click('form[action="/login"] button');
    await expect.poll(() => page.locator(".notice").first().textContent()).toMatch(/Nothing was done yet/);
    // the sign-in redirected to the case: a reload reads it again, filled in, and signs in no second time
    expect(page.url()).toBe(caseUrl);
    await page.reload();
    expect(await page.locator(".notice").first().textContent()).toMatch(/Nothing was done yet/);
    expect((await demo.db.query<{ n: number }>("SELECT count(*)::int AS n FROM mt_audit WHERE action = 'login'")).rows).toEqual([{ n: 2 }]);
    expect(await page.locator('[data-action="dismiss"] select[name="reason"]').inputValue()).toBe("legitimate-business");
    expect(await page.locator('textarea[name="body"]').inputValue()).toBe(note);
    expect(await page.locator("#status").textContent()).toBe("open");

    await page.click('[data-action="dismiss"] button');
    // a dismissal is confirmed on a page of its own first
    await page.click('#confirm button[value="yes"]');
    await page.waitForURL(`${caseUrl}?done=dismiss`);
    expect(await page.locator("#status").textContent()).toBe("dismissed");

    await page.click('header nav a:has-text("Case queue")');
    await page.waitForURL(/acquirer=acq-fr/);
    expect(await page.locator('select[name="acquirer"]').inputValue()).toBe("acq-fr");
    expect(await page.locator("#queue tbody tr[data-case]").count()).toBe(filtered - 1);
  });
});
