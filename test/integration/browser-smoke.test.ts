// The browser-test infrastructure works end to end: Debian's Chromium (test/infra/browser-setup.ts) loads a page from
// a local server, runs its script on a click and takes a screenshot.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, screenshot } from "../infra/chromium.js";

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>smoke</title></head>
<body>
  <button id="b" onclick="this.textContent = 'Clicked'">Not clicked</button>
</body></html>`;

describe("browser smoke", () => {
  let server: Server;
  let url: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(PAGE));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchBrowser(inject("chromiumPath"));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("loads a page, clicks a button and sees the script change its text", async () => {
    const page = await browser!.newPage();
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    const button = page.locator("#b");
    expect(await button.textContent()).toBe("Not clicked");
    await button.click();
    expect(await button.textContent()).toBe("Clicked");
    expect(existsSync(await screenshot(page, "smoke"))).toBe(true);
  });
});
