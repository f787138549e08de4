// The case page summed reveals per user ("Addresses revealed by bob (last …, 2 times)") as it sums openings: a
// reviewer or auditor could no longer see on it which address each reveal showed, or when. Reveals are rare (each a
// deliberate act) and each names its address: the page lists the reveal rows themselves, newest first, who, when,
// with what, and which address (its host, masked, and its SHA-256 in full), the latest REVEALS_LISTED of them, and
// sends to the trail's CSV for the rest. GET /api/cases/:id gives the same rows.
import { describe, expect, it } from "vitest";
import { REVEALS_LISTED, urlHash, type AuditRow } from "../src/cases/store.js";
import { when } from "../src/web/html.js";
import { linkedToFlaggedAlert, recordCase } from "./helpers/cases.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();
const FLAGGED = "https://gallery.flagged.example/p/1";
const SHOP = "https://shop.example/";

/** The rows of the page's table of reveals, each as its cells' text. */
const revealsTable = (page: string): string[][] => {
  const table = /<table id="case-reveals"[^>]*>(.*?)<\/table>/s.exec(page)?.[1] ?? "";
  const body = /<tbody>(.*)<\/tbody>/s.exec(table)?.[1] ?? "";
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) => [...r[1]!.matchAll(/<td>(.*?)<\/td>/gs)].map((c) => c[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim()));
};

describe("the case page's reveals", { timeout: 60_000 }, () => {
  it("lists each reveal, newest first, with who, when and which address (host and hash), never the address itself", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, linkedToFlaggedAlert("reveals-listed-1", FLAGGED));
    const ann = await bearer(auth, "ann");
    const bob = await bearer(auth, "bob");
    const reveal = async (who: Record<string, string>, url: string) =>
      expect((await app.inject({ method: "POST", url: `/api/cases/${caseId}/reveal`, headers: who, payload: { hash: urlHash(url) } })).statusCode).toBe(200);
    await reveal(ann, FLAGGED);
    await reveal(bob, SHOP);
    const rows = (await db.query<{ id: string; actor: string; at: Date; target: string }>("SELECT audit_id::text AS id, actor, at, target FROM mt_audit WHERE action = 'reveal-url' ORDER BY audit_id DESC")).rows;
    expect(rows.map((r) => [r.actor, r.target])).toEqual([
      ["bob", urlHash(SHOP)],
      ["ann", urlHash(FLAGGED)],
    ]);

    const cat = await bearer(auth, "cat");
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: cat })).body;
    const listed = revealsTable(page);
    expect(listed).toEqual([
      [when(rows[0]!.at.toISOString()), expect.stringMatching(/^bob \(reviewer\) with API token/), `shop.example ${urlHash(SHOP)}`],
      [when(rows[1]!.at.toISOString()), expect.stringMatching(/^ann \(reviewer\) with API token/), `gallery.flagged.example ${urlHash(FLAGGED)}`],
    ]);
    expect(page).toContain("Addresses revealed: 2, newest first");
    expect(page).not.toContain(FLAGGED);
    expect(page).not.toMatch(/of 2 reveals/);

    // the API: the same rows, newest first
    const api = (await app.inject({ method: "GET", url: `/api/cases/${caseId}`, headers: cat })).json() as { revealed: AuditRow[] };
    expect(api.revealed.map((r) => [r.auditId, r.actor, r.target])).toEqual(rows.map((r) => [r.id, r.actor, r.target]));
  });

  it("lists the latest of many, and sends to the trail's CSV for the rest", async () => {
    const { db, auth, app } = await openWeb();
    const caseId = await recordCase(db, linkedToFlaggedAlert("reveals-listed-2", FLAGGED));
    const n = REVEALS_LISTED + 5;
    await db.query(
      `INSERT INTO mt_audit (actor, role, action, case_id, target) SELECT 'u' || g, 'reviewer', 'reveal-url', $1::bigint, CASE WHEN g % 2 = 0 THEN $2 ELSE $3 END FROM generate_series(1, $4::int) g`,
      [caseId, urlHash(SHOP), urlHash(FLAGGED), n],
    );
    const page = (await app.inject({ method: "GET", url: `/cases/${caseId}`, headers: await bearer(auth, "cat") })).body;
    const listed = revealsTable(page);
    expect(listed.length).toBe(REVEALS_LISTED);
    expect(listed.map((r) => r[1])).toEqual(Array.from({ length: REVEALS_LISTED }, (_, i) => `u${n - i} (reviewer)`));
    expect(page).toContain(`Addresses revealed: the latest ${REVEALS_LISTED} of ${n}, newest first`);
    expect(page).toMatch(new RegExp(`the rest are in the <a href="/cases/${caseId}/audit.csv">audit trail \\(CSV\\)</a>`));
  });
});
