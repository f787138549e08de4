// The audit trail for a person (a bank's internal auditor, a regulator's visitor): the filters as a form, the rows
// they keep as a table in words, newest first and paged, and the same filters as the exports (NDJSON, CSV).
import { html, isolated, layout, when, type Html, type PageUser } from "../html.js";
import { can } from "../auth.js";
import { AUDIT_ACTIONS, AUDIT_MAX_ROWS, givenActions, type AuditFilter, type AuditRow, type Role } from "../../cases/store.js";
import { changeOf, credentialOf, entries } from "./case.js";

/** The filters the page and the exports take, a case's number among them. */
export type AuditPageFilter = AuditFilter & { case?: string };

export interface AuditView {
  /** the filters as they were read: the page's links and exports keep them */
  filter: AuditPageFilter;
  /** the rows of this page, newest first, with how many the filters keep and how many are newer than the page */
  page?: { rows: AuditRow[]; total: number; newer: number; limit: number };
  /** filters refused: why, and the fields it is about */
  refused?: { message: string; fields: string[] };
  /** the form's fields as they were sent, back in the form */
  typed: Record<string, unknown>;
}

/** The rows one page shows unless ?limit= says otherwise, and the most it shows. */
export const AUDIT_PAGE_ROWS = 50;
export const AUDIT_PAGE_MAX = 500;

