// A backtest's result for people: tables on the terminal, and one self-contained HTML page (inline CSS and SVG,
// no script, nothing loaded from anywhere) a tuner can attach to a rule change. Only figures, rule ids and
// merchant ids go in: nothing from the events' URLs.
import { writeOutput } from "./output.js";
import Table from "cli-table3";
import { barChart, timelineChart, type TimelineKind } from "../web/chart.js";
import { parseTime } from "../lib/time.js";
import type { DifferingAlert } from "./alert-timeline.js";
import { Alert } from "../decode/events.js";
import { MAX_HITS_LISTED, MAX_REASONS, type BacktestResult, type Confusion, type FirstAlerts, type GainedOrLost, type RuleRow, type SweepPoint } from "./backtest.js";

const pct = (r: number | null): string => (r === null ? "–" : `${Math.round(r * 1000) / 10}%`);
const num = (n: number | undefined): string => (n === undefined ? "–" : String(n));
const both = (a: string, b: string): string => (a === b ? a : `${a} → ${b}`);
const signed = (n: number): string => (n > 0 ? `+${n}` : String(n));
const short = (version: string): string => version.replace(/^sha256:/, "").slice(0, 12);

const settingText = (v: BacktestResult["settingsChanged"][number]["a"]): string => (v === null ? "(none)" : Array.isArray(v) ? `[${v.join(", ")}]` : String(v));

const CHANGE: Record<RuleRow["change"], string> = { same: "same", changed: "changed", "only-a": "only in A", "only-b": "only in B" };
/** a rule in one set only that the other's files turn off (enabled: false), said so: not deleted, as "only in A" reads */
const turnedOff = (r: BacktestResult, x: RuleRow): string => {
  const off = x.change === "only-a" ? r.candidate.disabled.includes(x.rule) && "B" : x.change === "only-b" && r.baseline.disabled.includes(x.rule) && "A";
  return off ? `enabled: false in ${off}` : "";
};
/** a rule changed by set-wide settings says which: its own configuration being the same, "changed" alone would puzzle */
const changeText = (r: BacktestResult, x: RuleRow): string => {
  if (x.change === "changed" && x.changedBy.some((w) => w !== "own settings")) return `changed: ${x.changedBy.join(", ")}`;
  const off = turnedOff(r, x);
  return off ? `${CHANGE[x.change]} (${off})` : CHANGE[x.change];
};

/** hits of one side of a rule: live hits in one column, shadow hits in their own */
const live = (s: RuleRow["a"]): string => (s ? (s.mode === "live" ? String(s.hits) : "") : "–");
const shadow = (s: RuleRow["a"]): string => (s ? (s.mode === "shadow" ? String(s.hits) : "") : "–");

const ALERTED_BEFORE = "positives alerted before the window";
const TRUE_POSITIVES = "true positives";
const CONFUSION: [string, (c: Confusion) => number | null, "n" | "%"][] = [
  ["alerted merchants", (c) => c.alerted, "n"],
  [TRUE_POSITIVES, (c) => c.truePositives, "n"],
  ["false positives", (c) => c.falsePositives, "n"],
  ["false negatives (missed)", (c) => c.falseNegatives, "n"],
  [ALERTED_BEFORE, (c) => c.alertedBefore, "n"],
  ["alerted, no label", (c) => c.unlabelled, "n"],
  ["precision", (c) => c.precision, "%"],
  ["recall", (c) => c.recall, "%"],
  ["F1", (c) => c.f1, "%"],
];

/** The summary's rows; positives alerted before the window only with --report-from, where there can be any. */
const confusionRows = (r: BacktestResult) => CONFUSION.filter(([name]) => r.events.reportFrom || name !== ALERTED_BEFORE);

/**
 * With --report-from: the positives alerted before it and not again, which are neither caught nor missed in the
 * window. Said beside the figures, lest a tuner read them as misses of the rules.
 */
function alertedBeforeLine(r: BacktestResult): string[] {
  if (!r.events.reportFrom || !r.labels) return [];
  const [a, b] = [r.overall.a.alertedBefore, r.overall.b.alertedBefore];
  const sooner = (side: "a" | "b"): string[] => {
    const n = soonerIn(r, side);
    const [self, other] = side === "a" ? ["A", "B"] : ["B", "A"];
    return n
      ? [`${n} labelled positive${n === 1 ? "" : "s"} alerted inside the window in ${other} ${n === 1 ? "was" : "were"} alerted before it in ${self}: ${self} alerted ${n === 1 ? "it" : "them"} sooner, not less, though ${n === 1 ? "it counts" : "they count"} as a true positive in ${other} only.`]
      : [];
  };
  return [
    `Alerted before the window: ${a} labelled positive${a === 1 ? "" : "s"} in A, ${b} in B (alerted before ${r.events.reportFrom.time} and not again from then on): not counted as missed, and left out of recall.`,
    ...sooner("b"),
    ...sooner("a"),
  ];
}

/**
 * With --report-from: labelled positives that `side` alerted before the window only and the other set inside it. A
 * true positive of the other set, they make true positives' B − A read as a loss where `side` alerted them sooner.
 */
const soonerIn = (r: BacktestResult, side: "a" | "b"): number =>
  (side === "b" ? r.alertsRemoved : r.alertsAdded).filter((m) => m.label === "positive" && m.alertedBeforeIn?.includes(side)).length;
/** what true positives' B − A owes to soonerIn, beside it */
const soonerCell = (r: BacktestResult): string => {
  const why = (["b", "a"] as const).filter((s) => soonerIn(r, s)).map((s) => `${soonerIn(r, s)} alerted before the window in ${s.toUpperCase()}`);
  return why.length ? ` (${why.join("; ")})` : "";
};

type Shift = FirstAlerts["earlier"];
const shiftText = (s: Shift, how: string): string =>
  s.merchants
    ? `${s.merchants} ${how} (median ${s.medianDays!.toFixed(1)} days, at most ${s.mostDays!.toFixed(1)}${s.positives === null ? "" : `; ${s.positives} labelled positive`})`
    : `none ${how}`;
/** how much sooner B alerts what A alerts too: what an early warning's change is for, and no count of alerts shows */
function firstAlertLine(f: FirstAlerts): string {
  const moved = f.earlier.merchants || f.later.merchants ? `${shiftText(f.earlier, "earlier in B")}, ${shiftText(f.later, "later")}` : "at the same time in A and B";
  return `First alert of the merchants alerted in both: ${moved}.`;
}

const SEVERITY_RANK = new Map(Alert.shape.severity.options.map((s, i) => [s, i]));
/**
 * How the alerts of the merchants alerted in both differ: a weight raised on merchants alerted anyway changes no count
 * above (the same merchants, as early) but moves their alerts up a severity band, which orders the reviewers' queue.
 */
