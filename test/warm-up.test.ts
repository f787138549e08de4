// `moneytrail run` warms V8 on synthetic events before joining the group (src/app/warm-up.ts). Nothing of it may
// reach the real stream: the URL memos it fills are shared by every engine of the process.
import { describe, it, expect, onTestFinished } from "vitest";
import { once } from "node:events";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replay } from "../src/app/replay.js";
import { warmUp } from "../src/app/warm-up.js";
import { loadRuleSet } from "../src/rules/ruleset.js";
import { loadIndicators } from "../src/indicators/index.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";
import { DEFAULT_MAX_BYTES } from "../src/decode/decode.js";
import { Memo } from "../src/lib/memo.js";
import { createMetrics } from "../src/app/metrics.js";

describe("warm-up", () => {
  it("runs the synthetic events and leaves the sample's alerts as they were", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mt-warm-"));
    const ruleSet = loadRuleSet(DEFAULT_RULES);
    const indicators = loadIndicators(join(SAMPLE_DIR, "indicators"));
    const run = async (name: string) => {
      await replay({ ruleSet, indicators, progress: false, events: join(SAMPLE_DIR, "events.ndjson"), out: join(dir, name), rejects: join(dir, `${name}.rejects`) });
      return readFileSync(join(dir, name), "utf8");
    };
    const before = await run("before.ndjson");
    expect(await warmUp(ruleSet, indicators, 5000, DEFAULT_MAX_BYTES)).toMatchObject({ events: 5000 });
    expect(await run("after.ndjson")).toBe(before);
    expect(before.split("\n").filter(Boolean).length).toBeGreaterThan(5);
    expect(await warmUp(ruleSet, indicators, 0, DEFAULT_MAX_BYTES)).toEqual({ events: 0, ms: 0 });
  });

  it("is not counted in the memos' lookups on /metrics: the hit ratio is the traffic's", async () => {
    const ruleSet = loadRuleSet(DEFAULT_RULES);
    const indicators = loadIndicators(join(SAMPLE_DIR, "indicators"));
    const lookups = async () => (await createMetrics().registry.getSingleMetric("moneytrail_memo_lookups_total")!.get()).values.map((v) => `${v.labels.memo} ${v.labels.result} ${v.value}`);
    const before = await lookups();
    expect(before.length).toBeGreaterThan(0);
    await warmUp(ruleSet, indicators, 2000, DEFAULT_MAX_BYTES);
    expect(await lookups()).toEqual(before);
    // and real lookups still count
    const url = [...Memo.named.values()][0]!;
    const misses = url.misses;
    url.get(`https://warm-${Date.now()}.example/`);
    expect(url.misses).toBe(misses + 1);
  });

  // Run in one go, 200,000 events (MT_WARM_UP_EVENTS) held the process for about 6 s with /healthz unanswered:
  // a liveness probe killed a pod that was only warming up. A request made as it begins is answered before its end.
  it("lets the process answer requests while it runs", async () => {
    const server = createServer((_req, res) => res.end("alive")).listen(0, "127.0.0.1");
    onTestFinished(() => void server.close());
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    const ruleSet = loadRuleSet(DEFAULT_RULES);
    const indicators = loadIndicators(join(SAMPLE_DIR, "indicators"));
    const order: string[] = [];
    const answered = fetch(`http://127.0.0.1:${port}/healthz`).then(async (r) => void order.push(`answered ${await r.text()}`));
    const warmed = Promise.resolve(warmUp(ruleSet, indicators, 20_000, DEFAULT_MAX_BYTES)).then(() => void order.push("warmed up"));
    await Promise.all([answered, warmed]);
    expect(order).toEqual(["answered alive", "warmed up"]);
  });
});
