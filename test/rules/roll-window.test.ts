// The per-event path of the rules allocates nothing it need not: rollWindow takes functions made once, and gives the
// finding the input (the rule's parameters, the merchant) rather than being handed a closure over them at every event;
// each compiled rule holds its kind's evaluate, which the engine calls.
import { describe, expect, it } from "vitest";
import { rollWindow, type EvalInput } from "../../src/rules/kind.js";
import { newMerchant } from "../../src/state/merchant.js";
import { loadRuleSet } from "../../src/rules/ruleset.js";
import { DEFAULT_RULES } from "../../src/lib/paths.js";
import type { MonthBucket, MonthPair } from "../../src/state/window.js";

interface Bucket extends MonthBucket {
  n: number;
}
type Slot = MonthPair<Bucket>;
const fresh = (m: number): Bucket => ({ m, n: 0 });
const counted = (b: Bucket): number => b.n;
const MARCH = Date.UTC(2026, 2, 10);
const APRIL = Date.UTC(2026, 3, 10);
const MAY = Date.UTC(2026, 4, 10);
const MARCH_INDEX = (2026 - 1970) * 12 + 2;

function inputAt(at: number, slot: Slot | undefined): EvalInput<{ threshold: number }, Slot> {
  const merchant = newMerchant("acq-test:M-1");
  merchant.lastEventAt = at;
  return { event: undefined as never, at, merchant, params: { threshold: 3 }, slot, env: undefined as never, noted: false };
}

describe("rollWindow", () => {
  it("gives the finding the slot and the input itself when the month moved and the window still counts", () => {
    const input = inputAt(APRIL, { month: { m: MARCH_INDEX, n: 5 } });
    const seen: unknown[] = [];
    const f = rollWindow(input, fresh, counted, (slot, i) => {
      seen.push(i);
      return { value: slot.prevMonth!.n, threshold: i.params.threshold, eventIds: [] };
    });
    expect(seen).toEqual([input]);
    expect(f).toEqual({ value: 5, threshold: 3, eventIds: [] });
  });

  it("asks nothing while the month has not moved, and drops a window that counts nothing any more", () => {
    const never = () => {
      throw new Error("no finding is asked for");
    };
    expect(rollWindow(inputAt(MARCH, { month: { m: MARCH_INDEX, n: 5 } }), fresh, counted, never)).toBeUndefined();
    const gone = inputAt(MAY, { month: { m: MARCH_INDEX, n: 5 } });
    expect(rollWindow(gone, fresh, counted, never)).toBeNull();
    expect(gone.slot).toBeUndefined();
  });
});

describe("compiled rules", () => {
  it("each holds its kind's evaluate", () => {
    const set = loadRuleSet(DEFAULT_RULES);
    expect(set.rules.length).toBeGreaterThan(0);
    for (const r of set.rules) expect(r.evaluate).toBe(r.kind.evaluate);
  });
});