function changedAlertsLine(r: BacktestResult): string[] {
  if (!r.alertsChanged.length) return [];
  const n = { higher: 0, lower: 0, same: 0, onlyB: 0, onlyA: 0 };
  for (const x of r.alertsChanged.flatMap((m) => m.alerts)) {
    if (!x.a) n.onlyB++;
    else if (!x.b) n.onlyA++;
    else {
      const d = SEVERITY_RANK.get(x.b.severity)! - SEVERITY_RANK.get(x.a.severity)!;
      n[d > 0 ? "higher" : d < 0 ? "lower" : "same"]++;
    }
  }
  const merchants = r.alertsChanged.length;
  return [
    `Alerts that differ among the merchants alerted in both (${merchants} merchant${merchants === 1 ? "" : "s"}): ${n.higher} at a higher severity in B, ${n.lower} at a lower, ${n.same} at the same severity (another score or rules), ${n.onlyB} raised in B only, ${n.onlyA} in A only.`,
  ];
}

const boundText = (x: BacktestResult["events"]["from"]): string | undefined =>
  x ? ("line" in x ? `line ${x.line}` : "offset" in x ? `offset ${x.offset} of every partition` : x.time) : undefined;

/** The events run: --from to --to. */
function describeWindow(r: BacktestResult): string {
  const from = boundText(r.events.from);
  const to = boundText(r.events.to);
  return from || to ? ` from ${from ?? "the start"} to ${to ?? "the end"}` : "";
}

/** What the hits and alerts were counted over, for the tables' and charts' titles: --report-from (or --from) to --to. */
function reportWindow(r: BacktestResult): string {
  const from = boundText(r.events.reportFrom ?? r.events.from);
  const to = boundText(r.events.to);
  return from || to ? `, from ${from ?? "the start"} to ${to ?? "the end"}` : "";
}

/** With --report-from: the events before it only built the state, and the report counts from then on. */
function reportFromText(e: BacktestResult["events"]): string {
  if (!e.reportFrom) return "";
  const t = e.reportFrom.time;
  return (
    `; reported from ${t} to ${boundText(e.to) ?? "the end"}: the ${e.beforeReport} events before ${t} only built the state (as live had it), ` +
    `and the merchants (${e.merchants}), hits and alerts are those from then on`
  );
}

/** A window's start that retention had deleted is said, with where each such partition was read from. */
function lateStarts(l: BacktestResult["events"]["lateStarts"]): string {
  const where = l.map((x) => `partition ${x.partition} (read from its first offset, ${x.readFrom})`).join(", ");
  return l.length ? `; the window's start was no longer on the topic in ${where}` : "";
}

function badLines(r: BacktestResult["events"]["rejected"]): string {
  const more = r.total > r.first.length ? ", ..." : "";
  const where = r.first.map((x) => `${"line" in x ? `line ${x.line}` : `partition ${x.partition} offset ${x.offset}`}: ${x.kind}`).join(", ");
  const fromFile = r.first.some((x) => "line" in x);
  return `${where}${more}${fromFile ? "; `moneytrail replay` on the file writes each with its reason" : ""}`;
}

/** Reasons shown in the summary (the JSON report has up to MAX_REASONS). */
const SHOWN_REASONS = 5;

/** The rejects by reason, most frequent first, each with where its first lines are. */
function rejectReasons(r: BacktestResult["events"]["rejected"]): string[] {
  if (!r.total) return [];
  const at = (x: BacktestResult["events"]["rejected"]["reasons"][number]) =>
    x.first.map((w) => ("line" in w ? `line ${w.line}` : `partition ${w.partition} offset ${w.offset}`)).join(", ") + (x.count > x.first.length ? ", ..." : "");
  const hidden = r.reasons.slice(SHOWN_REASONS);
  const more = hidden.reduce((n, x) => n + x.count, 0) + r.otherReasons;
  return [
    "Skipped, by reason:",
    ...r.reasons.slice(0, SHOWN_REASONS).map((x) => `  ${x.count} × ${x.reason} (${at(x)})`),
    ...(more ? [`  ${more} more for other reasons${hidden.length ? ` (the JSON report counts up to ${MAX_REASONS} reasons)` : ""}`] : []),
  ];
}

/** A side's context rules: their signals alone do not add up to an alert, whatever the per-rule rows say. */
const contextText = (x: BacktestResult["baseline"]): string =>
  x.contextRules ? `; context rules (${x.contextRules.join(", ")}) alone do not add up: only the strongest counts` : "";

/**
 * Values a side's rules take that are most likely a mistake (a chargeback ratio of 0.8 meant as 0.8%, a weight of
 * 0.4): as `rules validate` notes them, so a tuner who backtests a change without validating it sees them too.
 */
const doubtLines = (r: BacktestResult): string[] =>
  (["baseline", "candidate"] as const).flatMap((side) => r[side].doubts.map((d) => `Note on ${side === "baseline" ? "A" : "B"}, most likely a mistake: ${d}`));

const setsText = (sets: BacktestResult["indicators"]["a"]): string =>
  sets.length ? sets.map((x) => `${x.id} version ${x.version} (${x.entries} entries, ${x.revoked === undefined ? "" : `${x.revoked} revoked, `}${x.publisher})`).join(", ") : "none";

/** The indicator sets each side ran with: what was compared, when B was given its own (or A's, when it was not). */
function indicatorLines(i: BacktestResult["indicators"]): string[] {
  if (!i.differ) return i.a.length ? [`Indicator sets in A and B: ${setsText(i.a)}`] : [];
  return [`Indicator sets in A: ${setsText(i.a)}`, `Indicator sets in B: ${setsText(i.b)}`];
}

/**
 * What B changes in A's rules, value by value ("weight 45 → 60"), and the rules in one set only: what the report is
 * the effect of, which "changed" in the per-rule table does not say.
 */
function ruleChangeLines(r: BacktestResult): string[] {
  const lines = r.rules
    .filter((x) => x.change !== "same" && (x.change !== "changed" || x.changes.length))
    .map((x) => `  ${x.rule}: ${x.changes.length ? x.changes.map((c) => c.text).join(", ") : changeText(r, x)}`);
  return lines.length ? ["Rules B changes (A → B):", ...lines] : [];
}

