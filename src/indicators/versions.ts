// The highest version of each indicator set put in force, and the content of that release, in PostgreSQL
// (mt_indicator_versions, migrations 9 and 11): what a process started after compaction checks the topic's sets
// against (see VersionFloor).
import type { Queryable } from "../cases/db.js";
import { releaseDigests, setKey, type VersionFloor } from "./distribution.js";
import type { IndicatorSet } from "./schema.js";

/** `onError`: a failed write (PostgreSQL gone a moment); the versions are written again with the next change. */
export function pgVersionFloor(db: Queryable, onError: (err: Error) => void): VersionFloor {
  return {
    async load() {
      const { rows } = await db.query<{ publisher: string; set_id: string; version: string; content_sha256: string[] | null }>(
        "SELECT publisher, set_id, version, content_sha256 FROM mt_indicator_versions",
      );
      return new Map(rows.map((r) => [setKey(r.publisher, r.set_id), r.content_sha256 ? { version: Number(r.version), release: r.content_sha256 } : Number(r.version)]));
    },
    async record(sets: IndicatorSet[]) {
      if (!sets.length) return;
      // the first release of a version is the one remembered (a row from before migration 11 takes it now)
      await db
        .query(
          `INSERT INTO mt_indicator_versions (publisher, set_id, version, content_sha256)
           SELECT p, s, v, ARRAY(SELECT json_array_elements_text(d)) FROM unnest($1::text[], $2::text[], $3::bigint[], $4::json[]) AS t(p, s, v, d)
           ON CONFLICT (publisher, set_id) DO UPDATE SET version = excluded.version, content_sha256 = excluded.content_sha256, recorded_at = now()
             WHERE mt_indicator_versions.version < excluded.version
               OR (mt_indicator_versions.version = excluded.version AND mt_indicator_versions.content_sha256 IS NULL)`,
          [sets.map((s) => s.publisher.id), sets.map((s) => s.id), sets.map((s) => s.version), sets.map((s) => JSON.stringify(releaseDigests(s)))],
        )
        .catch(onError);
    },
  };
}
