// Who may do what. Users have one role; they sign in to the page (a session cookie) or call the API with a
// token. Passwords are scrypt hashes that carry their cost; tokens and sessions are kept as SHA-256 hashes, so the
// tables open nothing.
// A password someone else set (printed by `users add`, the demo or the admin page) is an initial one: its first
// sign-in leads to choosing a new one, and the session can do nothing else until then.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { isIP } from "node:net";
import { canonicalIp } from "../lib/ip.js";
import { sha256Hex } from "../lib/hash.js";
import { promisify } from "node:util";
import { z } from "zod";
import type { Db, Queryable } from "../cases/db.js";
import { authSettings, costText, mib, PasswordCostText, SESSION_HOURS, TokenDays, MAX_TOKEN_DAYS, type AuthSettings, type PasswordCost } from "../config/auth.js";
import { ANONYMOUS, CONSOLE, ROLES, WEBHOOK, writeAudit, type Actor, type Role } from "../cases/store.js";
import { ACTIVE } from "../cases/workflow.js";

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: ScryptOptions) => Promise<Buffer>;

/**
 * Each permission and the roles that hold it. Reviewers see cases; rule tuners change rules; admins manage access;
 * auditors read the audit trail export only (a SIEM's token must not be able to add users or revoke tokens).
 */
export const PERMISSIONS = {
  "cases:read": ["reviewer"],
  "cases:act": ["reviewer"],
  "rules:read": ["rule-tuner"],
  "rules:write": ["rule-tuner"],
  "users:manage": ["admin"],
  "audit:export": ["admin", "auditor"],
  // the review report (/report): counts and usernames, no case. Not cases:read, which would open every case to admins;
  // not the auditor's, whose token (a SIEM's) is promised the audit trail export and nothing else
  "cases:report": ["reviewer", "admin"],
  // one's own account (one's home page, who one is, one's password); the only routes open to a session whose initial
  // password is not yet replaced
  "account:self": ["reviewer", "rule-tuner", "admin", "auditor"],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

/** What each role may do, in words, for whoever chooses one (`users add --help`): PERMISSIONS said plainly. */
export const ROLE_SCOPE: Record<Role, string> = {
  reviewer: "sees and works cases, and reads the review report",
  "rule-tuner": "reads and changes rules",
  admin: "manages users and tokens, and reads the audit trail export and the review report",
  auditor: "reads the audit trail export (GET /api/audit) and nothing else",
};

export const can = (role: Role, p: Permission): boolean => (PERMISSIONS[p] as readonly Role[]).includes(role);

export const Username = z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, "2-64 characters: lowercase letters, digits, dot, dash, underscore");
const Password = z.string().min(12, "at least 12 characters").max(256);
// what the audit trail and the rules' history name where no user acted: a user by such a name would act there as the
// server's command line, a failed sign-in, a webhook or a hand edit of the rules directory
const NOT_USERS: readonly string[] = [CONSOLE.username, ANONYMOUS.username, WEBHOOK.username, "directory"];
export const NewUser = z.strictObject({
  username: Username.refine((n) => !NOT_USERS.includes(n), {
    error: (i) => `${String(i.input)} names what no user does in the audit trail (${NOT_USERS.join(", ")}): choose another name`,
  }),
  role: z.enum(ROLES),
  password: Password.optional(),
});
export const PasswordChange = z.strictObject({ currentPassword: z.string().max(256), newPassword: Password });
export const UserChange = z.strictObject({ disabled: z.boolean({ error: 'send {"disabled": true} to withdraw the user\'s access, false to give it back' }) });

// a time as JSON gives it (Date's toISOString), from either database
const isoUtc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const secret = (prefix: string): string => `${prefix}${randomBytes(24).toString("base64url")}`;

// the first form, scrypt$salt$key, was hashed at Node's default cost
const LEGACY_COST: PasswordCost = { ln: 14, r: 8, p: 1 };

const scryptOf = (password: string, salt: Buffer, c: PasswordCost) => scrypt(password, salt, 32, { N: 2 ** c.ln, r: c.r, p: c.p, maxmem: 2 * mib(c) * 2 ** 20 });
const b64 = (b: Buffer) => b.toString("base64").replace(/=+$/, "");

