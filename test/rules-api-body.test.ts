// PUT /api/rules/:file takes the file's text as its body. A body that is not one (curl's --data-binary sends a
// form content type by default, so the YAML arrives as form fields; a JSON object without "content") used to be
// saved as an empty file: every rule in it gone, in force seconds later, and recorded as the tuner's change.
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

let app: FastifyInstance | undefined;
let db: Db | undefined;
let dir: string | undefined;
afterEach(async () => {
  await app?.close();
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function setup(): Promise<{ token: string; dir: string; app: FastifyInstance; db: Db }> {
  dir = mkdtempSync(join(tmpdir(), "mt-rules-body-"));
  cpSync(DEFAULT_RULES, dir, { recursive: true });
  db = await testDb();
  const rs = loadRuleSet(dir);
  await recordVersion(db, rs, filesOf(rs), "directory");
  const auth = new Auth(db);
  await auth.addUser(CONSOLE, { username: "tuner", role: "rule-tuner", password: "tuner-password-long" });
  const { token } = await auth.createToken(CONSOLE, "tuner", "test");
  app = await buildWebServer({ db, log: createLogger("silent" as "fatal"), rulesDir: dir });
  return { token, dir, app, db };
}

describe("PUT /api/rules/:file with a body that is not the file's text", { timeout: 60_000 }, () => {
  it.each([
    ["a form (curl --data-binary's default content type)", "application/x-www-form-urlencoded", (yaml: string) => yaml],
    ["a JSON object without content", "application/json", (yaml: string) => JSON.stringify({ yaml })],
  ])("%s is refused, saying how to send it, and the file stays", async (_what, type, body) => {
    const s = await setup();
    const before = readFileSync(join(s.dir, "sales.yaml"), "utf8");
    const edited = before.replace(/weight: (\d+)/, "weight: 1");
    const res = await s.app.inject({
      method: "PUT",
      url: "/api/rules/sales.yaml",
      headers: { authorization: `Bearer ${s.token}`, "content-type": type, "if-match": `"${fileVersion(before)}"` },
      payload: body(edited),
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatch(/text\/plain or application\/yaml/);
    expect(readFileSync(join(s.dir, "sales.yaml"), "utf8")).toBe(before);
    expect((await s.db.query("SELECT 1 FROM mt_audit WHERE action = 'rules-change'")).rows).toEqual([]);
  });

  it("an empty file sent as text is still a save (a tuner may empty a file on purpose)", async () => {
    const s = await setup();
    const before = readFileSync(join(s.dir, "descriptors.yaml"), "utf8");
    const res = await s.app.inject({
      method: "PUT",
      url: "/api/rules/descriptors.yaml?note=test",
      headers: { authorization: `Bearer ${s.token}`, "content-type": "text/plain", "if-match": `"${fileVersion(before)}"` },
      payload: "",
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(readFileSync(join(s.dir, "descriptors.yaml"), "utf8")).toBe("");
  });
});
