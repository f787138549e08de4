// The rule tuner's editing path on the embedded database, without a broker: recovering from a directory a hand edit
// broke, file names the loader would not read, two saves at once, two tuners saving the same file (the second
// refused, not silently overwriting the first), a page save refused for its content (the tuner's text kept), and a
// write that fails part-way. A watcher
// checked by hand stands in for a running engine's (test/integration/hot-reload.test.ts has the real one).
import { afterEach, describe, expect, it } from "vitest";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { Db } from "../src/cases/db.js";
import { testDb } from "./helpers/db.js";
import { Auth } from "../src/web/auth.js";
import { CONSOLE } from "../src/cases/store.js";
import { buildWebServer } from "../src/web/server.js";
import { escape } from "../src/web/html.js";
import { createLogger } from "../src/lib/log.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { RuleSetWatcher } from "../src/rules/reload.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { fileVersion, filesOf, recordVersion } from "../src/rules/history.js";

interface Setup {
  dir: string;
  db: Db;
  app: FastifyInstance;
  token: string;
  /** the engine's stand-in, when there is one */
  watcher?: RuleSetWatcher;
}

const open: Setup[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    await s.app.close();
    await s.db.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

/** A rules directory, the database with its set recorded (as `run` and the demo do) and a tuner's token. */
async function setup(engine: boolean, dbAs: (db: Db) => Db = (db) => db): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), "mt-rules-routes-"));
  cpSync(DEFAULT_RULES, dir, { recursive: true });
  const db = await testDb();
  const rs = loadRuleSet(dir);
  await recordVersion(db, rs, filesOf(rs), "directory");
  const auth = new Auth(db);
  await auth.addUser(CONSOLE, { username: "tuner", role: "rule-tuner", password: "tuner-password-long" });
  const { token } = await auth.createToken(CONSOLE, "tuner", "test");
  const watcher = engine ? new RuleSetWatcher({ dir, current: rs, onChange: () => undefined, onRefused: () => undefined }) : undefined;
  const app = await buildWebServer({ db: dbAs(db), log: createLogger("silent" as "fatal"), rulesDir: dir, rulesStatus: watcher && (() => watcher.status) });
  const s = { dir, db, app, token, watcher };
  open.push(s);
  return s;
}

const auth = (s: Setup) => ({ authorization: `Bearer ${s.token}` });
const read = (s: Setup, file: string) => readFileSync(join(s.dir, file), "utf8");
/** A PUT made from `base`: by default the file as it is on disk when called ("" and no If-Match for a new file). */
const put = (s: Setup, file: string, payload: string, base = existsSync(join(s.dir, file)) ? fileVersion(read(s, file)) : "") =>
  s.app.inject({ method: "PUT", url: `/api/rules/${file}?note=test`, headers: { ...auth(s), "content-type": "text/plain", ...(base ? { "if-match": `"${base}"` } : {}) }, payload });
const get = (s: Setup, url: string) => s.app.inject({ method: "GET", url, headers: auth(s) });
const lowerWeight = (text: string) => text.replace(/weight: (\d+)/, (_m, w: string) => `weight: ${Number(w) - 1}`);
const audit = async (s: Setup, action: string) =>
  (await s.db.query<{ target: string; before: { version: string }; after: { version: string }; detail: unknown }>("SELECT target, before, after, detail FROM mt_audit WHERE action = $1 ORDER BY audit_id", [action])).rows;
const dirState = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => [f.name, readFileSync(join(dir, f.name), "utf8")]),
  );
const BROKEN = "rules:\n  - id: broken\n    kind: no-such-kind\n";
// the page's form for sites.yaml: the version of the file it names, and the text in it (as the HTML holds it)
const sitesForm = (body: string) => body.slice(body.indexOf('<form method="post" action="/rules/sites.yaml">'));
const baseIn = (body: string) => /name="base" value="([^"]*)"/.exec(sitesForm(body))![1]!;
const textIn = (body: string) => /<textarea name="content"[^>]*>([^]*?)<\/textarea>/.exec(sitesForm(body))![1]!;
/** The page's save of sites.yaml, as its form sends it. */
const pageSave = (s: Setup, content: string, base: string) => s.app.inject({ method: "POST", url: "/rules/sites.yaml", headers: auth(s), payload: { content, base, note: "test" } });