/** A PHC string: $scrypt$ln=14,r=8,p=5$salt$key (base64 without padding). */
export async function hashPassword(password: string, cost: PasswordCost): Promise<string> {
  const salt = randomBytes(16);
  return `$scrypt$${costText(cost)}$${b64(salt)}$${b64(await scryptOf(password, salt, cost))}`;
}

/** The cost, salt and key of a stored hash, of either form; undefined for none. */
function parseHash(stored: string | null): { cost: PasswordCost; salt: Buffer; key: Buffer } | undefined {
  const parts = (stored ?? "").split("$");
  const [cost, salt, key] =
    parts.length === 3 && parts[0] === "scrypt" ? [LEGACY_COST, parts[1], parts[2]] : parts.length === 5 && parts[1] === "scrypt" ? [PasswordCostText.safeParse(parts[2]).data, parts[3], parts[4]] : [];
  if (!cost || !salt || !key) return undefined;
  return { cost, salt: Buffer.from(salt, "base64"), key: Buffer.from(key, "base64") };
}

export async function passwordMatches(password: string, stored: string | null): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) return false;
  const got = await scryptOf(password, h.salt, h.cost);
  return got.length === h.key.length && timingSafeEqual(got, h.key);
}

/** A token a password change revoked: what its user needs to re-issue it. */
export interface RevokedToken {
  id: string;
  name: string;
  createdAt: string;
}

export interface LiveToken {
  id: string;
  label: string;
  expiresAt: string;
}

type UserRow = { username: string; role: Role; password_hash: string | null; must_change: boolean; disabled: boolean };

export interface Session extends Actor {
  csrf: string;
  /** signed in with an initial password, not yet replaced */
  mustChangePassword: boolean;
  /** a case's form its sign-in kept (sent after the previous session ended), until it is sent again: as keepForm stored it */
  kept: unknown;
}

const THROTTLE_MINUTES = 15;
const WINDOW = `interval '${THROTTLE_MINUTES} minutes'`;
/** 5 wrong passwords for one name, or 20 from one client, in 15 minutes */
const LIMITS = { name: 5, client: 20 } as const;

/** What the throttle counts for: a name as its SHA-256 (what was typed may be a password in the wrong field), or a client as throttledClient gives it. */
type ThrottleKey = { kind: keyof typeof LIMITS; key: string };
const nameKey = (name: string): ThrottleKey => ({ kind: "name", key: sha256Hex(name) });

/**
 * Failed sign-ins counted per name and per client address over a window: past the limit, attempts are refused
 * unchecked until the window has passed. Guessing is slowed, and the audit trail, which keeps every checked
 * attempt and can never be trimmed, cannot be flooded. Counted in the database (mt_signin_failures), so every process
 * behind a load balancer counts together and a restart (or a crash a guesser provokes) forgets nothing. Names are
 * whatever a client sends, but an attempt refused adds no row: one client (an address, an IPv6 /64) adds at most 20
 * names' rows and its own in a window, and expired rows go with later counts.
 */
class Throttle {
  constructor(private readonly db: Db) {}

