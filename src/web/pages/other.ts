// Sign-in, one's own password, and the admin's page.
import { csrfField, html, layout, type Html, type PageUser } from "../html.js";
import { ROLE_SCOPE, type LiveToken, type RevokedToken } from "../auth.js";
import { ROLES } from "../../cases/store.js";
import { z } from "zod";

/** A refused form's fields are described by its error, so that a screen reader reads it with each of them. */
const describedBy = (error: string | undefined): Html => (error ? html` aria-describedby="form-error"` : html``);

/**
 * A case's form sent after its session ended: which form (a decision, a comment) and its fields as sent, the CSRF
 * token left out. It goes through the sign-in as a hidden field, so that the case comes back with the form filled in.
 */
export const KeptForm = z.object({ form: z.enum(["action", "comment"]), fields: z.record(z.string(), z.string()) });
export type KeptForm = z.infer<typeof KeptForm>;
/** A kept form as its sign-in keeps it in the new session (Auth.keepForm), with the case it goes back to. */
export const KeptCaseForm = KeptForm.extend({ caseId: z.string().regex(/^\d+$/) });
export type KeptCaseForm = z.infer<typeof KeptCaseForm>;

// a kept form's fields as its page labels them (`seen`, the case's version, is the form's own)
const KEPT_LABELS: Record<string, string> = {
  action: "decision",
  assignee: "hand over to",
  reportRef: "report reference",
  reason: "dismissal reason",
  terminationRef: "the bank's termination reference",
  note: "note",
  body: "comment",
};

/** A case form's fields as sent, listed as its page labels them (to copy, whatever happens). */
export const sentList = (fields: Record<string, string>): Html =>
  html`<dl>${Object.entries(fields)
    .filter(([k, v]) => k !== "seen" && v !== "")
    .map(([k, v]) => html`<dt>${KEPT_LABELS[k] ?? k}</dt><dd>${v}</dd>`)}</dl>`;

/** A kept form's fields listed, after `first`: what to do for the case to come back with it. */
const keptList = (kept: KeptForm | undefined, first: string): Html | string =>
  kept
    ? html`<section id="kept" class="kept"><h2>What you sent</h2><p>Nothing was done with it. ${first}, and the case comes back with the form filled in as you sent it, to check and send again.</p>${sentList(kept.fields)}</section>`
    : "";
/** A kept form carried by a form's hidden fields: where it goes and what it was. */
const keptFields = (kept: KeptForm | undefined, next: string): Html | string =>
  kept ? html`<input type="hidden" name="next" value="${next}"><input type="hidden" name="kept" value="${JSON.stringify(kept)}">` : "";

/** The sign-in form; with a kept form, what it sent listed above it (to copy, whatever happens) and carried through. */
export function signInForm(next: string, o: { error?: string; kept?: KeptForm } = {}): Html {
  return html`${keptList(o.kept, "Sign in")}<form method="post" action="/login">${o.kept ? keptFields(o.kept, next) : html`<input type="hidden" name="next" value="${next}">`}
<p><label>User name <input name="username"${describedBy(o.error)} autocomplete="username" required autofocus></label></p>
<p><label>Password <input name="password"${describedBy(o.error)} type="password" autocomplete="current-password" required></label></p>
<p><button>Sign in</button></p></form>`;
}

export function loginPage(
  o: { error?: string; notice?: string; kept?: KeptForm } = {},
  next = "/",
  noAccount: Html | string = html`An administrator adds one: <code>moneytrail users add NAME --role reviewer</code>.`,
): string {
  return layout(
    "Sign in",
    null,
    html`<h1>Sign in</h1>${o.error ? html`<p class="error" role="alert" id="form-error">${o.error}</p>` : ""}${o.notice ? html`<p class="notice">${o.notice}</p>` : ""}
${signInForm(next, o)}
<p class="muted">No account? ${noAccount}</p>`,
  );
}

/** One's own password; with a kept form (a sign-in that must set one first: its session holds it), the form listed. */
export function passwordPage(user: PageUser, o: { required: boolean; error?: string; kept?: KeptForm }): string {
  return layout(
    "Set your password",
    user,
    html`<h1>Set your password</h1>${o.error ? html`<p class="error" role="alert" id="form-error">${o.error}</p>` : ""}
${o.required ? html`<p class="notice">You signed in with an initial password, which someone else set. Choose your own to go on; the initial one then stops working.</p>` : ""}
${keptList(o.kept, "Set your password")}<form method="post" action="/password">${csrfField(user)}
<p><label>Current password <input name="currentPassword"${describedBy(o.error)} type="password" autocomplete="current-password" required></label></p>
<p><label>New password (at least 12 characters) <input name="newPassword"${describedBy(o.error)} type="password" autocomplete="new-password" minlength="12" required></label></p>
<p><label>New password again <input name="confirmPassword"${describedBy(o.error)} type="password" autocomplete="new-password" minlength="12" required></label></p>
<p><button>Set password</button></p></form>`,
  );
}

