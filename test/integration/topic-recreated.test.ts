// The positions PostgreSQL keeps are offsets into one log. The events topic deleted and recreated (or the cluster
// replaced) while they are kept: the events of the new log below them were skipped unread, without a word. A claim
// now refuses such a partition (nothing consumed, nothing written, /readyz says why) until the operator resets its
// positions with `moneytrail db reset-positions`, which the running consumer takes up.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import pg from "pg";
import type { Consumer } from "kafkajs";
import { consumedAndStopped, createTopics, freshNames, freshSchema, produce, recreateEventsTopic, sampleLines, startRunner, until, waitCaughtUp, type Names } from "./harness.js";
import { REFUSED_RECHECK_MS, type Runner } from "../../src/app/run.js";
import { CLI } from "../helpers/cli.js";

async function stored(url: string, n: Names): Promise<{ next: string | null; state: string | null; merchants: number }> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const p = await pool.query<{ next_offset: string | null; state_offset: string | null }>("SELECT next_offset, state_offset FROM mt_partitions WHERE group_id = $1", [n.group]);
    const m = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM mt_merchant_state WHERE group_id = $1", [n.group]);
    return { next: p.rows[0]!.next_offset, state: p.rows[0]!.state_offset, merchants: m.rows[0]!.n };
  } finally {
    await pool.end();
  }
}

const consumed = async (r: Runner) => (await r.metrics.consumed.get()).values[0]?.value ?? 0;

const resetPositions = (n: Names, url: string, ...args: string[]) =>
  spawnSync(process.execPath, [...CLI, "db", "reset-positions", "--topic", n.events, "--group-id", n.group, "--database-url", url, ...args], {
    encoding: "utf8",
    timeout: 120_000,
  });

/** Runs the sample through a consumer to its end and stops it (positions and checkpoint saved), then recreates the topic. */
async function consumedThenRecreated(n: Names, url: string, lines: string[]): Promise<void> {
  await createTopics(n, 1);
  await consumedAndStopped(n, url, lines);
  expect(await stored(url, n)).toMatchObject({ next: String(lines.length), state: String(lines.length) });
  await recreateEventsTopic(n);
}

describe("positions kept for a log that is gone", () => {
  it("a new log as long as the old one: the record the checkpoint was taken after is not there, so the partition is refused until reset (--keep-state)", async () => {
    const n = freshNames("recreated");
    const url = await freshSchema(n);
    const lines = sampleLines();
    await consumedThenRecreated(n, url, lines);
    const before = await stored(url, n);
    // as many events again (the same merchants, written now): the old positions fall inside the new log
    await produce(n.events, lines);
    const runner = await startRunner(n, url);
    try {
      await until("the partition refused", async () => (await runner.readiness()).checks.positions?.ok === false, 60_000);
      const r = await runner.readiness();
      expect(r.ready).toBe(false);
      expect(r.checks.positions!.detail).toMatch(/^partition 0 refused: the checkpoint was taken after the record at offset \d+, written .* but the log has another one there/);
      await new Promise((res) => setTimeout(res, 2000));
      expect(await consumed(runner)).toBe(0);
      expect(await stored(url, n)).toEqual(before);

      // the operator says what the new log is
      const neither = resetPositions(n, url);
      expect(neither.status).toBe(2);
      expect(neither.stderr).toMatch(/give --keep-state if .* or --forget-state if/);
      const reset = resetPositions(n, url, "--keep-state");
      expect(reset.status, reset.stderr).toBe(0);
      expect(reset.stdout).toContain("partitions 0 start again at the log's start, with the merchants' state kept");
      // the running consumer claims it again and reads the new log from its start
      await until("every event of the new log consumed", async () => (await consumed(runner)) === lines.length, REFUSED_RECHECK_MS + 60_000);
      await waitCaughtUp(n, url, 60_000);
      expect((await runner.readiness()).checks.positions).toEqual({ ok: true });
    } finally {
      await runner.stop();
    }
    expect(await stored(url, n)).toEqual({ next: String(lines.length), state: String(lines.length), merchants: before.merchants });
  });

  it("a new log shorter than the positions: refused at the claim; reset with --forget-state, the state is rebuilt from the new log", async () => {
    const n = freshNames("shorter");
    const url = await freshSchema(n);
    const lines = sampleLines();
    await consumedThenRecreated(n, url, lines);
    const half = lines.slice(0, Math.floor(lines.length / 2));
    await produce(n.events, half);
    let runner = await startRunner(n, url);
    try {
      await until("the partition refused", async () => (await runner.readiness()).checks.positions?.ok === false, 60_000);
      expect((await runner.readiness()).checks.positions!.detail).toBe(
        `partition 0 refused: PostgreSQL has its events processed up to offset ${lines.length}, but the partition ends at offset ${half.length}`,
      );
      expect(await consumed(runner)).toBe(0);
      // kafkajs gives up on the consumer (it is started again 5 s later) while the partition waits to be claimed
      // again: the process must neither stop on it nor lose the refusal
      await (runner as unknown as { consumer: Consumer }).consumer.stop();
      await new Promise((res) => setTimeout(res, REFUSED_RECHECK_MS + 1000));
      expect((await runner.readiness()).checks.positions?.ok).toBe(false);
    } finally {
      await runner.stop();
    }
    const reset = resetPositions(n, url, "--forget-state");
    expect(reset.status, reset.stderr).toBe(0);
    expect(await stored(url, n)).toEqual({ next: "0", state: "0", merchants: 0 });
    runner = await startRunner(n, url);
    try {
      await waitCaughtUp(n, url, 60_000);
      expect(await consumed(runner)).toBe(half.length);
    } finally {
      await runner.stop();
    }
    const after = await stored(url, n);
    expect(after).toMatchObject({ next: String(half.length), state: String(half.length) });
    expect(after.merchants).toBeGreaterThan(0);
  });

  it("the topic recreated under a running consumer: the new log's events are not passed over as done", async () => {
    const n = freshNames("underneath");
    const url = await freshSchema(n);
    const lines = sampleLines();
    await createTopics(n, 1);
    const runner = await startRunner(n, url);
    try {
      await produce(n.events, lines);
      await waitCaughtUp(n, url, 60_000);
      await recreateEventsTopic(n);
      await produce(n.events, lines);
      await until("the partition refused", async () => (await runner.readiness()).checks.positions?.ok === false, 90_000);
      expect((await runner.readiness()).checks.positions!.detail).toMatch(/^partition 0 refused: /);
      expect(await consumed(runner)).toBe(lines.length);
    } finally {
      await runner.stop();
    }
    expect(await stored(url, n)).toMatchObject({ next: String(lines.length) });
  });
});