  /**
   * Counts an attempt as failed against each key, before it is checked: attempts sent all at once, to any process,
   * must not all be checked before the first is counted. Returns 0 when counted; when a key is at its limit, nothing
   * is counted and it returns the ms until it may try again. Keys come the name's first: rows are locked in the order
   * given, the order the sign-in's transaction clears them in, so no two statements wait on each other in a circle.
   */
  async fail(keys: ThrottleKey[]): Promise<number> {
    const { rows } = await this.db.query<{ kind: string; counted: boolean; refused: boolean; wait_ms: number }>(
      // One statement counts and checks: ON CONFLICT takes the row as it is now, other processes' attempts counted,
      // and counts it only under its limit. A key at its limit when the statement began counts none of the keys (a
      // shared address must not fill up with a held name's attempts); one another process took to its limit since
      // leaves the others counted, given back below. Rows expired meanwhile go (SKIP LOCKED: a row another
      // statement is counting is left to the next).
      `WITH want AS (SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) WITH ORDINALITY AS w (kind, key, lim, ord)),
       seen AS (SELECT w.kind, f.since, f.failures >= w.lim AND f.since > now() - ${WINDOW} AS held FROM want w JOIN mt_signin_failures f USING (kind, key)),
       counted AS (
         INSERT INTO mt_signin_failures AS f (kind, key, failures, since)
         SELECT kind, key, 1, now() FROM want WHERE NOT EXISTS (SELECT 1 FROM seen WHERE held) ORDER BY ord
         ON CONFLICT (kind, key) DO UPDATE SET
           failures = CASE WHEN f.since <= now() - ${WINDOW} OR f.failures = 0 THEN 1 ELSE f.failures + 1 END,
           since = CASE WHEN f.since <= now() - ${WINDOW} OR f.failures = 0 THEN now() ELSE f.since END
         WHERE f.since <= now() - ${WINDOW} OR f.failures < (SELECT lim FROM want WHERE want.kind = f.kind)
         RETURNING f.kind),
       swept AS (
         DELETE FROM mt_signin_failures WHERE (kind, key) IN (
           SELECT kind, key FROM mt_signin_failures WHERE since <= now() - ${WINDOW} AND (kind, key) NOT IN (SELECT kind, key FROM want)
           FOR UPDATE SKIP LOCKED))
       SELECT w.kind, c.kind IS NOT NULL AS counted,
              c.kind IS NULL AND (s.held IS TRUE OR NOT EXISTS (SELECT 1 FROM seen WHERE held)) AS refused,
              -- a window that began after this statement did (another process restarted an expired one) is a full one
              (CASE WHEN s.since > now() - ${WINDOW} THEN ceil(extract(epoch FROM s.since + ${WINDOW} - now()) * 1000) ELSE ${THROTTLE_MINUTES * 60_000} END)::int AS wait_ms
       FROM want w LEFT JOIN counted c USING (kind) LEFT JOIN seen s USING (kind)`,
      [keys.map((k) => k.kind), keys.map((k) => k.key), keys.map((k) => LIMITS[k.kind])],
    );
    const refused = rows.filter((r) => r.refused);
    if (!refused.length) return 0;
    for (const k of keys) if (rows.find((r) => r.kind === k.kind)?.counted) await this.giveBack(k);
    return Math.max(...refused.map((r) => r.wait_ms));
  }

  /** The window of `key` over: a name that signed in. */
  async clear(key: ThrottleKey, q: Queryable = this.db): Promise<void> {
    await q.query("DELETE FROM mt_signin_failures WHERE kind = $1 AND key = $2", [key.kind, key.key]);
  }

  /** An attempt counted by `fail` that turned out not to be a failure (a row at 0 counts as none). */
  async giveBack(key: ThrottleKey, q: Queryable = this.db): Promise<void> {
    await q.query("UPDATE mt_signin_failures SET failures = failures - 1 WHERE kind = $1 AND key = $2 AND failures > 0", [key.kind, key.key]);
  }

  /**
   * Attempts counted by `fail` of which nothing could be checked (the database failed, or the hashing): given back as
   * far as the database lets. Where it does not, the attempt stays counted, and the caller tells its own error.
   */
  async unchecked(keys: ThrottleKey[]): Promise<void> {
    await Promise.allSettled(keys.map((k) => this.giveBack(k)));
  }
}

/**
 * The client the per-address throttle counts: an IPv4 address as it is, an IPv6 one by its /64, which a client holds
 * whole (it takes a new address in it at will: RFC 4941's privacy addresses).
 */
export function throttledClient(ip: string): string {
  const a = canonicalIp(ip);
  if (isIP(a) !== 6) return a;
  const [head = "", tail] = a.split("::");
  const groups = (s: string) => (s ? s.split(":") : []);
  // "::" stands for the zero groups the others leave of eight (an IPv4 tail, a.b.c.d, is two)
  const written = [...groups(head), ...groups(tail ?? "")].reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(8 - written).fill("0"), ...groups(tail)];
  return `${all.slice(0, 4).join(":")}::/64`;
}

