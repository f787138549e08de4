// kill -9 the consumer at random points while events are being produced, restart it each time: the final
// alerts (topic and table) and cases equal those of an uninterrupted run. One partition, so the uninterrupted
// run is exactly `replay` on the same file.
import { describe, it, expect } from "vitest";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import pg from "pg";
import {
  consuming,
  createTopics,
  expectSampleAlertsOnce,
  freshNames,
  freshSchema,
  produce,
  sampleLines,
  spawnRunner,
  waitCaughtUp,
} from "./harness.js";

const KILLS = Number(process.env.MT_CRASH_KILLS ?? 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function storedOffset(url: string, group: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const r = await pool.query<{ o: string | null }>("SELECT max(next_offset) AS o FROM mt_partitions WHERE group_id = $1", [group]).catch(() => ({ rows: [{ o: null }] }));
    return Number(r.rows[0]?.o ?? 0);
  } finally {
    await pool.end();
  }
}

describe("crash recovery", () => {
  it(`survives ${KILLS} kill -9 at random points: nothing lost, nothing doubled`, { timeout: 600_000 }, async () => {
    const n = freshNames("crash");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const lines = sampleLines();
    const env = { MT_SESSION_TIMEOUT_MS: "6000", MT_COMMIT_EVERY: "200", MT_CHECKPOINT_MS: "700" };
    // spread production over the kill loop so kills land while events arrive
    const producing = produce(n.events, lines, { batch: 50, pauseMs: Math.ceil((KILLS * 6000) / (lines.length / 50)) });
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let killed = 0;
    // a kill counts as mid-stream when the consumer had made progress since the previous kill and was not done
    let midStream = 0;
    let before = 0;
    for (let k = 0; k < KILLS; k++) {
      const child: ChildProcess = spawnRunner(n, url, env);
      // wait until this consumer has committed something, then kill it at a random moment of its work
      for (let waited = 0; waited < 30_000 && (await storedOffset(url, n.group)) <= before; waited += 100) await sleep(100);
      await sleep(random() * 1500);
      child.kill("SIGKILL");
      await once(child, "exit");
      killed++;
      const now = await storedOffset(url, n.group);
      if (now > before && now < lines.length) midStream++;
      before = now;
    }
    await producing;
    const final = spawnRunner(n, url, { ...env, LOG_LEVEL: "info" });
    await consuming(final);
    await waitCaughtUp(n, url, 180_000);
    final.kill("SIGTERM");
    const [code] = (await once(final, "exit")) as [number | null];
    expect(code).toBe(0);
    expect(killed).toBe(KILLS);
    expect(midStream, "kills that landed while the consumer was working through the stream").toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));

    // exactly once on the topic and in the table (no duplicate, none missing), and the same alerts to the byte
    const { expected, alerts } = await expectSampleAlertsOnce(url, n.alerts);
    expect(alerts.sort((a, b) => a.alertId.localeCompare(b.alertId))).toEqual([...expected].sort((a, b) => a.alertId.localeCompare(b.alertId)));
  });
});
