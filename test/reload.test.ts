// The rule-set watcher and the engine's switch of rule sets, without a broker (the broker test is
// test/integration/hot-reload.test.ts).
import { afterEach, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RuleSetWatcher } from "../src/rules/reload.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { Engine } from "../src/engine.js";
import type { StoredMerchant } from "../src/state/merchant.js";
import { chargeback, feed, indexOf, indicatorSet, merchant, resetEvents, ruleSetWith, signalOf, state, tx, M1, M2, M3, M4 } from "./helpers/events.js";
import { SHARED_RULE } from "./helpers/rules.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const copy = () => {
  const d = mkdtempSync(join(tmpdir(), "mt-watch-"));
  cpSync(DEFAULT_RULES, d, { recursive: true });
  dirs.push(d);
  return d;
};

describe("rule-set watcher", () => {
  it("puts a valid change in force, refuses a bad one with its file and keeps the set in force, clears the refusal once fixed", async () => {
    const dir = copy();
    const v1 = loadRuleSet(dir);
    const changes: string[] = [];
    const refusals: string[] = [];
    const w = new RuleSetWatcher({ dir, current: v1, onChange: (rs) => changes.push(rs.version), onRefused: (m) => refusals.push(m), debounceMs: 20 });
    expect(w.check()).toBe(v1);
    const settings = readFileSync(join(dir, "ruleset.yaml"), "utf8");
    writeFileSync(join(dir, "ruleset.yaml"), settings.replace("alertAt: 60", "alertAt: 55"));
    const v2 = w.check();
    expect(v2.version).not.toBe(v1.version);
    expect(changes).toEqual([v2.version]);
    const sites = readFileSync(join(dir, "sites.yaml"), "utf8");
    writeFileSync(join(dir, "sites.yaml"), `${sites}\n  - id: oops\n    kind: flagged-site-link\n    weight: 500\n    typology: x\n`);
    expect(w.check()).toBe(v2);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/sites\.yaml.*weight/);
    expect(w.status).toMatchObject({ version: v2.version, lastRefusal: { message: refusals[0] } });
    writeFileSync(join(dir, "sites.yaml"), sites);
    expect(w.check()).toBe(v2);
    expect(w.status.lastRefusal).toBeUndefined();
    // the file-system watch does the same on its own
    w.start();
    writeFileSync(join(dir, "ruleset.yaml"), settings);
    await expect.poll(() => w.status.version, { timeout: 5000 }).toBe(v1.version);
    w.stop();
  });
});

describe("rule-set watcher: changes the directory watch does not report", () => {
  /** A rules directory with a lower alert level than the default one, and its version. */
  const lowered = () => {
    const d = copy();
    writeFileSync(join(d, "ruleset.yaml"), readFileSync(join(d, "ruleset.yaml"), "utf8").replace("alertAt: 60", "alertAt: 55"));
    return { dir: d, version: loadRuleSet(d).version };
  };

  it("puts in force a release deployed by swapping the symlink to the rules directory, and a save made after it", async () => {
    const base = copy();
    const link = join(base, "current");
    symlinkSync(copy(), link);
    const w = new RuleSetWatcher({ dir: link, current: loadRuleSet(link), onChange: () => undefined, onRefused: () => undefined, debounceMs: 20, pollMs: 100 });
    w.start();
    try {
      const next = lowered();
      symlinkSync(next.dir, join(base, "next"));
      renameSync(join(base, "next"), link);
      await expect.poll(() => w.status.version, { timeout: 5000 }).toBe(next.version);
      // a tuner's save into the directory now behind the link
      writeFileSync(join(link, "ruleset.yaml"), readFileSync(join(link, "ruleset.yaml"), "utf8").replace("alertAt: 55", "alertAt: 50"));
      const saved = loadRuleSet(link).version;
      await expect.poll(() => w.status.version, { timeout: 5000 }).toBe(saved);
    } finally {
      w.stop();
    }
  });

  it("puts in force a directory removed and made again, and clears the refusal of the missing directory", async () => {
    const dir = join(copy(), "rules");
    cpSync(DEFAULT_RULES, dir, { recursive: true });
    const refusals: string[] = [];
    const w = new RuleSetWatcher({ dir, current: loadRuleSet(dir), onChange: () => undefined, onRefused: (m) => refusals.push(m), debounceMs: 20, pollMs: 100 });
    w.start();
    try {
      rmSync(dir, { recursive: true });
      await expect.poll(() => refusals.length, { timeout: 5000 }).toBe(1);
      // which directory, that the set in force stays, and what to do; not the bare `ENOENT: ... stat` of the call
      expect(refusals[0]).toBe(
        `rules directory ${dir} is not there (ENOENT: removed or renamed, or a link to a directory that is not there): put the rule files back at ${dir}, or the link to a directory holding them. The rule set in force (${w.status.id}, version ${w.status.version}) stays; the directory is read again every 0.1 s and a valid set found there put in force`,
      );
      expect(w.status.lastRefusal?.message).toBe(refusals[0]);
      const next = lowered();
      cpSync(next.dir, dir, { recursive: true });
      await expect.poll(() => w.status.version, { timeout: 5000 }).toBe(next.version);
      expect(w.status.lastRefusal).toBeUndefined();
    } finally {
      w.stop();
    }
  });
});

