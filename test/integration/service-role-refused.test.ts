// `moneytrail db migrate --service-role ROLE` with a role that cannot be the service's own: one that does not exist
// failed with PostgreSQL's error and a stack trace (exit 1); the tables' owner, a member of its role or a superuser
// was granted and told it "cannot change or remove audit rows", which it can (it may switch the trigger off).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { spawnSync } from "node:child_process";
import { databaseUrl, freshNames, freshSchema } from "./harness.js";
import { CLI } from "../helpers/cli.js";

const n = freshNames("svc-refused");
const base = n.id.replace(/[^a-z0-9]/g, "_");
const ownerMember = `${base}_owner_member`;
const superuser = `${base}_super`;
let ownerUrl: string;

async function admin(...sql: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl() });
  await c.connect();
  try {
    for (const s of sql) await c.query(s);
  } finally {
    await c.end();
  }
}

const ownerOf = (url: string): string => new URL(url).username || "postgres";

function migrateFor(role: string) {
  const { DATABASE_URL: _, ...env } = process.env;
  return spawnSync(process.execPath, [...CLI, "db", "migrate", "--database-url", ownerUrl, "--service-role", role], {
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
}

beforeAll(async () => {
  ownerUrl = await freshSchema(n);
  await admin(`CREATE ROLE ${ownerMember} LOGIN IN ROLE "${ownerOf(ownerUrl)}"`, `CREATE ROLE ${superuser} LOGIN SUPERUSER`);
}, 60_000);

afterAll(async () => {
  await admin(`DROP SCHEMA IF EXISTS ${base} CASCADE`, `DROP ROLE IF EXISTS ${ownerMember}`, `DROP ROLE IF EXISTS ${superuser}`);
});

describe("db migrate --service-role", { timeout: 120_000 }, () => {
  it("refuses a role that does not exist, saying to create it (exit 2, no stack trace)", () => {
    const r = migrateFor(`${base}_nobody`);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`error: --service-role ${base}_nobody: no such role: create it first (CREATE ROLE ${base}_nobody LOGIN PASSWORD '…'), then migrate again\n`);
  });

  it("refuses the tables' owner, a member of its role and a superuser: each could switch the audit trail's protection off", () => {
    for (const role of [ownerOf(ownerUrl), ownerMember, superuser]) {
      const r = migrateFor(role);
      expect(r.status, `${role}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: --service-role ${role}: (a superuser|the tables' owner, or a member of its role) can switch the audit trail's protection off`));
      expect(r.stdout).toBe("");
    }
  });
});
