// Each rule-set version put in force was recorded with who and when, never why: the question auditors (and the next
// tuner, when alerts fall silent) ask is "who changed the chargeback threshold, when, and why?". A save or a restore
// through the page or the API now needs a change note, kept with the in-force record and shown in the versions, the
// periods and the audit trail; a change found in the rules directory is recorded as such, not as a missing note.
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bearer, embeddedWeb } from "./helpers/web.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { DIRECTORY_NOTE, fileVersion, filesOf, periods, recordVersion, versions } from "../src/rules/history.js";
import { migrate } from "../src/sinks/postgres/migrations.js";

const open = embeddedWeb();
const copies = defaultRulesCopies("rules-change-note");

/** A copy of the default rules recorded as in force (as `run` and the demo do), a rule tuner's and an admin's headers. */
async function tuner() {
  const dir = copies();
  const web = await open({ rulesDir: dir });
  const rs = loadRuleSet(dir);
  await recordVersion(web.db, rs, filesOf(rs), "directory", "directory");
  const headers = await bearer(web.auth, "tuner", "rule-tuner");
  const admin = await bearer(web.auth, "auditor", "admin");
  const text = (file: string) => readFileSync(join(dir, file), "utf8");
  /** A save of sales.yaml made from the file on disk: its text as the body, or a JSON object. */
  const put = (payload: string | object, query = "", type = "text/plain") =>
    web.app.inject({ method: "PUT", url: `/api/rules/sales.yaml${query}`, headers: { ...headers, "content-type": type, "if-match": `"${fileVersion(text("sales.yaml"))}"` }, payload });
  const get = async <T>(url: string): Promise<T> => {
    const r = await web.app.inject({ method: "GET", url, headers });
    expect(r.statusCode, r.body).toBe(200);
    return r.json<T>();
  };
  /** The audit trail's entries of an action, as an admin exports them. */
  const audit = async (action: string) =>
    (await web.app.inject({ method: "GET", url: "/api/audit", headers: admin })).body
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { action: string; target: string; detail: { note?: string } | null })
      .filter((a) => a.action === action);
  return { dir, web, rs, headers, text, put, get, audit };
}

const lowerWeight = (text: string) => text.replace(/weight: (\d+)/, (_m, w: string) => `weight: ${Number(w) - 1}`);
type Listed = { version: string; note: string | null; how?: string };

describe("a change note with each save and restore", { timeout: 60_000 }, () => {
  it("the API refuses a save without a note, or with a blank or overlong one, and saves nothing", async () => {
    const t = await tuner();
    const before = t.text("sales.yaml");
    const none = await t.put(lowerWeight(before));
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toBe(
      'note: say why this change is made (what it fixes or tunes, a ticket): auditors and the next tuner read it in the history; nothing was changed: send the note as "note" beside "content" in a JSON body, or as ?note=… with the file\'s text as the body',
    );
    const blank = await t.put(lowerWeight(before), "?note=%20%20");
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error).toMatch(/^note: say why/);
    const long = await t.put(lowerWeight(before), `?note=${"x".repeat(1001)}`);
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toMatch(/^note: a change note is at most 1,000 characters/);
    expect(t.text("sales.yaml")).toBe(before);
    expect((await t.audit("rules-change")).length).toBe(0);
  });

  it("with a note (?note= beside the file, or in a JSON body): in the versions, the periods and the audit trail", async () => {
    const t = await tuner();
    const saved = await t.put(lowerWeight(t.text("sales.yaml")), `?note=${encodeURIComponent("Lower the card-testing weight: too many alerts (ticket EX-1)")}`);
    expect(saved.statusCode, saved.body).toBe(200);
    const v = saved.json<{ version: string }>().version;
    const json = await t.put({ content: lowerWeight(t.text("sales.yaml")), note: "  Once more, in JSON  " }, "", "application/json");
    expect(json.statusCode, json.body).toBe(200);
    const w = json.json<{ version: string }>().version;

    const listed = await t.get<Listed[]>("/api/rules/versions");
    expect(listed.find((x) => x.version === v)?.note).toBe("Lower the card-testing weight: too many alerts (ticket EX-1)");
    expect(listed.find((x) => x.version === w)?.note).toBe("Once more, in JSON");
    const inForce = await t.get<Listed[]>("/api/rules/periods");
    expect(inForce.map((p) => [p.version, p.how, p.note])).toEqual([
      [w, "api", "Once more, in JSON"],
      [v, "api", "Lower the card-testing weight: too many alerts (ticket EX-1)"],
      [t.rs.version, "directory", DIRECTORY_NOTE],
    ]);
    expect((await t.audit("rules-change")).map((a) => a.detail?.note)).toEqual(["Lower the card-testing weight: too many alerts (ticket EX-1)", "Once more, in JSON"]);
    // a note given twice is refused rather than one of them dropped
    const twice = await t.put({ content: t.text("sales.yaml"), note: "a" }, "?note=b", "application/json");
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error).toContain("once");
  });

  it("a restore needs one too", async () => {
    const t = await tuner();
    expect((await t.put(lowerWeight(t.text("sales.yaml")), "?note=lower")).statusCode).toBe(200);
    const none = await t.web.app.inject({ method: "POST", url: `/api/rules/versions/${t.rs.version}/restore`, headers: t.headers });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatch(/^note: say why/);
    const back = await t.web.app.inject({ method: "POST", url: `/api/rules/versions/${t.rs.version}/restore`, headers: t.headers, payload: { note: "Back to the pack: the lower weights missed a case" } });
    expect(back.statusCode, back.body).toBe(200);
    expect((await t.get<Listed[]>("/api/rules/periods"))[0]).toMatchObject({ version: t.rs.version, how: "restore", note: "Back to the pack: the lower weights missed a case" });
    expect((await t.audit("rules-restore")).map((a) => a.detail?.note)).toEqual(["Back to the pack: the lower weights missed a case"]);
  });

  it("a change found in the rules directory: recorded as such", async () => {
    const t = await tuner();
    writeFileSync(join(t.dir, "sites.yaml"), lowerWeight(t.text("sites.yaml")));
    // the page's own watcher (no engine here) finds it at the next request
    await t.get("/api/rules/status");
    await vi.waitFor(async () => expect((await periods(t.web.db))[0]).toMatchObject({ how: "directory", putBy: "directory", note: DIRECTORY_NOTE }));
    const found = (await periods(t.web.db))[0]!.version;
    expect((await versions(t.web.db)).find((x) => x.version === found)?.note).toBe(DIRECTORY_NOTE);
  });
});

