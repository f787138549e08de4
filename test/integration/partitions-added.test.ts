// Merchant state is kept with the partition a merchant's key hashes to. Partitions added to the events topic
// (kafka-topics --alter --partitions N) move most merchants to another partition: their events were taken there
// without their history (the sample's alerts differed from replay's: 3 missing, 3 others raised), and every state
// row stayed under the old partition. The count is now recorded with the positions, and a claim, or a rebalance,
// that finds another one refuses the partition (nothing consumed, /readyz 503) saying what to do.
import { describe, it, expect } from "vitest";
import pg from "pg";
import { createTopics, freshNames, freshSchema, kafka, produce, sampleLines, startRunner, until, waitCaughtUp, type Names } from "./harness.js";
import type { Runner } from "../../src/app/run.js";

async function addPartitions(n: Names, count: number): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.createPartitions({ topicPartitions: [{ topic: n.events, count }] });
  } finally {
    await admin.disconnect();
  }
}

async function positions(url: string, n: Names): Promise<{ partition: number; next_offset: string | null; partitions: number | null }[]> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    return (await pool.query("SELECT partition, next_offset, partitions FROM mt_partitions WHERE group_id = $1 ORDER BY partition", [n.group])).rows;
  } finally {
    await pool.end();
  }
}

const consumed = async (r: Runner) => (await r.metrics.consumed.get()).values[0]?.value ?? 0;
const refusedFor = (r: Runner) => r.readiness().then((x) => x.checks.positions!);
const COUNT = /the events topic has 3 partitions, but the group's positions and merchants' state were recorded with 1: a merchant's events now go to another partition/;

describe("partitions added to the events topic", () => {
  it("between two runs: refused at the claim with the count recorded, nothing consumed", async () => {
    const n = freshNames("added");
    const url = await freshSchema(n);
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    await createTopics(n, 1);
    let runner = await startRunner(n, url);
    try {
      await produce(n.events, lines.slice(0, half));
      await waitCaughtUp(n, url, 60_000);
    } finally {
      await runner.stop();
    }
    expect(await positions(url, n)).toEqual([{ partition: 0, next_offset: String(half), partitions: 1 }]);
    await addPartitions(n, 3);
    await produce(n.events, lines.slice(half));
    runner = await startRunner(n, url);
    try {
      await until("the partitions refused", async () => (await refusedFor(runner)).ok === false, 60_000);
      await new Promise((res) => setTimeout(res, 3000));
      expect((await refusedFor(runner)).detail).toMatch(COUNT);
      expect(await consumed(runner)).toBe(0);
    } finally {
      await runner.stop();
    }
    expect((await positions(url, n)).filter((r) => r.next_offset !== null)).toEqual([{ partition: 0, next_offset: String(half), partitions: 1 }]);
  }, 180_000);

  it("under a running consumer: its partition is refused at the rebalance that brings the new ones", async () => {
    const n = freshNames("added-live");
    const url = await freshSchema(n);
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    await createTopics(n, 1);
    const first = await startRunner(n, url);
    let second: Runner | undefined;
    try {
      await produce(n.events, lines.slice(0, half));
      await waitCaughtUp(n, url, 60_000);
      await addPartitions(n, 3);
      // a member joining rebalances the group, as kafkajs does itself once its metadata shows the new partitions
      second = await startRunner(n, url);
      await produce(n.events, lines.slice(half));
      await until("both members refusing", async () => !(await refusedFor(first)).ok && !(await refusedFor(second!)).ok, 90_000);
      expect((await refusedFor(first)).detail).toMatch(COUNT);
      await new Promise((res) => setTimeout(res, 3000));
      expect(await consumed(first)).toBe(half);
      expect(await consumed(second)).toBe(0);
    } finally {
      await second?.stop();
      await first.stop();
    }
    expect((await positions(url, n)).filter((r) => r.next_offset !== null)).toEqual([{ partition: 0, next_offset: String(half), partitions: 1 }]);
  }, 240_000);
});
