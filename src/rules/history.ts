// The history of rule-set versions in the database: who saved or put in force which version and why, with its
// files, so tuners can compare any two and roll back. Versions are content hashes, so recording one twice is a no-op.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { createTwoFilesPatch } from "diff";
import { z } from "zod";
import type { Queryable } from "../cases/db.js";
import type { RuleSet } from "./ruleset.js";
import { sha256Tagged } from "../lib/url.js";

export interface RuleVersion {
  version: string;
  ruleSetId: string;
  recordedBy: string;
  recordedAt: string;
  /** why it was saved (the note of the save that recorded it); null: saved before notes were kept */
  note: string | null;
}

export const NOTE_MAX = 1000;
const NOTE_NEEDED = "say why this change is made (what it fixes or tunes, a ticket): auditors and the next tuner read it in the history";

/** Why a tuner saves or restores a version: what auditors and the next tuner read in the history. */
export const ChangeNote = z
  .string({ error: NOTE_NEEDED })
  .trim()
  .min(1, NOTE_NEEDED)
  .max(NOTE_MAX, `a change note is at most ${NOTE_MAX.toLocaleString("en")} characters: say why in short, and point to a ticket for the rest`);

/** The note of a version found in the rules directory: a hand edit or a deploy, which no person wrote a note for. */
export const DIRECTORY_NOTE = "changed in the rules directory (a hand edit or a deploy, not through the page or the API): no note";

export type RuleFiles = Record<string, string>;

export function filesOf(rs: RuleSet): RuleFiles {
  return Object.fromEntries(rs.files.map((f) => [basename(f), readFileSync(f, "utf8")]));
}

/** A file's version, as a save names the file it was made from: the sha256 of its text; "" for no file. */
export const fileVersion = (text: string | undefined): string => (text === undefined ? "" : sha256Tagged(text));

/**
 * How a version was put in force: found in the rules directory (at a start or a reload), saved on the page, saved
 * through the API (a script, curl), or restored (either way).
 */
export type InForceHow = "directory" | "page" | "api" | "restore";

/**
 * When saves through the API began to be recorded as such (9040436): before, they were recorded as "page", as a save
 * on the page was. Neither the history nor the trail tells them apart for sure (a token may post the page's form, a
 * session may call the API; the trail's rows before migration 25 name no credential), so those rows stay as they are
 * and are shown as saved one way or the other.
 */
export const API_SAVES_TOLD_SINCE = "2026-12-07T06:12:26.000Z";

/** A period put in force by a save recorded as "page" before API_SAVES_TOLD_SINCE: it may have been saved through the API. */
export const pageOrApi = (p: Pick<RulePeriod, "how" | "from">): boolean => p.how === "page" && Date.parse(p.from) < Date.parse(API_SAVES_TOLD_SINCE);

/** A version put in force by a tuner's save or restore, with why. */
export interface PutByTuner {
  how: Exclude<InForceHow, "directory">;
  note: string;
}

/**
 * Records a version's files (once: its first recording is kept) and, given how (found in the directory, or a
 * tuner's save or restore with its note), that it was put in force now, unless it already was the last one put in
 * force (each consumer of a directory finds the same reload).
 */
export async function recordVersion(q: Queryable, rs: RuleSet, files: RuleFiles, by: string, put?: "directory" | PutByTuner): Promise<void> {
  await q.query("INSERT INTO mt_rule_versions (version, rule_set_id, files, recorded_by) VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT DO NOTHING", [
    rs.version,
    rs.id,
    JSON.stringify(files),
    by,
  ]);
  if (!put) return;
  const { how, note } = put === "directory" ? { how: put, note: DIRECTORY_NOTE } : put;
  await q.query(
    "INSERT INTO mt_rule_in_force (version, put_by, how, note) SELECT $1, $2, $3, $4 WHERE (SELECT version FROM mt_rule_in_force ORDER BY at DESC, seq DESC LIMIT 1) IS DISTINCT FROM $1",
    [rs.version, by, how, note],
  );
}

/** A period a version was in force: from when it was put in force until the next version was (null: still in force). */
export interface RulePeriod {
  version: string;
  from: string;
  until: string | null;
  putBy: string;
  how: InForceHow;
  /** why (DIRECTORY_NOTE for a version found in the directory); null: put in force before notes were kept */
  note: string | null;
}

/**
 * The periods each version was in force, latest first; `at` (ISO time): only the one in force then. Rows that put
 * in force the version already in force (two processes recording the same reload at once) are one period.
 */
export async function periods(q: Queryable, at?: string): Promise<RulePeriod[]> {
  const r = await q.query<{ version: string; put_by: string; how: InForceHow; note: string | null; at: Date | string; until: Date | string | null }>(
    `SELECT version, put_by, how, note, at, lead(at) OVER (ORDER BY at, seq) AS until
     FROM (SELECT *, lag(version) OVER (ORDER BY at, seq) AS prev FROM mt_rule_in_force) x
     WHERE prev IS DISTINCT FROM version ORDER BY at DESC, seq DESC`,
  );
  const all = r.rows.map((x) => ({
    version: x.version,
    from: new Date(x.at).toISOString(),
    until: x.until === null ? null : new Date(x.until).toISOString(),
    putBy: x.put_by,
    how: x.how,
    note: x.note,
  }));
  if (at === undefined) return all;
  const t = Date.parse(at);
  return all.filter((p) => Date.parse(p.from) <= t && (p.until === null || t < Date.parse(p.until)));
}

