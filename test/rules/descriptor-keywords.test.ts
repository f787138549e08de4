import { beforeEach, describe, expect, it } from "vitest";
import { engineWith, feed, indicatorSet, merchant, resetEvents, signalOf, tx } from "../helpers/events.js";

const RULES = `
  - id: kw
    kind: descriptor-keywords
    weight: 80
    typology: flagged-descriptor
    params: { minConfidence: 50 }
`;

const SET = indicatorSet(
  [
    { id: "kw-a", kind: "keyword", value: "tokalpha", confidence: 75 },
    { id: "kw-b", kind: "keyword", value: "Tok Bravo", confidence: 90 },
    { id: "kw-c", kind: "keyword", value: "tokcharlie", confidence: 49 },
    { id: "kw-old", kind: "keyword", value: "tokecho", confidence: 95, validUntil: "2026-02-01T00:00:00Z" },
  ],
  { id: "kw-set", source: "member:hotline-test" },
);

const refA = { set: "kw-set", id: "kw-a", source: "member:hotline-test", confidence: 75 };
const refB = { set: "kw-set", id: "kw-b", source: "member:hotline-test", confidence: 90 };

beforeEach(() => resetEvents());

describe("descriptor-keywords", () => {
  it("fires on a listed keyword in the profile's descriptor: strength is the confidence, evidence the event and indicator", () => {
    const engine = engineWith(RULES, SET);
    const m = merchant({ descriptor: "TOKALPHA*CLUB" });
    const alerts = feed(engine, [m]);
    expect(signalOf(engine, "kw")).toEqual({
      value: 1,
      threshold: 1,
      strength: 0.75,
      critical: false,
      eventIds: [m.eventId],
      indicators: [refA],
      detail: '"TOKALPHA*CLUB"',
      since: m.occurredAt,
    });
    // 80 x 0.75 = 60: a keyword listed at 75 alerts alone
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ score: 60, severity: "medium", typologies: ["flagged-descriptor"] });
    expect(alerts[0]!.signals[0]).toMatchObject({
      value: 1,
      threshold: 1,
      // why it counts 60 of the 80 points: the keyword's confidence, against the rule's floor
      explanation: 'billing descriptor "TOKALPHA*CLUB" contains 1 listed keyword(s), at indicator confidence 75 (counted from 50): 75% of the rule\'s weight',
      evidence: { eventIds: [m.eventId], indicators: [refA] },
    });
  });

  it.each([
    ["lower case", "tokalpha club"],
    ["mixed case", "TokAlpha Club"],
    ["diacritics", "TÖKÁLPHÀ CLUB"],
    ["digits for letters", "T0K4LPH4 CLUB"],
    ["@ for a", "TOK@LPH@ CLUB"],
    ["separators inside the word", "T.O.K.A.L.P.H.A CLUB"],
    ["a dash inside", "TOK-ALPHA*CLUB"],
    ["a space inside", "CLUB TOK ALPHA"],
    ["stars and a phone number", "*TOKALPHA*0201234567"],
    ["full-width letters", "ＴＯＫＡＬＰＨＡ"],
    ["all at once", "t.Ö.k-@L pH4 0201234567"],
  ])("sees through obfuscation (%s): %s", (_name, descriptor) => {
    const engine = engineWith(RULES, SET);
    feed(engine, [merchant(), tx({ descriptor })]);
    expect(signalOf(engine, "kw")).toMatchObject({ value: 1, strength: 0.75, indicators: [refA], eventIds: ["e-2"] });
  });

  it.each([
    ["a longer word", "TOKALPHABET CLUB"],
    ["a prefix", "XTOKALPHA CLUB"],
    ["split into a longer word", "TOK ALPHABET"],
    ["the end of a longer word", "ATOK ALPHA"],
    ["a shorter word", "TOKALPH CLUB"],
    ["the parts in another order", "ALPHA TOK"],
    ["a keyword below minConfidence", "TOKCHARLIE CLUB"],
    ["an expired keyword", "TOKECHO CLUB"],
    ["a clean descriptor", "EXAMPLE SHOP 0201234567"],
  ])("does not fire on %s: %s", (_name, descriptor) => {
    const engine = engineWith(RULES, SET);
    feed(engine, [merchant({ descriptor }), tx({ descriptor })]);
    expect(signalOf(engine, "kw")).toBeUndefined();
  });

  it("takes keywords from its own `keywords` parameter, at full strength", () => {
    const inline = RULES.replace("{ minConfidence: 50 }", '{ minConfidence: 50, keywords: ["tok-delta", "tokfoxtrot"] }');
    const engine = engineWith(inline);
    const alerts = feed(engine, [merchant({ descriptor: "SHOP*T0K DELTA" })]);
    expect(signalOf(engine, "kw")).toMatchObject({ value: 1, threshold: 1, strength: 1, indicators: [], detail: '"SHOP*T0K DELTA"' });
    expect(alerts[0]).toMatchObject({ score: 80, severity: "high" });
    expect(alerts[0]!.signals[0]!.evidence.indicators).toBeUndefined();
    expect(alerts[0]!.signals[0]!.explanation).toBe(
      'billing descriptor "SHOP*T0K DELTA" contains 1 listed keyword(s), at the rule\'s full weight (a keyword of its own list, or one listed at confidence 100)',
    );

    const none = engineWith(inline);
    feed(none, [merchant({ descriptor: "SHOP*TOKDELTAS" })]);
    expect(signalOf(none, "kw")).toBeUndefined();
  });

  it("counts one of its own keywords in full when an indicator at a lower confidence matches too", () => {
    // alone, the rule's own keyword scores 80; an indicator listing another word of the descriptor at 75 must not lower it
    const engine = engineWith(RULES.replace("{ minConfidence: 50 }", '{ minConfidence: 50, keywords: ["tok-delta"] }'), SET);
    const alerts = feed(engine, [merchant({ descriptor: "TOKALPHA*TOK DELTA" })]);
    expect(signalOf(engine, "kw")).toMatchObject({ value: 2, strength: 1, indicators: [refA] });
    expect(alerts[0]).toMatchObject({ score: 80, severity: "high" });
  });

  it("counts distinct keywords: two in one descriptor, strength from the most confident", () => {
    const engine = engineWith(RULES, SET);
    feed(engine, [merchant({ descriptor: "TOKALPHA TOK-BRAVO" })]);
    expect(signalOf(engine, "kw")).toMatchObject({ value: 2, strength: 0.9, indicators: [refA, refB] });
  });

  it("collects keyword hits over descriptors; a later clean descriptor does not erase them", () => {
    const engine = engineWith(RULES, SET);
    const alerts = feed(engine, [
      merchant({ descriptor: "TOKALPHA CLUB" }),
      tx({ descriptor: "EXAMPLE SHOP" }),
      tx({ descriptor: "TOKBRAVO CLUB" }),
      tx({ descriptor: "EXAMPLE SHOP" }),
    ]);
    expect(signalOf(engine, "kw")).toMatchObject({
      value: 2,
      strength: 0.9,
      eventIds: ["e-1", "e-3"],
      indicators: [refA, refB],
      detail: '"TOKALPHA CLUB", "TOKBRAVO CLUB"',
    });
    // first at 60 (medium), then a new indicator at 72: a new alert
    expect(alerts.map((a) => [a.score, a.severity])).toEqual([
      [60, "medium"],
      [72, "medium"],
    ]);
  });

  it("tells entries apart by set as well as id, and cites each once however many descriptors matched it", () => {
    // entry ids are a set's own: two sets may both have an ind-1
    const a = indicatorSet([{ id: "ind-1", kind: "keyword", value: "tokalpha", confidence: 75 }], { id: "set-a" });
    const b = indicatorSet([{ id: "ind-1", kind: "keyword", value: "tokbravo", confidence: 75 }], { id: "set-b" });
    const engine = engineWith(RULES, [a, b]);
    const alerts = feed(engine, [merchant({ descriptor: "TOKALPHA CLUB" }), tx({ descriptor: "TOKALPHA SHOP" }), tx({ descriptor: "TOKBRAVO SHOP" })]);
    const s = signalOf(engine, "kw")!;
    expect(s.value).toBe(2);
    expect(s.indicators.map((r) => `${r.set}/${r.id}`)).toEqual(["set-a/ind-1", "set-b/ind-1"]);
    expect(alerts.at(-1)!.signals[0]!.explanation).toMatch(/contains 2 listed keyword\(s\)/);
  });

  it("one descriptor repeated on every sale is one hit and one alert", () => {
    const engine = engineWith(RULES, SET);
    const events = [merchant({ descriptor: "TOKALPHA CLUB" }), ...Array.from({ length: 50 }, () => tx({ descriptor: "TOKALPHA CLUB" }))];
    const alerts = feed(engine, events);
    expect(alerts).toHaveLength(1);
    expect(signalOf(engine, "kw")).toMatchObject({ value: 1, eventIds: ["e-1"] });
  });

  it("respects a higher minConfidence", () => {
    const strict = RULES.replace("minConfidence: 50", "minConfidence: 80");
    const engine = engineWith(strict, SET);
    feed(engine, [merchant({ descriptor: "TOKALPHA CLUB" })]);
    expect(signalOf(engine, "kw")).toBeUndefined();
    feed(engine, [tx({ descriptor: "TOKBRAVO CLUB" })]);
    expect(signalOf(engine, "kw")).toMatchObject({ value: 1, strength: 0.9, indicators: [refB] });
  });
});