function summaryLines(r: BacktestResult): string[] {
  const e = r.events;
  const sameRules = r.baseline.version === r.candidate.version;
  return [
    `${e.processed} events${e.reportFrom ? "" : ` of ${e.merchants} merchants`} from ${e.source}${describeWindow(r)}${reportFromText(e)}` +
      lateStarts(e.lateStarts) +
      (e.repeated ? `; ${e.repeated} repeated (an event id its merchant was sent already: skipped, as run and replay skip it)` : "") +
      `${e.rejected.total ? `; ${e.rejected.total} bad ${e.rejected.first.some((x) => "partition" in x) ? "messages" : "lines"} skipped (${badLines(e.rejected)})` : ""}${e.outsideWindow ? `; ${e.outsideWindow} events outside the window` : ""}`,
    `A (baseline)  ${r.baseline.name}: ${r.baseline.id} ${short(r.baseline.version)}${contextText(r.baseline)}`,
    `B (candidate) ${r.candidate.name}: ${r.candidate.id} ${short(r.candidate.version)}${contextText(r.candidate)}`,
    ...doubtLines(r),
    ...indicatorLines(r.indicators),
    // an edit saved elsewhere (a nested second copy, another directory) leaves B as A, and "no change" would read as
    // the change's effect; a sweep of the set in force is the usual way to sweep, so not said there. With other
    // indicator sets B is the same rules on purpose: what changes is the sets' doing
    ...(sameRules && r.indicators.differ ? ["B is A's rule set with other indicator sets: the alerts it gains and loses are the sets' doing."] : []),
    ...(sameRules && !r.indicators.differ && !r.sweep
      ? [
          `B is the same rule set as A (version ${short(r.candidate.version)}): nothing is compared. Was the edit saved in ${r.candidate.name}'s own files? \`moneytrail rules validate ${r.candidate.name}\` lists the rules it reads and names the files and directories it does not.`,
        ]
      : []),
    // they change alerts while every rule below reads "same"
    ...(r.settingsChanged.length
      ? [`Set-wide settings (ruleset:) changed: ${r.settingsChanged.map((x) => `${x.setting} ${settingText(x.a)} → ${settingText(x.b)}`).join(", ")}`]
      : []),
    ...ruleChangeLines(r),
    r.labels
      ? `labels: ${r.labels.source}: ${r.labels.positives} positive, ${r.labels.negatives} negative, ${r.labels.unknown} unknown`
      : "labels: none (give --labels or --dispositions for precision and recall)",
    ...rejectReasons(e.rejected),
  ];
}

// no rule between body rows: a backtest table is long and read down its columns
const COMPACT = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" };

function table(head: string[], rows: string[][]): string {
  const t = new Table({ head, chars: COMPACT, style: { head: [], border: [] } });
  t.push(...rows);
  return t.toString();
}

