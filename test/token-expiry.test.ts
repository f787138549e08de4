// API tokens never expired: one copied into a script or a ticket years ago still opened every case. A token now
// expires (MT_TOKEN_DAYS after its creation, 90 by default, or the days asked for, at most 365), an expired one is
// refused with a 401 that says so and where a new one comes from, and the admin's list shows each live token's
// expiry. Tokens made before migration 16 expire MT's default 90 days after it.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { FastifyInstance } from "fastify";
import type { Db } from "../src/cases/db.js";
import { testDb } from "./helpers/db.js";
import { CONSOLE } from "../src/cases/store.js";
import { Auth, AuthError } from "../src/web/auth.js";
import { authSettings } from "../src/config/auth.js";
import { buildWebServer } from "../src/web/server.js";
import { migrate } from "../src/sinks/postgres/migrations.js";
import { createLogger } from "../src/lib/log.js";

const DAY = 86_400_000;
let db: Db;
let app: FastifyInstance;
let auth: Auth;
beforeAll(async () => {
  db = await testDb();
  app = await buildWebServer({ db, log: createLogger("silent" as "fatal") });
  auth = new Auth(db);
  await auth.addUser(CONSOLE, { username: "rev", role: "reviewer", password: "rev-password-long" });
  await auth.addUser(CONSOLE, { username: "adm", role: "admin", password: "adm-password-long" });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
});

const daysFromNow = (iso: string) => (Date.parse(iso) - Date.now()) / DAY;
const me = (token: string) => app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${token}` } });

describe("API tokens", { timeout: 60_000 }, () => {
  it("expire after 90 days by default or the days asked for, at most 365, and an expired one is refused saying so and what to do", async () => {
    const t = await auth.createToken(CONSOLE, "rev", "script");
    expect(daysFromNow(t.expiresAt)).toBeCloseTo(90, 1);
    expect((await me(t.token)).statusCode).toBe(200);
    expect(daysFromNow((await auth.createToken(CONSOLE, "rev", "week", 7)).expiresAt)).toBeCloseTo(7, 1);
    await expect(auth.createToken(CONSOLE, "rev", "long", 366)).rejects.toThrow(new AuthError(400, "days: a token lasts from 1 to 365 days (a whole number)"));

    await db.query("UPDATE mt_tokens SET expires_at = '2026-01-02T03:04:05Z' WHERE left(token_hash, 12) = $1", [t.id]);
    const expired = await me(t.token);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error).toBe(
      `API token ${t.id} expired at 2026-01-02T03:04:05.000Z: a new one comes from the operator, on the server (\`moneytrail users token rev\`); an admin can create their own on the admin page`,
    );
    // a page asked with it is refused the same way, not sent to the sign-in form
    expect((await app.inject({ method: "GET", url: "/cases", headers: { authorization: `Bearer ${t.token}` } })).statusCode).toBe(401);
  });

  it("asked for by an admin take their days from the API and the page; the list and the page show each live token's expiry", async () => {
    const admin = (await auth.createToken(CONSOLE, "adm", "admin")).token;
    const as = { authorization: `Bearer ${admin}` };
    const made = await app.inject({ method: "POST", url: "/api/users/adm/tokens", headers: as, payload: { label: "ci", days: 30 } });
    expect(made.statusCode).toBe(201);
    expect(daysFromNow(made.json().expiresAt)).toBeCloseTo(30, 1);
    const tooLong = await app.inject({ method: "POST", url: "/api/users/adm/tokens", headers: as, payload: { label: "ci", days: 400 } });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error).toMatch(/^days: a token lasts from 1 to 365 days/);

    const users = (await app.inject({ method: "GET", url: "/api/users", headers: as })).json<{ username: string; tokens: number; liveTokens: { id: string; label: string; expiresAt: string }[] }[]>();
    const adm = users.find((u) => u.username === "adm")!;
    expect(adm.tokens).toBe(2);
    expect(adm.liveTokens).toEqual([
      { id: made.json().id, label: "ci", expiresAt: made.json().expiresAt },
      { id: expect.stringMatching(/^[0-9a-f]{12}$/), label: "admin", expiresAt: expect.any(String) },
    ]);
    // rev's expired token is not live
    expect(users.find((u) => u.username === "rev")!.liveTokens.map((x) => x.label)).toEqual(["week"]);

    const page = (await app.inject({ method: "GET", url: "/admin", headers: as })).body;
    expect(page).toContain(`${made.json().id} (ci) until ${made.json().expiresAt.slice(0, 16).replace("T", " ")} UTC`);
    expect(page).toContain('name="days"');
  });

  it("take their default days from MT_TOKEN_DAYS", () => {
    expect(authSettings({}).tokenDays).toBe(90);
    expect(authSettings({ MT_TOKEN_DAYS: "30" }).tokenDays).toBe(30);
    expect(() => authSettings({ MT_TOKEN_DAYS: "400" })).toThrow("MT_TOKEN_DAYS 400: expected a whole number from 1 to 365");
  });

  it("made before migration 16 expire 90 days after it", async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const lite = new PGlite();
    onTestFinished(() => lite.close());
    const raw = { query: <R>(text: string, params?: unknown[]) => lite.query<R>(text, params), exec: (sql: string) => lite.exec(sql) };
    await migrate(raw);
    // as before migration 16: a token without an expiry
    await raw.query("ALTER TABLE mt_tokens DROP COLUMN expires_at");
    await raw.query("DELETE FROM mt_schema_migrations WHERE version = 16");
    await raw.query("INSERT INTO mt_users (username, role) VALUES ('old', 'reviewer')");
    await raw.query("INSERT INTO mt_tokens (token_hash, username, label, created_at) VALUES ('ab', 'old', 'api', '2025-01-01T00:00:00Z')");
    expect(await migrate(raw)).toBe(1);
    const r = await raw.query<{ expires_at: Date }>("SELECT expires_at FROM mt_tokens");
    expect(daysFromNow(r.rows[0]!.expires_at.toISOString())).toBeCloseTo(90, 1);
  });
});
