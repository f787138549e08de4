// vitest globalSetup of both projects (made once a run): one migrated embedded database (PGlite), dumped to a file that testDb()
// (test/helpers/db.ts) starts each test's database from. PGlite's own start runs initdb, 1.5-2 s of CPU each time;
// the copy loads in about 0.4 s, and the unit tests open dozens.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { migrate } from "../../src/sinks/postgres/migrations.js";

export const TEMPLATE_VARIABLE = "MT_TEST_EMBEDDED_TEMPLATE";

export default async function setup(): Promise<() => void> {
  // made already for the other project of this run (a globalSetup runs once per project)
  if (process.env[TEMPLATE_VARIABLE]) return () => undefined;
  const lite = new PGlite();
  await migrate(lite);
  const copy = await lite.dumpDataDir("none");
  await lite.close();
  const dir = mkdtempSync(join(tmpdir(), "mt-embedded-template-"));
  const file = join(dir, "migrated.tar");
  writeFileSync(file, Buffer.from(await copy.arrayBuffer()));
  // the workers inherit it, as the integration project's KAFKA_BROKERS
  process.env[TEMPLATE_VARIABLE] = file;
  return () => rmSync(dir, { recursive: true, force: true });
}