/** The filters as a query string (a case's rows, actions repeated), for the page's links and the exports. */
export function filterQuery(f: AuditPageFilter, extra: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const k of ["token", "actor", "since", "until", "case"] as const) if (f[k] !== undefined) q.append(k, f[k]);
  for (const a of f.action ?? []) q.append("action", a);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) q.append(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** What the actor acted with, in words; rows of the command line, the service, and from before it was recorded have none. */
const credentialText = (a: AuditRow): string => (a.credential ? credentialOf(a.credential) : "no credential recorded (the command line, the service, or an older row)");

/** A row's case: its page where the viewer may open cases, else the trail's rows of that case. */
const caseLink = (role: string, caseId: string | null): Html | string =>
  caseId === null
    ? ""
    : can(role as Role, "cases:read")
      ? html`<a href="/cases/${caseId}" aria-label="Case #${caseId}">#${caseId}</a>`
      : html`<a href="/audit?case=${caseId}" aria-label="Rows of case #${caseId}">#${caseId}</a>`;

export function auditorPage(user: PageUser, v: AuditView): string {
  const err = v.refused;
  const typed = (name: string): string => {
    const t = v.typed[name];
    return typeof t === "string" ? t : "";
  };
  const chosen = new Set(givenActions(v.typed.action));
  // each field's hint, and the refusal where it is about that field, as its description
  const describedBy = (name: string, hint?: string): Html => {
    const ids = [err?.fields.includes(name) ? "form-error" : "", hint ?? ""].filter(Boolean).join(" ");
    return ids ? html` aria-describedby="${ids}"` : html``;
  };
  const invalid = (name: string): Html => (err?.fields.includes(name) ? html` aria-invalid="true"` : html``);
  const field = (name: string): Html => html`${invalid(name)}${describedBy(name, `${name}-hint`)}`;
  return layout(
    "Audit trail",
    user,
    html`<h1>Audit trail</h1>
${user.role === "auditor" ? html`<p>You are signed in as ${user.username}, an auditor: this role reads the audit trail and nothing else (no cases, no rules, no users).</p>` : ""}
${err ? html`<p class="error" role="alert" id="form-error">The filters were refused, no row is shown: ${err.message}</p>` : ""}
<form method="get" action="/audit" aria-label="Filter the audit trail">
<p><label>API token id (12 hex digits) <input name="token" value="${typed("token")}" pattern="[0-9a-fA-F]{12}" size="14" autocomplete="off"${field("token")}></label> <span id="token-hint">every action taken with that token (after a leak); a token made with it is named in that row's <code>after.id</code> (action <code>token-create</code>): look it up too</span></p>
<p><label>User name <input name="actor" value="${typed("actor")}" maxlength="64" size="20" autocomplete="off"${field("actor")}></label> <span id="actor-hint">that user's rows, with whatever they acted</span></p>
<p><label>From (ISO 8601 time with its zone, e.g. 2026-12-07T09:00:00Z) <input name="since" value="${typed("since")}" size="26" autocomplete="off"${field("since")}></label> <span id="since-hint">rows from that time on</span></p>
<p><label>Until (the same form of time) <input name="until" value="${typed("until")}" size="26" autocomplete="off"${field("until")}></label> <span id="until-hint">rows before that time: with From, a period</span></p>
<p><label>Case number <input name="case" value="${typed("case")}" inputmode="numeric" pattern="[0-9]+" size="10" autocomplete="off"${field("case")}></label> <span id="case-hint">that case's rows: who opened it (action <code>case-view</code>), who decided what</span></p>
<p><label>Actions (none chosen: every one; several with Ctrl or Shift) <select name="action" multiple size="8"${field("action")}>${Object.entries(AUDIT_ACTIONS).map(
      ([about, actions]) => html`<optgroup label="${about}">${actions.map((a) => html`<option value="${a}"${chosen.has(a) ? html` selected` : ""}>${a}</option>`)}</optgroup>`,
    )}</select></label> <span id="action-hint">the rows of those actions only: every <code>dismiss</code>, every <code>login-failed</code></span></p>
<p><label>Rows a page <input name="limit" type="number" min="1" max="${AUDIT_PAGE_MAX}" size="6" value="${typed("limit")}" placeholder="${AUDIT_PAGE_ROWS}"${field("limit")}></label> <span id="limit-hint">at most ${AUDIT_PAGE_MAX}</span></p>
<p><button>Show the rows</button> Fields left empty are no filter.</p>
</form>
${v.page ? rowsTable(user, v.filter, v.page) : ""}
<h2>For a log collector (SIEM) or a script</h2>
<p>The export: <a href="/api/audit">/api/audit</a> (NDJSON, one row a line, oldest first: <code>auditId</code>, <code>at</code>, <code>actor</code>, <code>role</code>, <code>action</code>, <code>caseId</code>, <code>target</code>, <code>before</code>, <code>after</code>, <code>detail</code>, <code>credential</code>: what the user acted with, <code>"session"</code> for the page or <code>{"token": ID, "name": LABEL}</code> for an API token, never the token itself; null for the command line, the service and rows from before it was recorded). It gives at most ${AUDIT_MAX_ROWS.toLocaleString("en")} rows at a time (<code>?limit=N</code> for fewer); <code>?after=ID</code>, the last <code>auditId</code> read, gives the rows after it. It takes the filters above as query parameters: <code>?token=ID&amp;actor=NAME&amp;since=TIME&amp;until=TIME&amp;case=NUMBER&amp;action=NAME</code> (several actions: <code>?action=dismiss&amp;action=reopen</code> or <code>?action=dismiss,reopen</code>; a name the trail does not know is refused, with the list). Each export, and each view of this page, is itself a row of the trail (action <code>audit-export</code>).</p>
<p>A log collector reads it with an API token in the header <code>Authorization: Bearer …</code>: the operator gives one on the server, <code>moneytrail users token ${user.username}</code>.</p>`,
  );
}

function rowsTable(user: PageUser, f: AuditPageFilter, p: NonNullable<AuditView["page"]>): Html {
  const { rows, total, newer, limit } = p;
  const first = newer + 1;
  const last = newer + rows.length;
  const exports = html`<p id="audit-exports">The same filters as a file, oldest first, at most ${AUDIT_MAX_ROWS.toLocaleString("en")} rows: <a href="/api/audit${filterQuery(f)}">NDJSON (the export)</a> · <a href="/audit.csv${filterQuery(f)}">CSV (for a spreadsheet)</a>${
    total > AUDIT_MAX_ROWS ? html`; ${total.toLocaleString("en")} rows match, so take the rest with <code>?after=</code> the last <code>auditId</code> read` : ""
  }.</p>`;
  const keep = limit === AUDIT_PAGE_ROWS ? undefined : limit;
  // above the rows and below them: a keyboard does not go back up 50 rows for the next page
  const nav = (where: string) => html`<nav aria-label="Pages of the trail, ${where} the rows"><p>${
    newer > 0 ? html`<a href="/audit${filterQuery(f, { limit: keep })}">Newest rows</a> · <a href="/audit${filterQuery(f, { after: rows[0]?.auditId, limit: keep })}" rel="prev">Newer rows</a>` : html`<span class="muted">These are the newest rows.</span>`
  }${last < total && rows.length ? html` · <a href="/audit${filterQuery(f, { before: rows.at(-1)!.auditId, limit: keep })}" rel="next">Older rows</a>` : ""}</p></nav>`;
  if (!rows.length)
    return html`<h2>Rows</h2><p id="audit-count">${total ? `No row here: ${total.toLocaleString("en")} rows match these filters.` : "No row matches these filters."}</p>${total ? nav("after") : ""}${exports}`;
  return html`<h2>Rows</h2>
<p id="audit-count">${total.toLocaleString("en")} row${total === 1 ? "" : "s"} match${total === 1 ? "es" : ""} these filters; shown: ${first.toLocaleString("en")} to ${last.toLocaleString("en")}, newest first.</p>
${nav("before")}
<table id="audit-rows"><caption class="vh">Audit trail rows ${first} to ${last} of ${total}, newest first</caption><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Case</th><th scope="col">Target</th><th scope="col">What changed</th><th scope="col">Detail</th></tr></thead><tbody>${rows.map(
    (a) =>
      html`<tr data-audit="${a.auditId}"><td>${when(a.at)}</td><td>${a.actor} (${a.role})<br><span class="muted">${credentialText(a)}</span></td><td>${a.action}</td><td>${caseLink(user.role, a.caseId)}</td><td>${
        a.target === null ? "" : isolated(a.target)
      }</td><td>${changeOf(a)}</td><td>${a.detail ? entries(a.detail) : ""}</td></tr>`,
  )}</tbody></table>
${nav("after")}${exports}`;
}