export class Auth {
  private readonly throttle: Throttle;

  /** compared against for a name that is not a user's, at the cost of a real hash: timing does not tell names apart */
  private readonly dummyHash: string;

  constructor(
    private readonly db: Db,
    readonly settings: AuthSettings = authSettings(),
  ) {
    this.throttle = new Throttle(db);
    this.dummyHash = `$scrypt$${costText(settings.passwordCost)}$${"A".repeat(22)}$${"A".repeat(43)}`;
  }

  /** Adds a user; returns the initial password (generated when none is given: shown once, stored only as a hash). */
  async addUser(by: Actor, input: unknown): Promise<{ username: string; role: Role; password: string }> {
    const u = NewUser.parse(input);
    const password = u.password ?? randomBytes(12).toString("base64url");
    await this.db.tx(async (q) => {
      const r = await q.query("INSERT INTO mt_users (username, role, password_hash, password_change_required) VALUES ($1, $2, $3, true) ON CONFLICT DO NOTHING RETURNING username", [
        u.username,
        u.role,
        await hashPassword(password, this.settings.passwordCost),
      ]);
      if (!r.rows[0]) throw new AuthError(409, `user ${u.username} exists already`);
      await writeAudit(q, by, "user-add", { target: u.username, after: { role: u.role } });
    });
    return { username: u.username, role: u.role, password };
  }

  /** Each user, with their live API tokens (neither revoked nor expired), the soonest to expire first. */
  async users(): Promise<{ username: string; role: Role; disabled: boolean; tokens: number; liveTokens: LiveToken[] }[]> {
    const r = await this.db.query<{ username: string; role: Role; disabled: boolean; tokens: number; liveTokens: LiveToken[] }>(
      `SELECT u.username, u.role, u.disabled, count(t.token_hash)::int AS tokens,
              COALESCE(json_agg(json_build_object('id', left(t.token_hash, 12), 'label', t.label, 'expiresAt', ${isoUtc("t.expires_at")}) ORDER BY t.expires_at)
                FILTER (WHERE t.token_hash IS NOT NULL), '[]') AS "liveTokens"
       FROM mt_users u LEFT JOIN mt_tokens t ON t.username = u.username AND t.revoked_at IS NULL AND t.expires_at > now()
       GROUP BY u.username ORDER BY u.username`,
    );
    return r.rows;
  }

  /**
   * Withdraws a user's access (someone who left) or gives it back. Disabling ends the user's sessions and revokes
   * their API tokens at once, so nothing issued before comes back with an enable: they sign in with their password
   * and get new tokens. An admin cannot disable themselves, so there is always one who can undo it.
   */
  async setDisabled(by: Actor, username: string, input: unknown): Promise<{ username: string; role: Role; disabled: boolean; activeCases?: number }> {
    const { disabled } = UserChange.parse(input);
    if (disabled && username === by.username) throw new AuthError(400, "you cannot disable yourself: another admin can");
    return this.db.tx(async (q) => {
      const r = await q.query<{ role: Role; disabled: boolean }>("SELECT role, disabled FROM mt_users WHERE username = $1 FOR UPDATE", [username]);
      const u = r.rows[0];
      if (!u) throw new AuthError(404, `no user ${username}`);
      await q.query("UPDATE mt_users SET disabled = $2 WHERE username = $1", [username, disabled]);
      const detail = disabled ? counts(await endAccess(q, username)) : undefined;
      await writeAudit(q, by, disabled ? "user-disable" : "user-enable", { target: username, before: { disabled: u.disabled }, after: { disabled }, detail });
      if (!disabled) return { username, role: u.role, disabled };
      // the cases they were working wait for no one once they have left: the admin is told, to have them handed over
      const held = await q.query<{ n: number }>("SELECT count(*)::int AS n FROM mt_cases WHERE assignee = $1 AND status = ANY($2::text[])", [username, ACTIVE]);
      const activeCases = Number(held.rows[0]!.n);
      return { username, role: u.role, disabled, ...(activeCases > 0 && { activeCases }) };
    });
  }

