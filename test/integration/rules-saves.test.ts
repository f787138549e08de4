// Rule saves from two processes' pages at once, on PostgreSQL: processes that share the rules directory and the
// database take their turns, so every tuner's change stays (test/rules-routes.test.ts has one process's own queue).
import { afterAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { serverDb, type Db } from "../../src/cases/db.js";
import { Auth, CONSOLE } from "../../src/web/auth.js";
import { buildWebServer } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { freshNames, freshSchema } from "./harness.js";

describe("rule saves from two processes", () => {
  const dir = mkdtempSync(join(tmpdir(), "mt-rules-saves-"));
  const open: { db: Db; app: FastifyInstance }[] = [];
  afterAll(async () => {
    for (const o of open) {
      await o.app.close();
      await o.db.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps every change to a different file, and the audit chains the versions as they went into force", async () => {
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
    const { token } = await auth.createToken(CONSOLE, "tuner", "test");
    const v1 = loadRuleSet(dir).version;
    const names = ["chargebacks.yaml", "descriptors.yaml", "identity.yaml", "sales.yaml", "sites.yaml"];
    const changed = names.map((n) => readFileSync(join(dir, n), "utf8").replace(/weight: (\d+)/, (_m, w: string) => `weight: ${Number(w) - 1}`));
    const res = await Promise.all(
      names.map((n, i) =>
        open[i % 2]!.app.inject({ method: "PUT", url: `/api/rules/${n}`, headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" }, payload: changed[i]! }),
      ),
    );
    for (const r of res) expect(r.statusCode, r.body).toBe(200);
    expect(names.map((n) => readFileSync(join(dir, n), "utf8"))).toEqual(changed);
    const changes = (await open[0]!.db.query<{ before: { version: string }; after: { version: string } }>("SELECT before, after FROM mt_audit WHERE action = 'rules-change' ORDER BY audit_id")).rows;
    expect(changes.map((c) => c.before.version)).toEqual([v1, ...changes.slice(0, -1).map((c) => c.after.version)]);
    expect(changes.at(-1)!.after.version).toBe(loadRuleSet(dir).version);
  });
});
