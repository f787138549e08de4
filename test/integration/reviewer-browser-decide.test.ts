// The case page's one Decide form in a real browser (Debian's Chromium): Enter in the report's reference sends
// nothing and loses nothing (the form's default button is a disabled one, 7b26656), and an irreversible decision
// asks first (05253fb): No goes back with the comment filled in, Yes records it once.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Request } from "playwright-core";
import { demoInBrowser, type DemoInBrowser } from "./demo-browser.js";

describe("the case page's Decide form, in the browser", () => {
  let d: DemoInBrowser | undefined;
  let caseId: string;
  // every POST the page sends, by path
  const posts: string[] = [];
  const trail = async (): Promise<{ action: string; detail: unknown }[]> =>
    (await d!.demo.db.query<{ action: string; detail: unknown }>("SELECT action, detail FROM mt_audit WHERE case_id = $1::bigint AND action <> 'case-view' ORDER BY audit_id", [caseId])).rows;

  beforeAll(async () => {
    d = await demoInBrowser("decide", inject("chromiumPath"));
    d.page.on("request", (r: Request) => {
      if (r.method() === "POST") posts.push(new URL(r.url()).pathname);
    });
    await d.signIn("reviewer");
    await d.page.waitForURL(/\/cases/);
    await d.page.locator("#queue tbody tr[data-case] td:first-child a").first().click();
    await d.page.waitForURL(/\/cases\/\d+$/);
    caseId = /\/cases\/(\d+)$/.exec(d.page.url())![1]!;
    // the report's reference is offered once the case is in review
    await d.page.click('[data-action="assign"] button');
    await d.page.waitForURL(/\?done=assign$/);
  }, 120_000);
  afterAll(() => d?.close());

  it("Enter in the report's reference sends nothing and loses nothing; Mark reported then sends both", async () => {
    const { page } = d!;
    const before = await trail();
    posts.length = 0;
    await page.fill('textarea[name="body"]', "tokalpha hotline confirmed the listing");
    const ref = page.locator('[data-action="report"] input[name="reportRef"]');
    await ref.fill("HL-TEST-0042");
    await ref.press("Enter");
    expect(posts, "Enter in the report's reference sent the form").toEqual([]);
    // nor later: the next request is the button's, and it carries both fields
    await page.click('[data-action="report"] button');
    await expect.poll(() => page.locator("#confirm").count()).toBe(1);
    expect(posts).toEqual([`/cases/${caseId}/action`]);
    expect(await page.locator('#confirm input[name="reportRef"]').inputValue()).toBe("HL-TEST-0042");
    expect(await page.locator('#confirm input[name="body"]').inputValue()).toBe("tokalpha hotline confirmed the listing");
    expect(await trail()).toEqual(before);
    // back to the case with both filled in, nothing done
    await page.click('#confirm button[value="no"]');
    await expect.poll(() => page.locator("#status").count()).toBe(1);
    expect(await page.locator(".notice").first().textContent()).toContain("Nothing was done");
    expect(await page.locator("#status").textContent()).toBe("in review");
    expect(await page.locator('textarea[name="body"]').inputValue()).toBe("tokalpha hotline confirmed the listing");
    expect(await page.locator('[data-action="report"] input[name="reportRef"]').inputValue()).toBe("HL-TEST-0042");
    expect(await trail()).toEqual(before);
  });

  it("Escalate asks first: No returns with the comment filled in, Escalate again and Yes records it once", async () => {
    const { page } = d!;
    const note = "tokbeta payouts moved to a second account";
    const before = await trail();
    await page.fill('textarea[name="body"]', note);
    await page.click('[data-action="escalate"] button');
    await expect.poll(() => page.locator("#confirm").count()).toBe(1);
    expect(await page.locator("#confirm-why").textContent()).toContain("does not go back to in review");
    await page.click('#confirm button[value="no"]');
    await expect.poll(() => page.locator("#status").count()).toBe(1);
    expect(await page.locator("#status").textContent()).toBe("in review");
    expect(await page.locator('textarea[name="body"]').inputValue()).toBe(note);
    expect(await trail()).toEqual(before);

    await page.click('[data-action="escalate"] button');
    await expect.poll(() => page.locator("#confirm").count()).toBe(1);
    await page.click('#confirm button[value="yes"]');
    await page.waitForURL(/\?done=escalate$/);
    expect(await page.locator("#status").textContent()).toBe("escalated");
    const added = (await trail()).slice(before.length);
    expect(added).toEqual([{ action: "escalate", detail: expect.objectContaining({ note }) }]);
    // the page's trail shows it once, with its note, and the comment box is empty again
    expect(await page.locator("#audit tbody tr td:nth-child(3)").allTextContents()).toEqual(["assign", "escalate"]);
    expect(await page.locator("#audit").textContent()).toContain(note);
    expect(await page.locator('textarea[name="body"]').inputValue()).toBe("");
  });
});
