// SIGTERM hands the partitions over with everything saved: the stopping consumer writes its position and last
// checkpoint while it still holds its partitions, and only then leaves the group. Left first, another member is
// given them, claims them from the older position and checkpoint in PostgreSQL and processes their events again.
// The stopping consumer's checkpoint is made slow here (a lock on the state table) so the order decides, not luck.
import { describe, it, expect, vi } from "vitest";
import { once } from "node:events";
import pg from "pg";
import type { Runner } from "../../src/app/run.js";
import { PgStore, type Claim } from "../../src/sinks/postgres/store.js";
import {
  consuming,
  createTopics,
  expectSampleAlertsOnce,
  freshNames,
  freshSchema,
  kafka,
  owners,
  produce,
  sampleLines,
  spawnRunner,
  startRunner,
  until,
  waitCaughtUp,
} from "./harness.js";

describe("stop hands the partitions over", () => {
  it("SIGTERM saves the position and checkpoint before leaving: the next owner claims at the end and processes none of it again", { timeout: 300_000 }, async () => {
    const n = freshNames("handover");
    await createTopics(n, 2);
    const url = await freshSchema(n);
    const lines = sampleLines();
    const half = Math.floor(lines.length / 2);
    // no checkpoint while running: the one written on stop is all the next owner can start from
    const a = spawnRunner(n, url, { LOG_LEVEL: "info", MT_CHECKPOINT_MS: "600000" });
    const claims = vi.spyOn(PgStore.prototype, "claim");
    const blocker = new pg.Client({ connectionString: url });
    let b: Runner | undefined;
    let locked = false;
    try {
      await consuming(a);
      // the second consumer in this process: every claim the spy sees is its own
      b = await startRunner(n, url, { checkpointMs: 600_000 });
      await until("the second consumer in the group", async () => (await b!.readiness()).checks.group?.ok === true, 90_000);
      const eventsBefore = b.engine.counts.events;
      await produce(n.events, lines.slice(0, half), { pauseMs: 20 });
      await waitCaughtUp(n, url);
      const held = await owners(url, n.group);
      const ofA = [...held].filter(([, o]) => o.endsWith(`:${a.pid}`)).map(([p]) => p);
      expect(ofA).toHaveLength(1);
      const pA = ofA[0]!;
      const admin = kafka().admin();
      await admin.connect();
      const endOfA = (await admin.fetchTopicOffsets(n.events)).find((o) => o.partition === pA)!.high;
      await admin.disconnect();
      expect(Number(endOfA)).toBeGreaterThan(0);

      // the stopping consumer's checkpoint waits on this lock (claims only read the table)
      await blocker.connect();
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE mt_merchant_state IN EXCLUSIVE MODE");
      locked = true;
      const claimsBefore = claims.mock.calls.length;
      a.kill("SIGTERM");
      // events for both partitions: the second consumer claims A's as soon as it is given it and a batch comes
      await produce(n.events, lines.slice(half));
      await until("the second consumer claims the first one's partition", () => claims.mock.calls.slice(claimsBefore).some(([, p]) => p === pA), 12_000).catch(() => undefined);
      await blocker.query("COMMIT");
      locked = false;
      const [code] = (await once(a, "exit")) as [number | null];
      expect(code).toBe(0);
      await waitCaughtUp(n, url, 180_000);

      const taken = claims.mock.calls.flatMap(([, p], i) => (i >= claimsBefore && p === pA ? [claims.mock.results[i]!.value as Promise<Claim>] : []));
      expect(taken).toHaveLength(1);
      const claim = await taken[0]!;
      // claimed where the first consumer's work ended: its outputs' position and its state
      expect({ nextOffset: claim.nextOffset, stateOffset: claim.stateOffset }).toEqual({ nextOffset: endOfA, stateOffset: endOfA });
      // the engine saw every event once but those of A's partition before the stop, which it never saw
      expect(b.engine.counts.events - eventsBefore).toBe(lines.length - Number(endOfA));
      expect([...(await owners(url, n.group)).values()].every((o) => o.endsWith(`:${process.pid}`))).toBe(true);
    } finally {
      if (locked) await blocker.query("ROLLBACK").catch(() => undefined);
      await blocker.end().catch(() => undefined);
      if (a.exitCode === null && a.signalCode === null) a.kill("SIGKILL");
      await b?.stop();
      claims.mockRestore();
    }
    await expectSampleAlertsOnce(url, n.alerts);
  });
});
