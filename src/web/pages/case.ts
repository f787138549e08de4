// One case: who the merchant is, why it is here (each signal against its threshold, in plain words), the evidence,
// where the indicators came from, a chart of its activity, the timeline, and what the reviewer can do next.
import { caseSeverity, csrfField, decision, html, isolated, layout, maskedUrl, newsText, severity, shortHash, when, type Html, type PageUser } from "../html.js";
import { activityChart } from "../chart.js";
import { domainToUnicode } from "node:url";
import { WITHHELD_NAME, WITHHELD_REASON, eventAddresses, evidenceUrls, indicatorsOf, urlHash, type AuditRow, type CaseDetail, type CaseRow, type Credential, type EvidenceAddress, type Openings, type Seen } from "../../cases/store.js";
import { maskWritten, textMasker } from "../../cases/mask.js";
import { isMispAttribute } from "../../indicators/misp.js";
import { CLOSED, CaseAction, DISMISS_REASONS, FINAL, TRANSITIONS, allowedActions, caseVersion, dismissalText, statusText } from "../../cases/workflow.js";
import type { Alert, AlertContext, EvidenceEvent, MatchedAsEvidence } from "../../decode/events.js";
import { urlHost } from "../../lib/url.js";
import { formWords } from "../../rules/kinds/flagged-site-link.js";
import { pct } from "../../rules/kind.js";
import { minorDigits } from "../../rules/currencies.js";
import { sentList } from "./other.js";

export interface CasePageOptions {
  /** the hash of a URL revealed by this request */
  revealed?: string;
  error?: string;
  notice?: string;
  /** a printable case file: no forms */
  print?: boolean;
  /** when the printable file was made (its export's audit row) */
  printedAt?: string;
  /** how many TLP:RED indicators the printable file leaves out */
  withheld?: number;
  /** a refused comment's text, back in its field */
  comment?: string;
  /** a refused decision's fields as its form sent them, back in that form (with its `seen`, when kept through a sign-in) */
  typed?: Record<string, string>;
  /** who the case can be handed over to: the active reviewers */
  assignees?: readonly string[];
  /** when this reviewer last looked at the case before this opening, and what came in since (null: never) */
  seen?: Seen | null;
  /** the page is an opening of the case, recorded before the case was read: its trail counts it */
  opening?: boolean;
}

const eventAnchor = (eventId: string) => `ev-${eventId}`;

/**
 * The button a case page's form was sent with: its action, "handover" for Hand over (an assign to a colleague), "comment"
 * for Add comment; a form of the earlier shape (one per decision) is a handover when it names an assignee.
 */
function pressedAction(fields: Record<string, string>): string | undefined {
  return fields.action === "assign" && fields.assignee ? "handover" : fields.action;
}

/**
 * The decision a case page's form sent, as the API takes it: the pressed button's action (Hand over assigns to the
 * colleague chosen, Assign to me leaves the choice out), that decision's own fields (the other decisions' are sent
 * with the one form too) and the comment as its note. A form of the earlier shape (its own note) is taken as it is.
 */
export function decisionSent(fields: Record<string, string>): Record<string, string> {
  const pressed = pressedAction(fields);
  const action = pressed === "handover" ? "assign" : pressed;
  const shape = CaseAction.options.find((o) => o.shape.action.value === action)?.shape;
  const note = fields.note || fields.body;
  const given = Object.entries(fields).filter(([k, v]) => v !== "" && k !== "body" && k !== "note" && k !== "confirm");
  // not a decision: as sent, for the refusal to name what is wrong
  if (!shape) return { ...Object.fromEntries(given), ...(note && { note }) };
  const own = given.filter(([k]) => k !== "action" && Object.hasOwn(shape, k) && (k !== "assignee" || pressed === "handover"));
  return { action: action!, ...Object.fromEntries(own), ...(note && { note }) };
}

/** Each button of the case page's form, by the action it sends. */
const BUTTONS: Record<string, string> = {
  assign: "Assign to me",
  handover: "Hand over",
  escalate: "Escalate",
  report: "Mark reported",
  dismiss: "Dismiss",
  "close-account": "Record account closed",
  reopen: "Reopen",
};