/** A time as the page shows it: to the minute, in UTC. */
const minute = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

/** After a password change that revoked API tokens the user had made: which, to make again where they were used. */
export function passwordChangedPage(user: PageUser, o: { revokedTokens: RevokedToken[]; home: string }): string {
  return layout(
    "Password changed",
    user,
    html`<h1>Password changed</h1>
<p class="notice">Password changed for ${user.username}. Your other sessions are signed out. The API tokens you made yourself were revoked, as anyone who knew the old password could have made them; they stop working now:</p>
<table id="revoked-tokens"><caption class="vh">API tokens revoked</caption><thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Created</th></tr></thead><tbody>${o.revokedTokens.map(
      (t) => html`<tr><td>${t.name}</td><td><code>${t.id}</code></td><td>created ${minute(t.createdAt)}</td></tr>`,
    )}</tbody></table>
<p>Where a script or tool used one, create a new token (<a href="/admin">Users and tokens</a>, <em>Create an API token for yourself</em>) and put it there. Tokens the operator gave you (<code>moneytrail users token</code>) still work.</p>
<p><a href="${o.home}">Go on to your start page</a></p>`,
  );
}

export function adminPage(user: PageUser, users: { username: string; role: string; disabled: boolean; tokens: number; liveTokens: LiveToken[] }[], o: { notice?: string; tokenDays: number }): string {
  return layout(
    "Users and tokens",
    user,
    html`${o.notice ? html`<p class="notice" id="notice">${o.notice}</p>` : ""}
<h1>Users and tokens</h1>
<table id="users"><caption class="vh">Users and their API tokens</caption><thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Live API tokens</th><th scope="col">Disabled</th><th scope="col"><span class="vh">Actions</span></th></tr></thead><tbody>${users.map(
      (u) => html`<tr data-user="${u.username}"><td>${u.username}</td><td>${u.role}</td><td>${u.tokens}${u.liveTokens.map(
        (t) =>
          html`<br>${t.id} (${t.label}) until ${minute(t.expiresAt)} <form class="inline" method="post" action="/admin/tokens/${t.id}/revoke">${csrfField(user)}<button aria-label="Revoke token ${t.id} of ${u.username}">Revoke</button></form>`,
      )}</td><td>${u.disabled ? "yes" : "no"}</td><td>${
        u.username === user.username
          ? ""
          : html`<form class="inline" method="post" action="/admin/users/${u.username}">${csrfField(user)}<input type="hidden" name="disabled" value="${u.disabled ? "false" : "true"}"><button aria-label="${
              u.disabled ? `Enable ${u.username}` : `Disable ${u.username} (signs out, revokes tokens)`
            }">${u.disabled ? "Enable" : "Disable (signs out, revokes tokens)"}</button></form> <form class="inline" method="post" action="/admin/users/${u.username}/password">${csrfField(user)}<button aria-label="Reset password of ${u.username} (signs out, revokes tokens, shows a one-time password)">Reset password (signs out, revokes tokens, shows a one-time password)</button></form>`
      }</td></tr>`,
    )}</tbody></table>
<h2>Add a user</h2><form method="post" action="/admin/users">${csrfField(user)}<label>User name <input name="username" required></label>
<label>Role <select name="role">${ROLES.map((r) => html`<option value="${r}">${r}: ${ROLE_SCOPE[r]}</option>`)}</select></label><button>Add (shows a one-time password)</button></form>
<h2>Create an API token for yourself</h2><form method="post" action="/admin/tokens">${csrfField(user)}<label>Label <input name="label"></label>
<label>Lasts (days, at most 365) <input name="days" type="number" min="1" max="365" placeholder="${o.tokenDays}"></label><button>Create (shown once)</button></form>
<p class="muted">A token acts as its holder: one for someone else comes from the operator, on the server (<code>moneytrail users token NAME</code>).</p>
<p class="muted">Audit trail: <a href="/audit">find rows by token, user, case, action or time</a>, or the full export (NDJSON): <a href="/api/audit">/api/audit</a></p>`,
  );
}
