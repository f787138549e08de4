// The case page lists its latest reveals themselves (who, when, which address), not only a sum per user. Here, on
// the real PostgreSQL, for a case opened 100,000 times between its reveals: the page lists them newest first, and
// they are read through migration 30's index of reveals, not past the openings (the planner, given the LIMIT, walked
// the primary key back over every opening: 23-60 ms a page, against 0.5).
import { describe, expect, it } from "vitest";
import { LATEST_REVEALS, urlHash } from "../../src/cases/store.js";
import { Auth } from "../../src/web/auth.js";
import { buildWebServer } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";
import { linkedToFlaggedAlert, recordCase } from "../helpers/cases.js";
import { bearer } from "../helpers/web.js";
import { serverSchema } from "./harness.js";

const FLAGGED = "https://gallery.flagged.example/p/9";
const SHOP = "https://shop.example/";

describe("a case's reveals on its page, among 100,000 openings", { timeout: 180_000 }, () => {
  const schema = serverSchema("case-reveals-listed");

  it("are listed newest first with who and which address, read through the index of reveals", async () => {
    const db = schema.db();
    const app = await buildWebServer({ log: createLogger("silent" as "fatal"), db });
    try {
      const auth = new Auth(db);
      const [ann, bob] = [await bearer(auth, "ann"), await bearer(auth, "bob")];
      const id = await recordCase(db, linkedToFlaggedAlert("reveals-listed-scale", FLAGGED));
      const reveal = async (who: Record<string, string>, url: string) =>
        expect((await app.inject({ method: "POST", url: `/api/cases/${id}/reveal`, headers: who, payload: { hash: urlHash(url) } })).statusCode).toBe(200);
      const openings = (n: number) =>
        db.query(`INSERT INTO mt_audit (actor, role, action, case_id, target) SELECT 'u' || (g % 5), 'reviewer', 'case-view', $1::bigint, 'acq-test:M-1' FROM generate_series(1, $2::int) g`, [id, n]);
      await reveal(ann, FLAGGED);
      await openings(50_000);
      await reveal(bob, SHOP);
      await openings(50_000);
      // other cases' reveals, which the read must not go through either
      const other = await recordCase(db, { ...linkedToFlaggedAlert("reveals-listed-other", FLAGGED), merchantId: "acq-test:M-2" });
      await db.query(`INSERT INTO mt_audit (actor, role, action, case_id, target) SELECT 'u', 'reviewer', 'reveal-url', $1::bigint, 'sha256:x' FROM generate_series(1, 5000) g`, [other]);
      await db.query("ANALYZE mt_audit");

      const page = (await app.inject({ method: "GET", url: `/cases/${id}`, headers: ann })).body;
      const table = /<table id="case-reveals".*?<\/table>/s.exec(page)![0];
      expect(table).toContain("Addresses revealed: 2, newest first");
      const cells = [...table.matchAll(/<tr><td>.*?<\/tr>/gs)].map((r) => r[0].replace(/<[^>]+>/g, " ").replace(/\s+/g, " "));
      expect(cells.length).toBe(2);
      expect(cells[0]).toMatch(new RegExp(`bob \\(reviewer\\).*shop\\.example ${urlHash(SHOP)}`));
      expect(cells[1]).toMatch(new RegExp(`ann \\(reviewer\\).*gallery\\.flagged\\.example ${urlHash(FLAGGED)}`));

      const plan = (await db.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${LATEST_REVEALS}`, [id])).rows.map((r) => r["QUERY PLAN"]).join("\n");
      expect(plan).toContain("mt_audit_case_reveals");
      expect(plan).not.toContain("mt_audit_pkey");
      // the two reveals' index entries and rows, not 100,000 openings' pages
      const buffers = Math.max(...[...plan.matchAll(/Buffers: shared (?:hit=(\d+))?\s*(?:read=(\d+))?/g)].map((m) => Number(m[1] ?? 0) + Number(m[2] ?? 0)));
      expect(buffers).toBeLessThan(50);
    } finally {
      await app.close();
    }
  });
});
