// The reviewers' web page and its JSON API, on fastify. Every route names the permission it needs; one hook
// checks who is asking (API token or session cookie, plus a CSRF token for a session's changes) and refuses the
// rest, so no route can forget the check.
import { Readable } from "node:stream";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import cookie from "@fastify/cookie";
import formbody from "@fastify/formbody";
import { z, ZodError } from "zod";
import type { Logger } from "pino";
import { AUDIT_MAX_ROWS, AuditFilter, CaseError, CaseStore, QueueFilter, SightingsForm, StaleCaseError, givenParams, queueFilter, type Actor, type AuditRow, type CaseDetail, type Role } from "../cases/store.js";
import { FINAL, TRANSITIONS, caseVersion, isCaseVersion, statusText } from "../cases/workflow.js";
import { evidenceMasker, maskCase, withCardNumbersMasked } from "../cases/mask.js";
import type { Db } from "../cases/db.js";
import { Auth, AuthError, PERMISSIONS, can, heldCases, tryAgainIn, type Permission, type Session } from "./auth.js";
import type { RuleSet } from "../rules/ruleset.js";
import type { CaseDownload, Metrics } from "../app/metrics.js";
import type { RulesStatus } from "../rules/reload.js";
import { reportRoutes } from "./report-routes.js";
import { ruleRoutes } from "./rules-routes.js";
import { ConfigError, zodIssues, type ConfigIssue } from "../lib/errors.js";
import { wholeNumber } from "../lib/whole-number.js";
import { queryParams } from "../lib/query-params.js";
import { html, layout, when, type Html, type PageUser } from "./html.js";
import { csvLines, toCsv } from "./csv.js";
import { queuePage, queueQuery } from "./pages/queue.js";
import { casePage, confirmPage, decisionSent, type CasePageOptions } from "./pages/case.js";
import { KeptCaseForm, KeptForm, adminPage, loginPage, passwordChangedPage, passwordPage, signInForm } from "./pages/other.js";
import { AUDIT_PAGE_MAX, AUDIT_PAGE_ROWS, auditorPage } from "./pages/audit.js";

export interface WebOptions {
  db: Db;
  log: Logger;
  /** the rule-set directory rule tuners edit; without it, rules are read-only */
  rulesDir?: string;
  /** told when a rule change was validated and saved */
  onRulesChanged?: (rs: RuleSet) => void;
  /** the rule set in force and the latest refused change, from the consumer's watcher */
  rulesStatus?: () => RulesStatus;
  /** this member, as it signs sightings for indicator publishers */
  member?: { id: string; name?: string };
  /**
   * the reverse proxies in front, which terminate TLS: clients' addresses come from X-Forwarded-For (else every
   * sign-in would count against the proxy's address) and cookies go over HTTPS only
   */
  trustProxy?: string[];
  /** the sign-in page's answer to "No account?", where it is not `users add` (the demo's in-memory database) */
  noAccount?: string;
  /**
   * the consumer's metrics, where the server runs in it: requests refused for lack of permission are counted, and
   * case downloads cut short by PostgreSQL
   */
  metrics?: Pick<Metrics, "webRefused" | "downloadsFailed">;
}

declare module "fastify" {
  interface FastifyContextConfig {
    perm?: Permission;
    /** who can help someone refused, where it is not an admin */
    whoCanHelp?: (actor: Actor) => string;
  }
  interface FastifyRequest {
    actor?: Actor;
    session?: Session;
    /** a notice of what the previous request did, for this page (its cookie is taken back) */
    flash?: string;
  }
  interface FastifyInstance {
    /** every route that needs a permission, for the access tests and the README's table */
    guarded: { method: string; url: string; perm: Permission }[];
  }
}

// the page loads nothing from anywhere: a flagged URL can never be fetched by the reviewer's browser; and no
// answer is kept by the browser or a proxy: a case, a revealed address or a case file must not outlive the session
// on a shared desk (Back after signing out) or sit in a proxy's cache
const SECURITY_HEADERS = {
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
};
// behind the TLS proxies the browser is told to come over HTTPS only, a year: else a reviewer typing the host's name
// goes first over plain HTTP, where someone on the network can answer with a sign-in page of their own. Not on plain
// HTTP without a proxy (the demo), where a browser ignores it
const TLS_HEADERS = { ...SECURITY_HEADERS, "strict-transport-security": "max-age=31536000" };
const HOME: Record<Role, string> = { reviewer: "/cases", "rule-tuner": "/rules", admin: "/admin", auditor: "/audit" };
const auditId = z.string().regex(/^\d{1,18}$/, "expected an audit id (a number)");
const AUDIT_FILTERS = {
  ...AuditFilter.shape,
  // one case's rows (who saw it, who decided), as its own trail gives a reviewer: the auditor's way to it
  case: z.string().trim().regex(/^\d{1,18}$/, "a case's number, as its page's title gives it (Case #42): e.g. ?case=42").optional(),
};
// the exports (NDJSON, CSV): oldest first, after an id
const AuditQuery = queryParams({ after: auditId.optional(), limit: wholeNumber(1, AUDIT_MAX_ROWS).optional(), ...AUDIT_FILTERS });
// the /audit page: newest first, before an id (the older page) or after one (the newer)
const AuditPageQuery = queryParams({ after: auditId.optional(), before: auditId.optional(), limit: wholeNumber(1, AUDIT_PAGE_MAX).optional(), ...AUDIT_FILTERS }).refine(
  (q) => q.after === undefined || q.before === undefined,
  { path: ["before"], message: "a page is after an id (the newer rows) or before one (the older), not both: follow the page's links" },
);

const AUDIT_CSV = ["audit_id", "at", "actor", "role", "action", "case_id", "target", "before", "after", "detail", "credential"];
const auditCsvRow = (r: AuditRow) => [r.auditId, r.at, r.actor, r.role, r.action, r.caseId, r.target, r.before, r.after, r.detail, r.credential];

/** A JSON array of the rows `pages` give, each mapped by `f`, written a page at a time (a streamed download). */
async function* jsonArray<T>(pages: AsyncIterable<T[]>, f: (row: T) => unknown): AsyncGenerator<string> {
  yield "[";
  let first = true;
  for await (const page of pages) {
    yield `${first ? "" : ","}${page.map((r) => JSON.stringify(f(r))).join(",")}`;
    first = false;
  }
  yield "]";
}

