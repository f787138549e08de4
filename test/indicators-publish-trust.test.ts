// `moneytrail indicators publish` checks the signature it carries when given a trust store (--trust, or
// MT_TRUST_STORE as `run` reads it): a set edited after signing is refused before connecting, since every subscriber
// would refuse it while, on the compacted topic, it replaced the good version for processes started later.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { SAMPLE_KEY_ID } from "../src/fixtures/write-sample.js";
import { IndicatorSet } from "../src/indicators/schema.js";
import { hashPlaintext } from "../src/indicators/privacy.js";
import { signSet } from "../src/indicators/sign.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-publish-trust-"));
const trust = join(SAMPLE_DIR, "trust.json");
// the sample as its publisher shares it: hashed (publish refuses plain url entries), signed again with the sample's key
const sample = IndicatorSet.parse(JSON.parse(readFileSync(join(SAMPLE_DIR, "indicators", "coalition-sample.json"), "utf8")));
const set = signSet(hashPlaintext(sample), SAMPLE_KEY_ID, readFileSync(join(SAMPLE_DIR, "keys", `${SAMPLE_KEY_ID}.key.pem`), "utf8"));
const signed = join(dir, "signed.json");
writeFileSync(signed, JSON.stringify(set));
const edited = join(dir, "edited.json");
writeFileSync(edited, JSON.stringify({ ...set, entries: set.entries.slice(1) }));

// port 1: nothing listens there; a set that passes the checks goes on to connect, and is told at once
// (MT_KAFKA_START_WAIT_MS=0) that the broker did not answer
const publish = (file: string, flags: string[], env: Record<string, string> = {}) => {
  const { KAFKA_BROKERS: _, MT_TRUST_STORE: __, ...rest } = process.env;
  return spawnSync(process.execPath, [...CLI, "indicators", "publish", file, "--brokers", "127.0.0.1:1", ...flags], {
    env: { ...rest, MT_KAFKA_START_WAIT_MS: "0", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
};

describe("indicators publish with a trust store", () => {
  it("refuses a set changed after signing, with the reason and what to do, before connecting", { timeout: 60_000 }, () => {
    for (const r of [publish(edited, ["--trust", trust]), publish(edited, [], { MT_TRUST_STORE: trust })]) {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^refused: .*edited\.json: signature: the signature of set \S+ does not match its content: it was changed after signing/);
      expect(r.stderr).toMatch(/\nSubscribers holding .*trust\.json would refuse this set.*: sign it again \(moneytrail indicators sign .*edited\.json .*\) and publish that; nothing was published\.\n$/);
      expect(r.stderr).not.toMatch(/cannot reach Kafka/);
    }
  });

  it("refuses a set signed with a key the trust store does not hold", { timeout: 60_000 }, () => {
    const other = join(dir, "other-trust.json");
    writeFileSync(other, JSON.stringify({ keys: [] }));
    const r = publish(signed, ["--trust", other]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/signature: set \S+ is signed with key hotline-sample-2026, which is not in the trust store/);
  });

  it("lets a set that verifies go on (here: to a broker that does not answer), without a note", { timeout: 60_000 }, () => {
    const r = publish(signed, ["--trust", trust]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot reach Kafka at 127\.0\.0\.1:1 /);
  });

  it("without a trust store, publishes as before but says the signature was not checked", { timeout: 60_000 }, () => {
    const r = publish(edited, []);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^note: the signature of .*edited\.json was not checked \(no --trust or MT_TRUST_STORE\).*give --trust to check it before it goes out\nerror: cannot reach Kafka/);
  });
});