/**
 * Every version, latest first. Its note is its recording's: the one it was found in the directory with, or the note
 * of the save that recorded it (recorded and put in force together), not of a later restore of it.
 */
export async function versions(q: Queryable): Promise<RuleVersion[]> {
  const r = await q.query<{ version: string; rule_set_id: string; recorded_by: string; recorded_at: Date | string; note: string | null }>(
    `SELECT version, rule_set_id, recorded_by, recorded_at,
       CASE WHEN recorded_by = 'directory' THEN $1
         ELSE (SELECT note FROM mt_rule_in_force f WHERE f.version = v.version AND f.put_by = v.recorded_by ORDER BY at, seq LIMIT 1) END AS note
     FROM mt_rule_versions v ORDER BY recorded_at DESC, version`,
    [DIRECTORY_NOTE],
  );
  return r.rows.map((x) => ({
    version: x.version,
    ruleSetId: x.rule_set_id,
    recordedBy: x.recorded_by,
    recordedAt: new Date(x.recorded_at).toISOString(),
    note: x.note,
  }));
}

/**
 * A version as a person gives it: whole, or its first hex digits with or without "sha256:" (the Rules page and a
 * backtest report show 12); the digits are captured.
 */
const VERSION_GIVEN = /^(?:sha256:)?([0-9a-f]{8,64})$/;

/** A version of the history as a list names it: its short form, when, who, why. */
const listed = (vs: RuleVersion[]): string =>
  vs.map((v) => `${v.version.slice(0, 19)} (${v.recordedAt.slice(0, 16).replace("T", " ")} UTC, ${v.recordedBy}${v.note ? `: ${v.note}` : ""})`).join("; ");

/**
 * The one version of the history that `given` names (VERSION_GIVEN); else why not, in words that say what to give
 * (`problem`: the form is wrong, none is there, or the digits begin several); `where` names the database to a user of the command line.
 */
export async function findVersion(q: Queryable, given: string, where?: string): Promise<RuleVersion | { problem: "form" | "none" | "several"; why: string }> {
  const digits = VERSION_GIVEN.exec(given.trim().toLowerCase())?.[1];
  if (!digits) return { problem: "form", why: `${given}: give the version as the Rules page shows it (sha256: and at least 8 hex digits), or whole` };
  const all = await versions(q);
  const found = all.filter((v) => v.version.startsWith(`sha256:${digits}`));
  if (found.length === 1) return found[0]!;
  if (found.length > 1) return { problem: "several", why: `${given} begins ${found.length} versions: ${listed(found)}; give more of its digits` };
  const latest = all.slice(0, 5);
  return { problem: "none", why: `no rule-set version sha256:${digits} in the history${where ? ` at ${where}` : ""}; ${latest.length ? `the latest recorded: ${listed(latest)}` : "it holds none"}` };
}

export async function versionFiles(q: Queryable, version: string): Promise<RuleFiles | null> {
  const r = await q.query<{ files: RuleFiles | string }>("SELECT files FROM mt_rule_versions WHERE version = $1", [version]);
  const f = r.rows[0]?.files;
  return f === undefined ? null : typeof f === "string" ? (JSON.parse(f) as RuleFiles) : f;
}

/**
 * Who recorded the version that gave a file its text (`undefined`: the file removed), and when: the first of the
 * latest versions holding it. Null when no version since the last one holding other text holds it (a restore of an
 * older version records none, nor does a change to comments only: the set's version stays).
 */
export async function fileChangedBy(q: Queryable, file: string, text: string | undefined): Promise<{ by: string; at: string } | null> {
  const r = await q.query<{ recorded_by: string; recorded_at: Date | string }>(
    `SELECT recorded_by, recorded_at FROM mt_rule_versions
     WHERE files->>$1 IS NOT DISTINCT FROM $2
       AND recorded_at > coalesce((SELECT max(recorded_at) FROM mt_rule_versions WHERE files->>$1 IS DISTINCT FROM $2), '-infinity')
     ORDER BY recorded_at LIMIT 1`,
    [file, text ?? null],
  );
  const x = r.rows[0];
  return x ? { by: x.recorded_by, at: new Date(x.recorded_at).toISOString() } : null;
}

/** A unified diff per file between two versions' files (files only on one side diff against nothing). */
export function diffFiles(from: RuleFiles, to: RuleFiles, labels: [string, string]): string {
  const names = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  return names
    .filter((n) => from[n] !== to[n])
    .map((n) => createTwoFilesPatch(`${labels[0]}/${n}`, `${labels[1]}/${n}`, from[n] ?? "", to[n] ?? ""))
    .join("");
}