type WebError = Error & { statusCode?: number; code?: string };
const MAX_PARAM = 100;
// fastify's own refusals, which name no remedy ("Unsupported Media Type"), said with what to do instead
const FASTIFY_REFUSALS = new Map<string, (req: FastifyRequest) => string>([
  [
    "FST_ERR_CTP_INVALID_MEDIA_TYPE",
    (req) =>
      `${req.headers["content-type"] ? `content-type ${req.headers["content-type"]}` : "a body without a content-type"} is not read here: send JSON (content-type: application/json) or a form (application/x-www-form-urlencoded); a rule file goes as text/plain or application/yaml`,
  ],
  ["FST_ERR_MAX_PARAM_LENGTH", () => `a part of this address is over ${MAX_PARAM} characters: check the address (a case id is a number, a user name at most 64 characters)`],
  ["FST_ERR_BAD_URL", () => "this address is not valid: a % in it must start an escape of UTF-8 (%20 for a space, %25 for a % itself)"],
]);

const SightingsQuery = z.object({ format: SightingsForm.default("stix"), publisher: z.string().min(1).optional() });

/** A refusal's issues in one line, each at its path (the whole query or body where it has none). */
const issuesText = (issues: ConfigIssue[], whole: "query" | "body"): string => issues.map((i) => `${i.path || whole}: ${i.message}`).join("; ");

