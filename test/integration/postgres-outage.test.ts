// PostgreSQL going away under a running consumer (a restart or a failover: every connection dropped, new ones
// refused for a few seconds), for real: the consumer talks to the real server through a TCP proxy the test cuts off
// (pgProxy), not to a mock. It rides that out as it does a broker's restart: it stays up, /readyz names the database
// while it is away, and once it is back every alert is on the topic and in the table once, every dead letter once.
import { describe, expect, it } from "vitest";
import pg from "pg";
import pino from "pino";
import { OutboxPublisher } from "../../src/sinks/publisher.js";
import { PgStore } from "../../src/sinks/postgres/store.js";
import { migrate } from "../../src/sinks/postgres/migrations.js";
import { behindProxy, expectSampleAlertsOnce, kafka, produce, readTopic, sampleByAlerts, sampleLines, startRunner, until, waitCaughtUp } from "./harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("PostgreSQL going away under a running consumer", () => {
  it("stays up through cuts in the middle of a claim and of a checkpoint, says the database is away, then every alert and dead letter once", { timeout: 120_000 }, async () => {
    const { n, url, proxy } = await behindProxy("pgout", 2);
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    const malformed = ["not json: before the cut", "not json: while PostgreSQL is away"];
    // a lost connection of a client checked out for a transaction was an 'error' event nothing listened for: the end
    // of the process (here, of the test run's process)
    const uncaught: Error[] = [];
    const crash = (err: Error) => uncaught.push(err);
    process.on("uncaughtExceptionMonitor", crash);
    const runner = await startRunner(n, proxy.url, { checkpointMs: 200, commitEvery: 200 });
    try {
      // PostgreSQL goes away in the middle of the first partition's claim, and is back a second later
      const claimCut = proxy.downOn("INSERT INTO mt_partitions");
      await produce(n.events, [...lines.slice(0, half), malformed[0]!]);
      await claimCut;
      await sleep(1000);
      await proxy.up();
      await waitCaughtUp(n, url);
      // the rest arrives, and PostgreSQL goes away in the middle of the first checkpoint's transaction
      const cut = proxy.downOn("INSERT INTO mt_merchant_state");
      await produce(n.events, [...lines.slice(half), malformed[1]!]);
      await cut;
      await until("not ready, naming the database", async () => (await runner.readiness()).checks.database?.ok === false, 10_000);
      // the consumer's batches, positions, checkpoints, flag reads and publishers meet a database that is not there
      // (the background ones run every second)
      await sleep(1000);
      const away = await runner.readiness();
      expect(away.ready).toBe(false);
      expect(away.checks.database?.detail).toMatch(/ECONNREFUSED/);
      await proxy.up();
      await waitCaughtUp(n, url, 60_000);
      await until("ready again", async () => (await runner.readiness()).ready, 30_000);
    } finally {
      await runner.stop();
      await proxy.close();
      process.off("uncaughtExceptionMonitor", crash);
    }
    expect(uncaught.map((e) => e.message)).toEqual([]);
    await expectSampleAlertsOnce(url, n.alerts);
    const dead = await readTopic(n.dead, { count: malformed.length });
    expect(dead.map((m) => m.value.toString()).sort()).toEqual([...malformed].sort());
  });

  it("a stop while PostgreSQL is away ends within seconds saying what it did not save; the next start picks up what that left", { timeout: 120_000 }, async () => {
    const { n, url, proxy } = await behindProxy("pgoutstop", 2);
    const lines = sampleLines();
    // the merchants replay never alerts: their events, consumed while PostgreSQL is away, make no outputs, so the
    // partitions are still held, their positions and state not saved, when the stop comes
    const { quiet, loud } = await sampleByAlerts();
    const first = await startRunner(n, proxy.url, { checkpointMs: 200 });
    // run through the engine: the metrics count them only once PostgreSQL has their positions
    const processed = () => first.engine.counts.events + first.engine.counts.repeated;
    try {
      await produce(n.events, loud);
      await waitCaughtUp(n, url);
      await proxy.down();
      await produce(n.events, quiet);
      await until("the quiet events processed", () => processed() === lines.length, 30_000);
    } finally {
      const began = Date.now();
      const stopped = await first.stop().then(
        () => undefined,
        (err: Error) => err.message,
      );
      expect(Date.now() - began).toBeLessThan(10_000);
      // the CLI logs it as its last line ("stop failed", exit code 1)
      expect(stopped).toMatch(
        /^stopped without saving to PostgreSQL \(connect ECONNREFUSED [^)]+\): partitions [01],[01] keep the positions and checkpoint saved last, and their next owner consumes again the events since \(none lost, no output made twice\); the group left$/,
      );
    }
    await proxy.up();
    // no event comes after the stop: the next start still consumes those PostgreSQL did not see (Kafka's offsets had
    // been committed past them, so they waited for the partition's next event)
    const second = await startRunner(n, proxy.url);
    try {
      await waitCaughtUp(n, url, 30_000);
    } finally {
      await second.stop();
      await proxy.close();
    }
    await expectSampleAlertsOnce(url, n.alerts);
  });

  it("a stop while PostgreSQL hangs ends within MT_STOP_PG_WAIT_MS and the Kafka steps, saying what it did not save", { timeout: 120_000 }, async () => {
    const { n, url, proxy } = await behindProxy("pgouthang", 2);
    // 20 s by default: the test's few seconds give the same story
    const runner = await startRunner(n, proxy.url, { checkpointMs: 200, stopPgWaitMs: 3000 });
    const lines = sampleLines();
    try {
      await produce(n.events, lines.slice(0, 1000));
      await waitCaughtUp(n, url);
      // hung rather than gone (a failover to an address that does not answer): every statement waits, none fails
      proxy.stall();
      // a chunk's commit, the positions' save, a checkpoint: each waits on PostgreSQL when the stop comes
      await produce(n.events, lines.slice(1000, 2000));
      await sleep(1500);
    } finally {
      const began = Date.now();
      const stopped = await Promise.race([
        runner.stop().then(
          () => undefined,
          (err: Error) => err.message,
        ),
        sleep(60_000).then(() => "still stopping after 60 s"),
      ]);
      // the saves are given up after MT_STOP_PG_WAIT_MS, the Kafka steps take their usual second
      expect(Date.now() - began, stopped).toBeLessThan(8000);
      // the group left all the same: kafkajs no longer waits for the batch hung on PostgreSQL
      expect(stopped).toMatch(
        /^stopped without saving to PostgreSQL \(no answer within 3000 ms\): partitions [01],[01] keep the positions and checkpoint saved last, and their next owner consumes again the events since \(none lost, no output made twice\); the group left$/,
      );
      await proxy.close();
    }
  });

  it("an outbox publish that fails on PostgreSQL says to check PostgreSQL, not the brokers", async () => {
    const { n, proxy } = await behindProxy("pgoutpub", 1);
    const pool = new pg.Pool({ connectionString: proxy.url, max: 2 });
    pool.on("error", () => undefined);
    const c = await pool.connect();
    await migrate(c).finally(() => c.release());
    const k = kafka();
    const admin = k.admin();
    await admin.connect();
    const o = { groupId: n.group, sourceTopic: n.events, partition: 0, alertsTopic: n.alerts, deadLetterTopic: n.dead };
    const publisher = new OutboxPublisher(k, admin, new PgStore(pool, n.group), o, pino({ level: "silent" }));
    try {
      await proxy.down();
      // the broker answers: the mark is read from it, the outbox is not
      await publisher.start();
      expect(publisher.failure?.error).toMatch(/ECONNREFUSED/);
      expect(publisher.failure?.todo).toBe("check that PostgreSQL answers (/readyz database): the rows to publish are read from its outbox");
    } finally {
      await publisher.stop();
      await admin.disconnect();
      await pool.end();
      await proxy.close();
    }
  });
});
