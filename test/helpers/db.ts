// An embedded database for a test, started from the migrated copy test/infra/embedded-template.ts made for the run.
import { readFileSync } from "node:fs";
import { embeddedDb, type Db } from "../../src/cases/db.js";
import { TEMPLATE_VARIABLE } from "../infra/embedded-template.js";

let template: Blob | undefined;

export function testDb(): Promise<Db> {
  const file = process.env[TEMPLATE_VARIABLE];
  if (!file) throw new Error(`${TEMPLATE_VARIABLE} is not set: run the tests with vitest (vitest.config.ts's globalSetup makes the template)`);
  template ??= new Blob([readFileSync(file)]);
  return embeddedDb(undefined, template);
}
