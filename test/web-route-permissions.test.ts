// Every route of the reviewers' web server with the permission it needs, written out: a route added without a
// permission (open to anyone who reaches the port), or under a broader one than its data needs, fails here.
// test/integration/cases.test.ts checks each guarded route against each role (app.guarded, which lists only the
// routes that have a permission); this one also sees the routes that have none, through fastify's onRoute.
// Roles (README): reviewers see and work cases; rule tuners read and change rules; admins manage users and keys;
// auditors read the audit export; the review report (counts, usernames, no case) goes to reviewers and admins.
import { describe, expect, it, vi } from "vitest";
import { embeddedWeb } from "./helpers/web.js";
import { defaultRulesCopies } from "./helpers/rules.js";
import { PERMISSIONS } from "../src/web/auth.js";

const routes: { method: string; url: string; perm?: string }[] = [];
vi.mock("fastify", async (importOriginal) => {
  const m = await importOriginal<typeof import("fastify")>();
  const withRoutesSeen = ((options?: object) => {
    const app = (m.default as (o?: object) => import("fastify").FastifyInstance)(options);
    app.addHook("onRoute", (r) => {
      for (const method of ([] as string[]).concat(r.method)) if (method !== "HEAD") routes.push({ method, url: r.url, perm: (r.config as { perm?: string } | undefined)?.perm });
    });
    return app;
  }) as typeof m.default;
  return { ...m, default: withRoutesSeen };
});

const web = embeddedWeb();
const rulesDir = defaultRulesCopies("route-permissions");

/** The routes, by permission; "open" before a sign-in: only signing in and out. */
const EXPECTED: Record<string, string[]> = {
  open: ["GET /login", "POST /login", "POST /logout"],
  "account:self": ["GET /", "GET /password", "POST /password", "GET /api/me", "POST /api/me/password"],
  "cases:read": [
    "GET /cases",
    "GET /cases/:id",
    "GET /cases/:id/print",
    "GET /cases/:id/export.json",
    "GET /cases/:id/audit.csv",
    "GET /api/cases",
    "GET /api/cases/:id",
    "GET /api/cases/:id/export",
    "GET /api/cases/:id/sightings",
    "GET /api/cases/:id/audit",
  ],
  "cases:act": ["POST /cases/:id/action", "POST /cases/:id/comment", "POST /cases/:id/reveal", "POST /api/cases/:id/actions", "POST /api/cases/:id/comments", "POST /api/cases/:id/reveal"],
  "cases:report": ["GET /report", "GET /api/report", "GET /report.csv"],
  "audit:export": ["GET /audit", "GET /api/audit", "GET /audit.csv"],
  "users:manage": [
    "GET /admin",
    "POST /admin/users",
    "POST /admin/tokens",
    "POST /admin/tokens/:id/revoke",
    "POST /admin/users/:name",
    "POST /admin/users/:name/password",
    "GET /api/users",
    "POST /api/users",
    "PATCH /api/users/:name",
    "POST /api/users/:name/password",
    "POST /api/users/:name/tokens",
    "DELETE /api/tokens/:id",
  ],
  "rules:read": [
    "GET /rules",
    "GET /rules/diff",
    "GET /api/rules",
    "GET /api/rules/status",
    "GET /api/rules/versions",
    "GET /api/rules/periods",
    "GET /api/rules/versions/:version",
    "GET /api/rules/diff",
    "GET /api/rules/hits",
    "GET /api/rules/feedback",
  ],
  "rules:write": ["POST /rules/:file", "PUT /api/rules/:file", "POST /api/rules/versions/:version/restore", "POST /rules/restore"],
};

describe("the web server's routes", () => {
  it("are each guarded by the permission their data needs, and only sign-in and sign-out are open", async () => {
    routes.length = 0;
    await web({ rulesDir: rulesDir() });
    const byPerm: Record<string, string[]> = {};
    for (const r of routes) (byPerm[r.perm ?? "open"] ??= []).push(`${r.method} ${r.url}`);
    for (const list of [...Object.values(byPerm), ...Object.values(EXPECTED)]) list.sort();
    expect(byPerm).toEqual(EXPECTED);
    // every permission named is one the roles table knows, and the table has no permission no route uses
    expect(Object.keys(EXPECTED).filter((p) => p !== "open").sort()).toEqual(Object.keys(PERMISSIONS).sort());
  });

  it("without rules served, has no rule route", async () => {
    routes.length = 0;
    await web();
    expect(routes.filter((r) => r.url.includes("rules"))).toEqual([]);
    expect(routes.length).toBe(Object.values(EXPECTED).flat().length - EXPECTED["rules:read"]!.length - EXPECTED["rules:write"]!.length);
  });
});
