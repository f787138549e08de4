// The highest version of each indicator set put in force under each signing key, and the content of that release, in
// PostgreSQL (mt_indicator_versions, migrations 9, 11 and 13): what a process started after compaction checks the topic's sets
// against (see VersionFloor).
import type { Queryable } from "../cases/db.js";
import { releaseDigests, type VersionFloor } from "./distribution.js";

/** `onError`: a failed write (PostgreSQL gone a moment); the versions are written again with the next change. */
export function pgVersionFloor(db: Queryable, onError: (err: Error) => void): VersionFloor {
  return {
    async load() {
      const { rows } = await db.query<{ publisher: string; set_id: string; signed_by: string; version: string; content_sha256: string[] | null }>(
        "SELECT publisher, set_id, signed_by, version, content_sha256 FROM mt_indicator_versions",
      );
      return rows.map((r) => ({ publisher: r.publisher, setId: r.set_id, signedBy: r.signed_by, version: Number(r.version), release: r.content_sha256 ?? undefined }));
    },
    async record(sets) {
      if (!sets.length) return;
      // the first release of a version is the one remembered (a row from before migration 11 takes it now)
      await db
        .query(
          `INSERT INTO mt_indicator_versions (publisher, set_id, signed_by, version, content_sha256)
           SELECT p, s, k, v, ARRAY(SELECT json_array_elements_text(d)) FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::json[]) AS t(p, s, k, v, d)
           ON CONFLICT (publisher, set_id, signed_by) DO UPDATE SET version = excluded.version, content_sha256 = excluded.content_sha256, recorded_at = now()
             WHERE mt_indicator_versions.version < excluded.version
               OR (mt_indicator_versions.version = excluded.version AND mt_indicator_versions.content_sha256 IS NULL)`,
          [
            sets.map((s) => s.set.publisher.id),
            sets.map((s) => s.set.id),
            sets.map((s) => s.signedBy),
            sets.map((s) => s.set.version),
            sets.map((s) => JSON.stringify(releaseDigests(s.set))),
          ],
        )
        .catch(onError);
    },
  };
}
