// A save or a restore said only the new version, so a tuner who emptied a file or saved the wrong one learnt nothing
// of the rules it took out of force (and a set's version says nothing of its rules). The API's answer and the page's
// notice now name the rules the save added, removed and changed against the set it replaced.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

let app: FastifyInstance;
let db: Db;
let token: string;
const dir = mkdtempSync(join(tmpdir(), "mt-rules-save-changes-"));
cpSync(DEFAULT_RULES, dir, { recursive: true });
const original = loadRuleSet(dir).version;

beforeAll(async () => {
  db = await testDb();
  const rs = loadRuleSet(dir);
  await recordVersion(db, rs, filesOf(rs), "directory");
  const auth = new Auth(db);
  await auth.addUser(CONSOLE, { username: "tuner", role: "rule-tuner", password: "tuner-password-long" });
  token = (await auth.createToken(CONSOLE, "tuner", "test")).token;
  app = await buildWebServer({ db, log: createLogger("silent" as "fatal"), rulesDir: dir });
});
afterAll(async () => {
  await app.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const headers = () => ({ authorization: `Bearer ${token}` });
const text = (file: string) => readFileSync(join(dir, file), "utf8");

describe("a save names the rules it changed", () => {
  it("an emptied file: its rules removed", async () => {
    const res = await app.inject({ method: "PUT", url: "/api/rules/sales.yaml", headers: { ...headers(), "content-type": "text/plain", "if-match": `"${fileVersion(text("sales.yaml"))}"` }, payload: "" });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().rules).toEqual({ added: [], removed: ["card-testing", "cross-border", "high-risk-mcc", "subscription-pattern"], changed: [] });
  });

  it("a page save: the rule it put in shadow changed, in the notice", async () => {
    const content = text("sites.yaml").replace("typology: disguised-site", "typology: disguised-site\n    mode: shadow");
    const res = await app.inject({ method: "POST", url: "/rules/sites.yaml", headers: headers(), payload: { content, base: fileVersion(text("sites.yaml")) } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("sites.yaml saved: rule set version sha256:");
    expect(res.body).toContain("Rules changed: cloaked-content.");
  });

  it("a restore: what it brings back", async () => {
    const res = await app.inject({ method: "POST", url: `/api/rules/versions/${original}/restore`, headers: headers() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      id: "efc-default",
      version: original,
      rules: { added: ["card-testing", "cross-border", "high-risk-mcc", "subscription-pattern"], removed: [], changed: ["cloaked-content"] },
    });
  });

  it("over a directory a hand edit broke: against the set in force", async () => {
    writeFileSync(join(dir, "broken.yaml"), "rules:\n  - id: broken\n    kind: no-such-kind\n");
    const res = await app.inject({ method: "PUT", url: "/api/rules/broken.yaml", headers: { ...headers(), "content-type": "text/plain", "if-match": `"${fileVersion(text("broken.yaml"))}"` }, payload: "rules: []\n" });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ version: original, rules: { added: [], removed: [], changed: [] } });
  });
});
