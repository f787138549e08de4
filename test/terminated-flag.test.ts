// A merchant whose account the bank closed (a case closed as account_closed) keeps linking the merchants boarding
// on its payout account, principal, e-mail, IP or analytics id, whatever its own evidence and whatever the tuners or
// the indicator sets change: the re-boarding case. Reopened, it falls back to its own evidence.
import { beforeEach, describe, expect, it } from "vitest";
import type { Alert } from "../src/decode/events.js";
import { Engine } from "../src/engine.js";
import type { StoredMerchant } from "../src/state/merchant.js";
import { feed, hashOf, indexOf, indicatorSet, merchant, resetEvents, ruleSetWith, state, M1, M2, M3, M4 } from "./helpers/events.js";
import { SHARED_RULE } from "./helpers/rules.js";

const rules = (fslMode: "live" | "shadow") => `
  - id: fsl
    kind: flagged-site-link
    weight: 100
    typology: linked-to-flagged
    mode: ${fslMode}
    params: { minConfidence: 50, criticalConfidence: 80 }${SHARED_RULE}
`;

const LISTED_URL = "https://listed.example/gallery/1";
const PAYOUT = hashOf("payout-account-1");
const set = indicatorSet([{ id: "url-1", kind: "url", value: LISTED_URL, confidence: 90 }], { id: "coalition-test", source: "member:hotline-test" });
const onPayout = (merchantId: string, websites = ["https://shop.example/"]) => merchant({ merchantId, websites, payoutAccount: PAYOUT, infrastructure: { ips: [], analyticsIds: [] } });
const payoutKey = { kind: "payout-account", value: PAYOUT };
const who = (alerts: { merchantId: string; typologies: string[] }[]) => alerts.map((a) => [a.merchantId, a.typologies]);
/** the reviewer's explanation of the first alert's shared-infrastructure signal */
const sharedDetail = (alerts: Alert[]) => alerts[0]?.signals.find((s) => s.rule === "shared")?.explanation;

/** M1 flagged on a listed website, then the rule that flagged it switched to shadow: it would be unflagged. */
function flaggedThenReloaded(terminated: string[]): Engine {
  const engine = new Engine(ruleSetWith(rules("live")), indexOf(set), true);
  expect(who(feed(engine, [onPayout(M1, [LISTED_URL])]))).toEqual([[M1, ["linked-to-flagged"]]]);
  engine.replaceTerminated(terminated);
  engine.takeFlags();
  engine.replaceRuleSet(ruleSetWith(rules("shadow")));
  return engine;
}

beforeEach(() => resetEvents());

describe("a merchant whose account was closed", () => {
  it("control: not terminated, a reload unflags it and a merchant boarding on its payout account is not linked", () => {
    const engine = flaggedThenReloaded([]);
    expect(state(engine, M1).flagged).toBe(false);
    expect(feed(engine, [onPayout(M2)])).toEqual([]);
  });

  it("stays flagged across a reload that would unflag it: a merchant boarding on its payout account is alerted, naming it as terminated", () => {
    const engine = flaggedThenReloaded([M1]);
    expect(state(engine, M1).flagged).toBe(true);
    expect(engine.takeFlags()).toEqual([]);
    const alerts = feed(engine, [onPayout(M2)]);
    expect(who(alerts)).toEqual([[M2, ["shared-infrastructure"]]]);
    expect(sharedDetail(alerts)).toBe(`has the same payout account (hashed) as merchant ${M1}, whose account the bank closed`);

    // restored (a restart, a rebalance) under the same list: still flagged
    const stored = [...engine.merchants.values()].map((m) => JSON.parse(JSON.stringify(engine.snapshot(m))) as StoredMerchant);
    const next = new Engine(engine.ruleSet, engine.indicators, true);
    next.replaceTerminated([M1]);
    next.restore(stored);
    expect(state(next, M1).flagged).toBe(true);
    expect(who(feed(next, [onPayout(M3)]))).toEqual([[M3, ["shared-infrastructure"]]]);

    // its case reopened: its own evidence no longer alerts, so it is unflagged, its keys dropped for the other processes
    next.takeFlags();
    next.replaceTerminated([]);
    expect(state(next, M1).flagged).toBe(false);
    const [n] = next.takeFlags();
    expect(n).toMatchObject({ merchantId: M1, keys: [], dropped: [payoutKey] });
    expect(next.withoutEvent(n!)).toBe(true);
    expect(feed(next, [onPayout(M4)])).toEqual([]);
  });

  it("already unflagged when its account is closed: flagged again without an event, its notice made, no alert", () => {
    const engine = flaggedThenReloaded([]);
    engine.takeFlags();
    engine.replaceTerminated([M1]);
    expect(state(engine, M1).flagged).toBe(true);
    const [n] = engine.takeFlags();
    expect(n).toMatchObject({ merchantId: M1, keys: [payoutKey] });
    expect(engine.withoutEvent(n!)).toBe(true);
    // put in force again unchanged: nothing new
    engine.replaceTerminated([M1]);
    expect(engine.takeFlags()).toEqual([]);
    expect(who(feed(engine, [onPayout(M2)]))).toEqual([[M2, ["shared-infrastructure"]]]);
  });

  it("a reopened case whose merchant's own evidence still alerts leaves it flagged, named as flagged", () => {
    const engine = new Engine(ruleSetWith(rules("live")), indexOf(set), true);
    feed(engine, [onPayout(M1, [LISTED_URL])]);
    engine.replaceTerminated([M1]);
    engine.replaceTerminated([]);
    expect(state(engine, M1).flagged).toBe(true);
    expect(sharedDetail(feed(engine, [onPayout(M2)]))).toBe(`has the same payout account (hashed) as merchant ${M1}, flagged on its own evidence`);
  });
});
