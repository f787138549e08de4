import { beforeEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { Alert, type Event, type TransactionEvent } from "../src/decode/events.js";
import { Engine } from "../src/engine.js";
import { assess, materiallyChanged } from "../src/scoring/score.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { DEFAULT_RULES } from "../src/lib/paths.js";
import { EVIDENCE_CAP, activityDays } from "../src/state/evidence.js";
import { newMerchant, type ActiveSignal, type MerchantState, type StoredMerchant } from "../src/state/merchant.js";
import {
  cardToken,
  chargeback,
  crawl,
  engineWith,
  feed,
  hashOf,
  indexOf,
  indicatorSet,
  merchant,
  resetEvents,
  ruleSetWith,
  setClock,
  signalOf,
  state,
  times,
  tx,
  HIGH_RISK_MCC,
  M1,
  M2,
  M3,
} from "./helpers/events.js";

const SCORING = `
  - id: fsl
    kind: flagged-site-link
    weight: 50
    typology: linked-to-flagged
    params: { minConfidence: 50, criticalConfidence: 95 }
  - id: cloak
    kind: cloaked-content
    weight: 20
    typology: disguised-site
    params: {}
  - id: churn
    kind: descriptor-churn
    weight: 30
    typology: brand-churn
    params: { distinct: 2, withinDays: 30 }
  - id: mcc
    kind: high-risk-mcc
    weight: 0
    typology: high-risk-mcc
    params: { factor: 1.5 }
`;

const SET = indicatorSet(
  [
    { id: "d-80", kind: "domain", value: "flagged-a.example", confidence: 80 },
    { id: "d-70", kind: "domain", value: "flagged-b.example", confidence: 70 },
    { id: "d-96", kind: "domain", value: "flagged-c.example", confidence: 96 },
  ],
  { id: "coalition-test", source: "member:hotline-test" },
);

const referred = (domain: string, merchantId = M1) => tx({ merchantId, checkout: { referrerUrl: `https://${domain}/gallery` } });
const scores = (alerts: Alert[]) => alerts.map((a) => [a.score, a.severity]);

beforeEach(() => resetEvents());

describe("scoring", () => {
  it("adds weight x strength over signals; severity follows the bands; typologies and signals largest first", () => {
    const engine = engineWith(SCORING, SET, { alertAt: 40 });
    expect(feed(engine, [merchant()])).toEqual([]);
    // 50 x 0.8 = 40
    const a1 = feed(engine, [referred("flagged-a.example")]);
    expect(scores(a1)).toEqual([[40, "low"]]);
    // + 20
    const a2 = feed(engine, [crawl({ contentDiffersByReferrer: true })]);
    expect(scores(a2)).toEqual([[60, "medium"]]);
    // + 30: a second descriptor
    const a3 = feed(engine, [tx({ descriptor: "OTHER BRAND" })]);
    expect(scores(a3)).toEqual([[90, "critical"]]);
    expect(a3[0]!.typologies).toEqual(["linked-to-flagged", "brand-churn", "disguised-site"]);
    expect(a3[0]!.signals.map((s) => s.rule)).toEqual(["fsl", "churn", "cloak"]);
  });

  it("a factor multiplies the other evidence and the product is capped at 100", () => {
    const engine = engineWith(SCORING, SET, { alertAt: 40 });
    const alerts = feed(engine, [merchant({ mcc: HIGH_RISK_MCC }), referred("flagged-a.example")]);
    // 40 x 1.5
    expect(scores(alerts)).toEqual([[60, "medium"]]);
    expect(alerts[0]!.typologies).toEqual(["linked-to-flagged"]);
    expect(alerts[0]!.signals.map((s) => s.rule)).toEqual(["fsl", "mcc"]);
    const more = feed(engine, [crawl({ contentDiffersByReferrer: true }), tx({ descriptor: "OTHER BRAND" })]);
    // (40 + 20) x 1.5 = 90, then (40 + 20 + 30) x 1.5 = 135 -> 100
    expect(scores(more)).toEqual([[90, "critical"], [100, "critical"]]);
  });

  it("a critical finding alerts whatever the score, with severity critical", () => {
    const light = SCORING.replace("weight: 50", "weight: 5");
    const engine = engineWith(light, SET, { alertAt: 40 });
    const alerts = feed(engine, [merchant(), referred("flagged-c.example")]);
    // 5 x 0.96 = 4.8
    expect(scores(alerts)).toEqual([[5, "critical"]]);
    expect(Alert.parse(alerts[0])).toEqual(alerts[0]);
  });

  it.each([
    [59, "low"],
    [60, "medium"],
    [74, "medium"],
    [75, "high"],
    [89, "high"],
    [90, "critical"],
    [100, "critical"],
  ])("score %i has severity %s", (weight, severity) => {
    const one = `
      - id: cloak
        kind: cloaked-content
        weight: ${weight}
        typology: disguised-site
        params: {}
    `;
    const engine = engineWith(one, undefined, { alertAt: 1 });
    const alerts = feed(engine, [merchant(), crawl({ contentDiffersByReferrer: true })]);
    expect(scores(alerts)).toEqual([[weight, severity]]);
  });

  it("below alertAt nothing is sent; at alertAt it is", () => {
    const rules = (w: number) => `
      - id: cloak
        kind: cloaked-content
        weight: ${w}
        typology: disguised-site
        params: {}
    `;
    expect(feed(engineWith(rules(59)), [merchant(), crawl({ contentDiffersByReferrer: true })])).toEqual([]);
    expect(feed(engineWith(rules(60)), [merchant(), crawl({ contentDiffersByReferrer: true })])).toHaveLength(1);
  });
});

describe("assess and materiallyChanged", () => {
  const rs = ruleSetWith(SCORING, { alertAt: 40 });
  const sig = (o: Partial<ActiveSignal> = {}): ActiveSignal => ({
    value: 1,
    threshold: 1,
    strength: 1,
    critical: false,
    eventIds: ["e-1"],
    indicators: [],
    since: "2026-03-02T00:00:00.000Z",
    ...o,
  });
  const withSignals = (signals: Record<string, ActiveSignal>): MerchantState => ({ ...newMerchant(M1), signals });

  it("computes the score, parts and typologies exactly", () => {
    const a = assess(withSignals({ fsl: sig({ strength: 0.7 }), cloak: sig(), mcc: sig({ value: 1.2 }) }), rs);
    // (35 + 20) x 1.2 = 66
    expect(a.score).toBe(66);
    expect(a.severity).toBe("medium");
    expect(a.alert).toBe(true);
    expect(a.critical).toBe(false);
    expect(a.parts.map((p) => [p.rule.id, p.points])).toEqual([
      ["fsl", 35],
      ["cloak", 20],
      ["mcc", 0],
    ]);
    expect(a.typologies).toEqual(["linked-to-flagged", "disguised-site"]);
  });

  it("a factor alone scores 0; `firstHand` leaves out findings about peers; signals of unknown rules are ignored", () => {
    expect(assess(withSignals({ mcc: sig({ value: 3 }) }), rs)).toMatchObject({ score: 0, alert: false, typologies: [] });
    const m = withSignals({ fsl: sig({ strength: 0.9, critical: true }), cloak: sig(), gone: sig() });
    expect(assess(m, rs)).toMatchObject({ score: 65, critical: true, severity: "critical", alert: true });
    expect(assess(m, rs, true)).toMatchObject({ score: 65, critical: true });
    const withPeers = ruleSetWith(`${SCORING}
  - id: infra
    kind: shared-infrastructure
    weight: 60
    typology: linked-to-flagged
    params: {}
`, { alertAt: 40 });
    const viaPeer = withSignals({ infra: sig(), cloak: sig() });
    expect(assess(viaPeer, withPeers)).toMatchObject({ score: 80, alert: true });
    expect(assess(viaPeer, withPeers, true)).toMatchObject({ score: 20, alert: false });
  });

  it("rounds half up", () => {
    expect(assess(withSignals({ fsl: sig({ strength: 0.81 }) }), rs).score).toBe(41); // 40.5
    expect(assess(withSignals({ fsl: sig({ strength: 0.809 }) }), rs).score).toBe(40); // 40.45
  });

  it("re-alerts only on a new scoring rule, a new indicator, a higher severity or a score rise", () => {
    const ind = (id: string) => ({ set: "s", id, source: "x", confidence: 80 });
    const base = assess(withSignals({ fsl: sig({ strength: 0.8, indicators: [ind("a")] }) }), rs);
    const last = { alertId: "x", at: "t", score: 40, severity: "low", rules: ["fsl"], indicators: ["s/a"] };
    expect(materiallyChanged(undefined, base, rs)).toBe(true);
    expect(materiallyChanged(last, base, rs)).toBe(false);
    // a factor is not a new rule
    expect(materiallyChanged(last, assess(withSignals({ fsl: sig({ strength: 0.8, indicators: [ind("a")] }), mcc: sig({ value: 1.3 }) }), rs), rs)).toBe(false);
    // 40 x 1.4 = 56: a rise of 16, and medium is not reached (low until 60)
    expect(materiallyChanged(last, assess(withSignals({ fsl: sig({ strength: 0.8, indicators: [ind("a")] }), mcc: sig({ value: 1.4 }) }), rs), rs)).toBe(true);
    expect(materiallyChanged(last, assess(withSignals({ fsl: sig({ strength: 0.8, indicators: [ind("a"), ind("b")] }) }), rs), rs)).toBe(true);
    expect(materiallyChanged(last, assess(withSignals({ fsl: sig({ strength: 0.8, indicators: [ind("a")] }), cloak: sig() }), rs), rs)).toBe(true);
    // lower: never
    expect(materiallyChanged({ ...last, score: 90, severity: "critical" }, base, rs)).toBe(false);
  });
});

describe("no alert storm", () => {
  it("the same evidence repeated gives one alert", () => {
    const engine = engineWith(SCORING, SET, { alertAt: 40 });
    const alerts = feed(engine, [merchant(), ...times(100, () => referred("flagged-a.example")), ...times(20, () => crawl({ linkedUrls: ["https://flagged-a.example/x"] }))]);
    expect(alerts).toHaveLength(1);
    expect(engine.counts.alerts).toBe(1);
    expect(engine.counts.events).toBe(121);
  });

  it("a ratio wobbling around its threshold gives one alert", () => {
    const wobble = `
      - id: xb
        kind: cross-border
        weight: 60
        typology: cross-border
        params: { threshold: 0.5, minTransactions: 2 }
    `;
    const engine = engineWith(wobble);
    feed(engine, [merchant({ country: "NL" })]);
    // NL, DE, NL, DE, ...: the share is 50% after each DE (fires) and under it after each NL (withdrawn)
    let sets = 0;
    let alerts = 0;
    for (let i = 0; i < 80; i++) {
      const before = signalOf(engine, "xb") !== undefined;
      alerts += engine.process(tx({ card: { country: i % 2 ? "DE" : "NL" } })).length;
      if (!before && signalOf(engine, "xb")) sets++;
    }
    expect(sets).toBe(40);
    expect(alerts).toBe(1);
  });

  it("a new indicator gives another alert", () => {
    const engine = engineWith(SCORING, SET, { alertAt: 40 });
    const first = feed(engine, [merchant(), referred("flagged-a.example"), referred("flagged-a.example")]);
    const second = feed(engine, [referred("flagged-b.example")]);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    // the best confidence is still 80: the same score, but one more indicator
    expect(second[0]!.score).toBe(40);
    expect(second[0]!.signals[0]!.evidence.indicators!.map((i) => i.id)).toEqual(["d-80", "d-70"]);
    expect(feed(engine, [referred("flagged-b.example"), referred("flagged-a.example")])).toEqual([]);
  });

  it("a severity rise gives another alert, even when realertOnScoreRise is out of reach", () => {
    const engine = engineWith(SCORING, SET, { alertAt: 40, realertOnScoreRise: 100 });
    const first = feed(engine, [merchant(), referred("flagged-a.example")]);
    expect(scores(first)).toEqual([[40, "low"]]);
    // the factor is no new rule: the rise to 60 (medium) is what alerts
    const second = feed(engine, [merchant({ mcc: HIGH_RISK_MCC })]);
    expect(scores(second)).toEqual([[60, "medium"]]);
    // back down and up again to the same severity: nothing new
    expect(feed(engine, [merchant(), merchant({ mcc: HIGH_RISK_MCC })])).toEqual([]);
  });

  it("a score rise of realertOnScoreRise gives another alert at the same severity; less does not", () => {
    const rules = (factor: number) => `
      - id: cloak
        kind: cloaked-content
        weight: 60
        typology: disguised-site
        params: {}
      - id: mcc
        kind: high-risk-mcc
        weight: 0
        typology: high-risk-mcc
        params: { factor: ${factor} }
    `;
    const bands = { medium: 60, high: 80, critical: 95 };
    const small = engineWith(rules(1.2), undefined, { severity: bands });
    feed(small, [merchant(), crawl({ contentDiffersByReferrer: true })]);
    // 72: a rise of 12
    expect(feed(small, [merchant({ mcc: HIGH_RISK_MCC })])).toEqual([]);

    resetEvents();
    const enough = engineWith(rules(1.25), undefined, { severity: bands });
    feed(enough, [merchant(), crawl({ contentDiffersByReferrer: true })]);
    // 75: a rise of 15
    expect(scores(feed(enough, [merchant({ mcc: HIGH_RISK_MCC })]))).toEqual([[75, "medium"]]);
  });

  it("a withdrawn finding that comes back is not new", () => {
    const engine = engineWith(SCORING, SET, { alertAt: 20 });
    const alerts = feed(engine, [
      merchant(),
      crawl({ url: "https://shop.example/", contentDiffersByReferrer: true }),
      crawl({ url: "https://shop.example/", contentDiffersByReferrer: false }),
      crawl({ url: "https://shop.example/", contentDiffersByReferrer: true }),
      crawl({ url: "https://shop.example/", contentDiffersByReferrer: false }),
      crawl({ url: "https://shop.example/", contentDiffersByReferrer: true }),
    ]);
    expect(alerts).toHaveLength(1);
  });
});

describe("shadow rules", () => {
  it("evaluate and record their hits but never score or alert, even on a critical match", () => {
    const rules = SCORING.replace("params: { minConfidence: 50, criticalConfidence: 95 }", "mode: shadow\n    params: { minConfidence: 50, criticalConfidence: 95 }");
    const engine = new Engine(ruleSetWith(rules, { alertAt: 10 }), indexOf(SET), false, true);
    const alerts = feed(engine, [merchant(), referred("flagged-c.example")]);
    expect(alerts).toEqual([]);
    expect(signalOf(engine, "fsl")).toMatchObject({ value: 96, critical: true });
    expect(engine.takeHits()).toEqual([expect.objectContaining({ rule: "fsl", mode: "shadow", merchantId: M1 })]);
    expect(engine.takeHits()).toEqual([]);
    // the same rule live alerts at once
    const live = new Engine(ruleSetWith(SCORING, { alertAt: 10 }), indexOf(SET), false, true);
    resetEvents();
    expect(feed(live, [merchant(), referred("flagged-c.example")])).toHaveLength(1);
    expect(live.takeHits()).toEqual([expect.objectContaining({ rule: "fsl", mode: "live" })]);
  });
});

describe("the alert", () => {
  it("matches the contract, names the rule set and explains each signal with its evidence", () => {
    const engine = engineWith(SCORING, SET, { alertAt: 40, id: "efc-test" });
    const m = merchant();
    const r = referred("www.flagged-a.example");
    const c = crawl({ url: "https://shop.example/landing", contentDiffersByReferrer: true });
    const alerts = feed(engine, [m, r, c]);
    expect(alerts).toHaveLength(2);
    const a = alerts[1]!;
    expect(Alert.parse(a)).toEqual(a);
    const fsl = engine.ruleSet.rules.find((x) => x.id === "fsl")!;
    const cloak = engine.ruleSet.rules.find((x) => x.id === "cloak")!;
    expect(a).toEqual({
      alertId: a.alertId,
      merchantId: M1,
      raisedAt: c.occurredAt,
      score: 60,
      severity: "medium",
      typologies: ["linked-to-flagged", "disguised-site"],
      signals: [
        {
          rule: "fsl",
          version: fsl.version,
          value: 80,
          threshold: 50,
          kind: "flagged-site-link",
          explanation: "links to a flagged site (flagged-a.example): indicator confidence 80 (counted from 50; from 95 it alerts at once, as critical)",
          evidence: {
            eventIds: [r.eventId],
            indicators: [{ set: "coalition-test", id: "d-80", source: "member:hotline-test", confidence: 80 }],
          },
        },
        {
          rule: "cloak",
          version: cloak.version,
          value: 1,
          threshold: 1,
          kind: "cloaked-content",
          explanation: "a crawl of a page on shop.example saw content change with the referrer (cloaking)",
          evidence: { eventIds: [c.eventId] },
        },
      ],
      ruleSet: { id: "efc-test", version: engine.ruleSet.version },
      context: {
        profile: expect.objectContaining({ acquirerId: m.acquirerId, descriptor: m.descriptor, mcc: m.mcc, websites: m.websites }),
        events: [
          expect.objectContaining({ eventId: r.eventId, type: "transaction", amountMinor: r.amountMinor, referrerUrl: r.checkout!.referrerUrl }),
          expect.objectContaining({ eventId: c.eventId, type: "site_observation", url: "https://shop.example/landing", contentDiffersByReferrer: true }),
        ],
        activity: [{ day: r.occurredAt.slice(0, 10), sales: 1, amountMinor: r.amountMinor, chargebacks: 0 }],
      },
    });
    expect(a.ruleSet.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fsl.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it("alert ids are deterministic: merchant, event and rule-set version", () => {
    const events = () => {
      resetEvents();
      return [merchant(), referred("flagged-a.example"), crawl({ contentDiffersByReferrer: true }), referred("flagged-a.example", M2)];
    };
    const one = feed(engineWith(SCORING, SET, { alertAt: 40 }), events());
    const two = feed(engineWith(SCORING, SET, { alertAt: 40 }), events());
    expect(one).toHaveLength(3);
    expect(two).toEqual(one);
    const version = ruleSetWith(SCORING, { alertAt: 40 }).version;
    const sample = events();
    for (const a of one) {
      // an alert is raised at the time of the event that raised it
      const raisedBy = sample.find((e) => e.merchantId === a.merchantId && e.occurredAt === a.raisedAt)!;
      const h = createHash("sha256").update(`${a.merchantId}\n${raisedBy.eventId}\n${version}`).digest("hex");
      expect(a.alertId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(a.alertId.startsWith(`${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-`)).toBe(true);
      expect(a.alertId.endsWith(`-${h.slice(20, 32)}`)).toBe(true);
    }
    expect(new Set(one.map((a) => a.alertId)).size).toBe(3);
    // another rule-set version, other ids
    const other = feed(engineWith(SCORING, SET, { alertAt: 41 }), events());
    expect(other.map((a) => a.alertId)).not.toContain(one[0]!.alertId);
  });
});

describe("state", () => {
  const INDICATORS = indicatorSet(
    [
      { id: "dom", kind: "domain", value: "flagged-gallery.example", confidence: 70, validUntil: "2027-01-01T00:00:00Z" },
      { id: "dom2", kind: "domain", value: "flagged-other.example", confidence: 60 },
      { id: "kw", kind: "keyword", value: "tokalpha", confidence: 75 },
      { id: "mid", kind: "merchant-id", value: M3, confidence: 90 },
      { id: "mail", kind: "email-sha256", value: hashOf("owner@listed.example"), confidence: 85 },
      { id: "ip", kind: "ip", value: "203.0.113.9", confidence: 65 },
    ],
    { id: "coalition-test", source: "member:hotline-test" },
  );

  /** a little of everything, on three merchants, over two months */
  function scenario(): Event[] {
    resetEvents("2026-02-20T00:00:00Z", 60_000);
    const out: Event[] = [
      merchant({ merchantId: M1, mcc: HIGH_RISK_MCC, descriptor: "TOKALPHA CLUB", infrastructure: { ips: ["192.0.2.10"] } }),
      merchant({ merchantId: M2, infrastructure: { ips: ["192.0.2.10", "203.0.113.9"] }, contactEmail: hashOf("owner@listed.example") }),
      merchant({ merchantId: M3, infrastructure: { ips: ["192.0.2.10"] } }),
    ];
    for (let i = 0; i < 60; i++) {
      out.push(
        tx({
          merchantId: [M1, M2, M3][i % 3],
          descriptor: i % 10 === 0 ? `BRAND ${"ABCDE"[i % 5]}` : undefined,
          recurring: i % 2 === 0,
          amountMinor: i % 4 === 0 ? 100 : 2995,
          card: { token: cardToken(i), bin: i % 2 ? "400000" : "510000", country: i % 3 ? "DE" : "NL" },
          checkout: { url: "https://shop.example/pay", referrerUrl: i % 5 ? "https://hidden.example/x" : "https://flagged-gallery.example/y" },
        }),
      );
      if (i % 6 === 0) out.push(chargeback({ merchantId: [M1, M2, M3][i % 3], reasonCode: "10.4" }));
      if (i === 30) setClock("2026-03-03T00:00:00Z");
    }
    out.push(crawl({ merchantId: M1, contentDiffersByReferrer: true, linkedUrls: ["https://flagged-other.example/"] }));
    return out;
  }

  it("is plain JSON: every merchant's state round-trips through JSON.stringify/parse", () => {
    const engine = new Engine(loadRuleSet(DEFAULT_RULES), indexOf(INDICATORS));
    const alerts = feed(engine, scenario());
    expect(alerts.length).toBeGreaterThan(0);
    expect(engine.merchants.size).toBe(3);
    for (const m of engine.merchants.values()) {
      expect(Object.keys(m.signals).length).toBeGreaterThan(0);
      const stored = engine.snapshot(m);
      expect(JSON.parse(JSON.stringify(stored))).toEqual(stored);
    }
    // the slots that keep indicator matches are among them
    expect(Object.keys(engine.snapshot(state(engine, M1)).slots)).toEqual(expect.arrayContaining(["flagged-site-link", "descriptor-keywords"]));
    expect(Object.keys(engine.snapshot(state(engine, M2)).slots)).toContain("listed-identifier");
  });

  /**
   * Runs the scenario without a stop, and again with a stop halfway: the state as JSON, passed through `rewrite`,
   * restored into a new engine. The second half must give the same alerts and the same final state.
   */
  function expectResumes(rewrite: (stored: Record<string, unknown>) => Record<string, unknown> = (s) => s): Record<string, unknown>[] {
    const events = scenario();
    const cut = Math.floor(events.length / 2);
    const live = new Engine(loadRuleSet(DEFAULT_RULES), indexOf(INDICATORS));
    const liveAlerts = feed(live, events.slice(0, cut));
    const rest = feed(live, events.slice(cut));

    const first = new Engine(loadRuleSet(DEFAULT_RULES), indexOf(INDICATORS));
    expect(feed(first, events.slice(0, cut))).toEqual(liveAlerts);
    const saved = [...first.merchants.values()].map((m) => rewrite(JSON.parse(JSON.stringify(first.snapshot(m))) as Record<string, unknown>));
    const restored = new Engine(loadRuleSet(DEFAULT_RULES), indexOf(INDICATORS));
    restored.restore(saved as unknown as StoredMerchant[]);
    expect(feed(restored, events.slice(cut))).toEqual(rest);
    for (const id of [M1, M2, M3])
      expect(JSON.parse(JSON.stringify(restored.snapshot(state(restored, id))))).toEqual(JSON.parse(JSON.stringify(live.snapshot(state(live, id)))));
    return saved;
  }

  it("an engine restored from JSON state carries on exactly like one that never stopped", () => {
    expectResumes();
  });

  it("resumes from a checkpoint written before the month windows became two fields", () => {
    /** the earlier shape: `months: [previous, current]`, and descriptor-churn's days all in its list */
    const legacy = (o: Record<string, unknown>): Record<string, unknown> => {
      const { month, prevMonth, ...rest } = o;
      return month ? { ...rest, months: [prevMonth, month] } : o;
    };
    const saved = expectResumes((s) => {
      const slots = s.slots as Record<string, Record<string, unknown>>;
      for (const [id, slot] of Object.entries(slots)) if (!Array.isArray(slot)) slots[id] = legacy(slot);
      const churn = slots["descriptor-churn"] as { seen: { day: number }[]; day?: number; oldest?: number } | undefined;
      if (churn) {
        churn.seen.at(-1)!.day = churn.day!;
        delete churn.day;
        delete churn.oldest;
      }
      return legacy(s);
    });
    expect(saved.some((s) => Array.isArray(s.months) && Array.isArray((s.slots as Record<string, { months?: unknown }>)["cross-border"]?.months))).toBe(true);
  });

  it("is bounded: 100,000 transactions on one merchant keep its JSON small and no longer growing", { timeout: 60_000 }, () => {
    const engine = new Engine(loadRuleSet(DEFAULT_RULES), indexOf(INDICATORS));
    resetEvents("2026-01-01T00:00:00Z", 20_000);
    engine.process(merchant({ mcc: HIGH_RISK_MCC, descriptor: "EXAMPLE SHOP 0201234567" }));
    // one validated template; the loop varies what a busy merchant's traffic varies
    const template = tx({ descriptor: "EXAMPLE SHOP 0201234567", checkout: { url: "https://shop.example/pay", referrerUrl: "https://search-engine.example/" } });
    const t0 = Date.parse(template.occurredAt);
    const sizes: Record<number, number> = {};
    for (let i = 1; i <= 100_000; i++) {
      const e: TransactionEvent = {
        ...template,
        eventId: `e-bulk-${i}`,
        transactionId: `t-bulk-${i}`,
        occurredAt: new Date(t0 + i * 20_000).toISOString(),
        amountMinor: i % 9 === 0 ? 150 : 2995,
        recurring: i % 3 !== 0,
        card: { token: cardToken(i % 5000), bin: i % 2 ? "400000" : "510000", country: ["NL", "DE", "BE", "US"][i % 4] },
        checkout: { url: "https://shop.example/pay", referrerUrl: `https://affiliate-${i % 300}.example/p` },
      };
      engine.process(e);
      if (i % 500 === 0) engine.process(chargeback({ occurredAt: e.occurredAt, reasonCode: i % 1000 ? "10.4" : "13.1" }));
      // the daily series grows by design until it holds ACTIVITY_DAYS days (checked below); everything else must not
      if (i === 20_000 || i === 100_000) sizes[i] = Buffer.byteLength(JSON.stringify({ ...engine.snapshot(state(engine)), activity: undefined }));
    }
    const m = state(engine);
    // 100,000 sales at one every 20 s is 23 days, all in January 2026 (month 672; December 2025 is the one before)
    expect([m.prevMonth?.m, m.month?.m]).toEqual([671, 672]);
    // every sale is settled card-not-present: each counted once
    expect(m.prevMonth!.settledCnp + m.month!.settledCnp).toBe(100_000);
    // measured at about 7.5 KiB with six signals active (the card-testing window alone keeps 15 sales, the
    // reviewer's evidence 10 event summaries and 23 days of activity); what matters is that nothing grows with
    // the number of events
    expect(Buffer.byteLength(JSON.stringify(engine.snapshot(state(engine))))).toBeLessThan(9 * 1024);
    expect(m.evidence).toHaveLength(EVIDENCE_CAP);
    expect(activityDays(m.activity)).toHaveLength(24);
    expect(activityDays(m.activity).reduce((s, d) => s + d[1], 0)).toBe(100_000);
    expect(sizes[100_000]! - sizes[20_000]!).toBeLessThan(128);
    const stored = engine.snapshot(m);
    expect(JSON.parse(JSON.stringify(stored))).toEqual(stored);
  });

  it("stays bounded when every field varies on every event: descriptors, referrers, URLs, crawls", { timeout: 60_000 }, () => {
    const engine = new Engine(loadRuleSet(DEFAULT_RULES), indexOf(INDICATORS));
    resetEvents("2026-01-01T00:00:00Z", 20_000);
    engine.process(merchant({ mcc: HIGH_RISK_MCC }));
    const template = tx();
    const t0 = Date.parse(template.occurredAt);
    let size10k = 0;
    for (let i = 1; i <= 50_000; i++) {
      const occurredAt = new Date(t0 + i * 20_000).toISOString();
      engine.process({
        ...template,
        eventId: `e-bulk-${i}`,
        occurredAt,
        descriptor: `BRAND${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + ((i / 26) | 0) % 26)} SHOP ${i}`,
        amountMinor: i % 7 === 0 ? 100 : 2995,
        card: { token: cardToken(i), bin: "400000", country: "DE" },
        checkout: { url: `https://shop.example/pay/${i}`, referrerUrl: `https://ref-${i}.example/${"x".repeat(i % 64)}` },
      });
      if (i % 1000 === 0)
        engine.process(crawl({ occurredAt, url: `https://shop.example/page/${i}`, contentDiffersByReferrer: i % 2000 === 0, linkedUrls: [`https://flagged-gallery.example/${i}`] }));
      if (i === 10_000) size10k = Buffer.byteLength(JSON.stringify(engine.snapshot(state(engine))));
    }
    const size = Buffer.byteLength(JSON.stringify(engine.snapshot(state(engine))));
    // measured at about 9 KiB: capped lists of recent URLs, descriptors and ids, and the reviewer's evidence
    expect(size).toBeLessThan(11 * 1024);
    expect(size - size10k).toBeLessThan(512);
  });
});

describe("engine bookkeeping", () => {
  it("tracks changed merchants only when asked to, and evicts merchants with their infrastructure", () => {
    const rs = ruleSetWith(SCORING, { alertAt: 40 });
    const tracking = new Engine(rs, indexOf(SET), true);
    feed(tracking, [merchant({ merchantId: M1, infrastructure: { ips: ["192.0.2.1"] } }), tx({ merchantId: M2 })]);
    expect([...tracking.takeDirty()].sort()).toEqual([M1, M2]);
    expect(tracking.takeDirty().size).toBe(0);
    expect(tracking.infra.size).toBe(1);
    tracking.evict([M1, "acq-nl:unknown"]);
    expect(tracking.merchants.has(M1)).toBe(false);
    expect(tracking.infra.size).toBe(0);

    const plain = new Engine(rs, indexOf(SET));
    feed(plain, [tx()]);
    expect(plain.takeDirty().size).toBe(0);
  });

  it("a profile event repeating the merchant's lists keeps the ones already held, so their strings are held once", () => {
    const engine = engineWith(SCORING, SET);
    const infra = { ips: ["192.0.2.1", "192.0.2.2"], analyticsIds: ["UA-01000-1"] };
    feed(engine, [merchant({ merchantId: M1, principals: [hashOf("principal-1")], infrastructure: infra })]);
    const first = state(engine, M1).profile!;
    // equal lists arriving as new arrays (as every decoded event brings)
    feed(engine, [merchant({ merchantId: M1, principals: [hashOf("principal-1")], infrastructure: { ips: [...infra.ips], analyticsIds: [...infra.analyticsIds] } })]);
    const second = state(engine, M1).profile!;
    expect(second.ips).toBe(first.ips);
    expect(second.analyticsIds).toBe(first.analyticsIds);
    expect(second.principals).toBe(first.principals);
    expect(second.websites).toBe(first.websites);
    expect(engine.infra.size).toBe(4);
    // a changed list is the new one, with its values
    feed(engine, [merchant({ merchantId: M1, principals: [hashOf("principal-1")], infrastructure: { ips: ["192.0.2.2", "192.0.2.3"] } })]);
    const third = state(engine, M1).profile!;
    expect(third.ips).not.toBe(first.ips);
    expect(third.ips).toEqual(["192.0.2.2", "192.0.2.3"]);
    expect(third.analyticsIds).toEqual([]);
    expect(engine.infra.size).toBe(3);
  });

  it("keeps lastEventAt at the latest event time, whatever the order", () => {
    const engine = engineWith(SCORING, SET);
    feed(engine, [tx({ occurredAt: "2026-03-05T00:00:00Z" }), tx({ occurredAt: "2026-03-04T00:00:00Z" })]);
    expect(state(engine).lastEventAt).toBe(Date.parse("2026-03-05T00:00:00Z"));
  });
});