/** A hidden field per field sent, for a form that sends them on as they were. */
const hiddenFields = (fields: Record<string, string>): Html[] => Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);

/**
 * The confirmation a decision that cannot be undone asks for (FINAL), before anything is done or recorded: what it
 * does, what was sent, and one form with the fields as sent: confirm, or go back to the case with them filled in.
 */
export function confirmPage(user: PageUser, c: CaseRow, fields: Record<string, string>): string {
  const action = fields.action as keyof typeof FINAL;
  const label = BUTTONS[action]!;
  return layout(
    `Confirm: ${label}, case #${c.caseId}`,
    user,
    html`<h1>${label}: case #${c.caseId}, ${c.merchantId}?</h1>
<p class="notice" id="confirm-why">${FINAL[action]}. Nothing is done until you confirm; then the decision is recorded in the audit trail.</p>
<p><strong>Status now:</strong> ${statusText(c.status)} · <strong>Assignee:</strong> ${c.assignee ?? "unassigned"}</p>
${sentList(fields)}
<form method="post" action="/cases/${c.caseId}/action" id="confirm">${csrfField(user)}${hiddenFields(fields)}<button name="confirm" value="yes">Yes, ${label.toLowerCase()}</button> <button name="confirm" value="no">No, back to the case</button></form>`,
  );
}

const counted = (one: string, many: string) => (n: number) => `${n} ${n === 1 ? one : many}`;
const confidence = (n: number) => `confidence ${n}`;
/**
 * What a signal's value and threshold count, by rule kind, so that the columns read without the rule's internals
 * (3.01% against 1.00%, not 0.0301 against 0.01). A kind added to the engine needs its line here
 * (web-case-signal-units.test.ts checks); one from elsewhere that the page does not know keeps the bare number.
 */
export const SIGNAL_FIGURES: Readonly<Record<string, (n: number) => string>> = {
  "chargeback-ratio": pct,
  "reason-cluster": pct,
  "subscription-pattern": pct,
  "cross-border": pct,
  "undisclosed-referrers": pct,
  "high-risk-mcc": (n) => `${n}×`,
  "test-transactions": counted("distinct card", "distinct cards"),
  "descriptor-churn": counted("descriptor", "descriptors"),
  "descriptor-keywords": counted("listed keyword", "listed keywords"),
  "shared-infrastructure": counted("flagged merchant or listed identifier", "flagged merchants or listed identifiers"),
  "cloaked-content": counted("cloaked page", "cloaked pages"),
  "flagged-site-link": confidence,
  "listed-identifier": confidence,
};
const figure = (kind: string | undefined, n: number): string => (kind !== undefined && Object.hasOwn(SIGNAL_FIGURES, kind) ? SIGNAL_FIGURES[kind]!(n) : String(n));

/** An amount in its currency's minor unit, in whole units: 4870 EUR is 48.70, 500 JPY 500, 1234 KWD 1.234 (none, or not a code: as cents). */
function money(minor: number | undefined, currency: string | undefined): string {
  if (minor === undefined) return "";
  const digits = currency !== undefined && /^[A-Z]{3}$/.test(currency) ? minorDigits(currency) : 2;
  return `${(minor / 10 ** digits).toFixed(digits)} ${currency ?? ""}`.trim();
}

/** `mask`: a textMasker, for the descriptor the merchant wrote (it may carry an address) */
function eventFacts(e: EvidenceEvent, mask: (text: string) => string): string {
  switch (e.type) {
    case "transaction":
      return [money(e.amountMinor, e.currency), e.status, e.channel, e.recurring ? "recurring" : "", e.cardCountry ? `card from ${e.cardCountry}` : "", e.descriptor ? `descriptor “${mask(e.descriptor)}”` : ""]
        .filter(Boolean)
        .join(", ");
    case "chargeback":
      return [money(e.amountMinor, e.currency), e.kind?.replace("_", " "), `${e.network} reason ${e.reasonCode}`, `on ${e.transactionId}`].filter(Boolean).join(", ");
    case "site_observation":
      return [e.contentDiffersByReferrer ? "content differs by referrer (cloaking)" : "", e.linkedCount ? `${e.linkedCount} linked URLs` : ""].filter(Boolean).join(", ");
    case "merchant":
      return e.descriptor ? `profile: descriptor “${mask(e.descriptor)}”` : "profile change";
  }
}

