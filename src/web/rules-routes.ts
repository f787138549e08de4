// The rule tuner's side: the set in force and any refused change, editing a file (validated whole before it is
// written), the version history with diffs and restore, hits per rule (live and shadow), and the false-positive
// rate reviewers' dispositions give each rule.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { CaseError, writeAudit, type Actor } from "../cases/store.js";
import type { Db, Queryable } from "../cases/db.js";
import { loadRuleSet, type RuleSet } from "../rules/ruleset.js";
import type { RulesStatus } from "../rules/reload.js";
import { diffFiles, filesOf, recordVersion, versionFiles, versions, type RuleFiles } from "../rules/history.js";
import { ConfigError } from "../lib/errors.js";
import type { PageUser } from "./html.js";
import { rulesPage } from "./pages/rules.js";

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
            count(DISTINCT c.case_id) FILTER (WHERE c.status = 'reported')::int AS reported,
            count(DISTINCT c.case_id) FILTER (WHERE c.status = 'dismissed' AND c.dismiss_reason IN ('false-positive', 'legitimate-business'))::int AS fp
     FROM mt_cases c JOIN mt_case_alerts ca USING (case_id) JOIN mt_alerts a USING (alert_id)
     CROSS JOIN LATERAL jsonb_array_elements(a.alert->'signals') AS s
     WHERE c.status IN ('reported', 'dismissed')
     GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return r.rows.map((x) => {
    const fp = Number(x.fp);
    const rep = Number(x.reported);
    return { rule: x.rule, month: x.month, closed: Number(x.closed), reported: rep, falsePositives: fp, falsePositiveRate: fp + rep ? fp / (fp + rep) : null };
  });
}

interface Ctx {
  db: Db;
  dir: string;
  status?: () => RulesStatus;
  onRulesChanged?: (rs: RuleSet) => void;
  pageUser: (req: FastifyRequest) => PageUser | null;
  sendHtml: (reply: FastifyReply, body: string, status?: number) => unknown;
}

const YAML_NAME = /^[a-z0-9][a-z0-9._-]*\.ya?ml$/i;

