// A reviewer who chose oldest first (a time limit on review) and 50 a page, then a typology, and cleared the
// filters got the default queue back: riskiest first, 25 a page, and chose the order again. "Clear filters" (and
// "all merchants", and the Waiting line's escalated count, which alone of its links dropped the order) now clear
// which cases are listed, not how they are shown: the order and the page size stay.
import { describe, expect, it } from "vitest";
import { CONSOLE } from "../src/cases/store.js";
import { caseAlert, record } from "./helpers/cases.js";
import { embeddedWeb, sessionOf } from "./helpers/web.js";

const openWeb = embeddedWeb();
const linkTo = (page: string, text: string) => new RegExp(`<a href="([^"]+)">${text}</a>`).exec(page)?.[1]?.replace(/&amp;/g, "&");

describe("clearing the queue's filters", { timeout: 60_000 }, () => {
  it("keeps the order and the page size", async () => {
    const { db, auth, app } = await openWeb();
    await record(db, caseAlert({ alertId: "clear-1", merchantId: "acq-test:M-1" }), caseAlert({ alertId: "clear-2", merchantId: "acq-test:M-2" }));
    await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
    await db.query("UPDATE mt_users SET password_change_required = false");
    const session = sessionOf(await app.inject({ method: "POST", url: "/login", payload: { username: "rev", password: "rev-password-long" } }));
    const get = async (url: string) => (await app.inject({ method: "GET", url, headers: session })).body;

    const filtered = await get("/cases?status=active&typology=excessive-disputes&acquirer=acq-test&sort=oldest&pageSize=50");
    const cleared = linkTo(filtered, "Clear filters");
    expect(cleared).toBe("/cases?status=active&sort=oldest&pageSize=50");
    const page = await get(cleared!);
    expect(page).toContain('<option value="oldest" selected>oldest first</option>');
    expect(page).toContain('<option value="50" selected>50</option>');
    expect(page).toContain('<option value="" selected>any typology</option>');
    expect(page).toContain("2 cases");
    expect(linkTo(page, "\\d+ escalated")).toBe("/cases?status=escalated&sort=oldest&pageSize=50");

    // one merchant's cases, then all merchants again: in the same order
    const merchant = await get("/cases?status=all&merchant=acq-test:M-1&sort=recent");
    expect(linkTo(merchant, "all merchants")).toBe("/cases?status=active&sort=recent");
    // with no order chosen, the default queue as before
    expect(linkTo(await get("/cases?typology=excessive-disputes"), "Clear filters")).toBe("/cases?status=active");
  });
});
