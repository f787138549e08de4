// A tuner trying the Rules page in the demo saved a change and was told "running consumers pick it up without a
// restart": the demo runs none, so nothing picked it up, and the sample's alerts and cases stayed as they were while
// the notice said the change was live. A page served without a consumer (the demo's: no rules status from a running
// consumer) now says that nothing runs the change here, and how to see what it would flag.
import { afterEach, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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
import { fileVersion, filesOf, recordVersion } from "../src/rules/history.js";

const open: { dir: string; db: Db; app?: FastifyInstance }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    await s.app?.close();
    await s.db.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

describe("a save on a Rules page that no consumer runs with (the demo)", { timeout: 60_000 }, () => {
  it("does not say a consumer picks it up", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-tuner-demo-notice-"));
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const db = await testDb();
    const s: (typeof open)[number] = { dir, db };
    open.push(s);
    const rs = loadRuleSet(dir);
    await recordVersion(db, rs, filesOf(rs), "directory", "directory");
    const auth = new Auth(db);
    await auth.addUser(CONSOLE, { username: "tuner", role: "rule-tuner", password: "tuner-password-long" });
    const { token } = await auth.createToken(CONSOLE, "tuner", "test");
    // as the demo serves it: the rules directory, and no running consumer's rules status
    const app = (s.app = await buildWebServer({ db, log: createLogger("silent" as "fatal"), rulesDir: dir }));
    const original = readFileSync(join(dir, "sites.yaml"), "utf8");
    const saved = await app.inject({
      method: "POST",
      url: "/rules/sites.yaml",
      headers: { authorization: `Bearer ${token}` },
      payload: { content: original.replace("weight: 45", "weight: 48"), base: fileVersion(original), note: "try weight 48" },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.body).not.toContain("running consumers pick it up");
    expect(saved.body).toContain(
      "no consumer runs with this page (the demo), so no alert or case changes here: backtest the change on recorded events to see what it would flag (moneytrail backtest, docs/backtest.md).",
    );
  });
});
