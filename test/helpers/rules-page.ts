// The Rules page as the demo serves it, for tests of what a rule tuner sees and does there.
import { afterEach } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Db } from "../../src/cases/db.js";
import { CONSOLE } from "../../src/cases/store.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { createLogger } from "../../src/lib/log.js";
import { fileVersion, filesOf, recordVersion } from "../../src/rules/history.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { Auth } from "../../src/web/auth.js";
import { buildWebServer } from "../../src/web/server.js";
import { testDb } from "./db.js";

/**
 * Call once at a test file's top level: what it returns serves the Rules page as the demo does, over a copy of the
 * default pack recorded in force (a directory, no running consumer), with a rule tuner's API token. The server,
 * database and copy are closed and removed after each test.
 */
export function rulesPageOverCopy(name: string) {
  const open: { dir: string; db: Db; app?: FastifyInstance }[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) {
      await s.app?.close();
      await s.db.close();
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), `mt-${name}-`));
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const db = await testDb();
    const s: (typeof open)[number] = { dir, db };
    open.push(s);
    const ruleSet = loadRuleSet(dir);
    // as the demo does at its start (no engine: the page's own watcher finds hand edits)
    await recordVersion(db, ruleSet, filesOf(ruleSet), "directory", "directory");
    const auth = new Auth(db);
    await auth.addUser(CONSOLE, { username: "tuner", role: "rule-tuner", password: "tuner-password-long" });
    const { token } = await auth.createToken(CONSOLE, "tuner", "test");
    const app = (s.app = await buildWebServer({ db, log: createLogger("silent" as "fatal"), rulesDir: dir }));
    const headers = { authorization: `Bearer ${token}` };
    /** a file of the copy saved through the page as `edit` changes it, as the tuner's form sends it */
    const save = (file: string, edit: (text: string) => string, note: string) => {
      const original = readFileSync(join(dir, file), "utf8");
      return app.inject({ method: "POST", url: `/rules/${file}`, headers, payload: { content: edit(original), base: fileVersion(original), note } });
    };
    return { dir, db, app, ruleSet, headers, save };
  };
}
