// A reload that makes a merchant's findings alert (a shadow rule put live, a weight raised, the alert level lowered)
// alerts it at its next event, whatever that event is; and there its findings are counted as hits of the rules in
// force, so a shadow rule put live counts the merchants it already holds as live hits, since their findings now score.
import { beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../src/engine.js";
import { crawl, feed, indexOf, merchant, resetEvents, ruleSetWith, state, tx, M1, M2 } from "./helpers/events.js";

const cloak = (mode: "live" | "shadow", weight = 60) => `
  - id: cloak
    kind: cloaked-content
    mode: ${mode}
    weight: ${weight}
    typology: disguised-site
    params: {}
`;
const engine = (rules: string) => new Engine(ruleSetWith(rules, { alertAt: 60 }), indexOf(), false, true);
const cloaked = (merchantId: string) => crawl({ merchantId, url: "https://shop.example/", contentDiffersByReferrer: true });

beforeEach(() => resetEvents());

describe("a reload that makes findings alert", () => {
  it("a shadow rule put live alerts the merchants it holds at their next event, and counts them as its live hits", () => {
    const e = engine(cloak("shadow"));
    expect(feed(e, [merchant(), cloaked(M1), merchant({ merchantId: M2 })])).toEqual([]);
    expect(e.takeHits()).toEqual([expect.objectContaining({ rule: "cloak", mode: "shadow", merchantId: M1 })]);
    const live = ruleSetWith(cloak("live"), { alertAt: 60 });
    e.replaceRuleSet(live);
    // a sale changes no finding, but the set in force now alerts on those the merchant has
    const sale = tx();
    const alerts = feed(e, [sale, tx({ merchantId: M2 })]);
    expect(alerts.map((a) => [a.merchantId, a.score, a.signals.map((s) => s.rule)])).toEqual([[M1, 60, ["cloak"]]]);
    expect(e.takeHits()).toEqual([{ rule: "cloak", version: live.rules[0]!.version, mode: "live", merchantId: M1, at: sale.occurredAt }]);
    // once: the next event is an ordinary one again
    expect(feed(e, [tx()])).toEqual([]);
  });

  it("a raised weight alerts at the merchant's next event", () => {
    const e = engine(cloak("live", 45));
    expect(feed(e, [merchant(), cloaked(M1)])).toEqual([]);
    expect(e.takeHits()).toHaveLength(1);
    e.replaceRuleSet(ruleSetWith(cloak("live", 70), { alertAt: 60 }));
    expect(feed(e, [tx()]).map((a) => a.score)).toEqual([70]);
  });

  it("so does a restart under rules changed while the service was down; under the same rules, nothing is alerted again", () => {
    const before = engine(cloak("shadow"));
    feed(before, [merchant(), cloaked(M1)]);
    const checkpoint = [before.snapshot(state(before))];
    const same = engine(cloak("shadow"));
    same.restore(structuredClone(checkpoint));
    expect(feed(same, [tx()])).toEqual([]);
    const changed = engine(cloak("live"));
    changed.restore(structuredClone(checkpoint));
    expect(feed(changed, [tx()]).map((a) => a.score)).toEqual([60]);
    expect(changed.takeHits()).toEqual([expect.objectContaining({ rule: "cloak", mode: "live", merchantId: M1 })]);
    expect(feed(changed, [tx()])).toEqual([]);
  });
});
