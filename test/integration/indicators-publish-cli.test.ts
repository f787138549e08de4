// `moneytrail indicators publish` against a real broker, as a member runs it: a signed set, and an unsigned one
// with --unsigned, each said in one line on stdout and nothing on stderr (no kafkajs partitioner notice; the signed
// one checked against the trust store, so no note that its signature was not checked).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../../src/lib/paths.js";
import { hashPlaintext } from "../../src/indicators/privacy.js";
import { freshNames, sampleSetSigning } from "./harness.js";
import { CLI } from "../helpers/cli.js";

describe("indicators publish", () => {
  it("publishes a signed set, and an unsigned one only with --unsigned, without kafkajs' notices", { timeout: 120_000 }, () => {
    const topic = `${freshNames("publish-cli").id}.indicator-sets`;
    // the sample as its publisher shares it: hashed (publish refuses plain url entries), signed again
    const { v1, sign } = sampleSetSigning();
    const dir = mkdtempSync(join(tmpdir(), "mt-publish-cli-"));
    const signed = join(dir, "signed.json");
    writeFileSync(signed, JSON.stringify(sign(hashPlaintext(v1))));
    const { signature: _, ...set } = hashPlaintext(v1);
    const unsigned = join(dir, "unsigned.json");
    writeFileSync(unsigned, JSON.stringify({ ...set, version: set.version + 1 }));
    // KAFKA_BROKERS from the global setup
    const publish = (...args: string[]) => spawnSync(process.execPath, [...CLI, "indicators", "publish", ...args, "--topic", topic], { encoding: "utf8", timeout: 60_000 });

    const ok = publish(signed, "--trust", join(SAMPLE_DIR, "trust.json"));
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(`published ${set.id} version ${set.version} (${set.entries.length} entries) to ${topic}\n`);
    expect(publish(unsigned).status).toBe(2);
    const forced = publish(unsigned, "--unsigned");
    expect(forced.stderr).toBe("");
    expect(forced.status).toBe(0);
  });
});