/**
 * How an indicator matched an evidence address: listed, or only drawn like listed names, each named as the alert's
 * explanation names it (a listed page by its host, never its path), with the host as it is drawn (its Unicode form).
 */
function flagNote({ url, flagged }: EvidenceAddress): Html | string {
  if (!flagged) return "";
  if (!flagged.lookAlikeOf) return html` — <strong>listed</strong>`;
  const host = urlHost(url);
  const names = flagged.lookAlikeOf.map(({ name, page, red }, i) => {
    const what = page ? "the host of a listed page" : "a listed name";
    // a name only TLP:RED entries list: named to the reviewer here, left out of the case's files (printable included)
    const listed = !red ? (page ? html`${name}, ${what}` : html`the listed ${name}`) : name === WITHHELD_NAME ? html`${what} on a TLP:RED list (left out of this file)` : html`${name}, ${what} on a TLP:RED list (left out of the case's files)`;
    return html`${i ? " and of " : ""}${listed}`;
  });
  return html` — <strong>look-alike</strong> of ${names}${host ? html` (drawn as <bdi>${domainToUnicode(host)}</bdi>)` : ""}, not listed itself`;
}

/**
 * The address an entry matched (a hashed page's, or a listed page's matched only in another form) and the form when
 * not as written: masked as the evidence's addresses are (and revealable there, by its hash), or as host and hash
 * when the case no longer holds the event that had it.
 */
function matchedAsNote(m: MatchedAsEvidence, ctx: AlertContext, reveal: Parameters<typeof maskedUrl>[1]): Html {
  const url = evidenceUrls(ctx).find((u) => urlHash(u) === m.urlSha256);
  const address = url ? maskedUrl(url, reveal) : html`<span class="url-masked">${m.host} <span class="hash">${m.urlSha256}</span></span> <span class="muted">(not kept with the case)</span>`;
  return html`${address} ${formWords(m).join(", ")}`;
}

// an audit row's fields as the trail table names them
const FIELDS: Record<string, string> = {
  reportRef: "report reference",
  dismissReason: "dismissal reason",
  terminationRef: "termination reference",
  commentId: "comment",
  assignedTo: "on the case of",
};
const shown = (k: string, v: unknown): string =>
  v === null || v === undefined || v === ""
    ? "none"
    : k === "status"
      ? statusText(String(v))
      : k === "dismissReason"
        ? dismissalText(String(v))
        : typeof v === "string"
          ? isolated(v)
          : JSON.stringify(v);
const asRecord = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** An audit row's detail (a note, a reveal's hash, an export's form) as `key: value` pairs. */
export const entries = (v: unknown): string => {
  const r = asRecord(v);
  return r ? Object.entries(r).map(([k, x]) => `${FIELDS[k] ?? k}: ${shown(k, x)}`).join("; ") : shown("", v);
};

/** What the actor acted with, in words (rows of the command line, the service, and from before migration 25 have none). */
export const credentialOf = (c: Credential): string => (c === "session" ? "in a signed-in session" : `with API token ${isolated(c.name)} (${c.token})`);

/**
 * What an audit row changed, in words: each field whose value differs before and after (status: open → in review),
 * so a reader need not compare two objects; what a row adds (a comment) as its fields.
 */
export function changeOf(a: CaseDetail["audit"][number]): string {
  const before = asRecord(a.before);
  const after = asRecord(a.after);
  if (!before) return a.after === null ? "" : entries(a.after);
  return Object.keys({ ...before, ...after })
    .filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after?.[k] ?? null))
    .map((k) => `${FIELDS[k] ?? k}: ${shown(k, before[k])} → ${shown(k, after?.[k])}`)
    .join("; ");
}

/** Who wrote an audit row: name, role, and what they acted with. */
const whoDid = (a: AuditRow): Html => html`${a.actor} (${a.role})${a.credential ? html`<br><span class="muted">${credentialOf(a.credential)}</span>` : ""}`;

