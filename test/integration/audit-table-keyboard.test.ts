// The /audit page in a real browser (Debian's Chromium, which the integration setup finds or installs), with the keyboard only: an auditor tabs to the filters,
// types them, sends the form with Enter, reads the rows it keeps and tabs to the older page; the filters stay on it.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../infra/chromium.js";
import { CONSOLE } from "../../src/cases/store.js";
import { caseAlert, recordCase } from "../helpers/cases.js";
import { bearer, embeddedWeb } from "../helpers/web.js";

const openWeb = embeddedWeb();

describe("the /audit page with the keyboard", { timeout: 120_000 }, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser(inject("chromiumPath"));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Tabs until the focus is on what `selector` finds (at most 60 presses), as a keyboard user gets there. */
  const tabTo = async (page: Page, selector: string) => {
    for (let i = 0; i < 60; i++) {
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      await page.keyboard.press("Tab");
    }
    throw new Error(`Tab never reached ${selector}`);
  };

  it("filters, reads the rows and pages, with Tab, typing and Enter", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, caseAlert({ alertId: "audit-keyboard-1" }));
    const ann = await bearer(auth, "ann");
    for (const action of ["assign", "escalate"]) expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/actions`, headers: ann, payload: { action } })).statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/comments`, headers: ann, payload: { body: "checked the descriptor" } })).statusCode).toBe(201);
    await auth.addUser(CONSOLE, { username: "audra", role: "auditor", password: "audra-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false WHERE username = 'audra'");
    await app.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const page = await browser.newPage();
    await page.goto(`${url}/login`);
    await page.keyboard.type("audra");
    await page.keyboard.press("Tab");
    await page.keyboard.type("audra-password-long");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/audit$/);

    await tabTo(page, 'input[name="actor"]');
    await page.keyboard.type("ann");
    await tabTo(page, 'input[name="limit"]');
    await page.keyboard.type("2");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/audit\?.*actor=ann/);
    expect(await page.locator("#audit-count").textContent()).toBe("3 rows match these filters; shown: 1 to 2, newest first.");
    expect(await page.locator("#audit-rows tbody tr td:nth-child(3)").allTextContents()).toEqual(["comment", "escalate"]);
    // the form keeps what was sent
    expect(await page.inputValue('input[name="actor"]')).toBe("ann");

    await tabTo(page, 'a[rel="next"]');
    await page.keyboard.press("Enter");
    await page.waitForURL(/before=\d+/);
    expect(await page.locator("#audit-rows tbody tr td:nth-child(3)").allTextContents()).toEqual(["assign"]);
    expect(await page.locator("#audit-count").textContent()).toBe("3 rows match these filters; shown: 3 to 3, newest first.");
    expect(await page.inputValue('input[name="actor"]')).toBe("ann");
    await page.close();
  });
});
