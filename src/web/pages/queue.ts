// The case queue: riskiest first (most severe, then highest score, then oldest), oldest first or most recently
// active first, with filters and paging.
import { caseSeverity, decision, html, layout, newsText, when, type PageUser } from "../html.js";
import { QUEUE_SORT_NAMES, type QueueFilter, type QueueRow, type Waiting } from "../../cases/store.js";
import { STATUSES, statusText } from "../../cases/workflow.js";

// the page sizes offered; any other one a link asks for (1-200) is kept
const PAGE_SIZES = [25, 50, 100, 200];

// each order as the sort choice names it, and as the page says what the list is
const SORTS: Record<(typeof QUEUE_SORT_NAMES)[number], { choice: string; says: string }> = {
  risk: {
    choice: "riskiest first",
    says: "riskiest first: critical before high (a case ranks by the highest severity of its alerts), then by the latest score and, at equal risk, oldest first",
  },
  oldest: { choice: "oldest first", says: "oldest first, by when the case was opened (for a time limit on review)" },
  recent: { choice: "recently active first", says: "most recently active first: a new alert or a decision brings a case to the top" },
};

/** The queue's address query for these filters (and place in the list), without the ones not given. */
export function queueQuery(f: QueueFilter): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== "") p.set(k, String(v));
  return p.toString();
}

export function queuePage(
  user: PageUser,
  q: { rows: QueueRow[]; total: number; page: number; pageSize: number; next?: string },
  f: QueueFilter,
  facets: { typologies: string[]; acquirers: string[]; assignees: string[] },
  waiting: Waiting,
): string {
  const pages = Math.max(1, Math.ceil(q.total / q.pageSize));
  const sort = SORTS[f.sort ?? "risk"];
  // next continues after the page's last case (after=), so that cases closed from this page do not shift it
  const link = (page: number, after?: string) => `/cases?${queueQuery({ ...f, page, after })}`;
  // how the list is shown, which the links to other cases keep (Clear filters, Waiting's counts): not which cases
  const shown = { sort: f.sort, pageSize: f.pageSize };
  const select = (name: string, current: string | undefined, options: [string, string][], label = name) => {
    // a value no case holds (a link, a typo) stays selected: the form must say what the list is filtered by
    const all = current && !options.some(([v]) => v === current) ? [...options, [current, current]] : options;
    return html`<label>${label} <select name="${name}">${all.map(([v, t]) => html`<option value="${v}"${v === (current ?? "") ? html` selected` : ""}>${t}</option>`)}</select></label>`;
  };
  return layout(
    "Case queue",
    user,
    html`<h1>Case queue</h1>
<p id="waiting">Waiting: <a href="/cases?${queueQuery({ status: "active", assignee: "unassigned", ...shown })}">${waiting.unassigned} unassigned</a>${
      waiting.unassignedCritical ? ` (${waiting.unassignedCritical} critical)` : ""
    } · <a href="/cases?${queueQuery({ status: "active", assignee: user.username, ...shown })}">${waiting.yours} assigned to you</a> · <a href="/cases?${queueQuery({ status: "escalated", ...shown })}">${waiting.escalated} escalated</a> · ${waiting.active} active in all.</p>
<p class="muted">Suspect merchant accounts, ${sort.says}. Open a case to see why the merchant is here.</p>
<form method="get" action="/cases" class="noprint" aria-label="Filter the queue">
  ${f.merchant ? html`<input type="hidden" name="merchant" value="${f.merchant}">` : ""}
  ${select("status", f.status ?? "active", [["active", "active (open, in review, escalated)"], ["all", "all"], ...STATUSES.map((s): [string, string] => [s, statusText(s)])])}
  ${select("typology", f.typology, [["", "any typology"], ...facets.typologies.map((t): [string, string] => [t, t])])}
  ${select("acquirer", f.acquirer, [["", "any acquirer"], ...facets.acquirers.map((t): [string, string] => [t, t])])}
  ${select("assignee", f.assignee, [["", "anyone"], ["unassigned", "unassigned"], [user.username, `me (${user.username})`], ...facets.assignees.filter((a) => a !== user.username).map((t): [string, string] => [t, t])])}
  ${select("sort", f.sort ?? "risk", QUEUE_SORT_NAMES.map((s): [string, string] => [s, SORTS[s].choice]), "order")}
  ${select("pageSize", String(q.pageSize), PAGE_SIZES.map((n): [string, string] => [String(n), String(n)]), "per page")}
  <button>Filter</button> <a href="/cases?${queueQuery({ status: "active", ...shown })}">Clear filters</a>
</form>
<form method="get" action="/cases" class="noprint" role="search" aria-label="Find a merchant's cases">
  <input type="hidden" name="status" value="all">
  <label>Find a merchant's cases, open and closed <input type="search" name="merchant" value="${f.merchant ?? ""}" size="28" placeholder="merchant id, exactly" required></label>
  <button>Find</button>
</form>
${f.merchant ? html`<p id="merchant-filter">Cases of merchant <strong>${f.merchant}</strong> · <a href="/cases?${queueQuery({ status: "active", ...shown })}">all merchants</a></p>` : ""}
<table id="queue"><caption class="vh">Cases, ${sort.choice}</caption><thead><tr><th scope="col">Case</th><th scope="col">Merchant</th><th scope="col">Score</th><th scope="col">Severity</th><th scope="col">Typologies</th><th scope="col">Acquirer</th><th scope="col">Status</th><th scope="col">Assignee</th><th scope="col">Opened</th><th scope="col">Updated</th></tr></thead>
<tbody>${
      q.rows.length
        ? q.rows.map(
            (c) => html`<tr data-case="${c.caseId}"><td><a href="/cases/${c.caseId}" aria-label="Case #${c.caseId}">#${c.caseId}</a></td><td><a href="/cases/${c.caseId}">${c.merchantId}</a></td><td>${c.score}</td><td>${caseSeverity(c)}</td>
<td>${c.typologies.join(", ")}</td><td>${c.acquirerId ?? "—"}</td><td>${statusText(c.status)}${decision(c)}</td><td>${c.assignee ?? "—"}</td><td>${when(c.openedAt)}</td><td>${when(c.updatedAt)}${
              c.seen && (c.seen.newAlerts || c.seen.changes.length)
                ? html`<br><strong class="new">${[c.seen.newAlerts ? `${c.seen.newAlerts} new alert${c.seen.newAlerts === 1 ? "" : "s"}` : "", newsText(c.seen.changes)].filter(Boolean).join("; ")} since you last looked</strong>`
                : ""
            }</td></tr>`,
          )
        : html`<tr><td colspan="10">${
            q.total > 0 ? html`No cases on page ${q.page}: the ${q.total} that match fill ${pages} page${pages === 1 ? "" : "s"}. <a href="${link(pages)}">Go to page ${pages}</a>.` : "No cases match these filters."
          }</td></tr>`
    }</tbody></table>
<p>${q.total} case${q.total === 1 ? "" : "s"} · ${q.page <= pages ? `page ${q.page} of ${pages}` : `${pages} page${pages === 1 ? "" : "s"}`}
${q.page > 1 ? html` · <a href="${link(Math.min(q.page - 1, pages))}">Previous page of cases</a>` : ""}${q.page < pages ? html` · <a href="${link(q.page + 1, q.next)}">Next page of cases</a>` : ""}</p>`,
  );
}
