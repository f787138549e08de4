// Who may do what. Users have one role; they sign in to the page (a session cookie) or call the API with a
// token. Passwords are scrypt hashes; tokens and sessions are kept as SHA-256 hashes, so the tables open nothing.
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { z } from "zod";
import type { Db } from "../cases/db.js";
import { ROLES, writeAudit, type Actor, type Role } from "../cases/store.js";

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** Each permission and the roles that hold it. Reviewers see cases; rule tuners change rules; admins manage access. */
export const PERMISSIONS = {
  "cases:read": ["reviewer"],
  "cases:act": ["reviewer"],
  "rules:read": ["rule-tuner"],
  "rules:write": ["rule-tuner"],
  "users:manage": ["admin"],
  "audit:export": ["admin"],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export const can = (role: Role, p: Permission): boolean => (PERMISSIONS[p] as readonly Role[]).includes(role);

export const Username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, "2-64 characters: lowercase letters, digits, dot, dash, underscore");
export const NewUser = z.strictObject({ username: Username, role: z.enum(ROLES), password: z.string().min(12, "at least 12 characters").max(256).optional() });

const SESSION_HOURS = 8;
const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");
const secret = (prefix: string): string => `${prefix}${randomBytes(24).toString("base64url")}`;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString("base64")}$${key.toString("base64")}`;
}

async function passwordMatches(password: string, stored: string | null): Promise<boolean> {
  const [scheme, salt, key] = (stored ?? "").split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const got = await scrypt(password, Buffer.from(salt, "base64"), 32);
  return timingSafeEqual(got, Buffer.from(key, "base64"));
}

export interface Session extends Actor {
  csrf: string;
}

export class Auth {
  constructor(private readonly db: Db) {}

  /** Adds a user; returns the password (generated when none is given: shown once, stored only as a hash). */
  async addUser(by: Actor, input: unknown): Promise<{ username: string; role: Role; password: string }> {
    const u = NewUser.parse(input);
    const password = u.password ?? randomBytes(12).toString("base64url");
    await this.db.tx(async (q) => {
      const r = await q.query("INSERT INTO mt_users (username, role, password_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING username", [
        u.username,
        u.role,
        await hashPassword(password),
      ]);
      if (!r.rows[0]) throw new AuthError(409, `user ${u.username} exists already`);
      await writeAudit(q, by, "user-add", { target: u.username, after: { role: u.role } });
    });
    return { username: u.username, role: u.role, password };
  }

  async users(): Promise<{ username: string; role: Role; disabled: boolean; tokens: number }[]> {
    const r = await this.db.query<{ username: string; role: Role; disabled: boolean; tokens: number }>(
      `SELECT u.username, u.role, u.disabled, count(t.token_hash) FILTER (WHERE t.revoked_at IS NULL)::int AS tokens
       FROM mt_users u LEFT JOIN mt_tokens t USING (username) GROUP BY u.username ORDER BY u.username`,
    );
    return r.rows;
  }

  /** A new API token for a user: returned once; its id is the first 12 hex digits of its hash. */
  async createToken(by: Actor, username: string, label: string): Promise<{ token: string; id: string }> {
    const token = secret("mt_");
    const hash = sha256(token);
    await this.db.tx(async (q) => {
      const u = await q.query("SELECT 1 FROM mt_users WHERE username = $1", [username]);
      if (!u.rows[0]) throw new AuthError(404, `no user ${username}`);
      await q.query("INSERT INTO mt_tokens (token_hash, username, label) VALUES ($1, $2, $3)", [hash, username, label || "api"]);
      await writeAudit(q, by, "token-create", { target: username, after: { id: hash.slice(0, 12), label } });
    });
    return { token, id: hash.slice(0, 12) };
  }

  async revokeToken(by: Actor, id: string): Promise<void> {
    if (!/^[0-9a-f]{12}$/.test(id)) throw new AuthError(404, "a token id is 12 hex digits");
    await this.db.tx(async (q) => {
      const r = await q.query<{ username: string }>(
        "UPDATE mt_tokens SET revoked_at = now() WHERE left(token_hash, 12) = $1 AND revoked_at IS NULL RETURNING username",
        [id],
      );
      if (!r.rows[0]) throw new AuthError(404, `no live token ${id}`);
      await writeAudit(q, by, "token-revoke", { target: r.rows[0].username, before: { id } });
    });
  }

  async byToken(token: string): Promise<Actor | null> {
    const r = await this.db.query<Actor>(
      `SELECT u.username, u.role FROM mt_tokens t JOIN mt_users u USING (username)
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled`,
      [sha256(token)],
    );
    return r.rows[0] ?? null;
  }

  /** Signs in: a new session id (for the cookie) and its CSRF token, or null when the name or password is wrong. */
  async login(username: string, password: string): Promise<{ sessionId: string; session: Session } | null> {
    const r = await this.db.query<{ username: string; role: Role; password_hash: string | null }>(
      "SELECT username, role, password_hash FROM mt_users WHERE username = $1 AND NOT disabled",
      [username],
    );
    const u = r.rows[0];
    // compare against a dummy hash for unknown users too, so timing does not tell which names exist
    const ok = await passwordMatches(password, u?.password_hash ?? "scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    if (!u || !ok) return null;
    const sessionId = secret("");
    const csrf = secret("");
    await this.db.tx(async (q) => {
      await q.query("DELETE FROM mt_sessions WHERE expires_at < now()");
      await q.query(`INSERT INTO mt_sessions (session_hash, username, csrf, expires_at) VALUES ($1, $2, $3, now() + interval '${SESSION_HOURS} hours')`, [
        sha256(sessionId),
        u.username,
        csrf,
      ]);
      await writeAudit(q, { username: u.username, role: u.role }, "login");
    });
    return { sessionId, session: { username: u.username, role: u.role, csrf } };
  }

  async bySession(sessionId: string): Promise<Session | null> {
    const r = await this.db.query<Session>(
      `SELECT u.username, u.role, s.csrf FROM mt_sessions s JOIN mt_users u USING (username)
       WHERE s.session_hash = $1 AND s.expires_at > now() AND NOT u.disabled`,
      [sha256(sessionId)],
    );
    return r.rows[0] ?? null;
  }

  async logout(sessionId: string): Promise<void> {
    await this.db.query("DELETE FROM mt_sessions WHERE session_hash = $1", [sha256(sessionId)]);
  }
}

export class AuthError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** The actor for changes made from the command line by whoever runs it on the server. */
export const CONSOLE: Actor = { username: "console", role: "admin" };
