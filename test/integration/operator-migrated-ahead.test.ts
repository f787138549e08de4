// An upgrade's new release migrates the schema while the old one still runs, or a rollback starts an older release on
// a schema a newer one migrated: migrations are not undone, and the older release does not know what they changed.
// `db migrate` of the older release said "migrated to version 19" of a database at 20, and `run` started without a
// word; both now say that a newer release migrated it, naming its migrations.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { createLogger } from "../../src/lib/log.js";
import { MIGRATIONS, migrate } from "../../src/sinks/postgres/migrations.js";
import { CLI } from "../helpers/cli.js";
import { freshNames, freshSchema, startRunner } from "./harness.js";

const LAST = MIGRATIONS.at(-1)!.version;

describe("a database migrated by a newer release", () => {
  it("is named by db migrate and by run's start, with the migrations this release does not know", { timeout: 120_000 }, async () => {
    const n = freshNames("opahead");
    const url = await freshSchema(n);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await migrate(c);
      await c.query("INSERT INTO mt_schema_migrations (version, name) VALUES ($1, 'a later release''s change')", [LAST + 1]);
    } finally {
      await c.end();
    }

    const cli = spawnSync(process.execPath, [...CLI, "db", "migrate", "--database-url", url], { encoding: "utf8", timeout: 60_000 });
    expect(cli.status).toBe(0);
    expect(cli.stdout).not.toContain(`migrated to version ${LAST}`);
    expect(cli.stdout + cli.stderr).toContain(`${LAST + 1} (a later release's change)`);
    expect(cli.stdout + cli.stderr).toMatch(/newer release/);

    const lines: { level: number; msg: string }[] = [];
    const runner = await startRunner(n, url, {}, createLogger("info", { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) }));
    await runner.stop();
    const said = lines.filter((l) => l.msg.includes("newer release"));
    expect(said).toHaveLength(1);
    expect(said[0]!.level).toBe(40);
    expect(said[0]!.msg).toContain(`${LAST + 1} (a later release's change)`);
  });
});