/**
 * Who opened the case and who exported it, a line each under the trail: a row each would bury the decisions in the
 * table. The audit CSV and the export keep every row. `opening`: this page is one, and counted (a refused form's page
 * is none).
 */
function readsBy(d: Pick<CaseDetail, "openings" | "exports">, opening: boolean): Html {
  const line = (id: string, what: string, sums: Openings, rows: Html) =>
    sums.length
      ? html`<p id="${id}" class="muted">${what} by ${sums.map((v, i) => html`${i ? ", " : ""}${v.actor} (last ${when(v.last)}${v.times > 1 ? `, ${v.times} times` : ""})`)}: ${rows}.</p>`
      : "";
  return html`${line("case-views", "Opened", d.openings, html`each opening is a row of the audit trail${opening ? ", this one included" : ""} (its CSV, or the export's action case-view)`)}${line(
    "case-exports",
    "Exported",
    d.exports,
    html`each export (case file, printable file, sightings) is a row of the audit trail (its CSV: actions export and export-sightings)`,
  )}`;
}

/**
 * The case's reveals themselves, the latest first: who saw which address in full, and when, is what an inquiry asks
 * of them (a sum per user cannot say). Each address as host and SHA-256 in full, as the printable file gives it, to
 * match the trail's and the case file's hashes. Reveals are few (each a deliberate act): past REVEALS_LISTED, the
 * trail's CSV has the rest.
 */
function revealsList(d: Pick<CaseDetail, "case" | "context" | "reveals" | "revealed">): Html | string {
  if (!d.revealed.length) return "";
  const total = Math.max(d.revealed.length, d.reveals.reduce((n, r) => n + r.times, 0));
  const byHash = new Map(evidenceUrls(d.context).map((u) => [urlHash(u), u]));
  const address = (hash: string | null) => {
    const url = hash === null ? undefined : byHash.get(hash);
    return url ? maskedUrl(url) : html`<span class="hash">${hash ?? ""}</span>`;
  };
  const more = total > d.revealed.length;
  return html`<table id="case-reveals"><caption>Addresses revealed: ${more ? `the latest ${d.revealed.length} of ${total}` : String(total)}, newest first</caption><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Address (host and SHA-256)</th></tr></thead><tbody>${d.revealed.map(
    (r) => html`<tr><td>${when(r.at)}</td><td>${whoDid(r)}</td><td>${address(r.target)}</td></tr>`,
  )}</tbody></table><p id="case-reveals-more" class="muted">Each reveal is a row of the audit trail (action reveal-url)${
    more ? html`; the rest are in the <a href="/cases/${d.case.caseId}/audit.csv">audit trail (CSV)</a>` : ""
  }.</p>`;
}

/**
 * What came in since the reviewer last looked (the timeline dates alerts by their events, not by their arrival), and
 * what colleagues decided or commented since.
 */
function sinceSeen(seen: Seen | null | undefined): Html | string {
  if (!seen) return "";
  const n = seen.newAlertIds.length;
  const alerts = n ? `${n} new alert${n === 1 ? "" : "s"}` : "No new alert";
  const news = seen.changes.length ? `; ${newsText(seen.changes)}` : "";
  return n || news
    ? html`<p id="since-seen" class="notice">${alerts} since you last looked at this case (${when(seen.at)})${news}, marked new in the timeline.</p>`
    : html`<p id="since-seen" class="muted">No new alert since you last looked at this case (${when(seen.at)}).</p>`;
}

/**
 * Why the merchant is here: the latest alert's signals, then each rule's latest signal that only earlier alerts of
 * the case carry (it left its window, or no longer held, before the latest): the case lists their typologies too.
 */
function caseSignals(alerts: CaseDetail["alerts"]): { signal: Alert["signals"][number]; earlier?: Alert }[] {
  const latest = alerts.at(-1);
  if (!latest) return [];
  const out: { signal: Alert["signals"][number]; earlier?: Alert }[] = latest.signals.map((signal) => ({ signal }));
  const listed = new Set(latest.signals.map((s) => s.rule));
  for (const a of alerts.slice(0, -1).reverse())
    for (const signal of a.signals)
      if (!listed.has(signal.rule)) {
        listed.add(signal.rule);
        out.push({ signal, earlier: a });
      }
  return out;
}

export function casePage(user: PageUser, d: CaseDetail, o: CasePageOptions = {}): string {
  const c = d.case;
  const p = d.context.profile;
  const latest = d.alerts.at(-1);
  const cited = indicatorsOf(d.alerts);
  const withheld = o.withheld ?? 0;
  const mask = textMasker(evidenceUrls(d.context));
  const { comments, audit } = maskWritten(d);
  const reveal = o.print ? undefined : { caseId: c.caseId, user, revealed: o.revealed };
  const row = (k: string, v: Html | string | undefined | null) => html`<tr><th scope="row">${k}</th><td>${v ?? "—"}</td></tr>`;
  const actions = o.print ? [] : allowedActions(c.status);
  // One form for the comment and every decision: the comment typed goes with whichever button is pressed (a form of
  // its own per decision dropped it, as a browser sends the pressed button's form only), as the decision's note, or
  // alone (Add comment). No field is `required`, which the browser would ask of every decision (a report's reference
  // before an escalation): the server refuses what the pressed one lacks, and the page comes back with all typed.
  const sent = (name: string) => o.typed?.[name] ?? "";
  const pressed = o.typed ? pressedAction(o.typed) : undefined;
  const refusedBy = (refused: boolean): Html => (refused && o.error ? html` aria-describedby="action-error"` : html``);
  const choose = (options: Record<string, string>, chosen: string) =>
    Object.entries(options).map(([k, v]) => html`<option value="${k}"${k === chosen ? html` selected` : ""}>${v}</option>`);
  // a decision asked to be confirmed (a page of its own) says so on its button: "Escalate…"
  const decide = (action: string, fields: Html | string = "") =>
    html`<p data-action="${action}">${fields}<button name="action" value="${action}">${BUTTONS[action]}${Object.hasOwn(FINAL, action) ? "…" : ""}</button></p>`;
  const field = (action: string) => refusedBy(pressed === action);
  // an open case offers no Escalate or Mark reported: a reviewer new to the page looked for them, and learned why only
  // from a refusal
  const inReviewOnly = c.status === "open" ? allowedActions("in_review").filter((a) => !actions.includes(a)) : [];
  // a signal's evidence events, each a link to its row; one the case no longer holds (the merchant's state keeps a
  // bounded number) is named as such, so that its absence from the table is not a puzzle
  const kept = new Set(d.context.events.map((e) => e.eventId));
  const evidenceOf = (ids: readonly string[]): Html =>
    html`${ids.map((id, i) => html`${i ? ", " : ""}${kept.has(id) ? html`<a href="#${eventAnchor(id)}">${id}</a>` : html`${id} <span class="muted">(not kept with the case)</span>`}`)}`;
  const colleagues = (o.assignees ?? []).filter((u) => u !== user.username && u !== c.assignee);
  const newMark = html`<strong class="new">new</strong> `;
  // a colleague's decision or comment since the reviewer last looked
  const news = (at: string, by: string) => (o.seen && by !== user.username && at > o.seen.at ? newMark : "");
  const timeline = [
    ...d.alerts.map((a) => ({ at: a.raisedAt, what: html`${o.seen?.newAlertIds.includes(a.alertId) ? newMark : ""}alert: score ${a.score}, ${severity(a.severity)}, ${a.typologies.join(", ")} <span class="muted">(rule set ${a.ruleSet.id} ${shortHash(a.ruleSet.version)})</span>` })),
    // the decisions, so that the story reads whole: who escalated between two alerts, and why
    ...audit
      .filter((a) => Object.hasOwn(TRANSITIONS, a.action))
      .map((a) => ({ at: a.at, what: html`${news(a.at, a.actor)}${a.action} by <strong>${a.actor}</strong>: ${[changeOf(a), a.detail ? entries(a.detail) : ""].filter(Boolean).join("; ") || "nothing changed"}` })),
    ...comments.map((m) => ({ at: m.createdAt, what: html`${news(m.createdAt, m.author)}comment by <strong>${m.author}</strong>: ${isolated(m.body)}` })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return layout(
    `Case #${c.caseId}`,
    user,
    html`${o.error ? html`<p class="error" role="alert" id="action-error">${o.error}</p>` : ""}${o.notice ? html`<p class="notice">${o.notice}</p>` : ""}
<h1>Case #${c.caseId}: ${c.merchantId}</h1>
${sinceSeen(o.seen)}
${o.print ? html`<p id="printed" class="muted">Case file printed by ${user.username} on ${when(o.printedAt ?? null)}; addresses as host and SHA-256 only, as in the audit trail.</p>` : ""}
<p><strong>Status:</strong> <span id="status">${statusText(c.status)}</span> · <strong>Score</strong> ${c.score} · ${caseSeverity(c)} · <strong>Typologies:</strong> ${c.typologies.join(", ")}
· <strong>Assignee:</strong> <span id="assignee">${c.assignee ?? "unassigned"}</span> · opened ${when(c.openedAt)}${c.closedAt ? ` · closed ${when(c.closedAt)}` : ""}${decision(c, true)}</p>
${
  o.print
    ? ""
    : html`<section id="other-cases"><h2>Other cases of this merchant</h2>${
        d.otherCases.length
          ? html`<table><caption class="vh">Other cases of this merchant</caption><thead><tr><th scope="col">Case</th><th scope="col">Status and decision</th><th scope="col">Opened</th><th scope="col">Closed</th></tr></thead><tbody>${d.otherCases.map(
              (x) => html`<tr data-case="${x.caseId}"><td><a href="/cases/${x.caseId}" aria-label="Case #${x.caseId}">#${x.caseId}</a></td><td>${statusText(x.status)}${decision(x)}</td><td>${when(x.openedAt)}</td><td>${when(x.closedAt)}</td></tr>`,
            )}</tbody></table><p class="muted"><a href="/cases?status=all&amp;merchant=${encodeURIComponent(c.merchantId)}">All cases of ${c.merchantId} in the queue</a></p>`
          : html`<p class="muted">None: this is the merchant's first case.</p>`
      }</section>`
}
${
  actions.length
    ? html`<section class="actions noprint"><h2>Decide</h2>
