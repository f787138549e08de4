// The rule tuner's page: the set in force (and any refused change), each rule's live and shadow hits and the
// false-positive rate reviewers' dispositions give it, the files to edit (each form names the version of the file it
// shows, so a save over someone else's is refused and shown here to merge; a refused save's form keeps the tuner's
// text), the version history, and the periods each version was in force, each save and restore with its note.
import { csrfField, html, layout, when, type Html, type PageUser } from "../html.js";
import type { RuleSet } from "../../rules/ruleset.js";
import type { RulesStatus } from "../../rules/reload.js";
import { NOTE_MAX, fileVersion, pageOrApi, type RulePeriod, type RuleVersion, type RuleFiles } from "../../rules/history.js";
import type { RuleFeedback, RuleHits } from "../rules-routes.js";

export interface RulesView {
  rs: RuleSet;
  status: RulesStatus;
  files: RuleFiles;
  versions: RuleVersion[];
  /** latest first */
  periods: RulePeriod[];
  hits: RuleHits[];
  feedback: RuleFeedback[];
  /**
   * the values most likely a mistake (`file:line:col: path: message`) of the set a save or restore just wrote, or else
   * of the set in force: said wherever the page is opened, so a tuner sees those a colleague's save left
   */
  doubts: { of: "saved" | "in force"; notes: string[] };
  error?: string;
  notice?: string | Html;
  /**
   * the demo's copy of rules/ that the page edits (a page no consumer runs with): `rules export` has no database to
   * read there, so the page names the copy to backtest
   */
  demoDir?: string;
  /** a refused save: its form is shown again with the tuner's text instead of the file's, so nothing typed is lost */
  kept?: KeptEdit;
  conflict?: RulesConflict;
}

export interface KeptEdit {
  file: string;
  /** the text the tuner sent */
  yours: string;
  /** the fileVersion the form names: the version a save of it replaces */
  base: string;
  /** the note the tuner wrote */
  note?: string;
}

/** A save refused because the file changed after the form was opened. */
export interface RulesConflict {
  file: string;
  /** the file as the refusal found it; undefined when removed */
  current: string | undefined;
  changedBy: { by: string; at: string } | null;
  /** from the file now to the tuner's text */
  diff: string;
}

function conflictMessage(x: RulesConflict): string {
  const who = !x.changedBy ? "" : x.changedBy.by === "directory" ? ` (outside this page; first seen ${when(x.changedBy.at)})` : ` (${x.changedBy.by}, ${when(x.changedBy.at)})`;
  return x.current === undefined
    ? `Not saved: ${x.file} was removed after you opened it${who}. Your text is kept in its form below; save again to create the file with it.`
    : `Not saved: someone else saved ${x.file} after you opened it${who}, and saving yours would have undone their change. Your text is kept in its form below, with the file as it is now and the difference between the two: put into your text what you want to keep of theirs, then save again (that replaces the file as it is now).`;
}

const HOW: Record<RulePeriod["how"], string> = { directory: "found in the rules directory", page: "saved on this page", api: "saved through the API", restore: "restored" };

/** A note as the history holds it; none for saves and restores made before notes were kept. */
const noteText = (note: string | null) => note ?? html`<span class="muted">none (made before notes were kept)</span>`;
/**
 * The note field of a save's or restore's form: required, as the server refuses a change without one. Named for what
 * it goes with (`of`) to a screen reader, whose list of fields would read "Note" once for each form.
 */
const noteField = (of: string, placeholder: string, value = "", refused: Html | string = "") =>
  html`<label>Note<span class="vh"> for ${of}</span> <input name="note"${refused} required maxlength="${NOTE_MAX}" size="60" placeholder="${placeholder}" value="${value}"></label>`;

/** How to backtest what the demo's page saved: copy its directory (removed at the demo's stop), run against rules/ on the sample. */
export const demoBacktest = (dir: string): Html =>
  html`<code>cp -r ${dir}/. my-rules/</code> (its files into my-rules/, made if missing: a copy of the directory itself into a my-rules/ already there would land in a directory inside it, which the loader does not read), then <code>npx moneytrail backtest --events fixtures/sample/events.ndjson --baseline rules/ --candidate my-rules/ --indicators fixtures/sample/indicators --trust fixtures/sample/trust.json --labels fixtures/sample/labels.json</code>`;

