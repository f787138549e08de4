// The rule tuner's side: the set in force and any refused change, editing a file (the set validated whole before
// it is written, one save at a time, all its files or none, refused if someone else saved the file since it was
// opened, each save and restore with a note saying why), the version history with diffs and restore, hits per rule
// (live and shadow), and the false-positive rate reviewers' dispositions give each rule.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { CaseError, writeAudit, type AUDIT_ACTIONS, type Actor } from "../cases/store.js";
import { CLEAN_DISMISSALS, CONFIRMED } from "../cases/workflow.js";
import type { Db, Queryable } from "../cases/db.js";
import { checkNotEmptied, doubtText, isRuleFileName, loadRuleSet, type RuleSet } from "../rules/ruleset.js";
import { RuleSetWatcher, type RulesStatus } from "../rules/reload.js";
import { ruleFieldChanges } from "../rules/rule-diff.js";
import { ChangeNote, diffFiles, fileChangedBy, fileVersion, filesOf, findVersion, periods, recordVersion, versionFiles, versions, type PutByTuner, type RuleFiles } from "../rules/history.js";
import { ConfigError } from "../lib/errors.js";
import { html, type Html, type PageUser } from "./html.js";
import { demoBacktest, rulesPage, type KeptEdit, type RulesConflict } from "./pages/rules.js";

export interface RuleHits {
  rule: string;
  mode: string;
  merchants: number;
  latest: string;
}

export interface RuleFeedback {
  rule: string;
  month: string;
  /** closed cases whose alerts cite the rule */
  closed: number;
  reported: number;
  /** dismissed as false positive or legitimate business */
  falsePositives: number;
  /** falsePositives / (falsePositives + reported); null when neither */
  falsePositiveRate: number | null;
}

export async function ruleHits(q: Queryable): Promise<RuleHits[]> {
  const r = await q.query<{ rule_id: string; mode: string; merchants: number; latest: Date | string }>(
    "SELECT rule_id, mode, count(DISTINCT merchant_id)::int AS merchants, max(first_at) AS latest FROM mt_rule_hits GROUP BY rule_id, mode ORDER BY rule_id, mode",
  );
  return r.rows.map((x) => ({ rule: x.rule_id, mode: x.mode, merchants: Number(x.merchants), latest: new Date(x.latest).toISOString() }));
}