${
  c.assignee && c.assignee !== user.username
    ? html`<p class="notice" id="assigned-other">This case is assigned to ${c.assignee}: you may act on it (to cover for them), and the audit trail records that it was their case.</p>`
    : ""
}
<form method="post" action="/cases/${c.caseId}/action" id="decide">${csrfField(user)}<input type="hidden" name="seen" value="${o.typed?.seen ?? caseVersion(c)}">${
  // the form's default button, which Enter in a field presses: disabled, so that Enter in the report's reference sends
  // nothing, rather than Add comment (the first button) with the reference dropped
  html`<button disabled hidden>Enter sends nothing: press the decision's button</button>`
}
<p><label for="comment">Comment</label> <span class="muted" id="comment-hint">goes with the button you press: alone (Add comment), or as the decision's note; both are in the timeline and the audit trail</span><br>
<textarea name="body" id="comment" aria-describedby="comment-hint${o.error && (o.comment !== undefined || pressed) ? " action-error" : ""}" rows="3" cols="72">${o.comment ?? o.typed?.body ?? o.typed?.note ?? ""}</textarea></p>
<p data-action="comment"><button formaction="/cases/${c.caseId}/comment">Add comment</button></p>
${
  // not to its assignee (an open case has none): it would change nothing but make colleagues' open pages of the case stale
  actions.includes("assign") && c.assignee !== user.username ? decide("assign") : ""
}
${
  actions.includes("assign") && colleagues.length
    ? decide(
        "handover",
        html`<label><span class="vh">Hand over </span>to <select name="assignee"${field("handover")}><option value="">choose a colleague…</option>${choose(Object.fromEntries(colleagues.map((u) => [u, u])), sent("assignee"))}</select></label> `,
      )
    : ""
}
${actions.includes("escalate") ? decide("escalate") : ""}
${
  actions.includes("report")
    ? decide("report", html`<label>report reference <input name="reportRef"${field("report")} size="24" placeholder="hotline or authority case no." value="${sent("reportRef")}"></label> `)
    : ""
}
${
  actions.includes("dismiss")
    ? decide(
        "dismiss",
        html`<label>reason <select name="reason"${field("dismiss")}><option value="">choose a reason…</option>${choose(DISMISS_REASONS, sent("reason"))}</select></label> ${
          // critical by an indicator matched at high confidence, or by its score: asked about what made it so
          c.peakSeverity === "critical" ? html`<span class="muted" id="dismiss-critical">a critical case: the comment says why the ${cited.length ? "match does" : "signals do"} not hold</span> ` : ""
        }`,
      )
    : ""
}
${
  actions.includes("close-account")
    ? decide(
        "close-account",
        html`<label>the bank's termination reference <input name="terminationRef"${field("close-account")} size="24" placeholder="the bank's termination no." value="${sent("terminationRef")}"></label> `,
      )
    : ""
}
${actions.includes("reopen") ? decide("reopen", html`<span class="muted">the comment says why the case is reopened</span> `) : ""}
</form>
${
  inReviewOnly.length
    ? html`<p class="muted" id="decide-later">${inReviewOnly.map((a) => BUTTONS[a]).join(", ")}: once the case is in review, which Assign to me${colleagues.length ? " or Hand over" : ""} puts it in.</p>`
    : ""
}
${
  // a decision sent that the case no longer offers (a colleague closed it meanwhile): what was typed, to copy, not
  // dropped (the comment is back in its field too)
  pressed && pressed !== "comment" && !actions.includes(pressed === "handover" ? "assign" : (pressed as CaseAction["action"]))
    ? html`<div id="sent" class="kept"><h3>What you sent</h3><p>The case as it is now (${statusText(c.status)}) has no button for it, and nothing was done with it: copy what you need from here.</p>${sentList(o.typed!)}</div>`
    : ""
}
<p class="muted">Export: <a href="/cases/${c.caseId}/export.json">case file (JSON)</a> · <a href="/cases/${c.caseId}/print">printable case file</a> · <a href="/cases/${c.caseId}/audit.csv">audit trail (CSV)</a>${
      CLOSED.includes(c.status) && cited.length
        ? // one file per publisher: each learns the outcome for its own indicators, not which others were cited
          [...new Set(cited.map((i) => i.source))].map(
            (p) =>
              html` · <a href="/api/cases/${c.caseId}/sightings?publisher=${encodeURIComponent(p)}">sightings for ${p} (STIX 2.1)</a>${
                cited.some((i) => i.source === p && isMispAttribute(i.id))
                  ? html` · <a href="/api/cases/${c.caseId}/sightings?format=misp&amp;publisher=${encodeURIComponent(p)}">(MISP)</a>`
                  : ""
              }`,
          )
        : ""
    }</p>
