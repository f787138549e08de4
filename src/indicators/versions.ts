// The highest version of each indicator set put in force, in PostgreSQL (mt_indicator_versions, migration 9): what a
// process started after compaction checks the topic's sets against (see VersionFloor).
import type { Queryable } from "../cases/db.js";
import { setKey, type VersionFloor } from "./distribution.js";
import type { IndicatorSet } from "./schema.js";

/** `onError`: a failed write (PostgreSQL gone a moment); the versions are written again with the next change. */
export function pgVersionFloor(db: Queryable, onError: (err: Error) => void): VersionFloor {
  return {
    async load() {
      const { rows } = await db.query<{ publisher: string; set_id: string; version: string }>("SELECT publisher, set_id, version FROM mt_indicator_versions");
      return new Map(rows.map((r) => [setKey(r.publisher, r.set_id), Number(r.version)]));
    },
    async record(sets: IndicatorSet[]) {
      if (!sets.length) return;
      await db
        .query(
          `INSERT INTO mt_indicator_versions (publisher, set_id, version)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
           ON CONFLICT (publisher, set_id) DO UPDATE SET version = excluded.version, recorded_at = now()
             WHERE mt_indicator_versions.version < excluded.version`,
          [sets.map((s) => s.publisher.id), sets.map((s) => s.id), sets.map((s) => s.version)],
        )
        .catch(onError);
    },
  };
}
