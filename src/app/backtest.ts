// Backtest: one pass over recorded events feeds a baseline rule set (A), a candidate (B) and, for a sweep, the
// candidate with one numeric parameter at each value, so a rule tuner sees what a change does before it goes
// live: rule hits, merchants that gain or lose an alert, and precision/recall against labels (fixture labels
// or reviewers' decisions in the case store). Plain functions over (event source, rule sets, labels); the CLI
// and the reports are thin shells around them.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { z } from "zod";
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from "yaml";
import { DEFAULT_MAX_AHEAD_MS, DEFAULT_MAX_BYTES, MAX_BYTES_FLAG, decode, decodeMessage, type AheadLimit, type Decoded } from "../decode/decode.js";
import { Engine } from "../engine.js";
import { Alert, type Event } from "../decode/events.js";
import { indexSets, type IndicatorIndex } from "../indicators/index.js";
import type { IndicatorSet } from "../indicators/schema.js";
import { duplicateKeys } from "../rules/duplicate-keys.js";
import { ruleFieldChanges } from "../rules/rule-diff.js";
import { doubtText, isRuleFileName, loadRuleSet, type CompiledRule, type RuleSet, type RuleSetSettings } from "../rules/ruleset.js";
import type { RuleMode } from "../rules/kind.js";
import { ContextRules } from "../scoring/score.js";
import { canonicalJson } from "../lib/canonical-json.js";
import type { Line } from "../source/ndjson.js";
import type { LateStart, SkipDecisions, TopicLine } from "../source/kafka-range.js";
import { skippedBatch } from "../sinks/postgres/store.js";
import { parseTime } from "../lib/time.js";
import { ConfigError, formatPath, readTextFile, withoutJsonQuote, zodIssues, type ConfigIssue } from "../lib/errors.js";
import { RunConfig, databaseWhere } from "../config/run.js";
import { CLEAN_DISMISSALS, CONFIRMED, statusText } from "../cases/workflow.js";
import { connectFailure } from "../cases/db.js";
import { BucketUnit, DifferingAlert, TimelineBucket, alertBuckets, bucketUnit, differingAlerts } from "./alert-timeline.js";

/** A wrong flag or an unusable input: the CLI prints the message as it is. */
export class BacktestError extends Error {}

// ---------------------------------------------------------------------------------------------------------
// Inputs

/**
 * `--from` / `--to`: a plain integer is a line number of the events file (with --topic an offset, the same in every
 * partition, which the topic's source applies), anything else an RFC 3339 time.
 */
const TimeBound = z.strictObject({ time: z.iso.datetime({ offset: true }) });
export const Bound = z.union([
  z.strictObject({ line: z.number().int().positive() }),
  z.strictObject({ offset: z.number().int().nonnegative() }),
  TimeBound,
]);
export type Bound = z.infer<typeof Bound>;

export function parseBound(flag: string, s: string, onTopic = false): Bound {
  if (/^\d+$/.test(s)) {
    if (!Number.isSafeInteger(Number(s))) throw new BacktestError(`${flag} ${s}: too large for a ${onTopic ? "offset" : "line number"}`);
    if (onTopic) return { offset: Number(s) };
    if (Number(s) === 0) throw new BacktestError(`${flag} ${s}: lines are counted from 1 (the file's first line); give 1 or more, or an RFC 3339 time`);
    return { line: Number(s) };
  }
  const b = Bound.safeParse({ time: s });
  if (!b.success) throw new BacktestError(`${flag} ${s}: give an RFC 3339 time (2026-04-01T00:00:00Z) or a line number`);
  return b.data;
}

/** A window that ends before it starts would hold nothing: refused, saying which way round. A line and a time have no order to check. */
export function checkWindow(from: string | undefined, to: string | undefined): void {
  if (from === undefined || to === undefined) return;
  const number = /^\d+$/;
  if (number.test(from) !== number.test(to)) return;
  const at = (s: string) => (number.test(s) ? Number(s) : Date.parse(s));
  if (at(from) > at(to)) throw new BacktestError(`--from ${from} is after --to ${to}: give the window's start as --from and its end as --to (--from ${to} --to ${from})`);
}

/**
 * `--report-from T`: the events from --from up to T are run, so the state (two months' ratios, "within N days"
 * counts, profiles) is what live had at T, and only what happens from T on is reported. A time, as those ratios are
 * by time; --from and --to are given as they were (a line or an offset --from cannot be compared with it).
 */
export function parseReportFrom(s: string, from: string | undefined, to: string | undefined): z.infer<typeof TimeBound> {
  const b = TimeBound.safeParse({ time: s });
  if (!b.success) throw new BacktestError(`--report-from ${s}: give an RFC 3339 time (2026-04-01T00:00:00Z): the report counts what happens from then on, by each event's occurredAt`);
  const at = Date.parse(s);
  const time = (x: string | undefined) => (x === undefined || /^\d+$/.test(x) ? undefined : Date.parse(x));
  if (at < (time(from) ?? -Infinity))
    throw new BacktestError(`--report-from ${s} is before --from ${from}: events before --from are not run at all; give --report-from at or after --from (or an earlier --from, to build the state from then)`);
  if (at > (time(to) ?? Infinity)) throw new BacktestError(`--report-from ${s} is after --to ${to}: the report would count nothing; give a --report-from before --to`);
  return b.data;
}

/** What counts as true: per merchant, positive or negative, and for positives the typologies they stand for. */
export const Truth = z.strictObject({
  /** where the labels came from, for the report (never a database URL) */
  source: z.string(),
  merchants: z.record(
    z.string(),
    z.strictObject({
      label: z.enum(["positive", "negative"]),
      typologies: z.array(z.string()),
      /** the label as its source says it: benign, hard-negative, reported, dismissed as false-positive, ... */
      detail: z.string(),
      /** a labels file's note on the merchant: what it is, which a merchant gaining or losing an alert is read by */
      note: z.string().optional(),
    }),
  ),
});
export type Truth = z.infer<typeof Truth>;

/**
 * A labels file (--labels): per merchant id, its label and nothing else needed. A positive may name the typologies it
 * stands for (for the per-typology recall), any merchant a note; the fixtures' labels.json (benign, hard-negative,
 * typologies and a note for each) is one.
 */
export const LabelsFile = z.strictObject({
  merchants: z.record(
    z.string().min(1),
    z.strictObject({
      /** negative, benign and hard-negative are all negative */
      label: z.enum(["positive", "negative", "benign", "hard-negative"]),
      typologies: z.array(z.string().min(1)).default([]),
      note: z.string().optional(),
    }),
  ),
});

/** a file of thousands of merchants can be wrong thousands of times: the first few say what to fix */
const LABEL_ISSUES = 5;

