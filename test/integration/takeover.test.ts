// The operator's scenario of the operations issue: two consumers share the partitions, one is killed with -9
// mid-stream, the other takes over its partitions with their state (from the checkpoint, then the events after
// it), and everything still reconciles: the alerts and cases of one uninterrupted run, each alert once on the
// topic, each malformed message once on the dead-letter topic.
import { describe, it, expect } from "vitest";
import { once } from "node:events";
import type { Runner } from "../../src/app/run.js";
import {
  consuming,
  createTopics,
  expectSampleAlertsOnce,
  freshNames,
  freshSchema,
  owners,
  produce,
  readTopic,
  sampleLines,
  spawnRunner,
  startRunner,
  until,
  waitCaughtUp,
} from "./harness.js";

describe("takeover", () => {
  it("kill -9 one of two consumers mid-stream: the other takes over its partitions and state; nothing lost, nothing doubled", { timeout: 300_000 }, async () => {
    const n = freshNames("takeover");
    await createTopics(n, 4);
    const url = await freshSchema(n);
    const lines = sampleLines();
    const malformed = Array.from({ length: 40 }, (_, i) => `not json ${i}`);
    // checkpoints often and small chunks, so the killed consumer leaves state in PostgreSQL and events after it
    const env = { MT_SESSION_TIMEOUT_MS: "6000", MT_COMMIT_EVERY: "100", MT_CHECKPOINT_MS: "500", LOG_LEVEL: "info" };
    const a = spawnRunner(n, url, env);
    let b: Runner | undefined;
    try {
      await consuming(a);
      b = await startRunner(n, url, { sessionTimeoutMs: 6000, commitEvery: 100, checkpointMs: 500 });
      const mine = `:${process.pid}`;
      await until("the second consumer in the group", async () => (await b!.readiness()).checks.group?.ok === true, 90_000);
      // both claim the partitions they were given as their first events arrive
      const quarter = Math.floor(lines.length / 4);
      await produce(n.events, lines.slice(0, quarter), { batch: 50, pauseMs: 20 });
      await until("both consumers hold partitions", async () => {
        const o = [...(await owners(url, n.group)).values()];
        return o.some((x) => x.endsWith(mine)) && o.some((x) => x.endsWith(`:${a.pid}`));
      }, 90_000);
      const half = Math.floor(lines.length / 2);
      await produce(n.events, [...lines.slice(quarter, half), ...malformed.slice(0, 20)], { batch: 50, pauseMs: 20 });
      const ofA = [...(await owners(url, n.group))].filter(([, o]) => o.endsWith(`:${a.pid}`)).map(([p]) => p);
      expect(ofA.length).toBeGreaterThan(0);
      a.kill("SIGKILL");
      await once(a, "exit");
      await produce(n.events, [...lines.slice(half), ...malformed.slice(20)], { batch: 50, pauseMs: 20 });
      await waitCaughtUp(n, url, 180_000);
      // every partition, the killed consumer's included, is now claimed by the survivor
      const after = await owners(url, n.group);
      expect([...after.keys()].sort()).toEqual([0, 1, 2, 3]);
      for (const [p, o] of after) expect(o, `partition ${p}`).toMatch(new RegExp(`${mine}$`));
    } finally {
      if (a.exitCode === null && a.signalCode === null) a.kill("SIGKILL");
      await b?.stop();
    }
    await expectSampleAlertsOnce(url, n.alerts);
    const dead = await readTopic(n.dead, { count: malformed.length });
    expect(dead.map((m) => m.value.toString()).sort()).toEqual([...malformed].sort());
  });
});
