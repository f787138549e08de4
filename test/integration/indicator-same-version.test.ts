// The same version of an indicator set with other content, after a restart: a process refused it as "changed" while
// it held the release in force, but remembered only the version in PostgreSQL, so a process started once that
// release was gone from the topic (compaction kept the later copy under the set's key) took the changed one. The
// release's digests are now remembered with its version (mt_indicator_versions, migration 11).
import { describe, expect, it } from "vitest";
import pg from "pg";
import { publishSet, releaseDigests } from "../../src/indicators/distribution.js";
import { createTopics, freshNames, freshSchema, indicatorRefusals as refusals, kafka, sampleSetSigning, sampleSetsRunner, setsPutInForce, until } from "./harness.js";

describe("an indicator set's version re-published with other content", () => {
  it("is refused by a process started after the release in force left the topic", { timeout: 180_000 }, async () => {
    const n = freshNames("ind-same-version");
    await createTopics(n, 1);
    const url = await freshSchema(n);
    const { v1, sign } = sampleSetSigning();
    const v2 = sign({ ...v1, version: 2 });
    // the same version number, one entry withdrawn
    const changed = sign({ ...v1, version: 2, entries: v1.entries.map((e, i) => (i ? e : { ...e, revoked: true })) });

    await setsPutInForce(n, url, [v2]);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const { rows } = await pool.query("SELECT version, content_sha256 FROM mt_indicator_versions");
      expect(rows).toEqual([{ version: "2", content_sha256: releaseDigests(v2) }]);
    } finally {
      await pool.end();
    }

    // compaction has kept only the changed copy under the set's key
    const compacted = `${n.id}.indicator-sets-compacted`;
    await publishSet(kafka(), compacted, changed);
    const later = await sampleSetsRunner(n, url, compacted);
    try {
      await until("the changed version 2 refused", async () => (await refusals(later, "changed")) === 1, 60_000);
      expect(later.indicatorSets).toEqual([]);
      // the release put in force before is taken again
      await publishSet(kafka(), compacted, v2);
      await until("version 2 in force", () => later.indicatorSets.some((s) => s.version === 2));
      expect(await refusals(later, "changed")).toBe(1);
    } finally {
      await later.stop();
    }
  });
});
