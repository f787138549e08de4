// `moneytrail db reset-positions` starts a topic's partitions again at the log's start. Each partition's event time
// (mt_partitions.reached_at, at_end, event_time_at: the event-time hold's frontier, app/run/event-time.ts) is of the
// log that is gone, and went on being read: the frontier only grows (GREATEST), so a partition replaying the old
// events again from their start (--forget-state) stayed at the old frontier, and the others ran past it; a new log's
// events earlier than it (--keep-state) likewise. Reset, a partition has no event time until its new owner writes one,
// and its staleness counts from that claim, as a partition's first claim.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { freshNames, freshStore } from "./harness.js";
import { CLI } from "../helpers/cli.js";

const MARCH = Date.parse("2026-03-20T00:00:00Z");
const JANUARY = Date.parse("2026-01-05T00:00:00Z");
// an owner that has not written for this long is passed over
const STALL_MS = 60_000;

describe.each(["--keep-state", "--forget-state"])("db reset-positions %s", (mode) => {
  it("forgets the partitions' event times: claimed again, a partition's frontier is what its new owner writes", { timeout: 60_000 }, async () => {
    const n = freshNames(`resetet${mode === "--keep-state" ? "k" : "f"}`);
    const { pool, store } = await freshStore(n);
    try {
      const topic = n.events;
      // partition 0 came to 20 March and its end; partition 1 to 20 March, with a backlog
      for (const [p, atEnd] of [[0, true], [1, false]] as const) {
        const claim = await store.claim(topic, p, "host-a:1", 2);
        await store.commitOutputs({ topic, partition: p, epoch: claim.epoch, nextOffset: "500", alerts: [], outbox: [], acquirerOf: () => undefined, reachedAt: MARCH, atEnd });
      }
      // the owner's last write a minute and more ago (an owner gone: passed over)
      await pool.query("UPDATE mt_partitions SET event_time_at = now() - interval '10 minutes' WHERE group_id = $1", [n.group]);
      const url = (pool.options as { connectionString: string }).connectionString;
      const reset = spawnSync(process.execPath, [...CLI, "db", "reset-positions", "--topic", topic, "--group-id", n.group, "--database-url", url, mode], { encoding: "utf8", timeout: 60_000 });
      expect(reset.stderr).toBe("");
      expect(reset.status).toBe(0);
      // a new owner claims them: nothing of the old log's event time is read back
      const claims = [await store.claim(topic, 0, "host-b:2", 2), await store.claim(topic, 1, "host-b:2", 2)];
      expect((await store.eventTimes(topic, STALL_MS)).sort((a, b) => a.partition - b.partition)).toEqual([
        { partition: 0, reachedAt: null, atEnd: false, stale: false },
        { partition: 1, reachedAt: null, atEnd: false, stale: false },
      ]);
      // partition 1 goes through the log from its start (January): its frontier is January, not March
      await store.commitOutputs({ topic, partition: 1, epoch: claims[1]!.epoch, nextOffset: "100", alerts: [], outbox: [], acquirerOf: () => undefined, reachedAt: JANUARY, atEnd: false });
      expect((await store.eventTimes(topic, STALL_MS)).find((r) => r.partition === 1)).toEqual({ partition: 1, reachedAt: JANUARY, atEnd: false, stale: false });
    } finally {
      await pool.end();
    }
  });
});
