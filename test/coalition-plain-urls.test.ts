// A member's set went onto the coalition's topic, which every member's consumer reads (banks among them), with its
// `url` entries in plain text: `indicators publish` sent the address of each listed abuse page, and its description,
// without a word, although `export --hash` makes entries that match the same. Publish now refuses plain `url`
// entries before connecting, naming their ids (never the address) and how to share them hashed.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI } from "./helpers/cli.js";
import { hotlineSet } from "./helpers/events.js";
import { generateSigningKey, signSet } from "../src/indicators/sign.js";

const dir = mkdtempSync(join(tmpdir(), "mt-coalition-plain-"));
const PAGE = "https://flagged-gallery.example/album/17";
const entries = [
  { id: "c-1", kind: "url" as const, value: PAGE, confidence: 85, tlp: "amber" as const, description: "album 17 of the gallery" },
  { id: "c-2", kind: "keyword" as const, value: "tokalpha", confidence: 70, tlp: "green" as const },
];
writeFileSync(join(dir, "week.json"), JSON.stringify(hotlineSet({ id: "hotline-a-week49", created: "2026-12-06T00:00:00Z", entries })));
const cli = (...args: string[]) => {
  const { KAFKA_BROKERS: _, MT_TRUST_STORE: __, ...env } = process.env;
  // a publish that goes on to connect is told at once that the broker did not answer
  return spawnSync(process.execPath, [...CLI, "indicators", ...args], { cwd: dir, env: { ...env, MT_KAFKA_START_WAIT_MS: "0" }, encoding: "utf8", timeout: 60_000 });
};

describe("plain url entries and the coalition's topic", () => {
  it("stop publish before it connects, naming the entries but not the page, and saying how to hash them", { timeout: 60_000 }, () => {
    // port 1: nothing listens there, so a refusal that came after connecting would read "cannot reach Kafka"
    const r = cli("publish", "week.json", "--brokers", "127.0.0.1:1", "--unsigned");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "error: week.json has url entries in plain text (c-1), which would give every member reading the topic the address of the page: export it with --hash (moneytrail indicators export week.json --hash --out EXPORT.json: url and domain values become SHA-256 hashes that match the same), sign that and publish it\n",
    );
    expect(r.stderr).not.toContain("flagged-gallery");
  });

  it("let the hashed export through to the broker", { timeout: 60_000 }, () => {
    expect(cli("export", "week.json", "--hash", "--out", "hashed.json").status).toBe(0);
    const r = cli("publish", "hashed.json", "--brokers", "127.0.0.1:1", "--unsigned");
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot reach Kafka at 127\.0\.0\.1:1/);
  });

  it("are named by an export that keeps them, v1 or STIX, which says what --hash does; --hash says nothing of them", { timeout: 60_000 }, () => {
    for (const format of ["v1", "stix"]) {
      const r = cli("export", "week.json", "--format", format);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("flagged-gallery.example");
      expect(r.stderr).toContain(
        "note: 1 url entry in plain text (c-1): whoever receives this export reads the address of the page, and publish refuses it; give --hash to share it as a SHA-256 hash that matches the same\n",
      );
    }
    for (const format of ["v1", "stix"]) {
      const hashed = cli("export", "week.json", "--hash", "--format", format);
      expect(hashed.stderr).not.toContain("plain text");
      expect(hashed.stdout).not.toContain("flagged-gallery");
    }
  });

  it("are named first when a set also holds TLP:RED entries, as export --hash mends both", { timeout: 60_000 }, () => {
    writeFileSync(join(dir, "red.json"), JSON.stringify(hotlineSet({ id: "hotline-a-week50", created: "2026-12-06T00:00:00Z", entries: [...entries, { id: "c-3", kind: "merchant-id", value: "acq-test:M-1", confidence: 90, tlp: "red" }] })));
    const r = cli("publish", "red.json", "--brokers", "127.0.0.1:1", "--unsigned");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: red\.json has url entries in plain text \(c-1\).*export it with --hash/);
  });

  it("are not sent to publish by the note of an export that keeps them", { timeout: 60_000 }, () => {
    const key = generateSigningKey();
    writeFileSync(join(dir, "key.pem"), key.privateKeyPem, { mode: 0o600 });
    const signed = signSet(hotlineSet({ id: "hotline-a-week51", created: "2026-12-06T00:00:00Z", entries: [...entries, { id: "c-3", kind: "merchant-id", value: "acq-test:M-1", confidence: 90, tlp: "red" }] }), "hotline-a-1", key.privateKeyPem);
    writeFileSync(join(dir, "signed.json"), JSON.stringify(signed));
    const plain = cli("export", "signed.json", "--out", "plain.json");
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stderr).toContain("note: the export is unsigned");
    expect(plain.stderr).not.toContain("indicators publish");
    const hashed = cli("export", "signed.json", "--hash", "--out", "hashed.json");
    expect(hashed.stderr).toContain("then moneytrail indicators publish hashed.signed.json");
  });
});