  /**
   * An admin's (or the operator's) answer to a password that may have leaked, or was forgotten: a new one-time password
   * (printed once, replaced at the user's next sign-in), every session of the user ended and every API token revoked,
   * as whoever held the old password could have opened or made any of them; a hold of the sign-in throttle on the
   * name is lifted, so the user can sign in with it. One's own password is changed, not reset: that needs the current one.
   */
  async resetPassword(by: Actor, username: string): Promise<{ username: string; role: Role; password: string; sessionsEnded: number; tokensRevoked: number }> {
    if (username === by.username)
      throw new AuthError(400, "your own password is changed, not reset: at /password, or POST /api/me/password {currentPassword, newPassword}");
    const password = randomBytes(12).toString("base64url");
    const hash = await hashPassword(password, this.settings.passwordCost);
    return this.db.tx(async (q) => {
      const r = await q.query<{ role: Role }>("SELECT role FROM mt_users WHERE username = $1 FOR UPDATE", [username]);
      const u = r.rows[0];
      if (!u) throw new AuthError(404, `no user ${username}`);
      await q.query("UPDATE mt_users SET password_hash = $2, password_change_required = true WHERE username = $1", [username, hash]);
      const ended = counts(await endAccess(q, username));
      await writeAudit(q, by, "password-reset", { target: username, detail: ended });
      // after the user's row, as a sign-in and a password change take them
      await this.throttle.clear(nameKey(username), q);
      return { username, role: u.role, password, ...ended };
    });
  }

  /**
   * A new API token for a user: returned once; its id is the first 12 hex digits of its hash. It expires after `days`
   * (MT_TOKEN_DAYS by default, at most 365): a token copied into a script or a ticket does not open cases for ever.
   */
  async createToken(by: Actor, username: string, label: string, days: unknown = this.settings.tokenDays): Promise<{ token: string; id: string; days: number; expiresAt: string }> {
    const d = TokenDays.safeParse(days);
    if (!d.success) throw new AuthError(400, `days: a token lasts from 1 to ${MAX_TOKEN_DAYS} days (a whole number)`);
    const token = secret("mt_");
    const hash = sha256Hex(token);
    const expiresAt = await this.db.tx(async (q) => {
      const u = await q.query<{ disabled: boolean }>("SELECT disabled FROM mt_users WHERE username = $1 FOR UPDATE", [username]);
      if (!u.rows[0]) throw new AuthError(404, `no user ${username}`);
      // it would not sign in, and would come alive with an enable, which is to leave every earlier token revoked (the row
      // locked: a disable under way revokes the tokens it finds, so it must not miss one made meanwhile)
      if (u.rows[0].disabled)
        throw new AuthError(409, `user ${username} is disabled: an admin enables them first (the admin page, or PATCH /api/users/${username} {"disabled": false}); no token was created`);
      const r = await q.query<{ at: string }>(
        `INSERT INTO mt_tokens (token_hash, username, label, expires_at, created_by) VALUES ($1, $2, $3, now() + make_interval(days => $4::int), $5) RETURNING ${isoUtc("expires_at")} AS at`,
        [hash, username, label || "api", d.data, by.username],
      );
      const at = r.rows[0]!.at;
      await writeAudit(q, by, "token-create", { target: username, after: { id: hash.slice(0, 12), label, expiresAt: at } });
      return at;
    });
    return { token, id: hash.slice(0, 12), days: d.data, expiresAt };
  }

  /** Revokes a live API token by its id; returns whose it was. */
  async revokeToken(by: Actor, id: string): Promise<{ id: string; username: string }> {
    if (!/^[0-9a-f]{12}$/.test(id)) throw new AuthError(404, "a token id is 12 hex digits");
    return this.db.tx(async (q) => {
      const r = await q.query<{ username: string }>(
        "UPDATE mt_tokens SET revoked_at = now() WHERE left(token_hash, 12) = $1 AND revoked_at IS NULL RETURNING username",
        [id],
      );
      if (!r.rows[0]) throw new AuthError(404, `no live token ${id}`);
      await writeAudit(q, by, "token-revoke", { target: r.rows[0].username, before: { id } });
      return { id, username: r.rows[0].username };
    });
  }

