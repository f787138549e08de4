// `moneytrail indicators publish` checks the set against the releases of it the topic holds, as subscribers do: an
// older version (an old file published by mistake, or on purpose) is refused as a rollback by every subscriber, and
// once compacted the topic would keep only it, so processes started later would have no release of the set at all;
// the same version with other content likewise. Both are refused before anything is sent (exit 2); the same release
// again is published.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_DIR } from "../../src/lib/paths.js";
import { SAMPLE_KEY_ID } from "../../src/fixtures/write-sample.js";
import { IndicatorSet } from "../../src/indicators/schema.js";
import { signSet } from "../../src/indicators/sign.js";
import { hashPlaintext } from "../../src/indicators/privacy.js";
import { freshNames, readTopic } from "./harness.js";
import { CLI } from "../helpers/cli.js";

describe("indicators publish against the topic", () => {
  it("refuses an older version and a changed same version of a set the topic holds, and publishes the same release again", { timeout: 180_000 }, async () => {
    const topic = `${freshNames("publish-topic").id}.indicator-sets`;
    const dir = mkdtempSync(join(tmpdir(), "mt-publish-topic-"));
    // the sample as its publisher shares it: hashed (publish refuses plain url entries)
    const set = hashPlaintext(IndicatorSet.parse(JSON.parse(readFileSync(join(SAMPLE_DIR, "indicators", "coalition-sample.json"), "utf8"))));
    const key = readFileSync(join(SAMPLE_DIR, "keys", `${SAMPLE_KEY_ID}.key.pem`), "utf8");
    const write = (name: string, s: IndicatorSet) => {
      writeFileSync(join(dir, name), JSON.stringify(s));
      return join(dir, name);
    };
    const v1 = write("v1.json", signSet(set, SAMPLE_KEY_ID, key));
    const v2 = write("v2.json", signSet({ ...set, version: 2, entries: set.entries.map((e, i) => (i ? e : { ...e, revoked: true })) }, SAMPLE_KEY_ID, key));
    const v2changed = write("v2-changed.json", signSet({ ...set, version: 2, entries: set.entries.slice(1) }, SAMPLE_KEY_ID, key));
    // KAFKA_BROKERS from the global setup
    const publish = (file: string) =>
      spawnSync(process.execPath, [...CLI, "indicators", "publish", file, "--topic", topic, "--trust", join(SAMPLE_DIR, "trust.json")], {
        encoding: "utf8",
        timeout: 90_000,
      });

    expect(publish(v2).status).toBe(0);
    const older = publish(v1);
    expect(older.stderr).toBe(
      `error: ${v1}: topic ${topic} holds version 2 of set ${set.id}: subscribers refuse version 1 as a rollback, and once compacted the topic would keep only it; publish the latest release, or this one as version 3 (signed again); nothing was published\n`,
    );
    expect(older.status).toBe(2);
    const changed = publish(v2changed);
    expect(changed.stderr).toBe(
      `error: ${v2changed}: topic ${topic} holds another version 2 of set ${set.id}: subscribers refuse a changed set under the same version; publish the change as version 3 (signed again); nothing was published\n`,
    );
    expect(changed.status).toBe(2);
    const again = publish(v2);
    expect(again.stderr).toBe("");
    expect(again.status).toBe(0);
    expect((await readTopic(topic, { count: 2 })).map((m) => IndicatorSet.parse(JSON.parse(m.value.toString())).version)).toEqual([2, 2]);
  });
});
