// A SIEM's audit-trail token could only be an admin's (the one role that read GET /api/audit), so it could also manage
// users. The operator now adds an auditor (`users add NAME --role auditor`, stored on the real PostgreSQL, whose role
// check migration 23 widens) and gives it a token (`users token NAME`) that reads the audit export and nothing else.
import { describe, expect, it } from "vitest";
import { buildWebServer } from "../../src/web/server.js";
import { createLogger } from "../../src/lib/log.js";
import { serverSchema } from "./harness.js";

const { db, cli } = serverSchema("usersauditor");

describe("users add --role auditor", () => {
  it("adds an auditor whose token reads the audit export and is refused the rest", { timeout: 120_000 }, async () => {
    const added = cli("users", "add", "siem", "--role", "auditor");
    expect(added.stderr).toBe("");
    expect(added.status).toBe(0);
    expect(added.stdout).toMatch(/^added siem \(auditor\); one-time password: \S+\n$/);
    const token = cli("users", "token", "siem", "--label", "collector");
    expect(token.status, token.stderr).toBe(0);
    const bearer = { authorization: `Bearer ${token.stdout.trim().split("\n").at(-1)}` };
    expect(cli("users", "list").stdout).toMatch(/\nsiem +auditor +no +\w{12} \(collector\) until /);

    const app = await buildWebServer({ db: db(), log: createLogger("silent" as "fatal") });
    try {
      const audit = await app.inject({ method: "GET", url: "/api/audit", headers: bearer });
      expect(audit.statusCode, audit.body).toBe(200);
      const actions = audit.body.trim().split("\n").map((l) => (JSON.parse(l) as { action: string }).action);
      expect(actions).toEqual(["user-add", "token-create"]);
      for (const url of ["/api/cases", "/api/users", "/admin"]) expect((await app.inject({ method: "GET", url, headers: bearer })).statusCode, url).toBe(403);
    } finally {
      await app.close();
    }
  });
});