describe("the page's note field", { timeout: 60_000 }, () => {
  it("a save or restore without a note is refused with the tuner's text kept; a note is shown as text, never as markup", async () => {
    const t = await tuner();
    const content = lowerWeight(t.text("sites.yaml"));
    const base = fileVersion(t.text("sites.yaml"));
    const save = (note?: string) => t.web.app.inject({ method: "POST", url: "/rules/sites.yaml", headers: t.headers, payload: { content, base, ...(note === undefined ? {} : { note }) } });

    const page = await t.web.app.inject({ method: "GET", url: "/rules", headers: t.headers });
    expect(page.body).toMatch(/<form method="post" action="\/rules\/sites\.yaml">.*?<input name="note"[^>]* required/s);

    const refused = await save("");
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain("note: say why this change is made");
    expect(refused.body).toContain(content.replace(/"/g, "&quot;").replace(/'/g, "&#39;"));
    expect(t.text("sites.yaml")).not.toBe(content);

    // refused for its rules: the note is kept in the form with the text
    const broken = await t.web.app.inject({ method: "POST", url: "/rules/sites.yaml", headers: t.headers, payload: { content: "rules:\n  - id: broken\n    kind: no-such-kind\n", base, note: "kept note" } });
    expect(broken.statusCode).toBe(400);
    expect(broken.body).toMatch(/<input name="note"[^>]* value="kept note">/);

    const note = `<script>alert("x")</script> & <img src=x onerror=alert(1)> weight down`;
    const ok = await save(note);
    expect(ok.statusCode, ok.body).toBe(200);
    const escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt; weight down";
    const shown = ok.body.slice(ok.body.indexOf('<table id="versions">'));
    expect(shown.split(escaped).length - 1).toBe(2); // the versions and the periods
    expect(ok.body).not.toContain("<script>alert");
    expect(ok.body).not.toContain("<img src=x");
    expect(shown).toContain(DIRECTORY_NOTE);
    // the version it replaced can be restored, with a note of its own
    expect(ok.body).toMatch(/<form class="inline" method="post" action="\/rules\/restore">.*?<input name="note"[^>]* required/s);

    const restore = (n?: string) => t.web.app.inject({ method: "POST", url: "/rules/restore", headers: t.headers, payload: { version: t.rs.version, ...(n === undefined ? {} : { note: n }) } });
    const noNote = await restore();
    expect(noNote.statusCode).toBe(400);
    expect(noNote.body).toContain("note: say why");
    const restored = await restore("Undo the weight change");
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.body).toContain("Undo the weight change");
  });
});

describe("migration 17", { timeout: 60_000 }, () => {
  it("applies on a database at version 16 with rules in force: saves made before it have no note", async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const lite = new PGlite();
    // migrate() runs each script with exec(), which embeddedDb's Db does not offer
    const db = { query: <R>(text: string, params?: unknown[]) => lite.query<R>(text, params), exec: (sql: string) => lite.exec(sql) };
    await migrate(db);
    onTestFinished(() => lite.close());
    // as at version 16
    await db.query("ALTER TABLE mt_rule_in_force DROP COLUMN note");
    await db.query("DELETE FROM mt_schema_migrations WHERE version = 17");
    await db.query(
      `INSERT INTO mt_rule_versions (version, rule_set_id, files, recorded_by, recorded_at) VALUES
       ('sha256:a', 'set', '{}', 'directory', '2026-01-01T00:00:00Z'), ('sha256:b', 'set', '{}', 'tuner', '2026-01-02T00:00:00Z')`,
    );
    await db.query(
      `INSERT INTO mt_rule_in_force (version, put_by, how, at) VALUES
       ('sha256:a', 'directory', 'directory', '2026-01-01T00:00:00Z'), ('sha256:b', 'tuner', 'page', '2026-01-02T00:00:00Z')`,
    );
    expect(await migrate(db)).toBe(1);
    // a save's why was never asked: unknown; a version found in the directory had no person's note to give
    expect((await periods(db)).map((p) => [p.version, p.how, p.note])).toEqual([
      ["sha256:b", "page", null],
      ["sha256:a", "directory", DIRECTORY_NOTE],
    ]);
    expect((await versions(db)).map((v) => [v.version, v.note])).toEqual([
      ["sha256:b", null],
      ["sha256:a", DIRECTORY_NOTE],
    ]);
  });
});
