// An entry whose validFrom is later than the merchant's last check: when the merchant's events pass that time, the
// merchant is checked against it, as it is when an entry it cites expires. A website checked at boarding, before
// the entry began to hold, was never looked at again (only a new profile or new sets brought a recheck).
import { beforeEach, describe, expect, it } from "vitest";
import { Engine } from "../src/engine.js";
import { feed, indexOf, indicatorSet, merchant, resetEvents, ruleSetWith, setClock, tx, M1, M2 } from "./helpers/events.js";
import { FSL_RULE, LISTED_RULE } from "./helpers/rules.js";

const RULES = `${FSL_RULE}${LISTED_RULE}`;
const LISTED_URL = "https://listed.example/gallery/1";
const FROM = "2026-03-10T00:00:00Z";
const who = (alerts: { merchantId: string; typologies: string[] }[]) => alerts.map((a) => [a.merchantId, a.typologies]);

beforeEach(() => resetEvents());

describe("an indicator entry that begins to hold after the merchant was checked", () => {
  it("matches at the merchant's first event after its validFrom", () => {
    const set = indicatorSet([
      { id: "url-1", kind: "url", value: LISTED_URL, confidence: 90, validFrom: FROM },
      { id: "mid-1", kind: "merchant-id", value: M2, confidence: 90, validFrom: FROM },
    ]);
    const engine = new Engine(ruleSetWith(RULES), indexOf(set));
    setClock("2026-03-01T00:00:00Z");
    expect(feed(engine, [merchant({ merchantId: M1, websites: [LISTED_URL] }), merchant({ merchantId: M2 })])).toEqual([]);
    setClock("2026-03-09T00:00:00Z");
    expect(feed(engine, [tx({ merchantId: M1 }), tx({ merchantId: M2 })])).toEqual([]);
    setClock("2026-03-11T00:00:00Z");
    expect(who(feed(engine, [tx({ merchantId: M1 }), tx({ merchantId: M2 })]))).toEqual([
      [M1, ["linked-to-flagged"]],
      [M2, ["listed-identifier"]],
    ]);
  });
});
