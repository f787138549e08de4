// The page for an address that is no page repeated the address on the service's own page, so a link could put text
// of its own there ("/Your session expired: sign in again at https://sign-in.example …"), on the trusted host, under
// its header: content spoofing for a phishing mail. The page now says in its own words that there is no such page.
import { describe, expect, it } from "vitest";
import { embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("the page for an address that is no page", { timeout: 60_000 }, () => {
  it("says so in its own words, not the address's", async () => {
    const { app } = await openWeb();
    const r = await app.inject({ method: "GET", url: "/Your%20session%20expired:%20sign%20in%20again%20at%20https://sign-in.example/?case=12" });
    expect(r.statusCode).toBe(404);
    expect(r.headers["content-type"]).toMatch(/^text\/html/);
    expect(r.body).toContain("<h1>Not found</h1>");
    expect(r.body).toContain("There is no page at this address");
    expect(r.body).not.toMatch(/session|sign-in\.example/i);
  });
});
