// backtest --topic with --candidate-indicators: the events recorded on a topic, the sets in force as A and a new
// version of one as B (signed, checked with --trust), the same rules on both sides: B gains and loses exactly the
// merchants of the entry it adds and of the one it revokes, as from the file (test/backtest-candidate-indicators.test.ts).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BacktestResult } from "../../src/app/backtest.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../../src/lib/paths.js";
import { CLI } from "../helpers/cli.js";
import { SAMPLE_INDICATORS, brokers, createTopics, freshNames, produce, sampleLines, sampleSetSigning } from "./harness.js";

describe("backtest --topic --candidate-indicators", () => {
  it("gains the newly listed merchant and loses the revoked one", { timeout: 180_000 }, async () => {
    const n = freshNames("bt-cand-sets");
    await createTopics(n, 3);
    await produce(n.events, sampleLines());

    const { v1, sign } = sampleSetSigning();
    const entries = v1.entries.map((e) => (e.id === "ind-6" ? { ...e, revoked: true } : e));
    entries.push({ id: "ind-17", kind: "merchant-id", value: "acq-nl:M-100007", confidence: 85, validUntil: "2027-02-28T00:00:00Z", tlp: "amber" });
    const dir = mkdtempSync(join(tmpdir(), "mt-bt-cand-sets-"));
    try {
      const sets = join(dir, "sets");
      mkdirSync(sets);
      writeFileSync(join(sets, "coalition-sample.json"), JSON.stringify(sign({ ...v1, version: 2, entries, signature: undefined })));
      const json = join(dir, "r.json");
      const r = spawnSync(
        process.execPath,
        [...CLI, "backtest", "--topic", n.events, "--brokers", brokers().join(","), "--baseline", DEFAULT_RULES, "--candidate", DEFAULT_RULES,
          "--indicators", SAMPLE_INDICATORS, "--candidate-indicators", sets, "--trust", join(SAMPLE_DIR, "trust.json"), "--json", json, "--no-progress"],
        { encoding: "utf8", timeout: 150_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const result = BacktestResult.parse(JSON.parse(readFileSync(json, "utf8")));
      expect(result.events.processed).toBe(sampleLines().length);
      expect([result.alertsAdded.map((m) => m.merchantId), result.alertsRemoved.map((m) => m.merchantId)]).toEqual([["acq-nl:M-100007"], ["acq-nl:M-109007"]]);
      expect(r.stdout).toContain("Indicator sets in B: coalition-sample-2026-03 version 2 (17 entries, 1 revoked, member:hotline-sample)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
