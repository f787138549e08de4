// Rollback after compaction, on a real broker and PostgreSQL: a process put version 2 of a set in force; the topic
// then holds only the older signed version 1 under the set's key (as compaction leaves it once someone who can write
// the topic has put version 1 back; a topic of its own here stands for that state). A process started then, on the
// same database, refuses version 1 as a rollback (logged, counted by reason) instead of putting back in force the
// entry version 2 revoked.
import { describe, expect, it } from "vitest";
import pg from "pg";
import { publishSet } from "../../src/indicators/distribution.js";
import { createTopics, freshNames, freshSchema, indicatorRefusals as refusals, kafka, sampleSetSigning, sampleSetsRunner, setsPutInForce, until } from "./harness.js";

describe("indicator sets rolled back on the topic", () => {
  it("are refused by a process started later, which remembers in PostgreSQL the highest version in force", { timeout: 180_000 }, async () => {
    const n = freshNames("ind-rollback");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const { v1, sign } = sampleSetSigning();
    // version 2 withdraws an entry found to be a false positive
    const v2 = sign({ ...v1, version: 2, entries: v1.entries.map((e, i) => (i ? e : { ...e, revoked: true })) });

    await setsPutInForce(n, url, [v1, v2]);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const { rows } = await pool.query("SELECT publisher, set_id, version FROM mt_indicator_versions");
      expect(rows).toEqual([{ publisher: v1.publisher.id, set_id: v1.id, version: "2" }]);
    } finally {
      await pool.end();
    }

    const compacted = `${n.id}.indicator-sets-compacted`;
    await publishSet(kafka(), compacted, v1);
    const later = await sampleSetsRunner(n, url, compacted);
    try {
      await until("version 1 refused as a rollback", async () => (await refusals(later, "rollback")) === 1);
      expect(later.indicatorSets).toEqual([]);
      // the publisher puts version 2 back on the topic: in force again
      await publishSet(kafka(), compacted, v2);
      await until("version 2 in force", () => later.indicatorSets.some((s) => s.version === 2));
      expect(await refusals(later, "rollback")).toBe(1);
    } finally {
      await later.stop();
    }
  });
});
