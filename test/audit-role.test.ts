// The audit trail is append-only by a trigger, which the tables' owner and a superuser can switch off: a service
// started with such a role ran with the trail unprotected and nothing said so. auditUnprotected says why, and run
// logs it as a warning at its start.
import { afterEach, describe, expect, it } from "vitest";
import { auditUnprotected, type Db } from "../src/cases/db.js";
import { testDb } from "./helpers/db.js";

let db: Db | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

describe("the audit trail's protection for the service's database role", { timeout: 60_000 }, () => {
  it("is missing for a superuser and for the tables' owner, and in force for a role of the service's own", async () => {
    db = await testDb();
    // the embedded database's one user is a superuser
    expect(await auditUnprotected(db)).toMatch(/not append-only.*postgres is a superuser.*--service-role/);
    await db.query("CREATE ROLE tables_owner NOLOGIN");
    await db.query("ALTER TABLE mt_audit OWNER TO tables_owner");
    await db.query("CREATE ROLE owner_member NOLOGIN IN ROLE tables_owner");
    await db.query("CREATE ROLE service NOLOGIN");
    await db.query("GRANT SELECT, INSERT ON mt_audit TO service");
    await db.query("SET ROLE tables_owner");
    expect(await auditUnprotected(db)).toMatch(/tables_owner is the tables' owner/);
    await db.query("RESET ROLE");
    await db.query("SET ROLE owner_member");
    expect(await auditUnprotected(db)).toMatch(/owner_member is the tables' owner \(or a member of its role\)/);
    await db.query("RESET ROLE");
    await db.query("SET ROLE service");
    expect(await auditUnprotected(db)).toBeUndefined();
  });
});
