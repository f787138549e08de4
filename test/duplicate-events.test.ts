// An event sent twice (a producer's retry, a file sent again) is applied once: the same chargeback twice doubled the
// merchant's dispute count and so its ratios. The merchant's recent ids are bounded (the last 16 transactions and the
// last 8 other events, apart), counted when skipped, and kept in the checkpoint.
import { beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../src/engine.js";
import { replay } from "../src/app/replay.js";
import { OTHER_IDS, TX_IDS, hash48 } from "../src/state/seen.js";
import type { StoredMerchant } from "../src/state/merchant.js";
import { M1, M2, chargeback, indexOf, merchant, resetEvents, ruleSetWith, tx } from "./helpers/events.js";

const engine = () => new Engine(ruleSetWith("rules: []"), indexOf());
const disputes = (e: Engine, id = M1) => e.merchants.get(id)!.month!.disputes;
const settled = (e: Engine) => e.merchants.get(M1)!.month!.settled;

describe("an event sent again", () => {
  beforeEach(() => resetEvents());

  it("is applied once, and counted as repeated", () => {
    const e = engine();
    e.process(merchant());
    const cb = chargeback();
    e.process(cb);
    e.process(cb);
    expect(disputes(e)).toBe(1);
    expect(e.counts).toMatchObject({ events: 2, repeated: 1 });
    // the same id at another merchant is another event
    e.process({ ...cb, merchantId: M2 });
    expect(disputes(e, M2)).toBe(1);
    e.process(chargeback());
    expect(disputes(e)).toBe(2);
  });

  it("is remembered among the last transactions, and a chargeback among the last other events however many sales came after", () => {
    const e = engine();
    const cb = chargeback();
    const first = tx({ status: "settled" });
    e.process(cb);
    e.process(first);
    for (let i = 1; i < TX_IDS; i++) e.process(tx({ status: "settled" }));
    e.process(first);
    expect(settled(e)).toBe(TX_IDS);
    // one more and the first transaction is forgotten: the filter is bounded
    e.process(tx({ status: "settled" }));
    e.process(first);
    expect(settled(e)).toBe(TX_IDS + 2);
    // the chargeback, 18 sales ago, is still known
    e.process(cb);
    expect(disputes(e)).toBe(1);
    for (let i = 0; i < OTHER_IDS; i++) e.process(chargeback());
    e.process(cb);
    expect(disputes(e)).toBe(OTHER_IDS + 2);
  });

  it("is known after a checkpoint's restore, in a few hundred bytes", () => {
    const e = engine();
    const cb = chargeback();
    e.process(cb);
    const sales = Array.from({ length: TX_IDS }, () => tx({ status: "settled" }));
    for (const s of sales) e.process(s);
    for (let i = 1; i < OTHER_IDS; i++) e.process(chargeback());
    const stored = JSON.parse(JSON.stringify(e.snapshot(e.merchants.get(M1)!))) as StoredMerchant;
    expect(stored.seenTx!.length + stored.seenOther!.length).toBe(8 * (TX_IDS + OTHER_IDS));
    const again = engine();
    again.restore([stored]);
    again.process(cb);
    again.process(sales[0]!);
    expect(disputes(again)).toBe(OTHER_IDS);
    expect(settled(again)).toBe(TX_IDS);
    expect(again.counts.repeated).toBe(2);
    // a checkpoint from before the filter, or a damaged one: nothing known, nothing refused
    const older = engine();
    older.restore([{ ...stored, seenTx: undefined, seenOther: "not base64 of ids" }]);
    older.process(cb);
    expect(disputes(older)).toBe(OTHER_IDS + 1);
  });

  it("replay says how many it skipped, apart from the events processed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-repeated-"));
    const events = join(dir, "events.ndjson");
    const lines = [merchant(), chargeback(), tx()].map((x) => JSON.stringify(x));
    writeFileSync(events, `${[...lines, lines[1], lines[2]].join("\n")}\n`);
    const s = await replay({ events, out: join(dir, "a.ndjson"), rejects: join(dir, "r.ndjson"), ruleSet: ruleSetWith("rules: []"), indicators: indexOf() });
    expect(s).toMatchObject({ lines: 5, events: 3, repeated: 2, rejected: 0 });
  });

  it("hashes ids to 48 well-spread bits", () => {
    const hashes = Array.from({ length: 100_000 }, (_, i) => hash48(`e-${i}`));
    expect(hashes.every((h) => Number.isSafeInteger(h) && h >= 0 && h < 2 ** 48)).toBe(true);
    expect(new Set(hashes).size).toBe(100_000);
    // the top 16 bits used too
    expect(hashes.filter((h) => h >= 2 ** 47).length).toBeGreaterThan(45_000);
    // pinned: checkpoints keep these values
    expect(hash48("e-1")).toBe(45242650464316);
  });
});
