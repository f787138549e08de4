// A request refused for lack of permission (403) left no trace: an admin could not see a reviewer probing the user
// routes, or a rule tuner who needs the cases. Each is now logged at warn (user, role, route, permission; never a
// token or a body) and counted in moneytrail_web_requests_refused_total, not written to the audit trail.
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/lib/log.js";
import { createMetrics } from "../src/app/metrics.js";
import { bearer, embeddedWeb } from "./helpers/web.js";

const openWeb = embeddedWeb();

describe("a request refused for lack of permission", { timeout: 60_000 }, () => {
  it("is logged at warn with the user, role, route and permission, and counted", async () => {
    const lines: string[] = [];
    const metrics = createMetrics();
    const { db, auth, app } = await openWeb({ log: createLogger("warn", { write: (l: string) => void lines.push(l) }), metrics });
    const reviewer = await bearer(auth, "rita", "reviewer");
    const tuner = await bearer(auth, "tom", "rule-tuner");
    const auditRows = async () => (await db.query<{ n: string }>("SELECT count(*)::text AS n FROM mt_audit")).rows[0]!.n;
    const before = await auditRows();

    expect((await app.inject({ method: "GET", url: "/api/users", headers: reviewer })).statusCode).toBe(403);
    expect((await app.inject({ method: "GET", url: "/api/cases/7", headers: tuner })).statusCode).toBe(403);
    // allowed: neither logged nor counted
    expect((await app.inject({ method: "GET", url: "/api/cases", headers: reviewer })).statusCode).toBe(200);

    const refused = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request refused: the user's role lacks the permission");
    expect(refused.map(({ level, user, role, route, permission }) => ({ level, user, role, route, permission }))).toEqual([
      { level: 40, user: "rita", role: "reviewer", route: "GET /api/users", permission: "users:manage" },
      { level: 40, user: "tom", role: "rule-tuner", route: "GET /api/cases/:id", permission: "cases:read" },
    ]);
    const tokens = [reviewer, tuner].map((h) => h.authorization.slice("Bearer ".length));
    for (const l of lines) for (const t of tokens) expect(l).not.toContain(t);
    const text = await metrics.registry.metrics();
    expect(text).toContain('moneytrail_web_requests_refused_total{permission="users:manage",role="reviewer"} 1');
    expect(text).toContain('moneytrail_web_requests_refused_total{permission="cases:read",role="rule-tuner"} 1');
    // not in the append-only audit trail
    expect(await auditRows()).toBe(before);
  });
});