describe("a rules directory a hand edit broke", { timeout: 60_000 }, () => {
  it("with a running engine: the page and API show the set in force, and a corrected save is accepted, audited against the set in force", async () => {
    const s = await setup(true);
    const v1 = s.watcher!.status.version;
    const sites = read(s, "sites.yaml");
    writeFileSync(join(s.dir, "sites.yaml"), BROKEN);
    s.watcher!.check();
    expect(s.watcher!.status.lastRefusal?.message).toMatch(/sites\.yaml.*no-such-kind/);

    // the tuner can still see what is in force, and the broken file to fix
    const api = await get(s, "/api/rules");
    expect(api.statusCode, api.body).toBe(200);
    expect(api.json()).toMatchObject({ version: v1 });
    expect(api.json().rules.map((r: { id: string }) => r.id)).toContain("flagged-site-link");
    const page = await get(s, "/rules");
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain("no-such-kind");

    // a save that leaves the file broken is refused, on the page too, with its error
    const stillBroken = await s.app.inject({ method: "POST", url: "/rules/sites.yaml", headers: auth(s), payload: { content: `${BROKEN}\n`, base: fileVersion(BROKEN), note: "test" } });
    expect(stillBroken.statusCode).toBe(400);
    expect(stillBroken.body).toContain("Refused; the rule set in force is unchanged");

    // the corrected file puts the directory right
    const fixed = lowerWeight(sites);
    const ok = await put(s, "sites.yaml", fixed);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(read(s, "sites.yaml")).toBe(fixed);
    const v2 = ok.json().version as string;
    expect(s.watcher!.check().version).toBe(v2);
    expect(s.watcher!.status.lastRefusal).toBeUndefined();
    const [change] = await audit(s, "rules-change");
    expect(change).toMatchObject({ target: "sites.yaml", before: { version: v1 }, after: { version: v2 } });
    expect(JSON.stringify(change!.detail)).toMatch(/no-such-kind/);
    // the diff with the version in force compares with what was in force
    const diff = await get(s, `/api/rules/diff?from=${v1}`);
    expect(diff.body.split("\n").filter((l) => /^[-+][^-+]/.test(l))).toHaveLength(2);

    // broken again: restoring a version from the history puts it right as well
    writeFileSync(join(s.dir, "sites.yaml"), BROKEN);
    s.watcher!.check();
    const back = await s.app.inject({ method: "POST", url: `/api/rules/versions/${v1}/restore?note=test`, headers: auth(s) });
    expect(back.statusCode, back.body).toBe(200);
    expect(read(s, "sites.yaml")).toBe(sites);
    expect(s.watcher!.check().version).toBe(v1);
    expect((await audit(s, "rules-restore"))[0]).toMatchObject({ target: v1, before: { version: v2 }, after: { version: v1 } });
  });

  it("takes a version as the page and a backtest report show it (sha256: and 12 digits, or the digits alone), as well as whole", async () => {
    const s = await setup(true);
    const v1 = s.watcher!.status.version;
    const sites = read(s, "sites.yaml");
    const ok = await put(s, "sites.yaml", lowerWeight(sites));
    expect(ok.statusCode, ok.body).toBe(200);
    s.watcher!.check();
    const short = v1.slice(0, 19);
    expect((await get(s, `/api/rules/versions/${short}`)).json()).toMatchObject({ version: v1 });
    expect((await get(s, `/api/rules/diff?from=${short}`)).body.split("\n").filter((l) => /^[-+][^-+]/.test(l))).toHaveLength(2);
    const back = await s.app.inject({ method: "POST", url: `/api/rules/versions/${v1.slice(7, 19)}/restore?note=test`, headers: auth(s) });
    expect(back.statusCode, back.body).toBe(200);
    expect(read(s, "sites.yaml")).toBe(sites);
    expect((await audit(s, "rules-restore"))[0]).toMatchObject({ target: v1 });
    const form = await get(s, "/api/rules/versions/abc");
    expect(form.statusCode).toBe(400);
    expect(form.json().error).toContain("abc: give the version as the Rules page shows it");
    const none = await get(s, "/api/rules/versions/sha256:000000000000");
    expect(none.statusCode).toBe(404);
    expect(none.json().error).toMatch(/^no rule-set version sha256:000000000000 in the history; the latest recorded: sha256:/);
  });

  it("without an engine (the demo): the set last read stays in force, the refusal shows, and a corrected save is accepted", async () => {
    const s = await setup(false);
    const v1 = (await get(s, "/api/rules/status")).json().version as string;
    const sites = read(s, "sites.yaml");
    writeFileSync(join(s.dir, "sites.yaml"), BROKEN);
    const status = await get(s, "/api/rules/status");
    expect(status.statusCode, status.body).toBe(200);
    expect(status.json()).toMatchObject({ version: v1, lastRefusal: { message: expect.stringMatching(/sites\.yaml.*no-such-kind/) } });
    expect((await get(s, "/rules")).statusCode).toBe(200);
    const ok = await put(s, "sites.yaml", lowerWeight(sites));
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await get(s, "/api/rules/status")).json()).toEqual(expect.objectContaining({ version: ok.json().version }));
    expect((await get(s, "/api/rules/status")).json().lastRefusal).toBeUndefined();
  });
});

