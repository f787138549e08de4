// A set, trust store, STIX bundle or MISP event saved by a Windows tool (Notepad, PowerShell 5's Out-File) begins with
// a UTF-8 byte-order mark, which RFC 8259 lets a reader ignore and which events already may carry: such a file was
// refused as "not valid JSON: Unexpected token '﻿'", quoting a character nobody can see. It is read as without it.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readIndicatorSet } from "../src/indicators/index.js";
import { generateSigningKey, loadTrustStore, signSet, verifySet } from "../src/indicators/sign.js";
import { importMispFeed } from "../src/indicators/misp.js";
import { PACKAGE_ROOT, SAMPLE_DIR } from "../src/lib/paths.js";
import { CLI } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mt-ind-bom-"));
/** `from` copied to `name` in the test's directory, with a byte-order mark before it */
const withBom = (from: string, name: string): string => {
  const file = join(dir, name);
  writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(from)]));
  return file;
};

describe("files that begin with a UTF-8 byte-order mark", () => {
  it("a set and a trust store read and verify as without it", () => {
    // signed with a key of the test's own: a store that trusts the sample's committed key is refused outside fixtures/sample
    const key = generateSigningKey();
    const sample = readIndicatorSet(join(SAMPLE_DIR, "indicators", "coalition-sample.json"));
    writeFileSync(join(dir, "signed.json"), JSON.stringify(signSet(sample, "bom-1", key.privateKeyPem)));
    writeFileSync(join(dir, "store.json"), JSON.stringify({ keys: [{ keyId: "bom-1", publisher: sample.publisher.id, publicKey: key.publicKeyPem }] }));
    const set = readIndicatorSet(withBom(join(dir, "signed.json"), "set.json"));
    const trust = loadTrustStore(withBom(join(dir, "store.json"), "trust.json"));
    expect(verifySet(set, trust)).toMatchObject({ ok: true });
  });

  it("a MISP event imports as without it", () => {
    const event = join(PACKAGE_ROOT, "fixtures", "misp-feed", "40f531cd-dd5b-56c3-ad97-c32655774acb.json");
    expect(importMispFeed(withBom(event, "event.json")).set.entries).toEqual(importMispFeed(event).set.entries);
  });

  it("a STIX bundle imports as without it", { timeout: 60_000 }, () => {
    const bundle = withBom(join(PACKAGE_ROOT, "fixtures", "stix", "partner-tool-bundle.json"), "bundle.json");
    const r = spawnSync(process.execPath, [...CLI, "indicators", "import", bundle, "--from", "stix", "--set-id", "partner-stix"], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: "partner-stix" });
  });
});
