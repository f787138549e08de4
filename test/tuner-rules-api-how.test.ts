// A tuner put a change live with the README's curl (PUT /api/rules/FILE with an API token); the Rules page's "In
// force" table then said it was "saved on this page", and GET /api/rules/periods gave how "page": an auditor asking
// how a change went live, or a tuner looking for the script that made it, was told the wrong thing. A save through
// the API is recorded as how "api" ("saved through the API" on the page); one on the page stays "page".
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
import { fileVersion, filesOf, recordVersion, type RulePeriod } from "../src/rules/history.js";

const open: { dir: string; db: Db; app?: FastifyInstance }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    await s.app?.close();
    await s.db.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

describe("how a version was put in force", { timeout: 60_000 }, () => {
  it("a save through the API is recorded and shown as such, not as the page's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-tuner-api-how-"));
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const db = await testDb();
    const s: (typeof open)[number] = { dir, db };
    open.push(s);
    const first = loadRuleSet(dir);
    await recordVersion(db, first, filesOf(first), "directory", "directory");
    const auth = new Auth(db);
    await auth.addUser(CONSOLE, { username: "tuner", role: "rule-tuner", password: "tuner-password-long" });
    const { token } = await auth.createToken(CONSOLE, "tuner", "test");
    const app = (s.app = await buildWebServer({ db, log: createLogger("silent" as "fatal"), rulesDir: dir }));
    const headers = { authorization: `Bearer ${token}` };

    const original = readFileSync(join(dir, "sites.yaml"), "utf8");
    const saved = await app.inject({
      method: "PUT",
      url: "/api/rules/sites.yaml?note=weight%2048%20for%20low-volume%20laundering",
      headers: { ...headers, "content-type": "text/plain", "if-match": `"${fileVersion(original)}"` },
      payload: original.replace("weight: 45", "weight: 48"),
    });
    expect(saved.statusCode, saved.body).toBe(200);

    const periods = (await app.inject({ method: "GET", url: "/api/rules/periods", headers })).json<RulePeriod[]>();
    expect(periods.map((p) => [p.putBy, p.how])).toEqual([
      ["tuner", "api"],
      ["directory", "directory"],
    ]);
    const page = (await app.inject({ method: "GET", url: "/rules", headers })).body;
    const table = page.slice(page.indexOf('<table id="periods">'));
    expect(table).toContain("<td>tuner</td><td>saved through the API</td>");
    expect(table).not.toContain("saved on this page");
  });
});