describe("rules file names", { timeout: 60_000 }, () => {
  it("refuses a name the loader would not read, saying which name to use, and writes nothing", async () => {
    const s = await setup(false);
    const before = dirState(s.dir);
    const res = await put(s, "extra.YAML", "rules:\n  - id: broken\n    kind: no-such-kind\n");
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/extra\.YAML.*extra\.yaml/);
    expect(dirState(s.dir)).toEqual(before);
    // the lower-case name is read, so validated: the same content is refused for what it says
    const lower = await put(s, "extra.yaml", "rules:\n  - id: broken\n    kind: no-such-kind\n");
    expect(lower.statusCode).toBe(400);
    expect(lower.json().error).toMatch(/extra\.yaml.*no-such-kind/);
  });

  it("validates a save with every file the loader reads, not only those the page lists", async () => {
    const s = await setup(false);
    // placed by hand (a file manager's copy, say); the loader reads it
    writeFileSync(join(s.dir, "extra copy.yaml"), "rules:\n  - id: extra-churn\n    kind: descriptor-churn\n    weight: 5\n    typology: brand-churn\n    params: { distinct: 4, withinDays: 30 }\n");
    expect(loadRuleSet(s.dir).rules.map((r) => r.id)).toContain("extra-churn");
    const dup = `${read(s, "descriptors.yaml")}\n  - id: extra-churn\n    kind: descriptor-churn\n    weight: 5\n    typology: brand-churn\n    params: { distinct: 5, withinDays: 30 }\n`;
    const res = await put(s, "descriptors.yaml", dup);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error).toMatch(/extra-churn.*already used in extra copy\.yaml|extra copy\.yaml.*extra-churn/);
    expect(() => loadRuleSet(s.dir)).not.toThrow();
  });
});

describe("saves at the same time", { timeout: 60_000 }, () => {
  it("keeps every tuner's change to a different file, and the audit chains the versions as they went into force", async () => {
    // a server's database takes its time to begin a transaction: other requests run meanwhile (PGlite would run them
    // one after another); how many saves hold a transaction at once is counted
    let inTx = 0;
    let most = 0;
    const s = await setup(false, (db) => ({
      ...db,
      tx: async (work) => {
        most = Math.max(most, ++inTx);
        try {
          await new Promise((r) => setTimeout(r, 50));
          return await db.tx(work);
        } finally {
          inTx--;
        }
      },
    }));
    const v1 = loadRuleSet(s.dir).version;
    const names = ["chargebacks.yaml", "descriptors.yaml", "identity.yaml", "sales.yaml", "sites.yaml"];
    const changed = names.map((n) => lowerWeight(read(s, n)));
    const res = await Promise.all(names.map((n, i) => put(s, n, changed[i]!)));
    for (const r of res) expect(r.statusCode, r.body).toBe(200);
    expect(names.map((n) => read(s, n))).toEqual(changed);
    const changes = await audit(s, "rules-change");
    expect(changes).toHaveLength(names.length);
    // each save's before is the one before it's after, from the set read at the start to the set now in force
    expect(changes.map((c) => c.before.version)).toEqual([v1, ...changes.slice(0, -1).map((c) => c.after.version)]);
    expect(changes.at(-1)!.after.version).toBe(loadRuleSet(s.dir).version);
    // one at a time: a save waiting its turn holds no connection of the pool the consumers commit with
    expect(most).toBe(1);
  });
});