export async function buildWebServer(o: WebOptions): Promise<FastifyInstance> {
  const headers = o.trustProxy ? TLS_HEADERS : SECURITY_HEADERS;
  const app = Fastify({
    logger: false,
    bodyLimit: 1 << 20,
    routerOptions: { maxParamLength: MAX_PARAM },
    // an address the router cannot read (a bad %-escape, an over-long part) is answered like any other refusal; no
    // route's hooks run for it, so its headers are set here
    frameworkErrors: (err, req, reply) => answerError(err, req, reply.headers(headers)),
    ...(o.trustProxy && { trustProxy: o.trustProxy }),
  });
  // behind TLS (trusted proxies) a __Host- cookie: a browser takes it only from HTTPS, for this host alone and path /,
  // so no other host of the domain and no plain-HTTP answer can plant a session (someone else's) under its name
  const SESSION_COOKIE = o.trustProxy ? "__Host-mt_session" : "mt_session";
  const sessionCookie = { path: "/", httpOnly: true, sameSite: "strict", secure: o.trustProxy !== undefined } as const;
  // the queue's filters the browser last chose, so that the header's "Case queue" (plain /cases) goes back to them
  // from a case; not where in the list (page=, after=: the link's own). Kept for the user who chose them (`for`:
  // through a session that ended and a sign-in again), forgotten at sign-out: the next person at a shared desk starts
  // from the whole queue
  const QUEUE_COOKIE = "mt_queue";
  const queueCookie = { ...sessionCookie, path: "/cases" } as const;
  // what a form did, said on the page its redirect leads to (one's start page, or the case a kept form goes back
  // to), once: a code, never text, so that no one else's page can put words on a trusted one
  const FLASH_COOKIE = "mt_flash";
  const flashCookie = { ...sessionCookie, maxAge: 60 } as const;
  const FLASHES: Record<string, (username: string) => string> = { password: (u) => `Password changed for ${u}. Your other sessions are signed out: sign in with the new password from now on.` };
  const store = new CaseStore(o.db, PERMISSIONS["cases:act"]);
  const auth = new Auth(o.db);
  const idleEnd = `signed out after ${auth.settings.idleMinutes} minutes without activity`;
  app.decorate("guarded", []);
  app.addHook("onRoute", (r) => {
    const perm = (r.config as { perm?: Permission } | undefined)?.perm;
    if (perm) for (const method of [r.method].flat()) if (method !== "HEAD") app.guarded.push({ method, url: r.url, perm });
  });
  await app.register(cookie);
  await app.register(formbody);
  app.addContentTypeParser(["text/plain", "application/yaml", "text/yaml"], { parseAs: "string" }, (_req, body, done) => done(null, body));

  const isApi = (req: FastifyRequest) => req.url.startsWith("/api/");
  const pageUser = (req: FastifyRequest): PageUser | null => (req.actor ? { ...req.actor, csrf: req.session?.csrf, flash: req.flash } : null);
  const sendHtml = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type("text/html; charset=utf-8").send(body);

  app.addHook("onSend", async (_req, reply, payload) => {
    reply.headers(headers);
    return payload;
  });
  // a proxy in front that is not trusted gives every client its own address: said once, with what to set
  if (!o.trustProxy) {
    let warned = false;
    app.addHook("onRequest", async (req) => {
      if (warned || !(req.headers["x-forwarded-for"] || req.headers.forwarded)) return;
      warned = true;
      o.log.warn(
        { proxy: req.ip },
        `requests come through a proxy (X-Forwarded-For or Forwarded) but MT_TRUST_PROXY is not set: every client has the proxy's address, so 20 wrong passwords from anywhere hold every sign-in for 15 minutes, and the session cookie is not HTTPS-only; set MT_TRUST_PROXY to the proxy's address (${req.ip})`,
      );
    });
  }

  // PostgreSQL stores no NUL character in text: one in a request failed in the database, a 500 and an error line for
  // the operator's alerts, from anyone (a sign-in's name); refused before a sign-in or a route reads it
  app.addHook("preValidation", async (req) => {
    const where = nulAt(req.params, "address") ?? nulAt(req.query, "query") ?? nulAt(req.body, "body");
    if (where) throw Object.assign(new Error(`${where}: a NUL character (U+0000) is not taken: remove it and send again`), { statusCode: 400 });
  });

  // a page's form refused before its route ran, as a page (a browser shows JSON as raw text): nothing was done, and
  // the way back to the page it was sent from (a case's forms post to /cases/ID/...; any other to one's home page)
  const formRefused = (reply: FastifyReply, status: 401 | 403, why: string, back: Html, after: Html | string = "") =>
    sendHtml(reply, layout("Nothing was done", null, html`<h1>Nothing was done</h1><p class="error" role="alert">${why}</p><p>${back}</p>${after}`), status);
  const formPage = (req: FastifyRequest) => /^\/cases\/\d+(?=[/?]|$)/.exec(req.url)?.[0] ?? "/";
  // what a case's decision or comment form sent, kept when it cannot be taken (the session ended, or the page is of an
  // earlier sign-in) so that nothing typed is lost; never from another site's page, whose text must not appear here
  const keptOf = (req: FastifyRequest): KeptForm | undefined => {
    const form = /^\/cases\/\d+\/(action|comment)$/.exec(req.url)?.[1];
    const site = req.headers["sec-fetch-site"];
    if (!form || site === "cross-site" || site === "same-site") return undefined;
    // (a confirmation's answer is not kept: the decision is confirmed again when sent again)
    const { _csrf, confirm, ...sent } = (req.body ?? {}) as Record<string, unknown>;
    return KeptForm.parse({ form, fields: Object.fromEntries(Object.entries(sent).filter(([, v]) => typeof v === "string")) });
  };
  // a kept form back on its case's page, filled in as it was sent (a decision still counts only on the case as its
  // first page showed it: its `seen` goes with it)
  const keptFilledIn = (kept: KeptForm): CasePageOptions => (kept.form === "action" ? { typed: kept.fields } : { comment: kept.fields.body ?? "", typed: kept.fields });
  // the page is an opening of the case, as any
  const keptCasePage = async (actor: Actor, csrf: string, caseId: string, kept: KeptForm, o: CasePageOptions) => {
    const { detail, seen } = await store.open(caseId, actor, "page");
    return casePage({ ...actor, csrf }, detail, { ...o, ...keptFilledIn(kept), seen, opening: true, assignees: await store.assignees() });
  };
  // the form a sign-in kept in this session (sent after the previous one ended), until it is sent again
  const sessionKept = (req: FastifyRequest): KeptCaseForm | undefined => (req.session?.kept ? KeptCaseForm.safeParse(req.session.kept).data : undefined);
  // sent (whatever comes of it: a refusal shows it as sent), it is no longer kept
  const sentKept = async (req: FastifyRequest, caseId: string, form: KeptForm["form"]) => {
    const kept = sessionKept(req);
    if (kept?.caseId === caseId && kept.form === form) await auth.keepForm(req.cookies[SESSION_COOKIE]!, null);
  };

  app.addHook("preHandler", async (req, reply) => {
    const perm = req.routeOptions.config.perm;
    if (!perm) return;
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    const pageForm = !bearer && !isApi(req) && req.method !== "GET" && req.method !== "HEAD";
    let idle = false;
    if (bearer) req.actor = (await auth.byToken(bearer)) ?? undefined;
    else {
      const sid = req.cookies[SESSION_COOKIE];
      const s = sid ? await auth.bySession(sid) : null;
      idle = s === "idle";
      if (s && s !== "idle") {
        req.session = s;
        req.actor = { username: s.username, role: s.role, credential: "session" };
        // a session's changes must carry its CSRF token: a cookie alone could be sent by another site's form
        if (req.method !== "GET" && req.method !== "HEAD") {
          const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.headers["x-csrf-token"];
          if (sent !== s.csrf) {
            const kept = pageForm && can(s.role, "cases:act") ? keptOf(req) : undefined;
            if (kept)
              return sendHtml(
                reply,
                await keptCasePage(req.actor, s.csrf, /\d+/.exec(req.url)![0], kept, {
                  error: "Nothing was done: this form is from a page of an earlier sign-in (you signed in again since, perhaps in another tab or window). It is filled in below as you sent it: check it and send it again.",
                }),
                403,
              );
            if (pageForm)
              return formRefused(
                reply,
                403,
                "This form is from a page of an earlier sign-in (you signed in again since, perhaps in another tab or window).",
                html`<a href="${formPage(req)}">Open the page again</a> and send it from there.`,
              );
            return reply.code(403).send({ error: "missing or wrong CSRF token: reload the page and try again" });
          }
        }
      }
    }
    if (!req.actor) {
      if (pageForm) {
        const why = idle ? `You are not signed in any more: ${idleEnd}.` : "You are not signed in any more: your session ended (you signed out, or its hours were over).";
        const kept = keptOf(req);
        if (kept) return formRefused(reply, 401, why, html`Sign in again below: what you sent is kept.`, signInForm(formPage(req), { kept }));
        return formRefused(
          reply,
          401,
          why,
          html`<a href="/login?next=${encodeURIComponent(formPage(req))}">Sign in again</a> and send it again (Back in your browser may still hold what you typed).`,
        );
      }
      if (bearer)
        return reply.code(401).send({
          error: "that API token is none of this service's (mistyped, cut short, or from another installation): send the token as it was printed, or get one from the operator, on the server (`moneytrail users token NAME`)",
        });
      if (isApi(req) || req.method !== "GET") return reply.code(401).send({ error: idle ? `you were ${idleEnd}: sign in again` : "sign in, or send Authorization: Bearer <API token>" });
      return reply.redirect(`/login?next=${encodeURIComponent(req.url)}${idle ? "&idle=1" : ""}`);
    }
    if (req.session?.mustChangePassword && perm !== "account:self") {
      // only a session (a cookie) has an initial password, and its API changes need the CSRF token too
      const msg =
        "you signed in with an initial password: set a password of your own first, with the form at /password (or POST /api/me/password {currentPassword, newPassword} with the header x-csrf-token: the value of that form's hidden _csrf field, as any change from a signed-in session needs)";
      if (isApi(req)) return reply.code(403).send({ error: msg });
      if (req.method === "GET") return reply.redirect("/password");
      return sendHtml(reply, layout("Set your password", pageUser(req), html`<h1>Set your password first</h1><p class="error" role="alert">${msg}</p>`), 403);
    }
    if (!can(req.actor.role, perm)) {
      // a trace of someone trying what their role may not (a probe, or a role to be given): logged and counted, not
      // audited, as the audit trail cannot be trimmed and a script could flood it
      const { username: user, role } = req.actor;
      o.log.warn({ user, role, route: `${req.method} ${req.routeOptions.url}`, permission: perm }, "request refused: the user's role lacks the permission");
      o.metrics?.webRefused.inc({ permission: perm, role });
      const roles = PERMISSIONS[perm].join(" or ");
      // an admin can do what the admin role may; a role is never changed, so for the rest an admin adds a user
      const help =
        req.routeOptions.config.whoCanHelp?.(req.actor) ??
        (can("admin", perm) ? "Ask an admin if you need it." : `A user keeps the role they were added with: if you need this, ask an admin to add you a user with the ${roles} role.`);
      const msg = `${req.actor.username} is ${/^[aeiou]/.test(req.actor.role) ? "an" : "a"} ${req.actor.role}; this needs the ${roles} role (${perm}). ${help}`;
      if (isApi(req)) return reply.code(403).send({ error: msg });
      return sendHtml(reply, layout("Not allowed", pageUser(req), html`<h1>Not allowed</h1><p class="error" role="alert">${msg}</p>`), 403);
    }
    const flash = req.cookies[FLASH_COOKIE];
    // (not by "/", which only redirects to one's start page)
    if (flash !== undefined && req.method === "GET" && !isApi(req) && req.routeOptions.url !== "/") {
      reply.clearCookie(FLASH_COOKIE, flashCookie);
      req.flash = Object.hasOwn(FLASHES, flash) ? FLASHES[flash]!(req.actor.username) : undefined;
    }
  });

  const statusOf = (err: WebError): number =>
    err instanceof CaseError || err instanceof AuthError ? err.status : err instanceof ZodError || err instanceof ConfigError ? 400 : (err.statusCode ?? 500);
  const messageOf = (err: WebError, req: FastifyRequest): string =>
    err instanceof ZodError
      ? issuesText(zodIssues(err, req.method === "GET" ? req.query : req.body), req.method === "GET" ? "query" : "body")
      : (FASTIFY_REFUSALS.get(err.code ?? "")?.(req) ?? (statusOf(err) >= 500 ? "internal error; see the service log" : err.message));
  const answerError = (err: WebError, req: FastifyRequest, reply: FastifyReply) => {
    const status = statusOf(err);
    const message = messageOf(err, req);
    // the path only: a query may carry what a client should not have put there (?access_token=…)
    if (status >= 500) o.log.error({ err: err.message, method: req.method, url: req.url.split("?")[0] }, "web request failed");
    if (isApi(req)) return reply.code(status).send({ error: message });
    return sendHtml(reply, layout("Error", pageUser(req), html`<h1>That did not work</h1><p class="error" role="alert">${message}</p><p><a href="/">Back to your start page</a></p>`), status);
  };
  app.setErrorHandler(answerError);

  // --- sign-in ---------------------------------------------------------------------------------------------
  // signing in and out needs no session, so no CSRF token guards it: the browser's word on where the form was sent
  // from does (another site's form would sign the reviewer in as its own user, or out); a client that does not say
  // (curl, an older browser) is taken as before
  const fromThisSite = async (req: FastifyRequest, reply: FastifyReply) => {
    const site = req.headers["sec-fetch-site"];
    if (site === "cross-site" || site === "same-site")
      return formRefused(reply, 403, "This form was sent from another site: sign in and out on this service's own pages.", html`<a href="/login">Sign in here</a>.`);
  };
  app.get("/login", async (req, reply) => {
    const q = req.query as { next?: string; idle?: string; out?: string };
    // said in the page's own words: a link cannot put text of its own on it
    const notice =
      q.idle !== undefined
        ? `You were ${idleEnd}. Sign in again.`
        : q.out !== undefined
          ? "You are signed out: this browser no longer holds your session, and the queue's filters you chose are forgotten."
          : undefined;
    return sendHtml(reply, loginPage(notice === undefined ? undefined : { notice }, safeNext(q.next), o.noAccount));
  });
  app.post("/login", { preHandler: fromThisSite }, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, string>;
    // a case's form the session ended under, kept through the sign-in (a wrong password included)
    const kept = keptFormOf(b.kept);
    const r = await auth.login(String(b.username ?? ""), String(b.password ?? ""), req.ip, req.cookies[SESSION_COOKIE]);
    if (!r) return sendHtml(reply, loginPage({ error: "Wrong user name or password.", kept }, safeNext(b.next), o.noAccount), 401);
    if ("retryAfterMs" in r) {
      reply.header("retry-after", String(Math.ceil(r.retryAfterMs / 1000)));
      const message = `Too many wrong passwords for this name or from this address: ${tryAgainIn(r.retryAfterMs)}`;
      return sendHtml(reply, loginPage({ error: message, kept }, safeNext(b.next), o.noAccount), 429);
    }
    reply.setCookie(SESSION_COOKIE, r.sessionId, sessionCookie);
    // the kept form waits in the new session for its case's page (through a password to set first, an initial one or
    // an admin's reset): the sign-in answers with a redirect, so that a reload does not send the password again
    const keptCase = keptCaseOf(kept, b.next, r.session.role);
    if (keptCase) await auth.keepForm(r.sessionId, { ...kept!, caseId: keptCase });
    if (r.session.mustChangePassword) return reply.redirect("/password", 303);
    return reply.redirect(b.next && safeNext(b.next) !== "/" ? safeNext(b.next) : HOME[r.session.role], 303);
  });
  app.post("/logout", { preHandler: fromThisSite }, async (req, reply) => {
    const sid = req.cookies[SESSION_COOKIE];
    if (sid) await auth.logout(sid);
    reply.clearCookie(SESSION_COOKIE, sessionCookie).clearCookie(QUEUE_COOKIE, queueCookie).clearCookie(FLASH_COOKIE, flashCookie);
    // said on the sign-in page: at a shared desk, the one leaving sees that it took
    return reply.redirect("/login?out", 303);
  });
  // each role to its own page: the others would only say "Not allowed"
  app.get("/", { config: { perm: "account:self" } }, async (req, reply) => reply.redirect(HOME[req.actor!.role]));

  // --- one's own account ------------------------------------------------------------------------------------
  const passwordForm = (req: FastifyRequest, o: { error?: string } = {}) =>
    passwordPage(pageUser(req)!, { required: req.session?.mustChangePassword ?? false, kept: sessionKept(req), ...o });
  app.get("/password", { config: { perm: "account:self" } }, async (req, reply) => sendHtml(reply, passwordForm(req)));
  app.post("/password", { config: { perm: "account:self" } }, async (req, reply) => {
    const { _csrf, confirmPassword, ...b } = (req.body ?? {}) as Record<string, string>;
    try {
      if (confirmPassword !== b.newPassword) throw new AuthError(400, "the new password and its repetition differ: type the same one twice");
      const { revokedTokens } = await auth.changePassword(req.actor!, b, req.cookies[SESSION_COOKIE]);
      // the tokens it revoked, to re-issue: else the user learns of them when a script fails
      if (revokedTokens.length) return sendHtml(reply, passwordChangedPage(pageUser(req)!, { revokedTokens, home: HOME[req.actor!.role] }));
    } catch (err) {
      if (!(err instanceof AuthError || err instanceof ZodError)) throw err;
      return sendHtml(reply, passwordForm(req, { error: messageOf(err, req) }), statusOf(err));
    }
    // a case's form kept through a sign-in that had to set a password first: back to its case
    const kept = sessionKept(req);
    reply.setCookie(FLASH_COOKIE, "password", flashCookie);
    return reply.redirect(kept ? `/cases/${kept.caseId}` : HOME[req.actor!.role], 303);
  });
  // who is asking, for any signed-in user: the name and role, nothing more
  app.get("/api/me", { config: { perm: "account:self" } }, async (req) => ({ username: req.actor!.username, role: req.actor!.role }));
  app.post("/api/me/password", { config: { perm: "account:self" } }, async (req) => auth.changePassword(req.actor!, req.body, req.session ? req.cookies[SESSION_COOKIE] : undefined));

  // --- cases: pages -----------------------------------------------------------------------------------------
  app.get("/cases", { config: { perm: "cases:read" } }, async (req, reply) => {
    const kept = new URLSearchParams(req.cookies[QUEUE_COOKIE] ?? "");
    const keptFor = kept.get("for");
    kept.delete("for");
    // (filters this version does not take, kept from an earlier one, are dropped rather than refused at every visit)
    if (keptFor === req.actor!.username && !Object.keys(givenParams(req.query)).length && QueueFilter.safeParse(givenParams(Object.fromEntries(kept))).success)
      return reply.redirect(`/cases?${kept}`);
    const f = queueFilter(req.query);
    const { page, after, ...filters } = f;
    const chosen = queueQuery(filters);
    if (chosen) reply.setCookie(QUEUE_COOKIE, `${chosen}&${new URLSearchParams({ for: req.actor!.username })}`, queueCookie);
    else if (keptFor !== null) reply.clearCookie(QUEUE_COOKIE, queueCookie);
    const [q, facets, waiting] = await Promise.all([store.queue(f, req.actor!.username), store.facets(), store.waiting(req.actor!.username)]);
    return sendHtml(reply, queuePage(pageUser(req)!, q, f, facets, waiting));
  });
  // who opened which case, when, and with what (a bank asks who looked at one; after a token leak, what it read):
  // every opening is a row (store.open), as every export is. Leaving out a user's openings in 10 minutes after one
  // hid those made with another credential (a leaked token) and the times of the rest; the case page shows them as
  // one line per user, this opening included, and ?action= finds the decisions among them
  // a case's page to work it on: with whom it can be handed over to
  const workPage = async (req: FastifyRequest, d: CaseDetail, o: CasePageOptions = {}) => casePage(pageUser(req)!, d, { ...o, assignees: await store.assignees() });
  // an address revealed on the page is shown on the page its form redirects to, once: a reload neither reveals it
  // again nor records another reveal. The browser carries its hash there (a cookie for that case's page, for a
  // minute, taken back by the page), and the page shows it only when it is the reviewer's latest reveal on the case
  // in the trail: a cookie made by hand shows nothing that was not revealed, and recorded, by whoever sends it
  const REVEALED_COOKIE = "mt_revealed";
  const revealedCookie = (caseId: string) => ({ path: `/cases/${caseId}`, httpOnly: true, sameSite: "strict", secure: o.trustProxy !== undefined, maxAge: 60 }) as const;
  app.get("/cases/:id", { config: { perm: "cases:read" } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { done } = req.query as { done?: string };
    // what came in since the reviewer last looked: read before this opening counts as a look
    const { detail: d, seen } = await store.open(id, req.actor!, "page");
    const flashed = req.cookies[REVEALED_COOKIE];
    if (flashed !== undefined) reply.clearCookie(REVEALED_COOKIE, revealedCookie(id));
    const revealed = flashed && (await store.lastReveal(d.case.caseId, req.actor!.username)) === flashed ? flashed : undefined;
    // what was just done, said in the page's own words: a link cannot put text of its own on a trusted page
    // (a case handed over says to whom)
    const handedTo = done === "assign" && d.case.assignee !== req.actor!.username ? `, assigned to ${d.case.assignee}` : "";
    // (a reference just given that another case carries too: pasted from it, perhaps)
    const given = done === "report" ? { kind: "report" as const, ref: d.case.reportRef } : done === "close-account" ? { kind: "termination" as const, ref: d.case.terminationRef } : undefined;
    const same = given?.ref ? await store.sameReference(id, given.kind, given.ref) : [];
    const sameRef = same.length
      ? `. ${given!.ref} is also the reference of ${same.map((x) => `case #${x.caseId} (${x.merchantId})`).join(", ")}: check that it is this case's`
      : "";
    const notice = revealed
      ? "The address is shown as text below; the reveal is in the audit trail."
      : done === "comment"
        ? "comment added"
        : typeof done === "string" && Object.hasOwn(TRANSITIONS, done)
          ? `${done}: the case is now ${statusText(d.case.status)}${handedTo}${sameRef}`
          : undefined;
    // a form sent when the previous session ended, filled in until it is sent again
    const kept = sessionKept(req);
    const keptHere = kept?.caseId === d.case.caseId ? kept : undefined;
    const keptNotice =
      keptHere && `Nothing was done yet with the ${keptHere.form === "action" ? "decision" : "comment"} you sent when your session ended: it is filled in below as you sent it; check it and send it again.`;
    const notices = [notice, keptNotice].filter(Boolean).join(". ") || undefined;
    return sendHtml(reply, await workPage(req, d, { notice: notices, ...(keptHere && keptFilledIn(keptHere)), seen, opening: true, revealed }));
  });
  app.post("/cases/:id/action", { config: { perm: "cases:act" } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { _csrf, confirm, ...sent } = (req.body ?? {}) as Record<string, string>;
    const { seen, ...b } = sent;
    const input = decisionSent(b);
    await sentKept(req, id, "action");
    try {
      // a decision that cannot be undone is confirmed first, on a page of its own, with nothing done or recorded
      // until then ("no": the case again, all typed filled in)
      if (confirm === "no") return sendHtml(reply, await workPage(req, await store.get(id), { notice: "Nothing was done: what you typed is filled in below.", typed: sent }));
      const final = typeof input.action === "string" && Object.hasOwn(FINAL, input.action);
      // a decision counts only on the case its page showed, not over a colleague's action or an alert the reviewer
      // did not see
      const c = await store.act(id, req.actor!, input, seen, { check: final && confirm !== "yes" });
      if (final && confirm !== "yes") return sendHtml(reply, confirmPage(pageUser(req)!, c, sent));
      return reply.redirect(`/cases/${id}?done=${input.action}`, 303);
    } catch (err) {
      if (!(err instanceof CaseError) || err.status === 404) throw err;
      const error =
        err instanceof StaleCaseError
          ? `Nothing was done: case #${id} changed after your page was loaded: ${err.changed.join("; ")}. Below is the case as it is now, with who did what in the audit trail; decide again if you still mean to.`
          : err.message;
      // the refused form comes back as it was sent: a reference is not typed twice
      const typed = Object.fromEntries(Object.entries(b).filter((e): e is [string, string] => typeof e[1] === "string"));
      return sendHtml(reply, await workPage(req, await store.get(id), { error, typed }), err.status);
    }
  });
  app.post("/cases/:id/comment", { config: { perm: "cases:act" } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    await sentKept(req, id, "comment");
    // the case page's one form sends the decisions' fields with its comment: the comment is its body alone
    const { _csrf, seen, body, ...rest } = (req.body ?? {}) as Record<string, unknown>;
    try {
      await store.comment(id, req.actor!, { body });
    } catch (err) {
      if (!(err instanceof CaseError) || err.status === 404) throw err;
      // the case again, with why and the comment (and any decision's field) as typed: a long one is not lost
      const typed = Object.fromEntries(Object.entries(rest).filter((e): e is [string, string] => typeof e[1] === "string"));
      return sendHtml(reply, await workPage(req, await store.get(id), { error: `The comment was not added: ${err.message}`, comment: typeof body === "string" ? body : undefined, typed }), err.status);
    }
    return reply.redirect(`/cases/${id}?done=comment`, 303);
  });
  app.post("/cases/:id/reveal", { config: { perm: "cases:act" } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { hash } = await store.revealUrl(id, req.actor!, req.body);
    return reply.setCookie(REVEALED_COOKIE, hash, revealedCookie(id)).redirect(`/cases/${id}`, 303);
  });
  app.get("/cases/:id/print", { config: { perm: "cases:read" } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const d = await store.printCase(id, req.actor!);
    return sendHtml(reply, casePage(pageUser(req)!, d, { print: true, withheld: d.withheld, printedAt: d.exportedAt }));
  });
  // a download written as its rows are read has sent its head (200) before PostgreSQL is asked for the most of them:
  // a failure then (the connection lost, a statement timeout) cannot be a status. The stream's error makes fastify
  // destroy the answer, so the chunked transfer lacks its last chunk and the client sees a failed download (curl
  // exits 18, a browser says Failed), never a short file that looks whole (a CSV ends at a row). Logged with the case
  // and the error's message, never the rows; counted for the operator's dashboard
  const download = (req: FastifyRequest, caseId: string, kind: CaseDownload, body: AsyncIterable<string>): Readable =>
    Readable.from(
      (async function* () {
        try {
          yield* body;
        } catch (err) {
          o.log.error(
            { caseId, download: kind, route: req.routeOptions.url, user: req.actor!.username, err: (err as Error).message },
            "download cut short: PostgreSQL failed while its rows were read; the client's transfer was aborted",
          );
          o.metrics?.downloadsFailed.inc({ download: kind });
          throw err;
        }
      })(),
    );
  // the JSON case file, its trail written as it is read (store.exportCase): the rest of the file, then the rows a
  // page at a time, card numbers truncated in each. Bytes as JSON.stringify of the whole file, its trail last
  const caseFile = async (req: FastifyRequest): Promise<{ caseId: string; body: Readable }> => {
    const { file, audit } = await store.exportCase((req.params as { id: string }).id, req.actor!);
    const head = JSON.stringify(withCardNumbersMasked(file));
    const caseId = file.case.caseId;
    return {
      caseId,
      body: download(
        req,
        caseId,
        "case-file",
        (async function* () {
          yield `${head.slice(0, -1)},"audit":`;
          yield* jsonArray(audit, withCardNumbersMasked);
          yield "}";
        })(),
      ),
    };
  };
  app.get("/cases/:id/export.json", { config: { perm: "cases:read" } }, async (req, reply) => {
    // named once the case is found: an address that names none gets the error page, not a download named by it
    const { caseId, body } = await caseFile(req);
    return reply.type("application/json; charset=utf-8").header("content-disposition", `attachment; filename="case-${caseId}.json"`).send(body);
  });
  // a case's audit trail as reviewers read it, every row, written as it is read (store.caseTrail): an evidence
  // address written into a comment or note masked, as on the page (the case's evidence, read after the rows were
  // counted, holds every address they can name: alerts are only added); every opening, and no read of the trail (the
  // auditors' and admins' to know). A case that is not there is a 404 before any of it is sent.
  const caseTrail = async (req: FastifyRequest, form: "csv" | "json"): Promise<Readable> => {
    const { id } = req.params as { id: string };
    const t = await store.caseTrail(req.actor!, id, form);
    const { audit } = evidenceMasker(t.evidence);
    return download(
      req,
      id,
      "case-trail",
      form === "json"
        ? jsonArray(t.pages, audit)
        : (async function* () {
            yield `${AUDIT_CSV.join(",")}\n`;
            for await (const page of t.pages) yield csvLines(page.map(audit).map(auditCsvRow));
          })(),
    );
  };
  app.get("/cases/:id/audit.csv", { config: { perm: "cases:read" } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const csv = await caseTrail(req, "csv");
    return reply.type("text/csv; charset=utf-8").header("content-disposition", `attachment; filename="case-${id}-audit.csv"`).send(csv);
  });

  // --- cases: API -------------------------------------------------------------------------------------------
  app.get("/api/cases", { config: { perm: "cases:read" } }, async (req) => store.queue(queueFilter(req.query), req.actor!.username));
  // addresses as the page shows them: the full URL is POST .../reveal's, audited. The ETag (also `version`) is the
  // case's version, for If-Match on an action
  app.get("/api/cases/:id", { config: { perm: "cases:read" } }, async (req, reply) => {
    const d = maskCase((await store.open((req.params as { id: string }).id, req.actor!, "api")).detail);
    const version = caseVersion(d.case);
    return reply.header("etag", `"${version}"`).send({ ...d, version });
  });
  app.post("/api/cases/:id/actions", { config: { perm: "cases:act" } }, async (req, reply) => {
    try {
      const c = await store.act((req.params as { id: string }).id, req.actor!, req.body, ifMatch(req.headers["if-match"]));
      return reply.header("etag", `"${caseVersion(c)}"`).send(c);
    } catch (err) {
      if (!(err instanceof StaleCaseError)) throw err;
      return reply.code(409).header("etag", `"${caseVersion(err.current)}"`).send({ error: err.message, changed: err.changed, case: err.current });
    }
  });
  app.post("/api/cases/:id/comments", { config: { perm: "cases:act" } }, async (req, reply) =>
    reply.code(201).send(await store.comment((req.params as { id: string }).id, req.actor!, req.body)),
  );
  app.post("/api/cases/:id/reveal", { config: { perm: "cases:act" } }, async (req) => ({
    url: (await store.revealUrl((req.params as { id: string }).id, req.actor!, req.body)).url,
  }));
  app.get("/api/cases/:id/export", { config: { perm: "cases:read" } }, async (req, reply) => reply.type("application/json; charset=utf-8").send((await caseFile(req)).body));
  app.get("/api/cases/:id/sightings", { config: { perm: "cases:read" } }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const { format, publisher } = SightingsQuery.parse(req.query);
    const sightings = await store.sightings(id, req.actor!, o.member ?? { id: "member:local" }, format, publisher);
    return reply.header("content-disposition", `attachment; filename="case-${id}-sightings.${format}.json"`).send(sightings);
  });
  app.get("/api/cases/:id/audit", { config: { perm: "cases:read" } }, async (req, reply) =>
    reply.type("application/json; charset=utf-8").send(await caseTrail(req, "json")),
  );
  // the whole trail, or what the filters keep, as a file: what was written, addresses included (the file for an
  // authority), but card numbers truncated (a file outside the card data environment holds none)
  const exportTrail = async (req: FastifyRequest, form: "ndjson" | "csv") => {
    // the /audit page's links send no empty field, but a script may
    const { after, limit, case: caseId, ...filter } = AuditQuery.parse(givenParams(req.query));
    return (await store.exportAudit(req.actor!, form, { caseId, afterId: after, limit, filter })).map(withCardNumbersMasked);
  };
  // on the screen a case's evidence addresses written into a comment or a note are masked, as on the case's own trail
  // (a colleague's comment is no reveal), and card numbers truncated in every row; `evidence`: each case's addresses
  const onScreen = (rows: AuditRow[], evidence: Map<string, string[]>): AuditRow[] => {
    const masks = new Map([...evidence].map(([id, urls]) => [id, evidenceMasker(urls).audit]));
    return rows.map((r) => (r.caseId ? masks.get(r.caseId)!(r) : withCardNumbersMasked(r)));
  };
  // the trail as a person reads it: a table in words, newest first, paged; each view is a row of the trail, as each
  // export is, since it shows the same rows (only a page of nothing but such rows is not, as with the export)
  app.get("/audit", { config: { perm: "audit:export" } }, async (req, reply) => {
    const typed = givenParams(req.query);
    const parsed = AuditPageQuery.safeParse(typed);
    if (!parsed.success) {
      const issues = zodIssues(parsed.error, typed);
      const refused = { message: issuesText(issues, "query"), fields: issues.map((i) => i.path) };
      return sendHtml(reply, auditorPage(pageUser(req)!, { filter: {}, refused, typed }), 400);
    }
    const { after, before, limit = AUDIT_PAGE_ROWS, ...f } = parsed.data;
    const { case: caseId, ...filter } = f;
    try {
      const { evidence, ...p } = await store.auditPage(req.actor!, { caseId, afterId: after, beforeId: before, limit, filter });
      return sendHtml(reply, auditorPage(pageUser(req)!, { filter: f, page: { ...p, rows: onScreen(p.rows, evidence), limit }, typed }));
    } catch (err) {
      if (!(err instanceof CaseError && err.status === 404 && caseId !== undefined)) throw err;
      return sendHtml(reply, auditorPage(pageUser(req)!, { filter: {}, refused: { message: `case: ${err.message}: check its number`, fields: ["case"] }, typed }), 404);
    }
  });
  app.get("/api/audit", { config: { perm: "audit:export" } }, async (req, reply) => {
    const rows = await exportTrail(req, "ndjson");
    return reply.type("application/x-ndjson").send(rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : ""));
  });
  // for a spreadsheet, with the case CSV's columns and its guard against cells run as formulas
  app.get("/audit.csv", { config: { perm: "audit:export" } }, async (req, reply) => {
    const csv = toCsv(AUDIT_CSV, (await exportTrail(req, "csv")).map(auditCsvRow));
    return reply.type("text/csv; charset=utf-8").header("content-disposition", 'attachment; filename="audit-trail.csv"').send(csv);
  });

  // --- rules ------------------------------------------------------------------------------------------------
  if (o.rulesDir) ruleRoutes(app, { db: o.db, dir: o.rulesDir, status: o.rulesStatus, onRulesChanged: o.onRulesChanged, pageUser, sendHtml });
  // the compliance lead's review report (cases:report)
  reportRoutes(app, { db: o.db, pageUser, sendHtml });

  // --- users and tokens -------------------------------------------------------------------------------------
  const admin = async (req: FastifyRequest, notice?: string) => adminPage(pageUser(req)!, await auth.users(), { notice, tokenDays: auth.settings.tokenDays });
  app.get("/admin", { config: { perm: "users:manage" } }, async (req, reply) => sendHtml(reply, await admin(req)));
  app.post("/admin/users", { config: { perm: "users:manage" } }, async (req, reply) => {
    const { _csrf, ...b } = (req.body ?? {}) as Record<string, string>;
    const u = await auth.addUser(req.actor!, b);
    return sendHtml(reply, await admin(req, `Added ${u.username} (${u.role}). One-time password: ${u.password}`));
  });
  // a token is its holder's identity in the audit trail: here one is created only for oneself; one for someone else
  // comes from the operator, on the server (moneytrail users token NAME)
  const ownToken = (actor: Actor, username: string | undefined, label: string, days: unknown) => {
    if (username !== undefined && username !== actor.username)
      throw new AuthError(403, `you are signed in as ${actor.username} and can create API tokens for yourself only; a token for ${username} comes from the operator, on the server: \`moneytrail users token ${username}\``);
    return auth.createToken(actor, actor.username, label, days ?? undefined);
  };
  app.post("/admin/tokens", { config: { perm: "users:manage" } }, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, string>;
    const t = await ownToken(req.actor!, b.username || undefined, String(b.label ?? ""), b.days || undefined);
    return sendHtml(reply, await admin(req, `Token ${t.id} for ${req.actor!.username}, expires ${when(t.expiresAt)}, shown once: ${t.token}`));
  });
  app.post("/admin/tokens/:id/revoke", { config: { perm: "users:manage" } }, async (req, reply) => {
    const t = await auth.revokeToken(req.actor!, (req.params as { id: string }).id);
    return sendHtml(reply, await admin(req, `Revoked API token ${t.id} of ${t.username}: it stops working at once.`));
  });
  app.post("/admin/users/:name", { config: { perm: "users:manage" } }, async (req, reply) => {
    const { name } = req.params as { name: string };
    const u = await auth.setDisabled(req.actor!, name, { disabled: (req.body as Record<string, string> | undefined)?.disabled === "true" });
    const held = heldCases(u);
    const notice = u.disabled
      ? `Disabled ${u.username}: signed out everywhere, API tokens revoked.${held ? ` ${held}.` : ""}`
      : `Enabled ${u.username}: they sign in with their password; earlier API tokens stay revoked.`;
    return sendHtml(reply, await admin(req, notice));
  });
  // a password that may have leaked, or was forgotten: a one-time password, shown once; the user is signed out everywhere
  app.post("/admin/users/:name/password", { config: { perm: "users:manage" } }, async (req, reply) => {
    const r = await auth.resetPassword(req.actor!, (req.params as { name: string }).name);
    return sendHtml(
      reply,
      await admin(
        req,
        `Password changed for ${r.username}: reset to a one-time password, shown once (${r.username} replaces it at the next sign-in). Signed out everywhere (${r.sessionsEnded} sessions), ${r.tokensRevoked} API tokens revoked. One-time password: ${r.password}`,
      ),
    );
  });
  app.get("/api/users", { config: { perm: "users:manage" } }, async () => auth.users());
  app.post("/api/users/:name/password", { config: { perm: "users:manage" } }, async (req) => auth.resetPassword(req.actor!, (req.params as { name: string }).name));
  app.patch("/api/users/:name", { config: { perm: "users:manage" } }, async (req) => auth.setDisabled(req.actor!, (req.params as { name: string }).name, req.body));
  app.post("/api/users", { config: { perm: "users:manage" } }, async (req, reply) => reply.code(201).send(await auth.addUser(req.actor!, req.body)));
  // an admin can create tokens for itself only: anyone else's comes from the operator
  const tokenFromOperator = (actor: Actor) => `Your API token comes from the operator, on the server: \`moneytrail users token ${actor.username}\`.`;
  app.post("/api/users/:name/tokens", { config: { perm: "users:manage", whoCanHelp: tokenFromOperator } }, async (req, reply) =>
    reply.code(201).send(await ownToken(req.actor!, (req.params as { name: string }).name, String((req.body as { label?: string })?.label ?? "api"), (req.body as { days?: unknown })?.days)),
  );
  app.delete("/api/tokens/:id", { config: { perm: "users:manage" } }, async (req, reply) => {
    await auth.revokeToken(req.actor!, (req.params as { id: string }).id);
    return reply.code(204).send();
  });

  // the page in its own words: the address repeated on it would let a link put text of its own on this trusted host
  app.setNotFoundHandler((req, reply) =>
    isApi(req)
      ? reply.code(404).send({ error: `no such endpoint: ${req.method} ${req.url}` })
      : sendHtml(reply, layout("Not found", null, html`<h1>Not found</h1><p>There is no page at this address. <a href="/">Go to your start page</a>.</p>`), 404),
  );
  return app;
}

