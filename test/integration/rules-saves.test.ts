// Rule saves from two processes' pages at once, on PostgreSQL: processes that share the rules directory and the
// database take their turns, so every tuner's change to a different file stays, and of two changes made from the
// same version of one file the second is refused rather than silently undoing the first
// (test/rules-routes.test.ts has one process's own queue).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { serverDb, type Db } from "../../src/cases/db.js";
import { Auth } from "../../src/web/auth.js";
import { CONSOLE } from "../../src/cases/store.js";
import { buildWebServer } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { fileVersion } from "../../src/rules/history.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { freshNames, freshSchema } from "./harness.js";

describe("rule saves from two processes", () => {
  const dir = mkdtempSync(join(tmpdir(), "mt-rules-saves-"));
  const open: { db: Db; app: FastifyInstance }[] = [];
  let token = "";
  beforeAll(async () => {
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const url = await freshSchema(freshNames("rules-saves"));
    for (let i = 0; i < 2; i++) {
      const db = await serverDb(url, 3);
      // each transaction begins a little late, so that the two processes' saves overlap
      const slow: Db = { ...db, tx: async (work) => (await new Promise((r) => setTimeout(r, 50)), db.tx(work)) };
      open.push({ db, app: await buildWebServer({ db: slow, log: createLogger("silent" as "fatal"), rulesDir: dir }) });
    }
    const auth = new Auth(open[0]!.db);
    await auth.addUser(CONSOLE, { username: "tuner", role: "rule-tuner", password: "tuner-password-long" });
    ({ token } = await auth.createToken(CONSOLE, "tuner", "test"));
  });
  afterAll(async () => {
    for (const o of open) {
      await o.app.close();
      await o.db.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  const lowerWeight = (text: string) => text.replace(/weight: (\d+)/, (_m, w: string) => `weight: ${Number(w) - 1}`);
  /** a PUT through process `i`, made from version `base` of the file */
  const put = (i: number, name: string, payload: string, base: string) =>
    open[i % 2]!.app.inject({ method: "PUT", url: `/api/rules/${name}?note=test`, headers: { authorization: `Bearer ${token}`, "content-type": "text/plain", "if-match": `"${base}"` }, payload });
  const changes = async () =>
    (await open[0]!.db.query<{ target: string; before: { version: string }; after: { version: string } }>("SELECT target, before, after FROM mt_audit WHERE action = 'rules-change' ORDER BY audit_id")).rows;

  it("keeps every change to a different file, and the audit chains the versions as they went into force", async () => {
    const v1 = loadRuleSet(dir).version;
    const names = ["chargebacks.yaml", "descriptors.yaml", "identity.yaml", "sales.yaml", "sites.yaml"];
    const changed = names.map((n) => lowerWeight(read(n)));
    const res = await Promise.all(names.map((n, i) => put(i, n, changed[i]!, fileVersion(read(n)))));
    for (const r of res) expect(r.statusCode, r.body).toBe(200);
    expect(names.map(read)).toEqual(changed);
    const all = await changes();
    expect(all.map((c) => c.before.version)).toEqual([v1, ...all.slice(0, -1).map((c) => c.after.version)]);
    expect(all.at(-1)!.after.version).toBe(loadRuleSet(dir).version);
  });

  it("of two changes to one file made from the same version, one in each process, the first lands and the second is refused", async () => {
    const opened = read("sites.yaml");
    const before = (await changes()).length;
    const texts = [lowerWeight(opened), lowerWeight(lowerWeight(opened))];
    const res = await Promise.all(texts.map((t, i) => put(i, "sites.yaml", t, fileVersion(opened))));
    expect(res.map((r) => r.statusCode).sort(), res.map((r) => r.body).join("\n")).toEqual([200, 409]);
    const landed = texts[res.findIndex((r) => r.statusCode === 200)]!;
    expect(read("sites.yaml")).toBe(landed);
    expect(res.find((r) => r.statusCode === 409)!.json().error).toContain(`If-Match: "${fileVersion(landed)}"`);
    expect((await changes()).slice(before)).toEqual([expect.objectContaining({ target: "sites.yaml", after: { version: loadRuleSet(dir).version } })]);
    const recorded = await open[0]!.db.query<{ version: string }>("SELECT version FROM mt_rule_versions WHERE recorded_by = 'tuner' AND files->>'sites.yaml' = ANY($1)", [texts]);
    expect(recorded.rows.map((r) => r.version)).toEqual([loadRuleSet(dir).version]);
  });
});