/** The whole result as terminal tables. */
export function backtestTables(r: BacktestResult): string {
  const out = [...summaryLines(r), ""];
  out.push(
    table(
      ["", "A", "B", "B − A"],
      confusionRows(r).map(([name, get, kind]) => {
        const a = get(r.overall.a);
        const b = get(r.overall.b);
        const d = a === null || b === null ? "–" : kind === "n" ? `${signed(b - a)}${name === TRUE_POSITIVES ? soonerCell(r) : ""}` : `${signed(Math.round((b - a) * 1000) / 10)} pts`;
        return [name, kind === "n" ? num(a ?? undefined) : pct(a), kind === "n" ? num(b ?? undefined) : pct(b), d];
      }),
    ),
    ...alertedBeforeLine(r),
    firstAlertLine(r.firstAlerts),
    ...changedAlertsLine(r),
    ...alertsOverTimeLines(r),
  );
  out.push(
    "",
    `Per rule${reportWindow(r)} (hits: distinct merchants the rule held on; +/− alerts: merchants that gain or lose an alert and that the rule hit):`,
    table(
      [...RULE_HEADS, "precision A → B"],
      r.rules.map((x) => [...ruleCells(r, x), both(x.a ? pct(x.a.precision) : "–", x.b ? pct(x.b.precision) : "–")]),
    ),
  );
  out.push(
    "",
    `Per typology (recall: positives labelled with the typology that were alerted with it${typologyBefore(r)}):`,
    table(
      ["typology", "hits A → B", "shadow A → B", "alerted A → B", "+alerts", "−alerts", "affected", "precision A → B", "recall A → B"],
      r.typologies.map((t) => {
        const n = namedCells(t);
        return [
          t.typology,
          both(num(t.a.hits), num(t.b.hits)),
          both(num(t.a.shadowHits), num(t.b.shadowHits)),
          both(n.alertedA, n.alertedB),
          n.added,
          n.removed,
          num(t.affected),
          both(pct(t.a.precision), pct(t.b.precision)),
          both(n.recallA, n.recallB),
        ];
      }),
    ),
    ...unnamedLine(r),
  );
  const changes = changeRows(r, wrap);
  out.push("", changes.length ? table(changesHead(r), changes) : "No merchant gains or loses an alert.");
  const hits = hitsChangedTable(r, wrap);
  out.push("", hits.rows.length ? `${HITS_TITLE}:\n${table(hits.head, hits.rows)}` : "No rule hits a merchant in one set only.", ...(r.hitsChangedLeftOut ? [leftOutText(r)] : []));
  out.push(
    "",
    r.alertsChanged.length
      ? `${CHANGED_TITLE}:\n${table(CHANGED_HEAD, changedRows(r, SHOWN_CHANGED))}${changedLeftOut(r)}`
      : "No merchant alerted in both has different alerts.",
  );
  if (r.sweep) {
    out.push("", `Sweep of ${r.sweep.rule}.${r.sweep.path} over the candidate${reportWindow(r)} (* its current value ${r.sweep.current})${shadowSweep(r.sweep)}:`, table(SWEEP_HEAD, sweepRows(r, r.sweep)));
  }
  return `${out.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Alerts over event time: A's and B's per bucket, and when the merchants whose alerts differ differ

type Timeline = BacktestResult["timeline"];
const UNIT_HEADER: Record<Timeline["bucket"], string> = { day: "Day (UTC)", week: "Week from Monday (UTC)", month: "Month (UTC)" };
/** a month's bucket by its month; a day's or week's by its first day */
const bucketLabel = (t: Timeline, b: Timeline["buckets"][number]): string => (t.bucket === "month" ? b.start.slice(0, 7) : b.start);
const alertsIn = (t: Timeline, side: "a" | "b"): number => t.buckets.reduce((n, b) => n + b[side], 0);
const differingIn = (t: Timeline, side: "a" | "b"): number => t.buckets.reduce((n, b) => n + b[side === "a" ? "aDiffering" : "bDiffering"], 0);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
/** How the two sets' alerts differ, in words: the chart's description and the terminal's. */
const differingText = (t: Timeline): string =>
  `${differingIn(t, "a")} of A's ${plural(alertsIn(t, "a"), "alert")} not raised alike in B, ${differingIn(t, "b")} of B's ${alertsIn(t, "b")} not in A`;

/** The merchant's change, as the timeline's rows name it. */
const CHANGE_WORD: Record<Timeline["merchants"][number]["change"], string> = { gained: "alerted only in B", lost: "alerted only in A", changed: "alerts differ" };
/** a differing alert on the terminal's strips: + only in B, − only in A, ~ in both but not alike; * several kinds in one bucket */
const MARK: Record<DifferingAlert["in"], string> = { b: "+", a: "−", both: "~" };
const MARKS_TEXT = "+ an alert only in B, − only in A, ~ in both but not alike, * several of these";
const BLOCKS = "▁▂▃▄▅▆▇█";
/** The merchants on the timeline: the terminal's as its other lists of them, the HTML's within a picture's height. */
const SHOWN_ON_TIMELINE = { terminal: 40, html: 60 };

/** A character per bucket: "·" for none, else a block as high as the count against `max`. */
const sparkline = (values: number[], max: number): string => values.map((v) => (v ? BLOCKS[Math.min(7, Math.ceil((v / max) * 8) - 1)] : "·")).join("");

/** the index of the bucket an alert falls in: the last that starts on or before its day */
const bucketIndex = (t: Timeline, at: string): number => {
  const day = new Date(parseTime(at)).toISOString().slice(0, 10);
  let i = t.buckets.length - 1;
  while (i > 0 && t.buckets[i]!.start > day) i--;
  return i;
};

/** A character per bucket: the mark of the differing alerts there (a merchant's, or all). */
function strip(t: Timeline, alerts: readonly DifferingAlert[]): string {
  const cells = t.buckets.map(() => new Set<string>());
  for (const x of alerts) cells[bucketIndex(t, x.at)]!.add(MARK[x.in]);
  return cells.map((c) => (c.size === 0 ? "·" : c.size === 1 ? [...c][0] : "*")).join("");
}

/**
 * On the terminal: A's and B's alerts per bucket as two lines of blocks on one scale, a line marking the buckets
 * where they differ, and each merchant whose alerts differ as a line of its own over the same buckets.
 */
function alertsOverTimeLines(r: BacktestResult): string[] {
  const t = r.timeline;
  if (!t.buckets.length) return [];
  const [a, b] = [t.buckets.map((x) => x.a), t.buckets.map((x) => x.b)];
  const max = Math.max(1, ...a, ...b);
  const head = `Alerts raised per ${t.bucket} (event time, UTC), ${bucketLabel(t, t.buckets[0]!)} to ${bucketLabel(t, t.buckets.at(-1)!)}, a character a ${t.bucket}`;
  if (!alertsIn(t, "a") && !alertsIn(t, "b")) return ["", `${head}: no alert in A or B.`];
  const shown = t.merchants.slice(0, SHOWN_ON_TIMELINE.terminal);
  const idW = Math.max(0, ...shown.map((m) => m.merchantId.length));
  const changeW = Math.max(0, ...shown.map((m) => CHANGE_WORD[m.change].length));
  const more = t.merchants.length - shown.length;
  return [
    "",
    `${head} (one scale: the highest block is ${plural(max, "alert")}):`,
    `  A  ${sparkline(a, max)}  ${plural(alertsIn(t, "a"), "alert")}`,
    `  B  ${sparkline(b, max)}  ${plural(alertsIn(t, "b"), "alert")}`,
    `  ≠  ${strip(t, t.merchants.flatMap((m) => m.alerts))}  ${t.merchants.length ? `${differingText(t)} (${MARKS_TEXT})` : "every alert raised alike in A and B"}`,
    ...(shown.length
      ? [
          `Merchants whose alerts differ, over the same ${t.bucket}s, the first to differ first:`,
          ...shown.map((m) => `  ${m.merchantId.padEnd(idW)}  ${CHANGE_WORD[m.change].padEnd(changeW)}  ${strip(t, m.alerts)}  from ${m.alerts[0]!.at}`),
          ...(more > 0 ? [`  ${plural(more, "more merchant")}: the HTML (--html) and JSON (--json, timeline.merchants) reports list every one.`] : []),
        ]
      : []),
  ];
}

/**
 * A typology's figures that count alerts naming it: "–" on a side where no alert can (TypologySide.named), lest a
 * factor's typology read "alerted 0" beside the alerts its rule took part in.
 */
function namedCells(t: BacktestResult["typologies"][number]) {
  const [a, b] = [t.a.named, t.b.named];
  return {
    alertedA: a ? num(t.a.alerted) : "–",
    alertedB: b ? num(t.b.alerted) : "–",
    added: b ? num(t.alertsAdded) : "–",
    removed: a ? num(t.alertsRemoved) : "–",
    recallA: a ? pct(t.a.recall) : "–",
    recallB: b ? pct(t.b.recall) : "–",
  };
}
/**
 * Whether a typology's "–" needs saying: no alert names it in one set only, a figure of its row differs between A
 * and B, or a rule of it is new, gone or changed, or took part in an alert gained or lost (its per-rule row counts
 * that alert). Otherwise it is the default pack's factor as ever, and a line under every backtest is one a tuner
 * learns to skip.
 */
const unnamedTells = (r: BacktestResult, t: BacktestResult["typologies"][number]): boolean =>
  t.a.named !== t.b.named ||
  t.affected > 0 ||
  (["hits", "shadowHits", "precision", "recall", "alertedBefore"] as const).some((k) => t.a[k] !== t.b[k]) ||
  r.rules.some((x) => x.typology === t.typology && (x.change !== "same" || x.alertsAdded > 0 || x.alertsRemoved > 0));

type Side = "a" | "b";
const SIDE_NAME = { a: "A", b: "B" } as const;
const sidesText = (sides: Side[]): string => sides.map((s) => SIDE_NAME[s]).join(" and ");

/**
 * A typology's rules on the sides where none of them is live, each with what it is there (turned off, not in the set,
 * shadow): why no alert can name the typology on those sides, which no weight explains.
 */
function notLiveText(r: BacktestResult, typology: string, sides: Side[]): string {
  const state = (x: RuleRow, s: Side): string => {
    const side = x[s];
    if (side) return `shadow in ${SIDE_NAME[s]}`;
    const off = turnedOff(r, x);
    return off.endsWith(` in ${SIDE_NAME[s]}`) ? off : `not in ${SIDE_NAME[s]}`;
  };
  return r.rules
    .filter((x) => x.typology === typology)
    .map((x) => `${x.rule}: ${sides.map((s) => state(x, s)).join(", ")}`)
    .join("; ");
}

/**
 * Says which typologies no alert names, and why their row reads "–" there, where that tells something: on a side
 * where none of its rules is live (turned off, gone, shadow), that; else its live rules weigh 0 (a factor's).
 */
function unnamedLine(r: BacktestResult): string[] {
  const notLive: string[] = [];
  const weightless: string[] = [];
  for (const t of r.typologies) {
    const unnamed = (["a", "b"] as const).filter((s) => !t[s].named);
    if (!unnamed.length || !unnamedTells(r, t)) continue;
    const live = (s: Side) => r.rules.some((x) => x.typology === t.typology && x[s]?.mode === "live");
    const off = unnamed.filter((s) => !live(s));
    const zero = unnamed.filter(live);
    if (off.length) {
      const where = sidesText(off);
      notLive.push(`No alert names ${t.typology} in ${where}: no rule of it is live there (${notLiveText(r, t.typology, off)}), so its alerted, +/−alerts and recall read – in ${where}.`);
    }
    if (zero.length) weightless.push(zero.length === 2 ? t.typology : `${t.typology} (in ${SIDE_NAME[zero[0]!]})`);
  }
  return [
    ...notLive,
    ...(weightless.length
      ? [
          `No alert names ${weightless.join(", ")}: no live rule of it weighs above 0 (a factor such as high-risk-mcc multiplies the other evidence; a rule at weight 0 adds nothing), so its alerted, +/−alerts and recall read –; the per-rule rows count the alerts a factor took part in.`,
        ]
      : []),
  ];
}

/** the per-typology recall leaves out, as the overall one does, the positives alerted with the typology before the window only */
const typologyBefore = (r: BacktestResult): string => (r.events.reportFrom ? "; those alerted with it before the window only are left out" : "");

const CHANGES_HEAD = ["change", "merchant", "label", "rules that hit it (− only in A, + only in B)"];

/**
 * The live rules that hit a merchant gaining or losing an alert, in either set: a rule that hit it in one set only is
 * marked − or +, with why where the sets tell it (its mode, its configuration, its absence); a rule that changed and
 * hit it in both is marked too. Shadow rules never alert, so they are named only where one set had the rule live.
 */
function heldText(r: BacktestResult, m: GainedOrLost, rules: ReadonlyMap<string, BacktestResult["rules"][number]>): string {
  const ids = [...new Set([...m.a.live, ...m.b.live])].sort();
  return ids
    .map((id) => {
      const row = rules.get(id)!;
      const [inA, inB] = [m.a.live.includes(id), m.b.live.includes(id)];
      const changed = row.change === "changed" ? " (changed)" : "";
      if (inA && inB) return `${id}${changed}`;
      if (inA) return `−${id}${row.b?.mode === "shadow" ? " (shadow in B)" : row.change === "only-a" ? ` (${turnedOff(r, row) || "only in A"})` : changed}`;
      return `+${id}${row.a?.mode === "shadow" ? " (shadow in A)" : row.change === "only-b" ? ` (${turnedOff(r, row) || "only in B"})` : changed}`;
    })
    .join(", ");
}

/** a labels file's note on what the merchant is: a column of its own where any merchant that gains or loses an alert has one */
const NOTE_HEAD = "label's note";
const hasNotes = (r: BacktestResult): boolean => [...r.alertsAdded, ...r.alertsRemoved].some((m) => m.note !== undefined);
const changesHead = (r: BacktestResult): string[] => [...CHANGES_HEAD, ...(hasNotes(r) ? [NOTE_HEAD] : [])];

/** A note is a sentence or two: on the terminal, wrapped at word breaks to this width. */
const NOTE_WIDTH = 60;
function wrap(text: string): string {
  const lines: string[] = [];
  for (const word of text.split(/\s+/)) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= NOTE_WIDTH) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join("\n");
}

/** Merchants that gain (B) or lose (A) an alert, each with its label, the rules behind the change and the label's note. */
function changeRows(r: BacktestResult, note: (text: string) => string = (t) => t): string[][] {
  const rules = new Map(r.rules.map((x) => [x.rule, x]));
  const notes = hasNotes(r);
  const row = (change: string, m: GainedOrLost) => [change, m.merchantId, labelText(m), heldText(r, m, rules), ...(notes ? [note(m.note ?? "")] : [])];
  return [
    ...r.alertsAdded.map((m) => row(`alerted only in B${m.alertedBeforeIn?.includes("a") ? " (A alerted it before the window)" : ""}`, m)),
    ...r.alertsRemoved.map((m) => row(`alerted only in A${m.alertedBeforeIn?.includes("b") ? " (B alerted it before the window)" : ""}`, m)),
  ];
}

const HITS_TITLE = "Merchants a rule hits in one set only (the per-rule table's affected)";
/** Per rule, the merchants it hit in one set and not the other, each with its label (and note, where any has one). */
function hitsChangedTable(r: BacktestResult, note: (text: string) => string): { head: string[]; rows: string[][] } {
  const notes = r.hitsChanged.some((h) => h.note !== undefined);
  return {
    head: ["rule", "hit", "merchant", "label", ...(notes ? [NOTE_HEAD] : [])],
    rows: r.hitsChanged.map((h) => [
      h.rule,
      `only in ${h.side.toUpperCase()}${h.mode === "shadow" ? " (shadow)" : ""}`,
      h.merchantId,
      labelText(h),
      ...(notes ? [note(h.note ?? "")] : []),
    ]),
  };
}
const leftOutText = (r: BacktestResult): string =>
  r.hitsChangedLeftOut ? `${r.hitsChangedLeftOut} more not listed: at most ${MAX_HITS_LISTED} a rule in each set are (the JSON's hitsChangedLeftOut).` : "";

const CHANGED_TITLE = "Merchants alerted in both whose alerts differ (severity, score, rules, or the event that raised them)";
const CHANGED_HEAD = ["merchant", "label", "raised at", "A", "B", "rules (B − A when both alert)"];

type Facts = BacktestResult["alertsChanged"][number]["alerts"][number]["a"];
const factsText = (f: Facts): string => (f ? `${f.severity} ${f.score}` : "no alert");
/** the rules of an alert in one set only; of two alerts, those the candidate's names and the baseline's not (+), and the reverse (−) */
function rulesDiff(a: Facts, b: Facts): string {
  if (!a || !b) return (a ?? b)!.rules.join(", ");
  const [ra, rb] = [a.rules, b.rules];
  return [...rb.filter((x) => !ra.includes(x)).map((x) => `+${x}`), ...ra.filter((x) => !rb.includes(x)).map((x) => `−${x}`)].join(", ");
}
/** the terminal's merchants whose alerts differ: a large population has hundreds, which the files list */
const SHOWN_CHANGED = 40;
const changedLeftOut = (r: BacktestResult): string => {
  const more = r.alertsChanged.length - SHOWN_CHANGED;
  return more > 0 ? `\n${more} more merchants whose alerts differ: the HTML (--html) and JSON (--json, alertsChanged) reports list every one.` : "";
};
/** One row per alert that differs, of the first `merchants`; the merchant and its label on its first row only. */
const changedRows = (r: BacktestResult, merchants = r.alertsChanged.length): string[][] =>
  r.alertsChanged.slice(0, merchants).flatMap((m) =>
    m.alerts.map((x, i) => [i ? "" : m.merchantId, i ? "" : labelText(m), x.at, factsText(x.a), factsText(x.b), rulesDiff(x.a, x.b)]),
  );

const labelText = (m: { label: string; detail?: string }): string => (m.detail && m.detail !== m.label ? `${m.label} (${m.detail})` : m.label);

/** a shadow rule's value moves only its hits: said, lest the candidate's unchanged precision and recall be read as the rule's */
const SHADOW_SWEEP = "the rule is shadow there, so only its hits and their precision change: alerted, TP, FP, precision, recall and F1 are the live rules'";
const shadowSweep = (s: NonNullable<BacktestResult["sweep"]>): string => (s.mode === "shadow" ? `; ${SHADOW_SWEEP}` : "");

const SWEEP_HEAD = ["value", "rule hits", "rule precision", "alerted", "+alerts", "−alerts", "first alert earlier (median)", "later (median)", "TP", "FP", "precision", "recall", "F1"];
const shiftCell = (s: Shift): string => (s.merchants ? `${s.merchants} (${s.medianDays!.toFixed(1)} d)` : "0");
const BASELINE = "A (baseline)";
/** The set in force as the sweep's first row: each value is read against it. Its swept rule's hits as A ran it. */
function baselineSweepRow(r: BacktestResult, sweep: NonNullable<BacktestResult["sweep"]>): string[] {
  const rule = r.rules.find((x) => x.rule === sweep.rule)?.a;
  const a = r.overall.a;
  return [BASELINE, rule ? String(rule.hits) : "–", rule ? pct(rule.precision) : "–", num(a.alerted), "–", "–", "–", "–", num(a.truePositives), num(a.falsePositives), pct(a.precision), pct(a.recall), pct(a.f1)];
}
const sweepRows = (r: BacktestResult, sweep: NonNullable<BacktestResult["sweep"]>): string[][] => [baselineSweepRow(r, sweep), ...sweep.points.map(sweepRow)];
const sweepRow = (p: SweepPoint): string[] => [
  `${p.value}${p.current ? " *" : ""}`,
  num(p.hits),
  pct(p.hitPrecision),
  num(p.alerted),
  num(p.alertsAdded),
  num(p.alertsRemoved),
  shiftCell(p.firstAlerts.earlier),
  shiftCell(p.firstAlerts.later),
  num(p.truePositives),
  num(p.falsePositives),
  pct(p.precision),
  pct(p.recall),
  pct(p.f1),
];

// ---------------------------------------------------------------------------------------------------------
// HTML

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const A_COLOUR = "#8a94a6";
const B_COLOUR = "#2f6fdf";

function htmlTable(head: string[], rows: string[][], numericFrom = 1): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join("");
  const trs = rows.map((row) => `<tr>${row.map((c, i) => `<td${i >= numericFrom ? ' class="n"' : ""}>${esc(c)}</td>`).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

/** a generous width of a character of the charts' 12px sans-serif text (ids are lowercase, digits and dashes) */
const CHAR_W = 7.5;

/** Per rule, A's and B's hits as bars side by side; a shadow rule's bar is pale with a dashed edge. */
function hitsChart(rules: RuleRow[], window: string): string {
  // wide enough for the longest id (ids have no length limit), so none is cut off at the left edge
  const labelW = Math.max(210, 16 + Math.ceil(CHAR_W * Math.max(0, ...rules.map((r) => r.rule.length))));
  const barW = 430;
  const rowH = 30;
  const top = 30;
  const max = Math.max(1, ...rules.flatMap((r) => [r.a?.hits ?? 0, r.b?.hits ?? 0]));
  const w = labelW + barW + 50;
  const h = top + rules.length * rowH + 10;
  const bar = (side: RuleRow["a"], y: number, colour: string, who: string, rule: string): string => {
    if (!side) return `<text x="${labelW + 4}" y="${y + 9}" class="small">not in ${who}</text>`;
    const len = (side.hits / max) * barW;
    const style = side.mode === "shadow" ? `fill="${colour}" fill-opacity="0.3" stroke="${colour}" stroke-dasharray="3 2"` : `fill="${colour}"`;
    return (
      `<rect x="${labelW}" y="${y}" width="${Math.max(len, 1).toFixed(1)}" height="11" ${style}><title>${esc(`${rule} in ${who} (${side.mode}): ${side.hits}`)}</title></rect>` +
      `<text x="${(labelW + len + 4).toFixed(1)}" y="${y + 9}" class="small">${side.hits}${side.mode === "shadow" ? " shadow" : ""}</text>`
    );
  };
  const rows = rules
    .map((r, i) => {
      const y = top + i * rowH;
      return `<text x="${labelW - 8}" y="${y + 16}" text-anchor="end">${esc(r.rule)}</text>${bar(r.a, y + 2, A_COLOUR, "A", r.rule)}${bar(r.b, y + 14, B_COLOUR, "B", r.rule)}`;
    })
    .join("\n");
  const legend =
    `<rect x="${labelW}" y="6" width="12" height="11" fill="${A_COLOUR}"/><text x="${labelW + 16}" y="15">A baseline</text>` +
    `<rect x="${labelW + 110}" y="6" width="12" height="11" fill="${B_COLOUR}"/><text x="${labelW + 126}" y="15">B candidate</text>` +
    `<rect x="${labelW + 230}" y="6" width="12" height="11" fill="${B_COLOUR}" fill-opacity="0.3" stroke="${B_COLOUR}" stroke-dasharray="3 2"/><text x="${labelW + 246}" y="15">shadow (never alerts)</text>`;
  return `<svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="rule hits, A and B${esc(window)}">${legend}\n${rows}</svg>`;
}

/** Sweep values by their indices (ascending) as runs of neighbours in the sweep: "3 … 4, 9 … 10", a lone value as itself. */
function sweepRuns(points: SweepPoint[], indices: number[]): string {
  const runs: string[] = [];
  for (let s = 0, e = 0; s < indices.length; s = ++e) {
    while (indices[e + 1] === indices[e]! + 1) e++;
    runs.push(s === e ? `${points[indices[s]!]!.value}` : `${points[indices[s]!]!.value} … ${points[indices[e]!]!.value}`);
  }
  return runs.join(", ");
}

/**
 * Precision against recall for each swept value; values that land on the same point share one label. A, the set in
 * force, is drawn too (a grey square, its label above it, where the sweep's alternate): what each value is weighed against.
 */
function prCurve(points: SweepPoint[], a: Confusion, window: string): string {
  const plotted = points.filter((p) => p.precision !== null && p.recall !== null);
  if (!plotted.length) return "<p>No precision/recall to plot: no labels, or nothing alerted.</p>";
  const [x0, y0, pw, ph] = [60, 20, 420, 300];
  const X = (r: number) => x0 + r * pw;
  const Y = (p: number) => y0 + (1 - p) * ph;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<line x1="${X(t)}" y1="${y0}" x2="${X(t)}" y2="${y0 + ph}" class="grid"/><line x1="${x0}" y1="${Y(t)}" x2="${x0 + pw}" y2="${Y(t)}" class="grid"/>` +
        `<text x="${X(t)}" y="${y0 + ph + 16}" text-anchor="middle" class="small">${t * 100}%</text><text x="${x0 - 6}" y="${Y(t) + 4}" text-anchor="end" class="small">${t * 100}%</text>`,
    )
    .join("\n");
  const line = plotted.map((p) => `${X(p.recall!).toFixed(1)},${Y(p.precision!).toFixed(1)}`).join(" ");
  // by place in the sweep, so that a label's range never spans a value plotted elsewhere or not at all
  const groups = new Map<string, number[]>();
  points.forEach((p, i) => {
    if (p.precision === null || p.recall === null) return;
    const k = `${p.recall},${p.precision}`;
    groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  // each label beside its point, on the side with room; those on one side pushed apart where they would overwrite each
  // other (neighbouring values, A at the current value's point)
  const labels: { x: number; y: number; anchor: "start" | "end"; text: string }[] = [];
  const labelAt = (cx: number, cy: number, text: string) => {
    const anchor = cx > x0 + pw * 0.6 ? "end" : "start";
    labels.push({ x: cx + (anchor === "end" ? -10 : 10), y: cy + 4, anchor, text });
  };
  const marks = [...groups.values()]
    .map((g) => {
      const p = points[g[0]!]!;
      const current = g.some((i) => points[i]!.current);
      const values = sweepRuns(points, g);
      const [cx, cy] = [X(p.recall!), Y(p.precision!)];
      labelAt(cx, cy, `${values}${current ? " (current)" : ""}`);
      return `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${current ? 6 : 4}" fill="${current ? "#d9480f" : B_COLOUR}"><title>${esc(`${values}: precision ${pct(p.precision)}, recall ${pct(p.recall)}`)}</title></circle>`;
    })
    .join("\n");
  // over the circles and in outline: A is often where the current value is (a sweep of the set in force)
  let baseline = "";
  if (a.precision !== null && a.recall !== null) {
    const [cx, cy] = [X(a.recall), Y(a.precision)];
    labelAt(cx, cy, BASELINE);
    baseline = `<rect x="${(cx - 8).toFixed(1)}" y="${(cy - 8).toFixed(1)}" width="16" height="16" fill="none" stroke="${A_COLOUR}" stroke-width="2.5"><title>${esc(`${BASELINE}, the set in force: precision ${pct(a.precision)}, recall ${pct(a.recall)}`)}</title></rect>\n`;
  }
  const LINE = 13;
  const placed: typeof labels = [];
  for (const l of [...labels].sort((x, y) => x.y - y.y)) {
    const above = placed.filter((q) => q.anchor === l.anchor).at(-1);
    placed.push({ ...l, y: above ? Math.max(l.y, above.y + LINE) : l.y });
  }
  const texts = placed.map((l) => `<text x="${l.x.toFixed(1)}" y="${l.y.toFixed(1)}" text-anchor="${l.anchor}" class="small">${esc(l.text)}</text>`).join("\n");
  const w = x0 + pw + 30;
  const h = y0 + ph + 44;
  return (
    `<svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="precision against recall over the sweep${esc(window)}">${grid}\n` +
    `<polyline points="${line}" fill="none" stroke="${B_COLOUR}" stroke-width="1.5"/>\n${marks}\n${baseline}${texts}\n` +
    `<text x="${x0 + pw / 2}" y="${h - 4}" text-anchor="middle">recall</text>` +
    `<text x="14" y="${y0 + ph / 2}" text-anchor="middle" transform="rotate(-90 14 ${y0 + ph / 2})">precision</text></svg>`
  );
}

/** The HTML's chart of A's and B's alerts per bucket, side by side, the differing ones hatched. */
function alertsChart(r: BacktestResult): string {
  const t = r.timeline;
  if (!t.buckets.length) return "<p>No event was run.</p>";
  if (!alertsIn(t, "a") && !alertsIn(t, "b")) return "<p>No alert in A or B.</p>";
  const values = (k: keyof Timeline["buckets"][number]) => t.buckets.map((b) => b[k] as number);
  const [first, last] = [bucketLabel(t, t.buckets[0]!), bucketLabel(t, t.buckets.at(-1)!)];
  return barChart({
    id: "alerts-over-time",
    title: `Alerts raised per ${t.bucket}, A and B`,
    desc: `${plural(t.buckets.length, t.bucket)} from ${first} to ${last} (event time, UTC): ${differingText(t)}; those are striped across.`,
    categoryHeader: UNIT_HEADER[t.bucket],
    categories: t.buckets.map((b) => bucketLabel(t, b)),
    series: [
      { name: "A baseline", color: A_COLOUR, values: values("a"), marked: { name: "not raised alike in B", values: values("aDiffering") } },
      { name: "B candidate", color: B_COLOUR, values: values("b"), marked: { name: "not raised alike in A", values: values("bDiffering") } },
    ],
    xLabel: `${t.bucket === "week" ? "week from Monday" : t.bucket} (event time, UTC)`,
    yLabel: "alerts raised",
    folded: true,
  }).value;
}

const TIMELINE_KINDS: Record<DifferingAlert["in"], TimelineKind> = {
  b: { name: "alert only in B", color: B_COLOUR, shape: "up" },
  a: { name: "alert only in A", color: A_COLOUR, shape: "down" },
  both: { name: "in both, not alike", color: "#d9480f", shape: "diamond" },
};

/** The HTML's timeline: a row per merchant whose alerts differ, a mark at each such alert's time. */
function differingTimeline(r: BacktestResult): string {
  const t = r.timeline;
  if (!t.span || !t.merchants.length) return "<p>None: every alert was raised alike in A and B.</p>";
  const shown = t.merchants.slice(0, SHOWN_ON_TIMELINE.html);
  const more = t.merchants.length - shown.length;
  return (
    timelineChart({
      id: "differing-alerts",
      title: "When the alerts differ, per merchant",
      desc: `${plural(t.merchants.length, "merchant")} with alerts that differ between A and B, from ${t.span.from} to ${t.span.to}: ${differingText(t)}.`,
      rowHeader: "Merchant",
      xLabel: "event time (UTC)",
      from: parseTime(t.span.from),
      to: parseTime(t.span.to),
      kinds: TIMELINE_KINDS,
      rows: shown.map((m) => ({ label: `${m.merchantId} (${CHANGE_WORD[m.change]})`, marks: m.alerts.map((x) => ({ at: parseTime(x.at), kind: x.in })) })),
    }).value + (more > 0 ? `<p class="meta">${esc(`${plural(more, "more merchant")} not drawn: the JSON (--json, timeline.merchants) lists every one, and the tables below name them.`)}</p>` : "")
  );
}

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1d2433; max-width: 1100px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border-bottom: 1px solid #dde1e8; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: #f3f5f8; white-space: normal; vertical-align: bottom; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.meta { color: #4a5468; } svg text { font: 12px system-ui, sans-serif; fill: #1d2433; } svg .small { font-size: 11px; }
svg .grid { stroke: #e3e6ec; }
.muted { color: #4a5468; } figcaption { margin: 4px 0 8px; } details { margin: 4px 0 12px; } summary { cursor: pointer; color: #4a5468; }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;

const RULE_HEADS = ["rule", "typology", "change", "hits A", "hits B", "shadow A", "shadow B", "+alerts", "−alerts", "affected"];

/** A rule's row as both the terminal table and the page show it, up to the precision columns. */
function ruleCells(r: BacktestResult, x: BacktestResult["rules"][number]): string[] {
  return [x.rule, x.typology, changeText(r, x), live(x.a), live(x.b), shadow(x.a), shadow(x.b), num(x.alertsAdded), num(x.alertsRemoved), num(x.affected)];
}

/** One self-contained page: summary, charts and tables. */
export function backtestHtml(r: BacktestResult): string {
  const window = reportWindow(r);
  const summary = htmlTable(
    ["", "A baseline", "B candidate"],
    confusionRows(r).map(([name, get, kind]) => [name, kind === "n" ? num(get(r.overall.a) ?? undefined) : pct(get(r.overall.a)), kind === "n" ? num(get(r.overall.b) ?? undefined) : pct(get(r.overall.b))]),
  );
  const rules = htmlTable(
    [...RULE_HEADS, "precision A", "precision B"],
    r.rules.map((x) => [...ruleCells(r, x), x.a ? pct(x.a.precision) : "–", x.b ? pct(x.b.precision) : "–"]),
    3,
  );
  const typologies = htmlTable(
    ["typology", "hits A", "hits B", "shadow A", "shadow B", "alerted A", "alerted B", "+alerts", "−alerts", "affected", "precision A", "precision B", "recall A", "recall B"],
    r.typologies.map((t) => {
      const n = namedCells(t);
      return [
        t.typology,
        ...[t.a.hits, t.b.hits, t.a.shadowHits, t.b.shadowHits].map(String),
        n.alertedA,
        n.alertedB,
        n.added,
        n.removed,
        String(t.affected),
        pct(t.a.precision),
        pct(t.b.precision),
        n.recallA,
        n.recallB,
      ];
    }),
  );
  const changes = changeRows(r);
  const hits = hitsChangedTable(r, (t) => t);
  const sweep = r.sweep
    ? `<h2>Sweep of ${esc(`${r.sweep.rule}.${r.sweep.path}`)} (candidate; current value ${r.sweep.current})${esc(window)}</h2>
${r.sweep.mode === "shadow" ? `<p class="meta">${esc(`T${SHADOW_SWEEP.slice(1)}`)}.</p>\n` : ""}${prCurve(r.sweep.points, r.overall.a, window)}
${htmlTable(SWEEP_HEAD, sweepRows(r, r.sweep))}`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>moneytrail backtest: ${esc(r.candidate.name)} against ${esc(r.baseline.name)}</title>
<style>${CSS}</style></head>
<body>
<h1>Backtest: candidate rule set against baseline</h1>
<p class="meta">${summaryLines(r).map(esc).join("<br>\n")}</p>
<h2>Alerted merchants against the labels</h2>
${summary}
${alertedBeforeLine(r).map((l) => `<p>${esc(l)}</p>\n`).join("")}<p>${esc(firstAlertLine(r.firstAlerts))}</p>
${changedAlertsLine(r).map((l) => `<p>${esc(l)}</p>\n`).join("")}<h2>Alerts over event time${esc(window)}</h2>
${alertsChart(r)}
<h2>When the alerts differ</h2>
${differingTimeline(r)}
<h2>Rule hits (distinct merchants)${esc(window)}</h2>
${hitsChart(r.rules, window)}
${rules}
<p class="meta">+/− alerts: merchants that gain (B) or lose (A) an alert and that the rule hit; affected: merchants the rule hit in one set and not the other; precision: of the merchants hit with a label, the share positive.</p>
<h2>Per typology</h2>
${typologies}
<p class="meta">recall: of the positives labelled with the typology, the share alerted with it${esc(typologyBefore(r))}.</p>
${unnamedLine(r).map((l) => `<p class="meta">${esc(l)}</p>\n`).join("")}
<h2>Merchants that gain or lose an alert</h2>
${changes.length ? htmlTable(changesHead(r), changes, CHANGES_HEAD.length + 1) : "<p>None.</p>"}
<h2>${esc(HITS_TITLE)}</h2>
${hits.rows.length ? htmlTable(hits.head, hits.rows, hits.head.length) : "<p>None.</p>"}${r.hitsChangedLeftOut ? `<p class="meta">${esc(leftOutText(r))}</p>` : ""}
<h2>${esc(CHANGED_TITLE)}</h2>
${r.alertsChanged.length ? htmlTable(CHANGED_HEAD, changedRows(r), CHANGED_HEAD.length) : "<p>None.</p>"}
${sweep}
</body></html>
`;
}

/** Writes the JSON and/or HTML report (writeOutput). */
export function writeBacktestReports(r: BacktestResult, to: { json?: string; html?: string }): void {
  for (const [file, text] of [
    [to.json, `${JSON.stringify(r, null, 2)}\n`],
    [to.html, backtestHtml(r)],
  ] as const) {
    if (file) writeOutput(file, text);
  }
}
