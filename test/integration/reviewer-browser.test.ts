// A compliance reviewer's session in a real browser (Debian's Chromium) against the page `npm start` serves:
// sign in (replacing the one-time password), the queue, a case, assign, escalate, dismiss with a reason, the audit
// entries; a reviewer cannot change rules. Screenshots of the queue and a case page go to test-artifacts/screenshots.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Page } from "playwright-core";
import { screenshot } from "../infra/chromium.js";
import type { DemoServer } from "../../src/app/demo.js";
import { demoInBrowser, type DemoInBrowser } from "./demo-browser.js";

describe("a reviewer in the browser", () => {
  let demo: DemoServer;
  let page: Page;
  let signIn: DemoInBrowser["signIn"];
  let close: DemoInBrowser["close"] | undefined;

  beforeAll(async () => {
    ({ demo, page, signIn, close } = await demoInBrowser("browser", inject("chromiumPath")));
  }, 120_000);
  afterAll(() => close?.());

  it("signs in, replaces the one-time password, and sees the queue, riskiest first", async () => {
    await page.goto(demo.url);
    expect(page.url()).toContain("/login");
    await signIn("reviewer");
    await page.waitForURL(/\/cases/);
    const rows = page.locator("#queue tbody tr[data-case]");
    expect(await rows.count()).toBe(12);
    const scores = (await page.locator("#queue tbody tr[data-case] td:nth-child(3)").allTextContents()).map(Number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    await screenshot(page, "queue");
  });

  it("opens a case and understands why the merchant is there", async () => {
    await page.locator("#queue tbody tr[data-case] td:first-child a").first().click();
    await page.waitForURL(/\/cases\/\d+$/);
    await expect.poll(() => page.locator("#signals tbody tr").count()).toBeGreaterThan(0);
    const explanation = await page.locator("#signals tbody tr td:nth-child(2)").first().textContent();
    expect(explanation!.length).toBeGreaterThan(20);
    // found as a screen reader finds it: an image named by its title and description
    expect(await page.getByRole("img", { name: /^Daily sales and chargebacks \d+ days? from / }).count()).toBe(1);
    // no link leaves the page: flagged addresses are host + hash
    const external = await page.locator("a[href^='http']").count();
    expect(external).toBe(0);
    await screenshot(page, "case");
  });

  it("assigns, escalates and dismisses with a reason; the audit trail shows each step", async () => {
    await page.click('[data-action="assign"] button');
    await expect.poll(() => page.locator("#status").textContent()).toBe("in review");
    expect(await page.locator("#assignee").textContent()).toBe("reviewer");
    await page.click('[data-action="escalate"] button');
    // a decision that cannot be undone is confirmed on a page of its own first
    await page.click('#confirm button[value="yes"]');
    await expect.poll(() => page.locator("#status").textContent()).toBe("escalated");
    await page.selectOption('[data-action="dismiss"] select[name="reason"]', "false-positive");
    // the comment goes with the decision pressed, as its note
    await page.fill('textarea[name="body"]', "descriptor belongs to a known charity");
    await page.click('[data-action="dismiss"] button');
    await page.click('#confirm button[value="yes"]');
    await expect.poll(() => page.locator("#status").textContent()).toBe("dismissed");
    expect(await page.locator("#dismiss-reason").textContent()).toContain("false positive");
    const actions = await page.locator("#audit tbody tr td:nth-child(3)").allTextContents();
    // opening the case is in its trail too (every opening): a line under the table, which keeps the decisions
    expect(actions).toEqual(["assign", "escalate", "dismiss"]);
    expect(await page.locator("#case-views").textContent()).toMatch(/^Opened by reviewer \(last /);
    const who = await page.locator("#audit tbody tr td:nth-child(2)").allTextContents();
    // who acted, and with what (since migration 25): the page's session
    expect(new Set(who)).toEqual(new Set(["reviewer (reviewer)in a signed-in session"]));
    expect(await page.locator("#audit").textContent()).toContain("descriptor belongs to a known charity");
    await screenshot(page, "case-dismissed");
  });

  it("cannot change rules as a reviewer", async () => {
    const res = await page.goto(`${demo.url}rules`);
    expect(res!.status()).toBe(403);
    expect(await page.locator("[role=alert]").textContent()).toContain("rule-tuner");
    // the page's own session and CSRF token, so the refusal is the role's and nothing else's
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const put = await page.request.put(`${demo.url}api/rules/sites.yaml`, { headers: { "content-type": "text/plain", "x-csrf-token": csrf }, data: "x: 1" });
    expect(put.status()).toBe(403);
    expect((await put.json()).error).toContain("is a reviewer");
  });

  it("as a rule tuner: sees hits beside the rules, a bad change refused with its place, a good one saved, and restores the old version", async () => {
    await page.click("header form button");
    await signIn("tuner");
    await page.waitForURL(/\/rules/);
    expect(await page.locator("#rules tbody tr[data-rule]").count()).toBeGreaterThan(10);
    const before = await page.locator("#version").textContent();
    const area = page.locator('form[action="/rules/ruleset.yaml"] textarea');
    const text = await area.inputValue();
    await area.fill(text.replace("alertAt: 60", "alertAt: lots"));
    // kept in the form when the change is refused
    await page.locator('form[action="/rules/ruleset.yaml"] input[name="note"]').fill("Alert a little earlier");
    await page.click('form[action="/rules/ruleset.yaml"] button');
    await expect.poll(() => page.locator("[role=alert]").textContent()).toMatch(/ruleset\.yaml.*alertAt/);
    expect(await page.locator("#version").textContent()).toBe(before);
    await page.locator('form[action="/rules/ruleset.yaml"] textarea').fill(text.replace("alertAt: 60", "alertAt: 55"));
    await page.click('form[action="/rules/ruleset.yaml"] button');
    await expect.poll(() => page.locator(".notice").textContent()).toContain("saved");
    const after = await page.locator("#version").textContent();
    expect(after).not.toBe(before);
    await screenshot(page, "rules");
    // roll back: the old version is in the history
    await page.locator(`#versions tr:has-text("${before!.slice(0, 19)}") input[name="note"]`).fill("Back to the earlier threshold");
    await page.click(`#versions tr:has-text("${before!.slice(0, 19)}") form button`);
    await expect.poll(() => page.locator("#version").textContent()).toBe(before);
  });
});
