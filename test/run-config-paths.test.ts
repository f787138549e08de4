// `moneytrail run` refuses, before it connects anywhere, a rule-set directory, indicator sets or trust store that is
// not there, naming the setting: it was refused after connecting as "error: /x: not found: check the path", the same
// words for MT_RULES and MT_INDICATORS, so the operator could not tell which setting was wrong.
import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { runConfig } from "../src/config/run.js";
import { DEFAULT_RULES, SAMPLE_DIR } from "../src/lib/paths.js";

describe("run configuration: paths", () => {
  const env = { KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://u@127.0.0.1:5432/db" };
  const missing = join(SAMPLE_DIR, "not-there.invalid");

  it("names the setting whose path is not there, and what it should be", () => {
    expect(() => runConfig({ ...env, MT_RULES: missing }, {}, new Set(["rules"]))).toThrow(new RegExp(`\\n {2}MT_RULES \\(--rules\\): ${missing} does not exist: give the path of the rule-set directory$`));
    expect(() => runConfig({ ...env, MT_INDICATORS: missing })).toThrow(/\n {2}MT_INDICATORS: \S+ does not exist: give the path of the indicator sets/);
    expect(() => runConfig({ ...env, MT_TRUST_STORE: missing })).toThrow(/\n {2}MT_TRUST_STORE: \S+ does not exist: give the path of the publishers' trust store/);
  });

  it("takes paths that are there", () => {
    const c = runConfig({ ...env, MT_RULES: DEFAULT_RULES, MT_INDICATORS: join(SAMPLE_DIR, "indicators"), MT_TRUST_STORE: join(SAMPLE_DIR, "trust.json") });
    expect(c).toMatchObject({ rules: DEFAULT_RULES, indicators: join(SAMPLE_DIR, "indicators"), trustStore: join(SAMPLE_DIR, "trust.json") });
    expect(runConfig(env).rules).toBe(DEFAULT_RULES);
  });
});