/** A labels file: positive is positive, the other labels negative. A bad file is refused with its line or path. */
export function labelsFromFile(path: string): Truth {
  // a byte-order mark (some Windows editors write one) is not JSON
  const text = readTextFile(path).replace(/^\uFEFF/, "");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    // the events file given as --labels: NDJSON, each line an event, is no JSON document
    if (isEvent(text.split("\n", 1)[0]!))
      throw new ConfigError(path, [{ path: "", message: "this is a file of events (one JSON event a line), not a labels file: give it as --events, and as --labels a file such as fixtures/sample/labels.json", line: 1 }]);
    const message = (err as Error).message;
    throw new ConfigError(path, [{ path: "(JSON syntax)", message: `not valid JSON: ${message}`, ...jsonPosition(text, message) }]);
  }
  const parsed = LabelsFile.safeParse(json);
  const issues = [...duplicateKeys(text, "JSON keeps only the last; keep one of them"), ...(parsed.success ? [] : zodIssues(parsed.error, json))];
  if (issues.length || !parsed.success) {
    const more = issues.length - LABEL_ISSUES;
    throw new ConfigError(path, [
      ...issues.slice(0, LABEL_ISSUES),
      ...(more > 0 ? [{ path: "(more)", message: `${more} more problems like these` }] : []),
    ]);
  }
  const merchants: Truth["merchants"] = {};
  for (const [id, l] of Object.entries(parsed.data.merchants)) {
    merchants[id] = { label: l.label === "positive" ? "positive" : "negative", typologies: l.typologies, detail: l.label, ...(l.note !== undefined && { note: l.note }) };
  }
  return { source: path, merchants };
}

/** Whether a line is a JSON object with an event's type and id. */
function isEvent(line: string): boolean {
  try {
    const o: unknown = JSON.parse(line);
    return typeof o === "object" && o !== null && "type" in o && "eventId" in o;
  } catch {
    return false;
  }
}

