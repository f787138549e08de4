// The reviewers' web server on an embedded database (the same SQL as PostgreSQL), closed after each test, and the
// ways a test reaches it: as a user with an API token, or as a browser with a session cookie and the pages' forms.
import { afterAll, afterEach, beforeAll } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { Db } from "../../src/cases/db.js";
import { testDb } from "./db.js";
import { defaultRulesCopies } from "./rules.js";
import { CONSOLE, type Role } from "../../src/cases/store.js";
import { Auth } from "../../src/web/auth.js";
import { buildWebServer, type WebOptions } from "../../src/web/server.js";
import { FINAL } from "../../src/cases/workflow.js";
import { createLogger } from "../../src/lib/log.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { filesOf, recordVersion } from "../../src/rules/history.js";

export interface EmbeddedWeb {
  db: Db;
  auth: Auth;
  app: FastifyInstance;
}

/**
 * Call once at a test file's top level; each call of what it returns opens a database and a server on it (logging
 * nothing unless given a log).
 */
export function embeddedWeb(): (options?: Omit<WebOptions, "db" | "log"> & Partial<Pick<WebOptions, "log">>) => Promise<EmbeddedWeb> {
  const open: EmbeddedWeb[] = [];
  afterEach(async () => {
    for (const { app, db } of open.splice(0)) {
      await app.close();
      await db.close();
    }
  });
  return async (options = {}) => {
    const db = await testDb();
    const app = await buildWebServer({ log: createLogger("silent" as "fatal"), ...options, db });
    const web = { db, auth: new Auth(db), app };
    open.push(web);
    return web;
  };
}

/**
 * Adds a user (password `<username>-password-long`, an initial one) and gives them an API token: the headers of
 * their requests.
 */
export async function bearer(auth: Auth, username: string, role: Role = "reviewer"): Promise<{ authorization: string }> {
  await auth.addUser(CONSOLE, { username, role, password: `${username}-password-long` });
  return { authorization: `Bearer ${(await auth.createToken(CONSOLE, username, "test")).token}` };
}

/** Where reviewers read a case's text: its page, the printable file, the case API and its audit trail (CSV, JSON). */
export const caseViews = (caseId: string): string[] => [`/cases/${caseId}`, `/cases/${caseId}/print`, `/api/cases/${caseId}`, `/cases/${caseId}/audit.csv`, `/api/cases/${caseId}/audit`];

/** The session a sign-in's answer set, as the headers of the browser's next requests. */
export const sessionOf = (signedIn: LightMyRequestResponse): { cookie: string } => ({ cookie: `mt_session=${signedIn.cookies.find((c) => c.name === "mt_session")!.value}` });

/** The CSRF token in a page's forms. */
export const csrfOf = (page: string): string => /name="_csrf" value="([^"]+)"/.exec(page)![1]!;

const HIDDEN = /<input type="hidden" name="(\w+)" value="([^"]*)">/g;
/** An attribute's value as the browser reads it. */
const unescaped = (v: string): string => v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The first hidden field of that name in a page, as the browser sends it. */
export const hiddenField = (page: string, name: string): string | undefined => {
  const m = [...page.matchAll(HIDDEN)].find((f) => f[1] === name);
  return m && unescaped(m[2]!);
};

/**
 * What a case page's form sends for a decision's button: its action and the form's hidden fields; undefined if the
 * page has no such button. A decision the page asks to confirm (FINAL) goes with `confirm: "yes"`, as the browser
 * sends it from the confirmation's page (web-case-confirm.test.ts walks that page).
 */
export function decisionForm(page: string, action: string): Record<string, string> | undefined {
  const form = /<form method="post" action="\/cases\/\d+\/action" id="decide">(.*?)<\/form>/s.exec(page)?.[1];
  if (form === undefined || !form.includes(`<button name="action" value="${action}">`)) return undefined;
  return { action, ...Object.fromEntries([...form.matchAll(HIDDEN)].map((m) => [m[1]!, unescaped(m[2]!)])), ...(Object.hasOwn(FINAL, action) && { confirm: "yes" }) };
}

export interface TunerWeb {
  /** the rules directory the server edits: a copy of the default pack */
  dir: string;
  app: () => FastifyInstance;
  /** a rule tuner's API headers */
  headers: () => { authorization: string };
  /** a file of the directory as it is now */
  text: (file: string) => string;
}

/**
 * Call once at a test file's top level: a copy of the default rules, recorded as the version in force, served on
 * the embedded database to a rule tuner with an API token; opened before the file's tests and closed after them.
 */
export function tunerWeb(name: string): TunerWeb {
  const dir = defaultRulesCopies(name)();
  let db: Db;
  let app: FastifyInstance;
  let token: string;
  beforeAll(async () => {
    db = await testDb();
    const rs = loadRuleSet(dir);
    await recordVersion(db, rs, filesOf(rs), "directory");
    const auth = new Auth(db);
    await auth.addUser(CONSOLE, { username: "tuner", role: "rule-tuner", password: "tuner-password-long" });
    token = (await auth.createToken(CONSOLE, "tuner", "test")).token;
    app = await buildWebServer({ db, log: createLogger("silent" as "fatal"), rulesDir: dir });
  });
  afterAll(async () => {
    await app.close();
    await db.close();
  });
  return { dir, app: () => app, headers: () => ({ authorization: `Bearer ${token}` }), text: (file) => readFileSync(join(dir, file), "utf8") };
}