</section>`
    : ""
}
<section><h2>Why this merchant is here</h2>
${
  latest
    ? html`<table id="signals"><caption class="vh">Signals: each against its threshold</caption><thead><tr><th scope="col">Signal</th><th scope="col">In plain words</th><th scope="col">Value</th><th scope="col">Threshold</th><th scope="col">Evidence</th></tr></thead><tbody>${caseSignals(d.alerts).map(
        ({ signal: s, earlier }) =>
          html`<tr><td>${s.rule}<br><span class="muted">${s.kind ?? ""}</span>${
            earlier ? html`<br><span class="muted">from the earlier alert ${earlier.alertId} of ${when(earlier.raisedAt)}, not in the latest</span>` : ""
          }</td><td>${s.explanation ? mask(s.explanation) : ""}</td><td>${figure(s.kind, s.value)}</td><td>${figure(s.kind, s.threshold)}</td><td>${evidenceOf(s.evidence.eventIds)}</td></tr>`,
      )}</tbody></table><p class="muted">Latest alert ${latest.alertId}, raised ${when(latest.raisedAt)} by rule set ${latest.ruleSet.id} version <code>${latest.ruleSet.version}</code>.</p>`
    : html`<p>No alert.</p>`
}</section>
<section><h2>Merchant profile</h2>${
      p
        ? html`<table id="profile"><caption class="vh">Merchant profile</caption>${row("Legal name", p.legalName && mask(p.legalName))}${row("Descriptor", mask(p.descriptor))}${row("MCC", p.mcc)}${row("Country", p.country)}${row("Acquirer", p.acquirerId)}