/** The line and column of JSON.parse's "at position N" (Node's message; the end of the text when it has none). */
function jsonPosition(text: string, message: string): { line: number; col: number } {
  const at = /at position (\d+)/.exec(message);
  const before = text.slice(0, at ? Number(at[1]) : text.length).split("\n");
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

const CaseRow = z.object({
  merchant_id: z.string(),
  status: z.enum(["reported", "account_closed", "dismissed"]),
  dismiss_reason: z.string().nullable(),
  typologies: z.array(z.string()),
});

/**
 * Reviewers' decisions in the case store (mt_cases) as labels: a merchant with a reported case, or one closed with
 * the merchant's account, is positive (with the typologies of those cases); otherwise one dismissed as false-positive or legitimate-business is
 * negative; every other merchant is unknown. Reads only; never migrates.
 */
export async function dispositionsFrom(url: string): Promise<Truth> {
  // checked as DATABASE_URL is, so what pg takes is taken (a socket: postgres:///db?host=/run/postgresql); the value
  // is not repeated: it may hold a password
  const checked = RunConfig.shape.databaseUrl.safeParse(url);
  if (!checked.success) throw new BacktestError(`--dispositions: ${checked.error.issues[0]!.message.replace(/^DATABASE_URL /, "the case store's URL ")}`);
  const where = databaseWhere(url);
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect().catch((err: Error) => {
    throw connectFailure(err, where, "--dispositions");
  });
  try {
    const res = await client
      .query(
        `SELECT merchant_id, status, dismiss_reason, typologies FROM mt_cases
          WHERE status = ANY($1) OR (status = 'dismissed' AND dismiss_reason = ANY($2))`,
        [CONFIRMED, CLEAN_DISMISSALS],
      )
      .catch((err: Error & { code?: string }) => {
        if (err.code === "42P01") throw new BacktestError(`no mt_cases table at ${where}: --dispositions needs the case store's database`);
        throw err;
      });
    const merchants: Truth["merchants"] = {};
    for (const row of res.rows) {
      const c = CaseRow.parse(row);
      const had = merchants[c.merchant_id];
      if (c.status !== "dismissed") {
        const typologies = had?.label === "positive" ? [...new Set([...had.typologies, ...c.typologies])] : c.typologies;
        merchants[c.merchant_id] = { label: "positive", typologies, detail: statusText(c.status) };
      } else if (!had) {
        merchants[c.merchant_id] = { label: "negative", typologies: [], detail: `dismissed: ${c.dismiss_reason}` };
      }
    }
    return { source: `dispositions in mt_cases at ${where}`, merchants };
  } finally {
    await client.end();
  }
}

/**
 * The operators' decisions to skip a record batch that cannot be read (`moneytrail db skip-batch`, mt_skipped_batches)
 * in the service's database at `url`, for a topic's range: connected to only once such a batch is met, only read.
 * `flag` names the setting the URL came from, in errors.
 */
export function skipDecisionsAt(url: string, flag: string): { skips: SkipDecisions; close: () => Promise<void> } {
  const checked = RunConfig.shape.databaseUrl.safeParse(url);
  if (!checked.success) throw new BacktestError(`${flag}: ${checked.error.issues[0]!.message.replace(/^DATABASE_URL /, "the service's database URL ")}`);
  const where = databaseWhere(url);
  let client: Promise<import("pg").Client> | undefined;
  const connect = async () => {
    const { default: pg } = await import("pg");
    const c = new pg.Client({ connectionString: url });
    await c.connect().catch((err: Error) => {
      throw connectFailure(err, where, flag);
    });
    return c;
  };
  return {
    skips: {
      where,
      lookup: async (b) => {
        const c = await (client ??= connect());
        return skippedBatch(c, b.topic, b.partition, b.offset).catch((err: Error & { code?: string }) => {
          if (err.code === "42P01") throw new BacktestError(`no mt_skipped_batches table at ${where}: give ${flag} the service's database, where \`moneytrail db skip-batch\` records its decisions`);
          throw err;
        });
      },
    },
    close: async () => {
      await client?.then((c) => c.end()).catch(() => undefined);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Sweep: one numeric parameter of one candidate rule over a range

const PATH = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\])*$/;
const NUM = String.raw`-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?`;
const SWEEP = new RegExp(`^([a-z0-9][a-z0-9-]*)\\.([^=]+)=(${NUM}):(${NUM}):(${NUM})$`);
/** more values than this is a typo in the step, not a sweep */
const MAX_SWEEP_VALUES = 200;

export const SweepSpec = z.strictObject({
  rule: z.string(),
  /** inside the rule, e.g. ["params", "levels", 0, "ratio"] */
  path: z.array(z.union([z.string(), z.number().int().nonnegative()])),
  from: z.number(),
  to: z.number(),
  step: z.number().positive(),
});
export type SweepSpec = z.infer<typeof SweepSpec>;

/** `RULE_ID.PATH=FROM:TO:STEP`, PATH as in the rule's YAML: keys joined by dots, list items as [n]. */
export function parseSweep(s: string): SweepSpec {
  const m = SWEEP.exec(s.trim());
  if (!m || !PATH.test(m[2]!)) {
    throw new BacktestError(`--sweep ${s}: expected RULE_ID.PATH=FROM:TO:STEP, e.g. early-warning-disputes.params.levels[0].ratio=0.005:0.03:0.005`);
  }
  const path = [...m[2]!.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((p) => (p[2] !== undefined ? Number(p[2]) : p[1]!));
  const [from, to, step] = [m[3], m[4], m[5]].map(Number) as [number, number, number];
  if (!(step > 0)) throw new BacktestError(`--sweep ${s}: STEP must be above 0`);
  if (from > to) throw new BacktestError(`--sweep ${s}: FROM ${m[3]} is above TO ${m[4]}: give the lower value first (${m[1]}.${m[2]}=${m[4]}:${m[3]}:${m[5]})`);
  if ((to - from) / step + 1 > MAX_SWEEP_VALUES) throw new BacktestError(`--sweep ${s}: more than ${MAX_SWEEP_VALUES} values; take a larger step`);
  return { rule: m[1]!, path, from, to, step };
}

const sweepText = (s: SweepSpec): string => `${s.rule}.${formatPath(s.path)}`;

// 12 significant digits hide binary fractions (0.1 + 0.2) without touching any threshold a person writes
const tidy = (v: number): number => Number(v.toPrecision(12));

/** FROM, FROM+STEP, ... up to TO, and the candidate's current value, in order. */
export function sweepValues(s: SweepSpec, current: number): number[] {
  const out = new Set<number>([tidy(current)]);
  for (let i = 0; tidy(s.from + i * s.step) <= tidy(s.to); i++) out.add(tidy(s.from + i * s.step));
  return [...out].sort((a, b) => a - b);
}

export interface SweepRuleSets {
  spec: SweepSpec;
  current: number;
  points: { value: number; ruleSet: RuleSet }[];
}

/** The files the loader reads (not an editor's lock file beside them), so the sweep patches and copies those. */
function ruleSetFiles(dir: string): string[] {
  if (!statSync(dir).isDirectory()) return [dir];
  return readdirSync(dir)
    .filter(isRuleFileName)
    .sort()
    .map((f) => join(dir, f));
}

function describeValue(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "empty";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * The candidate rule set with the swept parameter at each value: the parsed YAML is patched in memory (comments
 * and layout kept), written to a temporary directory and loaded by the normal loader, so every value is validated
 * like a hand-edited file. A path the rule does not have, or that does not hold a number, is refused.
 */
export function sweepRuleSets(dir: string, spec: SweepSpec): SweepRuleSets {
  const files = ruleSetFiles(dir).map((file) => ({ file, doc: parseDocument(readFileSync(file, "utf8")) }));
  const name = sweepText(spec);
  let found: { file: string; doc: Document; index: number; rule: Record<string, unknown> } | undefined;
  const ids: string[] = [];
  for (const f of files) {
    const rules = (f.doc.toJS() as { rules?: unknown } | null)?.rules;
    if (!Array.isArray(rules)) continue;
    rules.forEach((r: Record<string, unknown>, index) => {
      ids.push(String(r?.id));
      if (r?.id === spec.rule) found = { ...f, index, rule: r };
    });
  }
  if (!found) throw new BacktestError(`--sweep ${name}: the candidate set ${dir} has no rule "${spec.rule}" (it has ${ids.join(", ")})`);
  if (found.rule.enabled === false) throw new BacktestError(`--sweep ${name}: rule "${spec.rule}" is disabled in the candidate set`);
  let v: unknown = found.rule;
  spec.path.forEach((seg, i) => {
    const at = i ? formatPath(spec.path.slice(0, i)) : "the rule";
    if (typeof seg === "number" ? !Array.isArray(v) || seg >= v.length : !v || typeof v !== "object" || Array.isArray(v) || !(seg in v)) {
      // a key asked of a list: the item is what has it
      const item = typeof seg === "string" && Array.isArray(v) && v.length ? `: name an item by its place from 0, ${formatPath([...spec.path.slice(0, i), 0, ...spec.path.slice(i)])}` : "";
      const has = Array.isArray(v) ? `has a list of ${v.length}${item}` : v && typeof v === "object" ? `has keys ${Object.keys(v).join(", ")}` : `is ${describeValue(v)}`;
      throw new BacktestError(`--sweep ${name}: rule "${spec.rule}" has no ${formatPath(spec.path)} (${at} ${has})`);
    }
    v = (v as Record<string | number, unknown>)[seg];
  });
  if (typeof v !== "number") throw new BacktestError(`--sweep ${name}: rule "${spec.rule}" ${formatPath(spec.path)} is ${describeValue(v)}, not a number`);
  const current = v;

  const target = found;
  const tmp = mkdtempSync(join(tmpdir(), "mt-sweep-"));
  try {
    for (const f of files) if (f !== target) writeFileSync(join(tmp, basename(f.file)), String(f.doc));
    const points = sweepValues(spec, current).map((value) => {
      target.doc.setIn(["rules", target.index, ...spec.path], value);
      writeFileSync(join(tmp, basename(target.file)), String(target.doc));
      try {
        return { value, ruleSet: loadRuleSet(tmp) };
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        // name the candidate's own file, and the value that made it invalid
        throw new ConfigError(
          target.file,
          err.issues.map((i) => ({ ...i, message: `with --sweep ${name}=${value}: ${i.message}` })),
          "The --sweep range is what is wrong, not the file: give one whose every value the rule takes, then run the backtest again.",
        );
      }
    });
    return { spec, current, points };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// The result: the single source of the JSON report's shape

const count = z.number().int().nonnegative();
/** bad lines located in the result: enough to find them in the file */
const FIRST_REJECTS = 5;
/** distinct reasons counted (a reason may name a position or a value: one per line at worst), and lines located for each */
export const MAX_REASONS = 20;
const FIRST_PER_REASON = 3;
/** null when there is nothing to divide by (nothing labelled, nothing predicted) */
const Rate = z.number().min(0).max(1).nullable();
const LabelOf = z.enum(["positive", "negative", "unknown"]);

/** as `run` dead-letters them: unreadable-batch is a record of a batch that cannot be read, which an operator skipped */
const RejectionKind = z.enum(["not-json", "schema", "too-large", "unreadable-batch"]);
type RejectionKind = z.infer<typeof RejectionKind>;
/**
 * A reason as a report may carry it: JSON.parse's message quotes the start of the bad line (`Unexpected token 'o',
 * "the line"... is not valid JSON`), which may hold a URL or a descriptor, and reports carry no text from the events.
 */
const withoutQuote = (reason: string): string =>
  withoutJsonQuote(reason)
    // a message's key is the producer's text too (a card token, where a producer keyed by card)
    .replace(/the message's key is ".*", not the event's merchantId/s, `the message's key is "…", not the event's merchantId`);
/** where a bad line is: its line in a file, or its partition and offset on a topic */
const RejectLocation = z.union([z.strictObject({ line: count }), z.strictObject({ partition: count, offset: count })]);

/** contextRules: the rules that do not add up among themselves, when the set has any (reports before them lack it) */
const RuleSetRef = z.strictObject({
  name: z.string(),
  id: z.string(),
  version: z.string(),
  contextRules: ContextRules.optional(),
  /** values the set takes that are most likely a mistake (RuleSet.doubts), each as `file:line:col: path: message` */
  doubts: z.array(z.string()),
  /** rules in its files turned off with `enabled: false` (RuleSet.disabled): absent from the set, and not deleted */
  disabled: z.array(z.string()),
});
/**
 * an indicator set a side ran with; entries counts the revoked ones too, and revoked says how many (absent only when
 * the backtest was given an index built in code rather than the sets: the command always gives the sets)
 */
const IndicatorSetRef = z.strictObject({ id: z.string(), publisher: z.string(), version: count, entries: count, revoked: count.optional() });
type IndicatorSetRef = z.infer<typeof IndicatorSetRef>;
/** a set-wide setting's value; a list (highRiskMccs) sorted, as it is a set */
const SettingValue = z.union([z.string(), z.number(), z.array(z.string())]);
type SettingValue = z.infer<typeof SettingValue>;

/** Merchants alerted at least once, scored against the labels. */
export const Confusion = z.strictObject({
  alerted: count,
  truePositives: count,
  falsePositives: count,
  /** labelled positives never alerted (with --report-from: alerted neither inside the window nor before it) */
  falseNegatives: count,
  /**
   * with --report-from: labelled positives alerted before it and not again from then on. Neither caught nor missed
   * inside the window, so not in falseNegatives and left out of recall; 0 without --report-from
   */
  alertedBefore: count,
  /** alerted merchants without a label */
  unlabelled: count,
  precision: Rate,
  recall: Rate,
  f1: Rate,
});
export type Confusion = z.infer<typeof Confusion>;

const RuleSide = z.strictObject({
  mode: z.enum(["live", "shadow"]),
  version: z.string(),
  /** distinct merchants the rule held on at some time */
  hits: count,
  /** of those with a label, the share labelled positive */
  precision: Rate,
});

export const RuleRow = z.strictObject({
  rule: z.string(),
  typology: z.string(),
  /**
   * same: identical configuration in A and B, and so are the set-wide settings it reads; only-a / only-b: absent (or
   * disabled) in the other
   */
  change: z.enum(["same", "changed", "only-a", "only-b"]),
  /** what makes a changed rule changed: "own settings", and each set-wide setting it reads that differs (ruleset.highRiskMccs) */
  changedBy: z.array(z.string()),
  /** each value of its own configuration that differs (path, A's, B's, null where absent; said as the reports say it) */
  changes: z.array(z.strictObject({ path: z.string(), a: z.unknown(), b: z.unknown(), text: z.string() })),
  a: RuleSide.nullable(),
  b: RuleSide.nullable(),
  /** merchants alerted in B and not in A that this rule hit in B */
  alertsAdded: count,
  /** merchants alerted in A and not in B that this rule hit in A */
  alertsRemoved: count,
  /** merchants this rule hit in one set and not in the other */
  affected: count,
});
export type RuleRow = z.infer<typeof RuleRow>;

const TypologySide = z.strictObject({
  /**
   * a live rule of the typology weighs above 0, so an alert can name it; false for a factor's (high-risk-mcc, which
   * multiplies other evidence) or rules at weight 0: then alerted, the +/−alerts of this side and recall are 0 or null
   * for want of any alert that could name it, and the reports show them as "–"
   */
  named: z.boolean(),
  /** distinct merchants hit by a live rule of the typology */
  hits: count,
  shadowHits: count,
  /** distinct merchants alerted with the typology */
  alerted: count,
  /** of the merchants hit (live) with a label, the share labelled positive */
  precision: Rate,
  /** of the positives labelled with the typology, the share alerted with it (less alertedBefore) */
  recall: Rate,
  /** with --report-from: positives labelled with the typology alerted with it before then, and not again with it */
  alertedBefore: count,
});

export const TypologyRow = z.strictObject({
  typology: z.string(),
  a: TypologySide,
  b: TypologySide,
  /** merchants alerted in B and not in A whose alerts in B named the typology */
  alertsAdded: count,
  /** merchants alerted in A and not in B whose alerts in A named it */
  alertsRemoved: count,
  affected: count,
});
export type TypologyRow = z.infer<typeof TypologyRow>;

const ChangedMerchant = z.strictObject({ merchantId: z.string(), label: LabelOf, detail: z.string().optional() });

/** The rules of one set that held on a merchant at some time during the run, by their mode there. */
const HeldBy = z.strictObject({ live: z.array(z.string()), shadow: z.array(z.string()) });

/**
 * A merchant alerted in one set only, with the rules that hit it in each: why it gains or loses the alert. With
 * --report-from, alertedBeforeIn names the sets that alerted it before then (absent when none): one A alerted in March
 * and B first in April is gained in April, but not a merchant A never alerted.
 */
const GainedOrLost = z.strictObject({
  ...ChangedMerchant.shape,
  /** the labels file's note on the merchant (what it is: why an alert it gains or loses is right or wrong) */
  note: Truth.shape.merchants.valueType.shape.note,
  a: HeldBy,
  b: HeldBy,
  alertedBeforeIn: z.array(z.enum(["a", "b"])).min(1).optional(),
});
export type GainedOrLost = z.infer<typeof GainedOrLost>;

/**
 * A merchant a rule hit in one set and not the other (the per-rule table's affected), with its label: the merchants
 * a shadow rule tried beside the set in force would hit, a changed threshold's new or lost hits. At most
 * MAX_HITS_LISTED per rule and side; hitsChangedLeftOut counts the rest.
 */
const HitChanged = z.strictObject({
  rule: z.string(),
  /** the set that hit it */
  side: z.enum(["a", "b"]),
  /** the rule's mode in that set */
  mode: RuleSide.shape.mode,
  ...ChangedMerchant.shape,
  note: GainedOrLost.shape.note,
});
export type HitChanged = z.infer<typeof HitChanged>;
export const MAX_HITS_LISTED = 50;

/** What a reviewer sees of an alert, beside the set's version and the alert's id (which differ whenever the sets do). */
const AlertFacts = z.strictObject({ severity: Alert.shape.severity, score: z.number(), rules: z.array(z.string()) });
type AlertFacts = z.infer<typeof AlertFacts>;

/**
 * A merchant alerted in both sets whose alerts differ: each event that raised an alert in one set and none or another
 * in the other, with its time (an event raising two alerts for the merchant pairs them in order).
 */
const ChangedAlerts = z.strictObject({
  ...ChangedMerchant.shape,
  alerts: z.array(z.strictObject({ at: z.string(), a: AlertFacts.nullable(), b: AlertFacts.nullable() })),
});

/** Merchants alerted in both sets whose first alert came earlier (or later) in B, and by how many days. */
const FirstAlertShift = z.strictObject({
  merchants: count,
  medianDays: z.number().nonnegative().nullable(),
  mostDays: z.number().nonnegative().nullable(),
  /** of them, those labelled positive (true cases caught sooner, not false alarms); null without labels */
  positives: count.nullable(),
});
/**
 * When the merchants alerted in both sets were first alerted, B against A: a change that alerts the same merchants
 * sooner (an early warning's lower minimum) gains and loses no alert, and is seen only here.
 */
const FirstAlerts = z.strictObject({ earlier: FirstAlertShift, later: FirstAlertShift });
export type FirstAlerts = z.infer<typeof FirstAlerts>;

/** A merchant with an alert that differs between A and B: alerted in B only, in A only, or in both but not alike. */
const TimelineMerchant = z.strictObject({
  ...ChangedMerchant.shape,
  change: z.enum(["gained", "lost", "changed"]),
  /** its alerts that differ, by time */
  alerts: z.array(DifferingAlert).min(1),
});
export type TimelineMerchant = z.infer<typeof TimelineMerchant>;

export const SweepPoint = z.strictObject({
  value: z.number(),
  /** the candidate's own value */
  current: z.boolean(),
  /** distinct merchants the swept rule hit */
  hits: count,
  /**
   * of those with a label, the share positive: what the value does to the rule itself, and all a shadow rule's value
   * changes (its hits never alert, so the alerts' precision and recall stay the candidate's)
   */
  hitPrecision: Rate,
  alertsAdded: count,
  alertsRemoved: count,
  /** against A */
  firstAlerts: FirstAlerts,
  ...Confusion.shape,
});
export type SweepPoint = z.infer<typeof SweepPoint>;

export const BacktestResult = z.strictObject({
  events: z.strictObject({
    source: z.string(),
    from: Bound.nullable(),
    to: Bound.nullable(),
    /** --report-from: the events before it were run to build the state and count in nothing else */
    reportFrom: TimeBound.nullable(),
    /** lines read inside the line window */
    lines: count,
    /** events run through the rule sets */
    processed: count,
    /** events whose id their merchant was sent already, skipped as `run` and `replay` skip them: lines = processed + repeated + rejected + outsideWindow */
    repeated: count,
    /** valid events outside the time window */
    outsideWindow: count,
    /** of the events run (processed or repeated), those dated before reportFrom: they built the state only */
    beforeReport: count,
    /**
     * with an offset --from on a topic: the partitions whose log began after it (retention had deleted the window's
     * start), each with the offset it was read from
     */
    lateStarts: z.array(z.strictObject({ partition: count, readFrom: count })),
    rejected: z.strictObject({
      total: count,
      "not-json": count,
      schema: count,
      "too-large": count,
      /** records of a batch on the topic that cannot be read, skipped by an operator (db skip-batch) */
      "unreadable-batch": count,
      /** where the first bad lines (of a topic: messages) are, and why by kind */
      first: z
        .array(
          z.union([
            z.strictObject({ line: count, kind: RejectionKind }),
            z.strictObject({ partition: count, offset: count, kind: RejectionKind }),
          ]),
        )
        .max(FIRST_REJECTS),
      /**
       * The rejects counted by reason, as `run` dead-letters them and `replay` writes them (but the line a parser's
       * message quotes: withoutQuote), most frequent first, each with where its first lines are: the first MAX_REASONS distinct
       * reasons met.
       */
      reasons: z.array(z.strictObject({ kind: RejectionKind, reason: z.string(), count, first: z.array(RejectLocation).max(FIRST_PER_REASON) })).max(MAX_REASONS),
      /** rejects whose reason was met after MAX_REASONS others (in total and by kind, not in reasons) */
      otherReasons: count,
    }),
    /** the merchants counted: with an event from reportFrom on (all those run without it), and any alerted then through a peer */
    merchants: count,
  }),
  baseline: RuleSetRef,
  candidate: RuleSetRef,
  /** the indicator sets each side ran with: B's are A's unless others were given (--candidate-indicators) */
  indicators: z.strictObject({
    a: z.array(IndicatorSetRef),
    b: z.array(IndicatorSetRef),
    /** B ran with other sets than A's: another version of a set, an entry added, revoked or changed, a set added or left out */
    differ: z.boolean(),
  }),
  /** the set's own settings (its `ruleset:` section) that differ, in A and B: scoring, highRiskMccs, maxSharers, id */
  settingsChanged: z.array(z.strictObject({ setting: z.string(), a: SettingValue.nullable(), b: SettingValue.nullable() })),
  labels: z.strictObject({ source: z.string(), positives: count, negatives: count, unknown: count }).nullable(),
  overall: z.strictObject({ a: Confusion, b: Confusion }),
  alertsAdded: z.array(GainedOrLost),
  alertsRemoved: z.array(GainedOrLost),
  firstAlerts: FirstAlerts,
  /** merchants alerted in both whose alerts differ in severity, score or rules, or in which events raised them */
  alertsChanged: z.array(ChangedAlerts),
  /**
   * A's and B's alerts over event time, from the first event run to the last (with --report-from, from it on): counted
   * per bucket, and the merchants with an alert that differs, the first to differ first. Whether a change bites all
   * along or in one burst.
   */
  timeline: z.strictObject({
    /** the first and last event time run (null: none) */
    span: z.strictObject({ from: z.string(), to: z.string() }).nullable(),
    bucket: BucketUnit,
    buckets: z.array(TimelineBucket),
    merchants: z.array(TimelineMerchant),
  }),
  /** per rule, the merchants it hit in one set and not the other, by rule, side and merchant id */
  hitsChanged: z.array(HitChanged),
  hitsChangedLeftOut: count,
  rules: z.array(RuleRow),
  typologies: z.array(TypologyRow),
  sweep: z
    .strictObject({
      rule: z.string(),
      /** the swept rule's mode in the candidate */
      mode: z.enum(["live", "shadow"]),
      path: z.string(),
      from: z.number(),
      to: z.number(),
      step: z.number(),
      current: z.number(),
      points: z.array(SweepPoint),
    })
    .nullable(),
});
export type BacktestResult = z.infer<typeof BacktestResult>;

// ---------------------------------------------------------------------------------------------------------
// The run

export interface BacktestInput {
  /**
   * `name` goes into the report (a file path, never a URL with credentials); a topic's range also says which
   * partitions it could not read from the window's start
   */
  events: { name: string; batches: AsyncIterable<(Line | TopicLine)[]> & { readonly lateStarts?: readonly LateStart[] } };
  from?: Bound;
  to?: Bound;
  /** the events before it are run for their state only: hits, alerts and merchants are counted from then on */
  reportFrom?: z.infer<typeof TimeBound>;
  baseline: { name: string; ruleSet: RuleSet };
  candidate: { name: string; ruleSet: RuleSet };
  /**
   * A's indicator sets, and B's (and the sweep's) unless candidateIndicators is given: the sets as read (the report
   * counts their revoked entries), or an index of them
   */
  indicators: IndicatorIndex | readonly IndicatorSet[];
  /** B's own sets (a new version of a set, a set added): what they change with the rules as they are, or with B's */
  candidateIndicators?: IndicatorIndex | readonly IndicatorSet[];
  truth?: Truth;
  sweep?: SweepRuleSets;
  /** how far an event may be dated after its message's timestamp (a topic's) or the start of the backtest (a file's) */
  maxAheadMs?: number;
  /** larger events are rejected, as `run` dead-letters larger messages (default DEFAULT_MAX_BYTES, run's default) */
  maxMessageBytes?: number;
}

/** What one rule set did over the events. */
class Run {
  readonly engine: Engine;
  /** alerted merchants, with the typologies their alerts carried */
  readonly alerted = new Map<string, Set<string>>();
  /**
   * merchants alerted before countFrom (--report-from), with the typologies those alerts carried: a positive alerted
   * then and not again is not one the rules missed inside the window
   */
  readonly alertedBefore = new Map<string, Set<string>>();
  /** when each alerted merchant was first alerted (ms): how early a change alerts */
  readonly firstAlertAt = new Map<string, number>();
  /** A's and B's alerts per merchant, by the event that raised them (`eventId#n`), to compare the two; not the sweep's */
  readonly alerts: Map<string, Map<string, { at: string; facts: AlertFacts }>> | undefined;
  /** per rule, the distinct merchants it started to hold on */
  readonly hits = new Map<string, Set<string>>();

  constructor(
    readonly ruleSet: RuleSet,
    indicators: IndicatorIndex,
    keepAlerts: boolean,
    /** hits and alerts dated before this (ms) built the state only (--report-from) */
    private readonly countFrom: number,
  ) {
    this.engine = new Engine(ruleSet, indicators, false, true);
    for (const r of ruleSet.rules) this.hits.set(r.id, new Set());
    if (keepAlerts) this.alerts = new Map();
  }

  take(event: Event, alerts: readonly Alert[]): void {
    for (const a of alerts) {
      // an alert is raised at its event's time (a peer's too)
      if (parseTime(a.raisedAt) < this.countFrom) {
        let before = this.alertedBefore.get(a.merchantId);
        if (!before) this.alertedBefore.set(a.merchantId, (before = new Set()));
        for (const typology of a.typologies) before.add(typology);
        continue;
      }
      let t = this.alerted.get(a.merchantId);
      if (!t) {
        this.alerted.set(a.merchantId, (t = new Set()));
        this.firstAlertAt.set(a.merchantId, parseTime(a.raisedAt));
      }
      for (const typology of a.typologies) t.add(typology);
      if (!this.alerts) continue;
      let byEvent = this.alerts.get(a.merchantId);
      if (!byEvent) this.alerts.set(a.merchantId, (byEvent = new Map()));
      let n = 0;
      while (byEvent.has(`${event.eventId}#${n}`)) n++;
      byEvent.set(`${event.eventId}#${n}`, { at: a.raisedAt, facts: { severity: a.severity, score: a.score, rules: a.signals.map((x) => x.rule).sort() } });
    }
  }

  /** taken per batch, so the hit list stays small whatever the file's size */
  takeHits(): void {
    for (const h of this.engine.takeHits()) if (parseTime(h.at) >= this.countFrom) this.hits.get(h.rule)!.add(h.merchantId);
  }

  /** the rules that held on a merchant, by mode */
  heldBy(m: string): z.infer<typeof HeldBy> {
    const held = this.ruleSet.rules.filter((r) => this.hits.get(r.id)!.has(m));
    return { live: held.filter((r) => r.mode === "live").map((r) => r.id), shadow: held.filter((r) => r.mode === "shadow").map((r) => r.id) };
  }

  /** merchants hit by the rules of a typology in one mode */
  typologyHits(typology: string, mode: RuleMode): Set<string> {
    const out = new Set<string>();
    for (const r of this.ruleSet.rules) if (r.typology === typology && r.mode === mode) for (const m of this.hits.get(r.id)!) out.add(m);
    return out;
  }
}

/** A set-wide setting in a form that compares equal when it means the same: a list is a set (highRiskMccs). */
const settingForm = (v: unknown): string => canonicalJson(Array.isArray(v) ? [...(v as unknown[])].sort() : v);

/** The set's own settings by path (scoring.alertAt, highRiskMccs), lists sorted; its description is words only. */
function settingLeaves(settings: RuleSetSettings): Map<string, SettingValue> {
  const out = new Map<string, SettingValue>();
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) out.set(path, v.map(String).sort());
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    else if (v !== undefined) out.set(path, v as string | number);
  };
  walk(settings, "");
  out.delete("description");
  return out;
}

/** The set-wide settings that differ between A and B: they change alerts while every rule reads the same. */
function settingsChanged(sa: RuleSetSettings, sb: RuleSetSettings): BacktestResult["settingsChanged"] {
  const [a, b] = [settingLeaves(sa), settingLeaves(sb)];
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((k) => settingForm(a.get(k) ?? null) !== settingForm(b.get(k) ?? null))
    .map((setting) => ({ setting, a: a.get(setting) ?? null, b: b.get(setting) ?? null }));
}

/**
 * Why a rule in both sets behaves differently: its own configuration, the set-wide settings its kind reads (with
 * either side's parameters) that differ between the sets, and the indicator sets when they differ and it matches them
 * (its kind looks again when the sets in force change).
 */
function changedBy(ra: CompiledRule, rb: CompiledRule, sa: RuleSetSettings, sb: RuleSetSettings, setsDiffer: boolean): string[] {
  const reads = new Set([...(ra.kind.reads?.(ra.params) ?? []), ...(rb.kind.reads?.(rb.params) ?? [])]);
  const settings = [...reads].sort().filter((k) => settingForm(sa[k]) !== settingForm(sb[k]));
  const matchesSets = setsDiffer && rb.kind.on.includes("indicators-changed");
  return [...(ra.version === rb.version ? [] : ["own settings"]), ...settings.map((k) => `ruleset.${k}`), ...(matchesSets ? ["indicator sets"] : [])];
}

const ratio = (n: number, d: number): number | null => (d ? n / d : null);
const DAY_MS = 86_400_000;

/**
 * The merchants both runs alerted whose first alert `to` raised earlier or later than `from`, in days (0.01), and how
 * many of them are labelled positive (`positive` undefined: no labels).
 */
function firstAlerts(from: Run, to: Run, positive: ((m: string) => boolean) | undefined): FirstAlerts {
  const earlier: { m: string; d: number }[] = [];
  const later: { m: string; d: number }[] = [];
  for (const [m, at] of to.firstAlertAt) {
    const was = from.firstAlertAt.get(m);
    if (was !== undefined && at !== was) (at < was ? earlier : later).push({ m, d: Math.abs(at - was) / DAY_MS });
  }
  const days = (d: number) => Math.round(d * 100) / 100;
  const shift = (xs: { m: string; d: number }[]) => {
    const s = xs.map((x) => x.d).sort((x, y) => x - y);
    const positives = positive ? xs.filter((x) => positive(x.m)).length : null;
    if (!s.length) return { merchants: 0, medianDays: null, mostDays: null, positives };
    const mid = s.length >> 1;
    return { merchants: s.length, medianDays: days(s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2), mostDays: days(s[s.length - 1]!), positives };
  };
  return { earlier: shift(earlier), later: shift(later) };
}
const f1 = (p: number | null, r: number | null): number | null => (p === null || r === null ? null : p + r ? (2 * p * r) / (p + r) : 0);
const minus = <T>(a: Iterable<T>, b: { has(x: T): boolean }): T[] => [...a].filter((x) => !b.has(x));

/** A side's sets as the engine matches them, and as the report names them (sorted by id). */
function indicatorSide(x: IndicatorIndex | readonly IndicatorSet[]): { index: IndicatorIndex; refs: IndicatorSetRef[] } {
  const sorted = (refs: IndicatorSetRef[]) => refs.sort((p, q) => p.id.localeCompare(q.id));
  if (!isSets(x)) return { index: x, refs: sorted(x.sets.map((s) => ({ id: s.id, publisher: s.source, version: s.version, entries: s.entries }))) };
  const refs = x.map((s) => ({ id: s.id, publisher: s.publisher.id, version: s.version, entries: s.entries.length, revoked: s.entries.filter((e) => e.revoked).length }));
  return { index: indexSets(x), refs: sorted(refs) };
}
const isSets = (x: IndicatorIndex | readonly IndicatorSet[]): x is readonly IndicatorSet[] => Array.isArray(x);

export async function backtest(o: BacktestInput): Promise<BacktestResult> {
  const reportFrom = o.reportFrom ? Date.parse(o.reportFrom.time) : -Infinity;
  const setsA = indicatorSide(o.indicators);
  const setsB = o.candidateIndicators ? indicatorSide(o.candidateIndicators) : setsA;
  // the sets' fingerprint (ids, versions, every entry's content): how the engine tells that the sets in force changed
  const setsDiffer = setsB.index.fingerprint !== setsA.index.fingerprint;
  const a = new Run(o.baseline.ruleSet, setsA.index, true, reportFrom);
  const b = new Run(o.candidate.ruleSet, setsB.index, true, reportFrom);
  const sweeps = (o.sweep?.points ?? []).map((p) => new Run(p.ruleSet, setsB.index, false, reportFrom));
  const runs = [a, b, ...sweeps];
  const fromLine = o.from && "line" in o.from ? o.from.line : 1;
  const toLine = o.to && "line" in o.to ? o.to.line : Infinity;
  const fromTime = o.from && "time" in o.from ? Date.parse(o.from.time) : -Infinity;
  const toTime = o.to && "time" in o.to ? Date.parse(o.to.time) : Infinity;
  const rejected: Record<RejectionKind, number> = { "not-json": 0, schema: 0, "too-large": 0, "unreadable-batch": 0 };
  const firstRejects: BacktestResult["events"]["rejected"]["first"] = [];
  const reasons = new Map<string, BacktestResult["events"]["rejected"]["reasons"][number]>();
  let otherReasons = 0;
  let lines = 0;
  let outsideWindow = 0;
  let beforeReport = 0;
  // the event time the report spans: the events run from reportFrom on, as they give it
  let firstAt = Infinity;
  let lastAt = -Infinity;
  let span: { from: string; to: string } | null = null;
  // as `run` refuses them: after the message's timestamp on a topic; a file has none, and none of its recorded
  // events can be dated after the backtest began
  const maxAheadMs = o.maxAheadMs ?? DEFAULT_MAX_AHEAD_MS;
  const onTopic: AheadLimit = { maxAheadMs, reference: "the message's timestamp", setting: "--max-ahead-ms" };
  const inFile: AheadLimit = { maxAheadMs, reference: "the start of the backtest", setting: "--max-ahead-ms" };
  const began = Date.now();
  const maxBytes = o.maxMessageBytes ?? DEFAULT_MAX_BYTES;
  for await (const batch of o.events.batches) {
    // the batch decoded first, then each run takes all of it in turn: the runs are independent, and each phase
    // keeps its own code and data in the caches (as replay does)
    const events: Event[] = [];
    for (const line of batch) {
      const { n, bytes } = line;
      if (n < fromLine || n > toLine) continue;
      lines++;
      // a topic's message as `run` takes it: keyed by its merchantId, not a tombstone, nor of a batch an operator skipped
      const d: Decoded | { ok: false; kind: "unreadable-batch"; reason: string } =
        "skipped" in line && line.skipped !== undefined
          ? { ok: false, kind: "unreadable-batch", reason: line.skipped }
          : "timestamp" in line
            ? decodeMessage(line, maxBytes, onTopic, line.timestamp, MAX_BYTES_FLAG)
            : decode(bytes, maxBytes, inFile, began, MAX_BYTES_FLAG);
      if (!d.ok) {
        rejected[d.kind]++;
        // a topic's message is found by partition and offset; its n alone (the offset + 1) names no partition
        const where = "partition" in line ? { partition: line.partition, offset: line.offset } : { line: n };
        if (firstRejects.length < FIRST_REJECTS) firstRejects.push({ ...where, kind: d.kind });
        const reason = withoutQuote(d.reason);
        const byReason = reasons.get(reason) ?? (reasons.size < MAX_REASONS ? reasons.set(reason, { kind: d.kind, reason, count: 0, first: [] }).get(reason) : undefined);
        if (!byReason) otherReasons++;
        else if (byReason.count++ < FIRST_PER_REASON) byReason.first.push(where);
        continue;
      }
      const at = parseTime(d.event.occurredAt);
      if (at < fromTime || at > toTime) outsideWindow++;
      else {
        if (at < reportFrom) beforeReport++;
        else {
          span ??= { from: d.event.occurredAt, to: d.event.occurredAt };
          if (at < firstAt) [firstAt, span.from] = [at, d.event.occurredAt];
          if (at > lastAt) [lastAt, span.to] = [at, d.event.occurredAt];
        }
        events.push(d.event);
      }
    }
    for (const r of runs) {
      for (const e of events) r.take(e, r.engine.process(e));
      r.takeHits();
    }
    if (batch.length && batch[batch.length - 1]!.n >= toLine) break;
  }
  // no line of the file is an event (the labels file given as --events): a report of nothing would follow
  const rejectedTotal = Object.values(rejected).reduce((x, y) => x + y, 0);
  if (lines && rejectedTotal === lines && firstRejects.some((x) => "line" in x)) {
    const kinds = Object.entries(rejected).filter(([, n]) => n).map(([kind, n]) => `${n} ${kind}`);
    throw new BacktestError(
      `--events ${o.events.name}: none of its ${lines} lines is an event (${kinds.join(", ")}): give the recorded events, one JSON event a line (NDJSON, as replay reads them); a labels file goes to --labels`,
    );
  }

  // every run saw the same events, so the same merchants: those with an event from the report's start on, and any
  // alerted then through a peer; labels of other merchants do not count
  const seen = new Set([...a.engine.merchants.values()].filter((m) => m.lastEventAt >= reportFrom).map((m) => m.id));
  for (const r of runs) for (const m of r.alerted.keys()) seen.add(m);
  const truth = new Map(Object.entries(o.truth?.merchants ?? {}).filter(([m]) => seen.has(m)));
  const labelOf = (m: string): z.infer<typeof LabelOf> => truth.get(m)?.label ?? "unknown";
  const positives = [...truth.values()].filter((t) => t.label === "positive").length;
  const labelled = o.truth !== undefined;
  const isPositive = labelled ? (m: string) => labelOf(m) === "positive" : undefined;

  // counted merchants alerted before --report-from and not again from then on (with a typology: not with it again),
  // of those `of` keeps
  const alertedBeforeOnly = (r: Run, of: (m: string) => boolean, typology?: string): string[] =>
    [...r.alertedBefore]
      .filter(([m, t]) => of(m) && (typology === undefined ? !r.alerted.has(m) : t.has(typology) && !r.alerted.get(m)?.has(typology)))
      .map(([m]) => m);
  const precisionOf = (merchants: Iterable<string>): number | null => {
    let p = 0;
    let n = 0;
    for (const m of merchants) {
      const l = labelOf(m);
      if (l === "positive") p++;
      else if (l === "negative") n++;
    }
    return labelled ? ratio(p, p + n) : null;
  };
  const confusion = (r: Run): Confusion => {
    let tp = 0;
    let fp = 0;
    for (const m of r.alerted.keys()) {
      const l = labelOf(m);
      if (l === "positive") tp++;
      else if (l === "negative") fp++;
    }
    const before = alertedBeforeOnly(r, (m) => labelOf(m) === "positive").length;
    const precision = labelled ? ratio(tp, tp + fp) : null;
    const recall = labelled ? ratio(tp, positives - before) : null;
    return {
      alerted: r.alerted.size,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: positives - tp - before,
      alertedBefore: before,
      unlabelled: r.alerted.size - tp - fp,
      precision,
      recall,
      f1: f1(precision, recall),
    };
  };
  const changed = (from: Run, to: Run) => minus(to.alerted.keys(), from.alerted).sort();
  const added = changed(a, b);
  const removed = changed(b, a);
  const countIn = (ms: string[], set: Set<string>) => ms.filter((m) => set.has(m)).length;
  const symmetric = (x: Set<string>, y: Set<string>) => minus(x, y).length + minus(y, x).length;
  const who = (m: string) => ({ merchantId: m, label: labelOf(m), ...(truth.has(m) && { detail: truth.get(m)!.detail }) });
  const noteOf = (m: string) => {
    const note = truth.get(m)?.note;
    return note === undefined ? {} : { note };
  };
  const NONE = new Set<string>();

  const ids = [...new Set([...a.ruleSet.rules, ...b.ruleSet.rules].map((r) => r.id))].sort();
  const hitsChanged: HitChanged[] = [];
  let hitsChangedLeftOut = 0;
  const rules: RuleRow[] = ids.map((id) => {
    const ra = a.ruleSet.byId.get(id);
    const rb = b.ruleSet.byId.get(id);
    const ha = a.hits.get(id) ?? NONE;
    const hb = b.hits.get(id) ?? NONE;
    const side = (r: typeof ra, hits: Set<string>) => (r ? { mode: r.mode, version: r.version, hits: hits.size, precision: precisionOf(hits) } : null);
    // a shadow rule never scores, nor does a rule at weight 0 (but a factor, which multiplies the score), so no alert
    // gained or lost is their doing
    const live = (r: typeof ra, hits: Set<string>) => (r?.mode === "live" && (r.weight > 0 || r.kind.role === "factor") ? hits : NONE);
    const why = ra && rb ? changedBy(ra, rb, a.ruleSet.settings, b.ruleSet.settings, setsDiffer) : [];
    for (const [side, r, only] of [["a", ra, minus(ha, hb)], ["b", rb, minus(hb, ha)]] as const) {
      for (const m of only.sort().slice(0, MAX_HITS_LISTED)) hitsChanged.push({ rule: id, side, mode: r!.mode, ...who(m), ...noteOf(m) });
      hitsChangedLeftOut += Math.max(0, only.length - MAX_HITS_LISTED);
    }
    return {
      rule: id,
      typology: (rb ?? ra)!.typology,
      change: !rb ? "only-a" : !ra ? "only-b" : why.length ? "changed" : "same",
      changedBy: why,
      changes: ra && rb ? ruleFieldChanges(ra, rb) : [],
      a: side(ra, ha),
      b: side(rb, hb),
      alertsAdded: countIn(added, live(rb, hb)),
      alertsRemoved: countIn(removed, live(ra, ha)),
      affected: symmetric(ha, hb),
    };
  });

  const typologies: TypologyRow[] = [...new Set([...a.ruleSet.rules, ...b.ruleSet.rules].map((r) => r.typology))].sort().map((typology) => {
    const labelledT = new Set([...truth].filter(([, t]) => t.label === "positive" && t.typologies.includes(typology)).map(([m]) => m));
    const side = (r: Run) => {
      const hits = r.typologyHits(typology, "live");
      const alertedWith = [...r.alerted].filter(([, t]) => t.has(typology)).map(([m]) => m);
      const caught = alertedWith.filter((m) => labelledT.has(m)).length;
      const before = alertedBeforeOnly(r, (m) => labelledT.has(m), typology).length;
      return {
        // an alert names the typologies of the rules that added points to it (assess)
        named: r.ruleSet.rules.some((x) => x.typology === typology && x.mode === "live" && x.weight > 0),
        hits: hits.size,
        shadowHits: r.typologyHits(typology, "shadow").size,
        alerted: alertedWith.length,
        precision: precisionOf(hits),
        recall: labelled ? ratio(caught, labelledT.size - before) : null,
        alertedBefore: before,
      };
    };
    // as alerted and recall count them: by the alerts that name the typology, not by its rules' hits (a factor's rule
    // hits merchants it multiplies into an alert that never names it)
    const namedIn = (r: Run, ms: string[]) => ms.filter((m) => r.alerted.get(m)!.has(typology)).length;
    const affected = symmetric(a.typologyHits(typology, "live"), b.typologyHits(typology, "live"));
    return { typology, a: side(a), b: side(b), alertsAdded: namedIn(b, added), alertsRemoved: namedIn(a, removed), affected };
  });

  const gainedOrLost = (m: string): GainedOrLost => {
    const before = (["a", "b"] as const).filter((side) => ({ a, b })[side].alertedBefore.has(m));
    return { ...who(m), ...noteOf(m), a: a.heldBy(m), b: b.heldBy(m), ...(before.length && { alertedBeforeIn: before }) };
  };
  // a threshold or weight change often keeps a merchant alerted but at another severity or score, or earlier or later
  const differing = new Map([...new Set([...a.alerts!.keys(), ...b.alerts!.keys()])].sort().map((m) => [m, differingAlerts(a.alerts!.get(m), b.alerts!.get(m))]));
  const alertsChanged = [...differing]
    .filter(([m, alerts]) => alerts.length && a.alerted.has(m) && b.alerted.has(m))
    .map(([m, alerts]) => {
      const [xa, xb] = [a.alerts!.get(m)!, b.alerts!.get(m)!];
      return { ...who(m), alerts: alerts.map((x) => ({ at: x.at, a: xa.get(x.key)?.facts ?? null, b: xb.get(x.key)?.facts ?? null })) };
    });
  const timelineMerchants = [...differing]
    .filter(([, alerts]) => alerts.length)
    .map(([m, alerts]) => ({ ...who(m), change: !a.alerted.has(m) ? ("gained" as const) : !b.alerted.has(m) ? ("lost" as const) : ("changed" as const), alerts: alerts.map((x) => ({ at: x.at, in: x.in })) }))
    .sort((x, y) => parseTime(x.alerts[0]!.at) - parseTime(y.alerts[0]!.at) || x.merchantId.localeCompare(y.merchantId));
  const unit = bucketUnit(firstAt, lastAt);
  const timeline = {
    span,
    bucket: unit,
    buckets: span ? alertBuckets(unit, firstAt, lastAt, { a: a.alerts!.values(), b: b.alerts!.values() }, timelineMerchants.flatMap((m) => m.alerts)) : [],
    merchants: timelineMerchants,
  };
  const ref = (x: BacktestInput["baseline"]) => {
    const contextRules = x.ruleSet.settings.scoring.contextRules;
    return { name: x.name, id: x.ruleSet.id, version: x.ruleSet.version, ...(contextRules && { contextRules }), doubts: x.ruleSet.doubts.map(doubtText), disabled: x.ruleSet.disabled };
  };
  const s = o.sweep;
  return {
    events: {
      source: o.events.name,
      from: o.from ?? null,
      to: o.to ?? null,
      reportFrom: o.reportFrom ?? null,
      lines,
      processed: a.engine.counts.events,
      // every run saw the same events: the same ones were repeats in each
      repeated: a.engine.counts.repeated,
      outsideWindow,
      beforeReport,
      lateStarts: [...(o.events.batches.lateStarts ?? [])],
      rejected: {
        total: rejectedTotal,
        ...rejected,
        first: firstRejects,
        // most frequent first; of as many, the first met
        reasons: [...reasons.values()].sort((x, y) => y.count - x.count),
        otherReasons,
      },
      merchants: seen.size,
    },
    baseline: ref(o.baseline),
    candidate: ref(o.candidate),
    indicators: { a: setsA.refs, b: setsB.refs, differ: setsDiffer },
    settingsChanged: settingsChanged(a.ruleSet.settings, b.ruleSet.settings),
    labels: o.truth ? { source: o.truth.source, positives, negatives: truth.size - positives, unknown: seen.size - truth.size } : null,
    overall: { a: confusion(a), b: confusion(b) },
    alertsAdded: added.map(gainedOrLost),
    alertsRemoved: removed.map(gainedOrLost),
    firstAlerts: firstAlerts(a, b, isPositive),
    alertsChanged,
    timeline,
    hitsChanged,
    hitsChangedLeftOut,
    rules,
    typologies,
    sweep: s
      ? {
          rule: s.spec.rule,
          mode: b.ruleSet.byId.get(s.spec.rule)!.mode,
          path: formatPath(s.spec.path),
          from: s.spec.from,
          to: s.spec.to,
          step: s.spec.step,
          current: s.current,
          points: s.points.map((p, i) => {
            const r = sweeps[i]!;
            const hits = r.hits.get(s.spec.rule) ?? NONE;
            return {
              value: p.value,
              current: p.value === tidy(s.current),
              hits: hits.size,
              hitPrecision: precisionOf(hits),
              alertsAdded: changed(a, r).length,
              alertsRemoved: changed(r, a).length,
              firstAlerts: firstAlerts(a, r, isPositive),
              ...confusion(r),
            };
          }),
        }
      : null,
  };
}
