// `moneytrail indicators publish` refuses, before connecting, what must not reach the coalition's topic: a set with
// TLP:RED entries, and an unsigned set unless --unsigned says so (subscribers with a trust store refuse it, and on
// the compacted topic it would replace the signed version for later readers).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../src/lib/paths.js";
import { IndicatorSet } from "../src/indicators/schema.js";
import { hashPlaintext } from "../src/indicators/privacy.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-publish-"));
const publish = (file: string, ...flags: string[]) => {
  const { KAFKA_BROKERS: _, ...env } = process.env;
  // a set that goes on to connect is told at once that the broker did not answer
  return spawnSync(process.execPath, [...CLI, "indicators", "publish", join(dir, file), ...flags], { env: { ...env, MT_KAFKA_START_WAIT_MS: "0" }, encoding: "utf8", timeout: 60_000 });
};

describe("indicators publish", () => {
  // hashed as its publisher shares it (publish refuses plain url entries before the checks here), so unsigned
  const unsigned = hashPlaintext(IndicatorSet.parse(JSON.parse(readFileSync(join(SAMPLE_DIR, "indicators", "coalition-sample.json"), "utf8"))));
  expect(unsigned.signature).toBeUndefined();
  writeFileSync(join(dir, "unsigned.json"), JSON.stringify(unsigned));
  writeFileSync(join(dir, "red.json"), JSON.stringify({ ...unsigned, entries: unsigned.entries.map((e: object, i: number) => (i ? e : { ...e, tlp: "red" })) }));

  // port 1: nothing listens there, and the refusals come before any connection
  it("refuses an unsigned set and says how to sign it", { timeout: 60_000 }, () => {
    const r = publish("unsigned.json", "--brokers", "127.0.0.1:1");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: .*unsigned\.json is not signed.*: sign it \(moneytrail indicators sign .*unsigned\.json --key-id KEY_ID --private-key KEY\.pem --out .*unsigned\.signed\.json\) .*or give --unsigned/);
    expect(r.stderr.split("\n")).toHaveLength(2);
  });

  it("publishes an unsigned set with --unsigned (here: tries to, and says the broker did not answer)", { timeout: 60_000 }, () => {
    const r = publish("unsigned.json", "--brokers", "127.0.0.1:1", "--unsigned");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot reach Kafka at 127\.0\.0\.1:1 \(.*ECONNREFUSED.*\); is the broker running/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("refuses a set with TLP:RED entries, and asks for the brokers, in one line each", { timeout: 60_000 }, () => {
    const red = publish("red.json", "--brokers", "127.0.0.1:1", "--unsigned");
    expect(red.status).toBe(2);
    expect(red.stderr).toMatch(/^error: .*red\.json has TLP:RED entries \([^)]*\), which never leave this member: export it \(moneytrail indicators export/);
    const none = publish("unsigned.json");
    expect(none.status).toBe(2);
    expect(none.stderr).toBe("error: give the brokers: --brokers host:port or KAFKA_BROKERS\n");
  });
});