describe("engine: a new rule set between two events", () => {
  const RULES = (threshold: number) => `
  - id: ratio
    kind: chargeback-ratio
    weight: 70
    typology: excessive-disputes
    params: { measure: window, levels: [{ name: early, ratio: ${threshold}, minCount: 2 }] }
  - id: churn
    kind: descriptor-churn
    weight: 10
    typology: brand-churn
    params: { distinct: 2, withinDays: 30 }
`;
  it("keeps each rule's counts by id, applies the new threshold to them, and drops a removed rule's signal", () => {
    resetEvents();
    const engine = new Engine(ruleSetWith(RULES(0.5), { alertAt: 60 }), indexOf());
    const events = [merchant(), ...Array.from({ length: 10 }, () => tx({ status: "settled" })), tx({ status: "settled", descriptor: "OTHER BRAND 555" }), chargeback(), chargeback()];
    expect(feed(engine, events)).toEqual([]);
    expect(signalOf(engine, "churn")).toBeDefined();
    const lower = ruleSetWith(RULES(0.1).split("  - id: churn")[0]!, { alertAt: 60 });
    engine.replaceRuleSet(lower);
    const alerts = feed(engine, [chargeback()]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.ruleSet.version).toBe(lower.version);
    expect(signalOf(engine, "ratio")!.value).toBeCloseTo(3 / 11);
    expect(signalOf(engine, "churn")).toBeUndefined();
  });

  // the same id, another kind: its slots have another shape
  const CHURN = RULES(0.5).split("  - id: churn")[0]!;
  const asChurn = `${CHURN}  - id: ratio2
    kind: descriptor-churn
    weight: 10
    typology: brand-churn
    params: { distinct: 2, withinDays: 30 }
`;
  const asRatio = `${CHURN}  - id: ratio2
    kind: chargeback-ratio
    weight: 70
    typology: excessive-disputes
    params: { measure: window, levels: [{ name: early, ratio: 0.1, minCount: 2 }] }
`;
  const history = () => [merchant(), ...Array.from({ length: 10 }, () => tx({ status: "settled" })), tx({ status: "settled", descriptor: "OTHER BRAND 555" })];

  it("a rule that keeps its id but changes kind starts afresh in a running engine", () => {
    resetEvents();
    const engine = new Engine(ruleSetWith(asChurn), indexOf());
    feed(engine, history());
    expect(signalOf(engine, "ratio2")).toBeDefined();
    engine.replaceRuleSet(ruleSetWith(asRatio));
    expect(signalOf(engine, "ratio2")).toBeUndefined();
    const alerts = feed(engine, [chargeback(), chargeback()]);
    expect(signalOf(engine, "ratio2")?.value).toBeCloseTo(2 / 11);
    expect(alerts).toHaveLength(1);
    expect(engine.counts.slotsReset).toBe(0);
  });

  it("a slot checkpointed under another kind of rule with the same id is dropped, with its signal, when restored", () => {
    resetEvents();
    const before = new Engine(ruleSetWith(asChurn), indexOf());
    feed(before, history());
    const saved = [...before.merchants.values()].map((m) => JSON.parse(JSON.stringify(before.snapshot(m))) as StoredMerchant);
    expect(Object.keys(saved[0]!.slots)).toContain("ratio2@descriptor-churn");
    const after = new Engine(ruleSetWith(asRatio), indexOf());
    after.restore(saved);
    expect(after.counts.slotsReset).toBe(1);
    expect(signalOf(after, "ratio2")).toBeUndefined();
    const alerts = feed(after, [chargeback(), chargeback()]);
    expect(signalOf(after, "ratio2")?.value).toBeCloseTo(2 / 11);
    expect(alerts).toHaveLength(1);
  });

  it("a slot stored under its bare rule id (before kinds were recorded) is restored as the rule's own", () => {
    resetEvents();
    const before = new Engine(ruleSetWith(asChurn), indexOf());
    feed(before, history());
    const saved = [...before.merchants.values()].map((m) => {
      const s = JSON.parse(JSON.stringify(before.snapshot(m))) as StoredMerchant;
      s.slots = Object.fromEntries(Object.entries(s.slots).map(([k, v]) => [k.split("@")[0]!, v]));
      return s;
    });
    const after = new Engine(ruleSetWith(asChurn), indexOf());
    after.restore(saved);
    expect(after.counts.slotsReset).toBe(0);
    expect(JSON.stringify(after.snapshot(after.merchants.values().next().value!))).toBe(JSON.stringify(before.snapshot(before.merchants.values().next().value!)));
  });
});