/** Per rule and month of closing: how reviewers decided the cases the rule contributed to. */
export async function ruleFeedback(q: Queryable): Promise<RuleFeedback[]> {
  const r = await q.query<{ rule: string; month: string; closed: number; reported: number; fp: number }>(
    `SELECT s->>'rule' AS rule, to_char(date_trunc('month', c.closed_at), 'YYYY-MM') AS month,
            count(DISTINCT c.case_id)::int AS closed,
            count(DISTINCT c.case_id) FILTER (WHERE c.status = ANY($1))::int AS reported,
            count(DISTINCT c.case_id) FILTER (WHERE c.status = 'dismissed' AND c.dismiss_reason = ANY($2))::int AS fp
     FROM mt_cases c JOIN mt_case_alerts ca USING (case_id) JOIN mt_alerts a USING (alert_id)
     CROSS JOIN LATERAL jsonb_array_elements(a.alert->'signals') AS s
     WHERE c.status = ANY($1) OR c.status = 'dismissed'
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [CONFIRMED, CLEAN_DISMISSALS],
  );
  return r.rows.map((x) => {
    const fp = Number(x.fp);
    const rep = Number(x.reported);
    return { rule: x.rule, month: x.month, closed: Number(x.closed), reported: rep, falsePositives: fp, falsePositiveRate: fp + rep ? fp / (fp + rep) : null };
  });
}

/** The rules a save or restore added, removed and changed (their content hash) against the set it replaced. */
export interface RuleChanges {
  added: string[];
  removed: string[];
  changed: string[];
}

function ruleChanges(before: RuleSet | undefined, after: RuleSet): RuleChanges {
  const was = before?.byId ?? new Map<string, RuleSet["rules"][number]>();
  return {
    added: after.rules.filter((r) => !was.has(r.id)).map((r) => r.id),
    removed: [...was.keys()].filter((id) => !after.byId.has(id)).sort(),
    changed: after.rules.filter((r) => was.has(r.id) && was.get(r.id)!.version !== r.version).map((r) => r.id),
  };
}

/**
 * The page's words for them, after the save's notice, a changed rule with the values it changed (against `before`, the
 * set replaced); nothing when the rules are as they were (a comment changed).
 */
function changesText(c: RuleChanges, rs: RuleSet, before: RuleSet | undefined): string {
  // a rule turned off with enabled: false is out of the set but still in its file: not "removed"
  const off = c.removed.filter((id) => rs.disabled.includes(id));
  const values = (id: string) => {
    const was = before?.byId.get(id);
    return was ? ` (${ruleFieldChanges(was, rs.byId.get(id)!).map((x) => x.text).join(", ")})` : "";
  };
  const said = { ...c, removed: c.removed.filter((id) => !off.includes(id)), "turned off (enabled: false)": off, changed: c.changed.map((id) => `${id}${values(id)}`) };
  return (["added", "removed", "turned off (enabled: false)", "changed"] as const)
    .filter((k) => said[k].length)
    .map((k) => ` Rules ${k}: ${said[k].join(", ")}.`)
    .join("");
}

/**
 * The values a set takes that are most likely a mistake (RuleSet.doubts), as `rules validate` notes them, each file
 * named as the tuner knows it: not the trial copy a save is validated in, nor the directory's path.
 */
const doubtsOf = (rs: RuleSet): string[] => rs.doubts.map((d) => doubtText({ ...d, file: basename(d.file) }));

interface Ctx {
  db: Db;
  dir: string;
  status?: () => RulesStatus;
  onRulesChanged?: (rs: RuleSet) => void;
  pageUser: (req: FastifyRequest) => PageUser | null;
  sendHtml: (reply: FastifyReply, body: string, status?: number) => unknown;
}

// a name for a new file: no path, and one the loader reads (it reads .yaml and .yml in lower case only)
const NEW_NAME = /^[a-z0-9][a-z0-9._-]*\.ya?ml$/i;

function checkNewName(name: string): void {
  if (!NEW_NAME.test(name)) throw new CaseError(400, `${name}: a rules file name is letters, digits, dots, dashes and underscores ending in .yaml, with no path`);
  if (!isRuleFileName(name)) {
    const lower = name.replace(/\.ya?ml$/i, (ext) => ext.toLowerCase());
    throw new CaseError(400, `${name}: the rule set is read only from files ending in .yaml or .yml in lower case, so this file would be neither validated nor used; save it as ${lower}`);
  }
}

/**
 * A rule file's text as a save sends it: the body itself (text/plain, application/yaml), or a JSON or form object's
 * `content`. Anything else is refused: read as "", it emptied the file (YAML sent by curl's --data-binary arrives as
 * form fields, having curl's default content type).
 */
function fileText(body: unknown): string {
  if (typeof body === "string") return body;
  const content = (body as { content?: unknown } | null | undefined)?.content;
  if (typeof content === "string") return content;
  throw new CaseError(
    400,
    `the body is not a rule file's text, and nothing was saved: send the file as the body with content-type text/plain or application/yaml (curl: --data-binary @FILE -H "content-type: application/yaml"), or JSON {"content": "<the file's text>"}`,
  );
}

/** A save or restore without a usable note: the page shows its form again, the API answers 400. */
class NoteRefused extends CaseError {
  constructor(message: string) {
    super(400, `note: ${message}`);
    this.name = "NoteRefused";
  }
}

/**
 * A save's or restore's note: the body's `note` (the page's form, JSON), or ?note= beside a body that is the file's
 * text. `send`, after the refusal's reason, says how to send one (the page's refusal says the rest itself).
 */
function changeNote(req: FastifyRequest, send: string): string {
  const body = req.body;
  const inBody = typeof body === "object" && body !== null ? (body as { note?: unknown }).note : undefined;
  const inQuery = (req.query as { note?: unknown }).note;
  if (inBody !== undefined && inQuery !== undefined) throw new NoteRefused("give the change note once, in the body or as ?note=, not both; nothing was changed");
  const parsed = ChangeNote.safeParse(inBody ?? inQuery);
  if (!parsed.success) throw new NoteRefused(`${parsed.error.issues[0]!.message}${send}`);
  return parsed.data;
}
// how an API client sends a note, for its refusal (the page has a field for it)
const SAVE_NOTE = `; nothing was changed: send the note as "note" beside "content" in a JSON body, or as ?note=… with the file's text as the body`;
const RESTORE_NOTE = '; nothing was changed: send the note as {"note": "…"} in a JSON body, or as ?note=…';