${row("Websites", p.websites.length ? html`${p.websites.map((w) => html`<div>${maskedUrl(w, reveal)}</div>`)}` : "none declared")}
${row("Principals (hashed)", p.principals.map(shortHash).join(", ") || "—")}${row("Contact e-mail (hashed)", shortHash(p.contactEmail))}${row("Payout account (hashed)", shortHash(p.payoutAccount))}
${row("Wallets", p.wallets.join(", ") || "—")}${row("IPs", p.infrastructure.ips.join(", ") || "—")}${row("Analytics ids", p.infrastructure.analyticsIds.join(", ") || "—")}</table>`
        : html`<p class="muted">No profile event seen for this merchant.</p>`
    }</section>
<section><h2>Daily sales and chargebacks</h2>${activityChart(d.context.activity, o.print)}</section>
<section><h2>Evidence</h2><p class="muted">${
  o.print
    ? "Addresses are given as host and SHA-256 only, never in full: the case page reveals one when the report needs it (the reveal is recorded)."
    : "Addresses are shown as host and hash only and are never links; reveal one only when the report needs it (the reveal is recorded)."
}</p>
${
  d.context.events.length
    ? html`<table id="evidence"><caption class="vh">Evidence events</caption><thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Facts</th><th scope="col">Addresses</th></tr></thead><tbody>${d.context.events.map(
        (e) =>
          html`<tr id="${eventAnchor(e.eventId)}"><td>${when(e.occurredAt)}</td><td>${e.type.replace("_", " ")}<br><span class="muted">${e.eventId}</span></td><td>${eventFacts(e, mask)}</td><td>${eventAddresses(e).map(
            (a) => html`<div><span class="muted">${a.role}:</span> ${maskedUrl(a.url, reveal)}${flagNote(a)}</div>`,
          )}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">The signals rest on the profile and counters; no event details were kept.</p>`
}</section>
<section><h2>Indicator provenance</h2>${
  cited.length
    ? html`<table id="indicators"><caption class="vh">Indicators matched and where they came from</caption><thead><tr><th scope="col">Set</th><th scope="col">Entry</th><th scope="col">Source</th><th scope="col">Confidence</th><th scope="col">TLP</th><th scope="col">Valid until</th><th scope="col">Matched by</th><th scope="col">Address matched</th></tr></thead><tbody>${cited.map(
        (i) =>
          html`<tr><td>${i.set}</td><td>${i.id}</td><td>${i.source}</td><td>${i.confidence}</td><td>${i.tlp ? `TLP:${i.tlp.toUpperCase()}` : "not given"}</td><td>${when(i.validUntil ?? null)}</td><td>${i.rules.join(", ")}</td><td>${
            i.matchedAs ? matchedAsNote(i.matchedAs, d.context, reveal) : ""
          }</td></tr>`,
      )}</tbody></table>`
    : withheld
      ? ""
      : html`<p class="muted">No coalition indicator matched; the case rests on behaviour.</p>`
}${withheld ? html`<p id="indicators-withheld">${withheld} indicator match${withheld === 1 ? " is" : "es are"} withheld from this file: ${WITHHELD_REASON}.</p>` : ""}</section>
<section><h2>Timeline</h2><table id="timeline"><caption class="vh">Timeline: alerts, decisions and comments, oldest first</caption><tbody>${timeline.map((t) => html`<tr><td>${when(t.at)}</td><td>${t.what}</td></tr>`)}</tbody></table>
${o.print ? "" : html`<p class="muted noprint"><a href="#comment">Add a comment</a> (with the decisions above, or alone)</p>`}</section>
<section><h2>Audit trail</h2><table id="audit"><caption class="vh">Audit trail of the case</caption><thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">What changed</th><th scope="col">Detail</th></tr></thead><tbody>${audit.map(
      (a) =>
        html`<tr><td>${when(a.at)}</td><td>${whoDid(a)}</td><td>${a.action}</td><td>${changeOf(a)}</td><td>${
          a.detail ? entries(a.detail) : a.target !== c.merchantId ? (a.target ?? "") : ""
        }</td></tr>`,
    )}</tbody></table>${readsBy(d, o.opening === true)}${revealsList(d)}</section>`,
  );
}
