// `moneytrail run` read its rule set and indicator sets after it had migrated PostgreSQL, waited for Kafka (up to
// MT_KAFKA_START_WAIT_MS) and made the topics: a rule file given wrong was said a minute later, or never while the
// broker was away, and "nothing was changed" was not so. The files are read first, before anything connects.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { once } from "node:events";
import { join } from "node:path";
import { CLI } from "./helpers/cli.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";

/** A port nothing listens on (taken, then given back). */
async function closedPort(): Promise<number> {
  const s = createServer().listen(0, "127.0.0.1");
  await once(s, "listening");
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe("moneytrail run's start", () => {
  it("refuses files given wrong before it connects to PostgreSQL or Kafka", { timeout: 60_000 }, async () => {
    const [pgPort, kafkaPort] = [await closedPort(), await closedPort()];
    const start = (env: Record<string, string>) =>
      spawnSync(process.execPath, [...CLI, "run"], {
        encoding: "utf8",
        timeout: 50_000,
        env: { ...process.env, KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`, DATABASE_URL: `postgres://mt@127.0.0.1:${pgPort}/mt`, MT_METRICS_PORT: "0", MT_HTTP_PORT: "0", LOG_LEVEL: "warn", ...env },
      });
    // one file of the rule set given alone
    const rules = start({ MT_RULES: join(DEFAULT_RULES, "chargebacks.yaml") });
    expect(rules.stderr).toMatch(/^refused: .*chargebacks\.yaml: ruleset: this file has no `ruleset:` section/m);
    expect(rules.status).toBe(2);
    // the trust store given as the indicator sets
    const sets = start({ MT_INDICATORS: join(SAMPLE_DIR, "trust.json") });
    expect(sets.stderr).toMatch(/^refused: .*trust\.json: \(top level\): this is a trust store/m);
    expect(sets.status).toBe(2);
    for (const r of [rules, sets]) expect(r.stderr + r.stdout).not.toMatch(/PostgreSQL|Kafka/);
  });
});
