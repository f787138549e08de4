// bench:kafka's commit probe: a process of its own committing on real PostgreSQL, every commit reported.
import { describe, it, expect } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { startCommitProbe } from "../../src/bench/commit-probe.js";
import { freshNames, freshSchema } from "./harness.js";

describe("the benchmark's commit probe", () => {
  it("commits a row every interval and reports each commit's start and duration", async () => {
    const url = await freshSchema(freshNames("probe"));
    const probe = startCommitProbe(url, 50);
    await sleep(3000);
    const commits = await probe.stop();
    // 3 s at one commit per 50 ms, less the child's start (a tsx import here)
    expect(commits.length).toBeGreaterThan(5);
    for (const [at, ms] of commits) {
      expect(Math.abs(at - Date.now())).toBeLessThan(60_000);
      expect(ms).toBeGreaterThanOrEqual(0);
    }
    const starts = commits.map(([at]) => at);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    // each reported commit is a row in its table
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ n: string }>("SELECT count(*) AS n FROM mt_commit_probe");
      expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(commits.length);
    } finally {
      await c.end();
    }
  });
});