  /**
   * The user of an API token; null for none of this service's. One revoked (its user's too: disabling revokes them),
   * or expired, is refused saying so and where a new one comes from: a script's operator reads only this answer.
   */
  async byToken(token: string): Promise<Actor | null> {
    const hash = sha256Hex(token);
    const r = await this.db.query<Actor & { label: string; expired: boolean; expiresAt: string; revokedAt: string | null; disabled: boolean }>(
      `SELECT u.username, u.role, t.label, t.expires_at <= now() AS expired, ${isoUtc("t.expires_at")} AS "expiresAt",
              CASE WHEN t.revoked_at IS NOT NULL THEN ${isoUtc("t.revoked_at")} END AS "revokedAt", u.disabled
       FROM mt_tokens t JOIN mt_users u USING (username) WHERE t.token_hash = $1`,
      [hash],
    );
    const t = r.rows[0];
    if (!t) return null;
    const id = hash.slice(0, 12);
    if (t.revokedAt)
      throw new AuthError(
        401,
        `API token ${id} was revoked at ${t.revokedAt} (by an admin, or when ${t.username} was disabled or their password changed or reset): a new one comes from the operator, on the server (\`moneytrail users token ${t.username}\`); an admin can create their own on the admin page`,
      );
    if (t.disabled) throw new AuthError(401, `API token ${id}: its user ${t.username} is disabled; an admin enables them first, then the operator gives a new token`);
    if (t.expired)
      throw new AuthError(
        401,
        `API token ${id} expired at ${t.expiresAt}: a new one comes from the operator, on the server (\`moneytrail users token ${t.username}\`); an admin can create their own on the admin page`,
      );
    return { username: t.username, role: t.role, credential: { token: id, name: t.label } };
  }

  /**
   * Signs in: a new session id (for the cookie) and its CSRF token; null when the name or password is wrong;
   * `retryAfterMs` when this name or this client failed too often lately (nothing is checked or recorded then). The
   * audit row of a sign-in, or of a failed one, says the client's address `ip`: where a guessing came from. The
   * session the browser presented (`presented`, its cookie) ends: its cookie, kept or copied elsewhere, must not
   * outlive the sign-in that replaced it.
   */
  async login(username: string, password: string, ip: string, presented?: string): Promise<{ sessionId: string; session: Session } | { retryAfterMs: number } | null> {
    const name = nameKey(username);
    const client: ThrottleKey = { kind: "client", key: throttledClient(ip) };
    // counted as failed before the check, which takes a while; given back when the password is right (or nothing
    // could be checked). A database that cannot count fails the sign-in: none is let through uncounted.
    const retryAfterMs = await this.throttle.fail([name, client]);
    if (retryAfterMs > 0) return { retryAfterMs };
    let u: UserRow | undefined;
    let ok: boolean;
    try {
      const r = await this.db.query<UserRow>(
        "SELECT username, role, password_hash, password_change_required AS must_change, disabled FROM mt_users WHERE username = $1",
        [username],
      );
      u = r.rows[0];
      // compare against a dummy hash for unknown users too, so timing does not tell which names exist
      ok = await passwordMatches(password, u?.password_hash ?? this.dummyHash);
    } catch (err) {
      await this.throttle.unchecked([name, client]);
      throw err;
    }
    if (!u || !ok || u.disabled) {
      // the user's name when it is one (a disabled one said so: someone whose access was withdrawn trying); anything
      // else typed there (a password in the wrong field) is never kept. The client is told the same in every case.
      await writeAudit(this.db, ANONYMOUS, "login-failed", { target: u ? u.username : null, detail: { ...(!u ? { name: "not a user" } : u.disabled && { disabled: true }), address: ip } });
      return null;
    }
    // a hash of another cost (the old form, or the setting changed since) is replaced now that the password is known
    const from = costText(parseHash(u.password_hash)!.cost);
    const to = costText(this.settings.passwordCost);
    const rehash = from === to ? undefined : await hashPassword(password, this.settings.passwordCost);
    const sessionId = secret("");
    const csrf = secret("");
    await this.db.tx(async (q) => {
      await q.query("DELETE FROM mt_sessions WHERE expires_at < now()");
      if (presented) {
        const ended = await q.query<Actor>(
          "DELETE FROM mt_sessions s USING mt_users u WHERE s.session_hash = $1 AND u.username = s.username RETURNING u.username, u.role",
          [sha256Hex(presented)],
        );
        if (ended.rows[0]) await writeAudit(q, { ...ended.rows[0], credential: "session" }, "logout", { detail: { reason: "signed in again in the same browser" } });
      }
      await q.query(`INSERT INTO mt_sessions (session_hash, username, csrf, expires_at) VALUES ($1, $2, $3, now() + interval '${SESSION_HOURS} hours')`, [
        sha256Hex(sessionId),
        u.username,
        csrf,
      ]);
      // unless the password changed meanwhile
      const rehashed = rehash && (await q.query("UPDATE mt_users SET password_hash = $2 WHERE username = $1 AND password_hash = $3 RETURNING 1", [u.username, rehash, u.password_hash])).rows[0];
      await writeAudit(q, { username: u.username, role: u.role, credential: "session" }, "login", { detail: { address: ip, ...(rehashed && { rehashed: { from, to } }) } });
      // last, after the user's row: a password change takes that first, then the name's
      await this.throttle.clear(name, q);
      await this.throttle.giveBack(client, q);
    });
    return { sessionId, session: { username: u.username, role: u.role, csrf, mustChangePassword: u.must_change, kept: null } };
  }