describe("engine: a merchant flagged under the old rule set", () => {
  const RULES = (mode: string, alertAt = 60) =>
    ruleSetWith(
      `
  - id: fsl
    kind: flagged-site-link
    weight: 100
    mode: ${mode}
    typology: linked-to-flagged
    params: { minConfidence: 50, criticalConfidence: 100 }${SHARED_RULE}
`,
      { alertAt },
    );
  const IP = "192.0.2.79";
  const LISTED = "https://listed.example/gallery/3";
  const onIp = (merchantId: string, websites = ["https://shop.example/"]) => merchant({ merchantId, websites, infrastructure: { ips: [IP], analyticsIds: [] } });
  const ipKey = { kind: "ip", value: IP };
  const who = (alerts: { merchantId: string; typologies: string[] }[]) => alerts.map((a) => [a.merchantId, a.typologies]);
  /** M1 flagged by its listed website (own evidence), M2 linked through the IP; as `moneytrail run` has it (notices made) */
  const flaggedEngine = () => {
    resetEvents();
    const engine = new Engine(RULES("live"), indexOf(indicatorSet([{ kind: "url", value: LISTED }])), true);
    expect(who(feed(engine, [onIp(M2), onIp(M1, [LISTED])]))).toEqual([
      [M1, ["linked-to-flagged"]],
      [M2, ["shared-infrastructure"]],
    ]);
    engine.takeFlags();
    return engine;
  };

  it("stays flagged under a set that still alerts it", () => {
    const engine = flaggedEngine();
    engine.replaceRuleSet(RULES("live", 55));
    expect(state(engine, M1).flagged).toBe(true);
    expect(engine.takeFlags()).toEqual([]);
    expect(who(feed(engine, [onIp(M3)]))).toEqual([[M3, ["shared-infrastructure"]]]);
  });

  it("is unflagged at the reload when its rule is made shadow: a merchant boarding on its IP next is not linked to it", () => {
    const engine = flaggedEngine();
    const shadow = RULES("shadow");
    engine.replaceRuleSet(shadow);
    expect(state(engine, M1).flagged).toBe(false);
    // the other processes are told as when its evidence is withdrawn by an event: every key dropped
    expect(engine.takeFlags()).toEqual([{ merchantId: M1, eventId: shadow.version, occurredAt: expect.any(String), keys: [], dropped: [ipKey] }]);
    expect(engine.takeDirty()).toContain(M1);
    expect(feed(engine, [onIp(M3)])).toEqual([]);
    expect(signalOf(engine, "shared", M3)).toBeUndefined();
  });

  it("is unflagged when restored under a set that no longer alerts it (the rules changed while the service was down)", () => {
    const engine = flaggedEngine();
    const stored = [...engine.merchants.values()].map((m) => JSON.parse(JSON.stringify(engine.snapshot(m))) as StoredMerchant);
    const shadow = RULES("shadow");
    const after = new Engine(shadow, engine.indicators, true);
    after.restore(stored);
    expect(state(after, M1).flagged).toBe(false);
    expect(after.takeFlags()).toEqual([expect.objectContaining({ merchantId: M1, eventId: shadow.version, keys: [], dropped: [ipKey] })]);
    expect(feed(after, [onIp(M4)])).toEqual([]);
    // restored under the set it was flagged by, it stays flagged
    const same = new Engine(RULES("live"), engine.indicators, true);
    same.restore(stored);
    expect(same.takeFlags()).toEqual([]);
    expect(who(feed(same, [onIp(M4)]))).toEqual([[M4, ["shared-infrastructure"]]]);
  });
});
