// `backtest --topic` over a record batch it cannot read that an operator skipped (`moneytrail db skip-batch`): it
// ended naming the batch as if nothing had been decided, so a tuner could not backtest the range `run` had gone
// through. With the service's database (--database-url, or DATABASE_URL) it honours the decision as `run` does: the
// batch's records are counted as dead-lettered (unreadable-batch) with the operator's reason, and the events after
// it run. Without a database it cannot know, and says where the decision would be read from; with one and no
// decision, it says none is recorded and how an operator would record one.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { BacktestResult } from "../../src/app/backtest.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import { migrate } from "../../src/sinks/postgres/migrations.js";
import { CLI } from "../helpers/cli.js";
import { brokers, createTopics, freshNames, freshSchema, produce, sampleLines, sendBomb } from "./harness.js";

const BOUND = 1 << 20;

describe("backtest --topic over a batch an operator skipped", () => {
  it("honours the skip with the service's database, and says what it could not know without one", { timeout: 240_000 }, async () => {
    const n = freshNames("bt-skipped");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await migrate(client).finally(() => client.end());
    const lines = sampleLines().slice(0, 30);
    await produce(n.events, lines.slice(0, 20));
    const bombAt = await sendBomb(n.events, lines[0]!);
    await produce(n.events, lines.slice(20));

    const dir = mkdtempSync(join(tmpdir(), "mt-bt-skipped-"));
    const { DATABASE_URL: _, ...env } = process.env;
    const run = (extra: string[], over: Record<string, string> = {}) =>
      spawnSync(
        process.execPath,
        [...CLI, "backtest", "--topic", n.events, "--brokers", brokers().join(","), "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--no-progress", ...extra],
        { encoding: "utf8", timeout: 90_000, env: { ...env, MT_MAX_BATCH_BYTES: String(BOUND), ...over } },
      );
    const at = `${n.events}[0] at offset ${bombAt}: a record batch of 1 records cannot be read`;

    // no database: the decision cannot be read, and the error says where it would be
    const blind = run([]);
    expect(blind.status, blind.stderr).toBe(2);
    expect(blind.stderr).toContain(at);
    expect(blind.stderr).toContain("if an operator skipped it (moneytrail db skip-batch), give the service's database (--database-url or DATABASE_URL) to skip it here too");

    // a database without a decision for it: said, with how an operator records one
    const none = run(["--database-url", url]);
    expect(none.status, none.stderr).toBe(2);
    expect(none.stderr).toContain(at);
    expect(none.stderr).toContain(`no operator skipped it (none recorded at `);
    expect(none.stderr).toContain(`moneytrail db skip-batch --topic ${n.events} --partition 0 --offset ${bombAt} --reason`);

    const skip = spawnSync(
      process.execPath,
      [...CLI, "db", "skip-batch", "--topic", n.events, "--group-id", n.group, "--partition", "0", "--offset", bombAt, "--reason", "hostile batch from a test producer", "--database-url", url],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(skip.status, skip.stderr).toBe(0);

    // the file of the same events, for what the topic's run must equal
    const file = join(dir, "events.ndjson");
    writeFileSync(file, lines.join("\n") + "\n");
    const fromFile = spawnSync(
      process.execPath,
      [...CLI, "backtest", "--events", file, "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES, "--no-progress", "--json", join(dir, "file.json")],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(fromFile.status, fromFile.stderr).toBe(0);
    const expected = JSON.parse(readFileSync(join(dir, "file.json"), "utf8")) as BacktestResult;

    // skipped as `run` skips it, with DATABASE_URL as with the flag
    for (const [extra, over] of [[["--database-url", url], {}], [[], { DATABASE_URL: url }]] as const) {
      const json = join(dir, `topic-${extra.length}.json`);
      const ok = run([...extra, "--json", json], over);
      expect(ok.status, ok.stderr).toBe(0);
      const r = JSON.parse(readFileSync(json, "utf8")) as BacktestResult;
      expect(r.events.processed).toBe(expected.events.processed);
      expect(r.events.lines).toBe(31);
      expect(r.events.rejected).toMatchObject({ total: 1, "unreadable-batch": 1, first: [{ partition: 0, offset: Number(bombAt), kind: "unreadable-batch" }] });
      const [reason] = r.events.rejected.reasons;
      expect(reason).toMatchObject({ kind: "unreadable-batch", count: 1, first: [{ partition: 0, offset: Number(bombAt) }] });
      expect(reason!.reason).toMatch(
        new RegExp(
          `^unreadable batch: a record batch of 1 records at offset ${bombAt} of ${n.events.replace(/\./g, "\\.")}\\[0\\] cannot be read \\(its GZIP data decompresses to more than ${BOUND} bytes \\(MT_MAX_BATCH_BYTES\\)\\); skipped by .+ at .+ \\(moneytrail db skip-batch\\): hostile batch from a test producer$`,
        ),
      );
      expect(r.overall).toEqual(expected.overall);
      expect(ok.stdout).toContain("1 × unreadable batch: a record batch of 1 records at offset");
    }
  });
});
