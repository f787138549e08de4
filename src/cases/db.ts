// One small interface over the two databases the case store runs on: a PostgreSQL server (pg.Pool) for the
// service, and PGlite (PostgreSQL compiled to WebAssembly, in process) for the embedded default. Same SQL on both.
import type pg from "pg";
import { auditPowers, migrate } from "../sinks/postgres/migrations.js";
import { UnreachableError, UsageError } from "../lib/errors.js";
import { DEFAULT_PG_CONNECT_TIMEOUT_MS, databaseWhere } from "../config/run.js";

/**
 * The connection options of every pool and client: a server that accepts connections and never answers (stalled, or
 * a failover to an address that does not answer) fails a connection after `connectTimeoutMs` and, with
 * `queryTimeoutMs`, a statement after that long, where each waited on TCP without end; keepalive finds a server that
 * went away under an idle connection. pg's own timeout fails the statement: the server is not asked to cancel it,
 * and the connection is discarded (pool.query releases it with the error; tx below).
 */
export function pgOptions(connectTimeoutMs = DEFAULT_PG_CONNECT_TIMEOUT_MS, queryTimeoutMs = 0): pg.PoolConfig {
  return { connectionTimeoutMillis: connectTimeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000, ...(queryTimeoutMs && { query_timeout: queryTimeoutMs }) };
}

/** pg's errors for a server that did not answer in time (pgOptions), as against one that answered with an error. */
export function pgTimedOut(err: unknown): boolean {
  const m = err instanceof Error ? err.message : "";
  return m === "Query read timeout" || m === "timeout exceeded when trying to connect" || m === "Connection terminated due to connection timeout";
}

/** What to correct when PostgreSQL answered and refused the connection, by the server's SQLSTATE. */
const REFUSALS: Record<string, (setting: string) => string> = {
  "3D000": (s) => `create the database (CREATE DATABASE) or correct its name in ${s}`,
  // no such role, or no pg_hba.conf line that lets it in from this host
  "28000": (s) => `correct the user name in ${s}, or create the role and let it in from this host (pg_hba.conf)`,
  // under password authentication an unknown user is refused the same way
  "28P01": (s) => `correct the user name or password in ${s}`,
};

/**
 * Why a connection to PostgreSQL at `where` failed, as the error to throw: a server that answered and refused the
 * database or the user is a URL to correct (`setting`: the variable or flag it came from), refused with what to
 * correct, not a server to wait for; anything else did not answer. pg's message names no password.
 */
export function connectFailure(err: Error, where: string, setting = "DATABASE_URL"): Error {
  const fix = REFUSALS[(err as { code?: string }).code ?? ""];
  if (fix) return new UsageError(`PostgreSQL at ${where} refused the connection: ${err.message}: ${fix(setting)}`);
  // TLS asked for (sslmode, ssl) of a server that answered without it, or with a certificate of a CA not given
  if (err.message === "The server does not support SSL connections")
    return new UsageError(`PostgreSQL at ${where} does not take TLS, which ${setting} asks for (${err.message}): take sslmode (or ssl) out of ${setting}, or turn ssl on in the server's postgresql.conf`);
  if (/certificate/i.test(err.message))
    return new UsageError(
      `PostgreSQL at ${where} answered with a certificate this client cannot check (${err.message}): give the CA that signed it in ${setting} as sslrootcert=/path/to/ca.pem (the server's host name must be one the certificate names)`,
    );
  return new UnreachableError(`cannot reach PostgreSQL at ${where}${setting === "DATABASE_URL" ? "" : ` for ${setting}`} (${err.message}); is it running and does the database exist?`);
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface Db extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  tx<T>(work: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Why the audit trail is not append-only for this connection's role, or undefined when it is: its trigger refuses
 * UPDATE, DELETE and TRUNCATE, but a superuser and the tables' owner (or a member of its role) can switch the
 * trigger off, as `db migrate --service-role` tells the operator of the role it is given.
 */
export async function auditUnprotected(q: Queryable): Promise<string | undefined> {
  const r = await auditPowers(q);
  if (!r || (!r.super && !r.owner)) return undefined;
  return `the audit trail is not append-only for this service: its database role ${r.role} is ${r.super ? "a superuser" : "the tables' owner (or a member of its role)"}, which can switch off the trigger that protects it; run the service as a role of its own: \`moneytrail db migrate --service-role ROLE\` with the owner's DATABASE_URL, then DATABASE_URL with that role (README: Operating it, the database role)`;
}

export function poolDb(pool: pg.Pool): Db {
  return {
    query: <R>(text: string, params?: unknown[]) => pool.query(text, params) as unknown as Promise<{ rows: R[] }>,
    async tx(work) {
      const c = await pool.connect();
      // A connection lost while checked out (the server restarted, a failover) is also emitted as an 'error' event,
      // which the pool listens for only while the client is idle: unheard, it ended the process. The statement in
      // hand fails with it (the transaction is rolled back by the server); the client is discarded, not pooled.
      let lost: Error | undefined;
      const onLost = (err: Error) => (lost ??= err);
      c.on("error", onLost);
      try {
        await c.query("BEGIN");
        const out = await work(c as unknown as Queryable);
        await c.query("COMMIT");
        return out;
      } catch (err) {
        // a statement that timed out is still in progress on the connection, and a ROLLBACK would wait behind it:
        // the connection is discarded instead (the server rolls back when it closes)
        if (pgTimedOut(err)) lost ??= err as Error;
        else await c.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        // a dead client keeps the listener: it may emit again before the pool has ended it
        if (!lost) c.off("error", onLost);
        c.release(lost);
      }
    },
    close: () => pool.end(),
  };
}

/** A PostgreSQL server's database, migrated and ready. */
export async function serverDb(url: string, max = 4): Promise<Db & { migrationsApplied: number }> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: url, max, ...pgOptions() });
  // an idle connection the server closes must not take the process down; the next query reconnects
  pool.on("error", () => undefined);
  const c = await pool.connect().catch(async (err: Error) => {
    await pool.end();
    throw connectFailure(err, databaseWhere(url));
  });
  let migrationsApplied: number;
  try {
    migrationsApplied = await migrate(c);
  } finally {
    c.release();
  }
  return { ...poolDb(pool), migrationsApplied };
}

/**
 * An embedded database, in memory or in `dataDir`, migrated and ready. `from`: a copy of one (PGlite's dumpDataDir)
 * to start from: PGlite's own start makes a new cluster (initdb), which takes seconds; a copy loads in a fraction.
 */
export async function embeddedDb(dataDir?: string, from?: Blob): Promise<Db> {
  const { PGlite } = await import("@electric-sql/pglite");
  const lite = new PGlite({ dataDir, loadDataDir: from });
  await migrate(lite);
  return {
    query: <R>(text: string, params?: unknown[]) => lite.query<R>(text, params),
    tx: (work) => lite.transaction((t) => work(t as unknown as Queryable)),
    close: () => lite.close(),
  };
}