  /**
   * The session of a cookie; "idle" when it went MT_WEB_IDLE_MINUTES without a request (it is ended now), null when
   * there is none (signed out, its hours over, the user disabled). The time of its last request is written when it
   * is a minute old, so most requests write nothing.
   */
  async bySession(sessionId: string): Promise<Session | "idle" | null> {
    const r = await this.db.query<Session & { idle: boolean }>(
      `WITH s AS (
         SELECT s.session_hash, u.username, u.role, s.csrf, u.password_change_required AS "mustChangePassword", s.kept_form AS kept,
                s.last_seen_at <= now() - make_interval(mins => $2::int) AS idle, s.last_seen_at < now() - interval '1 minute' AS due
         FROM mt_sessions s JOIN mt_users u USING (username)
         WHERE s.session_hash = $1 AND s.expires_at > now() AND NOT u.disabled),
       seen AS (UPDATE mt_sessions t SET last_seen_at = now() FROM s WHERE t.session_hash = s.session_hash AND s.due AND NOT s.idle),
       ended AS (DELETE FROM mt_sessions t USING s WHERE t.session_hash = s.session_hash AND s.idle)
       SELECT username, role, csrf, "mustChangePassword", kept, idle FROM s`,
      [sha256Hex(sessionId), this.settings.idleMinutes],
    );
    const row = r.rows[0];
    if (!row) return null;
    const { idle, ...session } = row;
    return idle ? "idle" : session;
  }

  /**
   * Keeps a case's form in a session (`kept`; null: none now), for its pages to fill in: what a sign-in carried, so
   * that it can answer with a redirect, which a reload does not send again.
   */
  async keepForm(sessionId: string, kept: unknown): Promise<void> {
    await this.db.query("UPDATE mt_sessions SET kept_form = $2::jsonb WHERE session_hash = $1", [sha256Hex(sessionId), kept === null ? null : JSON.stringify(kept)]);
  }

  /** Ends a session; a sign-out of a live session is audited. */
  async logout(sessionId: string): Promise<void> {
    await this.db.tx(async (q) => {
      const r = await q.query<Actor>(
        "DELETE FROM mt_sessions s USING mt_users u WHERE s.session_hash = $1 AND u.username = s.username RETURNING u.username, u.role",
        [sha256Hex(sessionId)],
      );
      if (r.rows[0]) await writeAudit(q, { ...r.rows[0], credential: "session" }, "logout");
    });
  }

