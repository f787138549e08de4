// A partition at its end is claimed at assignment (claim-at-assignment.test.ts), as it gets no batch to be claimed
// at. When PostgreSQL is away at that moment, the claim was given up ("claimed at its first batch"): at its end, never,
// its merchants not held here and its position and event time left as the previous owner wrote them, until an event
// came. It is tried again, with a backoff, until it is claimed; /readyz and moneytrail_partitions_unclaimed say so
// meanwhile, and the log says it once per outage, not once per try. PostgreSQL is taken away for real (pgProxy).
import { expect, it } from "vitest";
import pino from "pino";
import { behindProxy, onClient, produce, sampleTransactions, startRunner, until, waitCaughtUp } from "./harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each partition's epoch in PostgreSQL: a claim moves it on. */
const epochs = (url: string, group: string): Promise<Map<number, bigint>> =>
  onClient(url, async (c) => new Map((await c.query<{ partition: number; epoch: string }>("SELECT partition, epoch FROM mt_partitions WHERE group_id = $1", [group])).rows.map((r) => [r.partition, BigInt(r.epoch)])));

it("a partition at its end whose claim at assignment met PostgreSQL away is claimed once it is back, with no event of it", { timeout: 180_000 }, async () => {
  const { n, url, proxy } = await behindProxy("claimretry", 2);
  // transactions only: positions and checkpoints, no outputs
  const first = await startRunner(n, proxy.url, { checkpointMs: 200 });
  try {
    await produce(n.events, sampleTransactions().slice(0, 200));
    await waitCaughtUp(n, url);
  } finally {
    // a clean stop: the group's Kafka offsets at the end, so the next member gets no batch of either partition
    await first.stop();
  }
  const before = await epochs(url, n.group);
  expect([...before.keys()].sort()).toEqual([0, 1]);
  const lines: { level: number; msg: string; partition?: number }[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  // PostgreSQL goes away at the claims at assignment (their first statement asks whether it has positions)
  const cut = proxy.downOn("SELECT 1 FROM mt_partitions");
  const runner = await startRunner(n, proxy.url, {}, log);
  try {
    await cut;
    await until("not ready, naming the partitions not claimed", async () => (await runner.readiness()).checks.claims?.ok === false, 20_000);
    // several tries fail meanwhile (the first retries come 1 s and 2 s after the first failure)
    await sleep(5000);
    const away = await runner.readiness();
    expect(away.checks.claims?.detail).toMatch(/partition [01]: assigned, its claim has failed [2-9] times since .*: tried again until it is/);
    const unclaimed = (await runner.metrics.registry.getSingleMetric("moneytrail_partitions_unclaimed")!.get()).values;
    expect(unclaimed.length).toBeGreaterThan(0);
    expect(unclaimed.every((v) => v.value === 1)).toBe(true);
    await proxy.up();
    await until(
      "both partitions claimed, with no event of them",
      async () => {
        const now = await epochs(url, n.group);
        return [...before].every(([p, e]) => now.get(p)! > e);
      },
      60_000,
    );
    // ready once the claims are over, their merchants then held here, from the checkpoint (the epochs move at the
    // claim's commit, a moment before the merchants it read are in the engine: checked then, this failed in a CI run)
    await until("ready again", async () => (await runner.readiness()).ready, 30_000);
    expect(runner.engine.merchants.size).toBeGreaterThan(0);
    expect((await runner.metrics.registry.getSingleMetric("moneytrail_partitions_unclaimed")!.get()).values).toEqual([]);
    // once per partition and outage, not once per try; and that it was claimed in the end
    const said = (words: string) => lines.filter((l) => l.msg.includes(words)).map((l) => l.partition);
    const failed = said("could not be claimed");
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed).size).toBe(failed.length);
    expect(said("the partition assigned is claimed").sort()).toEqual([...failed].sort());
  } finally {
    await runner.stop();
    await proxy.close();
  }
});