const pctOf = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(0)}%`);

export function rulesPage(user: PageUser, v: RulesView): string {
  const hitsOf = (rule: string, mode: string) => v.hits.find((h) => h.rule === rule && h.mode === mode)?.merchants ?? 0;
  const fb = (rule: string) => {
    const rows = v.feedback.filter((f) => f.rule === rule);
    const fp = rows.reduce((s, r) => s + r.falsePositives, 0);
    const rep = rows.reduce((s, r) => s + r.reported, 0);
    return { fp, rep, rate: fp + rep ? fp / (fp + rep) : null, months: rows };
  };
  const context = new Set(v.rs.settings.scoring.contextRules ?? []);
  return layout(
    "Rules",
    user,
    html`${v.error ? html`<p class="error" role="alert" id="rules-error">${v.error}</p>` : ""}${v.conflict ? html`<p class="error" role="alert" id="conflict">${conflictMessage(v.conflict)}</p>` : ""}${v.notice ? html`<p class="notice">${v.notice}</p>` : ""}
${v.status.lastRefusal ? html`<p class="error" id="refusal">A change was refused at ${when(v.status.lastRefusal.at)}; the set in force is unchanged: <code>${v.status.lastRefusal.message}</code></p>` : ""}
<h1>Rule set ${v.rs.id}</h1><p>In force: <code id="version">${v.status.version}</code> since ${when(v.status.loadedAt)}</p>
${v.doubts.notes.length ? html`<ul id="doubts" class="notice">${v.doubts.notes.map((d) => html`<li>Note, most likely a mistake (${v.doubts.of} as written): ${d}.</li>`)}</ul>` : ""}
<table id="rules"><caption class="vh">The rules in force</caption><thead><tr><th scope="col">Rule</th><th scope="col">Kind</th><th scope="col">Mode</th><th scope="col">Weight</th><th scope="col">Typology</th><th scope="col">Merchants hit (live)</th><th scope="col">Merchants hit (shadow)</th><th scope="col">Reviewers: confirmed (reported or account closed) / false positive</th><th scope="col">False-positive rate</th></tr></thead><tbody>${v.rs.rules.map((r) => {
      const f = fb(r.id);
      return html`<tr data-rule="${r.id}"><td>${r.id}</td><td>${r.kind.kind}</td><td>${r.mode}${context.has(r.id) ? ", context" : ""}</td><td>${r.weight}</td><td>${r.typology}</td><td>${hitsOf(r.id, "live")}</td><td>${hitsOf(r.id, "shadow")}</td><td>${f.rep} / ${f.fp}</td><td>${pctOf(f.rate)}${
        f.months.length > 1 ? html`<br><span class="muted">${f.months.map((m) => `${m.month}: ${pctOf(m.falsePositiveRate)}`).join(", ")}</span>` : ""
      }</td></tr>`;
    })}</tbody></table>
