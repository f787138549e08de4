// A tuner new to the product opened the Rules page to make a change: it said how a save is validated and that it
// goes live at once, but not that the change can be tried on recorded events first, nor how to get the set in
// force to copy and edit for that. The page now says so under "Change a file", naming the version in force.
import { afterEach, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Db } from "../src/cases/db.js";
import { testDb } from "./helpers/db.js";
import { Auth } from "../src/web/auth.js";
import { CONSOLE } from "../src/cases/store.js";
import { buildWebServer } from "../src/web/server.js";
import { createLogger } from "../src/lib/log.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { filesOf, recordVersion } from "../src/rules/history.js";

const open: { dir: string; db: Db; app?: FastifyInstance }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    await s.app?.close();
    await s.db.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

describe("the Rules page, before a change", { timeout: 60_000 }, () => {
  it("says how to backtest it first, with the command that writes the set in force to a directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-tuner-page-backtest-"));
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const db = await testDb();
    const s: (typeof open)[number] = { dir, db };
    open.push(s);
    const rs = loadRuleSet(dir);
    await recordVersion(db, rs, filesOf(rs), "directory", "directory");
    const auth = new Auth(db);
    await auth.addUser(CONSOLE, { username: "tuner", role: "rule-tuner", password: "tuner-password-long" });
    const { token } = await auth.createToken(CONSOLE, "tuner", "test");
    const app = (s.app = await buildWebServer({ db, log: createLogger("silent" as "fatal"), rulesDir: dir }));
    const page = (await app.inject({ method: "GET", url: "/rules", headers: { authorization: `Bearer ${token}` } })).body;
    const change = page.slice(page.indexOf("<h2>Change a file</h2>"));
    expect(change).toContain(
      `Before saving, you can try a change on recorded events: <code>moneytrail rules export ${rs.version.slice(0, 19)} DIR</code> writes the set in force to a directory to copy and edit (or copy the files below), and <code>moneytrail backtest</code> runs both over the events (docs/backtest.md): which merchants gain or lose an alert, how much sooner or later the others are alerted, precision and recall against labels.`,
    );
  });
});
