// A tuner comparing an earlier rule-set version with the one in force, or backtesting yesterday's before undoing
// today's change, had the version only in the history (mt_rule_versions): the page shows its diff and restores it,
// but `backtest` takes directories, and no command wrote a version's files out (GET /api/rules/versions/V gives them
// as JSON, to be split into files by hand). `moneytrail rules export VERSION DIR` writes them, VERSION as the page
// and a backtest report show it (its first 12 hex digits) or whole; it never migrates nor writes the database.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { poolDb } from "../../src/cases/db.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { filesOf, recordVersion } from "../../src/rules/history.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { migrate } from "../../src/sinks/postgres/migrations.js";
import { CLI } from "../helpers/cli.js";
import { freshNames, freshSchema } from "./harness.js";

const cli = (...args: string[]) => spawnSync(process.execPath, [...CLI, "rules", ...args], { encoding: "utf8", timeout: 60_000 });

describe("rules export", () => {
  it("writes a version of the history into a new directory, to backtest it", { timeout: 120_000 }, async () => {
    const url = await freshSchema(freshNames("rules-export"));
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const work = mkdtempSync(join(tmpdir(), "mt-rules-export-"));
    try {
      const client = await pool.connect();
      await migrate(client).finally(() => client.release());
      const first = loadRuleSet(DEFAULT_RULES);
      await recordVersion(poolDb(pool), first, filesOf(first), "directory", "directory");
      const edited = join(work, "edited");
      cpSync(DEFAULT_RULES, edited, { recursive: true });
      const file = join(edited, "chargebacks.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("ratio: 0.01, minCount: 8", "ratio: 0.005, minCount: 8"));
      const second = loadRuleSet(edited);
      await recordVersion(poolDb(pool), second, filesOf(second), "tuner", { how: "page", note: "EX-1: early warning at 0.5%" });
      const before = await pool.query("SELECT count(*)::int AS n FROM mt_rule_versions");

      // as the page shows it: sha256: and 12 hex digits
      const out = join(work, "yesterday");
      const shown = second.version.slice(0, 19);
      const r = cli("export", shown, out, "--database-url", url);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`wrote version ${second.version} (${second.id}, recorded by tuner at `);
      expect(r.stdout).toContain("EX-1: early warning at 0.5%");
      expect(r.stdout).toContain(`moneytrail backtest --events FILE|--topic TOPIC --baseline RULES_IN_FORCE --candidate ${out}`);
      expect(readdirSync(out).sort()).toEqual(readdirSync(edited).sort());
      for (const f of readdirSync(edited)) expect(readFileSync(join(out, f), "utf8")).toBe(readFileSync(join(edited, f), "utf8"));
      expect(loadRuleSet(out).version).toBe(second.version);

      // the hex digits alone, as a backtest report shows them, with DATABASE_URL
      const bare = join(work, "bare");
      const viaEnv = spawnSync(process.execPath, [...CLI, "rules", "export", first.version.slice(7, 19), bare], { encoding: "utf8", timeout: 60_000, env: { ...process.env, DATABASE_URL: url } });
      expect(viaEnv.status, viaEnv.stderr).toBe(0);
      expect(loadRuleSet(bare).version).toBe(first.version);

      // a directory holding files is not written over: it may be the tuner's own edits
      const busy = join(work, "busy");
      mkdirSync(busy);
      writeFileSync(join(busy, "sales.yaml"), "rules: []\n");
      const refused = cli("export", shown, busy, "--database-url", url);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain(`${busy} is not empty: give a new directory (the version's files would replace what is there)`);
      expect(readFileSync(join(busy, "sales.yaml"), "utf8")).toBe("rules: []\n");

      // a version not in the history names the ones that are
      const none = cli("export", "sha256:000000000000", join(work, "none"), "--database-url", url);
      expect(none.status).toBe(2);
      expect(none.stderr).toContain("no rule-set version sha256:000000000000 in the history at");
      expect(none.stderr).toContain(first.version.slice(0, 19));
      const short = cli("export", "abc", join(work, "short"), "--database-url", url);
      expect(short.status).toBe(2);
      expect(short.stderr).toContain("abc: give the version as the Rules page shows it (sha256: and at least 8 hex digits)");

      // read only: nothing recorded
      expect((await pool.query("SELECT count(*)::int AS n FROM mt_rule_versions")).rows).toEqual(before.rows);
    } finally {
      await pool.end();
    }
  });
});