describe("two tuners saving the same file", { timeout: 60_000 }, () => {
  const tunerSaves = async (s: Setup) => Number((await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM mt_rule_versions WHERE recorded_by = 'tuner'")).rows[0]!.n);
  const EXTRA = (id: string) => `rules:\n  - id: ${id}\n    kind: descriptor-churn\n    weight: 5\n    typology: brand-churn\n    params: { distinct: 4, withinDays: 30 }\n`;

  it("through the API: the second save from the same version is refused (409), the first one's text stays, one save is recorded; a save from the version now on disk lands", async () => {
    const s = await setup(false);
    const opened = read(s, "sites.yaml");
    const base = (await get(s, "/api/rules")).json().fileVersions["sites.yaml"] as string;
    expect(base).toBe(fileVersion(opened));
    const first = lowerWeight(opened);
    const second = lowerWeight(lowerWeight(opened));
    expect((await put(s, "sites.yaml", first, base)).statusCode).toBe(200);
    const refused = await put(s, "sites.yaml", second, base);
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().error).toContain(`sites.yaml has changed since version ${base}`);
    expect(refused.json().error).toContain(`If-Match: "${fileVersion(first)}"`);
    expect(read(s, "sites.yaml")).toBe(first);
    expect(await tunerSaves(s)).toBe(1);
    expect(await audit(s, "rules-change")).toHaveLength(1);

    // without If-Match an existing file is not replaced: the refusal says what to send
    const blind = await put(s, "sites.yaml", second, "");
    expect(blind.statusCode).toBe(409);
    expect(blind.json().error).toMatch(/sites\.yaml exists.*If-Match: "sha256:[0-9a-f]{64}".*fileVersions/);
    expect(read(s, "sites.yaml")).toBe(first);

    // sent again from the version now on disk (having compared with it), it lands
    const ok = await put(s, "sites.yaml", second, fileVersion(first));
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().fileVersion).toBe(fileVersion(second));
    expect(read(s, "sites.yaml")).toBe(second);
    expect(await tunerSaves(s)).toBe(2);
  });

  it("through the API, at the same time: one save lands and the other is refused, whichever comes second", async () => {
    const s = await setup(false);
    const opened = read(s, "sites.yaml");
    const texts = [lowerWeight(opened), lowerWeight(lowerWeight(opened))];
    const res = await Promise.all(texts.map((t) => put(s, "sites.yaml", t, fileVersion(opened))));
    expect(res.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(read(s, "sites.yaml")).toBe(texts[res.findIndex((r) => r.statusCode === 200)]);
    expect(await tunerSaves(s)).toBe(1);
  });

  it("on the page: the second save is shown again with the tuner's text kept, who saved meanwhile, the file now and the difference; saved again, it lands", async () => {
    const s = await setup(false);
    const opened = read(s, "sites.yaml");
    const base = baseIn((await get(s, "/rules")).body);
    expect(base).toBe(fileVersion(opened));
    const save = (content: string, b: string) => pageSave(s, content, b);

    const first = lowerWeight(opened);
    const second = lowerWeight(lowerWeight(opened));
    expect((await save(first, base)).statusCode).toBe(200);
    const refused = await save(second, base);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toMatch(/Not saved: someone else saved sites\.yaml after you opened it \(tuner, \d{4}-\d\d-\d\d [\d:]+ UTC\)/);
    expect(refused.body).toContain("then save again");
    expect(textIn(refused.body)).toBe(escape(second));
    expect(refused.body).toContain(`<pre id="conflict-current">${escape(first)}</pre>`);
    const diff = /<pre id="conflict-diff">([^]*?)<\/pre>/.exec(refused.body)![1]!;
    expect(diff).toContain("now/sites.yaml");
    expect(diff.split("\n").filter((l) => /^[-+][^-+]/.test(l))).toEqual([expect.stringMatching(/^-.*weight/), expect.stringMatching(/^\+.*weight/)]);
    expect(read(s, "sites.yaml")).toBe(first);
    expect(await tunerSaves(s)).toBe(1);
    expect(await audit(s, "rules-change")).toHaveLength(1);

    // the form shown again is made from the file as it is now: sending it replaces that deliberately
    expect(baseIn(refused.body)).toBe(fileVersion(first));
    const again = await save(second, baseIn(refused.body));
    expect(again.statusCode).toBe(200);
    expect(read(s, "sites.yaml")).toBe(second);
  });

  it("a new file: refused if one by that name appeared meanwhile, and a change to a file removed meanwhile is refused too", async () => {
    const s = await setup(false);
    const v1 = loadRuleSet(s.dir).version;
    expect((await put(s, "extra.yaml", EXTRA("extra-one"), "")).statusCode).toBe(200);
    const late = await put(s, "extra.yaml", EXTRA("extra-two"), "");
    expect(late.statusCode).toBe(409);
    expect(read(s, "extra.yaml")).toBe(EXTRA("extra-one"));
    // restoring the first version removes the file; a change made from it is refused
    expect((await s.app.inject({ method: "POST", url: `/api/rules/versions/${v1}/restore?note=test`, headers: auth(s) })).statusCode).toBe(200);
    const gone = await put(s, "extra.yaml", EXTRA("extra-two"), fileVersion(EXTRA("extra-one")));
    expect(gone.statusCode).toBe(409);
    expect(gone.json().error).toMatch(/extra\.yaml was removed/);
    expect(existsSync(join(s.dir, "extra.yaml"))).toBe(false);
  });
});

describe("a page save refused for its content", { timeout: 60_000 }, () => {
  it("is shown again with the error (file, path, reason) above the tuner's text, kept in its form over the version it was made from; corrected from there, it lands", async () => {
    const s = await setup(false);
    const opened = read(s, "sites.yaml");
    const base = baseIn((await get(s, "/rules")).body);
    // an edit worth keeping (a note with characters HTML escapes) and a typo in a new rule's kind
    const edited = `# tuner's note: <weights> & "kinds" reviewed\n${lowerWeight(opened)}`;
    const typo = `${edited}\n  - id: new-churn-rule\n    kind: descriptor-chrun\n    weight: 5\n    typology: brand-churn\n    params: { distinct: 4, withinDays: 30 }\n`;

    const refused = await pageSave(s, typo, base);
    expect(refused.statusCode).toBe(400);
    const error = /<p class="error" role="alert"[^>]*>([^]*?)<\/p>/.exec(refused.body)![1]!;
    expect(error).toMatch(/^Refused; the rule set in force is unchanged\. sites\.yaml.*rules\[\d+\]\.kind.*descriptor-chrun/);
    expect(refused.body.indexOf(error)).toBeLessThan(refused.body.indexOf(sitesForm(refused.body)));
    expect(textIn(refused.body)).toBe(escape(typo));
    expect(baseIn(refused.body)).toBe(base);
    expect(read(s, "sites.yaml")).toBe(opened);
    expect(await audit(s, "rules-change")).toEqual([]);

    // the typo fixed in the form shown again, sent from it
    const fixed = typo.replace("descriptor-chrun", "descriptor-churn");
    const saved = await pageSave(s, fixed, baseIn(refused.body));
    expect(saved.statusCode, saved.body).toBe(200);
    expect(read(s, "sites.yaml")).toBe(fixed);
    expect(await audit(s, "rules-change")).toHaveLength(1);
  });
});

describe("a write that fails part-way", { timeout: 60_000 }, () => {
  it("leaves the directory as it was and records nothing", async () => {
    const s = await setup(false);
    const v1 = loadRuleSet(s.dir).version;
    expect((await put(s, "chargebacks.yaml", lowerWeight(read(s, "chargebacks.yaml")))).statusCode).toBe(200);
    expect((await put(s, "sites.yaml", lowerWeight(read(s, "sites.yaml")))).statusCode).toBe(200);
    // restoring v1 rewrites both files; the second cannot be written
    mkdirSync(join(s.dir, ".sites.yaml.tmp"));
    const before = dirState(s.dir);
    const res = await s.app.inject({ method: "POST", url: `/api/rules/versions/${v1}/restore?note=test`, headers: auth(s) });
    expect(res.statusCode).toBe(500);
    expect(dirState(s.dir)).toEqual(before);
    expect(await audit(s, "rules-restore")).toEqual([]);
    rmSync(join(s.dir, ".sites.yaml.tmp"), { recursive: true });
    expect((await s.app.inject({ method: "POST", url: `/api/rules/versions/${v1}/restore?note=test`, headers: auth(s) })).statusCode).toBe(200);
    expect(loadRuleSet(s.dir).version).toBe(v1);
  });

  it("puts the files back when the transaction does not commit", async () => {
    const s = await setup(false, (db) => ({
      ...db,
      tx: (work) =>
        db.tx(async (q) => {
          await work(q);
          throw new Error("connection lost before the commit");
        }),
    }));
    const before = dirState(s.dir);
    const res = await put(s, "sites.yaml", lowerWeight(read(s, "sites.yaml")));
    expect(res.statusCode).toBe(500);
    expect(dirState(s.dir)).toEqual(before);
    expect(await audit(s, "rules-change")).toEqual([]);
  });
});

describe("the version history after a roll-back", { timeout: 60_000 }, () => {
  it("says which version is in force: the restored one, though a later one was recorded after it", async () => {
    const s = await setup(true);
    const v1 = (await get(s, "/api/rules/status")).json().version as string;
    const saved = await put(s, "sites.yaml", lowerWeight(read(s, "sites.yaml")));
    const v2 = saved.json().version as string;
    s.watcher!.check();
    expect((await s.app.inject({ method: "POST", url: `/api/rules/versions/${v1}/restore?note=test`, headers: auth(s) })).statusCode).toBe(200);
    s.watcher!.check();
    const list = (await get(s, "/api/rules/versions")).json() as { version: string; inForce: boolean }[];
    // the latest recorded first, as before; which one runs is said, not left to the order
    expect(list.map((v) => [v.version, v.inForce])).toEqual([
      [v2, false],
      [v1, true],
    ]);
  });
});
