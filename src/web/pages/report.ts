// The compliance lead's report page: per ISO week the cases opened and decided (a chart and its table), the open
// backlog by age (a chart and its table), the time to a first decision and the outcomes by typology, and who holds
// how many open cases. Counts and usernames only: no merchant is named here.
import { UTCDate } from "@date-fns/utc";
import { formatISO } from "date-fns/formatISO";
import { subYears } from "date-fns/subYears";
import { barChart } from "../chart.js";
import { html, layout, when, type Html, type PageUser } from "../html.js";
import { DISMISS_REASON_KEYS, type CaseReport, type Outcomes, type TimeToDecision } from "../../cases/report.js";

const round1 = (x: number): string => x.toFixed(1).replace(/\.0$/, "");
/** A duration in hours as a person reads it: hours up to two days, then days (with the hours). */
const duration = (h: number | null): string => (h === null ? "—" : h < 48 ? `${round1(h)} h` : `${round1(h / 24)} days (${Math.round(h)} h)`);
const ALL = "All typologies";

export function reportPage(user: PageUser, r: CaseReport): string {
  const first = r.weeks[0]!;
  const last = r.weeks.at(-1)!;
  const opened = r.weeks.reduce((n, w) => n + w.opened, 0);
  const query = String(new URLSearchParams({ from: r.from, to: r.to }));
  const o = r.outcomes.all;
  return layout(
    "Review report",
    user,
    html`<h1>Review report</h1>
<p>Weeks ${first.week} to ${last.week}: Monday ${r.from} to Sunday ${r.to}. Weeks are ISO weeks (Monday to Sunday), in UTC. The open cases are as of ${when(r.asOf)}.</p>
<form method="get" action="/report" class="noprint"><label>From <input type="date" name="from" value="${r.from}"></label><label>To <input type="date" name="to" value="${r.to}"></label><button>Show</button>
<span class="muted">(widened to whole weeks; at most two years)</span> · <a href="/report.csv?${query}">Weekly figures as CSV</a> · <a href="/api/report?${query}">JSON</a></form>
<p id="summary"><strong>${opened}</strong> cases opened and <strong>${o.decided}</strong> decided in these weeks (${o.reported} reported, ${o.accountClosed} account closed, ${o.dismissed} dismissed); <strong>${r.backlog.total}</strong> open now.</p>
${opened + o.decided === 0 ? elsewhere(r) : ""}
<section><h2>Cases opened and decided per week</h2>
${barChart({
  id: "weeks",
  title: "Cases opened and decided per week",
  desc: `${r.weeks.length} ISO weeks from ${first.week} to ${last.week}: ${opened} cases opened and ${o.decided} decided.`,
  categoryHeader: "Week",
  categories: r.weeks.map((w) => w.week),
  series: [
    { name: "opened", color: "#2b5d9c", values: r.weeks.map((w) => w.opened) },
    { name: "decided", color: "#c2410c", values: r.weeks.map((w) => w.decided) },
  ],
})}
<p class="muted">Opened: by the case's opening (its first alert). Decided: decisions that closed a case (reported, account closed, dismissed); a case reopened and closed again counts again.</p></section>
<section><h2>Open cases by age</h2>
${barChart({
  id: "backlog",
  title: "Open cases by age",
  desc: `${r.backlog.total} cases open (open, in review or escalated) at ${when(r.asOf)}, by the time since their opening.`,
  categoryHeader: "Age",
  categories: r.backlog.bands.map((b) => b.band),
  series: [{ name: "open cases", color: "#2b5d9c", values: r.backlog.bands.map((b) => b.cases) }],
})}
<p class="muted">Open, in review or escalated now, whatever the weeks chosen; age from the case's opening.</p></section>
<section><h2>Time to first decision</h2>
<table id="time-to-decision"><caption class="vh">Time to first decision, by typology</caption><thead><tr><th scope="col">Typology</th><th scope="col">Cases first decided</th><th scope="col">Median</th><th scope="col">90th percentile</th></tr></thead>
<tbody>${timeRow(ALL, r.timeToDecision.all)}${r.timeToDecision.byTypology.map((t) => timeRow(t.typology, t))}</tbody></table>
<p class="muted">From a case's opening to the first decision that closed it, for the cases first decided in these weeks. Half of them were decided within the median, nine in ten within the 90th percentile (each the time some case took). A case counts under each of its typologies, once under all.</p></section>
<section><h2>Outcomes by typology</h2>
<table id="outcomes"><caption class="vh">Outcomes by typology</caption><thead><tr><th scope="col">Typology</th><th scope="col">Decided</th><th scope="col">Reported</th><th scope="col">Account closed</th><th scope="col">Dismissed</th>${DISMISS_REASON_KEYS.map(
      (k) => html`<th scope="col">Dismissed: ${k.replaceAll("-", " ")}</th>`,
    )}<th scope="col">Account closed after a report</th></tr></thead>
<tbody>${outcomeRow(ALL, o)}${r.outcomes.byTypology.map((t) => outcomeRow(t.typology, t))}</tbody></table>
<p class="muted">Decisions taken in these weeks. An account closed on a case already reported is not a decision that closed the case: it is counted in the last column only.</p></section>
<section><h2>Open cases per assignee</h2>
${
  r.assignees.length
    ? html`<table id="assignees"><caption class="vh">Open cases per assignee</caption><thead><tr><th scope="col">Assignee</th><th scope="col">Open cases</th><th scope="col">Oldest opened</th></tr></thead>
<tbody>${r.assignees.map((a) => html`<tr><th scope="row">${a.assignee ?? "(unassigned)"}</th><td>${a.cases}</td><td>${when(a.oldestOpenedAt)}</td></tr>`)}</tbody></table>`
    : html`<p>No case is open.</p>`
}</section>`,
  );
}

const timeRow = (typology: string, t: TimeToDecision): Html =>
  html`<tr><th scope="row">${typology}</th><td>${t.cases}</td><td>${duration(t.medianHours)}</td><td>${duration(t.p90Hours)}</td></tr>`;

const outcomeRow = (typology: string, x: Outcomes): Html =>
  html`<tr><th scope="row">${typology}</th><td>${x.decided}</td><td>${x.reported}</td><td>${x.accountClosed}</td><td>${x.dismissed}</td>${DISMISS_REASON_KEYS.map(
    (k) => html`<td>${x.dismissedBy[k]}</td>`,
  )}<td>${x.accountClosedAfterReport}</td></tr>`;

/** Where the cases are when these weeks hold none (the demo's sample is dated March and April 2026): the weeks to ask for. */
function elsewhere(r: CaseReport): Html | string {
  if (!r.casesOpened) return html`<p class="notice">There are no cases yet.</p>`;
  const day = (d: Date) => formatISO(d, { representation: "date" });
  const first = new UTCDate(r.casesOpened.first);
  const to = new UTCDate(r.casesOpened.last);
  const from = new UTCDate(Math.max(+first, +subYears(to, 2)));
  return html`<p class="notice">No case was opened or decided in these weeks. The cases here were opened from ${when(r.casesOpened.first)} to ${when(r.casesOpened.last)}: <a href="/report?${String(new URLSearchParams({ from: day(from), to: day(to) }))}">show those weeks</a>${
    from > first ? " (the last two years of them)" : ""
  }.</p>`;
}