<p class="muted">A shadow rule is evaluated on live data and its hits counted, but it never adds to a score or raises an alert.${
      context.size ? " A context rule (scoring.contextRules in ruleset.yaml) adds to other evidence, but context rules do not add up among themselves: a merchant with context signals alone scores as its strongest one alone." : ""
    } The false-positive rate counts closed cases the rule contributed to: dismissed as false positive or legitimate business, against confirmed (reported, or closed with the merchant's account).</p>
<h2>Change a file</h2><p class="muted">The whole set is validated with the change; a set with any error is refused and the one in force stays. Saved sets reach running consumers without a restart.</p>
<p class="muted">Before saving, you can try a change on recorded events: <code>moneytrail rules export ${v.status.version.slice(0, 19)} DIR</code> writes the set in force to a directory to copy and edit (or copy the files below), and <code>moneytrail backtest</code> runs both over the events (docs/backtest.md): which merchants gain or lose an alert, how much sooner or later the others are alerted, precision and recall against labels.${
      v.demoDir
        ? html` In this demo, <code>rules export</code> has no database to read (the demo keeps its own in memory): this page edits a copy of <code>rules/</code>, <code>${v.demoDir}</code>, removed when the demo stops. To backtest what you save here, from the repository: ${demoBacktest(v.demoDir)}.`
        : ""
    }</p>
${[...new Set([...Object.keys(v.files), ...(v.kept ? [v.kept.file] : [])])].map((name) => {
  const k = v.kept?.file === name ? v.kept : undefined;
  const x = v.conflict?.file === name ? v.conflict : undefined;
  // the refused save's fields are described by why it was refused
  const refused = k && (v.conflict || v.error) ? html` aria-describedby="${v.conflict ? "conflict" : "rules-error"}"` : "";
  return html`<form method="post" action="/rules/${encodeURIComponent(name)}"><h3>${name}</h3>${csrfField(user)}<input type="hidden" name="base" value="${k ? k.base : fileVersion(v.files[name])}"><textarea name="content" rows="12" cols="100" aria-label="${name}: the file's text"${refused}>${k ? k.yours : v.files[name]}</textarea><br>${noteField(`saving ${name}`, "why: what it fixes or tunes, a ticket", k?.note, refused)} <button>Validate and save ${name}</button></form>${
    x
      ? html`<h4>From ${name} as it is now to your text</h4><pre id="conflict-diff">${x.diff || "(no difference)"}</pre>${
          x.current === undefined ? "" : html`<h4>${name} as it is now</h4><pre id="conflict-current">${x.current}</pre>`
        }`
      : ""
  }`;
})}
<h2>Version history</h2><table id="versions"><caption class="vh">Versions of the rule set, latest first</caption><thead><tr><th scope="col">Version</th><th scope="col">Recorded</th><th scope="col">By</th><th scope="col">Note</th><th scope="col"><span class="vh">Actions</span></th></tr></thead><tbody>${v.versions.map(
      (x) => html`<tr><td><code>${x.version.slice(0, 19)}…</code>${x.version === v.status.version ? " (in force)" : ""}</td><td>${when(x.recordedAt)}</td><td>${x.recordedBy}</td><td>${noteText(x.note)}</td><td>${
        x.version === v.status.version
          ? ""
          : html`<a href="/rules/diff?from=${x.version}" aria-label="diff with the version in force, from version ${x.version.slice(0, 19)}">diff with the version in force</a> <form class="inline" method="post" action="/rules/restore">${csrfField(user)}<input type="hidden" name="version" value="${x.version}">${noteField(`restoring version ${x.version.slice(0, 19)}`, "why restore it")} <button aria-label="Restore version ${x.version.slice(0, 19)}">Restore</button></form>`
      }</td></tr>`,
    )}</tbody></table>
<h2>In force</h2><p class="muted">Each period a version was in force, latest first: a version restored or edited back to runs again in a period of its own (GET /api/rules/periods?at=TIME gives the one in force at a time).</p>
<table id="periods"><caption class="vh">Periods each version was in force, latest first</caption><thead><tr><th scope="col">Version</th><th scope="col">From</th><th scope="col">Until</th><th scope="col">Put in force by</th><th scope="col">How</th><th scope="col">Note</th></tr></thead><tbody>${v.periods.map(
      (p) =>
        html`<tr><td><code>${p.version.slice(0, 19)}…</code></td><td>${when(p.from)}</td><td>${p.until ? when(p.until) : "now"}</td><td>${p.putBy}</td><td>${
          pageOrApi(p) ? "saved on this page or through the API (recorded before 7 December 2026: see under the table)" : HOW[p.how]
        }</td><td>${noteText(p.note)}</td></tr>`,
    )}</tbody></table>${
      v.periods.some(pageOrApi)
        ? html`<p id="page-or-api" class="muted">Until 7 December 2026 a save through the API was recorded as saved on this page: a period marked so was saved one way or the other. The save's row in the audit trail (action rules-change, by the same user at the same time) says what it was made with, an API token or a signed-in session, where the trail recorded that (since migration 25); admins and auditors read it at /audit.</p>`
        : ""
    }`,
  );
}