export function ruleRoutes(app: FastifyInstance, c: Ctx): void {
  const files = (): RuleFiles =>
    Object.fromEntries(
      readdirSync(c.dir)
        .filter((f) => YAML_NAME.test(f))
        .sort()
        .map((f) => [f, readFileSync(join(c.dir, f), "utf8")]),
    );
  const current = () => loadRuleSet(c.dir);
  // without a running engine (the demo) the set in force is the directory's: since when is when this page first
  // saw its version, not the time of each request
  let seen: RulesStatus | undefined;
  const status = (): RulesStatus => {
    if (c.status) return c.status();
    const rs = current();
    if (seen?.version !== rs.version) seen = { id: rs.id, version: rs.version, loadedAt: new Date().toISOString() };
    return seen;
  };

  /** Validates the whole set as it would be, records the version, then writes the files; the running set stays on a refusal. */
  const replaceFiles = async (actor: Actor, next: RuleFiles, action: string, target: string): Promise<RuleSet> => {
    for (const name of Object.keys(next)) if (!YAML_NAME.test(name)) throw new CaseError(400, `${name}: a rules file name ends in .yaml and has no path`);
    const before = current();
    const trial = mkdtempSync(join(tmpdir(), "mt-rules-"));
    try {
      for (const [name, text] of Object.entries(next)) writeFileSync(join(trial, name), text);
      let rs: RuleSet;
      try {
        rs = loadRuleSet(trial);
      } catch (err) {
        // name the tuner's files, not the trial copies
        if (err instanceof ConfigError) throw new ConfigError(basename(err.file) === basename(trial) ? basename(c.dir) : basename(err.file), err.issues);
        throw err;
      }
      await c.db.tx(async (q) => {
        // the version replaced is in the history too, so this change can always be compared and rolled back
        await recordVersion(q, before, filesOf(before), "directory");
        await recordVersion(q, rs, next, actor.username);
        await writeAudit(q, actor, action, { target, before: { version: before.version }, after: { version: rs.version } });
      });
      for (const name of Object.keys(files())) if (!(name in next)) unlinkSync(join(c.dir, name));
      for (const [name, text] of Object.entries(next)) {
        const tmp = join(c.dir, `.${name}.tmp`);
        writeFileSync(tmp, text);
        renameSync(tmp, join(c.dir, name));
      }
      c.onRulesChanged?.(rs);
      return rs;
    } finally {
      rmSync(trial, { recursive: true, force: true });
    }
  };
  const changeFile = (actor: Actor, file: string, content: string) => replaceFiles(actor, { ...files(), [file]: content }, "rules-change", file);

  const page = async (req: FastifyRequest, o: { error?: string; notice?: string } = {}) =>
    rulesPage(c.pageUser(req)!, {
      rs: current(),
      status: status(),
      files: files(),
      versions: await versions(c.db),
      hits: await ruleHits(c.db),
      feedback: await ruleFeedback(c.db),
      ...o,
    });

  app.get("/rules", { config: { perm: "rules:read" } }, async (req, reply) => c.sendHtml(reply, await page(req)));
  app.post("/rules/:file", { config: { perm: "rules:write" } }, async (req, reply) => {
    const { file } = req.params as { file: string };
    try {
      const rs = await changeFile(req.actor!, file, String((req.body as Record<string, string>)?.content ?? ""));
      return c.sendHtml(reply, await page(req, { notice: `${file} saved: rule set version ${rs.version}; running consumers pick it up without a restart.` }));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return c.sendHtml(reply, await page(req, { error: `Refused; the rule set in force is unchanged. ${err.message}` }), 400);
    }
  });
  app.get("/rules/diff", { config: { perm: "rules:read" } }, async (req, reply) => reply.type("text/plain; charset=utf-8").send(await diff(req.query as Record<string, string>)));

  app.get("/api/rules", { config: { perm: "rules:read" } }, async () => {
    const rs = current();
    return {
      id: rs.id,
      version: rs.version,
      rules: rs.rules.map((r) => ({ id: r.id, kind: r.kind.kind, mode: r.mode, weight: r.weight, typology: r.typology, version: r.version })),
      files: Object.keys(files()),
    };
  });
  app.get("/api/rules/status", { config: { perm: "rules:read" } }, async () => status());
  app.put("/api/rules/:file", { config: { perm: "rules:write" } }, async (req) => {
    const body = req.body;
    const content = typeof body === "string" ? body : String((body as { content?: string })?.content ?? "");
    const rs = await changeFile(req.actor!, (req.params as { file: string }).file, content);
    return { id: rs.id, version: rs.version };
  });
  app.get("/api/rules/versions", { config: { perm: "rules:read" } }, async () => versions(c.db));
  app.get("/api/rules/versions/:version", { config: { perm: "rules:read" } }, async (req) => {
    const { version } = req.params as { version: string };
    const f = await versionFiles(c.db, version);
    if (!f) throw new CaseError(404, `no rule-set version ${version} in the history`);
    return { version, files: f };
  });
  const diff = async (q: Record<string, string>): Promise<string> => {
    const [from, to] = [q.from, q.to ?? current().version];
    if (!from) throw new CaseError(400, "give ?from=VERSION (and optionally &to=VERSION; default: the version in force)");
    const [a, b] = await Promise.all([versionFiles(c.db, from), to === current().version ? files() : versionFiles(c.db, to)]);
    if (!a) throw new CaseError(404, `no rule-set version ${from} in the history`);
    if (!b) throw new CaseError(404, `no rule-set version ${to} in the history`);
    return diffFiles(a, b, [from.slice(7, 19), to.slice(7, 19)]) || "(no difference)\n";
  };
  app.get("/api/rules/diff", { config: { perm: "rules:read" } }, async (req, reply) => reply.type("text/plain; charset=utf-8").send(await diff(req.query as Record<string, string>)));
  app.post("/api/rules/versions/:version/restore", { config: { perm: "rules:write" } }, async (req) => {
    const { version } = req.params as { version: string };
    const f = await versionFiles(c.db, version);
    if (!f) throw new CaseError(404, `no rule-set version ${version} in the history`);
    const rs = await replaceFiles(req.actor!, f, "rules-restore", version);
    return { id: rs.id, version: rs.version };
  });
  app.post("/rules/restore", { config: { perm: "rules:write" } }, async (req, reply) => {
    const version = String((req.body as Record<string, string>)?.version ?? "");
    const f = await versionFiles(c.db, version);
    if (!f) throw new CaseError(404, `no rule-set version ${version} in the history`);
    const rs = await replaceFiles(req.actor!, f, "rules-restore", version);
    return c.sendHtml(reply, await page(req, { notice: `Restored version ${rs.version}.` }));
  });
  app.get("/api/rules/hits", { config: { perm: "rules:read" } }, async () => ruleHits(c.db));
  app.get("/api/rules/feedback", { config: { perm: "rules:read" } }, async () => ruleFeedback(c.db));
}