/** A save made from a version of the file other than the one on disk: saving it would undo a change unseen. */
export class StaleFile extends CaseError {
  constructor(
    readonly file: string,
    /** the file on disk; undefined when there is none */
    readonly current: string | undefined,
    readonly base: string,
    /** who saved the file as it is now (fileChangedBy), once looked up; null: not in the history, so a hand edit */
    changedBy?: { by: string; at: string } | null,
  ) {
    const now = fileVersion(current);
    const who =
      changedBy === undefined
        ? "someone else saved it"
        : changedBy === null || changedBy.by === "directory"
          ? `changed outside this page and the API${changedBy ? `, first seen ${changedBy.at}` : ""}`
          : `saved by ${changedBy.by} at ${changedBy.at}`;
    super(
      409,
      current === undefined
        ? `${file} was removed since version ${base} your change was made from; send it again without If-Match to create it`
        : base
          ? `${file} has changed since version ${base} your change was made from (${who}); it is now ${now}: merge your change into it and send it again with If-Match: "${now}"`
          : `${file} exists (version ${now}): a change to it must name the version it was made from, If-Match: "${now}" (GET /api/rules lists each file's in fileVersions), so that no one else's save is overwritten unseen; without If-Match a save only creates a new file`,
    );
    this.name = "StaleFile";
  }
}

