// PostgreSQL hung under a running consumer (a stalled server, a failover to an address that does not answer): it
// accepts connections and never answers. Without timeouts a batch waited on TCP without end, the consumer's lag grew
// without an error, and once a new server answered at the same address the connections to the old one stayed hung.
// Through pgProxy, against the real server: the stall holds every connection, failover() lets new ones through and
// leaves the held ones hung for good.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { createLogger } from "../../src/lib/log.js";
import { pgOptions, poolDb } from "../../src/cases/db.js";
import { behindProxy, expectSampleAlertsOnce, freshNames, freshSchema, pgProxy, produce, readTopic, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";

describe("PostgreSQL hung under a running consumer", () => {
  it("fails the batch within MT_PG_QUERY_TIMEOUT_MS, says what to check, and once a server answers resumes: every alert and dead letter once", { timeout: 120_000 }, async () => {
    const { n, url, proxy } = await behindProxy("pghung", 2);
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    const malformed = ["not json: before the stall", "not json: while PostgreSQL hangs"];
    const logged: { level: number; msg: string; err?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split("\n").filter(Boolean)) logged.push(JSON.parse(l) as (typeof logged)[number]);
        done();
      },
    });
    // the defaults are 10 s and 60 s
    const runner = await startRunner(n, proxy.url, { checkpointMs: 200, commitEvery: 200, pgConnectTimeoutMs: 1000, pgQueryTimeoutMs: 1500 }, createLogger("warn", sink));
    try {
      await produce(n.events, [...lines.slice(0, half), malformed[0]!]);
      await waitCaughtUp(n, url);
      proxy.stall();
      // alerts and a dead letter: their chunks' commits meet the hung server
      await produce(n.events, [...lines.slice(half), malformed[1]!]);
      await until("not ready, naming the database", async () => (await runner.readiness()).checks.database?.ok === false, 10_000);
      // the statement's timeout, or the connect timeout when the pool had to open a connection for the commit
      const unanswered = /PostgreSQL did not answer within (1500 ms \(MT_PG_QUERY_TIMEOUT_MS\)|1000 ms \(MT_PG_CONNECT_TIMEOUT_MS\))/;
      await until("a chunk's commit given up, saying what to check", () => logged.some((l) => unanswered.test(l.msg)), 10_000);
      // readiness says the same, not that the server refused the writes (a read-only standby, a full disk)
      const commits = (await runner.readiness()).checks.commits;
      expect(commits?.ok).toBe(false);
      expect(commits?.detail).toMatch(/^partition \d+: PostgreSQL has not answered the outputs' and positions' writes \d+ times? since .*: PostgreSQL did not answer within/);
      expect(commits?.detail).toMatch(unanswered);
      expect(commits?.detail).not.toMatch(/writable/);
      // a new server at the same address; the connections to the old one never answer again
      proxy.failover();
      await waitCaughtUp(n, url, 60_000);
      // a statement hung since before the failover fails after the commits that succeeded since: not counted (commits)
      await until("ready again", async () => (await runner.readiness()).ready, 30_000).catch(async (err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify((await runner.readiness()).checks)}`);
      });
    } finally {
      await runner.stop();
      await proxy.close();
    }
    await expectSampleAlertsOnce(url, n.alerts);
    const dead = await readTopic(n.dead, { count: malformed.length });
    expect(dead.map((m) => m.value.toString()).sort()).toEqual([...malformed].sort());
  });

  it("a transaction whose statement timed out gives up its connection: the pool's next statement opens another", async () => {
    const proxy = await pgProxy(await freshSchema(freshNames("pghungtx")));
    const pool = new pg.Pool({ connectionString: proxy.url, max: 1, ...pgOptions(1000, 500) });
    pool.on("error", () => undefined);
    const db = poolDb(pool);
    try {
      await db.query("SELECT 1");
      proxy.stall();
      await expect(db.tx((q) => q.query("SELECT 1"))).rejects.toThrow("Query read timeout");
      proxy.failover();
      // kept, the connection would have its next statement wait behind the one that never ends
      expect((await db.query<{ n: number }>("SELECT 1 AS n")).rows).toEqual([{ n: 1 }]);
    } finally {
      await pool.end();
      await proxy.close();
    }
  });
});
