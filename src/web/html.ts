// Server-rendered HTML: tagged templates that escape every interpolated value unless it is already markup.
// No client framework: the page works without JavaScript, prints, and a test browser sees what a person sees.
import { maskUrl } from "../cases/mask.js";
import type { CaseRow, Role, SeenChange } from "../cases/store.js";
import { dismissalText, type CaseAction } from "../cases/workflow.js";
import { PERMISSIONS } from "./auth.js";

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]!);

type Part = Html | string | number | null | undefined | false | readonly Part[];
const render = (p: Part): string =>
  p === null || p === undefined || p === false ? "" : p instanceof Html ? p.value : Array.isArray(p) ? p.map(render).join("") : escape(String(p));

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < parts.length; i++) out += render(parts[i]!) + strings[i + 1]!;
  return new Html(out);
}

export interface PageUser {
  username: string;
  role: string;
  csrf?: string;
  /** what the previous request did, said at the top of this page (a password changed) */
  flash?: string;
}

export const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:.6em 1.2em;display:flex;gap:1.2em;align-items:center}
header a{color:#fff}header .who{margin-left:auto}main{padding:1em 1.2em;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff;margin:.4em 0 1.2em}th,td{border:1px solid #d5d9e0;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#eef1f5}section{background:#fff;border:1px solid #d5d9e0;padding:.6em 1em;margin:0 0 1em}
.sev-critical{color:#fff;background:#9b1c1c;padding:0 .4em}.sev-high{color:#fff;background:#c2410c;padding:0 .4em}
.sev-medium{background:#fde68a;padding:0 .4em}.sev-low{background:#e5e7eb;padding:0 .4em}
strong.new{color:#9b1c1c}.error{background:#fee2e2;border:1px solid #b91c1c;padding:.5em 1em}.notice{background:#dcfce7;border:1px solid #15803d;padding:.5em 1em}
code,.hash{font-family:ui-monospace,monospace;font-size:.9em}.muted{color:#5b6472}form.inline{display:inline}
.actions form{margin:.3em 0}.kept dd{white-space:pre-wrap}label{margin-right:.6em}button{cursor:pointer}
@media print{header,.actions,.noprint{display:none}body{background:#fff}section{border:0}}
header nav{display:flex;gap:1.2em}:focus-visible{outline:3px solid #1f3a5f;outline-offset:2px}header :focus-visible{outline-color:#fff}
.vh,.skip:not(:focus){position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
`;

/** Each role's page, linked in the header: a role added later fails to compile until it has one. */
const HOME: Record<Role, { href: string; text: string }> = {
  reviewer: { href: "/cases", text: "Case queue" },
  "rule-tuner": { href: "/rules", text: "Rules" },
  admin: { href: "/admin", text: "Users and tokens" },
  auditor: { href: "/audit", text: "Audit trail" },
};

// a decision or a comment as done by someone, for "since you last looked"
const DONE: Record<CaseAction["action"] | "comment", string> = {
  assign: "assigned it",
  escalate: "escalated",
  report: "reported",
  dismiss: "dismissed",
  "close-account": "recorded the account closed",
  reopen: "reopened",
  comment: "commented",
};
/** Others' decisions and comments on a case since one last looked, in words: "bob escalated, bob commented". */
export const newsText = (changes: readonly SeenChange[]): string => changes.map((c) => `${c.actor} ${Object.hasOwn(DONE, c.action) ? DONE[c.action as keyof typeof DONE] : c.action}`).join(", ");

export function layout(title: string, user: PageUser | null, body: Html): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${title} · moneytrail</title><style>${new Html(STYLE)}</style></head>
<body><header><a class="skip" href="#main">Skip to content</a><strong>moneytrail</strong>${
    user
      ? html`<nav aria-label="Pages">${home(user.role)}${reportLink(user.role)}</nav><span class="who">${user.username} (${user.role})
        <form class="inline" method="post" action="/logout">${csrfField(user)}<button>Sign out</button></form></span>`
      : ""
  }</header><main id="main" tabindex="-1">${user?.flash ? html`<p class="notice" id="flash" role="status">${user.flash}</p>` : ""}${body}</main></body></html>`.value;
}

function home(role: string): Html | string {
  const h = (HOME as Record<string, { href: string; text: string } | undefined>)[role];
  return h ? html`<a href="${h.href}">${h.text}</a>` : "";
}

/** The review report, beside the home page, for the roles that may read it. */
const reportLink = (role: string): Html | string => ((PERMISSIONS["cases:report"] as readonly string[]).includes(role) ? html`<a href="/report">Review report</a>` : "");

export const csrfField = (user: PageUser | null): Html => (user?.csrf ? html`<input type="hidden" name="_csrf" value="${user.csrf}">` : html``);

/**
 * A URL from the evidence as a reviewer first sees it: its host and the hash of its canonical form, as text. Never
 * a link and never fetched (no <a>, no <img>): a flagged URL may point at abuse material.
 */
export function maskedUrl(url: string, reveal?: { caseId: string; user: PageUser | null; revealed?: string }): Html {
  const { host, sha256: hash } = maskUrl(url);
  if (reveal?.revealed === hash) return html`<span class="url-revealed"><code>${url}</code> <span class="muted">(revealed; plain text, not a link)</span></span>`;
  // without a reveal (the printable file) the hash in full: paper has no tooltip, and a reader matches it to the JSON file
  return html`<span class="url-masked">${host ?? "(not a web address)"} ${reveal ? html`<span class="hash" title="${hash}">${hash.slice(0, 19)}…</span>` : html`<span class="hash">${hash}</span>`}${
    reveal
      ? html` <form class="inline noprint" method="post" action="/cases/${reveal.caseId}/reveal">${csrfField(reveal.user)}<input type="hidden" name="hash" value="${hash}"><button title="Shows the full address as text and records it in the audit trail" aria-label="Reveal the address at ${host ?? "no host"}, ${hash.slice(0, 12)}">Reveal</button></form>`
      : ""
  }</span>`;
}

/**
 * Text someone wrote (a comment, a note, a reference) for a page that puts more text after it in the same line: as it
 * is, or, when it holds a bidirectional control (embedding, override, isolate), inside an isolate (U+2068 … U+2069)
 * with what it left open closed and what it closes beyond itself dropped, so that a right-to-left override reorders
 * its own text at most, never what the page writes after it (an inline element does not end one).
 */
export function isolated(s: string): string {
  if (!/[\u202A-\u202E\u2066-\u2069]/.test(s)) return s;
  const PDF = "\u202C";
  const PDI = "\u2069";
  const owed: string[] = [];
  let out = "";
  for (const ch of s) {
    if (ch === PDF) {
      // closes the last embedding or override, none outside an isolate still open
      if (owed.at(-1) !== PDF) continue;
      owed.pop();
    } else if (ch === PDI) {
      // closes its isolate and what was opened in it
      const at = owed.lastIndexOf(PDI);
      if (at < 0) continue;
      owed.length = at;
    } else if (/[\u202A-\u202E]/.test(ch)) owed.push(PDF);
    else if (/[\u2066-\u2068]/.test(ch)) owed.push(PDI);
    out += ch;
  }
  return `\u2068${out}${owed.reverse().join("")}\u2069`;
}

export const severity = (s: string): Html => html`<span class="sev-${s}">${s}</span>`;
/** A case's severity as it ranks in the queue, its highest, and its latest alert's when that came in lower. */
export const caseSeverity = (c: CaseRow): Html =>
  html`${severity(c.peakSeverity)}${c.peakSeverity !== c.severity ? html` <span class="muted">(latest alert: ${c.severity})</span>` : ""}`;
export const when = (iso: string | null): string => (iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC") : "—");
export const shortHash = (h: string | undefined): string => (h ? `${h.slice(0, 15)}…` : "—");

/**
 * What was decided on a case: the report's reference, the dismissal's reason, the account's termination (with ids on
 * the page's own case). The queue, the case page and its list of the merchant's other cases say it alike.
 */
export const decision = (c: CaseRow, ids = false): Html =>
  html`${c.reportRef ? html` · <strong>reported</strong> as <code${ids ? html` id="report-ref"` : ""}>${isolated(c.reportRef)}</code>` : ""}${
    c.dismissReason ? html` · <strong>dismissed</strong>: <span${ids ? html` id="dismiss-reason"` : ""}>${dismissalText(c.dismissReason)}</span>` : ""
  }${c.terminationRef ? html` · <strong>account closed</strong> by the bank, termination <code${ids ? html` id="termination-ref"` : ""}>${isolated(c.terminationRef)}</code>` : ""}`;
