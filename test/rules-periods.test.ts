// When each rule-set version was in force, on the embedded database without a broker: a version put in force again
// (a hand edit back to it, a restore) starts a period of its own, which mt_rule_versions (one row per version, its
// first recording) could not tell; and migration 14 fills the periods from what was recorded before it.
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileVersion, filesOf, periods, recordVersion, type RulePeriod } from "../src/rules/history.js";
import { rulesPageOverCopy } from "./helpers/rules-page.js";
import { migrate } from "../src/sinks/postgres/migrations.js";

const rulesPage = rulesPageOverCopy("rules-periods");

const lowerWeight = (text: string) => text.replace(/weight: (\d+)/, (_m, w: string) => `weight: ${Number(w) - 1}`);
const brief = (p: RulePeriod[]) => p.map((x) => [x.version, x.putBy, x.how, x.until === null]);

describe("the periods each rule-set version was in force", { timeout: 60_000 }, () => {
  it("records a version each time it is put in force again: a hand edit back to it, a restore", async () => {
    const { dir, db, app, ruleSet: first, headers } = await rulesPage();
    const get = async <T>(url: string) => {
      const r = await app.inject({ method: "GET", url, headers });
      expect(r.statusCode, r.body).toBe(200);
      return r.json<T>();
    };

    const original = readFileSync(join(dir, "sites.yaml"), "utf8");
    const saved = await app.inject({
      method: "PUT",
      url: "/api/rules/sites.yaml?note=test",
      headers: { ...headers, "content-type": "text/plain", "if-match": `"${fileVersion(original)}"` },
      payload: lowerWeight(original),
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const second = saved.json<{ version: string }>().version;

    // a hand edit back to the first version: found in the directory at the next request, a period of its own
    writeFileSync(join(dir, "sites.yaml"), original);
    await get("/api/rules");
    await vi.waitFor(async () => expect((await periods(db))[0]?.version).toBe(first.version));
    const handEdit = (await periods(db))[0]!;

    const restored = await app.inject({ method: "POST", url: `/api/rules/versions/${encodeURIComponent(second)}/restore?note=test`, headers });
    expect(restored.statusCode, restored.body).toBe(200);

    const all = await get<RulePeriod[]>("/api/rules/periods");
    expect(brief(all)).toEqual([
      [second, "tuner", "restore", true],
      [first.version, "directory", "directory", false],
      [second, "tuner", "api", false],
      [first.version, "directory", "directory", false],
    ]);
    // each period ends when the next begins
    for (let i = 1; i < all.length; i++) expect(all[i]!.until).toBe(all[i - 1]!.from);
    // which version was in force at a time within the hand edit's period
    expect(brief(await get<RulePeriod[]>(`/api/rules/periods?at=${encodeURIComponent(handEdit.from)}`))).toEqual([[first.version, "directory", "directory", false]]);
    expect((await app.inject({ method: "GET", url: "/api/rules/periods?at=yesterday", headers })).statusCode).toBe(400);

    // the page lists them too
    const page = await app.inject({ method: "GET", url: "/rules", headers });
    const table = page.body.slice(page.body.indexOf('<table id="periods">'));
    expect(table.match(/<tr><td>/g)).toHaveLength(4);
    expect(table).toContain("restored");
  });

  it("records a reload found by several consumers once", async () => {
    // a start recorded it once already; three more consumers find it in the directory
    const { db, ruleSet: rs } = await rulesPage();
    for (let i = 0; i < 3; i++) await recordVersion(db, rs, filesOf(rs), "directory", "directory");
    expect(brief(await periods(db))).toEqual([[rs.version, "directory", "directory", true]]);
  });

  it("migration 14 fills the periods from the versions recorded and the saves and restores audited before it", async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const lite = new PGlite();
    // migrate() runs each script with exec(), which embeddedDb's Db does not offer
    const db = { query: <R>(text: string, params?: unknown[]) => lite.query<R>(text, params), exec: (sql: string) => lite.exec(sql) };
    await migrate(db);
    onTestFinished(() => lite.close());
    // as before migration 14: versions first recorded, and a save and a restore in the audit trail
    await db.query("DROP TABLE mt_rule_in_force");
    // and before 17, which adds a column to it
    await db.query("DELETE FROM mt_schema_migrations WHERE version IN (14, 17)");
    const files = JSON.stringify({ "a.yaml": "" });
    await db.query(
      `INSERT INTO mt_rule_versions (version, rule_set_id, files, recorded_by, recorded_at) VALUES
       ('sha256:a', 'set', $1, 'directory', '2026-01-01T00:00:00Z'), ('sha256:b', 'set', $1, 'tuner', '2026-01-02T00:00:00Z')`,
      [files],
    );
    await db.query(
      `INSERT INTO mt_audit (at, actor, role, action, target, before, after) VALUES
       ('2026-01-02T00:00:00Z', 'tuner', 'rule-tuner', 'rules-change', 'a.yaml', '{"version":"sha256:a"}', '{"version":"sha256:b"}'),
       ('2026-01-03T00:00:00Z', 'tuner', 'rule-tuner', 'rules-restore', 'sha256:a', '{"version":"sha256:b"}', '{"version":"sha256:a"}')`,
    );
    expect(await migrate(db)).toBe(2);
    expect((await periods(db)).map((p) => [p.version, p.putBy, p.how, p.from, p.until])).toEqual([
      ["sha256:a", "tuner", "restore", "2026-01-03T00:00:00.000Z", null],
      ["sha256:b", "tuner", "page", "2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z"],
      ["sha256:a", "directory", "directory", "2026-01-01T00:00:00.000Z", "2026-01-02T00:00:00.000Z"],
    ]);
  });
});
