// Hot reload on a running consumer against the real broker: a rule change in the watched directory takes effect
// mid-stream without a restart (the alerts equal an engine that switched sets at the same point), and a bad
// change is refused, visibly, while the set in force keeps working; a tuner's corrected save through the API is then
// accepted and put in force.
import { afterAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { Engine } from "../../src/engine.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { fileVersion } from "../../src/rules/history.js";
import { loadIndicators } from "../../src/indicators/index.js";
import { Event, type Alert } from "../../src/decode/events.js";
import { serverDb } from "../../src/cases/db.js";
import { Auth } from "../../src/web/auth.js";
import { CONSOLE } from "../../src/cases/store.js";
import { buildWebServer } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";
import { SAMPLE_INDICATORS, createTopics, freshNames, freshSchema, produce, sampleLines, startRunner, waitCaughtUp, until } from "./harness.js";

describe("hot reload of the rule set", () => {
  const dir = mkdtempSync(join(tmpdir(), "mt-reload-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("puts a changed set in force mid-stream, refuses a bad one and takes the tuner's fix, without a restart", async () => {
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const v1 = loadRuleSet(dir);
    const settings = readFileSync(join(dir, "ruleset.yaml"), "utf8");
    const lowered = settings.replace("alertAt: 60", "alertAt: 40");
    expect(lowered).not.toBe(settings);

    // what an engine does that switches from v1 to v2 after the first half of the sample
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    const v2dir = mkdtempSync(join(tmpdir(), "mt-reload-v2-"));
    cpSync(DEFAULT_RULES, v2dir, { recursive: true });
    writeFileSync(join(v2dir, "ruleset.yaml"), lowered);
    const v2 = loadRuleSet(v2dir);
    rmSync(v2dir, { recursive: true, force: true });
    const engine = new Engine(v1, loadIndicators(SAMPLE_INDICATORS));
    const expected: Alert[] = [];
    lines.forEach((l, i) => {
      if (i === half) engine.replaceRuleSet(v2);
      expected.push(...engine.process(Event.parse(JSON.parse(l))));
    });
    const v1only = new Engine(v1, loadIndicators(SAMPLE_INDICATORS));
    const unchanged = lines.flatMap((l) => v1only.process(Event.parse(JSON.parse(l))));
    // the change matters on this data: a lower alert level raises more alerts after the switch
    expect(expected.length).toBeGreaterThan(unchanged.length);

    const n = freshNames("reload");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const runner = await startRunner(n, url, { rules: dir });
    try {
      expect(runner.rulesStatus.version).toBe(v1.version);
      await produce(n.events, lines.slice(0, half));
      await waitCaughtUp(n, url);

      writeFileSync(join(dir, "ruleset.yaml"), lowered);
      await until("the new rule set in force", () => runner.rulesStatus.version === v2.version);

      // a bad change: refused, visible, and the set in force stays
      const sites = readFileSync(join(dir, "sites.yaml"), "utf8");
      const broken = "rules:\n  - id: broken\n    kind: no-such-kind\n";
      writeFileSync(join(dir, "sites.yaml"), broken);
      await until("the refusal", () => runner.rulesStatus.lastRefusal !== undefined);
      expect(runner.rulesStatus.lastRefusal!.message).toMatch(/sites\.yaml.*no-such-kind|sites\.yaml.*kind/);
      expect(runner.rulesStatus.version).toBe(v2.version);
      const reloads = (await runner.metrics.rulesReloads.get()).values;
      expect(reloads.find((v) => v.labels.result === "accepted")?.value).toBe(1);
      expect(reloads.find((v) => v.labels.result === "refused")?.value).toBe(1);

      await produce(n.events, lines.slice(half));
      await waitCaughtUp(n, url);

      // the tuner's fix through the API (wired to the runner's set in force as `run` wires its page) is taken
      const db = await serverDb(url, 2);
      const web = await buildWebServer({ db, log: createLogger("silent" as "fatal"), rulesDir: dir, rulesStatus: () => runner.rulesStatus });
      try {
        const auth = new Auth(db);
        await auth.addUser(CONSOLE, { username: "tuner", role: "rule-tuner", password: "tuner-password-long" });
        const { token } = await auth.createToken(CONSOLE, "tuner", "test");
        const fixed = sites.replace(/weight: (\d+)/, (_m, w: string) => `weight: ${Number(w) - 1}`);
        // made from the broken file the tuner found on disk
        const put = await web.inject({
          method: "PUT",
          url: "/api/rules/sites.yaml?note=test",
          headers: { authorization: `Bearer ${token}`, "content-type": "text/plain", "if-match": `"${fileVersion(broken)}"` },
          payload: fixed,
        });
        expect(put.statusCode, put.body).toBe(200);
        await until("the fix in force", () => runner.rulesStatus.version === put.json().version && runner.rulesStatus.lastRefusal === undefined);
        const audit = await db.query<{ before: { version: string } }>("SELECT before FROM mt_audit WHERE action = 'rules-change'");
        expect(audit.rows.map((r) => r.before.version)).toEqual([v2.version]);
      } finally {
        await web.close();
        await db.close();
      }
    } finally {
      await runner.stop();
    }
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const got = (await pool.query<{ alert: Alert }>("SELECT alert FROM mt_alerts ORDER BY raised_at, alert_id")).rows.map((r) => r.alert);
      const key = (a: Alert) => `${a.alertId} ${a.ruleSet.version}`;
      expect(got.map(key).sort()).toEqual(expected.map(key).sort());
      expect(got.some((a) => a.ruleSet.version === v1.version) && got.some((a) => a.ruleSet.version === v2.version)).toBe(true);
      // the history holds both versions, the one read at start and the reloaded one
      const versions = (await pool.query<{ version: string }>("SELECT version FROM mt_rule_versions")).rows.map((r) => r.version);
      expect(versions).toEqual(expect.arrayContaining([v1.version, v2.version]));
    } finally {
      await pool.end();
    }
  });
});