export function ruleRoutes(app: FastifyInstance, c: Ctx): void {
  // every file the loader reads, so that a save is validated with all of them
  const files = (): RuleFiles =>
    Object.fromEntries(
      readdirSync(c.dir)
        .filter(isRuleFileName)
        .sort()
        .map((f) => [f, readFileSync(join(c.dir, f), "utf8")]),
    );
  /** The directory's set, or why it is refused (a hand edit can break it; the set in force then stays). */
  const readDir = (): RuleSet | ConfigError => {
    try {
      return loadRuleSet(c.dir);
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
  };
  /**
   * A save refused for another file that a hand edit left invalid in the directory: the tuner did not touch it, and
   * without this reads an error in a file they never saved as their save's.
   */
  const brokenElsewhere = (err: ConfigError | NoteRefused, saved: string): string => {
    // an error naming several files says each line's file itself
    if (!(err instanceof ConfigError) || err.file === saved || err.issues.some((i) => i.file)) return "";
    const dir = readDir();
    if (!(dir instanceof ConfigError) || basename(dir.file) !== err.file) return "";
    return ` The error is in ${err.file}, not in ${saved}: a save validates the whole set, and ${err.file} as the rules directory holds it does not validate (changed outside this page). Correct it in its form below, or restore a version, then save ${saved} again.`;
  };
  const dirVersion = (): string | undefined => {
    const d = readDir();
    return d instanceof ConfigError ? undefined : d.version;
  };
  /** Validates files as the directory would hold them; errors name the tuner's files, not the trial copies. */
  const loadFiles = (f: RuleFiles): RuleSet => {
    const trial = mkdtempSync(join(tmpdir(), "mt-rules-"));
    try {
      for (const [name, text] of Object.entries(f)) writeFileSync(join(trial, name), text);
      return loadRuleSet(trial);
    } catch (err) {
      if (err instanceof ConfigError)
        throw new ConfigError(
          basename(err.file) === basename(trial) ? basename(c.dir) : basename(err.file),
          // several refused files: each issue names its own
          err.issues.map((i) => (i.file ? { ...i, file: basename(i.file) } : i)),
        );
      throw err;
    } finally {
      rmSync(trial, { recursive: true, force: true });
    }
  };
  // without a running engine (the demo) nothing else reads the directory: this watcher, checked at each request,
  // keeps the set in force as an engine's would (the last valid one, in force since this page first saw it)
  const local = c.status
    ? undefined
    : new RuleSetWatcher({
        dir: c.dir,
        current: loadRuleSet(c.dir),
        // a hand edit put in force here starts a period, as a consumer's reload does
        onChange: (rs) => void recordVersion(c.db, rs, filesOf(rs), "directory", "directory").catch(() => undefined),
        onRefused: () => undefined,
      });
  const status = (): RulesStatus => {
    if (!local) return c.status!();
    local.check();
    return local.status;
  };
  /** The set in force: the directory's, unless a hand edit made it differ; then the history's copy (every set put in force is recorded). */
  const inForce = async (): Promise<RuleSet> => {
    if (local) return local.check();
    const { version } = status();
    const dir = readDir();
    if (!(dir instanceof ConfigError) && dir.version === version) return dir;
    const f = await versionFiles(c.db, version);
    if (!f) throw new CaseError(404, `the rule set in force (${version}) is not in the history yet: reload the page in a few seconds`);
    return loadFiles(f);
  };

  /**
   * Makes the directory's files `next`: the changed ones are all written to temporary files before any is renamed
   * into place, so a failed write changes nothing.
   */
  const writeFiles = (next: RuleFiles): void => {
    const held = files();
    const changed = Object.keys(next).filter((name) => next[name] !== held[name]);
    const temp = (name: string) => join(c.dir, `.${name}.tmp`);
    const written: string[] = [];
    try {
      for (const name of changed) {
        writeFileSync(temp(name), next[name]!);
        written.push(temp(name));
      }
    } catch (err) {
      for (const t of written) rmSync(t, { force: true });
      throw err;
    }
    for (const name of Object.keys(held)) if (!Object.hasOwn(next, name)) unlinkSync(join(c.dir, name));
    for (const name of changed) renameSync(temp(name), join(c.dir, name));
  };

  // one save at a time, each from the files as the save before left them: saves of different files all stay, and
  // each audit entry's before is what was in force when it ran (queued here rather than each holding a connection
  // while it waits for the lock, which orders the saves of processes sharing this directory and database)
  let saving: Promise<unknown> = Promise.resolve();
  /**
   * Validates the whole set as `change` makes it from the directory's files, records the version, then writes the
   * files; the set in force stays on a refusal. A directory a hand edit broke is replaced like any other.
   */
  const replaceFiles = (
    actor: Actor,
    change: (held: RuleFiles) => RuleFiles,
    action: (typeof AUDIT_ACTIONS)["rules"][number],
    target: string,
    note: string,
    how: PutByTuner["how"],
  ): Promise<{ rs: RuleSet; rules: RuleChanges; replaced: RuleSet | undefined }> => {
    const run = saving.then(async () => {
      let putBack = (): void => undefined;
      try {
        const saved = await c.db.tx(async (q) => {
          await q.query("SELECT pg_advisory_xact_lock(hashtext('moneytrail rules save'))");
          const held = files();
          const next = change(held);
          for (const name of Object.keys(next)) if (!Object.hasOwn(held, name)) checkNewName(name);
          const rs = loadFiles(next);
          const dir = readDir();
          const before = status().version;
          // what the save replaces: the directory's set, or where a hand edit broke that, the set in force
          const replaced = dir instanceof ConfigError ? await versionFiles(q, before).then((f) => (f ? loadFiles(f) : undefined)) : dir;
          checkNotEmptied(rs, replaced, basename(c.dir));
          // the directory's set is in the history too (it may be a hand edit), so this change can always be compared and rolled back
          if (!(dir instanceof ConfigError)) await recordVersion(q, dir, held, "directory");
          await recordVersion(q, rs, next, actor.username, { how, note });
          await writeAudit(q, actor, action, {
            target,
            before: { version: before },
            after: { version: rs.version },
            // a hand edit had broken the directory: what this save replaced was not the set in force
            detail: { note, ...(dir instanceof ConfigError ? { directoryRefused: dir.message } : {}) },
          });
          // last and inside the transaction: the history and the audit trail hold the save only once its files are in place
          putBack = () => writeFiles(held);
          writeFiles(next);
          return { rs, rules: ruleChanges(replaced, rs), replaced };
        });
        c.onRulesChanged?.(saved.rs);
        // the page's watcher sees the save now, so that a hand edit right after it is a change it records
        local?.check();
        return saved;
      } catch (err) {
        // a rename or the commit failed after files were replaced: put back what was there
        putBack();
        throw err;
      }
    });
    saving = run.catch(() => undefined);
    return run;
  };
  /** `base`: the fileVersion of the file the change was made from ("" for a new file), checked in the save's turn. */
  const changeFile = (actor: Actor, file: string, content: string, base: string, note: string, via: "page" | "api") =>
    replaceFiles(
      actor,
      (held) => {
        if (fileVersion(held[file]) !== base) throw new StaleFile(file, held[file], base);
        return { ...held, [file]: content };
      },
      "rules-change",
      file,
      note,
      via,
    );

  // a consumer's rules status comes with the page `run` serves; the demo's page has none, and nothing runs a change
  const taken = c.status
    ? "running consumers pick it up without a restart"
    : "no consumer runs with this page (the demo), so no alert or case changes here: backtest the change on recorded events to see what it would flag (moneytrail backtest, docs/backtest.md)";

  /** `saved`: the set a save or restore just wrote, whose doubts the page says; else the set in force's */
  const page = async (req: FastifyRequest, o: { error?: string; notice?: string | Html; kept?: KeptEdit; conflict?: RulesConflict; saved?: RuleSet } = {}) => {
    const rs = await inForce();
    const { saved, ...view } = o;
    return rulesPage(c.pageUser(req)!, {
      rs,
      doubts: { of: saved ? "saved" : "in force", notes: doubtsOf(saved ?? rs) },
      status: status(),
      files: files(),
      versions: await versions(c.db),
      periods: await periods(c.db),
      hits: await ruleHits(c.db),
      feedback: await ruleFeedback(c.db),
      ...(!c.status && { demoDir: c.dir }),
      ...view,
    });
  };

  app.get("/rules", { config: { perm: "rules:read" } }, async (req, reply) => c.sendHtml(reply, await page(req)));
  // the form carries `base`, the version of the file it showed
  app.post("/rules/:file", { config: { perm: "rules:write" } }, async (req, reply) => {
    const { file } = req.params as { file: string };
    // a browser sends a textarea's line breaks as CRLF (HTML's form submission): written so, every line of the file
    // changed, and the history's diff of the change showed them all
    const content = fileText(req.body).replace(/\r\n/g, "\n");
    const base = String((req.body as Record<string, unknown>).base ?? "");
    // kept in the form if the save is refused, as the text is
    const typed = String((req.body as Record<string, unknown>).note ?? "");
    try {
      const { rs, rules, replaced } = await changeFile(req.actor!, file, content, base, changeNote(req, ""), "page");
      const notice = `${file} saved: rule set version ${rs.version}; ${taken}.${changesText(rules, rs, replaced)}`;
      return c.sendHtml(reply, await page(req, { notice: c.status ? notice : html`${notice} To backtest it: ${demoBacktest(c.dir)}.`, saved: rs }));
    } catch (err) {
      // a refused save's form is shown again with the tuner's text in it
      if (err instanceof StaleFile) {
        const { current } = err;
        const changedBy = await fileChangedBy(c.db, file, current);
        const diff = diffFiles(current === undefined ? {} : { [file]: current }, { [file]: content }, ["now", "yours"]);
        // over the file as the refusal found it: saving again replaces that deliberately
        const kept = { file, yours: content, base: fileVersion(current), note: typed };
        return c.sendHtml(reply, await page(req, { kept, conflict: { file, current, changedBy, diff } }), 409);
      }
      if (!(err instanceof ConfigError) && !(err instanceof NoteRefused)) throw err;
      // over the version it was made from (the one on disk: a stale save is refused above), so the next save is still checked against it
      return c.sendHtml(reply, await page(req, { kept: { file, yours: content, base, note: typed }, error: `Refused; the rule set in force is unchanged. ${err.message}${brokenElsewhere(err, file)}` }), 400);
    }
  });
  app.get("/rules/diff", { config: { perm: "rules:read" } }, async (req, reply) => reply.type("text/plain; charset=utf-8").send(await diff(req.query as Record<string, string>)));

  app.get("/api/rules", { config: { perm: "rules:read" } }, async () => {
    const rs = await inForce();
    const held = files();
    return {
      id: rs.id,
      version: rs.version,
      rules: rs.rules.map((r) => ({ id: r.id, kind: r.kind.kind, mode: r.mode, weight: r.weight, typology: r.typology, version: r.version })),
      files: Object.keys(held),
      fileVersions: Object.fromEntries(Object.entries(held).map(([name, text]) => [name, fileVersion(text)])),
      doubts: doubtsOf(rs),
    };
  });
  app.get("/api/rules/status", { config: { perm: "rules:read" } }, async () => status());
  // If-Match names the version of the file the change was made from: `"sha256:<hex of the file's text>"`, as
  // fileVersions in GET /api/rules lists it. A file changed since is refused (409, naming its version now); so is a
  // request without If-Match to an existing file, which before this check silently replaced whatever was there:
  // without If-Match a PUT only creates a file, and is refused if one by that name appeared meanwhile.
  app.put("/api/rules/:file", { config: { perm: "rules:write" } }, async (req) => {
    const content = fileText(req.body);
    const base = String(req.headers["if-match"] ?? "").replace(/^"(.*)"$/, "$1");
    const { file } = req.params as { file: string };
    const { rs, rules } = await changeFile(req.actor!, file, content, base, changeNote(req, SAVE_NOTE), "api").catch(async (err: unknown) => {
      // the refusal says who saved the file since, as the page does: it may well be the same tuner (a retried PUT)
      if (err instanceof StaleFile && err.current !== undefined && err.base) throw new StaleFile(file, err.current, err.base, await fileChangedBy(c.db, file, err.current));
      throw err;
    });
    return { id: rs.id, version: rs.version, fileVersion: fileVersion(content), rules, doubts: doubtsOf(rs) };
  });
  // listed by when each was first recorded, so after a roll-back the version in force is not the first: each says whether it is
  app.get("/api/rules/versions", { config: { perm: "rules:read" } }, async () => {
    const { version } = status();
    return (await versions(c.db)).map((v) => ({ ...v, inForce: v.version === version }));
  });
  // the periods each version was in force (a version restored or edited back to runs again: one period each time);
  // ?at=ISO-TIME: the one in force then
  app.get("/api/rules/periods", { config: { perm: "rules:read" } }, async (req) => {
    const { at } = req.query as { at?: string };
    if (at !== undefined && Number.isNaN(Date.parse(at))) throw new CaseError(400, `at=${at}: give a time, e.g. 2026-01-31T12:00:00Z`);
    return periods(c.db, at);
  });
  // a version as the page and a backtest report show it (sha256: and 12 digits), or whole
  const versionOf = async (given: string): Promise<{ version: string; files: RuleFiles }> => {
    const v = await findVersion(c.db, given);
    if ("problem" in v) throw new CaseError(v.problem === "none" ? 404 : 400, v.why);
    return { version: v.version, files: (await versionFiles(c.db, v.version))! };
  };
  app.get("/api/rules/versions/:version", { config: { perm: "rules:read" } }, async (req) => versionOf((req.params as { version: string }).version));
  const diff = async (q: Record<string, string>): Promise<string> => {
    if (!q.from) throw new CaseError(400, "give ?from=VERSION (and optionally &to=VERSION; default: the version in force)");
    const to = q.to ?? status().version;
    const [a, b] = await Promise.all([versionOf(q.from), to === dirVersion() ? { version: to, files: files() } : versionOf(to)]);
    return diffFiles(a.files, b.files, [a.version.slice(7, 19), b.version.slice(7, 19)]) || "(no difference)\n";
  };
  app.get("/api/rules/diff", { config: { perm: "rules:read" } }, async (req, reply) => reply.type("text/plain; charset=utf-8").send(await diff(req.query as Record<string, string>)));
  app.post("/api/rules/versions/:version/restore", { config: { perm: "rules:write" } }, async (req) => {
    const { version, files: f } = await versionOf((req.params as { version: string }).version);
    const { rs, rules } = await replaceFiles(req.actor!, () => f, "rules-restore", version, changeNote(req, RESTORE_NOTE), "restore");
    return { id: rs.id, version: rs.version, rules, doubts: doubtsOf(rs) };
  });
  app.post("/rules/restore", { config: { perm: "rules:write" } }, async (req, reply) => {
    const { version, files: f } = await versionOf(String((req.body as Record<string, string>)?.version ?? ""));
    let note: string;
    try {
      note = changeNote(req, "");
    } catch (err) {
      if (!(err instanceof NoteRefused)) throw err;
      return c.sendHtml(reply, await page(req, { error: `Not restored; the rule set in force is unchanged. ${err.message}` }), 400);
    }
    const { rs, rules, replaced } = await replaceFiles(req.actor!, () => f, "rules-restore", version, note, "restore");
    return c.sendHtml(reply, await page(req, { notice: `Restored version ${rs.version}; ${taken}.${changesText(rules, rs, replaced)}`, saved: rs }));
  });
  app.get("/api/rules/hits", { config: { perm: "rules:read" } }, async () => ruleHits(c.db));
  app.get("/api/rules/feedback", { config: { perm: "rules:read" } }, async () => ruleFeedback(c.db));
}