/**
 * Closes the web server, cutting off after `ms` (3 s: well inside a stop's grace period) the requests still open (a
 * slow client, a long export): fastify's close waits for them, up to Node's 5-minute request timeout. What a cut-off
 * request does in PostgreSQL is done in full or not at all (an export and its audit row are one transaction); it
 * runs on, and its client gets no answer.
 */
export async function closeWeb(app: FastifyInstance, ms = 3000): Promise<void> {
  const cut = setTimeout(() => app.server.closeAllConnections(), ms).unref();
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}

/**
 * The case version an action's If-Match names (its ETag as GET /api/cases/:id gave it), or undefined without one
 * (or with *: any version). A list takes its first tag.
 */
function ifMatch(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === "*") return undefined;
  const tag = /^\s*(?:W\/)?"([^"]*)"/.exec(header)?.[1];
  if (tag === undefined || !isCaseVersion(tag))
    throw new CaseError(400, `If-Match: ${header} is not a version of a case: send the ETag of GET /api/cases/:id as it came ("…", in quotes), or no If-Match to act on the case as it is`);
  return tag;
}

/** The case a kept form goes back to (the sign-in's next), when there is one and the role may act on it. */
function keptCaseOf(kept: KeptForm | undefined, next: unknown, role: Role): string | undefined {
  const id = /^\/cases\/(\d{1,18})$/.exec(safeNext(next))?.[1];
  // as the case's page names it (06 is case 6)
  return kept && id && can(role, "cases:act") ? String(BigInt(id)) : undefined;
}

/** The kept form a sign-in carries (its hidden field), or undefined: one that does not read as one is left out. */
function keptFormOf(v: unknown): KeptForm | undefined {
  try {
    return typeof v === "string" ? KeptForm.safeParse(JSON.parse(v)).data : undefined;
  } catch {
    return undefined;
  }
}

/** Only a local path: a sign-in link must not send the reviewer to another site. */
function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : "/";
}

/** Where a NUL character is in a request's part (`at.key…`), or undefined: in a value or a key, at any depth. */
function nulAt(v: unknown, at: string): string | undefined {
  if (typeof v === "string") return v.includes("\u0000") ? at : undefined;
  if (v === null || typeof v !== "object") return undefined;
  for (const [k, x] of Object.entries(v)) {
    const found = k.includes("\u0000") ? `${at}.${k.replaceAll("\u0000", "\\u0000")}` : nulAt(x, at === "address" ? at : `${at}.${k}`);
    if (found) return found;
  }
  return undefined;
}