  /**
   * Replaces a user's password (the current one must match), ends the user's other sessions and revokes the API
   * tokens the user made themselves: a session opened with the old password (an initial one, or one that leaked), or a
   * token made from it, by whoever else knew it, must not outlive it. Tokens the operator gave (`users token`, on the
   * server) never depended on the password: a routine change must not stop the script that holds one. Returns how
   * many other sessions ended and the tokens revoked, which the user is to re-issue where they were used.
   */
  async changePassword(who: Actor, input: unknown, keepSessionId?: string): Promise<{ sessionsEnded: number; revokedTokens: RevokedToken[] }> {
    const p = PasswordChange.parse(input);
    if (p.newPassword === p.currentPassword) throw new AuthError(400, "newPassword: choose a password other than the current one");
    // the current password is checked as a sign-in's is, and counted with the name's wrong sign-ins: a session or a
    // token in someone else's hands must not be a way to guess the password
    const name = nameKey(who.username);
    const wait = await this.throttle.fail([name]);
    if (wait > 0) throw new AuthError(429, `too many wrong passwords for ${who.username} lately: ${tryAgainIn(wait)}`);
    const wrong = new AuthError(403, "currentPassword: that is not your current password; type the one you signed in with");
    try {
      const hash = await hashPassword(p.newPassword, this.settings.passwordCost);
      return await this.db.tx(async (q) => {
        const r = await q.query<{ password_hash: string | null }>("SELECT password_hash FROM mt_users WHERE username = $1 AND NOT disabled FOR UPDATE", [who.username]);
        if (!(await passwordMatches(p.currentPassword, r.rows[0]?.password_hash ?? this.dummyHash))) throw wrong;
        await q.query("UPDATE mt_users SET password_hash = $2, password_change_required = false WHERE username = $1", [who.username, hash]);
        const ended = await endAccess(q, who.username, { keepSessionId, tokens: "own" });
        await writeAudit(q, who, "password-change", { target: who.username, detail: counts(ended) });
        await this.throttle.clear(name, q);
        return { sessionsEnded: ended.sessionsEnded, revokedTokens: ended.revoked };
      });
    } catch (err) {
      if (err === wrong) await writeAudit(this.db, who, "password-change-failed", { target: who.username });
      else await this.throttle.unchecked([name]);
      throw err;
    }
  }
}

/**
 * Ends a user's sessions (but `keepSessionId`, the one changing its own password) and revokes their live API tokens:
 * all of them, or only those the user made themselves (`own`). How many sessions, and which tokens, oldest first.
 */
async function endAccess(q: Queryable, username: string, o: { keepSessionId?: string; tokens?: "all" | "own" } = {}): Promise<{ sessionsEnded: number; revoked: RevokedToken[] }> {
  const s = await q.query("DELETE FROM mt_sessions WHERE username = $1 AND session_hash IS DISTINCT FROM $2 RETURNING 1", [username, o.keepSessionId ? sha256Hex(o.keepSessionId) : null]);
  const t = await q.query<RevokedToken>(
    `UPDATE mt_tokens SET revoked_at = now() WHERE username = $1 AND revoked_at IS NULL${o.tokens === "own" ? " AND created_by = username" : ""}
     RETURNING left(token_hash, 12) AS id, label AS name, ${isoUtc("created_at")} AS "createdAt"`,
    [username],
  );
  return { sessionsEnded: s.rows.length, revoked: t.rows.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)) };
}

/** What endAccess did, as the audit row and an admin's answer give it: how many of each. */
const counts = (e: { sessionsEnded: number; revoked: RevokedToken[] }) => ({ sessionsEnded: e.sessionsEnded, tokensRevoked: e.revoked.length });

/** What an admin who disabled a user holding active cases is to see to, in words; undefined when they hold none. */
export function heldCases(u: { username: string; activeCases?: number }): string | undefined {
  if (!u.activeCases) return undefined;
  return `${u.username} is the assignee of ${u.activeCases} active case${u.activeCases === 1 ? "" : "s"}: a reviewer assigns them to someone else (the queue filtered by assignee: /cases?assignee=${encodeURIComponent(u.username)})`;
}

/** When one held by the sign-in throttle may try again, in words. */
export function tryAgainIn(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return `try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

export class AuthError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 429,
    message: string,
  ) {
    super(message);
  }
}

